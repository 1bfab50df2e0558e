/**
 * Imported reports (rows of the Met's published use-of-force file): their stored columns, and
 * reading them back. Staging and publishing an import's rows is in import-staging.ts.
 */
import type { ImportedContent } from '../../domain/met/rows.js';
import type { HighestLevel } from '../../domain/report/levels.js';
import type { Executor } from '../database.js';
import { newId } from '../ids.js';
import type { StagedReport } from './import-staging.js';
import { factColumns, type StoredFacts } from './reports.js';

/** An imported report as the import read it and worked it out, before it is stored. */
export interface NewImportedReport extends StoredFacts {
  forceId: string;
  /** The row's identity in the force: its values, and its place among identical rows. */
  sourceKey: string;
  sourceFile: string;
  sourceLine: number;
  occurredAt: string;
  boroughId: string | null;
  boroughName: string | null;
  highestLevel: HighestLevel | null;
  discharge: boolean;
  cedUsed: boolean;
  content: ImportedContent;
  /** When the import stored it. */
  importedAt: string;
}

/** An imported report's stored columns and published row, under a new id, ready to stage. */
export function stagedReport(r: NewImportedReport): StagedReport {
  return {
    id: newId(),
    force_id: r.forceId,
    source_key: r.sourceKey,
    source_file: r.sourceFile,
    source_line: r.sourceLine,
    occurred_at: r.occurredAt,
    borough_id: r.boroughId,
    borough_name: r.boroughName,
    highest_level: r.highestLevel,
    discharge: r.discharge ? 1 : 0,
    ced_used: r.cedUsed ? 1 : 0,
    ...factColumns(r),
    row: JSON.stringify(r.content),
    imported_at: r.importedAt,
  };
}

/** The imported reports of a force that occurred in [from, toExclusive) (London days), a page at a time in id order: each as the content read from its file. */
export async function* importedContentPages(db: Executor, forceId: string, from: string, toExclusive: string, pageSize = 5000): AsyncGenerator<ImportedContent[]> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('imported_report as i')
      .innerJoin('imported_report_row as r', 'r.id', 'i.id')
      .select(['i.id', 'r.row'])
      .where('i.force_id', '=', forceId)
      .where('i.occurred_on', '>=', from)
      .where('i.occurred_on', '<', toExclusive)
      .where('i.id', '>', after)
      .orderBy('i.id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => JSON.parse(r.row) as ImportedContent);
  }
}
