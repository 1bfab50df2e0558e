import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { createOfficer } from '../../src/services/officers.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';

describe.each(testDatabases())('pages on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(kind);
    await smallForce(t.svc);
    await makeAccount(t, 'admin@test.police.uk', [{ role: 'administrator', boroughId: null }]);
  });
  afterAll(() => t.close());

  it('shows an officer their own record and nothing they may not open', async () => {
    const f = await t.svc.database.db.selectFrom('borough').select(['id', 'name']).where('name', '=', 'Lambeth').executeTakeFirstOrThrow();
    const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '4321LX', boroughId: f.id }));
    await makeAccount(t, 'pc@test.police.uk', [{ role: 'officer', boroughId: f.id }], { officerId: o.id });
    const c = await signInAs(t.app, 'pc@test.police.uk');
    const home = await c.get('/');
    expect(home.body).toContain('Your record');
    expect(home.body).toContain('4321LX');
    expect(home.body).toContain('Lambeth');
    expect(home.body).not.toContain('href="/officers"');
    expect(home.body).not.toContain('href="/audit"');
  });

  it('renders the main pages for an administrator', async () => {
    const c = await signInAs(t.app, 'admin@test.police.uk');
    for (const url of ['/', '/officers', '/officers/new', '/teams', '/teams/new', '/boroughs/new', '/admin/accounts', '/admin/accounts/new', '/audit', '/audit/verify', '/account/password']) {
      const res = await c.get(url);
      expect(res.statusCode, `${url}: ${res.body.slice(0, 2000)}`).toBe(200);
    }
  });
});
