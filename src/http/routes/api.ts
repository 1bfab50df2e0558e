import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { officerFields, officerInput, OFFICER_STATUSES, RANKS, TEAM_TYPES, type Officer } from '../../domain/organisation.js';
import { ValidationError } from '../../domain/errors.js';
import { TOKEN_SCOPES } from '../../domain/api-tokens.js';
import type { Services } from '../../services/context.js';
import { createOfficer, getOfficer, listOfficers, updateOfficer } from '../../services/officers.js';
import { listBoroughs, listTeams } from '../../services/organisation.js';
import { sendProblem } from '../plugins/errors.js';
import { queryOf } from '../query.js';
import { idParams, paramsOf, pathParameters } from '../params.js';

const OFFICER_FIELDS = ['collarNumber', 'firstName', 'lastName', 'rank', 'boroughId', 'teamId', 'status', 'joinedOn', 'leftOn'] as const;

const listQuery = z.object({
  q: z.string().max(100).optional(),
  borough: z.string().optional(),
  team: z.string().optional(),
  rank: z.enum(RANKS).optional(),
  status: z.enum([...OFFICER_STATUSES, 'all']).default('active'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

function toJson(o: Officer) {
  const { forceId: _force, ...rest } = o;
  return rest;
}

/** Rejects fields the API does not know, rather than silently ignoring them. */
function checkKnownFields(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError([{ field: '(body)', message: 'Send a JSON object' }]);
  const unknown = Object.keys(body).filter((k) => !(OFFICER_FIELDS as readonly string[]).includes(k));
  if (unknown.length) throw new ValidationError(unknown.map((k) => ({ field: k, message: `Unknown field: the fields are ${OFFICER_FIELDS.join(', ')}` })));
  return body as Record<string, unknown>;
}

/**
 * The OpenAPI document's part for one area of the API (reports, training), generated from the
 * schemas that validate its requests: app.ts hands them in, so that no route module imports another.
 */
export type OpenApiPart = (json: (s: z.ZodType) => object) => { schemas: Record<string, object>; paths: Record<string, object> };

export function registerApiRoutes(app: FastifyInstance, svc: Services, parts: readonly OpenApiPart[] = []): void {
  app.get('/api/v1/officers', { config: { permission: 'read:officer', query: listQuery } }, async (request) => {
    const q = queryOf(request, listQuery);
    const r = await listOfficers(
      svc,
      request.scope,
      { q: q.q, boroughId: q.borough, teamId: q.team, rank: q.rank, status: q.status === 'all' ? undefined : q.status },
      { page: q.page, pageSize: q.pageSize },
    );
    return { data: r.officers.map(toJson), page: r.page, pageSize: r.pageSize, total: r.total, pages: r.pages };
  });

  app.get('/api/v1/officers/:id', { config: { permission: 'read:officer', params: idParams } }, async (request) => {
    const { id } = paramsOf(request, idParams);
    return toJson(await getOfficer(svc, request.scope, id));
  });

  app.post('/api/v1/officers', { config: { permission: 'create:officer' } }, async (request, reply: FastifyReply) => {
    const body = checkKnownFields(request.body);
    const officer = await createOfficer(svc, request.actor(), request.scope, body);
    return reply.code(201).header('location', `/api/v1/officers/${officer.id}`).send(toJson(officer));
  });

  app.patch('/api/v1/officers/:id', { config: { permission: 'update:officer', params: idParams } }, async (request) => {
    const { id } = paramsOf(request, idParams);
    const body = checkKnownFields(request.body);
    const current = await getOfficer(svc, request.scope, id);
    const merged = { ...officerFields(current), ...body };
    return toJson(await updateOfficer(svc, request.actor(), request.scope, id, merged));
  });

  app.get('/api/v1/boroughs', { config: { permission: 'read:team' } }, async () => ({ data: await listBoroughs(svc) }));
  app.get('/api/v1/teams', { config: { permission: 'read:team' } }, async (request) => ({ data: await listTeams(svc, request.scope) }));

  app.get('/api/openapi.json', { config: { permission: 'public' } }, async () => openApiDocument(parts));
  app.all('/api/*', { config: { permission: 'public' } }, async (request, reply) => sendProblem(reply, 404, 'Not found', `There is nothing at ${request.method} ${request.url.split('?')[0]}.`));
}

const cachedDocuments = new WeakMap<readonly OpenApiPart[], object>();

/** OpenAPI 3.1, generated from the same schemas that validate requests: the officers API's, then each part's. */
export function openApiDocument(parts: readonly OpenApiPart[]): object {
  const cached = cachedDocuments.get(parts);
  if (cached) return cached;
  const jsonSchema = (s: z.ZodType, io: 'input' | 'output' = 'input') => {
    const { $schema: _dialect, ...schema } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });
    return schema;
  };
  const officer = {
    type: 'object',
    required: ['id', ...OFFICER_FIELDS, 'createdAt', 'updatedAt'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      collarNumber: { type: 'string' },
      firstName: { type: 'string' },
      lastName: { type: 'string' },
      rank: { type: 'string', enum: [...RANKS] },
      boroughId: { type: ['string', 'null'] },
      teamId: { type: ['string', 'null'] },
      status: { type: 'string', enum: [...OFFICER_STATUSES] },
      joinedOn: { type: 'string', format: 'date' },
      leftOn: { type: ['string', 'null'], format: 'date' },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  };
  const problem = {
    type: 'object',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    },
  };
  const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
  const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
  const [idParam] = pathParameters(idParams);
  const common = { '401': problemResponse('Not signed in, or the token is not valid'), '403': problemResponse('The account lacks the permission') };
  const built = parts.map((part) => part((s) => jsonSchema(s)));
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'Cedar API',
      version: '1',
      description:
        'Cedar: the Taser programme. Authenticate with "Authorization: Bearer <token>" (an administrator creates one at /admin/tokens or with `npm run cedar -- tokens create --user EMAIL --scope SCOPE`). ' +
        `A token works on /api/v1 only, until it expires (90 days by default) or is revoked, and only within its scopes: ${TOKEN_SCOPES.join(', ')} — read for GET, write for anything else — as well as its account's roles. ` +
        'Errors are RFC 9457 problem details naming each invalid field: 401 for a missing, unknown, expired or revoked token, 403 naming a missing scope or permission.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: `An API token (cedar_…) with the scope each operation needs: ${TOKEN_SCOPES.join(', ')}.` } },
      schemas: { Officer: officer, OfficerInput: jsonSchema(officerInput), Problem: problem, ...Object.assign({}, ...built.map((b) => b.schemas)) },
    },
    paths: {
      '/api/v1/officers': {
        get: {
          summary: 'List officers (needs read:officer; borough-limited accounts see their borough only)',
          parameters: ['q', 'borough', 'team', 'rank', 'status', 'page', 'pageSize'].map((name) => ({
            name,
            in: 'query',
            required: false,
            schema: (jsonSchema(listQuery) as { properties: Record<string, object> }).properties[name],
          })),
          responses: {
            '200': json({
              type: 'object',
              properties: {
                data: { type: 'array', items: { $ref: '#/components/schemas/Officer' } },
                page: { type: 'integer' },
                pageSize: { type: 'integer' },
                total: { type: 'integer' },
                pages: { type: 'integer' },
              },
            }),
            '422': problemResponse('Invalid query'),
            ...common,
          },
        },
        post: {
          summary: 'Create an officer (needs create:officer)',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/OfficerInput' } } } },
          responses: { '201': json({ $ref: '#/components/schemas/Officer' }, 'Created'), '422': problemResponse('Invalid fields'), ...common },
        },
      },
      '/api/v1/officers/{id}': {
        get: {
          summary: 'One officer',
          parameters: [idParam],
          responses: { '200': json({ $ref: '#/components/schemas/Officer' }), '404': problemResponse('No such officer (or outside your borough)'), ...common },
        },
        patch: {
          summary: 'Change some fields of an officer (needs update:officer)',
          parameters: [idParam],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: (jsonSchema(officerInput) as { properties: object }).properties } } } },
          responses: { '200': json({ $ref: '#/components/schemas/Officer' }), '404': problemResponse('No such officer'), '422': problemResponse('Invalid fields'), ...common },
        },
      },
      '/api/v1/boroughs': { get: { summary: 'Boroughs of the force (needs read:team)', responses: { '200': json({ type: 'object' }), ...common } } },
      '/api/v1/teams': { get: { summary: `Teams (needs read:team). Types: ${TEAM_TYPES.join(', ')}`, responses: { '200': json({ type: 'object' }), ...common } } },
      ...Object.assign({}, ...built.map((b) => b.paths)),
    },
  };
  cachedDocuments.set(parts, document);
  return document;
}
