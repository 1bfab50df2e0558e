import { describe, expect, it } from 'vitest';
import type { HighestLevel } from '../../../src/domain/report/levels.js';
import { AGE_BANDS, ETHNICITIES, GENDERS, IMPACT_FACTORS, LOCATION_TYPES, MAIN_DUTIES, OUTCOMES, REASONS_FOR_FORCE } from '../../../src/domain/report/vocabulary.js';
import { breakdown, countCed, DIMENSION_KEYS, MULTI_VALUED_DIMENSIONS, NOT_RECORDED, type Breakdown, type CountedReport, type Dimension } from '../../../src/domain/stats/counting.js';
import { parsePeriod } from '../../../src/domain/stats/periods.js';
import { prng, randomReports, report } from './reports.js';

/** label -> total, in row order. */
const totals = (b: Breakdown) => b.rows.map((r) => [r.label, r.counts.total] as const);
const nonZero = (b: Breakdown) => totals(b).filter(([, n]) => n > 0);
const labels = (v: Record<string, string>) => Object.values(v);

describe('breakdown by a single-valued dimension', () => {
  const reports: CountedReport[] = [
    report({ ageBand: '18-34', gender: 'male', ethnicity: 'black', mainDuty: 'response', singleCrewed: false, highestLevel: 'fired' }),
    report({ ageBand: '18-34', gender: 'female', ethnicity: 'white', mainDuty: 'tsg', singleCrewed: true, highestLevel: 'drawn' }),
    report({ ageBand: '50-64', gender: 'male', ethnicity: 'black', mainDuty: 'response', singleCrewed: null, highestLevel: 'red_dotted' }),
    report({ ageBand: null, gender: null, ethnicity: null, mainDuty: null, singleCrewed: false, highestLevel: 'not_stated' }),
    report({ ageBand: '65+', gender: 'female', ethnicity: 'asian', mainDuty: 'cid', singleCrewed: true, highestLevel: null }), // no CED: not counted
  ];
  const cases: [dimension: Dimension, expected: (readonly [string, number])[], vocabulary: string[]][] = [
    [
      'ageBand',
      [
        ['18-34', 2],
        ['50-64', 1],
        [NOT_RECORDED, 1],
      ],
      labels(AGE_BANDS),
    ],
    [
      'gender',
      [
        ['Male', 2],
        ['Female', 1],
        [NOT_RECORDED, 1],
      ],
      labels(GENDERS),
    ],
    [
      'ethnicity',
      [
        ['White', 1],
        ['Black (or Black British)', 2],
        [NOT_RECORDED, 1],
      ],
      labels(ETHNICITIES),
    ],
    [
      'mainDuty',
      [
        ['Response', 2],
        ['TSG', 1],
        [NOT_RECORDED, 1],
      ],
      labels(MAIN_DUTIES),
    ],
    [
      'singleCrewed',
      [
        ['Yes', 1],
        ['No', 2],
        [NOT_RECORDED, 1],
      ],
      ['Yes', 'No'],
    ],
  ];
  it.each(cases)('%s', (dimension, expected, vocabulary) => {
    const b = breakdown(reports, dimension);
    expect(nonZero(b)).toEqual(expected);
    // Every vocabulary value is a row, in the vocabulary's order (zeros included); Not recorded last.
    expect(b.rows.map((r) => r.label)).toEqual([...vocabulary, NOT_RECORDED]);
    expect(b.rows.at(-1)!.key).toBeNull();
    expect(b.multiValued).toBe(false);
    expect(b.total).toEqual(countCed(reports));
    expect(b.total.total).toBe(4);
  });

  it('leaves "Not recorded" out when every report has a value', () => {
    const b = breakdown([report({ gender: 'female' })], 'gender');
    expect(b.rows.map((r) => r.label)).toEqual(labels(GENDERS));
  });

  it('keeps a code it does not know as a row of its own, after the vocabulary', () => {
    const b = breakdown([report({ ethnicity: 'zz_unknown' }), report({ ethnicity: 'white' })], 'ethnicity');
    expect(b.rows.map((r) => [r.key, r.label, r.counts.total])).toEqual([...Object.entries(ETHNICITIES).map(([k, label]) => [k, label, k === 'white' ? 1 : 0]), ['zz_unknown', 'zz_unknown', 1]]);
  });

  it('each row carries the full figures and rates', () => {
    const b = breakdown(
      [
        report({ gender: 'male', highestLevel: 'fired' }),
        report({ gender: 'male', highestLevel: 'drawn' }),
        report({ gender: 'male', highestLevel: 'drive_stun' }),
        report({ gender: 'male', highestLevel: 'not_stated' }),
        report({ gender: 'female', highestLevel: 'aimed' }),
      ],
      'gender',
    );
    const male = b.rows.find((r) => r.key === 'male')!;
    expect(male.counts).toEqual({ total: 4, nonDischarge: 1, drawn: 1, aimed: 0, redDot: 0, arced: 0, discharge: 2, driveStun: 1, fired: 1, angledDriveStun: 0, notStated: 1 });
    expect(male.dischargeRate).toEqual({ value: 0.5, percent: '50.0%' });
    expect(male.firedRate).toEqual({ value: 0.25, percent: '25.0%' });
    expect(male.share).toEqual({ value: 0.8, percent: '80.0%' });
    const other = b.rows.find((r) => r.key === 'other')!;
    expect(other.dischargeRate).toEqual({ value: null, percent: '-' });
    expect(other.share).toEqual({ value: 0, percent: '0.0%' });
    expect(b.dischargeRate.percent).toBe('40.0%');
    expect(b.firedRate.percent).toBe('20.0%');
  });
});

