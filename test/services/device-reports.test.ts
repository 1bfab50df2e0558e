import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { findReport } from '../../src/db/repositories/reports.js';
import { NotFoundError, ValidationError, WorkflowError } from '../../src/domain/errors.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { createAccount } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { decideQuarantine, devicesHeld, deviceWarnings, listQuarantineProposals, quarantineProposalsOfReport } from '../../src/services/device-reports.js';
import { getDevice, issueDevice, moveDevice, receiveCartridges, registerDevices, returnDevice } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { amendReport, saveSection, startReport, submitReport } from '../../src/services/reports.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport } from '../support/report-fixtures.js';

/* Issue 12: the report knows the device — serial warnings, quarantine proposals and professional standards' decision, the devices an officer held. */

const ALL = { all: true } as const;
const SHIFT = new Date('2026-11-20T18:00:00Z'); // the device goes out before the incident at 22:15
const AFTER = new Date('2026-11-21T12:00:00Z'); // the report is written the next day
const ARMOURER: Actor = { userId: null, label: 'armourer@test', grants: [{ role: 'armourer', boroughId: null }] };
const PSD: Actor = { userId: null, label: 'psd@test', grants: [{ role: 'professional_standards', boroughId: null }] };
const PSD2: Actor = { userId: null, label: 'psd2@test', grants: [{ role: 'professional_standards', boroughId: null }] };

const severe = {
  staffInjured: false,
  staffInjuryIntentional: null,
  staffInjuryLevel: null,
  staffMedicalProvided: null,
  subjectInjured: true,
  subjectInjuryNature: 'Head injury from the fall',
  subjectInjuryLevel: 'severe',
  subjectMedicalOffered: true,
  subjectMedicalProvided: true,
};
const postUse = (iopc: boolean) => ({ ...(firedReport('b').postUse as object), iopcReferralConsidered: iopc, iopcNotes: iopc ? 'Considered at once' : null });

