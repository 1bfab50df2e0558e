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

/** `YYYY-MM-DD HH:MM:SS` as ISO parts when it is a real date and time; null otherwise. */
function realTime(m: RegExpExecArray | null): { ms: number; year: number } | null {
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (y < EARLIEST_YEAR || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? { ms, year: y } : null;
}

/** Checks a row's values (by column name) into an entry; `problem` is told each problem. */
export function readCanonicalValues(v: ReadonlyMap<CanonicalColumn, string>, line: number, problem: (column: CanonicalColumn, message: string) => void): DeviceLogRow | null {
  let bad = false;
  const fail = (column: CanonicalColumn, message: string) => {
    bad = true;
    problem(column, message);
  };
  const get = (c: CanonicalColumn) => v.get(c) ?? '';

  const serial = get('device_serial').toUpperCase();
  if (!serial) fail('device_serial', 'Enter the device serial');
  else if (!LOG_SERIAL_PATTERN.test(serial)) fail('device_serial', `${quoteValue(get('device_serial'))} is not a device serial: up to 30 letters, digits and hyphens`);

  const seqText = get('sequence');
  const sequence = WHOLE.test(seqText) ? Number(seqText) : NaN;
  if (!seqText) fail('sequence', "Enter the entry's sequence number");
  else if (!(sequence >= 1 && sequence <= MAX_SEQUENCE)) fail('sequence', `${quoteValue(seqText)} is not a sequence number: a whole number from 1 to ${MAX_SEQUENCE}`);

  const timeText = get('device_time');
  if (!timeText) fail('device_time', "Enter the device's time, YYYY-MM-DD HH:MM:SS");
  else if (!realTime(DEVICE_TIME.exec(timeText)))
    fail('device_time', `${quoteValue(timeText)} is not a date and time: give the device's clock as YYYY-MM-DD HH:MM:SS (UTC, no zone), a real day and time`);

  const eventText = get('event').toLowerCase();
  const event = (LOG_EVENT_KINDS as readonly string[]).includes(eventText) ? (eventText as LogEventKind) : null;
  if (!event) fail('event', `${quoteValue(get('event'))} is not an event: ${LOG_EVENT_KINDS.join(', ')}`);

  const durText = get('duration_s');
  let durationS: number | null = null;
  if (durText) {
    const d = NUMBER.test(durText) ? Number(durText) : NaN;
    const max = event === 'safe' ? MAX_ARMED_S : MAX_CYCLE_S;
    if (event && event !== 'trigger' && event !== 'arc' && event !== 'safe') fail('duration_s', `A ${event} entry has no duration: leave duration_s blank`);
    else if (!(d >= 0 && d <= max)) fail('duration_s', `${quoteValue(durText)} is not a duration: seconds from 0 to ${max.toLocaleString('en-GB')}`);
    else durationS = d;
  } else if (event === 'trigger' || event === 'arc') fail('duration_s', `Enter the ${event}'s duration in seconds`);

  const optionalWhole = (column: CanonicalColumn, min: number, max: number, what: string): number | null => {
    const text = get(column);
    if (!text) return null;
    const n = WHOLE.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max)) {
      fail(column, `${quoteValue(text)} is not ${what}: a whole number from ${min} to ${max}, or blank`);
      return null;
    }
    return n;
  };
  const bay = optionalWhole('bay', 1, MAX_BAY, 'a bay');
  const batteryPct = optionalWhole('battery_pct', 0, 100, 'a battery percentage');

  const cartText = get('cartridge_serial').toUpperCase();
  if (cartText && !CARTRIDGE_SERIAL_PATTERN.test(cartText))
    fail('cartridge_serial', `${quoteValue(get('cartridge_serial'))} is not a cartridge serial: up to 40 letters, digits and hyphens, or blank`);

  const tempText = get('temperature_c');
  let temperatureC: number | null = null;
  if (tempText) {
    const t = NUMBER.test(tempText) ? Number(tempText) : NaN;
    if (!(t >= TEMPERATURE_RANGE[0] && t <= TEMPERATURE_RANGE[1]))
      fail('temperature_c', `${quoteValue(tempText)} is not a temperature: degrees Celsius from ${TEMPERATURE_RANGE[0]} to ${TEMPERATURE_RANGE[1]}, or blank`);
    else temperatureC = t;
  }

  const trueText = get('true_time');
  let trueTime: string | null = null;
  if (event === 'time_sync') {
    const t = realTime(ISO_UTC.exec(trueText)) ?? realTime(DEVICE_TIME.exec(trueText));
    if (!trueText) fail('true_time', 'A time_sync entry needs the true time it set: ISO 8601 UTC (2026-03-29T01:00:00Z) or YYYY-MM-DD HH:MM:SS (UTC)');
    else if (!t) fail('true_time', `${quoteValue(trueText)} is not a true time: ISO 8601 UTC ending in Z (2026-03-29T01:00:00Z), or YYYY-MM-DD HH:MM:SS taken as UTC`);
    else if (t.year < 2001) fail('true_time', `${quoteValue(trueText)} is before 2001: the true time is the right time when the clock was set`);
    else {
      const ms = ISO_UTC.exec(trueText)?.[7];
      trueTime = new Date(t.ms + (ms ? Math.round(Number(ms) * 1000) : 0)).toISOString();
    }
  } else if (trueText && event) fail('true_time', `Only a time_sync entry has a true time: leave true_time blank on ${event}`);

  if (bad) return null;
  return { line, deviceSerial: serial, sequence, deviceTime: timeText, event: event!, durationS, bay, cartridgeSerial: cartText || null, batteryPct, temperatureC, trueTime };
}

export const CANONICAL_LAYOUT: LogLayout = {
  name: 'canonical',
  columns: CANONICAL_COLUMNS,
  recognises: (keys) => keys.includes('device_serial') && keys.includes('sequence'),
  open(header: RawRecord) {
    const h = readCsvHeader(header, [], CANONICAL_COLUMNS, CANONICAL_COLUMNS);
    if (h.fatal || h.errors.length) return { reader: null, errors: h.errors };
    return {
      errors: [],
      reader: (record) => {
        const values = rowValues(record, h.header);
        if ('error' in values) return { errors: [values.error] };
        const errors: RowError[] = [];
        const row = readCanonicalValues(values.values, record.line, (column, message) => errors.push({ line: record.line, column, message }));
        return row ? { row } : { errors };
      },
    };
  },
};
