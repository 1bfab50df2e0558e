import type { Kysely } from 'kysely';

// An amendment in progress: the sections an officer has changed on a submitted report but
// not yet submitted with a reason. The report itself stays as submitted until then.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('uof_report').addColumn('amendment', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('uof_report').dropColumn('amendment').execute();
}
