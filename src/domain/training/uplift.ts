/**
 * The uplift plan (issue 5): its targets and the planner's assumptions, the planned trajectory,
 * and progress against it. Pure: officers, their training and a day in; figures out. No I/O,
 * no clock.
 *
 * Targets. Authorised officers at the deadline (`targetAuthorised`, the baseline plus the
 * officers to train: +1,867 for the Met), devices, a minimum of authorised officers in each
 * borough, and the share of the newly trained who come from emergency response teams.
 *
 * Planned trajectory (`plannedTrajectory`): a straight line, counted in whole months, from the
 * baseline to the target. The plan's first month is the month `startsOn` falls in, its last the
 * month of the deadline: n months. At the end of the k-th month (k = 1..n) the plan is
 * baseline + round((target − baseline) × k / n); the point before the first month (k = 0) is the
 * baseline. A plan from 1 September 2026 to 31 August 2028 has 24 months: with a baseline of
 * 4,300 and a target of 6,167 it plans 4,300 + round(1,867 × 1/24) = 4,378 at the end of
 * September 2026 and 6,167 at the end of August 2028.
 *
 * Authority over time (`authorityHistory`, in authority.ts). Whether an officer was authorised on a day is
 * `authorisedOn` (authority.ts). For counts over many days the same answer is worked out once per
 * officer as intervals: authority can only change on a day a course ended, a pass lapsed, or a
 * suspension or withdrawal began or ended, so one pass over the officer's records gives the
 * intervals, and "authorised on D" becomes "D falls in an interval". The tests check the two
 * agree on every day.
 *
 * Progress (`upliftProgress`) counts officers serving on a day: joined on or before it and not
 * yet left (an officer who left on L is counted up to the day before L). Borough and team are
 * the officer's present ones: Cedar keeps no history of postings, so the trend counts each
 * officer in their present borough and team for every month.
 *  - Authorised now, by borough (against the borough minimum) and by team type.
 *  - Newly authorised since the plan started: serving officers first authorised (never before)
 *    on or after the plan's first day; the share of them in emergency response teams is set
 *    beside the target percent.
 *  - The trend: authorised at the end of each month from the plan's first month, or from 12
 *    months before this one when that is earlier (so there is always a year of history), to
 *    today (the last point is today, not the end of this month).
 */
import { z } from 'zod';
import { TEAM_TYPES, TEAM_TYPE_LABELS, type TeamType } from '../organisation.js';
import { lastDayOfMonth, monthFromNumber, monthNumber, monthOfDay, parseIsoDate } from '../calendar.js';
import { authorisedIn, firstAuthorisedOn, type AuthorityHistory } from './authority.js';
import type { PlannerCapacity } from './planner.js';

// Input ------------------------------------------------------------------------------------

const blankToUndefined = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v === null ? undefined : v);

/** Form text to a number: blank is missing, a plain decimal is read, anything else is left to fail as "not a number". */
const toNumber = (v: unknown, unit = '') => {
  const b = blankToUndefined(v);
  if (typeof b !== 'string') return b;
  const text = unit && b.endsWith(unit) ? b.slice(0, -unit.length).trim() : b;
  return /^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : text;
};

const numberOf = (what: string, example: string) => z.number({ error: (issue) => (issue.input === undefined ? `Enter the ${what}` : `Enter the ${what} as a number, like ${example}`) });

/** A whole number field; `what` names it in the messages ("Enter the number of trainers"). */
const wholeNumber = (what: string, min: number, max: number) =>
  z.preprocess(
    (v) => toNumber(v),
    numberOf(what, String(Math.max(min, Math.min(max, 12))))
      .int(`Enter the ${what} as a whole number`)
      .min(min, `The ${what} must be ${min.toLocaleString('en-GB')} or more`)
      .max(max, `The ${what} must be ${max.toLocaleString('en-GB')} or fewer`),
  );

/** A percentage, 0 to 100, to one decimal place at most ("85", "92.5" or "92.5%"). */
const percent = (what: string) =>
  z.preprocess(
    (v) => toNumber(v, '%'),
    numberOf(what, '85')
      .min(0, `The ${what} must be between 0 and 100`)
      .max(100, `The ${what} must be between 0 and 100`)
      .refine((n) => Math.abs(n * 10 - Math.round(n * 10)) < 1e-9, `Give the ${what} to one decimal place at most, like 92.5`),
  );

