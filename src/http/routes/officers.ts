import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { OFFICER_SORTS, OFFICER_STATUSES, RANKS, type Officer, type OfficerSort } from '../../domain/organisation.js';
import { can, scopeFor, scopeIncludes } from '../../domain/permissions.js';
import { ValidationError, type FieldError } from '../../domain/errors.js';
import type { Services } from '../../services/context.js';
import { auditSummaryLines } from '../audit-summary.js';
import { escapeHtml } from '../escape.js';
import { listAuditLog } from '../../services/audit.js';
import { createOfficer, getOfficer, listOfficers, updateOfficer, type OfficerQuery } from '../../services/officers.js';
import { listBoroughs, listTeams } from '../../services/organisation.js';
import { officerAuthority } from '../../services/training.js';
import { devicesHeld } from '../../services/device-reports.js';
import { authorityView, trainingNotice } from '../training-view.js';
import { dateFromParts, dateItems, dateParts, errorView, field, formBody, noticeFrom, pageFrom, paginationView } from '../forms.js';
import { queryChoice, queryId, queryNotice, queryOf, queryPage, queryText } from '../query.js';
import { idParams, paramsOf } from '../params.js';
import { mayOpenEarlyWarning, officerEarlyWarningFor, registerEarlyWarningRoutes } from './early-warning.js';

const listQuery = z.object({
  q: queryText('q', 100),
  borough: queryId('borough'),
  team: queryId('team'),
  rank: queryChoice('rank', RANKS),
  status: queryChoice('status', ['active', 'left', 'all']),
  sort: queryChoice('sort', OFFICER_SORTS),
  order: queryChoice('order', ['asc', 'desc']),
  page: queryPage,
  notice: queryNotice,
});
type ListQuery = z.output<typeof listQuery>;
/** The profile: a notice after a change (the training pages' notices carry counts). */
export const noticeQuery = z.object({ notice: queryNotice, passed: queryText('passed', 4), failed: queryText('failed', 4), absent: queryText('absent', 4) });

const HISTORY_LABELS: Record<string, string> = { 'officer.create': 'Record created', 'officer.update': 'Record changed' };

function officerQuery(q: ListQuery): OfficerQuery {
  return {
    q: q.q,
    boroughId: q.borough,
    teamId: q.team,
    rank: q.rank,
    status: q.status === 'all' ? undefined : (q.status ?? 'active'),
    sort: q.sort ?? 'name',
    descending: q.order === 'desc',
  };
}

/** Lookups for names of boroughs and teams in lists and forms, limited to what the person may see. */
async function organisationFor(svc: Services, request: FastifyRequest) {
  const [boroughs, teams] = await Promise.all([listBoroughs(svc), listTeams(svc, request.scope)]);
  const visibleBoroughs = request.scope.all ? boroughs : boroughs.filter((b) => (request.scope as { boroughIds: string[] }).boroughIds.includes(b.id));
  return {
    boroughs: visibleBoroughs,
    teams,
    boroughName: new Map(boroughs.map((b) => [b.id, b.name])),
    teamName: new Map(teams.map((t) => [t.id, t.name])),
  };
}

function formValues(body: ReturnType<typeof formBody>) {
  return {
    collarNumber: field(body, 'collarNumber'),
    firstName: field(body, 'firstName'),
    lastName: field(body, 'lastName'),
    rank: field(body, 'rank'),
    boroughId: field(body, 'boroughId'),
    teamId: field(body, 'teamId'),
    status: field(body, 'status') || 'active',
    joinedOn: dateFromParts(body, 'joinedOn'),
    leftOn: dateFromParts(body, 'leftOn'),
  };
}

