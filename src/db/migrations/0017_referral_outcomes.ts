import type { Kysely } from 'kysely';

// What professional standards concluded about a referred report: the outcome, the IOPC's
// reference when it was referred to the IOPC, the reason, who and when. A report referred
// again after an amendment gets another row; rows are never changed or deleted.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('uof_report_referral_outcome')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('report_id', 'text', (c) => c.notNull().references('uof_report.id'))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('iopc_reference', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('report_version', 'integer', (c) => c.notNull())
    .addColumn('recorded_by_user_id', 'text')
    .addColumn('recorded_by_label', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('uof_report_referral_outcome_report_idx').on('uof_report_referral_outcome').columns(['report_id', 'recorded_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('uof_report_referral_outcome').execute();
}
