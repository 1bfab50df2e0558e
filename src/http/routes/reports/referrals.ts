import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../services/context.js';
import { scopeIncludes } from '../../../domain/permissions.js';
import { REFERRAL_OUTCOME_LABELS, REFERRAL_OUTCOMES } from '../../../domain/report/workflow.js';
import { NotFoundError, ValidationError, type FieldError } from '../../../domain/errors.js';
import { checkReferralOutcome, listReferrals, recordReferralOutcome, getReport, type ReportDetails } from '../../../services/reports.js';
import { ConcurrentChangeError } from '../../../domain/errors.js';
import { errorView, field, formBody, pageFrom, paginationView } from '../../forms.js';
import type { FormValues } from '../../report-forms.js';
import { officerName, shortDateTime } from '../../report-view.js';
import { ANSWERS_KEPT, conflictError, openedFrom, reportPages, reportRow, type Query } from '../../report-pages.js';
import { idParams, paramsOf } from '../../params.js';

/* Referrals to professional standards: the queue, and recording the outcome of one. */

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
  {
    key: 'awaiting' as const,
    text: 'Awaiting outcome',
    description: 'Referred by a supervisor, oldest first. Open a report to record the outcome.',
    empty: 'No referred reports are waiting for an outcome.',
  },
  { key: 'concluded' as const, text: 'Outcome recorded', description: 'Most recently concluded first.', empty: 'No referral has been concluded yet.' },
];

export function registerReferralRoutes(app: FastifyInstance, svc: Services): void {
  const { display, officersOf, actorNames } = reportPages(svc);

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

  app.get('/reports/:id/referral-outcome', { config: { permission: 'review:referral', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const d = await referredReport(request, id);
    if (typeof d === 'string') return reply.redirect(d, 303);
    return renderOutcome(reply, d, { values: {} });
  });

  app.post('/reports/:id/referral-outcome', { config: { permission: 'review:referral', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
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

  // The referrals queue (professional standards) ----------------------------------------------------

  app.get('/referrals', { config: { permission: 'review:referral' } }, async (request, reply) => {
    const q = request.query as Query;
    const tab = REFERRAL_TABS.find((t) => t.key === q.tab) ?? REFERRAL_TABS[0]!;
    const ctx = await display();
    const page = pageFrom(q, 50);
    const [result, ...counts] = await Promise.all([listReferrals(svc, request.scope, tab.key, page), ...REFERRAL_TABS.map((t) => listReferrals(svc, request.scope, t.key, { page: 1, pageSize: 1 }))]);
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
}
