import { parse } from 'csv-parse/sync';
import { CED_COUNT_FIELDS, countProblems, emptyCounts, addCounts, type CedCounts, type CedCountField } from './counting.js';

/**
 * The Home Office table of CED (Taser) use by force (reference/home-office/ced-by-force-*.csv)
 * and the national series by level of use (ced-england-wales-2011-2016.csv).
 *
 * What the published files look like (checked on every file in reference/home-office):
 * UTF-8 without BOM, LF line ends, no quoted fields, no blank cells, no thousands
 * separators, but every figure written as a decimal (`4951.0`). Region and England-and-Wales
 * totals are rows of their own: `*Total London` in 2017-18 and 2018-19, `Total London`
 * (no asterisk) in the revised 2016 table; the England and Wales row has the region
 * `England and Wales`. The parser takes all of these, plus thousands separators and quoted
 * numbers, which other Home Office releases use.
 */

export const HOME_OFFICE_CED_COLUMNS = [
  'Region',
  'Police force',
  'Total',
  'Total non-discharge',
  'Drawn',
  'Aimed',
  'Red-dot',
  'Arced',
  'Total discharge',
  'Drive stun',
  'Fired',
  'Angled drive stun',
  'Not stated',
] as const;

/** The return's header, exactly. */
export const HOME_OFFICE_CED_HEADER = HOME_OFFICE_CED_COLUMNS.join(',');

/** The figure columns, in table order, with the count each holds. */
const FIGURE_COLUMNS: readonly (readonly [(typeof HOME_OFFICE_CED_COLUMNS)[number], CedCountField])[] = HOME_OFFICE_CED_COLUMNS.slice(2).map((name, i) => [name, CED_COUNT_FIELDS[i]!] as const);
const COLUMN_OF_FIELD = Object.fromEntries(FIGURE_COLUMNS.map(([name, field]) => [field, name])) as Record<CedCountField, string>;

/** One row of the return: region, force, and the figures as whole numbers. */
export function homeOfficeRow(region: string, force: string, counts: CedCounts): string[] {
  return [
    region,
    force,
    ...CED_COUNT_FIELDS.map((f) => {
      const n = counts[f];
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`The ${COLUMN_OF_FIELD[f]} figure must be a whole number of 0 or more, not ${n}`);
      return String(n);
    }),
  ];
}

export interface TableProblem {
  /** Line in the file, from 1 (the header). */
  line: number;
  /** The column's name, or null for the whole row. */
  column: string | null;
  message: string;
}

export interface HomeOfficeForceRow {
  line: number;
  region: string;
  force: string;
  counts: CedCounts;
}

export interface HomeOfficeTotalRow {
  line: number;
  /** As published, like `*Total London`. */
  name: string;
  counts: CedCounts;
}

export interface HomeOfficeTable {
  forces: HomeOfficeForceRow[];
  /** Region name -> the published region total. */
  regionTotals: Map<string, HomeOfficeTotalRow>;
  /** The published England and Wales total, or null when the file has none. */
  englandAndWales: HomeOfficeTotalRow | null;
  /** Rows that could not be read (left out of the figures above). */
  errors: TableProblem[];
  /**
   * Figures that do not add up: within a row, a region total against its forces, England
   * and Wales against the regions and forces. Published tables are occasionally
   * inconsistent, so these are reported, and the figures are kept as published.
   */
  warnings: TableProblem[];
  /** What the reader should know that leaves the figures in no doubt: columns outside the table, which are ignored. */
  notes: TableProblem[];
  /** True when every row was read and every row and total adds up (no errors, no warnings). */
  consistent: boolean;
  /** A sentence for people: whether the table adds up. */
  summary: string;
}

const normalise = (s: string) =>
  s
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();

/**
 * A published figure as a whole number: `4951`, `4951.0`, `4,951`, ` 4951 ` all read as 4951.
 * Returns a message for anything else (blank, negative, fractional, text, suppression marks).
 */
export function parseWholeNumber(cell: string): number | string {
  const t = cell.trim();
  if (t === '') return 'is blank: enter a whole number (0 if there were none)';
  if (/^(\.\.|\*|-|x|\[x\]|\[c\]|n\/a)$/i.test(t)) return `is "${t}" (not available): enter a whole number`;
  if (!/^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(t)) return `is "${t}", not a number`;
  const n = Number(t.replace(/,/g, ''));
  if (!Number.isInteger(n)) return `is ${t}, not a whole number`;
  if (n < 0) return `is ${t}: a count cannot be negative`;
  if (!Number.isSafeInteger(n)) return `is ${t}, too large to be a count`;
  return n;
}

interface CsvRecord {
  record: string[];
  line: number;
}

function readCsv(text: string): { records: CsvRecord[]; error: TableProblem | null } {
  try {
    const parsed = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
    return {
      records: parsed.map(({ record, info }) => ({
        record,
        // info.lines is where the record ends; a quoted field can span lines.
        line: info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0),
      })),
      error: null,
    };
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    return { records: [], error: { line: err.lines ?? 1, column: null, message: `The file is not readable CSV: ${err.message ?? String(e)}` } };
  }
}

