import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import * as accounts from '../db/repositories/accounts.js';
import * as org from '../db/repositories/organisation.js';
import * as officersRepo from '../db/repositories/officers.js';
import { accountInput, afterFailedSignIn, email as emailSchema, isLocked, newPassword, type Account } from '../domain/accounts.js';
import { isTokenScope, scopesForRoles, tokenInput, tokenStatus, type TokenScope, type TokenStatus } from '../domain/api-tokens.js';
import { BOROUGH_SCOPABLE_ROLES, ROLE_LABELS, type RoleGrant } from '../domain/permissions.js';
import { NotFoundError, ValidationError, type FieldError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { Executor } from '../db/database.js';
import { change, pageWindow, type Actor, type Page, type Services } from './context.js';
import { z } from 'zod';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2 = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2);
}

/** A password a person can type from a printout: 4 groups of 5 from an unambiguous alphabet (~100 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

// A fixed hash to compare against when the email is unknown, so timing does not reveal accounts.
let dummyHash: Promise<string> | undefined;

async function checkGrants(svc: Services, grants: RoleGrant[]): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, g] of grants.entries()) {
    const key = `${g.role}/${g.boroughId ?? ''}`;
    if (seen.has(key)) errors.push({ field: `roles.${i}.role`, message: `${ROLE_LABELS[g.role]} is listed twice` });
    seen.add(key);
    if (g.boroughId) {
      if (!BOROUGH_SCOPABLE_ROLES.includes(g.role)) errors.push({ field: `roles.${i}.boroughId`, message: `${ROLE_LABELS[g.role]} cannot be limited to one borough` });
      else if (!(await org.findBorough(svc.database.db, g.boroughId))) errors.push({ field: `roles.${i}.boroughId`, message: 'Select a borough from the list' });
    }
  }
  return errors;
}

/**
 * One account per officer record. Read inside the change's transaction with the officer's row
 * locked (PostgreSQL; SQLite has one writer at a time), so of two links made at once the
 * second sees the first; a unique index on app_user.officer_id guarantees it regardless.
 */
async function checkOfficerFree(svc: Services, trx: Executor, officerId: string, accountId: string | null): Promise<void> {
  const officer = await accounts.lockOfficerForLink(trx, svc.database.kind, officerId);
  if (!officer) throw new ValidationError([{ field: 'officerId', message: 'Select an officer from the list' }]);
  const linked = await accounts.findAccountLinkedToOfficer(trx, officerId);
  if (linked && linked.id !== accountId) {
    throw new ValidationError([{ field: 'officerId', message: `Officer ${officer.collarNumber} is already linked to the account ${linked.email}. Unlink it there first.` }]);
  }
}

export interface CreatedAccount {
  account: Account;
  /** Present only when Cedar generated the password: show it once, never store it. */
  generatedPassword?: string;
}

export async function createAccount(svc: Services, actor: Actor, input: unknown, password?: string, now: Date = svc.now()): Promise<CreatedAccount> {
  const a = parseInput(accountInput, input);
  const errors = await checkGrants(svc, a.roles);
  if (password !== undefined) {
    const p = newPassword.safeParse(password);
    if (!p.success) errors.push(...p.error.issues.map((i) => ({ field: 'password', message: i.message })));
  }
  if (a.officerId && !(await officersRepo.findOfficer(svc.database.db, a.officerId))) errors.push({ field: 'officerId', message: 'Select an officer from the list' });
  if (errors.length) throw new ValidationError(errors);
  const generatedPassword = password === undefined ? generatePassword() : undefined;
  const passwordHash = await hashPassword(password ?? generatedPassword!);
  const id = await change(svc, actor, async (trx, audit) => {
    if (await accounts.findAccountByEmail(trx, a.email)) throw new ValidationError([{ field: 'email', message: `An account for ${a.email} already exists` }]);
    if (a.officerId) await checkOfficerFree(svc, trx, a.officerId, null);
    const id = await accounts.insertAccount(trx, { ...a, passwordHash, mustChangePassword: generatedPassword !== undefined, createdAt: now.toISOString() });
    await audit({ action: 'account.create', entityType: 'account', entityId: id, summary: { after: { email: a.email, displayName: a.displayName, roles: a.roles, officerId: a.officerId } } });
    return id;
  });
  return { account: (await accounts.findAccount(svc.database.db, id))!, generatedPassword };
}

