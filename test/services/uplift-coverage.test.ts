import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CREWING_POLICY } from '../../src/domain/crewing/policy.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { updateCrewingPolicy } from '../../src/services/crewing-policy.js';
import { coverageProjection, savePlan } from '../../src/services/uplift.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';
import { ROSTER_PLAN, rosterScenario } from '../support/roster-fixtures.js';

/** A Monday: the roster's 4 weeks are 9 November to 6 December 2026; the position is taken on 1 December. */
const NOW = new Date('2026-12-07T12:00:00Z');

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
