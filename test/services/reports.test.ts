import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { createAccount } from '../../src/services/accounts.js';
import { verifyAuditLog } from '../../src/services/audit.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import {
  amendReport,
  createReport,
  discardAmendment,
  stageAmendment,
  submitAmendment,
  getIncident,
  getReport,
  listOwnReports,
  listReports,
  reviewReport,
  saveSection,
  signOffReport,
  startReport,
  submitReport,
} from '../../src/services/reports.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport } from '../support/report-fixtures.js';

const NOW = new Date('2026-11-21T12:00:00Z');

describe.each(testDatabases())('use-of-force reports on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let pc: Actor;
  let pc2: Actor;
  let sgt: Actor;
  let camdenSgt: Actor;
  let bc: Actor;
  const lambethScope = () => ({ all: false as const, boroughIds: [f.boroughs.lambeth.id] });

  async function person(email: string, roles: Actor['grants'], collar: string): Promise<Actor> {
    const officer = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }));
    const { account } = await createAccount(svc, SYSTEM_ACTOR, { email, displayName: email, roles, officerId: officer.id }, 'a long enough passphrase');
    return { userId: account.id, label: email, grants: account.roles };
  }

  async function fullDraft(actor: Actor, over: Partial<Record<SectionKey, unknown>> = {}) {
    const report = await startReport(svc, actor);
    for (const [key, value] of Object.entries(firedReport(f.boroughs.lambeth.id, over))) {
      if (value !== undefined) await saveSection(svc, actor, report.id, key as SectionKey, value);
    }
    return report;
  }

  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
    pc = await person('pc@test.police.uk', [{ role: 'officer', boroughId: f.boroughs.lambeth.id }], '1001LX');
    pc2 = await person('pc2@test.police.uk', [{ role: 'officer', boroughId: f.boroughs.lambeth.id }], '1002LX');
    sgt = await person('sgt@test.police.uk', [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }], '1003LX');
    camdenSgt = await person('csgt@test.police.uk', [{ role: 'supervisor', boroughId: f.boroughs.camden.id }], '1004LX');
    bc = await person('bc@test.police.uk', [{ role: 'borough_commander', boroughId: f.boroughs.lambeth.id }], '1005LX');
  });
  afterAll(() => svc.cleanup());

  it('refuses to start a report for an account with no officer record', async () => {
    await expect(startReport(svc, SYSTEM_ACTOR)).rejects.toThrow(/signed in/);
    const { account } = await createAccount(svc, SYSTEM_ACTOR, { email: 'nobody@test.police.uk', displayName: 'N', roles: [{ role: 'officer', boroughId: null }] }, 'a long enough passphrase');
    await expect(startReport(svc, { userId: account.id, label: 'n', grants: account.roles })).rejects.toThrow(/not linked to an officer/);
  });

  it('saves a draft section by section, validating each, and tracks what applies', async () => {
    const r = await startReport(svc, pc);
    const bad = await saveSection(svc, pc, r.id, 'incident', { reference: '', date: '2026-02-30', time: '25:00', boroughId: 'nope', locations: [] }).catch((e) => e);
    expect(bad.errors.map((e: { field: string }) => e.field).sort()).toEqual(['date', 'locations', 'reference', 'time']);
    await saveSection(svc, pc, r.id, 'tactics', { tactics: [{ tactic: 'tactical_communications', effective: true }], cedUsed: false, firearmsAimed: false, firearmsFired: false });
    let d = await getReport(svc, pc, r.id, NOW);
    expect(d.sections.find((s) => s.key === 'ced')!.status).toBe('not_applicable');
    expect(d.sections.find((s) => s.key === 'justification')!.status).toBe('optional');
    expect(d.sections.find((s) => s.key === 'postUse')!.status).toBe('not_applicable');
    await saveSection(svc, pc, r.id, 'tactics', { tactics: [{ tactic: 'ced_fired', effective: true }], cedUsed: true, firearmsAimed: false, firearmsFired: false });
    d = await getReport(svc, pc, r.id, NOW);
    expect(d.sections.find((s) => s.key === 'ced')!.status).toBe('not_started');
    expect(d.sections.find((s) => s.key === 'postUse')!.status).toBe('not_started'); // a fired tactic is a discharge
    expect(d.report.highestLevel).toBe('fired');
    expect(d.problems.map((p) => p.field)).toContain('ced');
    await expect(submitReport(svc, pc, r.id, NOW)).rejects.toMatchObject({ errors: expect.arrayContaining([{ field: 'incident', message: 'Complete the section: Incident details' }]) });
  });

  it('submits a complete report: highest level, deadline, version 1, incident, timeline and audit', async () => {
    const r = await fullDraft(pc);
    const draft = await getReport(svc, pc, r.id, NOW);
    expect(draft.report.highestLevel).toBe('fired');
    expect(draft.report.discharge).toBe(true);
    expect(draft.report.occurredAt).toBe('2026-11-20T22:15:00.000Z');
    expect(draft.report.dueAt).toBe('2026-11-21T22:15:00.000Z'); // 24 hours for a discharge
    expect(draft.deadline).toBe('due_soon');
    expect(draft.problems).toEqual([]);
    const submitted = await submitReport(svc, pc, r.id, NOW);
    expect(submitted.status).toBe('submitted');
    expect(submitted.version).toBe(1);
    expect(submitted.incidentReference).toBe('CAD 1234/28NOV');
    const d = await getReport(svc, sgt, r.id, NOW);
    expect(d.events.map((e) => e.kind)).toEqual(['created', 'submitted']);
    expect(d.versions).toHaveLength(1);
    await expect(saveSection(svc, pc, r.id, 'outcomes', { outcomes: ['other'] })).rejects.toThrow(/amendment/);
    const { entries } = await listAudit(svc.database.db, { entityId: r.id }, { offset: 0, limit: 50 });
    expect(entries.map((e) => e.action)).toContain('report.submit');
  });

  it('creates a report with all its sections in one transaction, the same report and audit trail as section by section; a bad section stores nothing', async () => {
    const one = await createReport(svc, pc, firedReport(f.boroughs.lambeth.id));
    const other = await fullDraft(pc);
    const [a, b] = [await getReport(svc, pc, one.id, NOW), await getReport(svc, pc, other.id, NOW)];
    expect(a.report.content).toEqual(b.report.content);
    for (const k of ['highestLevel', 'discharge', 'occurredAt', 'dueAt', 'incidentId', 'status'] as const) expect(a.report[k], k).toEqual(b.report[k]);
    expect(a.problems).toEqual([]);
    const actions = async (id: string) => (await listAudit(svc.database.db, { entityId: id }, { offset: 0, limit: 50 })).entries.map((e) => e.action).sort();
    expect(await actions(one.id)).toEqual(await actions(other.id));
    expect(await actions(one.id)).toHaveLength(1 + Object.keys(firedReport(f.boroughs.lambeth.id)).length);

    const before = (await listOwnReports(svc, pc, { page: 1, pageSize: 100 })).total;
    const auditBefore = (await listAudit(svc.database.db, {}, { offset: 0, limit: 1 })).total;
    // The borough is only checked against the database, after the report row is written: all of it is undone.
    const err = await createReport(svc, pc, firedReport(f.boroughs.lambeth.id, { incident: { ...(firedReport('x').incident as object), boroughId: 'no-such-borough' } })).catch((e: unknown) => e);
    expect(err).toMatchObject({ errors: [{ field: 'boroughId', message: 'Select a borough from the list' }] });
    expect((await listOwnReports(svc, pc, { page: 1, pageSize: 100 })).total).toBe(before);
    expect((await listAudit(svc.database.db, {}, { offset: 0, limit: 1 })).total).toBe(auditBefore);
    expect((await verifyAuditLog(svc)).ok).toBe(true);
  });

  it('counts a report with no Taser use at no level, with 72 hours to submit', async () => {
    const r = await fullDraft(pc2, {
      tactics: { tactics: [{ tactic: 'compliant_handcuffing', effective: true }], cedUsed: false, firearmsAimed: false, firearmsFired: false },
      justification: undefined,
    });
    const d = await getReport(svc, pc2, r.id, NOW);
    expect(d.report.highestLevel).toBeNull();
    expect(d.report.dueAt).toBe('2026-11-23T22:15:00.000Z');
    const s = await submitReport(svc, pc2, r.id, NOW);
    expect(Object.keys(s.content).sort()).not.toContain('ced'); // not-applicable sections are not part of the record
    expect(Object.keys(s.content)).not.toContain('postUse');
  });

  it('keeps drafts private, and limits readers to their borough', async () => {
    const draft = await startReport(svc, pc);
    await expect(getReport(svc, sgt, draft.id)).rejects.toThrow(/not found/);
    await expect(getReport(svc, pc2, draft.id)).rejects.toThrow(/not found/);
    const { reports } = await listReports(svc, lambethScope(), { statuses: ['submitted'] }, { page: 1, pageSize: 50 });
    expect(reports.length).toBeGreaterThan(0);
    expect((await listReports(svc, { all: false, boroughIds: [f.boroughs.camden.id] }, { statuses: ['submitted'] }, { page: 1, pageSize: 50 })).total).toBe(0);
    expect((await listOwnReports(svc, pc, { page: 1, pageSize: 50 })).reports.some((r) => r.id === draft.id)).toBe(true);
  });

  it('runs the whole review: return with comment, amend with reason, approve, sign off', async () => {
    const r = await fullDraft(pc);
    await submitReport(svc, pc, r.id, NOW);
    await expect(reviewReport(svc, pc, lambethScope(), r.id, { outcome: 'approve' })).rejects.toThrow(/own report/);
    await expect(reviewReport(svc, camdenSgt, { all: false, boroughIds: [f.boroughs.camden.id] }, r.id, { outcome: 'approve' })).rejects.toThrow(/not found/);
    const noComment = await reviewReport(svc, sgt, lambethScope(), r.id, { outcome: 'return' }).catch((e) => e);
    expect(noComment.errors).toEqual([{ field: 'comment', message: 'Say what the officer needs to change' }]);
    const returned = await reviewReport(svc, sgt, lambethScope(), r.id, { outcome: 'return', comment: 'Give the camera identifier from the log.' });
    expect(returned.status).toBe('returned');

    const noReason = await amendReport(svc, pc, r.id, { sections: { bwv: { worn: true, switchedOn: 'before', cameraId: 'BWV-88214', footageRefs: ['EVID-2026-11-20-0042'] } }, reason: '' }).catch(
      (e) => e,
    );
    expect(noReason.errors[0].field).toBe('reason');
    const nothing = await amendReport(svc, pc, r.id, { sections: {}, reason: 'No change at all' }).catch((e) => e);
    expect(nothing.errors[0].message).toMatch(/Nothing has changed/);
    const amended = await amendReport(svc, pc, r.id, {
      sections: { bwv: { worn: true, switchedOn: 'before', cameraId: 'BWV-88214', footageRefs: ['EVID-2026-11-20-0042'] } },
      reason: 'Camera number was mistyped',
    });
    expect(amended.status).toBe('submitted');
    expect(amended.version).toBe(2);

    const approved = await reviewReport(svc, sgt, lambethScope(), r.id, { outcome: 'approve' });
    expect(approved.status).toBe('awaiting_sign_off'); // a discharge needs sign-off
    await expect(signOffReport(svc, bc, { all: false, boroughIds: [f.boroughs.camden.id] }, r.id, {})).rejects.toThrow(/not found/);
    const signed = await signOffReport(svc, bc, lambethScope(), r.id, { comment: 'Proportionate.' });
    expect(signed.status).toBe('signed_off');

    const d = await getReport(svc, bc, r.id, NOW);
    expect(d.events.map((e) => e.kind)).toEqual(['created', 'submitted', 'returned', 'amended', 'approved', 'signed_off']);
    const amendment = d.events.find((e) => e.kind === 'amended')!;
    expect(amendment.comment).toBe('Camera number was mistyped');
    expect(amendment.changes).toEqual({ 'bwv.cameraId': { from: 'BWV-88213', to: 'BWV-88214' } });
    expect(d.versions.map((v) => v.version)).toEqual([1, 2]);
    expect((d.versions[0]!.content.bwv as { cameraId: string }).cameraId).toBe('BWV-88213'); // the first version is kept as it was
    expect((await verifyAuditLog(svc)).ok).toBe(true);
  });

  it('approves a non-discharge without sign-off when so configured, and can refer', async () => {
    const r = await fullDraft(pc, {
      tactics: { tactics: [{ tactic: 'ced_drawn', effective: true }], cedUsed: true, firearmsAimed: false, firearmsFired: false },
      ced: { deviceSerial: 'X29001234', applications: [{ levels: ['drawn', 'aimed'] }] },
    });
    const s = await submitReport(svc, pc, r.id, NOW);
    expect(s.highestLevel).toBe('aimed');
    expect(Object.keys(s.content)).not.toContain('postUse');
    expect((await reviewReport(svc, sgt, lambethScope(), r.id, { outcome: 'approve' })).status).toBe('approved');
    const r2 = await fullDraft(pc2);
    await submitReport(svc, pc2, r2.id, NOW);
    expect((await reviewReport(svc, sgt, lambethScope(), r2.id, { outcome: 'refer', comment: 'Possible excessive force' })).status).toBe('referred');
  });

  it('builds an amendment across sections before it is submitted: adding a Taser use', async () => {
    const full = firedReport(f.boroughs.lambeth.id);
    const r = await fullDraft(pc, {
      tactics: { tactics: [{ tactic: 'compliant_handcuffing', effective: true }], cedUsed: false, firearmsAimed: false, firearmsFired: false },
      justification: undefined,
    });
    await submitReport(svc, pc, r.id, NOW);
    await stageAmendment(svc, pc, r.id, 'tactics', full.tactics);
    let d = await getReport(svc, pc, r.id, NOW);
    expect(d.report.version).toBe(1); // nothing changes until the amendment is submitted
    expect(d.amendment!.problems.map((p) => p.field).sort()).toEqual(['ced', 'justification', 'postUse']);
    await expect(submitAmendment(svc, pc, r.id, 'Forgot the Taser use', NOW)).rejects.toMatchObject({ errors: expect.arrayContaining([{ field: 'ced', message: 'Complete the section: Taser use' }]) });
    for (const key of ['ced', 'justification', 'postUse'] as const) await stageAmendment(svc, pc, r.id, key, full[key]);
    d = await getReport(svc, pc, r.id, NOW);
    expect(d.amendment!.problems).toEqual([]);
    expect(Object.keys(d.amendment!.changes)).toEqual(expect.arrayContaining(['tactics.tactics', 'tactics.cedUsed', 'ced.deviceSerial']));
    expect((await getReport(svc, sgt, r.id, NOW)).amendment).toBeNull(); // only the author sees it
    const amended = await submitAmendment(svc, pc, r.id, 'Forgot the Taser use', NOW);
    expect(amended).toMatchObject({ version: 2, highestLevel: 'fired', discharge: true, amendment: null });
    const r2 = await fullDraft(pc2);
    await submitReport(svc, pc2, r2.id, NOW);
    await stageAmendment(svc, pc2, r2.id, 'outcomes', { outcomes: ['other'] });
    await discardAmendment(svc, pc2, r2.id);
    expect((await getReport(svc, pc2, r2.id, NOW)).amendment).toBeNull();
  });

  it('groups the reports of several officers under one incident', async () => {
    const a = await fullDraft(pc, { incident: { reference: 'CAD 9/1DEC', date: '2026-11-19', time: '10:00', boroughId: f.boroughs.lambeth.id, locations: ['street'] } });
    const b = await fullDraft(pc2, { incident: { reference: 'cad 9/1dec', date: '2026-11-19', time: '10:00', boroughId: f.boroughs.lambeth.id, locations: ['street'] } });
    await submitReport(svc, pc, a.id, NOW);
    await submitReport(svc, pc2, b.id, NOW);
    const ra = (await getReport(svc, sgt, a.id)).report;
    const inc = await getIncident(svc, sgt, ra.incidentId!);
    expect(inc.reports.map((x) => x.report.id).sort()).toEqual([a.id, b.id].sort());
  });

  it('lists overdue drafts for supervisors', async () => {
    const r = await fullDraft(pc, { incident: { reference: 'CAD 77', date: '2026-11-01', time: '10:00', boroughId: f.boroughs.lambeth.id, locations: ['street'] } });
    const overdue = await listReports(svc, lambethScope(), { deadline: 'overdue' }, { page: 1, pageSize: 50 }, NOW);
    expect(overdue.reports.map((x) => x.id)).toContain(r.id);
  });
});
