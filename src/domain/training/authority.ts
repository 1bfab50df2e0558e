/**
 * Authority to carry a Taser, derived — never typed in (issue 5). Pure: records in, status out.
 *
 * On a London day D an officer is authorised to carry model M when all of these hold:
 *  1. they passed, on or before D, a course whose type qualifies for M (an initial course for
 *     the X26, a conversion course for the X2…);
 *  2. their last initial or refresher course on or before D was a pass (a fail or a course
 *     not finished after a pass stops authority until the next pass), and
 *  3. that pass is less than 12 months old: it lapses on its anniversary (a pass on
 *     10 May 2026 authorises up to and including 9 May 2027; a pass on 29 February lapses
 *     on 1 March), and
 *  4. they are not suspended (by a supervisor or professional standards) and have not
 *     withdrawn (carrying is voluntary) on D. A suspension or withdrawal runs from its first
 *     day to the day before it ends; one with no end is still in force.
 * A conversion course qualifies for a model but does not restart the 12 months.
 */

import { isLeapYear, previousDay } from '../calendar.js';

export type CourseKind = 'initial' | 'refresher' | 'conversion';
export type TrainingResult = 'pass' | 'fail' | 'did_not_finish';

export interface TrainingRecord {
  kind: CourseKind;
  /** The models a pass on this course qualifies for, like `X26`, `X2`, `TASER 7`. */
  qualifiesFor: readonly string[];
  /** The London day the course ended, `YYYY-MM-DD`. */
  completedOn: string;
  result: TrainingResult;
}

export interface Interval {
  from: string;
  /** The day it ended (not included), or null while it is in force. */
  to: string | null;
  reason: string;
}

export type AuthorityStatus = 'authorised' | 'not_qualified' | 'failed' | 'lapsed' | 'suspended' | 'withdrawn';