const isTotalName = (name: string) => /^\*?\s*total\b/i.test(name.trim());
const isEnglandAndWales = (region: string, name: string) => /england (and|&) wales/i.test(region) || /england (and|&) wales/i.test(name);

/** Reads a published table of CED use by force. Never throws on bad content: see `errors` and `warnings`. */
export function parseHomeOfficeTable(text: string): HomeOfficeTable {
  const result: HomeOfficeTable = { forces: [], regionTotals: new Map(), englandAndWales: null, errors: [], warnings: [], notes: [], consistent: true, summary: '' };
  const done = () => {
    result.consistent = result.errors.length === 0 && result.warnings.length === 0;
    const read = `${result.forces.length} force${result.forces.length === 1 ? '' : 's'}, ${result.regionTotals.size} region total${result.regionTotals.size === 1 ? '' : 's'}${result.englandAndWales ? ' and the England and Wales total' : ''}`;
    const parts = [`Read ${read}`];
    if (result.errors.length) parts.push(`${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} stopped rows being read, so the totals were not checked`);
    if (result.warnings.length)
      parts.push(`${result.warnings.length} figure${result.warnings.length === 1 ? ' does' : 's do'} not add up (published tables are occasionally inconsistent: the figures are kept as published)`);
    if (result.consistent) parts.push('every row and total adds up');
    result.summary = `${parts.join('; ')}.`;
    return result;
  };

  const { records, error } = readCsv(text);
  if (error) {
    result.errors.push(error);
    return done();
  }
  const header = records[0];
  if (!header) {
    result.errors.push({ line: 1, column: null, message: `The file is empty. Expected the header ${HOME_OFFICE_CED_HEADER}` });
    return done();
  }

  // Columns by name, so an extra column does not shift the figures.
  const position = new Map<string, number>();
  header.record.forEach((name, i) => {
    const key = normalise(name);
    if (key && !position.has(key)) position.set(key, i);
  });
  const missing = HOME_OFFICE_CED_COLUMNS.filter((c) => !position.has(normalise(c)));
  if (missing.length) {
    result.errors.push({
      line: header.line,
      column: null,
      message: `This is not the Home Office table of CED use by force: the header is missing the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}. Expected ${HOME_OFFICE_CED_HEADER}`,
    });
    return done();
  }
  const expected = new Set(HOME_OFFICE_CED_COLUMNS.map(normalise));
  const extra = header.record.filter((name) => normalise(name) && !expected.has(normalise(name)));
  if (extra.length) result.notes.push({ line: header.line, column: null, message: `Column${extra.length === 1 ? '' : 's'} ${extra.join(', ')} ignored: not part of the table` });
  const at = (record: string[], column: string) => record[position.get(normalise(column))!];

  const forceNames = new Set<string>();
  for (const { record, line } of records.slice(1)) {
    const region = (at(record, 'Region') ?? '').trim();
    const name = (at(record, 'Police force') ?? '').trim();
    if (record.length < header.record.length) {
      result.errors.push({ line, column: null, message: `The row has ${record.length} cells, the header ${header.record.length}: every row needs all ${HOME_OFFICE_CED_COLUMNS.length} columns` });
      continue;
    }
    if (record.slice(header.record.length).some((cell) => cell.trim() !== '')) {
      result.errors.push({
        line,
        column: null,
        message: `The row has ${record.length} cells, the header ${header.record.length}: a figure written with a thousands separator (4,951) must be in quotes, or written without it`,
      });
      continue;
    }
    let rowOk = true;
    if (!region) {
      result.errors.push({ line, column: 'Region', message: 'The region is blank: enter the region the force belongs to' });
      rowOk = false;
    }
    if (!name) {
      result.errors.push({ line, column: 'Police force', message: 'The police force is blank: enter the force name, or *Total and the region for a region total' });
      rowOk = false;
    }
    const counts = emptyCounts();
    for (const [column, field] of FIGURE_COLUMNS) {
      const n = parseWholeNumber(at(record, column) ?? '');
      if (typeof n === 'string') {
        result.errors.push({ line, column, message: `The ${column} figure ${n}` });
        rowOk = false;
      } else counts[field] = n;
    }
    if (!rowOk) continue;
    for (const p of countProblems(counts)) result.warnings.push({ line, column: COLUMN_OF_FIELD[p.field], message: `${name}: ${p.message}` });

    if (isTotalName(name)) {
      if (isEnglandAndWales(region, name)) {
        if (result.englandAndWales)
          result.warnings.push({ line, column: 'Police force', message: `A second England and Wales total (the first is on line ${result.englandAndWales.line}): this one is ignored` });
        else result.englandAndWales = { line, name, counts };
      } else {
        const first = result.regionTotals.get(region);
        if (first) result.warnings.push({ line, column: 'Police force', message: `A second total for ${region} (the first is on line ${first.line}): this one is ignored` });
        else result.regionTotals.set(region, { line, name, counts });
        if (normalise(name.replace(/^\*?\s*total\s*/i, '')) !== normalise(region)) {
          result.warnings.push({ line, column: 'Police force', message: `The total ${name} is in the region ${region}: it is taken as the ${region} total` });
        }
      }
    } else {
      const key = `${normalise(region)}|${normalise(name)}`;
      if (forceNames.has(key)) result.warnings.push({ line, column: 'Police force', message: `${name} (${region}) appears more than once` });
      forceNames.add(key);
      result.forces.push({ line, region, force: name, counts });
    }
  }

  // Totals against the rows they total, when every row of the file was read.
  if (result.errors.length === 0) {
    const byRegion = new Map<string, CedCounts>();
    for (const f of result.forces) byRegion.set(f.region, addCounts(byRegion.get(f.region) ?? emptyCounts(), f.counts));
    for (const [region, total] of result.regionTotals) {
      const sum = byRegion.get(region);
      if (!sum) result.warnings.push({ line: total.line, column: null, message: `${total.name}: no forces are listed in ${region}` });
      else compare(result.warnings, total, sum, `the sum of the forces in ${region}`);
    }
    for (const [region] of byRegion) {
      if (result.regionTotals.size > 0 && !result.regionTotals.has(region)) {
        const line = result.forces.find((f) => f.region === region)!.line;
        result.warnings.push({ line, column: 'Region', message: `The region ${region} has forces but no total row` });
      }
    }
    if (result.englandAndWales) {
      const forces = result.forces.reduce((s, f) => addCounts(s, f.counts), emptyCounts());
      compare(result.warnings, result.englandAndWales, forces, 'the sum of all forces');
      if (result.regionTotals.size > 0) {
        const regions = [...result.regionTotals.values()].reduce((s, r) => addCounts(s, r.counts), emptyCounts());
        compare(result.warnings, result.englandAndWales, regions, 'the sum of the region totals');
      }
    }
  }
  return done();
}

