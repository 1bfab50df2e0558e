import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

describe.each(testDatabases())('cedar release on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  const cedar = (args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
  }, TEST_TIMEOUT_MS);
  afterAll(() => db?.cleanup());

  it(
    'prepares, lists and publishes a release, and says what is wrong otherwise',
    async () => {
      const none = await cedar(['release', 'publish']);
      expect(none.code, describeRun(none)).toBe(1);
      expect(none.stderr).toMatch(/There is no draft release to publish/);

      const future = await cedar(['release', 'prepare', '--month', '2031-01']);
      expect(future.code, describeRun(future)).toBe(1);
      expect(future.stderr).toMatch(/January 2031 has not ended yet/);

      const draft = await cedar(['release', 'prepare', '--month', '2026-04']);
      expect(draft.code, describeRun(draft)).toBe(0);
      expect(draft.stdout).toMatch(/^Prepared a draft of April 2026: 0 uses, 0 discharges, 0 rows in the uses file\.$/m);
      expect((await cedar(['release', 'list'])).stdout).toMatch(/^Done: 0 published releases and a draft\.$/m);

      const published = await cedar(['release', 'publish']);
      expect(published.code, describeRun(published)).toBe(0);
      expect(published.stdout).toMatch(/^Done: published release 1 \(April 2026\)\. This is the first release/m);
      const list = await cedar(['release', 'list']);
      expect(list.stdout).toMatch(/^1\tApril 2026 \(to April 2026\)\t0 uses\tpublished /m);
      expect(await db.count(`select count(*) from audit_log where action like 'release.%'`)).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );
});
