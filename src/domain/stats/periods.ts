import { dayLabel, isoDateOf, londonMidnightUtc, MAX_YEAR, MIN_YEAR, MONTH_NAMES, nextDay, pad2, pad4, parseIsoDate, previousDay } from '../calendar.js';

/**
 * Reporting periods. Every period is a run of whole London days, `from` inclusive to
 * `toExclusive` exclusive, both `YYYY-MM-DD`. A report belongs to a period by its London
 * date (`londonDate`), never by its UTC date: an incident at 00:30 BST on 1 April is
 * 23:30Z on 31 March, and it counts in April.
 *
 * Accepted period arguments:
 *   financial year  `2019-20` (also `2019/20`, `2019-2020`): 1 April 2019 to 31 March 2020
 *   calendar year   `2019`
 *   month           `2019-04`
 *   quarter         `2019-Q1` (calendar quarters: Q1 is January to March)
 *   range           `{ from: '2019-04-01', to: '2019-04-30' }`, both days included
 *
 * `YYYY-YY` reads as a financial year whenever the second part is the next year's last two
 * digits, so `2010-11` is the financial year 2010-11, never November 2010 (only 2000-2011
 * are affected; give such a month as a range).
 */

export type PeriodKind = 'financial_year' | 'calendar_year' | 'month' | 'quarter' | 'range';

export interface Period {
  kind: PeriodKind;
  /** How people read it: `2019-20`, `2019`, `April 2019`, `January to March 2019`, `1 April 2019 to 31 March 2020`. */
  label: string;
  /** First London day in the period. */
  from: string;
  /** The London day after the last day in the period. */
  toExclusive: string;
}

/** A period argument a person gave that Cedar cannot use. `field` says which input to correct. */
export class PeriodError extends Error {
  override readonly name = 'PeriodError';
  constructor(
    message: string,
    readonly input: string,
    readonly field: 'period' | 'from' | 'to' | 'month' = 'period',
  ) {
    super(message);
  }
}

const EXAMPLES = 'Enter a financial year like 2019-20, a calendar year like 2019, a month like 2019-04, a quarter like 2019-Q1, or a from and to date like 2019-04-01 and 2020-03-31';

const yearOutOfRange = (input: string, year: number) =>
  year < MIN_YEAR || year > MAX_YEAR ? new PeriodError(`${input} is outside the years Cedar can count (${MIN_YEAR} to ${MAX_YEAR}). ${EXAMPLES}`, input) : null;

/** The period a person asked for. Throws `PeriodError` with a message saying what to enter instead. */
export function parsePeriod(input: string | { from: string; to: string }): Period {
  if (typeof input !== 'string') return periodFromRange(input.from, input.to);
  const text = input.trim();
  if (text === '') throw new PeriodError(`Enter a period. ${EXAMPLES}`, input);

  let m = /^(\d{4})$/.exec(text);
  if (m) {
    const year = Number(m[1]);
    const bad = yearOutOfRange(text, year);
    if (bad) throw bad;
    return calendarYearPeriod(year);
  }

  m = /^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$/.exec(text);
  if (m) {
    const year = Number(m[1]);
    const second = m[2]!;
    const bad = yearOutOfRange(text, year);
    if (bad) throw bad;
    const fySecond = second.length === 4 ? String(year + 1) : pad2((year + 1) % 100);
    if (second === fySecond) return financialYearPeriod(year);
    if (second.length === 2 && !text.includes('/')) {
      const month = Number(second);
      if (month >= 1 && month <= 12) return monthPeriod(year, month);
      throw new PeriodError(
        `${text} is neither a financial year nor a month. A financial year's second part is the last two digits of the next year (${year}-${pad2((year + 1) % 100)}); a month runs from 01 to 12 (${year}-04). ${EXAMPLES}`,
        input,
      );
    }
    throw new PeriodError(
      `${text} is not a financial year: the second part must be the year after ${year}, as in ${year}-${pad2((year + 1) % 100)} (1 April ${year} to 31 March ${year + 1}). Enter a financial year like 2019-20`,
      input,
    );
  }

  m = /^(\d{4})\s*-?\s*Q(\d)$/i.exec(text);
  if (m) {
    const year = Number(m[1]);
    const quarter = Number(m[2]);
    const bad = yearOutOfRange(text, year);
    if (bad) throw bad;
    if (quarter < 1 || quarter > 4) throw new PeriodError(`${text} is not a quarter: quarters run from Q1 (January to March) to Q4 (October to December). Enter a quarter like ${year}-Q1`, input);
    return quarterPeriod(year, quarter);
  }

  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    throw new PeriodError(`${text} is a single day. To count days, give a from and a to date (both included), like 2019-04-01 and 2019-04-30`, input);
  }
  throw new PeriodError(`${text} is not a period Cedar understands. ${EXAMPLES}`, input);
}

