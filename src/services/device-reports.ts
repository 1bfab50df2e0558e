import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import * as repo from '../db/repositories/device-reports.js';
import * as devicesRepo from '../db/repositories/devices.js';
import * as reportsRepo from '../db/repositories/reports.js';
import { quarantineReason, serialWarnings, type SerialWarning } from '../domain/devices/serial-check.js';
import { earliestIncidentInstant, readContent, type StoredContent } from '../domain/report/content.js';
import type { Report } from '../domain/report/records.js';
import { scopeIncludes, type Scope } from '../domain/permissions.js';
import { NotFoundError, ValidationError, WorkflowError } from '../domain/errors.js';
import { change, pageWindow, type Actor, type Audit, type Page, type Services } from './context.js';
import { getDevice, moveDeviceIn } from './devices.js';
import { getForce } from './organisation.js';

/*
 * "The report knows the device" (issue 12): the report's Taser serial checked against the
 * register and its sign-outs (warnings, never errors), the proposal to quarantine a device
 * after a discharge with death or serious injury and professional standards' decision on it,
 * and the devices an officer has held.
 */

export type { SerialWarning };
export type { QuarantineProposalRow as QuarantineProposal, HeldDeviceRow as HeldDevice } from '../db/repositories/device-reports.js';

/** The serial and incident instant a report's content names, when both sections are there and valid. */
function deviceOfContent(stored: StoredContent): { serial: string; at: Date } | null {
  const { content } = readContent(stored);
  if (!content.ced || !content.incident || content.tactics?.cedUsed === false) return null;
  return { serial: content.ced.deviceSerial, at: earliestIncidentInstant(content.incident.date, content.incident.time) };
}

/**
 * The warnings on a report's Taser serial: not in the register, or not issued to the
 * report's officer at the incident time. None until the Taser and incident sections are
 * saved, and none while the force has no devices registered. The caller has read the report
 * and checked that the reader may see it. `content`: the answers to check (an amendment in
 * progress), else the report's own.
 */
export async function deviceWarnings(svc: Services, report: Pick<Report, 'id' | 'forceId' | 'officerId' | 'content'>, content: StoredContent = report.content): Promise<SerialWarning[]> {
  const force = await getForce(svc);
  if (report.forceId !== force.id) throw new NotFoundError('Report', report.id);
  const named = deviceOfContent(content);
  // A force not (yet) keeping its register in Cedar: nothing to check against, so nothing to warn of.
  if (!named || !(await repo.forceHasDevices(svc.database.db, force.id))) return [];
  const device = await devicesRepo.findDeviceBySerial(svc.database.db, force.id, named.serial.trim().toUpperCase());
  const spans = device ? await repo.deviceIssueSpans(svc.database.db, device.id) : [];
  return serialWarnings({ serial: named.serial, officerId: report.officerId, incidentAt: named.at, device: device ? { id: device.id, serial: device.serial } : null, spans });
}

/**
 * On submitting or amending a report (in that change's transaction): a discharge with death or
 * serious injury proposes quarantining the device the report names, once per report and device.
 * The proposal is kept even when the serial is not in the register (professional standards
 * decline it, saying why).
 */
export async function proposeQuarantine(trx: Transaction<DB>, audit: Audit, report: { id: string; forceId: string }, content: StoredContent, at: string): Promise<void> {
  const reason = quarantineReason(readContent(content).content);
  const named = deviceOfContent(content);
  if (!reason || !named) return;
  const serial = named.serial.trim().toUpperCase();
  const device = await devicesRepo.findDeviceBySerial(trx, report.forceId, serial);
  const id = await repo.insertProposal(trx, { forceId: report.forceId, reportId: report.id, deviceId: device?.id ?? null, deviceSerial: serial, reason }, at);
  if (!id) return;
  await audit({
    action: 'device_quarantine.propose',
    entityType: 'device_quarantine_proposal',
    entityId: id,
    summary: { report: report.id, serial, device: device?.id ?? null, reason },
  });
}

const boroughsOf = (scope: Scope): string[] | null => (scope.all ? null : scope.boroughIds);

/** Open quarantine proposals on reports within the scope, oldest first. */
export async function listQuarantineProposals(svc: Services, scope: Scope, page: Page) {
  const force = await getForce(svc);
  const window = pageWindow(page);
  const { rows, total } = await repo.listOpenProposals(svc.database.db, force.id, boroughsOf(scope), window);
  return { proposals: rows, total, page: page.page, pages: Math.max(1, Math.ceil(total / page.pageSize)) };
}

