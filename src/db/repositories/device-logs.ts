import { CompiledQuery, sql } from 'kysely';
import type { DeviceLogRow, LogEventKind } from '../../domain/devices/log-formats/index.js';
import { chunk } from '../batches.js';
import type { DatabaseKind, Executor } from '../database.js';

/*
 * Device event logs (issue 13): the entries as downloaded, and each download per device.
 *
 * Entries are written many thousands at a time: a multi-row INSERT … ON CONFLICT DO NOTHING
 * whose text depends only on how many rows it holds, so on SQLite the driver's prepared
 * statement is reused for every full batch (see db/sqlite.ts `prepared`), and no query is built
 * per row.
 */

/** Columns an entry is written with, in this order. */
const ENTRY_COLUMNS = ['force_id', 'device_serial', 'sequence', 'device_time', 'event', 'duration_s', 'bay', 'cartridge_serial', 'battery_pct', 'temperature_c', 'true_time', 'download_id'] as const;
const PER_ROW = ENTRY_COLUMNS.length;
/** Rows per INSERT: 6,000 bound values, under both drivers' limits. */
export const ENTRY_BATCH = 500;

const insertTexts = new Map<string, string>();

function insertSql(kind: DatabaseKind, rows: number): string {
  const key = `${kind}:${rows}`;
  let text = insertTexts.get(key);
  if (!text) {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const marks = Array.from({ length: PER_ROW }, (_, c) => (kind === 'postgres' ? `$${r * PER_ROW + c + 1}` : '?'));
      tuples.push(`(${marks.join(',')})`);
    }
    text = `insert into device_log_entry (${ENTRY_COLUMNS.join(',')}) values ${tuples.join(',')} on conflict (force_id, device_serial, sequence) do nothing`;
    insertTexts.set(key, text);
  }
  return text;
}

/**
 * Writes entries (ENTRY_BATCH or fewer at once is best), leaving alone any the force holds
 * already; returns how many were new.
 */
export async function insertEntries(db: Executor, kind: DatabaseKind, forceId: string, rows: readonly DeviceLogRow[], downloadIdOf: (serial: string) => string): Promise<number> {
  let added = 0;
  for (let at = 0; at < rows.length; at += ENTRY_BATCH) {
    const n = Math.min(ENTRY_BATCH, rows.length - at);
    const params: unknown[] = new Array(n * PER_ROW);
    let p = 0;
    for (let i = at; i < at + n; i++) {
      const r = rows[i]!;
      params[p++] = forceId;
      params[p++] = r.deviceSerial;
      params[p++] = r.sequence;
      params[p++] = r.deviceTime;
      params[p++] = r.event;
      params[p++] = r.durationS;
      params[p++] = r.bay;
      params[p++] = r.cartridgeSerial;
      params[p++] = r.batteryPct;
      params[p++] = r.temperatureC;
      params[p++] = r.trueTime;
      params[p++] = downloadIdOf(r.deviceSerial);
    }
    const result = await db.executeQuery(CompiledQuery.raw(insertSql(kind, n), params));
    added += Number(result.numAffectedRows ?? 0n);
  }
  return added;
}

