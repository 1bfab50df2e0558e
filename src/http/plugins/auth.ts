import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { scopesNeeded } from '../../domain/api-tokens.js';
import { scopeForAny, type Permission } from '../../domain/permissions.js';
import { ENDED_SESSION_KEPT_HOURS, KEPT_FORM_MINUTES, keepForm, resolveApiToken, resolveSession, tokensEqual } from '../../services/accounts.js';
import { formBody, safeNext } from '../forms.js';
import { QueryError, sendQueryError } from '../query.js';
import type { Services } from '../../services/context.js';
import type { RoutePermission } from '../types.js';
import { sendProblem, isApiRequest } from './errors.js';

export const SESSION_COOKIE = 'cedar_session';
export const PRE_AUTH_CSRF_COOKIE = 'cedar_csrf';
export interface DeclaredRoute {
  method: string;
  url: string;
  permission: RoutePermission;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every registered route with the permission it declared. */
    routeTable: DeclaredRoute[];
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function cookieOptions(config: Config, request: FastifyRequest) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.secureCookies || request.protocol === 'https',
  };
}

/** The session cookie outlives the session by ENDED_SESSION_KEPT_HOURS, so a late form can be tied to its account. */
export function sessionCookieOptions(config: Config, request: FastifyRequest) {
  return { ...cookieOptions(config, request), maxAge: (config.sessionHours + ENDED_SESSION_KEPT_HOURS) * 3600 };
}

/**
 * Every route must declare a permission (`config.permission`): registering one without
 * fails at start. Each request is then identified (API token or session cookie), checked
 * against the route's permission, and for state-changing requests made with a session,
 * checked for a CSRF token.
 */
