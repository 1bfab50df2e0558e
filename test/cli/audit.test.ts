import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash } from '../../src/domain/audit.js';
import { MET_COLUMN_INDEX } from '../../src/domain/met/layout.js';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { testDatabases } from '../support/databases.js';
import { FIXTURES, TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

describe.each(testDatabases())('cedar audit verify on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let entries: number;
  const verify = () => runCli(['audit', 'verify'], { env });

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    // The seed writes a dozen audit entries (force, demo.seed, one per demo account).
    const seeded = await runCli(['seed', '--demo', '--officers', '200', '--at', '2026-12-06T09:00:00Z'], { env });
    if (seeded.code !== 0) throw new Error(`seeding failed\n${describeRun(seeded)}`);
    entries = await db.count('select count(*) from audit_log');
  }, TEST_TIMEOUT_MS);
  afterAll(() => db?.cleanup());

  it(
    'finds an untouched log intact',
    async () => {
      expect(entries).toBeGreaterThanOrEqual(6);
      const r = await verify();
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Done: audit log intact, ${entries} entries checked\\.$`, 'm'));
      const [head] = await db.sql('select hash from audit_log where seq = ?', [entries]);
      expect(r.stdout).toMatch(new RegExp(`^Head: entry ${entries}, hash ${String(head!.hash)} \\(keyed with CEDAR_AUDIT_KEY\\)$`, 'm'));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'catches an entry altered in the database',
    async () => {
      const [original] = await db.sql('select summary from audit_log where seq = 2');
      await db.sql(`update audit_log set summary = '{}' where seq = 2`);
      const r = await verify();
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stdout).not.toMatch(/Done:/);
      expect(r.stderr).toMatch(/BROKEN at entry 2\b/);
      expect(r.stderr).toMatch(/entry 2 has been altered or re-hashed/);
      expect(r.stderr).toMatch(/^1 entries before it are intact\.$/m);

      // Put it back: the chain is whole again (checked by the next test's message).
      await db.sql('update audit_log set summary = ? where seq = 2', [original!.summary]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'catches an entry deleted from the middle of the log',
    async () => {
      await db.sql('delete from audit_log where seq = 4');
      const r = await verify();
      expect(r.code, describeRun(r)).toBe(1);
      // Entries 1 to 3 (including the restored entry 2) check out; the gap is found at 5.
      expect(r.stderr).toMatch(/BROKEN at entry 5\b/);
      expect(r.stderr).toMatch(/entry 5 follows entry 3: an entry is missing/);
      expect(r.stderr).toMatch(/^3 entries before it are intact\.$/m);
    },
    TEST_TIMEOUT_MS,
  );
});

describe.each(testDatabases())('cedar audit verify against published heads on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let published: { seq: number; hash: string };
  const verify = (...args: string[]) => runCli(['audit', 'verify', ...args], { env });

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-audit-cli-'));
    // A use of Taser in May 2026 (the sample's fired row, out of force), and release 1 of it.
    const sample = parse(fs.readFileSync(path.join(FIXTURES, 'met', 'met-use-of-force-sample.csv'), 'utf8'), { bom: true }) as string[][];
    const row = [...sample[29]!];
    row[MET_COLUMN_INDEX.IncidentDate] = '2026-05-04';
    row[MET_COLUMN_INDEX.Borough] = 'Out of force';
    fs.writeFileSync(path.join(dir, 'may.csv'), writeMetCsv([row]));
    for (const args of [
      ['import', 'met-uof', path.join(dir, 'may.csv')],
      ['release', 'prepare', '--month', '2026-05', '--publish', '--yes'],
    ]) {
      const r = await runCli(args, { env });
      if (r.code !== 0) throw new Error(`setup failed\n${describeRun(r)}`);
    }
    const [r] = await db.sql(`select audit_head_seq, audit_head_hash from release where number = 1`);
    published = { seq: Number(r!.audit_head_seq), hash: String(r!.audit_head_hash) };
  }, 2 * TEST_TIMEOUT_MS);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'prints the head and checks it against the heads releases published and a head given',
    async () => {
      const entries = await db.count('select count(*) from audit_log');
      const r = await verify('--release', '1');
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Head: entry ${entries}, hash [0-9a-f]{64} \\(keyed with CEDAR_AUDIT_KEY\\)$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^The heads published with 1 release all hold \\(the newest: entry ${published.seq}, release 1\\)\\.$`, 'm'));
      expect(r.stdout).toContain(`The head published with release 1 holds: entry ${published.seq} has hash ${published.hash}.`);

      const bad = await verify('--head', '12:abc');
      expect(bad.code, describeRun(bad)).toBe(1);
      expect(bad.stderr).toMatch(/^--head: Give the head as SEQ:HASH/m);
      const noRelease = await verify('--release', '4');
      expect(noRelease.code, describeRun(noRelease)).toBe(1);
      expect(noRelease.stderr).toMatch(/--release: there is no published release 4\./);
    },
    2 * TEST_TIMEOUT_MS,
  );

  it(
    'fails a chain re-hashed without the key from some entry on',
    async () => {
      const rows = await db.sql('select * from audit_log where seq >= 2 order by seq');
      const [first] = await db.sql('select hash from audit_log where seq = 1');
      let prev = String(first!.hash);
      for (const e of rows) {
        const summary = Number(e.seq) === 2 ? '{"rewritten":true}' : String(e.summary);
        const content = {
          seq: Number(e.seq),
          id: String(e.id),
          occurredAt: String(e.occurred_at),
          actorUserId: (e.actor_user_id as string | null) ?? null,
          actorLabel: String(e.actor_label),
          action: String(e.action),
          entityType: String(e.entity_type),
          entityId: (e.entity_id as string | null) ?? null,
          summary,
        };
        const hash = entryHash(content, prev); // plain SHA-256: the key is not in the database
        await db.sql('update audit_log set summary = ?, prev_hash = ?, hash = ? where seq = ?', [summary, prev, hash, e.seq]);
        prev = hash;
      }
      const r = await verify();
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(/^Audit log BROKEN at entry 2 \(id [^)]+\): entry 2 has been altered or re-hashed/m);
      for (const e of rows) await db.sql('update audit_log set summary = ?, prev_hash = ?, hash = ? where seq = ?', [e.summary, e.prev_hash, e.hash, e.seq]);
      expect((await verify()).code).toBe(0);
    },
    2 * TEST_TIMEOUT_MS,
  );

  it(
    'fails when the newest entries are deleted, against the published head and against a head given',
    async () => {
      const entries = await db.count('select count(*) from audit_log');
      const [newest] = await db.sql('select hash from audit_log where seq = ?', [entries]);
      await db.sql('delete from audit_log where seq >= ?', [published.seq - 1]);
      const r = await verify();
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^Audit log BROKEN at entry ${published.seq}: the head published with release 1 does not hold: the log ends at entry ${published.seq - 2}, but its head was entry ${published.seq} when it was published`,
          'm',
        ),
      );
      expect(r.stderr).toMatch(/the log no longer holds what was published/);
      const given = await verify('--head', `${entries}:${String(newest!.hash)}`);
      expect(given.code, describeRun(given)).toBe(1);
      expect(given.stderr).toMatch(/BROKEN/);
    },
    2 * TEST_TIMEOUT_MS,
  );
});
