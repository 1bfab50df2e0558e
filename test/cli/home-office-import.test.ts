import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { FIXTURES, TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

/** Copies of the published tables in ../shared/reference/home-office/. */
const T2018 = path.join(FIXTURES, 'home-office', 'ced-by-force-april2018-march2019.csv');
const T2017 = path.join(FIXTURES, 'home-office', 'ced-by-force-april2017-march2018.csv');
const SERIES = path.join(FIXTURES, 'home-office', 'ced-england-wales-2011-2016.csv');

describe.each(testDatabases())('cedar import home-office-ced on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const cedar = (args: string[]) => runCli(args, { env });
  const rows = () => db.count('select count(*) from home_office_table_row');
  const audit = () => db.count('select count(*) from audit_log');
  const loaded = async () => (await db.sql('select period_key, source_file from home_office_table order by period_key')).map((r) => `${String(r.period_key)} ${String(r.source_file)}`);

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings); // the default force: Metropolitan Police Service, "Metropolitan" in London
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-ho-'));
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'loads a published table for a period, and loading it again changes nothing',
    async () => {
      const r = await cedar(['import', 'home-office-ced', T2018, '--period', '2018-19']);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 2018-19 \(April 2018 to March 2019\) loaded — 43 forces, 10 region totals and England and Wales; Metropolitan is in the table\.$/m);
      expect(await rows()).toBe(54);
      expect(await loaded()).toEqual(['2018-19 ced-by-force-april2018-march2019.csv']);
      const met = await db.sql(`select total, total_discharge, fired from home_office_table_row where police_force = 'Metropolitan'`);
      expect(met.map((m) => [Number(m.total), Number(m.total_discharge), Number(m.fired)])).toEqual([[7396, 704, 673]]);

      const again = await cedar(['import', 'home-office-ced', T2018, '--period', '2018-19']);
      expect(again.code, describeRun(again)).toBe(0);
      expect(again.stdout).toMatch(/^Done: 2018-19 \(April 2018 to March 2019\) already loaded from this file, nothing changed/m);
      expect(await rows()).toBe(54);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a file in another layout, naming the missing columns, and changes nothing',
    async () => {
      const auditBefore = await audit();
      const r = await cedar(['import', 'home-office-ced', SERIES, '--period', '2016']);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(/^line 1: This is not the Home Office table of CED use by force: the header is missing the columns Region, Police force, Total, /m);
      expect(r.stderr).toMatch(/^Nothing loaded: ced-england-wales-2011-2016\.csv is not the Home Office table of Taser use by force\.$/m);
      expect(r.stdout).not.toMatch(/Done:/);
      expect(await loaded()).toEqual(['2018-19 ced-by-force-april2018-march2019.csv']);
      expect(await audit()).toBe(auditBefore);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a file whose totals do not add up, listing each by line and column',
    async () => {
      const edited = path.join(dir, 'edited.csv');
      // 2017-18 with the Met's Fired one higher (and its totals with it): London and England and Wales no longer add up.
      const lines = fs.readFileSync(T2017, 'utf8').split('\n');
      const met = lines.findIndex((l) => l.startsWith('London,Metropolitan,'));
      lines[met] = 'London,Metropolitan,4952.0,4523.0,1490.0,569.0,2443.0,21.0,429.0,17.0,384.0,28.0,0.0';
      fs.writeFileSync(edited, lines.join('\n'));
      const r = await cedar(['import', 'home-office-ced', edited, '--period', '2017-18']);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(/^line 36, column Fired: \*Total London: Fired is 388 but the sum of the forces in London is 389$/m);
      expect(r.stderr).toMatch(/^line 2, column Total discharge: \*Total England and Wales: Total discharge is 1951 but the sum of all forces is 1952$/m);
      expect(r.stderr).toMatch(/^Nothing loaded: 6 figures in edited\.csv do not add up\./m);
      expect(await loaded()).toEqual(['2018-19 ced-by-force-april2018-march2019.csv']);
    },
    TEST_TIMEOUT_MS,
  );
});

// What the command says about its arguments does not depend on the database: checked once.
describe('cedar import home-office-ced arguments', () => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const cedar = (args: string[]) => runCli(args, { env });
  beforeAll(async () => {
    db = await createCliDatabase('sqlite');
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-ho-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'refuses a period no Home Office table can be for: before 2004, or not begun (issue 10)',
    async () => {
      const tables = async () => ((await db.hasTables()) ? db.count('select count(*) from home_office_table') : 0);
      const before = await tables();
      const old = await cedar(['import', 'home-office-ced', T2017, '--period', '1900']);
      expect(old.code, describeRun(old)).toBe(1);
      expect(old.stderr).toContain('1900 is before the Home Office first published Taser use by force (2004)');
      const future = await cedar(['import', 'home-office-ced', T2017, '--period', '2099-00']);
      expect(future.code, describeRun(future)).toBe(1);
      const later = await cedar(['import', 'home-office-ced', T2017, '--period', '2098-99']);
      expect(later.code, describeRun(later)).toBe(1);
      expect(later.stderr).toContain('2098-99 has not begun yet');
      expect(await tables()).toBe(before);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says what period to give, and that the file is missing',
    async () => {
      const month = await cedar(['import', 'home-office-ced', T2017, '--period', '2017-04']);
      expect(month.code, describeRun(month)).toBe(1);
      expect(month.stderr).toContain('2017-04 is not a period the Home Office publishes these tables for. Enter a financial year like 2018-19 or a calendar year like 2016');
      const none = await cedar(['import', 'home-office-ced', T2017]);
      expect(none.code, describeRun(none)).not.toBe(0);
      expect(none.stderr).toMatch(/required option '--period <period>' not specified/);
      const missing = path.join(dir, 'no-such-table.csv');
      const gone = await cedar(['import', 'home-office-ced', missing, '--period', '2017-18']);
      expect(gone.code, describeRun(gone)).toBe(1);
      expect(gone.stderr).toContain(`No file at ${missing}`);
      expect((await db.hasTables()) ? await db.count('select count(*) from home_office_table') : 0).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
