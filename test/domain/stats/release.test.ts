import { describe, expect, it } from 'vitest';
import { countsFromLevels } from '../../../src/domain/stats/counting.js';
import { PeriodError } from '../../../src/domain/stats/periods.js';
import {
  checkReleaseMonth,
  checkSupersedeReason,
  lastCompleteMonth,
  monthsBetween,
  releasableMonths,
  releasePeriod,
  revisionsBetween,
  sameFigures,
  type ReleaseSnapshot,
} from '../../../src/domain/stats/release.js';

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
    expect(checkReleaseMonth('2026-10', '2026-11-01', '2026-04-03').month).toBe('2026-10');
    expect(() => checkReleaseMonth('2026-11', '2026-11-28', '2026-04-03')).toThrow(/November 2026 has not ended yet.*Choose a month from April 2026 to October 2026/);
    expect(() => checkReleaseMonth('2026-10', '2026-10-31', '2026-04-03')).toThrow(/has not ended/);
    expect(lastCompleteMonth('2026-11-28')).toBe('2026-10');
    expect(lastCompleteMonth('2027-01-01')).toBe('2026-12');
  });

  it.each([
    ['April 1999, long before the first recorded use', '1999-04', /April 1999 is before the force's first recorded use of force \(March 2025\)\. Choose a month from March 2025 to October 2026/],
    ['the month before the first recorded use', '2025-02', /February 2025 is before/],
    ['a month far in the future', '2999-01', /January 2999 has not ended yet.*Choose a month from March 2025 to October 2026/],
  ])('refuses %s, naming the months that may be released', (_name, month, message) => {
    expect(() => checkReleaseMonth(month, '2026-11-28', '2025-03-31')).toThrow(message);
    try {
      checkReleaseMonth(month, '2026-11-28', '2025-03-31');
    } catch (err) {
      expect(err).toBeInstanceOf(PeriodError);
      expect((err as PeriodError).field).toBe('month');
    }
  });

  it('accepts the first recorded use’s month and the last month that has ended', () => {
    expect(checkReleaseMonth('2025-03', '2026-11-28', '2025-03-31').month).toBe('2025-03');
    expect(checkReleaseMonth('2026-10', '2026-11-28', '2025-03-31').month).toBe('2026-10');
    expect(releasableMonths('2026-11-28', '2025-03-31')).toEqual({ first: '2025-03', last: '2026-10' });
  });

  it('releases nothing when no use is recorded, or only in a month that has not ended', () => {
    expect(releasableMonths('2026-11-28', null)).toBeNull();
    expect(() => checkReleaseMonth('2026-10', '2026-11-28', null)).toThrow(/No uses of force are recorded yet, so there is nothing to release/);
    expect(() => checkReleaseMonth('2026-11', '2026-11-28', '2026-11-02')).toThrow(/first recorded use of force is in November 2026, which has not ended yet/);
    expect(() => checkReleaseMonth('2026-10', '2026-11-28', '2026-10-02')).not.toThrow();
    expect(() => checkReleaseMonth('2026-09', '2026-11-28', '2026-10-02')).toThrow(/The only month that can be released is October 2026/);
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

describe('identical figures', () => {
  const april = { drawn: 10, fired: 2 };
  it('compares the months, totals and breakdowns, not the day they were counted', () => {
    const a = snapshot('2026-05', { '2026-04': april });
    expect(sameFigures(a, { ...a, countedOn: '2026-12-01' })).toBe(true);
    expect(sameFigures(a, JSON.parse(JSON.stringify(a)) as ReleaseSnapshot)).toBe(true);
    expect(sameFigures(a, snapshot('2026-05', { '2026-04': { drawn: 10, fired: 3 } }))).toBe(false);
    expect(sameFigures(a, { ...a, totals: { ...a.totals, total: a.totals.total + 1 } })).toBe(false);
    expect(sameFigures(a, { ...a, breakdowns: [{ dimension: 'level', title: 'Level', multiValued: false, rows: [], total: a.totals }] })).toBe(false);
    expect(sameFigures(a, snapshot('2026-06', { '2026-04': april }))).toBe(false);
  });
});

describe('reasons for correcting a release', () => {
  it('keeps a reason of a few words, tidied', () => {
    expect(checkSupersedeReason('  Uses in Lambeth in May\nwere counted twice ')).toBe('Uses in Lambeth in May were counted twice');
  });
  it.each([
    ['nothing', '   ', /Enter why the release is being corrected/],
    ['one word', 'wrong', /a few words/],
    ['three tiny words', 'a b c', /a few words/],
    ['too long', 'word '.repeat(300), /1,000 characters or fewer/],
  ])('refuses %s', (_name, reason, message) => {
    expect(() => checkSupersedeReason(reason)).toThrow(message);
  });
});
