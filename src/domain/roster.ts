/**
 * The officer roster CSV: decoding, reading and validating every row, and planning what an
 * import changes. Pure: no I/O. The service supplies the force's boroughs and teams and the
 * officers already stored; this module says what is wrong (by line and column) or what to do.
 */
import { csvDate, decodeCsv, quoteValue, readCsvHeader, readRecords, rowValues, type CsvEncoding, type CsvHeader, type RawRecord, type RowError } from './csv.js';
import {
  RANKS,
  RANK_ABBREVIATIONS,
  changedFields,
  officerFields,
  officerInput,
  officerInputOn,
  teamFitsBorough,
  type Borough,
  type Officer,
  type OfficerInput,
  type Rank,
  type Team,
} from './organisation.js';

/** The roster's columns, in the order the template lists them. */
export const ROSTER_COLUMNS = ['collar_number', 'first_name', 'last_name', 'rank', 'borough', 'team', 'status', 'joined_on', 'left_on'] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];

export const REQUIRED_ROSTER_COLUMNS: readonly RosterColumn[] = ['collar_number', 'first_name', 'last_name', 'rank', 'joined_on'];

/** Which officer field each column fills. */
const FIELD_OF: Record<RosterColumn, keyof OfficerInput> = {
  collar_number: 'collarNumber',
  first_name: 'firstName',
  last_name: 'lastName',
  rank: 'rank',
  borough: 'boroughId',
  team: 'teamId',
  status: 'status',
  joined_on: 'joinedOn',
  left_on: 'leftOn',
};
const COLUMN_OF = new Map<string, RosterColumn>(ROSTER_COLUMNS.map((c) => [FIELD_OF[c], c]));

/** A row that passed every check, ready to store. */
export interface RosterRow {
  line: number;
  officer: OfficerInput;
}

export interface RosterParse {
  encoding: CsvEncoding;
  /** Data rows in the file (blank lines not counted), accepted or not. */
  rowCount: number;
  /** Data rows with at least one problem. */
  rejectedRows: number;
  /** Accepted rows, in file order. Only meaningful when `errors` is empty. */
  rows: RosterRow[];
  /** Every problem found, sorted by line then column. */
  errors: RowError[];
}

/** The force's boroughs and teams, against which names in the file are resolved. */
export interface RosterReferences {
  boroughs: readonly Borough[];
  teams: readonly Team[];
}

// ---------------------------------------------------------------------------------------
// Values

const rankKey = (s: string) => s.toLowerCase().replace(/\./g, '').replace(/\s+/g, ' ').trim();
const RANK_BY_KEY = new Map<string, Rank>(RANKS.flatMap((r) => [[rankKey(r), r] as const, [rankKey(RANK_ABBREVIATIONS[r]), r] as const]));
const RANK_HINT = RANKS.map((r) => RANK_ABBREVIATIONS[r]).join(', ');

/** A rank by its full name or abbreviation, in any case ("PC", "insp", "Chief Inspector"). */
export function rosterRank(value: string): Rank | undefined {
  return RANK_BY_KEY.get(rankKey(value));
}

/** Spreadsheets turn O'Brien into O’Brien; names keep the plain apostrophe. */
const plainApostrophes = (s: string) => s.replace(/[\u2018\u2019\u02bc]/g, "'");

/** Names looked up as written, else in any case; a name two entries share in different cases is ambiguous. */
export class Lookup<T> {
  private readonly exact = new Map<string, T>();
  private readonly folded = new Map<string, T | 'ambiguous'>();
  add(key: string, value: T): void {
    if (!this.exact.has(key)) this.exact.set(key, value);
    const k = key.toLowerCase();
    const seen = this.folded.get(k);
    this.folded.set(k, seen === undefined || seen === value ? value : 'ambiguous');
  }
  get(key: string): T | 'ambiguous' | undefined {
    return this.exact.get(key) ?? this.folded.get(key.toLowerCase());
  }
}

// ---------------------------------------------------------------------------------------
// Rows

const isRosterColumn = (s: string): s is RosterColumn => (ROSTER_COLUMNS as readonly string[]).includes(s);
type Header = CsvHeader<RosterColumn>;

interface Resolver {
  boroughs: Lookup<Borough>;
  teams: Lookup<Team>;
  boroughById: ReadonlyMap<string, Borough>;
}

