/**
 * Reading a file in the Met's use-of-force layout. Pure: bytes in, rows out, no I/O.
 *
 * - Encodings: UTF-8 with or without a byte order mark, else Windows-1252 (as roster.ts).
 *   UTF-16 is refused with a message saying how to re-save the file.
 * - CSV through csv-parse: quoted fields with commas, quotes ("") and line breaks; CRLF, LF
 *   or CR line endings, mixed. Line numbers are physical lines of the file (header = 1
 *   unless blank lines come first), counted from the bytes, so a row whose quoted field
 *   spans three lines is followed by a row three lines further on.
 * - One row that cannot be read as CSV (a quote never closed) is reported with its line,
 *   and reading resumes on the next line: one bad row does not hide the rest.
 * - Memory: the file is parsed a chunk (about 1 MiB, cut at a line end) at a time and each
 *   row is mapped and handed over as it is read, so nothing proportional to the number of
 *   rows is held except by the caller. Use `metFileRows` (a generator: the caller may await
 *   between rows, e.g. to write a batch) or `forEachMetRow` (a callback); `readMetFile`
 *   collects everything and is for small files and tests.
 * - Spreadsheets (.xlsx): a reader library gives rows of cells; `metTableRows` takes them
 *   from there (header check, cell values as the CSV text the Met would have written).
 */
import { isUtf8 } from 'node:buffer';
import { CsvError, parse, type Options } from 'csv-parse/sync';
import { decodeRoster, type RowError } from '../roster.js';
import { checkMetHeader, MET_COLUMN_INDEX, MET_COLUMNS, type MetColumn, type MetHeaderProblem } from './layout.js';
import { metValuesToReport, type ImportedReport } from './rows.js';

export type MetEncoding = 'utf-8' | 'windows-1252';

/** One data row: read into a report, or rejected with every problem found in it. */
export type MetRow =
  | { line: number; ok: true; report: ImportedReport }
  | {
      line: number;
      ok: false;
      errors: RowError[];
      /** The row's values as read, in the file's column order (empty when the row could not be read as CSV), for a rejects file. */
      values: string[];
    };

export interface MetFileRows {
  encoding: MetEncoding;
  /** Why the file cannot be imported at all (wrong layout, empty, UTF-16); null when it can. When set, `rows` yields nothing. */
  problem: MetHeaderProblem | null;
  /** The header's names in file order (for writing a rejects file in the same layout). */
  header: string[];
  /** The data rows, in file order, read as they are asked for. Can be iterated once. */
  rows: Iterable<MetRow>;
}

export interface MetReadSummary {
  encoding: MetEncoding;
  problem: MetHeaderProblem | null;
  /** Data rows in the file (blank rows not counted). read = accepted + rejected. */
  read: number;
  accepted: number;
  rejected: number;
}

export interface MetFile extends MetReadSummary {
  rows: { line: number; report: ImportedReport }[];
  /** Every problem in every rejected row, by line then column. */
  errors: RowError[];
}

// ---------------------------------------------------------------------------------------
// Entry points

/**
 * Opens a Met file: decides the encoding, reads and checks the header, and returns the data
 * rows as a generator. Nothing beyond the header is parsed until rows are asked for.
 */
export function metFileRows(bytes: Uint8Array): MetFileRows {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return refused('utf-8', 'The file is saved as UTF-16 ("Unicode text"): save it as "CSV UTF-8 (Comma delimited)" or "CSV (Comma delimited)" and import it again.');
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  const encoding: MetEncoding = isUtf8(body) ? 'utf-8' : 'windows-1252';
  return fromRecords(csvRecords(body, encoding), encoding);
}

/**
 * Rows of a spreadsheet (the first row with anything in it is the header), as a reader
 * library for .xlsx gives them: one array of cell values per row, in sheet order, with the
 * row's number in the sheet as its line (so pass empty rows too). Cells may be strings,
 * numbers, booleans or Dates (see metCellText); a row may stop short of the last columns,
 * as readers leave out trailing empty cells.
 */
