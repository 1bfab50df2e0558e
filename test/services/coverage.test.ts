import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTRAL_STORE } from '../../src/domain/devices/register.js';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { boroughCoverageWeek, coverageBetween, forceCoverageWeek, type CoverageRow } from '../../src/services/coverage.js';
import { updateCrewingPolicy } from '../../src/services/crewing-policy.js';
import { registerDevices } from '../../src/services/devices.js';
import { importDeviceIssues } from '../../src/services/import-devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { importShifts } from '../../src/services/shifts.js';
import { restrictAuthority } from '../../src/services/training.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';

const LEAD: Actor = { userId: null, label: 'lead@test.police.uk', grants: [{ role: 'programme_lead', boroughId: null }] };
const ALL = { all: true } as const;
const bytes = (text: string) => new TextEncoder().encode(text);

/*
 * Lambeth's officers (all Police Constables unless said):
 *   AX  authorised all year (initial course 2026-01-10);
 *   BX  authorised until the pass of 2025-10-15 lapses on 2026-10-15 (a lapse mid-month);
 *   CX  a Sergeant (may deploy alone), authorised, suspended from 2026-10-18;
 *   DX  never trained;
 *   TX  in the force-wide Territorial Support Group, on duty in Lambeth: never counted there.
 */
const SHIFTS = [
  // A night across midnight and the clocks going back: 22:00 BST to 06:00 GMT is 9 real hours.
  'AX,2026-10-24,22:00,06:00,Lambeth,,',
  'DX,2026-10-24,22:00,06:00,Lambeth,,',
  // A night across the clocks going forward: 22:00 GMT to 06:00 BST is 7 real hours.
  'AX,2026-03-28,22:00,06:00,Lambeth,,',
  // The lapse: the same early shift before and after it.
  'BX,2026-10-10,07:00,15:00,Lambeth,,',
  'BX,2026-10-20,07:00,15:00,Lambeth,,',
  // The suspension: the sergeant carries alone, before it and after it.
  'CX,2026-10-16,07:00,15:00,Lambeth,,',
  'CX,2026-10-19,07:00,15:00,Lambeth,,',
  // A force-wide unit on duty in Lambeth.
  'TX,2026-10-16,07:00,15:00,Lambeth,Territorial Support Group 1,',
  // Camden: one early.
  'DX,2026-10-12,07:00,15:00,Camden,,',
];

const ISSUES = [
  // AX signs out at 21:50 BST and brings the device back at 08:00 GMT, two hours after the shift ended.
  'COV-1,AX,2026-10-24T20:50:00Z,2026-10-25T08:00:00Z',
  'COV-1,AX,2026-03-28T21:50:00Z,2026-03-29T05:10:00Z',
  'COV-2,CX,2026-10-16T05:50:00Z,2026-10-16T14:10:00Z',
  'COV-2,CX,2026-10-19T05:50:00Z,2026-10-19T14:10:00Z',
  'COV-3,TX,2026-10-16T05:50:00Z,2026-10-16T14:10:00Z',
];

