import fs from 'node:fs';
import path from 'node:path';
import { appliedMigrations, copySqliteDatabase, countRows, DatabaseInUseError, integrityCheck, replaceSqliteDatabase, sqliteTables } from '../db/backup.js';
import { openDatabase } from '../db/database.js';
import { MIGRATION_NAMES } from '../db/migrate.js';
import { WorkflowError } from '../domain/errors.js';
import { firstKeyedSeq } from '../db/repositories/audit.js';
import { auditKeyFile, verifyAuditLog } from './audit.js';
import { servicesFor } from './setup.js';

/*
 * Backup and restore of a SQLite database (`cedar backup`, `cedar restore`). On PostgreSQL
 * the database's own tools do it (pg_dump / pg_restore: see README, "Backup and restore").
 */

/** What a backup holds, read from the copy itself. */
export interface BackupSummary {
  file: string;
  bytes: number;
  /** Migrations applied in it, and how many this Cedar has. */
  migrations: { applied: number; known: number };
  /** Rows of the main records, by what they are. */
  counts: { label: string; rows: number }[];
  /** The audit chain, checked from its first entry: its length and its head (last entry and hash). */
  audit: { entries: number; headSeq: number; headHash: string };
}

/** The file cannot be restored or used as a backup: says why. */
export class BackupRefusedError extends WorkflowError {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefusedError';
  }
}

/** The records counted in a summary, as they are called. */
const COUNTED: [table: string, label: string][] = [
  ['uof_report', 'use-of-force reports'],
  ['imported_report', 'imported uses of force'],
  ['officer', 'officers'],
  ['app_user', 'accounts'],
  ['training_record', 'training records'],
  ['release', 'releases'],
  ['audit_log', 'audit entries'],
];

/**
 * Backs up the SQLite database at `source` to `out`, while Cedar goes on using it: SQLite's
 * online backup API copies one consistent state (every change committed before the copy
 * began, with its audit entries, and nothing half-done). Then checks the copy (SQLite's
 * integrity check, Cedar's schema, the audit chain from end to end) and says what it holds.
 * Refuses to overwrite `out` unless `replace`.
 */
export async function backupSqlite(source: string, out: string, opts: { replace?: boolean; auditKey: Buffer | null }): Promise<BackupSummary> {
  if (!fs.existsSync(source)) throw new BackupRefusedError(`There is no database at ${source} to back up.`);
  const target = path.resolve(out);
  if (target === path.resolve(source)) throw new BackupRefusedError('The backup must go to another file than the database itself.');
  if (fs.existsSync(target)) {
    if (!opts.replace) throw new BackupRefusedError(`${out} already exists: give another file, or --force to replace it.`);
    if (fs.statSync(target).isDirectory()) throw new BackupRefusedError(`${out} is a folder: give a file name.`);
  }
  if (!fs.existsSync(path.dirname(target))) throw new BackupRefusedError(`There is no folder ${path.dirname(out)} to write ${path.basename(out)} in.`);
  await copySqliteDatabase(source, target);
  try {
    return await checkBackup(target, opts.auditKey, `the key of ${source} (CEDAR_AUDIT_KEY, or ${auditKeyFile(source)})`);
  } catch (err) {
    // A copy that does not check out is not a backup: do not leave it where one is expected.
    fs.rmSync(target, { force: true });
    throw err;
  }
}

/**
 * Checks that `file` is a sound Cedar database that this Cedar can use, and says what it
 * holds: SQLite's integrity check, Cedar's migrations (none this Cedar does not know), and the
 * audit chain verified from its first entry with `auditKey` (the key the log was written with;
 * `keyWhere` says where Cedar looked for it). Opens the file read-only.
 */
