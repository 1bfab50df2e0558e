/**
 * Reading a file in the Met's use-of-force layout. Pure: bytes (or spreadsheet cells) in,
 * rows out, no I/O of its own.
 *
 * - Encodings: UTF-8 with or without a byte order mark, else Windows-1252 (as csv.ts decodes).
 *   UTF-16 is refused with a message saying how to re-save the file.
 * - CSV through csv-parse: quoted fields with commas, quotes ("") and line breaks; CRLF, LF
 *   or CR line endings, mixed. Line numbers are physical lines of the file (header = 1
 *   unless blank lines come first), counted from the bytes, so a row whose quoted field
 *   spans three lines is followed by a row three lines further on.
 * - One row that cannot be read as CSV (a quote never closed) is reported with its line,
 *   and reading resumes on the next line: one bad row does not hide the rest.
 * - Memory: the file is parsed a chunk (about 1 MiB, cut at a line end) at a time and each
 *   row is mapped and handed over as it is read, so nothing proportional to the number of
 *   rows is held except by the caller. `openMetCsv` reads a file that is itself read a piece
 *   at a time (a file stream, or bytes in memory given as one piece): it goes through the
 *   bytes twice, once to decide the encoding (a file is UTF-8 only if all of it is) and once
 *   to read the rows, so the file is never held whole.
 * - Spreadsheets (.xlsx): a reader library gives rows of cells; `openMetSheet` takes them as
 *   they are read, each with its row number: header check, cell values as the CSV text the
 *   Met would have written (`metCellText`), and the sheet's row numbers as line numbers.
 */
import { isUtf8 } from 'node:buffer';
import { CsvError, parse, type Options } from 'csv-parse/sync';
import { decodeWindows1252, nulProblem, quoteValue, restoreCell, type RowError } from '../csv.js';
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

/** A file being read as it is asked for. */
export interface MetFileStream {
  encoding: MetEncoding;
  /** Why the file cannot be imported at all (wrong layout, empty, UTF-16); null when it can. When set, `rows` yields nothing. */
  problem: MetHeaderProblem | null;
  /** The header's names in file order (for writing a rejects file in the same layout). */
  header: string[];
  /** The data rows, in file order, read as they are asked for (they may wait on the file). Can be iterated once. */
  rows: AsyncIterable<MetRow>;
  /** Stops reading and lets go of the file; for a caller that may not read `rows` to the end (reading them to the end, or breaking out of a loop over them, does it too). */
  close(): Promise<void>;
}

/** Opens the file afresh from its first byte, read a piece at a time (e.g. `() => fs.createReadStream(path)`). Called twice by openMetCsv. */
export type MetByteSource = () => AsyncIterable<Uint8Array>;

/** A spreadsheet row as a reader gives it: its number in the sheet (from 1) and its cells, left to right. */
export interface MetSheetRow {
  number: number;
  cells: readonly unknown[];
}

// ---------------------------------------------------------------------------------------
// Entry points

/**
 * Opens a Met CSV read a piece at a time (a file in memory is a source of one piece): the
 * source is read once through to decide the encoding, then again from the start for the
 * rows, which are read as they are asked for. At most a few MiB of the file are held at
 * once, whatever its size.
 */
export async function openMetCsv(open: MetByteSource): Promise<MetFileStream> {
  const found = await streamEncoding(open());
  if (found === 'utf-16') return refusedStream('utf-8', UTF16_MESSAGE);
  return fromRecordsStream(csvRecordsStreamed(open(), found.encoding, found.bom ? 3 : 0), found.encoding, 'csv');
}

/**
 * Rows of a spreadsheet (the first row with anything in it is the header), as a reader
 * library for .xlsx gives them as it reads the sheet: each row's number in the sheet (from 1;
 * a reader may skip empty rows: the numbers keep the lines right) and its cell values, in
 * sheet order. Cells may be strings, numbers, booleans or Dates (see metCellText); a row may
 * stop short of the last columns, as readers leave out trailing empty cells.
 */
export async function openMetSheet(rows: AsyncIterable<MetSheetRow>): Promise<MetFileStream> {
  async function* records(): AsyncGenerator<RawItem> {
    const record = sheetRecords();
    for await (const row of rows) yield record(row.number, row.cells);
  }
  return fromRecordsStream(records(), 'utf-8', 'sheet');
}

// ---------------------------------------------------------------------------------------
// Header and rows, whatever the source

interface RawRecord {
  line: number;
  fields: string[];
}
/** A record, or a stretch of the file that could not be read as CSV. */
type RawItem = RawRecord | { line: number; error: string };
/** Where records come from: a CSV's lines, or a sheet's rows (padded to the header's width). */
type RecordSource = 'csv' | 'sheet';

