/**
 * The monthly release in a real browser, once per test database: the public page says nothing
 * is published; an analyst prepares a release of the figures to the end of May 2026 from the
 * releases page, checks the preview and publishes it; the public page then shows it, with its
 * charts, tables, downloads, the release history and the methodology.
 * Screenshots go to test-results/screenshots/release-<kind>-NN-name.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SectionKey } from '../../src/domain/report/content.js';
import { makeAccount, openTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { smallForce } from '../support/fixtures.js';
import { firedReport, recordingOfficer, recordReport } from '../support/report-fixtures.js';
import { browserHarness, CHROMIUM, clickAndLoad, heading } from './support.js';

const ANALYST = 'analyst@test.police.uk';

describe.skipIf(!CHROMIUM)('browser journey: an analyst publishes a release and the public page shows it', () => {
  describe.each(testDatabases())('on %s', (kind) => {
    let t: TestApp;
    const browser = browserHarness(`release-${kind}-`);

    beforeAll(async () => {
      t = await openTestApp(kind);
      const f = await smallForce(t.svc);
      const pc = await recordingOfficer(t.svc, f.boroughs.lambeth.id);
      const uses: [string, string, Partial<Record<SectionKey, unknown>>][] = [
        ['2026-04-03', '22:10', {}],
        [
          '2026-04-19',
          '01:40',
          {
            tactics: { tactics: [{ tactic: 'ced_red_dotted', effective: true }], cedUsed: true, firearmsAimed: false, firearmsFired: false },
            ced: { deviceSerial: 'X1', applications: [{ levels: ['red_dotted'], fired: null }] },
            postUse: undefined,
          },
        ],
        ['2026-05-08', '17:25', { subject: { ageBand: '35-49', gender: 'female', ethnicity: 'white', physicalDisability: false, mentalDisability: true } }],
      ];
      for (const [date, time, over] of uses) {
        const base = firedReport(f.boroughs.lambeth.id, over);
        await recordReport(t.svc, pc, { ...base, incident: { ...(base.incident as object), date, time } }, new Date(`${date}T23:30:00Z`));
      }
      await makeAccount(t, ANALYST, [{ role: 'analyst', boroughId: null }]);
      await browser.start(t);
    });

    afterAll(async () => {
      await browser.stop();
      await t?.close();
    });

    it('goes from nothing published to release 1 on the public page', async () => {
      const visitor = await browser.openPage();
      await visitor.page.goto('/transparency');
      await visitor.page.getByText('No figures have been published yet').waitFor();
      await visitor.shot('public-before');

      const analyst = await browser.openPage();
      const { page, shot } = analyst;
      await page.goto('/sign-in');
      await page.getByLabel('Email address').fill(ANALYST);
      await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      await clickAndLoad(page, page.getByRole('button', { name: 'Sign in', exact: true }), new RegExp(`^${browser.baseUrl}/$`));
      await clickAndLoad(page, page.getByRole('link', { name: 'Monthly releases' }), /\/statistics\/releases$/);
      await heading(page, 'Monthly releases').waitFor();
      await page.getByLabel('Figures to the end of').fill('2026-05');
      await shot('analyst-prepare');
      await clickAndLoad(page, page.getByRole('button', { name: 'Prepare release' }), /\/statistics\/releases\/[^/]+\?notice=release-prepared$/);
      await heading(page, 'Taser use: April to May 2026').waitFor();
      expect(await page.locator('.govuk-caption-l').innerText()).toBe('Preview: not published');
      expect(await page.locator('.cedar-stat').first().innerText()).toBe('3');
      await shot('analyst-preview');
      await clickAndLoad(page, page.getByRole('button', { name: 'Publish release' }), /\/statistics\/releases\/[^/]+\/publish$/);
      await heading(page, 'Are you sure you want to publish release 1?').waitFor();
      await page.getByText('This cannot be undone.').waitFor();
      await shot('analyst-confirm');
      await clickAndLoad(page, page.getByRole('button', { name: 'Yes, publish release 1' }), /notice=release-published$/);
      await page.getByText('Release published.').waitFor();
      expect(await page.locator('.govuk-caption-l').innerText()).toMatch(/^Release 1, published /);
      await shot('analyst-published');

      await visitor.page.reload();
      const pub = visitor.page;
      await heading(pub, 'Taser use in Test Constabulary: April to May 2026').waitFor();
      expect(await pub.locator('.govuk-caption-l').innerText()).toMatch(/^Release 1, published /);
      expect(await pub.locator('.cedar-stat').nth(0).innerText()).toBe('3');
      expect(await pub.locator('.cedar-stat').nth(1).innerText()).toBe('2');
      const monthly = pub.getByRole('table', { name: 'Uses of Taser by month, April to May 2026' });
      expect(
        await monthly
          .getByRole('row', { name: /April 2026/ })
          .getByRole('cell')
          .first()
          .innerText(),
      ).toBe('2');
      expect(await pub.getByRole('img', { name: /Uses of Taser by month/ }).count()).toBe(1);
      expect(await pub.getByRole('link', { name: 'Uses of force (CSV, Met layout)' }).getAttribute('href')).toBe('/transparency/releases/1/uses.csv');
      await visitor.shot('public-after');

      await clickAndLoad(pub, pub.getByRole('link', { name: 'All releases' }).first(), /\/transparency\/releases$/);
      await pub.getByRole('link', { name: 'Release 1' }).waitFor();
      await visitor.shot('public-history');
      await clickAndLoad(pub, pub.getByRole('link', { name: 'Methodology and data dictionary' }), /\/transparency\/methodology$/);
      await heading(pub, 'Methodology and data dictionary').waitFor();
      await visitor.shot('public-methodology');
      expect(visitor.problems).toEqual([]);
      expect(analyst.problems).toEqual([]);
    });
  });
});
