import { createHash } from 'node:crypto';
import path from 'node:path';
import * as repo from '../db/repositories/home-office.js';
import type { Force } from '../domain/organisation.js';
import { decodeCsv } from '../domain/csv.js';
import { compareForce, homeOfficeTablePeriodProblem, type Comparison } from '../domain/stats/comparison.js';
import type { CedCounts } from '../domain/stats/counting.js';
import { HOME_OFFICE_CED_HEADER, parseHomeOfficeTable, type HomeOfficeTable, type TableProblem } from '../domain/stats/home-office.js';
import { londonDate } from '../domain/calendar.js';
import { parsePeriod, PeriodError, type Period } from '../domain/stats/periods.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';
import { homeOfficeReturn } from './statistics.js';

/*
 * The national comparison: published Home Office tables of Taser use by force, loaded one
 * per period, and the force against its region and England and Wales in each.
 */

/** Why a file was not loaded. Nothing was stored. */
export type HomeOfficeRefusal = 'unreadable' | 'inconsistent' | 'incomplete';

/** A file that cannot be loaded: `problems` names each by line and column. Nothing was stored. */
export class HomeOfficeImportError extends Error {
  override readonly name = 'HomeOfficeImportError';
  constructor(
    /** One sentence: what is wrong with the file, and that nothing was loaded. */
    readonly summary: string,
    readonly problems: TableProblem[],
    readonly reason: HomeOfficeRefusal,
    readonly file: string,
  ) {
    super([summary, ...problems.map(formatProblem)].join('\n'));
  }
}

/** `line 12, column Drawn: …` (or `line 1: …` when no column applies). */
export const formatProblem = (p: TableProblem) => `line ${p.line}${p.column === null ? '' : `, column ${p.column}`}: ${p.message}`;

export interface HomeOfficeImportResult {
  file: string;
  encoding: 'utf-8' | 'windows-1252';
  period: repo.StoredTablePeriod;
  /** `loaded`: the period had no table; `replaced`: it had another; `unchanged`: it had this same file. */
  outcome: 'loaded' | 'replaced' | 'unchanged';
  /** The file of the table replaced, when one was. */
  replacedFile: string | null;
  forces: number;
  regions: number;
  /** Whether the table has the force's own row (matched by its Home Office name). */
  forceInTable: boolean;
  /** The force as the comparison names it. */
  forceName: string;
  /** What was ignored (columns outside the table). */
  notes: TableProblem[];
}

/** The periods the Home Office publishes these tables for. */
const TABLE_PERIOD_KINDS: readonly Period['kind'][] = ['financial_year', 'calendar_year'];

/** The table's period: a financial year (`2018-19`) or a calendar year (`2016`). Throws `PeriodError`. */
export function tablePeriod(input: string, today?: string): repo.StoredTablePeriod {
  const period = parsePeriod(input);
  if (!TABLE_PERIOD_KINDS.includes(period.kind)) {
    throw new PeriodError(`${input.trim()} is not a period the Home Office publishes these tables for. Enter a financial year like 2018-19 or a calendar year like 2016`, input);
  }
  const implausible = today === undefined ? null : homeOfficeTablePeriodProblem(period, today);
  if (implausible) throw new PeriodError(implausible, input);
  return {
    key: period.label,
    kind: period.kind,
    label: period.kind === 'financial_year' ? `April ${period.from.slice(0, 4)} to March ${period.toExclusive.slice(0, 4)}` : `January to December ${period.label}`,
    from: period.from,
    toExclusive: period.toExclusive,
  };
}

/** Every problem that stops the table being loaded, or null when it can be. */
function refusal(table: HomeOfficeTable, file: string): HomeOfficeImportError | null {
  if (table.errors.length) {
    const layout = table.errors.length === 1 && table.errors[0]!.line === 1 && table.errors[0]!.column === null;
    return new HomeOfficeImportError(
      layout
        ? `Nothing loaded: ${file} is not the Home Office table of Taser use by force.`
        : `Nothing loaded: ${table.errors.length} problem${table.errors.length === 1 ? '' : 's'} in ${file} stopped rows being read. Correct ${table.errors.length === 1 ? 'it' : 'them'} and load the file again.`,
      table.errors,
      'unreadable',
      file,
    );
  }
  if (table.warnings.length) {
    return new HomeOfficeImportError(
      `Nothing loaded: ${table.warnings.length} figure${table.warnings.length === 1 ? ' in ' + file + ' does' : 's in ' + file + ' do'} not add up. A table is loaded only when every row, region total and the England and Wales total agree.`,
      table.warnings,
      'inconsistent',
      file,
    );
  }
  const missing: TableProblem[] = [];
  if (table.forces.length === 0) missing.push({ line: 1, column: 'Police force', message: 'The file has no police force rows: it has only the header and totals' });
  if (table.regionTotals.size === 0) missing.push({ line: 1, column: 'Police force', message: 'The file has no region totals: each region needs its row, like London,*Total London,…' });
  if (!table.englandAndWales) missing.push({ line: 1, column: 'Police force', message: 'The file has no England and Wales total: it needs the row England and Wales,*Total England and Wales,…' });
  if (missing.length) {
    return new HomeOfficeImportError(`Nothing loaded: ${file} is not a whole published table (${HOME_OFFICE_CED_HEADER}, with its *Total rows).`, missing, 'incomplete', file);
  }
  return null;
}

