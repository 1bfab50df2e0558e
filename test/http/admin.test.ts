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

  it('creates an API token (shown once), lists it with its last use, and revokes it after asking, each audited', async () => {
    await makeAccount(t, 'roster@test.police.uk', [{ role: 'administrator', boroughId: null }]);
    const form = await admin.get('/admin/tokens/new?user=roster%40test.police.uk');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="roster@test.police.uk"');
    const offered = [...form.body.matchAll(/name="scopes" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]);
    expect(offered).toEqual([
      'officers:read',
      'officers:write',
      'organisation:read',
      'reports:read',
      'reports:write',
      'training:read',
      'training:write',
      'devices:read',
      'devices:write',
      'shifts:write',
    ]);

    const bad = await admin.post('/admin/tokens', { user: 'roster@test.police.uk', name: '', expiresInDays: '0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#name"');
    expect(bad.body).toContain('href="#expiresInDays"');
    const noScope = await admin.post('/admin/tokens', { user: 'roster@test.police.uk', name: 'roster-sync', expiresInDays: '30', scopes: [] });
    expect(noScope.statusCode).toBe(400);
    expect(noScope.body).toContain('<a href="#scopes">Select at least one scope</a>');
    expect(await t.svc.database.db.selectFrom('api_token').select('id').execute()).toHaveLength(0);

    const created = await admin.post('/admin/tokens', { user: 'roster@test.police.uk', name: 'dock', expiresInDays: '30', scopes: ['officers:read'] });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    const token = /data-testid="api-token">([^<]+)</.exec(created.body)![1]!;
    expect(token).toMatch(/^cedar_/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/officers', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);

    const list = await admin.get('/admin/tokens?user=roster%40test.police.uk');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`<code>${token.slice(0, 12)}</code><br>dock`);
    expect(list.body).not.toContain(token);
    expect(list.body).toContain('<li>officers:read</li>');
    const row = /<tr class="govuk-table__row">\s*<td class="govuk-table__cell"><code>cedar_[\s\S]*?<\/tr>/.exec(list.body)![0];
    const cells = [...row.matchAll(/<td class="govuk-table__cell">([\s\S]*?)<\/td>/g)].map((m) =>
      m[1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    expect(cells[5]).toMatch(/^\d{1,2} \w+ \d{4} at \d{2}:\d{2}$/); // last used: just now, by the request above
    expect(cells[6]).toMatch(/^Active Revoke/);
    const id = (await t.svc.database.db.selectFrom('api_token').select('id').where('token_prefix', '=', token.slice(0, 12)).executeTakeFirstOrThrow()).id;

    const confirm = await admin.get(`/admin/tokens/${id}/revoke`);
    expect(confirm.body).toContain('Are you sure you want to revoke this token?');
    expect(confirm.body).toContain(`action="/admin/tokens/${id}/revoke"`);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/officers', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const revoked = await admin.post(`/admin/tokens/${id}/revoke`, {});
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/admin/tokens?notice=token-revoked');
    expect((await admin.get(revoked.headers.location as string)).body).toContain('Token revoked. It no longer works.');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/officers', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);

    const audit = await t.svc.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('entity_type', '=', 'api_token').orderBy('seq').execute();
    expect(audit.slice(-2)).toEqual([
      { action: 'api_token.create', actor_label: 'admin@test.police.uk' },
      { action: 'api_token.revoke', actor_label: 'admin@test.police.uk' },
    ]);
  });
});