describe('breakdown by level and by discharge', () => {
  const levels: (HighestLevel | null)[] = ['fired', 'fired', 'drawn', 'angle_drive_stun', 'not_stated', 'arced', null, 'red_dotted', 'drive_stun', 'aimed'];
  const reports = levels.map((highestLevel) => report({ highestLevel }));

  it('levels most severe first, then not stated', () => {
    const b = breakdown(reports, 'level');
    expect(totals(b)).toEqual([
      ['Angle drive stun', 1],
      ['Fired', 2],
      ['Drive stun', 1],
      ['Arced', 1],
      ['Red-dotted', 1],
      ['Aimed', 1],
      ['Drawn', 1],
      ['Not stated', 1],
    ]);
    expect(b.rows.map((r) => r.key)).toEqual(['angle_drive_stun', 'fired', 'drive_stun', 'arced', 'red_dotted', 'aimed', 'drawn', 'not_stated']);
    expect(b.rows[1]!.counts).toMatchObject({ total: 2, fired: 2, discharge: 2 });
    expect(b.rows[1]!.share.percent).toBe('22.2%');
    expect(b.rows[1]!.firedRate.percent).toBe('100.0%');
  });

  it('discharge, non-discharge, not stated', () => {
    const b = breakdown(reports, 'discharge');
    expect(totals(b)).toEqual([
      ['Discharge', 4],
      ['Non-discharge', 4],
      ['Not stated', 1],
    ]);
    expect(b.rows[0]!.counts).toMatchObject({ driveStun: 1, fired: 2, angledDriveStun: 1, discharge: 4, nonDischarge: 0 });
    expect(b.rows[1]!.counts).toMatchObject({ drawn: 1, aimed: 1, redDot: 1, arced: 1, nonDischarge: 4, discharge: 0 });
  });

  it('every row is present when nothing was counted', () => {
    expect(totals(breakdown([], 'level')).map(([l]) => l)).toEqual(['Angle drive stun', 'Fired', 'Drive stun', 'Arced', 'Red-dotted', 'Aimed', 'Drawn', 'Not stated']);
    expect(totals(breakdown([report({ highestLevel: null })], 'discharge'))).toEqual([
      ['Discharge', 0],
      ['Non-discharge', 0],
      ['Not stated', 0],
    ]);
  });
});

