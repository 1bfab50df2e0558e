import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import { isBusy, openSqliteConnection } from './sqlite.js';

/*
 * Copies of a SQLite database file, made with SQLite's online backup API rather than by
 * copying the file: a copy of the file (and of its -wal beside it) taken while Cedar writes can
 * miss committed transactions or mix two states, and still read as a database.
 */

/**
 * Copies the database at `source` to `destination`, consistent as of one instant, while other
 * processes go on reading and writing it (in WAL mode the copy reads one snapshot and blocks
 * no writer). The copy is written beside `destination` and renamed into place when complete,
 * so `destination` is never a partial file; it is a single file (rollback journal, not WAL).
 */
export async function copySqliteDatabase(source: string, destination: string): Promise<void> {
  const partial = `${destination}.partial-${randomBytes(4).toString('hex')}`;
  const from = openSqliteConnection(source, 'readonly');
  try {
    // All pages in one step: one snapshot, so the copy never restarts because of a write.
    await from.backup(partial, { progress: () => 0x7fffffff });
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    from.close();
  }
  try {
    const copy = openSqliteConnection(partial, 'writer');
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fs.renameSync(partial, destination);
  } catch (err) {
    for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) fs.rmSync(f, { force: true });
    throw err;
  }
}

/** SQLite's own check of a database file: 'ok', or what it found wrong. */
export function integrityCheck(file: string): string {
  const db = openSqliteConnection(file, 'readonly');
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** The database file is open in another process (Cedar, or a cedar command): it cannot be replaced now. */
export class DatabaseInUseError extends Error {}

/**
 * Replaces the database at `target` with a copy of `source` (a checked backup). While it works
 * it holds an exclusive lock on `target`, taken only if no other process has it open (Cedar
 * must be stopped first); the database it replaces is kept at `keepAs`. Returns whether there
 * was one.
 */
export async function replaceSqliteDatabase(source: string, target: string, keepAs: string): Promise<boolean> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const lock = fs.existsSync(target) ? lockExclusively(target) : null;
  try {
    const incoming = `${target}.restoring-${randomBytes(4).toString('hex')}`;
    await copySqliteDatabase(source, incoming);
    if (!lock) {
      // Without its database, a -wal or -shm left behind means nothing, and must not be read as the new one's.
      for (const f of [`${target}-wal`, `${target}-shm`]) fs.rmSync(f, { force: true });
      fs.renameSync(incoming, target);
      return false;
    }
    if (fs.existsSync(keepAs)) {
      fs.rmSync(incoming, { force: true });
      throw new Error(`${keepAs} is in the way: move it, then restore again.`);
    }
    fs.renameSync(target, keepAs);
    try {
      // Out of WAL mode, the old database is whole in its own file: its -shm is only an index.
      fs.rmSync(`${target}-shm`, { force: true });
      fs.renameSync(incoming, target);
    } catch (err) {
      fs.renameSync(keepAs, target); // put the old one back: never leave no database at all
      fs.rmSync(incoming, { force: true });
      throw err;
    }
    return true;
  } finally {
    lock?.close();
  }
}

/** Takes the database out of WAL mode (only possible when no other connection has it open) and holds it exclusively. */
function lockExclusively(file: string): SQLite.Database {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    const mode = db.pragma('journal_mode = DELETE', { simple: true });
    if (mode !== 'delete') throw new DatabaseInUseError(`${file} is in use by another process`);
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('begin exclusive');
    return db;
  } catch (err) {
    db.close();
    if (isBusy(err) || err instanceof DatabaseInUseError) {
      throw new DatabaseInUseError(`${file} is open in another process (Cedar, or a cedar command): stop it, then restore again.`);
    }
    throw err;
  }
}

/** The tables of a SQLite database (its own bookkeeping left out). */
export async function sqliteTables(db: Kysely<DB>): Promise<Set<string>> {
  const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return new Set(rows.rows.map((r) => r.name));
}

/** The migrations applied to a database, by name (Kysely's bookkeeping table). */
export async function appliedMigrations(db: Kysely<DB>): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** How many rows a table has. */
export async function countRows(db: Kysely<DB>, table: string): Promise<number> {
  const rows = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(rows.rows[0]?.n ?? 0);
}
