import { CsvError, parse } from 'csv-parse/sync';

/**
 * Cedar's CSV toolkit: reading files a person made in a spreadsheet (decoding, records with
 * their physical lines, the header row, a row's values, a date as spreadsheets write it, and
 * problems named by line and column), and writing cells a spreadsheet will not run. Pure.
 *
 * Cells of every CSV Cedar writes pass through here. A spreadsheet treats a cell that begins
 * with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula (CSV injection), so such a
 * cell is prefixed with a single quote, as OWASP advises: the spreadsheet shows the text as
 * written and runs nothing.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Whether a spreadsheet would take the cell for a formula. A lone `-` (what Cedar writes for a
 * rate with nothing to divide by) is text to every spreadsheet, so it is left as it is.
 */
export function startsLikeFormula(value: string): boolean {
  return FORMULA_START.test(value) && value !== '-';
}

export function neutraliseCell(value: string): string {
  return startsLikeFormula(value) ? `'${value}` : value;
}

/** A whole row, for writers that build rows of strings. */
export function neutraliseRow(row: readonly string[]): string[] {
  return row.map(neutraliseCell);
}

/**
 * A cell read from a file, without the quote neutraliseCell put before a formula character:
 * reading back a file Cedar wrote gives the values it held (`'=1` → `=1`). A quote before
 * anything else is the cell's own text and stays.
 */
export function restoreCell(value: string): string {
  return value.charCodeAt(0) === 0x27 && startsLikeFormula(value.slice(1)) ? value.slice(1) : value;
}

/** How much of a value an error message or a rejects file quotes. */
export const QUOTED_CHARACTERS = 100;

/**
 * A value as an error message quotes it: in double quotes, cut to QUOTED_CHARACTERS with its
 * full length said, so a 10 MB cell never reaches the screen or a rejects file whole.
 */
export function quoteValue(value: string, max = QUOTED_CHARACTERS): string {
  if (value.length <= max) return `"${value}"`;
  return `"${value.slice(0, max)}…" (${value.length.toLocaleString('en-GB')} characters)`;
}

// ---------------------------------------------------------------------------------------
// Problems in a file being read

/** One problem in the file: the physical line (header = 1), the column when there is one, and what to do. */
export interface RowError {
  line: number;
  /** The CSV column name, or null when the problem is with the whole row or file. */
  column: string | null;
  message: string;
}

// ---------------------------------------------------------------------------------------
// Decoding

export type CsvEncoding = 'utf-8' | 'windows-1252';

/** Windows-1252 bytes 0x80-0x9F (the rest of the code page matches Latin-1). Unassigned bytes map to C1 controls, as WHATWG does. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
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
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return { text: decodeWindows1252(bom ? bytes.subarray(3) : bytes), encoding: 'windows-1252' };
  }
}

const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const YMD = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` or `DD/MM/YYYY` as `YYYY-MM-DD`; undefined when neither form. Whether the day is real is the caller's check. */
export function csvDate(value: string): string | undefined {
  if (YMD.test(value)) return value;
  const m = DMY.exec(value);
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : undefined;
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
export const headerKey = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** A CSV header row read against the columns a file may have. */
export interface CsvHeader<C extends string> {
  line: number;
  /** For each position in a row, the column it fills (null: ignored). */
  positions: (C | null)[];
  present: Set<C>;
  /** Positions with no name: allowed (spreadsheets add them) as long as every row leaves them empty. */
  unnamed: number[];
}

/**
 * Reads a header row: each name matched to a known column (any case, spaces or hyphens for
 * underscores); unknown, repeated and missing columns are named, and so is an unnamed column
 * with values in `data`. `fatal` when the row is not comma-separated at all.
 */
export function readCsvHeader<C extends string>(
  record: RawRecord,
  data: readonly RawRecord[],
  columns: readonly C[],
  required: readonly C[],
): { header: CsvHeader<C>; errors: RowError[]; fatal: boolean } {
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

/**
 * The problem with a value holding a NUL character (U+0000), or null. No file a person or a
 * system writes for Cedar has one: it is a damaged file, and PostgreSQL's text cannot hold it
 * (the whole import would fail with the driver's message, naming no row).
 */
export function nulProblem(value: string): string | null {
  const at = value.indexOf('\u0000');
  return at < 0 ? null : `There is a NUL character (U+0000) at character ${at + 1} of this value: the file is damaged there; correct the value and import the file again`;
}

/**
 * A data row's values by column (trimmed), or the problem: more or fewer values than the
 * header, or a value with a NUL character (named by its column).
 */
export function rowValues<C extends string>(record: RawRecord, header: CsvHeader<C>): { values: Map<C, string> } | { error: RowError } {
  const width = header.positions.length;
  if (record.fields.length !== width) {
    const message = `This row has ${record.fields.length} values but the header has ${width} columns: check for a missing comma, or a value with a comma that is not in quotes`;
    return { error: { line: record.line, column: null, message } };
  }
  const values = new Map<C, string>();
  for (let i = 0; i < width; i++) {
    const c = header.positions[i];
    if (!c) continue;
    const value = record.fields[i]!.trim();
    const nul = nulProblem(value);
    if (nul) return { error: { line: record.line, column: c, message: nul } };
    values.set(c, value);
  }
  return { values };
}
