import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CREWING_POLICY } from '../../src/domain/crewing/policy.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { updateCrewingPolicy } from '../../src/services/crewing-policy.js';
import { coverageProjection, savePlan } from '../../src/services/uplift.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';
import { authorise, importDailyShifts, rosterOfficers } from '../support/roster-fixtures.js';

/** A Monday: the roster's 4 weeks are 9 November to 6 December 2026; the position is taken on 1 December. */
const NOW = new Date('2026-12-07T12:00:00Z');

export const ROSTER_PLAN = {
  startsOn: '2026-09-01',
  deadline: '2027-08-31',
  baselineAuthorised: '2',
  targetAuthorised: '8',
  targetDevices: '8',
  boroughMinimum: '1',
  emergencyResponsePercent: '50',
  trainers: '1',
  trainersPerSession: '1',
  trainingDaysPerTrainerPerMonth: '4',
  initialSeatsPerSession: '2',
  refresherSeatsPerSession: '4',
  initialCourseDays: '3',
  refresherCourseDays: '1',
  initialPassRatePercent: '100',
  refresherPassRatePercent: '100',
  annualAttritionPercent: '0',
  plannedInitialSessionsPerMonth: '1',
};

/**
 * Lambeth: an authorised constable and a candidate on earlies (07:00–15:00), an authorised
 * sergeant (may deploy alone) and a candidate on lates (15:00–23:00), nobody on nights. Camden:
 * two candidates on days (07:00–19:00) and two on nights (19:00–07:00). The force-wide minimum is
 * one Taser-equipped crew.
 */
export async function rosterScenario(svc: TestServices): Promise<SmallForce> {
  const f = await smallForce(svc);
  const ids = await rosterOfficers(svc, f, [
    { collar: '1001LX', borough: 'lambeth' },
    { collar: '1002LX', borough: 'lambeth' },
    { collar: '1003LX', borough: 'lambeth', rank: 'Sergeant' },
    { collar: '1004LX', borough: 'lambeth' },
    { collar: '2001CN', borough: 'camden' },
    { collar: '2002CN', borough: 'camden' },
    { collar: '2003CN', borough: 'camden' },
    { collar: '2004CN', borough: 'camden' },
  ]);
  await authorise(svc, [ids['1001LX']!, ids['1003LX']!], '2026-06-01');
  await updateCrewingPolicy(svc, SYSTEM_ACTOR, { boroughId: null, revision: null, policy: { ...DEFAULT_CREWING_POLICY, minimumCrews: 1 } });
  await importDailyShifts(svc, '2026-11-01', '2026-12-06', [
    ['1001LX', 'Lambeth', '07:00', '15:00'],
    ['1002LX', 'Lambeth', '07:00', '15:00'],
    ['1003LX', 'Lambeth', '15:00', '23:00'],
    ['1004LX', 'Lambeth', '15:00', '23:00'],
    ['2001CN', 'Camden', '07:00', '19:00'],
    ['2002CN', 'Camden', '07:00', '19:00'],
    ['2003CN', 'Camden', '19:00', '07:00'],
    ['2004CN', 'Camden', '19:00', '07:00'],
  ]);
  return f;
}

describe.each(testDatabases())('the uplift coverage projection on %s', (kind) => {
  let svc: TestServices;
  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => NOW });
    await smallForce(svc);
  });
  afterAll(() => svc.cleanup());

  it('has nothing to project without a plan, or without shifts', async () => {
    expect(await coverageProjection(svc, { all: true }, NOW)).toEqual({ status: 'no-plan' });
    await savePlan(svc, SYSTEM_ACTOR, ROSTER_PLAN);
    expect(await coverageProjection(svc, { all: true }, NOW)).toEqual({ status: 'no-shifts' });
  });
});

describe.each(testDatabases())('the uplift coverage projection with a roster on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => NOW });
    f = await rosterScenario(svc);
    await savePlan(svc, SYSTEM_ACTOR, ROSTER_PLAN);
  });
  afterAll(() => svc.cleanup());

  it('projects, borough by borough, the hours of the week below the minimum and the month the gaps end', async () => {
    const r = await coverageProjection(svc, { all: true }, NOW);
    if (r.status !== 'ready') throw new Error(r.status);
    expect([r.from, r.to, r.latest, r.startsOn]).toEqual(['2026-11-09', '2026-12-06', false, '2026-12-01']);
    expect(r.months[0]!.month).toBe('2026-12');
    expect(r.months.at(-1)!.month).toBe('2027-08');
    // Boroughs by name.
    expect(r.boroughs.map((b) => b.name)).toEqual(['Camden', 'Lambeth']);
    const [camden, lambeth] = r.boroughs;
    // 28 days of 8 officers' shifts in the window (Camden's nights of 8 November reach into it).
    expect(lambeth!.shifts).toBe(4 * 28);
    expect(camden!.shifts).toBe(4 * 28 + 2);
    // Lambeth: earlies and lates each have a crew (a pair, then the sergeant alone); nights have
    // nobody on duty, whatever the training: 8 hours a day, never filled.
    expect(lambeth!.projection).toMatchObject({ minimum: 1, hoursBelowNow: 56, gapsEndIn: null, noGapsNow: false });
    expect(lambeth!.projection!.hoursNow.slice(0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 23]);
    expect(lambeth!.projection!.months.every((m) => m.hoursBelow === 56)).toBe(true);
    // Camden: no one authorised, so every hour is below; a pair has a carrier once half the six
    // candidates of the force are projected authorised (3 more than the 2 on 1 December).
    expect(camden!.projection!.hoursBelowNow).toBe(168);
    const firstEnough = r.months.findIndex((m) => m.authorisedAtEnd - 2 >= 3);
    expect(firstEnough).toBeGreaterThan(0);
    expect(camden!.projection!.gapsEndIn).toBe(r.months[firstEnough]!.month);
    expect(camden!.projection!.months.map((m) => m.hoursBelow)).toEqual(r.months.map((_, i) => (i < firstEnough ? 168 : 0)));
  });

  it('shows a borough commander only their borough', async () => {
    const r = await coverageProjection(svc, { all: false, boroughIds: [f.boroughs.camden.id] }, NOW);
    if (r.status !== 'ready') throw new Error(r.status);
    expect(r.boroughs.map((b) => b.name)).toEqual(['Camden']);
  });

  it("takes the 4 weeks up to the latest shift when none is in the last 4, and reads each borough's policy", async () => {
    await updateCrewingPolicy(svc, SYSTEM_ACTOR, { boroughId: f.boroughs.lambeth.id, revision: null, policy: { ...DEFAULT_CREWING_POLICY, minimumCrews: 2 } });
    const later = new Date('2027-02-10T12:00:00Z');
    const r = await coverageProjection(svc, { all: true }, later);
    if (r.status !== 'ready') throw new Error(r.status);
    expect([r.from, r.to, r.latest, r.startsOn]).toEqual(['2026-11-09', '2026-12-06', true, '2027-02-01']);
    expect(r.boroughs.find((b) => b.name === 'Lambeth')!.projection).toMatchObject({ minimum: 2, hoursBelowNow: 168 });
  });

  it('says when the plan has ended', async () => {
    expect(await coverageProjection(svc, { all: true }, new Date('2027-09-02T12:00:00Z'))).toMatchObject({ status: 'ended' });
  });
});