const UTF16_MESSAGE = 'The file is saved as UTF-16 ("Unicode text"): save it as "CSV UTF-8 (Comma delimited)" or "CSV (Comma delimited)" and import it again.';
const EMPTY_MESSAGE = `The file is empty: it needs the Met's header row (${MET_COLUMNS.length} columns) and a row for each use of force.`;

const refusal = (message: string): MetHeaderProblem => ({ ok: false, missing: [...MET_COLUMNS], unexpected: [], duplicated: [], message });

const NO_ROWS: AsyncIterable<MetRow> = { async *[Symbol.asyncIterator]() {} };
const nothingToClose = async () => {};

function refusedStream(encoding: MetEncoding, message: string): MetFileStream {
  return { encoding, problem: refusal(message), header: [], rows: NO_ROWS, close: nothingToClose };
}

const isBlankRecord = (fields: readonly string[]) => fields.every((f) => f.trim() === '');

/** What a header record says: refuse the file, or read its rows with `toRow`. */
type Header = { problem: MetHeaderProblem; header: string[] } | { problem: null; header: string[]; toRow: (item: RawItem) => MetRow | null };

/** Reads the header from the first record that is not blank; null for a blank one (look at the next). */
function readHeader(item: RawItem, from: RecordSource): Header | null {
  if ('error' in item) return { problem: refusal(`The header row cannot be read (line ${item.line}): ${item.error}.`), header: [] };
  if (isBlankRecord(item.fields)) return null;
  const header = item.fields.map((f) => f.trim());
  if (header.length === 1 && /[;\t]/.test(header[0]!)) {
    return { problem: refusal('The columns are not separated by commas: save the file as CSV (comma delimited) and import it again.'), header };
  }
  const check = checkMetHeader(header);
  if (!check.ok) return { problem: check, header };

  const { positions, nameInFile } = check;
  const nameOf = (c: MetColumn) => nameInFile.get(c) ?? c;
  const width = positions.length;
  /** For each position in the file, where its value goes in MET_COLUMNS order (-1: a column with no name). */
  const target = positions.map((c) => (c ? MET_COLUMN_INDEX[c] : -1));
  const unnamed = target.flatMap((t, i) => (t < 0 ? [i] : []));

  /** A data record as a row; null for a blank one. */
  const toRow = (item: RawItem): MetRow | null => {
    if ('error' in item) return { line: item.line, ok: false, errors: [{ line: item.line, column: null, message: item.error }], values: [] };
    const { line, fields } = item;
    if (isBlankRecord(fields)) return null;
    const shape = rowShapeProblem(fields, unnamed, width, line, from);
    if (shape) return { line, ok: false, errors: [shape], values: cutValues(fields) };
    const values = new Array<string>(MET_COLUMNS.length).fill('');
    for (let i = 0; i < width; i++) {
      const t = target[i]!;
      if (t >= 0) values[t] = restoreCell(fields[i]!);
    }
    const unstorable = valueProblems(values, line, nameOf);
    if (unstorable.length) return { line, ok: false, errors: unstorable, values: cutValues(fields) };
    const result = metValuesToReport(values, line, nameOf);
    return result.ok ? { line, ok: true, report: result.report } : { line, ok: false, errors: result.errors, values: cutValues(fields) };
  };
  return { problem: null, header, toRow };
}

async function fromRecordsStream(items: AsyncIterable<RawItem>, encoding: MetEncoding, from: RecordSource): Promise<MetFileStream> {
  const it = items[Symbol.asyncIterator]();
  const close = async () => {
    await it.return?.();
  };
  try {
    for (let next = await it.next(); !next.done; next = await it.next()) {
      const head = readHeader(next.value, from);
      if (!head) continue;
      if (head.problem !== null) {
        await close();
        return { encoding, problem: head.problem, header: head.header, rows: NO_ROWS, close: nothingToClose };
      }
      const { toRow } = head;
      async function* rows(): AsyncGenerator<MetRow> {
        try {
          for (let n = await it.next(); !n.done; n = await it.next()) {
            const row = toRow(n.value);
            if (row) yield row;
          }
        } finally {
          await close();
        }
      }
      return { encoding, problem: null, header: head.header, rows: rows(), close };
    }
  } catch (err) {
    await close();
    throw err;
  }
  return refusedStream(encoding, EMPTY_MESSAGE);
}

// ---------------------------------------------------------------------------------------
// Limits

