/**
 * Uplift planner: given training capacity, does the force reach a target number of officers
 * authorised to carry Taser by a deadline, and what level course schedule gets there with the
 * fewest sessions? Pure: numbers in, a month-by-month projection out. No I/O, no clock.
 *
 * The model, month by month (a reader can check every figure by hand):
 *
 *  Capacity. Trainer days available in a month = trainers × trainingDaysPerTrainerPerMonth.
 *  A session uses (course days × trainersPerSession) trainer days: with 2 trainers a session,
 *  an initial course (3 days) uses 6 trainer days and a refresher (1 day) uses 2.
 *
 *  Authority. It lasts 12 months from the last passed initial or refresher course. An officer
 *  who passes (initial or refresher) in month m is due a refresher in month m + 12. The starting
 *  authorised officers are due as `startingRefreshersDue` says (index 0 = startMonth); any of
 *  them not listed there are taken to be due in month index 11, the latest their authority can
 *  last. The planner keeps, for every month, how many of the officers authorised now are due
 *  then; those counts always add up to the officers authorised.
 *
 *  Each month, in this order:
 *   1. Refreshers (first call on trainers: keeping authority comes first).
 *      refresherSessions = min(ceil(due / refresherSeatsPerSession), sessions that fit in the
 *      trainer days); refreshed = floor(min(due, refresherSeats) × refresher pass rate);
 *      lapsed = due − refreshed. The refreshed are due again 12 months later. A lapsed officer is
 *      not planned back in (a late refresher or a new course would be needed: count them in
 *      `candidates` if they should be).
 *   2. Leavers = round(authorised after lapses × monthlyAttrition), rounding halves up. Leavers
 *      come out of the future months' dues in proportion to each month's count (largest
 *      remainder: each month loses floor(leavers × count / authorised), and the units left over
 *      go to the months with the largest remainders, earliest first), so the dues still add up
 *      to the officers authorised. Officers trained this month are not counted as leavers.
 *   3. Initial courses, with the trainer days refreshers left: initialSessions = min(planned,
 *      sessions that fit, sessions the remaining candidates can fill = ceil(candidates left /
 *      initialSeatsPerSession)). No session is held for which there is no candidate.
 *      Without a plan, every session that fits is held. Seats filled = min(initialSeats,
 *      candidates left); newlyAuthorised = floor(seats filled × initial pass rate). Candidates
 *      left fall by the seats filled: a candidate who fails is not offered a second course.
 *   4. authorisedAtEnd = authorised at start − lapsed − leavers + newlyAuthorised (never negative).
 *
 *  Rounding: whole officers and whole sessions throughout. Passes round down, sessions needed
 *  round up, leavers round to nearest (halves up). A tolerance of 1e-9 absorbs binary floating
 *  point, so 100 × 0.29 counts as 29 passes, not 28.
 *
 *  The target is met when authorisedAtEnd of the deadline month is at least the target.
 *
 * Worked example: 10 authorised (none due in the period), one trainer giving 3 days a month,
 * 1 trainer a session, a 3-day initial course of 10 seats, pass rate 1, no attrition. Each month
 * one initial session fits (3 trainer days), adding 10: after 3 months 10 + 10 + 10 + 10 = 40.
 *
 * Schedules (`proposeSchedule`): a level schedule runs the same number n of initial sessions
 * every month. The planner tries n = 0, 1, 2, … up to the most that fits in a month's trainer
 * days and takes the first n whose projection meets the target. The search is linear because
 * the outcome is not always monotone in n (training earlier means more attrition and more
 * refreshers, some of which fail, before the deadline). In a month where refreshers leave less
 * room than n, fewer are held; the projection shows the sessions actually held. When no n
 * within capacity works, the same search is run with no trainer limit to say what capacity
 * would be needed.
 */
import { monthFromNumber, monthNumber } from '../calendar.js';

