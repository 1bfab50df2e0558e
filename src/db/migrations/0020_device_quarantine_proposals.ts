import { sql, type Kysely } from 'kysely';

// Quarantine proposals (issue 12): submitting a report of a Taser discharge with death or
// serious injury proposes quarantining the device it names, for professional standards to
// decide. `device_id` is null when the serial is not in the register (the serial is kept as
// typed). `decided_at` is null while the proposal is open; a decision is a compare-and-set on
// it, so two people deciding at once cannot both win. One proposal per report and serial.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_quarantine_proposal')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('report_id', 'text', (c) => c.notNull().references('uof_report.id'))
    .addColumn('device_id', 'text', (c) => c.references('device.id'))
    .addColumn('device_serial', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('proposed_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decision', 'text')
    .addColumn('decision_note', 'text')
    .addCheckConstraint('device_quarantine_decision_ck', sql`decision is null or decision in ('quarantined', 'declined')`)
    .addUniqueConstraint('device_quarantine_report_uq', ['report_id', 'device_serial'])
    .execute();
  await db.schema.createIndex('device_quarantine_open_idx').on('device_quarantine_proposal').columns(['force_id', 'decided_at', 'proposed_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_quarantine_proposal').execute();
}
