import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { CARTRIDGE_RETURNS } from '../../../domain/devices/cartridges.js';
import { GATE_REASON_CODES, GateRefusedError, OVERRIDABLE_REASON_CODES } from '../../../domain/devices/gate.js';
import type { DeviceIssue } from '../../../domain/devices/register.js';
import type { Services } from '../../../services/context.js';
import { getIssue, issueDevice, returnDevice } from '../../../services/devices.js';
import { parseRequestPart } from '../../api-input.js';
import { idParams, paramsOf, pathParameters } from '../../params.js';

/*
 * The sign-out gate for a locker or kiosk (issue 12): issue a device and its cartridges to an
 * officer, read an issue, and take the device back. A refusal is a 409 problem whose `reasons`
 * lists every reason at once, each `{code, message}`.
 */

const serial = z.string().trim().min(1, 'Enter the serial').max(40, 'A serial has at most 40 characters');

const issueBody = z.object({
  deviceSerial: serial,
  collarNumber: z.string().trim().min(1, 'Enter the collar number').max(20, 'A collar number has at most 20 characters'),
  cartridges: z.array(serial).max(12, 'At most 12 cartridges').default([]),
  shiftEndsAt: z.iso
    .datetime({ offset: true, message: 'Give the end of the shift as an ISO 8601 instant with its offset' })
    .optional()
    .describe('When the shift ends (a device still out 2 hours later is overdue); 10 hours after the issue when not given, at most 24'),
  override: z
    .object({
      codes: z.array(z.enum(OVERRIDABLE_REASON_CODES)).min(1, 'Name the reasons overridden'),
      reason: z.string().trim().min(5, 'Give the reason for the override (at least 5 characters)').max(500),
    })
    .optional(),
});

const returnBody = z.object({
  cartridges: z
    .array(
      z.object({
        serial,
        outcome: z.enum(CARTRIDGE_RETURNS, { message: 'Choose in_store, expended or lost' }),
        reportId: z.string().trim().min(1).max(40).optional(),
      }),
    )
    .max(12)
    .default([]),
});

export function issueJson(i: DeviceIssue) {
  return {
    id: i.id,
    deviceSerial: i.deviceSerial,
    model: i.modelName,
    collarNumber: i.collarNumber,
    issuedAt: i.issuedAt,
    shiftEndsAt: i.shiftEndsAt,
    returnedAt: i.returnedAt,
    overridden: i.overrideCodes,
    overrideReason: i.overrideReason,
    cartridges: i.cartridges.map((c) => ({ serial: c.serial, type: c.type, outcome: c.outcome, reportId: c.reportId })),
  };
}

function refused(reply: FastifyReply, err: GateRefusedError) {
  return reply.code(409).type('application/problem+json').send({ type: 'about:blank', title: 'The device cannot be issued', status: 409, detail: err.message, reasons: err.reasons });
}

export function registerDeviceApiRoutes(app: FastifyInstance, svc: Services): void {
  app.post('/api/v1/device-issues', { config: { permission: 'create:device' } }, async (request, reply) => {
    const body = parseRequestPart(issueBody, request.body, 'body');
    try {
      const issue = await issueDevice(svc, request.actor(), request.scope, {
        ...body,
        shiftEndsAt: body.shiftEndsAt ? new Date(body.shiftEndsAt).toISOString() : null,
        override: body.override ?? null,
      });
      return reply.code(201).header('location', `/api/v1/device-issues/${issue.id}`).send(issueJson(issue));
    } catch (err) {
      if (err instanceof GateRefusedError) return refused(reply, err);
      throw err;
    }
  });

  app.get('/api/v1/device-issues/:id', { config: { permission: 'read:device', params: idParams } }, async (request) => {
    const { id } = paramsOf(request, idParams);
    return issueJson(await getIssue(svc, request.scope, id));
  });

  app.post('/api/v1/device-issues/:id/return', { config: { permission: 'create:device', params: idParams } }, async (request) => {
    const { id } = paramsOf(request, idParams);
    const body = parseRequestPart(returnBody, request.body, 'body');
    return issueJson(await returnDevice(svc, request.actor(), request.scope, id, body));
  });
}

/** OpenAPI pieces for the sign-out gate, from the schemas that validate its requests. */
export function deviceOpenApi(json: (s: z.ZodType) => object) {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
  const ok = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
  const common = { '401': problem('Not signed in, or the token is not valid'), '403': problem('The account lacks the permission') };
  const [id] = pathParameters(idParams);
  const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });
  return {
    schemas: {
      DeviceIssueInput: json(issueBody),
      DeviceReturnInput: json(returnBody),
      DeviceIssue: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          deviceSerial: { type: 'string' },
          model: { type: 'string' },
          collarNumber: { type: 'string' },
          issuedAt: { type: 'string', format: 'date-time' },
          shiftEndsAt: nullable('string', { format: 'date-time' }),
          returnedAt: nullable('string', { format: 'date-time' }),
          overridden: { type: 'array', items: { type: 'string', enum: [...OVERRIDABLE_REASON_CODES] } },
          overrideReason: nullable('string'),
          cartridges: {
            type: 'array',
            items: {
              type: 'object',
              properties: { serial: { type: 'string' }, type: { type: 'string' }, outcome: nullable('string', { enum: [...CARTRIDGE_RETURNS, null] }), reportId: nullable('string') },
            },
          },
        },
      },
      GateRefusal: {
        allOf: [
          ref('Problem'),
          {
            type: 'object',
            properties: {
              reasons: {
                type: 'array',
                description: 'Every reason the gate refused, at once',
                items: { type: 'object', properties: { code: { type: 'string', enum: [...GATE_REASON_CODES] }, message: { type: 'string' } } },
              },
            },
          },
        ],
      },
    },
    paths: {
      '/api/v1/device-issues': {
        post: {
          summary: 'Issue a device and its cartridges to an officer for a shift (the sign-out gate)',
          requestBody: { required: true, content: { 'application/json': { schema: ref('DeviceIssueInput') } } },
          responses: {
            '201': ok(ref('DeviceIssue'), 'Issued'),
            '409': { description: 'Refused by the gate: every reason at once', content: { 'application/problem+json': { schema: ref('GateRefusal') } } },
            '422': problem('The request names a device, officer or field that is not valid'),
            ...common,
          },
        },
      },
      '/api/v1/device-issues/{id}': {
        get: { summary: 'An issue: the device, officer, cartridges and return', parameters: [id], responses: { '200': ok(ref('DeviceIssue')), '404': problem('No such issue'), ...common } },
      },
      '/api/v1/device-issues/{id}/return': {
        post: {
          summary: 'Take a device back: each cartridge back in store, expended (with its report) or lost',
          parameters: [id],
          requestBody: { required: true, content: { 'application/json': { schema: ref('DeviceReturnInput') } } },
          responses: { '200': ok(ref('DeviceIssue')), '404': problem('No such issue'), '409': problem('Already returned'), '422': problem('A cartridge left out, or not issued with it'), ...common },
        },
      },
    },
  };
}
