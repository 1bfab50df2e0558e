import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TEAM_TYPE_LABELS, TEAM_TYPES, type Team } from '../../domain/organisation.js';
import { can } from '../../domain/permissions.js';
import { ValidationError, type FieldError } from '../../domain/errors.js';
import type { Services } from '../../services/context.js';
import { listOfficers } from '../../services/officers.js';
import { createBorough, createTeam, getTeam, listBoroughs, listTeamsWithCounts, updateTeam } from '../../services/organisation.js';
import { errorView, field, formBody, noticeFrom, pageFrom, paginationView } from '../forms.js';
import { queryChoice, queryId, queryNotice, queryOf, queryPage } from '../query.js';
import { idParams, paramsOf } from '../params.js';

const listQuery = z.object({ type: queryChoice('type', TEAM_TYPES), borough: queryId('borough'), notice: queryNotice });
const teamQuery = z.object({ page: queryPage, notice: queryNotice });

export function registerTeamRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/teams', { config: { permission: 'read:team', query: listQuery } }, async (request, reply) => {
    const q = queryOf(request, listQuery);
    const [teams, boroughs] = await Promise.all([listTeamsWithCounts(svc, request.scope), listBoroughs(svc)]);
    const boroughName = new Map(boroughs.map((b) => [b.id, b.name]));
    const type = q.type;
    const shown = teams.filter((t) => (!type || t.teamType === type) && (!q.borough || t.boroughId === q.borough || (q.borough === 'force' && t.boroughId === null)));
    const roles = request.identity!.account.roles;
    return reply.render('pages/teams/list.njk', {
      title: 'Teams',
      q,
      teams: shown.map((t) => ({ ...t, borough: t.boroughId ? boroughName.get(t.boroughId) : 'Force-wide' })),
      boroughs: request.scope.all ? boroughs : boroughs.filter((b) => teams.some((t) => t.boroughId === b.id)),
      teamTypes: TEAM_TYPES.map((t) => ({ value: t, text: TEAM_TYPE_LABELS[t] })),
      canCreate: can(roles, 'create:team'),
      canCreateBorough: can(roles, 'create:borough'),
      notice: noticeFrom(q),
    });
  });

  const renderForm = async (reply: FastifyReply, ctx: { team?: Team; values: Record<string, string>; errors?: FieldError[] }) => {
    const boroughs = await listBoroughs(svc);
    return reply.code(ctx.errors ? 400 : 200).render('pages/teams/form.njk', {
      title: ctx.team ? `Edit ${ctx.team.name}` : 'Add a team',
      team: ctx.team,
      values: ctx.values,
      boroughs,
      teamTypes: TEAM_TYPES.map((t) => ({ value: t, text: TEAM_TYPE_LABELS[t] })),
      backLink: ctx.team ? `/teams/${ctx.team.id}` : '/teams',
      ...errorView(ctx.errors ?? []),
    });
  };
  const teamValues = (request: FastifyRequest) => {
    const body = formBody(request);
    return { name: field(body, 'name'), teamType: field(body, 'teamType'), boroughId: field(body, 'boroughId') };
  };

  app.get('/teams/new', { config: { permission: 'create:team' } }, async (_request, reply) => renderForm(reply, { values: {} }));

  app.post('/teams', { config: { permission: 'create:team' } }, async (request, reply) => {
    const values = teamValues(request);
    try {
      const team = await createTeam(svc, request.actor(), values);
      return reply.redirect(`/teams/${team.id}?notice=team-created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderForm(reply, { values, errors: err.errors });
    }
  });

  app.get('/teams/:id', { config: { permission: 'read:team', query: teamQuery, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const q = queryOf(request, teamQuery);
    const team = await getTeam(svc, request.scope, id);
    const boroughs = await listBoroughs(svc);
    const roles = request.identity!.account.roles;
    const canSeeOfficers = can(roles, 'read:officer');
    const officers = canSeeOfficers ? await listOfficers(svc, request.scope, { teamId: id, status: 'active' }, pageFrom(q, 50)) : undefined;
    return reply.render('pages/teams/show.njk', {
      title: team.name,
      team,
      borough: team.boroughId ? boroughs.find((b) => b.id === team.boroughId)?.name : 'Force-wide',
      officers,
      pagination: officers ? paginationView(`/teams/${id}`, q, officers.page, officers.pages) : null,
      canEdit: can(roles, 'update:team'),
      backLink: '/teams',
      notice: noticeFrom(q),
    });
  });

  app.get('/teams/:id/edit', { config: { permission: 'update:team', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const team = await getTeam(svc, request.scope, id);
    return renderForm(reply, { team, values: { name: team.name, teamType: team.teamType, boroughId: team.boroughId ?? '' } });
  });

  app.post('/teams/:id', { config: { permission: 'update:team', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const team = await getTeam(svc, request.scope, id);
    const values = teamValues(request);
    try {
      await updateTeam(svc, request.actor(), id, values);
      return reply.redirect(`/teams/${id}?notice=team-updated`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderForm(reply, { team, values, errors: err.errors });
    }
  });

  app.get('/boroughs/new', { config: { permission: 'create:borough' } }, async (_request, reply) =>
    reply.render('pages/teams/borough-form.njk', { title: 'Add a borough', values: {}, backLink: '/teams' }),
  );

  app.post('/boroughs', { config: { permission: 'create:borough' } }, async (request, reply) => {
    const body = formBody(request);
    const values = { name: field(body, 'name'), code: field(body, 'code') };
    try {
      await createBorough(svc, request.actor(), values);
      return reply.redirect('/teams?notice=borough-created', 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return reply.code(400).render('pages/teams/borough-form.njk', { title: 'Add a borough', values, backLink: '/teams', ...errorView(err.errors) });
    }
  });
}
