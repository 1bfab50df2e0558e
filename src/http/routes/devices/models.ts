import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can } from '../../../domain/permissions.js';
import type { StoredDeviceModel } from '../../../domain/devices/register.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import type { Services } from '../../../services/context.js';
import { AUTHORISING_MODELS, getDeviceModel, saveDeviceModel } from '../../../services/device-models.js';
import { listDeviceModels } from '../../../services/devices.js';
import { errorView, field, formBody, type FormBody } from '../../forms.js';
import { queryChoice, queryOf } from '../../query.js';
import { idParams, paramsOf } from '../../params.js';
import { formatDate } from '../../views.js';

/* Device models are configuration (issue 12): the list, adding a model and changing one. */

const notices = { created: 'Model added.', updated: 'Model changed.' } as const;
const listQuery = z.object({ notice: queryChoice('notice', Object.keys(notices) as [keyof typeof notices]) });

const roles = (request: FastifyRequest) => request.identity!.account.roles;

type Values = { name: string; bays: string; cartridgeTypes: string; authorisedBy: string; stopsIssuingOn: string };
const valuesOf = (body: FormBody): Values => ({
  name: field(body, 'name'),
  bays: field(body, 'bays'),
  cartridgeTypes: field(body, 'cartridgeTypes'),
  authorisedBy: field(body, 'authorisedBy'),
  stopsIssuingOn: field(body, 'stopsIssuingOn'),
});
const valuesFrom = (m: StoredDeviceModel): Values => ({
  name: m.name,
  bays: String(m.bays),
  cartridgeTypes: m.cartridgeTypes.join('\n'),
  authorisedBy: m.authorisedBy,
  stopsIssuingOn: m.stopsIssuingOn ?? '',
});

export function registerDeviceModelRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/devices/models', { config: { permission: 'read:device', query: listQuery } }, async (request, reply) => {
    const q = queryOf(request, listQuery);
    const models = await listDeviceModels(svc, request.actor());
    return reply.render('pages/devices/models.njk', {
      title: 'Device models',
      navPath: '/devices',
      notice: q.notice ? notices[q.notice] : undefined,
      canManage: can(roles(request), 'manage:device'),
      models: models.map((m) => ({
        ...m,
        types: m.cartridgeTypes.join(', '),
        issued: m.stopsIssuingOn ? `Until ${formatDate(m.stopsIssuingOn)}` : 'Issued',
      })),
    });
  });

  const renderForm = (reply: FastifyReply, ctx: { model?: StoredDeviceModel; values: Values; errors?: FieldError[] }) => {
    const choices = [...new Set([...AUTHORISING_MODELS, ...(ctx.values.authorisedBy ? [ctx.values.authorisedBy] : [])])];
    return reply.code(ctx.errors ? 400 : 200).render('pages/devices/model-form.njk', {
      title: ctx.model ? `Change the ${ctx.model.name}` : 'Add a device model',
      navPath: '/devices',
      backLink: '/devices/models',
      model: ctx.model,
      values: ctx.values,
      authorising: [{ value: '', text: 'Choose the training' }, ...choices.map((m) => ({ value: m, text: m, selected: ctx.values.authorisedBy === m }))],
      ...errorView(ctx.errors ?? [], { cartridgeTypes: 'cartridgeTypes' }),
    });
  };

  app.get('/devices/models/new', { config: { permission: 'manage:device' } }, async (_request, reply) =>
    renderForm(reply, { values: { name: '', bays: '', cartridgeTypes: '', authorisedBy: '', stopsIssuingOn: '' } }),
  );

  app.post('/devices/models', { config: { permission: 'manage:device' } }, async (request, reply) => {
    const values = valuesOf(formBody(request));
    try {
      await saveDeviceModel(svc, request.actor(), null, values);
      return reply.redirect('/devices/models?notice=created', 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderForm(reply, { values, errors: err.errors });
    }
  });

  app.get('/devices/models/:id/edit', { config: { permission: 'manage:device', params: idParams } }, async (request, reply) => {
    const model = await getDeviceModel(svc, request.actor(), paramsOf(request, idParams).id);
    return renderForm(reply, { model, values: valuesFrom(model) });
  });

  app.post('/devices/models/:id', { config: { permission: 'manage:device', params: idParams } }, async (request, reply) => {
    const model = await getDeviceModel(svc, request.actor(), paramsOf(request, idParams).id);
    const values = valuesOf(formBody(request));
    try {
      await saveDeviceModel(svc, request.actor(), model.id, values);
      return reply.redirect('/devices/models?notice=updated', 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderForm(reply, { model, values, errors: err.errors });
    }
  });
}