export async function updateAccount(svc: Services, actor: Actor, id: string, input: unknown, now: Date = svc.now()): Promise<Account> {
  const a = parseInput(accountInput, input);
  const errors = await checkGrants(svc, a.roles);
  if (a.officerId && !(await officersRepo.findOfficer(svc.database.db, a.officerId))) errors.push({ field: 'officerId', message: 'Select an officer from the list' });
  if (actor.userId === id && !a.roles.some((r) => r.role === 'administrator')) {
    errors.push({ field: 'roles', message: 'You cannot remove the administrator role from your own account' });
  }
  if (actor.userId === id && a.disabled) errors.push({ field: 'disabled', message: 'You cannot disable your own account' });
  if (errors.length) throw new ValidationError(errors);
  await change(svc, actor, async (trx, audit) => {
    const before = await accounts.findAccount(trx, id);
    if (!before) throw new NotFoundError('Account', id);
    const clash = await accounts.findAccountByEmail(trx, a.email);
    if (clash && clash.id !== id) throw new ValidationError([{ field: 'email', message: `An account for ${a.email} already exists` }]);
    if (a.officerId) await checkOfficerFree(svc, trx, a.officerId, id);
    await accounts.updateAccount(trx, id, { ...a, updatedAt: now.toISOString() });
    if (a.disabled) await accounts.deleteSessionsForUser(trx, id);
    await audit({
      action: 'account.update',
      entityType: 'account',
      entityId: id,
      summary: {
        before: { email: before.email, displayName: before.displayName, roles: before.roles, officerId: before.officerId, disabled: before.disabled },
        after: { email: a.email, displayName: a.displayName, roles: a.roles, officerId: a.officerId, disabled: a.disabled },
      },
    });
  });
  return (await accounts.findAccount(svc.database.db, id))!;
}

export async function listAccounts(svc: Services, q: string | undefined, page: Page) {
  const r = await accounts.listAccounts(svc.database.db, { ...pageWindow(page), q: q?.trim() || undefined });
  return { ...r, page: page.page, pageSize: page.pageSize, pages: Math.max(1, Math.ceil(r.total / page.pageSize)) };
}

export async function getAccount(svc: Services, id: string): Promise<Account> {
  const a = await accounts.findAccount(svc.database.db, id);
  if (!a) throw new NotFoundError('Account', id);
  return a;
}

/** The account with this email address (any case), or undefined. */
export async function findAccountByEmail(svc: Services, email: string): Promise<Account | undefined> {
  const found = await accounts.findAccountByEmail(svc.database.db, email);
  if (!found) return undefined;
  const { passwordHash: _omit, ...account } = found;
  return account;
}

/** The display names of these accounts (the people who acted on a record), in one read; accounts not found are left out. */
export async function accountDisplayNames(svc: Services, ids: readonly string[]): Promise<Map<string, string>> {
  return accounts.accountNames(svc.database.db, [...new Set(ids)]);
}

/** An administrator sets a new one-time password for an account; its sessions end. */
export async function resetPassword(svc: Services, actor: Actor, id: string): Promise<string> {
  const password = generatePassword();
  const hash = await hashPassword(password);
  await change(svc, actor, async (trx, audit) => {
    if (!(await accounts.findAccount(trx, id))) throw new NotFoundError('Account', id);
    await accounts.setPassword(trx, id, hash, true, svc.now().toISOString());
    await accounts.deleteSessionsForUser(trx, id);
    await audit({ action: 'account.password_reset', entityType: 'account', entityId: id, summary: {} });
  });
  return password;
}

const changePasswordInput = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password'),
    newPassword,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ['confirmPassword'], message: 'The passwords do not match' })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ['newPassword'], message: 'Choose a password different from your current one' });

