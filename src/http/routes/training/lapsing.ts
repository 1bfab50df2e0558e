import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can, scopeIncludes } from '../../../domain/permissions.js';
import type { Services } from '../../../services/context.js';
import { listBoroughs } from '../../../services/organisation.js';
import { lapsing, lapsingWithin } from '../../../services/training.js';
import { paginationView } from '../../forms.js';
import { queryChoice, queryId, queryOf, queryPage } from '../../query.js';
import { dateRange } from '../../training-view.js';
import { plural } from '../../views.js';

/*
 * Officers whose authority to carry lapses soon (issue 5), by borough, with the sessions that
 * could keep it. A page shows 100 officers (the whole force's 90 days is about a thousand): the
 * boroughs in order, a borough split across pages says it is continued.
 */

const lapsingQuery = z.object({ days: queryChoice('days', ['30', '60', '90']), borough: queryId('borough'), page: queryPage });
const PAGE_SIZE = 100;

const roles = (request: FastifyRequest) => request.identity!.account.roles;

export function registerTrainingLapsingRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/training/lapsing', { config: { permission: 'read:training', query: lapsingQuery } }, async (request, reply) => {
    const q = queryOf(request, lapsingQuery);
    const days = q.days === '60' ? 60 : q.days === '90' ? 90 : 30;
    const boroughs = (await listBoroughs(svc)).filter((b) => scopeIncludes(request.scope, b.id));
    const boroughId = boroughs.some((b) => b.id === q.borough) ? q.borough : undefined;
    // One look at the next 90 days gives the counts on the tabs; the chosen window is a subset of it.
    const widest = await lapsing(svc, request.scope, 90, boroughId);
    const chosen = days === 90 ? widest : lapsingWithin(widest, days);
    const within = (n: number) => lapsingWithin(widest, n).total;
    const keep = (n: number) => `/training/lapsing?days=${n}${boroughId ? `&borough=${encodeURIComponent(boroughId)}` : ''}`;
    // This page's officers, in the boroughs' order, grouped again by borough.
    const everyone = chosen.boroughs.flatMap((b) => b.officers.map((o) => ({ b, o })));
    const pages = Math.max(1, Math.ceil(everyone.length / PAGE_SIZE));
    const page = Math.min(q.page ?? 1, pages);
    const shown = everyone.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const groups: { b: (typeof chosen.boroughs)[number]; officers: (typeof chosen.boroughs)[number]['officers'] }[] = [];
    for (const { b, o } of shown) {
      if (groups.at(-1)?.b !== b) groups.push({ b, officers: [] });
      groups.at(-1)!.officers.push(o);
    }
    return reply.render('pages/training/lapsing.njk', {
      title: 'Authority lapsing',
      navPath: '/training',
      backLink: '/training',
      days,
      q,
      boroughs,
      boroughId,
      scoped: !request.scope.all,
      canManage: can(roles(request), 'manage:training'),
      result: chosen,
      tabs: [30, 60, 90].map((n) => ({ text: `Next ${n} days (${within(n)})`, href: keep(n), active: n === days })),
      showing: everyone.length > PAGE_SIZE ? { from: (page - 1) * PAGE_SIZE + 1, to: (page - 1) * PAGE_SIZE + shown.length } : null,
      pagination: paginationView('/training/lapsing', { days: String(days), borough: boroughId ?? '' }, page, pages),
      groups: groups.map(({ b, officers }) => ({
        name: b.boroughName,
        total: b.officers.length,
        continued: officers[0] !== b.officers[0],
        officers: officers.map((o) => ({ ...o, href: `/officers/${o.officerId}` })),
        sessions: b.sessions.map((s) => ({
          href: `/training/sessions/${s.id}`,
          dates: dateRange(s.startsOn, s.endsOn),
          course: s.courseName,
          location: s.location,
          free: plural(s.capacity - s.enrolled, 'place') + ' free',
        })),
      })),
    });
  });
}
