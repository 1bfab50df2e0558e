import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { Executor } from '../db/database.js';
import type { DB } from '../db/schema.js';
import * as accountsRepo from '../db/repositories/accounts.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import * as repo from '../db/repositories/reports.js';
import type { Officer, TeamType } from '../domain/organisation.js';
import { scopeFor, scopeIncludes, type Scope } from '../domain/permissions.js';
import {
  applicableSections,
  incidentInstant,
  levelOf,
  readContent,
  sectionStatuses,
  seriousOutcome,
  SECTION_KEYS,
  sectionSchema,
  submissionProblems,
  type SectionKey,
  type StoredContent,
} from '../domain/report/content.js';
import { isDischarge } from '../domain/report/levels.js';
import { factsOf } from '../domain/stats/facts.js';
import { londonDate } from '../domain/stats/periods.js';
import {
  afterReview,
  canAmend,
  canEditDraft,
  canReview,
  canSignOff,
  canSubmit,
  contentChanges,
  deadlineState,
  dueAt,
  REPORT_STATUS_LABELS,
  REVIEW_OUTCOMES,
  WorkflowError,
  type ReportStatus,
} from '../domain/report/workflow.js';
import { fieldErrorsFromZod, NotFoundError, parseInput, ValidationError, type FieldError } from '../domain/validation.js';
import { change, pageWindow, type Actor, type Page, type Services } from './context.js';
import { getForce } from './organisation.js';
import { officerAuthorisedOn } from './training.js';

export { WorkflowError };

/** The person recording: a signed-in account linked to an officer record. */
async function recorder(svc: Services, actor: Actor): Promise<{ officer: Officer }> {
  if (!actor.userId) throw new WorkflowError('Only a person signed in to Cedar can record a use of force.');
  const account = await accountsRepo.findAccount(svc.database.db, actor.userId);
  const officer = account?.officerId ? await officersRepo.findOfficer(svc.database.db, account.officerId) : undefined;
  if (!officer) throw new WorkflowError('Your account is not linked to an officer record, so Cedar cannot fill in your name, rank and borough. Ask your Cedar administrator to link it.');
  return { officer };
}

/** A report its author may see and change, or NotFound (never "forbidden": that would confirm it exists). */
async function ownReport(db: Executor, actor: Actor, id: string): Promise<repo.Report> {
  const report = await repo.findReport(db, id);
  if (!report || report.authorUserId !== actor.userId) throw new NotFoundError('Report', id);
  return report;
}

/** Whether someone may see a report: its author, or a reader whose scope covers its borough. */
export function canSee(report: repo.Report, actor: Actor): boolean {
  if (report.authorUserId === actor.userId) return true;
  const scope = scopeFor(actor.grants, 'read:report');
  return scope !== null && report.status !== 'draft' && scopeIncludes(scope, report.boroughId);
}

const TEAM_DUTY: Partial<Record<TeamType, string>> = {
  emergency_response: 'response',
  neighbourhood: 'neighbourhood',
  territorial_support: 'tsg',
  cid: 'cid',
  safer_transport: 'safer_transport',
  roads_policing: 'roads_policing',
  custody: 'custody',
};

/** What Cedar already knows about the recording officer, to answer for them. */
export async function recorderDefaults(svc: Services, actor: Actor): Promise<{ officer: Officer; mainDuty: string; boroughId: string | null }> {
  const { officer } = await recorder(svc, actor);
  const team = officer.teamId ? await org.findTeam(svc.database.db, officer.teamId) : undefined;
  return { officer, mainDuty: (team && TEAM_DUTY[team.teamType]) ?? 'other', boroughId: officer.boroughId };
}

export async function startReport(svc: Services, actor: Actor): Promise<repo.Report> {
  const { officer } = await recorder(svc, actor);
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const id = await repo.insertReport(trx, { forceId: force.id, officerId: officer.id, authorUserId: actor.userId!, boroughId: officer.boroughId, content: {} });
    await repo.insertEvent(trx, { reportId: id, kind: 'created', actorUserId: actor.userId, actorLabel: actor.label });
    await audit({ action: 'report.create', entityType: 'report', entityId: id, summary: { officerId: officer.id } });
    return (await repo.findReport(trx, id))!;
  });
}

/**
 * The "CED-trained" answer is not asked: it is the officer's authority to carry on the
 * incident day (today while the incident is not yet entered), from their training record.
 */