export interface PlannerCapacity {
  /**
   * Trainers available. Course sessions that can run in a month, as limited by trainers:
   * trainers × trainingDaysPerTrainerPerMonth / (course days × trainersPerSession).
   * A whole number, 0 or more.
   */
  trainers: number;
  /** Trainers needed to run one session, e.g. 2. A whole number, 1 or more. */
  trainersPerSession: number;
  /** Days each trainer can train in a month, e.g. 16. A whole number, 1 or more. */
  trainingDaysPerTrainerPerMonth: number;
  /** Officers on one initial course, e.g. 12. */
  initialSeatsPerSession: number;
  /** Officers on one refresher, e.g. 16. */
  refresherSeatsPerSession: number;
  /** Length of the initial course in days: 3. */
  initialCourseDays: number;
  /** Length of the refresher in days: 1. */
  refresherCourseDays: number;
}

export interface PlannerInput {
  /** First month projected, 'YYYY-MM'. The starting position is at the start of this month. */
  startMonth: string;
  /** Last month, 'YYYY-MM' inclusive: the target must be met at the end of it. */
  deadlineMonth: string;
  /** Authorised officers wanted at the end of the deadline month. */
  target: number;
  /** Officers authorised at the start of startMonth. */
  startingAuthorised: number;
  /**
   * Of the starting authorised officers, how many lapse (need their refresher) in each month from
   * startMonth: index 0 = startMonth. Up to 12 entries; missing = 0. The sum must not exceed
   * startingAuthorised; officers not listed are taken to be due in month index 11.
   */
  startingRefreshersDue: number[];
  /** Untrained officers who could still be put on an initial course (the pool); Infinity/null = unlimited. */
  candidates: number | null;
  /** Share of those on a course who pass it, 0..1. */
  passRates: { initial: number; refresher: number };
  /** Share of authorised officers who leave or stop carrying each month, 0..1. */
  monthlyAttrition: number;
  capacity: PlannerCapacity;
  /**
   * Planned initial sessions per month (the force's current plan). If omitted, projectUplift uses
   * all capacity left after refreshers. Never more are held than fit after refreshers.
   */
  initialSessionsPerMonth?: number;
}

export interface PlannerMonth {
  month: string;
  /** Officers whose authority runs out this month unless they pass a refresher. */
  refreshersDue: number;
  /** Refresher sessions held: those needed, or as many as the trainer days allow. */
  refresherSessions: number;
  /** Refresher seats offered (sessions × seats per session). */
  refresherSeats: number;
  /** Passed a refresher: keep authority, due again in 12 months. */
  refreshed: number;
  /** Due but not refreshed (no seat, or failed): lose authority. */
  lapsed: number;
  /** Initial sessions held. */
  initialSessions: number;
  /** Initial seats offered (sessions × seats per session). */
  initialSeats: number;
  /** Initial seats taken by candidates: min(initialSeats, candidates left). */
  initialSeatsFilled: number;
  /** Passed the initial course: authorised from this month, due a refresher in 12 months. */
  newlyAuthorised: number;
  /** Authorised officers who left or stopped carrying this month. */
  leavers: number;
  authorisedAtEnd: number;
  /** Candidates still untrained at the end of the month; null when the pool is unlimited. */
  candidatesLeft: number | null;
  trainerDaysUsed: number;
  trainerDaysAvailable: number;
}

export interface Projection {
  months: PlannerMonth[];
  authorisedAtDeadline: number;
  meetsTarget: boolean;
  /** Officers short of the target at the deadline, 0 when it is met. */
  shortfall: number;
  /** First month the target is met at its end, or null. (It can be met and lost again: `meetsTarget` is about the deadline.) */
  targetMetIn: string | null;
  /** Refresher and initial sessions held over the whole period. */
  totalSessions: number;
}

export interface Proposal {
  /** true: a level schedule within capacity meets the target */
  feasible: boolean;
  /** the fewest initial sessions per month (same every month) that meets the target within trainer capacity; when infeasible, the most capacity allows */
  initialSessionsPerMonth: number;
  /** The projection of that schedule. */
  projection: Projection;
  /** Officers short at the deadline at full capacity; 0 when feasible. */
  shortfall: number;
  /**
   * When infeasible: the fewest initial sessions per month that would meet the target with no
   * trainer limit (refreshers all held too), and the trainers that would take: ceil(trainer days
   * used in the busiest month / trainingDaysPerTrainerPerMonth). null when feasible, or when no
   * number of sessions can meet it (e.g. the candidate pool is too small); the search stops at
   * MAX_SESSIONS_SEARCHED sessions a month.
   */
  needed: { initialSessionsPerMonth: number; trainers: number } | null;
}

