import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail, insertAccount, recordSignInOutcome } from '../../src/db/repositories/accounts.js';
import { ValidationError } from '../../src/domain/errors.js';
import { createOfficer } from '../../src/services/officers.js';
import { listAudit } from '../../src/db/repositories/audit.js';
import {
  createAccount,
  createApiToken,
  keepForm,
  listApiTokens,
  removeEndedSessions,
  removeExpiredKeptForms,
  resolveApiToken,
  resolveSession,
  revokeApiToken,
  signIn,
  takeKeptForm,
  updateAccount,
  generatePassword,
} from '../../src/services/accounts.js';
import { fixedClock, SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

const PASSWORD = 'a long enough passphrase';

describe.each(testDatabases())('accounts on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
  });
  afterAll(() => svc.cleanup());

  it('creates an account with roles scoped to a borough, rejecting bad grants', async () => {
    const { account } = await createAccount(svc, SYSTEM_ACTOR, { email: ' Sgt@Force.Example ', displayName: 'Sgt', roles: [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }] }, PASSWORD);
    expect(account.email).toBe('sgt@force.example');
    expect(account.roles).toEqual([{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }]);
    const err = await createAccount(svc, SYSTEM_ACTOR, { email: 'sgt@force.example', displayName: 'x', roles: [{ role: 'analyst', boroughId: f.boroughs.lambeth.id }] }, PASSWORD).catch((e) => e);
    expect(err.errors).toEqual([{ field: 'roles.0.boroughId', message: 'Analyst cannot be limited to one borough' }]);
    const dup = await createAccount(svc, SYSTEM_ACTOR, { email: 'sgt@force.example', displayName: 'x', roles: [{ role: 'analyst', boroughId: null }] }, PASSWORD).catch((e) => e);
    expect(dup.errors).toEqual([{ field: 'email', message: 'An account for sgt@force.example already exists' }]);
  });

  it('generates a one-time password that must be changed', async () => {
    const { account, generatedPassword } = await createAccount(svc, SYSTEM_ACTOR, { email: 'new@force.example', displayName: 'New', roles: [{ role: 'analyst', boroughId: null }] });
    expect(generatedPassword).toMatch(/^[\w]{5}-[\w]{5}-[\w]{5}-[\w]{5}$/);
    expect(account.mustChangePassword).toBe(true);
    expect(generatePassword()).not.toBe(generatePassword());
  });

  it('signs in, creates a server-side session, and audits it', async () => {
    const r = await signIn(svc, { email: 'sgt@force.example', password: PASSWORD }, { ip: '10.0.0.1' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const session = await resolveSession(svc, r.sessionToken);
    // The session's account comes whole, roles included (read with the session).
    expect(session?.account).toMatchObject({ email: 'sgt@force.example', displayName: 'Sgt', disabled: false, roles: [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }] });
    const { token } = await createApiToken(svc, SYSTEM_ACTOR, 'sgt@force.example', 'sign-in test');
    const resolved = await resolveApiToken(svc, token);
    expect(resolved?.account).toEqual(session?.account);
    expect(resolved?.scopes.length).toBeGreaterThan(0);
    expect(await resolveSession(svc, 'not-a-token')).toBeUndefined();
    const { entries } = await listAudit(svc.database.db, { action: 'auth.sign_in' }, { offset: 0, limit: 5 });
    expect(entries[0]!.actorLabel).toBe('sgt@force.example');
  });

  it('starts a fresh failure count once a lock has expired', async () => {
    await createAccount(svc, SYSTEM_ACTOR, { email: 'lock@force.example', displayName: 'L', roles: [{ role: 'analyst', boroughId: null }] }, PASSWORD);
    const acc = (await findAccountByEmail(svc.database.db, 'lock@force.example'))!;
    await recordSignInOutcome(svc.database.db, acc.id, { failedSignIns: 3, lockedUntil: '2000-01-01T00:00:00.000Z' });
    const wrong = await signIn(svc, { email: 'lock@force.example', password: 'wrong one here' }, { ip: '::1' });
    expect(wrong).toEqual({ ok: false, reason: 'invalid' });
    expect((await findAccountByEmail(svc.database.db, 'lock@force.example'))!.failedSignIns).toBe(1);
    expect((await signIn(svc, { email: 'lock@force.example', password: PASSWORD }, { ip: '::1' })).ok).toBe(true);
  });

  it('counts every failed attempt made at the same time, so parallel guesses cannot outrun the lock', async () => {
    await createAccount(svc, SYSTEM_ACTOR, { email: 'burst@force.example', displayName: 'B', roles: [{ role: 'analyst', boroughId: null }] }, PASSWORD);
    const attempts = svc.policy.lockoutAttempts * 2;
    const results = await Promise.all(Array.from({ length: attempts }, () => signIn(svc, { email: 'burst@force.example', password: 'wrong guess here' }, { ip: '::1' })));
    expect(results.every((r) => !r.ok)).toBe(true);
    const acc = (await findAccountByEmail(svc.database.db, 'burst@force.example'))!;
    expect(acc.lockedUntil).not.toBeNull();
    const { entries } = await listAudit(svc.database.db, { action: 'auth.locked' }, { offset: 0, limit: 50 });
    expect(entries.filter((e) => e.entityId === acc.id)).toHaveLength(1);
    expect((await signIn(svc, { email: 'burst@force.example', password: PASSWORD }, { ip: '::1' })).ok).toBe(false);
  });

  it('a disabled account cannot sign in, and its sessions and tokens stop working', async () => {
    const { account } = await createAccount(svc, SYSTEM_ACTOR, { email: 'gone@force.example', displayName: 'Gone', roles: [{ role: 'armourer', boroughId: null }] }, PASSWORD);
    const r = await signIn(svc, { email: 'gone@force.example', password: PASSWORD }, { ip: '::1' });
    const { token } = await createApiToken(svc, SYSTEM_ACTOR, 'gone@force.example', 'dock');
    expect(await resolveApiToken(svc, token)).toBeDefined();
    await updateAccount(svc, SYSTEM_ACTOR, account.id, { email: 'gone@force.example', displayName: 'Gone', roles: [{ role: 'armourer', boroughId: null }], disabled: true });
    expect(await signIn(svc, { email: 'gone@force.example', password: PASSWORD }, { ip: '::1' })).toEqual({ ok: false, reason: 'disabled' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(await resolveSession(svc, r.sessionToken)).toBeUndefined();
    expect(await resolveApiToken(svc, token)).toBeUndefined();
  });

  it('stores API tokens only as hashes', async () => {
    const { token } = await createApiToken(svc, SYSTEM_ACTOR, 'sgt@force.example', 'roster');
    const rows = await svc.database.db.selectFrom('api_token').select(['token_hash', 'token_prefix']).execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.some((r) => token.startsWith(r.token_prefix))).toBe(true);
  });

  it('an administrator cannot remove their own administrator role or disable themselves', async () => {
    const { account } = await createAccount(svc, SYSTEM_ACTOR, { email: 'admin@force.example', displayName: 'Admin', roles: [{ role: 'administrator', boroughId: null }] }, PASSWORD);
    const me: Actor = { userId: account.id, label: account.email, grants: account.roles };
    const err = await updateAccount(svc, me, account.id, { email: account.email, displayName: 'Admin', roles: [{ role: 'analyst', boroughId: null }], disabled: true }).catch((e) => e);
    expect(err.errors.map((e: { field: string }) => e.field).sort()).toEqual(['disabled', 'roles']);
  });
});