export interface Authority {
  model: string;
  status: AuthorityStatus;
  authorised: boolean;
  /** The last day the current training authorises (authorised or suspended/withdrawn with current training), else null. */
  expiresOn: string | null;
  /** Why, in words a person reads on the officer's profile. */
  reason: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The day a pass lapses: its anniversary (29 February's is 1 March). */
export function lapsesOn(passedOn: string): string {
  const [y, m, d] = passedOn.split('-').map(Number) as [number, number, number];
  if (m === 2 && d === 29 && !isLeapYear(y + 1)) return `${y + 1}-03-01`;
  return `${y + 1}-${pad(m)}-${pad(d)}`;
}

const inForce = (i: Interval, on: string) => i.from <= on && (i.to === null || on < i.to);

/** The officer's authority for one model on one day. */
export function authorityOn(model: string, on: string, records: readonly TrainingRecord[], suspensions: readonly Interval[] = [], withdrawals: readonly Interval[] = []): Authority {
  const past = records.filter((r) => r.completedOn <= on).sort((a, b) => a.completedOn.localeCompare(b.completedOn));
  const qualified = past.some((r) => r.result === 'pass' && r.qualifiesFor.includes(model));
  if (!qualified) return { model, status: 'not_qualified', authorised: false, expiresOn: null, reason: `No pass on a course that qualifies for the ${model}` };
  const currency = past.filter((r) => r.kind === 'initial' || r.kind === 'refresher');
  const last = currency[currency.length - 1];
  if (!last) return { model, status: 'not_qualified', authorised: false, expiresOn: null, reason: 'No initial or refresher course passed' };
  if (last.result !== 'pass') {
    return {
      model,
      status: 'failed',
      authorised: false,
      expiresOn: null,
      reason: `The ${last.kind} course on ${last.completedOn} was not passed (${last.result === 'fail' ? 'failed' : 'did not finish'}): authority returns with the next pass`,
    };
  }
  const lapse = lapsesOn(last.completedOn);
  const expiresOn = previousDay(lapse);
  if (on >= lapse) return { model, status: 'lapsed', authorised: false, expiresOn: null, reason: `Lapsed on ${lapse}: the last ${last.kind} pass (${last.completedOn}) is 12 months old` };
  const suspended = suspensions.find((s) => inForce(s, on));
  if (suspended) return { model, status: 'suspended', authorised: false, expiresOn, reason: `Suspended from ${suspended.from}: ${suspended.reason}` };
  const withdrawn = withdrawals.find((w) => inForce(w, on));
  if (withdrawn) return { model, status: 'withdrawn', authorised: false, expiresOn, reason: `Withdrew from carrying on ${withdrawn.from}: ${withdrawn.reason}` };
  return { model, status: 'authorised', authorised: true, expiresOn, reason: `Authorised until ${expiresOn} (${last.kind} passed ${last.completedOn})` };
}

/** A suspension or withdrawal as stored: both stop authority while in force. */
export interface Restriction extends Interval {
  kind: 'suspension' | 'withdrawal';
}

/** The models an officer holds a pass for (whatever their currency), in the order given. */
export function modelsHeld(records: readonly TrainingRecord[], models: readonly string[]): string[] {
  return models.filter((m) => records.some((r) => r.result === 'pass' && r.qualifiesFor.includes(m)));
}

/** The officer's authority for each model they hold a pass for on the day (or each model, if they hold none). */
export function authoritiesOn(on: string, records: readonly TrainingRecord[], restrictions: readonly Restriction[], models: readonly string[]): Authority[] {
  const held = modelsHeld(
    records.filter((r) => r.completedOn <= on),
    models,
  );
  const suspensions = restrictions.filter((r) => r.kind === 'suspension');
  const withdrawals = restrictions.filter((r) => r.kind === 'withdrawal');
  return (held.length ? held : models).map((m) => authorityOn(m, on, records, suspensions, withdrawals));
}

/** Whether the officer may carry any model on the day: what "authorised" and "CED-trained" mean in counts. */
export function authorisedOn(on: string, records: readonly TrainingRecord[], restrictions: readonly Restriction[], models: readonly string[]): boolean {
  return authoritiesOn(on, records, restrictions, models).some((a) => a.authorised);
}

/**
 * The last day the officer's current authority runs to, if they are authorised on the day
 * (the same for every model: currency comes from initial and refresher courses), else null.
 */
export function authorisedUntil(on: string, records: readonly TrainingRecord[], restrictions: readonly Restriction[], models: readonly string[]): string | null {
  const a = authoritiesOn(on, records, restrictions, models).find((x) => x.authorised);
  return a ? a.expiresOn : null;
}

// Authority over time ------------------------------------------------------------------------

export interface AuthorityHistory {
  /** Days authorised: from (included) to (not included; null = still authorised, with no end in sight). Sorted, not overlapping. */
  intervals: { from: string; to: string | null }[];
}

/**
 * When the officer was authorised to carry any of `models`: exactly the days `authorisedOn`
 * (authority.ts) says yes to, worked out in one pass (see the header). Records in the order
 * given count for records on the same day, as in `authorityOn` (a stable sort by day).
 */
export function authorityHistory(records: readonly TrainingRecord[], restrictions: readonly Pick<Restriction, 'from' | 'to'>[], models: readonly string[]): AuthorityHistory {
  const sorted = [...records].sort((a, b) => (a.completedOn < b.completedOn ? -1 : a.completedOn > b.completedOn ? 1 : 0));
  // First day the officer holds a pass on a course that qualifies for one of the models.
  const qualifying = sorted.find((r) => r.result === 'pass' && r.qualifiesFor.some((m) => models.includes(m)));
  if (!qualifying) return { intervals: [] };
  const qualifiedFrom = qualifying.completedOn;
  // Each initial or refresher course governs currency from its day until the next one's day.
  const currency = sorted.filter((r) => r.kind === 'initial' || r.kind === 'refresher');
  const base: { from: string; to: string }[] = [];
  currency.forEach((r, i) => {
    if (r.result !== 'pass') return;
    const next = currency[i + 1]?.completedOn;
    const lapse = lapsesOn(r.completedOn);
    const from = r.completedOn > qualifiedFrom ? r.completedOn : qualifiedFrom;
    const to = next !== undefined && next < lapse ? next : lapse;
    if (from < to) base.push({ from, to });
  });
  // Join touching intervals (a refresher passed before the last one lapsed).
  const joined: { from: string; to: string }[] = [];
  for (const b of base) {
    const last = joined[joined.length - 1];
    if (last && b.from <= last.to) last.to = b.to > last.to ? b.to : last.to;
    else joined.push({ ...b });
  }
  // Take out the days a suspension or withdrawal was in force.
  let intervals: { from: string; to: string | null }[] = joined;
  for (const r of restrictions) {
    if (r.to !== null && r.to <= r.from) continue; // never in force
    const out: { from: string; to: string | null }[] = [];
    for (const i of intervals) {
      const before = { from: i.from, to: i.to === null || r.from < i.to ? r.from : i.to };
      if (before.from < (before.to as string)) out.push(before);
      if (r.to !== null && (i.to === null || r.to < i.to)) {
        const after = { from: r.to > i.from ? r.to : i.from, to: i.to };
        if (after.to === null || after.from < after.to) out.push(after);
      }
    }
    intervals = out;
  }
  intervals.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return { intervals };
}

/** Whether the history says authorised on the day. */
export function authorisedIn(history: AuthorityHistory, on: string): boolean {
  for (const i of history.intervals) {
    if (on < i.from) return false;
    if (i.to === null || on < i.to) return true;
  }
  return false;
}

/** The first day the officer was ever authorised, or null. */
export const firstAuthorisedOn = (history: AuthorityHistory) => history.intervals[0]?.from ?? null;