async function withTrainedAnswer(db: Executor, forceId: string, officerId: string, content: StoredContent, now: Date): Promise<StoredContent> {
  const duty = content.duty as Record<string, unknown> | undefined;
  if (!duty) return content;
  const day = (content.incident as { date?: string } | undefined)?.date ?? londonDate(now);
  const trained = await officerAuthorisedOn(db, forceId, officerId, day);
  return duty.cedTrained === trained ? content : { ...content, duty: { ...duty, cedTrained: trained } };
}

/** Validates one section's input against the rules at `now`, checking references (the borough) against the force. */
async function parseSection(svc: Services, forceId: string, key: SectionKey, input: unknown, now = svc.now()): Promise<unknown> {
  const result = sectionSchema(key, { now, recordsBegin: svc.policy.report.recordsBegin }).safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrorsFromZod(result.error);
  if (key === 'incident' && result.success) {
    const b = await org.findBorough(svc.database.db, (result.data as { boroughId: string }).boroughId);
    if (!b || b.forceId !== forceId) errors.push({ field: 'boroughId', message: 'Select a borough from the list' });
  }
  if (errors.length || !result.success) throw new ValidationError(errors);
  return result.data;
}

/** Keeps only the sections that apply: a Taser section left over after "no Taser" is not part of the record. */
function pruned(stored: StoredContent): StoredContent {
  const { content } = readContent(stored);
  const applies = applicableSections(content);
  return Object.fromEntries(SECTION_KEYS.filter((k) => stored[k] !== undefined && applies[k] !== 'not_applicable').map((k) => [k, stored[k]]));
}

async function derive(trx: Transaction<DB>, svc: Services, forceId: string, stored: StoredContent): Promise<repo.DerivedColumns & repo.StoredFacts> {
  const { content } = readContent(stored);
  const level = levelOf(content);
  const discharge = isDischarge(level);
  const at = content.incident ? incidentInstant(content.incident.date, content.incident.time) : null;
  const incident = content.incident
    ? await repo.incidentFor(trx, forceId, content.incident.reference, { boroughId: content.incident.boroughId, occurredAt: at!.toISOString() })
    : null;
  return {
    incidentId: incident?.id ?? null,
    boroughId: content.incident?.boroughId ?? null,
    highestLevel: level,
    discharge,
    cedUsed: content.tactics?.cedUsed === true,
    serious: seriousOutcome(content),
    occurredAt: at?.toISOString() ?? null,
    dueAt: at ? dueAt(at, discharge, svc.policy.report).toISOString() : null,
    occurredOn: content.incident?.date ?? null,
    facts: factsOf(content),
  };
}

/** Saves one section of a draft. The section must be valid; the rest of the draft may be unfinished. */
export async function saveSection(svc: Services, actor: Actor, id: string, key: SectionKey, input: unknown): Promise<repo.Report> {
  const force = await getForce(svc);
  const report = await ownReport(svc.database.db, actor, id);
  if (!canEditDraft(report.status)) throw new WorkflowError('This report has been submitted: change it with an amendment, giving a reason.');
  const section = await parseSection(svc, force.id, key, input);
  return change(svc, actor, async (trx, audit) => {
    // Only the duty and incident sections change the answer (submitting answers it again).
    const saved = { ...report.content, [key]: section };
    const content = key === 'duty' || key === 'incident' ? await withTrainedAnswer(trx, force.id, report.officerId, saved, new Date()) : saved;
    await repo.updateReportContent(trx, id, content, await derive(trx, svc, force.id, content));
    await audit({ action: 'report.save_section', entityType: 'report', entityId: id, summary: { section: key } });
    return (await repo.findReport(trx, id))!;
  });
}

export async function submitReport(svc: Services, actor: Actor, id: string, now = svc.now()): Promise<repo.Report> {
  const force = await getForce(svc);
  const report = await ownReport(svc.database.db, actor, id);
  if (!canSubmit(report.status)) throw new WorkflowError(`This report is ${REPORT_STATUS_LABELS[report.status].toLowerCase()}: it has already been submitted.`);
  const problems = submissionProblems(report.content, now, svc.policy.report.recordsBegin);
  if (problems.length) throw new ValidationError(problems);
  const content = await withTrainedAnswer(svc.database.db, force.id, report.officerId, pruned(report.content), now);
  return change(svc, actor, async (trx, audit) => {
    await repo.updateReportContent(trx, id, content, await derive(trx, svc, force.id, content), { status: 'submitted', version: 1, submittedAt: now.toISOString() });
    await repo.insertVersion(trx, { reportId: id, version: 1, content, reason: null, userId: actor.userId, label: actor.label });
    await repo.insertEvent(trx, { reportId: id, kind: 'submitted', actorUserId: actor.userId, actorLabel: actor.label, version: 1 });
    await audit({ action: 'report.submit', entityType: 'report', entityId: id, summary: { version: 1, highestLevel: levelOf(readContent(content).content) } });
    return (await repo.findReport(trx, id))!;
  });
}

