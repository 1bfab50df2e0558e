import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/*
 * The databases' own loaders of a CSV file, the baselines Cedar's imports are measured against
 * (issue 15, item 4): Debian's `sqlite3` command's `.import --csv` into a new table of text
 * columns, and PostgreSQL's COPY (psql's `\copy`, the file read by the client as Cedar reads
 * it) into a new table of text columns. Each loads the file as it is, checking nothing: the
 * floor an import that checks every value and stores typed rows can approach, not reach.
 */

const has = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;

/** Seconds `sqlite3 .import --csv` takes to load `file` into a new database; null without the sqlite3 command. */
export function sqliteImportSeconds(file: string, scratchDir: string): number | null {
  if (!has('sqlite3')) return null;
  const db = path.join(scratchDir, `loader-${randomBytes(4).toString('hex')}.db`);
  const t0 = performance.now();
  const r = spawnSync('sqlite3', [db, `.import --csv ${file} loaded`], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  fs.rmSync(db, { force: true });
  if (r.status !== 0) throw new Error(`sqlite3 .import failed: ${r.stderr}`);
  return seconds;
}

/** A scratch PostgreSQL database for a measurement, dropped by `drop`; null when PostgreSQL does not answer at `adminUrl`. */
export async function scratchPostgres(adminUrl: string): Promise<{ url: string; drop(): Promise<void> } | null> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  const name = `cedar_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Seconds psql's `\copy` takes to load `file` (CSV with a header) into a new table of text columns; null without psql. */
export async function postgresCopySeconds(file: string, url: string, columns: readonly string[]): Promise<number | null> {
  if (!has('psql')) return null;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`create table loaded (${columns.map((_, i) => `c${i} text`).join(', ')})`);
  await c.end();
  const t0 = performance.now();
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy loaded from '${file.replace(/'/g, "''")}' with (format csv, header true)`], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`psql \\copy failed: ${r.stderr}`);
  return seconds;
}
