import { describe, expect, it } from 'vitest';
import { DEFAULT_CREWING_POLICY, type CrewingPolicy } from '../../../src/domain/crewing/policy.js';
import {
  HOURS_IN_WEEK,
  hourOfWeek,
  hourOfWeekLabel,
  projectCoverage,
  projectedCrews,
  shares,
  typicalWeek,
  type HourCounts,
  type RosterOfficer,
  type RosterShift,
  type TypicalWeek,
} from '../../../src/domain/crewing/projection.js';
import { shiftInstants } from '../../../src/domain/crewing/shifts.js';

const shift = (officerId: string, date: string, start: string, end: string, boroughId = 'b1'): RosterShift => ({ officerId, boroughId, ...shiftInstants(date, start, end)! });
const officers = new Map<string, RosterOfficer>([
  ['pc-auth', { rank: 'Police Constable', standing: 'authorised' }],
  ['pc-cand', { rank: 'Police Constable', standing: 'candidate' }],
  ['pc-other', { rank: 'Police Constable', standing: 'other' }],
  ['sgt-auth', { rank: 'Sergeant', standing: 'authorised' }],
  ['sgt-cand', { rank: 'Sergeant', standing: 'candidate' }],
]);
const week = (from: string, to: string, shifts: RosterShift[], boroughIds = ['b1']) => typicalWeek({ from, to, boroughIds, shifts, officers, policyFor: () => DEFAULT_CREWING_POLICY });
const counts = (onDuty: number, authorised: number, candidates: number, soloAuthorised = 0, soloCandidates = 0): HourCounts => ({ onDuty, authorised, candidates, soloAuthorised, soloCandidates });

describe('the hours of the week (London time, Monday 00:00 first)', () => {
  it.each([
    ['2026-06-01', 0, 0, 'Monday 00:00'],
    ['2026-06-01', 7, 7, 'Monday 07:00'],
    ['2026-06-03', 22, 70, 'Wednesday 22:00'],
    ['2026-06-07', 23, 167, 'Sunday 23:00'],
    ['2026-06-08', 0, 0, 'Monday 00:00'],
  ])('%s at %i:00 is hour %i (%s)', (date, hour, expected, label) => {
    expect(hourOfWeek(date, hour)).toBe(expected);
    expect(hourOfWeekLabel(expected)).toBe(label);
  });
});

describe("a borough's typical week from its shifts", () => {
  it('counts officers on duty at the start of each hour, by standing and by whether they may deploy alone', () => {
    const [b] = week('2026-06-01', '2026-06-07', [
      shift('pc-auth', '2026-06-01', '07:00', '15:00'),
      shift('pc-cand', '2026-06-01', '07:00', '15:00'),
      shift('pc-other', '2026-06-01', '07:00', '15:00'),
      shift('sgt-auth', '2026-06-01', '10:00', '12:00'),
      shift('sgt-cand', '2026-06-01', '10:00', '11:00'),
    ]);
    expect(b!.shifts).toBe(5);
    expect(b!.hours).toHaveLength(HOURS_IN_WEEK);
    expect(b!.hours[6]).toEqual(counts(0, 0, 0));
    expect(b!.hours[7]).toEqual(counts(3, 1, 1));
    expect(b!.hours[10]).toEqual(counts(5, 2, 2, 1, 1));
    expect(b!.hours[11]).toEqual(counts(4, 2, 1, 1, 0));
    expect(b!.hours[14]).toEqual(counts(3, 1, 1));
    expect(b!.hours[15]).toEqual(counts(0, 0, 0));
    expect(b!.hours[24 + 7]).toEqual(counts(0, 0, 0));
  });

  it('takes the mean over the weeks: on duty one Monday in two is half an officer', () => {
    const [b] = week('2026-06-01', '2026-06-14', [shift('pc-auth', '2026-06-01', '07:00', '08:00')]);
    expect(b!.hours[7]).toEqual(counts(0.5, 0.5, 0));
  });

  it('counts a night shift across midnight on both days, and an officer once across back-to-back shifts', () => {
    const [b] = week('2026-06-01', '2026-06-07', [shift('pc-auth', '2026-06-01', '22:00', '06:00'), shift('pc-auth', '2026-06-02', '06:00', '08:00')]);
    expect([b!.hours[22]!.onDuty, b!.hours[23]!.onDuty, b!.hours[24]!.onDuty, b!.hours[29]!.onDuty, b!.hours[30]!.onDuty, b!.hours[31]!.onDuty, b!.hours[32]!.onDuty]).toEqual([1, 1, 1, 1, 1, 1, 0]);
  });

  it('takes both 01:00s of the day the clocks go back as samples of Sunday 01:00', () => {
    // Saturday 24 to Sunday 25 October 2026: the night shift is on at both 01:00s.
    const [b] = week('2026-10-19', '2026-10-25', [shift('pc-auth', '2026-10-24', '22:00', '06:00')]);
    expect(b!.hours[6 * 24 + 1]).toEqual(counts(1, 1, 0));
    expect(b!.hours[6 * 24 + 6]).toEqual(counts(0, 0, 0));
    // On till 06:00 London time (an hour more than the clock shows), not on at 06:00.
    expect(b!.hours[6 * 24 + 5]).toEqual(counts(1, 1, 0));
  });

  it("leaves out other boroughs' shifts and shifts outside the window; a borough without shifts has none", () => {
    const [b1, b2] = week(
      '2026-06-08',
      '2026-06-14',
      [shift('pc-auth', '2026-06-08', '07:00', '09:00', 'b3'), shift('pc-cand', '2026-06-01', '07:00', '09:00', 'b1'), shift('pc-other', '2026-06-09', '07:00', '09:00', 'b2')],
      ['b1', 'b2'],
    );
    expect(b1!.shifts).toBe(0);
    expect(b1!.hours.every((h) => h.onDuty === 0)).toBe(true);
    expect(b2!.shifts).toBe(1);
    expect(b2!.hours[24 + 7]).toEqual(counts(1, 0, 0));
  });
});

