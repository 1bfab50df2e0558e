import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

describe.each(testDatabases())('administration pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let admin: Client;
  beforeAll(async () => {
    t = await openTestApp(kind);
    f = await smallForce(t.svc);
    await makeAccount(t, 'admin@test.police.uk', [{ role: 'administrator', boroughId: null }]);
    admin = await signInAs(t.app, 'admin@test.police.uk');
  });
  afterAll(() => t.close());

  it('lists an account’s roles as a list, not as escaped HTML (issue 10)', async () => {
    const two = await makeAccount(t, 'two@test.police.uk', [
      { role: 'officer', boroughId: f.boroughs.lambeth.id },
      { role: 'supervisor', boroughId: f.boroughs.lambeth.id },
    ]);
    const page = await admin.get(`/admin/accounts/${two.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('&lt;');
    const roles = /<dt class="govuk-summary-list__key">\s*Roles\s*<\/dt>\s*<dd class="govuk-summary-list__value">([\s\S]*?)<\/dd>/.exec(page.body)?.[1] ?? '';
    const items = [...roles.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
    expect(items).toEqual(['Officer (Lambeth)', 'Supervisor (sergeant) (Lambeth)']);
    expect(roles).toMatch(/^\s*<ul class="govuk-list">/);
  });

  it('refuses to link a second account to an officer, naming the account at the collar number field', async () => {
    const officer = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '2001LX', boroughId: f.boroughs.lambeth.id }));
    await makeAccount(t, 'linked@test.police.uk', [{ role: 'officer', boroughId: null }], { officerId: officer.id });
    const res = await admin.post('/admin/accounts', { email: 'again@test.police.uk', displayName: 'Again', roles: 'officer', officerCollar: '2001LX' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<a href="#officerCollar">Officer 2001LX is already linked to the account linked@test.police.uk. Unlink it there first.</a>');
    expect(await t.svc.database.db.selectFrom('app_user').select('id').where('email', '=', 'again@test.police.uk').executeTakeFirst()).toBeUndefined();
  });
});