describe.each(testDatabases())('ended sessions on %s', (kind) => {
  let svc: TestServices;
  const at = (iso: string): TestServices => ({ ...svc, now: fixedClock(iso) });
  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock('2026-04-01T00:30:00Z') });
    await smallForce(svc);
    await createAccount(svc, SYSTEM_ACTOR, { email: 'pc@force.example', displayName: 'PC', roles: [{ role: 'officer', boroughId: null }] }, PASSWORD);
  });
  afterAll(() => svc.cleanup());

  it('are deleted a day after they end, by a clean-up that takes the time (issue 10: deleteExpiredSessions was never called)', async () => {
    // Sessions last TEST_POLICY.sessionHours (12) from their last use.
    const early = await signIn(at('2026-04-01T00:30:00Z'), { email: 'pc@force.example', password: PASSWORD }, { ip: '::1' });
    const late = await signIn(at('2026-04-01T10:00:00Z'), { email: 'pc@force.example', password: PASSWORD }, { ip: '::1' });
    if (!early.ok || !late.ok) throw new Error('sign-in failed');
    const count = async () =>
      Number(
        (
          await svc.database.db
            .selectFrom('session')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBe(2);

    // Ended (12:30) but within the day after: kept, though it no longer signs anyone in.
    expect(await resolveSession(at('2026-04-01T12:31:00Z'), early.sessionToken)).toBeUndefined();
    expect(await removeEndedSessions(at('2026-04-02T12:29:00Z'))).toBe(0);
    expect(await count()).toBe(2);
    // A day after it ended: gone. The later one, used at 21:59, now ends at 09:59 on the 2nd.
    expect(await removeEndedSessions(at('2026-04-02T12:31:00Z'))).toBe(1);
    expect(await count()).toBe(1);
    expect(await resolveSession(at('2026-04-01T21:59:00Z'), late.sessionToken)).toBeDefined();
    expect(await removeEndedSessions(at('2026-04-03T09:58:00Z'))).toBe(0);
    expect(await removeEndedSessions(at('2026-04-03T10:00:00Z'))).toBe(1);
    expect(await count()).toBe(0);
  });

  it('leave a form sent late kept for an hour for their own account only, then removed', async () => {
    const s = await signIn(at('2026-06-01T08:00:00Z'), { email: 'pc@force.example', password: PASSWORD }, { ip: '::1' });
    if (!s.ok) throw new Error('sign-in failed');
    const form = { action: '/reports/x/sections/duty', returnTo: '/reports/x/sections/duty', fields: [['mainDuty', 'response']] as [string, string][] };
    // Sent at 21:00, after the session ended at 20:00.
    const key = await keepForm(at('2026-06-01T21:00:00Z'), s.sessionToken, form);
    expect(key).toBeDefined();
    expect(await keepForm(svc, 'not-a-session-token', form)).toBeUndefined();
    const kept = () => svc.database.db.selectFrom('kept_form').select(['id', 'expires_at']).execute();
    expect((await kept()).map((r) => r.expires_at)).toEqual(['2026-06-01T22:00:00.000Z']);
    expect(await removeExpiredKeptForms(at('2026-06-01T21:59:00Z'))).toBe(0);
    expect(await takeKeptForm(at('2026-06-01T21:30:00Z'), key!, 'someone-else')).toBeUndefined();
    expect(await kept()).toEqual([]); // taken by the wrong account: gone unseen

    const again = await keepForm(at('2026-06-01T21:00:00Z'), s.sessionToken, form);
    const owner = (await findAccountByEmail(svc.database.db, 'pc@force.example'))!.id;
    expect(await takeKeptForm(at('2026-06-01T22:00:00Z'), again!, owner)).toBeUndefined(); // past its hour
    const third = await keepForm(at('2026-06-01T21:00:00Z'), s.sessionToken, form);
    expect((await takeKeptForm(at('2026-06-01T21:10:00Z'), third!, owner))?.fields).toEqual([['mainDuty', 'response']]);
    await keepForm(at('2026-06-01T21:00:00Z'), s.sessionToken, form);
    expect(await removeExpiredKeptForms(at('2026-06-01T22:00:00Z'))).toBe(1);
    expect(await kept()).toEqual([]);
  });

  it('slide with use, on the clock the service is given', async () => {
    const s = await signIn(at('2026-05-01T08:00:00Z'), { email: 'pc@force.example', password: PASSWORD }, { ip: '::1' });
    if (!s.ok) throw new Error('sign-in failed');
    const used = await resolveSession(at('2026-05-01T19:00:00Z'), s.sessionToken);
    expect(used?.expiresAt).toBe('2026-05-02T07:00:00.000Z');
    expect(await resolveSession(at('2026-05-02T06:59:00Z'), s.sessionToken)).toBeDefined();
    expect(await resolveSession(at('2026-05-02T19:00:01Z'), s.sessionToken)).toBeUndefined();
  });
});

