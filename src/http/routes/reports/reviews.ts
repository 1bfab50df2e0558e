import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../../services/context.js';
import { REPORT_SORTS, type ReportSort } from '../../../domain/report/records.js';
import { HIGHEST_LEVEL_LABELS, type HighestLevel } from '../../../domain/report/levels.js';
import type { FieldError } from '../../../domain/errors.js';
import { listReports, type ReportQuery } from '../../../services/reports.js';
import { errorView, pageFrom, paginationView } from '../../forms.js';
import { queryId, queryPage, queryText } from '../../query.js';
import { defaultReviewTab } from '../../report-view.js';
import { reportPages, reportRow, type Query } from '../../report-pages.js';

/* The review queue: reports by stage and drafts by deadline, filtered and sorted. */

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
  {
    key: 'awaiting-review',
    text: 'Awaiting review',
    description: 'Oldest first.',
    empty: 'No reports are waiting for review.',
    query: { statuses: ['submitted'] },
    sort: 'submitted',
    descending: false,
  },
  {
    key: 'awaiting-sign-off',
    text: 'Awaiting sign-off',
    description: 'Reviewed discharges waiting for the borough commander.',
    empty: 'No reports are waiting for sign-off.',
    query: { statuses: ['awaiting_sign_off'] },
    sort: 'submitted',
    descending: false,
  },
  {
    key: 'returned',
    text: 'Returned',
    description: 'Returned to the officer with comments, waiting for an amendment.',
    empty: 'No reports are waiting for the officer to amend them.',
    query: { statuses: ['returned'] },
    sort: 'submitted',
    descending: false,
  },
  {
    key: 'overdue',
    text: 'Overdue drafts',
    description: 'Drafts past their due time. Drafts open only for their author.',
    empty: 'No drafts are overdue.',
    query: { deadline: 'overdue' },
    sort: 'due',
    descending: false,
  },
  {
    key: 'due-soon',
    text: 'Due soon',
    description: 'Drafts due within 12 hours. Drafts open only for their author.',
    empty: 'No drafts are due in the next 12 hours.',
    query: { deadline: 'due_soon' },
    sort: 'due',
    descending: false,
  },
  { key: 'all', text: 'All submitted', description: 'Most recently submitted first.', empty: 'No reports have been submitted.', query: {}, sort: 'submitted', descending: true },
];

export function registerReviewRoutes(app: FastifyInstance, svc: Services): void {
  const { display, officersOf } = reportPages(svc);

  app.get(
    '/reviews',
    {
      config: {
        permission: 'read:report',
        query: z.object({
          tab: queryText('tab', 40),
          borough: queryId('borough'),
          level: queryText('level', 40),
          from: queryText('from', 20),
          to: queryText('to', 20),
          sort: queryText('sort', 20),
          order: queryText('order', 10),
          page: queryPage,
        }),
      },
    },
    async (request, reply) => {
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
    },
  );
}
