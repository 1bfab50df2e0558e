import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as accountsRepo from '../../db/repositories/accounts.js';
import * as officersRepo from '../../db/repositories/officers.js';
import { REPORT_SORTS, type Report, type ReportSort } from '../../db/repositories/reports.js';
import type { Officer } from '../../domain/organisation.js';
import { can, scopeFor, scopeIncludes, type Scope } from '../../domain/permissions.js';
import { sectionStatuses, SECTION_KEYS, SECTIONS, type SectionKey, type SectionStatus } from '../../domain/report/content.js';
import { HIGHEST_LEVEL_LABELS, isDischarge, type HighestLevel } from '../../domain/report/levels.js';
import { canAmend, canDiscard, deadlineState, REFERRAL_OUTCOME_LABELS, REFERRAL_OUTCOMES, type ReportStatus } from '../../domain/report/workflow.js';
import { ConcurrentChangeError, NotFoundError, ValidationError, WorkflowError, type FieldError } from '../../domain/errors.js';
import type { Services } from '../../services/context.js';
import { listBoroughs } from '../../services/organisation.js';
import {
  checkReferralOutcome,
  discardAmendment,
  discardDraft,
  listReferrals,
  recordReferralOutcome,
  type Opened,
  type ReferralOutcomeRecord,
  stageAmendment,
  submitAmendment,
  getIncident,
  getReport,
  listOwnReports,
  listReports,
  recorderDefaults,
  reviewReport,
  saveSection,
  signOffReport,
  startReport,
  submitReport,
  type ReportDetails,
  type ReportQuery,
} from '../../services/reports.js';
import { dateItems, errorView, field, formBody, noticeFrom, pageFrom, paginationView, type FormBody } from '../forms.js';
import { z } from 'zod';
import { queryId, queryNotice, queryPage, queryText } from '../query.js';
import {
  dateInputError,
  formLayout,
  formOptions,
  MAX_TACTIC_ROWS,
  parseSectionForm,
  problemHref,
  sectionErrorView,
  sectionFormValues,
  typedFormValues,
  type FormLayout,
  type FormValues,
  type RowMap,
} from '../report-forms.js';
import {
  deadlineTag,
  defaultReviewTab,
  lastReturn,
  levelTag,
  officerName,
  shortDateTime,
  statusTag,
  summaryCards,
  answerText,
  fieldLabel,
  TASK_GROUPS,
  taskItem,
  timelineEvents,
  versionRows,
  type DisplayContext,
  type TimelineEvent,
} from '../report-view.js';

type Query = Record<string, string | undefined>;

/** A report opens for its author and for readers in its borough; the service decides which. */
const READ_ANY = ['create:report', 'read:report'] as const;

/** Messages after a redirect that are information, not success (`?info=`): fixed texts, never echoed input. */
const INFO: Record<string, string> = {
  'not-needed': 'That section is not needed for this report, from the answers you have given.',
  'tactics-first': 'Answer the questions about the tactics you used first: they decide whether the Taser questions are needed.',
  'not-amendable': 'This report can no longer be changed.',
  'no-amendment': 'There is no amendment in progress: use a Change link to start one.',
  'amendment-discarded': 'Your unsaved amendment has been discarded. The report is as it was.',
  'not-discardable': 'This report has been submitted: it is a record of a use of force and can never be discarded. Change it with an amendment, giving a reason.',
  'not-referred': 'An outcome is recorded only on a report referred to professional standards and waiting for its outcome.',
};

const infoFrom = (q: Query) => (q.info ? INFO[q.info] : undefined);

/** Success messages of the report workflow after a redirect (`?notice=`): fixed texts, never echoed input. */
const NOTICES: Record<string, string> = {
  'draft-discarded': 'Draft discarded. It is no longer in your reports or in anyone’s lists.',
  'referral-outcome-recorded': 'Outcome recorded. The referral is concluded and the outcome is on the report’s history.',
};

const notices = (q: Query) => noticeFrom(q) ?? (q.notice ? NOTICES[q.notice] : undefined);

/**
 * The revision of the report the page was rendered from (every report form carries it), so a
 * write from an out-of-date page is refused rather than overwriting, or being overwritten.
 */
function openedFrom(body: FormBody): Opened {
  const v = field(body, 'revision').trim();
  if (v === '') return {};
  if (!/^\d{1,9}$/.test(v)) throw new ValidationError([{ field: 'revision', message: 'The page sent a report revision Cedar cannot read: go back to the report, reload it and try again' }]);
  return { revision: Number(v) };
}

/** The error summary's entry for a write refused because the report changed: it links to the report as it is now. */
const conflictError = (err: ConcurrentChangeError, href: string, text = err.message) => ({ text, href });

/** On a question page the answers sent are still in the form. */
const ANSWERS_KEPT = 'This report changed since you opened this page (it was saved somewhere else, perhaps in another tab). Your answers below are not saved yet: see the report as it is now, then save them again.';

const isSectionKey = (k: string): k is SectionKey => (SECTION_KEYS as string[]).includes(k);

/** A row of a reports table (see the reportsTable macro). */
function reportRow(r: Report, officer: Officer | undefined, boroughName: DisplayContext['boroughName'], now: Date, href: string | null) {
  return {
    id: r.id,
    href,
    reference: r.incidentReference,
    officer: officerName(officer),
    borough: r.boroughId ? boroughName(r.boroughId) : undefined,
    occurred: shortDateTime(r.occurredAt),
    submitted: shortDateTime(r.submittedAt),
    created: shortDateTime(r.createdAt),
    due: shortDateTime(r.dueAt),
    // A draft whose tactics are not answered yet has no level to show.
    levelTag: r.status === 'draft' && r.highestLevel === null && r.content.tactics === undefined ? null : levelTag(r.highestLevel),
    statusTag: statusTag(r.status),
    deadlineTag: r.status === 'draft' ? deadlineTag(deadlineState(r.dueAt ? new Date(r.dueAt) : null, now)) : null,
  };
}

