import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { HighestLevel } from '../../../src/domain/report/levels.js';
import { addCounts, CED_COUNT_FIELDS, countCed, countProblems, countsFromLevels, emptyCounts, type CedCounts } from '../../../src/domain/stats/counting.js';
import { HOME_OFFICE_CED_COLUMNS, HOME_OFFICE_CED_HEADER, homeOfficeRow, parseHomeOfficeTable, parseNationalSeries, parseWholeNumber } from '../../../src/domain/stats/home-office.js';
import { report } from './reports.js';

/** The published tables (copies of ../shared/reference/home-office/, kept in the repository). */
const PUBLISHED = new URL('../../fixtures/home-office/', import.meta.url);
const published = (name: string) => readFileSync(new URL(name, PUBLISHED), 'utf8');

/** Figures in table order: Total, Total non-discharge, Drawn, Aimed, Red-dot, Arced, Total discharge, Drive stun, Fired, Angled drive stun, Not stated. */
const figures = (c: CedCounts) => CED_COUNT_FIELDS.map((f) => c[f]);
const fromFigures = (n: number[]): CedCounts => Object.fromEntries(CED_COUNT_FIELDS.map((f, i) => [f, n[i]])) as unknown as CedCounts;

const HEADER = 'Region,Police force,Total,Total non-discharge,Drawn,Aimed,Red-dot,Arced,Total discharge,Drive stun,Fired,Angled drive stun,Not stated';

describe('the return layout', () => {
  it('has exactly the Home Office header', () => {
    expect(HOME_OFFICE_CED_HEADER).toBe(HEADER);
    expect(HOME_OFFICE_CED_COLUMNS.join(',')).toBe(HEADER);
  });

  it('writes one row for the force, whole numbers in table order', () => {
    const levels: (HighestLevel | null)[] = ['fired', 'fired', 'drawn', 'red_dotted', 'not_stated', 'angle_drive_stun', null];
    const counts = countCed(levels.map((highestLevel) => report({ highestLevel })));
    expect(homeOfficeRow('London', 'Metropolitan', counts)).toEqual(['London', 'Metropolitan', '6', '2', '1', '0', '1', '0', '3', '0', '2', '1', '1']);
  });

  it.each([1.5, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a figure of %s', (n) => {
    expect(() => homeOfficeRow('London', 'Metropolitan', { ...emptyCounts(), fired: n })).toThrow(/Fired figure must be a whole number/);
  });

  it('reads back what it writes', () => {
    const counts = countsFromLevels({ drawn: 1490, aimed: 569, red_dotted: 2443, arced: 21, drive_stun: 17, fired: 383, angle_drive_stun: 28 });
    const text = `${HEADER}\n${homeOfficeRow('London', 'Metropolitan', counts).join(',')}\n`;
    const table = parseHomeOfficeTable(text);
    expect(table.errors).toEqual([]);
    expect(table.forces).toEqual([{ line: 2, region: 'London', force: 'Metropolitan', counts }]);
    expect(table.englandAndWales).toBeNull();
  });
});

interface Expected {
  file: string;
  forces: number;
  regions: number;
  englandAndWales: number[];
  metropolitan: number[];
  cityOfLondon: number[];
  totalsMarked: '*Total' | 'Total';
}

/** Looked up in each published file by hand. */
const EXPECTED: Expected[] = [
  {
    file: 'ced-by-force-january-december2016-revised.csv',
    forces: 43,
    regions: 10,
    englandAndWales: [11303, 9393, 2832, 718, 5755, 88, 1905, 97, 1748, 60, 5],
    metropolitan: [2072, 1811, 673, 180, 954, 4, 261, 6, 245, 10, 0],
    cityOfLondon: [35, 34, 10, 3, 19, 2, 1, 0, 1, 0, 0],
    totalsMarked: 'Total',
  },
  {
    file: 'ced-by-force-april2017-march2018.csv',
    forces: 43,
    regions: 10,
    englandAndWales: [16913, 14282, 4250, 1532, 8372, 128, 1951, 61, 1821, 69, 680],
    metropolitan: [4951, 4523, 1490, 569, 2443, 21, 428, 17, 383, 28, 0],
    cityOfLondon: [76, 70, 26, 5, 39, 0, 6, 1, 5, 0, 0],
    totalsMarked: '*Total',
  },
  {
    file: 'ced-by-force-april2018-march2019.csv',
    forces: 43,
    regions: 10,
    englandAndWales: [23451, 19868, 5608, 2147, 11943, 170, 2693, 55, 2585, 53, 890],
    metropolitan: [7396, 6692, 1960, 834, 3863, 35, 704, 15, 673, 16, 0],
    cityOfLondon: [49, 46, 17, 4, 24, 1, 3, 0, 3, 0, 0],
    totalsMarked: '*Total',
  },
];

