import { describe, expect, it } from 'vitest';
import type { HighestLevel } from '../../../src/domain/report/levels.js';
import { countCed, countProblems, countsFromLevels, dischargeRate, emptyCounts, firedRate, rate, usesPerThousandAuthorised, type CedCounts } from '../../../src/domain/stats/counting.js';
import { parsePeriod } from '../../../src/domain/stats/periods.js';
import { prng, randomReports, report } from './reports.js';

const counts = (over: Partial<CedCounts>): CedCounts => ({ ...emptyCounts(), ...over });

describe('countCed: one count per report, at its highest level', () => {
  const cases: [level: HighestLevel, expected: CedCounts][] = [
    ['drawn', counts({ total: 1, nonDischarge: 1, drawn: 1 })],
    ['aimed', counts({ total: 1, nonDischarge: 1, aimed: 1 })],
    ['red_dotted', counts({ total: 1, nonDischarge: 1, redDot: 1 })],
    ['arced', counts({ total: 1, nonDischarge: 1, arced: 1 })],
    ['drive_stun', counts({ total: 1, discharge: 1, driveStun: 1 })],
    ['fired', counts({ total: 1, discharge: 1, fired: 1 })],
    ['angle_drive_stun', counts({ total: 1, discharge: 1, angledDriveStun: 1 })],
    ['not_stated', counts({ total: 1, notStated: 1 })],
  ];
  it.each(cases)('%s', (level, expected) => {
    expect(countCed([report({ highestLevel: level })])).toEqual(expected);
    expect(countsFromLevels({ [level]: 1 })).toEqual(expected);
  });

  it('reports without CED use are not counted', () => {
    expect(countCed([report({ highestLevel: null }), report({ highestLevel: null })])).toEqual(emptyCounts());
    expect(countCed([])).toEqual(emptyCounts());
  });

  it('counts a mix of reports, as the Home Office table does', () => {
    const levels: (HighestLevel | null)[] = ['fired', 'fired', 'drawn', 'red_dotted', 'red_dotted', 'red_dotted', 'not_stated', null, 'angle_drive_stun', 'aimed', 'arced', 'drive_stun', null];
    expect(countCed(levels.map((highestLevel) => report({ highestLevel })))).toEqual({
      total: 11,
      nonDischarge: 6,
      drawn: 1,
      aimed: 1,
      redDot: 3,
      arced: 1,
      discharge: 4,
      driveStun: 1,
      fired: 2,
      angledDriveStun: 1,
      notStated: 1,
    });
  });

  it('takes any iterable, such as rows streamed from a database', () => {
    function* rows() {
      yield report({ highestLevel: 'fired' });
      yield report({ highestLevel: null });
      yield report({ highestLevel: 'aimed' });
    }
    expect(countCed(rows())).toEqual(counts({ total: 2, nonDischarge: 1, aimed: 1, discharge: 1, fired: 1 }));
  });

  it('counts only the London days of the period, when given one', () => {
    const days = ['2019-03-31', '2019-04-01', '2019-12-31', '2020-02-29', '2020-03-31', '2020-04-01'];
    const got = countCed(
      days.map((occurredOn) => report({ occurredOn, highestLevel: 'fired' })),
      { period: parsePeriod('2019-20') },
    );
    expect(got.total).toBe(4);
  });

  it('refuses a level it does not know rather than miscount', () => {
    const bad = report({ highestLevel: 'stunned' as HighestLevel });
    expect(() => countCed([bad])).toThrow(/Unknown level of use stunned/);
  });

  it('the totals add up, over random reports (seeded)', () => {
    const random = prng(20190401);
    for (let run = 0; run < 200; run++) {
      const reports = randomReports(random, Math.floor(random() * 300));
      const c = countCed(reports);
      expect(countProblems(c)).toEqual([]);
      const withLevel = (l: HighestLevel) => reports.filter((r) => r.highestLevel === l).length;
      expect(c.total).toBe(reports.filter((r) => r.highestLevel !== null).length);
      expect(c.total).toBe(c.nonDischarge + c.discharge + c.notStated);
      expect(c.nonDischarge).toBe(c.drawn + c.aimed + c.redDot + c.arced);
      expect(c.discharge).toBe(c.driveStun + c.fired + c.angledDriveStun);
      expect(c).toEqual({
        total: c.total,
        nonDischarge: c.nonDischarge,
        drawn: withLevel('drawn'),
        aimed: withLevel('aimed'),
        redDot: withLevel('red_dotted'),
        arced: withLevel('arced'),
        discharge: c.discharge,
        driveStun: withLevel('drive_stun'),
        fired: withLevel('fired'),
        angledDriveStun: withLevel('angle_drive_stun'),
        notStated: withLevel('not_stated'),
      });
      // Counting is order-free.
      expect(countCed([...reports].reverse())).toEqual(c);
    }
  });
});

