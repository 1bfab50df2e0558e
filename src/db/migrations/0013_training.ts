import type { Kysely } from 'kysely';

// Training, authority to carry and the uplift plan (issue 5).
// Authority is never stored: it is derived from `training_record` (passes, fails, the
// models a pass qualifies for) and `authority_restriction` (suspensions and withdrawals).
// A course `session` writes a training record per result; historical records are imported
// (`source_key` makes an import idempotent). The uplift targets are one row per force.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('course_type')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    // short stable name used by imports: `initial-x2`, `refresher`, `conversion-x26-x2`
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // `initial`, `refresher` or `conversion`
    .addColumn('kind', 'text', (c) => c.notNull())
    // JSON array of the device models a pass qualifies for: ["X2"]
    .addColumn('qualifies_for', 'text', (c) => c.notNull())
    .addColumn('min_hours', 'integer', (c) => c.notNull())
    .addColumn('days', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('course_type_code_uq', ['force_id', 'code'])
    .execute();

  await db.schema
    .createTable('training_session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('course_type_id', 'text', (c) => c.notNull().references('course_type.id'))
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    // the borough the session is held in, if any (for "sessions near you")
    .addColumn('borough_id', 'text', (c) => c.references('borough.id'))
    .addColumn('capacity', 'integer', (c) => c.notNull())
    // `scheduled`, `completed` (results recorded) or `cancelled`
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('training_session_starts_idx').on('training_session').columns(['force_id', 'starts_on']).execute();

  await db.schema
    .createTable('session_trainer')
    .addColumn('session_id', 'text', (c) => c.notNull().references('training_session.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('officer.id'))
    .addPrimaryKeyConstraint('session_trainer_pk', ['session_id', 'officer_id'])
    .execute();

  await db.schema
    .createTable('enrolment')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('training_session.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('officer.id'))
    // `enrolled`, `waiting` or `cancelled`
    .addColumn('status', 'text', (c) => c.notNull())
    // order on the waiting list: when they asked
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('attended', 'integer')
    // `pass`, `fail` or `did_not_finish` once recorded
    .addColumn('result', 'text')
    .addColumn('result_reason', 'text')
    .addColumn('recorded_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('enrolment_officer_uq', ['session_id', 'officer_id'])
    .execute();
  await db.schema.createIndex('enrolment_officer_idx').on('enrolment').columns(['officer_id']).execute();

  await db.schema
    .createTable('training_record')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('officer.id'))
    .addColumn('course_type_id', 'text', (c) => c.notNull().references('course_type.id'))
    .addColumn('completed_on', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('session_id', 'text', (c) => c.references('training_session.id'))
    // `session` or `import`
    .addColumn('source', 'text', (c) => c.notNull())
    // for imports: officer, course and date, so loading a file again adds nothing
    .addColumn('source_key', 'text', (c) => c.unique())
    .addColumn('created_by_label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('training_record_officer_idx').on('training_record').columns(['officer_id', 'completed_on']).execute();

  await db.schema
    .createTable('authority_restriction')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('officer.id'))
    // `suspension` or `withdrawal`
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_on', 'text', (c) => c.notNull())
    // the day it ended (not included); null while in force
    .addColumn('to_on', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by_label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ended_by_label', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema.createIndex('authority_restriction_officer_idx').on('authority_restriction').columns(['officer_id']).execute();

  await db.schema
    .createTable('uplift_plan')
    .addColumn('force_id', 'text', (c) => c.primaryKey().references('force.id'))
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('baseline_authorised', 'integer', (c) => c.notNull())
    .addColumn('target_authorised', 'integer', (c) => c.notNull())
    .addColumn('target_devices', 'integer', (c) => c.notNull())
    .addColumn('borough_minimum', 'integer', (c) => c.notNull())
    // whole percent of the new officers to come from emergency response teams
    .addColumn('emergency_response_percent', 'integer', (c) => c.notNull())
    // JSON: the planner's assumptions (capacity, pass rates, attrition)
    .addColumn('assumptions', 'text', (c) => c.notNull())
    .addColumn('updated_by_label', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['uplift_plan', 'authority_restriction', 'training_record', 'enrolment', 'session_trainer', 'training_session', 'course_type']) {
    await db.schema.dropTable(t).execute();
  }
}
