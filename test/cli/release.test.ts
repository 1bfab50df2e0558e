import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MET_COLUMN_INDEX } from '../../src/domain/met/layout.js';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { testDatabases } from '../support/databases.js';
import { FIXTURES, TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

const SAMPLE = parse(fs.readFileSync(path.join(FIXTURES, 'met', 'met-use-of-force-sample.csv'), 'utf8'), { bom: true }) as string[][];
/** Uses of Taser on the given days (the sample's Taser rows, out of force: the CLI's force has no boroughs). */
function usesFile(dir: string, name: string, days: string[]): string {
  const rows = days.map((day, i) => {
    const row = [...SAMPLE[[12, 14, 29, 30][i % 4]!]!];
    row[MET_COLUMN_INDEX.IncidentDate] = day;
    row[MET_COLUMN_INDEX.IncidentTime] = `${10 + i}:${String((name.length * 7) % 60).padStart(2, '0')}`; // each file's rows at their own times
    row[MET_COLUMN_INDEX.Borough] = 'Out of force';
    return row;
  });
  const file = path.join(dir, name);
  fs.writeFileSync(file, writeMetCsv(rows));
  return file;
}

describe.each(testDatabases())('cedar release on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const cedar = (args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-release-cli-'));
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'releases only months from the first recorded use to the last month that has ended, saying which',
    async () => {
      const none = await cedar(['release', 'prepare', '--month', '2026-04']);
      expect(none.code, describeRun(none)).toBe(1);
      expect(none.stderr).toMatch(/No uses of force are recorded yet, so there is nothing to release/);

      const imported = await cedar(['import', 'met-uof', usesFile(dir, 'spring.csv', ['2026-04-03', '2026-04-19', '2026-05-08'])]);
      expect(imported.stdout, describeRun(imported)).toMatch(/— 3 imported, 0 already present, 0 rejected/);

      const ancient = await cedar(['release', 'prepare', '--month', '1999-04']);
      expect(ancient.code, describeRun(ancient)).toBe(1);
      expect(ancient.stderr).toMatch(/^April 1999 is before the force's first recorded use of force \(April 2026\)\. Choose a month from April 2026 to [A-Z][a-z]+ \d{4}$/m);
      const future = await cedar(['release', 'prepare', '--month', '2999-01']);
      expect(future.code, describeRun(future)).toBe(1);
      expect(future.stderr).toMatch(/^January 2999 has not ended yet: a release covers whole months\. Choose a month from April 2026 to /m);
      expect(await db.count('select count(*) from release')).toBe(0);
    },
    2 * TEST_TIMEOUT_MS, // several runs of the CLI, each a second or more
  );

  it(
    'shows the headline figures and publishes only with --yes; the same figures again need --confirm-identical',
    async () => {
      const none = await cedar(['release', 'publish']);
      expect(none.code, describeRun(none)).toBe(1);
      expect(none.stderr).toMatch(/There is no draft release to publish/);

      const draft = await cedar(['release', 'prepare', '--month', '2026-05']);
      expect(draft.code, describeRun(draft)).toBe(0);
      expect(draft.stdout).toMatch(/^Prepared a draft of April to May 2026: 3 uses, 1 discharges, 3 rows in the uses file\.$/m);

      const asked = await cedar(['release', 'publish']);
      expect(asked.code, describeRun(asked)).toBe(1);
      expect(asked.stdout).toMatch(/^Release 1: Taser use, April to May 2026 \(figures to the end of May 2026, counted on \d{4}-\d{2}-\d{2}\)$/m);
      expect(asked.stdout).toMatch(/^ {2}uses of Taser: +3$/m);
      expect(asked.stdout).toMatch(/^ {2}discharges: +1$/m);
      expect(asked.stdout).toMatch(/^ {2}months covered: +April 2026, May 2026$/m);
      expect(asked.stdout).toMatch(/^ {2}revisions: +This is the first release: there is nothing to revise\.$/m);
      expect(asked.stderr).toMatch(/^Nothing published: publishing release 1 cannot be undone\. Check the figures above, then run the command again with --yes\.$/m);
      expect(await db.count(`select count(*) from release where status = 'published'`)).toBe(0);

      const published = await cedar(['release', 'publish', '--yes']);
      expect(published.code, describeRun(published)).toBe(0);
      expect(published.stdout).toMatch(/^Done: published release 1 \(April to May 2026\)\. This is the first release/m);

      const again = await cedar(['release', 'prepare', '--month', '2026-05', '--publish', '--yes']);
      expect(again.code, describeRun(again)).toBe(1);
      expect(again.stdout).toMatch(/^ {2}same figures as: +release 1$/m);
      expect(again.stderr).toMatch(/Nothing published: this release has the same figures as release 1\. If you mean to publish the same figures again, add --confirm-identical\./);
      const confirmed = await cedar(['release', 'publish', '--yes', '--confirm-identical']);
      expect(confirmed.code, describeRun(confirmed)).toBe(0);
      expect(confirmed.stdout).toMatch(/^Done: published release 2 \(April to May 2026\)\. No revisions since release 1/m);
    },
    2 * TEST_TIMEOUT_MS, // several runs of the CLI, each a second or more
  );

  it(
    'corrects a published release with one that supersedes it, with the reason; nothing is deleted',
    async () => {
      const short = await cedar(['release', 'supersede', '--number', '2', '--reason', 'wrong']);
      expect(short.code, describeRun(short)).toBe(1);
      expect(short.stderr).toMatch(/reason: Say in a few words why the release is being corrected/);
      const missing = await cedar(['release', 'supersede', '--number', '9', '--reason', 'A use in May was left out']);
      expect(missing.code, describeRun(missing)).toBe(1);
      expect(missing.stderr).toMatch(/Published release 9 was not found/);

      const late = await cedar(['import', 'met-uof', usesFile(dir, 'late.csv', ['2026-05-30'])]);
      expect(late.stdout, describeRun(late)).toMatch(/— 1 imported, 0 already present, 0 rejected/);
      const fixed = await cedar(['release', 'supersede', '--number', '2', '--reason', 'A use in May was left out', '--publish', '--yes']);
      expect(fixed.code, describeRun(fixed)).toBe(0);
      expect(fixed.stdout).toMatch(/^ {2}supersedes: +release 2: A use in May was left out$/m);
      expect(fixed.stdout).toMatch(/^ {2}revisions: +Revised since release 2 \(May 2026\): May 2026: \+1 late report\.$/m);
      expect(fixed.stdout).toMatch(/^Done: published release 3 \(April to May 2026\)\..* It supersedes release 2\.$/m);

      const twice = await cedar(['release', 'supersede', '--number', '2', '--reason', 'Another reason for it']);
      expect(twice.code, describeRun(twice)).toBe(1);
      expect(twice.stderr).toMatch(/Release 2 was already corrected by release 3/);

      const list = await cedar(['release', 'list']);
      expect(list.stdout).toMatch(/^3\tApril to May 2026 \(to May 2026\)\t4 uses\tpublished .*\tsupersedes release 2: A use in May was left out$/m);
      expect(list.stdout).toMatch(/^2\t.*\tSUPERSEDED by release 3: A use in May was left out$/m);
      expect(list.stdout).toMatch(/^Done: 3 published releases\.$/m);
      expect(await db.count(`select count(*) from release`)).toBe(3);
      expect(await db.count(`select count(*) from audit_log where action like 'release.%'`)).toBe(6);
    },
    2 * TEST_TIMEOUT_MS, // several runs of the CLI, each a second or more
  );
});