function checkRow(record: RawRecord, header: Header, refs: Resolver, schema: typeof officerInput): { officer?: OfficerInput; errors: RowError[] } {
  const { line } = record;
  const read = rowValues(record, header);
  if ('error' in read) return { errors: [read.error] };
  const value = read.values;
  const own = new Map<RosterColumn, string>(); // problems found here, ahead of officerInput's
  const get = (c: RosterColumn) => value.get(c) ?? '';

  const rankText = get('rank');
  const rank = rankText === '' ? undefined : rosterRank(rankText);
  if (rankText !== '' && !rank) own.set('rank', `Select a rank: ${quoteValue(rankText)} is not one. Use a rank's name or abbreviation (${RANK_HINT})`);

  const date = (c: 'joined_on' | 'left_on'): string | undefined => {
    const text = get(c);
    if (text === '') return undefined;
    const iso = csvDate(text);
    if (!iso) own.set(c, `Enter the date as YYYY-MM-DD or DD/MM/YYYY, for example 2019-04-01 or 01/04/2019, not ${quoteValue(text)}`);
    return iso;
  };
  const joinedOn = date('joined_on');
  const leftOn = date('left_on');
  if (header.present.has('joined_on') && get('joined_on') === '') own.set('joined_on', 'Enter the date the officer joined, as YYYY-MM-DD or DD/MM/YYYY');

  let borough: Borough | null = null;
  const boroughText = get('borough');
  if (boroughText !== '') {
    const b = refs.boroughs.get(boroughText);
    if (b === 'ambiguous') own.set('borough', `${quoteValue(boroughText)} matches more than one borough: write the name exactly as it appears in Cedar`);
    else if (!b) own.set('borough', `No borough called ${quoteValue(boroughText)}: enter a borough's name or code as it appears in Cedar`);
    else borough = b;
  }

  let team: Team | null = null;
  const teamText = get('team');
  if (teamText !== '') {
    const t = refs.teams.get(teamText);
    if (t === 'ambiguous') own.set('team', `${quoteValue(teamText)} matches more than one team: write the name exactly as it appears in Cedar`);
    else if (!t) own.set('team', `No team called ${quoteValue(teamText)}: enter the team's name as it appears in Cedar`);
    else team = t;
  }
  if (team && !own.has('borough') && !teamFitsBorough(team, borough?.id ?? null)) {
    const homeName = refs.boroughById.get(team.boroughId ?? '')?.name ?? 'another borough';
    own.set(
      'team',
      borough
        ? `${team.name} is not a team in ${borough.name}: choose a team in ${borough.name} or a force-wide team`
        : `${team.name} is a team in ${homeName}: enter ${homeName} in the borough column, or choose a force-wide team`,
    );
  }

  const status = get('status').toLowerCase();
  const input = {
    collarNumber: get('collar_number'),
    firstName: plainApostrophes(get('first_name')),
    lastName: plainApostrophes(get('last_name')),
    rank,
    boroughId: borough?.id ?? null,
    teamId: team?.id ?? null,
    status: status === '' ? undefined : status,
    joinedOn,
    leftOn: leftOn ?? null,
  };
  const parsed = schema.safeParse(input);

  const errors: RowError[] = [...own].map(([column, message]) => ({ line, column, message }));
  if (!parsed.success) {
    const reported = new Set<string>(own.keys());
    for (const issue of parsed.error.issues) {
      const column = COLUMN_OF.get(String(issue.path[0] ?? '')) ?? null;
      const key = column ?? '(row)';
      // A missing column is reported once, on the header, not again on every row.
      if (reported.has(key) || (column && !header.present.has(column) && REQUIRED_ROSTER_COLUMNS.includes(column))) continue;
      reported.add(key);
      errors.push({ line, column, message: issue.message });
    }
  }
  return errors.length || !parsed.success ? { errors } : { officer: parsed.data, errors };
}

const columnOrder = (c: string | null) => (c === null ? -1 : isRosterColumn(c) ? ROSTER_COLUMNS.indexOf(c) : ROSTER_COLUMNS.length);

/** Sorts problems as a person reads the file: by line, then by column. */
export function sortRowErrors(errors: RowError[]): RowError[] {
  return errors.sort((a, b) => a.line - b.line || columnOrder(a.column) - columnOrder(b.column));
}

