import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { can, scopeForAny, scopeIncludes, type Permission } from '../../domain/permissions.js';
import { ValidationError, type FieldError } from '../../domain/errors.js';
import type { Services } from '../../services/context.js';
import { earlyWarning, officerEarlyWarning, type EarlyWarningResult, type OfficerEarlyWarning } from '../../services/early-warning.js';
import { errorView, paginationView } from '../forms.js';
import { queryOf, queryPage, queryText } from '../query.js';
import { formatNumber, plural } from '../views.js';
import type { Identity } from '../types.js';

/*
 * Early warning (issue 14): Taser uses per 100 shifts of each officer beside their borough's
 * median, to support early intervention. Never public.
 *
 * Who: those who may read use-of-force reports (`read:report`: supervisors and borough
 * commanders for their borough, professional standards for the force) — the figures are drawn
 * from those reports, officer by officer, so they see nothing they could not already read — and
 * the programme lead (`manage:uplift`, held by the programme lead alone), who runs the programme.
 * `read:officer` would have shown them to armourers and administrators too, who may not read
 * reports. A borough-scoped person sees the officers of their borough.
 */
export const EARLY_WARNING_PERMISSIONS: readonly [Permission, ...Permission[]] = ['read:report', 'manage:uplift'];

/** Whether a person may open the early warning page. */
export const mayOpenEarlyWarning = (identity: Identity) => scopeForAny(identity.account.roles, EARLY_WARNING_PERMISSIONS) !== null;

/** Whether a person may see early warning for an officer of this borough. */
export function mayReadEarlyWarning(identity: Identity, boroughId: string | null): boolean {
  const scope = scopeForAny(identity.account.roles, EARLY_WARNING_PERMISSIONS);
  return scope !== null && scopeIncludes(scope, boroughId);
}

const query = z.object({ from: queryText('from', 10), to: queryText('to', 10), page: queryPage });

const oneDecimal = (x: number) => x.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
export const rateText = (rate: number | null) => (rate === null ? null : oneDecimal(rate));

function listView(r: EarlyWarningResult, boroughName: (id: string | null) => string, officerLinks: boolean) {
  return {
    rows: r.officers.map((o) => ({
      name: `${o.firstName} ${o.lastName}`,
      collarNumber: o.collarNumber,
      href: officerLinks ? `/officers/${o.officerId}` : null,
      borough: boroughName(o.boroughId),
      shifts: formatNumber(o.shifts),
      uses: formatNumber(o.uses),
      comparable: o.rate !== null,
      rate: rateText(o.rate),
      median: rateText(o.boroughMedian) ?? '–',
      above: o.rate !== null && o.boroughMedian !== null && o.rate > o.boroughMedian,
    })),
    boroughs: r.boroughs.map((b) => [b.name, plural(b.officers, 'officer'), rateText(b.median) ?? 'None with enough shifts']),
  };
}

/** The officer profile's figures, or null when the person may not see them. */
export async function officerEarlyWarningFor(
  svc: Services,
  identity: Identity,
  officer: { id: string; boroughId: string | null },
): Promise<(OfficerEarlyWarning & { rateText: string | null; medianText: string | null }) | null> {
  if (!mayReadEarlyWarning(identity, officer.boroughId)) return null;
  const ew = await officerEarlyWarning(svc, officer);
  return { ...ew, rateText: rateText(ew.rate), medianText: rateText(ew.boroughMedian) };
}

export function registerEarlyWarningRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/officers/early-warning', { config: { permission: EARLY_WARNING_PERMISSIONS, query } }, async (request, reply) => {
    const q = queryOf(request, query);
    let errors: FieldError[] = [];
    let result: EarlyWarningResult;
    try {
      result = await earlyWarning(svc, request.scope, { from: q.from, to: q.to, page: q.page });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      errors = err.errors;
      result = await earlyWarning(svc, request.scope, { page: 1 });
    }
    const names = new Map(result.boroughs.map((b) => [b.id, b.name]));
    const roles = request.identity!.account.roles;
    const keep = errors.length ? {} : Object.fromEntries(Object.entries({ from: q.from, to: q.to }).filter(([, v]) => v));
    return reply.code(errors.length ? 400 : 200).render('pages/officers/early-warning.njk', {
      title: 'Early warning: Taser uses per 100 shifts',
      backLink: '/officers',
      result,
      values: { from: errors.length ? (q.from ?? '') : result.from, to: errors.length ? (q.to ?? '') : result.to },
      scoped: !request.scope.all,
      view: listView(result, (id) => names.get(id) ?? (id === null ? 'Force-wide units' : ''), can(roles, 'read:officer')),
      pagination: paginationView('/officers/early-warning', keep, result.page, result.pages),
      ...errorView(errors),
    });
  });
}
