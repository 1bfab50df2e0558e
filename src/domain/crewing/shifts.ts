/**
 * Duty rosters (issue 14): the shifts CSV a duty-rostering system sends, read and checked row by
 * row, and what an import changes. Pure: the service supplies the force's officers, boroughs and
 * teams and the shifts already stored.
 *
 * The layout: a header row, then one row per shift.
 *
 *   collar_number  the officer's collar number as in Cedar (any case)
 *   date           the London date the shift starts: YYYY-MM-DD or DD/MM/YYYY
 *   start, end     London clock times, HH:MM (H:MM too). An end before the start is on the next
 *                  day (a night shift); an end equal to the start is an error.
 *   borough        the borough the officer is on duty in: its name or code as in Cedar
 *   team           optional: a team of that borough, or a force-wide team, by name
 *   call_sign      optional: the unit's call sign, up to 20 characters
 *
 * Times are turned into UTC instants with the London clock (calendar.ts `londonInstant`): a shift
 * across a clock change has its real length (22:00 to 06:00 is 7 hours on the night the clocks go
 * forward and 9 on the night they go back); a time in the hour the clocks skip (01:30 on the day
 * BST starts) is read as after the jump (02:30 BST); a time in the hour that happens twice is
 * read as its second, GMT, occurrence.
 *
 * A shift is one officer's, from one start: the same officer and start twice in a file is an
 * error (on the later line), and so are two shifts of one officer that overlap. Checking is per
 * row (`ShiftChecker.check`), so a file can be checked as it streams in; the overlaps are found
 * at the end (`finish`).
 */
import { Lookup } from '../roster.js';
import { londonInstant, nextDay, parseIsoDate } from '../calendar.js';
import { csvDate, decodeCsv, quoteValue, readCsvHeader, readRecords, rowValues, type CsvEncoding, type CsvHeader, type RawRecord, type RowError } from '../csv.js';
import { teamFitsBorough, type Borough, type Team } from '../organisation.js';

export const SHIFT_COLUMNS = ['collar_number', 'date', 'start', 'end', 'borough', 'team', 'call_sign'] as const;
export type ShiftColumn = (typeof SHIFT_COLUMNS)[number];
export const REQUIRED_SHIFT_COLUMNS: readonly ShiftColumn[] = ['collar_number', 'date', 'start', 'end', 'borough'];

export const MAX_CALL_SIGN = 20;

/** A shift read from a row that passed every check of its own. */
export interface ShiftRow {
  line: number;
  officerId: string;
  collarNumber: string;
  /** The London date the row gives (the day the shift starts). */
  londonDate: string;
  /** ISO 8601 UTC instants; endsAt is after startsAt. */
  startsAt: string;
  endsAt: string;
  boroughId: string;
  teamId: string | null;
  callSign: string | null;
}

/** What the rows are resolved against: officers by upper-case collar number, the force's boroughs and teams. */
export interface ShiftReferences {
  officers: ReadonlyMap<string, { id: string }>;
  boroughs: readonly Borough[];
  teams: readonly Team[];
}

export interface ShiftRead {
  encoding: CsvEncoding;
  headerLine: number | null;
  /** Data rows in the file (blank lines not counted), accepted or not. */
  count: number;
  /** Rows without problems, in file order. Only to be stored when `errors` is empty. */
  rows: ShiftRow[];
  /** Every problem, by line then column. */
  errors: RowError[];
  /** A problem with the whole file: no row was checked. */
  fatal: boolean;
}

// ---------------------------------------------------------------------------------------
// Times

/** `YYYY-MM-DD` or `DD/MM/YYYY` naming a real day, as `YYYY-MM-DD`; undefined otherwise. */
function calendarIsoDate(text: string): string | undefined {
  const iso = csvDate(text);
  return iso && parseIsoDate(iso) ? iso : undefined;
}

const CLOCK = /^(\d{1,2}):(\d{2})$/;

