import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../services/context.js';
import { SECTION_KEYS } from '../../../domain/report/content.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import { deviceWarnings } from '../../../services/device-reports.js';
import { discardAmendment, submitAmendment, type ReportDetails } from '../../../services/reports.js';
import { ConcurrentChangeError } from '../../../domain/errors.js';
import { field, formBody } from '../../forms.js';
import { problemHref } from '../../report-forms.js';
import { summaryCards, answerText, fieldLabel } from '../../report-view.js';
import { conflictError, openedFrom, reportPages } from '../../report-pages.js';
import { idParams, paramsOf } from '../../params.js';

/* An amendment in progress: what changes, what is still needed, and the reason. */

export function registerReportAmendRoutes(app: FastifyInstance, svc: Services): void {
  const { display, ownReport } = reportPages(svc);

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
      // What the register says of the amended Taser serial (issue 12): a warning, as on check answers.
      deviceWarnings: await deviceWarnings(svc, d.report, preview.content),
    });
  };

  app.get('/reports/:id/amend', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    return renderAmendment(request, reply, await ownReport(request, id));
  });

  app.post('/reports/:id/amend', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
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

  app.post('/reports/:id/amend/discard', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const d = await ownReport(request, id);
    try {
      await discardAmendment(svc, request.actor(), id, openedFrom(formBody(request)));
    } catch (err) {
      if (err instanceof ConcurrentChangeError) return renderAmendment(request, reply, d, { conflict: err });
      throw err;
    }
    return reply.redirect(`/reports/${id}?info=amendment-discarded`, 303);
  });
}
