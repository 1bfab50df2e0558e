/**
 * Taser coverage, borough by borough and hour by hour (issue 14). Pure: shifts, sign-outs,
 * authority and the crewing policy in, one row per borough and per real hour out.
 *
 * The rules:
 *  - the hours of a range of London dates are its real hours: 23 on the day the clocks go
 *    forward, 25 on the day they go back (two 01:00, the first at +01:00 and the second at
 *    +00:00). `hourStart` is the hour's start in London time with its offset, ISO 8601
 *    (`2026-10-25T01:00:00+01:00`).
 *  - on duty at an hour: an officer with a shift of that borough that covers the instant the
 *    hour starts (start ≤ instant < end). An officer is counted once, whatever their shifts.
 *    Shifts of force-wide units are counted apart: never towards a borough.
 *  - authorised on duty: on duty and authorised to carry (the training rule, training/
 *    authority.ts) on the London date of that instant.
 *  - carriers: on duty and holding a device issued to them at that instant (issued ≤ instant,
 *    not yet returned). A device still held after the officer's shift has ended does not count:
 *    they are not on duty.
 *  - Taser-equipped crews: the most crews the borough's on-duty officers and carriers can form
 *    under the borough's crewing policy (policy.ts `taserCrewsPossible`): a carrier who may
 *    deploy alone is a crew; other carriers are paired.
 *  - minimum: the borough's policy's minimum Taser-equipped crews.
 *
 * Fast for a whole force and a month (33 boroughs × 720 hours, 200,000 shifts): per borough, one
 * sweep over its events in time order (see `coverage`), rather than a scan of every shift for
 * every hour.
 */
import { londonInstant, londonOffsetMinutes, nextDay, parseIsoDate } from '../calendar.js';
import type { Rank } from '../organisation.js';
import { authorisedIn, type AuthorityHistory } from '../training/authority.js';
import { taserCrewsPossible, type CrewingPolicy } from './policy.js';

export interface CoverageShift {
  officerId: string;
  boroughId: string;
  /** ISO 8601 UTC instants. */
  startsAt: string;
  endsAt: string;
  /** A force-wide unit's shift: counted apart, never towards the borough. */
  forceWide?: boolean;
}

/** A device signed out to an officer: from `issuedAt` until `returnedAt` (null: still out). */
export interface CoverageIssue {
  officerId: string;
  issuedAt: string;
  returnedAt: string | null;
}

export interface CoverageInput {
  /** London dates, both included. */
  from: string;
  to: string;
  /** The boroughs to report, in the order the rows should come. */
  boroughIds: readonly string[];
  shifts: readonly CoverageShift[];
  issues: readonly CoverageIssue[];
  /** Officers' ranks (for who may deploy alone); an officer not here may not. */
  ranks: ReadonlyMap<string, Rank>;
  /** Whether the officer is authorised to carry on the London date (see `authorityFromHistories`). */
  authorised: (officerId: string, londonDate: string) => boolean;
  /** The crewing policy in force for a borough (its override, or the force-wide one). */
  policyFor: (boroughId: string) => CrewingPolicy;
}

export interface CoverageHour {
  /** Milliseconds since the epoch of the hour's start. */
  ms: number;
  /** The hour's start as an ISO 8601 UTC instant. */
  instant: string;
  /** The hour's start in London time with its offset: `2026-10-25T01:00:00+01:00`. */
  hourStart: string;
  /** The London date of the hour's start. */
  londonDate: string;
}

export interface CoverageRow {
  boroughId: string;
  hourStart: string;
  instant: string;
  londonDate: string;
  onDuty: number;
  authorisedOnDuty: number;
  carriers: number;
  taserCrews: number;
  minimum: number;
}

