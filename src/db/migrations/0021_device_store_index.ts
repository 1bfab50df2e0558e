import type { Kysely } from 'kysely';

// A store's devices in serial order (issue 12, the armoury page's speed): a store's page lists
// the devices it keeps a page at a time by serial, and its devices out start from the store's
// devices. Without this index SQLite read every device of the force in serial order (the
// unique force_id, serial index) and filtered; with it, it reads only the store's, already in
// order. A null borough or team (the central store, a force-wide unit's) is a key like any other.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('device_store_idx').on('device').columns(['force_id', 'armoury_borough_id', 'armoury_team_id', 'serial']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('device_store_idx').execute();
}
