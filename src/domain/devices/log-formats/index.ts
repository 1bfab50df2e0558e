/**
 * Reading a device's event log, as downloaded at a docking station (issue 13). Pure: text in,
 * rows out, no I/O of its own.
 *
 * Vendors' exports differ, so the reader is a list of layouts, Cedar's canonical CSV first:
 * the header row picks the first layout that recognises it (the canonical one when none does,
 * so that its errors name the columns the file lacks). A layout turns a data row's values into
 * a `DeviceLogRow`, or names every problem by line and column; an adapter for another vendor's
 * layout is one more file in this folder, added to LAYOUTS.
 *
 * The file is streamed (a year of a fleet's logs is millions of rows): csv-parse's streaming
 * parser reads it a piece at a time, rows are handed over in batches as they are read, and
 * nothing proportional to the file is held except what spots an entry given twice (per device,
 * its sequence numbers with the line and a digest of the values, about 40 bytes an entry).
 */
import { CsvError, parse } from 'csv-parse';
import { headerKey, type RawRecord, type RowError } from '../../csv.js';
import { CANONICAL_LAYOUT } from './canonical.js';
import type { DeviceLogRow, LogLayout } from './layout.js';

export { CANONICAL_COLUMNS, CANONICAL_LAYOUT } from './canonical.js';
export { LOG_EVENT_KINDS, type DeviceLogRow, type LogEventKind, type LogLayout, type LogRowReader } from './layout.js';

/** Every layout Cedar reads, the canonical one first. */
export const LAYOUTS: readonly LogLayout[] = [CANONICAL_LAYOUT];

/** The layout for a header row: the first that recognises it, else the canonical one (whose errors then name what is missing). */
export function pickLayout(header: readonly string[], layouts: readonly LogLayout[] = LAYOUTS): LogLayout {
  const keys = header.map(headerKey);
  return layouts.find((l) => l.recognises(keys)) ?? layouts[0]!;
}

/** What the reader hands over as it goes: rows that passed, problems found, and how far it got. */
export interface DeviceLogBatch {
  /** The layout the header picked (null until the header is read). */
  layout: string | null;
  rows: DeviceLogRow[];
  /** Problems found since the last batch, in file order. */
  errors: RowError[];
  /** Data rows read so far (good or not). */
  read: number;
  /** Data rows with at least one problem, so far. */
  rejectedRows: number;
}

export interface ReadDeviceLogOptions {
  /** Rows a batch holds at most (default 1000). */
  batchRows?: number;
  layouts?: readonly LogLayout[];
}

/** Input as it arrives: a file stream, a request body, or strings and buffers in memory. */
export type LogInput = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

const CSV_MESSAGES: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'A quote (") opened in this row is never closed: check the quotes in this row',
  CSV_INVALID_CLOSING_QUOTE: 'A value in quotes is followed by other characters: put the whole value in quotes, and write a quote inside a value as two quotes ("")',
  CSV_MAX_RECORD_SIZE: 'This row is far too long for a log entry: check its quotes',
};

/** A 53-bit digest of a row's values (two 32-bit FNV-1a passes with different seeds): two entries with the same digest hold the same values. */
export function valuesDigest(values: readonly (string | number | null)[]): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (const v of values) {
    const s = v === null ? '\u0000' : String(v);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x050c5d1f);
    }
    a = Math.imul(a ^ 0x1f, 0x01000193);
    b = Math.imul(b ^ 0x1f, 0x050c5d1f);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/**
 * One device's entries seen so far in the file: for each sequence number, the line it was on and
 * the digest of its values. A device's sequence numbers are close together, so they are kept in
 * typed arrays indexed from the lowest (12 bytes an entry, nothing for the garbage collector to
 * walk); numbers far from the rest go to a map.
 */
class DeviceEntries {
  #lo = 0;
  #lines = new Int32Array(64);
  #digests = new Float64Array(64);
  #count = 0;
  #far: Map<number, [number, number]> | null = null;

