/**
 * Cedar's canonical device log CSV (issue 13), one row per log entry:
 *
 *   device_serial,sequence,device_time,event,duration_s,bay,cartridge_serial,battery_pct,temperature_c,true_time
 *
 * Columns in any order and any case; every one must be there (blank values where the device
 * recorded nothing). The rules for each value are in `readCanonicalValues`.
 */
import { quoteValue, readCsvHeader, rowValues, type RawRecord, type RowError } from '../../csv.js';
import { LOG_EVENT_KINDS, type DeviceLogRow, type LogEventKind, type LogLayout } from './layout.js';

export const CANONICAL_COLUMNS = ['device_serial', 'sequence', 'device_time', 'event', 'duration_s', 'bay', 'cartridge_serial', 'battery_pct', 'temperature_c', 'true_time'] as const;
export type CanonicalColumn = (typeof CANONICAL_COLUMNS)[number];

/** A device's serial: letters, digits and hyphens, at most 30, kept in capitals. */
export const LOG_SERIAL_PATTERN = /^[A-Z0-9][A-Z0-9-]{0,29}$/;
const CARTRIDGE_SERIAL_PATTERN = /^[A-Z0-9][A-Z0-9-]{0,39}$/;
const DEVICE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const WHOLE = /^\d+$/;

