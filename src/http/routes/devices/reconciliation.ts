import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { EXCEPTION_KINDS, METHODOLOGY, type ExceptionKind } from '../../../domain/devices/reconcile.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import { can } from '../../../domain/permissions.js';
import { CED_LEVEL_LABELS, type CedLevel } from '../../../domain/report/levels.js';
import type { Services } from '../../../services/context.js';
import {
  EXCEPTION_STATES,
  exceptionTimeline,
  listExceptions,
  RESOLUTION_OUTCOME_LABELS,
  RESOLUTION_OUTCOMES,
  resolveException,
  runReconciliation,
  StaleExceptionError,
  type ExceptionTimeline,
} from '../../../services/reconciliation.js';
import { deviceSubNav } from '../../device-view.js';
import { errorView, field, formBody, pageFrom, paginationView } from '../../forms.js';
import { idParams, paramsOf } from '../../params.js';
import { queryChoice, queryId, queryOf, queryPage } from '../../query.js';
import { EXCEPTION_KIND_LABELS, EXCEPTION_STATE_TAGS, exceptionKindLabel } from '../../reconciliation-view.js';
import { formatDateTime, formatNumber } from '../../views.js';

/*
 * The reconciliation pages (issue 13): the exceptions by borough and kind, each opened to its
 * timeline (the device's events in true time beside the reports' answers and the issue record)
 * and resolved with an outcome and a reason; a form to run the reconciliation for a range of
 * days; and the methodology, the rules in plain words.
 */

const listQuery = z.object({
  borough: queryId('borough'),
  kind: queryChoice('kind', EXCEPTION_KINDS),
  state: queryChoice('state', EXCEPTION_STATES),
  page: queryPage,
  notice: queryChoice('notice', ['ran']),
});
const showQuery = z.object({ notice: queryChoice('notice', ['resolved']) });

const roles = (request: FastifyRequest) => request.identity!.account.roles;
const BASE = '/devices/reconciliation';

/** What a run form held, and why it was refused. */
interface RunAttempt {
  values: { from: string; to: string };
  errors: FieldError[];
}

/** What a resolve form held, and why it was refused. */
interface ResolveAttempt {
  values: { outcome: string; reason: string };
  errors: FieldError[];
  stale?: boolean;
}

const yesNo = (v: boolean | null) => (v === null ? 'Not stated' : v ? 'Yes' : 'No');
const seconds = (s: number | null) => (s === null ? '' : `${s.toFixed(1)} s`);
const offsetText = (s: number | null) => (s === null ? 'Unknown' : s === 0 ? '0 s' : `${s > 0 ? '+' : '−'}${Math.abs(s).toFixed(0)} s`);
const EVENT_LABELS: Record<string, string> = { armed: 'Armed', safe: 'Safe', trigger: 'Trigger', arc: 'Arc', time_sync: 'Time sync', other: 'Other' };

/** The most days one run from the page covers. */
const PAGE_RUN_MAX_DAYS = 92;