/**
 * The longest value a column may hold. Serial numbers have Cedar's own limit (a report's
 * cartridge and device serial numbers are at most 30 characters); the one free-text column,
 * the nature of an injury, may hold a page of text (10,000 characters); every other column
 * holds a date, a time, a number or a word from the Met's lists, none longer than 100. A longer value is the row's problem, named by
 * column, and quoted cut short (quoteValue): a 10 MB cell is never stored, printed or
 * written to a rejects file whole.
 */
export const MET_VALUE_LIMIT = 100;
export const MET_COLUMN_LIMITS: Readonly<Partial<Record<MetColumn, number>>> = Object.fromEntries([
  ...MET_COLUMNS.filter((c) => /Cartridge Number$|Serial No$/.test(c)).map((c) => [c, 30] as const),
  ['SubjectNatureOfInjury', 10_000] as const,
]);
export const metColumnLimit = (c: MetColumn): number => MET_COLUMN_LIMITS[c] ?? MET_VALUE_LIMIT;

/** Each column's limit, by its place in MET_COLUMNS: looked up for every value of every row. */
const LIMIT_AT = MET_COLUMNS.map(metColumnLimit);

/**
 * Values no column can hold: longer than the column's limit, or with a NUL character in them
 * (PostgreSQL's text cannot hold one, and no published value has one: it is a damaged file).
 */
function valueProblems(values: readonly string[], line: number, nameOf: (c: MetColumn) => string): RowError[] {
  const errors: RowError[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const limit = LIMIT_AT[i]!;
    const nul = nulProblem(v);
    if (v.length > limit && v.trim().length > limit) {
      errors.push({ line, column: nameOf(MET_COLUMNS[i]!), message: `${quoteValue(v.trim())} is too long: this column holds at most ${limit} characters` });
    } else if (nul) {
      errors.push({ line, column: nameOf(MET_COLUMNS[i]!), message: nul });
    }
  }
  return errors;
}

/** A rejected row's values as kept for a rejects file or the result: each cut to a length that can be shown. */
const KEPT_VALUE = 1000;
const cutValues = (fields: readonly string[]) => fields.map((f) => (f.length > KEPT_VALUE ? f.slice(0, KEPT_VALUE) : f));

/**
 * A row with the wrong number of values, or a value under a column with no name. Extra values
 * that are all blank (trailing commas, or empty cells right of the table) are fine.
 */
function rowShapeProblem(fields: readonly string[], unnamed: readonly number[], width: number, line: number, from: RecordSource): RowError | null {
  let extraFilled = -1;
  for (let i = width; i < fields.length && extraFilled < 0; i++) if (fields[i]!.trim() !== '') extraFilled = i;
  if (from === 'sheet' && extraFilled >= 0) {
    return { line, column: null, message: `Column ${extraFilled + 1} has a value but is right of the header's ${width} columns: clear it, or name the column in the header row` };
  }
  if (fields.length < width || extraFilled >= 0) {
    const message = `This row has ${fields.length} values but the header has ${width} columns: check for a missing comma, or a value with a comma that is not in quotes`;
    return { line, column: null, message };
  }
  const filled = unnamed.find((i) => (fields[i] ?? '').trim() !== '');
  if (filled !== undefined) return { line, column: null, message: `Column ${filled + 1} has a value but no name in the header row: name the column, or clear it` };
  return null;
}

// ---------------------------------------------------------------------------------------
// Encoding

