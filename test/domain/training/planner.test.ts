import { describe, expect, it } from 'vitest';
import {
  evenRefreshersDue,
  maxInitialSessionsPerMonth,
  projectUplift,
  proposeSchedule,
  type PlannerCapacity,
  type PlannerInput,
  type PlannerMonth,
  type Projection,
} from '../../../src/domain/training/planner.js';

/**
 * Small hand-checkable capacity: 1 trainer a session, 3 training days a trainer a month, a 3-day
 * initial course of 10 seats and a 1-day refresher of 10 seats. So each trainer gives 3 trainer
 * days a month: one initial session, or three refresher sessions.
 */
const cap = (trainers: number, o: Partial<PlannerCapacity> = {}): PlannerCapacity => ({
  trainers,
  trainersPerSession: 1,
  trainingDaysPerTrainerPerMonth: 3,
  initialSeatsPerSession: 10,
  refresherSeatsPerSession: 10,
  initialCourseDays: 3,
  refresherCourseDays: 1,
  ...o,
});

/** January to March 2026, 10 authorised (none due in the period), target 40, pass rates 1, no attrition, one trainer. */
const input = (o: Partial<PlannerInput> = {}): PlannerInput => ({
  startMonth: '2026-01',
  deadlineMonth: '2026-03',
  target: 40,
  startingAuthorised: 10,
  startingRefreshersDue: [],
  candidates: null,
  passRates: { initial: 1, refresher: 1 },
  monthlyAttrition: 0,
  capacity: cap(1),
  ...o,
});

type Columns = Partial<Record<keyof PlannerMonth, (number | string | null)[]>>;
type Summary = Partial<Pick<Projection, 'authorisedAtDeadline' | 'meetsTarget' | 'shortfall' | 'targetMetIn' | 'totalSessions'>>;

/** The month-by-month arithmetic every projection must keep. */
function expectConsistent(p: Projection, start: number): void {
  let authorised = start;
  for (const m of p.months) {
    expect(m.refreshed + m.lapsed).toBe(m.refreshersDue);
    expect(m.trainerDaysUsed).toBeLessThanOrEqual(m.trainerDaysAvailable);
    authorised = authorised - m.lapsed - m.leavers + m.newlyAuthorised;
    expect(m.authorisedAtEnd).toBe(authorised);
    expect(m.authorisedAtEnd).toBeGreaterThanOrEqual(0);
  }
  expect(p.authorisedAtDeadline).toBe(authorised);
  expect(p.totalSessions).toBe(p.months.reduce((n, m) => n + m.refresherSessions + m.initialSessions, 0));
}