/** A run of days, both included. Throws `PeriodError` naming the date to correct. */
export function periodFromRange(from: string, to: string): Period {
  const f = (from ?? '').trim();
  const t = (to ?? '').trim();
  if (f === '') throw new PeriodError('Enter the from date, like 2019-04-01', from ?? '', 'from');
  if (t === '') throw new PeriodError('Enter the to date, like 2020-03-31', to ?? '', 'to');
  if (!parseIsoDate(f)) throw new PeriodError(`The from date ${f} is not a real date in the form YYYY-MM-DD. Enter a date like 2019-04-01`, from, 'from');
  if (!parseIsoDate(t)) throw new PeriodError(`The to date ${t} is not a real date in the form YYYY-MM-DD. Enter a date like 2020-03-31`, to, 'to');
  if (f > t) throw new PeriodError(`The from date (${f}) is after the to date (${t}). Enter a from date on or before the to date`, from, 'from');
  return { kind: 'range', label: `${dayLabel(f)} to ${dayLabel(t)}`, from: f, toExclusive: nextDay(t) };
}

export function financialYearPeriod(startYear: number): Period {
  return { kind: 'financial_year', label: financialYearLabel(startYear), from: isoDateOf(startYear, 4, 1), toExclusive: isoDateOf(startYear + 1, 4, 1) };
}
export function calendarYearPeriod(year: number): Period {
  return { kind: 'calendar_year', label: String(year), from: isoDateOf(year, 1, 1), toExclusive: isoDateOf(year + 1, 1, 1) };
}
export function monthPeriod(year: number, month: number): Period {
  return {
    kind: 'month',
    label: `${MONTH_NAMES[month - 1]} ${year}`,
    from: isoDateOf(year, month, 1),
    toExclusive: month === 12 ? isoDateOf(year + 1, 1, 1) : isoDateOf(year, month + 1, 1),
  };
}
export function quarterPeriod(year: number, quarter: number): Period {
  const first = (quarter - 1) * 3 + 1;
  return {
    kind: 'quarter',
    label: quarterLabel(year, quarter),
    from: isoDateOf(year, first, 1),
    toExclusive: quarter === 4 ? isoDateOf(year + 1, 1, 1) : isoDateOf(year, first + 3, 1),
  };
}

const financialYearLabel = (startYear: number) => `${startYear}-${pad2((startYear + 1) % 100)}`;
const quarterLabel = (year: number, quarter: number) => `${MONTH_NAMES[(quarter - 1) * 3]} to ${MONTH_NAMES[(quarter - 1) * 3 + 2]} ${year}`;

/**
 * The last day of each month in the period, up to `today`: for a month not yet over, today
 * stands for its end. Empty when the period starts after today.
 */
export function monthEndsIn(p: Period, today: string): string[] {
  const out: string[] = [];
  let [y, m] = p.from.split('-').map(Number) as [number, number];
  for (;;) {
    const month = monthPeriod(y, m);
    if (month.from >= p.toExclusive || month.from > today) break;
    const end = previousDay(month.toExclusive < p.toExclusive ? month.toExclusive : p.toExclusive);
    out.push(end < today ? end : today);
    if (++m > 12) [y, m] = [y + 1, 1];
  }
  return out;
}

/** The last day in the period (inclusive). */
export const lastDayOf = (p: Period) => previousDay(p.toExclusive);

/** Whether a London date falls in the period. Plain string comparison: no allocation. */
export const periodContains = (p: Period, londonDay: string) => londonDay >= p.from && londonDay < p.toExclusive;

