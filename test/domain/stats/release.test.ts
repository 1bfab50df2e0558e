import { describe, expect, it } from 'vitest';
import { countsFromLevels } from '../../../src/domain/stats/counting.js';
import { PeriodError } from '../../../src/domain/stats/periods.js';
import { checkReleaseMonth, lastCompleteMonth, monthsBetween, releasePeriod, revisionsBetween, type ReleaseSnapshot } from '../../../src/domain/stats/release.js';

const snapshot = (month: string, perMonth: Record<string, Parameters<typeof countsFromLevels>[0]>): ReleaseSnapshot => {
  const p = releasePeriod(month);
  return {
    format: 1,
    force: { name: 'Test', region: 'London' },
    month,
    financialYear: p.financialYear,
    from: p.from,
    to: p.toExclusive,
    label: p.label,
    countedOn: '2026-11-28',
    totals: countsFromLevels({}),
    months: monthsBetween(p.from, p.toExclusive).map((key) => ({ key, label: key, counts: countsFromLevels(perMonth[key] ?? {}) })),
    breakdowns: [],
  };
};

describe('release periods', () => {
  it.each([
    ['2026-04', '2026-04-01', '2026-05-01', '2026-27', 'April 2026'],
    ['2026-10', '2026-04-01', '2026-11-01', '2026-27', 'April to October 2026'],
    ['2027-01', '2026-04-01', '2027-02-01', '2026-27', 'April 2026 to January 2027'],
    ['2027-03', '2026-04-01', '2027-04-01', '2026-27', 'April 2026 to March 2027'],
    ['2026-12', '2026-04-01', '2027-01-01', '2026-27', 'April to December 2026'],
  ])('%s runs from the start of its financial year', (month, from, toExclusive, fy, label) => {
    expect(releasePeriod(month)).toMatchObject({ from, toExclusive, financialYear: fy, label, month });
  });

  it.each(['2026-13', '2026-00', 'October', '2026/10', ''])('refuses %j naming the month field', (month) => {
    expect(() => releasePeriod(month)).toThrow(PeriodError);
    try {
      releasePeriod(month);
    } catch (err) {
      expect((err as PeriodError).field).toBe('month');
    }
  });

  it('only releases months that have ended', () => {
    expect(checkReleaseMonth('2026-10', '2026-11-01').month).toBe('2026-10');
    expect(() => checkReleaseMonth('2026-11', '2026-11-28')).toThrow(/November 2026 has not ended yet.*Choose October 2026 or earlier/);
    expect(() => checkReleaseMonth('2026-10', '2026-10-31')).toThrow(/has not ended/);
    expect(lastCompleteMonth('2026-11-28')).toBe('2026-10');
    expect(lastCompleteMonth('2027-01-01')).toBe('2026-12');
  });

  it('lists the months covered', () => {
    expect(monthsBetween('2026-04-01', '2026-07-01')).toEqual(['2026-04', '2026-05', '2026-06']);
    expect(monthsBetween('2026-11-01', '2027-02-01')).toEqual(['2026-11', '2026-12', '2027-01']);
  });
});

describe('revisions', () => {
  const april = { drawn: 10, fired: 2 };
  it('has nothing to revise in the first release', () => {
    const r = revisionsBetween(null, snapshot('2026-05', { '2026-04': april }));
    expect(r).toEqual({ previous: null, months: [], summary: 'This is the first release: there is nothing to revise.' });
  });

  it.each([
    ['late reports', { drawn: 20, fired: 4 }, '2026-04: +12 late reports', 12],
    ['one late report', { drawn: 11, fired: 2 }, '2026-04: +1 late report', 1],
    ['a withdrawn report', { drawn: 9, fired: 2 }, '2026-04: \u22121 (report corrected or withdrawn)', -1],
    ['levels moved, total the same', { drawn: 9, fired: 3 }, '2026-04: levels of use revised, total unchanged', 0],
  ])('states %s', (_name, after, text, change) => {
    const prev = { number: 3, snapshot: snapshot('2026-04', { '2026-04': april }) };
    const r = revisionsBetween(prev, snapshot('2026-05', { '2026-04': after, '2026-05': { aimed: 5 } }));
    expect(r.previous).toEqual({ number: 3, month: '2026-04' });
    expect(r.months).toHaveLength(1);
    expect(r.months[0]).toMatchObject({ month: '2026-04', text, change });
    expect(r.summary).toBe(`Revised since release 3 (April 2026): ${text}.`);
  });

  it('says so when nothing moved, and leaves new months out', () => {
    const prev = { number: 1, snapshot: snapshot('2026-04', { '2026-04': april }) };
    const r = revisionsBetween(prev, snapshot('2026-05', { '2026-04': april, '2026-05': { fired: 9 } }));
    expect(r.months).toEqual([]);
    expect(r.summary).toBe('No revisions since release 1 (April 2026).');
  });

  it('starts afresh in a new financial year', () => {
    const prev = { number: 12, snapshot: snapshot('2027-03', { '2026-04': april }) };
    const r = revisionsBetween(prev, snapshot('2027-04', { '2027-04': april }));
    expect(r.months).toEqual([]);
    expect(r.summary).toMatch(/Release 12 covered 2026-27; this release starts 2027-28/);
  });
});