export function installAuth(app: FastifyInstance, svc: Services, config: Config): void {
  refuseNulBytes(app);
  const routes: DeclaredRoute[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (!permission) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no permission: add config: { permission: ... }`);
    }
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url, permission });
  });

  app.decorateRequest('identity', null);
  app.decorateRequest('scope', null as never);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('endedSessionToken', null);
  app.decorateRequest('actor', function (this: FastifyRequest) {
    const acc = this.identity?.account;
    return acc ? { userId: acc.id, label: acc.email, grants: acc.roles, officerId: acc.officerId } : { userId: null, label: `anonymous@${this.ip}`, grants: [] };
  });

  app.addHook('onRequest', async (request, reply) => {
    // Static files and the public transparency pages need no identity, and set no cookie.
    if (isSharedPublic(request)) return;
    // An API token identifies a caller on the JSON API only. Anywhere else it is not an
    // identity at all: the request is signed out (or uses its session, with CSRF checked).
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer !== undefined && isTokenRoute(request)) {
      const resolved = await resolveApiToken(svc, bearer);
      if (!resolved) return sendProblem(reply, 401, 'Unauthorised', 'The API token is not valid: it is unknown, has expired or been revoked, or its account is disabled.');
      request.identity = { account: resolved.account, via: 'token', sessionId: null, csrfToken: null, tokenScopes: resolved.scopes };
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const session = await resolveSession(svc, token);
      if (session) {
        request.identity = { account: session.account, via: 'session', sessionId: session.sessionId, csrfToken: session.csrfToken };
        request.csrfToken = session.csrfToken;
        if (session.renewed) reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(config, request));
        return;
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      request.endedSessionToken = token;
    }
    // Signed out: a double-submit cookie protects the sign-in form itself.
    let pre = request.cookies[PRE_AUTH_CSRF_COOKIE];
    if (!pre || pre.length < 20) {
      pre = randomBytes(24).toString('base64url');
      reply.setCookie(PRE_AUTH_CSRF_COOKIE, pre, cookieOptions(config, request));
    }
    request.csrfToken = pre;
  });

  // Nothing a person sees signed in, nothing from the API, and no page carrying a CSRF token
  // may be kept by a browser or a shared cache; public pages and assets set their own caching.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!isSharedPublic(request)) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.addHook('preHandler', async (request, reply) => {
    if (request.is404) return; // the not-found page is open to all and changes nothing
    const cfg = request.routeOptions.config;
    const permission = cfg?.permission;
    if (!permission) return sendProblem(reply, 500, 'Internal error', 'This route has no permission.');

    const identity = request.identity;
    if (!identity && permission !== 'public') {
      if (isApiRequest(request)) return sendProblem(reply, 401, 'Unauthorised', 'Sign in, or send an API token as "Authorization: Bearer <token>".');
      if (request.method === 'GET') return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
      return keepFormAndSignIn(svc, config, request, reply);
    }
    if (!SAFE_METHODS.has(request.method) && identity?.via !== 'token' && !csrfTokenMatches(request)) {
      return denied(reply, request, 403, 'Your form has expired', 'The page you submitted was out of date or did not come from Cedar. Go back, reload the page and try again.');
    }
    if (permission === 'public' || !identity) {
      request.scope = { all: true };
      return;
    }
    if (identity.account.mustChangePassword && !cfg.allowWithPendingPasswordChange) {
      if (isApiRequest(request)) return sendProblem(reply, 403, 'Password change required', 'This account must change its password before using Cedar.');
      return reply.redirect('/account/password', 303);
    }
    const needed: readonly Permission[] = permission === 'signed-in' ? [] : typeof permission === 'string' ? [permission] : permission;
    if (identity.via === 'token') {
      // A token needs the scope for what the route is about, as well as the account's roles.
      const scopes = scopesNeeded(needed, request.method);
      if (!scopes.some((s) => identity.tokenScopes?.includes(s))) {
        const detail = scopes.length ? `This API token does not have the scope ${scopes.join(' or ')}. Ask an administrator for a token with it.` : 'API tokens cannot be used here.';
        return sendProblem(reply, 403, 'Missing scope', detail);
      }
    }
    if (permission === 'signed-in') {
      request.scope = { all: true };
      return;
    }
    const scope = scopeForAny(identity.account.roles, needed);
    if (!scope)
      return denied(
        reply,
        request,
        403,
        'You do not have access to this page',
        `Your roles do not include permission to ${needed.map((p) => p.replace(':', ' ').replace('_', ' ')).join(' or ')} records.`,
      );
    request.scope = scope;
  });
}

export const KEPT_FORM_COOKIE = 'cedar_kept';

/**
 * A form sent after its session ended (a page left open too long): rather than lose what was
 * typed, keep it — for the ended session's account, without passwords or the CSRF token — and
 * send the person to sign in; afterwards /account/kept-answers offers to send it again, where
 * the form's own route checks it as usual. Only a form posted from one of Cedar's own pages is
 * kept (the browser says so in Sec-Fetch-Site or Origin), so another site cannot plant answers.
 */
async function keepFormAndSignIn(svc: Services, config: Config, request: FastifyRequest, reply: FastifyReply) {
  const returnTo = formPage(request);
  const signIn = `/sign-in${returnTo === '/' ? '' : `?next=${encodeURIComponent(returnTo)}`}`;
  const isForm = String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  if (!request.endedSessionToken || request.method !== 'POST' || !isForm || !fromThisSite(request)) return reply.redirect(signIn, 303);
  const fields: [string, string][] = [];
  for (const [name, value] of Object.entries(formBody(request))) {
    if (name === '_csrf' || /password/i.test(name) || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) fields.push([name, v]);
  }
  const key = await keepForm(svc, request.endedSessionToken, { action: request.url, returnTo, fields });
  if (!key) return reply.redirect(signIn, 303);
  reply.setCookie(KEPT_FORM_COOKIE, key, { ...cookieOptions(config, request), maxAge: KEPT_FORM_MINUTES * 60 });
  return reply.redirect(`${signIn}${signIn.includes('?') ? '&' : '?'}kept=1`, 303);
}

/** Whether the browser says the request came from one of this site's own pages. */
function fromThisSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  return typeof origin === 'string' && originOf(origin) === originOf(`${request.protocol}://${request.host}`);
}

/** The page a form was on (its Referer, when on this site), else Home. */
function formPage(request: FastifyRequest): string {
  const referer = request.headers.referer;
  if (typeof referer !== 'string' || originOf(referer) !== originOf(`${request.protocol}://${request.host}`)) return '/';
  const url = new URL(referer);
  return safeNext(`${url.pathname}${url.search}`);
}

/** An address's origin, normalised (default ports dropped, case folded); null when it is not one. */
function originOf(address: string): string | null {
  try {
    const origin = new URL(address).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** The JSON API's routes, where (and only where) an API token is accepted. */
function isTokenRoute(request: FastifyRequest): boolean {
  return request.routeOptions.url?.startsWith('/api/v1/') === true && request.url.startsWith('/api/v1/');
}

/** Static files and the public transparency pages: the same for everyone, cacheable, no identity looked up. */
function isSharedPublic(request: FastifyRequest): boolean {
  const cfg = request.routeOptions.config;
  return cfg?.permission === 'public' && (request.url.startsWith('/assets/') || cfg.stateless === true);
}

/** Session requests carry the session's token; signed-out forms the double-submit cookie's. */
function csrfTokenMatches(request: FastifyRequest): boolean {
  const body = request.body as Record<string, unknown> | undefined;
  const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? request.headers['x-csrf-token'];
  const expected = request.identity?.csrfToken ?? request.cookies[PRE_AUTH_CSRF_COOKIE];
  return typeof sent === 'string' && !!expected && tokensEqual(sent, expected);
}

function denied(reply: FastifyReply, request: FastifyRequest, status: number, title: string, detail: string) {
  if (isApiRequest(request)) return sendProblem(reply, status, title, detail);
  return reply.code(status).render('pages/error.njk', { title, detail, status });
}

/**
 * A NUL character is never part of anything Cedar stores, and PostgreSQL refuses it in text
 * (a 500). Refuse it at the edge, before any lookup: in the address (path or query, raw or
 * percent-encoded) and, once parsed, in form and JSON bodies; the answer says where it was.
 */
export function refuseNulBytes(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const url = request.url;
    if (!/%00|\0/i.test(url)) return;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (/%00|\0/i.test(path)) return refuse(request, reply, 'the path', ['path']);
    const names: string[] = [];
    for (const part of url.slice(q + 1).split('&')) {
      if (!/%00|\0/i.test(part)) continue;
      const name = part.split('=')[0] ?? '';
      names.push(/%00|\0/i.test(name) ? '(a parameter name)' : safeDecode(name).slice(0, 50));
    }
    // The same answer as any other malformed query string: the page naming each parameter.
    return sendQueryError(
      request,
      reply,
      new QueryError(
        names.map((n) => ({ field: `query.${n}`, message: 'Remove the NUL character (%00): Cedar does not accept it anywhere in a request' })),
        true,
      ),
    );
  });
  app.addHook('preValidation', async (request, reply) => {
    const at = nulAt(request.body, '');
    if (at !== undefined) return refuse(request, reply, at ? `field ${at}` : 'the body', [at ? `body.${at}` : 'body']);
  });

  /** A 400 saying where the NUL was; the API's answer names each field (`query.q`, `body.name`) like its other errors. */
  function refuse(request: FastifyRequest, reply: FastifyReply, where: string, fields: string[]) {
    const detail = `Cedar does not accept a NUL character (%00) anywhere in a request: remove it from ${where}.`;
    if (isApiRequest(request))
      return sendProblem(
        reply,
        400,
        'Bad request',
        detail,
        fields.map((field) => ({ field, message: 'Remove the NUL character (%00)' })),
      );
    return reply.code(400).render('pages/error.njk', { status: 400, title: 'There is a problem with what you sent', detail });
  }
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

/** Where a NUL character is in a parsed body (a dotted path; '' for the body itself), or undefined. */
function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path : undefined;
  // Bytes (a CSV body, an uploaded file) are checked by what reads them: a CSV reader names the
  // line and column of a NUL, and a workbook holds zero bytes of its own. Walked here as an
  // object, a 14 MB roster was 14 million [index, byte] pairs: 2.4 GB and 40 s of a 12 s import.
  if (ArrayBuffer.isView(value)) return undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const at = nulAt(v, path ? `${path}.${i}` : String(i));
      if (at !== undefined) return at;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\0')) return path ? `${path}.(a field name)` : '(a field name)';
      const at = nulAt(v, path ? `${path}.${k}` : k);
      if (at !== undefined) return at;
    }
  }
  return undefined;
}