/** The largest entry number (PostgreSQL's integer). */
export const MAX_SEQUENCE = 2_147_483_647;
/** A trigger or arc longer than 10 minutes is not a reading. */
export const MAX_CYCLE_S = 600;
/** A device armed for longer than a day is not a reading. */
export const MAX_ARMED_S = 86_400;
export const MAX_BAY = 99;
export const TEMPERATURE_RANGE = [-50, 100] as const;
/** Device clocks start at 1970 at the earliest (a reset clock reads 2000-01-01). */
const EARLIEST_YEAR = 1970;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The instant (ms) of a real date and time matched by DEVICE_TIME or ISO_UTC; NaN otherwise. */
function realTime(m: RegExpExecArray | null): number {
  if (!m) return NaN;
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  const h = +m[4]!;
  const mi = +m[5]!;
  const s = +m[6]!;
  if (y < EARLIEST_YEAR || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return NaN;
  const leap = mo === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0);
  if (d > DAYS_IN_MONTH[mo - 1]! + (leap ? 1 : 0)) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** Where each column is in a row. */
export type CanonicalPositions = Readonly<Record<CanonicalColumn, number>>;

function problem(errors: RowError[], line: number, column: CanonicalColumn, message: string): null {
  errors.push({ line, column, message });
  return null;
}

/** An optional whole number from min to max; undefined (after saying why) when it is not one. */
function optionalWhole(text: string, min: number, max: number, what: string, errors: RowError[], line: number, column: CanonicalColumn): number | null | undefined {
  if (text === '') return null;
  const n = WHOLE.test(text) ? +text : NaN;
  if (n >= min && n <= max) return n;
  problem(errors, line, column, `${quoteValue(text)} is not ${what}: a whole number from ${min} to ${max}, or blank`);
  return undefined;
}

const EVENTS: ReadonlyMap<string, LogEventKind> = new Map(LOG_EVENT_KINDS.map((e) => [e, e]));

/**
 * Checks one row's values (trimmed, by position) into an entry, or pushes every problem in it
 * (with line and column) to `errors` and returns null. Written without closures or maps per
 * row: it runs millions of times an import.
 */
export function readCanonicalRow(fields: readonly string[], at: CanonicalPositions, line: number, errors: RowError[]): DeviceLogRow | null {
  const before = errors.length;

  const rawSerial = fields[at.device_serial]!.trim();
  const serial = rawSerial.toUpperCase();
  if (!serial) problem(errors, line, 'device_serial', 'Enter the device serial');
  else if (!LOG_SERIAL_PATTERN.test(serial)) problem(errors, line, 'device_serial', `${quoteValue(rawSerial)} is not a device serial: up to 30 letters, digits and hyphens`);

  const seqText = fields[at.sequence]!.trim();
  const sequence = WHOLE.test(seqText) ? +seqText : NaN;
  if (!seqText) problem(errors, line, 'sequence', "Enter the entry's sequence number");
  else if (!(sequence >= 1 && sequence <= MAX_SEQUENCE)) problem(errors, line, 'sequence', `${quoteValue(seqText)} is not a sequence number: a whole number from 1 to ${MAX_SEQUENCE}`);

  const timeText = fields[at.device_time]!.trim();
  if (!timeText) problem(errors, line, 'device_time', "Enter the device's time, YYYY-MM-DD HH:MM:SS");
  else if (Number.isNaN(realTime(DEVICE_TIME.exec(timeText))))
    problem(errors, line, 'device_time', `${quoteValue(timeText)} is not a date and time: give the device's clock as YYYY-MM-DD HH:MM:SS (UTC, no zone), a real day and time`);

  const rawEvent = fields[at.event]!.trim();
  const event = EVENTS.get(rawEvent) ?? EVENTS.get(rawEvent.toLowerCase()) ?? null;
  if (!event) problem(errors, line, 'event', `${quoteValue(rawEvent)} is not an event: ${LOG_EVENT_KINDS.join(', ')}`);

  const durText = fields[at.duration_s]!.trim();
  let durationS: number | null = null;
  if (durText) {
    const d = NUMBER.test(durText) ? +durText : NaN;
    const max = event === 'safe' ? MAX_ARMED_S : MAX_CYCLE_S;
    if (event && event !== 'trigger' && event !== 'arc' && event !== 'safe') problem(errors, line, 'duration_s', `A ${event} entry has no duration: leave duration_s blank`);
    else if (!(d >= 0 && d <= max)) problem(errors, line, 'duration_s', `${quoteValue(durText)} is not a duration: seconds from 0 to ${max.toLocaleString('en-GB')}`);
    else durationS = d;
  } else if (event === 'trigger' || event === 'arc') problem(errors, line, 'duration_s', `Enter the ${event}'s duration in seconds`);

  const bay = optionalWhole(fields[at.bay]!.trim(), 1, MAX_BAY, 'a bay', errors, line, 'bay');
  const batteryPct = optionalWhole(fields[at.battery_pct]!.trim(), 0, 100, 'a battery percentage', errors, line, 'battery_pct');

  const rawCartridge = fields[at.cartridge_serial]!.trim();
  const cartridge = rawCartridge.toUpperCase();
  if (cartridge && !CARTRIDGE_SERIAL_PATTERN.test(cartridge))
    problem(errors, line, 'cartridge_serial', `${quoteValue(rawCartridge)} is not a cartridge serial: up to 40 letters, digits and hyphens, or blank`);

  const tempText = fields[at.temperature_c]!.trim();
  let temperatureC: number | null = null;
  if (tempText) {
    const t = NUMBER.test(tempText) ? +tempText : NaN;
    if (!(t >= TEMPERATURE_RANGE[0] && t <= TEMPERATURE_RANGE[1]))
      problem(errors, line, 'temperature_c', `${quoteValue(tempText)} is not a temperature: degrees Celsius from ${TEMPERATURE_RANGE[0]} to ${TEMPERATURE_RANGE[1]}, or blank`);
    else temperatureC = t;
  }

  const trueText = fields[at.true_time]!.trim();
  let trueTime: string | null = null;
  if (event === 'time_sync') {
    const iso = ISO_UTC.exec(trueText);
    const t = iso ? realTime(iso) : realTime(DEVICE_TIME.exec(trueText));
    if (!trueText) problem(errors, line, 'true_time', 'A time_sync entry needs the true time it set: ISO 8601 UTC (2026-03-29T01:00:00Z) or YYYY-MM-DD HH:MM:SS (UTC)');
    else if (Number.isNaN(t)) problem(errors, line, 'true_time', `${quoteValue(trueText)} is not a true time: ISO 8601 UTC ending in Z (2026-03-29T01:00:00Z), or YYYY-MM-DD HH:MM:SS taken as UTC`);
    else if (t < Date.UTC(2001, 0, 1)) problem(errors, line, 'true_time', `${quoteValue(trueText)} is before 2001: the true time is the right time when the clock was set`);
    else trueTime = new Date(t + (iso?.[7] ? Math.round(+iso[7] * 1000) : 0)).toISOString();
  } else if (trueText && event) problem(errors, line, 'true_time', `Only a time_sync entry has a true time: leave true_time blank on ${event}`);

  if (errors.length > before || bay === undefined || batteryPct === undefined) return null;
  return { line, deviceSerial: serial, sequence, deviceTime: timeText, event: event!, durationS, bay, cartridgeSerial: cartridge || null, batteryPct, temperatureC, trueTime };
}

export const CANONICAL_LAYOUT: LogLayout = {
  name: 'canonical',
  columns: CANONICAL_COLUMNS,
  recognises: (keys) => keys.includes('device_serial') && keys.includes('sequence'),
  open(header: RawRecord) {
    const h = readCsvHeader(header, [], CANONICAL_COLUMNS, CANONICAL_COLUMNS);
    if (h.fatal || h.errors.length) return { reader: null, errors: h.errors };
    const at = Object.fromEntries(CANONICAL_COLUMNS.map((c) => [c, h.header.positions.indexOf(c)])) as Record<CanonicalColumn, number>;
    const width = h.header.positions.length;
    const unnamed = h.header.unnamed;
    return {
      errors: [],
      reader: (record: RawRecord, errors: RowError[]) => {
        if (record.fields.length !== width) {
          // The message rowValues gives, for the same mistake in any Cedar import.
          const checked = rowValues(record, h.header);
          if ('error' in checked) errors.push(checked.error);
          return null;
        }
        for (const i of unnamed) {
          if (record.fields[i]!.trim() !== '') {
            errors.push({ line: record.line, column: null, message: `Column ${i + 1} has a value but no name in the header row: name it, or delete the column` });
            return null;
          }
        }
        return readCanonicalRow(record.fields, at, record.line, errors);
      },
    };
  },
};
