import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { Executor } from '../db/database.js';
import type { DB } from '../db/schema.js';
import * as accountsRepo from '../db/repositories/accounts.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import * as repo from '../db/repositories/reports.js';
import type { DerivedColumns, ReferralOutcomeRecord, Report, ReportEvent, ReportSort, ReportVersion } from '../domain/report/records.js';
import type { Officer, TeamType } from '../domain/organisation.js';
import { scopeFor, scopeIncludes, type Scope } from '../domain/permissions.js';
import {
  applicableSections,
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
import { londonDate, londonInstant } from '../domain/calendar.js';
import { ConcurrentChangeError, NotFoundError, ValidationError, WorkflowError, type FieldError } from '../domain/errors.js';
import {
  afterReferralOutcome,
  afterReview,
  canAmend,
  canDiscard,
  canEditDraft,
  canRecordReferralOutcome,
  canReview,
  canSignOff,
  canSubmit,
  checkRevision,
  contentChanges,
  deadlineState,
  dueAt,
  isRecorded,
  RECORDED_STATUSES,
  REFERRAL_OUTCOMES,
  referralOutcomeProblems,
  REPORT_STATUS_LABELS,
  REVIEW_OUTCOMES,
  type ReferralOutcomeInput,
  type ReportStatus,
} from '../domain/report/workflow.js';
import { fieldErrorsFromZod, parseInput } from '../domain/validation.js';
import { change, pageWindow, type Actor, type Audit, type Page, type Services } from './context.js';
import { getForce } from './organisation.js';
import { officerAuthorisedOn } from './training.js';
import { proposeQuarantine } from './device-reports.js';

/** The person recording: a signed-in account linked to an officer record. */
async function recorder(svc: Services, actor: Actor): Promise<{ officer: Officer }> {
  if (!actor.userId) throw new WorkflowError('Only a person signed in to Cedar can record a use of force.');
  const officerId = actor.officerId !== undefined ? actor.officerId : (await accountsRepo.findAccount(svc.database.db, actor.userId))?.officerId;
  const officer = officerId ? await officersRepo.findOfficer(svc.database.db, officerId) : undefined;
  if (!officer) throw new WorkflowError('Your account is not linked to an officer record, so Cedar cannot fill in your name, rank and borough. Ask your Cedar administrator to link it.');
  return { officer };
}

/**
 * Whether someone may see a report: its author, or a reader whose scope covers its borough
 * once it is submitted. A discarded draft is seen by no one (the audit log says what it was).
 */
export function canSee(report: Report, actor: Actor): boolean {
  if (report.status === 'discarded') return false;
  if (report.authorUserId === actor.userId) return true;
  const scope = scopeFor(actor.grants, 'read:report');
  return scope !== null && isRecorded(report.status) && scopeIncludes(scope, report.boroughId);
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

/** A new empty draft for the signed-in officer: a report with no section saved yet. */
export function startReport(svc: Services, actor: Actor): Promise<Report> {
  return createReport(svc, actor, {});
}

/**
 * A report started with these sections already saved, in one transaction (the API's create):
 * either the report and all its sections are stored, or nothing is. The audit trail is the same
 * as starting it and saving each section in turn: `report.create`, then `report.save_section`
 * for each section given.
 */
export async function createReport(svc: Services, actor: Actor, sections: Partial<Record<SectionKey, unknown>>): Promise<Report> {
  const { officer } = await recorder(svc, actor);
  const force = await getForce(svc);
  const now = svc.now();
  const at = now.toISOString();
  const keys = (Object.keys(sections) as SectionKey[]).filter((k) => sections[k] !== undefined);
  return change(svc, actor, async (trx, audit) => {
    // The sections are checked first, so the report is written once, whole (not started and then saved).
    const saved: StoredContent = {};
    for (const key of keys) saved[key] = await parseSection(svc, trx, force.id, key, sections[key], now);
    const content = keys.length ? await withTrainedAnswer(trx, force.id, officer.id, saved, now) : {};
    const derived = keys.length ? await derive(trx, svc, force.id, content) : undefined;
    const id = await repo.insertReport(trx, { forceId: force.id, officerId: officer.id, authorUserId: actor.userId!, boroughId: officer.boroughId, content, derived }, at);
    await repo.insertEvent(trx, { reportId: id, kind: 'created', actorUserId: actor.userId, actorLabel: actor.label }, at);
    await audit({ action: 'report.create', entityType: 'report', entityId: id, summary: { officerId: officer.id } });
    if (derived) {
      await refreshIncidents(svc, trx, derived.incidentId);
      await audit(keys.map((key) => ({ action: 'report.save_section', entityType: 'report', entityId: id, summary: { section: key } })));
    }
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

/** Validates one section's input against the rules at `now`, checking references (the borough) against the force. `db`: the write's transaction. */
async function parseSection(svc: Services, db: Executor, forceId: string, key: SectionKey, input: unknown, now: Date): Promise<unknown> {
  const result = sectionSchema(key, { now, recordsBegin: svc.policy.report.recordsBegin }).safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrorsFromZod(result.error);
  if (key === 'incident' && result.success) {
    const b = await org.findBorough(db, (result.data as { boroughId: string }).boroughId);
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

async function derive(trx: Transaction<DB>, svc: Services, forceId: string, stored: StoredContent): Promise<DerivedColumns & repo.StoredFacts> {
  const { content } = readContent(stored);
  const level = levelOf(content);
  const discharge = isDischarge(level);
  const at = content.incident ? londonInstant(content.incident.date, content.incident.time) : null;
  const incident = content.incident
    ? await repo.incidentFor(trx, forceId, content.incident.reference, { boroughId: content.incident.boroughId, occurredAt: at!.toISOString() }, svc.now().toISOString())
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

/**
 * The revision of the report a person opened: a form's hidden field, the API's If-Match. A
 * write given one is refused with ConcurrentChangeError when the report has changed since;
 * without one it applies to the report as it is when the write runs (read inside its
 * transaction, so it never works from a stale copy).
 */
export interface Opened {
  revision?: number;
}

/**
 * Reads the report for a write that depends on it, inside the write's transaction: locked on
 * PostgreSQL (SQLite has one writer at a time), so a second writer waits and then sees the
 * first's result. Checks the revision the person opened.
 */
async function forWrite(svc: Services, trx: Transaction<DB>, id: string, opened: Opened, visible: (r: Report) => boolean): Promise<Report> {
  const report = await repo.findReport(trx, id, { lock: svc.database.kind === 'postgres' });
  if (!report || !visible(report)) throw new NotFoundError('Report', id);
  // The author of a draft discarded in another tab is told it changed; anyone else, that it does not exist.
  checkRevision(report.revision, opened.revision);
  if (report.status === 'discarded') throw new NotFoundError('Report', id);
  return report;
}

/** The author's own report, for a write (anyone else is told it does not exist). */
const ownForWrite = (svc: Services, trx: Transaction<DB>, actor: Actor, id: string, opened: Opened) => forWrite(svc, trx, id, opened, (r) => r.authorUserId === actor.userId);

/** A submitted report in the reader's scope, for a write. */
const scopedForWrite = (svc: Services, trx: Transaction<DB>, scope: Scope, id: string, opened: Opened) =>
  forWrite(svc, trx, id, opened, (r) => isRecorded(r.status) && scopeIncludes(scope, r.boroughId));

/**
 * A compare-and-set that matched no row: the report moved on between the read and the write
 * (only possible if the read was not locked). Throwing rolls the whole change back.
 */
function wrote(ok: boolean): void {
  if (!ok) throw new ConcurrentChangeError();
}

/** The incidents a report was on and is on now, re-derived from their reports' current content. */
async function refreshIncidents(svc: Services, trx: Transaction<DB>, ...ids: (string | null)[]): Promise<void> {
  // In a fixed order, so two changes locking the same two incidents never wait on each other.
  for (const id of [...new Set(ids)].filter((x): x is string => x !== null).sort()) await repo.refreshIncident(trx, id, { lock: svc.database.kind === 'postgres' });
}

/** Saves one section of a draft. The section must be valid; the rest of the draft may be unfinished. */
export async function saveSection(svc: Services, actor: Actor, id: string, key: SectionKey, input: unknown, opened: Opened = {}): Promise<Report> {
  const force = await getForce(svc);
  const now = svc.now();
  return change(svc, actor, async (trx, audit) => {
    const report = await ownForWrite(svc, trx, actor, id, opened);
    if (!canEditDraft(report.status)) throw new WorkflowError('This report has been submitted: change it with an amendment, giving a reason.');
    const section = await parseSection(svc, trx, force.id, key, input, now);
    // Only the duty and incident sections change the answer (submitting answers it again).
    const saved = { ...report.content, [key]: section };
    const content = key === 'duty' || key === 'incident' ? await withTrainedAnswer(trx, force.id, report.officerId, saved, now) : saved;
    const derived = await derive(trx, svc, force.id, content);
    wrote(await repo.updateReportContent(trx, id, report.revision, content, derived, {}, now.toISOString()));
    await refreshIncidents(svc, trx, report.incidentId, derived.incidentId);
    await audit({ action: 'report.save_section', entityType: 'report', entityId: id, summary: { section: key } });
    return (await repo.findReport(trx, id))!;
  });
}

export async function submitReport(svc: Services, actor: Actor, id: string, now: Date = svc.now(), opened: Opened = {}): Promise<Report> {
  const force = await getForce(svc);
  const at = svc.now().toISOString();
  return change(svc, actor, async (trx, audit) => {
    const report = await ownForWrite(svc, trx, actor, id, opened);
    if (!canSubmit(report.status)) throw new WorkflowError(`This report is ${REPORT_STATUS_LABELS[report.status].toLowerCase()}: it has already been submitted.`);
    const problems = submissionProblems(report.content, now, svc.policy.report.recordsBegin);
    if (problems.length) throw new ValidationError(problems);
    const content = await withTrainedAnswer(trx, force.id, report.officerId, pruned(report.content), now);
    const derived = await derive(trx, svc, force.id, content);
    wrote(await repo.updateReportContent(trx, id, report.revision, content, derived, { status: 'submitted', version: 1, submittedAt: now.toISOString() }, at));
    await repo.insertVersion(trx, { reportId: id, version: 1, content, reason: null, userId: actor.userId, label: actor.label }, at);
    await repo.insertEvent(trx, { reportId: id, kind: 'submitted', actorUserId: actor.userId, actorLabel: actor.label, version: 1 }, at);
    await refreshIncidents(svc, trx, report.incidentId, derived.incidentId);
    await audit({ action: 'report.submit', entityType: 'report', entityId: id, summary: { version: 1, highestLevel: levelOf(readContent(content).content) } });
    // A discharge with death or serious injury: propose quarantining the device (issue 12).
    await proposeQuarantine(trx, audit, { id, forceId: force.id }, content, at);
    return (await repo.findReport(trx, id))!;
  });
}

const amendmentInput = z.object({
  reason: z.string({ error: 'Give the reason for the amendment' }).trim().min(5, 'Give the reason for the amendment (at least 5 characters)').max(2000, 'The reason must be 2,000 characters or fewer'),
});

/** The amendment of a report read for this write: checked, stored as the next version, and sent back for review. */
async function amendWithin(
  svc: Services,
  trx: Transaction<DB>,
  audit: Audit,
  actor: Actor,
  forceId: string,
  report: Report,
  input: { sections: Partial<Record<SectionKey, unknown>>; reason: unknown },
  now: Date,
): Promise<Report> {
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
      next[key] = await parseSection(svc, trx, forceId, key, value, now);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      errors.push(...err.errors.map((e) => ({ field: `${key}.${e.field}`, message: e.message })));
    }
  }
  if (errors.length) throw new ValidationError(errors);
  const content = await withTrainedAnswer(trx, forceId, report.officerId, pruned(next), now);
  const problems = submissionProblems(content, now, svc.policy.report.recordsBegin);
  if (problems.length) throw new ValidationError(problems);
  const changes = contentChanges(report.content, content);
  if (Object.keys(changes).length === 0) throw new ValidationError([{ field: 'sections', message: 'Nothing has changed: change an answer before saving the amendment' }]);
  const version = report.version + 1;
  const at = svc.now().toISOString();
  const derived = await derive(trx, svc, forceId, content);
  wrote(await repo.updateReportContent(trx, report.id, report.revision, content, derived, { status: 'submitted', version, amendment: null }, at));
  await repo.insertVersion(trx, { reportId: report.id, version, content, reason: reason.data!.reason, userId: actor.userId, label: actor.label }, at);
  await repo.insertEvent(trx, { reportId: report.id, kind: 'amended', actorUserId: actor.userId, actorLabel: actor.label, comment: reason.data!.reason, version, changes }, at);
  // A corrected date, time or borough moves the incident's too.
  await refreshIncidents(svc, trx, report.incidentId, derived.incidentId);
  await audit({ action: 'report.amend', entityType: 'report', entityId: report.id, summary: { version, reason: reason.data!.reason, changes } });
  // An amendment that now records a discharge with death or serious injury proposes quarantine too (once per device).
  await proposeQuarantine(trx, audit, { id: report.id, forceId }, content, at);
  return (await repo.findReport(trx, report.id))!;
}

/**
 * Changes a submitted report. The earlier version is kept; the new one records who, when,
 * why and which fields changed, and the report goes back for review.
 */
export async function amendReport(
  svc: Services,
  actor: Actor,
  id: string,
  input: { sections: Partial<Record<SectionKey, unknown>>; reason: unknown },
  now: Date = svc.now(),
  opened: Opened = {},
): Promise<Report> {
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => amendWithin(svc, trx, audit, actor, force.id, await ownForWrite(svc, trx, actor, id, opened), input, now));
}

/**
 * One section of an amendment in progress. An amendment can touch several sections (adding
 * a Taser use needs the Taser section too): they are kept here until submitted with a reason.
 */
export async function stageAmendment(svc: Services, actor: Actor, id: string, key: SectionKey, input: unknown, opened: Opened = {}): Promise<Report> {
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const report = await ownForWrite(svc, trx, actor, id, opened);
    if (!canAmend(report.status)) throw new WorkflowError(`A report ${REPORT_STATUS_LABELS[report.status].toLowerCase()} cannot be amended.`);
    const section = await parseSection(svc, trx, force.id, key, input, svc.now());
    wrote(await repo.setAmendment(trx, id, report.revision, { ...(report.amendment ?? {}), [key]: section }, svc.now().toISOString()));
    await audit({ action: 'report.amendment_staged', entityType: 'report', entityId: id, summary: { section: key } });
    return (await repo.findReport(trx, id))!;
  });
}

export async function discardAmendment(svc: Services, actor: Actor, id: string, opened: Opened = {}): Promise<void> {
  await change(svc, actor, async (trx, audit) => {
    const report = await ownForWrite(svc, trx, actor, id, opened);
    if (!report.amendment) return;
    wrote(await repo.setAmendment(trx, id, report.revision, null, svc.now().toISOString()));
    await audit({ action: 'report.amendment_discarded', entityType: 'report', entityId: id, summary: { sections: Object.keys(report.amendment) } });
  });
}

/** Submits the amendment in progress with its reason. */
export async function submitAmendment(svc: Services, actor: Actor, id: string, reason: unknown, now: Date = svc.now(), opened: Opened = {}): Promise<Report> {
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const report = await ownForWrite(svc, trx, actor, id, opened);
    if (!report.amendment) throw new ValidationError([{ field: 'sections', message: 'Nothing has changed: change an answer before saving the amendment' }]);
    return amendWithin(svc, trx, audit, actor, force.id, report, { sections: report.amendment, reason }, now);
  });
}

/**
 * The author discards a draft started by mistake. Only a draft never submitted: a record of
 * use is never discarded (it is corrected by amendment). The draft is kept, marked discarded,
 * and left out of every list, queue and count; the audit log says what was discarded.
 */
export async function discardDraft(svc: Services, actor: Actor, id: string, opened: Opened = {}): Promise<void> {
  const at = svc.now().toISOString();
  await change(svc, actor, async (trx, audit) => {
    const report = await ownForWrite(svc, trx, actor, id, opened);
    if (!canDiscard(report.status, report.version))
      throw new WorkflowError('This report has been submitted, so it is a record of a use of force and can never be discarded. Change it with an amendment, giving a reason.');
    wrote(await repo.setReportStatus(trx, id, report.revision, 'discarded', {}, at));
    await repo.insertEvent(trx, { reportId: id, kind: 'discarded', actorUserId: actor.userId, actorLabel: actor.label, version: 0 }, at);
    await refreshIncidents(svc, trx, report.incidentId);
    await audit({
      action: 'report.discard',
      entityType: 'report',
      entityId: id,
      summary: {
        incidentReference: report.incidentReference,
        occurredAt: report.occurredAt,
        highestLevel: report.highestLevel,
        sections: SECTION_KEYS.filter((k) => report.content[k] !== undefined),
        startedAt: report.createdAt,
      },
    });
  });
}

export interface AmendmentPreview {
  /** The report as it would read with the amendment. */
  content: StoredContent;
  changes: Record<string, { from: unknown; to: unknown }>;
  sections: ReturnType<typeof sectionStatuses>;
  problems: FieldError[];
}

/** What the amendment in progress changes, and what still stops it being submitted. */
export function amendmentPreview(report: Report, now: Date, recordsBegin?: string): AmendmentPreview | null {
  if (!report.amendment) return null;
  const merged = { ...report.content, ...report.amendment };
  const content = pruned(merged);
  return { content, changes: contentChanges(report.content, content), sections: sectionStatuses(merged), problems: submissionProblems(merged, now, recordsBegin) };
}

const reviewInput = z
  .object({
    outcome: z.enum(REVIEW_OUTCOMES, { error: 'Select an outcome: approve, return to the officer, or refer to professional standards' }),
    comment: z
      .string()
      .trim()
      .max(5000, 'The comment must be 5,000 characters or fewer')
      .nullish()
      .transform((v) => (v ? v : null)),
  })
  .superRefine((r, ctx) => {
    if (r.outcome !== 'approve' && !r.comment) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: r.outcome === 'return' ? 'Say what the officer needs to change' : 'Say why the report is referred' });
    }
  });