/** The quarantine proposals made on a report (open and decided). */
export async function quarantineProposalsOfReport(svc: Services, reportId: string) {
  return repo.proposalsOfReport(svc.database.db, reportId);
}

export interface QuarantineDecisionInput {
  decision?: string;
  note?: string;
}

/** Only professional standards decide on a quarantine proposal. */
const actsForPsd = (actor: Actor) => actor.grants.some((g) => g.role === 'professional_standards');

/**
 * Professional standards' decision on a proposal: quarantine the device or decline, with a
 * reason. The decision is a compare-and-set on the open proposal, so of two people deciding at
 * once exactly one wins and the other is told; the quarantine is a move in the same
 * transaction, so a device the lifecycle refuses (withdrawn a moment ago) leaves the proposal
 * open and says why.
 */
export async function decideQuarantine(svc: Services, actor: Actor, scope: Scope, id: string, input: QuarantineDecisionInput): Promise<repo.QuarantineProposalRow> {
  const force = await getForce(svc);
  if (!actsForPsd(actor)) throw new WorkflowError('Only professional standards decide whether to quarantine a device.');
  const decision = input.decision === 'quarantine' ? 'quarantined' : input.decision === 'decline' ? 'declined' : null;
  const note = input.note?.trim() || null;
  const problems = [];
  if (!decision) problems.push({ field: 'decision', message: 'Select whether to quarantine the device or decline' });
  if (decision === 'declined' && (!note || note.length < 5)) problems.push({ field: 'note', message: 'Give the reason for declining (at least 5 characters)' });
  if (note && note.length > 2000) problems.push({ field: 'note', message: 'The note must be 2,000 characters or fewer' });
  if (problems.length) throw new ValidationError(problems);

  const seen = await repo.findProposal(svc.database.db, force.id, id);
  const report = seen && (await reportsRepo.findReport(svc.database.db, seen.reportId));
  if (!seen || !report || !scopeIncludes(scope, report.boroughId)) throw new NotFoundError('Quarantine proposal', id);
  if (decision === 'quarantined') {
    if (!seen.deviceId)
      throw new ValidationError([{ field: 'decision', message: `Serial ${seen.deviceSerial} is not in the register, so there is no device to quarantine: decline the proposal, giving the reason` }]);
    const device = await getDevice(svc, seen.deviceId);
    if (device.state === 'withdrawn')
      throw new ValidationError([{ field: 'decision', message: `Device ${device.serial} has been withdrawn, so it cannot be quarantined: decline the proposal, giving the reason` }]);
  }

  const at = svc.now().toISOString();
  // The decision and the quarantine are one change: a device that cannot be quarantined undoes the decision.
  return change(svc, actor, async (trx, audit) => {
    const p = await repo.findProposal(trx, force.id, id);
    if (!p) throw new NotFoundError('Quarantine proposal', id);
    if (p.decidedAt !== null || !(await repo.decideProposal(trx, id, { decision: decision!, note, by: actor.label }, at))) {
      throw new WorkflowError(`This proposal has already been decided${p.decidedBy ? ` by ${p.decidedBy}` : ''}: look at the list again.`);
    }
    await audit({
      action: 'device_quarantine.decide',
      entityType: 'device_quarantine_proposal',
      entityId: id,
      summary: { report: p.reportId, serial: p.deviceSerial, decision, note },
    });
    if (decision === 'quarantined') {
      const device = await devicesRepo.findDevice(trx, force.id, p.deviceId!);
      // Held already (quarantined on another request): the decision stands.
      if (device && device.state !== 'quarantined') {
        await moveDeviceIn(trx, audit, svc, actor, scope, force.id, device.id, { move: 'quarantine', note: note ?? `Proposed after a report: ${p.reason}` });
      }
    }
    return (await repo.findProposal(trx, force.id, id))!;
  });
}

/** How many of an officer's sign-outs the profile lists. */
export const DEVICES_HELD_SHOWN = 20;

/** The devices an officer has held, newest first (the last 20), and how many more there are. */
export async function devicesHeld(svc: Services, officerId: string, limit = DEVICES_HELD_SHOWN) {
  const force = await getForce(svc);
  const { rows, total } = await repo.officerIssues(svc.database.db, force.id, officerId, limit);
  return { issues: rows, total, more: Math.max(0, total - rows.length) };
}
