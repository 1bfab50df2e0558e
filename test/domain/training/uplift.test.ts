import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/random.js';
import { nextDay } from '../../../src/domain/calendar.js';
import { authorisedIn, authorisedOn, authorityHistory, firstAuthorisedOn, type AuthorityHistory, type Restriction, type TrainingRecord } from '../../../src/domain/training/authority.js';
import { DEVICE_MODELS } from '../../../src/domain/training/courses.js';
import { projectUplift } from '../../../src/domain/training/planner.js';
import {
  DEFAULT_ASSUMPTIONS,
  assumptionOverridesInput,
  monthlyAttrition,
  plannedTrajectory,
  plannerCapacity,
  plannerRates,
  servingOn,
  splitPlanInput,
  trendMonths,
  upliftPlanInput,
  upliftProgress,
  type UpliftOfficer,
  type UpliftTargets,
} from '../../../src/domain/training/uplift.js';
import { fieldErrorsFromZod } from '../../../src/domain/validation.js';

const pass = (kind: TrainingRecord['kind'], completedOn: string, qualifiesFor: string[] = kind === 'refresher' ? [] : ['X26']): TrainingRecord => ({ kind, completedOn, qualifiesFor, result: 'pass' });
const fail = (kind: TrainingRecord['kind'], completedOn: string): TrainingRecord => ({ kind, completedOn, qualifiesFor: kind === 'refresher' ? [] : ['X2'], result: 'fail' });
const suspension = (from: string, to: string | null): Restriction => ({ kind: 'suspension', from, to, reason: 'test' });
const withdrawal = (from: string, to: string | null): Restriction => ({ kind: 'withdrawal', from, to, reason: 'test' });

describe('plannedTrajectory', () => {
  it.each<[string, Parameters<typeof plannedTrajectory>[0], { month: string; on: string; planned: number }[]]>([
    // n = 3 months (January to March), 30 to gain: 10 a month.
    [
      'three months, 10 a month',
      { startsOn: '2026-01-15', deadline: '2026-03-31', baselineAuthorised: 10, targetAuthorised: 40 },
      [
        { month: '2025-12', on: '2025-12-31', planned: 10 },
        { month: '2026-01', on: '2026-01-31', planned: 20 },
        { month: '2026-02', on: '2026-02-28', planned: 30 },
        { month: '2026-03', on: '2026-03-31', planned: 40 },
      ],
    ],
    // 10 over 3 months: round(3.33) = 3, round(6.67) = 7, 10.
    [
      'rounds each month to a whole officer',
      { startsOn: '2026-01-01', deadline: '2026-03-01', baselineAuthorised: 0, targetAuthorised: 10 },
      [
        { month: '2025-12', on: '2025-12-31', planned: 0 },
        { month: '2026-01', on: '2026-01-31', planned: 3 },
        { month: '2026-02', on: '2026-02-28', planned: 7 },
        { month: '2026-03', on: '2026-03-31', planned: 10 },
      ],
    ],
    [
      'a leap February',
      { startsOn: '2028-02-10', deadline: '2028-02-20', baselineAuthorised: 5, targetAuthorised: 6 },
      [
        { month: '2028-01', on: '2028-01-31', planned: 5 },
        { month: '2028-02', on: '2028-02-29', planned: 6 },
      ],
    ],
  ])('%s', (_name, plan, points) => {
    expect(plannedTrajectory(plan).map(({ month, on, planned }) => ({ month, on, planned }))).toEqual(points);
  });

  it('runs the Met uplift from 4,300 to 6,167 over 24 months, September 2026 to August 2028', () => {
    const t = plannedTrajectory({ startsOn: '2026-09-01', deadline: '2028-08-31', baselineAuthorised: 4300, targetAuthorised: 6167 });
    expect(t).toHaveLength(25);
    expect(t[0]).toEqual({ month: '2026-08', on: '2026-08-31', k: 0, planned: 4300 });
    // 1,867 / 24 = 77.79 a month: 4,378 after one month, 4,300 + round(933.5) = 5,234 after twelve.
    expect(t[1]).toEqual({ month: '2026-09', on: '2026-09-30', k: 1, planned: 4378 });
    expect(t[12]).toMatchObject({ month: '2027-08', planned: 5234 });
    expect(t[24]).toEqual({ month: '2028-08', on: '2028-08-31', k: 24, planned: 6167 });
    for (let k = 1; k < t.length; k++) expect(t[k]!.planned).toBeGreaterThanOrEqual(t[k - 1]!.planned);
  });
});

