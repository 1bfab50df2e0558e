import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { MET_COLUMNS } from '../../src/domain/met/layout.js';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { cedarMetRows, importedMetRows, importMetFile, KEPT_REJECTS, type MetReject } from '../../src/services/met-import.js';
import { homeOfficeReturn } from '../../src/services/statistics.js';
import { ensureForce } from '../../src/services/setup.js';
import { insertBoroughs } from '../../src/db/repositories/organisation.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/met/${name}`, import.meta.url));
const onDisk = (name: string) => fileURLToPath(new URL(`../fixtures/met/${name}`, import.meta.url));
const SAMPLE = fixture('met-use-of-force-sample.csv');
/** The sample's 30 rows as a workbook, with a bad row at sheet row 33 (see make-xlsx.ts). */
const SAMPLE_XLSX = fixture('met-use-of-force-sample.xlsx');
const SAMPLE_ROWS = (parse(SAMPLE, { bom: true }) as string[][]).slice(1);
const at = (column: string) => MET_COLUMNS.indexOf(column as (typeof MET_COLUMNS)[number]);
/** A CSV of `n` rows made from the sample's, each on its own day so that every one is new. */
function rowsOnDays(n: number, change: (row: string[], i: number) => string[] = (row) => row): Buffer {
  const rows = Array.from({ length: n }, (_, i) => {
    const row = [...SAMPLE_ROWS[i % SAMPLE_ROWS.length]!];
    row[at('IncidentDate')] = new Date(Date.UTC(2001, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    return change(row, i);
  });
  return Buffer.from(writeMetCsv(rows));
}

describe.each(testDatabases())('importing and exporting the Met layout on %s', (kind) => {
  let svc: TestServices;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    const force = await ensureForce(svc, SYSTEM_ACTOR, { name: 'Metropolitan Police Service', homeOfficeRegion: 'London', homeOfficeName: 'Metropolitan' });
    await insertBoroughs(svc.database.db, force.id, [{ name: 'Bexley', code: 'RY' }], svc.now().toISOString());
  });
  afterAll(() => svc.cleanup());
  const count = async (table: 'imported_report' | 'audit_log') =>
    Number(
      (
        await svc.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const lastAudit = () => svc.database.db.selectFrom('audit_log').select(['action', 'summary']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();

  it('imports every readable row once, however often the file is imported', async () => {
    const first = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'sample.csv', bytes: SAMPLE });
    expect(first).toMatchObject({ problem: null, read: 30, imported: 30, alreadyPresent: 0, rejected: 0 });
    const again = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'sample.csv', bytes: SAMPLE });
    expect(again).toMatchObject({ read: 30, imported: 0, alreadyPresent: 30 });
    const rows = await svc.database.db.selectFrom('imported_report').select(['borough_id', 'borough_name']).execute();
    expect(rows).toHaveLength(30);
    expect(rows.filter((r) => r.borough_name === 'Bexley').every((r) => r.borough_id !== null)).toBe(true);
  });

  it('reads a file on disk a piece at a time, with the same counts as its bytes', async () => {
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'sample.csv', path: onDisk('met-use-of-force-sample.csv') });
    expect(r).toMatchObject({ format: 'csv', encoding: 'utf-8', problem: null, read: 30, imported: 0, alreadyPresent: 30, rejected: 0, problems: 0, rejects: [] });
    expect(r.header).toHaveLength(271);
  });

  it.each([
    ['its bytes', { fileName: 'sample.xlsx', bytes: SAMPLE_XLSX }],
    ['the file on disk', { fileName: 'sample.xlsx', path: onDisk('met-use-of-force-sample.xlsx') }],
    ['its bytes under a .csv name (known by content, not name)', { fileName: 'sample.csv', bytes: SAMPLE_XLSX }],
  ])("reads the workbook's first sheet from %s as the CSV's rows, rejecting its bad row by sheet row and column", async (_, input) => {
    const auditBefore = await count('audit_log');
    const r = await importMetFile(svc, SYSTEM_ACTOR, input);
    // The 30 rows are the CSV's, already imported above: the workbook's dates, times, numbers,
    // booleans, rich text and formula read as the CSV's text.
    expect(r).toMatchObject({ format: 'xlsx', encoding: null, problem: null, read: 31, imported: 0, alreadyPresent: 30, rejected: 1, problems: 1 });
    expect(r.rejects).toEqual([{ line: 33, column: 'SingleCrewed', message: expect.stringContaining('"Maybe" is not Yes or No'), values: expect.any(Array) }]);
    expect(r.rejects[0]!.values[at('SingleCrewed')]).toBe('Maybe');
    expect(await count('imported_report')).toBe(30);
    expect(await count('audit_log')).toBe(auditBefore + 1);
    const audit = await lastAudit();
    expect(audit.action).toBe('met.import');
    expect(JSON.parse(audit.summary)).toMatchObject({ format: 'xlsx', read: 31, imported: 0, alreadyPresent: 30, rejected: 1 });
  });

  it.each([
    ['a workbook in another layout', () => fixture('met-wrong-layout.xlsx'), /none of the 271 columns of the Met's use-of-force layout is in the header row/],
    ['a damaged workbook', () => SAMPLE_XLSX.subarray(0, 3000), /looks like an Excel workbook \(\.xlsx\) but cannot be read/],
  ])('refuses %s at once and stores nothing', async (_, bytes, message) => {
    const [reports, audit] = [await count('imported_report'), await count('audit_log')];
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'roster.xlsx', bytes: bytes() });
    expect(r.problem).toMatch(message);
    expect(r).toMatchObject({ format: 'xlsx', read: 0, imported: 0, rejected: 0 });
    expect([await count('imported_report'), await count('audit_log')]).toEqual([reports, audit]);
  });

  it('hands every problem to onReject as it is found, keeping only the first few', async () => {
    const bad = rowsOnDays(KEPT_REJECTS + 50, (row) => row.map((v, i) => (i === at('SingleCrewed') ? 'Maybe' : v)));
    const seen: MetReject[] = [];
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'bad.csv', bytes: bad }, { onReject: (e) => void seen.push(e) });
    expect(r).toMatchObject({ read: KEPT_REJECTS + 50, imported: 0, rejected: KEPT_REJECTS + 50, problems: KEPT_REJECTS + 50 });
    expect(seen.map((e) => e.line)).toEqual(Array.from({ length: KEPT_REJECTS + 50 }, (_, i) => i + 2));
    expect(seen.every((e) => e.column === 'SingleCrewed')).toBe(true);
    expect(r.rejects).toEqual(seen.slice(0, KEPT_REJECTS));
  });

  it('stores nothing when an import fails part-way, after batches were written: one transaction', async () => {
    const [reports, audit] = [await count('imported_report'), await count('audit_log')];
    // 2,500 new rows (stored in batches of 1,000), then a bad one whose reject cannot be handled.
    const file = rowsOnDays(2501, (row, i) => (i === 2500 ? row.map((v, j) => (j === at('SingleCrewed') ? 'Maybe' : v)) : row));
    const failing = importMetFile(
      svc,
      SYSTEM_ACTOR,
      { fileName: 'late.csv', bytes: file },
      {
        onReject: () => {
          throw new Error('the rejects file cannot be written');
        },
      },
    );
    await expect(failing).rejects.toThrow('the rejects file cannot be written');
    expect([await count('imported_report'), await count('audit_log')]).toEqual([reports, audit]);
  });

  it('keeps identical rows apart: two officers at one incident can publish the same row', async () => {
    const [header, row] = parse(SAMPLE.toString('utf8').replace(/^\uFEFF/, ''), { to: 2 }) as string[][];
    const twice = Buffer.from(writeMetCsv([row!, row!], { header: false }).replace(/^/, `${writeMetCsv([], {}).trimEnd()}\r\n`));
    expect(header!.length).toBe(271);
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'twice.csv', bytes: twice });
    expect(r.read).toBe(2);
    expect(r.imported + r.alreadyPresent).toBe(2);
    expect(r.alreadyPresent).toBe(1); // the first copy is the sample's own row; the second is new
  });

  it('rejects unreadable rows with line and column, and imports the rest', async () => {
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'bad.csv', bytes: fixture('bad-rows.csv') });
    expect(r.read).toBe(r.imported + r.alreadyPresent + r.rejected);
    expect(r.rejected).toBeGreaterThan(0);
    expect(r.rejects[0]).toMatchObject({ line: expect.any(Number), message: expect.any(String) });
  });

  it('refuses a file of the wrong layout and stores nothing', async () => {
    const before = (
      await svc.database.db
        .selectFrom('imported_report')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'roster.csv', bytes: fixture('../roster-good.csv') });
    expect(r.problem).toMatch(/columns are missing: "IncidentDate"/);
    const after = (
      await svc.database.db
        .selectFrom('imported_report')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    expect(Number(after)).toBe(Number(before));
  });

  it('stores values with tabs, line breaks and backslashes as they were (PostgreSQL stages rows with COPY)', async () => {
    const nature = 'Cut to the hand\tand arm,\r\nwith a back\\slash, a "quote" and \\N';
    const file = rowsOnDays(2, (row, i) => {
      row[at('IncidentDate')] = `2031-02-0${i + 1}`;
      row[at('Borough')] = 'Back\\slash\\N';
      row[at('SubjectNatureOfInjury')] = nature;
      return row;
    });
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'escapes.csv', bytes: file });
    expect(r).toMatchObject({ problem: null, read: 2, imported: 2, rejected: 0 });
    const stored = await svc.database.db.selectFrom('imported_report').select(['borough_name', 'source_file']).where('source_file', '=', 'escapes.csv').execute();
    expect(stored.map((s) => s.borough_name)).toEqual(['Back\\slash\\N', 'Back\\slash\\N']);
    const out: string[][] = [];
    for await (const page of importedMetRows(svc, '2031-02-01', '2031-02-03')) out.push(...page);
    expect(out.map((row) => row[at('SubjectNatureOfInjury')])).toEqual([nature, nature]);
  });

  it('exports a period back in the same layout, the same rows order aside, and counts imported uses', async () => {
    const out: string[][] = [];
    for await (const page of importedMetRows(svc, '2000-01-01', '2031-01-01')) out.push(...page);
    for await (const page of cedarMetRows(svc, '2000-01-01', '2031-01-01')) out.push(...page);
    const original = (parse(SAMPLE.toString('utf8').replace(/^\uFEFF/, '')) as string[][]).slice(1);
    const key = (r: readonly string[]) => r.join('\u001f');
    const exported = new Set(out.map(key));
    expect(original.every((r) => exported.has(key(r)))).toBe(true);
    const r = await homeOfficeReturn(svc, { from: '2000-01-01', to: '2030-12-31' });
    expect(r.counts.total).toBeGreaterThan(0);
    expect(r.counts.total).toBe(r.counts.nonDischarge + r.counts.discharge + r.counts.notStated);
  });
});
