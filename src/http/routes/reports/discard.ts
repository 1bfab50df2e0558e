import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../../services/context.js';
import { canDiscard } from '../../../domain/report/workflow.js';
import { discardDraft, type ReportDetails } from '../../../services/reports.js';
import { ConcurrentChangeError } from '../../../domain/errors.js';
import { formBody } from '../../forms.js';
import { conflictError, openedFrom, reportPages } from '../../report-pages.js';
import { idParams, paramsOf } from '../../params.js';

/* Discarding a draft started by mistake. */

export function registerReportDiscardRoutes(app: FastifyInstance, svc: Services): void {
  const { ownReport } = reportPages(svc);

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

  app.get('/reports/:id/discard', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const d = await ownReport(request, id);
    if (!canDiscard(d.report.status, d.report.version)) return reply.redirect(`/reports/${id}?info=not-discardable`, 303);
    return renderDiscard(reply, d);
  });

  app.post('/reports/:id/discard', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
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
}
