import type { FastifyInstance } from 'fastify';
import { isoDate } from '../../domain/organisation.js';
import { can } from '../../domain/permissions.js';
import { listAuditActions, listAuditLog, verifyAuditLog } from '../../services/audit.js';
import { auditRecordsFor } from '../../services/audit-records.js';
import type { Services } from '../../services/context.js';
import { AUDIT_ENTITY_TYPE_LABELS, auditActionLabel, describeAuditEntries } from '../audit-summary.js';
import { pageFrom, paginationView } from '../forms.js';
import { z } from 'zod';
import { queryPage, queryText } from '../query.js';

const ENTITY_TYPES = Object.keys(AUDIT_ENTITY_TYPE_LABELS);

export function registerAuditRoutes(app: FastifyInstance, svc: Services): void {
  app.get(
    '/audit',
    {
      config: {
        permission: 'read:audit',
        query: z.object({
          action: queryText('action', 100),
          entityType: queryText('entityType', 40),
          entityId: queryText('entityId', 100),
          from: queryText('from', 20),
          to: queryText('to', 20),
          page: queryPage,
        }),
      },
    },
    async (request, reply) => {
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
      const result = await listAuditLog(svc, filter, pageFrom(q, 50));
      // Names for everyone and everything on the page, looked up in bulk.
      const records = await auditRecordsFor(svc, result.entries);
      const grants = request.identity!.account.roles;
      const rows = describeAuditEntries(result.entries, records, (p) => can(grants, p));
      return reply.render('pages/audit/list.njk', {
        title: 'Audit log',
        q,
        actionItems: [{ value: '', text: 'All actions' }, ...actions.map((a) => ({ value: a, text: auditActionLabel(a), selected: q.action === a })).sort((a, b) => a.text.localeCompare(b.text))],
        typeItems: [{ value: '', text: 'All records' }, ...ENTITY_TYPES.map((t) => ({ value: t, text: AUDIT_ENTITY_TYPE_LABELS[t]!, selected: q.entityType === t }))],
        oneRecord: filter.entityId ? (rows[0]?.record?.text ?? 'one record') : null,
        errors,
        errorList: Object.entries(errors).map(([k, v]) => ({ text: v.text, href: `#${k}` })),
        result,
        rows,
        pagination: paginationView('/audit', q, result.page, result.pages),
      });
    },
  );

  app.get('/audit/verify', { config: { permission: 'read:audit' } }, async (_request, reply) => {
    const started = Date.now();
    const result = await verifyAuditLog(svc);
    return reply.render('pages/audit/verify.njk', { title: 'Audit log check', result, ms: Date.now() - started, backLink: '/audit' });
  });
}
