import type { RawRecord, RowError } from '../../csv.js';

/** What a device logs. The same list as the reconciliation's LogEventKind. */
export const LOG_EVENT_KINDS = ['armed', 'safe', 'trigger', 'arc', 'time_sync', 'other'] as const;
export type LogEventKind = (typeof LOG_EVENT_KINDS)[number];

/**
 * One entry of a device's log, whatever layout it came in: the reconciliation's LogEvent
 * (sequence, deviceTime, event, durationS, bay, cartridgeSerial, trueTime) with the device,
 * battery and temperature, and where it was in the file.
 */
export interface DeviceLogRow {
  line: number;
  /** Letters, digits and hyphens, in capitals. */
  deviceSerial: string;
  /** The device's entry number: with the serial, it names the entry. */
  sequence: number;
  /** The device's clock, `YYYY-MM-DD HH:MM:SS` (UTC, no zone); before 2001 the clock had been reset. */
  deviceTime: string;
  event: LogEventKind;
  /** Seconds: a trigger's or arc's length, or how long the device was armed (on safe). */
  durationS: number | null;
  bay: number | null;
  cartridgeSerial: string | null;
  batteryPct: number | null;
  temperatureC: number | null;
  /** On time_sync only: the right UTC instant (ISO 8601, `…Z`) when the clock was set. */
  trueTime: string | null;
  /** Set when the same entry, with the same values, came earlier in the file (on this line): it is read once. */
  repeatOf?: number;
}

/** Turns one data row into an entry, or pushes every problem in it (line and column) to `errors` and returns null. */
export type LogRowReader = (record: RawRecord, errors: RowError[]) => DeviceLogRow | null;

/** A layout of log file: Cedar's canonical CSV, or a vendor's export. */
export interface LogLayout {
  name: string;
  /** The columns, as a help text or an error message lists them. */
  columns: readonly string[];
  /** Whether a header row (names lower-cased, spaces and hyphens as underscores) is this layout's. */
  recognises(keys: readonly string[]): boolean;
  /** Reads the header row: a row reader, or the header's problems (unknown or missing columns). */
  open(header: RawRecord): { reader: LogRowReader | null; errors: RowError[] };
}
