import { describe, expect, it } from 'vitest';
import { authorityFromHistories, coverage, hoursBelowMinimum, londonHours, londonIsoWithOffset, type CoverageInput, type CoverageShift } from '../../../src/domain/crewing/coverage.js';
import { DEFAULT_CREWING_POLICY, taserCrewsPossible, type CrewingPolicy } from '../../../src/domain/crewing/policy.js';
import { shiftInstants } from '../../../src/domain/crewing/shifts.js';
import { authorityHistory } from '../../../src/domain/training/authority.js';
import type { Rank } from '../../../src/domain/organisation.js';

const shift = (officerId: string, date: string, start: string, end: string, boroughId = 'b1'): CoverageShift => ({ officerId, boroughId, ...shiftInstants(date, start, end)! });
const always = () => true;
const never = () => false;

function run(over: Partial<CoverageInput>) {
  return coverage({
    from: '2026-06-01',
    to: '2026-06-01',
    boroughIds: ['b1'],
    shifts: [],
    issues: [],
    ranks: new Map(),
    authorised: always,
    policyFor: () => DEFAULT_CREWING_POLICY,
    ...over,
  });
}
const at = (rows: ReturnType<typeof run>, hourStart: string) => rows.find((r) => r.hourStart === hourStart)!;

describe('the hours of London dates', () => {
  it('has 24 hours on an ordinary day, 23 the day the clocks go forward and 25 the day they go back', () => {
    expect(londonHours('2026-06-01', '2026-06-01')).toHaveLength(24);
    expect(londonHours('2026-03-29', '2026-03-29')).toHaveLength(23);
    expect(londonHours('2026-10-25', '2026-10-25')).toHaveLength(25);
    expect(londonHours('2026-03-01', '2026-03-31')).toHaveLength(31 * 24 - 1);
  });

  it('names each hour in London time with its offset: the spring day skips 01:00, the autumn day has two', () => {
    expect(
      londonHours('2026-03-29', '2026-03-29')
        .slice(0, 3)
        .map((h) => h.hourStart),
    ).toEqual(['2026-03-29T00:00:00+00:00', '2026-03-29T02:00:00+01:00', '2026-03-29T03:00:00+01:00']);
    const autumn = londonHours('2026-10-25', '2026-10-25');
    expect(autumn.slice(0, 4).map((h) => [h.hourStart, h.instant])).toEqual([
      ['2026-10-25T00:00:00+01:00', '2026-10-24T23:00:00.000Z'],
      ['2026-10-25T01:00:00+01:00', '2026-10-25T00:00:00.000Z'],
      ['2026-10-25T01:00:00+00:00', '2026-10-25T01:00:00.000Z'],
      ['2026-10-25T02:00:00+00:00', '2026-10-25T02:00:00.000Z'],
    ]);
    expect(autumn.every((h) => h.londonDate === '2026-10-25')).toBe(true);
    expect(londonIsoWithOffset(Date.parse('2026-06-01T23:30:00Z'))).toBe('2026-06-02T00:30:00+01:00');
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => londonHours('2026-06-02', '2026-06-01')).toThrow(RangeError);
  });
});

