/**
 * The armoury counter in a real browser, once per test database (issue 12): the armourer issues
 * a device and two cartridges to an authorised officer; the gate refuses a lapsed officer and
 * says why; the device comes back with one cartridge expended, linked to the report the officer
 * wrote of the discharge, and the other back in store.
 *
 * Everything is done through the pages by label and role, as the armourer would; axe checks
 * each page on the way (WCAG 2.2 AA).
 * Screenshots go to test-results/screenshots/armoury-<kind>-NN-name.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { issueDevice, receiveCartridges, registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { makeAccount, openTestApp, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';
import { dischargeNaming, recordReport } from '../support/report-fixtures.js';
import { browserHarness, CHROMIUM, clickAndLoad, expectNoAxeViolations, heading } from './support.js';

const ARMOURER = 'armourer@test.police.uk';
const NOW = '2027-04-01T06:30:00Z'; // 07:30 in London

describe.skipIf(!CHROMIUM)('browser journey: the armoury counter', () => {
  describe.each(testDatabases())('on %s', (kind) => {
    let t: TestApp;
    let f: SmallForce;
    let reportId = '';
    const browser = browserHarness(`armoury-${kind}-`);

    beforeAll(async () => {
      t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
      f = await smallForce(t.svc);
      const officerIds: Record<string, string> = {};
      for (const [collar, firstName, lastName, passedOn] of [
        ['501LX', 'Asha', 'Patel', '2026-10-01'],
        ['502LX', 'Ben', 'Okafor', '2026-01-15'],
        ['504LX', 'Dev', 'Shah', '2026-12-01'],
      ] as const) {
        const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, firstName, lastName, boroughId: f.boroughs.lambeth.id }));
        officerIds[collar] = o.id;
        await recordPasses(t.svc, [{ officerId: o.id, course: 'initial-x2', on: passedOn }]);
      }
      const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
      await registerDevices(
        t.svc,
        SYSTEM_ACTOR,
        ['X2L0001', 'X2L0002', 'X2L0003', 'X2L0004', 'X2L0005'].map((serial) => ({ serial, model: 'X2', armoury: lambeth })),
      );
      await receiveCartridges(t.svc, SYSTEM_ACTOR, [
        { serial: 'CL0001', type: 'Smart 25 ft', lot: 'L1', expiresOn: '2028-01-31', armoury: lambeth },
        { serial: 'CL0002', type: 'Smart 25 ft', lot: 'L1', expiresOn: '2028-01-31', armoury: lambeth },
      ]);
      await makeAccount(t, ARMOURER, [{ role: 'armourer', boroughId: null }]);
      // A device out since last night, its shift over at 04:00 London: overdue.
      const now = t.svc.now;
      t.svc.now = fixedClock('2027-03-31T18:00:00Z'); // issued last evening (the clock set back for it)
      await issueDevice(t.svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'X2L0004', collarNumber: '504LX', cartridges: [], shiftEndsAt: '2027-04-01T03:00:00.000Z' });
      t.svc.now = now;
      // Asha Patel's report of the discharge this morning, naming the cartridge she will be issued.
      const pcAccount = await makeAccount(t, 'asha@test.police.uk', [{ role: 'officer', boroughId: null }], { officerId: officerIds['501LX'] });
      const pc: Actor = { userId: pcAccount.id, label: pcAccount.email, grants: pcAccount.roles };
      reportId = await recordReport(
        t.svc,
        pc,
        dischargeNaming(f.boroughs.lambeth.id, { deviceSerial: 'X2L0001', cartridge: 'CL0001', reference: 'CAD 0042/01APR', date: '2027-04-01', time: '05:10' }),
        new Date(NOW),
      );
      await browser.start(t);
    });

    afterAll(async () => {
      await browser.stop();
      await t?.close();
    });

    const signIn = (email: string) => browser.signIn(email);

    it('issues to an authorised officer, refuses a lapsed one naming why, and takes the device back with a cartridge linked to the report', async () => {
      const { page, shot, problems } = await signIn(ARMOURER);
      await page.getByRole('heading', { name: 'Devices overdue for return' }).waitFor();
      expect(await page.getByRole('row').filter({ hasText: 'X2L0004' }).innerText()).toMatch(/X2L0004\s+Overdue\s+PC 504LX Dev Shah/);
      await shot('home');
      await expectNoAxeViolations(page);
      await clickAndLoad(page, page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Armoury', exact: true }), /\/armoury$/);
      await heading(page, 'Central store').waitFor();
      await page.getByLabel('Store', { exact: true }).selectOption({ label: 'Lambeth armoury' });
      await clickAndLoad(page, page.getByRole('button', { name: 'Show this store' }), /\/armoury\?store=borough/);
      await heading(page, 'Lambeth armoury').waitFor();
      await page.getByRole('heading', { name: 'Overdue', exact: true }).waitFor();
      await shot('store');
      await expectNoAxeViolations(page);

      // 1. An authorised officer: found by collar number, then the device scanned -------------
      await page.getByLabel('Officer’s collar number').fill('501lx');
      await clickAndLoad(page, page.getByRole('button', { name: 'Find officer' }), /\/armoury\/officer\?/);
      await heading(page, 'Issue a device to PC 501LX').waitFor();
      await page.getByText('Authorised to carry the X2', { exact: true }).waitFor();
      expect(await page.getByLabel('Device serial number').evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.type('X2L0001');
      await page.getByLabel('Cartridge serial numbers').fill('CL0001\nCL0002');
      await page.getByLabel('Shift ends at').fill('19:00');
      await shot('issue-form');
      await expectNoAxeViolations(page);
      await clickAndLoad(page, page.getByRole('button', { name: 'Issue device' }), /\/armoury\?store=.*&issued=/);
      await page.getByText('Device X2L0001 issued to PC 501LX Asha Patel').waitFor();
      const row = page.getByRole('row').filter({ hasText: 'X2L0001' });
      expect(await row.innerText()).toContain('CL0001, CL0002');
      await shot('issued');
      await expectNoAxeViolations(page);

      // 2. A lapsed officer: refused, with the reason -----------------------------------------
      await page.getByLabel('Officer’s collar number').fill('502LX');
      await clickAndLoad(page, page.getByRole('button', { name: 'Find officer' }), /\/armoury\/officer\?/);
      await page.getByText('Not authorised to carry Taser', { exact: true }).waitFor();
      await page.getByLabel('Device serial number').fill('X2L0002');
      await page.getByLabel('Shift ends at').fill('19:00');
      await clickAndLoad(page, page.getByRole('button', { name: 'Issue device' }), /\/armoury\/issue$/);
      const summary = page.locator('.govuk-error-summary');
      await summary.waitFor();
      expect(await summary.innerText()).toMatch(/Officer 502LX has no current authority on the X2: Lapsed on/);
      expect(await page.getByRole('checkbox').count()).toBe(0);
      await shot('refused');
      await expectNoAxeViolations(page);
      expect(await t.svc.database.db.selectFrom('device').select('state').where('serial', '=', 'X2L0002').executeTakeFirstOrThrow()).toEqual({ state: 'in_store' });

      // 3. The return: one cartridge expended in the discharge she reported, one back ---------
      await clickAndLoad(page, page.getByRole('link', { name: 'Cancel' }), /\/armoury\?store=/);
      await clickAndLoad(page, page.getByRole('link', { name: 'Return device X2L0001' }), /\/armoury\/issues\/[^/]+\/return$/);
      await heading(page, 'Return device X2L0001').waitFor();
      const first = page.getByRole('group', { name: 'Cartridge CL0001 (Smart 25 ft)' });
      await first.getByLabel('Expended', { exact: true }).check();
      const report = first.getByLabel('Report it was used in');
      await report.waitFor(); // revealed by choosing "Expended"
      expect(await report.inputValue()).toBe(reportId); // the report naming CL0001, chosen for it
      await page.getByRole('group', { name: 'Cartridge CL0002 (Smart 25 ft)' }).getByLabel('Back in store', { exact: true }).check();
      await shot('return');
      await expectNoAxeViolations(page);
      await clickAndLoad(page, page.getByRole('button', { name: 'Take the device back' }), /\/armoury\?store=.*&returned=/);
      await page.getByText('Device X2L0001 returned by PC 501LX Asha Patel').waitFor();
      await shot('returned');
      await expectNoAxeViolations(page);

      const cartridges = await t.svc.database.db.selectFrom('cartridge').select(['serial', 'state', 'report_id']).where('serial', 'in', ['CL0001', 'CL0002']).orderBy('serial').execute();
      expect(cartridges).toEqual([
        { serial: 'CL0001', state: 'expended', report_id: reportId },
        { serial: 'CL0002', state: 'in_store', report_id: null },
      ]);
      // The refusal page answers 409, which Chromium reports on the console; nothing else may be.
      expect(problems.filter((x) => !/status of 409/.test(x))).toEqual([]);
    });
  });
});