/** `HH:MM` (or `H:MM`) from 00:00 to 23:59, as `HH:MM`; undefined otherwise. */
export function clockTime(text: string): string | undefined {
  const m = CLOCK.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return undefined;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

/**
 * A shift's instants from its London date and clock times (both `HH:MM`, already valid): an end
 * before the start is on the next day. Null when start and end are the same time.
 */
export function shiftInstants(londonDate: string, start: string, end: string): { startsAt: string; endsAt: string } | null {
  if (start === end) return null;
  const startsAt = londonInstant(londonDate, start);
  const endsAt = londonInstant(end < start ? nextDay(londonDate) : londonDate, end);
  // Both times inside the hour the clocks skip or repeat can meet or cross: no real length.
  if (endsAt.getTime() <= startsAt.getTime()) return null;
  return { startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() };
}

// ---------------------------------------------------------------------------------------
// Rows

const columnOrder = (c: string | null) => (c === null ? -1 : (SHIFT_COLUMNS as readonly string[]).includes(c) ? SHIFT_COLUMNS.indexOf(c as ShiftColumn) : SHIFT_COLUMNS.length);

/** Sorts problems as a person reads the file: by line, then by column. */
export function sortShiftErrors(errors: RowError[]): RowError[] {
  return errors.sort((a, b) => a.line - b.line || columnOrder(a.column) - columnOrder(b.column));
}

/**
 * Checks rows one at a time against the references, remembering what it needs to find the same
 * shift twice and overlapping shifts. `check` a row's values by column; `finish` at the end.
 */
export class ShiftChecker {
  private readonly boroughs = new Lookup<Borough>();
  private readonly teams = new Lookup<Team>();
  private readonly boroughById: ReadonlyMap<string, Borough>;
  /** officer id + start → the line it was first seen on. */
  private readonly starts = new Map<string, number>();
  /** Per officer, the accepted shifts, for the overlap check. */
  private readonly byOfficer = new Map<string, { startsAt: string; endsAt: string; line: number }[]>();

  constructor(private readonly refs: ShiftReferences) {
    for (const b of refs.boroughs) this.boroughs.add(b.name, b);
    for (const b of refs.boroughs) this.boroughs.add(b.code, b);
    for (const t of refs.teams) this.teams.add(t.name, t);
    this.boroughById = new Map(refs.boroughs.map((b) => [b.id, b]));
  }

  /** One row's values (trimmed) by column; absent optional columns may be left out. */
  check(line: number, get: (c: ShiftColumn) => string): { row?: ShiftRow; errors: RowError[] } {
    const errors: RowError[] = [];
    const problem = (column: ShiftColumn, message: string) => errors.push({ line, column, message });

    const collarText = get('collar_number');
    const collarNumber = collarText.toUpperCase();
    const officer = collarText === '' ? undefined : this.refs.officers.get(collarNumber);
    if (collarText === '') problem('collar_number', "Enter the officer's collar number");
    else if (!officer) problem('collar_number', `No officer with collar number ${quoteValue(collarText)}: import the officer first, or check the collar number`);

    const dateText = get('date');
    const londonDate = dateText === '' ? undefined : calendarIsoDate(dateText);
    if (dateText === '') problem('date', 'Enter the date the shift starts, as YYYY-MM-DD or DD/MM/YYYY');
    else if (!londonDate) problem('date', `Enter the date the shift starts as a real day, YYYY-MM-DD or DD/MM/YYYY, for example 2026-10-24 or 24/10/2026, not ${quoteValue(dateText)}`);

    const time = (c: 'start' | 'end', what: string) => {
      const text = get(c);
      if (text === '') {
        problem(c, `Enter the time the shift ${what}, as HH:MM (London time)`);
        return undefined;
      }
      const t = clockTime(text);
      if (!t) problem(c, `Enter the time the shift ${what} as HH:MM from 00:00 to 23:59 (London time), for example 07:00 or 22:00, not ${quoteValue(text)}`);
      return t;
    };
    const start = time('start', 'starts');
    const end = time('end', 'ends');
    let instants: { startsAt: string; endsAt: string } | null = null;
    if (start && end) {
      if (start === end) problem('end', `The shift ends when it starts (${start}): give the time it ends (an end before the start is on the next day)`);
      else if (londonDate) {
        instants = shiftInstants(londonDate, start, end);
        if (!instants) problem('end', `From ${start} to ${end} on ${londonDate} is no time at all once the clocks change: check the times`);
      }
    }

    let borough: Borough | undefined;
    const boroughText = get('borough');
    if (boroughText === '') problem('borough', 'Enter the borough the officer is on duty in: its name or code as in Cedar');
    else {
      const b = this.boroughs.get(boroughText);
      if (b === 'ambiguous') problem('borough', `${quoteValue(boroughText)} matches more than one borough: write the name exactly as it appears in Cedar`);
      else if (!b) problem('borough', `No borough called ${quoteValue(boroughText)}: enter a borough's name or code as it appears in Cedar`);
      else borough = b;
    }

    let team: Team | null = null;
    const teamText = get('team');
    if (teamText !== '') {
      const t = this.teams.get(teamText);
      if (t === 'ambiguous') problem('team', `${quoteValue(teamText)} matches more than one team: write the name exactly as it appears in Cedar`);
      else if (!t) problem('team', `No team called ${quoteValue(teamText)}: enter the team's name as it appears in Cedar, or leave it empty`);
      else if (borough && !teamFitsBorough(t, borough.id)) {
        const home = this.boroughById.get(t.boroughId ?? '')?.name ?? 'another borough';
        problem('team', `${t.name} is a team in ${home}, not ${borough.name}: choose a team in ${borough.name} or a force-wide team`);
      } else team = t;
    }

    const callSign = get('call_sign');
    if (callSign.length > MAX_CALL_SIGN) problem('call_sign', `The call sign must be ${MAX_CALL_SIGN} characters or fewer: ${quoteValue(callSign)} has ${callSign.length}`);

    if (officer && instants) {
      const key = `${officer.id}|${instants.startsAt}`;
      const first = this.starts.get(key);
      if (first !== undefined) problem('start', `Officer ${collarNumber}'s shift starting ${londonDate} ${start} is also on line ${first}: each shift can appear only once`);
      else this.starts.set(key, line);
    }
    if (errors.length || !officer || !instants || !borough || !londonDate) return { errors };
    const list = this.byOfficer.get(officer.id) ?? [];
    list.push({ ...instants, line });
    this.byOfficer.set(officer.id, list);
    return {
      row: {
        line,
        officerId: officer.id,
        collarNumber,
        londonDate,
        startsAt: instants.startsAt,
        endsAt: instants.endsAt,
        boroughId: borough.id,
        teamId: team?.id ?? null,
        callSign: callSign === '' ? null : callSign,
      },
      errors,
    };
  }

  /** Shifts of one officer that overlap: an error on the later line (the later shift's start). */
  finish(): RowError[] {
    const errors: RowError[] = [];
    for (const list of this.byOfficer.values()) {
      if (list.length < 2) continue;
      list.sort((a, b) => (a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.line - b.line));
      let reach = list[0]!;
      for (const s of list.slice(1)) {
        if (s.startsAt < reach.endsAt) {
          const [earlier, later] = s.line > reach.line ? [reach, s] : [s, reach];
          errors.push({ line: later.line, column: 'start', message: `This shift overlaps the same officer's shift on line ${earlier.line}: an officer is on one shift at a time` });
        }
        if (s.endsAt > reach.endsAt) reach = s;
      }
    }
    return errors;
  }
}

/** Rows with at least one problem (a problem with the header or the whole file is not a row's). */
export function rejectedRowCount(errors: readonly RowError[], headerLine: number | null): number {
  return new Set(errors.filter((e) => headerLine === null || e.line > headerLine).map((e) => e.line)).size;
}

/** Reads and checks a whole shifts file (see the header for its layout). */
export function readShiftsCsv(bytes: Uint8Array, refs: ShiftReferences): ShiftRead {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return fileError('utf-8', 'The file is saved as UTF-16 ("Unicode text"): save it as "CSV UTF-8 (Comma delimited)" and import it again');
  }
  const { text, encoding } = decodeCsv(bytes);
  const { records, errors } = readRecords(text);
  const [first, ...data] = records;
  if (!first) {
    if (errors.length) return { encoding, headerLine: null, count: errors.length, rows: [], errors: sortShiftErrors(errors), fatal: true };
    return fileError(encoding, `The file is empty: it needs a header row (${SHIFT_COLUMNS.join(',')}) and a row for each shift`);
  }
  const count = data.length + errors.filter((e) => e.line > first.line).length;
  const { header, errors: headerErrors, fatal } = readCsvHeader(first, data, SHIFT_COLUMNS, REQUIRED_SHIFT_COLUMNS);
  errors.push(...headerErrors);
  if (fatal || headerErrors.length) return { encoding, headerLine: first.line, count, rows: [], errors: sortShiftErrors(errors), fatal: true };
  if (data.length === 0 && errors.length === 0) errors.push({ line: first.line, column: null, message: 'The file has a header row but no shifts: add a row for each shift' });

  const checker = new ShiftChecker(refs);
  const rows: ShiftRow[] = [];
  for (const record of data) {
    const checked = checkRecord(checker, record, header);
    errors.push(...checked.errors);
    if (checked.row) rows.push(checked.row);
  }
  errors.push(...checker.finish());
  return { encoding, headerLine: first.line, count, rows, errors: sortShiftErrors(errors), fatal: false };
}

