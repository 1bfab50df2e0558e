import type { Account } from '../domain/accounts.js';
import type { TokenScope } from '../domain/api-tokens.js';
import type { Permission, Scope } from '../domain/permissions.js';
import type { Actor } from '../services/context.js';
import type { ParamsSchema } from './params.js';
import type { QuerySchema } from './query.js';

/**
 * What a route needs: anyone, any signed-in person, one permission from the table, or any
 * one of several (a report page opens for its author and for readers in its borough).
 */
export type RoutePermission = 'public' | 'signed-in' | Permission | readonly [Permission, ...Permission[]];

export interface Identity {
  account: Account;
  via: 'session' | 'token';
  sessionId: string | null;
  csrfToken: string | null;
  /** What an API token may be used for (tokens only). */
  tokenScopes?: readonly TokenScope[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RoutePermission;
    /** Pages a person who must change their password may still open. */
    allowWithPendingPasswordChange?: boolean;
    /**
     * A public page that is the same for everyone: no session is looked up and no cookie is
     * set, so it can be served from a cache (the transparency pages).
     */
    stateless?: boolean;
    /** The query string's parameters: parsed before the handler (see query.ts); a value that does not fit is a 400. */
    query?: QuerySchema;
    /** The path's parameters: parsed before the handler (see params.ts); a word outside its set is a 404. */
    params?: ParamsSchema;
  }
  interface FastifyInstance {
    /** A public page as text, the same for everyone: no identity, no CSRF token, no CSP nonce. */
    renderPublic(view: string, context?: Record<string, unknown>): string;
  }
  interface FastifyRequest {
    identity: Identity | null;
    /** The scope the route's permission grants (all records, or some boroughs). */
    scope: Scope;
    /** CSRF token to put in forms: the session's, or the pre-sign-in cookie's. */
    csrfToken: string;
    /** The session cookie's token when it names a session that has ended (or is unknown). */
    endedSessionToken: string | null;
    actor(): Actor;
  }
  interface FastifyReply {
    render(view: string, context?: Record<string, unknown>): FastifyReply;
  }
}
