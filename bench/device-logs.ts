// The device event log import (issue 13): a year of canonical logs for a fleet (2,500 devices,
// about 1,000 entries each: BENCH_LOG_DEVICES, BENCH_LOG_ENTRIES) written to a temp file, then
// imported by Cedar's service from a file stream, in a process of its own (so its peak RSS is
// the import's), and, in the same run, the same rows by a raw loop: each line split on commas
// and one better-sqlite3 prepared INSERT per row, all in one transaction. Target: under 60 s
// and 400 MB on SQLite. Run by bench/run.ts (`npm run bench -- device-logs`), or alone:
// `npx tsx bench/device-logs.ts`.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { CANONICAL_COLUMNS } from '../src/domain/devices/log-formats/index.js';
import { SYSTEM_ACTOR, wallClock } from '../src/services/context.js';
import { importDeviceLog } from '../src/services/device-logs.js';
import { registerDevices } from '../src/services/devices.js';
import { ensureForce, servicesFor } from '../src/services/setup.js';
import { benchReconcile } from './reconcile.js';

const DEVICES = Number(process.env.BENCH_LOG_DEVICES ?? 2500);
const ENTRIES = Number(process.env.BENCH_LOG_ENTRIES ?? 1000);

export interface DeviceLogFigures {
  rows: number;
  fileMb: number;
  importMs: number;
  /** CPU time (user + system) the import used: on a shared machine, steadier than the wall time. */
  cpuMs: number;
  /** The same file imported again (nothing added). */
  againMs: number;
  /** Peak RSS of the import's process, both imports. */
  peakRssMb: number;
  rawMs: number;
  /** The reconciliation of the year that was imported. */
  reconcileMs: number;
  reconcileSummary: string;
  summary: string;
}

const serialOf = (d: number) => `X2B${String(d).padStart(6, '0')}`;
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * A year of one device's log: each day a spark test (arc), and on shift days armed/safe; a
 * trigger now and then; a time sync every 30 entries (its clock having drifted some seconds).
 */
function deviceLines(d: number, entries: number): string {
  const serial = serialOf(d);
  const start = Date.UTC(2026, 0, 1, 6, 0, 0) + d * 1000;
  const step = (365 * 86_400_000) / entries;
  let out = '';
  for (let s = 1; s <= entries; s++) {
    const at = start + Math.floor(s * step);
    const battery = 100 - Math.floor((s % 200) / 2);
    const temperature = (10 + ((s * 7) % 150) / 10).toFixed(1);
    let line: string;
    if (s % 30 === 0) line = `${serial},${s},${stamp(at)},time_sync,,,,${battery},${temperature},${new Date(at + ((s * 13) % 240) * 1000).toISOString()}`;
    else if (s % 97 === 0) line = `${serial},${s},${stamp(at)},trigger,${(5 + (s % 3)).toFixed(1)},${1 + (s % 2)},C${serial}-${s},${battery},${temperature},`;
    else if (s % 4 === 1) line = `${serial},${s},${stamp(at)},arc,1.0,,,${battery},${temperature},`;
    else if (s % 4 === 2) line = `${serial},${s},${stamp(at)},armed,,,,${battery},${temperature},`;
    else if (s % 4 === 3) line = `${serial},${s},${stamp(at)},safe,${(s % 600) + 30},,,${battery},${temperature},`;
    else line = `${serial},${s},${stamp(at)},other,,,,${battery},${temperature},`;
    out += `${line}\n`;
  }
  return out;
}

/** Writes the file a device at a time (never whole in memory); its size in bytes. */
export function writeDeviceLogFile(file: string, devices = DEVICES, entries = ENTRIES): number {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `${CANONICAL_COLUMNS.join(',')}\n`);
    for (let d = 1; d <= devices; d++) fs.writeSync(fd, deviceLines(d, entries));
  } finally {
    fs.closeSync(fd);
  }
  return fs.statSync(file).size;
}

interface ChildResult {
  ms: number;
  cpuMs: number;
  againMs: number;
  reconcileMs: number;
  reconcileSummary: string;
  summary: string;
}

/** In the child: a fresh database with the fleet registered, then the import, timed. */
async function importInThisProcess(file: string, dbFile: string, devices: number): Promise<ChildResult> {
  const database = await openDatabase({ kind: 'sqlite', file: dbFile });
  await migrateToLatest(database.db);
  const svc = servicesFor(database, { lockoutAttempts: 5, lockoutMinutes: 15, sessionHours: 12 });
  await ensureForce(svc, SYSTEM_ACTOR, { name: 'Bench Constabulary', homeOfficeRegion: 'London' });
  for (let d = 1; d <= devices; d += 500) {
    const batch = Array.from({ length: Math.min(500, devices - d + 1) }, (_, i) => ({
      serial: serialOf(d + i),
      model: 'X2',
      armoury: { boroughId: null, teamId: null },
      firmware: null,
      inServiceOn: '2025-06-01',
    }));
    await registerDevices(svc, SYSTEM_ACTOR, batch);
  }
  const started = performance.now();
  const cpu = process.cpuUsage();
  const r = await importDeviceLog(svc, SYSTEM_ACTOR, { fileName: path.basename(file), source: 'cli', input: fs.createReadStream(file, { highWaterMark: 1 << 20 }) });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (!r.ok) throw new Error(`bench: the device log was refused: ${JSON.stringify(r.rejected.slice(0, 5))}`);
  // The same download again: every entry already present (each batch compared with what is stored).
  const again = performance.now();
  const r2 = await importDeviceLog(svc, SYSTEM_ACTOR, { fileName: path.basename(file), source: 'cli', input: fs.createReadStream(file, { highWaterMark: 1 << 20 }) });
  const againMs = performance.now() - again;
  // The reconciliation of the year over what was imported (bench/reconcile.ts).
  const reconciled = await benchReconcile(svc, { from: '2026-01-01', to: '2026-12-31' });
  await database.close();
  if (!r2.ok || r2.added !== 0) throw new Error('bench: the second import of the same log added entries or was refused');
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    againMs,
    reconcileMs: reconciled.ms,
    reconcileSummary: `${reconciled.result.eventsRead.toLocaleString('en-GB')} events, ${reconciled.result.functionTests.toLocaleString('en-GB')} function tests, ${reconciled.result.episodes} episodes, ${reconciled.result.exceptions} exceptions`,
    summary: `${r.read.toLocaleString('en-GB')} rows read — ${r.added.toLocaleString('en-GB')} added, ${r.alreadyPresent} already present, ${r.devices} devices`,
  };
}

