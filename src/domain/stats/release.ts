/**
 * Monthly releases of the force's Taser figures, for the public transparency pages. Pure.
 *
 * A release covers the financial year to date: from 1 April to the end of the month it is
 * for, counted afresh each time, so reports that arrive late (or are corrected) are
 * reconciled into the months they belong to. A published release never changes; the next
 * release states its revisions: for each month both releases cover, how its count moved
 * ("April 2026: +12 late reports").
 *
 * A release's snapshot holds counts and category labels only — nothing about an officer, a
 * device, an incident or a subject beyond the published categories.
 */
import type { CedCounts, Dimension } from './counting.js';
import { canonicalJson } from '../audit.js';
import { CED_COUNT_FIELDS } from './counting.js';
import { isoDateOf, monthLabel, MONTH_NAMES, previousDay } from '../calendar.js';
import { financialYearOf, PeriodError, type Period } from './periods.js';

/** The breakdowns a release publishes, in page order. */
export const RELEASE_DIMENSIONS: readonly Dimension[] = [
  'level',
  'discharge',
  'borough',
  'ageBand',
  'gender',
  'ethnicity',
  'reason',
  'impactFactor',
  'location',
  'mainDuty',
  'singleCrewed',
  'outcome',
];

export interface ReleaseRow {
  label: string;
  counts: CedCounts;
}

export interface ReleaseBreakdown {
  dimension: Dimension;
  title: string;
  /** A report can count in several rows (reasons, locations…): the rows add up to more than the total. */
  multiValued: boolean;
  rows: ReleaseRow[];
  total: CedCounts;
}

export interface ReleaseMonth {
  /** `2026-04` */
  key: string;
  /** `April 2026` */
  label: string;
  counts: CedCounts;
}

/** What a release publishes: the figures, fixed when it was prepared. */
export interface ReleaseSnapshot {
  format: 1;
  force: { name: string; region: string };
  /** The month the figures run to, `YYYY-MM`. */
  month: string;
  /** `2026-27` */
  financialYear: string;
  /** First and last day covered, both included. */
  from: string;
  to: string;
  /** `April to October 2026` */
  label: string;
  /** The London day the figures were counted (times are not published). */
  countedOn: string;
  totals: CedCounts;
  months: ReleaseMonth[];
  breakdowns: ReleaseBreakdown[];
  /**
   * Discharges in the period and how many an episode of the device's own event log confirmed
   * (issue 13): counts only. Absent from releases prepared before device logs were reconciled.
   */
  deviceLogs?: { discharges: number; confirmed: number };
}

export interface Revision {
  month: string;
  label: string;
  /** Uses in this month in the previous release and in this one. */
  before: number;
  after: number;
  change: number;
  dischargesBefore: number;
  dischargesAfter: number;
  /** `April 2026: +12 late reports` */
  text: string;
}

export interface Revisions {
  /** The release these revisions are against, or null for the first release. */
  previous: { number: number; month: string } | null;
  months: Revision[];
  /** One line a person reads first. */
  summary: string;
}

/** The release for month `YYYY-MM`: its financial year to date, as a period. Throws `PeriodError` on a bad month. */
export function releasePeriod(month: string): Period & { month: string; financialYear: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(month.trim());
  if (!m) throw new PeriodError(`Enter the month the figures run to as YYYY-MM, like 2026-10 (you entered "${month}")`, month, 'month');
  const year = Number(m[1]);
  const mon = Number(m[2]);
  if (mon < 1 || mon > 12) throw new PeriodError(`${month} is not a month: months run from 01 to 12, like ${year}-04`, month, 'month');
  const first = isoDateOf(year, mon, 1);
  const fy = financialYearOf(first);
  const toExclusive = mon === 12 ? isoDateOf(year + 1, 1, 1) : isoDateOf(year, mon + 1, 1);
  const startMonth = MONTH_NAMES[3]!;
  const endMonth = MONTH_NAMES[mon - 1]!;
  const startYear = Number(fy.key.slice(0, 4));
  const label = mon === 4 ? `April ${year}` : startYear === year ? `${startMonth} to ${endMonth} ${year}` : `${startMonth} ${startYear} to ${endMonth} ${year}`;
  return { kind: 'range', label, from: isoDateOf(startYear, 4, 1), toExclusive, month: `${m[1]}-${m[2]}`, financialYear: fy.key };
}

/**
 * A release is for a month from the force's first recorded use of force (`firstUseDay`, the
 * London day of the earliest incident Cedar holds, recorded or imported; null when there is
 * none) to the last month that has ended in London. Anything else is refused, naming the
 * months that may be released.
 */