/** An entry as stored, with the download that brought it. */
export interface StoredEntry {
  deviceSerial: string;
  sequence: number;
  deviceTime: string;
  event: LogEventKind;
  durationS: number | null;
  bay: number | null;
  cartridgeSerial: string | null;
  batteryPct: number | null;
  temperatureC: number | null;
  trueTime: string | null;
  downloadId: string;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const STORED_COLUMNS = 'device_serial, sequence, device_time, event, duration_s, bay, cartridge_serial, battery_pct, temperature_c, true_time, download_id';

interface StoredRow {
  device_serial: string;
  sequence: number | string;
  device_time: string;
  event: string;
  duration_s: number | null;
  bay: number | null;
  cartridge_serial: string | null;
  battery_pct: number | null;
  temperature_c: number | null;
  true_time: string | null;
  download_id: string;
}

/**
 * The stored entries of these (serial, sequence) pairs, by `serial:sequence`. A device's
 * sequence numbers in a batch are usually close together: they are read as one range (a
 * statement of one shape, prepared once), or in lists when they are far apart.
 */
export async function storedEntries(db: Executor, kind: DatabaseKind, forceId: string, keys: readonly { deviceSerial: string; sequence: number }[]): Promise<Map<string, StoredEntry>> {
  const bySerial = new Map<string, Set<number>>();
  for (const k of keys) {
    const set = bySerial.get(k.deviceSerial);
    if (set) set.add(k.sequence);
    else bySerial.set(k.deviceSerial, new Set([k.sequence]));
  }
  const mark = (i: number) => (kind === 'postgres' ? `$${i}` : '?');
  const out = new Map<string, StoredEntry>();
  const keep = (r: StoredRow, wanted: Set<number>) => {
    const sequence = Number(r.sequence);
    if (!wanted.has(sequence)) return;
    out.set(`${r.device_serial}:${sequence}`, {
      deviceSerial: r.device_serial,
      sequence,
      deviceTime: r.device_time,
      event: r.event as LogEventKind,
      durationS: num(r.duration_s),
      bay: num(r.bay),
      cartridgeSerial: r.cartridge_serial,
      batteryPct: num(r.battery_pct),
      temperatureC: num(r.temperature_c),
      trueTime: r.true_time,
      downloadId: r.download_id,
    });
  };
  for (const [serial, wanted] of bySerial) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const n of wanted) {
      if (n < lo) lo = n;
      if (n > hi) hi = n;
    }
    if (hi - lo < 4 * wanted.size + 64) {
      const text = `select ${STORED_COLUMNS} from device_log_entry where force_id = ${mark(1)} and device_serial = ${mark(2)} and sequence between ${mark(3)} and ${mark(4)}`;
      const { rows } = await db.executeQuery<StoredRow>(CompiledQuery.raw(text, [forceId, serial, lo, hi]));
      for (const r of rows) keep(r, wanted);
      continue;
    }
    for (const part of chunk([...wanted], 500)) {
      const list = part.map((_, i) => mark(i + 3)).join(',');
      const text = `select ${STORED_COLUMNS} from device_log_entry where force_id = ${mark(1)} and device_serial = ${mark(2)} and sequence in (${list})`;
      const { rows } = await db.executeQuery<StoredRow>(CompiledQuery.raw(text, [forceId, serial, ...part]));
      for (const r of rows) keep(r, wanted);
    }
  }
  return out;
}

export interface NewDownload {
  id: string;
  deviceSerial: string;
  deviceId: string | null;
  source: 'cli' | 'upload' | 'api';
  fileName: string;
  entries: number;
  added: number;
  firstSequence: number;
  lastSequence: number;
  downloadedAt: string;
  actorId: string | null;
}

export async function insertDownloads(db: Executor, forceId: string, downloads: readonly NewDownload[]): Promise<void> {
  for (const part of chunk(downloads, 500)) {
    await db
      .insertInto('device_log_download')
      .values(
        part.map((d) => ({
          id: d.id,
          force_id: forceId,
          device_serial: d.deviceSerial,
          device_id: d.deviceId,
          source: d.source,
          file_name: d.fileName,
          entries: d.entries,
          added: d.added,
          first_sequence: d.firstSequence,
          last_sequence: d.lastSequence,
          downloaded_at: d.downloadedAt,
          actor_id: d.actorId,
        })),
      )
      .execute();
  }
}

/** Registered devices' ids by serial (upper case, as the register keeps them). */
export async function deviceIdsBySerial(db: Executor, forceId: string, serials: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunk([...new Set(serials)], 500)) {
    const rows = await db.selectFrom('device').select(['id', 'serial']).where('force_id', '=', forceId).where('serial', 'in', part).execute();
    for (const r of rows) out.set(r.serial, r.id);
  }
  return out;
}

/** Refreshes the planner's statistics after a large import (both databases). */
export async function analyzeEntries(db: Executor): Promise<void> {
  await sql`analyze device_log_entry`.execute(db);
  await sql`analyze device_log_download`.execute(db);
}

export interface Download {
  id: string;
  deviceSerial: string;
  deviceId: string | null;
  source: string;
  fileName: string;
  entries: number;
  added: number;
  firstSequence: number;
  lastSequence: number;
  downloadedAt: string;
}

function toDownload(r: {
  id: string;
  device_serial: string;
  device_id: string | null;
  source: string;
  file_name: string;
  entries: number;
  added: number;
  first_sequence: number;
  last_sequence: number;
  downloaded_at: string;
}): Download {
  return {
    id: r.id,
    deviceSerial: r.device_serial,
    deviceId: r.device_id,
    source: r.source,
    fileName: r.file_name,
    entries: Number(r.entries),
    added: Number(r.added),
    firstSequence: Number(r.first_sequence),
    lastSequence: Number(r.last_sequence),
    downloadedAt: r.downloaded_at,
  };
}

