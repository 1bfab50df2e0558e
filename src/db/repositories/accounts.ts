import type { Account } from '../../domain/accounts.js';
import type { Role, RoleGrant } from '../../domain/permissions.js';
import type { DatabaseKind, Executor } from '../database.js';
import { newId } from '../ids.js';
import type { UserTable } from '../schema.js';

type UserRow = UserTable;

async function grantsFor(db: Executor, userIds: string[]): Promise<Map<string, RoleGrant[]>> {
  const out = new Map<string, RoleGrant[]>();
  if (userIds.length === 0) return out;
  const rows = await db.selectFrom('user_role').select(['user_id', 'role', 'borough_id']).where('user_id', 'in', userIds).orderBy('role').execute();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ role: r.role as Role, boroughId: r.borough_id });
    out.set(r.user_id, list);
  }
  return out;
}

function toAccount(r: UserRow, roles: RoleGrant[]): Account {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    mustChangePassword: r.must_change_password === 1,
    disabled: r.disabled === 1,
    officerId: r.officer_id,
    roles,
    failedSignIns: r.failed_sign_ins,
    lockedUntil: r.locked_until,
    lastSignInAt: r.last_sign_in_at,
    createdAt: r.created_at,
  };
}

export async function findAccount(db: Executor, id: string): Promise<Account | undefined> {
  const row = await db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
  return row && withRoles(db, row);
}

/** An account row with its roles read. */
async function withRoles(db: Executor, row: UserRow): Promise<Account> {
  return toAccount(row, (await grantsFor(db, [row.id])).get(row.id) ?? []);
}

/** The display names of the accounts with these ids, in one query a few hundred at a time; ids not found are left out. */
export async function accountNames(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('app_user').select(['id', 'display_name']).where('id', 'in', chunk).execute();
    for (const r of rows) out.set(r.id, r.display_name);
  }
  return out;
}

export async function findAccountByEmail(db: Executor, email: string): Promise<(Account & { passwordHash: string }) | undefined> {
  const row = await db.selectFrom('app_user').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  if (!row) return undefined;
  return { ...toAccount(row, (await grantsFor(db, [row.id])).get(row.id) ?? []), passwordHash: row.password_hash };
}

