/**
 * The uplift planner's coverage projection (issue 14): when each borough stops having hours
 * below the minimum of Taser-equipped crews, as the training plan authorises more officers.
 * Pure.
 *
 * Two steps:
 *
 *  1. `typicalWeek`: a borough's typical week, hour by hour, from its stored shifts over a
 *     window of London dates (the service takes the last 4 weeks). For each hour of the week
 *     (Monday 00:00 to Sunday 23:00, London time) the mean over the window's hours of: officers
 *     on duty, of them those authorised, those who are candidates for an initial course (not
 *     authorised, active, not suspended or withdrawn: the planner's pool), and the same two
 *     counts for officers of a rank the borough's policy lets deploy alone. On duty is the
 *     coverage rule (coverage.ts): a shift of the borough covering the instant the hour starts.
 *     On the day the clocks go back the repeated 01:00 is one more sample of that hour; on the
 *     day they go forward the skipped hour has one fewer.
 *
 *  2. `projectCoverage`: for each month of the plan's projection, the hours of the typical
 *     week below the minimum. The plan's projection is force-wide, so it is shared out this way:
 *     when the force is projected to have more authorised officers than at the start, each
 *     candidate is as likely as any other to be one of the newly authorised (the gain divided by
 *     the candidates, at most 1); when fewer, each authorised officer is as likely as any other
 *     to be among those lost (the projected number over the starting one). So a borough's
 *     projected authorised officers on duty at an hour are `authorised × kept + candidates ×
 *     gained`, and the same for those who may deploy alone.
 *     Devices are assumed sufficient: every authorised officer on duty carries. Counts are means
 *     over the weeks, rounded down to whole officers (an officer on duty at that hour in only
 *     some weeks is not counted on), and the crews are `taserCrewsPossible` under the borough's
 *     policy.
 */
import { parseIsoDate } from '../calendar.js';
import type { Rank } from '../organisation.js';
import { londonHours } from './coverage.js';
import { taserCrewsPossible, type CrewingPolicy } from './policy.js';

export const HOURS_IN_WEEK = 168;

/** An officer's standing on the day the projection starts. */
export type Standing = 'authorised' | 'candidate' | 'other';

export interface RosterOfficer {
  rank: Rank | null;
  standing: Standing;
}

export interface RosterShift {
  officerId: string;
  boroughId: string;
  /** ISO 8601 UTC instants. */
  startsAt: string;
  endsAt: string;
}

export interface TypicalWeekInput {
  /** London dates, both included. */
  from: string;
  to: string;
  boroughIds: readonly string[];
  shifts: readonly RosterShift[];
  /** Officers by id; an officer not here counts as on duty and neither authorised nor a candidate. */
  officers: ReadonlyMap<string, RosterOfficer>;
  policyFor: (boroughId: string) => Pick<CrewingPolicy, 'soloRanks'>;
}

/** Means over the window's hours at one hour of the week. */
export interface HourCounts {
  onDuty: number;
  authorised: number;
  candidates: number;
  soloAuthorised: number;
  soloCandidates: number;
}