/** The raw loop: split each line on commas, one prepared INSERT per row, one transaction. */
async function rawInsert(file: string, dbFile: string): Promise<number> {
  const db = new SQLite(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`create table force (id text primary key);
    insert into force values ('f');
    create table device_log_entry (force_id text not null references force(id), device_serial text not null, sequence integer not null, device_time text not null, event text not null,
      duration_s double precision, bay integer, cartridge_serial text, battery_pct integer, temperature_c double precision, true_time text, download_id text not null,
      constraint device_log_entry_pk primary key (force_id, device_serial, sequence))`);
  const insert = db.prepare('insert into device_log_entry values (?,?,?,?,?,?,?,?,?,?,?,?) on conflict do nothing');
  const started = performance.now();
  const lines = readline.createInterface({ input: fs.createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let first = true;
  const blank = (v: string | undefined) => (v === undefined || v === '' ? null : v);
  db.exec('begin');
  for await (const line of lines) {
    if (first) {
      first = false;
      continue;
    }
    const v = line.split(',');
    insert.run(
      'f',
      v[0],
      Number(v[1]),
      v[2],
      v[3],
      blank(v[4]) === null ? null : Number(v[4]),
      blank(v[5]) === null ? null : Number(v[5]),
      blank(v[6]),
      blank(v[7]) === null ? null : Number(v[7]),
      blank(v[8]) === null ? null : Number(v[8]),
      blank(v[9]),
      'd',
    );
  }
  db.exec('commit');
  const ms = performance.now() - started;
  db.close();
  return ms;
}

/** Runs the import in a process of its own and watches its peak RSS (VmHWM). */
async function importInOwnProcess(file: string, dbFile: string, devices: number): Promise<ChildResult & { peakKb: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--child', file, dbFile, String(devices)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  type Result = ChildResult;
  let result: Result | null = null;
  child.on('message', (m) => (result = m as Result));
  let max = 0;
  const timer = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) max = Math.max(max, Number(hwm[1]));
    } catch {
      /* the process has ended */
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0 || !result) throw new Error(`bench: the device log import exited ${code}`);
  return { ...(result as Result), peakKb: max };
}

/** Generates the file, imports it through Cedar (own process) and by the raw loop; the figures. */
export async function benchDeviceLogs(dir: string, devices = DEVICES, entries = ENTRIES): Promise<DeviceLogFigures> {
  const file = path.join(dir, 'device-logs.csv');
  const bytes = writeDeviceLogFile(file, devices, entries);
  const cedar = await importInOwnProcess(file, path.join(dir, 'device-logs.db'), devices);
  const rawMs = await rawInsert(file, path.join(dir, 'device-logs-raw.db'));
  for (const f of ['device-logs.csv', 'device-logs.db', 'device-logs.db-wal', 'device-logs.db-shm', 'device-logs-raw.db', 'device-logs-raw.db-wal', 'device-logs-raw.db-shm'])
    fs.rmSync(path.join(dir, f), { force: true });
  return {
    rows: devices * entries,
    fileMb: bytes / 1048576,
    importMs: cedar.ms,
    cpuMs: cedar.cpuMs,
    againMs: cedar.againMs,
    peakRssMb: cedar.peakKb / 1024,
    rawMs,
    reconcileMs: cedar.reconcileMs,
    reconcileSummary: cedar.reconcileSummary,
    summary: cedar.summary,
  };
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  if (process.argv[2] === '--child') {
    const [, , , file, dbFile, devices] = process.argv;
    const r = await importInThisProcess(file!, dbFile!, Number(devices));
    process.send!(r);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-bench-logs-'));
    const t = wallClock();
    const f = await benchDeviceLogs(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(
      `device log import: ${f.rows.toLocaleString('en-GB')} rows (${f.fileMb.toFixed(0)} MB) in ${(f.importMs / 1000).toFixed(1)} s (CPU ${(f.cpuMs / 1000).toFixed(1)} s), peak RSS ${f.peakRssMb.toFixed(0)} MB; again (all already present) ${(f.againMs / 1000).toFixed(1)} s; raw INSERT loop ${(f.rawMs / 1000).toFixed(1)} s; ×${(f.importMs / f.rawMs).toFixed(2)} (${f.summary}; started ${t.toISOString()})`,
    );
  }
}
