import type { Kysely } from 'kysely';

// A report's row revision, bumped by every write to the row. Every write reads the report
// inside its transaction and writes only `where revision = <the one it read>`, so two writers
// can never both succeed on the same state; pages carry the revision they were rendered from
// (and the API takes it as If-Match), so a person whose page is out of date is told, not
// silently overwritten or overwriting.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('uof_report')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('uof_report').dropColumn('revision').execute();
}
