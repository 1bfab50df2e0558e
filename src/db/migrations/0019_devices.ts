import { sql, type Kysely } from 'kysely';

// Devices, cartridges and the armoury (issue 12).
//
// - `device_model`: configuration per force (bays, the cartridge types it takes as a JSON
//   array, the training model that authorises carrying it, the day the force stops issuing it).
// - `device`: the fleet register. Its home armoury is a borough's store (`armoury_borough_id`),
//   a force-wide unit's store (`armoury_team_id`), or the central store (both null). `state` is
//   one of the lifecycle's states (domain/devices/lifecycle.ts); `revision` is compared and set
//   by every move, so two terminals moving the same device cannot both win.
// - `device_event`: every move of a device, with who, when, and the note (defect, reason).
// - `cartridge`: serial-numbered, of a type, from a lot, with an expiry day, in an armoury;
//   an expended cartridge names the report of the discharge once someone links it.
// - `device_issue`: a sign-out for a shift, and its return. A device is out at most once and an
//   officer holds at most one device at a time (partial unique indexes on the open issues).
//   `source_key` makes an imported history idempotent.
// - `device_issue_cartridge`: the cartridges issued with it and what became of each.
// - `device_policy`: per force, the spare cartridges allowed beyond a model's bays and the gate
//   reasons an inspector may override.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_model')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('bays', 'integer', (c) => c.notNull())
    .addColumn('cartridge_types', 'text', (c) => c.notNull())
    .addColumn('authorised_by', 'text', (c) => c.notNull())
    .addColumn('stops_issuing_on', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('device_model_name_uq', ['force_id', 'name'])
    .execute();

  await db.schema
    .createTable('device')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('model_id', 'text', (c) => c.notNull().references('device_model.id'))
    .addColumn('firmware', 'text')
    .addColumn('armoury_borough_id', 'text', (c) => c.references('borough.id'))
    .addColumn('armoury_team_id', 'text', (c) => c.references('team.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    // the defect (in repair), the reason (quarantined, withdrawn)
    .addColumn('state_note', 'text')
    // end_of_life, lost or destroyed (withdrawn)
    .addColumn('withdrawal_reason', 'text')
    .addColumn('in_service_on', 'text')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('device_serial_uq', ['force_id', 'serial'])
    .addCheckConstraint('device_one_armoury', sql`armoury_borough_id is null or armoury_team_id is null`)
    .execute();
  await db.schema.createIndex('device_armoury_idx').on('device').columns(['force_id', 'armoury_borough_id', 'state']).execute();

  await db.schema
    .createTable('device_event')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('device.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('move', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('actor_id', 'text')
    .execute();
  await db.schema.createIndex('device_event_device_idx').on('device_event').columns(['device_id', 'at']).execute();

  await db.schema
    .createTable('cartridge')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('lot', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text', (c) => c.notNull())
    .addColumn('armoury_borough_id', 'text', (c) => c.references('borough.id'))
    .addColumn('armoury_team_id', 'text', (c) => c.references('team.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    // the report of the discharge an expended cartridge was used in, once linked
    .addColumn('report_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('cartridge_serial_uq', ['force_id', 'serial'])
    .execute();
  await db.schema.createIndex('cartridge_state_idx').on('cartridge').columns(['force_id', 'state', 'expires_on']).execute();

  await db.schema
    .createTable('device_issue')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('device_id', 'text', (c) => c.notNull().references('device.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('officer.id'))
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('shift_ends_at', 'text')
    .addColumn('returned_at', 'text')
    .addColumn('issued_by', 'text')
    .addColumn('returned_by', 'text')
    // JSON array of the gate reasons an inspector overrode, and why
    .addColumn('override_codes', 'text')
    .addColumn('override_reason', 'text')
    // `import:<line-independent key>` for history brought from another system
    .addColumn('source_key', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('device_issue_device_idx').on('device_issue').columns(['device_id', 'issued_at']).execute();
  await db.schema.createIndex('device_issue_officer_idx').on('device_issue').columns(['officer_id', 'issued_at']).execute();
  await db.schema.createIndex('device_issue_source_uq').unique().on('device_issue').columns(['force_id', 'source_key']).execute();
  await db.schema.createIndex('device_issue_device_out_uq').unique().on('device_issue').column('device_id').where(sql.ref('returned_at'), 'is', null).execute();
  await db.schema.createIndex('device_issue_officer_out_uq').unique().on('device_issue').column('officer_id').where(sql.ref('returned_at'), 'is', null).execute();

  await db.schema
    .createTable('device_issue_cartridge')
    .addColumn('issue_id', 'text', (c) => c.notNull().references('device_issue.id'))
    .addColumn('cartridge_id', 'text', (c) => c.notNull().references('cartridge.id'))
    // null while out; in_store, expended or lost once returned
    .addColumn('outcome', 'text')
    .addColumn('report_id', 'text')
    .addPrimaryKeyConstraint('device_issue_cartridge_pk', ['issue_id', 'cartridge_id'])
    .execute();
  await db.schema.createIndex('device_issue_cartridge_idx').on('device_issue_cartridge').column('cartridge_id').execute();

  await db.schema
    .createTable('device_policy')
    .addColumn('force_id', 'text', (c) => c.primaryKey().references('force.id'))
    .addColumn('spare_cartridges', 'integer', (c) => c.notNull())
    .addColumn('overridable', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['device_policy', 'device_issue_cartridge', 'device_issue', 'cartridge', 'device_event', 'device', 'device_model']) await db.schema.dropTable(t).execute();
}