/** The signed-in person changes their own password; their other sessions end. */
export async function changePassword(svc: Services, actor: Actor & { userId: string }, sessionId: string | null, input: unknown): Promise<void> {
  const v = parseInput(changePasswordInput, input);
  const acc = await accounts.findAccount(svc.database.db, actor.userId);
  if (!acc) throw new NotFoundError('Account', actor.userId);
  const withHash = await accounts.findAccountByEmail(svc.database.db, acc.email);
  if (!withHash || !(await argon2.verify(withHash.passwordHash, v.currentPassword))) {
    throw new ValidationError([{ field: 'currentPassword', message: 'Your current password is not correct' }]);
  }
  const hash = await hashPassword(v.newPassword);
  await change(svc, actor, async (trx, audit) => {
    await accounts.setPassword(trx, actor.userId, hash, false, svc.now().toISOString());
    await accounts.deleteSessionsForUser(trx, actor.userId, sessionId ?? undefined);
    await audit({ action: 'account.password_change', entityType: 'account', entityId: actor.userId, summary: {} });
  });
}

// Signing in -------------------------------------------------------------------

export type SignInResult = { ok: true; account: Account; sessionToken: string; csrfToken: string } | { ok: false; reason: 'invalid' | 'locked' | 'disabled'; lockedUntil?: string };

const signInInput = z.object({ email: emailSchema, password: z.string().min(1, 'Enter your password') });

/**
 * Checks an email and password. An unknown email, a wrong password and a locked account (even
 * with the right password) do the same work — one argon2 verification and one audit entry in
 * one transaction — and the caller shows them the same way, so neither the answer nor its
 * timing tells which accounts exist or are locked.
 */
export async function signIn(svc: Services, input: unknown, context: { ip: string }, now: Date = svc.now()): Promise<SignInResult> {
  const { email, password } = parseInput(signInInput, input);
  const found = await accounts.findAccountByEmail(svc.database.db, email);
  if (!found) {
    dummyHash ??= hashPassword(randomToken());
    await argon2.verify(await dummyHash, password).catch(() => false);
    await change(svc, { userId: null, label: `anonymous@${context.ip}`, grants: [] }, (_t, audit) =>
      audit({ action: 'auth.sign_in_failed', entityType: 'account', entityId: null, summary: { email, reason: 'unknown email', ip: context.ip } }),
    );
    return { ok: false, reason: 'invalid' };
  }
  const actor = { userId: found.id, label: found.email, grants: found.roles };
  const valid = await argon2.verify(found.passwordHash, password).catch(() => false);
  if (isLocked(found.lockedUntil, now)) {
    await change(svc, actor, (_t, audit) =>
      audit({ action: 'auth.sign_in_failed', entityType: 'account', entityId: found.id, summary: { reason: 'locked', lockedUntil: found.lockedUntil, ip: context.ip } }),
    );
    return { ok: false, reason: 'locked', lockedUntil: found.lockedUntil! };
  }
  if (!valid) {
    // The count is read and written in one transaction, the row locked (PostgreSQL; SQLite has
    // one writer at a time), so guesses sent at the same moment are each counted.
    const outcome = await change(svc, actor, async (trx, audit) => {
      const current = await accounts.lockSignInState(trx, svc.database.kind, found.id);
      if (isLocked(current.lockedUntil, now)) {
        await audit({ action: 'auth.sign_in_failed', entityType: 'account', entityId: found.id, summary: { reason: 'locked', lockedUntil: current.lockedUntil, ip: context.ip } });
        return { failedSignIns: current.failedSignIns, lockedUntil: current.lockedUntil };
      }
      const failedSoFar = current.lockedUntil ? 0 : current.failedSignIns; // an expired lock starts a fresh count
      const next = afterFailedSignIn(failedSoFar, now, { attempts: svc.policy.lockoutAttempts, minutes: svc.policy.lockoutMinutes });
      await accounts.recordSignInOutcome(trx, found.id, next);
      await audit({
        action: next.lockedUntil ? 'auth.locked' : 'auth.sign_in_failed',
        entityType: 'account',
        entityId: found.id,
        summary: { failedSignIns: next.failedSignIns, lockedUntil: next.lockedUntil, ip: context.ip },
      });
      return next;
    });
    return outcome.lockedUntil ? { ok: false, reason: 'locked', lockedUntil: outcome.lockedUntil } : { ok: false, reason: 'invalid' };
  }
  if (found.disabled) return { ok: false, reason: 'disabled' };
  const sessionToken = randomToken();
  const csrfToken = randomToken();
  await change(svc, actor, async (trx, audit) => {
    await accounts.recordSignInOutcome(trx, found.id, { failedSignIns: 0, lockedUntil: null, lastSignInAt: now.toISOString() });
    await accounts.insertSession(trx, { id: sha256(sessionToken), userId: found.id, csrfToken, createdAt: now.toISOString(), expiresAt: sessionExpiry(svc, now) });
    await audit({ action: 'auth.sign_in', entityType: 'account', entityId: found.id, summary: { ip: context.ip } });
  });
  const { passwordHash: _omit, ...account } = found;
  return { ok: true, account, sessionToken, csrfToken };
}

