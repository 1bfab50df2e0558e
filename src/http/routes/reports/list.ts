import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../../services/context.js';
import { listOwnReports, startReport } from '../../../services/reports.js';
import { WorkflowError } from '../../../domain/errors.js';
import { pageFrom, paginationView } from '../../forms.js';
import { queryNotice, queryPage } from '../../query.js';
import { notices, reportPages, reportRow, type Query } from '../../report-pages.js';

/* My reports: the signed-in officer's reports, and starting a new one. */

export function registerReportListRoutes(app: FastifyInstance, svc: Services): void {
  const { display, officersOf } = reportPages(svc);

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
}
