import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, type TestApp } from '../support/app.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport } from '../support/report-fixtures.js';

describe.each(testDatabases())('reports API on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const tokens: Record<string, string> = {};
  const api = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await openTestApp(kind);
    f = await smallForce(t.svc);
    const people: [string, 'officer' | 'supervisor' | 'borough_commander' | 'analyst', string | null][] = [
      ['pc', 'officer', f.boroughs.lambeth.id],
      ['sgt', 'supervisor', f.boroughs.lambeth.id],
      ['camdensgt', 'supervisor', f.boroughs.camden.id],
      ['bc', 'borough_commander', f.boroughs.lambeth.id],
      ['analyst', 'analyst', null],
    ];
    for (const [i, [who, role, borough]] of people.entries()) {
      const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: `${200 + i}LX`, boroughId: f.boroughs.lambeth.id }));
      await makeAccount(t, `${who}@test.police.uk`, [{ role, boroughId: borough }], { officerId: o.id });
      tokens[who] = (await createApiToken(t.svc, SYSTEM_ACTOR, `${who}@test.police.uk`, who)).token;
    }
  });
  afterAll(() => t.close());

  it('records, submits, reviews, amends and signs off a report through the API', async () => {
    const { incident, ...rest } = firedReport(f.boroughs.lambeth.id);
    const created = await api('pc', 'POST', '/api/v1/reports', { sections: { incident } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ status: 'draft', version: 0, incidentReference: 'CAD 1234/28NOV' });
    // A write answers with the report as it left it (read in its transaction): what a read gives next.
    const read = await api('pc', 'GET', `/api/v1/reports/${id}`);
    expect(read.json()).toEqual(created.json());
    expect(read.headers.etag).toBe(created.headers.etag);

    const early = await api('pc', 'POST', `/api/v1/reports/${id}/submit`);
    expect(early.statusCode).toBe(422);
    expect(early.json().errors).toContainEqual({ field: 'duty', message: 'Complete the section: Your duty' });

    for (const [key, value] of Object.entries(rest)) expect((await api('pc', 'PUT', `/api/v1/reports/${id}/sections/${key}`, value)).statusCode).toBe(200);
    const submitted = await api('pc', 'POST', `/api/v1/reports/${id}/submit`);
    expect(submitted.json()).toMatchObject({ status: 'submitted', version: 1, highestLevel: 'fired', discharge: true });
    expect((await api('pc', 'GET', `/api/v1/reports/${id}`)).json()).toEqual(submitted.json());

    expect((await api('sgt', 'GET', '/api/v1/reports?status=submitted')).json().total).toBe(1);
    expect((await api('camdensgt', 'GET', '/api/v1/reports?status=submitted')).json().total).toBe(0);
    // A date of the right shape that no calendar has is a 422 naming the parameter, not a 500.
    for (const bad of ['occurredTo=0000-00-00', 'occurredFrom=2026-02-30']) {
      const refused = await api('sgt', 'GET', `/api/v1/reports?${bad}`);
      expect(refused.statusCode).toBe(422);
      expect(JSON.stringify(refused.json())).toContain('Use a real date, YYYY-MM-DD');
    }
    expect((await api('camdensgt', 'GET', `/api/v1/reports/${id}`)).statusCode).toBe(404);

    const returned = await api('sgt', 'POST', `/api/v1/reports/${id}/review`, { outcome: 'return', comment: 'Add the second footage reference' });
    expect(returned.json().status).toBe('returned');
    const amended = await api('pc', 'POST', `/api/v1/reports/${id}/amendments`, {
      sections: { bwv: { ...(rest.bwv as object), footageRefs: ['EVID-2026-11-20-0042', 'EVID-2026-11-20-0043'] } },
      reason: 'Second camera clip added',
    });
    expect(amended.statusCode).toBe(200);
    expect(amended.json()).toMatchObject({ status: 'submitted', version: 2 });
    expect((await api('sgt', 'POST', `/api/v1/reports/${id}/review`, { outcome: 'approve' })).json().status).toBe('awaiting_sign_off');
    const signed = await api('bc', 'POST', `/api/v1/reports/${id}/sign-off`, {});
    expect(signed.json().status).toBe('signed_off');
    expect(signed.json().timeline.map((e: { kind: string }) => e.kind)).toEqual(['created', 'submitted', 'returned', 'amended', 'approved', 'signed_off']);
    expect(signed.json().timeline[3].changes).toEqual({ 'bwv.footageRefs': { from: ['EVID-2026-11-20-0042'], to: ['EVID-2026-11-20-0042', 'EVID-2026-11-20-0043'] } });

    const incident_ = await api('sgt', 'GET', `/api/v1/incidents/${signed.json().incidentId}`);
    expect(incident_.json().reports).toHaveLength(1);
  });

  it('names each invalid field and creates nothing when a section is wrong', async () => {
    const before = (await api('pc', 'GET', '/api/v1/reports/mine')).json().total;
    const res = await api('pc', 'POST', '/api/v1/reports', {
      sections: { incident: { reference: '', date: 'yesterday', time: '9pm', boroughId: f.boroughs.lambeth.id, locations: ['moon'] }, nonsense: {} },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.sections.nonsense']);
    const res2 = await api('pc', 'POST', '/api/v1/reports', { sections: { incident: { reference: '', date: 'yesterday', time: '9pm', boroughId: f.boroughs.lambeth.id, locations: ['moon'] } } });
    expect(
      res2
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['sections.incident.date', 'sections.incident.locations.0', 'sections.incident.reference', 'sections.incident.time']);
    expect((await api('pc', 'GET', '/api/v1/reports/mine')).json().total).toBe(before);
    expect((await api('pc', 'PUT', `/api/v1/reports/x/sections/nope`, {})).statusCode).toBe(404);
  });

  it('enforces who may do what', async () => {
    expect((await api('analyst', 'GET', '/api/v1/reports')).statusCode).toBe(403);
    expect((await api('analyst', 'POST', '/api/v1/reports', {})).statusCode).toBe(403);
    expect((await api('pc', 'GET', '/api/v1/reports')).statusCode).toBe(403);
    const draft = (await api('pc', 'POST', '/api/v1/reports', {})).json();
    expect((await api('sgt', 'GET', `/api/v1/reports/${draft.id}`)).statusCode).toBe(404); // drafts are private
    expect((await api('sgt', 'POST', `/api/v1/reports/${draft.id}/review`, { outcome: 'approve' })).statusCode).toBe(404);
    const review = await api('pc', 'POST', `/api/v1/reports/${draft.id}/review`, { outcome: 'approve' });
    expect(review.statusCode).toBe(403);
  });

  it('describes the reports API in OpenAPI with complete section schemas', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/reports', '/api/v1/reports/{id}/amendments', '/api/v1/reports/{id}/review']));
    expect(doc.components.schemas.Section_ced.properties.applications.maxItems).toBe(4);
    expect(doc.components.schemas.Section_tactics.properties.tactics.items.properties.tactic.enum).toContain('ced_red_dotted');
  });
});