const sessionExpiry = (svc: Services, now: Date) => new Date(now.getTime() + svc.policy.sessionHours * 3_600_000).toISOString();

/**
 * An ended session's row is kept this long after it ends (it signs nobody in): a form its
 * browser sends late can still be tied to its account, and kept for after signing in again.
 * The session cookie lives as long. Then `removeEndedSessions` deletes it.
 */
export const ENDED_SESSION_KEPT_HOURS = 24;

export interface ResolvedSession {
  sessionId: string;
  csrfToken: string;
  account: Account;
  /** When it ends unless used again. */
  expiresAt: string;
  /** Whether this use moved the end later (the cookie is then sent again, to last as long). */
  renewed: boolean;
}

/** The live session for a cookie token, sliding its expiry; undefined when ended, unknown or disabled. */
export async function resolveSession(svc: Services, token: string, now: Date = svc.now()): Promise<ResolvedSession | undefined> {
  const db = svc.database.db;
  const id = sha256(token);
  const { session, account } = (await accounts.findSessionWithAccount(db, id)) ?? {};
  if (!session || !account || session.expiresAt <= now.toISOString() || account.disabled) return undefined;
  // Write at most once a minute: reading a page should not cost a write.
  if (now.getTime() - Date.parse(session.lastSeenAt) > 60_000) {
    const expiresAt = sessionExpiry(svc, now);
    await accounts.touchSession(db, id, now.toISOString(), expiresAt);
    return { sessionId: id, csrfToken: session.csrfToken, account, expiresAt, renewed: true };
  }
  return { sessionId: id, csrfToken: session.csrfToken, account, expiresAt: session.expiresAt, renewed: false };
}

/** Deletes sessions that ended more than ENDED_SESSION_KEPT_HOURS ago; returns how many. Run on start and on a timer. */
export async function removeEndedSessions(svc: Services, now: Date = svc.now()): Promise<number> {
  const cutoff = new Date(now.getTime() - ENDED_SESSION_KEPT_HOURS * 3_600_000).toISOString();
  return accounts.deleteExpiredSessions(svc.database.db, cutoff);
}

// Forms sent after the session ended -------------------------------------------------

/** How long a form sent after its session ended is kept for its author to send again. */
export const KEPT_FORM_MINUTES = 60;

export interface FormToKeep {
  /** Where it was sent: a path on this site, with its query. */
  action: string;
  /** The page it was on: a path on this site. */
  returnTo: string;
  /** Its fields in the order sent, without passwords or the CSRF token (the caller leaves them out). */
  fields: [string, string][];
}

/**
 * Keeps a form that arrived after its session ended, for the session's own account, under a
 * new one-time key (returned; the browser holds it in a cookie). Nothing is kept when the
 * session is unknown (its row long gone) or its account disabled. Not audited: it is a copy
 * of what the person typed, held for an hour, not a change to any record.
 */
export async function keepForm(svc: Services, endedSessionToken: string, form: FormToKeep, now: Date = svc.now()): Promise<string | undefined> {
  const db = svc.database.db;
  const userId = await accounts.findSessionOwner(db, sha256(endedSessionToken));
  const owner = userId && (await accounts.findAccount(db, userId));
  if (!owner || owner.disabled) return undefined;
  const key = randomToken();
  await db.transaction().execute((trx) =>
    accounts.replaceKeptForm(trx, {
      id: sha256(key),
      userId: owner.id,
      action: form.action,
      returnTo: form.returnTo,
      fields: form.fields,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + KEPT_FORM_MINUTES * 60_000).toISOString(),
    }),
  );
  return key;
}