const isUtf16 = (b: Uint8Array) => (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
const hasBom = (b: Uint8Array) => b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
const asBuffer = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * How many bytes at the end of `b` begin a UTF-8 character that the next bytes may finish
 * (0 when `b` ends on a whole character). A piece of a file can end in the middle of one.
 */
function unfinishedUtf8(b: Uint8Array): number {
  for (let k = 1; k <= 3 && k <= b.length; k++) {
    const c = b[b.length - k]!;
    if (c < 0x80) return 0;
    if (c >= 0xc0) {
      const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return length > k ? k : 0;
    }
    // A continuation byte: the character began further back.
  }
  return 0;
}

/**
 * Reads a file through to decide its encoding: UTF-16 (by its byte order
 * mark), UTF-8 if every byte after an optional UTF-8 byte order mark is UTF-8, else
 * Windows-1252. Stops at the first byte that is not UTF-8.
 */
async function streamEncoding(pieces: AsyncIterable<Uint8Array>): Promise<'utf-16' | { encoding: MetEncoding; bom: boolean }> {
  /** The first bytes, until there are enough to look for a byte order mark; then null. */
  let start: Buffer | null = Buffer.alloc(0);
  /** A character left unfinished at the end of the last piece. */
  let tail: Buffer = Buffer.alloc(0);
  let bom = false;
  for await (const piece of pieces) {
    let bytes = asBuffer(piece);
    if (start) {
      start = Buffer.concat([start, bytes]);
      if (start.length < 3) continue;
      if (isUtf16(start)) return 'utf-16';
      bom = hasBom(start);
      bytes = bom ? start.subarray(3) : start;
      start = null;
    }
    const joined = tail.length ? Buffer.concat([tail, bytes]) : bytes;
    const whole = joined.length - unfinishedUtf8(joined);
    if (!isUtf8(joined.subarray(0, whole))) return { encoding: 'windows-1252', bom };
    tail = Buffer.from(joined.subarray(whole));
  }
  if (start) {
    // Fewer than three bytes in all.
    if (isUtf16(start)) return 'utf-16';
    return { encoding: isUtf8(start) ? 'utf-8' : 'windows-1252', bom: false };
  }
  return { encoding: tail.length ? 'windows-1252' : 'utf-8', bom };
}

// ---------------------------------------------------------------------------------------
// CSV

const CHUNK_BYTES = 1 << 20;
/** When reading a file a piece at a time, ask for at least this much more at once. */
const MIN_READ_BYTES = 64 * 1024;
/** A Met row is under 2 KB; a quote left open stops here instead of swallowing the file. */
const MAX_RECORD_CHARS = 256 * 1024;

const CSV_MESSAGES: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'A quote (") opened in this row is never closed: check the quotes in this row',
  CSV_MAX_RECORD_SIZE: 'This row is far too long to be a use-of-force row: a quote (") opened in it is probably never closed',
};

const LF = 0x0a;
const CR = 0x0d;

/** Windows-1252 for one field read as Latin-1 (one character per byte). */
const windows1252 = (latin1: string): string => decodeWindows1252(Buffer.from(latin1, 'latin1'));

const CSV_OPTIONS = {
  encoding: 'latin1',
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: true,
  max_record_size: MAX_RECORD_CHARS,
  to: 1,
} satisfies Options;

/** The bytes of the file not yet read into records (from the start of a record), and whether they run to the end of the file. */
interface ByteWindow {
  bytes: Buffer;
  ended: boolean;
}
/** What csvRecords yields when it needs the window to hold at least `more` more bytes (or to end the file). */
interface NeedMore {
  more: number;
}

/**
 * The file's records with the physical line each starts on, from a window onto the file that
 * the caller fills when asked (a NeedMore).
 *
 * The bytes are read as Latin-1 (one character per byte: the CSV's commas, quotes and line
 * ends are ASCII in both encodings), and only the fields that hold bytes above 0x7F are
 * decoded again, as UTF-8 or Windows-1252. A line with no quote in it is split at its
 * commas, which is all CSV does to such a line; a record with a quote is read by csv-parse
 * (quoted commas, doubled quotes, line breaks inside quotes, a stray quote kept as text).
 */