export function metTableRows(rows: Iterable<readonly unknown[]>): MetFileRows {
  function* records(): Generator<RawItem> {
    let line = 0;
    let header: (MetColumn | null)[] | null = null;
    for (const cells of rows) {
      line++;
      if (!header) {
        const fields = cells.map((v) => metCellText(v, null));
        if (fields.some((f) => f.trim() !== '')) header = checkHeaderPositions(fields);
        yield { line, fields };
      } else {
        const fields = cells.map((v, i) => metCellText(v, header![i] ?? null));
        while (fields.length < header.length) fields.push('');
        yield { line, fields };
      }
    }
  }
  return fromRecords(records(), 'utf-8');
}

/** Reads every row, handing each to `onRow` as soon as it is read; returns the counts. */
export function forEachMetRow(bytes: Uint8Array, onRow: (row: MetRow) => void): MetReadSummary {
  return drain(metFileRows(bytes), onRow);
}

/** Reads the whole file into memory: for small files and tests. Large files: forEachMetRow or metFileRows. */
export function readMetFile(bytes: Uint8Array): MetFile {
  const rows: MetFile['rows'] = [];
  const errors: RowError[] = [];
  const summary = forEachMetRow(bytes, (row) => {
    if (row.ok) rows.push({ line: row.line, report: row.report });
    else errors.push(...row.errors);
  });
  return { ...summary, rows, errors };
}

function drain(file: MetFileRows, onRow: (row: MetRow) => void): MetReadSummary {
  let accepted = 0;
  let rejected = 0;
  for (const row of file.rows) {
    if (row.ok) accepted++;
    else rejected++;
    onRow(row);
  }
  return { encoding: file.encoding, problem: file.problem, read: accepted + rejected, accepted, rejected };
}

// ---------------------------------------------------------------------------------------
// Header and rows, whatever the source

interface RawRecord {
  line: number;
  fields: string[];
}
/** A record, or a stretch of the file that could not be read as CSV. */
type RawItem = RawRecord | { line: number; error: string };

function refused(encoding: MetEncoding, message: string, header: string[] = []): MetFileRows {
  return { encoding, problem: { ok: false, missing: [...MET_COLUMNS], unexpected: [], duplicated: [], message }, header, rows: [] };
}

function checkHeaderPositions(fields: string[]): (MetColumn | null)[] | null {
  const check = checkMetHeader(fields);
  return check.ok ? check.positions : null;
}

const isBlankRecord = (fields: readonly string[]) => fields.every((f) => f.trim() === '');

function fromRecords(items: Iterable<RawItem>, encoding: MetEncoding): MetFileRows {
  const it = items[Symbol.iterator]();
  let headerRecord: RawRecord | undefined;
  for (let next = it.next(); !next.done; next = it.next()) {
    const item = next.value;
    if ('error' in item) return refused(encoding, `The header row cannot be read (line ${item.line}): ${item.error}.`);
    if (isBlankRecord(item.fields)) continue;
    headerRecord = item;
    break;
  }
  if (!headerRecord) return refused(encoding, `The file is empty: it needs the Met's header row (${MET_COLUMNS.length} columns) and a row for each use of force.`);
  const header = headerRecord.fields.map((f) => f.trim());
  if (header.length === 1 && /[;\t]/.test(header[0]!)) {
    return refused(encoding, 'The columns are not separated by commas: save the file as CSV (comma delimited) and import it again.', header);
  }
  const check = checkMetHeader(header);
  if (!check.ok) return { encoding, problem: check, header, rows: [] };

  const { positions, nameInFile } = check;
  const nameOf = (c: MetColumn) => nameInFile.get(c) ?? c;
  const width = positions.length;
  /** For each position in the file, where its value goes in MET_COLUMNS order (-1: a column with no name). */
  const target = positions.map((c) => (c ? MET_COLUMN_INDEX[c] : -1));
  const unnamed = target.flatMap((t, i) => (t < 0 ? [i] : []));

  function* rows(): Generator<MetRow> {
    for (let next = it.next(); !next.done; next = it.next()) {
      const item = next.value;
      if ('error' in item) {
        yield { line: item.line, ok: false, errors: [{ line: item.line, column: null, message: item.error }], values: [] };
        continue;
      }
      const { line, fields } = item;
      if (isBlankRecord(fields)) continue;
      const shape = rowShapeProblem(fields, unnamed, width, line);
      if (shape) {
        yield { line, ok: false, errors: [shape], values: fields };
        continue;
      }
      const values = new Array<string>(MET_COLUMNS.length).fill('');
      for (let i = 0; i < width; i++) {
        const t = target[i]!;
        if (t >= 0) values[t] = fields[i]!;
      }
      const result = metValuesToReport(values, line, nameOf);
      yield result.ok ? { line, ok: true, report: result.report } : { line, ok: false, errors: result.errors, values: fields };
    }
  }
  return { encoding, problem: null, header, rows: rows() };
}

