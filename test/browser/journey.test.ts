/**
 * Real-browser journeys: headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core
 * against the app listening on a random local port, once per test database.
 *
 * Skipped when global-setup found no Chromium (it prints a loud banner saying so).
 * Screenshots of each step go to test-results/screenshots/<kind>-NN-name.png for reviewers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfficer } from '../../src/services/officers.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { makeAccount, openTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { browserHarness, CHROMIUM, clickAndLoad, heading, STEP_TIMEOUT } from './support.js';

const ADMIN_EMAIL = 'admin@test.police.uk';

describe.skipIf(!CHROMIUM)('browser journeys', () => {
  describe.each(testDatabases())('on %s', (kind) => {
    let t: TestApp;
    const browser = browserHarness(`${kind}-`);
    let baseUrl: string;

    beforeAll(async () => {
      t = await openTestApp(kind);
      const f = await smallForce(t.svc);
      await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id }));
      await makeAccount(t, ADMIN_EMAIL, [{ role: 'administrator', boroughId: null }]);
      await browser.start(t);
      baseUrl = browser.baseUrl;
    });

    afterAll(async () => {
      await browser.stop();
      await t?.close();
    });

    const openPage = () => browser.openPage();

    it('signs in, finds an officer, promotes them and sees the change in the audit log', async () => {
      const { page, problems, shot } = await openPage();

      // Sign in.
      await page.goto('/sign-in');
      await heading(page, 'Sign in to Cedar').waitFor();
      await page.getByLabel('Email address').fill(ADMIN_EMAIL);
      await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      await shot('sign-in');
      await clickAndLoad(page, page.getByRole('button', { name: 'Sign in', exact: true }), new RegExp(`^${baseUrl}/$`));
      await heading(page, /^Hello, /).waitFor();
      await shot('home');

      // Officers, through the service navigation.
      const nav = page.getByRole('navigation', { name: 'Menu' });
      await clickAndLoad(page, nav.getByRole('link', { name: 'Officers', exact: true }), /\/officers$/);
      await heading(page, 'Officers').waitFor();
      await shot('officers');

      // Filter by name, then open the officer.
      await page.getByLabel('Name or collar number').fill('Patel');
      await clickAndLoad(page, page.getByRole('button', { name: 'Apply filters' }), /\/officers\?.*q=Patel/);
      await page
        .getByRole('status')
        .filter({ hasText: /^\s*1 officer\s*$/ })
        .waitFor();
      await shot('officers-filtered');
      await clickAndLoad(page, page.getByRole('link', { name: 'Patel, Asha' }), /\/officers\/[^/?]+$/);
      await heading(page, /Asha Patel/).waitFor();
      await shot('officer-profile');

      // Change the rank.
      await clickAndLoad(page, page.getByRole('link', { name: /^Change\s+officer details/ }), /\/officers\/[^/?]+\/edit$/);
      await heading(page, 'Edit Asha Patel').waitFor();
      expect(await page.getByLabel('Rank').inputValue()).toBe('Police Constable');
      await page.getByLabel('Rank').selectOption({ label: 'Sergeant' });
      await shot('officer-edit');
      await clickAndLoad(page, page.getByRole('button', { name: 'Save changes' }), /\/officers\/[^/?]+\?notice=officer-updated$/);

      // Success banner, and the profile shows the new rank.
      const banner = page.locator('.govuk-notification-banner--success');
      await banner.filter({ hasText: 'Officer record updated.' }).waitFor();
      const rankRow = page.locator('.govuk-summary-list__row').filter({ has: page.locator('dt', { hasText: /^\s*Rank\s*$/ }) });
      expect((await rankRow.locator('dd').first().innerText()).trim()).toBe('Sergeant');
      await page.getByText('Rank: Police Constable → Sergeant').waitFor();
      await shot('officer-updated');

      // The audit log has the change.
      await clickAndLoad(page, nav.getByRole('link', { name: 'Audit log' }), /\/audit$/);
      await heading(page, 'Audit log').waitFor();
      const updateRow = page.getByRole('row').filter({ hasText: 'Officer record updated: rank Police Constable → Sergeant' });
      await updateRow.waitFor();
      expect(await updateRow.count()).toBe(1);
      expect(await updateRow.innerText()).toContain(ADMIN_EMAIL.split('@')[0]);
      await shot('audit-log');

      expect(problems).toEqual([]);
    }, 90_000);

    it('shows a GOV.UK error summary for a wrong password, with focus on it and a link to the email field', async () => {
      const { page, problems, shot } = await openPage();
      await page.goto('/sign-in');
      await page.getByLabel('Email address').fill(ADMIN_EMAIL);
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      // The URL stays /sign-in, so wait for the form's answer (a 401) rather than for a new URL.
      const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      expect((await answer).status()).toBe(401);
      await page.waitForLoadState('load');

      const summary = page.locator('.govuk-error-summary');
      await summary.getByRole('heading', { name: 'There is a problem' }).waitFor();
      expect(await page.title()).toMatch(/^Error: /);
      // govuk-frontend's ErrorSummary moves focus to the summary so screen readers announce it.
      await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary') ?? false, undefined, { timeout: STEP_TIMEOUT });
      await shot('sign-in-error');

      const link = summary.getByRole('link', { name: 'Enter a correct email address and password' });
      expect(await link.getAttribute('href')).toBe('#email');
      // Following the link puts the cursor in the email field, which keeps what was typed.
      await link.click();
      await page.waitForFunction(() => document.activeElement?.id === 'email', undefined, { timeout: STEP_TIMEOUT });
      expect(await page.getByLabel('Email address').inputValue()).toBe(ADMIN_EMAIL);
      await shot('sign-in-error-link-followed');

      // The failed attempt is a 401, which Chromium reports on the console; nothing else should be.
      expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    }, 60_000);
  });
});
