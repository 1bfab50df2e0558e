import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { FIXTURES, TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

/*
 * test/fixtures/roster-good.csv names Lambeth (also as LX), Camden, 'Lambeth Emergency
 * Response A', 'Camden Emergency Response A' and 'Territorial Support Group 1': all part of
 * the demo force, so the shared fixtures are imported into a demo-seeded database. Its collar
 * numbers (101LX, 102LX, 103CN, 104CN, 105) are not among the 200 the demo seed generates,
 * which the "5 created" assertion checks.
 */
const GOOD = path.join(FIXTURES, 'roster-good.csv');
const BAD_ROW = path.join(FIXTURES, 'roster-bad-row.csv'); // line 4: rank "Captain"
const GOOD_COLLARS = ['101LX', '102LX', '103CN', '104CN', '105'];
const BAD_COLLARS = ['201', '202', '203', '204'];

describe.each(testDatabases())('cedar import officers on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  const cedar = (args: string[]) => runCli(args, { env });
  const officers = () => db.count('select count(*) from officer');
  const audit = () => db.count('select count(*) from audit_log');
  const withCollars = (collars: string[]) => db.count(`select count(*) from officer where collar_number in (${collars.map(() => '?').join(', ')})`, collars);

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    const seeded = await runCli(['seed', '--demo', '--officers', '200'], { env });
    if (seeded.code !== 0) throw new Error(`seeding failed\n${describeRun(seeded)}`);
  }, TEST_TIMEOUT_MS);
  afterAll(() => db?.cleanup());

  it(
    'checks a file on a dry run without writing anything',
    async () => {
      const auditBefore = await audit();
      const r = await cedar(['import', 'officers', GOOD, '--dry-run']);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Dry run: 5 rows — 5 created, 0 updated, 0 unchanged\. Nothing was written\.$/m);
      expect(await officers()).toBe(200);
      expect(await audit()).toBe(auditBefore);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'imports a good file',
    async () => {
      const r = await cedar(['import', 'officers', GOOD]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 5 rows — 5 created, 0 updated, 0 unchanged\.$/m);
      expect(await officers()).toBe(205);
      expect(await withCollars(GOOD_COLLARS)).toBe(5);
      const [tsg] = await db.sql(`select t.name as team, b.name as borough from officer o left join team t on t.id = o.team_id left join borough b on b.id = o.borough_id where o.collar_number = ?`, [
        '102LX',
      ]);
      expect(tsg).toEqual({ team: 'Territorial Support Group 1', borough: 'Lambeth' });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'creates nothing when the same file is imported again',
    async () => {
      const r = await cedar(['import', 'officers', GOOD]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 5 rows — 0 created, 0 updated, 5 unchanged\.$/m);
      expect(await officers()).toBe(205);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects a file with a bad row, naming line and column, importing nothing',
    async () => {
      const auditBefore = await audit();
      const r = await cedar(['import', 'officers', BAD_ROW]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(/^line 4, column rank: .*Captain/m);
      expect(r.stderr.match(/^line \d+/gm)).toHaveLength(1);
      expect(r.stderr).toMatch(/nothing was imported/);
      expect(r.stdout).not.toMatch(/Done:/);
      // The three good rows of the file were not imported either: all or nothing.
      expect(await withCollars(BAD_COLLARS)).toBe(0);
      expect(await officers()).toBe(205);
      expect(await audit()).toBe(auditBefore);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says plainly when the file does not exist',
    async () => {
      const missing = path.join(FIXTURES, 'no-such-roster.csv');
      const r = await cedar(['import', 'officers', missing]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toContain(`No file at ${missing}`);
    },
    TEST_TIMEOUT_MS,
  );
});

const MET = path.join(FIXTURES, 'met');

describe.each(testDatabases())('cedar import met-uof on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const cedar = (args: string[]) => runCli(args, { env });
  const reports = () => db.count('select count(*) from imported_report');
  const audit = () => db.count('select count(*) from audit_log');

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-met-cli-'));
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'imports the sample workbook, writing its bad row to the rejects file by sheet row and column',
    async () => {
      const rejects = path.join(dir, 'xlsx-rejects.csv');
      const r = await cedar(['import', 'met-uof', path.join(MET, 'met-use-of-force-sample.xlsx'), '--rejects', rejects]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 31 rows read — 30 imported, 0 already present, 1 rejected \(xlsx\)\.$/m);
      expect(r.stderr).toMatch(/^line 33, column SingleCrewed: "Maybe" is not Yes or No/m);
      expect(r.stderr).toContain(`Rejected rows and reasons written to ${rejects}.`);
      expect(fs.readFileSync(rejects, 'utf8')).toMatch(/^line,column,reason\n33,SingleCrewed,"""Maybe"" is not Yes or No[^\n]*\n$/);
      expect(await reports()).toBe(30);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'finds every row of the same data as CSV already present, and adds nothing importing either again',
    async () => {
      const csv = await cedar(['import', 'met-uof', path.join(MET, 'met-use-of-force-sample.csv')]);
      expect(csv.code, describeRun(csv)).toBe(0);
      expect(csv.stdout).toMatch(/^Done: 30 rows read — 0 imported, 30 already present, 0 rejected \(utf-8\)\.$/m);
      expect(csv.stderr).not.toMatch(/Rejected rows/);
      expect(fs.existsSync(path.join(MET, 'met-use-of-force-sample.csv.rejects.csv'))).toBe(false);

      const auditBefore = await audit();
      const xlsx = await cedar(['import', 'met-uof', path.join(MET, 'met-use-of-force-sample.xlsx'), '--rejects', path.join(dir, 'again.csv')]);
      expect(xlsx.code, describeRun(xlsx)).toBe(0);
      expect(xlsx.stdout).toMatch(/^Done: 31 rows read — 0 imported, 30 already present, 1 rejected \(xlsx\)\.$/m);
      expect(await reports()).toBe(30);
      expect(await audit()).toBe(auditBefore + 1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'knows a workbook by its content, whatever the file is called',
    async () => {
      const renamed = path.join(dir, 'sample-really-a-workbook.csv');
      fs.copyFileSync(path.join(MET, 'met-use-of-force-sample.xlsx'), renamed);
      const r = await cedar(['import', 'met-uof', renamed]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 31 rows read — 0 imported, 30 already present, 1 rejected \(xlsx\)\.$/m);
      expect(fs.existsSync(`${renamed}.rejects.csv`)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a workbook in another layout at once, naming the columns, changing nothing',
    async () => {
      const [reportsBefore, auditBefore] = [await reports(), await audit()];
      const rejects = path.join(dir, 'wrong-rejects.csv');
      const r = await cedar(['import', 'met-uof', path.join(MET, 'met-wrong-layout.xlsx'), '--rejects', rejects]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(/^Nothing imported: This is not a file in the Met's use-of-force layout \(271 columns\): none of the 271 columns/m);
      expect(r.stdout).not.toMatch(/Done:/);
      expect(fs.existsSync(rejects)).toBe(false);
      expect([await reports(), await audit()]).toEqual([reportsBefore, auditBefore]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says plainly when the file does not exist',
    async () => {
      const missing = path.join(MET, 'no-such-file.xlsx');
      const r = await cedar(['import', 'met-uof', missing]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toContain(`No file at ${missing}`);
    },
    TEST_TIMEOUT_MS,
  );
});