function storedRows(table: HomeOfficeTable): repo.StoredHomeOfficeRow[] {
  const rows: repo.StoredHomeOfficeRow[] = [
    ...table.forces.map((f) => ({ line: f.line, kind: 'force' as const, region: f.region, policeForce: f.force, counts: f.counts })),
    ...[...table.regionTotals].map(([region, t]) => ({ line: t.line, kind: 'region_total' as const, region, policeForce: t.name, counts: t.counts })),
  ];
  if (table.englandAndWales)
    rows.push({ line: table.englandAndWales.line, kind: 'england_and_wales', region: 'England and Wales', policeForce: table.englandAndWales.name, counts: table.englandAndWales.counts });
  return rows.sort((a, b) => a.line - b.line);
}

/**
 * Loads a published Home Office table of Taser use by force (the layout of
 * reference/home-office/ced-by-force-*.csv) as the table of a period, in place of any table
 * already loaded for it. The table is loaded only when every row is read and every figure
 * adds up (within each row, each region against its forces, England and Wales against both);
 * otherwise `HomeOfficeImportError` names each problem by line and column, and nothing is
 * stored. Loading the same file for the same period again changes nothing. A table without
 * the force's own row is loaded (the comparison then says so). One transaction, one audit entry.
 * Throws `PeriodError` for a period that is not a financial or calendar year.
 */
export async function importHomeOfficeTable(svc: Services, actor: Actor, input: { fileName: string; bytes: Uint8Array }, periodInput: string): Promise<HomeOfficeImportResult> {
  const period = tablePeriod(periodInput, londonDate(svc.now()));
  const force = await getForce(svc);
  const file = path.basename(input.fileName);
  const { text, encoding } = decodeCsv(input.bytes);
  const table = parseHomeOfficeTable(text);
  const refused = refusal(table, file);
  if (refused) throw refused;

  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const rows = storedRows(table);
  const comparison = compareForce(table, force);
  const base = {
    file,
    encoding,
    period,
    forces: table.forces.length,
    regions: table.regionTotals.size,
    forceInTable: comparison.forceInTable,
    forceName: comparison.forceName,
    notes: table.notes,
  };

  return change(svc, actor, async (trx, audit) => {
    const existing = await repo.findTableByPeriod(trx, period.key);
    const summary = { period: period.key, file, sha256, forces: base.forces, regions: base.regions, forceInTable: base.forceInTable };
    if (existing && existing.sourceSha256 === sha256 && existing.sourceFile === file) {
      await audit({ action: 'home_office.import', entityType: 'home_office_table', entityId: existing.id, summary: { ...summary, outcome: 'unchanged' } });
      return { ...base, outcome: 'unchanged' as const, replacedFile: null };
    }
    const { id, replaced } = await repo.replaceTable(trx, { period, sourceFile: file, sourceSha256: sha256, loadedAt: svc.now().toISOString(), loadedBy: actor.label }, rows);
    const outcome = replaced ? ('replaced' as const) : ('loaded' as const);
    await audit({
      action: 'home_office.import',
      entityType: 'home_office_table',
      entityId: id,
      summary: { ...summary, outcome, ...(replaced ? { replaced: { id: replaced.id, file: replaced.sourceFile, sha256: replaced.sourceSha256, loadedAt: replaced.loadedAt } } : {}) },
    });
    return { ...base, outcome, replacedFile: replaced?.sourceFile ?? null };
  });
}

/** The loaded tables (without their rows), newest period first. */
export function listLoadedPeriods(svc: Services): Promise<repo.StoredHomeOfficeTable[]> {
  return repo.listTables(svc.database.db);
}

/** One loaded period's comparison. */
export interface NationalComparisonPeriod {
  tableId: string;
  period: repo.StoredTablePeriod;
  sourceFile: string;
  loadedAt: string;
  comparison: Comparison;
}

/** The force against its region and England and Wales, for each loaded period, newest first. */
export interface NationalComparison {
  force: Pick<Force, 'name' | 'homeOfficeName' | 'homeOfficeRegion'>;
  periods: NationalComparisonPeriod[];
}

/**
 * The national comparison for every loaded period, newest first. The force's figures are
 * its published row; Cedar's own count for the period (recorded and imported reports) is
 * given beside it as a check, and stands in for the row when the table has none (see
 * domain/stats/comparison.ts).
 */
export async function nationalComparison(svc: Services): Promise<NationalComparison> {
  const force = await getForce(svc);
  const tables = await repo.listTables(svc.database.db);
  const periods = await Promise.all(
    tables.map(async (t): Promise<NationalComparisonPeriod> => {
      const [rows, own] = await Promise.all([repo.tableRows(svc.database.db, t.id), cedarCounts(svc, t.period.key)]);
      return { tableId: t.id, period: t.period, sourceFile: t.sourceFile, loadedAt: t.loadedAt, comparison: compareForce(repo.publishedTableOf(rows), force, own) };
    }),
  );
  return { force: { name: force.name, homeOfficeName: force.homeOfficeName, homeOfficeRegion: force.homeOfficeRegion }, periods };
}

async function cedarCounts(svc: Services, periodKey: string): Promise<CedCounts> {
  return (await homeOfficeReturn(svc, periodKey, { breakdowns: false })).counts;
}