function checkRecord(checker: ShiftChecker, record: RawRecord, header: CsvHeader<ShiftColumn>): { row?: ShiftRow; errors: RowError[] } {
  const read = rowValues(record, header);
  if ('error' in read) return { errors: [read.error] };
  return checker.check(record.line, (c) => read.values.get(c) ?? '');
}

function fileError(encoding: CsvEncoding, message: string): ShiftRead {
  return { encoding, headerLine: null, count: 0, rows: [], errors: [{ line: 1, column: null, message }], fatal: true };
}

// ---------------------------------------------------------------------------------------
// Planning the import

/** A shift as stored, as far as an import compares it. */
export interface StoredShift {
  id: string;
  officerId: string;
  startsAt: string;
  endsAt: string;
  boroughId: string;
  teamId: string | null;
  callSign: string | null;
  revision: number;
}

export interface ShiftReplacement {
  row: ShiftRow;
  stored: StoredShift;
  /** The fields that differ: endsAt, boroughId, teamId, callSign. */
  changed: ('endsAt' | 'boroughId' | 'teamId' | 'callSign')[];
}

/** A stored shift of the same officer that a row of the roster overlaps (a shift moved to another start): the roster's row replaces it. */
export interface ShiftRemoval {
  stored: StoredShift;
  /** The line of the row that overlaps it. */
  line: number;
}

