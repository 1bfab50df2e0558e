import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { smallForce } from '../support/fixtures.js';

describe.each(testDatabases())('pages on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(kind);
    await smallForce(t.svc);
    await makeAccount(t, 'admin@test.police.uk', [{ role: 'administrator', boroughId: null }]);
  });
  afterAll(() => t.close());

  it('renders the main pages for an administrator', async () => {
    const c = await signInAs(t.app, 'admin@test.police.uk');
    for (const url of ['/', '/officers', '/officers/new', '/teams', '/teams/new', '/boroughs/new', '/admin/accounts', '/admin/accounts/new', '/audit', '/audit/verify', '/account/password']) {
      const res = await c.get(url);
      expect(res.statusCode, `${url}: ${res.body.slice(0, 2000)}`).toBe(200);
    }
  });
});
