import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPARED_LEVELS, compareForce, homeOfficeTablePeriodProblem, sameName, type Comparison, type ComparedForce } from '../../../src/domain/stats/comparison.js';
import { parsePeriod } from '../../../src/domain/stats/periods.js';
import { countsFromLevels, emptyCounts } from '../../../src/domain/stats/counting.js';
import { parseHomeOfficeTable } from '../../../src/domain/stats/home-office.js';

/** The published tables (copies of ../shared/reference/home-office/, kept in the repository). */
const published = (name: string) => parseHomeOfficeTable(readFileSync(new URL(`../../fixtures/home-office/${name}`, import.meta.url), 'utf8'));
const TABLES = {
  '2016': published('ced-by-force-january-december2016-revised.csv'),
  '2017-18': published('ced-by-force-april2017-march2018.csv'),
  '2018-19': published('ced-by-force-april2018-march2019.csv'),
};
const MET: ComparedForce = { name: 'Metropolitan Police Service', homeOfficeName: 'Metropolitan', homeOfficeRegion: 'London' };

/** A cell as people read it: `26.5% (1960)`. */
const cells = (c: Comparison, key: string) => [...c.levels, c.discharge].find((l) => l.key === key)!.cells.map((x) => `${x.rate.percent} (${x.count})`);

interface Case {
  name: string;
  period: keyof typeof TABLES;
  force: ComparedForce;
  areas: string[];
  totals: number[];
  /** Looked up in the file and divided by hand: share (count) for force, region, England and Wales. */
  expect: Record<string, string[]>;
}

const CASES: Case[] = [
  {
    name: 'the Met in 2018-19',
    period: '2018-19',
    force: MET,
    areas: ['Metropolitan', 'London', 'England and Wales'],
    totals: [7396, 7445, 23451],
    expect: {
      drawn: ['26.5% (1960)', '26.6% (1977)', '23.9% (5608)'], // 1960/7396 = 0.26501, 1977/7445 = 0.26555, 5608/23451 = 0.23914
      redDot: ['52.2% (3863)', '52.2% (3887)', '50.9% (11943)'], // 3863/7396 = 0.52231, 11943/23451 = 0.50927
      fired: ['9.1% (673)', '9.1% (676)', '11.0% (2585)'], // 673/7396 = 0.09099, 2585/23451 = 0.11023
      notStated: ['0.0% (0)', '0.0% (0)', '3.8% (890)'], // 890/23451 = 0.03795
      discharge: ['9.5% (704)', '9.5% (707)', '11.5% (2693)'], // 704/7396 = 0.09519, 707/7445 = 0.09496, 2693/23451 = 0.11484
    },
  },
  {
    name: 'the Met in 2017-18',
    period: '2017-18',
    force: MET,
    areas: ['Metropolitan', 'London', 'England and Wales'],
    totals: [4951, 5027, 16913],
    expect: {
      drawn: ['30.1% (1490)', '30.2% (1516)', '25.1% (4250)'], // 1490/4951 = 0.30095, 1516/5027 = 0.30157, 4250/16913 = 0.25129
      fired: ['7.7% (383)', '7.7% (388)', '10.8% (1821)'], // 383/4951 = 0.07736, 1821/16913 = 0.10767
      discharge: ['8.6% (428)', '8.6% (434)', '11.5% (1951)'], // 428/4951 = 0.08645, 434/5027 = 0.08633, 1951/16913 = 0.11535
    },
  },
  {
    name: 'the Met in 2016 (calendar year, revised; totals written without an asterisk)',
    period: '2016',
    force: MET,
    areas: ['Metropolitan', 'London', 'England and Wales'],
    totals: [2072, 2107, 11303],
    expect: {
      redDot: ['46.0% (954)', '46.2% (973)', '50.9% (5755)'], // 954/2072 = 0.46042, 973/2107 = 0.46179, 5755/11303 = 0.50916
      angledDriveStun: ['0.5% (10)', '0.5% (10)', '0.5% (60)'], // 10/2072 = 0.00483, 60/11303 = 0.00531
      discharge: ['12.6% (261)', '12.4% (262)', '16.9% (1905)'], // 261/2072 = 0.12597, 262/2107 = 0.12435, 1905/11303 = 0.16854
    },
  },
  {
    name: 'Durham against the North East in 2018-19',
    period: '2018-19',
    force: { name: 'Durham Constabulary', homeOfficeName: 'Durham', homeOfficeRegion: 'North East' },
    areas: ['Durham', 'North East', 'England and Wales'],
    totals: [304, 795, 23451],
    expect: {
      discharge: ['17.1% (52)', '18.0% (143)', '11.5% (2693)'], // 52/304 = 0.17105, 143/795 = 0.17987
      notStated: ['2.6% (8)', '1.0% (8)', '3.8% (890)'], // 8/304 = 0.02632, 8/795 = 0.01006
    },
  },
  {
    name: 'Avon and Somerset Constabulary, found as "Avon & Somerset" by its own name',
    period: '2018-19',
    force: { name: 'Avon and Somerset Constabulary', homeOfficeName: 'Avon and Somerset Constabulary', homeOfficeRegion: 'South West' },
    areas: ['Avon & Somerset', 'South West', 'England and Wales'],
    totals: [733, 2127, 23451],
    expect: { discharge: ['14.7% (108)', '12.9% (274)', '11.5% (2693)'] }, // 108/733 = 0.14734, 274/2127 = 0.12882
  },
  {
    name: 'Norfolk, set up with Cedar\'s region name "East" (the tables say "East of England")',
    period: '2018-19',
    force: { name: 'Norfolk Constabulary', homeOfficeName: 'Norfolk', homeOfficeRegion: 'East' },
    areas: ['Norfolk', 'East of England', 'England and Wales'],
    totals: [426, 1644, 23451],
    expect: { discharge: ['9.6% (41)', '11.0% (181)', '11.5% (2693)'] }, // 41/426 = 0.09624, 181/1644 = 0.11010
  },
  {
    name: "a force whose region is set wrongly: the table's region is used",
    period: '2018-19',
    force: { name: 'Durham Constabulary', homeOfficeName: 'durham', homeOfficeRegion: 'London' },
    areas: ['Durham', 'North East', 'England and Wales'],
    totals: [304, 795, 23451],
    expect: {},
  },
];

