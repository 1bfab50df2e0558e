import type { LogEventKind } from '../../src/domain/devices/reconcile.js';
import type { Services } from '../../src/services/context.js';
import { getForce } from '../../src/services/organisation.js';

/*
 * Device log entries for the reconciliation's tests (issue 13), stored as plain rows: the import
 * has its own tests, and these tests need a log to say exactly what a device recorded.
 */

export interface TestLogEntry {
  sequence: number;
  /** 'YYYY-MM-DD HH:MM:SS' as the device's clock read (UTC, no zone). */
  deviceTime: string;
  event: LogEventKind;
  durationS?: number | null;
  trueTime?: string | null;
}

/** An ISO instant as a device clock shows it, `offsetS` seconds fast (negative: slow). */
export function deviceClock(iso: string, offsetS = 0): string {
  return new Date(Date.parse(iso) + offsetS * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** A sync with the clock right: its device time and true time are the same instant. */
export const syncAt = (sequence: number, iso: string): TestLogEntry => ({ sequence, deviceTime: deviceClock(iso), event: 'time_sync', trueTime: new Date(iso).toISOString() });
export const triggerAt = (sequence: number, iso: string, durationS = 5): TestLogEntry => ({ sequence, deviceTime: deviceClock(iso), event: 'trigger', durationS });
export const arcAt = (sequence: number, iso: string, durationS = 2): TestLogEntry => ({ sequence, deviceTime: deviceClock(iso), event: 'arc', durationS });
export const armedAt = (sequence: number, iso: string): TestLogEntry => ({ sequence, deviceTime: deviceClock(iso), event: 'armed' });

/** Stores a device's log entries (adding nothing already there, as the import does). */
export async function insertLogEntries(svc: Services, serial: string, entries: readonly TestLogEntry[]): Promise<void> {
  const force = await getForce(svc);
  const rows = entries.map((e) => ({
    force_id: force.id,
    device_serial: serial.toUpperCase(),
    sequence: e.sequence,
    device_time: e.deviceTime,
    event: e.event,
    duration_s: e.durationS ?? null,
    bay: null,
    cartridge_serial: null,
    battery_pct: null,
    temperature_c: null,
    true_time: e.trueTime ?? null,
    download_id: 'test-download',
  }));
  for (let i = 0; i < rows.length; i += 50)
    await svc.database.db
      .insertInto('device_log_entry')
      .values(rows.slice(i, i + 50))
      .onConflict((oc) => oc.columns(['force_id', 'device_serial', 'sequence']).doNothing())
      .execute();
}
