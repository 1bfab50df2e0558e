import { sql, type Kysely } from 'kysely';

// The published row of an imported report is large (every answer of 271 columns) and read
// only to export it; statistics read the narrow columns of many rows. Kept in one table,
// every statistics query paid for reading the rows' text. The row now lives apart.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('imported_report_row')
    .addColumn('id', 'text', (c) => c.primaryKey().references('imported_report.id'))
    .addColumn('row', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into imported_report_row (id, row) select id, row from imported_report`.execute(db);
  await db.schema.alterTable('imported_report').dropColumn('row').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imported_report').addColumn('row', 'text').execute();
  await sql`update imported_report set row = (select r.row from imported_report_row r where r.id = imported_report.id)`.execute(db);
  await db.schema.dropTable('imported_report_row').execute();
}