export interface TypicalWeek {
  boroughId: string;
  /** Shifts of the borough that cover at least one hour of the window. */
  shifts: number;
  /** 168 hours, Monday 00:00 first (London time). */
  hours: HourCounts[];
}

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** The hour of the week of a London date and hour: Monday 00:00 is 0, Sunday 23:00 is 167. */
export function hourOfWeek(londonDate: string, hour: number): number {
  const d = parseIsoDate(londonDate);
  if (!d) throw new RangeError(`${londonDate} is not a date in the form YYYY-MM-DD`);
  const weekday = (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7;
  return weekday * 24 + hour;
}

/** 'Monday 07:00' for an hour of the week. */
export function hourOfWeekLabel(h: number): string {
  const hour = h % 24;
  return `${DAY_NAMES[Math.floor(h / 24)]} ${hour < 10 ? '0' : ''}${hour}:00`;
}

const zero = (): HourCounts => ({ onDuty: 0, authorised: 0, candidates: 0, soloAuthorised: 0, soloCandidates: 0 });

/** Each borough's typical week from its shifts over the window (see the header), in the order given. */
export function typicalWeek(input: TypicalWeekInput): TypicalWeek[] {
  const hours = londonHours(input.from, input.to);
  const first = hours[0]!.ms;
  const last = hours[hours.length - 1]!.ms;
  const buckets = hours.map((h) => hourOfWeek(h.londonDate, Number(h.hourStart.slice(11, 13))));
  const samples = new Array<number>(HOURS_IN_WEEK).fill(0);
  for (const b of buckets) samples[b]!++;

  const byBorough = new Map<string, RosterShift[]>(input.boroughIds.map((id) => [id, []]));
  for (const s of input.shifts) {
    const list = byBorough.get(s.boroughId);
    if (!list) continue;
    const start = Date.parse(s.startsAt);
    const end = Date.parse(s.endsAt);
    if (end <= first || start > last || end <= start) continue;
    list.push(s);
  }

  return input.boroughIds.map((boroughId) => {
    const shifts = byBorough.get(boroughId)!;
    const solo = new Set(input.policyFor(boroughId).soloRanks);
    // Events [time, +1 on / −1 off, officer], ends before starts at the same instant.
    const events: [number, number, string][] = [];
    for (const s of shifts) events.push([Date.parse(s.startsAt), 1, s.officerId], [Date.parse(s.endsAt), -1, s.officerId]);
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const duty = new Map<string, number>();
    const now = zero();
    const sums = Array.from({ length: HOURS_IN_WEEK }, zero);
    const move = (officerId: string, by: number) => {
      const o = input.officers.get(officerId);
      const isSolo = o?.rank != null && solo.has(o.rank);
      now.onDuty += by;
      if (o?.standing === 'authorised') {
        now.authorised += by;
        if (isSolo) now.soloAuthorised += by;
      } else if (o?.standing === 'candidate') {
        now.candidates += by;
        if (isSolo) now.soloCandidates += by;
      }
    };
    let e = 0;
    hours.forEach((hour, i) => {
      for (; e < events.length && events[e]![0] <= hour.ms; e++) {
        const [, by, officerId] = events[e]!;
        const before = duty.get(officerId) ?? 0;
        duty.set(officerId, before + by);
        // An officer is counted once, whatever their shifts.
        if (before === 0 && by > 0) move(officerId, 1);
        else if (before === 1 && by < 0) move(officerId, -1);
      }
      const sum = sums[buckets[i]!]!;
      sum.onDuty += now.onDuty;
      sum.authorised += now.authorised;
      sum.candidates += now.candidates;
      sum.soloAuthorised += now.soloAuthorised;
      sum.soloCandidates += now.soloCandidates;
    });
    const mean = (sum: HourCounts, n: number): HourCounts =>
      n === 0 ? zero() : { onDuty: sum.onDuty / n, authorised: sum.authorised / n, candidates: sum.candidates / n, soloAuthorised: sum.soloAuthorised / n, soloCandidates: sum.soloCandidates / n };
    return { boroughId, shifts: shifts.length, hours: sums.map((s, h) => mean(s, samples[h]!)) };
  });
}

export interface ProjectedMonth {
  month: string;
  /** Authorised officers projected force-wide at the end of the month. */
  authorisedAtEnd: number;
}

export interface ProjectionInput {
  weeks: readonly TypicalWeek[];
  policyFor: (boroughId: string) => Pick<CrewingPolicy, 'carriersPerCrew' | 'minimumCrews'>;
  /** Authorised officers and candidates force-wide on the day the projection starts. */
  startingAuthorised: number;
  candidates: number;
  /** The plan's projection, month by month. */
  months: readonly ProjectedMonth[];
}

export interface BoroughProjection {
  boroughId: string;
  minimum: number;
  /** Hours of the typical week below the minimum with today's authorised officers (a device for each). */
  hoursBelowNow: number;
  /** The hours of the week below the minimum now, Monday 00:00 first. */
  hoursNow: number[];
  months: { month: string; hoursBelow: number }[];
  /** The first month from which the borough has no hour below the minimum to the plan's last month; null when gaps remain in the last. */
  gapsEndIn: string | null;
  /** No hour below the minimum already. */
  noGapsNow: boolean;
}

const EPSILON = 1e-9;
const whole = (x: number) => Math.floor(x + EPSILON);

/** The share of candidates newly authorised and of authorised officers kept when the force has `authorised` (see the header). */
export function shares(startingAuthorised: number, candidates: number, authorised: number): { gained: number; kept: number } {
  const delta = authorised - startingAuthorised;
  if (delta >= 0) return { gained: candidates > 0 ? Math.min(1, delta / candidates) : 0, kept: 1 };
  return { gained: 0, kept: startingAuthorised > 0 ? Math.max(0, authorised / startingAuthorised) : 0 };
}

/** Taser-equipped crews at one hour of the typical week at the shares given. */
export function projectedCrews(policy: Pick<CrewingPolicy, 'carriersPerCrew'>, c: HourCounts, s: { gained: number; kept: number }): number {
  const onDuty = whole(c.onDuty);
  const carriers = Math.min(onDuty, whole(c.authorised * s.kept + c.candidates * s.gained));
  const solo = Math.min(carriers, whole(c.soloAuthorised * s.kept + c.soloCandidates * s.gained));
  return taserCrewsPossible(policy, onDuty, carriers, solo);
}

/** The hours of a typical week below the minimum at the shares given, Monday 00:00 first. */
function hoursBelow(policy: Pick<CrewingPolicy, 'carriersPerCrew' | 'minimumCrews'>, week: TypicalWeek, s: { gained: number; kept: number }): number[] {
  const below: number[] = [];
  week.hours.forEach((c, h) => {
    if (projectedCrews(policy, c, s) < policy.minimumCrews) below.push(h);
  });
  return below;
}

/** For each borough's typical week, the hours below the minimum now and at the end of each month of the plan. */
export function projectCoverage(input: ProjectionInput): BoroughProjection[] {
  return input.weeks.map((week) => {
    const policy = input.policyFor(week.boroughId);
    const hoursNow = hoursBelow(policy, week, { gained: 0, kept: 1 });
    const months = input.months.map((m) => ({ month: m.month, hoursBelow: hoursBelow(policy, week, shares(input.startingAuthorised, input.candidates, m.authorisedAtEnd)).length }));
    // Gaps end in the first month from which none come back up to the plan's last month.
    let gapsEndIn: string | null = null;
    for (let i = months.length - 1; i >= 0 && months[i]!.hoursBelow === 0; i--) gapsEndIn = months[i]!.month;
    return { boroughId: week.boroughId, minimum: policy.minimumCrews, hoursBelowNow: hoursNow.length, hoursNow, months, gapsEndIn, noGapsNow: hoursNow.length === 0 };
  });
}
