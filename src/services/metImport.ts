import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Executor } from '../db/database.js';
import type { ImportedReportTable } from '../db/schema.js';
import { newId, nowIso } from '../db/ids.js';
import * as org from '../db/repositories/organisation.js';
import { factColumns } from '../db/repositories/reports.js';
import { metFileRows, type MetEncoding } from '../domain/met/read.js';
import { reportToMetRow, type ImportedContent } from '../domain/met/rows.js';
import { incidentInstant, readContent, type StoredContent } from '../domain/report/content.js';
import { isDischarge } from '../domain/report/levels.js';
import { factsOf } from '../domain/stats/facts.js';
import type { RowError } from '../domain/roster.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';

export interface MetImportResult {
  file: string;
  encoding: MetEncoding;
  /** The file cannot be imported (wrong layout, empty): nothing was read or stored. */
  problem: string | null;
  read: number;
  imported: number;
  alreadyPresent: number;
  rejected: number;
  /** Every problem in every rejected row, by line then column, with the row's values for a rejects file. */
  rejects: (RowError & { values: string[] })[];
  header: string[];
}

const BATCH = 1000;

/** A row's identity: its published values, and how many identical rows came before it in the file. */
function sourceKey(values: readonly string[], seen: Map<string, number>): string {
  const hash = createHash('sha256').update(values.join('\u001f')).digest('base64url');
  const n = (seen.get(hash) ?? 0) + 1;
  seen.set(hash, n);
  return `${hash}:${n}`;
}

/**
 * Imports a file in the Met's published use-of-force layout as historical reports of the
 * force (marked as imported). Readable rows are stored, unreadable ones are returned with
 * line, column and reason; a file of the wrong layout stores nothing. Re-importing the same
 * file adds nothing: each row is known by its values (and its place among identical rows).
 * One transaction, with one audit entry.
 */
export async function importMetFile(svc: Services, actor: Actor, input: { fileName: string; bytes: Uint8Array }, opts: { onProgress?: (rows: number) => void } = {}): Promise<MetImportResult> {
  const force = await getForce(svc);
  const file = path.basename(input.fileName);
  const opened = metFileRows(input.bytes);
  const result: MetImportResult = { file, encoding: opened.encoding, problem: opened.problem?.message ?? null, read: 0, imported: 0, alreadyPresent: 0, rejected: 0, rejects: [], header: opened.header };
  if (opened.problem) return result;
  const boroughs = new Map((await org.listBoroughs(svc.database.db, force.id)).map((b) => [b.name.toLowerCase(), b.id]));
  const seen = new Map<string, number>();

  await change(svc, actor, async (trx, audit) => {
    let batch: Parameters<typeof insertBatch>[1] = [];
    const flush = async () => {
      const inserted = await insertBatch(trx, batch);
      result.imported += inserted;
      result.alreadyPresent += batch.length - inserted;
      batch = [];
      opts.onProgress?.(result.read);
    };
    for (const row of opened.rows) {
      result.read++;
      if (!row.ok) {
        result.rejected++;
        result.rejects.push(...row.errors.map((e) => ({ ...e, values: row.values })));
        continue;
      }
      const content = row.report.content;
      const values = reportToMetRow(content);
      const date = content.incident.date!;
      const borough = content.incident.borough;
      batch.push({
        id: newId(),
        force_id: force.id,
        source_key: sourceKey(values, seen),
        source_file: file,
        source_line: row.line,
        occurred_at: incidentInstant(date, content.incident.time ?? '00:00').toISOString(),
        borough_id: borough ? (boroughs.get(borough.toLowerCase()) ?? null) : null,
        borough_name: borough,
        highest_level: row.report.highestLevel,
        discharge: isDischarge(row.report.highestLevel) ? 1 : 0,
        ced_used: row.report.highestLevel !== null ? 1 : 0,
        ...factColumns({ occurredOn: date, facts: factsOf(content) }),
        row: JSON.stringify(content),
        imported_at: nowIso(),
      });
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length) await flush();
    await audit({ action: 'met.import', entityType: 'imported_report', entityId: null, summary: { file, read: result.read, imported: result.imported, alreadyPresent: result.alreadyPresent, rejected: result.rejected } });
  });
  return result;
}

type ImportedRow = ImportedReportTable & { row: string };

/** Inserts rows not already present, each with its published row kept apart; returns how many were new. */
async function insertBatch(db: Executor, rows: ImportedRow[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const added = await db
      .insertInto('imported_report')
      .values(chunk.map(({ row: _row, ...facts }) => facts))
      .onConflict((oc) => oc.columns(['force_id', 'source_key']).doNothing())
      .returning('id')
      .execute();
    if (added.length) {
      const rowOf = new Map(chunk.map((r) => [r.id, r.row]));
      await db.insertInto('imported_report_row').values(added.map((a) => ({ id: a.id, row: rowOf.get(a.id)! }))).execute();
    }
    inserted += added.length;
  }
  return inserted;
}

/** The imported rows of a period, as the published layout's values. */
export async function* importedMetRows(svc: Services, from: string, toExclusive: string): AsyncGenerator<string[][]> {
  const force = await getForce(svc);
  let after = '';
  for (;;) {
    const rows = await svc.database.db
      .selectFrom('imported_report as i')
      .innerJoin('imported_report_row as r', 'r.id', 'i.id')
      .select(['i.id', 'r.row'])
      .where('i.force_id', '=', force.id)
      .where('i.occurred_on', '>=', from)
      .where('i.occurred_on', '<', toExclusive)
      .where('i.id', '>', after)
      .orderBy('i.id')
      .limit(5000)
      .execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => reportToMetRow(JSON.parse(r.row) as ImportedContent));
  }
}

/** Cedar's own recorded reports of a period (never drafts), as the published layout's values. */
export async function* cedarMetRows(svc: Services, from: string, toExclusive: string): AsyncGenerator<string[][]> {
  const force = await getForce(svc);
  let after = '';
  for (;;) {
    const rows = await svc.database.db
      .selectFrom('uof_report as r')
      .leftJoin('borough as b', 'b.id', 'r.borough_id')
      .select(['r.id', 'r.content', 'b.name as borough_name'])
      .where('r.force_id', '=', force.id)
      .where('r.status', '!=', 'draft')
      .where('r.occurred_on', '>=', from)
      .where('r.occurred_on', '<', toExclusive)
      .where('r.id', '>', after)
      .orderBy('r.id')
      .limit(2000)
      .execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => reportToMetRow(readContent(JSON.parse(r.content) as StoredContent).content, { boroughName: () => r.borough_name }));
  }
}