const amendmentInput = z.object({
  reason: z.string({ error: 'Give the reason for the amendment' }).trim().min(5, 'Give the reason for the amendment (at least 5 characters)').max(2000, 'The reason must be 2,000 characters or fewer'),
});

/**
 * Changes a submitted report. The earlier version is kept; the new one records who, when,
 * why and which fields changed, and the report goes back for review.
 */
export async function amendReport(svc: Services, actor: Actor, id: string, input: { sections: Partial<Record<SectionKey, unknown>>; reason: unknown }, now = svc.now()): Promise<repo.Report> {
  const force = await getForce(svc);
  const report = await ownReport(svc.database.db, actor, id);
  if (!canAmend(report.status)) {
    throw new WorkflowError(report.status === 'draft' ? 'This report is still a draft: change it and submit it.' : `A report ${REPORT_STATUS_LABELS[report.status].toLowerCase()} cannot be amended.`);
  }
  const errors: FieldError[] = [];
  const reason = amendmentInput.safeParse({ reason: input.reason });
  if (!reason.success) errors.push(...fieldErrorsFromZod(reason.error));
  const next: StoredContent = { ...report.content };
  for (const [key, value] of Object.entries(input.sections) as [SectionKey, unknown][]) {
    if (!SECTION_KEYS.includes(key)) {
      errors.push({ field: key, message: `There is no section called ${key}` });
      continue;
    }
    try {
      next[key] = await parseSection(svc, force.id, key, value, now);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      errors.push(...err.errors.map((e) => ({ field: `${key}.${e.field}`, message: e.message })));
    }
  }
  if (errors.length) throw new ValidationError(errors);
  const content = await withTrainedAnswer(svc.database.db, force.id, report.officerId, pruned(next), now);
  const problems = submissionProblems(content, now, svc.policy.report.recordsBegin);
  if (problems.length) throw new ValidationError(problems);
  const changes = contentChanges(report.content, content);
  if (Object.keys(changes).length === 0) throw new ValidationError([{ field: 'sections', message: 'Nothing has changed: change an answer before saving the amendment' }]);
  const version = report.version + 1;
  return change(svc, actor, async (trx, audit) => {
    await repo.updateReportContent(trx, id, content, await derive(trx, svc, force.id, content), { status: 'submitted', version });
    await repo.setAmendment(trx, id, null);
    await repo.insertVersion(trx, { reportId: id, version, content, reason: reason.data!.reason, userId: actor.userId, label: actor.label });
    await repo.insertEvent(trx, { reportId: id, kind: 'amended', actorUserId: actor.userId, actorLabel: actor.label, comment: reason.data!.reason, version, changes });
    await audit({ action: 'report.amend', entityType: 'report', entityId: id, summary: { version, reason: reason.data!.reason, changes } });
    return (await repo.findReport(trx, id))!;
  });
}

/**
 * One section of an amendment in progress. An amendment can touch several sections (adding
 * a Taser use needs the Taser section too): they are kept here until submitted with a reason.
 */
export async function stageAmendment(svc: Services, actor: Actor, id: string, key: SectionKey, input: unknown): Promise<repo.Report> {
  const force = await getForce(svc);
  const report = await ownReport(svc.database.db, actor, id);
  if (!canAmend(report.status)) throw new WorkflowError(`A report ${REPORT_STATUS_LABELS[report.status].toLowerCase()} cannot be amended.`);
  const section = await parseSection(svc, force.id, key, input);
  return change(svc, actor, async (trx, audit) => {
    await repo.setAmendment(trx, id, { ...(report.amendment ?? {}), [key]: section });
    await audit({ action: 'report.amendment_staged', entityType: 'report', entityId: id, summary: { section: key } });
    return (await repo.findReport(trx, id))!;
  });
}

export async function discardAmendment(svc: Services, actor: Actor, id: string): Promise<void> {
  const report = await ownReport(svc.database.db, actor, id);
  if (!report.amendment) return;
  await change(svc, actor, async (trx, audit) => {
    await repo.setAmendment(trx, id, null);
    await audit({ action: 'report.amendment_discarded', entityType: 'report', entityId: id, summary: { sections: Object.keys(report.amendment ?? {}) } });
  });
}

