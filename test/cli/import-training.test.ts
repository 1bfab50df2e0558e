import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { FIXTURES, TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

/*
 * test/fixtures/training/: officers.csv (collars 301LX, 302LX, 303CN, 304CN, no borough or
 * team, so no demo seed is needed), good.csv (8 records for them), bad-rows.csv (lines 3-7:
 * unknown collar, unknown course, a date that does not exist, a fail without a reason, line 2
 * again) and wrong-header.csv. The fixtures are copied to a temporary folder, so a rejects file
 * written beside one never lands in the repository.
 */
describe.each(testDatabases())('cedar import training on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const cedar = (args: string[]) => runCli(args, { env });
  const records = () => db.count('select count(*) from training_record');
  const audit = () => db.count('select count(*) from audit_log');

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-training-cli-'));
    for (const name of fs.readdirSync(path.join(FIXTURES, 'training'))) fs.copyFileSync(path.join(FIXTURES, 'training', name), file(name));
    const officers = await cedar(['import', 'officers', file('officers.csv')]);
    if (officers.code !== 0) throw new Error(`importing the officers failed\n${describeRun(officers)}`);
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'says what to do when the force has no course types, importing nothing',
    async () => {
      const r = await cedar(['import', 'training', file('good.csv')]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(/^Nothing imported: Cedar has no course types yet, so no course code can match\. .*--add-national-courses/m);
      expect(r.stdout).not.toMatch(/Done:/);
      expect(await records()).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'adds the national course types when asked, then imports a good file with progress and a summary',
    async () => {
      const r = await cedar(['import', 'training', file('good.csv'), '--add-national-courses']);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Added 5 national course types\.$/m);
      expect(r.stdout).toMatch(/^Done: 8 rows read — 8 imported, 0 already present, 0 rejected\.$/m);
      expect(r.stderr).toMatch(/^Imported: 8 \/ 8$/m);
      expect(await records()).toBe(8);
      expect(await db.count(`select count(*) from training_record where source = 'import' and source_key is not null`)).toBe(8);
      expect(await db.count(`select count(*) from audit_log where action = 'training.import'`)).toBe(1);
      expect(await db.count(`select count(*) from audit_log where action = 'course_type.create'`)).toBe(5);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'adds nothing when the same file is imported again, and a dry run writes nothing',
    async () => {
      const again = await cedar(['import', 'training', file('good.csv'), '--add-national-courses']);
      expect(again.code, describeRun(again)).toBe(0);
      expect(again.stdout).toMatch(/^The force has every national course type already\.$/m);
      expect(again.stdout).toMatch(/^Done: 8 rows read — 0 imported, 8 already present, 0 rejected\.$/m);
      expect(await records()).toBe(8);

      const auditBefore = await audit();
      const dry = await cedar(['import', 'training', file('good.csv'), '--dry-run']);
      expect(dry.code, describeRun(dry)).toBe(0);
      expect(dry.stdout).toMatch(/^Dry run: 8 rows read — 0 would be imported, 8 already present, 0 rejected\. Nothing was written\.$/m);
      expect(await audit()).toBe(auditBefore);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects a file with bad rows, naming each line and column, importing nothing',
    async () => {
      const [recordsBefore, auditBefore] = [await records(), await audit()];
      const rejects = file('bad.rejects.csv');
      const r = await cedar(['import', 'training', file('bad-rows.csv'), '--rejects', rejects]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr.match(/^line \d+.*$/gm)).toEqual([
        'line 3, column collar_number: No officer with collar number 999ZZ in Cedar: check the number, or import the officer first',
        expect.stringMatching(/^line 4, column course_code: No course with the code initial-x3 in Cedar: the codes are /),
        'line 5, column completed_on: There is no day 2024-02-30: check the day and the month',
        'line 6, column reason: Give the reason the officer did not pass',
        'line 7, column collar_number: The same record is on line 2: list each course an officer completed once',
      ]);
      expect(r.stderr).toMatch(/^Rejected: 5 of 6 rows have errors; nothing was imported\.$/m);
      expect(r.stderr).toContain(`Every problem written to ${rejects}.`);
      expect(fs.readFileSync(rejects, 'utf8').split('\n').slice(0, 3)).toEqual([
        'line,column,reason',
        '3,collar_number,"No officer with collar number 999ZZ in Cedar: check the number, or import the officer first"',
        expect.stringMatching(/^4,course_code,/),
      ]);
      expect(r.stdout).not.toMatch(/Done:/);
      // Line 2 is good, but nothing was stored: all or nothing.
      expect([await records(), await audit()]).toEqual([recordsBefore, auditBefore]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a file in another layout, naming the columns, and a file that is not there',
    async () => {
      const r = await cedar(['import', 'training', file('wrong-header.csv')]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(/^line 1, column collar_number: The collar_number column is missing/m);
      expect(r.stderr).toMatch(/^line 1, column collar: Unknown column "collar": the columns are collar_number, course_code, completed_on, result, reason$/m);
      expect(r.stderr).toMatch(/^Rejected: the file has errors; nothing was imported\.$/m);
      expect(fs.existsSync(`${file('wrong-header.csv')}.rejects.csv`)).toBe(false);

      const missing = file('no-such-file.csv');
      const gone = await cedar(['import', 'training', missing]);
      expect(gone.code, describeRun(gone)).toBe(1);
      expect(gone.stderr).toContain(`No file at ${missing}`);
    },
    TEST_TIMEOUT_MS,
  );
});