describe.each(testDatabases())('linking accounts to officer records on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let officerId: string;
  const roles = [{ role: 'officer' as const, boroughId: null }];
  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
    officerId = (await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '1001LX', boroughId: f.boroughs.lambeth.id }))).id;
  });
  afterAll(() => svc.cleanup());

  const linkedTo = async (id: string) => (await svc.database.db.selectFrom('app_user').select('email').where('officer_id', '=', id).execute()).map((r) => r.email);

  it('refuses a second account for the same officer, naming the account that has it (issue 10)', async () => {
    const { account: first } = await createAccount(svc, SYSTEM_ACTOR, { email: 'first@force.example', displayName: 'First', roles, officerId }, PASSWORD);
    const err = await createAccount(svc, SYSTEM_ACTOR, { email: 'second@force.example', displayName: 'Second', roles, officerId }, PASSWORD).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors).toEqual([{ field: 'officerId', message: 'Officer 1001LX is already linked to the account first@force.example. Unlink it there first.' }]);
    // Nor by editing another account, while the account that has it can be saved unchanged.
    const { account: other } = await createAccount(svc, SYSTEM_ACTOR, { email: 'other@force.example', displayName: 'Other', roles }, PASSWORD);
    const edit = await updateAccount(svc, SYSTEM_ACTOR, other.id, { email: other.email, displayName: 'Other', roles, officerId }).catch((e: unknown) => e);
    expect((edit as ValidationError).errors?.[0]?.message).toContain('first@force.example');
    await updateAccount(svc, SYSTEM_ACTOR, first.id, { email: first.email, displayName: 'First again', roles, officerId });
    expect(await linkedTo(officerId)).toEqual(['first@force.example']);
    expect(await svc.database.db.selectFrom('app_user').select('id').where('email', '=', 'second@force.example').executeTakeFirst()).toBeUndefined();
  });

  it('lets exactly one of three simultaneous links win, the others naming it', async () => {
    const officer = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '1002LX', boroughId: f.boroughs.lambeth.id }));
    // Three accounts are linked to the officer at the same moment (no password hashing to stagger them).
    const people = [];
    for (const who of ['a', 'b', 'c']) people.push((await createAccount(svc, SYSTEM_ACTOR, { email: `${who}@force.example`, displayName: who, roles }, PASSWORD)).account);
    const results = await Promise.allSettled(people.map((p) => updateAccount(svc, SYSTEM_ACTOR, p.id, { email: p.email, displayName: p.displayName, roles, officerId: officer.id })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const linked = await linkedTo(officer.id);
    expect(linked).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(ValidationError);
        expect((r.reason as ValidationError).errors[0]!.message).toContain(linked[0]!);
      }
    }
  });

  it('is guaranteed by the database too', async () => {
    const officer = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '1003LX', boroughId: f.boroughs.lambeth.id }));
    const row = { displayName: 'X', passwordHash: 'x', mustChangePassword: false, officerId: officer.id, roles, createdAt: '2026-04-01T00:00:00.000Z' };
    await insertAccount(svc.database.db, { ...row, email: 'x1@force.example' });
    await expect(insertAccount(svc.database.db, { ...row, email: 'x2@force.example' })).rejects.toThrow(/unique|duplicate/i);
    expect(await linkedTo(officer.id)).toEqual(['x1@force.example']);
  });
});