/** A supervisor in the report's borough approves it, returns it to the officer, or refers it to professional standards. */
export async function reviewReport(svc: Services, actor: Actor, scope: Scope, id: string, input: unknown, opened: Opened = {}): Promise<Report> {
  const r = parseInput(reviewInput, input);
  const at = svc.now().toISOString();
  return change(svc, actor, async (trx, audit) => {
    const report = await scopedForWrite(svc, trx, scope, id, opened);
    if (report.authorUserId === actor.userId) throw new WorkflowError('You cannot review your own report: another supervisor must review it.');
    if (!canReview(report.status)) throw new WorkflowError(`This report is ${REPORT_STATUS_LABELS[report.status].toLowerCase()}: only a report awaiting review can be reviewed.`);
    const status = afterReview(r.outcome, report.discharge, svc.policy.report);
    wrote(await repo.setReportStatus(trx, id, report.revision, status, { reviewedAt: at }, at));
    const kind = r.outcome === 'approve' ? 'approved' : r.outcome === 'return' ? 'returned' : 'referred';
    await repo.insertEvent(trx, { reportId: id, kind, actorUserId: actor.userId, actorLabel: actor.label, comment: r.comment, version: report.version }, at);
    await audit({ action: `report.${kind}`, entityType: 'report', entityId: id, summary: { version: report.version, comment: r.comment, status } });
    return (await repo.findReport(trx, id))!;
  });
}

