/**
 * Cells of every CSV Cedar writes pass through here. A spreadsheet treats a cell that begins
 * with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula (CSV injection), so such a
 * cell is prefixed with a single quote, as OWASP advises: the spreadsheet shows the text as
 * written and runs nothing. Pure.
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
