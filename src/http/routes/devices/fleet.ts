import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { shortMonthLabel, monthLabel } from '../../../domain/calendar.js';
import { ratioText } from '../../../domain/devices/fleet.js';
import { DEVICE_STATE_LABELS } from '../../../domain/devices/lifecycle.js';
import type { Services } from '../../../services/context.js';
import { fleetOverview, type FleetOverview } from '../../../services/fleet.js';
import { lineChart } from '../../charts.js';
import { deviceSubNav } from '../../device-view.js';
import { pageFrom, paginationView } from '../../forms.js';
import { queryOf, queryPage } from '../../query.js';
import { formatNumber } from '../../views.js';

/* The fleet and the X26 → X2 migration (issue 12), for the programme lead and armourers. */

const fleetQuery = z.object({ page: queryPage });

const MODEL_COLOURS = ['#1d70b8', '#f47738', '#505a5f', '#00703c'];

/*
 * The figures' tables and chart are the same for everyone reading the same scope on the same
 * day: the service keeps its figures between requests (one object per day, scope and change of
 * the data), so their HTML is rendered once per such object and kept beside it.
 */
const rendered = new WeakMap<FleetOverview['table'], { figuresHtml: string; compositionHtml: string }>();
const renderedConversion = new WeakMap<FleetOverview['table'], Map<number, string>>();

/** One page of the officers on the X26 only (the query has nothing else: its page says which). */
/** A fragment's text with each line's indentation and blank lines taken out (a line break stays: no text runs together; these fragments have no <pre>). */
const tight = (html: string) => html.replace(/\n\s+/g, '\n');

function conversionHtml(app: FastifyInstance, f: FleetOverview, q: z.infer<typeof fleetQuery>): string {
  let pages = renderedConversion.get(f.table);
  if (!pages) renderedConversion.set(f.table, (pages = new Map()));
  let html = pages.get(f.conversion.page);
  if (html === undefined) {
    html = tight(
      app.renderPublic('partials/devices/fleet-conversion.njk', {
        newModelName: f.newModel?.name ?? 'X2',
        conversion: f.conversion,
        conversionPagination: paginationView('/fleet', q, f.conversion.page, f.conversion.pages),
      }),
    );
    // Only pages that exist are kept (a query may name any page).
    if (f.conversion.page <= f.conversion.pages) pages.set(f.conversion.page, html);
  }
  return html;
}

function figuresHtml(app: FastifyInstance, f: FleetOverview, scoped: boolean): { figuresHtml: string; compositionHtml: string } {
  const hit = rendered.get(f.table);
  if (hit) return hit;
  const storeName = new Map(f.stores.map((s) => [s.key, s.name]));
  const { composition } = f;
  const chart = composition.models.length
    ? lineChart(
        'Devices in service at the end of each month, by model',
        composition.months.map((m) => shortMonthLabel(m.month)),
        [
          ...composition.models.map((name, i) => ({ name, values: composition.months.map((m) => m.counts[i]!), colour: MODEL_COLOURS[i % MODEL_COLOURS.length] })),
          { name: 'All models', values: composition.months.map((m) => m.total), colour: '#0b0c0c', dashed: true },
        ],
        { min: 0 },
      )
    : null;
  const html = {
    figuresHtml: tight(
      app.renderPublic('partials/devices/fleet-figures.njk', {
        scoped,
        fleet: {
          caption: 'Devices by model and state in each store',
          columns: f.table.columns.map((c) => ({ model: c.model, state: DEVICE_STATE_LABELS[c.state] })),
          rows: f.table.rows.filter((r) => r.total > 0).map((r) => ({ name: storeName.get(r.store) ?? r.store, counts: r.counts.map(formatNumber), total: formatNumber(r.total) })),
          totals: f.table.totals.map(formatNumber),
          total: formatNumber(f.table.total),
        },
        retiring: f.retiring && {
          name: f.retiring.model.name,
          stopsIssuingOn: f.retiring.stopsIssuingOn,
          toWithdraw: f.retiring.toWithdraw,
          links: f.retiring.byState.map((s) => ({
            text: `${formatNumber(s.count)} ${DEVICE_STATE_LABELS[s.state].toLowerCase()}`,
            href: `/devices?model=${encodeURIComponent(f.retiring!.model.name)}&state=${s.state}`,
          })),
          allHref: `/devices?model=${encodeURIComponent(f.retiring.model.name)}`,
        },
        newModelName: f.newModel?.name ?? 'X2',
        boroughs: f.boroughs.map((b) => ({ ...b, ratioText: ratioText(b.ratio) })),
        totals: { ...f.totals, ratioText: ratioText(f.totals.ratio) },
      }),
    ),
    compositionHtml: tight(
      app.renderPublic('partials/devices/fleet-composition.njk', {
        chart,
        compositionTable: {
          caption: 'Devices in service at the end of each month, by model (the current month: today)',
          header: ['Month', ...composition.models, 'All models'],
          rows: [...composition.months].reverse().map((m) => [monthLabel(m.month), ...m.counts.map(formatNumber), formatNumber(m.total)]),
        },
      }),
    ),
  };
  rendered.set(f.table, html);
  return html;
}

export function registerFleetRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/fleet', { config: { permission: 'read:device', query: fleetQuery } }, async (request, reply) => {
    const q = queryOf(request, fleetQuery);
    const f = await fleetOverview(svc, request.actor(), request.scope, pageFrom(q, 50));
    return reply.render('pages/devices/fleet.njk', {
      title: 'Fleet and the X2 migration',
      navPath: '/devices',
      subNav: deviceSubNav('fleet', request.identity!.account.roles),
      f,
      scoped: !request.scope.all,
      ...figuresHtml(app, f, !request.scope.all),
      conversionHtml: conversionHtml(app, f, q),
    });
  });
}
