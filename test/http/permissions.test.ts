import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ROLES, roleAllows, type Permission, type Role } from '../../src/domain/permissions.js';
import { installAuth } from '../../src/http/plugins/auth.js';
import { createOfficer } from '../../src/services/officers.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { officerFixture, smallForce } from '../support/fixtures.js';

describe('route declarations', () => {
  it('refuses to register a route that declares no permission', async () => {
    const app = Fastify();
    installAuth(app, {} as never, loadConfig({}));
    expect(() => app.get('/undeclared', async () => 'x')).toThrow(/declares no permission/);
  });
});

describe.each(testDatabases())('role × route matrix on %s', (kind) => {
  let t: TestApp;
  const clients = new Map<Role, Client>();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await openTestApp(kind);
    const f = await smallForce(t.svc);
    const officer = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id }));
    const admin = await makeAccount(t, 'someone@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    ids.officer = officer.id;
    ids.team = f.teams.tsg.id;
    ids.account = admin.id;
    for (const role of ROLES) {
      await makeAccount(t, `${role}@test.police.uk`, [{ role, boroughId: null }]);
      clients.set(role, await signInAs(t.app, `${role}@test.police.uk`));
    }
  });
  afterAll(() => t.close());

  const concrete = (url: string) => url.replace(':id', (_m) => '__ID__').replace('*', 'x');

  it('every route is in the table, and each role gets exactly what the permission table says', async () => {
    const routes = t.app.routeTable.filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(25);
    const checked: string[] = [];
    for (const route of routes) {
      if (route.permission === 'public' || route.permission === 'signed-in') continue;
      const permissions = (typeof route.permission === 'string' ? [route.permission] : route.permission) as Permission[];
      const resource = permissions[0]!.split(':')[1]!;
      const url = concrete(route.url).replace('__ID__', ids[resource] ?? ids.officer!);
      for (const role of ROLES) {
        const c = clients.get(role)!;
        const res =
          route.method === 'GET'
            ? await c.get(url)
            : route.url.startsWith('/api/')
              ? await t.app.inject({ method: route.method as 'POST', url, headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'application/json' }, payload: '{}' })
              : await c.post(url, {});
        const allowed = permissions.some((p) => roleAllows(role, p));
        if (allowed) expect(res.statusCode, `${role} ${route.method} ${url}`).not.toBe(403);
        else expect(res.statusCode, `${role} ${route.method} ${url}`).toBe(403);
        expect(res.statusCode, `${role} ${route.method} ${url}`).toBeLessThan(500);
      }
      checked.push(`${route.method} ${route.url}`);
    }
    expect(checked.length).toBeGreaterThan(20);
  });

  it('sends signed-out people to sign in, and the API answers 401', async () => {
    for (const route of t.app.routeTable) {
      if (route.permission === 'public' || route.method === 'HEAD') continue;
      const url = concrete(route.url).replace('__ID__', ids.officer!);
      const res = await t.app.inject({ method: route.method as 'GET', url });
      if (route.url.startsWith('/api/')) expect(res.statusCode, url).toBe(401);
      else {
        expect(res.statusCode, `${route.method} ${url}`).toBe(303);
        expect(res.headers.location).toMatch(/^\/sign-in/);
      }
    }
  });

  it('limits a borough commander to their borough', async () => {
    const f = await t.svc.database.db.selectFrom('borough').select(['id', 'name']).execute();
    const camden = f.find((b) => b.name === 'Camden')!;
    await makeAccount(t, 'bc-camden@test.police.uk', [{ role: 'borough_commander', boroughId: camden.id }]);
    const c = await signInAs(t.app, 'bc-camden@test.police.uk');
    expect((await c.get(`/officers/${ids.officer}`)).statusCode).toBe(404); // a Lambeth officer
    const list = await c.get('/officers');
    expect(list.body).not.toContain('Patel');
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/officers', headers: { cookie: c.cookie } });
    expect(api.json().total).toBe(0);
  });
});
