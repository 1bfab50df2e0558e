import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../../services/context.js';
import { can, scopeFor, scopeIncludes, type Scope } from '../../../domain/permissions.js';
import { SECTION_KEYS } from '../../../domain/report/content.js';
import { isDischarge } from '../../../domain/report/levels.js';
import { canAmend, canDiscard, REFERRAL_OUTCOME_LABELS, type ReportStatus } from '../../../domain/report/workflow.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import { type ReferralOutcomeRecord, getReport, reviewReport, signOffReport, type ReportDetails } from '../../../services/reports.js';
import { ConcurrentChangeError } from '../../../domain/errors.js';
import { errorView, field, formBody } from '../../forms.js';
import { queryNotice, queryText } from '../../query.js';
import type { FormValues } from '../../report-forms.js';
import { deadlineTag, lastReturn, levelTag, officerName, statusTag, summaryCards, TASK_GROUPS, taskItem, timelineEvents, versionRows, type TimelineEvent } from '../../report-view.js';
import { conflictError, infoFrom, notices, openedFrom, READ_ANY, reportPages, type Query } from '../../report-pages.js';
import { idParams, paramsOf } from '../../params.js';
import { deviceWarnings, quarantineProposalsOfReport } from '../../../services/device-reports.js';
import { reportLogFindings } from '../../../services/device-log-findings.js';

/* One report: the task list for its author's draft, otherwise the report itself with its history, and the review and sign-off decisions made on it. */

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

export function registerReportShowRoutes(app: FastifyInstance, svc: Services): void {
  const { display, actorNames } = reportPages(svc);

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
    const [warnings, proposals, logFindings] = await Promise.all([
      deviceWarnings(svc, report),
      quarantineProposalsOfReport(svc, report.id),
      report.cedUsed ? reportLogFindings(svc, report.id, report.occurredAt) : undefined,
    ]);
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
      deviceWarnings: warnings,
      logConfirmations: logFindings?.confirmations ?? [],
      logExceptions: (logFindings?.exceptions ?? []).map((e) => ({ ...e, href: can(actor.grants, 'read:device') ? e.href : undefined })),
      quarantineProposals: proposals.map((p) => ({ ...p, href: can(actor.grants, 'read:device') ? '/devices/quarantine' : undefined })),
    });
  };

  app.get('/reports/:id', { config: { permission: READ_ANY, query: z.object({ notice: queryNotice, info: queryText('info', 40) }), params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const d = await getReport(svc, request.actor(), id);
    if (d.report.status === 'draft' && d.report.authorUserId === request.actor().userId) return renderTaskList(request, reply, d);
    return renderReport(request, reply, d);
  });

  // Review and sign-off ---------------------------------------------------------------------

  app.post('/reports/:id/review', { config: { permission: 'review:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
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

  app.post('/reports/:id/sign-off', { config: { permission: 'sign_off:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const body = formBody(request);
    const values = { signOffComment: field(body, 'signOffComment') };
    try {
      await signOffReport(svc, request.actor(), request.scope, id, { comment: values.signOffComment }, openedFrom(body));
      return reply.redirect(`/reports/${id}?notice=report-signed-off`, 303);
    } catch (err) {
      if (err instanceof ConcurrentChangeError) {
        return renderReport(request, reply, await getReport(svc, request.actor(), id), {
          signOff: { values, errors: [] },
          conflict: { error: err, label: 'Your sign-off comment', text: values.signOffComment },
        });
      }
      if (!(err instanceof ValidationError)) throw err;
      return renderReport(request, reply, await getReport(svc, request.actor(), id), { signOff: { values, errors: err.errors } });
    }
  });
}