describe('the share of candidates newly authorised and of authorised officers kept', () => {
  it.each([
    ['no change', 100, 50, 100, { gained: 0, kept: 1 }],
    ['ten more of fifty candidates', 100, 50, 110, { gained: 0.2, kept: 1 }],
    ['more than the candidates: all of them', 100, 50, 200, { gained: 1, kept: 1 }],
    ['no candidates', 100, 0, 110, { gained: 0, kept: 1 }],
    ['a quarter fewer', 100, 50, 75, { gained: 0, kept: 0.75 }],
    ['none authorised at the start, none at the end', 0, 10, 0, { gained: 0, kept: 1 }],
  ])('%s', (_, start, candidates, at, expected) => {
    expect(shares(start, candidates, at)).toEqual(expected);
  });
});

describe('Taser-equipped crews projected at an hour (a device for every authorised officer)', () => {
  const pair: Pick<CrewingPolicy, 'carriersPerCrew'> = { carriersPerCrew: 1 };
  const both: Pick<CrewingPolicy, 'carriersPerCrew'> = { carriersPerCrew: 2 };
  it.each([
    ['one authorised among four: one crew', pair, counts(4, 1, 3), { gained: 0, kept: 1 }, 1],
    ['a third of three candidates more: two crews', pair, counts(4, 1, 3), { gained: 1 / 3, kept: 1 }, 2],
    ['all four authorised, pairs in which one carries: two crews', pair, counts(4, 1, 3), { gained: 1, kept: 1 }, 2],
    ['both must carry: two authorised make one crew', both, counts(4, 2, 2), { gained: 0, kept: 1 }, 1],
    ['a lone authorised sergeant is a crew', pair, counts(1, 1, 0, 1, 0), { gained: 0, kept: 1 }, 1],
    ['a lone authorised constable is not', pair, counts(1, 1, 0), { gained: 0, kept: 1 }, 0],
    ['half the authorised kept', pair, counts(4, 4, 0), { gained: 0, kept: 0.5 }, 2],
    ['means rounded down: three quarters of an authorised officer is none', pair, counts(2.5, 0.75, 0), { gained: 0, kept: 1 }, 0],
  ])('%s', (_, policy, c, s, expected) => {
    expect(projectedCrews(policy, c, s)).toBe(expected);
  });
});

describe('hours below the minimum, month by month', () => {
  const flat = (boroughId: string, c: HourCounts): TypicalWeek => ({ boroughId, shifts: 1, hours: Array.from({ length: HOURS_IN_WEEK }, () => c) });
  const policy = { carriersPerCrew: 1 as const, minimumCrews: 2 };
  const months = (...authorised: number[]) => authorised.map((a, i) => ({ month: `2027-0${i + 1}`, authorisedAtEnd: a }));

  it('finds the month the gaps end as candidates are authorised', () => {
    // Nights (22:00 to 05:00) have one authorised officer of four; days have two.
    const hours = Array.from({ length: HOURS_IN_WEEK }, (_, h) => (h % 24 >= 22 || h % 24 < 6 ? counts(4, 1, 3) : counts(4, 2, 2)));
    const [p] = projectCoverage({ weeks: [{ boroughId: 'b1', shifts: 10, hours }], policyFor: () => policy, startingAuthorised: 100, candidates: 30, months: months(100, 105, 110, 130) });
    expect(p!.minimum).toBe(2);
    expect(p!.hoursBelowNow).toBe(8 * 7);
    expect(p!.hoursNow.slice(0, 3)).toEqual([0, 1, 2]);
    expect(p!.months).toEqual([
      { month: '2027-01', hoursBelow: 56 },
      { month: '2027-02', hoursBelow: 56 },
      { month: '2027-03', hoursBelow: 0 },
      { month: '2027-04', hoursBelow: 0 },
    ]);
    expect(p!.gapsEndIn).toBe('2027-03');
    expect(p!.noGapsNow).toBe(false);
  });

  it('has no month when the gaps come back before the end (officers lost), and none needed when there are none', () => {
    const [back, none, never] = projectCoverage({
      weeks: [flat('b1', counts(4, 1, 3)), flat('b2', counts(4, 2, 0)), flat('b3', counts(1, 0, 0))],
      policyFor: (id) => (id === 'b2' ? { carriersPerCrew: 1, minimumCrews: 2 } : policy),
      startingAuthorised: 100,
      candidates: 30,
      months: months(110, 100),
    });
    expect(back!.months.map((m) => m.hoursBelow)).toEqual([0, 168]);
    expect(back!.gapsEndIn).toBeNull();
    expect(none!.noGapsNow).toBe(true);
    expect(none!.gapsEndIn).toBe('2027-01');
    expect(never!.hoursBelowNow).toBe(168);
    expect(never!.gapsEndIn).toBeNull();
  });

  it("uses each borough's own minimum", () => {
    const [p] = projectCoverage({ weeks: [flat('b1', counts(4, 1, 3))], policyFor: () => ({ carriersPerCrew: 1, minimumCrews: 1 }), startingAuthorised: 10, candidates: 3, months: months(10) });
    expect([p!.minimum, p!.hoursBelowNow, p!.gapsEndIn]).toEqual([1, 0, '2027-01']);
  });
});
