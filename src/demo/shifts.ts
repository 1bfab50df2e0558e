/**
 * The demo force's duty roster (issue 14): a month of shifts for the boroughs' emergency
 * response teams, to the demo's day, so the coverage pages and export have a force to show.
 *
 * Pure (no I/O, no clock, no global randomness): the same random source, force, sign-outs and
 * instant give the same roster. The rules:
 *  - Constables and sergeants on the response teams, active: earlies 07:00–15:00, lates
 *    15:00–23:00, nights 23:00–07:00, four on and four off, each team a few days apart and the
 *    kind of shift turning each block. About one rostered shift in ten is not worked (leave,
 *    sickness, a course).
 *  - An officer who signed out a device in the fleet's weeks of sign-outs (devices.ts) worked
 *    exactly the shifts of those sign-outs in those weeks (the roster says when they work, the
 *    sign-out was for that shift): each from its start (the next whole hour after the device was
 *    issued) to the shift's end. Before those weeks they follow their team's rota.
 *  - Nights are short on some boroughs: a few have nearly half their night shifts unfilled, so
 *    the coverage pages show realistic gaps.
 */
import { addDays, londonDate } from '../domain/calendar.js';
import { londonIsoWithOffset } from '../domain/crewing/coverage.js';
import type { DemoForcePlan } from './plan.js';
import type { Random } from './random.js';

/** Days of roster to the demo's day (that day included). */
export const DEMO_ROSTER_DAYS = 30;

const KINDS = [
  { start: '07:00', end: '15:00' },
  { start: '15:00', end: '23:00' },
  { start: '23:00', end: '07:00' },
] as const;
const NIGHT = 2;
/** Every how many boroughs (in the force's order) one is short of officers at night. */
const SHORT_NIGHTS_EVERY = 5;
const SHORT_NIGHT_UNFILLED = 0.45;
const ABSENT = 0.1;
const HOUR_MS = 3_600_000;

export interface DemoShift {
  collar: string;
  /** The London date the shift starts, and its London clock times (an end before the start is the next day). */
  date: string;
  start: string;
  end: string;
  boroughCode: string;
  teamName: string;
}

const clock = (ms: number) => londonIsoWithOffset(ms).slice(11, 16);

/** The roster: `issues` are the fleet's sign-outs (collar, issued, the shift's end). */
export function generateDemoRoster(random: Random, force: DemoForcePlan, issues: readonly { collar: string; issuedAt: string; shiftEndsAt: string }[], now: Date): DemoShift[] {
  const today = londonDate(now);
  const firstDay = addDays(today, -(DEMO_ROSTER_DAYS - 1));
  const response = new Map(force.teams.filter((t) => t.teamType === 'emergency_response' && t.boroughCode !== null).map((t) => [t.name, t]));
  const shortNights = new Set(force.boroughs.filter((_, i) => i % SHORT_NIGHTS_EVERY === 2).map((b) => b.code));
  const officers = force.officers.filter((o) => o.status === 'active' && (o.rank === 'Police Constable' || o.rank === 'Sergeant') && o.teamName !== null && response.has(o.teamName));

  const signOuts = new Map<string, { issuedAt: string; shiftEndsAt: string }[]>();
  let fleetFirstDay: string | null = null;
  for (const i of issues) {
    const day = londonDate(i.issuedAt);
    if (day < firstDay) continue;
    if (fleetFirstDay === null || day < fleetFirstDay) fleetFirstDay = day;
    const list = signOuts.get(i.collar) ?? [];
    list.push(i);
    signOuts.set(i.collar, list);
  }

  const shifts: DemoShift[] = [];
  for (const o of officers) {
    const team = response.get(o.teamName!)!;
    const letter = team.name.charCodeAt(team.name.length - 1) - 65;
    const carried = signOuts.get(o.collarNumber);
    // A carrier's rota stops two days before the sign-outs start, so a night never meets their first sign-out's shift.
    const rotaUntil = carried && fleetFirstDay ? addDays(fleetFirstDay, -2) : today;
    for (let day = firstDay, n = 0; day <= rotaUntil; day = addDays(day, 1), n++) {
      const cycle = n + letter * 3;
      if (cycle % 8 >= 4) continue;
      const kind = (Math.floor(cycle / 8) + letter) % 3;
      const absent = random() < ABSENT;
      const unfilled = kind === NIGHT && shortNights.has(team.boroughCode!) && random() < SHORT_NIGHT_UNFILLED;
      if (absent || unfilled) continue;
      shifts.push({ collar: o.collarNumber, date: day, start: KINDS[kind]!.start, end: KINDS[kind]!.end, boroughCode: team.boroughCode!, teamName: team.name });
    }
    for (const s of carried ?? []) {
      const start = Math.ceil(Date.parse(s.issuedAt) / HOUR_MS) * HOUR_MS;
      const end = Date.parse(s.shiftEndsAt);
      if (end <= start) continue;
      shifts.push({ collar: o.collarNumber, date: londonDate(new Date(start)), start: clock(start), end: clock(end), boroughCode: team.boroughCode!, teamName: team.name });
    }
  }
  return shifts;
}

/** The roster as the shifts CSV (`cedar import shifts`). */
export function demoRosterCsv(shifts: readonly DemoShift[]): string {
  const lines = ['collar_number,date,start,end,borough,team,call_sign'];
  for (const s of shifts) lines.push(`${s.collar},${s.date},${s.start},${s.end},${s.boroughCode},${s.teamName},`);
  return lines.join('\n') + '\n';
}
