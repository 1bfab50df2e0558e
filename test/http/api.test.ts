import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

describe.each(testDatabases())('JSON API on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let adminToken: string;
  let readerToken: string;
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await openTestApp(kind);
    f = await smallForce(t.svc);
    await makeAccount(t, 'roster-system@test.police.uk', [{ role: 'administrator', boroughId: null }]);
    await makeAccount(t, 'reader@test.police.uk', [{ role: 'armourer', boroughId: null }]);
    adminToken = (await createApiToken(t.svc, SYSTEM_ACTOR, 'roster-system@test.police.uk', 'roster sync')).token;
    readerToken = (await createApiToken(t.svc, SYSTEM_ACTOR, 'reader@test.police.uk', 'dock')).token;
  });
  afterAll(() => t.close());

  it('creates, reads, lists and patches officers with a token', async () => {
    const created = await api('POST', '/api/v1/officers', adminToken, officerFixture({ boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }));
    expect(created.statusCode).toBe(201);
    const officer = created.json();
    expect(created.headers.location).toBe(`/api/v1/officers/${officer.id}`);
    expect(officer).toMatchObject({ collarNumber: '1234LX', rank: 'Police Constable', status: 'active', leftOn: null });
    expect(officer.forceId).toBeUndefined();

    expect((await api('GET', `/api/v1/officers/${officer.id}`, readerToken)).json().lastName).toBe('Patel');
    const list = (await api('GET', '/api/v1/officers?q=patel', readerToken)).json();
    expect(list).toMatchObject({ total: 1, page: 1, pages: 1 });

    const patched = await api('PATCH', `/api/v1/officers/${officer.id}`, adminToken, { rank: 'Sergeant' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ rank: 'Sergeant', lastName: 'Patel' });
  });

  it('answers problem+json naming each invalid field', async () => {
    const res = await api('POST', '/api/v1/officers', adminToken, { collarNumber: 'bad one', firstName: 'A', lastName: 'B', rank: 'General', joinedOn: '01/02/2020', shoeSize: 9 });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toEqual([{ field: 'shoeSize', message: expect.stringContaining('Unknown field') }]);
    const res2 = await api('POST', '/api/v1/officers', adminToken, { collarNumber: 'bad one', firstName: 'A', lastName: 'B', rank: 'General', joinedOn: '01/02/2020' });
    expect(
      res2
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['collarNumber', 'joinedOn', 'rank']);
    const badJson = await t.app.inject({ method: 'POST', url: '/api/v1/officers', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, payload: '{nope' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.headers['content-type']).toContain('application/problem+json');
    const future = await api('POST', '/api/v1/officers', adminToken, officerFixture({ collarNumber: '2099', joinedOn: '2099-01-01' }));
    expect(future.statusCode).toBe(422);
    expect(future.json().errors).toEqual([{ field: 'joinedOn', message: expect.stringContaining('The joining date must be today or in the past') }]);
    const badQuery = await api('GET', '/api/v1/officers?pageSize=5000', readerToken);
    expect(badQuery.statusCode).toBe(422);
    expect(badQuery.json().errors[0].field).toBe('query.pageSize');
  });

  it('answers 400 problem+json naming a repeated or NUL-carrying query parameter, never a 500 (issue 10)', async () => {
    const repeated = await api('GET', '/api/v1/officers?q=smith&q=jones', readerToken);
    expect(repeated.statusCode).toBe(400);
    expect(repeated.headers['content-type']).toContain('application/problem+json');
    expect(repeated.json().errors).toEqual([{ field: 'query.q', message: 'The address gives q 2 times: give it once' }]);
    const nul = await api('GET', '/api/v1/officers?q=a%00b', readerToken);
    expect(nul.statusCode).toBe(400);
    expect(nul.json().errors[0].field).toBe('query.q');
    const reports = await api('GET', '/api/v1/training/sessions?from=2026-01-01&from=2026-02-01', readerToken);
    expect(reports.statusCode).toBeLessThan(500);
  });

  it('refuses bad tokens, missing permissions and unknown paths', async () => {
    expect((await api('GET', '/api/v1/officers')).statusCode).toBe(401);
    expect((await api('GET', '/api/v1/officers', 'cedar_not-a-token')).statusCode).toBe(401);
    const denied = await api('POST', '/api/v1/officers', readerToken, officerFixture({ collarNumber: '5' }));
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['content-type']).toContain('application/problem+json');
    expect((await api('GET', '/api/v1/nothing', readerToken)).statusCode).toBe(404);
    expect((await api('GET', '/api/v1/officers/00000000-0000-7000-8000-000000000000', readerToken)).statusCode).toBe(404);
  });

  it('accepts a session with the CSRF header for writes', async () => {
    const c = await signInAs(t.app, 'roster-system@test.police.uk');
    const body = JSON.stringify(officerFixture({ collarNumber: '77CN', boroughId: f.boroughs.camden.id }));
    const noHeader = await t.app.inject({ method: 'POST', url: '/api/v1/officers', headers: { cookie: c.cookie, 'content-type': 'application/json' }, payload: body });
    expect(noHeader.statusCode).toBe(403);
    const withHeader = await t.app.inject({ method: 'POST', url: '/api/v1/officers', headers: { cookie: c.cookie, 'content-type': 'application/json', 'x-csrf-token': c.csrf }, payload: body });
    expect(withHeader.statusCode).toBe(201);
  });

  it('serves an OpenAPI document describing the officer endpoints', async () => {
    const doc = (await api('GET', '/api/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/officers', '/api/v1/officers/{id}']));
    expect(doc.components.schemas.OfficerInput.properties.rank.enum).toContain('Sergeant');
  });
});
