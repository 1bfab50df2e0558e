import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import { neutraliseRow } from '../../domain/csv.js';
import { DIMENSION_KEYS, type Breakdown, type Dimension } from '../../domain/stats/counting.js';
import { londonDate } from '../../domain/calendar.js';
import { financialYearOf, PeriodError, PERIOD_UNITS, type PeriodUnit } from '../../domain/stats/periods.js';
import { breakdownTable } from '../../domain/stats/tables.js';
import { HOME_OFFICE_CED_COLUMNS, homeOfficeRow } from '../../domain/stats/home-office.js';
import type { Force } from '../../domain/organisation.js';
import type { CedCounts } from '../../domain/stats/counting.js';
import type { Services } from '../../services/context.js';
import { homeOfficeReturn, statistics, usesPerThousandOfficers } from '../../services/statistics.js';
import { nationalComparison } from '../../services/national.js';
import { columns, horizontalBars } from '../charts.js';
import { nationalComparisonView } from '../comparison-view.js';
import { queryChoice, queryOf, queryText } from '../query.js';

const homeOfficeRowOf = (force: Force, counts: CedCounts) => homeOfficeRow(force.homeOfficeRegion, force.homeOfficeName, counts);

const PAGE_DIMENSIONS: readonly Dimension[] = ['period', 'level', 'borough', 'ageBand', 'gender', 'ethnicity', 'reason', 'location', 'outcome'];

/** The period asked for: typed in the page's box, or from and to days. What they say is checked by parsePeriod (a PeriodError names it). */
const periodQuery = {
  period: queryText('period', 40),
  from: queryText('from', 40),
  to: queryText('to', 40),
  unit: queryChoice('unit', PERIOD_UNITS as unknown as [PeriodUnit, ...PeriodUnit[]]),
};
const pageQuery = z.object(periodQuery);
const breakdownQuery = z.object({
  ...periodQuery,
  dimension: z.enum(DIMENSION_KEYS as unknown as [Dimension, ...Dimension[]], { error: `Choose a breakdown: dimension is one of ${DIMENSION_KEYS.join(', ')}` }),
});
type Query = z.output<typeof pageQuery>;

const PAGE = { permission: 'read:statistics', query: pageQuery } as const;

function periodFrom(q: Query, now: Date): string | { from: string; to: string } {
  if (q.from || q.to) return { from: q.from ?? '', to: q.to ?? '' };
  return q.period || financialYearOf(londonDate(now)).key;
}

function sendCsv(reply: FastifyReply, name: string, rows: readonly (readonly string[])[]) {
  return (
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      // Borough and other names come from what people typed: no cell may run as a formula in a spreadsheet.
      .send(stringify(rows.map(neutraliseRow), { record_delimiter: 'unix' }))
  );
}

/** Chart bars for a breakdown: uses per row, without the "Not recorded" row when it is empty. */
const bars = (b: Breakdown) => b.rows.filter((r) => r.key !== null || r.counts.total > 0).map((r) => ({ label: r.label, value: r.counts.total }));

export function registerStatisticsRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/statistics', { config: PAGE }, async (request, reply) => {
    const q = queryOf(request, pageQuery);
    const unit: PeriodUnit = q.unit ?? 'month';
    const period = periodFrom(q, svc.now());
    let stats;
    try {
      stats = await statistics(svc, period, PAGE_DIMENSIONS, { unit });
    } catch (err) {
      if (!(err instanceof PeriodError)) throw err;
      return reply.code(400).render('pages/statistics/index.njk', {
        title: 'Statistics',
        q,
        errors: { period: { text: err.message } },
        errorList: [{ text: err.message, href: '#period' }],
      });
    }
    const byDimension = new Map(stats.breakdowns.map((b) => [b.dimension, b]));
    const tables = stats.breakdowns.map((b) => {
      const [header, ...rows] = breakdownTable(b);
      return { dimension: b.dimension, title: b.title, header, rows, multiValued: b.multiValued };
    });
    const hoRow = homeOfficeRowOf(stats.force, stats.counts);
    const query = typeof period === 'string' ? `period=${encodeURIComponent(period)}` : `from=${period.from}&to=${period.to}`;
    const national = nationalComparisonView(await nationalComparison(svc), 'analyst');
    const perThousand = await usesPerThousandOfficers(svc, stats.period, stats.counts.total);
    return reply.render('pages/statistics/index.njk', {
      perThousand,
      title: `Statistics: ${stats.period.label}`,
      q: { ...q, period: typeof period === 'string' ? period : '' },
      stats,
      units: PERIOD_UNITS.map((u) => ({ value: u, text: { month: 'Month', quarter: 'Quarter', financial_year: 'Financial year', calendar_year: 'Calendar year' }[u], selected: u === unit })),
      charts: {
        period: columns(`Uses of Taser by ${byDimension.get('period')!.title.toLowerCase()}`, bars(byDimension.get('period')!)),
        level: horizontalBars('Uses by highest level of use', bars(byDimension.get('level')!)),
        borough: horizontalBars(
          'Uses by borough',
          bars(byDimension.get('borough')!).filter((b) => b.value > 0),
        ),
      },
      tables,
      homeOffice: { header: [...HOME_OFFICE_CED_COLUMNS], rows: [hoRow] },
      nationalComparison: national,
      query,
    });
  });

  app.get('/statistics/home-office.csv', { config: PAGE }, async (request, reply) => {
    try {
      const r = await homeOfficeReturn(svc, periodFrom(queryOf(request, pageQuery), svc.now()), { breakdowns: false });
      return sendCsv(reply, `home-office-ced-${r.period.label.replace(/\W+/g, '-')}.csv`, [r.header, r.row]);
    } catch (err) {
      if (err instanceof PeriodError) return reply.code(400).type('text/plain; charset=utf-8').send(err.message);
      throw err;
    }
  });

  app.get('/statistics/breakdown.csv', { config: { permission: 'read:statistics', query: breakdownQuery } }, async (request, reply) => {
    const q = queryOf(request, breakdownQuery);
    const dimension = q.dimension;
    try {
      const s = await statistics(svc, periodFrom(q, svc.now()), [dimension], { unit: q.unit ?? 'month' });
      return sendCsv(reply, `ced-by-${dimension}-${s.period.label.replace(/\W+/g, '-')}.csv`, breakdownTable(s.breakdowns[0]!));
    } catch (err) {
      if (err instanceof PeriodError) return reply.code(400).type('text/plain; charset=utf-8').send(err.message);
      throw err;
    }
  });
}
