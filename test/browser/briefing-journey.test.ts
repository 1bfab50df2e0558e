/**
 * The shift briefing in a real browser, once per test database (issue 14): a sergeant opens the
 * briefing page on their night shift, accepts the proposed crews with one change (a call sign),
 * saves them, and signs out each carrier's device at the armoury gate the page pre-fills; the
 * devices end up issued to the carriers and the page shows them signed out; the borough's coverage
 * page shows the shift's first hour go from no Taser-equipped crew to the minimum.
 *
 * Everything is done through the pages by label and role; axe checks each page (WCAG 2.2 AA).
 * Screenshots go to test-results/screenshots/briefing-<kind>-NN-name.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { importShifts } from '../../src/services/shifts.js';
import { makeAccount, openTestApp, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';
import type { Page } from 'playwright-core';
import { shortDay } from '../../src/http/coverage-view.js';
import { browserHarness, CHROMIUM, clickAndLoad, expectNoAxeViolations, heading } from './support.js';

const SERGEANT = 'sgt@test.police.uk';
const NOW = '2027-03-31T20:45:00Z'; // 21:45 in London: the 22:00 night shift's briefing is on

describe.skipIf(!CHROMIUM)('browser journey: the shift briefing', () => {
  describe.each(testDatabases())('on %s', (kind) => {
    let t: TestApp;
    let f: SmallForce;
    const ids: Record<string, string> = {};
    const browser = browserHarness(`briefing-${kind}-`);

    beforeAll(async () => {
      t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
      f = await smallForce(t.svc);
      for (const [collar, rank, lastName, passed] of [
        ['800LX', 'Sergeant', 'Stone', '2026-12-01'],
        ['501LX', 'Police Constable', 'Adams', '2026-10-01'],
        ['502LX', 'Police Constable', 'Bell', '2026-04-01'], // lapses on 1 April 2027, mid-shift
        ['503LX', 'Police Constable', 'Cole', null],
        ['504LX', 'Police Constable', 'Dunn', null],
      ] as const) {
        const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, rank, lastName, boroughId: f.boroughs.lambeth.id }));
        ids[collar] = o.id;
        if (passed) await recordPasses(t.svc, [{ officerId: o.id, course: 'initial-x2', on: passed }]);
      }
      const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
      await registerDevices(t.svc, SYSTEM_ACTOR, [
        { serial: 'X2L0001', model: 'X2', armoury: lambeth },
        { serial: 'X2L0002', model: 'X2', armoury: lambeth },
      ]);
      const rows = Object.keys(ids).map((collar) => `${collar},2027-03-31,22:00,07:00,Lambeth,Lambeth Emergency Response A,`);
      await importShifts(t.svc, SYSTEM_ACTOR, { fileName: 'shifts.csv', bytes: new TextEncoder().encode(['collar_number,date,start,end,borough,team,call_sign', ...rows].join('\n')), source: 'cli' });
      await makeAccount(t, SERGEANT, [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }], { officerId: ids['800LX'] });
      await browser.start(t);
    });

    afterAll(async () => {
      await browser.stop();
      await t?.close();
    });

    const signIn = (email: string) => browser.signIn(email);

    it('accepts the proposal with one change, saves it, and signs out the carriers’ devices at the pre-filled gate', async () => {
      const { page, shot, problems } = await signIn(SERGEANT);
      await clickAndLoad(page, page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Briefing', exact: true }), /\/briefing$/);
      await heading(page, 'Shift briefing').waitFor();
      await shot('periods');
      await expectNoAxeViolations(page);
      // Before: the night's first hour in Lambeth has no Taser-equipped crew against a minimum of 2.
      expect(await crewsAt(page, '2027-03-31', 22)).toBe('0 / 2');
      await clickAndLoad(page, page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Briefing', exact: true }), /\/briefing$/);
      await clickAndLoad(page, page.getByRole('button', { name: 'Open the briefing' }), /\/briefing\/[^/]+\/2027-03-31\/2200\?team=/);
      await heading(page, 'Briefing: Lambeth, Lambeth Emergency Response A').waitFor();
      await page.getByText('Proposed crews (not saved yet): 3 crews, 2 with a Taser', { exact: false }).waitFor();
      // Bell's authority lapses at midnight, before the shift ends: flagged on her row.
      expect(await page.getByRole('row').filter({ hasText: 'collar 502LX' }).innerText()).toContain('Lapses before the shift ends');
      expect(await page.getByLabel('Device for PS Asha Stone').inputValue()).toBe(await deviceId('X2L0001'));
      await shot('proposal');
      await expectNoAxeViolations(page);

      // The one change: crew 2's call sign, as the control room knows it.
      await page.getByLabel('Call sign for crew 2').fill('LX22');
      await clickAndLoad(page, page.getByRole('button', { name: 'Save crews' }), /saved=1$/);
      await page.getByText('Crews saved: 3 crews, 2 with a Taser').waitFor();
      expect(await page.getByLabel('Call sign for crew 2').inputValue()).toBe('LX22');
      await shot('saved');
      await expectNoAxeViolations(page);

      for (const [serial, collar, who] of [
        ['X2L0001', '800LX', 'PS 800LX Asha Stone'],
        ['X2L0002', '501LX', 'PC 501LX Asha Adams'],
      ] as const) {
        await clickAndLoad(page, page.getByRole('link', { name: `Sign out ${serial} to ${collar}` }), /\/armoury\/officer\?/);
        await heading(page, `Issue a device to ${who.split(' ').slice(0, 2).join(' ')}`).waitFor();
        expect(await page.getByLabel('Device serial number').inputValue()).toBe(serial);
        expect(await page.getByLabel('Shift ends at').inputValue()).toBe('07:00');
        await shot(`gate-${collar}`);
        await expectNoAxeViolations(page);
        await clickAndLoad(page, page.getByRole('button', { name: 'Issue device' }), /\/armoury\?store=.*&issued=/);
        await page.getByText(`Device ${serial} issued to ${who}`).waitFor();
        await page.goBack();
        await page.goBack();
      }
      await clickAndLoad(page, page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Briefing', exact: true }), /\/briefing$/);
      await clickAndLoad(page, page.getByRole('button', { name: 'Open the briefing' }), /\/briefing\/[^/]+\/2027-03-31\/2200\?team=/);
      expect(await page.locator('.govuk-tag', { hasText: 'Signed out' }).count()).toBe(2);
      expect(await page.getByRole('link', { name: /^Sign out X2L/ }).count()).toBe(0);
      await shot('signed-out');
      await expectNoAxeViolations(page);
      // After: the sergeant carrying alone is one crew, the constable carrying with a partner another.
      expect(await crewsAt(page, '2027-03-31', 22)).toBe('2 / 2');
      await shot('coverage');
      await expectNoAxeViolations(page);

      // The sign-out records coverage counts carriers from: each device out with its carrier until the shift's end.
      const issues = await t.svc.database.db
        .selectFrom('device_issue as i')
        .innerJoin('device as d', 'd.id', 'i.device_id')
        .innerJoin('officer as o', 'o.id', 'i.officer_id')
        .select(['d.serial', 'o.collar_number', 'i.shift_ends_at', 'i.returned_at'])
        .orderBy('d.serial')
        .execute();
      expect(issues).toEqual([
        { serial: 'X2L0001', collar_number: '800LX', shift_ends_at: '2027-04-01T06:00:00.000Z', returned_at: null },
        { serial: 'X2L0002', collar_number: '501LX', shift_ends_at: '2027-04-01T06:00:00.000Z', returned_at: null },
      ]);
      expect(problems).toEqual([]);
    });

    /** The heat map's table on the borough's coverage page: "crews / minimum" for a day and hour. */
    async function crewsAt(page: Page, day: string, hour: number): Promise<string> {
      await clickAndLoad(page, page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Coverage', exact: true }), /\/coverage$/);
      await clickAndLoad(page, page.getByRole('link', { name: 'Lambeth', exact: true }), /\/coverage\/boroughs\//);
      return page.evaluate(
        ([label, h]) => {
          const table = Array.from(document.querySelectorAll('table')).find((x) => x.caption?.textContent?.includes('by day and hour'));
          const row = Array.from(table?.querySelectorAll('tbody tr') ?? []).find((r) => (r as HTMLTableRowElement).cells[0]?.textContent?.trim() === label) as HTMLTableRowElement | undefined;
          return row?.cells[h + 1]?.textContent?.trim() ?? `no row for ${label}`;
        },
        [shortDay(day), hour] as const,
      );
    }

    const deviceId = async (serial: string) => (await t.svc.database.db.selectFrom('device').select('id').where('serial', '=', serial).executeTakeFirstOrThrow()).id;
  });
});