/** The most initial sessions a month `proposeSchedule` will try. */
export const MAX_SESSIONS_SEARCHED = 10_000;

/** Tolerance for binary floating point when rounding counts of officers. */
const EPSILON = 1e-9;
const floorCount = (x: number) => Math.floor(x + EPSILON);
const roundCount = (x: number) => Math.floor(x + 0.5 + EPSILON);

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Starting dues spread as evenly as whole officers allow over the 12 months of the first year,
 * the remainder one each to the earliest months: 4,300 gives 359 for the first 4 months and 358
 * for the other 8.
 */
export function evenRefreshersDue(startingAuthorised: number): number[] {
  const base = Math.floor(startingAuthorised / 12);
  const extra = startingAuthorised - base * 12;
  return Array.from({ length: 12 }, (_, i) => base + (i < extra ? 1 : 0));
}

function wholeNumber(value: unknown, field: string, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${field} must be a whole number, ${min} or more`);
  }
}

function share(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${field} must be between 0 and 1`);
  }
}

function validate(input: Omit<PlannerInput, 'initialSessionsPerMonth'> & { initialSessionsPerMonth?: number | undefined }): void {
  for (const field of ['startMonth', 'deadlineMonth'] as const) {
    const value = input[field];
    if (typeof value !== 'string' || !MONTH.exec(value)) throw new RangeError(`${field} must be a month like 2026-09`);
  }
  if (monthNumber(input.deadlineMonth) < monthNumber(input.startMonth)) {
    throw new RangeError(`deadlineMonth must not be before startMonth (${input.startMonth})`);
  }
  wholeNumber(input.target, 'target', 0);
  wholeNumber(input.startingAuthorised, 'startingAuthorised', 0);
  if (!Array.isArray(input.startingRefreshersDue)) throw new RangeError('startingRefreshersDue must be a list of up to 12 whole numbers');
  if (input.startingRefreshersDue.length > 12) {
    throw new RangeError('startingRefreshersDue must have at most 12 entries: authority lasts 12 months');
  }
  input.startingRefreshersDue.forEach((due, i) => wholeNumber(due, `startingRefreshersDue[${i}]`, 0));
  const dueTotal = input.startingRefreshersDue.reduce((a, b) => a + b, 0);
  if (dueTotal > input.startingAuthorised) {
    throw new RangeError(`startingRefreshersDue must not add up to more than startingAuthorised (${dueTotal} > ${input.startingAuthorised})`);
  }
  if (input.candidates !== null && input.candidates !== Number.POSITIVE_INFINITY) {
    wholeNumber(input.candidates, 'candidates', 0);
  }
  if (typeof input.passRates !== 'object' || input.passRates === null) throw new RangeError('passRates must give initial and refresher');
  share(input.passRates.initial, 'passRates.initial');
  share(input.passRates.refresher, 'passRates.refresher');
  share(input.monthlyAttrition, 'monthlyAttrition');
  const c = input.capacity;
  if (typeof c !== 'object' || c === null) throw new RangeError('capacity must be given');
  wholeNumber(c.trainers, 'capacity.trainers', 0);
  wholeNumber(c.trainersPerSession, 'capacity.trainersPerSession', 1);
  wholeNumber(c.trainingDaysPerTrainerPerMonth, 'capacity.trainingDaysPerTrainerPerMonth', 1);
  wholeNumber(c.initialSeatsPerSession, 'capacity.initialSeatsPerSession', 1);
  wholeNumber(c.refresherSeatsPerSession, 'capacity.refresherSeatsPerSession', 1);
  wholeNumber(c.initialCourseDays, 'capacity.initialCourseDays', 1);
  wholeNumber(c.refresherCourseDays, 'capacity.refresherCourseDays', 1);
  if (input.initialSessionsPerMonth !== undefined) wholeNumber(input.initialSessionsPerMonth, 'initialSessionsPerMonth', 0);
}

/** Trainer days one initial session uses. */
const initialSessionDays = (c: PlannerCapacity) => c.initialCourseDays * c.trainersPerSession;
/** Trainer days one refresher session uses. */
const refresherSessionDays = (c: PlannerCapacity) => c.refresherCourseDays * c.trainersPerSession;