function compare(warnings: TableProblem[], total: HomeOfficeTotalRow, sum: CedCounts, what: string) {
  for (const [column, field] of FIGURE_COLUMNS) {
    if (total.counts[field] !== sum[field]) {
      warnings.push({ line: total.line, column, message: `${total.name}: ${column} is ${total.counts[field]} but ${what} is ${sum[field]}` });
    }
  }
}

// ---------------------------------------------------------------------------------------
// The national series by level of use: one row per level (`Action`), one column per year.

export interface NationalSeries {
  /** Each year's figures, in the file's order. */
  years: { year: string; line: number; counts: CedCounts }[];
  errors: TableProblem[];
  warnings: TableProblem[];
  consistent: boolean;
}

const ACTION_FIELDS: Record<string, CedCountField> = {
  total: 'total',
  'total non-discharge': 'nonDischarge',
  drawn: 'drawn',
  aimed: 'aimed',
  'red-dot': 'redDot',
  arced: 'arced',
  'total discharge': 'discharge',
  'drive stun': 'driveStun',
  fired: 'fired',
  'angled drive stun': 'angledDriveStun',
  'not stated': 'notStated',
};

/** Reads the national series (`Action,2011,…,2016,Numeric change…,% change…`). Change columns are ignored. */
export function parseNationalSeries(text: string): NationalSeries {
  const result: NationalSeries = { years: [], errors: [], warnings: [], consistent: true };
  const { records, error } = readCsv(text);
  if (error) {
    result.errors.push(error);
    result.consistent = false;
    return result;
  }
  const header = records[0];
  if (!header || normalise(header.record[0] ?? '') !== 'action') {
    result.errors.push({ line: header?.line ?? 1, column: null, message: 'This is not the national series by level of use: the first column must be Action, then one column per year' });
    result.consistent = false;
    return result;
  }
  const yearColumns = header.record.map((name, i) => [name.trim(), i] as const).filter(([name]) => /^\d{4}$/.test(name));
  const years = yearColumns.map(([year]) => ({ year, line: header.line, counts: emptyCounts() }));
  const seen = new Set<CedCountField>();
  for (const { record, line } of records.slice(1)) {
    const action = normalise(record[0] ?? '');
    const field = ACTION_FIELDS[action];
    if (!field) {
      result.errors.push({ line, column: 'Action', message: `Unknown level of use "${(record[0] ?? '').trim()}": expected one of ${Object.keys(ACTION_FIELDS).join(', ')}` });
      continue;
    }
    seen.add(field);
    yearColumns.forEach(([year, i], k) => {
      const n = parseWholeNumber(record[i] ?? '');
      if (typeof n === 'string') result.errors.push({ line, column: year, message: `The ${(record[0] ?? '').trim()} figure for ${year} ${n}` });
      else years[k]!.counts[field] = n;
    });
  }
  for (const field of CED_COUNT_FIELDS) {
    if (!seen.has(field)) result.errors.push({ line: header.line, column: null, message: `The row ${COLUMN_OF_FIELD[field]} is missing` });
  }
  if (result.errors.length === 0) {
    for (const y of years) for (const p of countProblems(y.counts)) result.warnings.push({ line: header.line, column: y.year, message: `${y.year}: ${p.message}` });
  }
  result.years = years;
  result.consistent = result.errors.length === 0 && result.warnings.length === 0;
  return result;
}