const REGIONS = ['North East', 'North West', 'Yorkshire and the Humber', 'East Midlands', 'West Midlands', 'East of England', 'London', 'South East', 'South West', 'Wales'];

describe('the published tables of CED use by force', () => {
  const files = readdirSync(fileURLToPath(PUBLISHED)).filter((f) => f.startsWith('ced-by-force-'));

  it('every published by-force file has its expected figures here', () => {
    expect(fileURLToPath(PUBLISHED)).toMatch(/fixtures\/home-office\/$/);
    expect(files.sort()).toEqual(EXPECTED.map((e) => e.file).sort());
  });

  describe.each(EXPECTED)('$file', (e) => {
    const text = published(e.file);
    const table = parseHomeOfficeTable(text);

    it('reads every row, with no errors and nothing that fails to add up', () => {
      expect(table.errors).toEqual([]);
      expect(table.warnings).toEqual([]);
      expect(table.consistent).toBe(true);
      expect(table.summary).toBe('Read 43 forces, 10 region totals and the England and Wales total; every row and total adds up.');
      const dataRows = (parse(text, { skip_empty_lines: true }) as string[][]).length - 1;
      expect(table.forces.length + table.regionTotals.size + 1).toBe(dataRows);
      expect(table.forces.length).toBe(e.forces);
      expect(table.regionTotals.size).toBe(e.regions);
      expect([...table.regionTotals.keys()]).toEqual(REGIONS);
    });

    it('finds the Metropolitan Police with the published figures', () => {
      const met = table.forces.filter((f) => f.force === 'Metropolitan');
      expect(met).toHaveLength(1);
      expect(met[0]!.region).toBe('London');
      expect(figures(met[0]!.counts)).toEqual(e.metropolitan);
      expect(figures(table.forces.find((f) => f.force === 'City of London')!.counts)).toEqual(e.cityOfLondon);
    });

    it('has the published England and Wales total', () => {
      expect(table.englandAndWales!.name).toBe(`${e.totalsMarked} England and Wales`);
      expect(figures(table.englandAndWales!.counts)).toEqual(e.englandAndWales);
    });

    it('each region total is the sum of its forces; England and Wales is the sum of the regions and of the forces', () => {
      for (const [region, total] of table.regionTotals) {
        expect(total.name).toBe(`${e.totalsMarked} ${region}`);
        const sum = table.forces.filter((f) => f.region === region).reduce((s, f) => addCounts(s, f.counts), emptyCounts());
        expect(sum, region).toEqual(total.counts);
      }
      const regions = [...table.regionTotals.values()].reduce((s, r) => addCounts(s, r.counts), emptyCounts());
      const forces = table.forces.reduce((s, f) => addCounts(s, f.counts), emptyCounts());
      expect(regions).toEqual(table.englandAndWales!.counts);
      expect(forces).toEqual(table.englandAndWales!.counts);
      // London is the Met and the City of London.
      expect(figures(table.regionTotals.get('London')!.counts)).toEqual(e.metropolitan.map((n, i) => n + e.cityOfLondon[i]!));
    });

    it('every row adds up within itself', () => {
      for (const f of table.forces) expect(countProblems(f.counts), f.force).toEqual([]);
    });

    it('gives the line of each row', () => {
      const lines = text.split('\n');
      for (const f of table.forces) expect(lines[f.line - 1]!.startsWith(`${f.region},${f.force},`)).toBe(true);
    });
  });

  it('the national series 2011-2016 is a different layout, refused with the missing columns named', () => {
    const t = parseHomeOfficeTable(published('ced-england-wales-2011-2016.csv'));
    expect(t.forces).toEqual([]);
    expect(t.consistent).toBe(false);
    expect(t.errors).toEqual([
      {
        line: 1,
        column: null,
        message: expect.stringMatching(
          /^This is not the Home Office table of CED use by force: the header is missing the columns Region, Police force, Total, .*Not stated\. Expected Region,Police force,/,
        ),
      },
    ]);
  });
});

