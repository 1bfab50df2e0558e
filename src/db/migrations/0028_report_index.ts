import type { Kysely } from 'kysely';

// The write path (issue 15, a write path for a busy night): every report written updates each
// index of uof_report, and the commit writes each page they touch. The index on
// (force_id, occurred_on) of migration 0006 is the start of migration 0007's index on
// (force_id, occurred_on, id), which serves every query it served (as migration 0027 found for
// the imported reports).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('uof_report_occurred_on_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('uof_report_occurred_on_idx').on('uof_report').columns(['force_id', 'occurred_on']).execute();
}