describe('officers on duty: a shift of the borough covering the instant the hour starts (start ≤ instant < end)', () => {
  it.each([
    [
      'a day shift: its first hour counts, the hour it ends at does not',
      [shift('a', '2026-06-01', '07:00', '15:00')],
      { '2026-06-01T06:00:00+01:00': 0, '2026-06-01T07:00:00+01:00': 1, '2026-06-01T14:00:00+01:00': 1, '2026-06-01T15:00:00+01:00': 0 },
    ],
    [
      'a shift starting mid-hour counts from the next hour',
      [shift('a', '2026-06-01', '07:30', '15:30')],
      { '2026-06-01T07:00:00+01:00': 0, '2026-06-01T08:00:00+01:00': 1, '2026-06-01T15:00:00+01:00': 1 },
    ],
    [
      'a night shift from the day before, across midnight',
      [shift('a', '2026-05-31', '22:00', '07:00')],
      { '2026-06-01T00:00:00+01:00': 1, '2026-06-01T06:00:00+01:00': 1, '2026-06-01T07:00:00+01:00': 0 },
    ],
    [
      'two officers, and one officer counted once with overlapping shifts',
      [shift('a', '2026-06-01', '07:00', '15:00'), shift('b', '2026-06-01', '10:00', '18:00'), shift('a', '2026-06-01', '12:00', '13:00')],
      { '2026-06-01T09:00:00+01:00': 1, '2026-06-01T12:00:00+01:00': 2, '2026-06-01T16:00:00+01:00': 1 },
    ],
    ['a shift of another borough does not count', [shift('a', '2026-06-01', '07:00', '15:00', 'b2')], { '2026-06-01T08:00:00+01:00': 0 }],
  ])('%s', (_what, shifts, expected) => {
    const rows = run({ shifts });
    for (const [hourStart, n] of Object.entries(expected)) expect([hourStart, at(rows, hourStart).onDuty]).toEqual([hourStart, n]);
  });

  it('counts a night shift across the night the clocks go forward: 7 hours on duty', () => {
    const rows = run({ from: '2026-03-28', to: '2026-03-29', shifts: [shift('a', '2026-03-28', '22:00', '06:00')] });
    expect(rows.filter((r) => r.onDuty === 1).map((r) => r.hourStart)).toEqual([
      '2026-03-28T22:00:00+00:00',
      '2026-03-28T23:00:00+00:00',
      '2026-03-29T00:00:00+00:00',
      '2026-03-29T02:00:00+01:00',
      '2026-03-29T03:00:00+01:00',
      '2026-03-29T04:00:00+01:00',
      '2026-03-29T05:00:00+01:00',
    ]);
  });

  it('counts a night shift across the night the clocks go back: 9 hours on duty, both 01:00', () => {
    const rows = run({ from: '2026-10-24', to: '2026-10-25', shifts: [shift('a', '2026-10-24', '22:00', '06:00')] });
    expect(rows).toHaveLength(49);
    expect(rows.filter((r) => r.onDuty === 1).map((r) => r.hourStart)).toEqual([
      '2026-10-24T22:00:00+01:00',
      '2026-10-24T23:00:00+01:00',
      '2026-10-25T00:00:00+01:00',
      '2026-10-25T01:00:00+01:00',
      '2026-10-25T01:00:00+00:00',
      '2026-10-25T02:00:00+00:00',
      '2026-10-25T03:00:00+00:00',
      '2026-10-25T04:00:00+00:00',
      '2026-10-25T05:00:00+00:00',
    ]);
  });
});

describe('authorised officers on duty: the training rule on the London date of the hour', () => {
  const records = [{ kind: 'initial' as const, qualifiesFor: ['X2'], completedOn: '2025-06-15', result: 'pass' as const }];

  it('stops counting an officer whose authority lapses mid-month, from the London midnight of the anniversary', () => {
    // A pass on 15 June 2025 authorises up to and including 14 June 2026.
    const authorised = authorityFromHistories(new Map([['a', authorityHistory(records, [], ['X2'])]]));
    const rows = run({ from: '2026-06-14', to: '2026-06-15', shifts: [shift('a', '2026-06-14', '20:00', '04:00')], authorised });
    expect(at(rows, '2026-06-14T23:00:00+01:00')).toMatchObject({ onDuty: 1, authorisedOnDuty: 1 });
    expect(at(rows, '2026-06-15T00:00:00+01:00')).toMatchObject({ onDuty: 1, authorisedOnDuty: 0 });
  });

  it('does not count an officer while suspended, and counts them again when the suspension ends', () => {
    const history = authorityHistory(records, [{ from: '2026-01-10', to: '2026-01-12' }], ['X2']);
    const authorised = authorityFromHistories(new Map([['a', history]]));
    const shifts = ['2026-01-09', '2026-01-10', '2026-01-11', '2026-01-12'].map((d) => shift('a', d, '07:00', '15:00'));
    const rows = run({ from: '2026-01-09', to: '2026-01-12', shifts, authorised });
    expect(rows.filter((r) => r.hourStart.endsWith('T08:00:00+00:00')).map((r) => [r.londonDate, r.onDuty, r.authorisedOnDuty])).toEqual([
      ['2026-01-09', 1, 1],
      ['2026-01-10', 1, 0],
      ['2026-01-11', 1, 0],
      ['2026-01-12', 1, 1],
    ]);
  });

  it('counts no officer without a training history', () => {
    const rows = run({ shifts: [shift('a', '2026-06-01', '07:00', '15:00')], authorised: authorityFromHistories(new Map()) });
    expect(at(rows, '2026-06-01T08:00:00+01:00').authorisedOnDuty).toBe(0);
  });
});