export function registerOfficerRoutes(app: FastifyInstance, svc: Services): void {
  // Early warning (issue 14) sits under /officers: registered before /officers/:id reads it as an id.
  registerEarlyWarningRoutes(app, svc);

  app.get('/officers', { config: { permission: 'read:officer', query: listQuery } }, async (request, reply) => {
    const q = queryOf(request, listQuery);
    const query = officerQuery(q);
    const [result, orgs] = await Promise.all([listOfficers(svc, request.scope, query, { ...pageFrom(q, 50) }), organisationFor(svc, request)]);
    const sortLink = (key: OfficerSort) => {
      const params = new URLSearchParams(Object.entries(q).filter(([k, v]) => typeof v === 'string' && v && k !== 'page' && k !== 'sort' && k !== 'order') as [string, string][]);
      params.set('sort', key);
      if (query.sort === key && !query.descending) params.set('order', 'desc');
      return `/officers?${params}`;
    };
    const ariaSort = (key: OfficerSort) => (query.sort === key ? (query.descending ? 'descending' : 'ascending') : 'none');
    return reply.render('pages/officers/list.njk', {
      title: 'Officers',
      q,
      query,
      result,
      orgs,
      ranks: RANKS,
      canCreate: can(request.identity!.account.roles, 'create:officer'),
      canEarlyWarning: mayOpenEarlyWarning(request.identity!),
      rows: result.officers.map((o) => ({
        ...o,
        borough: o.boroughId ? orgs.boroughName.get(o.boroughId) : 'Force-wide',
        team: o.teamId ? (orgs.teamName.get(o.teamId) ?? '') : '',
      })),
      sort: Object.fromEntries(OFFICER_SORTS.map((k) => [k, { href: sortLink(k), aria: ariaSort(k) }])),
      pagination: paginationView('/officers', q, result.page, result.pages),
      notice: noticeFrom(q),
    });
  });

  type DateParts = ReturnType<typeof dateParts>;
  const renderForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: { officer?: Officer; values: ReturnType<typeof formValues>; errors?: FieldError[]; typedDates?: { joinedOn: DateParts; leftOn: DateParts } },
  ) => {
    const orgs = await organisationFor(svc, request);
    const ev = errorView(ctx.errors ?? [], { joinedOn: 'joinedOn', leftOn: 'leftOn' });
    return reply.code(ctx.errors ? 400 : 200).render('pages/officers/form.njk', {
      title: ctx.officer ? `Edit ${ctx.officer.firstName} ${ctx.officer.lastName}` : 'Add an officer',
      officer: ctx.officer,
      values: ctx.values,
      orgs,
      ranks: RANKS,
      statuses: OFFICER_STATUSES,
      joinedOnItems: dateItems('joinedOn', ctx.typedDates?.joinedOn ?? dateParts(ctx.values.joinedOn), Boolean(ev.errors.joinedOn)),
      leftOnItems: dateItems('leftOn', ctx.typedDates?.leftOn ?? dateParts(ctx.values.leftOn), Boolean(ev.errors.leftOn)),
      backLink: ctx.officer ? `/officers/${ctx.officer.id}` : '/officers',
      ...ev,
    });
  };

  // Keep what the person typed, even when it is not a valid date, so they can correct it.
  const typedDates = (body: ReturnType<typeof formBody>) => {
    const parts = (name: string) => ({ day: field(body, `${name}-day`), month: field(body, `${name}-month`), year: field(body, `${name}-year`) });
    return { joinedOn: parts('joinedOn'), leftOn: parts('leftOn') };
  };

  app.get('/officers/new', { config: { permission: 'create:officer' } }, async (request, reply) => renderForm(request, reply, { values: { ...formValues({}), status: 'active' } }));

  app.post('/officers', { config: { permission: 'create:officer' } }, async (request, reply) => {
    const body = formBody(request);
    const values = formValues(body);
    try {
      const officer = await createOfficer(svc, request.actor(), request.scope, values);
      return reply.redirect(`/officers/${officer.id}?notice=officer-created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderForm(request, reply, { values, errors: err.errors, typedDates: typedDates(body) });
    }
  });

  app.get('/officers/:id', { config: { permission: 'read:officer', query: noticeQuery, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const officer = await getOfficer(svc, request.scope, id);
    const orgs = await organisationFor(svc, request);
    const history = await listAuditLog(svc, { entityType: 'officer', entityId: id }, { page: 1, pageSize: 20 });
    const roles = request.identity!.account.roles;
    const authority = await officerAuthority(svc, request.scope, id);
    const authorityScope = scopeFor(roles, 'update:authority');
    const mayChange = authorityScope !== null && scopeIncludes(authorityScope, officer.boroughId);
    // The devices the officer has held (issue 12): the last 20 sign-outs, newest first.
    const held = await devicesHeld(svc, id);
    const earlyWarning = await officerEarlyWarningFor(svc, request.identity!, officer);
    const deviceLinks = can(roles, 'read:device');
    const open = (kind: 'suspension' | 'withdrawal') => authority.restrictions.some((r) => r.kind === kind && r.to === null);
    const authorityActions = !mayChange
      ? []
      : [
          open('suspension')
            ? { text: 'Reinstate authority', href: `/officers/${id}/authority/reinstate`, classes: '' }
            : { text: 'Suspend authority', href: `/officers/${id}/authority/suspend`, classes: 'govuk-button--warning' },
          open('withdrawal')
            ? { text: 'Record return to carrying', href: `/officers/${id}/authority/return`, classes: 'govuk-button--secondary' }
            : { text: 'Record withdrawal', href: `/officers/${id}/authority/withdraw`, classes: 'govuk-button--secondary' },
        ];
    return reply.render('pages/officers/show.njk', {
      title: `${officer.firstName} ${officer.lastName}`,
      officer,
      borough: officer.boroughId ? orgs.boroughName.get(officer.boroughId) : 'Force-wide',
      team: officer.teamId ? orgs.teamName.get(officer.teamId) : undefined,
      canEdit: can(request.identity!.account.roles, 'update:officer'),
      authority: authorityView(authority, { sessionLinks: can(roles, 'read:training') }),
      authorityActions,
      // Suspensions and withdrawals are audited on the officer too: they are on the authority timeline above.
      history: history.entries
        .filter((e) => !e.action.startsWith('authority.'))
        .map((e) => ({
          label: { text: HISTORY_LABELS[e.action] ?? e.action },
          html: auditSummaryLines(e.summary, new Map([...orgs.boroughName, ...orgs.teamName]))
            .map((l) => escapeHtml(l))
            .join('<br>'),
          datetime: { timestamp: e.occurredAt, type: 'datetime' },
          byline: { text: e.actorLabel },
        })),
      devicesHeld: {
        total: held.total,
        more: held.more,
        rows: held.issues.map((i) => ({ ...i, href: deviceLinks ? `/devices/${i.deviceId}` : undefined })),
      },
      earlyWarning,
      backLink: '/officers',
      notice: noticeFrom(request.query) ?? trainingNotice(queryOf(request, noticeQuery)),
    });
  });

  app.get('/officers/:id/edit', { config: { permission: 'update:officer', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const o = await getOfficer(svc, request.scope, id);
    const values = {
      collarNumber: o.collarNumber,
      firstName: o.firstName,
      lastName: o.lastName,
      rank: o.rank,
      boroughId: o.boroughId ?? '',
      teamId: o.teamId ?? '',
      status: o.status,
      joinedOn: o.joinedOn,
      leftOn: o.leftOn ?? '',
    };
    return renderForm(request, reply, { officer: o, values });
  });

  app.post('/officers/:id', { config: { permission: 'update:officer', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const officer = await getOfficer(svc, request.scope, id);
    const body = formBody(request);
    const values = formValues(body);
    try {
      await updateOfficer(svc, request.actor(), request.scope, id, values);
      return reply.redirect(`/officers/${id}?notice=officer-updated`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderForm(request, reply, { officer, values, errors: err.errors, typedDates: typedDates(body) });
    }
  });
}