/** The most initial sessions that fit in one month's trainer days when no refresher is due. */
export function maxInitialSessionsPerMonth(capacity: PlannerCapacity): number {
  return Math.floor((capacity.trainers * capacity.trainingDaysPerTrainerPerMonth) / initialSessionDays(capacity));
}

/**
 * Takes `leavers` out of ledger[from..to] in proportion to each entry (largest remainder, ties to
 * the earliest month), so the entries keep adding up to the officers still authorised.
 */
function takeProportionally(ledger: number[], from: number, to: number, leavers: number, total: number): void {
  if (leavers === 0 || total === 0) return;
  const parts: { index: number; take: number; remainder: number }[] = [];
  let taken = 0;
  for (let i = from; i <= to; i++) {
    const count = ledger[i]!;
    const take = Math.floor((leavers * count) / total);
    parts.push({ index: i, take, remainder: (leavers * count) % total });
    taken += take;
  }
  parts.sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let k = 0; taken < leavers && k < parts.length; k++) {
    if (parts[k]!.remainder === 0) break;
    parts[k]!.take += 1;
    taken += 1;
  }
  for (const p of parts) ledger[p.index] = ledger[p.index]! - p.take;
}

/** The projection; with `unlimitedTrainers` every refresher needed and every planned session is held. */
function project(input: PlannerInput, unlimitedTrainers: boolean): Projection {
  const c = input.capacity;
  const first = monthNumber(input.startMonth);
  const horizon = monthNumber(input.deadlineMonth) - first + 1;
  const refresherDays = refresherSessionDays(c);
  const initialDays = initialSessionDays(c);
  const unlimitedPool = input.candidates === null || input.candidates === Number.POSITIVE_INFINITY;

  // ledger[k]: officers authorised now whose authority lapses in month k (0 = startMonth).
  const ledger = new Array<number>(horizon + 12).fill(0);
  input.startingRefreshersDue.forEach((due, i) => (ledger[i] = due));
  ledger[11] = ledger[11]! + input.startingAuthorised - input.startingRefreshersDue.reduce((a, b) => a + b, 0);

  let authorised = input.startingAuthorised;
  let candidatesLeft = unlimitedPool ? Number.POSITIVE_INFINITY : (input.candidates as number);
  const months: PlannerMonth[] = [];
  let targetMetIn: string | null = null;
  let totalSessions = 0;

  for (let m = 0; m < horizon; m++) {
    const available = unlimitedTrainers ? Number.POSITIVE_INFINITY : c.trainers * c.trainingDaysPerTrainerPerMonth;

    // 1. Refreshers first.
    const refreshersDue = ledger[m]!;
    ledger[m] = 0;
    const refresherNeeded = Math.ceil(refreshersDue / c.refresherSeatsPerSession);
    const refresherSessions = Math.min(refresherNeeded, Math.floor(available / refresherDays));
    const refresherSeats = refresherSessions * c.refresherSeatsPerSession;
    const refreshed = floorCount(Math.min(refreshersDue, refresherSeats) * input.passRates.refresher);
    const lapsed = refreshersDue - refreshed;
    ledger[m + 12] = ledger[m + 12]! + refreshed;
    authorised -= lapsed;

    // 2. Leavers, out of the future dues in proportion.
    const leavers = roundCount(authorised * input.monthlyAttrition);
    takeProportionally(ledger, m + 1, m + 12, leavers, authorised);
    authorised -= leavers;

    // 3. Initial courses with what the refreshers left.
    const daysLeft = available - refresherSessions * refresherDays;
    const fit = Math.floor(daysLeft / initialDays);
    const planned = input.initialSessionsPerMonth ?? fit;
    const forCandidates = Math.ceil(candidatesLeft / c.initialSeatsPerSession);
    const initialSessions = Math.min(planned, fit, forCandidates);
    const initialSeats = initialSessions * c.initialSeatsPerSession;
    const initialSeatsFilled = Math.min(initialSeats, candidatesLeft);
    const newlyAuthorised = floorCount(initialSeatsFilled * input.passRates.initial);
    candidatesLeft -= initialSeatsFilled;
    ledger[m + 12] = ledger[m + 12]! + newlyAuthorised;
    authorised += newlyAuthorised;

    const trainerDaysUsed = refresherSessions * refresherDays + initialSessions * initialDays;
    totalSessions += refresherSessions + initialSessions;
    const month = monthFromNumber(first + m);
    if (targetMetIn === null && authorised >= input.target) targetMetIn = month;
    months.push({
      month,
      refreshersDue,
      refresherSessions,
      refresherSeats,
      refreshed,
      lapsed,
      initialSessions,
      initialSeats,
      initialSeatsFilled,
      newlyAuthorised,
      leavers,
      authorisedAtEnd: authorised,
      candidatesLeft: unlimitedPool ? null : candidatesLeft,
      trainerDaysUsed,
      trainerDaysAvailable: unlimitedTrainers ? trainerDaysUsed : available,
    });
  }

  const authorisedAtDeadline = authorised;
  const shortfall = Math.max(0, input.target - authorisedAtDeadline);
  return { months, authorisedAtDeadline, meetsTarget: shortfall === 0, shortfall, targetMetIn, totalSessions };
}

