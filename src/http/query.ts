import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError, type FieldError } from '../domain/errors.js';
import { fieldErrorsFromZod } from '../domain/validation.js';
import { isApiRequest, sendProblem } from './plugins/errors.js';

/*
 * Every query string, on every route, is checked here before the route's handler runs (one
 * preHandler hook, after sign-in and permissions), as forms are:
 *
 * - A parameter given more than once (`?period=2026-27&period=2025-26`) is refused unless the
 *   route's schema says it is a list; so is a parameter name with brackets or a control
 *   character in it, a NUL or other control character in a value, a value longer than
 *   MAX_QUERY_VALUE characters, and more than MAX_QUERY_PARAMETERS parameters.
 * - A route that declares `config: { query: schema }` (a zod object) has its query parsed
 *   with it: `request.query` is replaced by the parsed value, which `queryOf` hands to the
 *   handler typed. A value the schema refuses is named (`query.period`).
 *
 * Pages answer 400 with a GOV.UK error page listing each problem; the API answers
 * problem+json naming each parameter as `query.<name>`: 400 when the query string itself is
 * malformed (a repeated parameter), 422 when a value is not valid (as for a body).
 */

/** A query string schema: an object of parameters. */
export type QuerySchema = z.ZodObject;

export const MAX_QUERY_PARAMETERS = 40;
export const MAX_QUERY_VALUE = 1000;
const MAX_NAME = 60;

/** The query string is malformed (400), or a value is not valid (422 for the API, 400 for pages). */
export class QueryError extends ValidationError {
  constructor(
    errors: FieldError[],
    readonly malformed: boolean,
  ) {
    super(errors);
    this.name = 'QueryError';
  }
}

// A NUL (PostgreSQL refuses it in text), or any other C0 control character or DEL.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const SAFE_NAME = /^[A-Za-z0-9_.-]+$/;

/** Unwraps optional, default, nullable and catch layers to see what a parameter is. */
function innerType(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodCatch) {
      s = s.unwrap() as z.ZodType;
      continue;
    }
    if (s instanceof z.ZodPipe) {
      // z.preprocess(fn, inner) and schema.transform(fn): the list-ness is the input side's, or the output's for preprocess.
      const pipe = s as unknown as { in: z.ZodType; out: z.ZodType };
      s = pipe.in instanceof z.ZodTransform ? pipe.out : pipe.in;
      continue;
    }
    break;
  }
  return s;
}

/** Whether the schema says the parameter may be repeated (a list, like checkboxes in a filter form). */
export function isListParameter(schema: QuerySchema | undefined, name: string): boolean {
  const field = schema?.shape[name] as z.ZodType | undefined;
  return field !== undefined && innerType(field) instanceof z.ZodArray;
}

const quoted = (name: string) => (name.length > 30 ? `${name.slice(0, 30)}…` : name);
const printable = (name: string) => quoted(name.replace(CONTROL, '?'));

/**
 * Checks a query string as the parser gave it (a value is a string, or an array when the
 * parameter was repeated) against the generic rules and the route's schema. Pure: returns
 * the parsed query, or throws a QueryError naming each parameter.
 */
export function checkQuery(raw: unknown, schema?: QuerySchema): Record<string, unknown> {
  const query = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const names = Object.keys(query);
  const errors: FieldError[] = [];
  if (names.length > MAX_QUERY_PARAMETERS) {
    throw new QueryError([{ field: 'query', message: `The address has ${names.length} parameters: at most ${MAX_QUERY_PARAMETERS} are read` }], true);
  }
  const normalised: Record<string, unknown> = {};
  for (const name of names) {
    // No route reads it, and as a key of a plain object it would set the prototype.
    if (name === '__proto__') continue;
    const value = query[name];
    if (name.length > MAX_NAME || !SAFE_NAME.test(name)) {
      errors.push({ field: `query.${printable(name)}`, message: `The address has a parameter "${printable(name)}" that Cedar does not use: remove it` });
      continue;
    }
    const field = `query.${name}`;
    const list = isListParameter(schema, name);
    const values = Array.isArray(value) ? value : [value];
    if (!list && values.length > 1) {
      errors.push({ field, message: `The address gives ${name} ${values.length} times: give it once` });
      continue;
    }
    const bad = values.find((v) => typeof v !== 'string' || CONTROL.test(v));
    if (bad !== undefined) {
      errors.push({ field, message: `${name} contains a character that cannot be used (a control character such as NUL): remove it` });
      continue;
    }
    const long = (values as string[]).find((v) => v.length > MAX_QUERY_VALUE);
    if (long !== undefined) {
      errors.push({ field, message: `${name} is too long (${long.length.toLocaleString('en-GB')} characters): it can be at most ${MAX_QUERY_VALUE.toLocaleString('en-GB')}` });
      continue;
    }
    normalised[name] = list ? values : values[0];
  }
  if (errors.length) throw new QueryError(errors, true);
  if (!schema) return normalised;
  const parsed = schema.safeParse(normalised);
  if (!parsed.success) {
    throw new QueryError(
      fieldErrorsFromZod(parsed.error).map((e) => ({ field: e.field === '(input)' ? 'query' : `query.${e.field}`, message: e.message })),
      false,
    );
  }
  return parsed.data as Record<string, unknown>;
}

