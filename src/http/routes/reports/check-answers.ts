import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../services/context.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import { submitReport, type ReportDetails } from '../../../services/reports.js';
import { ConcurrentChangeError } from '../../../domain/errors.js';
import { formBody } from '../../forms.js';
import { problemHref } from '../../report-forms.js';
import { levelTag, officerName, summaryCards } from '../../report-view.js';
import { conflictError, openedFrom, reportPages } from '../../report-pages.js';
import { idParams, paramsOf } from '../../params.js';
import { deviceWarnings } from '../../../services/device-reports.js';

/* Check your answers, submit, and the confirmation. */

export function registerReportCheckRoutes(app: FastifyInstance, svc: Services): void {
  const { display, ownReport } = reportPages(svc);

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
      deviceWarnings: await deviceWarnings(svc, d.report),
    });
  };

  app.get('/reports/:id/check', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const d = await ownReport(request, id);
    if (d.report.status !== 'draft') return reply.redirect(`/reports/${id}`, 303);
    return renderCheck(request, reply, d);
  });

  app.post('/reports/:id/submit', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
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

  app.get('/reports/:id/submitted', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
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
}