const HOUR = 3_600_000;
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** An instant in London time with its offset, ISO 8601: `2026-10-25T01:00:00+01:00`. */
export function londonIsoWithOffset(ms: number): string {
  const offset = londonOffsetMinutes(new Date(ms));
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** The real hours of the London dates from `from` to `to` (both included), in order. */
export function londonHours(from: string, to: string): CoverageHour[] {
  if (!parseIsoDate(from)) throw new RangeError(`${from} is not a date in the form YYYY-MM-DD`);
  if (!parseIsoDate(to)) throw new RangeError(`${to} is not a date in the form YYYY-MM-DD`);
  if (to < from) throw new RangeError(`The last day (${to}) is before the first (${from})`);
  const start = londonInstant(from, '00:00').getTime();
  const end = londonInstant(nextDay(to), '00:00').getTime();
  const hours: CoverageHour[] = [];
  for (let ms = start; ms < end; ms += HOUR) {
    const hourStart = londonIsoWithOffset(ms);
    hours.push({ ms, instant: new Date(ms).toISOString(), hourStart, londonDate: hourStart.slice(0, 10) });
  }
  return hours;
}

/** Authority from each officer's history (training/authority.ts `authorityHistory`): no history, not authorised. */
export function authorityFromHistories(histories: ReadonlyMap<string, AuthorityHistory>): (officerId: string, londonDate: string) => boolean {
  return (officerId, londonDate) => {
    const h = histories.get(officerId);
    return h !== undefined && authorisedIn(h, londonDate);
  };
}

/**
 * Coverage for each borough and each real hour of the range (rows by borough in the order given,
 * then by hour).
 *
 * One sweep per borough over its events in time order: a shift starting or ending, a device
 * issued to or returned by one of its officers. Counters of officers on duty, authorised on
 * duty, carriers and solo carriers change only when an officer comes on or goes off duty, or
 * picks up or hands back a device; authority is looked at when an officer comes on duty and
 * again for everyone on duty when the London date changes. So the work is the events plus, once
 * a day, the officers on duty: not every officer for every hour.
 */
export function coverage(input: CoverageInput): CoverageRow[] {
  const hours = londonHours(input.from, input.to);
  if (hours.length === 0) return [];
  const first = hours[0]!.ms;
  const last = hours[hours.length - 1]!.ms;

  // Officers by index.
  const index = new Map<string, number>();
  const ids: string[] = [];
  const indexOf = (id: string) => {
    let i = index.get(id);
    if (i === undefined) {
      i = ids.length;
      index.set(id, i);
      ids.push(id);
    }
    return i;
  };

  // Shifts that cover at least one hour's start, by borough: [start, end, officer] triples.
  const wanted = new Map<string, number[]>(input.boroughIds.map((id) => [id, []]));
  for (const s of input.shifts) {
    if (s.forceWide) continue;
    const list = wanted.get(s.boroughId);
    if (!list) continue;
    const start = Date.parse(s.startsAt);
    const end = Date.parse(s.endsAt);
    if (end <= first || start > last || end <= start) continue;
    list.push(start, end, indexOf(s.officerId));
  }

  // Sign-outs by officer, as [issued, returned) pairs (returned: Infinity while out).
  const held = new Map<number, number[]>();
  for (const i of input.issues) {
    const officer = index.get(i.officerId);
    if (officer === undefined) continue; // never on duty in the range
    const from = Date.parse(i.issuedAt);
    const to = i.returnedAt === null ? Infinity : Date.parse(i.returnedAt);
    if (to <= first || from > last || to <= from) continue;
    const list = held.get(officer) ?? [];
    list.push(from, to);
    held.set(officer, list);
  }

  const n = ids.length;
  const duty = new Int32Array(n);
  const holding = new Int32Array(n);
  const authorisedNow = new Uint8Array(n);
  const soloRank = new Uint8Array(n);

  const rows: CoverageRow[] = [];
  for (const boroughId of input.boroughIds) {
    const policy = input.policyFor(boroughId);
    const solo = new Set(policy.soloRanks);
    const triples = wanted.get(boroughId)!;

    // Events as [time, kind, officer]: kind 0 shift start, 1 shift end, 2 device out, 3 device back.
    const events: number[][] = [];
    const officers = new Set<number>();
    for (let k = 0; k < triples.length; k += 3) {
      const officer = triples[k + 2]!;
      events.push([triples[k]!, 0, officer], [triples[k + 1]!, 1, officer]);
      officers.add(officer);
    }
    for (const officer of officers) {
      duty[officer] = 0;
      holding[officer] = 0;
      const rank = input.ranks.get(ids[officer]!);
      soloRank[officer] = rank !== undefined && solo.has(rank) ? 1 : 0;
      const spans = held.get(officer);
      if (spans) for (let k = 0; k < spans.length; k += 2) events.push([spans[k]!, 2, officer], [spans[k + 1]!, 3, officer]);
    }
    events.sort((a, b) => a[0]! - b[0]!);

    const onDuty = new Set<number>();
    let authorised = 0;
    let carriers = 0;
    let soloCarriers = 0;
    let date = '';
    let e = 0;
    for (const hour of hours) {
      const at = hour.ms;
      if (hour.londonDate !== date) {
        // Authority is by London date: look again at everyone on duty.
        date = hour.londonDate;
        authorised = 0;
        for (const officer of onDuty) {
          authorisedNow[officer] = input.authorised(ids[officer]!, date) ? 1 : 0;
          authorised += authorisedNow[officer]!;
        }
      }
      for (; e < events.length && events[e]![0]! <= at; e++) {
        const [, kind, officer] = events[e] as [number, number, number];
        if (kind === 0) {
          duty[officer] = duty[officer]! + 1;
          if (duty[officer] === 1) {
            onDuty.add(officer);
            authorisedNow[officer] = input.authorised(ids[officer]!, date) ? 1 : 0;
            authorised += authorisedNow[officer]!;
            if (holding[officer]! > 0) {
              carriers++;
              soloCarriers += soloRank[officer]!;
            }
          }
        } else if (kind === 1) {
          duty[officer] = duty[officer]! - 1;
          if (duty[officer] === 0) {
            onDuty.delete(officer);
            authorised -= authorisedNow[officer]!;
            if (holding[officer]! > 0) {
              carriers--;
              soloCarriers -= soloRank[officer]!;
            }
          }
        } else if (kind === 2) {
          holding[officer] = holding[officer]! + 1;
          if (holding[officer] === 1 && duty[officer]! > 0) {
            carriers++;
            soloCarriers += soloRank[officer]!;
          }
        } else {
          holding[officer] = holding[officer]! - 1;
          if (holding[officer] === 0 && duty[officer]! > 0) {
            carriers--;
            soloCarriers -= soloRank[officer]!;
          }
        }
      }
      rows.push({
        boroughId,
        hourStart: hour.hourStart,
        instant: hour.instant,
        londonDate: hour.londonDate,
        onDuty: onDuty.size,
        authorisedOnDuty: authorised,
        carriers,
        taserCrews: taserCrewsPossible(policy, onDuty.size, carriers, soloCarriers),
        minimum: policy.minimumCrews,
      });
    }
  }
  return rows;
}

/** The rows with fewer Taser-equipped crews than the minimum. */
export const hoursBelowMinimum = (rows: readonly CoverageRow[]) => rows.filter((r) => r.taserCrews < r.minimum);
