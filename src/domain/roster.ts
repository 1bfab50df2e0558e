/**
 * The officer roster CSV: decoding, reading and validating every row, and planning what an
 * import changes. Pure: no I/O. The service supplies the force's boroughs and teams and the
 * officers already stored; this module says what is wrong (by line and column) or what to do.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { QUOTED_CHARACTERS, quoteValue } from './csv.js';
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

/** One problem in the file: the physical line (header = 1), the column when there is one, and what to do. */
export interface RowError {
  line: number;
  /** The CSV column name, or null when the problem is with the whole row or file. */
  column: string | null;
  message: string;
}

/** A row that passed every check, ready to store. */
export interface RosterRow {
  line: number;
  officer: OfficerInput;
}

export type RosterEncoding = 'utf-8' | 'windows-1252';

export interface RosterParse {
  encoding: RosterEncoding;
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
// Decoding

/** Windows-1252 bytes 0x80-0x9F (the rest of the code page matches Latin-1). Unassigned bytes map to C1 controls, as WHATWG does. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const codes = Array.from(bytes.subarray(i, i + 8192), (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b));
    out += String.fromCharCode(...codes);
  }
  return out;
}

/**
 * Text of the file: UTF-8 (a byte order mark is dropped) when the bytes are valid UTF-8,
 * otherwise Windows-1252, which is what Excel's "CSV (Comma delimited)" writes in the UK.
 */
export function decodeRoster(bytes: Uint8Array): { text: string; encoding: RosterEncoding } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return { text: decodeWindows1252(bom ? bytes.subarray(3) : bytes), encoding: 'windows-1252' };
  }
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

