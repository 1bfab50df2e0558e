import { z } from 'zod';
import { PERMISSION_TABLE, type Permission, type Resource, type RoleGrant } from './permissions.js';

/**
 * What an API token may be used for. A token works only on the JSON API (`/api/v1`); each
 * request needs the scope for the resource its route's permission is about — `:read` for
 * GET and HEAD, `:write` for anything else — and the token's account must hold the
 * permission too. Account management (and the audit log) is never grantable: no resource
 * outside this table can be reached with a token.
 */
export const SCOPE_RESOURCES = {
  officers: ['officer'],
  organisation: ['team', 'borough'],
  reports: ['report', 'referral'],
  training: ['training'],
  devices: ['device'],
  shifts: ['shift'],
} as const satisfies Record<string, readonly Resource[]>;
export type ScopeResource = keyof typeof SCOPE_RESOURCES;

/** Every scope a token can hold: the ones the API's routes need (a test checks it against them). */
export const TOKEN_SCOPES = [
  'officers:read',
  'officers:write',
  'organisation:read',
  'reports:read',
  'reports:write',
  'training:read',
  'training:write',
  'devices:read',
  'devices:write',
  'shifts:write',
] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const SCOPE_LABELS: Record<TokenScope, string> = {
  'officers:read': 'Read officers and their authority to carry',
  'officers:write': 'Add and change officers',
  'organisation:read': 'Read boroughs and teams',
  'reports:read': 'Read use-of-force reports and incidents',
  'reports:write': 'Record, submit, amend, review and sign off reports, and record referral outcomes',
  'training:read': 'Read courses and sessions',
  'training:write': 'Import training records',
  'devices:read': 'Read device sign-outs',
  'devices:write': 'Issue devices and take them back (the sign-out gate)',
  'shifts:write': 'Import duty rosters (shifts)',
};

export const isTokenScope = (s: string): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s);

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 366;

function scopeResourceOf(resource: Resource): ScopeResource | undefined {
  return (Object.keys(SCOPE_RESOURCES) as ScopeResource[]).find((k) => (SCOPE_RESOURCES[k] as readonly Resource[]).includes(resource));
}

/**
 * The scopes a request to a route needs: one of these (a route open to several permissions
 * may name several resources). Empty when a token cannot be used there at all.
 */
export function scopesNeeded(permissions: readonly Permission[], method: string): TokenScope[] {
  const kind = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
  const out = new Set<TokenScope>();
  for (const p of permissions) {
    const resource = scopeResourceOf(p.split(':')[1] as Resource);
    const scope = resource && `${resource}:${kind}`;
    if (scope && isTokenScope(scope)) out.add(scope);
  }
  return [...out];
}

/**
 * The scopes an account's roles can use: reading a resource needs any permission on it (an
 * officer reads their own reports through `create:report`), writing one any permission other
 * than `read`.
 */
export function scopesForRoles(grants: readonly RoleGrant[]): TokenScope[] {
  const roles = new Set(grants.map((g) => g.role));
  return TOKEN_SCOPES.filter((scope) => {
    const [resource, kind] = scope.split(':') as [ScopeResource, 'read' | 'write'];
    const resources: readonly Resource[] = SCOPE_RESOURCES[resource];
    return PERMISSION_TABLE.some(([role, action, res]) => roles.has(role) && resources.includes(res) && (kind === 'read' || action !== 'read'));
  });
}

export const tokenInput = z.object({
  name: z.string({ error: 'Enter a name for the token' }).trim().min(1, 'Enter a name for the token, saying what uses it').max(100, 'The name must be 100 characters or fewer'),
  scopes: z
    .array(z.string())
    .optional()
    .superRefine((list, ctx) => {
      if (!list) return;
      if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'Select at least one scope' });
      for (const s of list) {
        if (!isTokenScope(s)) ctx.addIssue({ code: 'custom', message: `Unknown scope ${s}: the scopes are ${TOKEN_SCOPES.join(', ')} (account management cannot be granted to a token)` });
      }
    })
    .transform((list) => (list ? [...new Set(list)].filter(isTokenScope) : undefined)),
  expiresInDays: z.coerce
    .number({ error: `Enter the number of days the token lasts, from 1 to ${MAX_TOKEN_DAYS}` })
    .int(`Enter a whole number of days, from 1 to ${MAX_TOKEN_DAYS}`)
    .min(1, `A token lasts at least 1 day`)
    .max(MAX_TOKEN_DAYS, `A token lasts at most ${MAX_TOKEN_DAYS} days: make a new one when it ends`)
    .default(DEFAULT_TOKEN_DAYS),
});

export type TokenStatus = 'active' | 'expired' | 'revoked';

export function tokenStatus(t: { revokedAt: string | null; expiresAt: string | null }, now: Date): TokenStatus {
  if (t.revokedAt) return 'revoked';
  if (!t.expiresAt || t.expiresAt <= now.toISOString()) return 'expired';
  return 'active';
}
