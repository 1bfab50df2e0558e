import * as repo from '../db/repositories/early-warning.js';
import * as org from '../db/repositories/organisation.js';
import { daysInMonth, isoDateOf, londonDate, nextDay, parseIsoDate } from '../domain/calendar.js';
import { boroughMedians, earlyWarning as rank, MIN_SHIFTS, usesPer100Shifts, type EarlyWarningRow } from '../domain/crewing/early-warning.js';
import { ValidationError, type FieldError } from '../domain/errors.js';
import type { Scope } from '../domain/permissions.js';
import { VersionedCache } from './cache.js';
import type { Services } from './context.js';
import { getForce } from './organisation.js';

/*
 * Early warning (issue 14): Taser uses per 100 shifts of each officer over a period, beside
 * their borough's median (rules in domain/crewing/early-warning.ts). Operational, never
 * published: read by those who may read use-of-force reports (supervisors and borough
 * commanders for their borough, professional standards) and by the programme lead. Reads only:
 * nothing is changed, so nothing is audited.
 */

export { MIN_SHIFTS };

/** The period counted, London dates, both included. */
export interface Period {
  from: string;
  to: string;
}

/** The last 12 months to today (London): from the day after the same day a year ago. */
export function defaultPeriod(now: Date): Period {
  const to = londonDate(now);
  const d = parseIsoDate(to)!;
  return { from: nextDay(isoDateOf(d.year - 1, d.month, Math.min(d.day, daysInMonth(d.year - 1, d.month)))), to };
}

/** The period asked for (blank: the default's end), checked: real days, the first not after the last. */
export function periodFrom(input: { from?: string; to?: string }, now: Date): Period {
  const fallback = defaultPeriod(now);
  const errors: FieldError[] = [];
  const day = (field: 'from' | 'to', label: string) => {
    const text = input[field]?.trim() ?? '';
    if (text === '') return fallback[field];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !parseIsoDate(text)) errors.push({ field, message: `Enter the ${label} as a real day, YYYY-MM-DD, for example 2026-01-31` });
    return text;
  };
  const period = { from: day('from', 'first day'), to: day('to', 'last day') };
  if (errors.length === 0 && period.from > period.to) errors.push({ field: 'to', message: `The last day (${period.to}) must not be before the first (${period.from})` });
  if (errors.length) throw new ValidationError(errors);
  return period;
}

export interface EarlyWarningOfficer extends EarlyWarningRow {
  collarNumber: string;
  firstName: string;
  lastName: string;
}

export interface EarlyWarningResult extends Period {
  minShifts: number;
  /** This page of officers, in order (highest rate first; too few shifts last). */
  officers: EarlyWarningOfficer[];
  total: number;
  page: number;
  pages: number;
  /** Each borough in scope with its median (force-wide units as a borough with a null id, for an unscoped person). */
  boroughs: { id: string | null; name: string; median: number | null; officers: number }[];
}

/** The officers in scope with a shift or a use in a period (collar-number order), ranked, with each borough's median and count. */
interface Activity {
  /** The Taser uses it was worked out with (officer:count, …). */
  uses: string;
  officers: EarlyWarningOfficer[];
  ranked: EarlyWarningOfficer[];
  medians: Map<string, number | null>;
  perBorough: Map<string | null, number>;
}

/**
 * Worked out once per change of the rosters and officers (counting a year of the force's shifts
 * and ranking 10,000 officers is nearly all of the page's work) and of the Taser uses counted.
 * The uses are read on each request, as reports change all the time: what is kept for a period
 * and scope is worked out again, and replaced, when they differ (one entry each, however many
 * uses are recorded in between).
 */
const activityCache = new VersionedCache<Activity>(['authority', 'rosters'], 50);