const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const YMD = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` or `DD/MM/YYYY` as `YYYY-MM-DD`; undefined when neither form. Whether the day is real is officerInput's check. */
export function rosterDate(value: string): string | undefined {
  if (YMD.test(value)) return value;
  const m = DMY.exec(value);
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : undefined;
}

/** Spreadsheets turn O'Brien into O’Brien; names keep the plain apostrophe. */
const plainApostrophes = (s: string) => s.replace(/[\u2018\u2019\u02bc]/g, "'");

class Lookup<T> {
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
// Reading records

/** One CSV record and the physical line it starts on. */
export interface RawRecord {
  line: number;
  fields: string[];
}

const CSV_MESSAGES: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'A quote (") opened in this row is never closed: check the quotes in this row',
  CSV_INVALID_CLOSING_QUOTE: 'A value in quotes is followed by other characters: put the whole value in quotes, and write a quote inside a value as two quotes ("")',
  CSV_MAX_RECORD_SIZE: 'This row is too long to be a roster row: check its quotes',
};

/**
 * Splits the text into records with the physical line each starts on. A record that
 * cannot be read (a broken quote) is reported, and reading resumes on the next line,
 * so one bad row does not hide the problems in the rest of the file.
 */
export function readRecords(text: string): { records: RawRecord[]; errors: RowError[] } {
  // One line ending everywhere: csv-parse counts lines reliably only with \n.
  const bytes = new TextEncoder().encode(text.replace(/\r\n?/g, '\n'));
  const lineStarts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lineStarts.push(i + 1);
  const lineCount = lineStarts.length;
  const isEmptyLine = (line: number) => (lineStarts[line] ?? bytes.length + 1) - lineStarts[line - 1]! <= 1;

  const records: RawRecord[] = [];
  const errors: RowError[] = [];
  let from = 1; // the line this pass starts on
  while (from <= lineCount) {
    let lastEnd = from - 1;
    try {
      // A view from the line on, not a copy: a file with many broken rows stays linear.
      parse(bytes.subarray(lineStarts[from - 1]), {
        raw: true,
        relax_quotes: true,
        relax_column_count: true,
        skip_empty_lines: true,
        max_record_size: 10_000, // a roster row is far shorter; a runaway quote stops here
        // With `raw`, csv-parse hands each record over as { record, raw }.
        on_record: (value: unknown, info) => {
          const { record: fields, raw } = value as { record: string[]; raw: string };
          const end = from - 1 + info.lines;
          // raw also holds the newlines of skipped empty lines before the record, and its own ending.
          const own = raw.replace(/^\n+/, '');
          const inner = (own.match(/\n/g)?.length ?? 0) - (own.endsWith('\n') ? 1 : 0);
          lastEnd = end;
          if (fields.some((f) => f.trim() !== '')) records.push({ line: end - inner, fields });
          return null;
        },
      });
      break;
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      // The broken record starts on the first non-empty line after the last good one.
      let start = lastEnd + 1;
      while (start < lineCount && isEmptyLine(start)) start++;
      errors.push({ line: start, column: null, message: CSV_MESSAGES[err.code] ?? `This row cannot be read as CSV: ${err.message}` });
      from = start + 1;
    }
  }
  return { records, errors };
}

// ---------------------------------------------------------------------------------------
// The header

/** A header cell as a column name: trimmed, lower case, spaces and hyphens as underscores. */
export const headerKey = (s: string) => s.trim().toLowerCase().replace(/[\s-]+/g, '_');
const isRosterColumn = (s: string): s is RosterColumn => (ROSTER_COLUMNS as readonly string[]).includes(s);

/** A CSV header row read against the columns a file may have. */
export interface CsvHeader<C extends string> {
  line: number;
  /** For each position in a row, the column it fills (null: ignored). */
  positions: (C | null)[];
  present: Set<C>;
  /** Positions with no name: allowed (spreadsheets add them) as long as every row leaves them empty. */
  unnamed: number[];
}

type Header = CsvHeader<RosterColumn>;

/**
 * Reads a header row: each name matched to a known column (any case, spaces or hyphens for
 * underscores); unknown, repeated and missing columns are named, and so is an unnamed column
 * with values in `data`. `fatal` when the row is not comma-separated at all.
 */
export function readCsvHeader<C extends string>(record: RawRecord, data: readonly RawRecord[], columns: readonly C[], required: readonly C[]): { header: CsvHeader<C>; errors: RowError[]; fatal: boolean } {
  const { line } = record;
  const header: CsvHeader<C> = { line, positions: [], present: new Set(), unnamed: [] };
  if (record.fields.length === 1 && /[;\t]/.test(record.fields[0]!)) {
    return { header, errors: [{ line, column: null, message: 'The columns are not separated by commas: save the file as CSV (comma delimited)' }], fatal: true };
  }
  const known = (s: string): s is C => (columns as readonly string[]).includes(s);
  const errors: RowError[] = [];
  header.positions = record.fields.map((name, i): C | null => {
    const key = headerKey(name);
    if (key === '') {
      header.unnamed.push(i);
      return null;
    }
    if (!known(key)) {
      errors.push({ line, column: name.trim().slice(0, QUOTED_CHARACTERS), message: `Unknown column ${quoteValue(name.trim())}: the columns are ${columns.join(', ')}` });
      return null;
    }
    if (header.present.has(key)) {
      errors.push({ line, column: key, message: `The ${key} column appears more than once: keep one` });
      return null;
    }
    header.present.add(key);
    return key;
  });
  for (const c of required) {
    if (!header.present.has(c)) errors.push({ line, column: c, message: `The ${c} column is missing: add it to the header row (the columns are ${columns.join(', ')})` });
  }
  for (const i of header.unnamed) {
    if (data.some((r) => (r.fields[i] ?? '').trim() !== '')) {
      errors.push({ line, column: null, message: `Column ${i + 1} has values but no name in the header row: name it, or delete the column` });
    }
  }
  return { header, errors, fatal: false };
}

/** A data row's values by column (trimmed), or the problem when it has more or fewer values than the header. */
export function rowValues<C extends string>(record: RawRecord, header: CsvHeader<C>): { values: Map<C, string> } | { error: RowError } {
  const width = header.positions.length;
  if (record.fields.length !== width) {
    const message = `This row has ${record.fields.length} values but the header has ${width} columns: check for a missing comma, or a value with a comma that is not in quotes`;
    return { error: { line: record.line, column: null, message } };
  }
  const values = new Map<C, string>();
  header.positions.forEach((c, i) => {
    if (c) values.set(c, record.fields[i]!.trim());
  });
  return { values };
}

// ---------------------------------------------------------------------------------------
// Rows

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
    const iso = rosterDate(text);
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
  const { text, encoding } = decodeRoster(bytes);
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

function fileError(encoding: RosterEncoding, message: string): RosterParse {
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