describe('the national series by level of use, 2011-2016', () => {
  const series = parseNationalSeries(published('ced-england-wales-2011-2016.csv'));

  it('reads every year, and every year adds up', () => {
    expect(series.errors).toEqual([]);
    expect(series.warnings).toEqual([]);
    expect(series.consistent).toBe(true);
    expect(series.years.map((y) => [y.year, y.counts.total])).toEqual([
      ['2011', 7877],
      ['2012', 8161],
      ['2013', 10380],
      ['2014', 10095],
      ['2015', 10390],
      ['2016', 11294],
    ]);
    expect(figures(series.years[0]!.counts)).toEqual([7877, 6045, 1568, 368, 3795, 314, 1818, 308, 1506, 4, 14]);
  });

  it('its 2016 figures are the first publication: the revised 2016 table differs', () => {
    const revised = parseHomeOfficeTable(published('ced-by-force-january-december2016-revised.csv')).englandAndWales!.counts;
    const first = series.years.find((y) => y.year === '2016')!.counts;
    const difference = Object.fromEntries(CED_COUNT_FIELDS.map((f) => [f, revised[f] - first[f]]).filter(([, d]) => d !== 0));
    expect(difference).toEqual({ total: 9, nonDischarge: 14, drawn: 3, aimed: -1, redDot: 11, arced: 1, discharge: -5, driveStun: -1, fired: -7, angledDriveStun: 3 });
  });

  it('refuses a file that is not the series', () => {
    expect(parseNationalSeries(HEADER).errors[0]!.message).toMatch(/first column must be Action/);
    const missing = parseNationalSeries('Action,2015,2016\nDrawn,1,2\nBogus,3,4\n');
    expect(missing.errors[0]).toEqual({ line: 3, column: 'Action', message: expect.stringMatching(/^Unknown level of use "Bogus"/) });
    expect(missing.errors.some((p) => p.message === 'The row Total is missing')).toBe(true);
  });
});

describe('reading a figure', () => {
  it.each([
    ['4951', 4951],
    ['4951.0', 4951],
    ['4,951', 4951],
    ['1,234,567.0', 1234567],
    [' 12 ', 12],
    ['0', 0],
    ['0.0', 0],
  ])('%j is %i', (cell, n) => {
    expect(parseWholeNumber(cell)).toBe(n);
  });
  it.each([
    ['', /is blank/],
    ['  ', /is blank/],
    ['..', /not available/],
    ['*', /not available/],
    ['[x]', /not available/],
    ['abc', /not a number/],
    ['12.5', /not a whole number/],
    ['-3', /cannot be negative/],
    ['49,51', /not a number/],
    ['1e3', /not a number/],
  ])('%j is refused', (cell, message) => {
    const r = parseWholeNumber(cell);
    expect(typeof r).toBe('string');
    expect(r).toMatch(message);
  });
});

