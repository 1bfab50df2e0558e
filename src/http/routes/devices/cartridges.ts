import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CARTRIDGE_STATE_LABELS, CARTRIDGE_STATES, daysToExpiry } from '../../../domain/devices/cartridges.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import { can } from '../../../domain/permissions.js';
import type { Services } from '../../../services/context.js';
import { cartridgeTypes, EXPIRING_WITHIN_DAYS, linkCartridgeToReport, listCartridgePage } from '../../../services/device-register.js';
import { armouryStores } from '../../../services/armoury.js';
import { listDeviceModels } from '../../../services/devices.js';
import { CARTRIDGE_STATE_TAGS, deviceNotice, deviceNoticeQuery, deviceSubNav } from '../../device-view.js';
import { errorView, field, formBody, pageFrom, paginationView } from '../../forms.js';
import { idParams, paramsOf } from '../../params.js';
import { queryChoice, queryOf, queryPage, queryText } from '../../query.js';

/* Cartridges (issue 12): the list with its filters, and the expended ones no report is linked to yet, each with a form to link one. */

const cartridgeQuery = z.object({
  tab: queryChoice('tab', ['all', 'unlinked']),
  state: queryChoice('state', CARTRIDGE_STATES),
  type: queryText('type', 40),
  store: queryText('store', 60),
  expiring: queryChoice('expiring', ['yes']),
  page: queryPage,
  notice: deviceNoticeQuery,
});
type CartridgeQuery = z.output<typeof cartridgeQuery>;

const roles = (request: FastifyRequest) => request.identity!.account.roles;

export function registerDeviceCartridgeRoutes(app: FastifyInstance, svc: Services): void {
  const render = async (request: FastifyRequest, reply: FastifyReply, q: CartridgeQuery, ctx: { errors?: FieldError[]; failedId?: string; typed?: string } = {}) => {
    const unlinked = q.tab === 'unlinked' || ctx.failedId !== undefined;
    const [models, stores] = await Promise.all([listDeviceModels(svc, request.actor()), armouryStores(svc, request.scope)]);
    const types = cartridgeTypes(models);
    const store = q.store && stores.some((s) => s.key === q.store) ? q.store : undefined;
    const type = q.type && types.includes(q.type) ? q.type : undefined;
    const result = await listCartridgePage(svc, request.scope, { state: q.state, type, store, expiring: q.expiring === 'yes', unlinked }, pageFrom(q, 50));
    const keepQuery = { ...q, notice: undefined, tab: unlinked ? 'unlinked' : undefined };
    const ev = errorView(ctx.errors ?? [], ctx.failedId ? { report: `report-${ctx.failedId}` } : {});
    return reply.code(ctx.errors ? 400 : 200).render('pages/devices/cartridges.njk', {
      title: unlinked ? 'Expended cartridges with no report' : 'Cartridges',
      navPath: '/devices',
      subNav: deviceSubNav('cartridges', roles(request)),
      tabs: [
        { text: 'All cartridges', href: '/devices/cartridges', active: !unlinked },
        { text: `Expended, no report (${result.unlinkedTotal})`, href: '/devices/cartridges?tab=unlinked', active: unlinked },
      ],
      unlinked,
      q,
      types,
      stores,
      states: CARTRIDGE_STATES.map((s) => ({ value: s, text: CARTRIDGE_STATE_LABELS[s] })),
      expiringDays: EXPIRING_WITHIN_DAYS,
      canLink: can(roles(request), 'update:device'),
      result,
      rows: result.rows.map((c) => {
        const days = daysToExpiry(c.expiresOn, result.today);
        return { ...c, tag: CARTRIDGE_STATE_TAGS[c.state], soon: c.state === 'in_store' && days >= 0 && days <= EXPIRING_WITHIN_DAYS, typed: c.id === ctx.failedId ? (ctx.typed ?? '') : '' };
      }),
      pagination: paginationView('/devices/cartridges', keepQuery, result.page, result.pages),
      notice: deviceNotice(q.notice),
      failedId: ctx.failedId,
      ...ev,
    });
  };

  app.get('/devices/cartridges', { config: { permission: 'read:device', query: cartridgeQuery } }, async (request, reply) => render(request, reply, queryOf(request, cartridgeQuery)));

  app.post('/devices/cartridges/:id/report', { config: { permission: 'update:device', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const body = formBody(request);
    const text = field(body, 'report');
    try {
      await linkCartridgeToReport(svc, request.actor(), request.scope, id, text);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return render(request, reply, { tab: 'unlinked' } as CartridgeQuery, { errors: err.errors, failedId: id, typed: text });
    }
    return reply.redirect('/devices/cartridges?tab=unlinked&notice=linked', 303);
  });
}