describe.each(testDatabases())('API token lifecycle on %s', (kind) => {
  let svc: TestServices;
  const at = (iso: string): TestServices => ({ ...svc, now: fixedClock(iso) });
  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock('2026-04-01T00:30:00Z') });
    await smallForce(svc);
    await createAccount(svc, SYSTEM_ACTOR, { email: 'sys@force.example', displayName: 'Roster', roles: [{ role: 'administrator', boroughId: null }] }, PASSWORD);
  });
  afterAll(() => svc.cleanup());

  it('lists tokens with their scopes, expiry, last use and status, never the secret', async () => {
    const a = await createApiToken(at('2026-04-01T09:00:00Z'), SYSTEM_ACTOR, 'sys@force.example', 'roster', { scopes: ['officers:read', 'officers:write'], expiresInDays: 30 });
    const b = await createApiToken(at('2026-04-02T09:00:00Z'), SYSTEM_ACTOR, 'sys@force.example', 'dock', { scopes: ['training:read'], expiresInDays: '1' });
    await resolveApiToken(at('2026-04-02T12:00:00Z'), a.token);
    await revokeApiToken(at('2026-04-02T13:00:00Z'), SYSTEM_ACTOR, a.record.id);
    const list = await listApiTokens(at('2026-04-03T10:00:00Z'), { userEmail: 'SYS@force.example' });
    expect(list.map((x) => [x.name, x.scopes, x.expiresAt, x.lastUsedAt, x.revokedAt, x.status])).toEqual([
      ['dock', ['training:read'], '2026-04-03T09:00:00.000Z', null, null, 'expired'],
      ['roster', ['officers:read', 'officers:write'], '2026-05-01T09:00:00.000Z', '2026-04-02T12:00:00.000Z', '2026-04-02T13:00:00.000Z', 'revoked'],
    ]);
    expect(JSON.stringify(list)).not.toContain(a.token.slice(12));
    expect(JSON.stringify(list)).not.toContain(b.token.slice(12));
  });

  it('refuses bad requests for a token, naming each field', async () => {
    const err = await createApiToken(svc, SYSTEM_ACTOR, 'nobody@force.example', '', { scopes: ['account:write'], expiresInDays: 400 }).catch((e: unknown) => e);
    expect((err as ValidationError).errors.map((e) => e.field).sort()).toEqual(['expiresInDays', 'name', 'scopes', 'user']);
    const none = await createApiToken(svc, SYSTEM_ACTOR, 'sys@force.example', 'x', { scopes: [] }).catch((e: unknown) => e);
    expect((none as ValidationError).errors).toEqual([{ field: 'scopes', message: 'Select at least one scope' }]);
    const unknown = await revokeApiToken(svc, SYSTEM_ACTOR, 'cedar_nope00').catch((e: unknown) => e);
    expect((unknown as ValidationError).errors[0]!.message).toBe('No API token has the prefix or id cedar_nope00');
  });

  it('is revoked once: of two revocations at once, one wins and one audit entry is written', async () => {
    const { record } = await createApiToken(svc, SYSTEM_ACTOR, 'sys@force.example', 'twice');
    const results = await Promise.allSettled([revokeApiToken(svc, SYSTEM_ACTOR, record.tokenPrefix), revokeApiToken(svc, SYSTEM_ACTOR, record.id)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((loser.reason as ValidationError).errors[0]!.message).toContain('was already revoked');
    const { entries } = await listAudit(svc.database.db, { action: 'api_token.revoke' }, { offset: 0, limit: 10 });
    expect(entries.filter((e) => e.entityId === record.id)).toHaveLength(1);
  });
});
