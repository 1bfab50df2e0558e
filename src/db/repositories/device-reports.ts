import { forceIdUnindexed } from '../plans.js';
import type { Executor } from '../database.js';
import { newId } from '../ids.js';

/*
 * What the reports know of devices (issue 12): a device's sign-out spans for checking a
 * report's serial, an officer's issues for their profile, and the proposals to quarantine a
 * device after a discharge with death or serious injury. Instants are passed in.
 */

export interface IssueSpanRow {
  officerId: string;
  issuedAt: string;
  returnedAt: string | null;
}

/** Every sign-out of a device, oldest first. */
export async function deviceIssueSpans(db: Executor, deviceId: string): Promise<IssueSpanRow[]> {
  const rows = await db.selectFrom('device_issue').select(['officer_id', 'issued_at', 'returned_at']).where('device_id', '=', deviceId).orderBy('issued_at').execute();
  return rows.map((r) => ({ officerId: r.officer_id, issuedAt: r.issued_at, returnedAt: r.returned_at }));
}

/** Whether the force keeps a register of devices at all (a force that does not has nothing to check a serial against). */
export async function forceHasDevices(db: Executor, forceId: string): Promise<boolean> {
  return (await db.selectFrom('device').select('id').where('force_id', '=', forceId).limit(1).executeTakeFirst()) !== undefined;
}

export interface HeldDeviceRow {
  issueId: string;
  deviceId: string;
  serial: string;
  modelName: string;
  issuedAt: string;
  returnedAt: string | null;
  expended: number;
}