describe('compareForce on the published tables', () => {
  it.each(CASES)('$name', (c) => {
    const r = compareForce(TABLES[c.period], c.force);
    expect(r.areas.map((a) => a.label)).toEqual(c.areas);
    expect(r.areas.map((a) => a.source)).toEqual(['published', 'published', 'published']);
    expect(r.totals).toEqual(c.totals);
    expect(r.forceInTable).toBe(true);
    expect(r.forceSource).toBe('published');
    expect(r.notes).toEqual([]);
    for (const [key, expected] of Object.entries(c.expect)) expect(cells(r, key), key).toEqual(expected);
  });

  it.each(Object.entries(TABLES))('%s: every level is a row, in the table order, and the counts add up to the total', (_period, table) => {
    const r = compareForce(table, MET);
    expect(r.levels.map((l) => l.label)).toEqual(['Drawn', 'Aimed', 'Red-dot', 'Arced', 'Drive stun', 'Fired', 'Angled drive stun', 'Not stated']);
    expect(r.discharge.label).toBe('Discharge rate');
    r.areas.forEach((a, i) => {
      expect(r.levels.reduce((s, l) => s + l.cells[i]!.count, 0)).toBe(a.counts.total);
      expect(r.discharge.cells[i]!.count).toBe(a.counts.driveStun + a.counts.fired + a.counts.angledDriveStun);
      for (const l of COMPARED_LEVELS) expect(a.shares[l.field].value).toBeCloseTo(a.counts[l.field] / a.counts.total, 12);
    });
  });
});

