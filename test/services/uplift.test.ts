import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import * as officersRepo from '../../src/db/repositories/officers.js';
import * as trainingRepo from '../../src/db/repositories/training.js';
import { officerInput } from '../../src/domain/organisation.js';
import { projectUplift } from '../../src/domain/training/planner.js';
import { DEFAULT_ASSUMPTIONS } from '../../src/domain/training/uplift.js';
import { ValidationError, WorkflowError } from '../../src/domain/errors.js';
import { parseInput } from '../../src/domain/validation.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { restrictAuthority, seedNationalCourseTypes } from '../../src/services/training.js';
import { getPlan, planUplift, progress, savePlan } from '../../src/services/uplift.js';
import { testDatabases, openTestServices, type TestServices } from '../support/databases.js';
import { recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';

const NOW = new Date('2026-11-28T12:00:00Z');

/** The plan form as a person fills it in (text). */
export const PLAN_FORM = {
  startsOn: '2026-09-01',
  deadline: '2028-08-31',
  baselineAuthorised: '3',
  targetAuthorised: '12',
  targetDevices: '6',
  boroughMinimum: '3',
  emergencyResponsePercent: '93',
  trainers: '1',
  trainersPerSession: '1',
  trainingDaysPerTrainerPerMonth: '3',
  initialSeatsPerSession: '2',
  refresherSeatsPerSession: '4',
  initialCourseDays: '3',
  refresherCourseDays: '1',
  initialPassRatePercent: '100',
  refresherPassRatePercent: '100',
  annualAttritionPercent: '0',
  plannedInitialSessionsPerMonth: '0',
};

describe.each(testDatabases())('uplift services on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
    const db = svc.database.db;
    const lx = f.boroughs.lambeth.id;
    const cn = f.boroughs.camden.id;
    // name, borough, team, status, joined, left
    const people: [string, string | null, string | null, 'active' | 'left', string, string | null][] = [
      ['veteran', lx, f.teams.lambethResponse.id, 'active', '2010-01-01', null], // authorised since 2024, refreshed Jan 2026: ends 14 Jan 2027
      ['recruit', lx, f.teams.lambethResponse.id, 'active', '2020-01-01', null], // initial 5 Nov 2026: ends 4 Nov 2027
      ['suspended', cn, f.teams.camdenResponse.id, 'active', '2015-01-01', null], // authorised, suspended since 20 Nov 2026
      ['untrained', cn, f.teams.camdenResponse.id, 'active', '2015-01-01', null], // a candidate
      ['lapsed', lx, f.teams.lambethResponse.id, 'active', '2015-01-01', null], // last pass 1 Oct 2025: lapsed, a candidate
      ['tsg', null, f.teams.tsg.id, 'active', '2012-01-01', null], // authorised, ends 14 May 2027
      ['leaver', null, f.teams.tsg.id, 'left', '2012-01-01', '2026-06-01'], // authorised until leaving
    ];
    await officersRepo.insertOfficers(
      db,
      f.force.id,
      people.map(([name, boroughId, teamId, status, joinedOn, leftOn], i) =>
        parseInput(officerInput, { collarNumber: `${100 + i}XX`, firstName: 'Test', lastName: name, rank: 'Police Constable', boroughId, teamId, status, joinedOn, leftOn }),
      ),
      svc.now().toISOString(),
    );
    const stored = await officersRepo.findOfficersByCollars(
      db,
      f.force.id,
      people.map((_, i) => `${100 + i}XX`),
    );
    people.forEach(([name], i) => (id[name] = stored.get(`${100 + i}XX`)!.id));
    await seedNationalCourseTypes(svc, SYSTEM_ACTOR);
    const course = new Map((await trainingRepo.listCourseTypes(db, f.force.id)).map((c) => [c.code, c.id]));
    const rec = (who: string, code: string, completedOn: string) => ({
      officerId: id[who]!,
      courseTypeId: course.get(code)!,
      completedOn,
      result: 'pass' as const,
      reason: null,
      sessionId: null,
      source: 'import' as const,
      sourceKey: null,
    });
    await trainingRepo.insertTrainingRecords(
      db,
      f.force.id,
      'test',
      [
        rec('veteran', 'initial-x26', '2024-03-01'),
        rec('veteran', 'refresher', '2025-02-10'),
        rec('veteran', 'conversion-x26-x2', '2025-06-01'),
        rec('veteran', 'refresher', '2026-01-15'),
        rec('recruit', 'initial-x2', '2026-11-05'),
        rec('suspended', 'initial-x2', '2026-03-01'),
        rec('lapsed', 'initial-x2', '2025-10-01'),
        rec('tsg', 'initial-x2', '2025-05-20'),
        rec('tsg', 'refresher', '2026-05-15'),
        rec('leaver', 'initial-x2', '2025-09-01'),
      ],
      svc.now().toISOString(),
    );
    await restrictAuthority(svc, SYSTEM_ACTOR, { all: true }, id.suspended!, 'suspension', { fromOn: '2026-11-20', reason: 'Under investigation' }, NOW);
  });
  afterAll(() => svc.cleanup());

  it('has no plan until one is saved', async () => {
    expect(await getPlan(svc)).toBeNull();
    expect(await planUplift(svc, NOW)).toBeNull();
    const p = await progress(svc, { all: true }, NOW);
    expect(p.plan).toBeNull();
    expect(p.progress).toMatchObject({ authorisedNow: 3, gap: null });
  });

  it('refuses a plan with bad fields, naming each, and stores nothing', async () => {
    const err = await savePlan(svc, SYSTEM_ACTOR, { ...PLAN_FORM, deadline: '2026-01-01', trainers: 'two', initialPassRatePercent: '120' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors).toEqual([
      { field: 'trainers', message: 'Enter the number of trainers as a number, like 12' },
      { field: 'initialPassRatePercent', message: 'The initial course pass rate must be between 0 and 100' },
    ]);
    // The cross-field check runs once every field reads.
    const late = await savePlan(svc, SYSTEM_ACTOR, { ...PLAN_FORM, deadline: '2026-01-01' }).catch((e: unknown) => e);
    expect((late as ValidationError).errors).toEqual([{ field: 'deadline', message: 'The deadline must be after the date the plan starts' }]);
    expect(await getPlan(svc)).toBeNull();
  });

  it('saves the plan, audited with before and after, and changes it', async () => {
    const actor = { ...SYSTEM_ACTOR, label: 'lead@test.police.uk' };
    const saved = await savePlan(svc, actor, PLAN_FORM);
    expect(saved).toMatchObject({
      startsOn: '2026-09-01',
      deadline: '2028-08-31',
      baselineAuthorised: 3,
      targetAuthorised: 12,
      targetDevices: 6,
      boroughMinimum: 3,
      emergencyResponsePercent: 93,
      updatedBy: 'lead@test.police.uk',
    });
    expect(saved.assumptions).toEqual({
      ...DEFAULT_ASSUMPTIONS,
      trainers: 1,
      trainersPerSession: 1,
      trainingDaysPerTrainerPerMonth: 3,
      initialSeatsPerSession: 2,
      refresherSeatsPerSession: 4,
      initialPassRatePercent: 100,
      refresherPassRatePercent: 100,
      annualAttritionPercent: 0,
      plannedInitialSessionsPerMonth: 0,
    });
    expect(await getPlan(svc)).toEqual(saved);

    await savePlan(svc, actor, { ...PLAN_FORM, targetAuthorised: '14', plannedInitialSessionsPerMonth: '1' });
    const { entries } = await listAudit(svc.database.db, { action: 'uplift.update' }, { offset: 0, limit: 10 });
    expect(entries).toHaveLength(2);
    const [second, first] = entries as [(typeof entries)[number], (typeof entries)[number]];
    expect(first).toMatchObject({ entityType: 'uplift_plan', entityId: f.force.id, actorLabel: 'lead@test.police.uk' });
    expect(JSON.parse(first.summary)).toMatchObject({ before: null, after: { targetAuthorised: 12, assumptions: { plannedInitialSessionsPerMonth: 0 } } });
    expect(JSON.parse(second.summary)).toMatchObject({
      before: { targetAuthorised: 12, assumptions: { plannedInitialSessionsPerMonth: 0 } },
      after: { targetAuthorised: 14, assumptions: { plannedInitialSessionsPerMonth: 1 } },
    });
    expect((await getPlan(svc))!.targetAuthorised).toBe(14);
    await savePlan(svc, actor, PLAN_FORM);
  });

  it('progress: authorised now against the plan, by borough, team type and month', async () => {
    const { plan: p, progress: pr } = await progress(svc, { all: true }, NOW);
    expect(p!.targetAuthorised).toBe(12);
    // veteran, recruit, tsg (suspended is not; lapsed is not; the leaver has gone).
    expect(pr).toMatchObject({ authorisedNow: 3, officersServing: 6, gap: 9, monthsLeft: 21 });
    expect(pr.boroughs.map((b) => [b.name, b.officers, b.authorised, b.shortfall])).toEqual([
      ['Camden', 2, 0, 3],
      ['Lambeth', 3, 2, 1],
      ['Force-wide units (no borough)', 1, 1, null],
    ]);
    expect(pr.teamTypes.find((t) => t.teamType === 'emergency_response')).toMatchObject({ officers: 5, authorised: 2, newlyAuthorised: 1 });
    // Newly authorised since 1 September 2026: the recruit (response).
    expect(pr.newlyAuthorised).toMatchObject({ total: 1, emergencyResponse: 1, percent: 100, targetPercent: 93 });
    const trend = Object.fromEntries(pr.trend.map((t) => [t.month, t.authorised]));
    // Nov 2025: veteran, suspended? no (trained Mar 2026), lapsed (Oct 2025), tsg, leaver = 4.
    expect(trend).toMatchObject({ '2025-11': 4, '2026-05': 5, '2026-06': 4, '2026-10': 3, '2026-11': 3 });
    expect(pr.trend.at(-1)).toMatchObject({ on: '2026-11-28', planned: 3 + Math.round((9 * 3) / 24) });
  });

  it('progress for a borough commander: their borough and the force headline', async () => {
    const { progress: pr } = await progress(svc, { all: false, boroughIds: [f.boroughs.lambeth.id] }, NOW);
    expect(pr.authorisedNow).toBe(3);
    expect(pr.boroughs.map((b) => b.name)).toEqual(['Lambeth']);
    expect(pr.teamTypes.find((t) => t.teamType === 'emergency_response')).toMatchObject({ officers: 3, authorised: 2 });
    expect(pr.teamTypes.find((t) => t.teamType === 'territorial_support')).toMatchObject({ officers: 0 });
  });

  it('the planner starts from the first of this month: authorised, when each one is due, and the candidates', async () => {
    const planning = (await planUplift(svc, NOW))!;
    expect(planning.startsOn).toBe('2026-11-01');
    // On 1 November: the veteran (due January 2027, k = 2), the suspended officer (suspended only
    // from 20 November; due February, k = 3) and the TSG officer (due May, k = 6). The recruit
    // (trained 5 November), the untrained and the lapsed officers could be trained.
    expect(planning.input).toEqual({
      startMonth: '2026-11',
      deadlineMonth: '2028-08',
      target: 12,
      startingAuthorised: 3,
      startingRefreshersDue: [0, 0, 1, 1, 0, 0, 1],
      candidates: 3,
      capacity: { trainers: 1, trainersPerSession: 1, trainingDaysPerTrainerPerMonth: 3, initialSeatsPerSession: 2, refresherSeatsPerSession: 4, initialCourseDays: 3, refresherCourseDays: 1 },
      passRates: { initial: 1, refresher: 1 },
      monthlyAttrition: 0,
    });
    expect(planning.projection).toEqual(projectUplift({ ...planning.input, initialSessionsPerMonth: 0 }));
    expect(planning.projection).toMatchObject({ authorisedAtDeadline: 3, meetsTarget: false, shortfall: 9 });
    // Only 3 candidates: one course of 2 a month at most, 3 + 2 + 1 = 6, 6 short; no number of courses reaches 12.
    expect(planning.proposal).toMatchObject({ feasible: false, initialSessionsPerMonth: 1, shortfall: 6, needed: null });
    expect(planning.maxSessionsPerMonth).toBe(1);
    expect(planning.changed).toEqual([]);
  });

  it('an officer authorised on the first of the month is due in month 11, never later', async () => {
    const planning = (await planUplift(svc, new Date('2026-03-01T12:00:00Z')))!;
    // On 1 March 2026: the TSG officer (trained May 2025: due May 2026, k = 2), the leaver (due
    // August, k = 5), the lapsed officer (trained October 2025: due September, k = 6), the veteran
    // (refreshed 15 January: due January 2027, k = 10) and the suspended officer (trained that day:
    // due February 2027, k = 11, the latest there is).
    expect(planning.input).toMatchObject({ startMonth: '2026-03', startingAuthorised: 5, startingRefreshersDue: [0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1], candidates: 2 });
  });

  it('tries other assumptions without saving them, and names a bad one', async () => {
    const planning = (await planUplift(svc, NOW, { trainers: '2', plannedInitialSessionsPerMonth: '1', initialPassRatePercent: '' }))!;
    expect(planning.changed).toEqual(['trainers', 'plannedInitialSessionsPerMonth']);
    expect(planning.input.capacity.trainers).toBe(2);
    expect(planning.projection.months[0]).toMatchObject({ initialSessions: 1, newlyAuthorised: 2 });
    expect((await getPlan(svc))!.assumptions.trainers).toBe(1);
    const err = await planUplift(svc, NOW, { trainers: '-1', refresherPassRatePercent: 'lots' }).catch((e: unknown) => e);
    expect((err as ValidationError).errors.map((e) => e.field)).toEqual(['trainers', 'refresherPassRatePercent']);
  });

  it('says when the deadline has passed', async () => {
    await expect(planUplift(svc, new Date('2028-09-02T12:00:00Z'))).rejects.toThrow(WorkflowError);
    await expect(planUplift(svc, new Date('2028-09-02T12:00:00Z'))).rejects.toThrow(/deadline \(2028-08-31\) has passed/);
  });

  it('progress is worked out again after any change it comes from: a pass, a lifted suspension, the plan', async () => {
    const before = (await progress(svc, { all: true }, NOW)).progress;
    expect(before.authorisedNow).toBe(3);
    await recordPasses(svc, [{ officerId: id.untrained!, course: 'initial-x2', on: '2026-11-25' }]);
    expect((await progress(svc, { all: true }, NOW)).progress.authorisedNow).toBe(4);
    // The borough commander's view was cached too, and is not kept past the change either.
    expect((await progress(svc, { all: false, boroughIds: [f.boroughs.camden.id] }, NOW)).progress.boroughs.map((b) => [b.name, b.authorised])).toEqual([['Camden', 1]]);
    const plan = (await getPlan(svc))!;
    await savePlan(svc, SYSTEM_ACTOR, { ...PLAN_FORM, targetAuthorised: String(plan.targetAuthorised + 1) });
    expect((await progress(svc, { all: true }, NOW)).progress.gap).toBe(plan.targetAuthorised + 1 - 4);
  });
});
