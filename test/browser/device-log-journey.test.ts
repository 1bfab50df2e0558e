/**
 * Device logs in a real browser, once per test database (issue 13): the armourer uploads a
 * device's log on the log downloads page, runs the reconciliation for the day, opens the
 * discharge no report accounts for, reads its timeline, and resolves it with an outcome and a
 * reason, which the exception then shows.
 *
 * Everything is done through the pages by label and role, as the armourer would; axe checks
 * each page on the way (WCAG 2.2 AA).
 * Screenshots go to test-results/screenshots/device-log-<kind>-NN-name.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOfficerByCollar } from '../../src/db/repositories/officers.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { issueDevice, registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { makeAccount, openTestApp, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce } from '../support/fixtures.js';
import { browserHarness, CHROMIUM, clickAndLoad, expectNoAxeViolations, heading } from './support.js';

const ARMOURER = 'armourer@test.police.uk';
const NOW = '2026-11-22T10:00:00Z';

/** The log as a dock writes it: synced at 17:00, a spark test after the 18:00 issue, a discharge at 20:00, synced again the next morning. */
const LOG = [
  'device_serial,sequence,device_time,event,duration_s,bay,cartridge_serial,battery_pct,temperature_c,true_time',
  'XJRN0001,1,2026-11-20 17:00:04,time_sync,,,,96,18,2026-11-20T17:00:00Z',
  'XJRN0001,2,2026-11-20 18:03:00,arc,1.0,,,95,17,',
  'XJRN0001,3,2026-11-20 19:59:30,armed,,,,94,9,',
  'XJRN0001,4,2026-11-20 20:00:00,trigger,5.0,1,CJ0001,94,9,',
  'XJRN0001,5,2026-11-20 20:01:00,safe,90,,,94,9,',
  'XJRN0001,6,2026-11-21 09:00:09,time_sync,,,,93,18,2026-11-21T09:00:00Z',
].join('\n');

describe.skipIf(!CHROMIUM)('browser journey: a device log uploaded and reconciled', () => {
  describe.each(testDatabases())('on %s', (kind) => {
    let t: TestApp;
    const browser = browserHarness(`device-log-${kind}-`);

    beforeAll(async () => {
      t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
      const f = await smallForce(t.svc);
      await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '801LX', firstName: 'Cara', lastName: 'Ndiaye', boroughId: f.boroughs.lambeth.id }));
      const officer = (await findOfficerByCollar(t.svc.database.db, f.force.id, '801LX'))!;
      await recordPasses(t.svc, [{ officerId: officer.id, course: 'initial-x2', on: '2026-10-01' }]);
      await registerDevices(t.svc, SYSTEM_ACTOR, [{ serial: 'XJRN0001', model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null }, inServiceOn: '2026-01-01' }]);
      // Issued at 18:00 on the 20th (the clock set back for it), for a 10-hour shift.
      const now = t.svc.now;
      t.svc.now = fixedClock('2026-11-20T18:00:00Z');
      await issueDevice(t.svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'XJRN0001', collarNumber: '801LX', cartridges: [] });
      t.svc.now = now;
      await makeAccount(t, ARMOURER, [{ role: 'armourer', boroughId: null }]);
      await browser.start(t);
    });

    afterAll(async () => {
      await browser.stop();
      await t?.close();
    });

    const signIn = (email: string) => browser.signIn(email);

    it('uploads the log, finds the unreported discharge, and resolves it with a reason', async () => {
      const { page, shot, problems } = await signIn(ARMOURER);

      // 1. The upload ---------------------------------------------------------------------------
      await page.goto('/devices/logs');
      await heading(page, /Device log/).waitFor();
      await shot('logs');
      await expectNoAxeViolations(page);
      await page.getByLabel('Device log (CSV)').setInputFiles({ name: 'XJRN0001-dock.csv', mimeType: 'text/csv', buffer: Buffer.from(LOG) });
      await clickAndLoad(page, page.getByRole('button', { name: 'Upload and import' }), /\/devices\/logs$/);
      await page.getByText('XJRN0001-dock.csv imported').waitFor();
      expect(await page.locator('.govuk-notification-banner--success').innerText()).toContain('6 rows read: 6 added, 0 already held, from 1 device.');
      await shot('uploaded');
      await expectNoAxeViolations(page);

      // 2. The reconciliation for the day --------------------------------------------------------
      await clickAndLoad(page, page.getByRole('link', { name: 'Log reconciliation' }), /\/devices\/reconciliation$/);
      await page.getByLabel('First day').fill('2026-11-20');
      await page.getByLabel('Last day').fill('2026-11-20');
      await clickAndLoad(page, page.getByRole('button', { name: 'Run reconciliation' }), /\/devices\/reconciliation\?notice=ran/);
      const found = page.getByRole('link', { name: /Discharge without a report on device XJRN0001/ });
      await found.waitFor();
      await shot('exceptions');
      await expectNoAxeViolations(page);

      // 3. Its timeline, and the resolution ------------------------------------------------------
      await clickAndLoad(page, found, /\/devices\/reconciliation\/[0-9a-f-]{36}$/);
      const body = await page.locator('main').innerText();
      expect(body).toContain('801LX');
      expect(body).toMatch(/20:00/);
      await shot('timeline');
      await expectNoAxeViolations(page);
      // Without a reason: refused, and the summary says what is missing.
      await page.getByLabel('Accidental discharge, now recorded').check();
      await clickAndLoad(page, page.getByRole('button', { name: 'Resolve the exception' }), /\/resolve$/);
      await page.locator('.govuk-error-summary').waitFor();
      await expectNoAxeViolations(page);
      await page.getByLabel('Accidental discharge, now recorded').check();
      await page.getByLabel('Reason', { exact: true }).fill('Accidental discharge in the armoury, recorded');
      await shot('resolve');
      await clickAndLoad(page, page.getByRole('button', { name: 'Resolve the exception' }), /\/devices\/reconciliation\/[0-9a-f-]{36}/);
      await page.getByText('Accidental discharge in the armoury, recorded').first().waitFor();
      expect(await page.locator('main').innerText()).toMatch(/Resolved/);
      await shot('resolved');
      await expectNoAxeViolations(page);

      const stored = await t.svc.database.db.selectFrom('reconciliation_exception').select(['state', 'outcome', 'resolution_reason']).executeTakeFirstOrThrow();
      expect(stored).toEqual({ state: 'resolved', outcome: 'accidental_discharge_recorded', resolution_reason: 'Accidental discharge in the armoury, recorded' });
      // The refused resolution answered 400, as a form with errors does; nothing else went wrong.
      expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
    });
  });
});