/**
 * Month by month, what the force's plan (or, without one, all the capacity refreshers leave)
 * achieves by the deadline. Throws RangeError naming the field when an input is out of range.
 */
export function projectUplift(input: PlannerInput): Projection {
  validate(input);
  return project(input, false);
}

/** The first n in 0..upTo whose projection meets the target, or null. */
function firstThatMeets(input: Omit<PlannerInput, 'initialSessionsPerMonth'>, upTo: number, unlimitedTrainers: boolean): { n: number; projection: Projection } | null {
  for (let n = 0; n <= upTo; n++) {
    const projection = project({ ...input, initialSessionsPerMonth: n }, unlimitedTrainers);
    if (projection.meetsTarget) return { n, projection };
  }
  return null;
}

/**
 * The level schedule with the fewest initial sessions a month that meets the target within
 * trainer capacity; when none does, the shortfall at full capacity and what would be needed.
 * Throws RangeError naming the field when an input is out of range.
 *
 * Search bounds (every search ends): more sessions a month than fit in the trainer days, or than
 * would take the whole candidate pool in one month (ceil(candidates / seats)), give the same
 * projection as that many, so the search stops there. With no trainer limit and an unlimited
 * pool, n sessions in the deadline month alone add floor(n × seats × pass rate) officers, so
 * ceil(target / (seats × pass rate)) + 1 always suffices. The search with no trainer limit stops
 * at MAX_SESSIONS_SEARCHED in any case.
 */
export function proposeSchedule(input: Omit<PlannerInput, 'initialSessionsPerMonth'>): Proposal {
  const base: Omit<PlannerInput, 'initialSessionsPerMonth'> = { ...input };
  delete (base as PlannerInput).initialSessionsPerMonth;
  validate(base);
  const c = base.capacity;
  const unlimitedPool = base.candidates === null || base.candidates === Number.POSITIVE_INFINITY;
  const poolBound = unlimitedPool ? Number.POSITIVE_INFINITY : Math.ceil((base.candidates as number) / c.initialSeatsPerSession);

  const most = maxInitialSessionsPerMonth(c);
  const found = firstThatMeets(base, Math.min(most, poolBound), false);
  if (found) return { feasible: true, initialSessionsPerMonth: found.n, projection: found.projection, shortfall: 0, needed: null };

  const atCapacity = project({ ...base, initialSessionsPerMonth: most }, false);
  const rate = base.passRates.initial;
  const rateBound = rate > 0 ? Math.ceil(base.target / (c.initialSeatsPerSession * rate)) + 1 : 0;
  const unlimited = firstThatMeets(base, Math.min(MAX_SESSIONS_SEARCHED, unlimitedPool ? rateBound : poolBound), true);
  const needed = unlimited
    ? {
        initialSessionsPerMonth: unlimited.n,
        trainers: Math.ceil(unlimited.projection.months.reduce((most, m) => Math.max(most, m.trainerDaysUsed), 0) / c.trainingDaysPerTrainerPerMonth),
      }
    : null;
  return { feasible: false, initialSessionsPerMonth: most, projection: atCapacity, shortfall: atCapacity.shortfall, needed };
}