/**
 * The kept form for a key, once: it is deleted as it is read. Only its own account gets it;
 * for anyone else signed in at that browser it is deleted unseen.
 */
export async function takeKeptForm(svc: Services, key: string, accountId: string, now: Date = svc.now()): Promise<accounts.KeptForm | undefined> {
  const form = await svc.database.db.transaction().execute((trx) => accounts.takeKeptForm(trx, sha256(key)));
  if (!form || form.userId !== accountId || form.expiresAt <= now.toISOString()) return undefined;
  return form;
}

/** Deletes kept forms past their hour; returns how many. Run with removeEndedSessions. */
export async function removeExpiredKeptForms(svc: Services, now: Date = svc.now()): Promise<number> {
  return accounts.deleteExpiredKeptForms(svc.database.db, now.toISOString());
}

export async function signOut(svc: Services, actor: Actor, sessionId: string): Promise<void> {
  await change(svc, actor, async (trx, audit) => {
    await accounts.deleteSession(trx, sessionId);
    await audit({ action: 'auth.sign_out', entityType: 'account', entityId: actor.userId, summary: {} });
  });
}

// API tokens ---------------------------------------------------------------------

export const TOKEN_PREFIX = 'cedar_';

export interface ApiTokenView extends accounts.ApiTokenRecord {
  status: TokenStatus;
}

const tokenView = (t: accounts.ApiTokenRecord, now: Date): ApiTokenView => ({ ...t, status: tokenStatus(t, now) });

/**
 * Creates an API token for an account: shown once, stored as its SHA-256. `options.scopes`
 * (default: every scope the account's roles can use) and `options.expiresInDays` (default
 * 90, at most 366) are checked; a scope the account's roles cannot use is refused.
 */
export async function createApiToken(
  svc: Services,
  actor: Actor,
  userEmail: string,
  name: string,
  options: { scopes?: readonly string[]; expiresInDays?: number | string } = {},
  now: Date = svc.now(),
): Promise<{ token: string; account: Account; record: ApiTokenView }> {
  const errors: FieldError[] = [];
  const email = emailSchema.safeParse(userEmail);
  if (!email.success) errors.push({ field: 'user', message: email.error.issues[0]!.message });
  const input = tokenInput.safeParse({ name, scopes: options.scopes, expiresInDays: options.expiresInDays === '' ? undefined : options.expiresInDays });
  if (!input.success) errors.push(...input.error.issues.map((i) => ({ field: String(i.path[0] ?? 'token'), message: i.message })));
  const found = email.success ? await accounts.findAccountByEmail(svc.database.db, email.data) : undefined;
  if (email.success && !found) errors.push({ field: 'user', message: `No account has the email ${email.data}` });
  else if (found?.disabled) errors.push({ field: 'user', message: `The account ${found.email} is disabled` });
  let scopes: TokenScope[] = [];
  if (found && input.success) {
    const usable = scopesForRoles(found.roles);
    scopes = input.data.scopes ?? usable;
    const refused = scopes.filter((x) => !usable.includes(x));
    if (refused.length) errors.push({ field: 'scopes', message: `The roles of ${found.email} do not allow ${refused.join(', ')}: the scopes it can use are ${usable.join(', ') || 'none'}` });
    else if (scopes.length === 0) errors.push({ field: 'scopes', message: `The roles of ${found.email} give it nothing a token can be used for` });
  }
  if (errors.length || !found || !input.success) throw new ValidationError(errors);

  const token = `${TOKEN_PREFIX}${randomToken()}`;
  const expiresAt = new Date(now.getTime() + input.data.expiresInDays * 86_400_000).toISOString();
  const tokenName = input.data.name;
  const id = await change(svc, actor, async (trx, audit) => {
    const id = await accounts.insertApiToken(trx, { userId: found.id, name: tokenName, tokenHash: sha256(token), tokenPrefix: token.slice(0, 12), scopes, createdAt: now.toISOString(), expiresAt });
    await audit({ action: 'api_token.create', entityType: 'api_token', entityId: id, summary: { user: found.email, name: tokenName, prefix: token.slice(0, 12), scopes, expiresAt } });
    return id;
  });
  const { passwordHash: _omit, ...account } = found;
  return { token, account, record: tokenView((await accounts.findApiToken(svc.database.db, id))!, now) };
}