describe('countProblems', () => {
  it('is empty when the figures add up', () => {
    expect(countProblems(countsFromLevels({ fired: 3, drawn: 2, not_stated: 1 }))).toEqual([]);
  });
  it('names each sum that does not add up', () => {
    const c: CedCounts = { ...countsFromLevels({ fired: 3, drawn: 2 }), nonDischarge: 3, discharge: 2, total: 9 };
    expect(countProblems(c)).toEqual([
      { field: 'nonDischarge', message: 'Total non-discharge is 3 but Drawn + Aimed + Red-dot + Arced is 2' },
      { field: 'discharge', message: 'Total discharge is 2 but Drive stun + Fired + Angled drive stun is 3' },
      { field: 'total', message: 'Total is 9 but Total non-discharge + Total discharge + Not stated is 5' },
    ]);
  });
});

describe('rates', () => {
  const cases: [numerator: number, denominator: number, value: number | null, percent: string][] = [
    [0, 0, null, '-'],
    [0, 5, 0, '0.0%'],
    [5, 5, 1, '100.0%'],
    [1, 3, 1 / 3, '33.3%'],
    [2, 3, 2 / 3, '66.7%'],
    [1, 8, 0.125, '12.5%'],
    [211, 2000, 0.1055, '10.6%'], // a half rounds up
    [1, 2000, 0.0005, '0.1%'],
    [1, 2001, 1 / 2001, '0.0%'],
    [105, 1000, 0.105, '10.5%'],
  ];
  it.each(cases)('%i / %i', (n, d, value, percent) => {
    const r = rate(n, d);
    expect(r.percent).toBe(percent);
    if (value === null) expect(r.value).toBeNull();
    else expect(r.value).toBeCloseTo(value, 12);
  });

  it('discharge rate and fired rate are shares of all uses, not stated included', () => {
    // The Met's published 2016 figures: 2,072 uses, 261 discharges, 245 fired.
    const met2016 = countsFromLevels({ drawn: 673, aimed: 180, red_dotted: 954, arced: 4, drive_stun: 6, fired: 245, angle_drive_stun: 10 });
    expect(met2016.total).toBe(2072);
    expect(dischargeRate(met2016)).toEqual({ value: 261 / 2072, percent: '12.6%' });
    expect(firedRate(met2016)).toEqual({ value: 245 / 2072, percent: '11.8%' });
    const withNotStated = countsFromLevels({ fired: 1, drawn: 1, not_stated: 2 });
    expect(dischargeRate(withNotStated).percent).toBe('25.0%');
    expect(firedRate(withNotStated).percent).toBe('25.0%');
    expect(dischargeRate(emptyCounts())).toEqual({ value: null, percent: '-' });
  });
});

describe('uses per 1,000 authorised officers', () => {
  it.each([
    [50, [1000], '50.0', 1000],
    [170, [4300, 4310, 4320], '39.4', 4310],
    [1, [3], '333.3', 3],
    [0, [100, 200], '0.0', 150],
    [5, [], '-', 0],
    [5, [0, 0], '-', 0],
  ])('%i uses over month-end counts %o → %s (average %i)', (uses, counts, text, average) => {
    const r = usesPerThousandAuthorised(uses, counts);
    expect([r.text, r.averageAuthorised]).toEqual([text, average]);
  });
});