/**
 * Reads and checks a whole roster file. Every problem in every row is reported, including
 * a collar number that appears twice (on the later line); rows are accepted only when the
 * file has no problems at all.
 */
export function parseRoster(bytes: Uint8Array, references: RosterReferences, today?: string): RosterParse {
  // With today (a London YYYY-MM-DD), joining and leaving dates are checked too: not in the future, not before 1950.
  const schema = today === undefined ? officerInput : officerInputOn(today);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return fileError('utf-8', 'The file is saved as UTF-16 ("Unicode text"): save it as "CSV UTF-8 (Comma delimited)" and import it again');
  }
  const { text, encoding } = decodeCsv(bytes);
  const { records, errors } = readRecords(text);
  const [first, ...data] = records;
  if (!first) {
    if (errors.length) return { encoding, rowCount: 0, rejectedRows: 0, rows: [], errors: sortRowErrors(errors) };
    return fileError(encoding, `The file is empty: it needs a header row (${ROSTER_COLUMNS.join(',')}) and a row for each officer`);
  }
  // Rows that could not be read at all still count as rows of the file.
  const rowCount = data.length + errors.filter((e) => e.line > first.line).length;
  const { header, errors: headerErrors, fatal } = readCsvHeader(first, data, ROSTER_COLUMNS, REQUIRED_ROSTER_COLUMNS);
  errors.push(...headerErrors);
  if (fatal) return { encoding, rowCount, rejectedRows: 0, rows: [], errors: sortRowErrors(errors) };
  if (data.length === 0 && errors.length === 0) {
    errors.push({ line: first.line, column: null, message: 'The file has a header row but no officers: add a row for each officer' });
  }

  const resolver: Resolver = { boroughs: new Lookup(), teams: new Lookup(), boroughById: new Map(references.boroughs.map((b) => [b.id, b])) };
  for (const b of references.boroughs) resolver.boroughs.add(b.name, b);
  for (const b of references.boroughs) resolver.boroughs.add(b.code, b);
  for (const t of references.teams) resolver.teams.add(t.name, t);

  const rows: RosterRow[] = [];
  const collarLines = new Map<string, number>();
  const collarAt = header.positions.indexOf('collar_number');
  for (const record of data) {
    const checked = checkRow(record, header, resolver, schema);
    errors.push(...checked.errors);
    if (checked.officer) rows.push({ line: record.line, officer: checked.officer });
    const collar = collarAt >= 0 && record.fields.length === header.positions.length ? record.fields[collarAt]!.trim().toUpperCase() : '';
    if (collar === '') continue;
    const firstLine = collarLines.get(collar);
    if (firstLine === undefined) collarLines.set(collar, record.line);
    else if (!checked.errors.some((e) => e.column === 'collar_number')) {
      errors.push({ line: record.line, column: 'collar_number', message: `Collar number ${collar} is also on line ${firstLine}: each officer can appear only once` });
    }
  }
  const rejectedRows = new Set(errors.filter((e) => e.line > first.line).map((e) => e.line)).size;
  return { encoding, rowCount, rejectedRows, rows, errors: sortRowErrors(errors) };
}

function fileError(encoding: CsvEncoding, message: string): RosterParse {
  return { encoding, rowCount: 0, rejectedRows: 0, rows: [], errors: [{ line: 1, column: null, message }] };
}

// ---------------------------------------------------------------------------------------
// Planning the import

export interface RosterUpdate {
  officer: Officer;
  input: OfficerInput;
  changes: ReturnType<typeof changedFields<OfficerInput>>;
}

export interface RosterPlan {
  create: OfficerInput[];
  update: RosterUpdate[];
  unchanged: number;
}

/** What an import does: officers new to Cedar are created, changed ones updated, the rest left alone. */
export function planRosterImport(rows: readonly RosterRow[], existing: ReadonlyMap<string, Officer>): RosterPlan {
  const plan: RosterPlan = { create: [], update: [], unchanged: 0 };
  for (const { officer: input } of rows) {
    const officer = existing.get(input.collarNumber);
    if (!officer) {
      plan.create.push(input);
      continue;
    }
    const changes = changedFields(officerFields(officer), input);
    if (Object.keys(changes).length === 0) plan.unchanged++;
    else plan.update.push({ officer, input, changes });
  }
  return plan;
}