const parsedWith = new WeakMap<FastifyRequest, QuerySchema>();

/**
 * The route's query, parsed with its schema: what the hook already parsed when the route
 * declares this schema, else parsed now (a QueryError when it does not fit).
 */
export function queryOf<S extends QuerySchema>(request: FastifyRequest, schema: S): z.output<S> {
  if (parsedWith.get(request) === schema) return request.query as z.output<S>;
  const value = checkQuery(request.query, schema);
  parsedWith.set(request, schema);
  request.query = value;
  return value as z.output<S>;
}

/** The 400 page, or problem+json for the API. */
export function sendQueryError(request: FastifyRequest, reply: FastifyReply, err: QueryError) {
  if (isApiRequest(request)) {
    return err.malformed
      ? sendProblem(reply, 400, 'Bad query string', `${err.errors.length} query parameter(s) are malformed: ${err.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`, err.errors)
      : sendProblem(reply, 422, 'Invalid input', `${err.errors.length} field(s) are invalid.`, err.errors);
  }
  const path = request.url.split('?')[0] ?? '/';
  return reply.code(400).render('pages/query-error.njk', {
    title: 'There is a problem with the web address',
    problems: err.errors.map((e) => ({ parameter: e.field.replace(/^query\.?/, '') || 'the query string', message: e.message })),
    // The same page without its query string: a safe, same-site path (the route matched it).
    retryHref: path.startsWith('/') && !path.startsWith('//') ? path : '/',
  });
}

/** Installs the hook: after sign-in and permission checks, before every handler. */
export function installQueryValidation(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    // The not-found page reads no query; a response already sent (a redirect to sign in) is left alone.
    if (reply.sent || request.is404) return;
    const schema = request.routeOptions.config?.query;
    try {
      request.query = checkQuery(request.query, schema);
      if (schema) parsedWith.set(request, schema);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      return sendQueryError(request, reply, err);
    }
  });
}

// Parameters -------------------------------------------------------------------------------

/** A blank parameter (`?borough=` from a filter's "all" choice) counts as not given. */
const blankIsMissing = (v: unknown) => (v === '' ? undefined : v);

/** Free text (a search, a period typed in a box): at most `max` characters. */
export const queryText = (name: string, max = 100) => z.string().trim().max(max, `${name} can be at most ${max} characters`).optional();

/** An id or code chosen from a list (a borough, a course): checked against the list by the page. */
export const queryId = (name: string) => z.preprocess(blankIsMissing, z.string().trim().max(100, `${name} is not an id Cedar uses`).optional());

/** One of a fixed set of words; blank counts as not given. */
export const queryChoice = <const T extends readonly [string, ...string[]]>(name: string, values: T) =>
  z.preprocess(blankIsMissing, z.enum(values, { error: `${name} must be one of: ${values.join(', ')}` }).optional());

/** A whole number in a range (a page number); blank counts as not given. */
export const queryWholeNumber = (name: string, min: number, max: number) =>
  z.preprocess(
    blankIsMissing,
    z.coerce
      .number({ error: `${name} must be a whole number` })
      .int(`${name} must be a whole number`)
      .min(min, `${name} must be ${min} or more`)
      .max(max, `${name} must be ${max.toLocaleString('en-GB')} or less`)
      .optional(),
  );

/** `?page=`: a page of a list. */
export const queryPage = queryWholeNumber('page', 1, 100_000);

/** `?notice=`: which fixed success message to show after a redirect (never echoed). */
export const queryNotice = z.string().max(60, 'notice is not a message Cedar shows').optional();