describe('breakdown by a multi-valued dimension counts a report once in each value it has', () => {
  const cases: [dimension: Dimension, field: 'reasons' | 'impactFactors' | 'locations' | 'outcomes', a: string, b: string, vocabulary: Record<string, string>][] = [
    ['reason', 'reasons', 'protect_self', 'effect_arrest', REASONS_FOR_FORCE],
    ['impactFactor', 'impactFactors', 'weapon', 'drugs', IMPACT_FACTORS],
    ['location', 'locations', 'street', 'dwelling', LOCATION_TYPES],
    ['outcome', 'outcomes', 'arrested', 'hospitalised', OUTCOMES],
  ];
  it.each(cases)('%s', (dimension, field, a, b, vocabulary) => {
    const reports = [
      report({ [field]: [a, b], highestLevel: 'fired' }),
      report({ [field]: [a], highestLevel: 'drawn' }),
      report({ [field]: [b, b, a], highestLevel: 'aimed' }), // a repeated value counts once
      report({ [field]: [], highestLevel: 'drawn' }),
      report({ [field]: null, highestLevel: 'not_stated' }),
      report({ [field]: [a, b], highestLevel: null }), // no CED: not counted
    ];
    const got = breakdown(reports, dimension);
    expect(got.multiValued).toBe(true);
    expect(MULTI_VALUED_DIMENSIONS).toContain(dimension);
    expect(nonZero(got)).toEqual(
      Object.keys(vocabulary).indexOf(a) < Object.keys(vocabulary).indexOf(b)
        ? [
            [vocabulary[a]!, 3],
            [vocabulary[b]!, 2],
            [NOT_RECORDED, 2],
          ]
        : [
            [vocabulary[b]!, 2],
            [vocabulary[a]!, 3],
            [NOT_RECORDED, 2],
          ],
    );
    expect(got.rows.find((r) => r.key === a)!.counts).toMatchObject({ fired: 1, drawn: 1, aimed: 1 });
    expect(got.rows.find((r) => r.key === null)!.counts).toMatchObject({ drawn: 1, notStated: 1 });
    // The total counts each report once; the rows add up to more.
    expect(got.total.total).toBe(5);
    expect(got.rows.reduce((n, r) => n + r.counts.total, 0)).toBe(7);
    expect(got.rows.map((r) => r.label)).toEqual([...Object.values(vocabulary), NOT_RECORDED]);
  });
});

describe('breakdown by borough', () => {
  it('one row per borough, by name, with Not recorded last', () => {
    const b = breakdown(
      [
        report({ boroughId: 'b-sk', boroughName: 'Southwark' }),
        report({ boroughId: 'b-lx', boroughName: 'Lambeth' }),
        report({ boroughId: 'b-sk', boroughName: 'Southwark', highestLevel: 'fired' }),
        report({ boroughId: 'b-bd', boroughName: 'Barking and Dagenham' }),
        report({ boroughId: null, boroughName: 'Heathrow' }),
        report({ boroughId: null, boroughName: null }),
        report({ boroughId: 'b-cw', boroughName: null }),
        report({ boroughId: 'b-hk', boroughName: 'Hackney', highestLevel: null }),
      ],
      'borough',
    );
    expect(b.rows.map((r) => [r.key, r.label, r.counts.total])).toEqual([
      ['b-cw', 'b-cw', 1], // no name: its id stands in, sorted as a name ('b-' before 'Ba')
      ['b-bd', 'Barking and Dagenham', 1],
      ['Heathrow', 'Heathrow', 1],
      ['b-lx', 'Lambeth', 1],
      ['b-sk', 'Southwark', 2],
      [null, NOT_RECORDED, 1],
    ]);
    expect(b.rows[4]!.dischargeRate.percent).toBe('50.0%');
  });
});