describe('carriers and Taser-equipped crews', () => {
  const day = (id: string) => shift(id, '2026-06-01', '07:00', '15:00');
  it('counts an officer on duty with a device issued at the instant, and not once the shift has ended though the device is still held', () => {
    const rows = run({ shifts: [day('a'), day('b')], issues: [{ officerId: 'a', issuedAt: '2026-06-01T06:30:00Z', returnedAt: null }] });
    expect(at(rows, '2026-06-01T07:00:00+01:00')).toMatchObject({ onDuty: 2, carriers: 0, taserCrews: 0 }); // issued at 07:30 London
    expect(at(rows, '2026-06-01T08:00:00+01:00')).toMatchObject({ onDuty: 2, carriers: 1, taserCrews: 1 });
    expect(at(rows, '2026-06-01T15:00:00+01:00')).toMatchObject({ onDuty: 0, carriers: 0, taserCrews: 0 });
  });

  it('does not count a device returned before the hour', () => {
    const rows = run({ shifts: [day('a')], issues: [{ officerId: 'a', issuedAt: '2026-06-01T06:00:00Z', returnedAt: '2026-06-01T09:00:00Z' }] });
    expect(at(rows, '2026-06-01T09:00:00+01:00').carriers).toBe(1);
    expect(at(rows, '2026-06-01T10:00:00+01:00').carriers).toBe(0);
  });

  const ranks = new Map<string, Rank>([
    ['s', 'Sergeant'],
    ['a', 'Police Constable'],
    ['b', 'Police Constable'],
    ['c', 'Police Constable'],
  ]);
  const issued = (id: string) => ({ officerId: id, issuedAt: '2026-06-01T05:00:00Z', returnedAt: null });
  it.each([
    ['a carrier and a partner: one crew', ['a', 'b'], ['a'], DEFAULT_CREWING_POLICY, 1],
    ['three carriers and no one else: one pair, the third joins it', ['a', 'b', 'c'], ['a', 'b', 'c'], DEFAULT_CREWING_POLICY, 1],
    ['a sergeant carrying alone and a pair with a carrier', ['s', 'a', 'b'], ['s', 'a'], DEFAULT_CREWING_POLICY, 2],
    ['a sergeant who may not go alone under the borough policy', ['s', 'a'], ['s'], { ...DEFAULT_CREWING_POLICY, soloRanks: [] }, 1],
    ['both must carry: a pair with one carrier is not a Taser crew', ['a', 'b'], ['a'], { ...DEFAULT_CREWING_POLICY, carriersPerCrew: 2 as const }, 0],
    ['both must carry: two carriers', ['a', 'b', 'c'], ['a', 'b'], { ...DEFAULT_CREWING_POLICY, carriersPerCrew: 2 as const }, 1],
  ])('%s', (_what, onDuty, carriers, policy: CrewingPolicy, crews) => {
    const rows = run({ shifts: onDuty.map(day), issues: carriers.map(issued), ranks, policyFor: () => policy });
    expect(at(rows, '2026-06-01T08:00:00+01:00')).toMatchObject({ onDuty: onDuty.length, carriers: carriers.length, taserCrews: crews, minimum: policy.minimumCrews });
  });

  it('works out crews from counts', () => {
    expect(taserCrewsPossible({ carriersPerCrew: 1 }, 10, 3, 0)).toBe(3);
    expect(taserCrewsPossible({ carriersPerCrew: 1 }, 4, 4, 0)).toBe(2);
    expect(taserCrewsPossible({ carriersPerCrew: 1 }, 5, 4, 1)).toBe(3);
    expect(taserCrewsPossible({ carriersPerCrew: 2 }, 5, 5, 1)).toBe(3);
  });
});

