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
    await makeAccount(t, 'all@test.police.uk', ROLES.map((role) => ({ role, boroughId: null })));
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

  it('keeps the caching of public pages and assets', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/transparency' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('public, max-age=60');
    const asset = await t.app.inject({ method: 'GET', url: '/assets/cedar.css', headers: { cookie: all.cookie } });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/^public\b/);
  });
});