const day = (what: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string({ error: `Enter the ${what}` })
      .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${what} as a day, month and year`)
      .refine((s) => parseIsoDate(s) !== null, `The ${what} must be a real date`),
  );

/**
 * The planner's assumptions, stored as the plan's `assumptions` JSON. Rates are percentages as
 * a person types them; `plannerCapacity` and `plannerRates` turn them into the planner's terms.
 */
export const upliftAssumptionsInput = z.object({
  trainers: wholeNumber('number of trainers', 0, 10_000),
  trainersPerSession: wholeNumber('number of trainers a course needs', 1, 20),
  trainingDaysPerTrainerPerMonth: wholeNumber('number of days a trainer trains in a month', 1, 31),
  initialSeatsPerSession: wholeNumber('number of places on an initial course', 1, 100),
  refresherSeatsPerSession: wholeNumber('number of places on a refresher', 1, 100),
  initialCourseDays: wholeNumber('length of the initial course in days', 1, 20),
  refresherCourseDays: wholeNumber('length of the refresher in days', 1, 10),
  initialPassRatePercent: percent('initial course pass rate'),
  refresherPassRatePercent: percent('refresher pass rate'),
  annualAttritionPercent: percent('yearly attrition'),
  plannedInitialSessionsPerMonth: wholeNumber('number of initial courses planned a month', 0, 10_000),
});
export type UpliftAssumptions = z.infer<typeof upliftAssumptionsInput>;
export const ASSUMPTION_FIELDS = Object.keys(upliftAssumptionsInput.shape) as (keyof UpliftAssumptions)[];

/** What a force starting out might assume: 2 trainers a course, a trainer trains 16 days a month. */
export const DEFAULT_ASSUMPTIONS: UpliftAssumptions = {
  trainers: 10,
  trainersPerSession: 2,
  trainingDaysPerTrainerPerMonth: 16,
  initialSeatsPerSession: 12,
  refresherSeatsPerSession: 16,
  initialCourseDays: 3,
  refresherCourseDays: 1,
  initialPassRatePercent: 85,
  refresherPassRatePercent: 97,
  annualAttritionPercent: 5,
  plannedInitialSessionsPerMonth: 8,
};

const targetFields = {
  startsOn: day('date the plan starts'),
  deadline: day('deadline'),
  baselineAuthorised: wholeNumber('number of officers authorised when the plan starts', 0, 1_000_000),
  targetAuthorised: wholeNumber('target number of authorised officers', 1, 1_000_000),
  targetDevices: wholeNumber('target number of devices', 0, 1_000_000),
  boroughMinimum: wholeNumber('minimum of authorised officers in each borough', 0, 100_000),
  emergencyResponsePercent: wholeNumber('share of new officers from emergency response teams', 0, 100),
};

/** The whole plan as one flat form: targets and assumptions. Messages name the field. */
export const upliftPlanInput = z.object({ ...targetFields, ...upliftAssumptionsInput.shape }).superRefine((p, ctx) => {
  if (p.deadline <= p.startsOn) ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'The deadline must be after the date the plan starts' });
  else if (monthNumber(monthOfDay(p.deadline)) - monthNumber(monthOfDay(p.startsOn)) > 120) {
    ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'The deadline must be within 10 years of the date the plan starts' });
  }
  if (p.targetAuthorised < p.baselineAuthorised) {
    ctx.addIssue({ code: 'custom', path: ['targetAuthorised'], message: 'The target number of authorised officers must not be less than the number authorised when the plan starts' });
  }
});
export type UpliftPlanInput = z.infer<typeof upliftPlanInput>;

export interface UpliftTargets {
  startsOn: string;
  deadline: string;
  baselineAuthorised: number;
  targetAuthorised: number;
  targetDevices: number;
  boroughMinimum: number;
  emergencyResponsePercent: number;
}

/** Splits the flat form into the plan's targets and its assumptions. */
export function splitPlanInput(p: UpliftPlanInput): { targets: UpliftTargets; assumptions: UpliftAssumptions } {
  const { startsOn, deadline, baselineAuthorised, targetAuthorised, targetDevices, boroughMinimum, emergencyResponsePercent, ...assumptions } = p;
  return { targets: { startsOn, deadline, baselineAuthorised, targetAuthorised, targetDevices, boroughMinimum, emergencyResponsePercent }, assumptions };
}

/** Assumptions to try on the planner page without saving: any of them, blank = the plan's. */
export const assumptionOverridesInput = z.preprocess(
  (v) => (v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k, x]) => k in upliftAssumptionsInput.shape && blankToUndefined(x) !== undefined)) : v),
  upliftAssumptionsInput.partial(),
);
export type AssumptionOverrides = z.infer<typeof assumptionOverridesInput>;

/**
 * Yearly attrition as the planner's monthly share: the monthly rate that compounds to the yearly
 * one, 1 − (1 − yearly)^(1/12). 5% a year is 0.4265% a month.
 */
export function monthlyAttrition(annualPercent: number): number {
  return 1 - Math.pow(1 - annualPercent / 100, 1 / 12);
}

export function plannerCapacity(a: UpliftAssumptions): PlannerCapacity {
  return {
    trainers: a.trainers,
    trainersPerSession: a.trainersPerSession,
    trainingDaysPerTrainerPerMonth: a.trainingDaysPerTrainerPerMonth,
    initialSeatsPerSession: a.initialSeatsPerSession,
    refresherSeatsPerSession: a.refresherSeatsPerSession,
    initialCourseDays: a.initialCourseDays,
    refresherCourseDays: a.refresherCourseDays,
  };
}

export function plannerRates(a: UpliftAssumptions): { passRates: { initial: number; refresher: number }; monthlyAttrition: number } {
  return { passRates: { initial: a.initialPassRatePercent / 100, refresher: a.refresherPassRatePercent / 100 }, monthlyAttrition: monthlyAttrition(a.annualAttritionPercent) };
}

// Trajectory --------------------------------------------------------------------------------

export interface TrajectoryPoint {
  /** The month this point ends; for k = 0, the month before the plan's first. */
  month: string;
  /** The day the figure is for: the end of the month. */
  on: string;
  /** Months into the plan, 0..n. */
  k: number;
  planned: number;
}

/** The straight line from the baseline to the target, one point per month end (see the header). */
export function plannedTrajectory(t: Pick<UpliftTargets, 'startsOn' | 'deadline' | 'baselineAuthorised' | 'targetAuthorised'>): TrajectoryPoint[] {
  const first = monthNumber(monthOfDay(t.startsOn));
  const n = monthNumber(monthOfDay(t.deadline)) - first + 1;
  if (n < 1) return [];
  const gap = t.targetAuthorised - t.baselineAuthorised;
  return Array.from({ length: n + 1 }, (_, k) => {
    const month = monthFromNumber(first - 1 + k);
    return { month, on: lastDayOfMonth(month), k, planned: t.baselineAuthorised + Math.round((gap * k) / n) };
  });
}

/** The plan's figure for the end of a month, or null outside the plan's months. */
export function plannedFor(trajectory: readonly TrajectoryPoint[], month: string): number | null {
  return trajectory.find((p) => p.month === month)?.planned ?? null;
}

// Progress ------------------------------------------------------------------------------------

export interface UpliftOfficer {
  boroughId: string | null;
  teamType: TeamType | null;
  joinedOn: string;
  leftOn: string | null;
  status: 'active' | 'left';
  history: AuthorityHistory;
}

/** Serving on the day: joined on or before it and not yet left (counted up to the day before `leftOn`). */
export function servingOn(o: Pick<UpliftOfficer, 'joinedOn' | 'leftOn' | 'status'>, on: string): boolean {
  if (o.joinedOn > on) return false;
  if (o.leftOn !== null) return on < o.leftOn;
  return o.status === 'active';
}

export interface BoroughProgress {
  boroughId: string | null;
  name: string;
  officers: number;
  authorised: number;
  /** null for force-wide units (no borough): the minimum is for boroughs. */
  minimum: number | null;
  /** Officers still needed to reach the minimum, 0 when it is met; null without a minimum. */
  shortfall: number | null;
}

export interface TeamTypeProgress {
  teamType: TeamType | null;
  label: string;
  officers: number;
  authorised: number;
  /** Serving officers first authorised since the plan started. */
  newlyAuthorised: number;
}

export interface TrendPoint {
  month: string;
  /** The end of the month, or today for this month. */
  on: string;
  authorised: number;
  /** The plan's figure for the end of the month, or null outside the plan's months. */
  planned: number | null;
}

export interface UpliftProgress {
  on: string;
  /** Serving officers authorised today, force-wide. */
  authorisedNow: number;
  officersServing: number;
  targets: UpliftTargets | null;
  /** target − authorised now (negative when the target is passed). */
  gap: number | null;
  /** Whole months after this one up to and including the deadline's month; 0 in the deadline's month, negative after it. */
  monthsLeft: number | null;
  /** The plan's figure for the end of this month (or the baseline before the plan's first month, the target after the last). */
  plannedThisMonth: number | null;
  /** Authorised now − planned this month: positive = ahead of plan. */
  aheadOfPlan: number | null;
  boroughs: BoroughProgress[];
  teamTypes: TeamTypeProgress[];
  newlyAuthorised: { total: number; emergencyResponse: number; percent: number | null; targetPercent: number | null; since: string | null };
  trend: TrendPoint[];
  trajectory: TrajectoryPoint[];
}

export interface ProgressOptions {
  today: string;
  officers: readonly UpliftOfficer[];
  /** The boroughs to show, in order (the caller limits them to a person's scope). */
  boroughs: readonly { id: string; name: string }[];
  /** Show a row for officers with no borough (force-wide units): only for people who see the whole force. */
  includeForceWide: boolean;
  /** Count team types over these boroughs only (null = the whole force). */
  teamTypeBoroughIds: readonly string[] | null;
  targets: UpliftTargets | null;
}

/** The months of the trend: from the plan's first month, or 12 months back if that is earlier, to this month. */
export function trendMonths(today: string, startsOn: string | null): string[] {
  const now = monthNumber(monthOfDay(today));
  const yearBack = now - 12;
  const planStart = startsOn ? monthNumber(monthOfDay(startsOn)) : yearBack;
  const first = Math.min(yearBack, planStart);
  return Array.from({ length: now - first + 1 }, (_, i) => monthFromNumber(first + i));
}

/** Progress against the plan (see the header for what each figure counts). */
export function upliftProgress(opts: ProgressOptions): UpliftProgress {
  const { today, officers, targets } = opts;
  const trajectory = targets ? plannedTrajectory(targets) : [];
  const since = targets?.startsOn ?? null;

  const boroughRow = new Map<string | null, BoroughProgress>();
  for (const b of opts.boroughs) boroughRow.set(b.id, { boroughId: b.id, name: b.name, officers: 0, authorised: 0, minimum: targets?.boroughMinimum ?? null, shortfall: null });
  if (opts.includeForceWide) boroughRow.set(null, { boroughId: null, name: 'Force-wide units (no borough)', officers: 0, authorised: 0, minimum: null, shortfall: null });
  const teamBoroughs = opts.teamTypeBoroughIds ? new Set(opts.teamTypeBoroughIds) : null;
  const teamRow = new Map<TeamType | null, TeamTypeProgress>();
  for (const t of [...TEAM_TYPES, null]) teamRow.set(t, { teamType: t, label: t ? TEAM_TYPE_LABELS[t] : 'No team', officers: 0, authorised: 0, newlyAuthorised: 0 });

  const months = trendMonths(today, since);
  const days = months.map((m, i) => (i === months.length - 1 ? today : lastDayOfMonth(m)));
  const trendCounts = new Array<number>(days.length).fill(0);

  let authorisedNow = 0;
  let serving = 0;
  let newly = 0;
  let newlyEmergency = 0;
  for (const o of officers) {
    for (let i = 0; i < days.length; i++) if (servingOn(o, days[i]!) && authorisedIn(o.history, days[i]!)) trendCounts[i]! += 1;
    if (!servingOn(o, today)) continue;
    serving++;
    const authorised = authorisedIn(o.history, today);
    if (authorised) authorisedNow++;
    const first = firstAuthorisedOn(o.history);
    const isNew = since !== null && first !== null && first >= since && first <= today;
    if (isNew) {
      newly++;
      if (o.teamType === 'emergency_response') newlyEmergency++;
    }
    const b = boroughRow.get(o.boroughId);
    if (b) {
      b.officers++;
      if (authorised) b.authorised++;
    }
    if (!teamBoroughs || (o.boroughId !== null && teamBoroughs.has(o.boroughId))) {
      const t = teamRow.get(o.teamType)!;
      t.officers++;
      if (authorised) t.authorised++;
      if (isNew) t.newlyAuthorised++;
    }
  }
  for (const b of boroughRow.values()) if (b.minimum !== null) b.shortfall = Math.max(0, b.minimum - b.authorised);

  const thisMonth = monthOfDay(today);
  let plannedThisMonth: number | null = null;
  if (targets && trajectory.length) {
    const n = monthNumber(thisMonth);
    if (n < monthNumber(trajectory[0]!.month)) plannedThisMonth = targets.baselineAuthorised;
    else if (n > monthNumber(trajectory[trajectory.length - 1]!.month)) plannedThisMonth = targets.targetAuthorised;
    else plannedThisMonth = plannedFor(trajectory, thisMonth);
  }

  return {
    on: today,
    authorisedNow,
    officersServing: serving,
    targets,
    gap: targets ? targets.targetAuthorised - authorisedNow : null,
    monthsLeft: targets ? monthNumber(monthOfDay(targets.deadline)) - monthNumber(thisMonth) : null,
    plannedThisMonth,
    aheadOfPlan: plannedThisMonth === null ? null : authorisedNow - plannedThisMonth,
    boroughs: [...boroughRow.values()],
    teamTypes: [...teamRow.values()].filter((t) => t.teamType !== null || t.officers > 0),
    newlyAuthorised: {
      total: newly,
      emergencyResponse: newlyEmergency,
      percent: newly > 0 ? Math.round((1000 * newlyEmergency) / newly) / 10 : null,
      targetPercent: targets?.emergencyResponsePercent ?? null,
      since,
    },
    trend: months.map((month, i) => ({ month, on: days[i]!, authorised: trendCounts[i]!, planned: plannedFor(trajectory, month) })),
    trajectory,
  };
}
