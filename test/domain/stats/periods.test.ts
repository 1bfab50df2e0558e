import { describe, expect, it } from 'vitest';
import { londonDate, londonMidnightUtc, nextDay, previousDay } from '../../../src/domain/calendar.js';
import {
  bucketOf,
  calendarYearOf,
  financialYearOf,
  lastDayOf,
  monthEndsIn,
  monthOf,
  parsePeriod,
  PeriodError,
  periodContains,
  periodFromRange,
  periodInstants,
  quarterOf,
  type PeriodKind,
  type PeriodUnit,
} from '../../../src/domain/stats/periods.js';

describe('parsePeriod: accepted periods', () => {
  const cases: [input: string, kind: PeriodKind, label: string, from: string, toExclusive: string][] = [
    ['2019-20', 'financial_year', '2019-20', '2019-04-01', '2020-04-01'],
    ['2019/20', 'financial_year', '2019-20', '2019-04-01', '2020-04-01'],
    ['2019-2020', 'financial_year', '2019-20', '2019-04-01', '2020-04-01'],
    [' 2018-19 ', 'financial_year', '2018-19', '2018-04-01', '2019-04-01'],
    ['1999-00', 'financial_year', '1999-00', '1999-04-01', '2000-04-01'],
    ['2099-00', 'financial_year', '2099-00', '2099-04-01', '2100-04-01'],
    // Ambiguous with a month: the financial year wins (documented).
    ['2010-11', 'financial_year', '2010-11', '2010-04-01', '2011-04-01'],
    ['2019', 'calendar_year', '2019', '2019-01-01', '2020-01-01'],
    ['2019-04', 'month', 'April 2019', '2019-04-01', '2019-05-01'],
    ['2019-12', 'month', 'December 2019', '2019-12-01', '2020-01-01'],
    ['2020-02', 'month', 'February 2020', '2020-02-01', '2020-03-01'],
    ['2019-01', 'month', 'January 2019', '2019-01-01', '2019-02-01'],
    ['2019-Q1', 'quarter', 'January to March 2019', '2019-01-01', '2019-04-01'],
    ['2019-Q2', 'quarter', 'April to June 2019', '2019-04-01', '2019-07-01'],
    ['2019-Q3', 'quarter', 'July to September 2019', '2019-07-01', '2019-10-01'],
    ['2019-Q4', 'quarter', 'October to December 2019', '2019-10-01', '2020-01-01'],
    ['2019q2', 'quarter', 'April to June 2019', '2019-04-01', '2019-07-01'],
  ];
  it.each(cases)('%s', (input, kind, label, from, toExclusive) => {
    expect(parsePeriod(input)).toEqual({ kind, label, from, toExclusive });
  });

  const ranges: [from: string, to: string, label: string, toExclusive: string][] = [
    ['2019-04-01', '2020-03-31', '1 April 2019 to 31 March 2020', '2020-04-01'],
    ['2019-04-01', '2019-04-01', '1 April 2019 to 1 April 2019', '2019-04-02'],
    ['2020-02-01', '2020-02-29', '1 February 2020 to 29 February 2020', '2020-03-01'],
    ['2019-12-01', '2019-12-31', '1 December 2019 to 31 December 2019', '2020-01-01'],
  ];
  it.each(ranges)('range %s to %s (both included)', (from, to, label, toExclusive) => {
    expect(parsePeriod({ from, to })).toEqual({ kind: 'range', label, from, toExclusive });
    expect(periodFromRange(from, to)).toEqual(parsePeriod({ from, to }));
  });
});

