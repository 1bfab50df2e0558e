import { CANONICAL_COLUMNS } from '../../src/domain/devices/log-formats/index.js';

/* Builders of device event log files (issue 13), in Cedar's canonical CSV. */

export type LogColumn = (typeof CANONICAL_COLUMNS)[number];
export type LogLine = Partial<Record<LogColumn, string | number>>;

export const LOG_HEADER = CANONICAL_COLUMNS.join(',');

/** One entry: a 5-second trigger at 10:00 on 1 March 2027, unless told otherwise. */
export function logLine(over: LogLine = {}): string {
  const base: Record<LogColumn, string | number> = {
    device_serial: 'X2L0001',
    sequence: 1,
    device_time: '2027-03-01 10:00:00',
    event: 'trigger',
    duration_s: 5,
    bay: 1,
    cartridge_serial: '',
    battery_pct: 90,
    temperature_c: 14,
    true_time: '',
  };
  return CANONICAL_COLUMNS.map((c) => String(over[c] ?? base[c])).join(',');
}

/** A whole file: the header and the lines. */
export function logCsv(lines: readonly LogLine[]): string {
  return `${[LOG_HEADER, ...lines.map(logLine)].join('\n')}\n`;
}

/**
 * A device's entries `from`..`to` (sequence numbers), a minute apart from `start` (device
 * time), going armed, trigger (5 s), safe, then a time sync, over and over.
 */
export function entries(serial: string, from: number, to: number, start = '2027-03-01T10:00:00Z'): LogLine[] {
  const out: LogLine[] = [];
  for (let s = from; s <= to; s++) {
    const at = new Date(Date.parse(start) + (s - 1) * 60_000);
    const deviceTime = at.toISOString().slice(0, 19).replace('T', ' ');
    const kind = (['armed', 'trigger', 'safe', 'time_sync'] as const)[(s - 1) % 4]!;
    out.push({
      device_serial: serial,
      sequence: s,
      device_time: deviceTime,
      event: kind,
      duration_s: kind === 'trigger' ? 5 : kind === 'safe' ? 60 : '',
      bay: kind === 'trigger' ? 1 : '',
      true_time: kind === 'time_sync' ? new Date(at.getTime() + 2000).toISOString() : '',
    });
  }
  return out;
}