const signOffInput = z.object({
  comment: z
    .string()
    .trim()
    .max(5000, 'The comment must be 5,000 characters or fewer')
    .nullish()
    .transform((v) => (v ? v : null)),
});

/** The borough commander signs off a reviewed discharge. */
export async function signOffReport(svc: Services, actor: Actor, scope: Scope, id: string, input: unknown, opened: Opened = {}): Promise<Report> {
  const { comment } = parseInput(signOffInput, input ?? {});
  const at = svc.now().toISOString();
  return change(svc, actor, async (trx, audit) => {
    const report = await scopedForWrite(svc, trx, scope, id, opened);
    if (!canSignOff(report.status)) throw new WorkflowError(`This report is ${REPORT_STATUS_LABELS[report.status].toLowerCase()}: only a reviewed report awaiting sign-off can be signed off.`);
    wrote(await repo.setReportStatus(trx, id, report.revision, 'signed_off', { signedOffAt: at }, at));
    await repo.insertEvent(trx, { reportId: id, kind: 'signed_off', actorUserId: actor.userId, actorLabel: actor.label, comment, version: report.version }, at);
    await audit({ action: 'report.sign_off', entityType: 'report', entityId: id, summary: { version: report.version, comment } });
    return (await repo.findReport(trx, id))!;
  });
}