function* csvRecords(window: ByteWindow, encoding: MetEncoding): Generator<RawItem | NeedMore, void, void> {
  const decode = encoding === 'utf-8' ? (s: string) => Buffer.from(s, 'latin1').toString('utf8') : windows1252;
  const needsDecoding = encoding === 'utf-8' ? /[\x80-\xff]/ : /[\x80-\x9f]/;
  const decoded = (fields: string[], text: string) => (needsDecoding.test(text) ? fields.map((f) => (needsDecoding.test(f) ? decode(f) : f)) : fields);

  let line = 1; // the line the window starts on
  let chunk = CHUNK_BYTES;
  for (;;) {
    // A chunk: from the start of the window to the first line end after `chunk` bytes, or to the end of the file.
    let end = -1;
    while (end < 0) {
      const { bytes } = window;
      if (bytes.length > chunk) {
        const lf = bytes.indexOf(LF, chunk);
        if (lf >= 0) end = lf + 1;
      }
      if (end < 0) {
        if (window.ended) end = bytes.length;
        else yield { more: Math.max(chunk + 1 - bytes.length, MIN_READ_BYTES) };
      }
    }
    const buf = window.bytes;
    if (end === 0) return;
    /** Whether more of the file follows this chunk. */
    const more = end < buf.length || !window.ended;
    const text = buf.toString('latin1', 0, end);
    // The next quote and CR at or after i, found once per chunk rather than once per line.
    const find = (ch: string, from: number) => {
      const at = text.indexOf(ch, from);
      return at < 0 ? Infinity : at;
    };
    let quote = -1;
    let cr = -1;
    let i = 0;
    let readAgain = false;
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
        parse(buf.subarray(i, end), {
          ...CSV_OPTIONS,
          on_record: (record: string[], info) => {
            fields = record;
            length = info.bytes;
            return null;
          },
        });
      } catch (err) {
        if (!(err instanceof CsvError)) throw err;
        if (err.code === 'CSV_QUOTE_NOT_CLOSED' && more) {
          // A quoted field runs past the end of the chunk: read again from this record with more room.
          readAgain = true;
          break;
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
    window.bytes = buf.subarray(readAgain ? i : end);
    chunk = readAgain ? chunk * 2 : CHUNK_BYTES;
  }
}

/** The records of a file read a piece at a time, skipping its first `skip` bytes (a byte order mark). */
async function* csvRecordsStreamed(pieces: AsyncIterable<Uint8Array>, encoding: MetEncoding, skip: number): AsyncGenerator<RawItem> {
  const input = pieces[Symbol.asyncIterator]();
  const window: ByteWindow = { bytes: Buffer.alloc(0), ended: false };
  try {
    for (const item of csvRecords(window, encoding)) {
      if (!('more' in item)) {
        yield item;
        continue;
      }
      const read: Buffer[] = window.bytes.length ? [window.bytes] : [];
      let have = 0;
      while (have < item.more) {
        const next = await input.next();
        if (next.done) {
          window.ended = true;
          break;
        }
        let bytes = asBuffer(next.value);
        if (skip > 0) {
          const skipped = Math.min(skip, bytes.length);
          bytes = bytes.subarray(skipped);
          skip -= skipped;
        }
        read.push(bytes);
        have += bytes.length;
      }
      // A single piece (a whole file given as one) is used as it is, not copied.
      window.bytes = read.length === 1 ? read[0]! : Buffer.concat(read);
    }
  } finally {
    await input.return?.();
  }
}

// ---------------------------------------------------------------------------------------
// Spreadsheet cells

/**
 * Makes records of a sheet's rows: the first row with anything in it is the header, taken as
 * it is; in each row after it, a cell is read by the column it is under (metCellText).
 * Readers leave out trailing empty cells, so a short row is padded to the header's width.
 */
function sheetRecords(): (line: number, cells: readonly unknown[]) => RawRecord {
  let columns: (MetColumn | null)[] | null = null;
  let width = 0;
  return (line, cells) => {
    if (!columns) {
      const fields = Array.from(cells, (v) => metCellText(v, null));
      if (!isBlankRecord(fields)) {
        const check = checkMetHeader(fields);
        columns = check.ok ? check.positions : [];
        width = fields.length;
      }
      return { line, fields };
    }
    const fields = Array.from(cells, (v, i) => metCellText(v, columns![i] ?? null));
    while (fields.length < width) fields.push('');
    return { line, fields };
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDay = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const DAY_SECONDS = 86_400;
const DAY_MS = DAY_SECONDS * 1000;
/** A time of day, in seconds after midnight, as HH:MM (HH:MM:SS when there are seconds), as a CSV saved from the sheet shows it. */
function clock(seconds: number): string {
  const hhmm = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}`;
  return seconds % 60 === 0 ? hhmm : `${hhmm}:${pad(seconds % 60)}`;
}
/** Seconds after midnight, to the nearest second (a time stored as a fraction of a day is seldom exact), wrapping 23:59:59.6 to 00:00:00. */
const secondsOfDay = (fractionOfDay: number) => Math.round(fractionOfDay * DAY_SECONDS) % DAY_SECONDS;
/** Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in), in the 1900 date system. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/**
 * A spreadsheet cell as the text the Met's CSV would have: blank for an empty cell, Yes/No
 * for a boolean, and for the date and time columns a Date or an Excel serial number as
 * YYYY-MM-DD and HH:MM (a reader gives a Date in UTC parts; a time alone is a fraction of a
 * day, a date and time in one cell a day number and a fraction: the date column takes the
 * day, the time column the time). Other numbers are written plainly (cycles, cartridge numbers).
 */
export function metCellText(value: unknown, column: MetColumn | null): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return '';
    if (column === 'IncidentTime') return clock(secondsOfDay((((ms % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS));
    return isoDay(value);
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (column === 'IncidentTime' && value >= 0) return clock(secondsOfDay(value - Math.floor(value)));
    if (column === 'IncidentDate' && value > 0) return isoDay(new Date(EXCEL_EPOCH_MS + Math.floor(value) * DAY_MS));
    return String(value);
  }
  return String(value);
}
