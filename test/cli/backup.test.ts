import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services/context.js';
import { testDatabases } from '../support/databases.js';
import { smallForce } from '../support/fixtures.js';
import { recordingOfficer } from '../support/report-fixtures.js';
import { openServicesOn, startChild } from './children.js';
import { cliEnv, createCliDatabase, describeRun, runCli, TEST_TIMEOUT_MS, type CliDatabase } from './support.js';

/*
 * Issue 10, item 8: `cedar backup --out FILE` copies the SQLite database while Cedar writes to
 * it, consistently (a plain cp lost committed reports and audit entries, and the copy still
 * verified), and `cedar restore FILE` puts a checked backup in place, safely. On PostgreSQL
 * both point to pg_dump / pg_restore, whose commands (as the README gives them) are tested too.
 */

const TIMEOUT = 180_000;

/** Counts in a SQLite file, read directly. */
function countIn(file: string, query: string, params: unknown[] = []): number {
  const db = new SQLite(file, { readonly: true });
  try {
    return Number(Object.values(db.prepare(query).get(...params) as object)[0]);
  } finally {
    db.close();
  }
}

/** The figure a backup or restore printed for a count. */
const printed = (output: string, label: string) => Number(new RegExp(`^  ${label}: ([\\d,]+)$`, 'm').exec(output)?.[1]?.replace(/,/g, '') ?? NaN);

