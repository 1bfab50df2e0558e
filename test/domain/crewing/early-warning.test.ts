import { describe, expect, it } from 'vitest';
import { boroughMedians, earlyWarning, median, MIN_SHIFTS, usesPer100Shifts, type OfficerActivity } from '../../../src/domain/crewing/early-warning.js';

const o = (officerId: string, boroughId: string | null, shifts: number, uses: number): OfficerActivity => ({ officerId, boroughId, shifts, uses });

describe('the median', () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[0, 0, 10], 0],
  ])('of %j is %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe('uses per 100 shifts', () => {
  it.each([
    ['3 uses in 60 shifts', 3, 60, 5],
    ['no use in 20 shifts', 0, 20, 0],
    ['1 use in 20 shifts, the fewest compared', 1, 20, 5],
    ['2 uses in 19 shifts: too few to compare', 2, 19, null],
    ['a use and no shift', 1, 0, null],
  ])('%s', (_, uses, shifts, expected) => {
    expect(usesPer100Shifts(uses, shifts)).toBe(expected);
  });

  it('compares from 20 shifts by default, or from the number given (never with no shift)', () => {
    expect(MIN_SHIFTS).toBe(20);
    expect(usesPer100Shifts(1, 10, 10)).toBe(10);
    expect(usesPer100Shifts(1, 0, 0)).toBeNull();
  });
});

describe("officers beside their borough's median", () => {
  const officers = [
    o('a', 'b1', 40, 2), // 5
    o('b', 'b1', 20, 0), // 0
    o('c', 'b1', 25, 5), // 20
    o('d', 'b1', 10, 4), // too few
    o('e', 'b2', 50, 1), // 2
    o('f', 'b2', 50, 3), // 6
    o('g', null, 30, 3), // 10, force-wide units
    o('h', 'b3', 5, 0), // too few: b3 has no median
    o('i', 'b1', 12, 4), // too few, as many uses as d, more shifts
  ];

  it('takes the median of the officers with enough shifts, by borough (force-wide units together)', () => {
    expect(boroughMedians(officers)).toEqual(
      new Map([
        ['b1', 5],
        ['b2', 4],
        ['', 10],
        ['b3', null],
      ]),
    );
  });

  it('lists the highest rates first, then those with too few shifts to compare, most uses first', () => {
    expect(earlyWarning(officers).map((r) => [r.officerId, r.rate, r.boroughMedian])).toEqual([
      ['c', 20, 5],
      ['g', 10, 10],
      ['f', 6, 4],
      ['a', 5, 5],
      ['e', 2, 4],
      ['b', 0, 5],
      ['i', null, 5],
      ['d', null, 5],
      ['h', null, null],
    ]);
  });

  it('breaks equal rates by uses, then shifts, then the order given', () => {
    expect(earlyWarning([o('x', 'b1', 20, 1), o('y', 'b1', 40, 2), o('z', 'b1', 40, 2)]).map((r) => r.officerId)).toEqual(['y', 'z', 'x']);
  });

  it('is empty for no officers', () => {
    expect(earlyWarning([])).toEqual([]);
  });
});