async function activity(svc: Services, forceId: string, period: Period, boroughIds: readonly string[] | null): Promise<Activity> {
  const db = svc.database.db;
  const version = await activityCache.version(db);
  const uses = await repo.taserUsesByOfficer(db, forceId, period.from, period.to, boroughIds);
  const counted = uses.map((u) => `${u.officerId}:${u.count}`).join(',');
  const key = `${forceId}|${period.from}|${period.to}|${boroughIds?.join(',') ?? '*'}`;
  const work = async (): Promise<Activity> => {
    const shifts = await repo.shiftCountsByOfficer(db, forceId, period.from, period.to, boroughIds);
    const byId = new Map<string, EarlyWarningOfficer>();
    const add = (c: repo.OfficerCount, field: 'shifts' | 'uses') => {
      const o = byId.get(c.officerId) ?? {
        officerId: c.officerId,
        collarNumber: c.collarNumber,
        firstName: c.firstName,
        lastName: c.lastName,
        boroughId: c.boroughId,
        shifts: 0,
        uses: 0,
        rate: null,
        boroughMedian: null,
      };
      o[field] = c.count;
      byId.set(c.officerId, o);
    };
    for (const c of shifts) add(c, 'shifts');
    for (const c of uses) add(c, 'uses');
    // In collar-number order, so officers who tie keep it.
    const officers = [...byId.values()].sort((a, b) => (a.collarNumber < b.collarNumber ? -1 : a.collarNumber > b.collarNumber ? 1 : 0));
    const perBorough = new Map<string | null, number>();
    for (const o of officers) perBorough.set(o.boroughId, (perBorough.get(o.boroughId) ?? 0) + 1);
    return { uses: counted, officers, ranked: rank(officers), medians: boroughMedians(officers), perBorough };
  };
  return activityCache.getAt(db, version, key, work, (kept) => kept.uses === counted);
}

/**
 * Every officer in scope with a shift or a Taser use in the period, their uses per 100 shifts
 * and their borough's median, a page at a time (`pageSize` 50 by default). A borough-scoped
 * person sees their boroughs' officers (medians are by borough, so theirs are whole).
 */
export async function earlyWarning(svc: Services, scope: Scope, input: { from?: string; to?: string; page?: number; pageSize?: number } = {}, now: Date = svc.now()): Promise<EarlyWarningResult> {
  const period = periodFrom(input, now);
  const force = await getForce(svc);
  const [{ ranked, medians, perBorough }, boroughs] = await Promise.all([activity(svc, force.id, period, scope.all ? null : scope.boroughIds), org.listBoroughs(svc.database.db, force.id)]);
  const pageSize = input.pageSize ?? 50;
  const pages = Math.max(1, Math.ceil(ranked.length / pageSize));
  const page = Math.min(Math.max(1, input.page ?? 1), pages);
  const counted = (id: string | null) => perBorough.get(id) ?? 0;
  const visible = scope.all ? boroughs : boroughs.filter((b) => scope.boroughIds.includes(b.id));
  const list: EarlyWarningResult['boroughs'] = visible.map((b) => ({ id: b.id, name: b.name, median: medians.get(b.id) ?? null, officers: counted(b.id) }));
  if (scope.all && counted(null) > 0) list.push({ id: null, name: 'Force-wide units', median: medians.get('') ?? null, officers: counted(null) });
  return { ...period, minShifts: MIN_SHIFTS, officers: ranked.slice((page - 1) * pageSize, page * pageSize), total: ranked.length, page, pages, boroughs: list };
}

export interface OfficerEarlyWarning extends Period {
  shifts: number;
  uses: number;
  rate: number | null;
  boroughMedian: number | null;
  minShifts: number;
}

/** One officer's uses per 100 shifts over the last 12 months, beside their borough's median (the caller checks the officer is in the person's scope). */
export async function officerEarlyWarning(svc: Services, officer: { id: string; boroughId: string | null }, now: Date = svc.now()): Promise<OfficerEarlyWarning> {
  const period = defaultPeriod(now);
  const force = await getForce(svc);
  const officers = (await activity(svc, force.id, period, officer.boroughId === null ? null : [officer.boroughId])).officers.filter((o) => o.boroughId === officer.boroughId);
  const mine = officers.find((o) => o.officerId === officer.id);
  const shifts = mine?.shifts ?? 0;
  const uses = mine?.uses ?? 0;
  return { ...period, shifts, uses, rate: usesPer100Shifts(uses, shifts), boroughMedian: boroughMedians(officers).get(officer.boroughId ?? '') ?? null, minShifts: MIN_SHIFTS };
}
