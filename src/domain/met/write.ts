/**
 * Writing rows in the Met's use-of-force layout as CSV. Pure: text out, no I/O.
 */
import { stringify } from 'csv-stringify/sync';
import { neutraliseCell, startsLikeFormula } from '../csv.js';
import { MET_COLUMNS } from './layout.js';

export interface MetCsvOptions {
  /** Line ending, the same for every line: CRLF (the default, as the Met publishes and Excel writes) or LF. */
  eol?: 'crlf' | 'lf';
  /** Start with the header row (default true). False for the second and later batches of a file written in parts. */
  header?: boolean;
}

/** A value CSV must quote: one with a comma, a quote or a line break. */
const NEEDS_QUOTES = /[",\r\n]/;
/**
 * csv-stringify quotes a value with its own line ending in it, but not one with the other
 * kind (a lone LF in a CRLF file): Excel and every reader would split the row there.
 */
const LINE_BREAK = /[\r\n]/;

/**
 * Rows (each the 271 values of reportToMetRow, in MET_COLUMNS order) as CSV text, with the
 * published header, quoting only the values that need it (commas, quotes, line breaks).
 * Every line ends with the line ending, the last one too. The text is UTF-8; a caller that
 * wants Excel to recognise it writes a byte order mark first. A value that starts like a
 * formula (`=`, `+`, `-`, `@`, tab, CR) is written with a quote before it (neutraliseCell),
 * so an imported `=HYPERLINK(…)` never runs in the spreadsheet of whoever opens the export;
 * the Met reader takes that quote off again (restoreCell), so a file Cedar wrote reads back
 * as the values it held.
 *
 * csv-stringify writes every line that has a value to quote; a line with none is its values
 * joined by commas, which is what csv-stringify would write, at a fraction of the cost
 * (it allocates per value: 150,000 rows of 271 values take it about 15 s).
 */
export function writeMetCsv(rows: readonly (readonly string[])[], options: MetCsvOptions = {}): string {
  const eol = options.eol === 'lf' ? '\n' : '\r\n';
  const stringifyOptions = { record_delimiter: options.eol === 'lf' ? 'unix' : 'windows', quoted_match: LINE_BREAK } as const;
  const lines: string[] = [];
  if (options.header !== false) lines.push(stringify([MET_COLUMNS as readonly string[] as string[]], stringifyOptions));
  rows.forEach((row, i) => {
    if (row.length !== MET_COLUMNS.length) throw new Error(`Row ${i + 1} has ${row.length} values; the Met layout has ${MET_COLUMNS.length} columns`);
    // No Met column holds a negative number or a formula: every cell that starts like one is neutralised.
    const safe = row.some(startsLikeFormula) ? row.map(neutraliseCell) : row;
    lines.push(safe.some((v) => NEEDS_QUOTES.test(v)) ? stringify([safe as string[]], stringifyOptions) : safe.join(',') + eol);
  });
  return lines.join('');
}
