import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { readZip, writeZip } from '../support/zip.js';
import { FIXTURES, TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

/*
 * Issue 10, through the `cedar` command as an operator runs it:
 * - formulas imported (`=cmd|' /C calc'!A0`, `=HYPERLINK(…)`) must not come out of
 *   `export met-uof` (or the Home Office breakdowns, or a rejects file) as formulas;
 * - a 10 MB cell is not echoed whole to stderr or the rejects file, and not stored;
 * - a damaged workbook is refused with a message and exit code 1, never exit 13 in silence.
 */

const SAMPLE = path.join(FIXTURES, 'met', 'met-use-of-force-sample.csv');
const XLSX = fs.readFileSync(path.join(FIXTURES, 'met', 'met-use-of-force-sample.xlsx'));
const records = parse(fs.readFileSync(SAMPLE), { bom: true }) as string[][];
const HEADER = records[0]!;
const ROWS = records.slice(1);
const col = (name: string) => HEADER.indexOf(name);

const CMD = "=cmd|' /C calc'!A0";
const LINK = '=HYPERLINK("http://e.x/","x")';
const SUM = '@SUM(1+1)*cmd|x';
/** Cells that a spreadsheet would run as a formula (OWASP: = + - @ tab CR). */
const FORMULA = /^[=+\-@\t\r]/;

/** Every cell of every row of a CSV file. */
const cells = (file: string) => (parse(fs.readFileSync(file), { bom: true, relax_column_count: true }) as string[][]).flat();

describe.each(testDatabases())('the files the cedar command reads and writes, on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const cedar = (args: string[]) => runCli(args, { env });
  const imported = () => db.count('select count(*) from imported_report');
  const audit = () => db.count('select count(*) from audit_log');

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-files-'));
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'imports formulas as text and exports them neutralised in the Met layout; reads its own export back as already present',
    async () => {
      const rows = ROWS.map((r) => [...r]);
      rows[0]![col('SubjectNatureOfInjury')] = CMD;
      rows[1]![col('CED Device Serial No')] = LINK;
      rows[2]![col('Borough')] = SUM;
      const file = path.join(dir, 'formulas.csv');
      fs.writeFileSync(file, stringify([HEADER, ...rows]));
      const r = await cedar(['import', 'met-uof', file]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 30 rows read — 30 imported, 0 already present, 0 rejected/m);

      const out = path.join(dir, 'export.csv');
      const e = await cedar(['export', 'met-uof', '--from', '2018-01-01', '--to', '2020-12-31', '--out', out]);
      expect(e.code, describeRun(e)).toBe(0);
      const exported = parse(fs.readFileSync(out)) as string[][];
      const values = exported.flat();
      for (const payload of [CMD, LINK, SUM]) {
        expect(values).not.toContain(payload);
        expect(values).toContain(`'${payload}`);
      }
      expect(values.filter((v) => FORMULA.test(v))).toEqual([]);

      // The Home Office return and its breakdowns: no cell a spreadsheet would run either (the borough breakdown download is tested in http/statistics.test.ts).
      const ho = path.join(dir, 'return.csv');
      const breakdowns = path.join(dir, 'breakdowns');
      const h = await cedar(['export', 'home-office-ced', '--from', '2018-01-01', '--to', '2020-12-31', '--out', ho, '--breakdowns', breakdowns]);
      expect(h.code, describeRun(h)).toBe(0);
      const written = [ho, ...fs.readdirSync(breakdowns).map((f) => path.join(breakdowns, f))];
      for (const f of written)
        expect(
          cells(f).filter((v) => FORMULA.test(v) && v !== '-'),
          f,
        ).toEqual([]);

      // Cedar reads its own export back as the values it held: nothing new.
      const again = await cedar(['import', 'met-uof', out]);
      expect(again.code, describeRun(again)).toBe(0);
      expect(again.stdout).toMatch(/^Done: 30 rows read — 0 imported, 30 already present, 0 rejected/m);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects a 10 MB cartridge number, quoting 100 characters of it, and stores nothing of it',
    async () => {
      const huge = '7'.repeat(10 * 1024 * 1024);
      const fired = ROWS.findIndex((r) => r[col('CED Fired')] === 'Yes');
      const rows = ROWS.map((r) => [...r]);
      rows[fired]![col('CED Fired Cartridge Number')] = huge;
      rows[fired]![col('IncidentDate')] = '2021-01-05'; // a row of its own, not one already imported
      const file = path.join(dir, 'huge.csv');
      fs.writeFileSync(file, stringify([HEADER, rows[fired]!]));
      const rejects = path.join(dir, 'huge-rejects.csv');
      const before = await imported();
      const r = await cedar(['import', 'met-uof', file, '--rejects', rejects]);
      expect(r.code, describeRun(r.stderr.length > 5000 ? { ...r, stderr: `${r.stderr.slice(0, 500)}…` } : r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 1 rows read — 0 imported, 0 already present, 1 rejected/m);
      expect(r.stderr.length).toBeLessThan(2000);
      expect(r.stderr).toContain(`line 2, column CED Fired Cartridge Number: "${'7'.repeat(100)}…" (10,485,760 characters) is too long: this column holds at most 30 characters`);
      expect(fs.statSync(rejects).size).toBeLessThan(2000);
      expect(await imported()).toBe(before);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses damaged workbooks with a message and exit code 1, storing nothing',
    async () => {
      const parts = readZip(XLSX);
      const changed = Buffer.from(XLSX);
      for (const at of [4565, 5995, 9769, 12001]) changed[at] = changed[at]! ^ 0x5a;
      const variants = {
        'cut short': XLSX.subarray(0, 9000),
        'bytes changed': changed,
        'sheet cut in half': writeZip(parts.map((p) => (p.name === 'xl/worksheets/sheet1.xml' ? { ...p, data: p.data.subarray(0, p.data.length >> 1) } : p))),
      };
      const [importedBefore, auditBefore] = [await imported(), await audit()];
      for (const [name, bytes] of Object.entries(variants)) {
        const file = path.join(dir, `${name.replace(/ /g, '-')}.xlsx`);
        fs.writeFileSync(file, bytes);
        const r = await cedar(['import', 'met-uof', file]);
        expect(r.code, `${name}\n${describeRun(r)}`).toBe(1);
        expect(r.stderr, name).toMatch(/^Nothing imported: The file looks like an Excel workbook \(\.xlsx\) but cannot be read: .+\. To import it, open it in Excel and save it again/m);
        expect(r.stdout).not.toMatch(/Done:/);
        expect(fs.existsSync(`${file}.rejects.csv`)).toBe(false);
      }
      expect([await imported(), await audit()]).toEqual([importedBefore, auditBefore]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'neutralises a formula a training file puts in its rejects file',
    async () => {
      const file = path.join(dir, 'training-formula.csv');
      fs.writeFileSync(file, `collar_number,course_code,completed_on,result,${LINK.replace(/"/g, '""').replace(/^/, '"').replace(/$/, '"')}\n1,initial-x2,2024-01-01,pass,\n`);
      const rejects = path.join(dir, 'training-rejects.csv');
      const r = await cedar(['import', 'training', file, '--rejects', rejects]);
      expect(r.code, describeRun(r)).toBe(1);
      const values = cells(rejects);
      expect(values).toContain(`'${LINK}`);
      expect(values.filter((v) => FORMULA.test(v))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
