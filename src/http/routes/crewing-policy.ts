import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DEFAULT_CREWING_POLICY, type CrewingPolicy } from '../../domain/crewing/policy.js';
import { NotFoundError, ValidationError, type FieldError } from '../../domain/errors.js';
import { RANKS } from '../../domain/organisation.js';
import { can, scopeIncludes } from '../../domain/permissions.js';
import type { Services } from '../../services/context.js';
import { CrewingPolicyChangedError, getCrewingPolicies, removeBoroughCrewingPolicy, updateCrewingPolicy, type StoredCrewingPolicy } from '../../services/crewing-policy.js';
import { listBoroughs } from '../../services/organisation.js';
import { errorView, field, fieldList, formBody } from '../forms.js';
import { queryId, queryOf } from '../query.js';

/*
 * The crewing policy page (issue 14): the programme lead sets the force-wide policy and any
 * borough's own (carriers per crew, the ranks that may deploy alone, the minimum Taser-equipped
 * crews at every hour, the briefing window); everyone who reads shifts sees it. Each save is
 * audited by the service and compared with the revision the form was opened at.
 */

const policyQuery = z.object({ borough: queryId('borough'), saved: z.enum(['1', 'removed']).optional() });

interface PolicyForm {
  carriersPerCrew: string;
  soloRanks: string[];
  minimumCrews: string;
  briefingBeforeMinutes: string;
  briefingAfterMinutes: string;
}

const formOf = (p: CrewingPolicy): PolicyForm => ({
  carriersPerCrew: String(p.carriersPerCrew),
  soloRanks: [...p.soloRanks],
  minimumCrews: String(p.minimumCrews),
  briefingBeforeMinutes: String(p.briefingBeforeMinutes),
  briefingAfterMinutes: String(p.briefingAfterMinutes),
});

const href = (boroughId: string | null, extra = '') => `/crewing/policy${boroughId ? `?borough=${encodeURIComponent(boroughId)}${extra ? `&${extra}` : ''}` : extra ? `?${extra}` : ''}`;

export function registerCrewingPolicyRoutes(app: FastifyInstance, svc: Services): void {
  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    boroughId: string | null,
    extra: { form?: PolicyForm; errors?: FieldError[]; status?: number; notice?: string; stale?: string } = {},
  ) => {
    const [policies, allBoroughs] = await Promise.all([getCrewingPolicies(svc), listBoroughs(svc)]);
    const readScope = request.scope;
    const boroughs = allBoroughs.filter((b) => scopeIncludes(readScope, b.id));
    const borough = boroughId ? boroughs.find((b) => b.id === boroughId) : null;
    if (boroughId && !borough) throw new NotFoundError('Borough', boroughId);
    const stored: StoredCrewingPolicy | null = borough ? (policies.boroughs.get(borough.id) ?? null) : policies.forceWide;
    const inForce = borough ? policies.forBorough(borough.id) : (policies.forceWide ?? DEFAULT_CREWING_POLICY);
    const form = extra.form ?? formOf(inForce);
    const canManage = can(request.identity!.account.roles, 'manage:shift');
    const ev = errorView(extra.errors ?? [], { soloRanks: 'soloRanks', carriersPerCrew: 'carriersPerCrew' });
    return reply.code(extra.status ?? 200).render('pages/crewing/policy.njk', {
      title: borough ? `Crewing policy: ${borough.name}` : 'Crewing policy: the force',
      navPath: '/briefing',
      borough,
      stored,
      inForce,
      own: borough ? stored !== null : true,
      canManage,
      revision: stored ? String(stored.revision) : '',
      form,
      carriersItems: [
        { value: '1', text: 'A pair in which one officer carries', checked: form.carriersPerCrew === '1' },
        { value: '2', text: 'Both officers of a crew carry', checked: form.carriersPerCrew === '2' },
      ],
      rankItems: RANKS.map((r) => ({ value: r, text: r, checked: form.soloRanks.includes(r) })),
      scopes: [
        { text: 'The force (every borough without its own)', href: href(null), current: !borough, own: policies.forceWide !== null },
        ...boroughs.map((b) => ({ text: b.name, href: href(b.id), current: borough?.id === b.id, own: policies.boroughs.has(b.id) })),
      ],
      soloText: inForce.soloRanks.length ? inForce.soloRanks.join(', ') : 'No rank',
      ...ev,
      notice: extra.notice,
      stale: extra.stale,
    });
  };

  app.get('/crewing/policy', { config: { permission: 'read:shift', query: policyQuery } }, async (request, reply) => {
    const q = queryOf(request, policyQuery);
    const notice = q.saved === '1' ? 'The crewing policy has been saved.' : q.saved === 'removed' ? 'The borough’s own policy has been removed: the force’s policy applies there.' : undefined;
    return render(request, reply, q.borough ?? null, { notice });
  });

  app.post('/crewing/policy', { config: { permission: 'manage:shift' } }, async (request, reply) => {
    const body = formBody(request);
    const boroughId = field(body, 'borough') || null;
    const revisionText = field(body, 'revision');
    const revision = revisionText === '' ? null : /^\d{1,9}$/.test(revisionText) ? Number(revisionText) : -1;
    const form: PolicyForm = {
      carriersPerCrew: field(body, 'carriersPerCrew'),
      soloRanks: fieldList(body, 'soloRanks'),
      minimumCrews: field(body, 'minimumCrews').trim(),
      briefingBeforeMinutes: field(body, 'briefingBeforeMinutes').trim(),
      briefingAfterMinutes: field(body, 'briefingAfterMinutes').trim(),
    };
    try {
      await updateCrewingPolicy(svc, request.actor(), {
        boroughId,
        revision,
        policy: { ...form, carriersPerCrew: form.carriersPerCrew === '' ? undefined : form.carriersPerCrew },
      });
    } catch (err) {
      if (err instanceof CrewingPolicyChangedError) return render(request, reply, boroughId, { status: 409, stale: err.message, errors: [{ field: 'policy', message: err.message }] });
      if (err instanceof ValidationError) {
        const errors = err.errors.map((e) => ({ ...e, field: e.field.startsWith('soloRanks') ? 'soloRanks' : e.field }));
        return render(request, reply, boroughId, { form, errors, status: 400 });
      }
      throw err;
    }
    return reply.redirect(href(boroughId, 'saved=1'), 303);
  });

  app.post('/crewing/policy/remove', { config: { permission: 'manage:shift' } }, async (request, reply) => {
    const body = formBody(request);
    const boroughId = field(body, 'borough');
    const revisionText = field(body, 'revision');
    try {
      await removeBoroughCrewingPolicy(svc, request.actor(), boroughId, /^\d{1,9}$/.test(revisionText) ? Number(revisionText) : -1);
    } catch (err) {
      if (err instanceof CrewingPolicyChangedError) return render(request, reply, boroughId, { status: 409, stale: err.message, errors: [{ field: 'policy', message: err.message }] });
      throw err;
    }
    return reply.redirect(href(boroughId, 'saved=removed'), 303);
  });
}
