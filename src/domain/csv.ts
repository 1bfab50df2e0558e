/**
 * Cells of every CSV Cedar writes pass through here. A spreadsheet treats a cell that begins
 * with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula (CSV injection), so such a
 * cell is prefixed with a single quote, as OWASP advises: the spreadsheet shows the text as
 * written and runs nothing. Pure.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** A whole row, for writers that build rows of strings. */
export function neutraliseRow(row: readonly string[]): string[] {
  return row.map(neutraliseCell);
}