describe('projectUplift', () => {
  it.each<[string, PlannerInput, Columns, Summary]>([
    // 10 + 10 + 10 + 10: one initial session of 10 fits each month (3 trainer days).
    [
      'worked example: 10 authorised, one 10-seat session a month, 3 months → 40',
      input(),
      { authorisedAtEnd: [20, 30, 40], initialSessions: [1, 1, 1], initialSeats: [10, 10, 10], trainerDaysUsed: [3, 3, 3] },
      { authorisedAtDeadline: 40, meetsTarget: true, shortfall: 0, targetMetIn: '2026-03', totalSessions: 3 },
    ],
    [
      'no capacity: target missed by exactly 30',
      input({ capacity: cap(0) }),
      { authorisedAtEnd: [10, 10, 10], initialSessions: [0, 0, 0], trainerDaysAvailable: [0, 0, 0] },
      { authorisedAtDeadline: 10, meetsTarget: false, shortfall: 30, targetMetIn: null, totalSessions: 0 },
    ],
    // 4 lapse in January, 2 in March, nobody to refresh them: 10 − 4 − 2 = 4, 36 short.
    [
      'no capacity: every due refresher lapses',
      input({ capacity: cap(0), startingRefreshersDue: [4, 0, 2] }),
      { refreshersDue: [4, 0, 2], lapsed: [4, 0, 2], authorisedAtEnd: [6, 6, 4] },
      { shortfall: 36 },
    ],
    // 2 trainers = 6 days: 2 initial sessions a month, +20 each month.
    [
      'without refreshers due, two initial sessions fit',
      input({ capacity: cap(2), startingAuthorised: 20, target: 80 }),
      { initialSessions: [2, 2, 2], authorisedAtEnd: [40, 60, 80] },
      { meetsTarget: true },
    ],
    // Same, but 20 due in January: 2 refresher sessions (2 days) leave 4 days, room for 1 initial.
    [
      'refresher load eats capacity: initial sessions drop',
      input({ capacity: cap(2), startingAuthorised: 20, target: 80, startingRefreshersDue: [20] }),
      { refresherSessions: [2, 0, 0], refreshed: [20, 0, 0], initialSessions: [1, 2, 2], authorisedAtEnd: [30, 50, 70], trainerDaysUsed: [5, 6, 6] },
      { shortfall: 10, targetMetIn: null },
    ],
    // 50 due, 3 days fit 3 refresher sessions = 30 seats: 30 refreshed, 20 lapse, no day left for initial.
    [
      'lapses when refresher capacity is short',
      input({ deadlineMonth: '2026-01', startingAuthorised: 50, target: 50, startingRefreshersDue: [50] }),
      { refreshersDue: [50], refresherSessions: [3], refresherSeats: [30], refreshed: [30], lapsed: [20], initialSessions: [0], authorisedAtEnd: [30], trainerDaysUsed: [3] },
      { shortfall: 20 },
    ],
    // January: 10 due, 1 refresher (1 day): floor(10 × 0.9) = 9 refreshed, 1 lapses; 5 days left → 1 initial,
    // floor(10 × 0.75) = 7 pass: 10 − 1 + 7 = 16. February: 2 initial, floor(20 × 0.75) = 15: 31.
    [
      'pass rates below 1',
      input({ deadlineMonth: '2026-02', capacity: cap(2), startingRefreshersDue: [10], target: 30, passRates: { initial: 0.75, refresher: 0.9 } }),
      { refreshed: [9, 0], lapsed: [1, 0], initialSessions: [1, 2], newlyAuthorised: [7, 15], authorisedAtEnd: [16, 31] },
      { meetsTarget: true, targetMetIn: '2026-02' },
    ],
    // 100 due, 10 refresher sessions in 12 days; 100 × 0.29 counts as 29 (not 28 from binary floating point).
    [
      'pass counts are not lost to floating point',
      input({ deadlineMonth: '2026-01', capacity: cap(4), startingAuthorised: 100, startingRefreshersDue: [100], target: 29, passRates: { initial: 1, refresher: 0.29 } }),
      { refresherSessions: [10], refreshed: [29], lapsed: [71], initialSessions: [0], authorisedAtEnd: [29] },
      { meetsTarget: true },
    ],
    // round(100 × 0.1) = 10, round(90 × 0.1) = 9.
    [
      'attrition',
      input({ deadlineMonth: '2026-02', capacity: cap(0), startingAuthorised: 100, target: 100, monthlyAttrition: 0.1 }),
      { leavers: [10, 9], authorisedAtEnd: [90, 81] },
      { shortfall: 19 },
    ],
    // 25 × 0.1 = 2.5 rounds up to 3.
    [
      'leavers round halves up',
      input({ deadlineMonth: '2026-01', capacity: cap(0), startingAuthorised: 25, target: 0, monthlyAttrition: 0.1 }),
      { leavers: [3], authorisedAtEnd: [22] },
      { meetsTarget: true, targetMetIn: '2026-01' },
    ],
    // January: 10 leavers out of dues of 60 (Feb) and 40 (Mar): 6 and 4, leaving 54 and 36.
    // February: 54 refreshed (due again Feb 2027); 9 leavers out of 36 (Mar) and 54 (Feb 2027):
    // 9 × 36 / 90 = 3.6 and 9 × 54 / 90 = 5.4 → 3 and 5, the spare one to the larger remainder (March): 4 and 5.
    // March: 36 − 4 = 32 due; round(81 × 0.1) = 8 leave.
    [
      'leavers come out of future dues in proportion',
      input({ capacity: cap(2), candidates: 0, startingAuthorised: 100, startingRefreshersDue: [0, 60, 40], target: 0, monthlyAttrition: 0.1 }),
      { refreshersDue: [0, 54, 32], refreshed: [0, 54, 32], lapsed: [0, 0, 0], leavers: [10, 9, 8], authorisedAtEnd: [90, 81, 73] },
      {},
    ],
    // 25 candidates: 2 sessions (20) in January, then 1 session for the last 5, then none.
    [
      'candidate pool exhausted',
      input({ capacity: cap(2), startingAuthorised: 0, candidates: 25, target: 25 }),
      { initialSessions: [2, 1, 0], initialSeats: [20, 10, 0], initialSeatsFilled: [20, 5, 0], newlyAuthorised: [20, 5, 0], candidatesLeft: [5, 0, 0], authorisedAtEnd: [20, 25, 25] },
      { meetsTarget: true, targetMetIn: '2026-02', totalSessions: 3 },
    ],
    ['unlimited candidates are shown as null', input(), { candidatesLeft: [null, null, null] }, {}],
    [
      'a plan below capacity is held as planned',
      input({ capacity: cap(2), initialSessionsPerMonth: 1 }),
      { initialSessions: [1, 1, 1], authorisedAtEnd: [20, 30, 40], trainerDaysUsed: [3, 3, 3], trainerDaysAvailable: [6, 6, 6] },
      { meetsTarget: true },
    ],
    ['a plan above capacity is held only as far as it fits', input({ initialSessionsPerMonth: 5 }), { initialSessions: [1, 1, 1], authorisedAtEnd: [20, 30, 40] }, {}],
    ['a plan of no sessions', input({ initialSessionsPerMonth: 0 }), { initialSessions: [0, 0, 0], authorisedAtEnd: [10, 10, 10] }, { shortfall: 30 }],
  ])('%s', (_name, plannerInput, columns, summary) => {
    const p = projectUplift(plannerInput);
    for (const [column, values] of Object.entries(columns)) {
      expect(
        p.months.map((m) => m[column as keyof PlannerMonth]),
        column,
      ).toEqual(values);
    }
    expect(p).toMatchObject(summary);
    expectConsistent(p, plannerInput.startingAuthorised);
  });

  it('lists every month from start to deadline, across a year end', () => {
    const p = projectUplift(input({ startMonth: '2026-11', deadlineMonth: '2027-02' }));
    expect(p.months.map((m) => m.month)).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
  });

  it('treats an unlimited pool given as Infinity like null', () => {
    expect(projectUplift(input({ candidates: Number.POSITIVE_INFINITY }))).toEqual(projectUplift(input({ candidates: null })));
  });

  describe('the 12-month refresher cycle', () => {
    // 20 candidates, one initial session a month: 10 trained in January and 10 in February 2026.
    // They are due in January and February 2027: one refresher session each (1 day), floor(10 × 0.8) = 8
    // refreshed and 2 lapse each month: 20 → 18 → 16.
    const p = projectUplift(input({ deadlineMonth: '2027-02', startingAuthorised: 0, candidates: 20, target: 20, passRates: { initial: 1, refresher: 0.8 } }));

    it('projects 14 months', () => expect(p.months).toHaveLength(14));
    it('trains the pool in the first two months', () => expect(p.months.map((m) => m.newlyAuthorised)).toEqual([10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    it('those trained in month 0 are due in month 12, month 1 in month 13', () => {
      expect(p.months.map((m) => m.refreshersDue)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 10]);
      expect(p.months[12]).toMatchObject({ month: '2027-01', refresherSessions: 1, refreshed: 8, lapsed: 2, authorisedAtEnd: 18 });
      expect(p.months[13]).toMatchObject({ month: '2027-02', refresherSessions: 1, refreshed: 8, lapsed: 2, authorisedAtEnd: 16 });
    });
    it('meets the target in February 2026 and loses it by the deadline', () => {
      expect(p.targetMetIn).toBe('2026-02');
      expect(p).toMatchObject({ meetsTarget: false, shortfall: 4 });
      expectConsistent(p, 0);
    });

    it('the starting officers refreshed in month 0 are due again in month 12', () => {
      const q = projectUplift(input({ deadlineMonth: '2027-01', candidates: 0, startingRefreshersDue: [10], target: 10 }));
      expect(q.months.map((m) => m.refreshersDue)).toEqual([10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10]);
      expect(q.authorisedAtDeadline).toBe(10);
    });

    it('starting officers not listed in startingRefreshersDue are due in month index 11', () => {
      const q = projectUplift(input({ deadlineMonth: '2026-12', capacity: cap(0), startingRefreshersDue: [3] }));
      expect(q.months.map((m) => m.lapsed)).toEqual([3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]);
      expect(q.authorisedAtDeadline).toBe(0);
    });
  });
});

describe('proposeSchedule', () => {
  const { initialSessionsPerMonth: _omit, ...proposalInput } = input();
  const propose = (o: Partial<PlannerInput>) => proposeSchedule({ ...proposalInput, ...o });

  it.each<[string, Partial<PlannerInput>, number]>([
    // n sessions a month add 10n each month: 30n >= 45 needs n = 2 (n = 1 gives 30).
    ['finds the fewest sessions a month', { startingAuthorised: 0, target: 45, capacity: cap(5) }, 2],
    ['needs none when the target is already held', { startingAuthorised: 10, target: 10, capacity: cap(5) }, 0],
    // January: 10 due, 1 refresher session, floor(10 × 0.7) = 7 kept, 3 lapse. Then 10n a month:
    // 7 + 30n ≥ 67 needs n = 2 (n = 1 gives 37).
    ['counts refresher failures', { startingAuthorised: 10, startingRefreshersDue: [10], target: 67, capacity: cap(5), passRates: { initial: 1, refresher: 0.7 } }, 2],
  ])('%s', (_name, o, n) => {
    const proposal = propose(o);
    expect(proposal).toMatchObject({ feasible: true, initialSessionsPerMonth: n, shortfall: 0, needed: null });
    expect(proposal.projection.meetsTarget).toBe(true);
    const planned = { ...proposalInput, ...o };
    expect(projectUplift({ ...planned, initialSessionsPerMonth: n }).meetsTarget).toBe(true);
    expect(proposal.projection).toEqual(projectUplift({ ...planned, initialSessionsPerMonth: n }));
    if (n > 0) expect(projectUplift({ ...planned, initialSessionsPerMonth: n - 1 }).meetsTarget).toBe(false);
  });

  it('when capacity is short, gives the shortfall at full capacity and what would be needed', () => {
    // 2 trainers: 2 sessions a month, 20 × 3 = 60, 40 short of 100. Without a trainer limit
    // 3 sessions give 90 and 4 give 120; 4 sessions use 12 trainer days = 4 trainers.
    const proposal = propose({ startingAuthorised: 0, target: 100, capacity: cap(2) });
    expect(proposal).toMatchObject({ feasible: false, initialSessionsPerMonth: 2, shortfall: 40, needed: { initialSessionsPerMonth: 4, trainers: 4 } });
    expect(proposal.projection.authorisedAtDeadline).toBe(60);
    expect(maxInitialSessionsPerMonth(cap(2))).toBe(2);
    const withNeeded = { ...proposalInput, startingAuthorised: 0, target: 100, capacity: cap(4) };
    expect(projectUplift({ ...withNeeded, initialSessionsPerMonth: 4 }).meetsTarget).toBe(true);
    expect(projectUplift({ ...withNeeded, initialSessionsPerMonth: 3 }).meetsTarget).toBe(false);
    expect(proposeSchedule(withNeeded)).toMatchObject({ feasible: true, initialSessionsPerMonth: 4 });
  });

  it('counts the trainers refreshers need in the busiest month', () => {
    // One trainer: January's 30 refreshers take all 3 days, no initial course: 30 < 40.
    // Unlimited: 3 refresher days + 1 initial session (3 days) = 6 days = 2 trainers; 30 + 10 = 40.
    const proposal = propose({ deadlineMonth: '2026-01', startingAuthorised: 30, startingRefreshersDue: [30], target: 40, capacity: cap(1) });
    expect(proposal).toMatchObject({ feasible: false, initialSessionsPerMonth: 1, shortfall: 10, needed: { initialSessionsPerMonth: 1, trainers: 2 } });
  });

  it.each<[string, Partial<PlannerInput>, number]>([
    // 50 candidates at 2 sessions a month: 20 + 20 + 10 = 50, 50 short of 100; no number of sessions helps.
    ['the candidate pool is too small', { startingAuthorised: 0, target: 100, candidates: 50, capacity: cap(2) }, 50],
    ['nobody passes the initial course', { startingAuthorised: 0, target: 1, capacity: cap(2), passRates: { initial: 0, refresher: 1 } }, 1],
  ])('gives needed = null when %s', (_name, o, shortfall) => {
    const proposal = propose(o);
    expect(proposal).toMatchObject({ feasible: false, shortfall, needed: null });
  });

  it('meets the target for a demo-sized force (4,300 + 1,867 over 24 months) with the fewest sessions', () => {
    const demo: Omit<PlannerInput, 'initialSessionsPerMonth'> = {
      startMonth: '2026-09',
      deadlineMonth: '2028-08',
      target: 6167,
      startingAuthorised: 4300,
      startingRefreshersDue: evenRefreshersDue(4300),
      candidates: 8000,
      passRates: { initial: 0.9, refresher: 0.97 },
      monthlyAttrition: 0.005,
      capacity: {
        trainers: 40,
        trainersPerSession: 2,
        trainingDaysPerTrainerPerMonth: 16,
        initialSeatsPerSession: 12,
        refresherSeatsPerSession: 16,
        initialCourseDays: 3,
        refresherCourseDays: 1,
      },
    };
    const proposal = proposeSchedule(demo);
    const n = proposal.initialSessionsPerMonth;
    expect(proposal.feasible).toBe(true);
    expect(proposal.projection.months).toHaveLength(24);
    expect(proposal.projection.months[0]!.month).toBe('2026-09');
    expect(proposal.projection.months[23]!.month).toBe('2028-08');
    expect(proposal.projection.authorisedAtDeadline).toBeGreaterThanOrEqual(6167);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(maxInitialSessionsPerMonth(demo.capacity));
    expect(projectUplift({ ...demo, initialSessionsPerMonth: n }).meetsTarget).toBe(true);
    expect(projectUplift({ ...demo, initialSessionsPerMonth: n - 1 }).meetsTarget).toBe(false);
    expectConsistent(proposal.projection, 4300);
    // September 2026 by hand: 359 due, 23 refresher sessions (46 trainer days), floor(359 × 0.97) = 348
    // refreshed, 11 lapse; round(4,289 × 0.005) = round(21.445) = 21 leave.
    expect(proposal.projection.months[0]).toMatchObject({ refreshersDue: 359, refresherSessions: 23, refreshed: 348, lapsed: 11, leavers: 21, trainerDaysAvailable: 640 });
  });
});

describe('evenRefreshersDue', () => {
  it.each<[number, number[]]>([
    [4300, [359, 359, 359, 359, 358, 358, 358, 358, 358, 358, 358, 358]],
    [12, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
    [5, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]],
    [0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ])('spreads %i over 12 months', (total, due) => {
    expect(evenRefreshersDue(total)).toEqual(due);
    expect(due.reduce((a, b) => a + b, 0)).toBe(total);
  });
});

describe('input validation', () => {
  it.each<[string, Partial<PlannerInput>]>([
    ['startMonth must be a month like 2026-09', { startMonth: '2026-13' }],
    ['deadlineMonth must be a month like 2026-09', { deadlineMonth: '2026' }],
    ['deadlineMonth must not be before startMonth (2026-03)', { startMonth: '2026-03', deadlineMonth: '2026-02' }],
    ['target must be a whole number, 0 or more', { target: -1 }],
    ['target must be a whole number, 0 or more', { target: 1.5 }],
    ['startingAuthorised must be a whole number, 0 or more', { startingAuthorised: Number.NaN }],
    ['startingRefreshersDue[1] must be a whole number, 0 or more', { startingRefreshersDue: [1, -1] }],
    ['startingRefreshersDue must have at most 12 entries: authority lasts 12 months', { startingAuthorised: 13, startingRefreshersDue: new Array<number>(13).fill(1) }],
    ['startingRefreshersDue must not add up to more than startingAuthorised (11 > 10)', { startingRefreshersDue: [6, 5] }],
    ['candidates must be a whole number, 0 or more', { candidates: -5 }],
    ['candidates must be a whole number, 0 or more', { candidates: 2.5 }],
    ['passRates.initial must be between 0 and 1', { passRates: { initial: 1.2, refresher: 1 } }],
    ['passRates.refresher must be between 0 and 1', { passRates: { initial: 1, refresher: -0.1 } }],
    ['monthlyAttrition must be between 0 and 1', { monthlyAttrition: Number.NaN }],
    ['capacity.trainers must be a whole number, 0 or more', { capacity: cap(-1) }],
    ['capacity.trainersPerSession must be a whole number, 1 or more', { capacity: cap(1, { trainersPerSession: 0 }) }],
    ['capacity.trainingDaysPerTrainerPerMonth must be a whole number, 1 or more', { capacity: cap(1, { trainingDaysPerTrainerPerMonth: 0 }) }],
    ['capacity.initialSeatsPerSession must be a whole number, 1 or more', { capacity: cap(1, { initialSeatsPerSession: 0 }) }],
    ['capacity.refresherSeatsPerSession must be a whole number, 1 or more', { capacity: cap(1, { refresherSeatsPerSession: 0 }) }],
    ['capacity.initialCourseDays must be a whole number, 1 or more', { capacity: cap(1, { initialCourseDays: 0 }) }],
    ['capacity.refresherCourseDays must be a whole number, 1 or more', { capacity: cap(1, { refresherCourseDays: 0.5 }) }],
    ['initialSessionsPerMonth must be a whole number, 0 or more', { initialSessionsPerMonth: -1 }],
  ])('%s', (message, o) => {
    const bad = input(o);
    expect(() => projectUplift(bad)).toThrowError(RangeError);
    expect(() => projectUplift(bad)).toThrowError(message);
    if (!('initialSessionsPerMonth' in o)) expect(() => proposeSchedule(bad)).toThrowError(message);
  });
});
