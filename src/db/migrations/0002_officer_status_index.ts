import type { Kysely } from 'kysely';

// The officer list filters by status (serving by default) and sorts by name: this index
// answers both, and makes the count of serving officers an index-only scan.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('officer_status_name_idx').on('officer').columns(['force_id', 'status', 'last_name', 'first_name']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('officer_status_name_idx').execute();
}
