import path from 'node:path';
import * as repo from '../db/repositories/device-logs.js';
import { newId } from '../db/ids.js';
import type { RowError } from '../domain/csv.js';
import { overdueReasons, type OverdueReason } from '../domain/devices/log-downloads.js';
import { CANONICAL_COLUMNS, entryValues, readDeviceLog, type DeviceLogRow, type LogInput } from '../domain/devices/log-formats/index.js';
import { change, pageWindow, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';

/*
 * Device event logs (issue 13): `cedar import device-log FILE`, the armourers' upload page and
 * `POST /api/v1/device-logs` all come here. A file is read as it streams in (millions of rows,
 * never held whole), checked row by row, and stored in one transaction with its audit entry:
 * all or nothing, and safe to repeat (an entry the force holds already, with the same values,
 * is "already present"; with other values, the line is refused). Each device in the file gets
 * one download record, which is what the overdue list counts from.
 */

export type DeviceLogSource = 'cli' | 'upload' | 'api';

export interface DeviceLogImportInput {
  fileName: string;
  source: DeviceLogSource;
  input: LogInput | NodeJS.ReadableStream;
  /** Called with the number of data rows read so far, after each batch. */
  onProgress?: (rows: number) => void;
}

export interface DeviceLogImportResult {
  ok: boolean;
  /** The layout the header picked (canonical, or a vendor's). */
  layout: string | null;
  /** Data rows read: added + alreadyPresent + rejectedRows when the file was taken. */
  read: number;
  added: number;
  alreadyPresent: number;
  /** Devices in the file (a download recorded for each). */
  devices: number;
  /** Serials in the file that the register does not know (their entries are kept all the same). */
  unknownSerials: string[];
  /** The first MAX_REJECTS_KEPT problems, in file order; nothing was stored when there is any. */
  rejected: RowError[];
  /** Rows with at least one problem. */
  rejectedRows: number;
  /** Every problem found, of which `rejected` holds the first. */
  problems: number;
}

/** How many problems a result holds: a file of bad rows is not kept in memory. */
export const MAX_REJECTS_KEPT = 1000;
/** An import that added this many entries refreshes the planner's statistics. */
const ANALYZE_AFTER = 100_000;
/** Rows the reader hands over at once: one INSERT statement's worth. */
const BATCH_ROWS = repo.ENTRY_BATCH;

class Rejected extends Error {
  constructor() {
    super('rejected');
  }
}

interface DeviceTally {
  downloadId: string;
  entries: number;
  added: number;
  first: number;
  last: number;
}

const COMPARED_COLUMNS = [
  'sequence',
  'device_time',
  'event',
  'duration_s',
  'bay',
  'cartridge_serial',
  'battery_pct',
  'temperature_c',
  'true_time',
] as const satisfies readonly (typeof CANONICAL_COLUMNS)[number][];

/** The first column in which two entries differ, or null when they are the same. */
function firstDifference(a: DeviceLogRow | repo.StoredEntry, b: DeviceLogRow | repo.StoredEntry): (typeof COMPARED_COLUMNS)[number] | null {
  const x = entryValues(a);
  const y = entryValues(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return COMPARED_COLUMNS[i]!;
  return null;
}

/**
 * Imports one device log file. Reads it as it arrives; stores nothing when any row has a
 * problem (every problem is named by line and column, the first MAX_REJECTS_KEPT kept);
 * otherwise stores the new entries, one download per device and one audit entry, in one
 * transaction.
 */
export async function importDeviceLog(svc: Services, actor: Actor, file: DeviceLogImportInput): Promise<DeviceLogImportResult> {
  const force = await getForce(svc);
  const kind = svc.database.kind;
  const fileName = path.basename(file.fileName) || 'device-log.csv';
  const result: DeviceLogImportResult = { ok: false, layout: null, read: 0, added: 0, alreadyPresent: 0, devices: 0, unknownSerials: [], rejected: [], rejectedRows: 0, problems: 0 };
  const reject = (e: RowError) => {
    result.problems++;
    if (result.rejected.length < MAX_REJECTS_KEPT) result.rejected.push(e);
  };
  const tallies = new Map<string, DeviceTally>();
  let readerRejects = 0;
  let conflictRows = 0;
  const downloadIdOf = (serial: string) => tallies.get(serial)!.downloadId;

  try {
    await change(svc, actor, async (trx, audit) => {
      const at = svc.now().toISOString();
      for await (const batch of readDeviceLog(file.input as LogInput, { batchRows: BATCH_ROWS })) {
        result.layout = batch.layout;
        result.read = batch.read;
        readerRejects = batch.rejectedRows;
        result.rejectedRows = readerRejects + conflictRows;
        for (const e of batch.errors) reject(e);
        file.onProgress?.(batch.read);
        // A refused file stores nothing, but its good rows are still checked against what is
        // stored, so that every problem is reported, until there are more than the result keeps.
        if (result.problems >= MAX_REJECTS_KEPT) continue;
        const fresh: DeviceLogRow[] = [];
        for (const r of batch.rows) {
          if (r.repeatOf !== undefined) {
            result.alreadyPresent++;
            continue;
          }
          let t = tallies.get(r.deviceSerial);
          if (!t) tallies.set(r.deviceSerial, (t = { downloadId: newId(svc.now().getTime()), entries: 0, added: 0, first: r.sequence, last: r.sequence }));
          t.entries++;
          if (r.sequence < t.first) t.first = r.sequence;
          if (r.sequence > t.last) t.last = r.sequence;
          fresh.push(r);
        }
        const added = await repo.insertEntries(trx, kind, force.id, fresh, downloadIdOf);
        result.added += added;
        if (added === fresh.length) {
          for (const r of fresh) tallies.get(r.deviceSerial)!.added++;
          continue;
        }
        // Some were stored already (an earlier download, or an earlier line of this file): the same values, or a refusal.
        const stored = await repo.storedEntries(trx, kind, force.id, fresh);
        for (const r of fresh) {
          const s = stored.get(`${r.deviceSerial}:${r.sequence}`)!;
          const differs = firstDifference(r, s);
          if (differs) {
            reject({
              line: r.line,
              column: differs,
              message: `Entry ${r.sequence} of ${r.deviceSerial} is already stored with different values (device_time ${s.deviceTime}, event ${s.event}): a device's entry number names one entry, so this file or an earlier download is wrong`,
            });
            conflictRows++;
            result.rejectedRows = readerRejects + conflictRows;
          } else if (s.downloadId === downloadIdOf(r.deviceSerial)) tallies.get(r.deviceSerial)!.added++;
          else result.alreadyPresent++;
        }
      }
      if (result.problems > 0) throw new Rejected();

      const ids = await repo.deviceIdsBySerial(trx, force.id, [...tallies.keys()]);
      await repo.insertDownloads(
        trx,
        force.id,
        [...tallies].map(([serial, t]) => ({
          id: t.downloadId,
          deviceSerial: serial,
          deviceId: ids.get(serial) ?? null,
          source: file.source,
          fileName,
          entries: t.entries,
          added: t.added,
          firstSequence: t.first,
          lastSequence: t.last,
          downloadedAt: at,
          actorId: actor.userId,
        })),
      );
      result.devices = tallies.size;
      result.unknownSerials = [...tallies.keys()].filter((s) => !ids.has(s)).sort();
      await audit({
        action: 'device_log.import',
        entityType: 'force',
        entityId: force.id,
        summary: {
          file: fileName,
          source: file.source,
          read: result.read,
          added: result.added,
          alreadyPresent: result.alreadyPresent,
          devices: result.devices,
          unknownSerials: result.unknownSerials.length,
        },
      });
    });
  } catch (err) {
    if (!(err instanceof Rejected)) throw err;
    return { ...result, ok: false, added: 0, alreadyPresent: 0, devices: 0, unknownSerials: [] };
  }
  if (result.added >= ANALYZE_AFTER) await repo.analyzeEntries(svc.database.db);
  return { ...result, ok: true };
}

// ---------------------------------------------------------------------------------------
// When each device's log was last downloaded, and which are overdue

export interface DeviceDownloadStatus {
  device: repo.LoggedDevice;
  lastDownloadAt: string | null;
  /** Why its download is overdue; empty when it is not. */
  overdue: OverdueReason[];
}

/** Every registered device that is not withdrawn, its last download, and why it is overdue (if it is), by serial. */
export async function deviceLogStatus(svc: Services, _actor: Actor): Promise<DeviceDownloadStatus[]> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const now = svc.now();
  const [devices, last, discharges] = await Promise.all([
    repo.devicesInService(db, force.id),
    repo.lastDownloads(db, force.id),
    repo.dischargesNamingDevices(db, svc.database.kind, force.id, now.toISOString()),
  ]);
  const bySerial = new Map<string, { occurredAt: string; ref: string }[]>();
  for (const d of discharges) {
    const list = bySerial.get(d.serial);
    if (list) list.push(d);
    else bySerial.set(d.serial, [d]);
  }
  return devices.map((device) => {
    const lastDownloadAt = last.get(device.serial) ?? null;
    const overdue = overdueReasons({ lastDownloadAt, inServiceOn: device.inServiceOn, registeredAt: device.registeredAt, discharges: bySerial.get(device.serial) ?? [] }, now);
    return { device, lastDownloadAt, overdue };
  });
}

export interface OverduePage {
  data: DeviceDownloadStatus[];
  page: number;
  pageSize: number;
  total: number;
  pages: number;
}

export const OVERDUE_PAGE_SIZE = 50;

/** The devices whose log download is overdue, longest overdue first, a page at a time. */
export async function overdueDownloads(svc: Services, actor: Actor, opts: { page: number; pageSize?: number }): Promise<OverduePage> {
  const pageSize = opts.pageSize ?? OVERDUE_PAGE_SIZE;
  const all = (await deviceLogStatus(svc, actor)).filter((s) => s.overdue.length > 0);
  const dueOf = (s: DeviceDownloadStatus) => s.overdue.reduce((m, r) => (r.dueAt < m ? r.dueAt : m), s.overdue[0]!.dueAt);
  all.sort((a, b) => dueOf(a).localeCompare(dueOf(b)) || a.device.serial.localeCompare(b.device.serial));
  const pages = Math.max(1, Math.ceil(all.length / pageSize));
  const page = Math.min(Math.max(1, Math.floor(opts.page) || 1), pages);
  const { offset, limit } = pageWindow({ page, pageSize });
  return { data: all.slice(offset, offset + limit), page, pageSize, total: all.length, pages };
}

/** The newest downloads (one row per device per file), newest first. */
export async function recentDeviceLogDownloads(svc: Services, limit = 20): Promise<repo.Download[]> {
  const force = await getForce(svc);
  return repo.recentDownloads(svc.database.db, force.id, limit);
}