/** Submits the amendment in progress with its reason. */
export async function submitAmendment(svc: Services, actor: Actor, id: string, reason: unknown, now = svc.now()): Promise<repo.Report> {
  const report = await ownReport(svc.database.db, actor, id);
  if (!report.amendment) throw new ValidationError([{ field: 'sections', message: 'Nothing has changed: change an answer before saving the amendment' }]);
  return amendReport(svc, actor, id, { sections: report.amendment, reason }, now);
}

export interface AmendmentPreview {
  /** The report as it would read with the amendment. */
  content: StoredContent;
  changes: Record<string, { from: unknown; to: unknown }>;
  sections: ReturnType<typeof sectionStatuses>;
  problems: FieldError[];
}

/** What the amendment in progress changes, and what still stops it being submitted. */
export function amendmentPreview(report: repo.Report, now: Date, recordsBegin?: string): AmendmentPreview | null {
  if (!report.amendment) return null;
  const merged = { ...report.content, ...report.amendment };
  const content = pruned(merged);
  return { content, changes: contentChanges(report.content, content), sections: sectionStatuses(merged), problems: submissionProblems(merged, now, recordsBegin) };
}

const reviewInput = z
  .object({
    outcome: z.enum(REVIEW_OUTCOMES, { error: 'Select an outcome: approve, return to the officer, or refer to professional standards' }),
    comment: z.string().trim().max(5000, 'The comment must be 5,000 characters or fewer').nullish().transform((v) => (v ? v : null)),
  })
  .superRefine((r, ctx) => {
    if (r.outcome !== 'approve' && !r.comment) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: r.outcome === 'return' ? 'Say what the officer needs to change' : 'Say why the report is referred' });
    }
  });

/** A supervisor in the report's borough approves it, returns it to the officer, or refers it to professional standards. */
export async function reviewReport(svc: Services, actor: Actor, scope: Scope, id: string, input: unknown): Promise<repo.Report> {
  const r = parseInput(reviewInput, input);
  return change(svc, actor, async (trx, audit) => {
    const report = await repo.findReport(trx, id);
    if (!report || report.status === 'draft' || !scopeIncludes(scope, report.boroughId)) throw new NotFoundError('Report', id);
    if (report.authorUserId === actor.userId) throw new WorkflowError('You cannot review your own report: another supervisor must review it.');
    if (!canReview(report.status)) throw new WorkflowError(`This report is ${REPORT_STATUS_LABELS[report.status].toLowerCase()}: only a report awaiting review can be reviewed.`);
    const status = afterReview(r.outcome, report.discharge, svc.policy.report);
    const now = new Date().toISOString();
    await repo.setReportStatus(trx, id, status, { reviewedAt: now });
    const kind = r.outcome === 'approve' ? 'approved' : r.outcome === 'return' ? 'returned' : 'referred';
    await repo.insertEvent(trx, { reportId: id, kind, actorUserId: actor.userId, actorLabel: actor.label, comment: r.comment, version: report.version });
    await audit({ action: `report.${kind}`, entityType: 'report', entityId: id, summary: { version: report.version, comment: r.comment, status } });
    return (await repo.findReport(trx, id))!;
  });
}

const signOffInput = z.object({ comment: z.string().trim().max(5000, 'The comment must be 5,000 characters or fewer').nullish().transform((v) => (v ? v : null)) });

/** The borough commander signs off a reviewed discharge. */
export async function signOffReport(svc: Services, actor: Actor, scope: Scope, id: string, input: unknown): Promise<repo.Report> {
  const { comment } = parseInput(signOffInput, input ?? {});
  return change(svc, actor, async (trx, audit) => {
    const report = await repo.findReport(trx, id);
    if (!report || report.status === 'draft' || !scopeIncludes(scope, report.boroughId)) throw new NotFoundError('Report', id);
    if (!canSignOff(report.status)) throw new WorkflowError(`This report is ${REPORT_STATUS_LABELS[report.status].toLowerCase()}: only a reviewed report awaiting sign-off can be signed off.`);
    await repo.setReportStatus(trx, id, 'signed_off', { signedOffAt: new Date().toISOString() });
    await repo.insertEvent(trx, { reportId: id, kind: 'signed_off', actorUserId: actor.userId, actorLabel: actor.label, comment, version: report.version });
    await audit({ action: 'report.sign_off', entityType: 'report', entityId: id, summary: { version: report.version, comment } });
    return (await repo.findReport(trx, id))!;
  });
}

