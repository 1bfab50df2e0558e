import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { PeriodError } from '../../src/domain/stats/periods.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { importMetFile } from '../../src/services/met-import.js';
import { HomeOfficeImportError, importHomeOfficeTable, listLoadedPeriods, nationalComparison } from '../../src/services/national.js';
import { ensureForce } from '../../src/services/setup.js';
import { homeOfficeReturn } from '../../src/services/statistics.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';

/** The published tables (copies of ../shared/reference/home-office/, kept in the repository). */
const fixture = (name: string) => readFileSync(new URL(`../fixtures/home-office/${name}`, import.meta.url));
const T2016 = { fileName: 'ced-by-force-january-december2016-revised.csv', bytes: fixture('ced-by-force-january-december2016-revised.csv') };
const T2017 = { fileName: 'ced-by-force-april2017-march2018.csv', bytes: fixture('ced-by-force-april2017-march2018.csv') };
const T2018 = { fileName: 'ced-by-force-april2018-march2019.csv', bytes: fixture('ced-by-force-april2018-march2019.csv') };
const SERIES = { fileName: 'ced-england-wales-2011-2016.csv', bytes: fixture('ced-england-wales-2011-2016.csv') };
const MET_SAMPLE = readFileSync(new URL('../fixtures/met/met-use-of-force-sample.csv', import.meta.url));

/** The 2018-19 table with one line replaced (line 1 is the header). */
function edited2018(line: number, text: string) {
  const lines = T2018.bytes.toString('utf8').split('\n');
  lines[line - 1] = text;
  return { fileName: 'edited.csv', bytes: Buffer.from(lines.join('\n')) };
}
const HEADER = 'Region,Police force,Total,Total non-discharge,Drawn,Aimed,Red-dot,Arced,Total discharge,Drive stun,Fired,Angled drive stun,Not stated';
const CITY_ONLY = [
  HEADER,
  'England and Wales,*Total England and Wales,49.0,46.0,17.0,4.0,24.0,1.0,3.0,0.0,3.0,0.0,0.0',
  'London,*Total London,49.0,46.0,17.0,4.0,24.0,1.0,3.0,0.0,3.0,0.0,0.0',
  'London,City of London,49.0,46.0,17.0,4.0,24.0,1.0,3.0,0.0,3.0,0.0,0.0',
].join('\n');

