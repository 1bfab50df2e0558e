import { sql, type Kysely } from 'kysely';

// Device event logs and their reconciliation with reports (issue 13).
//
// - `device_log_entry`: one entry of a device's own log, as downloaded. `(force_id, device_serial,
//   sequence)` identifies it, so importing the same download twice, or two overlapping downloads,
//   adds nothing. `device_time` is the device's clock (`YYYY-MM-DD HH:MM:SS`, UTC with no zone);
//   `true_time` is the right UTC instant, on time_sync entries only. The serial is kept as the log
//   gives it (upper-cased), whether or not the register knows it.
// - `device_log_download`: each download imported (a file, an upload, an API call), per device in
//   it: how many entries it held and how many were new. A device's last download is the newest.
// - `reconciliation_run`: each run of `cedar reconcile` (or the page's "run now"): the London dates
//   it covered and its summary as JSON.
// - `reconciliation_exception`: what did not add up. `key` is the exception's identity across
//   runs (kind, serial, and the first entry or the report it rests on); `evidence` a fingerprint of
//   what it rests on. A run that finds the same key with the same evidence leaves a resolved
//   exception resolved; new evidence reopens it. `state` is open, resolved, or cleared (a later run
//   no longer found it). `revision` is compared and set by every change.
// - `reconciliation_match`: a report (Cedar's or an imported row) confirmed by an episode of a
//   device's log, with the episode's cycles, for the report page and the release's count.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_log_entry')
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('device_serial', 'text', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('device_time', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('duration_s', 'double precision')
    .addColumn('bay', 'integer')
    .addColumn('cartridge_serial', 'text')
    .addColumn('battery_pct', 'integer')
    .addColumn('temperature_c', 'double precision')
    .addColumn('true_time', 'text')
    .addColumn('download_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('device_log_entry_pk', ['force_id', 'device_serial', 'sequence'])
    .addCheckConstraint('device_log_entry_event_ck', sql`event in ('armed', 'safe', 'trigger', 'arc', 'time_sync', 'other')`)
    .execute();

  await db.schema
    .createTable('device_log_download')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('device_serial', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.references('device.id'))
    // cli, upload or api
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .addColumn('added', 'integer', (c) => c.notNull())
    .addColumn('first_sequence', 'integer', (c) => c.notNull())
    .addColumn('last_sequence', 'integer', (c) => c.notNull())
    .addColumn('downloaded_at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .execute();
  await db.schema.createIndex('device_log_download_device_idx').on('device_log_download').columns(['force_id', 'device_serial', 'downloaded_at']).execute();

  await db.schema
    .createTable('reconciliation_run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('from_on', 'text', (c) => c.notNull())
    .addColumn('to_on', 'text', (c) => c.notNull())
    .addColumn('ran_at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reconciliation_run_force_idx').on('reconciliation_run').columns(['force_id', 'ran_at']).execute();

  await db.schema
    .createTable('reconciliation_exception')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('device_serial', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.references('device.id'))
    .addColumn('borough_id', 'text', (c) => c.references('borough.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    // JSON arrays: the reports' ids and their references (incident references, or file:line)
    .addColumn('report_ids', 'text', (c) => c.notNull())
    .addColumn('report_refs', 'text', (c) => c.notNull())
    .addColumn('officer_id', 'text', (c) => c.references('officer.id'))
    .addColumn('officer_collar', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('resolution_reason', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('found_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('reconciliation_exception_key_uq', ['force_id', 'key'])
    .addCheckConstraint('reconciliation_exception_state_ck', sql`state in ('open', 'resolved', 'cleared')`)
    .execute();
  await db.schema.createIndex('reconciliation_exception_list_idx').on('reconciliation_exception').columns(['force_id', 'state', 'kind', 'starts_at']).execute();
  await db.schema.createIndex('reconciliation_exception_borough_idx').on('reconciliation_exception').columns(['force_id', 'borough_id', 'state']).execute();

  await db.schema
    .createTable('reconciliation_match')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    // report (Cedar's) or imported (a Met-format row)
    .addColumn('report_kind', 'text', (c) => c.notNull())
    .addColumn('report_id', 'text', (c) => c.notNull())
    .addColumn('device_serial', 'text', (c) => c.notNull())
    .addColumn('episode_starts_at', 'text', (c) => c.notNull())
    .addColumn('episode_ends_at', 'text', (c) => c.notNull())
    .addColumn('triggers', 'integer', (c) => c.notNull())
    .addColumn('arcs', 'integer', (c) => c.notNull())
    // how far the episode's true time may be out, in seconds (rule 1: no sync since)
    .addColumn('widen_s', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON array of the cycles' lengths in seconds
    .addColumn('cycles', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('matched_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reconciliation_match_report_idx').on('reconciliation_match').columns(['force_id', 'report_id']).execute();
  await db.schema.createIndex('reconciliation_match_episode_idx').on('reconciliation_match').columns(['force_id', 'episode_starts_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['reconciliation_match', 'reconciliation_exception', 'reconciliation_run', 'device_log_download', 'device_log_entry']) await db.schema.dropTable(t).execute();
}
