import type { Kysely } from 'kysely';

// Statistics read a period's rows in (occurred_on, id) order, a page at a time: these
// indexes make each page a range scan instead of a sort of the whole period.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('uof_report_stats_idx').on('uof_report').columns(['force_id', 'occurred_on', 'id']).execute();
  await db.schema.createIndex('imported_report_stats_idx').on('imported_report').columns(['force_id', 'occurred_on', 'id']).execute();
  await db.schema.createIndex('imported_report_level_idx').on('imported_report').columns(['force_id', 'occurred_on', 'highest_level']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const i of ['uof_report_stats_idx', 'imported_report_stats_idx', 'imported_report_level_idx']) await db.schema.dropIndex(i).execute();
}
