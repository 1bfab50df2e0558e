import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

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
      expect(r.stdout).toMatch(new RegExp(`^Done: audit log intact, ${entries} entries checked, head [0-9a-f]{16}…$`, 'm'));
      const [head] = await db.sql('select hash from audit_log where seq = ?', [entries]);
      expect(r.stdout).toContain(`head ${String(head!.hash).slice(0, 16)}`);
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
      expect(r.stderr).toMatch(/entry 2 has been altered/);
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
