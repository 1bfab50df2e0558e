import { sql, type Kysely } from 'kysely';

// The force's name as the Home Office tables spell it ("Metropolitan" for the Metropolitan
// Police Service), used in the Home Office return and the national comparison.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('force').addColumn('home_office_name', 'text').execute();
  await sql`update force set home_office_name = case when name = 'Metropolitan Police Service' then 'Metropolitan' else name end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('force').dropColumn('home_office_name').execute();
}
