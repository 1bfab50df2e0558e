import { type Kysely } from 'kysely';

// Monthly releases for the public transparency pages. A release is prepared (a draft the
// analyst previews), then published: it takes the next number and never changes again.
// Its figures (`snapshot`, JSON) and its files (gzip, base64 so both databases store plain
// text) are fixed when it is prepared, so what was previewed is what is published.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('release')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    // null while a draft; 1, 2, 3… in order of publication
    .addColumn('number', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('financial_year', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('revisions', 'text')
    .addColumn('rows_count', 'integer', (c) => c.notNull())
    .addColumn('prepared_by_user_id', 'text')
    .addColumn('prepared_by_label', 'text', (c) => c.notNull())
    .addColumn('prepared_at', 'text', (c) => c.notNull())
    .addColumn('published_by_user_id', 'text')
    .addColumn('published_by_label', 'text')
    .addColumn('published_at', 'text')
    .addUniqueConstraint('release_number_uq', ['force_id', 'number'])
    .execute();
  await db.schema.createIndex('release_status_idx').on('release').columns(['force_id', 'status', 'number']).execute();
  await db.schema
    .createTable('release_file')
    .addColumn('release_id', 'text', (c) => c.notNull().references('release.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('gzip_base64', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('release_file_pk', ['release_id', 'name'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('release_file').execute();
  await db.schema.dropTable('release').execute();
}
