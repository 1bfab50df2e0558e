import { sql, type Kysely } from 'kysely';

// Duty rosters, crewing policy and saved crews (issue 14).
//
// - `shift`: one officer's rostered shift, as a duty-rostering system sends it (`cedar import
//   shifts`, `POST /api/v1/shifts`). `london_date` is the London date the roster gives (the day
//   the shift starts); `starts_at` and `ends_at` are the real UTC instants (ISO 8601), so a shift
//   across a clock change has its real length and `ends_at` is always after `starts_at`. The
//   natural key is (force_id, officer_id, starts_at): importing the same shift again changes
//   nothing, and a shift with the same officer and start but a different end, borough, team or
//   call sign replaces the stored one (its `revision` goes up; the import's audit entry names it).
//   `borough_id` is where the officer is on duty (coverage counts by it); `team_id` and
//   `call_sign` are optional. `source` is cli, upload or api. Coverage reads shifts by
//   (force_id, borough_id, starts_at): a shift is under 25 hours long, so the shifts covering an
//   instant all start within the 25 hours before it.
// - `crewing_policy`: the crewing rules (issue 14 "Crewing policy"). `scope` is `force` for the
//   force-wide default or a borough's id for that borough's override (one row each, unique).
//   `carriers_per_crew` 1 (a pair in which one carries) or 2 (both carry); `solo_ranks` a JSON
//   array of the ranks that may deploy alone; `minimum_crews` the Taser-equipped crews a borough
//   must have on duty at every hour (force-wide units are counted apart, never towards a
//   borough's minimum); the shift's briefing runs from `briefing_before_minutes` before its
//   start to `briefing_after_minutes` after it. No row means the defaults
//   (domain/crewing/policy.ts). `revision` is compared and set by every change.
// - `crew` and `crew_member`: the crews a sergeant saves on the briefing page for one shift
//   period of a borough (and team): its call sign, the period (`starts_at`/`ends_at`, UTC, and
//   the London date it starts), and its members, each `carrier` (carries a Taser; `device_id`
//   is the device proposed or signed out to them, pre-filled at the sign-out gate), `partner`
//   (crewed with a carrier, does not carry) or `solo` (deploys alone, may carry). A crew is
//   Taser-equipped when it has the carriers the policy asks for. (force_id, borough_id,
//   starts_at, call_sign) is unique: saving the crews again replaces them (revision up), and an
//   officer is in at most one crew of a period (crew_member's (force_id, officer_id, starts_at)
//   is unique).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shift')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('officer.id'))
    .addColumn('borough_id', 'text', (c) => c.notNull().references('borough.id'))
    .addColumn('team_id', 'text', (c) => c.references('team.id'))
    .addColumn('call_sign', 'text')
    .addColumn('london_date', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('shift_officer_start_uq', ['force_id', 'officer_id', 'starts_at'])
    .addCheckConstraint('shift_order_ck', sql`ends_at > starts_at`)
    .execute();
  await db.schema.createIndex('shift_borough_idx').on('shift').columns(['force_id', 'borough_id', 'starts_at']).execute();
  await db.schema.createIndex('shift_start_idx').on('shift').columns(['force_id', 'starts_at']).execute();

  await db.schema
    .createTable('crewing_policy')
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('borough_id', 'text', (c) => c.references('borough.id'))
    .addColumn('carriers_per_crew', 'integer', (c) => c.notNull())
    .addColumn('solo_ranks', 'text', (c) => c.notNull())
    .addColumn('minimum_crews', 'integer', (c) => c.notNull())
    .addColumn('briefing_before_minutes', 'integer', (c) => c.notNull())
    .addColumn('briefing_after_minutes', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('crewing_policy_pk', ['force_id', 'scope'])
    .addCheckConstraint('crewing_policy_carriers_ck', sql`carriers_per_crew in (1, 2)`)
    .addCheckConstraint('crewing_policy_minimum_ck', sql`minimum_crews >= 0`)
    .execute();

  await db.schema
    .createTable('crew')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('borough_id', 'text', (c) => c.notNull().references('borough.id'))
    .addColumn('team_id', 'text', (c) => c.references('team.id'))
    .addColumn('call_sign', 'text', (c) => c.notNull())
    .addColumn('london_date', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('saved_by', 'text', (c) => c.notNull())
    .addColumn('saved_at', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('crew_call_sign_uq', ['force_id', 'borough_id', 'starts_at', 'call_sign'])
    .addCheckConstraint('crew_order_ck', sql`ends_at > starts_at`)
    .execute();
  await db.schema.createIndex('crew_period_idx').on('crew').columns(['force_id', 'borough_id', 'starts_at']).execute();

  await db.schema
    .createTable('crew_member')
    .addColumn('crew_id', 'text', (c) => c.notNull().references('crew.id').onDelete('cascade'))
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('officer.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.references('device.id'))
    .addPrimaryKeyConstraint('crew_member_pk', ['crew_id', 'officer_id'])
    .addUniqueConstraint('crew_member_period_uq', ['force_id', 'officer_id', 'starts_at'])
    .addCheckConstraint('crew_member_role_ck', sql`role in ('carrier', 'partner', 'solo')`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['crew_member', 'crew', 'crewing_policy', 'shift']) await db.schema.dropTable(t).execute();
}
