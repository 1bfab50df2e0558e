import * as org from '../db/repositories/organisation.js';
import * as repo from '../db/repositories/coverage.js';
import type { Executor } from '../db/database.js';
import { addDays, londonDate, monthOfDay, nextDay, parseIsoDate, lastDayOfMonth } from '../domain/calendar.js';
import { coverage, hoursBelowMinimum, londonHours, type CoverageRow } from '../domain/crewing/coverage.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { Borough, Rank } from '../domain/organisation.js';
import { authorisedIn } from '../domain/training/authority.js';
import { scopeIncludes, scopeKey, type Scope } from '../domain/permissions.js';
import { VersionedCache } from './cache.js';
import type { Services } from './context.js';
import { getCrewingPolicies } from './crewing-policy.js';
import { getForce } from './organisation.js';
import { forceAuthority } from './training.js';

/*
 * Taser coverage (issue 14): for each borough and each real hour, officers on duty, authorised
 * officers on duty, carriers, Taser-equipped crews and the minimum (domain/crewing/coverage.ts
 * has the rules). Operational: for the borough commander and the programme lead (the routes
 * declare read:shift), never published. A scope limited to boroughs sees only those.
 *
 * Speed: one lean read each of the range's shifts, its sign-outs and the officers' ranks; the
 * force's authority histories come from training's cache (keyed on the `authority` change
 * counter), so a whole force's month is one sweep per borough, not a query per hour.
 */

export type { CoverageRow };

/** The longest range asked for at once (a year and a day, so a leap year fits). */
export const MAX_COVERAGE_DAYS = 367;

export interface CoverageQuery {
  /** London dates, both included: YYYY-MM-DD. */
  from: string;
  to: string;
  /** Only these boroughs (each must be in the scope); all the scope's boroughs otherwise. */
  boroughIds?: readonly string[];
}

export interface CoverageResult {
  from: string;
  to: string;
  /** The boroughs reported, by name: the rows come in this order. */
  boroughs: Borough[];
  /** One row per borough per real hour of the range. */
  rows: CoverageRow[];
}

const dayCount = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

/** Checks a range of London dates; errors name the field. */
export function checkCoverageRange(from: string, to: string): void {
  const errors: { field: string; message: string }[] = [];
  if (!parseIsoDate(from)) errors.push({ field: 'from', message: `Enter the first day as a real date in the form YYYY-MM-DD (got "${from}")` });
  if (!parseIsoDate(to)) errors.push({ field: 'to', message: `Enter the last day as a real date in the form YYYY-MM-DD (got "${to}")` });
  if (errors.length === 0) {
    if (to < from) errors.push({ field: 'to', message: `The last day (${to}) is before the first day (${from})` });
    else if (dayCount(from, to) > MAX_COVERAGE_DAYS) errors.push({ field: 'to', message: `Ask for ${MAX_COVERAGE_DAYS} days or fewer at once (${from} to ${to} is ${dayCount(from, to)} days)` });
  }
  if (errors.length) throw new ValidationError(errors);
}

// Officers' ranks change with the officer table, which the `authority` counter watches.
const rankCache = new VersionedCache<Map<string, Rank>>(['authority']);
async function ranksOf(db: Executor, forceId: string): Promise<Map<string, Rank>> {
  return rankCache.get(db, forceId, () => repo.officerRanks(db, forceId));
}

/** The boroughs of the scope (all of them, or those asked for), by name; one asked for outside the scope is not found. */
async function boroughsFor(svc: Services, forceId: string, scope: Scope, ids?: readonly string[]): Promise<Borough[]> {
  const all = (await org.listBoroughs(svc.database.db, forceId)).filter((b) => scopeIncludes(scope, b.id));
  if (!ids) return all.sort((a, b) => a.name.localeCompare(b.name));
  const byId = new Map(all.map((b) => [b.id, b]));
  return ids.map((id) => {
    const b = byId.get(id);
    if (!b) throw new NotFoundError('Borough', id);
    return b;
  });
}

/**
 * Coverage for each borough of the scope (or those asked for) and each real hour from `from`
 * to `to` (London dates, both included): 23 hours on the day the clocks go forward, 25 on the
 * day they go back.
 */