export async function checkBackup(file: string, auditKey: Buffer | null, keyWhere: string): Promise<BackupSummary> {
  if (!fs.existsSync(file)) throw new BackupRefusedError(`There is no file at ${file}.`);
  if (fs.statSync(file).isDirectory()) throw new BackupRefusedError(`${file} is a folder, not a backup.`);
  let integrity: string;
  try {
    integrity = integrityCheck(file);
  } catch (err) {
    throw new BackupRefusedError(`${file} is not a SQLite database that can be read (${(err as Error).message}).`);
  }
  if (integrity !== 'ok') throw new BackupRefusedError(`${file} is damaged: SQLite's integrity check found ${integrity.slice(0, 500)}.`);

  const database = await openDatabase({ kind: 'sqlite', file, readonly: true });
  try {
    const db = database.db;
    const tables = await sqliteTables(db);
    if (!tables.has('kysely_migration') || !tables.has('audit_log')) throw new BackupRefusedError(`${file} is a SQLite database, but not Cedar's: it has no Cedar schema.`);
    const applied = await appliedMigrations(db);
    const unknown = applied.filter((m) => !MIGRATION_NAMES.includes(m));
    if (unknown.length) throw new BackupRefusedError(`${file} was made by a newer Cedar (its schema has ${unknown.join(', ')}): restore it with that version.`);

    const counts: BackupSummary['counts'] = [];
    for (const [table, label] of COUNTED) {
      if (tables.has(table)) counts.push({ label, rows: await countRows(db, table) });
    }
    const keyedFrom = await firstKeyedSeq(db);
    if (keyedFrom !== null && !auditKey) {
      throw new BackupRefusedError(`The audit log in ${file} is keyed (from entry ${keyedFrom}) and can only be checked with its key, which was not found: ${keyWhere}. Nothing was done.`);
    }
    const chain = await verifyAuditLog(servicesFor(database, { lockoutAttempts: 1, lockoutMinutes: 1, sessionHours: 1, auditKey }));
    if (!chain.ok) throw new BackupRefusedError(`The audit log in ${file} is broken at entry ${chain.brokenAt.seq}: ${chain.reason}.`);
    return {
      file,
      bytes: fs.statSync(file).size,
      migrations: { applied: applied.length, known: MIGRATION_NAMES.length },
      counts,
      audit: { entries: chain.checked, headSeq: chain.checked, headHash: chain.lastHash },
    };
  } finally {
    await database.close();
  }
}

export interface RestoreResult {
  backup: BackupSummary;
  target: string;
  /** Where the database it replaced is kept; null when there was none. */
  previous: string | null;
}

/**
 * Restores a backup into the SQLite database at `target`. The backup is checked first (see
 * checkBackup) and nothing is touched if it fails. An existing database is replaced only when
 * `replace` is given and no process has it open (stop Cedar first), and is kept beside it as
 * `<target>.before-restore-<when>`.
 */
export async function restoreSqlite(backup: string, target: string, opts: { replace?: boolean; now: Date; auditKey: Buffer | null }): Promise<RestoreResult> {
  if (path.resolve(backup) === path.resolve(target)) throw new BackupRefusedError('The backup is the database itself: give a backup file.');
  // Checked with the key Cedar will use on the restored database: a keyed log restored where its key is not would not start.
  const summary = await checkBackup(backup, opts.auditKey, `copy the audit key of the database it was taken from to ${auditKeyFile(target)} (readable only by Cedar's user), or set CEDAR_AUDIT_KEY`);
  const exists = fs.existsSync(target);
  if (exists && !opts.replace) {
    throw new BackupRefusedError(`There is already a database at ${target}: give --force to replace it (it is kept beside it as ${path.basename(target)}.before-restore-…), after stopping Cedar.`);
  }
  const keepAs = `${target}.before-restore-${opts.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
  try {
    const replaced = await replaceSqliteDatabase(backup, target, keepAs);
    return { backup: summary, target, previous: replaced ? keepAs : null };
  } catch (err) {
    if (err instanceof DatabaseInUseError) throw new BackupRefusedError(`Nothing restored: ${err.message}`);
    throw err;
  }
}
