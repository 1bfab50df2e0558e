import { sql, type Kysely } from 'kysely';

// Use-of-force reports. The report's content is one JSON document validated by the domain
// schema (src/domain/report/content.ts); the columns beside it are derived from it for
// lists, queues and statistics. Submitted versions are immutable snapshots; the events
// table is the report's timeline.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('incident')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('borough_id', 'text', (c) => c.references('borough.id'))
    .addColumn('occurred_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('incident_force_reference_uq', ['force_id', 'reference'])
    .execute();

  await db.schema
    .createTable('uof_report')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('incident_id', 'text', (c) => c.references('incident.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('officer.id'))
    .addColumn('author_user_id', 'text', (c) => c.notNull().references('app_user.id'))
    .addColumn('borough_id', 'text', (c) => c.references('borough.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('highest_level', 'text')
    .addColumn('discharge', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`discharge in (0, 1)`),
    )
    .addColumn('ced_used', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`ced_used in (0, 1)`),
    )
    .addColumn('serious', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`serious in (0, 1)`),
    )
    .addColumn('occurred_at', 'text')
    .addColumn('due_at', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('signed_off_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('uof_report_status_idx').on('uof_report').columns(['force_id', 'status', 'borough_id']).execute();
  await db.schema.createIndex('uof_report_officer_idx').on('uof_report').columns(['officer_id', 'created_at']).execute();
  await db.schema.createIndex('uof_report_incident_idx').on('uof_report').column('incident_id').execute();
  await db.schema.createIndex('uof_report_occurred_idx').on('uof_report').columns(['force_id', 'occurred_at']).execute();

  await db.schema
    .createTable('uof_report_version')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('report_id', 'text', (c) => c.notNull().references('uof_report.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_by_user_id', 'text')
    .addColumn('created_by_label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('uof_report_version_uq', ['report_id', 'version'])
    .execute();

  await db.schema
    .createTable('uof_report_event')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('report_id', 'text', (c) => c.notNull().references('uof_report.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('version', 'integer')
    .addColumn('changes', 'text')
    .execute();
  await db.schema.createIndex('uof_report_event_report_idx').on('uof_report_event').columns(['report_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['uof_report_event', 'uof_report_version', 'uof_report', 'incident']) await db.schema.dropTable(t).execute();
}