/** The newest downloads of the force, newest first. */
export async function recentDownloads(db: Executor, forceId: string, limit: number): Promise<Download[]> {
  const rows = await db.selectFrom('device_log_download').selectAll().where('force_id', '=', forceId).orderBy('downloaded_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toDownload);
}

/** Each serial's last download (the newest), by serial. */
export async function lastDownloads(db: Executor, forceId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('device_log_download')
    .select(['device_serial', (eb) => eb.fn.max('downloaded_at').as('last')])
    .where('force_id', '=', forceId)
    .groupBy('device_serial')
    .execute();
  return new Map(rows.map((r) => [r.device_serial, r.last]));
}

/** A registered device that is not withdrawn, as the download list needs it. */
export interface LoggedDevice {
  id: string;
  serial: string;
  modelName: string;
  state: string;
  armouryName: string | null;
  inServiceOn: string | null;
  registeredAt: string;
}

export async function devicesInService(db: Executor, forceId: string): Promise<LoggedDevice[]> {
  const rows = await db
    .selectFrom('device as d')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .leftJoin('borough as b', 'b.id', 'd.armoury_borough_id')
    .leftJoin('team as t', 't.id', 'd.armoury_team_id')
    .select(['d.id', 'd.serial', 'm.name as model_name', 'd.state', 'b.name as borough_name', 't.name as team_name', 'd.in_service_on', 'd.created_at'])
    .where('d.force_id', '=', forceId)
    .where('d.state', '!=', 'withdrawn')
    .orderBy('d.serial')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    serial: r.serial,
    modelName: r.model_name,
    state: r.state,
    armouryName: r.borough_name ?? r.team_name ?? null,
    inServiceOn: r.in_service_on,
    registeredAt: r.created_at,
  }));
}

/** A report with a discharge that names a device: Cedar's own (not draft or discarded), or an imported Met row. */
export interface DischargeNaming {
  serial: string;
  occurredAt: string;
  kind: 'report' | 'imported';
  id: string;
  /** The incident reference, or the imported file and line. */
  ref: string;
}

/** The device serial named in a JSON content column, by each database's JSON functions. */
const namedSerial = (kind: DatabaseKind, column: string) =>
  kind === 'postgres'
    ? sql<string | null>`upper(trim((${sql.ref(column)})::json -> 'ced' ->> 'deviceSerial'))`
    : sql<string | null>`upper(trim(json_extract(${sql.ref(column)}, '$.ced.deviceSerial')))`;

/** Every report with a discharge that names a device, whose incident was at or before `before`. */
export async function dischargesNamingDevices(db: Executor, kind: DatabaseKind, forceId: string, before: string): Promise<DischargeNaming[]> {
  const own = await db
    .selectFrom('uof_report as r')
    .leftJoin('incident as i', 'i.id', 'r.incident_id')
    .select(['r.id', 'r.occurred_at', 'i.reference', namedSerial(kind, 'r.content').as('serial')])
    .where('r.force_id', '=', forceId)
    .where('r.status', 'not in', ['draft', 'discarded'])
    .where('r.discharge', '=', 1)
    .where('r.occurred_at', '<=', before)
    .execute();
  const imported = await db
    .selectFrom('imported_report as i')
    .innerJoin('imported_report_row as r', 'r.id', 'i.id')
    .select(['i.id', 'i.occurred_at', 'i.source_file', 'i.source_line', namedSerial(kind, 'r.row').as('serial')])
    .where('i.force_id', '=', forceId)
    .where('i.discharge', '=', 1)
    .where('i.occurred_at', '<=', before)
    .execute();
  const out: DischargeNaming[] = [];
  for (const r of own) if (r.serial && r.occurred_at) out.push({ serial: r.serial, occurredAt: r.occurred_at, kind: 'report', id: r.id, ref: r.reference ?? r.id });
  for (const r of imported) if (r.serial) out.push({ serial: r.serial, occurredAt: r.occurred_at, kind: 'imported', id: r.id, ref: `${r.source_file}:${r.source_line}` });
  return out;
}