export async function coverageBetween(svc: Services, scope: Scope, query: CoverageQuery): Promise<CoverageResult> {
  checkCoverageRange(query.from, query.to);
  const force = await getForce(svc);
  const db = svc.database.db;
  const boroughs = await boroughsFor(svc, force.id, scope, query.boroughIds);
  if (boroughs.length === 0) return { from: query.from, to: query.to, boroughs, rows: [] };
  const hours = londonHours(query.from, query.to);
  const start = hours[0]!.instant;
  // Hour starts are instants: what counts is on at one of them, so up to just after the last.
  const end = new Date(hours[hours.length - 1]!.ms + 1).toISOString();
  const everyBorough = query.boroughIds === undefined && scope.all;
  const ids = boroughs.map((b) => b.id);
  const [shifts, issues, ranks, authority, policies] = await Promise.all([
    repo.coverageShifts(db, force.id, start, end, everyBorough ? undefined : ids),
    repo.coverageIssues(db, force.id, start, end),
    ranksOf(db, force.id),
    forceAuthority(db, force.id),
    getCrewingPolicies(svc),
  ]);
  const rows = coverage({
    from: query.from,
    to: query.to,
    boroughIds: ids,
    shifts,
    issues,
    ranks,
    authorised: (officerId, day) => authorisedIn(authority.history(officerId), day),
    policyFor: (id) => policies.forBorough(id),
  });
  return { from: query.from, to: query.to, boroughs, rows };
}

// ---------------------------------------------------------------------------------------
// The pages' views

