import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { GateRefusedError } from '../../src/domain/devices/gate.js';
import { CENTRAL_STORE } from '../../src/domain/devices/register.js';
import { NotFoundError, ValidationError, WorkflowError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR, fixedClock, type Actor } from '../../src/services/context.js';
import { getDevice, issueDevice, listDeviceModels, moveDevice, receiveCartridges, registerDevices, returnDevice } from '../../src/services/devices.js';
import { importDevices } from '../../src/services/import-devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';

/* Issue 12: the fleet register's moves and the sign-out gate, on both databases, at a fixed instant. */

const ALL = { all: true } as const;
const NOW = new Date('2027-04-01T07:00:00Z'); // 08:00 in London on 1 April (BST)
const ARMOURER: Actor = { userId: null, label: 'armourer@test', grants: [{ role: 'armourer', boroughId: null }] };
const PSD: Actor = { userId: null, label: 'psd@test', grants: [{ role: 'professional_standards', boroughId: null }] };

const fulfilled = <T>(results: PromiseSettledResult<T>[]) => results.filter((r): r is PromiseFulfilledResult<T> => r.status === 'fulfilled').map((r) => r.value);
const rejected = (results: PromiseSettledResult<unknown>[]) => results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);

describe.each(testDatabases())('devices and the sign-out gate, on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let lambeth: { boroughId: string; teamId: null };
  let n = 0;

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock(NOW) });
    f = await smallForce(svc);
    lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
  });
  afterAll(() => svc.cleanup());

  /** An officer whose X2 initial course passed on `passedOn` (none: never trained). */
  const officer = async (passedOn: string | null = '2026-10-01') => {
    const collarNumber = `${800 + ++n}LX`;
    const o = await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber, boroughId: f.boroughs.lambeth.id }));
    if (passedOn) {
      await recordPasses(svc, [{ officerId: o.id, course: 'initial-x2', on: passedOn }]);
    }
    return collarNumber;
  };
  const device = async (model = 'X2', armoury: { boroughId: string | null; teamId: string | null } = lambeth) => {
    const serial = `X${kind[0]!.toUpperCase()}${String(++n).padStart(5, '0')}`;
    const ids = await registerDevices(svc, ARMOURER, [{ serial, model, armoury, firmware: '1.2.3', inServiceOn: '2026-01-01' }]);
    return { serial, id: ids.get(serial)! };
  };
  const cartridges = async (count: number, over: { type?: string; expiresOn?: string } = {}) => {
    const serials = Array.from({ length: count }, () => `C${kind[0]!.toUpperCase()}${String(++n).padStart(6, '0')}`);
    await receiveCartridges(
      svc,
      ARMOURER,
      serials.map((serial) => ({ serial, type: over.type ?? 'Smart 25 ft', lot: 'L1', expiresOn: over.expiresOn ?? '2028-01-31', armoury: lambeth })),
    );
    return serials;
  };

  it('seeds the four models a force starts with', async () => {
    const models = await listDeviceModels(svc, SYSTEM_ACTOR);
    expect(models.map((m) => [m.name, m.bays]).sort()).toEqual([
      ['TASER 10', 10],
      ['TASER 7', 2],
      ['X2', 2],
      ['X26', 1],
    ]);
  });

  it('issues a device with cartridges to an authorised officer and takes it back, one cartridge expended', async () => {
    const collar = await officer();
    const d = await device();
    const cs = await cartridges(2);
    const issue = await issueDevice(svc, ARMOURER, ALL, { deviceSerial: d.serial.toLowerCase(), collarNumber: collar, cartridges: cs, shiftEndsAt: '2027-04-01T17:00:00Z' });
    expect(issue).toMatchObject({ deviceSerial: d.serial, collarNumber: collar, returnedAt: null, cartridges: cs.map((serial) => ({ serial, outcome: null })) });
    expect((await getDevice(svc, d.id)).state).toBe('issued');
    const back = await returnDevice(svc, ARMOURER, ALL, issue.id, {
      cartridges: [
        { serial: cs[0]!, outcome: 'expended' },
        { serial: cs[1]!, outcome: 'in_store' },
      ],
    });
    expect(back.returnedAt).toBe(NOW.toISOString());
    expect(back.cartridges.map((c) => c.outcome)).toEqual(['expended', 'in_store']);
    expect((await getDevice(svc, d.id)).state).toBe('in_store');
    const audit = await listAudit(svc.database.db, { entityId: issue.id }, { offset: 0, limit: 10 });
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['device.issue', 'device.return']);
    await expect(returnDevice(svc, ARMOURER, ALL, issue.id, { cartridges: [] })).rejects.toThrow(WorkflowError);
  });

  it('ends the shift 10 hours after the issue unless told, and refuses an end before the issue or a day away', async () => {
    const collar = await officer();
    const d = await device();
    const early = await issueDevice(svc, ARMOURER, ALL, { deviceSerial: d.serial, collarNumber: collar, cartridges: [], shiftEndsAt: '2027-04-01T06:59:00Z' }).catch((e: unknown) => e);
    expect((early as ValidationError).errors).toEqual([{ field: 'shiftEndsAt', message: 'The shift must end after the device is issued' }]);
    const late = await issueDevice(svc, ARMOURER, ALL, { deviceSerial: d.serial, collarNumber: collar, cartridges: [], shiftEndsAt: '2027-04-02T07:00:01Z' }).catch((e: unknown) => e);
    expect((late as ValidationError).errors[0]!.message).toBe('The shift must end within 24 hours of the device being issued');
    expect((await getDevice(svc, d.id)).state).toBe('in_store');
    const issue = await issueDevice(svc, ARMOURER, ALL, { deviceSerial: d.serial, collarNumber: collar, cartridges: [] });
    expect(issue.shiftEndsAt).toBe('2027-04-01T17:00:00.000Z');
    await returnDevice(svc, ARMOURER, ALL, issue.id, { cartridges: [] });
  });

  it('refuses with every reason at once, and stores nothing', async () => {
    const lapsed = await officer('2025-01-01');
    const d = await device();
    await moveDevice(svc, ARMOURER, ALL, d.id, { move: 'send_for_repair', note: 'Trigger sticks' });
    const [old] = await cartridges(1, { expiresOn: '2027-03-31' });
    const [x26] = await cartridges(1, { type: 'X26 25 ft' });
    const err = await issueDevice(svc, ARMOURER, ALL, { deviceSerial: d.serial, collarNumber: lapsed, cartridges: [old!, x26!, 'NOPE-1'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GateRefusedError);
    expect((err as GateRefusedError).reasons.map((r) => r.code)).toEqual(['not_authorised', 'device_not_available', 'cartridge_expired', 'cartridge_incompatible', 'cartridge_not_available']);
    expect((await getDevice(svc, d.id)).state).toBe('in_repair');
  });

  it('refuses an officer who holds a device already, and a device from another armoury unless an inspector overrides', async () => {
    const collar = await officer();
    const [a, b] = [await device(), await device('X2', CENTRAL_STORE)];
    await issueDevice(svc, ARMOURER, ALL, { deviceSerial: a.serial, collarNumber: collar, cartridges: [] });
    const err = (await issueDevice(svc, ARMOURER, ALL, { deviceSerial: b.serial, collarNumber: collar, cartridges: [], armoury: lambeth }).catch((e: unknown) => e)) as GateRefusedError;
    expect(err.reasons.map((r) => r.code)).toEqual(['officer_holds_device', 'wrong_armoury']);
    // Not an inspector (no officer record): the override is not taken.
    const again = (await issueDevice(svc, ARMOURER, ALL, {
      deviceSerial: b.serial,
      collarNumber: await officer(),
      cartridges: [],
      armoury: lambeth,
      override: { codes: ['wrong_armoury'], reason: 'Store closed tonight' },
    }).catch((e: unknown) => e)) as GateRefusedError;
    expect(again.reasons.map((r) => r.code)).toEqual(['wrong_armoury']);
  });

  it('refuses a move the lifecycle does not allow, saying why; only professional standards release a quarantined device', async () => {
    const d = await device();
    await expect(moveDevice(svc, ARMOURER, ALL, d.id, { move: 'repaired' })).rejects.toThrow('The device cannot be taken back from repair: it is in store.');
    await moveDevice(svc, ARMOURER, ALL, d.id, { move: 'quarantine', note: 'Discharge with serious injury' });
    await expect(moveDevice(svc, ARMOURER, ALL, d.id, { move: 'release', note: 'Case closed' })).rejects.toThrow('Only professional standards can release a quarantined device.');
    expect((await moveDevice(svc, PSD, ALL, d.id, { move: 'release', note: 'Case closed' })).state).toBe('in_store');
    await moveDevice(svc, ARMOURER, ALL, d.id, { move: 'withdraw', withdrawalReason: 'lost', note: 'Lost on patrol' });
    await expect(moveDevice(svc, PSD, ALL, d.id, { move: 'quarantine', note: 'Evidence needed' })).rejects.toThrow('it has been withdrawn, which is final');
    await expect(moveDevice(svc, ARMOURER, { all: false, boroughIds: [] }, d.id, { move: 'send_for_repair', note: 'xxxxx' })).rejects.toThrow(NotFoundError);
  });

  it('refuses a duplicate serial and a model that does not exist, naming the row', async () => {
    const d = await device();
    const err = (await registerDevices(svc, ARMOURER, [
      { serial: d.serial, model: 'X2', armoury: lambeth },
      { serial: 'ZZ-1', model: 'X3', armoury: lambeth },
    ]).catch((e: unknown) => e)) as ValidationError;
    expect(err.errors).toEqual([
      { field: '1.model', message: 'There is no model called “X3”: the models are TASER 10, TASER 7, X2, X26' },
      { field: '0.serial', message: `A device with the serial ${d.serial} is already registered` },
    ]);
  });

  it('rejects an imported value with a NUL character by line and column, storing nothing (PostgreSQL cannot hold one in text)', async () => {
    const csv = 'serial,model,armoury,status,firmware\nNUL-0001,X2,Lambeth,in service,1.2\u00003\n';
    const r = await importDevices(svc, ARMOURER, { fileName: 'devices-nul.csv', bytes: new TextEncoder().encode(csv) });
    expect(r).toMatchObject({ ok: false, inserted: 0, rejectedRows: 1 });
    expect(r.rejected).toEqual([{ line: 2, column: 'firmware', message: expect.stringContaining('There is a NUL character (U+0000) at character 4 of this value') }]);
    expect(await svc.database.db.selectFrom('device').select('id').where('serial', '=', 'NUL-0001').executeTakeFirst()).toBeUndefined();
  });

  it('gives a device to exactly one of two terminals issuing it at the same moment', async () => {
    const d = await device();
    const [a, b] = [await officer(), await officer()];
    const results = await Promise.allSettled([
      issueDevice(svc, ARMOURER, ALL, { deviceSerial: d.serial, collarNumber: a, cartridges: [] }),
      issueDevice(svc, ARMOURER, ALL, { deviceSerial: d.serial, collarNumber: b, cartridges: [] }),
    ]);
    expect(fulfilled(results)).toHaveLength(1);
    const [loser] = rejected(results);
    expect(loser).toBeInstanceOf(GateRefusedError);
    expect((loser as GateRefusedError).reasons.map((r) => r.code)).toEqual(['device_not_available']);
    expect((await getDevice(svc, d.id)).state).toBe('issued');
    expect((await listAudit(svc.database.db, { action: 'device.issue' }, { offset: 0, limit: 100 })).entries.filter((e) => JSON.stringify(e.summary).includes(d.serial))).toHaveLength(1);
  });

  it('gives the same cartridges to exactly one of two devices issued at the same moment', async () => {
    const [d1, d2] = [await device(), await device()];
    const cs = await cartridges(2);
    const results = await Promise.allSettled([
      issueDevice(svc, ARMOURER, ALL, { deviceSerial: d1.serial, collarNumber: await officer(), cartridges: cs }),
      issueDevice(svc, ARMOURER, ALL, { deviceSerial: d2.serial, collarNumber: await officer(), cartridges: cs }),
    ]);
    expect(fulfilled(results)).toHaveLength(1);
    // SQLite's one writer: the loser reads both cartridges issued; PostgreSQL: it read them in store, and its compare-and-set finds them taken.
    const codes = (rejected(results)[0] as GateRefusedError).reasons.map((r) => r.code);
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['cartridge_not_available']));
  });
});