describe('cedar backup and restore on SQLite', () => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let svc: Services | null;
  let dir: string;
  let burstEnv: NodeJS.ProcessEnv;
  let live: string;
  const backupFile = () => path.join(dir, 'cedar-backup.db');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-backup-'));
    db = await createCliDatabase('sqlite');
    env = cliEnv(db.settings);
    live = db.settings.CEDAR_DB!;
    svc = await openServicesOn(db.settings);
    const f = await smallForce(svc);
    const pc = await recordingOfficer(svc, f.boroughs.lambeth.id);
    burstEnv = { ...env, BURST_ACTOR: JSON.stringify(pc), BURST_BOROUGH: f.boroughs.lambeth.id };
  }, TIMEOUT);
  afterAll(async () => {
    await svc?.database.close();
    await db?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'backs up while reports are being submitted; restored elsewhere, its audit chain verifies and it holds every report acknowledged before the backup began',
    async () => {
      const child = startChild('submit-burst.ts', burstEnv);
      const acked = () => [...child.stdout().matchAll(/^acked (\S+)$/gm)].map((m) => m[1]!);
      try {
        await child.waitFor(/^(?:acked \S+\n){5}/m);
        const before = acked();
        const r = await runCli(['backup', '--out', backupFile()], { env, timeoutMs: TIMEOUT });
        expect(r.code, describeRun(r)).toBe(0);
        const after = acked();
        expect(r.stdout).toMatch(/^Checked: SQLite integrity ok; Cedar schema at migration \d+ of \d+; audit chain intact from its first entry\.$/m);
        expect(r.stdout).toMatch(/^Audit head: entry [\d,]+, hash [0-9a-f]{64}$/m);
        expect(r.stdout).toContain(`Done: backup written to ${backupFile()}`);
        await child.kill9();

        // Restored into a fresh location.
        const restored = path.join(dir, 'restored', 'cedar.db');
        const restoreEnv = cliEnv({ CEDAR_DB: restored });
        // The log is keyed: without its key beside the new location (or CEDAR_AUDIT_KEY) nothing is restored.
        const keyless = await runCli(['restore', backupFile()], { env: restoreEnv, timeoutMs: TIMEOUT });
        expect(keyless.code, describeRun(keyless)).toBe(1);
        expect(keyless.stderr).toContain(
          `is keyed (from entry 1) and can only be checked with its key, which was not found: copy the audit key of the database it was taken from to ${path.join(dir, 'restored', 'audit.key')}`,
        );
        expect(fs.existsSync(restored)).toBe(false);
        fs.mkdirSync(path.join(dir, 'restored'), { recursive: true });
        fs.copyFileSync(path.join(path.dirname(live), 'audit.key'), path.join(dir, 'restored', 'audit.key'));
        const back = await runCli(['restore', backupFile()], { env: restoreEnv, timeoutMs: TIMEOUT });
        expect(back.code, describeRun(back)).toBe(0);
        expect(back.stdout).toContain(`Done: restored ${backupFile()} to ${restored}.`);
        const verify = await runCli(['audit', 'verify'], { env: restoreEnv });
        expect(verify.code, describeRun(verify)).toBe(0);

        // Every report acknowledged before the backup began is in it, submitted, with its audit entry.
        const submitted = countIn(restored, `select count(*) from uof_report where status = 'submitted'`);
        for (const id of before) expect(countIn(restored, `select count(*) from uof_report where id = ? and status = 'submitted'`, [id]), id).toBe(1);
        expect(submitted).toBeGreaterThanOrEqual(before.length);
        expect(submitted).toBeLessThanOrEqual(after.length + 3); // at most the ones in flight as it finished
        expect(countIn(restored, `select count(*) from audit_log where action = 'report.submit'`)).toBe(submitted);
        // What it printed is what the copy holds.
        expect(printed(r.stdout, 'use-of-force reports')).toBe(countIn(restored, 'select count(*) from uof_report'));
        expect(printed(r.stdout, 'audit entries')).toBe(countIn(restored, 'select count(*) from audit_log'));
        expect(printed(back.stdout, 'audit entries')).toBe(printed(r.stdout, 'audit entries'));
      } finally {
        await child.kill9();
      }
    },
    TIMEOUT,
  );

  it(
    'will not overwrite a file without --force',
    async () => {
      const r = await runCli(['backup', '--out', backupFile()], { env });
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toContain(`${backupFile()} already exists: give another file, or --force to replace it.`);
      const again = await runCli(['backup', '--out', backupFile(), '--force'], { env });
      expect(again.code, describeRun(again)).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'restores nothing from a file that is not a sound Cedar database, and leaves the database as it was',
    async () => {
      const reports = countIn(live, 'select count(*) from uof_report');
      const garbage = path.join(dir, 'garbage.db');
      fs.writeFileSync(garbage, 'this is not a database, just some text long enough to look like a file header....');
      const foreign = path.join(dir, 'foreign.db');
      new SQLite(foreign).exec('create table t (x); insert into t values (1)');
      const tampered = path.join(dir, 'tampered.db');
      fs.copyFileSync(backupFile(), tampered);
      const t = new SQLite(tampered);
      t.prepare(`update audit_log set summary = '{}' where seq = 2`).run();
      t.close();
      for (const [file, message] of [
        [garbage, 'is not a SQLite database that can be read'],
        [foreign, "is a SQLite database, but not Cedar's"],
        [tampered, 'The audit log in'],
        [path.join(dir, 'missing.db'), 'There is no file at'],
      ] as const) {
        const r = await runCli(['restore', file, '--force'], { env });
        expect(r.code, describeRun(r)).toBe(1);
        expect(r.stderr).toContain(message);
      }
      expect(countIn(live, 'select count(*) from uof_report')).toBe(reports);
      expect(fs.readdirSync(path.dirname(live)).filter((f) => f.includes('before-restore'))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'replaces a database only with --force and only when Cedar is stopped, keeping the old one beside it',
    async () => {
      const reportsNow = countIn(live, 'select count(*) from uof_report');
      const reportsInBackup = countIn(backupFile(), 'select count(*) from uof_report');
      expect(reportsNow).toBeGreaterThan(0);

      const noForce = await runCli(['restore', backupFile()], { env });
      expect(noForce.code, describeRun(noForce)).toBe(1);
      expect(noForce.stderr).toContain(`There is already a database at ${live}: give --force to replace it`);

      // This test's own services have the database open, as a running Cedar would.
      const running = await runCli(['restore', backupFile(), '--force'], { env });
      expect(running.code, describeRun(running)).toBe(1);
      expect(running.stderr).toMatch(/Nothing restored: .* is open in another process \(Cedar, or a cedar command\): stop it, then restore again\./);
      expect(countIn(live, 'select count(*) from uof_report')).toBe(reportsNow);

      await svc!.database.close();
      svc = null;
      const r = await runCli(['restore', backupFile(), '--force'], { env });
      expect(r.code, describeRun(r)).toBe(0);
      const kept = /The database it replaced is kept as (\S+)\.$/m.exec(r.stdout)?.[1];
      expect(kept).toMatch(/cedar\.db\.before-restore-\d{8}T\d{6}Z$/);
      expect(countIn(kept!, 'select count(*) from uof_report')).toBe(reportsNow);
      expect(countIn(live, 'select count(*) from uof_report')).toBe(reportsInBackup);
      const verify = await runCli(['audit', 'verify'], { env });
      expect(verify.code, describeRun(verify)).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});

const pgDump = (() => {
  try {
    execFileSync('pg_dump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!testDatabases().includes('postgres'))('cedar backup and restore on PostgreSQL', () => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let restored: CliDatabase;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-pgdump-'));
    db = await createCliDatabase('postgres');
    restored = await createCliDatabase('postgres');
    env = cliEnv(db.settings);
    const seeded = await runCli(['seed', '--demo', '--officers', '100'], { env, timeoutMs: TIMEOUT });
    if (seeded.code !== 0) throw new Error(describeRun(seeded));
  }, TIMEOUT);
  afterAll(async () => {
    await db?.cleanup();
    await restored?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('explains the pg_dump and pg_restore commands and exits 2', async () => {
    for (const args of [
      ['backup', '--out', path.join(dir, 'x.db')],
      ['restore', path.join(dir, 'x.db')],
    ]) {
      const r = await runCli(args, { env });
      expect(r.code, describeRun(r)).toBe(2);
      expect(r.stderr).toContain('pg_dump --format=custom --file=cedar.dump "$DATABASE_URL"');
      expect(r.stderr).toContain('pg_restore --no-owner --exit-on-error');
    }
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
  });

  it.skipIf(!pgDump)(
    "the README's pg_dump and pg_restore commands give a database whose audit chain verifies, with the same counts",
    async () => {
      const dump = path.join(dir, 'cedar.dump');
      execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, db.settings.DATABASE_URL!]);
      execFileSync('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${restored.settings.DATABASE_URL!}`, dump]);
      // The restored database is checked with the key its log was written with (CEDAR_AUDIT_KEY goes with the database).
      const verify = await runCli(['audit', 'verify'], { env: cliEnv({ ...restored.settings, CEDAR_AUDIT_KEY: db.settings.CEDAR_AUDIT_KEY! }) });
      expect(verify.code, describeRun(verify)).toBe(0);
      for (const table of ['audit_log', 'officer', 'uof_report', 'imported_report', 'training_record']) {
        expect(await restored.count(`select count(*) from ${table}`), table).toBe(await db.count(`select count(*) from ${table}`));
      }
    },
    TIMEOUT,
  );
});
