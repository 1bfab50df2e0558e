import type { Kysely } from 'kysely';
import { countChanges, stopCounting } from './0022_change_counters.js';

// The briefing page's cache (issue 14, its speed): a change counter `rosters` (as migration 0022's)
// on everything a shift briefing shows beyond authority and the fleet: the shifts, the crewing
// policy, the saved crews and their members, and the sign-outs (who holds a device now). And an
// index to find the crews of one start across the force (an officer is in one crew of a start,
// a device goes to one carrier), which crew_member's unique key (officer first) cannot serve.
const TABLES = ['shift', 'crewing_policy', 'crew', 'crew_member', 'device_issue'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.insertInto('change_counter').values({ name: 'rosters', n: 0 }).execute();
  await countChanges(db, 'rosters', TABLES);
  await db.schema.createIndex('crew_member_start_idx').on('crew_member').columns(['force_id', 'starts_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('crew_member_start_idx').execute();
  await stopCounting(db, TABLES);
  await db.deleteFrom('change_counter').where('name', '=', 'rosters').execute();
}