export interface ShiftPlan {
  insert: ShiftRow[];
  replace: ShiftReplacement[];
  /** Stored shifts the roster's rows overlap, taken away. */
  remove: ShiftRemoval[];
  unchanged: number;
}

export const shiftKey = (officerId: string, startsAt: string) => `${officerId}|${startsAt}`;

/**
 * What an import does, against the stored shifts of the same officers around the same time:
 * new shifts stored; changed ones (same officer and start) replaced; the rest left alone. The
 * roster is the word on when an officer works: a stored shift of the officer that a row
 * overlaps but does not match (the shift was moved to another start) is taken away.
 */
export function planShiftImport(rows: readonly ShiftRow[], existing: readonly StoredShift[]): ShiftPlan {
  const plan: ShiftPlan = { insert: [], replace: [], remove: [], unchanged: 0 };
  const byKey = new Map(existing.map((s) => [shiftKey(s.officerId, s.startsAt), s]));
  const matched = new Set<string>();
  for (const row of rows) {
    const key = shiftKey(row.officerId, row.startsAt);
    const stored = byKey.get(key);
    if (!stored) {
      plan.insert.push(row);
      continue;
    }
    matched.add(key);
    const changed: ShiftReplacement['changed'] = [];
    if (stored.endsAt !== row.endsAt) changed.push('endsAt');
    if (stored.boroughId !== row.boroughId) changed.push('boroughId');
    if (stored.teamId !== row.teamId) changed.push('teamId');
    if (stored.callSign !== row.callSign) changed.push('callSign');
    if (changed.length) plan.replace.push({ row, stored, changed });
    else plan.unchanged++;
  }
  // Stored shifts no row matches, by officer: any a row overlaps is taken away.
  const others = new Map<string, StoredShift[]>();
  for (const s of existing) {
    if (matched.has(shiftKey(s.officerId, s.startsAt))) continue;
    const list = others.get(s.officerId) ?? [];
    list.push(s);
    others.set(s.officerId, list);
  }
  if (others.size === 0) return plan;
  const removed = new Set<string>();
  for (const row of rows) {
    for (const s of others.get(row.officerId) ?? []) {
      if (removed.has(s.id) || !(s.startsAt < row.endsAt && row.startsAt < s.endsAt)) continue;
      removed.add(s.id);
      plan.remove.push({ stored: s, line: row.line });
    }
  }
  return plan;
}