describe.each(testDatabases())('coverage on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => new Date('2026-11-01T12:00:00Z') });
    f = await smallForce(svc);
    const lambeth = f.boroughs.lambeth.id;
    const ids: Record<string, string> = {};
    for (const [collar, over] of [
      ['AX', {}],
      ['BX', {}],
      ['CX', { rank: 'Sergeant' }],
      ['DX', {}],
      ['TX', { teamId: f.teams.tsg.id, boroughId: null }],
    ] as const)
      ids[collar] = (await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: collar, boroughId: lambeth, ...over }))).id;
    await recordPasses(svc, [
      { officerId: ids.AX!, course: 'initial-x2', on: '2026-01-10' },
      { officerId: ids.BX!, course: 'initial-x2', on: '2025-10-15' },
      { officerId: ids.CX!, course: 'initial-x2', on: '2026-01-10' },
      { officerId: ids.TX!, course: 'initial-x2', on: '2026-01-10' },
    ]);
    await restrictAuthority(svc, SYSTEM_ACTOR, ALL, ids.CX!, 'suspension', { fromOn: '2026-10-18', reason: 'Under investigation' });
    const shifts = await importShifts(svc, SYSTEM_ACTOR, { fileName: 'shifts.csv', bytes: bytes(['collar_number,date,start,end,borough,team,call_sign', ...SHIFTS].join('\n') + '\n'), source: 'cli' });
    expect(shifts.rejected).toEqual([]);
    await registerDevices(
      svc,
      SYSTEM_ACTOR,
      ['COV-1', 'COV-2', 'COV-3'].map((serial) => ({ serial, model: 'X2', armoury: CENTRAL_STORE })),
    );
    const issues = await importDeviceIssues(svc, SYSTEM_ACTOR, { fileName: 'issues.csv', bytes: bytes(['device_serial,collar_number,issued_at,returned_at', ...ISSUES].join('\n') + '\n') });
    expect(issues.rejected).toEqual([]);
  });
  afterAll(() => svc.cleanup());

  const lambethDays = async (from: string, to: string) => (await coverageBetween(svc, ALL, { from, to, boroughIds: [f.boroughs.lambeth.id] })).rows;
  const at = (rows: CoverageRow[], hourStart: string) => {
    const r = rows.find((x) => x.hourStart === hourStart);
    if (!r) throw new Error(`No hour ${hourStart}`);
    return [r.onDuty, r.authorisedOnDuty, r.carriers, r.taserCrews, r.minimum];
  };

  it.each([
    // [hour start, on duty, authorised on duty, carriers, Taser crews, minimum]
    ['2026-10-24T21:00:00+01:00', 0, 0, 0, 0, 2], // before the night: AX already holds the device
    ['2026-10-24T22:00:00+01:00', 2, 1, 1, 1, 2], // start ≤ instant: on duty; AX carries, DX is the partner
    ['2026-10-25T00:00:00+01:00', 2, 1, 1, 1, 2], // across midnight
    ['2026-10-25T05:00:00+00:00', 2, 1, 1, 1, 2],
    ['2026-10-25T06:00:00+00:00', 0, 0, 0, 0, 2], // instant < end: off duty at 06:00
    ['2026-10-25T07:00:00+00:00', 0, 0, 0, 0, 2], // the device still held after the shift does not count
  ])('the night the clocks go back, at %s', async (hour, ...want) => {
    expect(at(await lambethDays('2026-10-24', '2026-10-25'), hour)).toEqual(want);
  });

  it('counts both 01:00s of the day the clocks go back, and 9 hours of the night across it', async () => {
    const rows = (await lambethDays('2026-10-25', '2026-10-25')).filter((r) => r.onDuty > 0);
    expect(rows.map((r) => r.hourStart)).toEqual([
      '2026-10-25T00:00:00+01:00',
      '2026-10-25T01:00:00+01:00',
      '2026-10-25T01:00:00+00:00',
      '2026-10-25T02:00:00+00:00',
      '2026-10-25T03:00:00+00:00',
      '2026-10-25T04:00:00+00:00',
      '2026-10-25T05:00:00+00:00',
    ]);
    expect(await lambethDays('2026-10-25', '2026-10-25')).toHaveLength(25);
  });

  it('has 23 hours on the day the clocks go forward, the night across it on from 22:00 GMT to 06:00 BST', async () => {
    const rows = await lambethDays('2026-03-28', '2026-03-29');
    expect(rows.filter((r) => r.londonDate === '2026-03-29')).toHaveLength(23);
    expect(rows.filter((r) => r.onDuty > 0).map((r) => r.hourStart)).toEqual([
      '2026-03-28T22:00:00+00:00',
      '2026-03-28T23:00:00+00:00',
      '2026-03-29T00:00:00+00:00',
      '2026-03-29T02:00:00+01:00',
      '2026-03-29T03:00:00+01:00',
      '2026-03-29T04:00:00+01:00',
      '2026-03-29T05:00:00+01:00',
    ]);
    // The device came back at 06:10 BST: held for the whole shift.
    expect(at(rows, '2026-03-29T05:00:00+01:00')).toEqual([1, 1, 1, 0, 2]);
  });

  it.each([
    ['2026-10-10T08:00:00+01:00', 1, 1, 0, 0, 2], // authorised before the lapse
    ['2026-10-20T08:00:00+01:00', 1, 0, 0, 0, 2], // the pass of 2025-10-15 lapsed on 2026-10-15
    ['2026-10-16T08:00:00+01:00', 1, 1, 1, 1, 2], // the sergeant carries alone: a crew; the TSG officer is not counted
    ['2026-10-19T08:00:00+01:00', 1, 0, 1, 1, 2], // suspended: no longer authorised (the device is still counted as carried)
  ])('authority on the hour’s London date, at %s', async (hour, ...want) => {
    expect(at(await lambethDays('2026-10-01', '2026-10-31'), hour)).toEqual(want);
  });

  it('takes the minimum from the borough’s policy, and reports every borough of the scope by name', async () => {
    await updateCrewingPolicy(svc, LEAD, {
      boroughId: f.boroughs.camden.id,
      revision: null,
      policy: { carriersPerCrew: 1, soloRanks: ['Sergeant'], minimumCrews: 3, briefingBeforeMinutes: 30, briefingAfterMinutes: 60 },
    });
    const r = await coverageBetween(svc, ALL, { from: '2026-10-12', to: '2026-10-12' });
    expect(r.boroughs.map((b) => b.name)).toEqual(['Camden', 'Lambeth']);
    expect(r.rows).toHaveLength(48);
    const camden = r.rows.find((x) => x.boroughId === f.boroughs.camden.id && x.hourStart === '2026-10-12T08:00:00+01:00')!;
    expect([camden.onDuty, camden.minimum]).toEqual([1, 3]);
    expect(r.rows.find((x) => x.boroughId === f.boroughs.lambeth.id)!.minimum).toBe(2);
  });

  it('shows a borough-scoped user only their borough, and refuses another', async () => {
    const scope = { all: false as const, boroughIds: [f.boroughs.lambeth.id] };
    expect((await coverageBetween(svc, scope, { from: '2026-10-12', to: '2026-10-12' })).boroughs.map((b) => b.name)).toEqual(['Lambeth']);
    await expect(coverageBetween(svc, scope, { from: '2026-10-12', to: '2026-10-12', boroughIds: [f.boroughs.camden.id] })).rejects.toThrow(NotFoundError);
  });

  it.each([
    ['2026-02-30', '2026-03-01', 'from'],
    ['2026-03-02', '2026-03-01', 'to'],
    ['2026-01-01', '2027-06-01', 'to'],
  ])('refuses the range %s to %s, naming the field', async (from, to, field) => {
    const e = await coverageBetween(svc, ALL, { from, to }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).errors[0]!.field).toBe(field);
  });

  it('sums up a week per borough for the force view, and a borough’s week as a grid with its trend', async () => {
    const force = await forceCoverageWeek(svc, ALL, '2026-10-19');
    const lambeth = force.boroughs.find((b) => b.borough.id === f.boroughs.lambeth.id)!;
    // 2026-10-19 to 25 has 169 real hours, every one below the minimum of 2; the worst is the first with none.
    expect(lambeth).toMatchObject({ hours: 169, hoursBelow: 169, worst: { hourStart: '2026-10-19T00:00:00+01:00', taserCrews: 0, minimum: 2 } });
    expect(force.anyShifts).toBe(true);
    const week = await boroughCoverageWeek(svc, ALL, f.boroughs.lambeth.id, '2026-10-19');
    expect(week.grid).toHaveLength(7);
    expect(week.grid.every((d) => d.length === 24)).toBe(true);
    expect(week.grid[0]![8]!.row).toMatchObject({ onDuty: 1, carriers: 1, taserCrews: 1 });
    expect(week.hoursBelow).toHaveLength(169);
    expect(week.trend.map((t) => t.month)).toEqual(['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    expect(week.trend.at(-1)).toEqual({ month: '2026-10', hours: 745, hoursBelow: 745 });
  });

  // Last: it changes the scenario. The week views are kept between requests; each change is seen at once.
  it('sees a change of policy, of the roster and of authority in the week views at once, even one written straight to the table', async () => {
    const lambethWeek = async () => (await forceCoverageWeek(svc, ALL, '2026-10-19')).boroughs.find((b) => b.borough.id === f.boroughs.lambeth.id)!;
    const authorisedHours = async () => (await boroughCoverageWeek(svc, ALL, f.boroughs.lambeth.id, '2026-10-19')).rows.reduce((n, r) => n + r.authorisedOnDuty, 0);
    expect((await lambethWeek()).hoursBelow).toBe(169);
    expect(await authorisedHours()).toBe(9); // AX's night of the 24th; CX is suspended on the 19th, BX lapsed on the 20th
    await updateCrewingPolicy(svc, LEAD, {
      boroughId: f.boroughs.lambeth.id,
      revision: null,
      policy: { carriersPerCrew: 1, soloRanks: ['Sergeant'], minimumCrews: 1, briefingBeforeMinutes: 30, briefingAfterMinutes: 60 },
    });
    // A minimum of one: CX's early of the 19th (8 hours, the device still counted) and AX's night (9 real hours) meet it.
    expect((await lambethWeek()).hoursBelow).toBe(169 - 17);
    await svc.database.db.deleteFrom('authority_restriction').execute();
    expect(await authorisedHours()).toBe(9 + 8);
    // The sergeant's shift of the 19th moves to Camden (a changed shift replaces the earlier one).
    await importShifts(svc, SYSTEM_ACTOR, { fileName: 'moved.csv', bytes: bytes('collar_number,date,start,end,borough,team,call_sign\nCX,2026-10-19,07:00,15:00,Camden,,\n'), source: 'cli' });
    expect((await lambethWeek()).hoursBelow).toBe(169 - 9);
    expect(await authorisedHours()).toBe(9);
  });
});
