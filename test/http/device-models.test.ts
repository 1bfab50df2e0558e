import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { GateRefusedError } from '../../src/domain/devices/gate.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { saveDeviceModel } from '../../src/services/device-models.js';
import { issueDevice, listDeviceModels, registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';

/* Issue 12: device models are configuration — the list, adding one and changing one, audited, on both databases. */
const NOW = '2027-04-01T06:30:00Z'; // 07:30 in London on 1 April
const ALL = { all: true } as const;

describe.each(testDatabases())('device models on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let lead: Client;
  let sergeant: Client;
  let officer: string;
  const modelId = async (name: string) => (await listDeviceModels(t.svc, SYSTEM_ACTOR)).find((m) => m.name === name)!.id;

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
    await makeAccount(t, 'sgt@test.police.uk', [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }]);
    // An officer authorised on the X26 (initial course passed last autumn).
    const o = await createOfficer(t.svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: '701LX', boroughId: f.boroughs.lambeth.id }));
    await recordPasses(t.svc, [{ officerId: o.id, course: 'initial-x26', on: '2026-10-01' }]);
    officer = o.collarNumber;
    lead = await signInAs(t.app, 'lead@test.police.uk');
    sergeant = await signInAs(t.app, 'sgt@test.police.uk');
  });
  afterAll(() => t.close());

  it('lists the seeded models to anyone who reads devices, with a change link only for those who keep them', async () => {
    const page = await sergeant.get('/devices/models');
    expect(page.statusCode, page.body).toBe(200);
    for (const name of ['X26', 'X2', 'TASER 7', 'TASER 10']) expect(page.body).toContain(`>${name}</th>`);
    expect(page.body).toContain('Smart 15 ft, Smart 25 ft');
    expect(page.body).not.toContain('/edit');
    expect((await sergeant.get('/devices/models/new')).statusCode).toBe(403);
    expect((await sergeant.post(`/devices/models/${await modelId('X26')}`, { name: 'X26', bays: '1', cartridgeTypes: 'X26 25 ft', authorisedBy: 'X26' })).statusCode).toBe(403);
    expect((await lead.get('/devices/models')).body).toContain(`/devices/models/${await modelId('X26')}/edit`);
  });

  it('sets the day the force stops issuing the X26, audited with what it was, and the gate then refuses an X26', async () => {
    const id = await modelId('X26');
    const form = await lead.get(`/devices/models/${id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('X26 21 ft\nX26 25 ft');
    const saved = await lead.post(`/devices/models/${id}`, { name: 'X26', bays: '1', cartridgeTypes: 'X26 21 ft\nX26 25 ft', authorisedBy: 'X26', stopsIssuingOn: '2027-04-01' });
    expect(saved.statusCode, saved.body).toBe(303);
    expect(saved.headers.location).toBe('/devices/models?notice=updated');
    expect((await lead.get('/devices/models?notice=updated')).body).toContain('Until 1 April 2027');
    const [entry] = (await listAudit(t.svc.database.db, { action: 'device_model.update' }, { offset: 0, limit: 5 })).entries;
    expect(JSON.parse(entry!.summary)).toMatchObject({ before: { stopsIssuingOn: null }, after: { stopsIssuingOn: '2027-04-01' } });
    await registerDevices(t.svc, SYSTEM_ACTOR, [{ serial: 'X26M0001', model: 'X26', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null } }]);
    const err = await issueDevice(t.svc, SYSTEM_ACTOR, ALL, { deviceSerial: 'X26M0001', collarNumber: officer, cartridges: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GateRefusedError);
    expect((err as GateRefusedError).reasons).toContainEqual({ code: 'device_not_available', message: 'Device X26M0001 is not available: the force stopped issuing the X26 on 2027-04-01.' });
  });

  it('adds a model, and says what is wrong with a bad one without storing it', async () => {
    const bad = await lead.post('/devices/models', { name: 'X2', bays: '0', cartridgeTypes: '', authorisedBy: 'X2', stopsIssuingOn: '30/06/2027' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('A model has at least 1 cartridge bay');
    expect(bad.body).toContain('Enter at least one cartridge type the model takes');
    expect(bad.body).toContain('Enter the day the force stops issuing it as YYYY-MM-DD');
    const taken = await lead.post('/devices/models', { name: 'X2', bays: '2', cartridgeTypes: 'Smart 25 ft', authorisedBy: 'X2', stopsIssuingOn: '' });
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('There is already a model called X2');
    const added = await lead.post('/devices/models', { name: 'X3', bays: '3', cartridgeTypes: 'X3 25 ft, X3 35 ft', authorisedBy: 'X2', stopsIssuingOn: '' });
    expect(added.statusCode, added.body).toBe(303);
    const x3 = (await listDeviceModels(t.svc, SYSTEM_ACTOR)).find((m) => m.name === 'X3');
    expect(x3).toMatchObject({ bays: 3, cartridgeTypes: ['X3 25 ft', 'X3 35 ft'], authorisedBy: 'X2', stopsIssuingOn: null });
  });

  it('applies two changes made at the same moment one after the other: the second is audited against the first', async () => {
    const id = await modelId('TASER 7');
    const base = { name: 'TASER 7', cartridgeTypes: 'T7 close quarter\nT7 standoff', authorisedBy: 'TASER 7' };
    await Promise.all([
      saveDeviceModel(t.svc, SYSTEM_ACTOR, id, { ...base, bays: '2', stopsIssuingOn: '2030-01-01' }),
      saveDeviceModel(t.svc, SYSTEM_ACTOR, id, { ...base, bays: '3', stopsIssuingOn: '' }),
    ]);
    const entries = (await listAudit(t.svc.database.db, { entityId: id, action: 'device_model.update' }, { offset: 0, limit: 10 })).entries.sort((a, b) => a.seq - b.seq);
    expect(entries).toHaveLength(2);
    const [first, second] = entries.map((e) => JSON.parse(e.summary) as { before: unknown; after: unknown });
    expect(second!.before).toEqual(first!.after);
    const stored = (await listDeviceModels(t.svc, SYSTEM_ACTOR)).find((m) => m.id === id)!;
    const { id: _, ...now } = stored;
    expect(now).toEqual(second!.after);
  });
});