describe('trendMonths', () => {
  it.each<[string, string, string | null, string, string, number]>([
    ['a plan that started this autumn: a year of history', '2026-11-28', '2026-09-01', '2025-11', '2026-11', 13],
    ['a plan that started two years ago: from its start', '2026-11-28', '2024-11-15', '2024-11', '2026-11', 25],
    ['a plan that starts next year: a year of history', '2026-11-28', '2027-04-01', '2025-11', '2026-11', 13],
    ['no plan: a year of history', '2026-01-05', null, '2025-01', '2026-01', 13],
  ])('%s', (_name, today, startsOn, first, last, length) => {
    const months = trendMonths(today, startsOn);
    expect(months[0]).toBe(first);
    expect(months[months.length - 1]).toBe(last);
    expect(months).toHaveLength(length);
  });
});

describe('authorityHistory', () => {
  it.each<[string, TrainingRecord[], Restriction[], AuthorityHistory['intervals']]>([
    ['no training', [], [], []],
    ['a refresher alone qualifies for nothing', [pass('refresher', '2025-01-10')], [], []],
    ['an initial pass: 12 months', [pass('initial', '2025-05-10')], [], [{ from: '2025-05-10', to: '2026-05-10' }]],
    ['refreshed before the lapse: one unbroken interval', [pass('initial', '2025-05-10'), pass('refresher', '2026-04-01')], [], [{ from: '2025-05-10', to: '2027-04-01' }]],
    [
      'refreshed after the lapse: a gap',
      [pass('initial', '2025-05-10'), pass('refresher', '2026-06-01')],
      [],
      [
        { from: '2025-05-10', to: '2026-05-10' },
        { from: '2026-06-01', to: '2027-06-01' },
      ],
    ],
    [
      'a failed refresher stops authority until the next pass',
      [pass('initial', '2025-05-10'), fail('refresher', '2026-03-01'), pass('refresher', '2026-03-20')],
      [],
      [
        { from: '2025-05-10', to: '2026-03-01' },
        { from: '2026-03-20', to: '2027-03-20' },
      ],
    ],
    ['a failed initial course: never authorised', [fail('initial', '2025-05-10')], [], []],
    ['a conversion qualifies but does not restart the 12 months', [pass('initial', '2025-05-10'), pass('conversion', '2026-01-10', ['X2'])], [], [{ from: '2025-05-10', to: '2026-05-10' }]],
    ['29 February lapses on 1 March', [pass('initial', '2024-02-29')], [], [{ from: '2024-02-29', to: '2025-03-01' }]],
    [
      'a suspension that ended',
      [pass('initial', '2025-05-10')],
      [suspension('2025-07-01', '2025-08-01')],
      [
        { from: '2025-05-10', to: '2025-07-01' },
        { from: '2025-08-01', to: '2026-05-10' },
      ],
    ],
    ['a suspension still in force', [pass('initial', '2025-05-10')], [suspension('2025-07-01', null)], [{ from: '2025-05-10', to: '2025-07-01' }]],
    ['a withdrawal from before the course', [pass('initial', '2025-05-10')], [withdrawal('2025-01-01', '2025-06-01')], [{ from: '2025-06-01', to: '2026-05-10' }]],
    ['a restriction that never took effect', [pass('initial', '2025-05-10')], [suspension('2025-07-01', '2025-07-01')], [{ from: '2025-05-10', to: '2026-05-10' }]],
    // Same day, in the order given: a fail recorded after a pass stops authority that day.
    ['a pass then a fail on the same day', [pass('initial', '2025-05-10'), fail('refresher', '2025-06-01'), pass('refresher', '2025-06-01')], [], [{ from: '2025-05-10', to: '2026-06-01' }]],
    ['records in any order', [pass('refresher', '2026-04-01'), pass('initial', '2025-05-10')], [], [{ from: '2025-05-10', to: '2027-04-01' }]],
  ])('%s', (_name, records, restrictions, intervals) => {
    const h = authorityHistory(records, restrictions, DEVICE_MODELS);
    expect(h.intervals).toEqual(intervals);
    expect(firstAuthorisedOn(h)).toBe(intervals[0]?.from ?? null);
  });

  it('counts only the models asked about', () => {
    expect(authorityHistory([pass('initial', '2025-05-10', ['X26'])], [], ['X2']).intervals).toEqual([]);
  });

  /** A small random source, so the comparison below is the same on every run. */
  const random = (seed: number) => mulberry32(seed);

  it('agrees with authorisedOn on every day, for 300 random training histories', () => {
    const r = random(5);
    const dayAt = (n: number) => new Date(Date.UTC(2023, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
    const kinds: TrainingRecord['kind'][] = ['initial', 'refresher', 'refresher', 'conversion'];
    const models = [['X26'], ['X2'], ['TASER 7']];
    for (let officer = 0; officer < 300; officer++) {
      const records: TrainingRecord[] = Array.from({ length: Math.floor(r() * 7) }, () => {
        const kind = kinds[Math.floor(r() * kinds.length)]!;
        return {
          kind,
          completedOn: dayAt(Math.floor(r() * 1100)),
          qualifiesFor: kind === 'refresher' ? [] : models[Math.floor(r() * 3)]!,
          result: r() < 0.8 ? 'pass' : r() < 0.5 ? 'fail' : 'did_not_finish',
        };
      });
      const restrictions: Restriction[] = Array.from({ length: r() < 0.7 ? 0 : Math.ceil(r() * 2) }, () => {
        const from = Math.floor(r() * 1100);
        return { kind: r() < 0.5 ? 'suspension' : 'withdrawal', from: dayAt(from), to: r() < 0.3 ? null : dayAt(from + Math.floor(r() * 200)), reason: 'random' };
      });
      const h = authorityHistory(records, restrictions, DEVICE_MODELS);
      for (let day = dayAt(-5), i = 0; i < 1500; day = nextDay(day), i++) {
        if (authorisedIn(h, day) !== authorisedOn(day, records, restrictions, DEVICE_MODELS)) {
          throw new Error(`Officer ${officer} on ${day}: intervals say ${authorisedIn(h, day)}; records ${JSON.stringify(records)}; restrictions ${JSON.stringify(restrictions)}`);
        }
      }
    }
  });
});

describe('servingOn', () => {
  it.each<[string, Parameters<typeof servingOn>[0], string, boolean]>([
    ['joined that day', { joinedOn: '2026-01-05', leftOn: null, status: 'active' }, '2026-01-05', true],
    ['not yet joined', { joinedOn: '2026-01-05', leftOn: null, status: 'active' }, '2026-01-04', false],
    ['the day before leaving', { joinedOn: '2020-01-01', leftOn: '2026-03-01', status: 'left' }, '2026-02-28', true],
    ['the day they left', { joinedOn: '2020-01-01', leftOn: '2026-03-01', status: 'left' }, '2026-03-01', false],
    ['left, with no date', { joinedOn: '2020-01-01', leftOn: null, status: 'left' }, '2026-03-01', false],
  ])('%s', (_name, o, on, serving) => expect(servingOn(o, on)).toBe(serving));
});

describe('the plan input', () => {
  const good = {
    startsOn: '2026-09-01',
    deadline: '2028-08-31',
    baselineAuthorised: '4300',
    targetAuthorised: '6167',
    targetDevices: '2500',
    boroughMinimum: '80',
    emergencyResponsePercent: '93',
    trainers: '10',
    trainersPerSession: '2',
    trainingDaysPerTrainerPerMonth: '16',
    initialSeatsPerSession: '12',
    refresherSeatsPerSession: '16',
    initialCourseDays: '3',
    refresherCourseDays: '1',
    initialPassRatePercent: '85',
    refresherPassRatePercent: '97.5%',
    annualAttritionPercent: '5',
    plannedInitialSessionsPerMonth: '9',
  };
  const errors = (over: Record<string, unknown>) => {
    const r = upliftPlanInput.safeParse({ ...good, ...over });
    return r.success ? [] : fieldErrorsFromZod(r.error);
  };

  it('reads a form: numbers from text, a percent sign allowed', () => {
    const p = upliftPlanInput.parse(good);
    expect(p).toMatchObject({ baselineAuthorised: 4300, targetAuthorised: 6167, refresherPassRatePercent: 97.5, plannedInitialSessionsPerMonth: 9 });
    const { targets, assumptions } = splitPlanInput(p);
    expect(targets).toEqual({
      startsOn: '2026-09-01',
      deadline: '2028-08-31',
      baselineAuthorised: 4300,
      targetAuthorised: 6167,
      targetDevices: 2500,
      boroughMinimum: 80,
      emergencyResponsePercent: 93,
    });
    expect(Object.keys(assumptions).sort()).toEqual(Object.keys(DEFAULT_ASSUMPTIONS).sort());
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['a blank start date', { startsOn: '' }, 'startsOn', 'Enter the date the plan starts'],
    ['an impossible deadline', { deadline: '2028-02-30' }, 'deadline', 'The deadline must be a real date'],
    ['a deadline before the start', { deadline: '2026-08-01' }, 'deadline', 'The deadline must be after the date the plan starts'],
    ['a deadline 11 years away', { deadline: '2037-09-01' }, 'deadline', 'The deadline must be within 10 years of the date the plan starts'],
    ['a target below the baseline', { targetAuthorised: '4000' }, 'targetAuthorised', 'The target number of authorised officers must not be less than the number authorised when the plan starts'],
    ['a blank number of trainers', { trainers: '' }, 'trainers', 'Enter the number of trainers'],
    ['words for trainers', { trainers: 'ten' }, 'trainers', 'Enter the number of trainers as a number, like 12'],
    ['half a trainer', { trainers: '2.5' }, 'trainers', 'Enter the number of trainers as a whole number'],
    ['no trainers a course', { trainersPerSession: '0' }, 'trainersPerSession', 'The number of trainers a course needs must be 1 or more'],
    ['a pass rate over 100', { initialPassRatePercent: '101' }, 'initialPassRatePercent', 'The initial course pass rate must be between 0 and 100'],
    ['a pass rate to two places', { refresherPassRatePercent: '97.25' }, 'refresherPassRatePercent', 'Give the refresher pass rate to one decimal place at most, like 92.5'],
    ['a share over 100', { emergencyResponsePercent: '120' }, 'emergencyResponsePercent', 'The share of new officers from emergency response teams must be 100 or fewer'],
    ['negative attrition', { annualAttritionPercent: '-1' }, 'annualAttritionPercent', 'The yearly attrition must be between 0 and 100'],
  ])('names the field: %s', (_name, over, field, message) => {
    expect(errors(over)).toContainEqual({ field, message });
  });

  it('lists every blank field at once', () => {
    const r = upliftPlanInput.safeParse({});
    expect(r.success).toBe(false);
    expect(
      fieldErrorsFromZod(r.error!)
        .map((e) => e.field)
        .sort(),
    ).toEqual(Object.keys(good).sort());
  });

  it('overrides to try: blank means the plan’s value', () => {
    expect(assumptionOverridesInput.parse({ trainers: '', initialPassRatePercent: '90' })).toEqual({ initialPassRatePercent: 90 });
    expect(assumptionOverridesInput.safeParse({ trainers: '-3' }).success).toBe(false);
  });
});

describe('planner terms', () => {
  it.each<[number, number]>([
    [0, 0],
    [5, 0.004265318777560645],
    [100, 1],
  ])('%d%% a year is a monthly share of %f', (yearly, monthly) => {
    expect(monthlyAttrition(yearly)).toBeCloseTo(monthly, 12);
    expect(1 - Math.pow(1 - monthlyAttrition(yearly), 12)).toBeCloseTo(yearly / 100, 12);
  });

  it('gives the planner its capacity and rates', () => {
    expect(plannerCapacity(DEFAULT_ASSUMPTIONS)).toEqual({
      trainers: 10,
      trainersPerSession: 2,
      trainingDaysPerTrainerPerMonth: 16,
      initialSeatsPerSession: 12,
      refresherSeatsPerSession: 16,
      initialCourseDays: 3,
      refresherCourseDays: 1,
    });
    expect(plannerRates({ ...DEFAULT_ASSUMPTIONS, initialPassRatePercent: 85, refresherPassRatePercent: 97.5 }).passRates).toEqual({ initial: 0.85, refresher: 0.975 });
    // The default assumptions make a valid planner input.
    expect(() =>
      projectUplift({
        startMonth: '2026-09',
        deadlineMonth: '2028-08',
        target: 10,
        startingAuthorised: 0,
        startingRefreshersDue: [],
        candidates: null,
        capacity: plannerCapacity(DEFAULT_ASSUMPTIONS),
        ...plannerRates(DEFAULT_ASSUMPTIONS),
      }),
    ).not.toThrow();
  });
});

describe('upliftProgress', () => {
  // Today 28 November 2026; the plan from 1 September 2026 to 31 August 2028, 4 → 28 (24 months: +1 a month).
  const targets: UpliftTargets = { startsOn: '2026-09-01', deadline: '2028-08-31', baselineAuthorised: 4, targetAuthorised: 28, targetDevices: 20, boroughMinimum: 2, emergencyResponsePercent: 90 };
  const today = '2026-11-28';
  const h = (records: TrainingRecord[], restrictions: Restriction[] = []) => authorityHistory(records, restrictions, DEVICE_MODELS);
  const officer = (o: Partial<UpliftOfficer>): UpliftOfficer => ({
    boroughId: 'lx',
    teamType: 'emergency_response',
    joinedOn: '2015-01-01',
    leftOn: null,
    status: 'active',
    history: { intervals: [] },
    ...o,
  });
  const officers: UpliftOfficer[] = [
    // Lambeth: authorised for years (refreshed March 2026), in neighbourhood.
    officer({ teamType: 'neighbourhood', history: h([pass('initial', '2024-04-01'), pass('refresher', '2025-03-20'), pass('refresher', '2026-03-10')]) }),
    // Lambeth response: trained in October 2026 (new under the plan).
    officer({ history: h([pass('initial', '2026-10-15', ['X2'])]) }),
    // Lambeth response: lapsed on 1 October 2026 (last pass 1 October 2025).
    officer({ history: h([pass('initial', '2025-10-01')]) }),
    // Lambeth response: never trained.
    officer({}),
    // Camden response: trained in September 2026 (new), suspended since 20 November.
    officer({ boroughId: 'cn', history: h([pass('initial', '2026-09-20', ['X2'])], [suspension('2026-11-20', null)]) }),
    // Camden neighbourhood: trained in November 2026 (new, not response).
    officer({ boroughId: 'cn', teamType: 'neighbourhood', history: h([pass('initial', '2026-11-05', ['X2'])]) }),
    // Force-wide TSG: authorised since 2025.
    officer({ boroughId: null, teamType: 'territorial_support', history: h([pass('initial', '2025-06-01'), pass('refresher', '2026-05-15')]) }),
    // Left on 1 June 2026, authorised until then: counted in the trend before June only.
    officer({ boroughId: null, teamType: 'territorial_support', status: 'left', leftOn: '2026-06-01', history: h([pass('initial', '2025-06-01'), pass('refresher', '2026-05-15')]) }),
    // Joins in 2027: not serving yet.
    officer({ joinedOn: '2027-01-01' }),
  ];
  const boroughs = [
    { id: 'cn', name: 'Camden' },
    { id: 'lx', name: 'Lambeth' },
  ];
  const p = upliftProgress({ today, officers, boroughs, includeForceWide: true, teamTypeBoroughIds: null, targets });

  it('counts authorised now against the target, the plan and the deadline', () => {
    // Authorised today: the Lambeth neighbourhood officer, the new Lambeth response officer, the
    // Camden neighbourhood officer and the TSG officer = 4. (The Camden response officer is suspended.)
    expect(p).toMatchObject({ on: today, authorisedNow: 4, officersServing: 7, gap: 24, monthsLeft: 21, plannedThisMonth: 7, aheadOfPlan: -3 });
  });

  it('by borough, against the minimum, with force-wide units apart', () => {
    expect(p.boroughs).toEqual([
      { boroughId: 'cn', name: 'Camden', officers: 2, authorised: 1, minimum: 2, shortfall: 1 },
      { boroughId: 'lx', name: 'Lambeth', officers: 4, authorised: 2, minimum: 2, shortfall: 0 },
      { boroughId: null, name: 'Force-wide units (no borough)', officers: 1, authorised: 1, minimum: null, shortfall: null },
    ]);
  });

  it('by team type', () => {
    const byType = Object.fromEntries(p.teamTypes.map((t) => [t.teamType, [t.officers, t.authorised, t.newlyAuthorised]]));
    expect(byType).toMatchObject({ emergency_response: [4, 1, 2], neighbourhood: [2, 2, 1], territorial_support: [1, 1, 0], cid: [0, 0, 0] });
    expect(p.teamTypes.some((t) => t.teamType === null)).toBe(false);
  });

  it('the share of the newly authorised from emergency response, against the target', () => {
    // New since 1 September: Lambeth response (Oct), Camden response (Sep, now suspended: still newly trained), Camden neighbourhood (Nov).
    expect(p.newlyAuthorised).toEqual({ total: 3, emergencyResponse: 2, percent: 66.7, targetPercent: 90, since: '2026-09-01' });
  });

  it('the trend: month ends from a year back, today last, beside the plan', () => {
    expect(p.trend.map((t) => t.month)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    expect(p.trend.map((t) => t.on).slice(-3)).toEqual(['2026-09-30', '2026-10-31', '2026-11-28']);
    // Nov 2025: Lambeth neighbourhood (2024 chain), lapsing officer (from Oct 2025), both TSG = 4.
    // Jun 2026: the leaver has gone: 3. Sep: + Camden response (Sep 20) = 4. Oct: lapser gone (1 Oct), + Lambeth response (Oct 15) = 4.
    // Nov 28: Camden response suspended, + Camden neighbourhood = 4.
    expect(p.trend.map((t) => t.authorised)).toEqual([4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
    expect(p.trend.map((t) => t.planned)).toEqual([null, null, null, null, null, null, null, null, null, 4, 5, 6, 7]);
  });

  it('for a borough commander: their borough, team types in it, the force headline', () => {
    const scoped = upliftProgress({ today, officers, boroughs: [{ id: 'lx', name: 'Lambeth' }], includeForceWide: false, teamTypeBoroughIds: ['lx'], targets });
    expect(scoped.authorisedNow).toBe(4);
    expect(scoped.boroughs.map((b) => b.name)).toEqual(['Lambeth']);
    const byType = Object.fromEntries(scoped.teamTypes.map((t) => [t.teamType, [t.officers, t.authorised]]));
    expect(byType).toMatchObject({ emergency_response: [3, 1], neighbourhood: [1, 1], territorial_support: [0, 0] });
  });

  it('without a plan: counts, no targets, a year of trend', () => {
    const none = upliftProgress({ today, officers, boroughs, includeForceWide: true, teamTypeBoroughIds: null, targets: null });
    expect(none).toMatchObject({ authorisedNow: 4, gap: null, monthsLeft: null, plannedThisMonth: null, aheadOfPlan: null, trajectory: [] });
    expect(none.boroughs[0]).toMatchObject({ minimum: null, shortfall: null });
    expect(none.newlyAuthorised).toEqual({ total: 0, emergencyResponse: 0, percent: null, targetPercent: null, since: null });
    expect(none.trend).toHaveLength(13);
  });

  it('before the plan starts the plan stands at the baseline; after the deadline at the target', () => {
    const early = upliftProgress({ today: '2026-06-10', officers, boroughs, includeForceWide: true, teamTypeBoroughIds: null, targets });
    expect(early).toMatchObject({ plannedThisMonth: 4, monthsLeft: 26 });
    const late = upliftProgress({ today: '2028-10-01', officers, boroughs, includeForceWide: true, teamTypeBoroughIds: null, targets });
    expect(late).toMatchObject({ plannedThisMonth: 28, monthsLeft: -2 });
  });
});
