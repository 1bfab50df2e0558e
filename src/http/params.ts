import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isApiRequest, sendProblem } from './plugins/errors.js';

/*
 * The parameters in a route's path (`/reports/:id/sections/:key`), checked as query strings are
 * (query.ts): a route declares `config: { params: schema }` (a zod object) and its handler reads
 * them typed with `paramsOf(request, schema)`. One preHandler hook, after sign-in, permissions
 * and the query string, parses them before the handler runs.
 *
 * - An id is any text: the service looks it up and answers 404 naming what was not found
 *   ("Report abc was not found"), on a page or as problem+json. (A NUL in the path never gets
 *   here: the auth plugin refuses it first.)
 * - A word from a fixed set (a report's section, an authority change) that is not one of them
 *   is the ordinary 404: the not-found page, or for the API a problem+json 404 with the
 *   schema's message.
 */

/** A path's parameters: an object of strings. */
export type ParamsSchema = z.ZodObject;

/** An id in the path: looked up by the service, which says when it names nothing. */
export const paramId = z.string();

/** `/…/:id`. */
export const idParams = z.object({ id: paramId });

/** One of a fixed set of words in the path; `what` names it in the API's 404 ("Section x was not found"). */
export const paramChoice = <const T extends string>(what: string, values: readonly T[]) => z.enum(values as readonly [T, ...T[]], { error: (issue) => `${what} ${String(issue.input)} was not found` });

const parsedWith = new WeakMap<FastifyRequest, ParamsSchema>();

/** The route's path parameters, as its `config.params` schema parsed them. */
export function paramsOf<S extends ParamsSchema>(request: FastifyRequest, schema: S): z.output<S> {
  if (parsedWith.get(request) !== schema) throw new Error(`${request.routeOptions.url ?? request.url} reads path parameters with a schema it does not declare as config.params`);
  return request.params as z.output<S>;
}

/** Installs the hook: after sign-in, permission and query string checks, before every handler. */
export function installParamsValidation(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    if (reply.sent || request.is404) return;
    const schema = request.routeOptions.config?.params;
    if (!schema) return;
    const parsed = schema.safeParse(request.params ?? {});
    if (parsed.success) {
      request.params = parsed.data;
      parsedWith.set(request, schema);
      return;
    }
    if (isApiRequest(request)) return sendProblem(reply, 404, 'Not found', parsed.error.issues[0]?.message ?? `There is nothing at ${request.method} ${request.url.split('?')[0]}.`);
    return reply.callNotFound();
  });
}

/** OpenAPI path parameters from a params schema: each required, typed as the schema says. */
export function pathParameters(schema: ParamsSchema): { name: string; in: 'path'; required: true; schema: object }[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, object> };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { $schema: _dialect, ...rest } = s as Record<string, unknown>;
    return { name, in: 'path', required: true, schema: rest };
  });
}
