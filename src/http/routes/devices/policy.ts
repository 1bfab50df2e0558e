import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { GATE_REASON_CODES, OVERRIDABLE_REASON_CODES, type GatePolicy } from '../../../domain/devices/gate.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import type { Services } from '../../../services/context.js';
import { MAX_SPARE_CARTRIDGES, saveGatePolicy } from '../../../services/device-register.js';
import { gatePolicy } from '../../../services/devices.js';
import { deviceNotice, deviceNoticeQuery, deviceSubNav, GATE_REASON_LABELS } from '../../device-view.js';
import { errorView, field, fieldList, formBody } from '../../forms.js';
import { queryOf } from '../../query.js';

/* The sign-out gate's policy (issue 12): the spare cartridge allowance and which reasons an inspector may override. */

const policyQuery = z.object({ notice: deviceNoticeQuery });

export function registerDevicePolicyRoutes(app: FastifyInstance, svc: Services): void {
  const render = async (request: FastifyRequest, reply: FastifyReply, ctx: { values?: { spareCartridges: string; overridable: string[] }; errors?: FieldError[]; notice?: string } = {}) => {
    const policy: GatePolicy = await gatePolicy(svc);
    const values = ctx.values ?? { spareCartridges: String(policy.spareCartridges), overridable: [...policy.overridable] };
    return reply.code(ctx.errors ? 400 : 200).render('pages/devices/policy.njk', {
      title: 'Sign-out gate policy',
      navPath: '/devices',
      subNav: deviceSubNav('policy', request.identity!.account.roles),
      values,
      maxSpare: MAX_SPARE_CARTRIDGES,
      overridable: OVERRIDABLE_REASON_CODES.map((c) => ({ value: c, text: GATE_REASON_LABELS[c], checked: values.overridable.includes(c) })),
      never: GATE_REASON_CODES.filter((c) => !(OVERRIDABLE_REASON_CODES as readonly string[]).includes(c)).map((c) => GATE_REASON_LABELS[c]),
      notice: ctx.notice,
      ...errorView(ctx.errors ?? [], { overridable: 'overridable' }),
    });
  };

  app.get('/devices/policy', { config: { permission: 'manage:device', query: policyQuery } }, async (request, reply) =>
    render(request, reply, { notice: deviceNotice(queryOf(request, policyQuery).notice) }),
  );

  app.post('/devices/policy', { config: { permission: 'manage:device' } }, async (request, reply) => {
    const body = formBody(request);
    const values = { spareCartridges: field(body, 'spareCartridges'), overridable: fieldList(body, 'overridable') };
    try {
      await saveGatePolicy(svc, request.actor(), values);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return render(request, reply, { values, errors: err.errors });
    }
    return reply.redirect('/devices/policy?notice=policy-saved', 303);
  });
}