  see(sequence: number, line: number, digest: number): { line: number; same: boolean } | null {
    if (this.#count === 0 && this.#far === null) this.#lo = sequence;
    let i = sequence - this.#lo;
    if (i < 0 || i >= this.#lines.length) {
      const lo = Math.min(this.#lo, sequence);
      const hi = Math.max(this.#lo + this.#lines.length - 1, sequence);
      const span = hi - lo + 1;
      if (span > 4 * (this.#count + 1) + 4096) return this.#seeFar(sequence, line, digest);
      const size = Math.max(span + (sequence < this.#lo ? 64 : 0), this.#lines.length * 2);
      const shift = this.#lo - lo + (sequence < this.#lo ? size - span : 0);
      const lines = new Int32Array(size);
      lines.set(this.#lines, shift);
      const digests = new Float64Array(size);
      digests.set(this.#digests, shift);
      this.#lines = lines;
      this.#digests = digests;
      this.#lo -= shift;
      i = sequence - this.#lo;
    }
    const earlier = this.#lines[i]!;
    if (earlier !== 0) return { line: earlier, same: this.#digests[i] === digest };
    this.#lines[i] = line;
    this.#digests[i] = digest;
    this.#count++;
    return null;
  }

  #seeFar(sequence: number, line: number, digest: number): { line: number; same: boolean } | null {
    this.#far ??= new Map();
    const earlier = this.#far.get(sequence);
    if (earlier) return { line: earlier[0], same: earlier[1] === digest };
    this.#far.set(sequence, [line, digest]);
    return null;
  }
}

/** Entries seen so far in the file, per device: an entry given twice is spotted (the same values: a repeat, read once; other values: an error naming both lines). */
class SeenEntries {
  #bySerial = new Map<string, DeviceEntries>();

  /** The earlier line with this entry, and whether its values were the same; null the first time. */
  see(serial: string, sequence: number, line: number, digest: number): { line: number; same: boolean } | null {
    let device = this.#bySerial.get(serial);
    if (!device) this.#bySerial.set(serial, (device = new DeviceEntries()));
    return device.see(sequence, line, digest);
  }
}

/**
 * Reads a device log, yielding batches as it goes. A header that no layout can read yields its
 * errors and nothing more. A row that cannot be read as CSV (a broken quote) ends the reading
 * with its line: the file is refused, so nothing after it could be stored anyway.
 */
export async function* readDeviceLog(input: LogInput, opts: ReadDeviceLogOptions = {}): AsyncGenerator<DeviceLogBatch> {
  const batchRows = opts.batchRows ?? 1000;
  // Empty lines are records too (of one empty value), so that lines can be counted from the
  // records without csv-parse's per-record info, which costs a tenth of the reading.
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: false, max_record_size: 10_000 });
  const feed = (async () => {
    try {
      for await (const chunk of input) {
        if (parser.destroyed) return;
        if (!parser.write(chunk)) await drained(parser);
      }
      parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();

  let layout: LogLayout | null = null;
  let reader: ReturnType<LogLayout['open']>['reader'] = null;
  const seen = new SeenEntries();
  let batch: DeviceLogBatch = { layout: null, rows: [], errors: [], read: 0, rejectedRows: 0 };
  let lastHeaderLine = 0;
  const take = () => {
    const out = batch;
    batch = { layout: out.layout, rows: [], errors: [], read: out.read, rejectedRows: out.rejectedRows };
    return out;
  };
  let nextLine = 1;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const record: RawRecord = { line: nextLine, fields };
      nextLine++;
      // A value in quotes may hold line breaks: the next record starts that many lines further on.
      for (const f of fields) if (f.length > 0 && f.includes('\n')) nextLine += f.split('\n').length - 1;
      if (fields.length === 1 && fields[0]!.trim() === '') continue;
      if (!layout) {
        layout = pickLayout(record.fields, opts.layouts);
        const opened = layout.open(record);
        batch.layout = layout.name;
        lastHeaderLine = record.line;
        if (opened.errors.length || !opened.reader) {
          batch.errors.push(...opened.errors);
          yield take();
          return;
        }
        reader = opened.reader;
        continue;
      }
      batch.read++;
      const row = reader!(record, batch.errors);
      if (!row) batch.rejectedRows++;
      else {
        const earlier = seen.see(row.deviceSerial, row.sequence, row.line, valuesDigest(entryValues(row)));
        if (earlier && !earlier.same) {
          batch.errors.push({
            line: row.line,
            column: 'sequence',
            message: `Entry ${row.sequence} of ${row.deviceSerial} is also on line ${earlier.line} with different values: a device's entry number names one entry, so one of the two lines is wrong`,
          });
          batch.rejectedRows++;
        } else batch.rows.push(earlier ? { ...row, repeatOf: earlier.line } : row);
      }
      if (batch.rows.length >= batchRows || batch.errors.length >= batchRows) yield take();
    }
    if (!layout) batch.errors.push({ line: 1, column: null, message: `The file is empty: it needs a header row (${LAYOUTS[0]!.columns.join(',')})` });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = Math.max(lastHeaderLine + 1, (err as CsvError & { lines?: number }).lines ?? 0);
    batch.errors.push({ line, column: null, message: CSV_MESSAGES[err.code] ?? `This row cannot be read as CSV: ${err.message}` });
    batch.rejectedRows++;
  } finally {
    if (!parser.destroyed) parser.destroy();
    await feed;
  }
  yield take();
}

/** Until the parser wants more, or is done with (a reader that stopped early destroys it). */
function drained(parser: ReturnType<typeof parse>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      parser.off('drain', done);
      parser.off('close', done);
      resolve();
    };
    parser.on('drain', done);
    parser.on('close', done);
  });
}

/** An entry's values, in one order, for comparing two entries (the line and serial left out). */
export function entryValues(r: Omit<DeviceLogRow, 'line' | 'repeatOf'>): (string | number | null)[] {
  return [r.sequence, r.deviceTime, r.event, r.durationS, r.bay, r.cartridgeSerial, r.batteryPct, r.temperatureC, r.trueTime];
}