export async function listAccounts(db: Executor, page: { offset: number; limit: number; q?: string }): Promise<{ accounts: Account[]; total: number }> {
  let base = db.selectFrom('app_user');
  if (page.q) {
    const like = `%${page.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) => eb.or([eb('email', 'like', like), eb(eb.fn('lower', ['display_name']), 'like', like)]));
  }
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('email').offset(page.offset).limit(page.limit).execute();
  const grants = await grantsFor(
    db,
    rows.map((r) => r.id),
  );
  return { accounts: rows.map((r) => toAccount(r, grants.get(r.id) ?? [])), total: Number(total.n) };
}

export async function countAccounts(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('app_user')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertAccount(
  db: Executor,
  a: { email: string; displayName: string; passwordHash: string; mustChangePassword: boolean; officerId: string | null; roles: RoleGrant[]; createdAt: string },
): Promise<string> {
  const id = newId();
  const at = a.createdAt;
  await db
    .insertInto('app_user')
    .values({
      id,
      email: a.email,
      display_name: a.displayName,
      password_hash: a.passwordHash,
      must_change_password: a.mustChangePassword ? 1 : 0,
      disabled: 0,
      officer_id: a.officerId,
      failed_sign_ins: 0,
      locked_until: null,
      last_sign_in_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await replaceRoles(db, id, a.roles);
  return id;
}

export async function updateAccount(
  db: Executor,
  id: string,
  a: { email: string; displayName: string; officerId: string | null; disabled: boolean; roles: RoleGrant[]; updatedAt: string },
): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ email: a.email, display_name: a.displayName, officer_id: a.officerId, disabled: a.disabled ? 1 : 0, updated_at: a.updatedAt })
    .where('id', '=', id)
    .execute();
  await replaceRoles(db, id, a.roles);
}

async function replaceRoles(db: Executor, userId: string, roles: RoleGrant[]): Promise<void> {
  await db.deleteFrom('user_role').where('user_id', '=', userId).execute();
  if (roles.length === 0) return;
  await db
    .insertInto('user_role')
    .values(roles.map((r) => ({ id: newId(), user_id: userId, role: r.role, borough_id: r.boroughId })))
    .execute();
}

export async function setPassword(db: Executor, id: string, passwordHash: string, mustChange: boolean, at: string): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ password_hash: passwordHash, must_change_password: mustChange ? 1 : 0, failed_sign_ins: 0, locked_until: null, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** An account's failed sign-ins and lock, its row locked until the transaction ends on PostgreSQL. */
export async function lockSignInState(db: Executor, kind: DatabaseKind, id: string): Promise<{ failedSignIns: number; lockedUntil: string | null }> {
  const r = await db
    .selectFrom('app_user')
    .select(['failed_sign_ins', 'locked_until'])
    .where('id', '=', id)
    .$if(kind === 'postgres', (q) => q.forUpdate())
    .executeTakeFirstOrThrow();
  return { failedSignIns: r.failed_sign_ins, lockedUntil: r.locked_until };
}

export async function recordSignInOutcome(db: Executor, id: string, outcome: { failedSignIns: number; lockedUntil: string | null; lastSignInAt?: string }): Promise<void> {
  await db
    .updateTable('app_user')
    .set({
      failed_sign_ins: outcome.failedSignIns,
      locked_until: outcome.lockedUntil,
      ...(outcome.lastSignInAt ? { last_sign_in_at: outcome.lastSignInAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}

// Sessions ------------------------------------------------------------------

export interface SessionRecord {
  id: string;
  userId: string;
  csrfToken: string;
  expiresAt: string;
  lastSeenAt: string;
}

export async function insertSession(db: Executor, s: { id: string; userId: string; csrfToken: string; createdAt: string; expiresAt: string }): Promise<void> {
  await db.insertInto('session').values({ id: s.id, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt, last_seen_at: s.createdAt }).execute();
}

/** A session with its account, for every signed-in request: the session and account in one query, then the roles. */
export async function findSessionWithAccount(db: Executor, id: string): Promise<{ session: SessionRecord; account: Account } | undefined> {
  const r = await db
    .selectFrom('session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select(['s.id as session_id', 's.csrf_token', 's.expires_at', 's.last_seen_at'])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  const { session_id, csrf_token, expires_at, last_seen_at, ...user } = r;
  return { session: { id: session_id, userId: user.id, csrfToken: csrf_token, expiresAt: expires_at, lastSeenAt: last_seen_at }, account: await withRoles(db, user) };
}

export async function touchSession(db: Executor, id: string, lastSeenAt: string, expiresAt: string): Promise<void> {
  await db.updateTable('session').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id', '=', id).execute();
}

export async function deleteSession(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('session').where('id', '=', id).execute();
}

export async function deleteSessionsForUser(db: Executor, userId: string, exceptId?: string): Promise<void> {
  let q = db.deleteFrom('session').where('user_id', '=', userId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  await q.execute();
}

/** Deletes the sessions that ended before `before`. */
export async function deleteExpiredSessions(db: Executor, before: string): Promise<number> {
  const r = await db.deleteFrom('session').where('expires_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The account linked to an officer record, if any. */
export async function findAccountLinkedToOfficer(db: Executor, officerId: string): Promise<{ id: string; email: string } | undefined> {
  return db.selectFrom('app_user').select(['id', 'email']).where('officer_id', '=', officerId).executeTakeFirst();
}

/**
 * The officer's collar number, locking the officer's row on PostgreSQL until the transaction
 * ends (SQLite has one writer at a time): two accounts linking the same officer at once queue
 * here, and the second then sees the first's link.
 */
export async function lockOfficerForLink(db: Executor, kind: DatabaseKind, officerId: string): Promise<{ collarNumber: string } | undefined> {
  const row = await db
    .selectFrom('officer')
    .select('collar_number')
    .where('id', '=', officerId)
    .$if(kind === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
  return row && { collarNumber: row.collar_number };
}

// API tokens ------------------------------------------------------------------

export interface ApiTokenRecord {
  id: string;
  userId: string;
  userEmail: string;
  name: string;
  tokenPrefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const parseScopes = (json: string): string[] => {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
};

export async function insertApiToken(
  db: Executor,
  t: { userId: string; name: string; tokenHash: string; tokenPrefix: string; scopes: readonly string[]; createdAt: string; expiresAt: string },
): Promise<string> {
  const id = newId(Date.parse(t.createdAt));
  await db
    .insertInto('api_token')
    .values({
      id,
      user_id: t.userId,
      name: t.name,
      token_hash: t.tokenHash,
      token_prefix: t.tokenPrefix,
      scopes: JSON.stringify(t.scopes),
      created_at: t.createdAt,
      expires_at: t.expiresAt,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return id;
}

function tokenQuery(db: Executor) {
  return db
    .selectFrom('api_token as t')
    .innerJoin('app_user as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 'u.email', 't.name', 't.token_prefix', 't.scopes', 't.created_at', 't.expires_at', 't.last_used_at', 't.revoked_at']);
}

type TokenRow = Awaited<ReturnType<ReturnType<typeof tokenQuery>['executeTakeFirstOrThrow']>>;

const toToken = (r: TokenRow): ApiTokenRecord => ({
  id: r.id,
  userId: r.user_id,
  userEmail: r.email,
  name: r.name,
  tokenPrefix: r.token_prefix,
  scopes: parseScopes(r.scopes),
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/**
 * A token by the hash of its secret, whatever its state (the caller decides what expired or revoked
 * means), with its account, for every API request: the token and account in one query, then the roles.
 */
export async function findApiTokenWithAccount(db: Executor, tokenHash: string): Promise<{ token: ApiTokenRecord; account: Account } | undefined> {
  const r = await db
    .selectFrom('api_token as t')
    .innerJoin('app_user as u', 'u.id', 't.user_id')
    .selectAll('u')
    .select(['t.id as token_id', 't.name as token_name', 't.token_prefix', 't.scopes', 't.created_at as token_created_at', 't.expires_at', 't.last_used_at', 't.revoked_at'])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!r) return undefined;
  const { token_id, token_name, token_prefix, scopes, token_created_at, expires_at, last_used_at, revoked_at, ...user } = r;
  const token = toToken({ id: token_id, user_id: user.id, email: user.email, name: token_name, token_prefix, scopes, created_at: token_created_at, expires_at, last_used_at, revoked_at });
  return { token, account: await withRoles(db, user) };
}

export async function findApiToken(db: Executor, id: string): Promise<ApiTokenRecord | undefined> {
  const r = await tokenQuery(db).where('t.id', '=', id).executeTakeFirst();
  return r && toToken(r);
}

/** Tokens whose id or shown prefix is `ref` (a prefix may, rarely, be shared). */
export async function findApiTokensByRef(db: Executor, ref: string): Promise<ApiTokenRecord[]> {
  const rows = await tokenQuery(db)
    .where((eb) => eb.or([eb('t.id', '=', ref), eb('t.token_prefix', '=', ref)]))
    .orderBy('t.created_at')
    .execute();
  return rows.map(toToken);
}

export async function listApiTokens(db: Executor, filter: { userId?: string } = {}): Promise<ApiTokenRecord[]> {
  const rows = await tokenQuery(db)
    .$if(filter.userId !== undefined, (q) => q.where('t.user_id', '=', filter.userId!))
    .orderBy('u.email')
    .orderBy('t.created_at', 'desc')
    .execute();
  return rows.map(toToken);
}

export async function touchApiToken(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: at }).where('id', '=', id).execute();
}

/** Marks a token revoked, if it is not already; returns whether it was changed. */
export async function revokeApiToken(db: Executor, id: string, at: string): Promise<boolean> {
  const r = await db.updateTable('api_token').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// Kept forms ---------------------------------------------------------------------

export interface KeptForm {
  id: string;
  userId: string;
  action: string;
  returnTo: string;
  fields: [string, string][];
  expiresAt: string;
}

/** Keeps one form per account: a newer one replaces any older. */
export async function replaceKeptForm(db: Executor, f: KeptForm & { createdAt: string }): Promise<void> {
  await db.deleteFrom('kept_form').where('user_id', '=', f.userId).execute();
  await db
    .insertInto('kept_form')
    .values({ id: f.id, user_id: f.userId, action: f.action, return_to: f.returnTo, fields: JSON.stringify(f.fields), created_at: f.createdAt, expires_at: f.expiresAt })
    .execute();
}

/** Reads and deletes a kept form: it can be taken once. */
export async function takeKeptForm(db: Executor, id: string): Promise<KeptForm | undefined> {
  const r = await db.selectFrom('kept_form').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  await db.deleteFrom('kept_form').where('id', '=', id).execute();
  let fields: [string, string][] = [];
  try {
    const v: unknown = JSON.parse(r.fields);
    if (Array.isArray(v)) fields = v.filter((p): p is [string, string] => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
  } catch {
    fields = [];
  }
  return { id: r.id, userId: r.user_id, action: r.action, returnTo: r.return_to, fields, expiresAt: r.expires_at };
}

export async function deleteExpiredKeptForms(db: Executor, now: string): Promise<number> {
  const r = await db.deleteFrom('kept_form').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The account an ended (or live) session belonged to. */
export async function findSessionOwner(db: Executor, id: string): Promise<string | undefined> {
  const r = await db.selectFrom('session').select('user_id').where('id', '=', id).executeTakeFirst();
  return r?.user_id;
}