const referralOutcomeInput = z.object({
  outcome: z.enum(REFERRAL_OUTCOMES, { error: 'Select the outcome of the referral' }),
  iopcReference: z
    .string()
    .trim()
    .max(20, 'The IOPC reference must be 20 characters or fewer')
    .nullish()
    .transform((v) => (v ? v : null)),
  reason: z
    .string({ error: 'Give the reason for the outcome' })
    .trim()
    .min(1, 'Give the reason for the outcome')
    .min(10, 'Give the reason for the outcome (at least 10 characters)')
    .max(5000, 'The reason must be 5,000 characters or fewer'),
});

export type ReferralOutcomeValues = ReferralOutcomeInput;

/**
 * Checks an outcome as professional standards entered it, without recording it (the check
 * page shows it first). Every problem is named by field.
 */
export function checkReferralOutcome(input: unknown, now: Date): ReferralOutcomeValues {
  const parsed = referralOutcomeInput.safeParse(input);
  const errors: FieldError[] = parsed.success ? [] : fieldErrorsFromZod(parsed.error);
  if (parsed.success) errors.push(...referralOutcomeProblems(parsed.data, now));
  if (errors.length || !parsed.success) throw new ValidationError(errors);
  return parsed.data;
}

/**
 * Professional standards record the outcome of a referral: no case to answer, management
 * action, misconduct proceedings, or a referral to the IOPC with its reference. It concludes
 * the referral, shows on the report's timeline and is audited.
 */