describe('the minimum and the rows', () => {
  it('gives one row per borough and hour, in the order of the boroughs, with each borough’s minimum, and lists the hours below it', () => {
    const policies: Record<string, CrewingPolicy> = { b1: DEFAULT_CREWING_POLICY, b2: { ...DEFAULT_CREWING_POLICY, minimumCrews: 0 } };
    const rows = run({ boroughIds: ['b2', 'b1'], policyFor: (id) => policies[id]!, authorised: never });
    expect(rows).toHaveLength(48);
    expect(rows[0]).toMatchObject({ boroughId: 'b2', hourStart: '2026-06-01T00:00:00+01:00', minimum: 0 });
    expect(rows[24]).toMatchObject({ boroughId: 'b1', minimum: 2 });
    expect(hoursBelowMinimum(rows).map((r) => r.boroughId)).toEqual(Array(24).fill('b1'));
  });

  it('leaves force-wide units’ shifts out of the borough', () => {
    const rows = run({ shifts: [{ ...shift('a', '2026-06-01', '07:00', '15:00'), forceWide: true }] });
    expect(at(rows, '2026-06-01T08:00:00+01:00').onDuty).toBe(0);
  });
});

describe('the sweep against the rules read literally', () => {
  it('gives, for a random month across the autumn clock change, what checking every shift and sign-out for every hour gives', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const officers = Array.from({ length: 40 }, (_, i) => `o${i}`);
    const ranks = new Map<string, Rank>(officers.map((o, i) => [o, i % 5 === 0 ? 'Sergeant' : 'Police Constable']));
    const shifts: CoverageShift[] = [];
    const issues: { officerId: string; issuedAt: string; returnedAt: string | null }[] = [];
    for (let k = 0; k < 400; k++) {
      const day = `2026-10-${String(1 + random(31)).padStart(2, '0')}`;
      const start = `${String(random(24)).padStart(2, '0')}:${random(2) ? '00' : '30'}`;
      const end = `${String(random(24)).padStart(2, '0')}:00`;
      const times = shiftInstants(day, start, end);
      if (!times) continue;
      const officerId = officers[random(officers.length)]!;
      shifts.push({ officerId, boroughId: random(2) ? 'b1' : 'b2', ...times });
      if (random(3) === 0) {
        const from = Date.parse(times.startsAt) - random(3) * 1_800_000;
        issues.push({ officerId, issuedAt: new Date(from).toISOString(), returnedAt: random(4) === 0 ? null : new Date(from + (1 + random(14)) * 3_600_000).toISOString() });
      }
    }
    const authorised = (id: string, date: string) => (Number(id.slice(1)) + Number(date.slice(8))) % 4 !== 0;
    const policyFor = (b: string): CrewingPolicy => (b === 'b1' ? DEFAULT_CREWING_POLICY : { ...DEFAULT_CREWING_POLICY, carriersPerCrew: 2, minimumCrews: 3 });
    const rows = coverage({ from: '2026-10-01', to: '2026-10-31', boroughIds: ['b1', 'b2'], shifts, issues, ranks, authorised, policyFor });

    const expected = ['b1', 'b2'].flatMap((boroughId) =>
      londonHours('2026-10-01', '2026-10-31').map((hour) => {
        const at = hour.ms;
        const onDuty = [...new Set(shifts.filter((s) => s.boroughId === boroughId && Date.parse(s.startsAt) <= at && at < Date.parse(s.endsAt)).map((s) => s.officerId))];
        const carriers = onDuty.filter((o) => issues.some((i) => i.officerId === o && Date.parse(i.issuedAt) <= at && (i.returnedAt === null || at < Date.parse(i.returnedAt))));
        const policy = policyFor(boroughId);
        const solo = carriers.filter((o) => policy.soloRanks.includes(ranks.get(o)!)).length;
        return {
          boroughId,
          hourStart: hour.hourStart,
          onDuty: onDuty.length,
          authorisedOnDuty: onDuty.filter((o) => authorised(o, hour.londonDate)).length,
          carriers: carriers.length,
          taserCrews: taserCrewsPossible(policy, onDuty.length, carriers.length, solo),
          minimum: policy.minimumCrews,
        };
      }),
    );
    expect(rows).toHaveLength(2 * 745);
    expect(
      rows.map(({ boroughId, hourStart, onDuty, authorisedOnDuty, carriers, taserCrews, minimum }) => ({ boroughId, hourStart, onDuty, authorisedOnDuty, carriers, taserCrews, minimum })),
    ).toEqual(expected);
    expect(rows.some((r) => r.carriers > 0)).toBe(true);
    expect(rows.some((r) => r.authorisedOnDuty < r.onDuty)).toBe(true);
  });
});
