import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DEVICE_MOVES, DEVICE_STATE_LABELS, DEVICE_STATES, WITHDRAWAL_REASON_LABELS, WITHDRAWAL_REASONS, type DeviceMove } from '../../../domain/devices/lifecycle.js';
import { ValidationError, WorkflowError, type FieldError } from '../../../domain/errors.js';
import { can } from '../../../domain/permissions.js';
import type { Services } from '../../../services/context.js';
import { deviceHistory, listRegister } from '../../../services/device-register.js';
import { armouryStores } from '../../../services/armoury.js';
import { listDeviceModels, moveDevice } from '../../../services/devices.js';
import { DEVICE_STATE_TAGS, deviceNotice, deviceNoticeQuery, deviceSubNav, historyItems } from '../../device-view.js';
import { errorView, field, formBody, pageFrom, paginationView, type FormBody } from '../../forms.js';
import { idParams, paramsOf } from '../../params.js';
import { queryChoice, queryOf, queryPage, queryText } from '../../query.js';

/* The fleet register (issue 12): the list with its filters, and one device's whole history with the moves its state allows. */

const registerQuery = z.object({
  serial: queryText('serial', 40),
  model: queryText('model', 40),
  state: queryChoice('state', DEVICE_STATES),
  store: queryText('store', 60),
  page: queryPage,
});

const showQuery = z.object({ notice: deviceNoticeQuery });

type PageMove = Exclude<DeviceMove, 'issue' | 'return'>;
const PAGE_MOVES = DEVICE_MOVES.filter((m): m is PageMove => m !== 'issue' && m !== 'return');

const roles = (request: FastifyRequest) => request.identity!.account.roles;

export function registerDeviceRegisterRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/devices', { config: { permission: 'read:device', query: registerQuery } }, async (request, reply) => {
    const q = queryOf(request, registerQuery);
    const [models, stores] = await Promise.all([listDeviceModels(svc, request.actor()), armouryStores(svc, request.scope)]);
    const model = q.model ? models.find((m) => m.name.toUpperCase() === q.model!.toUpperCase()) : undefined;
    const store = q.store && stores.some((s) => s.key === q.store) ? q.store : undefined;
    const paging = pageFrom(q, 50);
    // A model or store the force does not have matches nothing.
    const nothing = (q.model && !model) || (q.store && !store);
    const result = await listRegister(svc, request.scope, { serial: q.serial, modelId: nothing ? 'none' : model?.id, state: q.state, store }, paging);
    const keep = (over: Record<string, string | undefined>) => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries({ serial: q.serial, model: q.model, store: q.store, state: q.state, ...over })) if (v) p.set(k, v);
      const s = p.toString();
      return s ? `/devices?${s}` : '/devices';
    };
    return reply.render('pages/devices/register.njk', {
      title: 'Device register',
      subNav: deviceSubNav('register', roles(request)),
      q,
      models,
      stores,
      states: DEVICE_STATES.map((s) => ({ value: s, text: DEVICE_STATE_LABELS[s] })),
      scoped: !request.scope.all,
      result,
      stateCounts: DEVICE_STATES.map((s) => ({ state: s, text: DEVICE_STATE_LABELS[s], count: result.byState.get(s) ?? 0, href: keep({ state: s }), current: q.state === s })),
      rows: result.rows.map((r) => ({ ...r, tag: DEVICE_STATE_TAGS[r.state] })),
      pagination: paginationView('/devices', q, result.page, result.pages),
    });
  });

  const renderDevice = async (request: FastifyRequest, reply: FastifyReply, id: string, ctx: { errors?: FieldError[]; status?: number; body?: FormBody; notice?: string } = {}) => {
    const h = await deviceHistory(svc, request.scope, id);
    const r = roles(request);
    const canMove = can(r, 'update:device');
    const byPsd = r.some((g) => g.role === 'professional_standards');
    const moves = canMove ? h.moves.filter((m) => m !== 'release' || byPsd) : [];
    const failedMove = ctx.body ? field(ctx.body, 'move') : '';
    const ev = errorView(ctx.errors ?? [], { move: `note-${failedMove}`, note: `note-${failedMove}`, withdrawalReason: 'withdrawalReason' });
    return reply.code(ctx.status ?? 200).render('pages/devices/show.njk', {
      title: `Device ${h.device.serial}`,
      navPath: '/devices',
      backLink: '/devices',
      h,
      tag: DEVICE_STATE_TAGS[h.device.state],
      holder: h.issues.find((i) => i.returnedAt === null) ?? null,
      withdrawalReason: h.device.withdrawalReason ? WITHDRAWAL_REASON_LABELS[h.device.withdrawalReason] : null,
      items: historyItems(h, { canReadReports: can(r, 'read:report') }),
      moves,
      quarantinedNotPsd: canMove && h.device.state === 'quarantined' && !byPsd,
      failedMove,
      typed: { note: ctx.body ? field(ctx.body, 'note') : '', withdrawalReason: ctx.body ? field(ctx.body, 'withdrawalReason') : '' },
      withdrawalReasons: WITHDRAWAL_REASONS.map((w) => ({ value: w, text: WITHDRAWAL_REASON_LABELS[w] })),
      notice: ctx.notice,
      ...ev,
    });
  };

  app.get('/devices/:id', { config: { permission: 'read:device', params: idParams, query: showQuery } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const q = queryOf(request, showQuery);
    return renderDevice(request, reply, id, { notice: deviceNotice(q.notice) });
  });

  app.post('/devices/:id/moves', { config: { permission: 'update:device', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const body = formBody(request);
    const move = field(body, 'move') as PageMove;
    if (!PAGE_MOVES.includes(move)) return renderDevice(request, reply, id, { errors: [{ field: 'move', message: 'Choose a move the device can make' }], status: 400, body });
    const revisionText = field(body, 'revision');
    const revision = /^\d{1,9}$/.test(revisionText) ? Number(revisionText) : undefined;
    try {
      await moveDevice(svc, request.actor(), request.scope, id, { move, note: field(body, 'note') || null, withdrawalReason: field(body, 'withdrawalReason') || null, revision });
    } catch (err) {
      if (err instanceof WorkflowError) return renderDevice(request, reply, id, { errors: [{ field: 'move', message: err.message }], status: 409, body });
      if (err instanceof ValidationError) return renderDevice(request, reply, id, { errors: err.errors, status: 400, body });
      throw err;
    }
    return reply.redirect(`/devices/${encodeURIComponent(id)}?notice=moved`, 303);
  });
}