export function registerReportRoutes(app: FastifyInstance, svc: Services): void {
  const display = async (): Promise<DisplayContext & { boroughs: Awaited<ReturnType<typeof listBoroughs>> }> => {
    const boroughs = await listBoroughs(svc);
    const names = new Map(boroughs.map((b) => [b.id, b.name]));
    return { boroughs, boroughName: (id: string) => names.get(id) };
  };

  /** Officers named in a list, fetched once each. */
  const officersOf = async (reports: Report[]) => {
    const ids = [...new Set(reports.map((r) => r.officerId))];
    const found = await Promise.all(ids.map((id) => officersRepo.findOfficer(svc.database.db, id)));
    return new Map(ids.map((id, i) => [id, found[i]]));
  };

  /** The names of the people who acted on a report, by account. */
  const actorNames = async (d: ReportDetails) => {
    const ids = [...new Set(d.events.map((e) => e.actorUserId).filter((id): id is string => id !== null))];
    const accounts = await Promise.all(ids.map((id) => accountsRepo.findAccount(svc.database.db, id)));
    return new Map(accounts.filter((a) => a !== undefined).map((a) => [a.id, a.displayName]));
  };

  /** The report, if the signed-in person wrote it; anyone else is told it does not exist. */
  const ownReport = async (request: FastifyRequest, id: string): Promise<ReportDetails> => {
    const d = await getReport(svc, request.actor(), id);
    if (d.report.authorUserId !== request.actor().userId) throw new NotFoundError('Report', id);
    return d;
  };

  // My reports ---------------------------------------------------------------------------

  const renderOwnList = async (request: FastifyRequest, reply: FastifyReply, problem?: string) => {
    const q = request.query as Query;
    const actor = request.actor();
    const [result, ctx] = await Promise.all([listOwnReports(svc, actor, pageFrom(q, 50)), display()]);
    const officers = await officersOf(result.reports);
    const now = svc.now();
    return reply.code(problem ? 409 : 200).render('pages/reports/list.njk', {
      title: 'My reports',
      rows: result.reports.map((r) => reportRow(r, officers.get(r.officerId), ctx.boroughName, now, `/reports/${r.id}`)),
      total: result.total,
      page: result.page,
      pages: result.pages,
      pagination: paginationView('/reports', q, result.page, result.pages),
      canStart: Boolean(request.identity!.account.officerId),
      policy: svc.policy.report,
      problem,
      notice: notices(q),
    });
  };

  app.get('/reports', { config: { permission: 'create:report', query: z.object({ page: queryPage, notice: queryNotice }) } }, async (request, reply) => renderOwnList(request, reply));

  app.post('/reports/new', { config: { permission: 'create:report' } }, async (request, reply) => {
    try {
      const report = await startReport(svc, request.actor());
      return reply.redirect(`/reports/${report.id}`, 303);
    } catch (err) {
      if (!(err instanceof WorkflowError)) throw err;
      return renderOwnList(request, reply, err.message);
    }
  });

  // One report: the task list for its author's draft, otherwise the report itself ------------

  const renderTaskList = async (request: FastifyRequest, reply: FastifyReply, d: ReportDetails) => {
    const ctx = await display();
    const byKey = new Map(d.sections.map((s) => [s.key, s]));
    const counted = d.sections.filter((s) => s.status === 'completed' || s.status === 'not_started' || s.status === 'in_error');
    const q = request.query as Query;
    return reply.render('pages/reports/task-list.njk', {
      title: d.report.incidentReference ? `Incident ${d.report.incidentReference}` : 'Record a use of force',
      report: d.report,
      officerName: officerName(d.officer),
      officerBorough: d.officer?.boroughId ? ctx.boroughName(d.officer.boroughId) : undefined,
      levelTag: d.report.content.tactics === undefined ? null : levelTag(d.report.highestLevel),
      deadline: d.deadline,
      deadlineTag: deadlineTag(d.deadline),
      policy: svc.policy.report,
      groups: TASK_GROUPS.map((g) => ({ heading: g.heading, items: g.keys.map((k) => taskItem(d.report.id, byKey.get(k)!)) })),
      completed: counted.filter((s) => s.status === 'completed').length,
      needed: counted.length,
      canCheck: d.problems.length === 0,
      backLink: '/reports',
      info: infoFrom(q),
      notice: notices(q),
      canDiscard: canDiscard(d.report.status, d.report.version),
    });
  };

  interface DecisionForms {
    review?: { values: FormValues; errors: FieldError[] };
    signOff?: { values: FormValues; errors: FieldError[] };
    /** A decision refused because the report changed since the page was opened, and what was typed. */
    conflict?: { error: ConcurrentChangeError; label: string; text: string };
  }

  const renderReport = async (request: FastifyRequest, reply: FastifyReply, d: ReportDetails, forms: DecisionForms = {}) => {
    const actor = request.actor();
    const { report } = d;
    const isAuthor = report.authorUserId === actor.userId;
    const ctx = { ...(await display()), reader: isAuthor ? ('author' as const) : ('other' as const) };
    const within = (scope: Scope | null) => scope !== null && scopeIncludes(scope, report.boroughId);
    const mayReview = !isAuthor && report.status === 'submitted' && within(scopeFor(actor.grants, 'review:report'));
    const maySignOff = report.status === 'awaiting_sign_off' && within(scopeFor(actor.grants, 'sign_off:report'));
    const mayRecordOutcome = report.status === 'referred' && within(scopeFor(actor.grants, 'review:referral'));
    const changeable = isAuthor && canAmend(report.status);
    const names = await actorNames(d);
    const returned = report.status === 'returned' ? lastReturn(d.events, names) : undefined;
    const errors = [...(forms.review?.errors ?? []), ...(forms.signOff?.errors ?? [])];
    // This page is the report as it is now: its history says what changed.
    const conflict = forms.conflict ? [conflictError(forms.conflict.error, '#history')] : [];
    const reviewView = errorView(forms.review?.errors ?? []);
    // The sign-off comment's input is `signOffComment`, so that it never clashes with the review's.
    const signOffView = errorView((forms.signOff?.errors ?? []).map((e) => (e.field === 'comment' ? { ...e, field: 'signOffComment' } : e)));
    const q = request.query as Query;
    const discharge = isDischarge(report.highestLevel);
    return reply.code(forms.conflict ? 409 : errors.length ? 400 : 200).render('pages/reports/show.njk', {
      title: report.incidentReference ? `Incident ${report.incidentReference}: ${officerName(d.officer)}` : `Report by ${officerName(d.officer)}`,
      report,
      isAuthor,
      officerName: officerName(d.officer),
      boroughName: d.boroughName,
      incidentHref: report.incidentId && can(actor.grants, 'read:report') ? `/incidents/${report.incidentId}` : undefined,
      statusTag: statusTag(report.status),
      levelTag: levelTag(report.highestLevel),
      late: Boolean(report.submittedAt && report.dueAt && report.submittedAt > report.dueAt),
      cards: summaryCards(report.content, ctx, SECTION_KEYS, changeable ? (k) => `/reports/${report.id}/sections/${k}` : undefined),
      timeline: withReferralOutcomes(timelineEvents(d.events, ctx, names), d.events, d.referralOutcomes),
      referralOutcomes: d.referralOutcomes.map((o) => referralOutcomeView(o, names)),
      mayRecordOutcome,
      versions: versionRows(d.versions, d.events, names),
      returned,
      mayReview,
      maySignOff,
      reviewOptions: [
        { value: 'approve', text: 'Approve', hint: discharge && svc.policy.report.dischargeNeedsSignOff ? 'This is a discharge, so the borough commander then signs it off' : undefined },
        { value: 'return', text: 'Return to the officer', hint: 'The officer amends the report and it comes back for review' },
        { value: 'refer', text: 'Refer to professional standards' },
      ],
      reviewForm: { values: forms.review?.values ?? {}, errors: reviewView.errors },
      signOffForm: { values: forms.signOff?.values ?? {}, errors: signOffView.errors },
      errorList: [...conflict, ...reviewView.errorList, ...signOffView.errorList],
      // What was typed into a decision that was refused, when its form is no longer offered.
      unsaved: forms.conflict && !(mayReview && forms.review) && !(maySignOff && forms.signOff) && forms.conflict.text ? forms.conflict : undefined,
      backLink: isAuthor ? '/reports' : mayRecordOutcome ? '/referrals' : '/reviews',
      navPath: isAuthor ? '/reports' : '/reviews',
      notice: notices(q),
      info: infoFrom(q),
    });
  };

  app.get('/reports/:id', { config: { permission: READ_ANY, query: z.object({ notice: queryNotice, info: queryText('info', 40) }) } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await getReport(svc, request.actor(), id);
    if (d.report.status === 'draft' && d.report.authorUserId === request.actor().userId) return renderTaskList(request, reply, d);
    return renderReport(request, reply, d);
  });

  // Question pages: one section of a draft, or an amendment of a submitted report ------------

  interface SectionPage {
    values: FormValues;
    errors?: FieldError[];
    rows?: RowMap;
    layout?: Partial<FormLayout>;
    from?: string;
    body?: FormBody;
    /** The write was refused because the report changed since the page was opened. */
    conflict?: ConcurrentChangeError;
  }

  const renderSection = async (request: FastifyRequest, reply: FastifyReply, d: ReportDetails, key: SectionKey, page: SectionPage) => {
    const ctx = await display();
    const mode = d.report.status === 'draft' ? 'draft' : 'amend';
    const view = sectionErrorView(key, page.errors ?? [], page.rows ?? {}, {
      wholeReport: mode === 'amend',
      elsewhere: (f) => (f.split('.')[0] && isSectionKey(f.split('.')[0]!) ? problemHref(d.report.id, f) : `#${key}`),
    });
    const layout = formLayout(page.values, page.layout);
    const hasAny = (prefix: string) => Object.entries(page.values).some(([k, v]) => k.startsWith(prefix) && (Array.isArray(v) ? v.length > 0 : v.trim() !== ''));
    const title = SECTIONS[key].title;
    // The answers stay in the form; the page now carries the current revision, so saving again is a deliberate choice.
    const errorList = page.conflict ? [conflictError(page.conflict, `/reports/${d.report.id}`, ANSWERS_KEPT), ...view.errorList] : view.errorList;
    return reply.code(page.conflict ? 409 : errorList.length ? 400 : 200).render('pages/reports/section.njk', {
      title: mode === 'amend' ? `Amend: ${title}` : title,
      sectionTitle: mode === 'amend' ? `Amend: ${title}` : title,
      sectionKey: key,
      caption: `Use of force report${d.report.incidentReference ? ` · ${d.report.incidentReference}` : ''}`,
      report: d.report,
      mode,
      action: `/reports/${d.report.id}/sections/${key}`,
      from: page.from,
      values: page.values,
      errors: view.errors,
      errorList,
      options: formOptions(ctx.boroughs),
      layout,
      maxTacticRows: MAX_TACTIC_ROWS,
      applicationOpen: Array.from({ length: layout.applications }, (_, i) => i === 0 || hasAny(`applications-${i}-`)),
      dateItems: key === 'incident' ? dateItems('date', { day: String(page.values['date-day'] ?? ''), month: String(page.values['date-month'] ?? ''), year: String(page.values['date-year'] ?? '') }, Boolean(view.errors.date)) : undefined,
      backLink: page.from === 'check' ? `/reports/${d.report.id}/check` : `/reports/${d.report.id}`,
    });
  };

  /** Where a question page may not be shown, the page to go to instead. */
  const sectionGate = (d: ReportDetails, key: SectionKey): string | null => {
    if (d.report.status !== 'draft' && !canAmend(d.report.status)) return `/reports/${d.report.id}?info=not-amendable`;
    // While amending, what applies follows the amended answers (adding a Taser use opens the Taser section).
    const sections = d.report.status === 'draft' ? d.sections : (d.amendment?.sections ?? d.sections);
    const status: SectionStatus | undefined = sections.find((s) => s.key === key)?.status;
    if (status === 'not_applicable') return `/reports/${d.report.id}?info=not-needed`;
    if (status === 'cannot_start') return `/reports/${d.report.id}?info=tactics-first`;
    return null;
  };

  app.get('/reports/:id/sections/:key', { config: { permission: 'create:report', query: z.object({ from: queryText('from', 10) }) } }, async (request, reply) => {
    const { id, key } = request.params as { id: string; key: string };
    if (!isSectionKey(key)) return reply.callNotFound();
    const d = await ownReport(request, id);
    const gate = sectionGate(d, key);
    if (gate) return reply.redirect(gate, 303);
    const stored = d.report.amendment?.[key] ?? d.report.content[key];
    let defaults = {};
    if (d.report.status === 'draft' && stored === undefined && (key === 'incident' || key === 'duty')) {
      defaults = await recorderDefaults(svc, request.actor()).catch((err: unknown) => {
        if (err instanceof WorkflowError) return {};
        throw err;
      });
    }
    const from = (request.query as Query).from === 'check' ? 'check' : undefined;
    // The Taser section starts from the Taser tactics already answered (in the amendment, if one is in progress).
    const tactics = d.report.amendment?.tactics ?? d.report.content.tactics;
    return renderSection(request, reply, d, key, { values: sectionFormValues(key, stored, { ...defaults, tactics }), from });
  });

  app.post('/reports/:id/sections/:key', { config: { permission: 'create:report' } }, async (request, reply) => {
    const { id, key } = request.params as { id: string; key: string };
    if (!isSectionKey(key)) return reply.callNotFound();
    const d = await ownReport(request, id);
    const gate = sectionGate(d, key);
    if (gate) return reply.redirect(gate, 303);
    const body = formBody(request);
    const values = typedFormValues(body);
    const from = field(body, 'from') === 'check' ? 'check' : undefined;
    const action = field(body, 'action');
    if (action === 'more-rows') {
      const shown = Number(field(body, 'tacticRows')) || 0;
      return renderSection(request, reply, d, key, { values, from, layout: { tacticRows: Math.min(MAX_TACTIC_ROWS, Math.max(shown, 8) + 4) } });
    }
    const layout = { tacticRows: Number(field(body, 'tacticRows')) || undefined, footageRows: Number(field(body, 'footageRows')) || undefined };
    const parsed = parseSectionForm(key, body);
    const actor = request.actor();
    const opened = openedFrom(body);
    try {
      if (d.report.status === 'draft') {
        const saved = await saveSection(svc, actor, id, key, parsed.input, opened);
        return reply.redirect(nextPage(saved.id, key, sectionStatuses(saved.content), action, from), 303);
      }
      await stageAmendment(svc, actor, id, key, parsed.input, opened);
      return reply.redirect(`/reports/${id}/amend`, 303);
    } catch (err) {
      // `d` was read for this request: the report as it is now, with the answers as they were sent.
      if (err instanceof ConcurrentChangeError) return renderSection(request, reply, d, key, { values, rows: parsed.rows, from, layout, conflict: err });
      if (!(err instanceof ValidationError)) throw err;
      const errors = key === 'incident' ? withDateMessages(err.errors, body) : err.errors;
      return renderSection(request, reply, d, key, { values, errors, rows: parsed.rows, from, layout });
    }
  });

  // An amendment in progress: what changes, what is still needed, and the reason -------------------

  const renderAmendment = async (request: FastifyRequest, reply: FastifyReply, d: ReportDetails, page: { reason?: string; errors?: FieldError[]; conflict?: ConcurrentChangeError } = {}) => {
    const ctx = await display();
    const preview = d.amendment;
    if (!preview) return reply.redirect(`/reports/${d.report.id}?info=no-amendment`, 303);
    const problems = page.errors ?? preview.problems;
    const reasonError = problems.find((p) => p.field === 'reason');
    const list = problems.map((p) => ({ text: p.message, href: p.field === 'reason' ? '#reason' : problemHref(d.report.id, p.field) }));
    const conflict = page.conflict ? [conflictError(page.conflict, `/reports/${d.report.id}`)] : [];
    return reply.code(page.conflict ? 409 : page.errors ? 400 : 200).render('pages/reports/amend.njk', {
      title: 'Check your amendment',
      report: d.report,
      caption: `Use of force report${d.report.incidentReference ? ` · ${d.report.incidentReference}` : ''}`,
      changes: Object.entries(preview.changes).map(([path, c]) => ({ label: fieldLabel(path), from: answerText(path, c.from, ctx), to: answerText(path, c.to, ctx) })),
      needed: preview.sections.filter((x) => x.status === 'not_started' || x.status === 'in_error').map((x) => ({ ...x, href: `/reports/${d.report.id}/sections/${x.key}` })),
      cards: summaryCards(preview.content, ctx, SECTION_KEYS, (k) => `/reports/${d.report.id}/sections/${k}`),
      reason: page.reason ?? '',
      reasonError: reasonError ? { text: reasonError.message } : undefined,
      errorList: [...conflict, ...(page.errors ? list : [])],
      blocking: page.errors ? [] : list,
      backLink: `/reports/${d.report.id}`,
    });
  };

  app.get('/reports/:id/amend', { config: { permission: 'create:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return renderAmendment(request, reply, await ownReport(request, id));
  });

  app.post('/reports/:id/amend', { config: { permission: 'create:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await ownReport(request, id);
    const body = formBody(request);
    const reason = field(body, 'reason');
    try {
      await submitAmendment(svc, request.actor(), id, reason, svc.now(), openedFrom(body));
      return reply.redirect(`/reports/${id}?notice=report-amended`, 303);
    } catch (err) {
      if (err instanceof ConcurrentChangeError) return renderAmendment(request, reply, d, { reason, conflict: err });
      if (!(err instanceof ValidationError)) throw err;
      return renderAmendment(request, reply, d, { reason, errors: err.errors });
    }
  });

  app.post('/reports/:id/amend/discard', { config: { permission: 'create:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await ownReport(request, id);
    try {
      await discardAmendment(svc, request.actor(), id, openedFrom(formBody(request)));
    } catch (err) {
      if (err instanceof ConcurrentChangeError) return renderAmendment(request, reply, d, { conflict: err });
      throw err;
    }
    return reply.redirect(`/reports/${id}?info=amendment-discarded`, 303);
  });

  // Check your answers, submit, and the confirmation --------------------------------------------

  const renderCheck = async (request: FastifyRequest, reply: FastifyReply, d: ReportDetails, failed?: FieldError[], conflict?: ConcurrentChangeError) => {
    const ctx = await display();
    const applies = d.sections.filter((s) => s.status !== 'not_applicable' && s.status !== 'cannot_start').map((s) => s.key);
    const problems = failed ?? d.problems;
    return reply.code(conflict ? 409 : failed ? 400 : 200).render('pages/reports/check.njk', {
      title: 'Check your answers before submitting your report',
      report: d.report,
      officerName: officerName(d.officer),
      levelTag: levelTag(d.report.highestLevel),
      cards: summaryCards(d.report.content, ctx, applies, (k) => `/reports/${d.report.id}/sections/${k}?from=check`),
      errorList: [...(conflict ? [conflictError(conflict, `/reports/${d.report.id}`)] : []), ...problems.map((p) => ({ text: p.message, href: problemHref(d.report.id, p.field) }))],
      // A conflict alone does not stop the submission: the page now shows the report as it is.
      blocked: problems.length > 0,
      backLink: `/reports/${d.report.id}`,
    });
  };

  app.get('/reports/:id/check', { config: { permission: 'create:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await ownReport(request, id);
    if (d.report.status !== 'draft') return reply.redirect(`/reports/${id}`, 303);
    return renderCheck(request, reply, d);
  });

  app.post('/reports/:id/submit', { config: { permission: 'create:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await ownReport(request, id);
    if (d.report.status !== 'draft') return reply.redirect(`/reports/${id}`, 303);
    try {
      await submitReport(svc, request.actor(), id, svc.now(), openedFrom(formBody(request)));
      return reply.redirect(`/reports/${id}/submitted`, 303);
    } catch (err) {
      // The answers shown are the report as it is now: check them again before submitting.
      if (err instanceof ConcurrentChangeError) return renderCheck(request, reply, d, undefined, err);
      if (!(err instanceof ValidationError)) throw err;
      return renderCheck(request, reply, d, err.errors);
    }
  });

  app.get('/reports/:id/submitted', { config: { permission: 'create:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await ownReport(request, id);
    if (d.report.status === 'draft') return reply.redirect(`/reports/${id}/check`, 303);
    const { report } = d;
    return reply.render('pages/reports/submitted.njk', {
      title: 'Report submitted',
      report,
      boroughName: d.boroughName,
      late: Boolean(report.submittedAt && report.dueAt && report.submittedAt > report.dueAt),
      needsSignOff: report.discharge && svc.policy.report.dischargeNeedsSignOff,
    });
  });

  // Review and sign-off ---------------------------------------------------------------------

  app.post('/reports/:id/review', { config: { permission: 'review:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = formBody(request);
    const values = { outcome: field(body, 'outcome'), comment: field(body, 'comment') };
    try {
      const r = await reviewReport(svc, request.actor(), request.scope, id, { outcome: values.outcome || undefined, comment: values.comment }, openedFrom(body));
      const notice: Partial<Record<ReportStatus, string>> = { returned: 'report-returned', referred: 'report-referred' };
      return reply.redirect(`/reports/${id}?notice=${notice[r.status] ?? 'report-approved'}`, 303);
    } catch (err) {
      if (err instanceof ConcurrentChangeError) {
        return renderReport(request, reply, await getReport(svc, request.actor(), id), { review: { values, errors: [] }, conflict: { error: err, label: 'Your comment', text: values.comment } });
      }
      if (!(err instanceof ValidationError)) throw err;
      return renderReport(request, reply, await getReport(svc, request.actor(), id), { review: { values, errors: err.errors } });
    }
  });

  app.post('/reports/:id/sign-off', { config: { permission: 'sign_off:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = formBody(request);
    const values = { signOffComment: field(body, 'signOffComment') };
    try {
      await signOffReport(svc, request.actor(), request.scope, id, { comment: values.signOffComment }, openedFrom(body));
      return reply.redirect(`/reports/${id}?notice=report-signed-off`, 303);
    } catch (err) {
      if (err instanceof ConcurrentChangeError) {
        return renderReport(request, reply, await getReport(svc, request.actor(), id), { signOff: { values, errors: [] }, conflict: { error: err, label: 'Your sign-off comment', text: values.signOffComment } });
      }
      if (!(err instanceof ValidationError)) throw err;
      return renderReport(request, reply, await getReport(svc, request.actor(), id), { signOff: { values, errors: err.errors } });
    }
  });

  // Referrals to professional standards: the outcome ---------------------------------------------

  interface OutcomePage {
    values: FormValues;
    errors?: FieldError[];
    conflict?: ConcurrentChangeError;
  }

  const outcomeOptions = REFERRAL_OUTCOMES.map((value) => ({ value, text: REFERRAL_OUTCOME_LABELS[value], hint: OUTCOME_HINTS[value] }));

  /** The question page: which outcome, the IOPC reference when referred to the IOPC, and why. */
  const renderOutcome = async (reply: FastifyReply, d: ReportDetails, page: OutcomePage) => {
    const view = errorView(page.errors ?? []);
    const errorList = page.conflict ? [conflictError(page.conflict, `/reports/${d.report.id}`, ANSWERS_KEPT), ...view.errorList] : view.errorList;
    return reply.code(page.conflict ? 409 : errorList.length ? 400 : 200).render('pages/reports/referral-outcome.njk', {
      title: 'Record the outcome of the referral',
      caption: `Use of force report${d.report.incidentReference ? ` · ${d.report.incidentReference}` : ''}: ${officerName(d.officer)}`,
      report: d.report,
      referral: lastReferral(d.events, await actorNames(d)),
      form: { values: page.values, errors: view.errors },
      options: outcomeOptions,
      errorList,
      backLink: `/reports/${d.report.id}`,
      navPath: '/referrals',
    });
  };

  /** A referred report professional standards may conclude, or where to go instead. */
  const referredReport = async (request: FastifyRequest, id: string): Promise<ReportDetails | string> => {
    const d = await getReport(svc, request.actor(), id);
    if (!scopeIncludes(request.scope, d.report.boroughId)) throw new NotFoundError('Report', id);
    return d.report.status === 'referred' ? d : `/reports/${id}?info=not-referred`;
  };

  app.get('/reports/:id/referral-outcome', { config: { permission: 'review:referral' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await referredReport(request, id);
    if (typeof d === 'string') return reply.redirect(d, 303);
    return renderOutcome(reply, d, { values: {} });
  });

  app.post('/reports/:id/referral-outcome', { config: { permission: 'review:referral' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await referredReport(request, id);
    if (typeof d === 'string') return reply.redirect(d, 303);
    const body = formBody(request);
    const values = { outcome: field(body, 'outcome'), iopcReference: field(body, 'iopcReference'), reason: field(body, 'reason'), revision: field(body, 'revision') };
    const input = { outcome: values.outcome || undefined, iopcReference: values.outcome === 'iopc_referral' ? values.iopcReference : null, reason: values.reason };
    const opened = openedFrom(body);
    try {
      const checked = checkReferralOutcome(input, svc.now());
      const step = field(body, 'confirm');
      if (step === 'change') return renderOutcome(reply, d, { values });
      if (step !== 'yes') {
        // Check before recording: the outcome concludes the referral.
        return reply.render('pages/reports/referral-outcome-check.njk', {
          title: 'Check the outcome before recording it',
          caption: `Use of force report${d.report.incidentReference ? ` · ${d.report.incidentReference}` : ''}: ${officerName(d.officer)}`,
          report: d.report,
          values: { ...values, iopcReference: checked.iopcReference ?? '', revision: opened.revision === undefined ? String(d.report.revision) : String(opened.revision) },
          outcome: REFERRAL_OUTCOME_LABELS[checked.outcome],
          checked,
          backLink: `/reports/${id}/referral-outcome`,
          navPath: '/referrals',
        });
      }
      await recordReferralOutcome(svc, request.actor(), request.scope, id, input, svc.now(), opened);
      return reply.redirect(`/reports/${id}?notice=referral-outcome-recorded`, 303);
    } catch (err) {
      if (err instanceof ConcurrentChangeError) return renderOutcome(reply, d, { values: { ...values, revision: String(d.report.revision) }, conflict: err });
      if (!(err instanceof ValidationError)) throw err;
      return renderOutcome(reply, d, { values, errors: err.errors });
    }
  });

  // Discarding a draft started by mistake -----------------------------------------------------------

  const renderDiscard = (reply: FastifyReply, d: ReportDetails, conflict?: ConcurrentChangeError) => {
    const answered = d.sections.filter((x) => x.status === 'completed' || x.status === 'in_error').length;
    return reply.code(conflict ? 409 : 200).render('pages/reports/discard.njk', {
      title: 'Are you sure you want to discard this draft?',
      report: d.report,
      started: d.report.createdAt,
      answered,
      sections: d.sections.filter((x) => x.status !== 'not_applicable' && x.status !== 'cannot_start').length,
      errorList: conflict ? [conflictError(conflict, `/reports/${d.report.id}`)] : [],
      backLink: `/reports/${d.report.id}`,
    });
  };

  app.get('/reports/:id/discard', { config: { permission: 'create:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await ownReport(request, id);
    if (!canDiscard(d.report.status, d.report.version)) return reply.redirect(`/reports/${id}?info=not-discardable`, 303);
    return renderDiscard(reply, d);
  });

  app.post('/reports/:id/discard', { config: { permission: 'create:report' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const d = await ownReport(request, id);
    try {
      await discardDraft(svc, request.actor(), id, openedFrom(formBody(request)));
    } catch (err) {
      // Saved in another tab since: show what it holds now before it is discarded.
      if (err instanceof ConcurrentChangeError) return renderDiscard(reply, d, err);
      throw err;
    }
    return reply.redirect('/reports?notice=draft-discarded', 303);
  });

  // The referrals queue (professional standards) ----------------------------------------------------

  app.get('/referrals', { config: { permission: 'review:referral' } }, async (request, reply) => {
    const q = request.query as Query;
    const tab = REFERRAL_TABS.find((t) => t.key === q.tab) ?? REFERRAL_TABS[0]!;
    const ctx = await display();
    const page = pageFrom(q, 50);
    const [result, ...counts] = await Promise.all([
      listReferrals(svc, request.scope, tab.key, page),
      ...REFERRAL_TABS.map((t) => listReferrals(svc, request.scope, t.key, { page: 1, pageSize: 1 })),
    ]);
    const officers = await officersOf(result.reports);
    return reply.render('pages/reports/referrals.njk', {
      title: tab.key === 'awaiting' ? 'Referrals' : `Referrals: ${tab.text}`,
      tab,
      tabs: REFERRAL_TABS.map((t, i) => ({ text: `${t.text} (${counts[i]!.total})`, href: `/referrals?tab=${t.key}`, active: t.key === tab.key })),
      rows: result.reports.map((r) => {
        const o = result.outcomes.get(r.id);
        return {
          ...reportRow(r, officers.get(r.officerId), ctx.boroughName, svc.now(), `/reports/${r.id}`),
          referred: shortDateTime(r.reviewedAt),
          outcome: o ? REFERRAL_OUTCOME_LABELS[o.outcome] : null,
          iopcReference: o?.iopcReference ?? null,
          concluded: o ? shortDateTime(o.recordedAt) : null,
        };
      }),
      result,
      pagination: paginationView('/referrals', { tab: tab.key }, result.page, result.pages),
    });
  });

  // The review queue ------------------------------------------------------------------------------

  app.get('/reviews', {
    config: {
      permission: 'read:report',
      query: z.object({ tab: queryText('tab', 40), borough: queryId('borough'), level: queryText('level', 40), from: queryText('from', 20), to: queryText('to', 20), sort: queryText('sort', 20), order: queryText('order', 10), page: queryPage }),
    },
  }, async (request, reply) => {
    const q = request.query as Query;
    const tab = REVIEW_TABS.find((t) => t.key === q.tab) ?? REVIEW_TABS.find((t) => t.key === defaultReviewTab(request.actor().grants))!;
    const ctx = await display();
    const scope = request.scope;
    const boroughs = scope.all ? ctx.boroughs : ctx.boroughs.filter((b) => scope.boroughIds.includes(b.id));

    const filterErrors: FieldError[] = [];
    const from = dateFilter(q.from, 'from', 'Occurred from', filterErrors);
    const to = dateFilter(q.to, 'to', 'Occurred to', filterErrors);
    if (from && to && from > to) filterErrors.push({ field: 'to', message: 'The "occurred to" date must be the same as or after the "occurred from" date' });
    const level = q.level && q.level in HIGHEST_LEVEL_LABELS ? (q.level as HighestLevel) : undefined;
    const sort = REPORT_SORTS.includes(q.sort as ReportSort) && q.sort !== 'updated' ? (q.sort as ReportSort) : tab.sort;
    const descending = q.sort ? q.order === 'desc' : tab.descending;
    const filters: ReportQuery = {
      boroughId: boroughs.some((b) => b.id === q.borough) ? q.borough : undefined,
      highestLevel: level,
      occurredFrom: filterErrors.length ? undefined : from,
      occurredTo: filterErrors.length ? undefined : to,
    };

    const page = pageFrom(q, 50);
    const [result, ...counts] = await Promise.all([
      listReports(svc, scope, { ...filters, ...tab.query, sort, descending }, page),
      ...REVIEW_TABS.map((t) => listReports(svc, scope, { ...filters, ...t.query }, { page: 1, pageSize: 1 })),
    ]);
    const officers = await officersOf(result.reports);
    const now = svc.now();

    const keep = (extra: Record<string, string>) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries({ tab: tab.key, borough: q.borough, level: q.level, from: q.from, to: q.to, ...extra })) if (v) params.set(k, v);
      return `/reviews?${params}`;
    };
    const sortLink = (key: ReportSort) => ({
      href: keep({ sort: key, ...(sort === key && !descending ? { order: 'desc' } : { order: 'asc' }) }),
      aria: sort === key ? (descending ? 'descending' : 'ascending') : 'none',
    });
    const drafts = tab.query.deadline !== undefined;
    return reply.code(filterErrors.length ? 400 : 200).render('pages/reports/reviews.njk', {
      title: tab.key === REVIEW_TABS[0]!.key ? 'Reviews' : `Reviews: ${tab.text}`,
      scopeText: scope.all ? 'Use-of-force reports across the force.' : `Use-of-force reports in ${boroughs.map((b) => b.name).join(', ') || 'your borough'}.`,
      tab,
      tabs: REVIEW_TABS.map((t, i) => ({ text: `${t.text} (${counts[i]!.total})`, href: keep({ tab: t.key }), active: t.key === tab.key })),
      q,
      boroughs,
      levels: Object.entries(HIGHEST_LEVEL_LABELS).map(([value, text]) => ({ value, text })),
      // Drafts are their author's until submitted: listed for their deadline, not opened.
      rows: result.reports.map((r) => reportRow(r, officers.get(r.officerId), ctx.boroughName, now, r.status === 'draft' ? null : `/reports/${r.id}`)),
      columns: drafts ? ['reference', 'officer', 'borough', 'occurred', 'level', 'due'] : ['reference', 'officer', 'borough', 'occurred', 'level', 'status', 'submitted'],
      sort: Object.fromEntries((['occurred', 'due', 'submitted', 'level'] as const).map((k) => [k, sortLink(k)])),
      result,
      filtered: Boolean(filters.boroughId || filters.highestLevel || q.from || q.to),
      pagination: paginationView('/reviews', { ...q, tab: tab.key }, result.page, result.pages),
      ...errorView(filterErrors),
    });
  });

  // Incidents ---------------------------------------------------------------------------------

  app.get('/incidents/:id', { config: { permission: READ_ANY } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { incident, occurredAt, boroughIds, reports } = await getIncident(svc, request.actor(), id);
    const ctx = await display();
    const now = svc.now();
    return reply.render('pages/reports/incident.njk', {
      title: `Incident ${incident.reference}`,
      incident,
      // What its reports say now: one answer, or each answer with how many reports give it.
      occurred: occurredAt,
      boroughs: boroughIds.map((b) => ({ value: ctx.boroughName(b.value) ?? 'Not recorded', reports: b.reports })),
      rows: reports.map(({ report, officer }) => reportRow(report, officer, ctx.boroughName, now, `/reports/${report.id}`)),
      backLink: can(request.actor().grants, 'read:report') ? '/reviews' : '/reports',
    });
  });
}

/** A referral outcome as the report page shows it. */
function referralOutcomeView(o: ReferralOutcomeRecord, names: ReadonlyMap<string, string>) {
  const by = (o.recordedByUserId ? names.get(o.recordedByUserId) : undefined) ?? o.recordedByLabel;
  return { outcome: REFERRAL_OUTCOME_LABELS[o.outcome], iopcReference: o.iopcReference, reason: o.reason, by, at: o.recordedAt, version: o.reportVersion };
}

/** The timeline's referral-outcome events say which outcome (and the IOPC reference), in the order they were recorded. */
function withReferralOutcomes(timeline: TimelineEvent[], events: ReportDetails['events'], outcomes: ReferralOutcomeRecord[]): TimelineEvent[] {
  let next = 0;
  return timeline.map((t, i) => {
    if (events[i]?.kind !== 'referral_outcome') return t;
    const o = outcomes[next++];
    if (!o) return t;
    const title = `Referral outcome: ${REFERRAL_OUTCOME_LABELS[o.outcome]}${o.iopcReference ? ` (IOPC reference ${o.iopcReference})` : ''}`;
    return { ...t, title, commentLabel: 'Reason' };
  });
}

/** After saving a draft's section: the next section still to answer, the check page, or the task list. */
function nextPage(id: string, key: SectionKey, statuses: ReturnType<typeof sectionStatuses>, action: string, from: string | undefined): string {
  if (action === 'return') return `/reports/${id}?notice=report-saved`;
  if (from === 'check') return `/reports/${id}/check`;
  const after = statuses.slice(statuses.findIndex((s) => s.key === key) + 1);
  const next = after.find((s) => s.status === 'not_started' || s.status === 'in_error' || s.status === 'optional');
  return next ? `/reports/${id}/sections/${next.key}` : `/reports/${id}?notice=report-saved`;
}

/** The incident date's errors in the words of a date input (the schema speaks of YYYY-MM-DD). */
function withDateMessages(errors: FieldError[], body: FormBody): FieldError[] {
  const message = dateInputError(body, 'date', 'date of the incident');
  return errors.map((e) => ((e.field === 'date' || e.field === 'incident.date') && message ? { ...e, message } : e));
}

/** A `YYYY-MM-DD` filter, or undefined; a bad one adds an error naming the field. */
function dateFilter(value: string | undefined, fieldName: string, label: string, errors: FieldError[]): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const d = new Date(`${v}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
    errors.push({ field: fieldName, message: `${label} must be a real date written as YYYY-MM-DD, for example 2026-11-20` });
    return undefined;
  }
  return v;
}

/** Why each referral outcome is chosen: the hints on the question page. */
const OUTCOME_HINTS: Record<(typeof REFERRAL_OUTCOMES)[number], string> = {
  no_case_to_answer: 'The use of force was justified and recorded properly: nothing further',
  management_action: 'Learning or advice for the officer, outside the misconduct process',
  misconduct: 'A misconduct meeting or hearing follows',
  iopc_referral: 'Referred to the Independent Office for Police Conduct: give their reference',
};

/** The latest referral to professional standards: who, when and why. */
function lastReferral(events: ReportDetails['events'], names: ReadonlyMap<string, string>) {
  const e = [...events].reverse().find((x) => x.kind === 'referred');
  return e && { by: (e.actorUserId ? names.get(e.actorUserId) : undefined) ?? e.actorLabel, at: e.at, comment: e.comment };
}

const REFERRAL_TABS = [
  { key: 'awaiting' as const, text: 'Awaiting outcome', description: 'Referred by a supervisor, oldest first. Open a report to record the outcome.', empty: 'No referred reports are waiting for an outcome.' },
  { key: 'concluded' as const, text: 'Outcome recorded', description: 'Most recently concluded first.', empty: 'No referral has been concluded yet.' },
];

interface ReviewTab {
  key: string;
  text: string;
  description: string;
  empty: string;
  query: Pick<ReportQuery, 'statuses' | 'deadline'>;
  sort: ReportSort;
  descending: boolean;
}

/** The review queue's tabs: reports by stage, and drafts by deadline. */
const REVIEW_TABS: ReviewTab[] = [
  { key: 'awaiting-review', text: 'Awaiting review', description: 'Oldest first.', empty: 'No reports are waiting for review.', query: { statuses: ['submitted'] }, sort: 'submitted', descending: false },
  { key: 'awaiting-sign-off', text: 'Awaiting sign-off', description: 'Reviewed discharges waiting for the borough commander.', empty: 'No reports are waiting for sign-off.', query: { statuses: ['awaiting_sign_off'] }, sort: 'submitted', descending: false },
  { key: 'returned', text: 'Returned', description: 'Returned to the officer with comments, waiting for an amendment.', empty: 'No reports are waiting for the officer to amend them.', query: { statuses: ['returned'] }, sort: 'submitted', descending: false },
  { key: 'overdue', text: 'Overdue drafts', description: 'Drafts past their due time. Drafts open only for their author.', empty: 'No drafts are overdue.', query: { deadline: 'overdue' }, sort: 'due', descending: false },
  { key: 'due-soon', text: 'Due soon', description: 'Drafts due within 12 hours. Drafts open only for their author.', empty: 'No drafts are due in the next 12 hours.', query: { deadline: 'due_soon' }, sort: 'due', descending: false },
  { key: 'all', text: 'All submitted', description: 'Most recently submitted first.', empty: 'No reports have been submitted.', query: {}, sort: 'submitted', descending: true },
];