describe.each(testDatabases())('published Home Office tables and the national comparison on %s', (kind) => {
  let svc: TestServices;
  const analyst: Actor = { userId: null, label: 'cli:analyst', grants: [] };

  /** Everything the loads write: both tables, in order, and the audit log's length. */
  async function state() {
    const db = svc.database.db;
    return {
      tables: await db.selectFrom('home_office_table').selectAll().orderBy('period_key').execute(),
      rows: await db.selectFrom('home_office_table_row').selectAll().orderBy('table_id').orderBy('position').execute(),
      audit: (await listAudit(db, {}, { offset: 0, limit: 1 })).total,
    };
  }
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HomeOfficeImportError);
    return err as HomeOfficeImportError;
  };

  beforeAll(async () => {
    svc = await openTestServices(kind);
    await ensureForce(svc, SYSTEM_ACTOR, { name: 'Metropolitan Police Service', homeOfficeRegion: 'London', homeOfficeName: 'Metropolitan' });
  });
  afterAll(() => svc.cleanup());

  it('has nothing to compare before a table is loaded', async () => {
    expect(await listLoadedPeriods(svc)).toEqual([]);
    expect(await nationalComparison(svc)).toEqual({ force: { name: 'Metropolitan Police Service', homeOfficeName: 'Metropolitan', homeOfficeRegion: 'London' }, periods: [] });
  });

  it('loads a published table for its period, every row with its figures, with an audit entry', async () => {
    const r = await importHomeOfficeTable(svc, analyst, T2018, '2018-19');
    expect(r).toMatchObject({ file: T2018.fileName, encoding: 'utf-8', outcome: 'loaded', replacedFile: null, forces: 43, regions: 10, forceInTable: true, forceName: 'Metropolitan', notes: [] });
    expect(r.period).toEqual({ key: '2018-19', kind: 'financial_year', label: 'April 2018 to March 2019', from: '2018-04-01', toExclusive: '2019-04-01' });

    const s = await state();
    expect(s.tables).toHaveLength(1);
    expect(s.tables[0]).toMatchObject({ period_key: '2018-19', period_label: 'April 2018 to March 2019', source_file: T2018.fileName, loaded_by: 'cli:analyst' });
    expect(s.rows).toHaveLength(54); // 43 forces, 10 regions, England and Wales
    expect(s.rows.map((x) => x.row_kind).filter((k) => k === 'region_total')).toHaveLength(10);
    const met = s.rows.find((x) => x.police_force === 'Metropolitan')!;
    expect({ ...met, id: undefined, table_id: undefined }).toEqual({
      id: undefined,
      table_id: undefined,
      position: 36,
      line: 38,
      row_kind: 'force',
      region: 'London',
      police_force: 'Metropolitan',
      total: 7396,
      total_non_discharge: 6692,
      drawn: 1960,
      aimed: 834,
      red_dot: 3863,
      arced: 35,
      total_discharge: 704,
      drive_stun: 15,
      fired: 673,
      angled_drive_stun: 16,
      not_stated: 0,
    });
    expect(s.rows.find((x) => x.row_kind === 'england_and_wales')).toMatchObject({ line: 2, region: 'England and Wales', police_force: '*Total England and Wales', total: 23451 });

    const { entries } = await listAudit(svc.database.db, { action: 'home_office.import' }, { offset: 0, limit: 10 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorLabel: 'cli:analyst', entityType: 'home_office_table', entityId: s.tables[0]!.id });
    expect(JSON.parse(entries[0]!.summary)).toMatchObject({ period: '2018-19', file: T2018.fileName, forces: 43, regions: 10, forceInTable: true, outcome: 'loaded' });
  });

  it('changes nothing when the same file is loaded for the same period again', async () => {
    const before = await state();
    const r = await importHomeOfficeTable(svc, analyst, T2018, '2018-19');
    expect(r.outcome).toBe('unchanged');
    const after = await state();
    expect(after.tables).toEqual(before.tables);
    expect(after.rows).toEqual(before.rows);
    expect(after.audit).toBe(before.audit + 1); // the attempt is recorded
  });

  it("replaces the period: another file for it takes the old one's place, rows and all", async () => {
    const r = await importHomeOfficeTable(svc, analyst, T2017, '2018-19');
    expect(r).toMatchObject({ outcome: 'replaced', replacedFile: T2018.fileName });
    let s = await state();
    expect(s.tables.map((t) => [t.period_key, t.source_file])).toEqual([['2018-19', T2017.fileName]]);
    expect(s.rows).toHaveLength(54);
    expect(s.rows.find((x) => x.police_force === 'Metropolitan')!.total).toBe(4951);
    expect((await nationalComparison(svc)).periods[0]!.comparison.totals).toEqual([4951, 5027, 16913]);

    // And back: the right file again gives the same rows as the first load.
    const back = await importHomeOfficeTable(svc, analyst, T2018, '2018-19');
    expect(back).toMatchObject({ outcome: 'replaced', replacedFile: T2017.fileName });
    s = await state();
    expect(s.rows.find((x) => x.police_force === 'Metropolitan')!.total).toBe(7396);
    expect(s.rows).toHaveLength(54);
  });

  it('refuses a file in another layout, naming the missing columns, and stores nothing', async () => {
    const before = await state();
    const err = await refusal(importHomeOfficeTable(svc, analyst, SERIES, '2016'));
    expect(err.reason).toBe('unreadable');
    expect(err.summary).toBe('Nothing loaded: ced-england-wales-2011-2016.csv is not the Home Office table of Taser use by force.');
    expect(err.problems).toEqual([{ line: 1, column: null, message: expect.stringMatching(/missing the columns Region, Police force, Total, Total non-discharge, .*Not stated\./) }]);
    expect(err.message).toMatch(/^Nothing loaded: .*\nline 1: This is not the Home Office table/);
    expect(await state()).toEqual(before);
  });

  it('refuses a file whose totals do not add up, saying where, and keeps the table already loaded', async () => {
    const before = await state();
    // The Met's Drawn one higher (its own row still adds up): London and England and Wales no longer
    // do, each in Total, Total non-discharge and Drawn (the regions still add up to England and Wales).
    const err = await refusal(importHomeOfficeTable(svc, analyst, edited2018(38, 'London,Metropolitan,7397.0,6693.0,1961.0,834.0,3863.0,35.0,704.0,15.0,673.0,16.0,0.0'), '2018-19'));
    expect(err.reason).toBe('inconsistent');
    expect(err.summary).toMatch(/^Nothing loaded: 6 figures in edited\.csv do not add up\./);
    expect(err.problems).toContainEqual({ line: 36, column: 'Drawn', message: '*Total London: Drawn is 1977 but the sum of the forces in London is 1978' });
    expect(err.problems).toContainEqual({ line: 2, column: 'Total', message: '*Total England and Wales: Total is 23451 but the sum of all forces is 23452' });
    expect(await state()).toEqual(before);
    expect((await nationalComparison(svc)).periods[0]!.comparison.totals).toEqual([7396, 7445, 23451]);
  });

  it('refuses a row that cannot be read, naming its line and column', async () => {
    const before = await state();
    const err = await refusal(importHomeOfficeTable(svc, analyst, edited2018(38, 'London,Metropolitan,7396.0,6692.0,..,834.0,3863.0,35.0,704.0,15.0,673.0,16.0,0.0'), '2018-19'));
    expect(err.reason).toBe('unreadable');
    expect(err.problems).toEqual([{ line: 38, column: 'Drawn', message: expect.stringMatching(/^The Drawn figure is "\.\." \(not available\)/) }]);
    expect(err.message).toContain('line 38, column Drawn: The Drawn figure');
    expect(await state()).toEqual(before);
  });

  it('refuses a table without its England and Wales total', async () => {
    const before = await state();
    const noTotal = {
      fileName: 'no-total.csv',
      bytes: Buffer.from(
        CITY_ONLY.split('\n')
          .filter((l) => !l.startsWith('England and Wales'))
          .join('\n'),
      ),
    };
    const err = await refusal(importHomeOfficeTable(svc, analyst, noTotal, '2019-20'));
    expect(err.reason).toBe('incomplete');
    expect(err.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^The file has no England and Wales total/)]);
    expect(await state()).toEqual(before);
  });

  it.each([
    ['2019-04', /not a period the Home Office publishes these tables for/],
    ['2019-Q1', /not a period the Home Office publishes these tables for/],
    ['last year', /not a period Cedar understands/],
  ])('refuses the period %j and stores nothing', async (period, message) => {
    const before = await state();
    await expect(importHomeOfficeTable(svc, analyst, T2016, period)).rejects.toThrow(PeriodError);
    await expect(importHomeOfficeTable(svc, analyst, T2016, period)).rejects.toThrow(message);
    expect(await state()).toEqual(before);
  });

  it('loads a table without the force, and the comparison says it is not in it', async () => {
    const r = await importHomeOfficeTable(svc, analyst, { fileName: 'city-only.csv', bytes: Buffer.from(CITY_ONLY) }, '2015-16');
    expect(r).toMatchObject({ outcome: 'loaded', forces: 1, regions: 1, forceInTable: false, forceName: 'Metropolitan' });
    const p = (await nationalComparison(svc)).periods.find((x) => x.period.key === '2015-16')!;
    expect(p.comparison.forceInTable).toBe(false);
    expect(p.comparison.forceSource).toBeNull();
    expect(p.comparison.areas.map((a) => a.label)).toEqual(['London', 'England and Wales']);
    expect(p.comparison.notes[0]).toMatch(/^Metropolitan is not in this table/);
  });

  it('loads a table with a column it does not need, noting that it was ignored', async () => {
    const extra = CITY_ONLY.split('\n')
      .map((l, i) => `${l},${i === 0 ? 'Notes' : 'x'}`)
      .join('\n');
    const r = await importHomeOfficeTable(svc, analyst, { fileName: 'notes.csv', bytes: Buffer.from(extra) }, '2014-15');
    expect(r.outcome).toBe('loaded');
    expect(r.notes).toEqual([{ line: 1, column: null, message: 'Column Notes ignored: not part of the table' }]);
  });

  it("compares every loaded period, newest first, with Cedar's own count beside the published row", async () => {
    await importHomeOfficeTable(svc, analyst, T2016, '2016');
    await importHomeOfficeTable(svc, analyst, T2017, '2017-18');
    // Historical uses in Cedar: the Met sample has uses of Taser in 2018-19.
    await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'sample.csv', bytes: MET_SAMPLE });
    const own2018 = (await homeOfficeReturn(svc, '2018-19', { breakdowns: false })).counts;
    expect(own2018.total).toBeGreaterThan(0);

    expect((await listLoadedPeriods(svc)).map((t) => t.period.key)).toEqual(['2018-19', '2017-18', '2016', '2015-16', '2014-15']);
    const model = await nationalComparison(svc);
    expect(model.periods.map((p) => [p.period.key, p.period.label, p.sourceFile])).toEqual([
      ['2018-19', 'April 2018 to March 2019', T2018.fileName],
      ['2017-18', 'April 2017 to March 2018', T2017.fileName],
      ['2016', 'January to December 2016', T2016.fileName],
      ['2015-16', 'April 2015 to March 2016', 'city-only.csv'],
      ['2014-15', 'April 2014 to March 2015', 'notes.csv'],
    ]);
    const [p2018, p2017, p2016] = model.periods;
    expect(p2018!.comparison.forceSource).toBe('published');
    expect(p2018!.comparison.totals).toEqual([7396, 7445, 23451]);
    expect(p2018!.comparison.cedar).toEqual(own2018);
    expect(p2018!.comparison.discharge.cells.map((c) => c.rate.percent)).toEqual(['9.5%', '9.5%', '11.5%']);
    expect(p2017!.comparison.totals).toEqual([4951, 5027, 16913]);
    expect(p2016!.comparison.totals).toEqual([2072, 2107, 11303]);
    expect(p2016!.comparison.areas.map((a) => a.label)).toEqual(['Metropolitan', 'London', 'England and Wales']);
  });

  it("uses Cedar's own count for a period whose table does not have the force", async () => {
    const cityOnly2018 = { fileName: 'city-only-2018.csv', bytes: Buffer.from(CITY_ONLY) };
    await importHomeOfficeTable(svc, analyst, cityOnly2018, '2018-19');
    const own = (await homeOfficeReturn(svc, '2018-19', { breakdowns: false })).counts;
    const c = (await nationalComparison(svc)).periods[0]!.comparison;
    expect(c.forceSource).toBe('cedar');
    expect(c.areas.map((a) => [a.label, a.source])).toEqual([
      ['Metropolitan', 'cedar'],
      ['London', 'published'],
      ['England and Wales', 'published'],
    ]);
    expect(c.totals).toEqual([own.total, 49, 49]);
    await importHomeOfficeTable(svc, analyst, T2018, '2018-19');
  });
});