/** An officer's sign-outs, newest first, with the cartridges expended on each; and how many there are in all. */
export async function officerIssues(db: Executor, forceId: string, officerId: string, limit: number): Promise<{ rows: HeldDeviceRow[]; total: number }> {
  const rows = await db
    .selectFrom('device_issue as i')
    .innerJoin('device as d', 'd.id', 'i.device_id')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .select((eb) => [
      'i.id',
      'i.device_id',
      'd.serial',
      'm.name',
      'i.issued_at',
      'i.returned_at',
      eb
        .selectFrom('device_issue_cartridge as c')
        .select((e) => e.fn.countAll<string | number>().as('n'))
        .whereRef('c.issue_id', '=', 'i.id')
        .where('c.outcome', '=', 'expended')
        .as('expended'),
    ])
    .where('i.force_id', '=', forceId)
    .where('i.officer_id', '=', officerId)
    .orderBy('i.issued_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(limit)
    .execute();
  const count = await db
    .selectFrom('device_issue')
    .select((e) => e.fn.countAll<string | number>().as('n'))
    .where(forceIdUnindexed('force_id'), '=', forceId)
    .where('officer_id', '=', officerId)
    .executeTakeFirstOrThrow();
  return {
    rows: rows.map((r) => ({
      issueId: r.id,
      deviceId: r.device_id,
      serial: r.serial,
      modelName: r.name,
      issuedAt: r.issued_at,
      returnedAt: r.returned_at,
      expended: Number(r.expended ?? 0),
    })),
    total: Number(count.n),
  };
}

// ---- quarantine proposals ------------------------------------------------------------------

export type QuarantineDecision = 'quarantined' | 'declined';

export interface QuarantineProposalRow {
  id: string;
  reportId: string;
  deviceId: string | null;
  deviceSerial: string;
  reason: string;
  proposedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  decision: QuarantineDecision | null;
  decisionNote: string | null;
  /** The report's incident reference and when it happened. */
  incidentReference: string | null;
  occurredAt: string | null;
  occurredOn: string | null;
}

const proposalQuery = (db: Executor) =>
  db
    .selectFrom('device_quarantine_proposal as p')
    .innerJoin('uof_report as r', 'r.id', 'p.report_id')
    .leftJoin('incident as i', 'i.id', 'r.incident_id')
    .select([
      'p.id',
      'p.report_id',
      'p.device_id',
      'p.device_serial',
      'p.reason',
      'p.proposed_at',
      'p.decided_at',
      'p.decided_by',
      'p.decision',
      'p.decision_note',
      'i.reference as incident_reference',
      'r.occurred_at',
      'r.occurred_on',
    ]);

type ProposalRow = Awaited<ReturnType<ReturnType<typeof proposalQuery>['executeTakeFirstOrThrow']>>;

const toProposal = (r: ProposalRow): QuarantineProposalRow => ({
  id: r.id,
  reportId: r.report_id,
  deviceId: r.device_id,
  deviceSerial: r.device_serial,
  reason: r.reason,
  proposedAt: r.proposed_at,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
  decision: r.decision as QuarantineDecision | null,
  decisionNote: r.decision_note,
  incidentReference: r.incident_reference ?? null,
  occurredAt: r.occurred_at,
  occurredOn: r.occurred_on,
});

/** Stores a proposal unless the report already has one for that serial; its id, or null when there was one. */
export async function insertProposal(db: Executor, p: { forceId: string; reportId: string; deviceId: string | null; deviceSerial: string; reason: string }, at: string): Promise<string | null> {
  const existing = await db.selectFrom('device_quarantine_proposal').select('id').where('report_id', '=', p.reportId).where('device_serial', '=', p.deviceSerial).executeTakeFirst();
  if (existing) return null;
  const id = newId();
  await db
    .insertInto('device_quarantine_proposal')
    .values({ id, force_id: p.forceId, report_id: p.reportId, device_id: p.deviceId, device_serial: p.deviceSerial, reason: p.reason, proposed_at: at })
    .execute();
  return id;
}

export async function findProposal(db: Executor, forceId: string, id: string): Promise<QuarantineProposalRow | undefined> {
  const r = await proposalQuery(db).where('p.force_id', '=', forceId).where('p.id', '=', id).executeTakeFirst();
  return r && toProposal(r);
}

/** Open proposals (not yet decided), oldest first, and how many there are; `boroughIds`: only reports in these boroughs (null: all). */
export async function listOpenProposals(
  db: Executor,
  forceId: string,
  boroughIds: readonly string[] | null,
  window: { offset: number; limit: number },
): Promise<{ rows: QuarantineProposalRow[]; total: number }> {
  if (boroughIds && boroughIds.length === 0) return { rows: [], total: 0 };
  const rows = await proposalQuery(db)
    .where('p.force_id', '=', forceId)
    .where('p.decided_at', 'is', null)
    .$if(boroughIds !== null, (q) => q.where('r.borough_id', 'in', boroughIds!))
    .orderBy('p.proposed_at')
    .orderBy('p.id')
    .offset(window.offset)
    .limit(window.limit)
    .execute();
  const count = await db
    .selectFrom('device_quarantine_proposal as p')
    .innerJoin('uof_report as r', 'r.id', 'p.report_id')
    .select((e) => e.fn.countAll<string | number>().as('n'))
    .where('p.force_id', '=', forceId)
    .where('p.decided_at', 'is', null)
    .$if(boroughIds !== null, (q) => q.where('r.borough_id', 'in', boroughIds!))
    .executeTakeFirstOrThrow();
  return { rows: rows.map(toProposal), total: Number(count.n) };
}

/** The proposals made on a report. */
export async function proposalsOfReport(db: Executor, reportId: string): Promise<QuarantineProposalRow[]> {
  return (await proposalQuery(db).where('p.report_id', '=', reportId).orderBy('p.proposed_at').execute()).map(toProposal);
}

/** Records a decision if the proposal is still open (compare-and-set on decided_at): whether it did. */
export async function decideProposal(db: Executor, id: string, d: { decision: QuarantineDecision; note: string | null; by: string }, at: string): Promise<boolean> {
  const r = await db
    .updateTable('device_quarantine_proposal')
    .set({ decided_at: at, decided_by: d.by, decision: d.decision, decision_note: d.note })
    .where('id', '=', id)
    .where('decided_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