describe('parsePeriod: refused periods say what to enter', () => {
  const cases: [input: string | { from: string; to: string }, field: 'period' | 'from' | 'to', message: RegExp][] = [
    ['', 'period', /^Enter a period\. Enter a financial year like 2019-20/],
    ['   ', 'period', /^Enter a period/],
    ['2019-21', 'period', /2019-21 is neither a financial year nor a month.*2019-20/],
    ['2019-13', 'period', /neither a financial year nor a month.*01 to 12/],
    ['2019-00', 'period', /neither a financial year nor a month/],
    ['2019/21', 'period', /^2019\/21 is not a financial year: the second part must be the year after 2019, as in 2019-20.*Enter a financial year like 2019-20/],
    ['2019/05', 'period', /is not a financial year/],
    ['2019-2021', 'period', /is not a financial year.*2019-20/],
    ['2019-Q5', 'period', /not a quarter.*Q1 \(January to March\).*2019-Q1/],
    ['2019-Q0', 'period', /not a quarter/],
    ['19-20', 'period', /not a period Cedar understands\. Enter a financial year like 2019-20, a calendar year like 2019, a month like 2019-04, a quarter like 2019-Q1/],
    ['FY2019', 'period', /not a period Cedar understands/],
    ['April 2019', 'period', /not a period Cedar understands/],
    ['2019-04-01', 'period', /is a single day.*give a from and a to date/],
    ['1800', 'period', /outside the years Cedar can count/],
    [{ from: '2019-02-01', to: '2019-02-29' }, 'to', /The to date 2019-02-29 is not a real date/],
    [{ from: '2019-13-01', to: '2019-12-31' }, 'from', /The from date 2019-13-01 is not a real date/],
    [{ from: '01/04/2019', to: '2019-12-31' }, 'from', /form YYYY-MM-DD/],
    [{ from: '', to: '2019-12-31' }, 'from', /Enter the from date/],
    [{ from: '2019-01-01', to: '' }, 'to', /Enter the to date/],
    [{ from: '2020-01-01', to: '2019-12-31' }, 'from', /The from date \(2020-01-01\) is after the to date \(2019-12-31\)/],
  ];
  it.each(cases)('%j', (input, field, message) => {
    let caught: unknown;
    try {
      parsePeriod(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PeriodError);
    const e = caught as PeriodError;
    expect(e.name).toBe('PeriodError');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });
});

describe('financial year boundaries', () => {
  const fy = parsePeriod('2019-20');
  it.each([
    ['2019-03-31', false],
    ['2019-04-01', true],
    ['2019-12-31', true],
    ['2020-01-01', true],
    ['2020-02-29', true],
    ['2020-03-31', true],
    ['2020-04-01', false],
  ] as const)('%s in 2019-20: %s', (day, inside) => {
    expect(periodContains(fy, day)).toBe(inside);
    expect(financialYearOf(day).key === '2019-20').toBe(inside);
  });
  it('the last day is 31 March', () => {
    expect(lastDayOf(fy)).toBe('2020-03-31');
    expect(lastDayOf(parsePeriod('2020-02'))).toBe('2020-02-29');
    expect(lastDayOf(parsePeriod('2019-02'))).toBe('2019-02-28');
  });
});

describe('days and leap years', () => {
  it.each([
    ['2019-02-28', '2019-03-01'],
    ['2020-02-28', '2020-02-29'],
    ['2020-02-29', '2020-03-01'],
    ['1900-02-28', '1900-03-01'],
    ['2000-02-28', '2000-02-29'],
    ['2019-12-31', '2020-01-01'],
    ['2019-04-30', '2019-05-01'],
  ])('after %s comes %s', (day, next) => {
    expect(nextDay(day)).toBe(next);
    expect(previousDay(next)).toBe(day);
  });
  it('refuses days that do not exist', () => {
    expect(() => nextDay('2019-02-29')).toThrow(RangeError);
    expect(() => nextDay('2100-02-29')).toThrow(RangeError);
  });
});

describe('London dates', () => {
  const cases: [instant: string, london: string, why: string][] = [
    ['2019-03-31T23:30:00Z', '2019-04-01', '00:30 BST on 1 April is 23:30Z on 31 March: it belongs to April'],
    ['2019-03-31T22:30:00Z', '2019-03-31', '23:30 BST on 31 March'],
    ['2020-03-31T23:30:00.000Z', '2020-04-01', '00:30 BST on 1 April 2020: the next financial year'],
    ['2019-03-31T00:59:59Z', '2019-03-31', 'just before BST starts (01:00Z)'],
    ['2019-03-30T23:30:00Z', '2019-03-30', 'GMT: the UTC date'],
    ['2019-10-26T23:30:00Z', '2019-10-27', 'still BST on the night the clocks go back'],
    ['2019-10-27T23:30:00Z', '2019-10-27', 'GMT again after 01:00Z on 27 October'],
    ['2019-12-31T23:59:59Z', '2019-12-31', 'winter'],
    ['2019-06-30T23:00:00Z', '2019-07-01', 'summer midnight'],
    ['2019-06-30T23:30:00+01:00', '2019-06-30', 'an offset in the input'],
  ];
  it.each(cases)('%s is %s in London (%s)', (instant, london) => {
    expect(londonDate(instant)).toBe(london);
    expect(londonDate(new Date(instant))).toBe(london);
  });

  it('an incident at 00:30 BST on 1 April 2020 counts in April and in 2020-21', () => {
    const day = londonDate('2020-03-31T23:30:00Z');
    expect(monthOf(day)).toEqual({ key: '2020-04', label: 'April 2020' });
    expect(financialYearOf(day).key).toBe('2020-21');
    expect(periodContains(parsePeriod('2019-20'), day)).toBe(false);
  });

  it('refuses an instant that is not one', () => {
    expect(() => londonDate('not a date')).toThrow(/not a valid instant/);
  });

  it.each([
    ['2019-04-01', '2019-03-31T23:00:00.000Z'],
    ['2019-01-01', '2019-01-01T00:00:00.000Z'],
    ['2019-03-31', '2019-03-31T00:00:00.000Z'], // BST starts at 01:00Z, after midnight
    ['2019-04-01', '2019-03-31T23:00:00.000Z'],
    ['2019-10-27', '2019-10-26T23:00:00.000Z'], // the clocks go back at 01:00Z on the 27th
    ['2019-10-28', '2019-10-28T00:00:00.000Z'],
  ])('midnight in London on %s is %s', (day, instant) => {
    expect(londonMidnightUtc(day)).toBe(instant);
  });

  it('midnight and the instant before it fall either side of the day, every day of 2019-2020', () => {
    for (let day = '2019-01-01'; day < '2021-01-01'; day = nextDay(day)) {
      const midnight = londonMidnightUtc(day);
      expect(londonDate(midnight)).toBe(day);
      expect(londonDate(new Date(Date.parse(midnight) - 1))).toBe(previousDay(day));
    }
  });

  it.each([
    ['2019-20', '2019-03-31T23:00:00.000Z', '2020-03-31T23:00:00.000Z'],
    ['2019', '2019-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z'],
    ['2019-10', '2019-09-30T23:00:00.000Z', '2019-11-01T00:00:00.000Z'],
    ['2019-Q1', '2019-01-01T00:00:00.000Z', '2019-03-31T23:00:00.000Z'],
  ])('%s as UTC instants', (period, from, toExclusive) => {
    expect(periodInstants(parsePeriod(period))).toEqual({ from, toExclusive });
  });
});

describe('buckets', () => {
  const cases: [day: string, month: string, monthLabel: string, quarter: string, quarterLabel: string, fy: string, year: string][] = [
    ['2019-04-01', '2019-04', 'April 2019', '2019-Q2', 'April to June 2019', '2019-20', '2019'],
    ['2019-03-31', '2019-03', 'March 2019', '2019-Q1', 'January to March 2019', '2018-19', '2019'],
    ['2020-03-31', '2020-03', 'March 2020', '2020-Q1', 'January to March 2020', '2019-20', '2020'],
    ['2020-02-29', '2020-02', 'February 2020', '2020-Q1', 'January to March 2020', '2019-20', '2020'],
    ['2019-12-31', '2019-12', 'December 2019', '2019-Q4', 'October to December 2019', '2019-20', '2019'],
    ['2019-01-01', '2019-01', 'January 2019', '2019-Q1', 'January to March 2019', '2018-19', '2019'],
    ['1999-06-01', '1999-06', 'June 1999', '1999-Q2', 'April to June 1999', '1999-00', '1999'],
  ];
  it.each(cases)('%s', (day, month, monthLabel, quarter, quarterLabel, fy, year) => {
    expect(monthOf(day)).toEqual({ key: month, label: monthLabel });
    expect(quarterOf(day)).toEqual({ key: quarter, label: quarterLabel });
    expect(financialYearOf(day)).toEqual({ key: fy, label: fy });
    expect(calendarYearOf(day)).toEqual({ key: year, label: year });
  });

  it('a bucket key is a period argument with the same label, containing the day', () => {
    const units: PeriodUnit[] = ['month', 'quarter', 'financial_year', 'calendar_year'];
    for (let day = '2017-01-01'; day < '2026-01-01'; day = nextDay(day)) {
      for (const unit of units) {
        const b = bucketOf(day, unit);
        const p = parsePeriod(b.key);
        expect(p.label).toBe(b.label);
        expect(periodContains(p, day)).toBe(true);
      }
    }
  });

  it('refuses a day that is not a date', () => {
    expect(() => monthOf('2019-13-01')).toThrow(RangeError);
  });
});

describe('monthEndsIn: the points authorised officers are counted at', () => {
  it.each([
    ['2025-26', '2026-11-28', 12, '2025-04-30', '2026-03-31'],
    ['2026-27', '2026-11-28', 8, '2026-04-30', '2026-11-28'],
    ['2026-11', '2026-11-28', 1, '2026-11-28', '2026-11-28'],
    ['2026-10', '2026-11-28', 1, '2026-10-31', '2026-10-31'],
    ['2024-02', '2026-11-28', 1, '2024-02-29', '2024-02-29'],
  ])('%s seen on %s: %i month ends from %s to %s', (period, today, n, first, last) => {
    const ends = monthEndsIn(parsePeriod(period), today);
    expect([ends.length, ends[0], ends[ends.length - 1]]).toEqual([n, first, last]);
  });
  it('a period that has not started has none; a range ending mid-month ends on its last day', () => {
    expect(monthEndsIn(parsePeriod('2027-28'), '2026-11-28')).toEqual([]);
    expect(monthEndsIn(parsePeriod({ from: '2026-01-15', to: '2026-02-10' }), '2026-11-28')).toEqual(['2026-01-31', '2026-02-10']);
  });
});