export function checkReleaseMonth(month: string, today: string, firstUseDay: string | null): Period & { month: string; financialYear: string } {
  const p = releasePeriod(month);
  const range = releasableMonths(today, firstUseDay);
  if (!range) throw new PeriodError('No uses of force are recorded yet, so there is nothing to release: record or import uses of force first', month, 'month');
  const { first, last } = range;
  if (first > last) {
    throw new PeriodError(
      `The force's first recorded use of force is in ${monthLabel(first)}, which has not ended yet: the first release can be for ${monthLabel(first)} once it has ended`,
      month,
      'month',
    );
  }
  const choose = first === last ? `The only month that can be released is ${monthLabel(first)}` : `Choose a month from ${monthLabel(first)} to ${monthLabel(last)}`;
  if (p.month > last) throw new PeriodError(`${monthLabel(p.month)} has not ended yet: a release covers whole months. ${choose}`, month, 'month');
  if (p.month < first) throw new PeriodError(`${monthLabel(p.month)} is before the force's first recorded use of force (${monthLabel(first)}). ${choose}`, month, 'month');
  return p;
}

/** The months that may be released, `YYYY-MM`: from the first recorded use's month to the last that has ended (`first` may be after `last`), or null when nothing is recorded. */
export function releasableMonths(today: string, firstUseDay: string | null): { first: string; last: string } | null {
  return firstUseDay === null ? null : { first: firstUseDay.slice(0, 7), last: lastCompleteMonth(today) };
}

/**
 * Whether two releases publish the same figures: the same months, totals and breakdowns
 * (when they were counted does not matter).
 */
export function sameFigures(a: ReleaseSnapshot, b: ReleaseSnapshot): boolean {
  const figures = (s: ReleaseSnapshot) => canonicalJson({ month: s.month, from: s.from, to: s.to, totals: s.totals, months: s.months, breakdowns: s.breakdowns });
  return figures(a) === figures(b);
}

/** The longest reason for correcting a release (it is published). */
export const SUPERSEDE_REASON_MAX = 1000;

/**
 * Why a published release is corrected, as the public will read it on both releases: a few
 * words at least (three words, 15 characters), at most 1,000 characters. Returns the reason
 * trimmed, or throws a message saying what to fix.
 */
export function checkSupersedeReason(reason: string): string {
  const r = reason.trim().replace(/\s+/g, ' ');
  if (!r) throw new Error('Enter why the release is being corrected: the public will read it on both releases');
  if (r.split(' ').length < 3 || r.length < 15) throw new Error('Say in a few words why the release is being corrected, like “Uses in Lambeth in May were counted twice”');
  if (r.length > SUPERSEDE_REASON_MAX) throw new Error(`The reason must be ${SUPERSEDE_REASON_MAX.toLocaleString('en-GB')} characters or fewer (it has ${r.length.toLocaleString('en-GB')})`);
  return r;
}

/** The last month that has ended by this London day, `YYYY-MM`. */
export function lastCompleteMonth(today: string): string {
  return previousDay(`${today.slice(0, 8)}01`).slice(0, 7);
}

/** The months a release covers, `YYYY-MM`, in order. */
export function monthsBetween(from: string, toExclusive: string): string[] {
  const out: string[] = [];
  for (let d = `${from.slice(0, 7)}-01`; d < toExclusive; d = firstOfNextMonth(d)) out.push(d.slice(0, 7));
  return out;
}
function firstOfNextMonth(d: string): string {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  return m === 12 ? isoDateOf(y + 1, 1, 1) : isoDateOf(y, m + 1, 1);
}

const signed = (n: number) => (n > 0 ? `+${n}` : `\u2212${-n}`);

/**
 * How this release's months differ from the previous published release's. Only months both
 * cover are compared (a new financial year starts afresh); unchanged months are left out.
 */
export function revisionsBetween(previous: { number: number; snapshot: ReleaseSnapshot } | null, next: ReleaseSnapshot): Revisions {
  if (!previous) return { previous: null, months: [], summary: 'This is the first release: there is nothing to revise.' };
  const before = new Map(previous.snapshot.months.map((m) => [m.key, m]));
  const months: Revision[] = [];
  for (const m of next.months) {
    const p = before.get(m.key);
    if (!p) continue;
    const change = m.counts.total - p.counts.total;
    const levelsMoved = CED_COUNT_FIELDS.some((f) => m.counts[f] !== p.counts[f]);
    if (!levelsMoved) continue;
    const text =
      change > 0
        ? `${m.label}: ${signed(change)} late report${change === 1 ? '' : 's'}`
        : change < 0
          ? `${m.label}: ${signed(change)} (report${change === -1 ? '' : 's'} corrected or withdrawn)`
          : `${m.label}: levels of use revised, total unchanged`;
    months.push({ month: m.key, label: m.label, before: p.counts.total, after: m.counts.total, change, dischargesBefore: p.counts.discharge, dischargesAfter: m.counts.discharge, text });
  }
  const ref = `release ${previous.number} (${monthLabel(previous.snapshot.month)})`;
  const overlap = next.months.some((m) => before.has(m.key));
  const summary = !overlap
    ? `Release ${previous.number} covered ${previous.snapshot.financialYear}; this release starts ${next.financialYear}, so no months are revised.`
    : months.length === 0
      ? `No revisions since ${ref}.`
      : `Revised since ${ref}: ${months.map((m) => m.text).join('; ')}.`;
  return { previous: { number: previous.number, month: previous.snapshot.month }, months, summary };
}
