import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/calendar.js';
import { shiftInstants } from '../../src/domain/crewing/shifts.js';
import { generateDemoFleet } from '../../src/demo/devices.js';
import { DEFAULT_DEMO_OFFICERS, DEFAULT_DEMO_SEED, generateDemoForce } from '../../src/demo/force.js';
import { mulberry32 } from '../../src/demo/random.js';
import { DEMO_ROSTER_DAYS, demoRosterCsv, generateDemoRoster } from '../../src/demo/shifts.js';
import { generateDemoTraining } from '../../src/demo/training.js';

describe('the demo force’s duty roster (pure)', () => {
  const force = generateDemoForce(mulberry32(DEFAULT_DEMO_SEED), DEFAULT_DEMO_OFFICERS);
  const now = new Date('2026-11-28T09:00:00Z');
  const day = '2026-11-28';
  const training = generateDemoTraining(mulberry32(DEFAULT_DEMO_SEED + 2), force, day);
  const fleet = generateDemoFleet(mulberry32(DEFAULT_DEMO_SEED + 3), force, training, now);
  const roster = generateDemoRoster(mulberry32(DEFAULT_DEMO_SEED + 5), force, fleet.issues, now);
  const team = new Map(force.teams.map((t) => [t.name, t]));
  const instants = roster.map((s) => ({ ...s, ...shiftInstants(s.date, s.start, s.end)! }));

  it('is the same for the same inputs', () => {
    expect(generateDemoRoster(mulberry32(DEFAULT_DEMO_SEED + 5), force, fleet.issues, now)).toEqual(roster);
  });

  it('is a month of the response teams’ shifts, each in its team’s borough, none overlapping another of the officer’s', () => {
    expect(roster.length).toBeGreaterThan(20_000);
    expect(roster.every((s) => s.date >= addDays(day, -(DEMO_ROSTER_DAYS - 1)) && s.date <= day)).toBe(true);
    expect(roster.every((s) => team.get(s.teamName)?.teamType === 'emergency_response' && team.get(s.teamName)?.boroughCode === s.boroughCode)).toBe(true);
    const byOfficer = new Map<string, { startsAt: string; endsAt: string }[]>();
    const overlaps: string[] = [];
    for (const s of instants) {
      const list = byOfficer.get(s.collar) ?? [];
      if (list.some((x) => x.startsAt < s.endsAt && s.startsAt < x.endsAt)) overlaps.push(`${s.collar} ${s.date} ${s.start}`);
      list.push(s);
      byOfficer.set(s.collar, list);
    }
    expect(overlaps).toEqual([]);
  });

  it('has earlies, lates and nights, and a shift for each response officer’s sign-out, on from the hour after the device was issued', () => {
    const kinds = new Set(roster.map((s) => `${s.start}-${s.end}`));
    expect([...kinds]).toEqual(expect.arrayContaining(['07:00-15:00', '15:00-23:00', '23:00-07:00']));
    const responseCollars = new Set(force.officers.filter((o) => o.teamName && team.get(o.teamName)?.teamType === 'emergency_response').map((o) => o.collarNumber));
    const signOuts = fleet.issues.filter((i) => responseCollars.has(i.collar));
    expect(signOuts.length).toBeGreaterThan(1000);
    const starts = new Set(instants.map((s) => `${s.collar}|${s.startsAt}`));
    const missing = signOuts.filter((i) => !starts.has(`${i.collar}|${new Date(Math.ceil(Date.parse(i.issuedAt) / 3_600_000) * 3_600_000).toISOString()}`));
    expect(missing).toEqual([]);
  });

  it('is short of officers at night on some boroughs', () => {
    const nightsPerOfficer = (code: string) => {
      const rows = roster.filter((s) => s.boroughCode === code);
      return rows.filter((s) => s.start === '23:00').length / Math.max(1, rows.length);
    };
    const shares = force.boroughs.map((b) => nightsPerOfficer(b.code));
    expect(Math.min(...shares)).toBeLessThan(Math.max(...shares) * 0.8);
  });

  it('writes the shifts CSV the import reads', () => {
    const csv = demoRosterCsv(roster.slice(0, 2)).split('\n');
    expect(csv[0]).toBe('collar_number,date,start,end,borough,team,call_sign');
    expect(csv[1]).toMatch(/^[^,]+,\d{4}-\d{2}-\d{2},\d{2}:\d{2},\d{2}:\d{2},[A-Z]{2},[^,]+ Emergency Response [A-E],$/);
  });
});