export interface ReportDetails {
  report: repo.Report;
  officer: Officer | undefined;
  boroughName: string | null;
  events: repo.ReportEvent[];
  versions: repo.ReportVersion[];
  sections: ReturnType<typeof sectionStatuses>;
  problems: FieldError[];
  deadline: ReturnType<typeof deadlineState>;
  /** The author's amendment in progress, if any (only shown to the author). */
  amendment: AmendmentPreview | null;
}

export async function getReport(svc: Services, actor: Actor, id: string, now = svc.now()): Promise<ReportDetails> {
  const db = svc.database.db;
  const report = await repo.findReport(db, id);
  if (!report || !canSee(report, actor)) throw new NotFoundError('Report', id);
  const [officer, borough, events, versions] = await Promise.all([
    officersRepo.findOfficer(db, report.officerId),
    report.boroughId ? org.findBorough(db, report.boroughId) : undefined,
    repo.listEvents(db, id),
    repo.listVersions(db, id),
  ]);
  return {
    report,
    officer,
    boroughName: borough?.name ?? null,
    events,
    versions,
    sections: sectionStatuses(report.content),
    problems: report.status === 'draft' ? submissionProblems(report.content, now, svc.policy.report.recordsBegin) : [],
    deadline: report.status === 'draft' ? deadlineState(report.dueAt ? new Date(report.dueAt) : null, now) : 'on_time',
    amendment: report.authorUserId === actor.userId ? amendmentPreview(report, now, svc.policy.report.recordsBegin) : null,
  };
}

export interface ReportQuery {
  statuses?: ReportStatus[];
  boroughId?: string;
  highestLevel?: repo.ReportFilter['highestLevel'];
  deadline?: 'overdue' | 'due_soon';
  occurredFrom?: string;
  occurredTo?: string;
  sort?: repo.ReportSort;
  descending?: boolean;
}

/** Reports in a reader's scope (never other people's drafts unless asking for deadlines). */
export async function listReports(svc: Services, scope: Scope, q: ReportQuery, page: Page, now = new Date()) {
  const force = await getForce(svc);
  let boroughIds = scope.all ? undefined : scope.boroughIds;
  if (q.boroughId) boroughIds = boroughIds ? boroughIds.filter((b) => b === q.boroughId) : [q.boroughId];
  const filter: repo.ReportFilter = {
    forceId: force.id,
    boroughIds,
    statuses: q.deadline ? ['draft'] : (q.statuses ?? ['submitted', 'returned', 'awaiting_sign_off', 'approved', 'signed_off', 'referred']).filter((s) => s !== 'draft'),
    highestLevel: q.highestLevel,
    occurredFrom: q.occurredFrom ? `${q.occurredFrom}T00:00:00.000Z` : undefined,
    occurredTo: q.occurredTo ? new Date(Date.parse(`${q.occurredTo}T00:00:00.000Z`) + 86_400_000).toISOString() : undefined,
    ...(q.deadline === 'overdue' ? { overdueAt: now.toISOString() } : {}),
    ...(q.deadline === 'due_soon' ? { dueBefore: { now: now.toISOString(), until: new Date(now.getTime() + 12 * 3_600_000).toISOString() } } : {}),
  };
  const r = await repo.listReports(svc.database.db, filter, { ...pageWindow(page), sort: q.sort, descending: q.descending });
  return { ...r, page: page.page, pageSize: page.pageSize, pages: Math.max(1, Math.ceil(r.total / page.pageSize)) };
}

/** The signed-in officer's own reports, drafts included. */
export async function listOwnReports(svc: Services, actor: Actor, page: Page) {
  const force = await getForce(svc);
  const r = await repo.listReports(svc.database.db, { forceId: force.id, authorUserId: actor.userId ?? '\u0000none' }, { ...pageWindow(page), sort: 'updated' });
  return { ...r, page: page.page, pageSize: page.pageSize, pages: Math.max(1, Math.ceil(r.total / page.pageSize)) };
}

/** An incident with every report on it that the person may see. */
export async function getIncident(svc: Services, actor: Actor, id: string) {
  const incident = await repo.findIncident(svc.database.db, id);
  if (!incident) throw new NotFoundError('Incident', id);
  const reports = (await repo.reportsForIncident(svc.database.db, id)).filter((r) => canSee(r, actor));
  if (reports.length === 0) throw new NotFoundError('Incident', id);
  const officers = await Promise.all(reports.map((r) => officersRepo.findOfficer(svc.database.db, r.officerId)));
  return { incident, reports: reports.map((r, i) => ({ report: r, officer: officers[i] })) };
}