describe('breakdown by period', () => {
  const days = ['2019-04-01', '2019-03-31', '2019-06-30', '2019-04-15', '2020-03-31', '2020-04-01'];
  const reports = days.map((occurredOn) => report({ occurredOn }));

  it('months chronologically, with the empty months between filled in', () => {
    const b = breakdown(reports, 'period', { unit: 'month' });
    expect(b.unit).toBe('month');
    expect(b.title).toBe('Month');
    expect(b.rows.length).toBe(14);
    expect(b.rows.slice(0, 4).map((r) => [r.key, r.label, r.counts.total])).toEqual([
      ['2019-03', 'March 2019', 1],
      ['2019-04', 'April 2019', 2],
      ['2019-05', 'May 2019', 0],
      ['2019-06', 'June 2019', 1],
    ]);
    expect(b.rows.slice(-2).map((r) => [r.key, r.counts.total])).toEqual([
      ['2020-03', 1],
      ['2020-04', 1],
    ]);
  });

  it('months by default', () => {
    expect(breakdown(reports, 'period').unit).toBe('month');
  });

  it.each([
    [
      'quarter',
      [
        ['January to March 2019', 1],
        ['April to June 2019', 3],
        ['July to September 2019', 0],
        ['October to December 2019', 0],
        ['January to March 2020', 1],
        ['April to June 2020', 1],
      ],
    ],
    [
      'financial_year',
      [
        ['2018-19', 1],
        ['2019-20', 4],
        ['2020-21', 1],
      ],
    ],
    [
      'calendar_year',
      [
        ['2019', 4],
        ['2020', 2],
      ],
    ],
  ] as const)('%s', (unit, expected) => {
    expect(totals(breakdown(reports, 'period', { unit }))).toEqual(expected);
  });

  it('within a period: only its days count, and every bucket of it is a row', () => {
    const b = breakdown(reports, 'period', { unit: 'month', period: parsePeriod('2019-20') });
    expect(b.rows.map((r) => r.key)).toEqual(['2019-04', '2019-05', '2019-06', '2019-07', '2019-08', '2019-09', '2019-10', '2019-11', '2019-12', '2020-01', '2020-02', '2020-03']);
    expect(b.total.total).toBe(4);
    expect(nonZero(b)).toEqual([
      ['April 2019', 2],
      ['June 2019', 1],
      ['March 2020', 1],
    ]);
    const none = breakdown([], 'period', { unit: 'quarter', period: parsePeriod('2019') });
    expect(totals(none)).toEqual([
      ['January to March 2019', 0],
      ['April to June 2019', 0],
      ['July to September 2019', 0],
      ['October to December 2019', 0],
    ]);
  });

  it('a date that cannot be read goes to Not recorded', () => {
    const b = breakdown([report({ occurredOn: '2019-04-01' }), report({ occurredOn: '' }), report({ occurredOn: '01/04/2019' })], 'period');
    expect(totals(b)).toEqual([
      ['April 2019', 1],
      [NOT_RECORDED, 2],
    ]);
  });

  it('no rows when nothing was counted and no period was given', () => {
    expect(breakdown([], 'period').rows).toEqual([]);
  });
});

describe('breakdowns over random reports (seeded)', () => {
  const random = prng(1867);
  const reports = randomReports(random, 2000);
  const all = countCed(reports);

  it.each(DIMENSION_KEYS)('%s: rows agree with the overall count', (dimension) => {
    const b = breakdown(reports, dimension, { unit: 'quarter' });
    expect(b.total).toEqual(all);
    const sum = b.rows.reduce((n, r) => n + r.counts.total, 0);
    if (b.multiValued) {
      expect(sum).toBeGreaterThanOrEqual(all.total);
      for (const r of b.rows) expect(r.counts.total).toBeLessThanOrEqual(all.total);
    } else {
      expect(sum).toBe(all.total);
      // Every figure column adds up across the rows.
      for (const field of Object.keys(all) as (keyof typeof all)[]) expect(b.rows.reduce((n, r) => n + r.counts[field], 0)).toBe(all[field]);
    }
    expect(new Set(b.rows.map((r) => r.key)).size).toBe(b.rows.length);
    expect(b.rows.filter((r) => r.key === null).length).toBeLessThanOrEqual(1);
    if (b.rows.some((r) => r.key === null)) expect(b.rows.at(-1)!.key).toBeNull();
  });

  it('a multi-valued row counts the reports that have that value', () => {
    const b = breakdown(reports, 'reason');
    const counted = reports.filter((r) => r.highestLevel !== null);
    for (const row of b.rows) {
      const expected = counted.filter((r) => (row.key === null ? !r.reasons?.length : r.reasons?.includes(row.key))).length;
      expect(row.counts.total).toBe(expected);
    }
  });

  it('filtering by period in the breakdown is the same as filtering first', () => {
    const fy = parsePeriod('2019-20');
    const inside = reports.filter((r) => r.occurredOn >= fy.from && r.occurredOn < fy.toExclusive);
    for (const dimension of DIMENSION_KEYS) {
      expect(breakdown(reports, dimension, { period: fy, unit: 'month' })).toEqual(breakdown(inside, dimension, { period: fy, unit: 'month' }));
    }
    expect(countCed(reports, { period: fy })).toEqual(countCed(inside));
  });
});
