import { sql, type Kysely } from 'kysely';

// Releases corrected in the open, and an audit log that a database writer cannot quietly
// rewrite or cut short.
//
// - `release.supersedes`: the number of the published release this one corrects, with the
//   reason (`supersede_reason`, shown to the public on both releases). A release is
//   superseded at most once; the release it corrects is never changed or deleted.
// - `release.audit_head_seq` / `audit_head_hash`: the audit chain's newest entry when the
//   release was published, published with it so that anyone can later check the log still
//   reaches that far with that hash.
// - `audit_log.keyed`: the entry's hash is an HMAC with CEDAR_AUDIT_KEY (entries written
//   before Cedar had a key stay plain SHA-256 and still verify).
// - at most one draft release per force (the draft is replaced, never doubled).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('audit_log')
    .addColumn('keyed', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`keyed in (0, 1)`),
    )
    .execute();
  await db.schema.alterTable('release').addColumn('supersedes', 'integer').execute();
  await db.schema.alterTable('release').addColumn('supersede_reason', 'text').execute();
  await db.schema.alterTable('release').addColumn('audit_head_seq', 'integer').execute();
  await db.schema.alterTable('release').addColumn('audit_head_hash', 'text').execute();
  await db.schema.createIndex('release_supersedes_uq').unique().on('release').columns(['force_id', 'supersedes']).execute();
  // Two analysts preparing at once on PostgreSQL could leave two drafts before this: keep each
  // force's newest (drafts are never public, and preparing replaces the draft anyway).
  const extra = sql`select d.id from release d where d.status = 'draft' and exists (select 1 from release n where n.force_id = d.force_id and n.status = 'draft' and (n.prepared_at > d.prepared_at or (n.prepared_at = d.prepared_at and n.id > d.id)))`;
  await sql`delete from release_file where release_id in (${extra})`.execute(db);
  await sql`delete from release where id in (${extra})`.execute(db);
  await db.schema.createIndex('release_one_draft_uq').unique().on('release').column('force_id').where(sql.ref('status'), '=', 'draft').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('release_one_draft_uq').execute();
  await db.schema.dropIndex('release_supersedes_uq').execute();
  for (const c of ['audit_head_hash', 'audit_head_seq', 'supersede_reason', 'supersedes']) await db.schema.alterTable('release').dropColumn(c).execute();
  await db.schema.alterTable('audit_log').dropColumn('keyed').execute();
}
