import type { CedCounts } from '../../domain/stats/counting.js';
import type { PublishedTable } from '../../domain/stats/comparison.js';
import type { Executor } from '../database.js';
import { newId } from '../ids.js';
import type { HomeOfficeTableRowTable, HomeOfficeTableTable } from '../schema.js';

/** Published Home Office tables of Taser use by force, one per period (migration 0011). */

export type HomeOfficeRowKind = 'force' | 'region_total' | 'england_and_wales';

export interface StoredTablePeriod {
  /** `2018-19`, `2016` */
  key: string;
  kind: string;
  label: string;
  from: string;
  toExclusive: string;
}

/** A loaded table, without its rows. */
export interface StoredHomeOfficeTable {
  id: string;
  period: StoredTablePeriod;
  sourceFile: string;
  sourceSha256: string;
  loadedAt: string;
  loadedBy: string;
}

export interface StoredHomeOfficeRow {
  line: number;
  kind: HomeOfficeRowKind;
  region: string;
  /** As published: `Metropolitan`, `*Total London`. */
  policeForce: string;
  counts: CedCounts;
}

const COLUMNS = ['id', 'period_key', 'period_kind', 'period_label', 'period_from', 'period_to_exclusive', 'source_file', 'source_sha256', 'loaded_at', 'loaded_by'] as const;

const toTable = (r: HomeOfficeTableTable): StoredHomeOfficeTable => ({
  id: r.id,
  period: { key: r.period_key, kind: r.period_kind, label: r.period_label, from: r.period_from, toExclusive: r.period_to_exclusive },
  sourceFile: r.source_file,
  sourceSha256: r.source_sha256,
  loadedAt: r.loaded_at,
  loadedBy: r.loaded_by,
});

type CountColumns = Omit<HomeOfficeTableRowTable, 'id' | 'table_id' | 'position' | 'line' | 'row_kind' | 'region' | 'police_force'>;

const countColumns = (c: CedCounts): CountColumns => ({
  total: c.total,
  total_non_discharge: c.nonDischarge,
  drawn: c.drawn,
  aimed: c.aimed,
  red_dot: c.redDot,
  arced: c.arced,
  total_discharge: c.discharge,
  drive_stun: c.driveStun,
  fired: c.fired,
  angled_drive_stun: c.angledDriveStun,
  not_stated: c.notStated,
});

const countsOf = (r: CountColumns): CedCounts => ({
  total: Number(r.total),
  nonDischarge: Number(r.total_non_discharge),
  drawn: Number(r.drawn),
  aimed: Number(r.aimed),
  redDot: Number(r.red_dot),
  arced: Number(r.arced),
  discharge: Number(r.total_discharge),
  driveStun: Number(r.drive_stun),
  fired: Number(r.fired),
  angledDriveStun: Number(r.angled_drive_stun),
  notStated: Number(r.not_stated),
});

/** Loaded tables, newest period first. */
export async function listTables(db: Executor): Promise<StoredHomeOfficeTable[]> {
  const rows = await db.selectFrom('home_office_table').select(COLUMNS).orderBy('period_from', 'desc').orderBy('period_to_exclusive', 'desc').orderBy('period_key').execute();
  return rows.map(toTable);
}

export async function findTableByPeriod(db: Executor, periodKey: string): Promise<StoredHomeOfficeTable | undefined> {
  const row = await db.selectFrom('home_office_table').select(COLUMNS).where('period_key', '=', periodKey).executeTakeFirst();
  return row && toTable(row);
}

/** The rows of a loaded table, in the file's order. */
export async function tableRows(db: Executor, tableId: string): Promise<StoredHomeOfficeRow[]> {
  const rows = await db.selectFrom('home_office_table_row').selectAll().where('table_id', '=', tableId).orderBy('position').execute();
  return rows.map((r) => ({ line: Number(r.line), kind: r.row_kind as HomeOfficeRowKind, region: r.region, policeForce: r.police_force, counts: countsOf(r) }));
}

/** A stored table's rows as the comparison reads a published table. */
export function publishedTableOf(rows: readonly StoredHomeOfficeRow[]): PublishedTable {
  const regionTotals = new Map<string, { name: string; counts: CedCounts }>();
  let englandAndWales: PublishedTable['englandAndWales'] = null;
  const forces: { region: string; force: string; counts: CedCounts }[] = [];
  for (const r of rows) {
    if (r.kind === 'force') forces.push({ region: r.region, force: r.policeForce, counts: r.counts });
    else if (r.kind === 'region_total') regionTotals.set(r.region, { name: r.policeForce, counts: r.counts });
    else englandAndWales = { name: r.policeForce, counts: r.counts };
  }
  return { forces, regionTotals, englandAndWales };
}

/**
 * Stores a period's table in place of any table already loaded for the period (its rows
 * go with it). Call inside the transaction that writes the audit entry. Returns the new id
 * and the table it replaced, if any.
 */
export async function replaceTable(
  trx: Executor,
  table: Omit<StoredHomeOfficeTable, 'id'>,
  rows: readonly StoredHomeOfficeRow[],
): Promise<{ id: string; replaced: StoredHomeOfficeTable | undefined }> {
  const replaced = await findTableByPeriod(trx, table.period.key);
  if (replaced) {
    await trx.deleteFrom('home_office_table_row').where('table_id', '=', replaced.id).execute();
    await trx.deleteFrom('home_office_table').where('id', '=', replaced.id).execute();
  }
  const id = newId();
  await trx
    .insertInto('home_office_table')
    .values({
      id,
      period_key: table.period.key,
      period_kind: table.period.kind,
      period_label: table.period.label,
      period_from: table.period.from,
      period_to_exclusive: table.period.toExclusive,
      source_file: table.sourceFile,
      source_sha256: table.sourceSha256,
      loaded_at: table.loadedAt,
      loaded_by: table.loadedBy,
    })
    .execute();
  const values = rows.map((r, position) => ({
    id: newId(),
    table_id: id,
    position,
    line: r.line,
    row_kind: r.kind,
    region: r.region,
    police_force: r.policeForce,
    ...countColumns(r.counts),
  }));
  // 19 columns a row: 100 rows stay well under SQLite's and PostgreSQL's parameter limits.
  for (let i = 0; i < values.length; i += 100)
    await trx
      .insertInto('home_office_table_row')
      .values(values.slice(i, i + 100))
      .execute();
  return { id, replaced };
}