export function registerReconciliationRoutes(app: FastifyInstance, svc: Services): void {
  const renderList = async (request: FastifyRequest, reply: FastifyReply, attempt?: RunAttempt, status = 200) => {
    const q = queryOf(request, listQuery);
    const state = q.state ?? 'open';
    const paging = pageFrom(q, 50);
    const result = await listExceptions(svc, request.actor(), { borough: q.borough, kind: q.kind, state, page: paging });
    const link = (over: Record<string, string | undefined>) => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries({ borough: q.borough, kind: q.kind, state: q.state, ...over })) if (v) p.set(k, v);
      const s = p.toString();
      return s ? `${BASE}?${s}` : BASE;
    };
    const kindsShown = EXCEPTION_KINDS.filter((k) => result.byKind[k] > 0);
    const failed = attempt ? errorView(attempt.errors, { from: 'from', to: 'to' }) : undefined;
    const last = result.lastRun;
    return reply.code(status).render('pages/devices/reconciliation.njk', {
      title: 'Device log reconciliation',
      subNav: deviceSubNav('reconciliation', roles(request)),
      q: { ...q, state },
      result,
      boroughItems: [{ value: '', text: result.boroughs.length > 1 ? 'All boroughs' : 'All' }, ...result.boroughs.map((b) => ({ value: b.id, text: b.name, selected: q.borough === b.id }))],
      kindItems: [{ value: '', text: 'All kinds' }, ...EXCEPTION_KINDS.map((k) => ({ value: k, text: EXCEPTION_KIND_LABELS[k], selected: q.kind === k }))],
      stateItems: EXCEPTION_STATES.map((s) => ({ value: s, text: EXCEPTION_STATE_TAGS[s]!.text, selected: state === s })),
      countsTable: {
        kinds: kindsShown.map((k) => ({ text: EXCEPTION_KIND_LABELS[k], href: link({ kind: k, page: undefined }) })),
        rows: result.counts.map((c) => ({
          name: c.boroughName,
          href: c.boroughId ? link({ borough: c.boroughId, kind: undefined }) : undefined,
          cells: kindsShown.map((k: ExceptionKind) => ({ n: c.byKind[k], href: c.boroughId && c.byKind[k] ? link({ borough: c.boroughId, kind: k }) : undefined })),
          total: c.total,
        })),
        totals: kindsShown.map((k) => result.byKind[k]),
        total: EXCEPTION_KINDS.reduce((sum, k) => sum + result.byKind[k], 0),
      },
      rows: result.rows.map((r) => ({
        ...r,
        href: `${BASE}/${r.id}`,
        kindLabel: exceptionKindLabel(r.kind),
        tag: EXCEPTION_STATE_TAGS[r.state],
        reportRefs: r.reportRefs.join(', '),
      })),
      pagination: paginationView(BASE, { borough: q.borough, kind: q.kind, state: q.state }, result.page, result.pages),
      mayRun: can(roles(request), 'review:device'),
      runValues: attempt?.values ?? { from: '', to: '' },
      runErrors: failed?.errors ?? {},
      errorList: failed?.errorList ?? [],
      lastRun: last ? { from: last.fromOn, to: last.toOn, at: formatDateTime(last.ranAt) } : null,
      notice: q.notice === 'ran' ? 'The reconciliation has run: the list below shows what it found.' : undefined,
    });
  };

  app.get(BASE, { config: { permission: 'read:device', query: listQuery } }, async (request, reply) => renderList(request, reply));

  // A run from the page holds the request until it ends (a year of a large fleet's logs takes
  // 20-30 s): a quarter at most here, the CLI for longer.
  app.post(`${BASE}/run`, { config: { permission: 'review:device' } }, async (request, reply) => {
    const body = formBody(request);
    const values = { from: field(body, 'from').trim(), to: field(body, 'to').trim() };
    try {
      await runReconciliation(svc, request.actor(), { ...values, maxDays: PAGE_RUN_MAX_DAYS });
      return reply.redirect(`${BASE}?notice=ran`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return renderList(request, reply, { values, errors: err.errors }, 400);
      throw err;
    }
  });

  app.get(`${BASE}/methodology`, { config: { permission: 'read:device' } }, async (_request, reply) =>
    reply.render('pages/devices/reconciliation-methodology.njk', {
      title: 'How device logs are reconciled with reports',
      backLink: BASE,
      navPath: '/devices',
      rules: METHODOLOGY.map((m, i) => ({ ...m, number: i + 1 })),
    }),
  );

  const renderException = async (request: FastifyRequest, reply: FastifyReply, id: string, attempt?: ResolveAttempt, status = 200) => {
    const t: ExceptionTimeline = await exceptionTimeline(svc, request.actor(), id);
    const q = status === 200 ? queryOf(request, showQuery) : { notice: undefined };
    const e = t.exception;
    const failed = attempt ? errorView(attempt.errors, { outcome: 'outcome', reason: 'reason', revision: 'outcome' }) : undefined;
    const inException = (at: string | null) => at !== null && at >= e.startsAt && at <= e.endsAt;
    return reply.code(status).render('pages/devices/reconciliation-exception.njk', {
      title: `${exceptionKindLabel(e.kind)}: device ${e.deviceSerial}`,
      backLink: BASE,
      navPath: '/devices',
      t,
      e,
      kindLabel: exceptionKindLabel(e.kind),
      tag: EXCEPTION_STATE_TAGS[e.state],
      outcomeLabel: e.outcome ? (RESOLUTION_OUTCOME_LABELS[e.outcome as keyof typeof RESOLUTION_OUTCOME_LABELS] ?? e.outcome) : null,
      deviceHref: t.device ? `/devices/${t.device.id}` : null,
      events: t.events.map((ev) => ({
        sequence: ev.sequence,
        event: EVENT_LABELS[ev.event] ?? ev.event,
        trueTime: ev.at ? formatDateTime(ev.at) : 'Cannot be placed (clock reset)',
        trueTimeUtc: ev.at ?? '',
        deviceTime: ev.deviceTime,
        offset: offsetText(ev.offsetS),
        duration: seconds(ev.durationS),
        sparkTest: ev.functionTest,
        within: inException(ev.at),
      })),
      reports: t.reports.map((r) => ({
        ...r,
        href: r.kind === 'report' && can(roles(request), 'read:report') ? `/reports/${r.id}` : null,
        when: formatDateTime(r.occurredAt),
        levels: r.levels.map((l) => CED_LEVEL_LABELS[l as CedLevel] ?? l).join(', ') || 'None recorded',
        cycles: r.totalCycles === null ? 'Not stated' : formatNumber(r.totalCycles),
        extended: yesNo(r.cycleExtended),
        source: r.kind === 'report' ? 'Cedar report' : 'Imported Met-format row',
      })),
      issues: t.issues.map((i) => ({ ...i, issued: formatDateTime(i.issuedAt), returned: i.returnedAt ? formatDateTime(i.returnedAt) : 'Not yet returned', href: `/officers/${i.officerId}` })),
      window: { from: formatDateTime(t.from), to: formatDateTime(t.to) },
      outcomeItems: RESOLUTION_OUTCOMES.map((o) => ({ value: o, text: RESOLUTION_OUTCOME_LABELS[o], checked: attempt?.values.outcome === o })),
      values: attempt?.values ?? { outcome: '', reason: '' },
      errors: failed?.errors ?? {},
      errorList: failed?.errorList ?? [],
      stale: attempt?.stale ?? false,
      notice: q.notice === 'resolved' ? 'The exception has been resolved.' : undefined,
    });
  };

  app.get(`${BASE}/:id`, { config: { permission: 'read:device', params: idParams, query: showQuery } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    return renderException(request, reply, id);
  });

  app.post(`${BASE}/:id/resolve`, { config: { permission: 'review:device', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const body = formBody(request);
    const values = { outcome: field(body, 'outcome'), reason: field(body, 'reason') };
    try {
      await resolveException(svc, request.actor(), id, { ...values, revision: field(body, 'revision') });
      return reply.redirect(`${BASE}/${encodeURIComponent(id)}?notice=resolved`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return renderException(request, reply, id, { values, errors: err.errors }, 400);
      if (err instanceof StaleExceptionError) return renderException(request, reply, id, { values, errors: [{ field: 'outcome', message: err.message }], stale: true }, 409);
      throw err;
    }
  });
}
