import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { TOKEN_SCOPES, scopesNeeded } from '../../src/domain/api-tokens.js';
import type { Permission } from '../../src/domain/permissions.js';
import { buildApp } from '../../src/http/app.js';
import { createApiToken, revokeApiToken } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { formEncode, makeAccount, signInAs, type TestApp } from '../support/app.js';
import { openTestServices, testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

/** An app on a clock the test moves. */
async function openClockedApp(kind: 'sqlite' | 'postgres', start: string) {
  let now = Date.parse(start);
  const svc = await openTestServices(kind, { clock: () => new Date(now) });
  const config = loadConfig({ CEDAR_LOG_LEVEL: 'silent', CEDAR_LOCKOUT_ATTEMPTS: '3', CEDAR_SIGNIN_RATE_LIMIT: '1000', CEDAR_SIGNIN_RATE_LIMIT_PER_ADDRESS: '1000' });
  const app = await buildApp({ services: svc, config });
  await app.ready();
  const t: TestApp = { app, svc, config, close: async () => (await app.close(), await svc.cleanup()) };
  return { t, advance: (ms: number) => (now += ms), at: (iso: string) => (now = Date.parse(iso)) };
}

describe.each(testDatabases())('API tokens on %s', (kind) => {
  let t: TestApp;
  let clock: Awaited<ReturnType<typeof openClockedApp>>;
  let f: SmallForce;
  let officerId: string;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const api = (app: FastifyInstance, method: 'GET' | 'POST' | 'PATCH', url: string, token: string, body?: unknown) =>
    app.inject({ method, url, headers: { ...bearer(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, payload: body === undefined ? undefined : JSON.stringify(body) });

  beforeAll(async () => {
    clock = await openClockedApp(kind, '2026-04-01T00:30:00Z');
    t = clock.t;
    f = await smallForce(t.svc);
    officerId = (await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id }))).id;
    await makeAccount(t, 'admin@test.police.uk', [{ role: 'administrator', boroughId: null }]);
    await makeAccount(t, 'armourer@test.police.uk', [{ role: 'armourer', boroughId: null }]);
  });
  afterAll(() => t.close());

  it('is not a web login: an administrator’s token cannot create an account, nor open any page (issue 10)', async () => {
    const { token } = await createApiToken(t.svc, SYSTEM_ACTOR, 'admin@test.police.uk', 'roster sync');
    const create = await t.app.inject({
      method: 'POST',
      url: '/admin/accounts',
      headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' },
      payload: formEncode({ email: 'intruder@test.police.uk', displayName: 'Intruder', roles: 'administrator' }),
    });
    expect(create.statusCode).toBe(303);
    expect(create.headers.location).toMatch(/^\/sign-in/);
    expect(await t.svc.database.db.selectFrom('app_user').select('id').where('email', '=', 'intruder@test.police.uk').executeTakeFirst()).toBeUndefined();
    for (const url of ['/', '/admin/accounts', '/officers', `/officers/${officerId}`, '/audit']) {
      const page = await t.app.inject({ method: 'GET', url, headers: bearer(token) });
      expect(page.statusCode, url).toBe(303);
      expect(page.headers.location, url).toMatch(/^\/sign-in/);
    }
    // With a session too, the token gives the form no way round the CSRF check.
    const c = await signInAs(t.app, 'admin@test.police.uk');
    const withSession = await t.app.inject({
      method: 'POST',
      url: '/admin/accounts',
      headers: { ...bearer(token), cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: formEncode({ email: 'intruder@test.police.uk', displayName: 'Intruder', roles: 'administrator' }),
    });
    expect(withSession.statusCode).toBe(403);
    expect(await t.svc.database.db.selectFrom('app_user').select('id').where('email', '=', 'intruder@test.police.uk').executeTakeFirst()).toBeUndefined();
    // It still works where it belongs.
    expect((await api(t.app, 'GET', '/api/v1/officers', token)).statusCode).toBe(200);
  });

  it('needs the scope for the resource and the kind of request, and the account’s roles as well', async () => {
    const { token: reader } = await createApiToken(t.svc, SYSTEM_ACTOR, 'admin@test.police.uk', 'reader', { scopes: ['officers:read'] });
    expect((await api(t.app, 'GET', '/api/v1/officers', reader)).statusCode).toBe(200);
    expect((await api(t.app, 'GET', `/api/v1/officers/${officerId}/authority`, reader)).statusCode).toBe(200);
    const write = await api(t.app, 'PATCH', `/api/v1/officers/${officerId}`, reader, { rank: 'Sergeant' });
    expect(write.statusCode).toBe(403);
    expect(write.headers['content-type']).toContain('application/problem+json');
    expect(write.json().detail).toContain('officers:write');
    const teams = await api(t.app, 'GET', '/api/v1/teams', reader);
    expect(teams.statusCode).toBe(403);
    expect(teams.json().detail).toContain('organisation:read');
    expect((await t.svc.database.db.selectFrom('officer').select('rank').where('id', '=', officerId).executeTakeFirstOrThrow()).rank).toBe('Police Constable');

    // The scope is not enough without the role: the armourer's roles cannot write officers.
    const refused = await createApiToken(t.svc, SYSTEM_ACTOR, 'armourer@test.police.uk', 'dock', { scopes: ['officers:write'] }).catch((e: Error & { errors?: unknown }) => e);
    expect((refused as { errors: { field: string; message: string }[] }).errors).toEqual([{ field: 'scopes', message: expect.stringContaining('do not allow officers:write') }]);
    const { token: armourer, record } = await createApiToken(t.svc, SYSTEM_ACTOR, 'armourer@test.police.uk', 'dock');
    expect(record.scopes).toEqual(['officers:read', 'organisation:read', 'devices:read', 'devices:write']);
    expect((await api(t.app, 'POST', '/api/v1/officers', armourer, officerFixture({ collarNumber: '9' }))).statusCode).toBe(403);
  });

  it('never grants account management, and every API route needs a scope a token can hold', async () => {
    await expect(createApiToken(t.svc, SYSTEM_ACTOR, 'admin@test.police.uk', 'x', { scopes: ['account:write'] })).rejects.toThrow(/Unknown scope account:write/);
    const used = new Set<string>();
    for (const route of t.app.routeTable.filter((r) => r.url.startsWith('/api/v1/'))) {
      const permissions = (typeof route.permission === 'string' ? [route.permission] : route.permission) as Permission[];
      const needed = scopesNeeded(permissions, route.method);
      expect(needed.length, `${route.method} ${route.url} (${permissions.join(', ')})`).toBeGreaterThan(0);
      for (const s of needed) used.add(s);
    }
    expect([...used].sort()).toEqual([...TOKEN_SCOPES].sort());
    // The OpenAPI document says so.
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.components.securitySchemes.bearer.description).toContain(TOKEN_SCOPES.join(', '));
    expect(doc.info.description).toContain('/api/v1 only');
  });

  it('stops working when it expires or is revoked, and records when it was last used', async () => {
    clock.at('2026-04-01T09:00:00Z');
    const { token, record } = await createApiToken(t.svc, SYSTEM_ACTOR, 'admin@test.police.uk', 'short', { expiresInDays: 2 });
    expect(record.expiresAt).toBe('2026-04-03T09:00:00.000Z');
    expect(record.lastUsedAt).toBeNull();
    clock.at('2026-04-02T10:15:00Z');
    expect((await api(t.app, 'GET', '/api/v1/officers', token)).statusCode).toBe(200);
    const used = await t.svc.database.db.selectFrom('api_token').select('last_used_at').where('id', '=', record.id).executeTakeFirstOrThrow();
    expect(used.last_used_at).toBe('2026-04-02T10:15:00.000Z');
    clock.at('2026-04-03T09:00:00Z');
    const expired = await api(t.app, 'GET', '/api/v1/officers', token);
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['content-type']).toContain('application/problem+json');

    clock.at('2026-04-10T00:00:00Z');
    const { token: other, record: otherRecord } = await createApiToken(t.svc, SYSTEM_ACTOR, 'admin@test.police.uk', 'revoked soon');
    expect(otherRecord.expiresAt).toBe('2026-07-09T00:00:00.000Z'); // 90 days by default
    expect((await api(t.app, 'GET', '/api/v1/officers', other)).statusCode).toBe(200);
    await revokeApiToken(t.svc, SYSTEM_ACTOR, otherRecord.tokenPrefix);
    expect((await api(t.app, 'GET', '/api/v1/officers', other)).statusCode).toBe(401);
  });
});
