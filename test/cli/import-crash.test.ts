import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { writeMetFile, writeRosterFile } from './big-files.js';
import { startCedar, type Child } from './children.js';
import { cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

/*
 * Issue 10, item 8: a kill -9 during an import leaves the database consistent (no part of the
 * import visible, the audit chain intact, SQLite's integrity check clean), and running the
 * import again completes to the same counts as a clean run.
 */

const MET_ROWS = 6000;
const ROSTER_ROWS = 20_000;
const TIMEOUT = 180_000;

describe.each(testDatabases())('kill -9 during an import on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let metFile: string;
  let rosterFile: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-crash-'));
    metFile = path.join(dir, 'met.csv');
    rosterFile = path.join(dir, 'roster.csv');
    writeMetFile(metFile, MET_ROWS);
    writeRosterFile(rosterFile, ROSTER_ROWS);
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    const migrated = await runCli(['migrate'], { env });
    if (migrated.code !== 0) throw new Error(describeRun(migrated));
  }, TIMEOUT);
  afterAll(async () => {
    await db?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const count = (table: string) => db.count(`select count(*) from ${table}`);
  const auditOf = (action: string) => db.count(`select count(*) from audit_log where action = ?`, [action]);

  /** The database as a whole is sound: SQLite's own check, and Cedar's audit chain from end to end. */
  async function expectConsistent(): Promise<void> {
    if (kind === 'sqlite') expect(await db.sql('pragma integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const verify = await runCli(['audit', 'verify'], { env });
    expect(verify.code, describeRun(verify)).toBe(0);
  }

  /** Whether the import has begun storing its rows: it holds SQLite's write lock, or runs its INSERT … SELECT on PostgreSQL. */
  async function storing(): Promise<boolean> {
    if (kind === 'sqlite') {
      const probe = new SQLite(db.settings.CEDAR_DB!);
      try {
        probe.pragma('busy_timeout = 0');
        probe.exec('begin immediate');
        probe.exec('rollback');
        return false;
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
        throw err;
      } finally {
        probe.close();
      }
    }
    return (await db.count(`select count(*) from pg_stat_activity where datname = current_database() and state = 'active' and query like 'insert into imported_report%'`)) > 0;
  }

  async function killWhenStoring(child: Child): Promise<void> {
    await child.waitFor(/^Read: /);
    while (child.running() && !(await storing())) await new Promise((r) => setTimeout(r, 5));
    await child.kill9();
  }

  it(
    'met-uof killed while reading the file: nothing stored; run again, every row is stored once',
    async () => {
      const importsBefore = await auditOf('met.import');
      const child = startCedar(['import', 'met-uof', metFile], env);
      await child.waitFor(/^Read: /); // staging has begun
      await child.kill9();
      expect((await child.exited).signal).toBe('SIGKILL');
      expect([await count('imported_report'), await count('imported_report_row'), await auditOf('met.import')]).toEqual([0, 0, importsBefore]);
      await expectConsistent();

      const again = await runCli(['import', 'met-uof', metFile], { env, timeoutMs: TIMEOUT });
      expect(again.code, describeRun(again)).toBe(0);
      expect(again.stdout).toContain(`Done: 6,000 rows read — 6,000 imported, 0 already present, 0 rejected`);
      expect([await count('imported_report'), await count('imported_report_row'), await auditOf('met.import')]).toEqual([MET_ROWS, MET_ROWS, importsBefore + 1]);
      await expectConsistent();
    },
    TIMEOUT,
  );

  it(
    'met-uof killed while storing its rows: all or nothing; run again, the same counts as a clean run',
    async () => {
      await db.sql('delete from imported_report_row');
      await db.sql('delete from imported_report');
      const importsBefore = await auditOf('met.import');
      const child = startCedar(['import', 'met-uof', metFile], env);
      await killWhenStoring(child);
      const exit = await child.exited;
      const stored = await count('imported_report');
      if (exit.signal === 'SIGKILL') {
        // Killed inside its one transaction: none of it is there (or, killed between the commit and the exit, all).
        expect([0, MET_ROWS]).toContain(stored);
      } else expect(exit.code, child.stderr()).toBe(0);
      expect(await count('imported_report_row')).toBe(stored);
      expect(await auditOf('met.import')).toBe(importsBefore + (stored ? 1 : 0));
      await expectConsistent();

      const again = await runCli(['import', 'met-uof', metFile], { env, timeoutMs: TIMEOUT });
      expect(again.code, describeRun(again)).toBe(0);
      expect([await count('imported_report'), await count('imported_report_row')]).toEqual([MET_ROWS, MET_ROWS]);
      expect(await db.count('select count(distinct source_key) from imported_report')).toBe(MET_ROWS);
      await expectConsistent();
    },
    TIMEOUT,
  );

  it(
    'officers killed part-way through storing: nothing stored; run again, every officer is created once',
    async () => {
      const before = await count('officer');
      const child = startCedar(['import', 'officers', rosterFile], env);
      await child.waitFor(/^Imported: /); // inside its transaction: the first progress line
      await child.kill9();
      expect((await child.exited).signal).toBe('SIGKILL');
      expect(await count('officer')).toBe(before);
      expect(await auditOf('officer.import')).toBe(0);
      await expectConsistent();

      const again = await runCli(['import', 'officers', rosterFile], { env, timeoutMs: TIMEOUT });
      expect(again.code, describeRun(again)).toBe(0);
      expect(again.stdout).toContain('Done: 20,000 rows — 20,000 created, 0 updated, 0 unchanged.');
      expect(await count('officer')).toBe(before + ROSTER_ROWS);
      expect(await auditOf('officer.import')).toBe(1);
      await expectConsistent();
    },
    TIMEOUT,
  );
});