export async function recordReferralOutcome(svc: Services, actor: Actor, scope: Scope, id: string, input: unknown, now: Date = svc.now(), opened: Opened = {}): Promise<Report> {
  const o = checkReferralOutcome(input, now);
  const at = svc.now().toISOString();
  return change(svc, actor, async (trx, audit) => {
    const report = await scopedForWrite(svc, trx, scope, id, opened);
    if (!canRecordReferralOutcome(report.status))
      throw new WorkflowError(`This report is ${REPORT_STATUS_LABELS[report.status].toLowerCase()}: an outcome is recorded only on a report referred to professional standards.`);
    const status = afterReferralOutcome(o.outcome);
    wrote(await repo.setReportStatus(trx, id, report.revision, status, {}, at));
    await repo.insertReferralOutcome(trx, {
      reportId: id,
      outcome: o.outcome,
      iopcReference: o.iopcReference,
      reason: o.reason,
      reportVersion: report.version,
      recordedByUserId: actor.userId,
      recordedByLabel: actor.label,
      recordedAt: at,
    });
    await repo.insertEvent(trx, { reportId: id, kind: 'referral_outcome', actorUserId: actor.userId, actorLabel: actor.label, comment: o.reason, version: report.version }, at);
    await audit({
      action: 'report.referral_outcome',
      entityType: 'report',
      entityId: id,
      summary: { version: report.version, outcome: o.outcome, iopcReference: o.iopcReference, reason: o.reason, status },
    });
    return (await repo.findReport(trx, id))!;
  });
}

