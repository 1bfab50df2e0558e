import { sql, type Kysely } from 'kysely';

/**
 * Issue 10, accounts and access:
 * - API tokens get scopes (a JSON array of `<resource>:read|write`) and an expiry. Tokens made
 *   before this had no limits: they keep the API scopes of the time (they still cannot sign in
 *   to pages, and their account's roles still apply) and expire 90 days after this upgrade.
 * - One account per officer record, guaranteed by a unique index. The upgrade stops, naming
 *   the accounts, if two accounts already share an officer.
 * - Ended sessions are deleted by expiry time: indexed.
 * - Forms sent after the session ended are kept, under a one-time key, for an hour.
 */
const SCOPES_AT_0015 = ['officers:read', 'officers:write', 'organisation:read', 'reports:read', 'reports:write', 'training:read', 'training:write'];

export async function up(db: Kysely<any>): Promise<void> {
  const shared = await db
    .selectFrom('app_user')
    .select(['officer_id', 'email'])
    .where('officer_id', 'in', (eb: any) =>
      eb
        .selectFrom('app_user')
        .select('officer_id')
        .where('officer_id', 'is not', null)
        .groupBy('officer_id')
        .having(sql`count(*)`, '>', 1),
    )
    .orderBy('officer_id')
    .orderBy('email')
    .execute();
  if (shared.length) {
    const byOfficer = new Map<string, string[]>();
    for (const r of shared) byOfficer.set(r.officer_id, [...(byOfficer.get(r.officer_id) ?? []), r.email]);
    const lines = [...byOfficer].map(([officer, emails]) => `  officer ${officer}: ${emails.join(', ')}`);
    throw new Error(
      `Two or more accounts are linked to the same officer record, which Cedar no longer allows:\n${lines.join('\n')}\n` +
        `Keep the link on one account and remove it from the others (e.g. update app_user set officer_id = null where email = '...'), then start Cedar again.`,
    );
  }
  await db.schema.createIndex('app_user_officer_idx').on('app_user').column('officer_id').unique().execute();

  await db.schema
    .alterTable('api_token')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('api_token').addColumn('expires_at', 'text').execute();
  // Migrations run at start: the edge, where the wall clock may be read.
  const expiresAt = new Date(Date.now() + 90 * 86_400_000).toISOString();
  await db
    .updateTable('api_token')
    .set({ scopes: JSON.stringify(SCOPES_AT_0015), expires_at: expiresAt })
    .execute();
  await db.schema.createIndex('api_token_user_idx').on('api_token').column('user_id').execute();

  await db.schema.createIndex('session_expires_idx').on('session').column('expires_at').execute();

  await db.schema
    .createTable('kept_form')
    // SHA-256 of the one-time key held in the browser's cookie.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    // Where the form was sent (path and query), and the page it was on.
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text', (c) => c.notNull())
    // JSON: [[name, value], ...] in the order sent, without passwords or the CSRF token.
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kept_form_user_idx').on('kept_form').column('user_id').execute();
  await db.schema.createIndex('kept_form_expires_idx').on('kept_form').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kept_form').execute();
  await db.schema.dropIndex('session_expires_idx').execute();
  await db.schema.dropIndex('api_token_user_idx').execute();
  await db.schema.alterTable('api_token').dropColumn('expires_at').execute();
  await db.schema.alterTable('api_token').dropColumn('scopes').execute();
  await db.schema.dropIndex('app_user_officer_idx').execute();
}
