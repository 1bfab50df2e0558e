import type { FastifyInstance } from 'fastify';
import { isoDate } from '../../domain/organisation.js';
import { listAuditActions, listAuditLog, verifyAuditLog } from '../../services/audit.js';
import type { Services } from '../../services/context.js';
import { listBoroughs, listTeams } from '../../services/organisation.js';
import { auditSummaryLines } from '../audit-summary.js';
import { pageFrom, paginationView } from '../forms.js';
import { z } from 'zod';
import { queryPage, queryText } from '../query.js';

const ENTITY_TYPES = ['report', 'officer', 'team', 'borough', 'account', 'api_token', 'force'];

export function registerAuditRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/audit', {
    config: { permission: 'read:audit', query: z.object({ action: queryText('action', 100), entityType: queryText('entityType', 40), entityId: queryText('entityId', 100), from: queryText('from', 20), to: queryText('to', 20), page: queryPage }) },
  }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const actions = await listAuditActions(svc);
    const dateOk = (d?: string) => (d && isoDate.safeParse(d).success ? d : undefined);
    const errors: Record<string, { text: string }> = {};
    if (q.from && !dateOk(q.from)) errors.from = { text: 'Enter the from date as YYYY-MM-DD' };
    if (q.to && !dateOk(q.to)) errors.to = { text: 'Enter the to date as YYYY-MM-DD' };
    const filter = {
      action: q.action && actions.includes(q.action) ? q.action : undefined,
      entityType: q.entityType && ENTITY_TYPES.includes(q.entityType) ? q.entityType : undefined,
      entityId: q.entityId?.trim() || undefined,
      from: dateOk(q.from),
      to: dateOk(q.to),
    };
    const [result, boroughs, teams] = await Promise.all([listAuditLog(svc, filter, pageFrom(q, 50)), listBoroughs(svc), listTeams(svc, { all: true })]);
    const names = new Map([...boroughs, ...teams].map((x) => [x.id, x.name] as const));
    return reply.render('pages/audit/list.njk', {
      title: 'Audit log',
      q,
      actions,
      entityTypes: ENTITY_TYPES,
      errors,
      errorList: Object.entries(errors).map(([k, v]) => ({ text: v.text, href: `#${k}` })),
      result,
      rows: result.entries.map((e) => ({ ...e, summaryLines: auditSummaryLines(e.summary, names) })),
      pagination: paginationView('/audit', q, result.page, result.pages),
    });
  });

  app.get('/audit/verify', { config: { permission: 'read:audit' } }, async (_request, reply) => {
    const started = Date.now();
    const result = await verifyAuditLog(svc);
    return reply.render('pages/audit/verify.njk', { title: 'Audit log check', result, ms: Date.now() - started, backLink: '/audit' });
  });
}