describe('compareForce when the force is not in the table', () => {
  const absent: ComparedForce = { name: 'British Transport Police', homeOfficeName: 'British Transport Police', homeOfficeRegion: 'London' };

  it('shows the region and England and Wales, and says the force is not in it', () => {
    const r = compareForce(TABLES['2018-19'], absent);
    expect(r.forceInTable).toBe(false);
    expect(r.forceSource).toBeNull();
    expect(r.areas.map((a) => a.label)).toEqual(['London', 'England and Wales']);
    expect(r.totals).toEqual([7445, 23451]);
    expect(r.notes).toEqual([expect.stringMatching(/^British Transport Police is not in this table, so only London and England and Wales are shown\./)]);
    expect(cells(r, 'discharge')).toEqual(['9.5% (707)', '11.5% (2693)']);
  });

  it("uses Cedar's own count for the period when it has uses, marked as Cedar's, and says the totals do not include it", () => {
    const own = countsFromLevels({ drawn: 3, red_dotted: 4, fired: 2, not_stated: 1 }); // 10 uses, 2 discharges
    const r = compareForce(TABLES['2018-19'], absent, own);
    expect(r.forceSource).toBe('cedar');
    expect(r.areas.map((a) => [a.label, a.source])).toEqual([
      ['British Transport Police', 'cedar'],
      ['London', 'published'],
      ['England and Wales', 'published'],
    ]);
    expect(cells(r, 'drawn')[0]).toBe('30.0% (3)');
    expect(cells(r, 'discharge')[0]).toBe('20.0% (2)');
    expect(r.notes[0]).toMatch(/not in this table\. Its figures here are Cedar's own count .* which the London and England and Wales totals do not include\.$/);
  });

  it("keeps the published row when there is one, with Cedar's count beside it as a check", () => {
    const own = countsFromLevels({ fired: 5 });
    const r = compareForce(TABLES['2018-19'], MET, own);
    expect(r.forceSource).toBe('published');
    expect(r.totals[0]).toBe(7396);
    expect(r.cedar).toEqual(own);
  });

  it('ignores a Cedar count of nothing', () => {
    expect(compareForce(TABLES['2018-19'], absent, emptyCounts()).forceSource).toBeNull();
  });

  it('says when the region or England and Wales total is missing', () => {
    const onlyForces = { ...TABLES['2018-19'], regionTotals: new Map(), englandAndWales: null };
    const r = compareForce(onlyForces, MET);
    expect(r.areas.map((a) => a.label)).toEqual(['Metropolitan']);
    expect(r.regionInTable).toBe(false);
    expect(r.englandAndWalesInTable).toBe(false);
    expect(r.notes).toEqual(['The table has no total for the region London.', 'The table has no England and Wales total.']);
  });

  it('a force with no uses has no shares rather than 0%', () => {
    const table = { forces: [{ region: 'London', force: 'Metropolitan', counts: emptyCounts() }], regionTotals: new Map(), englandAndWales: null };
    const r = compareForce(table, MET);
    expect(cells(r, 'fired')).toEqual(['- (0)']);
    expect(r.areas[0]!.dischargeRate).toEqual({ value: null, percent: '-' });
  });
});

describe('sameName', () => {
  it.each([
    ['Avon & Somerset', 'avon and somerset', true],
    ['  Metropolitan ', 'METROPOLITAN', true],
    ['Devon  &  Cornwall', 'Devon and Cornwall', true],
    ['Metropolitan', 'City of London', false],
  ])('%j and %j: %s', (a, b, same) => {
    expect(sameName(a, b)).toBe(same);
  });
});

describe('homeOfficeTablePeriodProblem (issue 10)', () => {
  const TODAY = '2026-12-06';
  it.each([
    ['2004', null],
    ['2004-05', null],
    ['2018-19', null],
    ['2026', null],
    ['2026-27', null],
    ['1900', 'is before the Home Office first published Taser use by force (2004)'],
    ['2003-04', 'is before the Home Office first published Taser use by force (2004)'],
    ['2027', 'has not begun yet'],
    ['2027-28', 'has not begun yet'],
  ])('%s: %s', (input, problem) => {
    const found = homeOfficeTablePeriodProblem(parsePeriod(input), TODAY);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});