/** Every token (or one account's), newest first per account, with its status at `now`. Never the secret. */
export async function listApiTokens(svc: Services, filter: { userEmail?: string } = {}, now: Date = svc.now()): Promise<ApiTokenView[]> {
  let userId: string | undefined;
  if (filter.userEmail) {
    const email = parseInput(emailSchema, filter.userEmail);
    const found = await accounts.findAccountByEmail(svc.database.db, email);
    if (!found) throw new ValidationError([{ field: 'user', message: `No account has the email ${email}` }]);
    userId = found.id;
  }
  return (await accounts.listApiTokens(svc.database.db, { userId })).map((t) => tokenView(t, now));
}

export async function getApiToken(svc: Services, id: string, now: Date = svc.now()): Promise<ApiTokenView> {
  const t = await accounts.findApiToken(svc.database.db, id);
  if (!t) throw new NotFoundError('API token', id);
  return tokenView(t, now);
}

/**
 * Revokes a token, found by its id or its shown prefix (`cedar_AbCdEf`): it stops working at
 * once. Revoking one already revoked changes nothing and says so; of two revocations at once,
 * one wins (the row is updated only while not yet revoked).
 */
export async function revokeApiToken(svc: Services, actor: Actor, ref: string, now: Date = svc.now()): Promise<ApiTokenView> {
  const wanted = ref.trim();
  if (!wanted) throw new ValidationError([{ field: 'token', message: 'Give the token’s prefix (cedar_…) or id' }]);
  const id = await change(svc, actor, async (trx, audit) => {
    const matches = await accounts.findApiTokensByRef(trx, wanted);
    if (matches.length === 0) throw new ValidationError([{ field: 'token', message: `No API token has the prefix or id ${wanted}` }]);
    if (matches.length > 1)
      throw new ValidationError([{ field: 'token', message: `${matches.length} tokens have the prefix ${wanted}: give the id of the one to revoke (${matches.map((m) => m.id).join(', ')})` }]);
    const t = matches[0]!;
    if (!(await accounts.revokeApiToken(trx, t.id, now.toISOString()))) {
      const current = await accounts.findApiToken(trx, t.id);
      throw new ValidationError([
        { field: 'token', message: `The token ${t.tokenPrefix} (“${t.name}” for ${t.userEmail}) was already revoked${current?.revokedAt ? ` at ${current.revokedAt}` : ''}` },
      ]);
    }
    await audit({ action: 'api_token.revoke', entityType: 'api_token', entityId: t.id, summary: { user: t.userEmail, name: t.name, prefix: t.tokenPrefix } });
    return t.id;
  });
  return getApiToken(svc, id, now);
}

export interface ResolvedApiToken {
  account: Account;
  tokenId: string;
  scopes: TokenScope[];
}

/** The token's account and scopes; undefined when unknown, revoked, expired, or its account is disabled. Records when it was last used (at most once a minute). */
export async function resolveApiToken(svc: Services, token: string, now: Date = svc.now()): Promise<ResolvedApiToken | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const db = svc.database.db;
  const { token: found, account } = (await accounts.findApiTokenWithAccount(db, sha256(token))) ?? {};
  if (!found || !account || tokenStatus(found, now) !== 'active' || account.disabled) return undefined;
  if (!found.lastUsedAt || now.getTime() - Date.parse(found.lastUsedAt) > 60_000) await accounts.touchApiToken(db, found.id, now.toISOString());
  return { account, tokenId: found.id, scopes: found.scopes.filter(isTokenScope) };
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * First start: with no accounts at all, create an administrator with a one-time random
 * password that must be changed at first sign-in. Returns the credentials to print once.
 */
export async function ensureAdministrator(svc: Services, actor: Actor, email: string): Promise<{ email: string; password: string } | undefined> {
  if ((await accounts.countAccounts(svc.database.db)) > 0) return undefined;
  const created = await createAccount(svc, actor, { email, displayName: 'Administrator', roles: [{ role: 'administrator', boroughId: null }] });
  return { email: created.account.email, password: created.generatedPassword! };
}
