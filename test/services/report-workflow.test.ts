import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { groupedReports, levelCounts } from '../../src/db/repositories/reports.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { createAccount } from '../../src/services/accounts.js';
import { verifyAuditLog } from '../../src/services/audit.js';
import { fixedClock, SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { cedarMetRows } from '../../src/services/met-import.js';
import { createOfficer } from '../../src/services/officers.js';
import {
  amendReport,
  discardDraft,
  getIncident,
  getReport,
  listOwnReports,
  listReferrals,
  listReports,
  recordReferralOutcome,
  reviewReport,
  saveSection,
  startReport,
  submitReport,
} from '../../src/services/reports.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport } from '../support/report-fixtures.js';

const NOW = new Date('2026-11-21T12:00:00Z');

describe.each(testDatabases())('referrals, discarded drafts and incidents on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let pc: Actor;
  let pc2: Actor;
  let sgt: Actor;
  let psd: Actor;
  const lambeth = () => ({ all: false as const, boroughIds: [f.boroughs.lambeth.id] });
  const camden = () => ({ all: false as const, boroughIds: [f.boroughs.camden.id] });
  const everywhere = { all: true as const };
  let collar = 3000;

  async function person(email: string, role: Actor['grants'][number]['role'], borough: boolean): Promise<Actor> {
    const officer = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: `${collar++}LX`, boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }));
    const { account } = await createAccount(
      svc,
      SYSTEM_ACTOR,
      { email, displayName: email, roles: [{ role, boroughId: borough ? f.boroughs.lambeth.id : null }], officerId: officer.id },
      'a long enough passphrase',
    );
    return { userId: account.id, label: email, grants: account.roles };
  }

  async function draft(actor: Actor, over: Partial<Record<SectionKey, unknown>> = {}) {
    const r = await startReport(svc, actor);
    for (const [key, value] of Object.entries(firedReport(f.boroughs.lambeth.id, over))) if (value !== undefined) await saveSection(svc, actor, r.id, key as SectionKey, value);
    return r;
  }

  async function referred(reference: string) {
    const r = await draft(pc, { incident: { ...(firedReport(f.boroughs.lambeth.id).incident as object), reference } });
    await submitReport(svc, pc, r.id, NOW);
    return reviewReport(svc, sgt, lambeth(), r.id, { outcome: 'refer', comment: 'Three cycles on a man in mental-health crisis' });
  }

  async function audited(id: string) {
    const { entries } = await listAudit(svc.database.db, { entityId: id }, { offset: 0, limit: 200 });
    return entries;
  }

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock(NOW) });
    f = await smallForce(svc);
    pc = await person('pc@test.police.uk', 'officer', true);
    pc2 = await person('pc2@test.police.uk', 'officer', true);
    sgt = await person('sgt@test.police.uk', 'supervisor', true);
    psd = await person('psd@test.police.uk', 'professional_standards', false);
  });
  afterAll(() => svc.cleanup());

  describe('referral outcomes', () => {
    it('records an IOPC referral with its reference: concluded, on the timeline, in the audit log', async () => {
      const r = await referred('CAD 100/21NOV');
      expect((await listReferrals(svc, everywhere, 'awaiting', { page: 1, pageSize: 50 })).reports.map((x) => x.id)).toContain(r.id);
      const done = await recordReferralOutcome(svc, psd, everywhere, r.id, {
        outcome: 'iopc_referral',
        iopcReference: '2026/012345',
        reason: 'Prolonged discharge on a person in crisis: mandatory referral.',
      });
      expect(done.status).toBe('referral_concluded');
      const d = await getReport(svc, psd, r.id);
      expect(d.referralOutcomes).toEqual([
        expect.objectContaining({
          outcome: 'iopc_referral',
          iopcReference: '2026/012345',
          reason: 'Prolonged discharge on a person in crisis: mandatory referral.',
          reportVersion: 1,
          recordedByLabel: 'psd@test.police.uk',
          recordedAt: NOW.toISOString(),
        }),
      ]);
      expect(d.events.map((e) => e.kind)).toEqual(['created', 'submitted', 'referred', 'referral_outcome']);
      expect(d.events.at(-1)).toMatchObject({ comment: 'Prolonged discharge on a person in crisis: mandatory referral.', at: NOW.toISOString() });
      const entry = (await audited(r.id)).find((e) => e.action === 'report.referral_outcome')!;
      expect(JSON.parse(entry.summary)).toMatchObject({ outcome: 'iopc_referral', iopcReference: '2026/012345', status: 'referral_concluded' });
      expect((await listReferrals(svc, everywhere, 'awaiting', { page: 1, pageSize: 50 })).reports.map((x) => x.id)).not.toContain(r.id);
      const concluded = await listReferrals(svc, everywhere, 'concluded', { page: 1, pageSize: 50 });
      expect(concluded.reports.map((x) => x.id)).toContain(r.id);
      expect(concluded.outcomes.get(r.id)?.outcome).toBe('iopc_referral');
      expect((await verifyAuditLog(svc)).ok).toBe(true);
    });

    it('refuses a bad outcome, naming each field, and stores nothing', async () => {
      const r = await referred('CAD 101/21NOV');
      const errors = async (input: unknown) => ((await recordReferralOutcome(svc, psd, everywhere, r.id, input).catch((e) => e)) as { errors?: unknown }).errors;
      expect(await errors({})).toEqual([
        { field: 'outcome', message: 'Select the outcome of the referral' },
        { field: 'reason', message: 'Give the reason for the outcome' },
      ]);
      expect(await errors({ outcome: 'iopc_referral', reason: 'Referred to the IOPC today.' })).toEqual([{ field: 'iopcReference', message: 'Enter the IOPC reference' }]);
      expect(await errors({ outcome: 'iopc_referral', iopcReference: '12345', reason: 'Referred to the IOPC today.' })).toEqual([
        { field: 'iopcReference', message: 'Enter the IOPC reference as the year, a slash and 6 digits, for example 2026/012345' },
      ]);
      expect(await errors({ outcome: 'misconduct', reason: 'short' })).toEqual([{ field: 'reason', message: 'Give the reason for the outcome (at least 10 characters)' }]);
      expect(await errors({ outcome: 'suspended', reason: 'Not an outcome Cedar knows.' })).toEqual([{ field: 'outcome', message: 'Select the outcome of the referral' }]);
      const d = await getReport(svc, psd, r.id);
      expect(d.report.status).toBe('referred');
      expect(d.referralOutcomes).toEqual([]);
      expect((await audited(r.id)).map((e) => e.action)).not.toContain('report.referral_outcome');
    });

    it('records an outcome only on a referred report in the reader’s scope', async () => {
      const r = await referred('CAD 102/21NOV');
      const input = { outcome: 'no_case_to_answer', reason: 'The footage shows the use was justified.' };
      await expect(recordReferralOutcome(svc, psd, camden(), r.id, input)).rejects.toThrow(/not found/);
      await recordReferralOutcome(svc, psd, everywhere, r.id, input);
      await expect(recordReferralOutcome(svc, psd, everywhere, r.id, { ...input, outcome: 'misconduct' })).rejects.toThrow(
        /referral concluded: an outcome is recorded only on a report referred to professional standards/,
      );
      const submitted = await draft(pc, { incident: { ...(firedReport(f.boroughs.lambeth.id).incident as object), reference: 'CAD 103/21NOV' } });
      await expect(recordReferralOutcome(svc, psd, everywhere, submitted.id, input)).rejects.toThrow(/not found/); // a draft is its author's
      await submitReport(svc, pc, submitted.id, NOW);
      await expect(recordReferralOutcome(svc, psd, everywhere, submitted.id, input)).rejects.toThrow(/awaiting review: an outcome is recorded only/);
    });

    it('after the outcome a correction is an amendment that goes back for review, and the outcome stays on record', async () => {
      const r = await referred('CAD 104/21NOV');
      await recordReferralOutcome(svc, psd, everywhere, r.id, { outcome: 'management_action', reason: 'Words of advice about warnings before red-dotting.' });
      const amended = await amendReport(svc, pc, r.id, { sections: { outcomes: { outcomes: ['detained_mha'] } }, reason: 'Corrected the outcome' }, NOW);
      expect(amended.status).toBe('submitted');
      const d = await getReport(svc, psd, r.id);
      expect(d.referralOutcomes.map((o) => o.outcome)).toEqual(['management_action']);
      expect(d.events.map((e) => e.kind)).toEqual(['created', 'submitted', 'referred', 'referral_outcome', 'amended']);
    });
  });

  describe('discarding a draft', () => {
    it('removes a draft started by mistake from every list and count, keeping it and an audit entry', async () => {
      // An overdue draft with a Taser discharge in it: on the supervisor's overdue list, with a level.
      const r = await draft(pc, { incident: { ...(firedReport(f.boroughs.lambeth.id).incident as object), reference: 'CAD 200/01NOV', date: '2026-11-01' }, outcomes: undefined });
      const overdue = () => listReports(svc, lambeth(), { deadline: 'overdue' }, { page: 1, pageSize: 200 }, NOW).then((x) => x.reports.map((y) => y.id));
      const mine = () => listOwnReports(svc, pc, { page: 1, pageSize: 200 }).then((x) => x.reports.map((y) => y.id));
      expect(await overdue()).toContain(r.id);
      expect(await mine()).toContain(r.id);
      const before = await getReport(svc, pc, r.id);

      await discardDraft(svc, pc, r.id, { revision: before.report.revision });
      expect(await overdue()).not.toContain(r.id);
      expect(await mine()).not.toContain(r.id);
      await expect(getReport(svc, pc, r.id)).rejects.toThrow(/not found/);
      await expect(saveSection(svc, pc, r.id, 'outcomes', { outcomes: ['arrested'] })).rejects.toThrow(/not found/);
      await expect(discardDraft(svc, pc, r.id)).rejects.toThrow(/not found/);
      await expect(getIncident(svc, pc, before.report.incidentId!)).rejects.toThrow(/not found/);

      // Kept, marked discarded (records are never deleted), with what was discarded in the audit log.
      const row = await svc.database.db.selectFrom('uof_report').select(['status', 'highest_level']).where('id', '=', r.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'discarded', highest_level: 'fired' });
      const entry = (await audited(r.id)).find((e) => e.action === 'report.discard')!;
      expect(JSON.parse(entry.summary)).toMatchObject({ incidentReference: 'CAD 200/01NOV', highestLevel: 'fired', sections: expect.arrayContaining(['incident', 'tactics', 'ced']) });
      expect(entry.actorLabel).toBe('pc@test.police.uk');
    });

    it('never counts a discarded draft in statistics, releases or exports', async () => {
      // A draft holds the columns statistics read (date, level, facts): its status alone keeps it out.
      const r = await draft(pc2, { incident: { ...(firedReport(f.boroughs.lambeth.id).incident as object), reference: 'CAD 201/01NOV', date: '2026-11-01' } });
      await discardDraft(svc, pc2, r.id);
      const force = f.force.id;
      const counted = async () => ({
        levels: await levelCounts(svc.database.db, force, '2026-11-01', '2026-11-02'),
        grouped: (await groupedReports(svc.database.db, force, '2026-11-01', '2026-11-02')).reduce((n, g) => n + (g.weight ?? 1), 0),
        met: await (async () => {
          let n = 0;
          for await (const rows of cedarMetRows(svc, '2026-11-01', '2026-11-02')) n += rows.length;
          return n;
        })(),
      });
      expect(await counted()).toEqual({ levels: {}, grouped: 0, met: 0 });
    });

    it('never discards a submitted report, nor someone else’s draft', async () => {
      const r = await draft(pc, { incident: { ...(firedReport(f.boroughs.lambeth.id).incident as object), reference: 'CAD 202/21NOV' } });
      await expect(discardDraft(svc, pc2, r.id)).rejects.toThrow(/not found/);
      await submitReport(svc, pc, r.id, NOW);
      await expect(discardDraft(svc, pc, r.id)).rejects.toThrow(/can never be discarded/);
      // Returned to the officer: still a record of use.
      await reviewReport(svc, sgt, lambeth(), r.id, { outcome: 'return', comment: 'Say what warnings you gave' });
      await expect(discardDraft(svc, pc, r.id)).rejects.toThrow(/can never be discarded/);
      expect((await getReport(svc, pc, r.id)).report.status).toBe('returned');
      expect((await audited(r.id)).map((e) => e.action)).not.toContain('report.discard');
    });
  });

  describe('the incident', () => {
    const incident = (date: string, time = '22:15', boroughId?: string) => ({
      ...(firedReport(f.boroughs.lambeth.id).incident as object),
      reference: 'CAD 300/02NOV',
      date,
      time,
      ...(boroughId ? { boroughId } : {}),
    });

    it('takes its date from the current version of its reports after an amendment corrects it', async () => {
      const r = await draft(pc, { incident: incident('2026-11-02') });
      await submitReport(svc, pc, r.id, NOW);
      const id = (await getReport(svc, pc, r.id)).report.incidentId!;
      expect((await getIncident(svc, sgt, id)).occurredAt).toEqual([{ value: '2026-11-02T22:15:00.000Z', reports: 1 }]);

      await amendReport(svc, pc, r.id, { sections: { incident: incident('2026-11-03') }, reason: 'The incident was the next day' }, NOW);
      const after = await getIncident(svc, sgt, id);
      expect(after.occurredAt).toEqual([{ value: '2026-11-03T22:15:00.000Z', reports: 1 }]);
      // The stored incident follows too (the API shows it).
      expect(after.incident.occurredAt).toBe('2026-11-03T22:15:00.000Z');
    });

    it('shows each answer when its reports disagree, and the borough they give', async () => {
      const a = await draft(pc, { incident: { ...incident('2026-11-03'), reference: 'CAD 301/03NOV' } });
      await submitReport(svc, pc, a.id, NOW);
      const b = await draft(pc2, { incident: { ...incident('2026-11-03', '22:45', f.boroughs.camden.id), reference: 'CAD 301/03NOV' } });
      await submitReport(svc, pc2, b.id, NOW);
      const id = (await getReport(svc, pc, a.id)).report.incidentId!;
      const seen = await getIncident(svc, { ...psd }, id);
      expect(seen.occurredAt).toEqual([
        { value: '2026-11-03T22:15:00.000Z', reports: 1 },
        { value: '2026-11-03T22:45:00.000Z', reports: 1 },
      ]);
      expect(seen.boroughIds.map((x) => x.value).sort()).toEqual([f.boroughs.camden.id, f.boroughs.lambeth.id].sort());
      expect(seen.incident.occurredAt).toBe('2026-11-03T22:15:00.000Z'); // stored: the earliest
    });
  });
});
