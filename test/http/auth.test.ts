import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail } from '../../src/db/repositories/accounts.js';
import { resetPassword } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { testDatabases } from '../support/databases.js';
import { csrfFrom, formEncode, makeAccount, openTestApp, signInAs, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { smallForce } from '../support/fixtures.js';

describe.each(testDatabases())('sign-in, sessions and security on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(kind);
    await smallForce(t.svc);
    await makeAccount(t, 'sgt@test.police.uk', [{ role: 'supervisor', boroughId: null }]);
  });
  afterAll(() => t.close());

  async function attempt(email: string, password: string) {
    const page = await t.app.inject({ method: 'GET', url: '/sign-in' });
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    return t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: formEncode({ _csrf: csrfFrom(page.body), email, password }),
    });
  }

  it('sets a session cookie that is HttpOnly and SameSite=Lax, and sends security headers', async () => {
    const res = await attempt('SGT@test.police.uk ', TEST_PASSWORD);
    expect(res.statusCode).toBe(303);
    const cookie = res.cookies.find((c) => c.name === 'cedar_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const page = await t.app.inject({ method: 'GET', url: '/sign-in' });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self' 'nonce-");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toMatch(/<script nonce="[^"]+">document\.body\.className/);
  });

  it('marks the cookie Secure when CEDAR_SECURE_COOKIES=1', async () => {
    const secure = await openTestApp(kind, { CEDAR_SECURE_COOKIES: '1' });
    try {
      await smallForce(secure.svc);
      await makeAccount(secure, 'x@test.police.uk', [{ role: 'analyst', boroughId: null }]);
      const page = await secure.app.inject({ method: 'GET', url: '/sign-in' });
      expect(page.cookies.find((c) => c.name === 'cedar_csrf')!.secure).toBe(true);
      expect(page.headers['strict-transport-security']).toBeDefined();
    } finally {
      await secure.close();
    }
  });

  it('names the problem on a wrong password without saying whether the account exists', async () => {
    const wrong = await attempt('sgt@test.police.uk', 'not the password');
    const unknown = await attempt('nobody@test.police.uk', 'not the password');
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('There is a problem');
      expect(res.body).toContain('Enter a correct email address and password');
      expect(res.body).toContain('href="#email"');
    }
    const empty = await attempt('', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter an email address');
  });

  it('locks an account after repeated failures, even against the right password', async () => {
    await makeAccount(t, 'lock@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    for (let i = 0; i < t.svc.policy.lockoutAttempts; i++) await attempt('lock@test.police.uk', 'wrong password');
    const locked = await attempt('lock@test.police.uk', TEST_PASSWORD);
    expect(locked.statusCode).toBe(401);
    expect(locked.cookies.find((c) => c.name === 'cedar_session')).toBeUndefined();
    // The page says how locking works, to everyone alike; not that this account is locked.
    expect(locked.body).toContain(`After ${t.svc.policy.lockoutAttempts} wrong passwords in a row, Cedar locks an account for 15 minutes`);
    const acc = await findAccountByEmail(t.svc.database.db, 'lock@test.police.uk');
    expect(acc!.lockedUntil).not.toBeNull();
  });

  it('answers an unknown email exactly as a known one, locked or not, doing the same work (issue 10)', async () => {
    await makeAccount(t, 'known@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    const audits = async () =>
      Number(
        (
          await t.svc.database.db
            .selectFrom('audit_log')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    /** The response with what legitimately differs (the email typed, the CSRF token) taken out. */
    const shape = async (email: string, password: string) => {
      const before = await audits();
      const res = await attempt(email, password);
      const headers = { ...res.headers };
      for (const h of ['set-cookie', 'date', 'content-length', 'content-security-policy', 'x-request-id', 'x-ratelimit-remaining', 'x-ratelimit-reset']) delete headers[h];
      return {
        status: res.statusCode,
        headers,
        body: res.body
          .replaceAll(email, 'EMAIL')
          .replace(/name="_csrf" value="[^"]+"/g, '')
          .replace(/nonce="[^"]+"/g, ''),
        auditEntries: (await audits()) - before,
      };
    };
    const unknownFirst = await shape('unknown@test.police.uk', 'wrong password');
    const knownFirst = await shape('known@test.police.uk', 'wrong password');
    expect(knownFirst).toEqual(unknownFirst);
    expect(unknownFirst.status).toBe(401);
    expect(unknownFirst.auditEntries).toBe(1);
    expect(unknownFirst.body).toContain('Enter a correct email address and password');
    for (let i = 1; i < t.svc.policy.lockoutAttempts; i++) {
      expect(await shape('known@test.police.uk', 'wrong password')).toEqual(unknownFirst);
      expect(await shape('unknown@test.police.uk', 'wrong password')).toEqual(unknownFirst);
    }
    expect((await findAccountByEmail(t.svc.database.db, 'known@test.police.uk'))!.lockedUntil).not.toBeNull();
    // Locked now: the right password, a wrong one, and an unknown email all look the same.
    expect(await shape('known@test.police.uk', TEST_PASSWORD)).toEqual(unknownFirst);
    expect(await shape('known@test.police.uk', 'wrong password')).toEqual(unknownFirst);
    expect(await shape('unknown@test.police.uk', TEST_PASSWORD)).toEqual(unknownFirst);
  });

  /** One sign-in attempt from an address, with its own pre-sign-in cookie. */
  async function attemptFrom(app: TestApp['app'], remoteAddress: string, email: string, password: string) {
    const page = await app.inject({ method: 'GET', url: '/sign-in', remoteAddress });
    return app.inject({
      method: 'POST',
      url: '/sign-in',
      remoteAddress,
      headers: { cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      payload: formEncode({ _csrf: csrfFrom(page.body), email, password }),
    });
  }

  it('lets 15 officers behind one station address all sign in (issue 10: 10 a minute per address was the limit)', async () => {
    const station = await openTestApp(kind, { CEDAR_SIGNIN_RATE_LIMIT: '10', CEDAR_SIGNIN_RATE_LIMIT_PER_ADDRESS: '100' });
    try {
      await smallForce(station.svc);
      for (let i = 1; i <= 15; i++) await makeAccount(station, `pc${i}@test.police.uk`, [{ role: 'officer', boroughId: null }]);
      const statuses = [];
      for (let i = 1; i <= 15; i++) statuses.push((await attemptFrom(station.app, '10.20.30.40', `pc${i}@test.police.uk`, TEST_PASSWORD)).statusCode);
      expect(statuses).toEqual(Array(15).fill(303));
    } finally {
      await station.close();
    }
  });

  it('limits attempts on one account from many addresses, an unknown email alike, and each address on its own', async () => {
    const limited = await openTestApp(kind, { CEDAR_SIGNIN_RATE_LIMIT: '3', CEDAR_SIGNIN_RATE_LIMIT_PER_ADDRESS: '6' });
    try {
      await smallForce(limited.svc);
      await makeAccount(limited, 'target@test.police.uk', [{ role: 'analyst', boroughId: null }]);
      const spread = async (email: string) => {
        const out = [];
        for (let i = 1; i <= 5; i++) out.push((await attemptFrom(limited.app, `192.0.2.${i}`, email, 'not the password')).statusCode);
        return out;
      };
      expect(await spread('target@test.police.uk')).toEqual([401, 401, 401, 429, 429]);
      expect(await spread('Nobody@Test.police.uk')).toEqual([401, 401, 401, 429, 429]);
      const refused = await attemptFrom(limited.app, '192.0.2.9', 'target@test.police.uk', TEST_PASSWORD);
      expect(refused.statusCode).toBe(429);
      expect(refused.body).toContain('Too many attempts');
      // One address trying many accounts: its own, higher limit.
      const fromOne = [];
      for (let i = 1; i <= 8; i++) fromOne.push((await attemptFrom(limited.app, '198.51.100.7', `someone${i}@test.police.uk`, 'x')).statusCode);
      expect(fromOne).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('rejects a form without the right CSRF token and changes nothing', async () => {
    const c = await signInAs(t.app, 'sgt@test.police.uk');
    const res = await t.app.inject({
      method: 'POST',
      url: '/sign-out',
      headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: formEncode({ _csrf: 'forged' }),
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Your form has expired');
    expect((await c.get('/')).statusCode).toBe(200); // still signed in
  });

  it('signs out, ending the session server-side', async () => {
    const c = await signInAs(t.app, 'sgt@test.police.uk');
    const out = await c.post('/sign-out', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/sign-in?signedOut=1');
    const after = await c.get('/');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/sign-in?next=%2F');
  });

  it('makes a one-time password be changed before anything else', async () => {
    const acc = await makeAccount(t, 'new@test.police.uk', [{ role: 'supervisor', boroughId: null }]);
    const oneTime = await resetPassword(t.svc, SYSTEM_ACTOR, acc.id);
    const c = await signInAs(t.app, 'new@test.police.uk', oneTime);
    const officers = await c.get('/officers');
    expect(officers.statusCode).toBe(303);
    expect(officers.headers.location).toBe('/account/password');
    const mismatch = await c.post('/account/password', { currentPassword: oneTime, newPassword: 'a brand new passphrase', confirmPassword: 'something else entirely' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('The passwords do not match');
    const short = await c.post('/account/password', { currentPassword: oneTime, newPassword: 'short', confirmPassword: 'short' });
    expect(short.body).toContain('at least 12 characters');
    const ok = await c.post('/account/password', { currentPassword: oneTime, newPassword: 'a brand new passphrase', confirmPassword: 'a brand new passphrase' });
    expect(ok.statusCode).toBe(303);
    expect((await c.get('/officers')).statusCode).toBe(200);
    await expect(signInAs(t.app, 'new@test.police.uk', oneTime)).rejects.toThrow();
    await signInAs(t.app, 'new@test.police.uk', 'a brand new passphrase');
  });

  it('shows the error pages without stack traces', async () => {
    const c = await signInAs(t.app, 'sgt@test.police.uk');
    const missing = await c.get('/no-such-page');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Page not found');
    const forbidden = await c.get('/admin/accounts');
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.body).toContain('You do not have access to this page');
    const badId = await c.get('/officers/not-an-id');
    expect(badId.statusCode).toBe(404);
    for (const r of [missing, forbidden, badId]) expect(r.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('shows a 500 page with a reference, not a stack trace, when the database is gone', async () => {
    const broken = await openTestApp(kind);
    await smallForce(broken.svc);
    await makeAccount(broken, 'b@test.police.uk', [{ role: 'administrator', boroughId: null }]);
    const c = await signInAs(broken.app, 'b@test.police.uk');
    await broken.svc.database.close();
    try {
      const page = await c.get('/officers');
      expect(page.statusCode).toBe(500);
      expect(page.body).toContain('Sorry, there is a problem with the service');
      expect(page.body).toMatch(/reference: req-/);
      expect(page.body).not.toMatch(/at .*\.(ts|js):\d+/);
      const api = await broken.app.inject({ method: 'GET', url: '/healthz' });
      expect(api.statusCode).toBe(503);
    } finally {
      await broken.app.close();
      await broken.svc.cleanup().catch(() => {});
    }
  });

  it('reports health with the database kind', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.json()).toEqual({ status: 'ok', database: kind });
  });
});