describe('parseHomeOfficeTable: problems in a file', () => {
  const met = 'London,Metropolitan,4951.0,4523.0,1490.0,569.0,2443.0,21.0,428.0,17.0,383.0,28.0,0.0';
  const city = 'London,City of London,76.0,70.0,26.0,5.0,39.0,0.0,6.0,1.0,5.0,0.0,0.0';
  const london = 'London,*Total London,5027.0,4593.0,1516.0,574.0,2482.0,21.0,434.0,18.0,388.0,28.0,0.0';
  const file = (...rows: string[]) => [HEADER, ...rows].join('\n');

  it('reads a clean file', () => {
    const t = parseHomeOfficeTable(file(london, city, met));
    expect(t.errors).toEqual([]);
    expect(t.warnings).toEqual([]);
    expect(t.regionTotals.get('London')).toEqual({ line: 2, name: '*Total London', counts: fromFigures([5027, 4593, 1516, 574, 2482, 21, 434, 18, 388, 28, 0]) });
  });

  it('takes a BOM, CRLF line ends, blank lines, quoted figures with thousands separators and columns in another order', () => {
    const reordered = 'Police force,Region,Not stated,Angled drive stun,Fired,Drive stun,Total discharge,Arced,Red-dot,Aimed,Drawn,Total non-discharge,Total';
    const text = `\uFEFF${reordered}\r\n\r\n"Metropolitan",London,0,28,383,17,428,21,"2,443",569,"1,490","4,523","4,951"\r\n`;
    const t = parseHomeOfficeTable(text);
    expect(t.errors).toEqual([]);
    expect(t.forces).toEqual([{ line: 3, region: 'London', force: 'Metropolitan', counts: fromFigures([4951, 4523, 1490, 569, 2443, 21, 428, 17, 383, 28, 0]) }]);
  });

  const rowErrors: [name: string, row: string, column: string | null, message: RegExp][] = [
    ['a blank figure', 'London,Metropolitan,4951.0,4523.0,,569.0,2443.0,21.0,428.0,17.0,383.0,28.0,0.0', 'Drawn', /^The Drawn figure is blank: enter a whole number \(0 if there were none\)$/],
    ['text', 'London,Metropolitan,4951.0,4523.0,1490.0,lots,2443.0,21.0,428.0,17.0,383.0,28.0,0.0', 'Aimed', /^The Aimed figure is "lots", not a number$/],
    ['a fraction', 'London,Metropolitan,4951.0,4523.0,1490.0,569.0,2443.5,21.0,428.0,17.0,383.0,28.0,0.0', 'Red-dot', /^The Red-dot figure is 2443.5, not a whole number$/],
    ['a negative', 'London,Metropolitan,4951.0,4523.0,1490.0,569.0,2443.0,-21,428.0,17.0,383.0,28.0,0.0', 'Arced', /cannot be negative/],
    ['a suppressed figure', 'London,Metropolitan,4951.0,4523.0,1490.0,569.0,2443.0,21.0,428.0,17.0,383.0,28.0,..', 'Not stated', /not available/],
    ['a short row', 'London,Metropolitan,4951.0,4523.0', null, /^The row has 4 cells, the header 13/],
    ['an unquoted thousands separator', 'London,Metropolitan,4,951,4523.0,1490.0,569.0,2443.0,21.0,428.0,17.0,383.0,28.0,0.0', null, /thousands separator \(4,951\) must be in quotes/],
    ['no force name', 'London,,4951.0,4523.0,1490.0,569.0,2443.0,21.0,428.0,17.0,383.0,28.0,0.0', 'Police force', /The police force is blank/],
    ['no region', ',Metropolitan,4951.0,4523.0,1490.0,569.0,2443.0,21.0,428.0,17.0,383.0,28.0,0.0', 'Region', /The region is blank/],
  ];
  it.each(rowErrors)('a row with %s is an error at its line and column, and the other rows are read', (_name, row, column, message) => {
    const t = parseHomeOfficeTable(file(city, row));
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toEqual({ line: 3, column, message: expect.stringMatching(message) });
    expect(t.forces.map((f) => f.force)).toEqual(['City of London']);
    expect(t.consistent).toBe(false);
    expect(t.summary).toMatch(/1 problem stopped rows being read, so the totals were not checked\.$/);
  });

  it('keeps a trailing empty cell', () => {
    expect(parseHomeOfficeTable(file(`${met},`)).errors).toEqual([]);
  });

  it.each([
    ['', /The file is empty/],
    ['Region,Police force,Total\nLondon,Metropolitan,1', /missing the columns Total non-discharge, Drawn, Aimed, Red-dot, Arced, Total discharge, Drive stun, Fired, Angled drive stun, Not stated\./],
    [`${HEADER}\nLondon,"Metropolitan,1`, /not readable CSV/],
  ])('a file that cannot be the table is refused: %j', (text, message) => {
    const t = parseHomeOfficeTable(text);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]!.message).toMatch(message);
    expect(t.forces).toEqual([]);
  });

  it('a row that does not add up is a warning, and its figures are kept as published', () => {
    const wrong = 'London,Metropolitan,4952.0,4523.0,1490.0,569.0,2443.0,21.0,427.0,17.0,383.0,28.0,0.0';
    const t = parseHomeOfficeTable(file(wrong));
    expect(t.errors).toEqual([]);
    expect(t.warnings).toEqual([
      { line: 2, column: 'Total discharge', message: 'Metropolitan: Total discharge is 427 but Drive stun + Fired + Angled drive stun is 428' },
      { line: 2, column: 'Total', message: 'Metropolitan: Total is 4952 but Total non-discharge + Total discharge + Not stated is 4950' },
    ]);
    expect(t.forces[0]!.counts.total).toBe(4952);
    expect(t.consistent).toBe(false);
    expect(t.summary).toBe('Read 1 force, 0 region totals; 2 figures do not add up (published tables are occasionally inconsistent: the figures are kept as published).');
  });

  it('a region total that is not the sum of its forces is a warning', () => {
    const londonOff = 'London,*Total London,5028.0,4594.0,1517.0,574.0,2482.0,21.0,434.0,18.0,388.0,28.0,0.0';
    const t = parseHomeOfficeTable(file(londonOff, city, met));
    expect(t.warnings).toEqual([
      { line: 2, column: 'Total', message: '*Total London: Total is 5028 but the sum of the forces in London is 5027' },
      { line: 2, column: 'Total non-discharge', message: '*Total London: Total non-discharge is 4594 but the sum of the forces in London is 4593' },
      { line: 2, column: 'Drawn', message: '*Total London: Drawn is 1517 but the sum of the forces in London is 1516' },
    ]);
    expect(t.regionTotals.get('London')!.counts.total).toBe(5028);
  });

  it('England and Wales is checked against the forces and the regions', () => {
    const ew = 'England and Wales,*Total England and Wales,5030.0,4596.0,1519.0,574.0,2482.0,21.0,434.0,18.0,388.0,28.0,0.0';
    const t = parseHomeOfficeTable(file(ew, london, city, met));
    expect(t.warnings.map((w) => w.message)).toEqual([
      '*Total England and Wales: Total is 5030 but the sum of all forces is 5027',
      '*Total England and Wales: Total non-discharge is 4596 but the sum of all forces is 4593',
      '*Total England and Wales: Drawn is 1519 but the sum of all forces is 1516',
      '*Total England and Wales: Total is 5030 but the sum of the region totals is 5027',
      '*Total England and Wales: Total non-discharge is 4596 but the sum of the region totals is 4593',
      '*Total England and Wales: Drawn is 1519 but the sum of the region totals is 1516',
    ]);
    expect(t.englandAndWales!.counts.total).toBe(5030);
  });

  it('notes duplicates, a region without a total, and a total without forces', () => {
    const t = parseHomeOfficeTable(file(london, city, met, met, 'Wales,Gwent,1,1,1,0,0,0,0,0,0,0,0', 'North East,*Total North East,0,0,0,0,0,0,0,0,0,0,0'));
    expect(t.warnings.map((w) => [w.line, w.message])).toEqual([
      [5, 'Metropolitan (London) appears more than once'],
      [2, '*Total London: Total is 5027 but the sum of the forces in London is 9978'],
      [2, '*Total London: Total non-discharge is 4593 but the sum of the forces in London is 9116'],
      [2, '*Total London: Drawn is 1516 but the sum of the forces in London is 3006'],
      [2, '*Total London: Aimed is 574 but the sum of the forces in London is 1143'],
      [2, '*Total London: Red-dot is 2482 but the sum of the forces in London is 4925'],
      [2, '*Total London: Arced is 21 but the sum of the forces in London is 42'],
      [2, '*Total London: Total discharge is 434 but the sum of the forces in London is 862'],
      [2, '*Total London: Drive stun is 18 but the sum of the forces in London is 35'],
      [2, '*Total London: Fired is 388 but the sum of the forces in London is 771'],
      [2, '*Total London: Angled drive stun is 28 but the sum of the forces in London is 56'],
      [7, '*Total North East: no forces are listed in North East'],
      [6, 'The region Wales has forces but no total row'],
    ]);
  });

  it('never throws on bad content', () => {
    for (const text of ['\u0000', ',,,,', '"', `${HEADER}\n${'x,'.repeat(40)}`, 'a\nb\nc']) expect(() => parseHomeOfficeTable(text)).not.toThrow();
  });
});
