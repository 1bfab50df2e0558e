/**
 * Shared set-up for the real-browser journeys: headless Chromium (Debian's /usr/bin/chromium)
 * driven by playwright-core against the app listening on a random local port.
 *
 * `CHROMIUM` is null when global-setup found no Chromium (it prints a loud banner saying so):
 * wrap each suite in `describe.skipIf(!CHROMIUM)`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium as playwright, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { inject } from 'vitest';
import type { TestApp } from '../support/app.js';

export const CHROMIUM = inject('chromium');
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
export const STEP_TIMEOUT = 15_000;

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface OpenedPage {
  page: Page;
  /** Page errors, console errors and failed asset requests, for the test to check at the end. */
  problems: string[];
  /**
   * A screenshot, numbered in the order taken: SCREENSHOTS/<prefix>NN-<name>.png. Of the whole
   * page, or of `only` when given (for a part that is hard to read in a very long page).
   */
  shot(name: string, only?: Locator): Promise<void>;
}

/**
 * One browser for a suite: start() listens on a random port and launches Chromium; openPage()
 * gives a fresh context (its own cookies: one signed-in person) and page; stop() closes it all.
 * Screenshot numbers run on across the suite's tests, so the files sort in order.
 */
export function browserHarness(prefix: string) {
  let browser: Browser | undefined;
  let baseUrl = '';
  const contexts: BrowserContext[] = [];
  let step = 0;

  return {
    get baseUrl() {
      return baseUrl;
    },

    async start(t: TestApp) {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = t.app.server.address();
      if (!address || typeof address === 'string') throw new Error(`Unexpected server address: ${String(address)}`);
      baseUrl = `http://127.0.0.1:${address.port}`;
      browser = await playwright.launch({ executablePath: CHROMIUM!, headless: true, args: LAUNCH_ARGS });
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
    },

    async stop() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser?.close().catch(() => {});
    },

    async openPage(): Promise<OpenedPage> {
      if (!browser) throw new Error('browserHarness: start() first');
      const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(STEP_TIMEOUT);
      page.setDefaultNavigationTimeout(STEP_TIMEOUT);
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      page.on('response', (res) => {
        if (res.status() >= 400 && res.url().includes('/assets/')) problems.push(`asset ${res.status()}: ${res.url()}`);
      });
      const shot = async (name: string, only?: Locator) => {
        step += 1;
        const file = path.join(SCREENSHOTS, `${prefix}${String(step).padStart(2, '0')}-${name}.png`);
        await (only ? only.screenshot({ path: file }) : page.screenshot({ path: file, fullPage: true }));
      };
      return { page, problems, shot };
    },
  };
}

/** The page's h1, by its text. */
export const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/** Clicks something that navigates, and waits until the new page has loaded. */
export async function clickAndLoad(page: Page, target: Locator, url: RegExp) {
  await Promise.all([page.waitForURL(url, { waitUntil: 'load' }), target.click()]);
}
