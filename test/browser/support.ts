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
import { TEST_PASSWORD, type TestApp } from '../support/app.js';

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

    /** A page of its own, signed in with the test password as `email`, on the home page. */
    async signIn(email: string): Promise<OpenedPage> {
      const opened = await this.openPage();
      const { page } = opened;
      await page.goto('/sign-in');
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      await clickAndLoad(page, page.getByRole('button', { name: 'Sign in', exact: true }), new RegExp(`^${baseUrl}/$`));
      return opened;
    },
  };
}

/** The page's h1, by its text. */
export const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/** Clicks something that navigates, and waits until the new page has loaded. */
export async function clickAndLoad(page: Page, target: Locator, url: RegExp) {
  await Promise.all([page.waitForURL(url, { waitUntil: 'load' }), target.click()]);
}

/** axe-core's rule tags for WCAG 2.2 level AA (and the levels below it), plus its best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

export interface AxeViolation {
  rule: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; summary: string }[];
}

let axeSource: string | undefined;

/**
 * The page's shape, as axe sees it: every element's tag and place in the tree, its attributes' names, the values of
 * those that change what a rule checks (class, role, type, scope, the aria-* and id-reference
 * attributes), and whether each one that needs a name (links, buttons, labels, headings, cells)
 * has text. Two pages with the same shape get the same findings from axe, whatever their words
 * and numbers, and a table or list of ten rows has the shape of one of two (runs of siblings of
 * the same shape count once), so a walk can check each shape once. Hashed (FNV-1a). Two
 * shapes: the page's `<main>`, and everything around it (header, menu, footer), which is the same
 * on most of one role's pages but for the menu item marked current.
 */
export async function pageShape(page: Page): Promise<{ main: string; chrome: string }> {
  return page.evaluate(() => {
    const named = new Set(['A', 'BUTTON', 'LABEL', 'LEGEND', 'H1', 'H2', 'H3', 'H4', 'TH', 'TD', 'SUMMARY', 'OPTION', 'CAPTION', 'TITLE']);
    const kept = /^(class|role|type|scope|for|headers|tabindex|lang|alt|href|aria-.*)$/;
    const refs = /^(href|for|headers|aria-labelledby|aria-describedby|aria-controls)$/;
    const fnv = (text: string) => {
      let h = 0x811c9dc5;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
      return h.toString(16);
    };
    const main = document.querySelector('main');
    // An element's shape from its own and its children's, bottom up; a run of children of the
    // same shape (a table's rows, a list's items) counts as one, so a longer list is the same shape.
    const shape = (el: Element, skip: Element | null): string => {
      const own = [el.tagName];
      for (const at of Array.from(el.attributes)) {
        // A link's target or an id reference matters only as present, and whether it is empty.
        const value = refs.test(at.name) ? (at.value ? '+' : '') : at.value;
        own.push(kept.test(at.name) ? `${at.name}=${value}` : at.name);
      }
      if (named.has(el.tagName)) own.push((el.textContent ?? '').trim() ? '#' : '0');
      const children: string[] = [];
      for (const child of Array.from(el.children)) {
        const c = child === skip ? 'main' : shape(child, skip);
        if (children.at(-1) !== c) children.push(c);
      }
      return fnv(`${own.join(' ')}(${children.join(',')})`);
    };
    return { main: main ? shape(main, null) : '', chrome: shape(document.documentElement, main) };
  });
}

/**
 * Runs axe-core on the page as it is now and returns its violations (WCAG 2.2 AA and best
 * practices). axe is evaluated through the DevTools protocol: the strict content security
 * policy (no inline script) blocks `addScriptTag`, whose script would be inline, but not this.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= fs.readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const axe = (
      window as unknown as {
        axe: {
          configure(spec: object): void;
          run(
            ctx: Document,
            opts: object,
          ): Promise<{ violations: { id: string; impact?: string | null; help: string; helpUrl: string; nodes: { target: unknown[]; html: string; failureSummary?: string }[] }[] }>;
        };
      }
    ).axe;
    // One deliberate exception, GOV.UK Frontend's: a radio that reveals a follow-up question
    // carries aria-expanded, which ARIA does not list for radios. GOV.UK keeps it because screen
    // readers announce it and users were helped by it (alphagov/govuk-frontend#979, a documented
    // known issue). Allowed for radios only; every other attribute on every role is still checked.
    axe.configure({ checks: [{ id: 'aria-allowed-attr', options: { radio: ['aria-expanded'] } }] });
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), html: n.html.slice(0, 200), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').trim() })),
    }));
  }, AXE_TAGS);
}

/** axe's violations as text a person can act on: the page, then each rule, its impact, where and how to fix it. */
export function axeReport(where: string, violations: readonly AxeViolation[]): string {
  if (violations.length === 0) return '';
  const lines = [`${where}: ${violations.length} axe violation${violations.length === 1 ? '' : 's'}`];
  for (const v of violations) {
    lines.push(`  ${v.rule} (${v.impact ?? 'no impact given'}): ${v.help} — ${v.helpUrl}`);
    for (const n of v.nodes.slice(0, 5)) lines.push(`    at ${n.target}\n      ${n.html}\n      ${n.summary}`);
    if (v.nodes.length > 5) lines.push(`    …and ${v.nodes.length - 5} more`);
  }
  return lines.join('\n');
}

/** Fails, with axe's readable report, unless the page has no WCAG 2.2 AA or best-practice violations. */
export async function expectNoAxeViolations(page: Page, where = page.url()): Promise<void> {
  const report = axeReport(where, await axeViolations(page));
  if (report) throw new Error(report);
}
