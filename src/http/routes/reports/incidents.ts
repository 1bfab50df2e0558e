import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/context.js';
import { can } from '../../../domain/permissions.js';
import { getIncident } from '../../../services/reports.js';
import { READ_ANY, reportPages, reportRow } from '../../report-pages.js';
import { idParams, paramsOf } from '../../params.js';

/* An incident: every report of it, and what they say. */

export function registerIncidentRoutes(app: FastifyInstance, svc: Services): void {
  const { display } = reportPages(svc);

  app.get('/incidents/:id', { config: { permission: READ_ANY, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
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