describe.each(testDatabases())('the report knows the device, on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let now = AFTER;
  let n = 0;

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => now });
    f = await smallForce(svc);
  });
  afterAll(() => svc.cleanup());

  /** An officer authorised on the X2, with an account to record reports. */
  const officer = async () => {
    const collarNumber = `${700 + ++n}LX`;
    const o = await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber, boroughId: f.boroughs.lambeth.id }));
    await recordPasses(svc, [{ officerId: o.id, course: 'initial-x2', on: '2026-10-01' }]);
    const { account } = await createAccount(
      svc,
      SYSTEM_ACTOR,
      { email: `pc${n}@test.police.uk`, displayName: `PC ${n}`, roles: [{ role: 'officer', boroughId: null }], officerId: o.id },
      'a long enough passphrase',
    );
    const actor: Actor = { userId: account.id, label: account.email, grants: account.roles };
    return { id: o.id, collarNumber, actor };
  };
  const device = async () => {
    const serial = `X${kind[0]!.toUpperCase()}${String(++n).padStart(6, '0')}`;
    const ids = await registerDevices(svc, ARMOURER, [{ serial, model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null }, inServiceOn: '2026-01-01' }]);
    return { serial, id: ids.get(serial)! };
  };
  /** Issues the device to the officer at the start of the shift, the evening of the incident. */
  const issue = async (d: { serial: string }, o: { collarNumber: string }, cartridges: string[] = []) => {
    now = SHIFT;
    try {
      return await issueDevice(svc, ARMOURER, ALL, { deviceSerial: d.serial, collarNumber: o.collarNumber, cartridges });
    } finally {
      now = AFTER;
    }
  };
  const report = async (o: { actor: Actor }, serial: string, over: Partial<Record<SectionKey, unknown>> = {}, submit = true) => {
    const sections = firedReport(f.boroughs.lambeth.id, { ced: { ...(firedReport('b').ced as object), deviceSerial: serial }, ...over });
    const r = await startReport(svc, o.actor);
    for (const [k, v] of Object.entries(sections)) if (v !== undefined) await saveSection(svc, o.actor, r.id, k as SectionKey, v);
    if (submit) await submitReport(svc, o.actor, r.id);
    return r.id;
  };
  const warningsOf = async (id: string) => deviceWarnings(svc, (await findReport(svc.database.db, id))!);

  it('warns of nothing while the force has no devices registered', async () => {
    const o = await officer();
    const id = await report(o, 'X29999999', {}, false);
    expect(await warningsOf(id)).toEqual([]);
  });

  it('warns of nothing when the device was out to the officer at the incident', async () => {
    const o = await officer();
    const d = await device();
    await issue(d, o);
    const id = await report(o, d.serial.toLowerCase(), {}, false);
    expect(await warningsOf(id)).toEqual([]);
  });

  it('warns of a serial not in the register, and of a device out to another officer at the time', async () => {
    const [o, other] = [await officer(), await officer()];
    const d = await device();
    await issue(d, other);
    const unknown = await report(o, 'X29999999', {}, false);
    expect((await warningsOf(unknown)).map((w) => w.code)).toEqual(['unknown_serial']);
    const elsewhere = await report(o, d.serial);
    const warnings = await warningsOf(elsewhere);
    expect(warnings).toEqual([
      {
        code: 'not_issued_to_officer',
        message: `Taser ${d.serial} was not issued to the officer who wrote this report at the time of the incident (22:15 on 20 November 2026): the register shows it was issued to another officer then.`,
      },
    ]);
  });

  it('warns of nothing before the Taser section is saved', async () => {
    const o = await officer();
    const r = await startReport(svc, o.actor);
    expect(await warningsOf(r.id)).toEqual([]);
    // A report of another force is not this force's to check.
    await expect(deviceWarnings(svc, { ...r, forceId: '00000000-0000-0000-0000-000000000000' })).rejects.toThrow(NotFoundError);
  });

  it('proposes quarantine on submitting a discharge with serious injury, and not before submission', async () => {
    const o = await officer();
    const d = await device();
    await issue(d, o);
    const id = await report(o, d.serial, { injuries: severe, postUse: postUse(true) }, false);
    expect(await quarantineProposalsOfReport(svc, id)).toEqual([]);
    await submitReport(svc, o.actor, id);
    const [p] = await quarantineProposalsOfReport(svc, id);
    expect(p).toMatchObject({
      deviceId: d.id,
      deviceSerial: d.serial,
      reason: 'Taser fired; a serious injury was recorded',
      decidedAt: null,
      incidentReference: 'CAD 1234/28NOV',
      occurredOn: '2026-11-20',
    });
    const listed = await listQuarantineProposals(svc, ALL, { page: 1, pageSize: 100 });
    expect(listed.proposals.map((x) => x.id)).toContain(p!.id);
    expect((await listQuarantineProposals(svc, { all: false, boroughIds: [f.boroughs.camden.id] }, { page: 1, pageSize: 100 })).proposals.map((x) => x.id)).not.toContain(p!.id);
    const audit = await listAudit(svc.database.db, { entityId: p!.id }, { offset: 0, limit: 10 });
    expect(audit.entries.map((e) => e.action)).toEqual(['device_quarantine.propose']);
  });

  it('proposes quarantine when an amendment records a serious injury, once however often it is amended', async () => {
    const o = await officer();
    const d = await device();
    await issue(d, o);
    const id = await report(o, d.serial);
    expect(await quarantineProposalsOfReport(svc, id)).toEqual([]);
    await amendReport(svc, o.actor, id, { sections: { injuries: severe, postUse: postUse(true) }, reason: 'The subject was admitted to hospital after the report' });
    expect((await quarantineProposalsOfReport(svc, id)).map((p) => [p.deviceSerial, p.reason])).toEqual([[d.serial, 'Taser fired; a serious injury was recorded']]);
    await amendReport(svc, o.actor, id, {
      sections: { injuries: { ...severe, subjectInjuryNature: 'Head injury and a broken wrist from the fall' } },
      reason: 'The hospital found the wrist fracture',
    });
    expect(await quarantineProposalsOfReport(svc, id)).toHaveLength(1);
  });

  it('proposes nothing for a discharge with minor injury, nor for a use short of a discharge with serious injury', async () => {
    const o = await officer();
    const minor = await report(o, 'X20000001');
    const redDot = await report(o, 'X20000002', {
      tactics: { tactics: [{ tactic: 'ced_red_dotted', effective: true }], cedUsed: true, firearmsAimed: false, firearmsFired: false },
      ced: { deviceSerial: 'X20000002', applications: [{ levels: ['red_dotted'], fired: null }] },
      injuries: severe,
      postUse: postUse(true),
    });
    expect(await quarantineProposalsOfReport(svc, minor)).toEqual([]);
    expect(await quarantineProposalsOfReport(svc, redDot)).toEqual([]);
  });

  it('keeps a proposal for a serial not in the register: it can only be declined', async () => {
    const o = await officer();
    const id = await report(o, 'X28888888', { injuries: { ...severe, subjectInjuryLevel: 'death' }, outcomes: { outcomes: ['fatality'] }, postUse: postUse(true) });
    const [p] = await quarantineProposalsOfReport(svc, id);
    expect(p).toMatchObject({ deviceId: null, deviceSerial: 'X28888888', reason: 'Taser fired; a death was recorded' });
    await expect(decideQuarantine(svc, PSD, ALL, p!.id, { decision: 'quarantine' })).rejects.toThrow(ValidationError);
    await expect(decideQuarantine(svc, PSD, ALL, p!.id, { decision: 'decline', note: '' })).rejects.toThrow(ValidationError);
    const declined = await decideQuarantine(svc, PSD, ALL, p!.id, { decision: 'decline', note: 'Serial mistyped; the device is X2 0001' });
    expect(declined).toMatchObject({ decision: 'declined', decisionNote: 'Serial mistyped; the device is X2 0001', decidedBy: 'psd@test', decidedAt: AFTER.toISOString() });
    expect((await listQuarantineProposals(svc, ALL, { page: 1, pageSize: 100 })).proposals.map((x) => x.id)).not.toContain(p!.id);
  });

  it('quarantines the device on professional standards’ decision; no one else decides', async () => {
    const o = await officer();
    const d = await device();
    await issue(d, o);
    const id = await report(o, d.serial, { injuries: severe, postUse: postUse(true) });
    const [p] = await quarantineProposalsOfReport(svc, id);
    await expect(decideQuarantine(svc, ARMOURER, ALL, p!.id, { decision: 'quarantine' })).rejects.toThrow(WorkflowError);
    await expect(decideQuarantine(svc, PSD, { all: false, boroughIds: [f.boroughs.camden.id] }, p!.id, { decision: 'quarantine' })).rejects.toThrow(NotFoundError);
    const decided = await decideQuarantine(svc, PSD, ALL, p!.id, { decision: 'quarantine', note: 'Held for the IOPC' });
    expect(decided.decision).toBe('quarantined');
    expect(await getDevice(svc, d.id)).toMatchObject({ state: 'quarantined', stateNote: 'Held for the IOPC' });
    const audit = await listAudit(svc.database.db, { entityId: p!.id }, { offset: 0, limit: 10 });
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['device_quarantine.decide', 'device_quarantine.propose']);
    await expect(decideQuarantine(svc, PSD, ALL, p!.id, { decision: 'decline', note: 'Changed my mind' })).rejects.toThrow('This proposal has already been decided by psd@test');
  });

  it('refuses to quarantine a device withdrawn since the report, which is then declined', async () => {
    const o = await officer();
    const d = await device();
    const id = await report(o, d.serial, { injuries: severe, postUse: postUse(true) });
    const [p] = await quarantineProposalsOfReport(svc, id);
    await moveDevice(svc, ARMOURER, ALL, d.id, { move: 'withdraw', withdrawalReason: 'destroyed', note: 'Crushed in the struggle' });
    await expect(decideQuarantine(svc, PSD, ALL, p!.id, { decision: 'quarantine' })).rejects.toThrow(`Device ${d.serial} has been withdrawn, so it cannot be quarantined`);
    expect((await quarantineProposalsOfReport(svc, id))[0]!.decidedAt).toBeNull();
    expect((await decideQuarantine(svc, PSD, ALL, p!.id, { decision: 'decline', note: 'Destroyed: nothing to hold' })).decision).toBe('declined');
  });

  it('lets exactly one of two decisions made at once win', async () => {
    const o = await officer();
    const d = await device();
    const id = await report(o, d.serial, { injuries: severe, postUse: postUse(true) });
    const [p] = await quarantineProposalsOfReport(svc, id);
    const results = await Promise.allSettled([
      decideQuarantine(svc, PSD, ALL, p!.id, { decision: 'quarantine', note: 'Held as evidence' }),
      decideQuarantine(svc, PSD2, ALL, p!.id, { decision: 'decline', note: 'No need: the device was downloaded' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(WorkflowError);
    const [after] = await quarantineProposalsOfReport(svc, id);
    const winner = (won[0] as PromiseFulfilledResult<{ decision: string }>).value.decision;
    expect(after!.decision).toBe(winner);
    expect((await getDevice(svc, d.id)).state).toBe(winner === 'quarantined' ? 'quarantined' : 'in_store');
    const audit = await listAudit(svc.database.db, { entityId: p!.id }, { offset: 0, limit: 10 });
    expect(audit.entries.filter((e) => e.action === 'device_quarantine.decide')).toHaveLength(1);
  });

  it('lists the devices an officer has held, newest first, with the cartridges expended', async () => {
    const o = await officer();
    const [a, b] = [await device(), await device()];
    const cs = Array.from({ length: 2 }, () => `C${kind[0]!.toUpperCase()}${String(++n).padStart(7, '0')}`);
    await receiveCartridges(
      svc,
      ARMOURER,
      cs.map((serial) => ({ serial, type: 'Smart 25 ft', lot: 'L1', expiresOn: '2028-01-31', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null } })),
    );
    now = new Date('2026-11-18T08:00:00Z');
    const first = await issueDevice(svc, ARMOURER, ALL, { deviceSerial: a.serial, collarNumber: o.collarNumber, cartridges: cs });
    now = new Date('2026-11-18T18:00:00Z');
    await returnDevice(svc, ARMOURER, ALL, first.id, {
      cartridges: [
        { serial: cs[0]!, outcome: 'expended' },
        { serial: cs[1]!, outcome: 'in_store' },
      ],
    });
    now = new Date('2026-11-19T08:00:00Z');
    await issueDevice(svc, ARMOURER, ALL, { deviceSerial: b.serial, collarNumber: o.collarNumber, cartridges: [] });
    now = AFTER;
    const held = await devicesHeld(svc, o.id);
    expect(held.total).toBe(2);
    expect(held.more).toBe(0);
    expect(held.issues.map((i) => [i.serial, i.modelName, i.issuedAt, i.returnedAt, i.expended])).toEqual([
      [b.serial, 'X2', '2026-11-19T08:00:00.000Z', null, 0],
      [a.serial, 'X2', '2026-11-18T08:00:00.000Z', '2026-11-18T18:00:00.000Z', 1],
    ]);
    const one = await devicesHeld(svc, o.id, 1);
    expect([one.issues.length, one.total, one.more]).toEqual([1, 2, 1]);
  });
});
