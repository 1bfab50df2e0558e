import type { Account } from '../../domain/accounts.js';
import type { Role, RoleGrant } from '../../domain/permissions.js';
import type { Executor } from '../database.js';
import { newId, nowIso } from '../ids.js';
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
  if (!row) return undefined;
  return toAccount(row, (await grantsFor(db, [row.id])).get(row.id) ?? []);
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
  const grants = await grantsFor(db, rows.map((r) => r.id));
  return { accounts: rows.map((r) => toAccount(r, grants.get(r.id) ?? [])), total: Number(total.n) };
}

export async function countAccounts(db: Executor): Promise<number> {
  const r = await db.selectFrom('app_user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertAccount(
  db: Executor,
  a: { email: string; displayName: string; passwordHash: string; mustChangePassword: boolean; officerId: string | null; roles: RoleGrant[] },
): Promise<string> {
  const id = newId();
  const at = nowIso();
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
  a: { email: string; displayName: string; officerId: string | null; disabled: boolean; roles: RoleGrant[] },
): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ email: a.email, display_name: a.displayName, officer_id: a.officerId, disabled: a.disabled ? 1 : 0, updated_at: nowIso() })
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

export async function setPassword(db: Executor, id: string, passwordHash: string, mustChange: boolean): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ password_hash: passwordHash, must_change_password: mustChange ? 1 : 0, failed_sign_ins: 0, locked_until: null, updated_at: nowIso() })
    .where('id', '=', id)
    .execute();
}

export async function recordSignInOutcome(
  db: Executor,
  id: string,
  outcome: { failedSignIns: number; lockedUntil: string | null; lastSignInAt?: string },
): Promise<void> {
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

export async function findSession(db: Executor, id: string): Promise<SessionRecord | undefined> {
  const r = await db.selectFrom('session').selectAll().where('id', '=', id).executeTakeFirst();
  return r && { id: r.id, userId: r.user_id, csrfToken: r.csrf_token, expiresAt: r.expires_at, lastSeenAt: r.last_seen_at };
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

// API tokens ------------------------------------------------------------------

export async function insertApiToken(db: Executor, t: { userId: string; name: string; tokenHash: string; tokenPrefix: string }): Promise<string> {
  const id = newId();
  await db
    .insertInto('api_token')
    .values({ id, user_id: t.userId, name: t.name, token_hash: t.tokenHash, token_prefix: t.tokenPrefix, created_at: nowIso(), last_used_at: null, revoked_at: null })
    .execute();
  return id;
}

export async function findApiTokenByHash(db: Executor, tokenHash: string): Promise<{ id: string; userId: string; lastUsedAt: string | null } | undefined> {
  const r = await db
    .selectFrom('api_token')
    .select(['id', 'user_id', 'last_used_at'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r && { id: r.id, userId: r.user_id, lastUsedAt: r.last_used_at };
}

export async function touchApiToken(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: at }).where('id', '=', id).execute();
}
