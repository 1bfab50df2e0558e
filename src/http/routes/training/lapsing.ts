import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can, scopeIncludes } from '../../../domain/permissions.js';
import { addDays } from '../../../domain/calendar.js';
import type { Services } from '../../../services/context.js';
import { listBoroughs } from '../../../services/organisation.js';
import { lapsing } from '../../../services/training.js';
import { queryChoice, queryId, queryOf } from '../../query.js';
import { dateRange } from '../../training-view.js';
import { plural } from '../../views.js';

/* Officers whose authority to carry lapses soon (issue 5), by borough, with the sessions that could keep it. */

const lapsingQuery = z.object({ days: queryChoice('days', ['30', '60', '90']), borough: queryId('borough') });

const roles = (request: FastifyRequest) => request.identity!.account.roles;

export function registerTrainingLapsingRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/training/lapsing', { config: { permission: 'read:training', query: lapsingQuery } }, async (request, reply) => {
    const q = queryOf(request, lapsingQuery);
    const days = q.days === '60' ? 60 : q.days === '90' ? 90 : 30;
    const boroughs = (await listBoroughs(svc)).filter((b) => scopeIncludes(request.scope, b.id));
    const boroughId = boroughs.some((b) => b.id === q.borough) ? q.borough : undefined;
    // One look at the next 90 days gives the counts on the tabs; the chosen window is a subset of it.
    const widest = await lapsing(svc, request.scope, 90, boroughId);
    const chosen = days === 90 ? widest : await lapsing(svc, request.scope, days, boroughId);
    const within = (n: number) => widest.boroughs.reduce((sum, b) => sum + b.officers.filter((o) => o.expiresOn < addDays(widest.on, n)).length, 0);
    const keep = (n: number) => `/training/lapsing?days=${n}${boroughId ? `&borough=${encodeURIComponent(boroughId)}` : ''}`;
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
      groups: chosen.boroughs.map((b) => ({
        name: b.boroughName,
        officers: b.officers.map((o) => ({ ...o, href: `/officers/${o.officerId}` })),
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