export interface ReportDetails {
  report: Report;
  officer: Officer | undefined;
  boroughName: string | null;
  events: ReportEvent[];
  versions: ReportVersion[];
  sections: ReturnType<typeof sectionStatuses>;
  problems: FieldError[];
  deadline: ReturnType<typeof deadlineState>;
  /** The author's amendment in progress, if any (only shown to the author). */
  amendment: AmendmentPreview | null;
  /** What professional standards concluded, each time the report was referred, oldest first. */
  referralOutcomes: ReferralOutcomeRecord[];
}

export type { ReferralOutcomeRecord };

export async function getReport(svc: Services, actor: Actor, id: string, now: Date = svc.now()): Promise<ReportDetails> {
  const report = await repo.findReport(svc.database.db, id);
  if (!report) throw new NotFoundError('Report', id);
  return reportDetails(svc, actor, report, now);
}

/** The details of a report already read, such as the one a write returns (read inside its transaction, as the write left it). */
export async function reportDetails(svc: Services, actor: Actor, report: Report, now: Date = svc.now()): Promise<ReportDetails> {
  if (!canSee(report, actor)) throw new NotFoundError('Report', report.id);
  const db = svc.database.db;
  const id = report.id;
  const [officer, borough, events, versions, referralOutcomes] = await Promise.all([
    officersRepo.findOfficer(db, report.officerId),
    report.boroughId ? org.findBorough(db, report.boroughId) : undefined,
    repo.listEvents(db, id),
    repo.listVersions(db, id),
    repo.listReferralOutcomes(db, [id]),
  ]);
  return {
    report,
    officer,
    boroughName: borough?.name ?? null,
    events,
    versions,
    referralOutcomes,
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
  sort?: ReportSort;
  descending?: boolean;
}

/** Reports in a reader's scope (never other people's drafts unless asking for deadlines; never discarded drafts). */
export async function listReports(svc: Services, scope: Scope, q: ReportQuery, page: Page, now: Date = svc.now()) {
  const force = await getForce(svc);
  let boroughIds = scope.all ? undefined : scope.boroughIds;
  if (q.boroughId) boroughIds = boroughIds ? boroughIds.filter((b) => b === q.boroughId) : [q.boroughId];
  const filter: repo.ReportFilter = {
    forceId: force.id,
    boroughIds,
    statuses: q.deadline ? ['draft'] : (q.statuses ?? RECORDED_STATUSES).filter(isRecorded),
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

/** A value the reports on an incident give, and how many of them give it. */
export interface IncidentAnswer<T> {
  value: T;
  reports: number;
}

/** Distinct values, most reports first (then in order), counted. */
function answers<T>(values: T[]): IncidentAnswer<T>[] {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([value, reports]) => ({ value, reports })).sort((a, b) => b.reports - a.reports || (String(a.value) < String(b.value) ? -1 : 1));
}

/**
 * An incident with every report on it that the person may see. When and where it happened are
 * what those reports say now (their current versions, corrections included), not what was
 * first saved: one value when they agree, each value when they differ.
 */
export async function getIncident(svc: Services, actor: Actor, id: string) {
  const incident = await repo.findIncident(svc.database.db, id);
  if (!incident) throw new NotFoundError('Incident', id);
  const reports = (await repo.reportsForIncident(svc.database.db, id)).filter((r) => canSee(r, actor));
  if (reports.length === 0) throw new NotFoundError('Incident', id);
  const officers = await Promise.all(reports.map((r) => officersRepo.findOfficer(svc.database.db, r.officerId)));
  return {
    incident,
    occurredAt: answers(reports.map((r) => r.occurredAt).filter((v): v is string => v !== null)),
    boroughIds: answers(reports.map((r) => r.boroughId).filter((v): v is string => v !== null)),
    reports: reports.map((r, i) => ({ report: r, officer: officers[i] })),
  };
}

/** Reports referred to professional standards: awaiting an outcome, or concluded (with their outcomes). */
export async function listReferrals(svc: Services, scope: Scope, which: 'awaiting' | 'concluded', page: Page) {
  const r = await listReports(
    svc,
    scope,
    { statuses: [which === 'awaiting' ? 'referred' : 'referral_concluded'], sort: which === 'awaiting' ? 'submitted' : 'updated', descending: which === 'concluded' },
    page,
  );
  const outcomes = await repo.listReferralOutcomes(
    svc.database.db,
    r.reports.map((x) => x.id),
  );
  const latest = new Map(outcomes.map((o) => [o.reportId, o]));
  return { ...r, outcomes: latest };
}
