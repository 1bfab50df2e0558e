import type { Kysely } from 'kysely';

// A session's result recorded wrongly is corrected, never silently overwritten: the record
// keeps the result it had, why it was corrected, by whom and when (and the audit log keeps
// every correction).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('training_record').addColumn('previous_result', 'text').execute();
  await db.schema.alterTable('training_record').addColumn('correction_reason', 'text').execute();
  await db.schema.alterTable('training_record').addColumn('corrected_by_label', 'text').execute();
  await db.schema.alterTable('training_record').addColumn('corrected_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const c of ['corrected_at', 'corrected_by_label', 'correction_reason', 'previous_result']) await db.schema.alterTable('training_record').dropColumn(c).execute();
}