// ---------------------------------------------------------------------------------------
// Periods as UTC instants

/**
 * The period as UTC instants, for querying stored instants:
 * `from <= occurredAt < toExclusive`. Midnight in London at each end, so the bounds move
 * with British Summer Time (a period starting 1 April starts at 23:00Z on 31 March).
 */
export function periodInstants(p: Period): { from: string; toExclusive: string } {
  return { from: londonMidnightUtc(p.from), toExclusive: londonMidnightUtc(p.toExclusive) };
}

// ---------------------------------------------------------------------------------------
// Buckets: which month / quarter / financial year / calendar year a London day falls in.

export const PERIOD_UNITS = ['month', 'quarter', 'financial_year', 'calendar_year'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

export const PERIOD_UNIT_LABELS: Record<PeriodUnit, string> = {
  month: 'Month',
  quarter: 'Quarter',
  financial_year: 'Financial year',
  calendar_year: 'Calendar year',
};

/**
 * A bucket as one integer, for counting without allocating: months since year 0,
 * quarters since year 0, or the (starting) year. Returns -1 when the day is not a
 * well-formed `YYYY-MM-DD`. The day of the month is not checked (cheaply: it is not needed).
 */
export function bucketIndex(londonDay: string, unit: PeriodUnit): number {
  if (londonDay.length !== 10 || londonDay.charCodeAt(4) !== 45 || londonDay.charCodeAt(7) !== 45) return -1;
  const y0 = londonDay.charCodeAt(0) - 48;
  const y1 = londonDay.charCodeAt(1) - 48;
  const y2 = londonDay.charCodeAt(2) - 48;
  const y3 = londonDay.charCodeAt(3) - 48;
  const m0 = londonDay.charCodeAt(5) - 48;
  const m1 = londonDay.charCodeAt(6) - 48;
  if ((y0 | y1 | y2 | y3 | m0 | m1) < 0 || y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 1 || m1 > 9) return -1;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  if (month < 1 || month > 12) return -1;
  switch (unit) {
    case 'month':
      return year * 12 + month - 1;
    case 'quarter':
      return year * 4 + (((month - 1) / 3) | 0);
    case 'financial_year':
      return month >= 4 ? year : year - 1;
    case 'calendar_year':
      return year;
  }
}

/** The bucket's key (sorts chronologically as text) and label. */
export function bucketOfIndex(index: number, unit: PeriodUnit): { key: string; label: string } {
  switch (unit) {
    case 'month': {
      const year = Math.floor(index / 12);
      const month = (index % 12) + 1;
      return { key: `${pad4(year)}-${pad2(month)}`, label: `${MONTH_NAMES[month - 1]} ${year}` };
    }
    case 'quarter': {
      const year = Math.floor(index / 4);
      const quarter = (index % 4) + 1;
      return { key: `${pad4(year)}-Q${quarter}`, label: quarterLabel(year, quarter) };
    }
    case 'financial_year':
      return { key: financialYearLabel(index), label: financialYearLabel(index) };
    case 'calendar_year':
      return { key: pad4(index), label: String(index) };
  }
}

/** The bucket a London day falls in: `bucketOf('2020-03-31', 'financial_year')` is `{ key: '2019-20', label: '2019-20' }`. */
export function bucketOf(londonDay: string, unit: PeriodUnit): { key: string; label: string } {
  if (!parseIsoDate(londonDay)) throw new RangeError(`${londonDay} is not a date in the form YYYY-MM-DD`);
  return bucketOfIndex(bucketIndex(londonDay, unit), unit);
}

export const monthOf = (londonDay: string) => bucketOf(londonDay, 'month');
export const quarterOf = (londonDay: string) => bucketOf(londonDay, 'quarter');
export const financialYearOf = (londonDay: string) => bucketOf(londonDay, 'financial_year');
export const calendarYearOf = (londonDay: string) => bucketOf(londonDay, 'calendar_year');

/** The bucket indexes a period touches, first to last (a range may start or end part-way through a bucket). */
export function bucketIndexesOf(p: Period, unit: PeriodUnit): { first: number; last: number } {
  return { first: bucketIndex(p.from, unit), last: bucketIndex(lastDayOf(p), unit) };
}