/** A row with the wrong number of values, or a value under a column with no name. Extra values that are all blank (trailing commas) are fine. */
function rowShapeProblem(fields: readonly string[], unnamed: readonly number[], width: number, line: number): RowError | null {
  let extraFilled = false;
  for (let i = width; i < fields.length && !extraFilled; i++) extraFilled = fields[i]!.trim() !== '';
  if (fields.length < width || extraFilled) {
    const message = `This row has ${fields.length} values but the header has ${width} columns: check for a missing comma, or a value with a comma that is not in quotes`;
    return { line, column: null, message };
  }
  const filled = unnamed.find((i) => (fields[i] ?? '').trim() !== '');
  if (filled !== undefined) return { line, column: null, message: `Column ${filled + 1} has a value but no name in the header row: name the column, or clear it` };
  return null;
}

// ---------------------------------------------------------------------------------------
// CSV

const CHUNK_BYTES = 1 << 20;
/** A Met row is under 2 KB; a quote left open stops here instead of swallowing the file. */
const MAX_RECORD_CHARS = 256 * 1024;

const CSV_MESSAGES: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'A quote (") opened in this row is never closed: check the quotes in this row',
  CSV_MAX_RECORD_SIZE: 'This row is far too long to be a use-of-force row: a quote (") opened in it is probably never closed',
};

const LF = 0x0a;
const CR = 0x0d;

/** Windows-1252 for one field: decodeRoster reads as Windows-1252 whatever is not UTF-8, and a leading 0xFF (never UTF-8) makes sure of that. */
function windows1252(latin1: string): string {
  const bytes = Buffer.from(`\u00ff${latin1}`, 'latin1');
  return decodeRoster(bytes).text.slice(1);
}

const CSV_OPTIONS = {
  encoding: 'latin1',
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: true,
  max_record_size: MAX_RECORD_CHARS,
  to: 1,
} satisfies Options;

/**
 * The file's records with the physical line each starts on.
 *
 * The bytes are read as Latin-1 (one character per byte: the CSV's commas, quotes and line
 * ends are ASCII in both encodings), and only the fields that hold bytes above 0x7F are
 * decoded again, as UTF-8 or Windows-1252. A line with no quote in it is split at its
 * commas, which is all CSV does to such a line; a record with a quote is read by csv-parse
 * (quoted commas, doubled quotes, line breaks inside quotes, a stray quote kept as text).
 */
