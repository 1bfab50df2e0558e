import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/permissions.js';
import { createApiToken } from '../../src/services/accounts.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { receiveCartridges, registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { makeAccount, openTestApp, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';

/* Issue 12: the sign-out gate for a locker or kiosk, POST /api/v1/device-issues and its return, on both databases. */
const NOW = '2027-04-01T06:30:00Z'; // 07:30 in London, the first day of BST's first full month
describe.each(testDatabases())('the device sign-out API on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const tokens: Record<string, string> = {};
  const api = (who: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    for (const [collar, passedOn] of [
      ['501LX', '2026-10-01'],
      ['502LX', '2026-01-15'],
    ] as const) {
      const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, boroughId: f.boroughs.lambeth.id }));
      await recordPasses(t.svc, [{ officerId: o.id, course: 'initial-x2', on: passedOn }]);
    }
    const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
    await registerDevices(t.svc, SYSTEM_ACTOR, [
      { serial: 'X2L0001', model: 'X2', armoury: lambeth },
      { serial: 'X2C0001', model: 'X2', armoury: { boroughId: f.boroughs.camden.id, teamId: null } },
    ]);
    await receiveCartridges(t.svc, SYSTEM_ACTOR, [
      { serial: 'CL0001', type: 'Smart 25 ft', lot: 'L1', expiresOn: '2028-01-31', armoury: lambeth },
      { serial: 'CL0002', type: 'Smart 25 ft', lot: 'L1', expiresOn: '2027-03-31', armoury: lambeth },
    ]);
    const people: [string, Role, string | null][] = [
      ['armourer', 'armourer', null],
      ['sgt', 'supervisor', f.boroughs.lambeth.id],
      ['analyst', 'analyst', null],
    ];
    for (const [who, role, borough] of people) {
      await makeAccount(t, `${who}@test.police.uk`, [{ role, boroughId: borough }]);
      tokens[who] = (await createApiToken(t.svc, SYSTEM_ACTOR, `${who}@test.police.uk`, who)).token;
    }
  });
  afterAll(() => t.close());

  it('refuses with every reason at once as a 409 problem, then issues, reads and takes back a device', async () => {
    const refused = await api('sgt', 'POST', '/api/v1/device-issues', { deviceSerial: 'x2l0001', collarNumber: '502LX', cartridges: ['CL0002', 'NOPE1'] });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json().reasons.map((r: { code: string }) => r.code)).toEqual(['not_authorised', 'cartridge_expired', 'cartridge_not_available']);
    expect(refused.json().reasons[0].message).toMatch(/^Officer 502LX has no current authority on the X2: Lapsed on 2027-01-15/);

    const issued = await api('sgt', 'POST', '/api/v1/device-issues', { deviceSerial: 'X2L0001', collarNumber: '501lx', cartridges: ['CL0001'], shiftEndsAt: '2027-04-01T17:00:00+01:00' });
    expect(issued.statusCode, issued.body).toBe(201);
    const body = issued.json();
    expect(body).toMatchObject({
      deviceSerial: 'X2L0001',
      model: 'X2',
      collarNumber: '501LX',
      issuedAt: '2027-04-01T06:30:00.000Z',
      shiftEndsAt: '2027-04-01T16:00:00.000Z',
      returnedAt: null,
      cartridges: [{ serial: 'CL0001', outcome: null }],
    });
    expect(issued.headers.location).toBe(`/api/v1/device-issues/${body.id}`);
    expect((await api('analyst', 'GET', issued.headers.location as string)).statusCode).toBe(403);
    // What the issue answered is what is stored.
    expect((await api('armourer', 'GET', issued.headers.location as string)).json()).toEqual(body);

    const again = await api('armourer', 'POST', '/api/v1/device-issues', { deviceSerial: 'X2L0001', collarNumber: '501LX' });
    expect(again.json().reasons.map((r: { code: string }) => r.code)).toEqual(['device_not_available']);

    const incomplete = await api('sgt', 'POST', `/api/v1/device-issues/${body.id}/return`, { cartridges: [] });
    expect(incomplete.statusCode).toBe(422);
    expect(incomplete.json().errors).toEqual([{ field: 'cartridges.0.outcome', message: 'Say what became of cartridge CL0001: back in store, expended or lost' }]);
    const back = await api('sgt', 'POST', `/api/v1/device-issues/${body.id}/return`, { cartridges: [{ serial: 'CL0001', outcome: 'expended' }] });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ returnedAt: '2027-04-01T06:30:00.000Z', cartridges: [{ serial: 'CL0001', outcome: 'expended' }] });
    expect((await api('armourer', 'GET', issued.headers.location as string)).json()).toEqual(back.json());
    expect((await api('sgt', 'POST', `/api/v1/device-issues/${body.id}/return`, { cartridges: [] })).statusCode).toBe(409);
  });

  it('names each bad field, and keeps a borough-scoped sergeant to their borough', async () => {
    const bad = await api('armourer', 'POST', '/api/v1/device-issues', { deviceSerial: '', cartridges: 'CL1', override: { codes: ['not_authorised'], reason: 'x' } });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['body.cartridges', 'body.collarNumber', 'body.deviceSerial', 'body.override.codes.0', 'body.override.reason']);
    const other = await api('sgt', 'POST', '/api/v1/device-issues', { deviceSerial: 'X2C0001', collarNumber: '501LX' });
    expect(other.statusCode).toBe(422);
    expect(other.json().errors).toEqual([{ field: 'deviceSerial', message: 'Device X2C0001 belongs to another borough’s armoury' }]);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/device-issues', '/api/v1/device-issues/{id}', '/api/v1/device-issues/{id}/return']));
    expect(doc.components.schemas.GateRefusal.allOf[1].properties.reasons.items.properties.code.enum).toContain('wrong_armoury');
  });
});
