/**
 * The calendar: `YYYY-MM-DD` days and `YYYY-MM` months counted forwards and backwards, their
 * names, and the London clock (Europe/London, GMT or BST) against UTC instants. Pure: the
 * present instant is always passed in. Reporting periods (statistics) build on this in
 * stats/periods.ts.
 */

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** The years Cedar reads dates in. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9998;

export const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
export const pad4 = (n: number) => String(n).padStart(4, '0');
export const isoDateOf = (year: number, month: number, day: number) => `${pad4(year)}-${pad2(month)}-${pad2(day)}`;

export const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `YYYY-MM-DD` that names a real day (leap years included), or null. */
export function parseIsoDate(text: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** The day after a `YYYY-MM-DD` day. */
export function nextDay(date: string): string {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`${date} is not a date in the form YYYY-MM-DD`);
  if (d.day < daysInMonth(d.year, d.month)) return isoDateOf(d.year, d.month, d.day + 1);
  return d.month < 12 ? isoDateOf(d.year, d.month + 1, 1) : isoDateOf(d.year + 1, 1, 1);
}

/** The day before a `YYYY-MM-DD` day. */
export function previousDay(date: string): string {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`${date} is not a date in the form YYYY-MM-DD`);
  if (d.day > 1) return isoDateOf(d.year, d.month, d.day - 1);
  return d.month > 1 ? isoDateOf(d.year, d.month - 1, daysInMonth(d.year, d.month - 1)) : isoDateOf(d.year - 1, 12, 31);
}

/** 'YYYY-MM' of a `YYYY-MM-DD` day. */
export const monthOfDay = (day: string) => day.slice(0, 7);

/** Months counted from year 0, so months can be subtracted and added. */
export function monthNumber(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

/** The 'YYYY-MM' month of a monthNumber. */
export function monthFromNumber(n: number): string {
  return `${pad4(Math.floor(n / 12))}-${pad2((n % 12) + 1)}`;
}

/** 'September 2026' */
export const monthLabel = (month: string) => `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
/** 'Sep 2026', for chart axes. */
export const shortMonthLabel = (month: string) => `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]!.slice(0, 3)} ${month.slice(0, 4)}`;

/** The last day of a 'YYYY-MM' month. */
export function lastDayOfMonth(month: string): string {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return isoDateOf(year, m, daysInMonth(year, m));
}

/** The day `n` days after (or before, for negative `n`) a `YYYY-MM-DD` day. */
export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** 1 April 2019 */
export function dayLabel(date: string): string {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`${date} is not a date in the form YYYY-MM-DD`);
  return `${d.day} ${MONTH_NAMES[d.month - 1]} ${d.year}`;
}

// ---------------------------------------------------------------------------------------
// London days and UTC instants

const londonFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The London calendar day (Europe/London, BST or GMT) of a UTC instant, as `YYYY-MM-DD`. */
export function londonDate(instant: string | Date): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(at.getTime())) throw new RangeError(`${String(instant)} is not a valid instant: give an ISO-8601 date and time, like 2019-03-31T23:30:00Z`);
  let year = '';
  let month = '';
  let day = '';
  for (const p of londonFormat.formatToParts(at)) {
    if (p.type === 'year') year = p.value;
    else if (p.type === 'month') month = p.value;
    else if (p.type === 'day') day = p.value;
  }
  return `${year.padStart(4, '0')}-${month}-${day}`;
}

/** The UTC instant at which a London day starts (midnight in London), as ISO-8601. */
export function londonMidnightUtc(londonDay: string): string {
  if (!parseIsoDate(londonDay)) throw new RangeError(`${londonDay} is not a date in the form YYYY-MM-DD`);
  return londonInstant(londonDay, '00:00').toISOString();
}

/**
 * A London date and time (as a London clock showed it) as a UTC instant.
 * Handles the clock changes: 01:30 on the day BST starts does not exist and is read as 02:30.
 */
export function londonInstant(date: string, time: string): Date {
  const guess = new Date(`${date}T${time}:00Z`);
  const offsetMinutes = londonOffsetMinutes(guess);
  const first = new Date(guess.getTime() - offsetMinutes * 60_000);
  const second = londonOffsetMinutes(first);
  return second === offsetMinutes ? first : new Date(guess.getTime() - second * 60_000);
}

// One formatter for all calls: building an Intl.DateTimeFormat costs far more than using one.
const LONDON_OFFSET = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'shortOffset' });

/**
 * London's clocks change on the hour (01:00 UTC), so the offset is the same for a whole UTC
 * hour: it is worked out once per hour seen (an import of a year's rows asks for it 300,000
 * times, and formatToParts was a tenth of the import's time).
 */
const OFFSET_BY_HOUR = new Map<number, number>();

/** Minutes London is ahead of UTC at an instant (0 in GMT, 60 in BST). */
export function londonOffsetMinutes(at: Date): number {
  const hour = Math.floor(at.getTime() / 3_600_000);
  const known = OFFSET_BY_HOUR.get(hour);
  if (known !== undefined) return known;
  const parts = LONDON_OFFSET.formatToParts(at);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d+)(?::(\d+))?/.exec(name);
  const offset = m ? Number(m[1]) * 60 + Math.sign(Number(m[1])) * Number(m[2] ?? 0) : 0;
  if (OFFSET_BY_HOUR.size >= 200_000) OFFSET_BY_HOUR.clear();
  OFFSET_BY_HOUR.set(hour, offset);
  return offset;
}
