import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/domain/permissions.js';
import { createApiToken } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { formEncode, makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce } from '../support/fixtures.js';

/** What every request meets before any route: caching rules and refused input. */
describe.each(testDatabases())('the edge of the app on %s', (kind) => {
  let t: TestApp;
  let all: Client;
  let token: string;
  let officerId: string;

  beforeAll(async () => {
    t = await openTestApp(kind);
    const f = await smallForce(t.svc);
    officerId = (await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id }))).id;
    await makeAccount(
      t,
      'all@test.police.uk',
      ROLES.map((role) => ({ role, boroughId: null })),
    );
    all = await signInAs(t.app, 'all@test.police.uk');
    token = (await createApiToken(t.svc, SYSTEM_ACTOR, 'all@test.police.uk', 'edge')).token;
  });
  afterAll(() => t.close());

  const concrete = (url: string) => url.replace(/:[a-zA-Z]+/g, (p) => (p === ':id' ? officerId : 'x')).replace('*', 'x');

  it('sends Cache-Control: no-store on every signed-in page and every API response (issue 10)', async () => {
    const gets = t.app.routeTable.filter((r) => r.method === 'GET' && !r.url.startsWith('/assets/') && !r.url.startsWith('/transparency'));
    expect(gets.length).toBeGreaterThan(40);
    for (const route of gets) {
      const url = concrete(route.url);
      const res = route.url.startsWith('/api/v1/') ? await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } }) : await all.get(url);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.headers['cache-control'], `GET ${url} answered ${res.statusCode}`).toBe('no-store');
    }
    // The API through a session, and its errors, too.
    const viaSession = await t.app.inject({ method: 'GET', url: '/api/v1/officers', headers: { cookie: all.cookie } });
    expect(viaSession.headers['cache-control']).toBe('no-store');
    for (const url of ['/api/v1/officers', '/api/v1/nothing', '/api/openapi.json']) {
      expect((await t.app.inject({ method: 'GET', url })).headers['cache-control'], url).toBe('no-store');
    }
    // A signed-in POST's answer (a redirect or a page) is not stored either.
    const post = await all.post('/sign-out', {});
    expect(post.headers['cache-control']).toBe('no-store');
  });

  it('refuses a NUL byte in an address, a query, a form or a JSON body as a 400 naming where it is, storing nothing (issue 10)', async () => {
    const api = (method: 'GET' | 'PATCH' | 'POST', url: string, body?: string) =>
      t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, payload: body });
    const problems = [
      // In a query string: refused like any malformed query string, naming the parameter (query.q).
      [await api('GET', '/api/v1/officers?q=a%00b'), 'query.q'],
      [await api('GET', '/api/v1/reports/abc%00def'), 'path'],
      [await api('GET', `/api/v1/officers/${officerId}%00`), 'path'],
      [await api('GET', '/api/v1/officers?q%00=a'), 'query.(a parameter name)'],
      [await api('PATCH', `/api/v1/officers/${officerId}`, JSON.stringify({ lastName: 'Pa\u0000tel' })), 'field lastName'],
      [await api('POST', '/api/v1/reports', JSON.stringify({ sections: { incident: { reference: 'CAD\u0000 1' } } })), 'field sections.incident.reference'],
    ] as const;
    for (const [res, where] of problems) {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().detail).toContain('NUL');
      expect(res.json().detail).toContain(where);
    }
    const inQuery = await all.get('/officers?q=a%00b');
    expect(inQuery.statusCode).toBe(400);
    expect(inQuery.body).toContain('There is a problem with the web address');
    expect(inQuery.body).toMatch(/<dt class="govuk-summary-list__key">q<\/dt>\s*<dd class="govuk-summary-list__value">Remove the NUL character/);
    const pages = [
      [await all.get('/reports/abc%00def'), 'path'],
      [await all.post('/admin/accounts', { email: 'nul@test.police.uk', displayName: 'N\u0000L', roles: 'analyst' }), 'field displayName'],
      [
        await t.app.inject({ method: 'POST', url: '/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: formEncode({ email: 'a\u0000@b.org', password: 'x' }) }),
        'field email',
      ],
    ] as const;
    for (const [res, where] of pages) {
      expect(res.statusCode, res.body.slice(0, 500)).toBe(400);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('There is a problem with what you sent');
      expect(res.body).toContain(where);
    }
    // Nothing was stored.
    const db = t.svc.database.db;
    expect((await db.selectFrom('officer').select('last_name').where('id', '=', officerId).executeTakeFirstOrThrow()).last_name).toBe('Patel');
    expect(await db.selectFrom('app_user').select('id').where('email', '=', 'nul@test.police.uk').executeTakeFirst()).toBeUndefined();
    expect(await db.selectFrom('uof_report').select('id').execute()).toEqual([]);
  });

  it('keeps the caching of public pages and assets', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/transparency' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('public, max-age=60');
    const asset = await t.app.inject({ method: 'GET', url: '/assets/cedar.css', headers: { cookie: all.cookie } });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/^public\b/);
  });
});