/** The Monday of the week a London date is in. */
export function weekStarting(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/** A week as asked for (`YYYY-MM-DD`, any day of it), or the week of today; the answer is its Monday. */
export function chooseWeek(svc: Services, week: string | undefined): string {
  if (week === undefined || week === '') return weekStarting(londonDate(svc.now()));
  if (!parseIsoDate(week)) throw new ValidationError([{ field: 'week', message: `Enter the week as a date in the form YYYY-MM-DD (got "${week}")` }]);
  return weekStarting(week);
}

export interface WorstHour {
  hourStart: string;
  taserCrews: number;
  minimum: number;
}

export interface BoroughWeek {
  borough: Borough;
  hours: number;
  hoursBelow: number;
  /** The hour with the fewest Taser-equipped crews against the minimum (the first such), or null with no hours. */
  worst: WorstHour | null;
  /** Hours with anyone on duty. */
  staffedHours: number;
}

function worstOf(rows: readonly CoverageRow[]): WorstHour | null {
  let worst: CoverageRow | null = null;
  for (const r of rows) if (!worst || r.taserCrews - r.minimum < worst.taserCrews - worst.minimum) worst = r;
  return worst ? { hourStart: worst.hourStart, taserCrews: worst.taserCrews, minimum: worst.minimum } : null;
}

export interface ForceCoverageWeek {
  week: string;
  weekEnd: string;
  boroughs: BoroughWeek[];
  /** Whether the force has any shift on in the week. */
  anyShifts: boolean;
}

/**
 * The pages' views are kept per change of what coverage reads: rosters (shifts, crewing policy,
 * crews, sign-outs) and authority (training, officers and their ranks, boroughs). Coverage does
 * not depend on the time it is asked. A week of the whole force is ~5,500 hours to work out.
 */
const forceWeekCache = new VersionedCache<ForceCoverageWeek>(['authority', 'rosters'], 50);
const boroughWeekCache = new VersionedCache<BoroughCoverageWeek>(['authority', 'rosters'], 50);

/** The force view: per borough of the scope, the week's hours below the minimum and its worst hour. */
export async function forceCoverageWeek(svc: Services, scope: Scope, week: string): Promise<ForceCoverageWeek> {
  const db = svc.database.db;
  return forceWeekCache.get(db, `${scopeKey(scope)}|${week}`, () => workOutForceWeek(svc, scope, week));
}

async function workOutForceWeek(svc: Services, scope: Scope, week: string): Promise<ForceCoverageWeek> {
  const weekEnd = addDays(week, 6);
  const result = await coverageBetween(svc, scope, { from: week, to: weekEnd });
  const byBorough = new Map<string, CoverageRow[]>(result.boroughs.map((b) => [b.id, []]));
  for (const r of result.rows) byBorough.get(r.boroughId)!.push(r);
  const boroughs = result.boroughs.map((borough) => {
    const rows = byBorough.get(borough.id)!;
    return { borough, hours: rows.length, hoursBelow: hoursBelowMinimum(rows).length, worst: worstOf(rows), staffedHours: rows.filter((r) => r.onDuty > 0).length };
  });
  return { week, weekEnd, boroughs, anyShifts: boroughs.some((b) => b.staffedHours > 0) };
}

export interface HeatCell {
  /** The London date and the hour of the clock (0–23). */
  day: string;
  hour: number;
  /** Null: no such hour that day (the hour the clocks skip). */
  row: CoverageRow | null;
}

export interface MonthTrend {
  month: string;
  hours: number;
  hoursBelow: number;
}

export interface BoroughCoverageWeek {
  borough: Borough;
  week: string;
  weekEnd: string;
  days: string[];
  /** 7 days × 24 clock hours; on the day the clocks go back the repeated 01:00 shows the worse of its two hours. */
  grid: HeatCell[][];
  /** Every real hour of the week, in order. */
  rows: CoverageRow[];
  hoursBelow: CoverageRow[];
  /** Hours below the minimum per month, the six months to the week's month. */
  trend: MonthTrend[];
  anyShifts: boolean;
}

export const TREND_MONTHS = 6;

/** A borough's week hour by hour, its hours below the minimum, and the trend by month. */
export async function boroughCoverageWeek(svc: Services, scope: Scope, boroughId: string, week: string): Promise<BoroughCoverageWeek> {
  const db = svc.database.db;
  return boroughWeekCache.get(db, `${scopeKey(scope)}|${boroughId}|${week}`, () => workOutBoroughWeek(svc, scope, boroughId, week));
}

async function workOutBoroughWeek(svc: Services, scope: Scope, boroughId: string, week: string): Promise<BoroughCoverageWeek> {
  const weekEnd = addDays(week, 6);
  const lastMonth = monthOfDay(weekEnd);
  let firstMonth = lastMonth;
  for (let i = 1; i < TREND_MONTHS; i++) firstMonth = monthOfDay(addDays(`${firstMonth}-01`, -1));
  const trendFrom = `${firstMonth}-01`;
  const trendTo = lastDayOfMonth(lastMonth);
  // One computation covers both the trend's months and the week (the week may start in the month before).
  const from = week < trendFrom ? week : trendFrom;
  const to = weekEnd > trendTo ? weekEnd : trendTo;
  const result = await coverageBetween(svc, scope, { from, to, boroughIds: [boroughId] });
  const borough = result.boroughs[0]!;
  const rows = result.rows.filter((r) => r.londonDate >= week && r.londonDate <= weekEnd);
  const days: string[] = [];
  for (let d = week; d <= weekEnd; d = nextDay(d)) days.push(d);
  const grid = days.map((day) =>
    Array.from({ length: 24 }, (_, hour): HeatCell => {
      const clock = `${day}T${String(hour).padStart(2, '0')}`;
      let row: CoverageRow | null = null;
      for (const r of rows) if (r.hourStart.startsWith(clock) && (!row || r.taserCrews - r.minimum < row.taserCrews - row.minimum)) row = r;
      return { day, hour, row };
    }),
  );
  const trend: MonthTrend[] = [];
  const byMonth = new Map<string, MonthTrend>();
  for (let m = firstMonth; m <= lastMonth; m = monthOfDay(nextDay(lastDayOfMonth(m)))) {
    const t = { month: m, hours: 0, hoursBelow: 0 };
    trend.push(t);
    byMonth.set(m, t);
  }
  for (const r of result.rows) {
    const t = byMonth.get(monthOfDay(r.londonDate));
    if (!t) continue;
    t.hours++;
    if (r.taserCrews < r.minimum) t.hoursBelow++;
  }
  return { borough, week, weekEnd, days, grid, rows, hoursBelow: hoursBelowMinimum(rows), trend, anyShifts: result.rows.some((r) => r.onDuty > 0) };
}
