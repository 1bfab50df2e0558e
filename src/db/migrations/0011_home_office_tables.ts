import type { Kysely } from 'kysely';

// Published Home Office tables of Taser (CED) use by force, one per period, loaded with
// `cedar import home-office-ced FILE --period P` for the national comparison. A table is
// national (every force, region and England and Wales), so it belongs to no force. Loading
// a period again replaces its table: `period_key` is unique.
const COUNT_COLUMNS = ['total', 'total_non_discharge', 'drawn', 'aimed', 'red_dot', 'arced', 'total_discharge', 'drive_stun', 'fired', 'angled_drive_stun', 'not_stated'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('home_office_table')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('period_key', 'text', (c) => c.notNull().unique())
    .addColumn('period_kind', 'text', (c) => c.notNull())
    .addColumn('period_label', 'text', (c) => c.notNull())
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to_exclusive', 'text', (c) => c.notNull())
    .addColumn('source_file', 'text', (c) => c.notNull())
    .addColumn('source_sha256', 'text', (c) => c.notNull())
    .addColumn('loaded_at', 'text', (c) => c.notNull())
    .addColumn('loaded_by', 'text', (c) => c.notNull())
    .execute();

  let rows = db.schema
    .createTable('home_office_table_row')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('table_id', 'text', (c) => c.notNull().references('home_office_table.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    // `force`, `region_total` or `england_and_wales`
    .addColumn('row_kind', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    // As published: `Metropolitan`, `*Total London`, `Total England and Wales`.
    .addColumn('police_force', 'text', (c) => c.notNull());
  for (const name of COUNT_COLUMNS) rows = rows.addColumn(name, 'integer', (c) => c.notNull());
  await rows.addUniqueConstraint('home_office_table_row_position_uq', ['table_id', 'position']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('home_office_table_row').execute();
  await db.schema.dropTable('home_office_table').execute();
}
