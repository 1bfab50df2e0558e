import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { dayLabel } from '../../domain/calendar.js';
import type { Services } from '../../services/context.js';
import { boroughCoverageWeek, chooseWeek, forceCoverageWeek } from '../../services/coverage.js';
import { belowRows, forceRows, heatMap, heatTable, trendView, weekLinks } from '../coverage-view.js';
import { idParams, paramsOf } from '../params.js';
import { queryOf, queryText } from '../query.js';

/*
 * Coverage (issue 14): for the borough commander and the programme lead (read:shift; a user
 * scoped to boroughs sees theirs). The force view across boroughs for a week, and a borough's
 * week hour by hour with its hours below the minimum and the trend by month. Operational:
 * never published.
 */

const weekQuery = z.object({ week: queryText('week', 10) });

export function registerCoverageRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/coverage', { config: { permission: 'read:shift', query: weekQuery } }, async (request, reply) => {
    const { week: asked } = queryOf(request, weekQuery);
    const week = chooseWeek(svc, asked);
    const view = await forceCoverageWeek(svc, request.scope, week);
    return reply.render('pages/taser-coverage/index.njk', {
      title: 'Taser coverage',
      view,
      rows: forceRows(view),
      weekText: `${dayLabel(view.week)} to ${dayLabel(view.weekEnd)}`,
      links: weekLinks(week),
      scoped: !request.scope.all,
    });
  });

  app.get('/coverage/boroughs/:id', { config: { permission: 'read:shift', params: idParams, query: weekQuery } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const { week: asked } = queryOf(request, weekQuery);
    const week = chooseWeek(svc, asked);
    const view = await boroughCoverageWeek(svc, request.scope, id, week);
    return reply.render('pages/taser-coverage/borough.njk', {
      title: `Taser coverage: ${view.borough.name}`,
      backLink: `/coverage?week=${week}`,
      view,
      weekText: `${dayLabel(view.week)} to ${dayLabel(view.weekEnd)}`,
      links: weekLinks(week),
      map: heatMap(view),
      mapTable: heatTable(view),
      below: belowRows(view.hoursBelow),
      trend: trendView(view),
    });
  });
}