function* csvRecords(bytes: Uint8Array, encoding: MetEncoding): Generator<RawItem> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = buf.length;
  const decode = encoding === 'utf-8' ? (s: string) => Buffer.from(s, 'latin1').toString('utf8') : windows1252;
  const needsDecoding = encoding === 'utf-8' ? /[\x80-\xff]/ : /[\x80-\x9f]/;
  const decoded = (fields: string[], text: string) => (needsDecoding.test(text) ? fields.map((f) => (needsDecoding.test(f) ? decode(f) : f)) : fields);

  let pos = 0; // where the chunk starts
  let line = 1; // the line `pos` is on
  let chunk = CHUNK_BYTES;
  chunks: while (pos < n) {
    let end = n;
    if (pos + chunk < n) {
      const lf = buf.indexOf(LF, pos + chunk);
      end = lf < 0 ? n : lf + 1;
    }
    const text = buf.toString('latin1', pos, end);
    // The next quote and CR at or after i, found once per chunk rather than once per line.
    const find = (ch: string, from: number) => {
      const at = text.indexOf(ch, from);
      return at < 0 ? Infinity : at;
    };
    let quote = -1;
    let cr = -1;
    let i = 0;
    while (i < text.length) {
      const first = text.charCodeAt(i);
      if (first === LF || first === CR) {
        // An empty line: LF, CRLF or a lone CR.
        i += first === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
        continue;
      }
      const lf = text.indexOf('\n', i);
      const next = lf < 0 ? text.length : lf + 1;
      const contentEnd = lf < 0 ? text.length : text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      if (quote < i) quote = find('"', i);
      if (cr < i) cr = find('\r', i);
      if (quote >= contentEnd && cr >= contentEnd) {
        const content = text.slice(i, contentEnd);
        yield { line, fields: decoded(content.split(','), content) };
        line++;
        i = next;
        continue;
      }
      // A record with quotes (or a lone CR): csv-parse reads exactly one record from here.
      let fields: string[] | undefined;
      let length = 0;
      try {
        parse(buf.subarray(pos + i, end), {
          ...CSV_OPTIONS,
          on_record: (record: string[], info) => {
            fields = record;
            length = info.bytes;
            return null;
          },
        });
      } catch (err) {
        if (!(err instanceof CsvError)) throw err;
        if (err.code === 'CSV_QUOTE_NOT_CLOSED' && end < n) {
          // A quoted field runs past the end of the chunk: read again from this record with more room.
          pos += i;
          chunk *= 2;
          continue chunks;
        }
        yield { line, error: CSV_MESSAGES[err.code] ?? `This row cannot be read as CSV: ${err.message}` };
        // Resume on the next line.
        line++;
        i = next;
        continue;
      }
      if (!fields || length === 0) {
        line++;
        i = next;
        continue;
      }
      const startLine = line;
      const stop = i + length;
      for (let j = i; j < stop; j++) {
        const c = text.charCodeAt(j);
        if (c === LF || (c === CR && text.charCodeAt(j + 1) !== LF)) line++;
      }
      yield { line: startLine, fields: decoded(fields, text.slice(i, stop)) };
      i = stop;
    }
    pos = end;
    chunk = CHUNK_BYTES;
  }
}

// ---------------------------------------------------------------------------------------
// Spreadsheet cells

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const isoDay = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const clock = (seconds: number) => `${pad(Math.floor(seconds / 3600) % 24)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
/** Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in), in the 1900 date system. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/**
 * A spreadsheet cell as the text the Met's CSV would have: blank for an empty cell, Yes/No
 * for a boolean, and for the date and time columns a Date or an Excel serial number as
 * YYYY-MM-DD and HH:MM:SS (a reader gives a Date in UTC parts; a time alone is a fraction
 * of a day). Other numbers are written plainly (cycles, cartridge numbers).
 */
export function metCellText(value: unknown, column: MetColumn | null): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    if (column === 'IncidentTime') return clock(value.getUTCHours() * 3600 + value.getUTCMinutes() * 60 + value.getUTCSeconds());
    return isoDay(value);
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (column === 'IncidentTime' && value >= 0 && value < 1) return clock(Math.round(value * 86_400) % 86_400);
    if (column === 'IncidentDate' && value > 0) return isoDay(new Date(EXCEL_EPOCH_MS + Math.floor(value) * 86_400_000));
    return String(value);
  }
  return String(value);
}
