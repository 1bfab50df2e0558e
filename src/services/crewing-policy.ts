import * as org from '../db/repositories/organisation.js';
import * as repo from '../db/repositories/shifts.js';
import type { StoredCrewingPolicy } from '../db/repositories/shifts.js';
import { crewingPolicyInput, effectivePolicy, samePolicy, type CrewingPolicy } from '../domain/crewing/policy.js';
import { NotFoundError, WorkflowError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';

/*
 * The crewing policy (issue 14): configuration the programme lead keeps (the route declares the
 * permission), force-wide with an override per borough. Each change is audited with what it was
 * before, and is a compare-and-set on the revision the person saw: a stale form is told, never
 * stored over someone else's change.
 */

export type { StoredCrewingPolicy };

export interface CrewingPolicies {
  /** The force-wide policy as stored, or null while the defaults apply. */
  forceWide: StoredCrewingPolicy | null;
  /** Boroughs' overrides, by borough id. */
  boroughs: ReadonlyMap<string, StoredCrewingPolicy>;
  /** The policy in force for a borough (its override, the force-wide policy, or the defaults). */
  forBorough(boroughId: string): CrewingPolicy;
}

export async function getCrewingPolicies(svc: Services): Promise<CrewingPolicies> {
  const force = await getForce(svc);
  const stored = await repo.listCrewingPolicies(svc.database.db, force.id);
  const forceWide = stored.find((p) => p.boroughId === null) ?? null;
  const boroughs = new Map(stored.filter((p) => p.boroughId !== null).map((p) => [p.boroughId!, p]));
  return { forceWide, boroughs, forBorough: (id) => effectivePolicy(forceWide, boroughs.get(id) ?? null) };
}

/** Someone else saved the policy since the person opened it. */
export class CrewingPolicyChangedError extends WorkflowError {
  constructor(where: string) {
    super(`The crewing policy for ${where} was changed by someone else a moment ago: nothing you sent was saved. Look at it again, then make your change.`);
    this.name = 'CrewingPolicyChangedError';
  }
}

export interface CrewingPolicyUpdate {
  /** null: the force-wide policy; else the borough whose override this is. */
  boroughId: string | null;
  /** The revision the person saw; null when nothing was stored for the scope (the defaults, or the force-wide policy, applied). */
  revision: number | null;
  policy: unknown;
}

const policyJson = (p: CrewingPolicy) => ({
  carriersPerCrew: p.carriersPerCrew,
  soloRanks: [...p.soloRanks],
  minimumCrews: p.minimumCrews,
  briefingBeforeMinutes: p.briefingBeforeMinutes,
  briefingAfterMinutes: p.briefingAfterMinutes,
});

/** Sets the force-wide policy or a borough's override. Validation errors name the field; a stale revision is refused. */
export async function updateCrewingPolicy(svc: Services, actor: Actor, input: CrewingPolicyUpdate): Promise<StoredCrewingPolicy> {
  const policy: CrewingPolicy = parseInput(crewingPolicyInput, input.policy);
  const force = await getForce(svc);
  let where = 'the force';
  if (input.boroughId !== null) {
    const borough = await org.findBorough(svc.database.db, input.boroughId);
    if (!borough || borough.forceId !== force.id) throw new NotFoundError('Borough', input.boroughId);
    where = borough.name;
  }
  return change(svc, actor, async (trx, audit) => {
    const current = (await repo.listCrewingPolicies(trx, force.id)).find((p) => p.boroughId === input.boroughId) ?? null;
    if ((current?.revision ?? null) !== input.revision) throw new CrewingPolicyChangedError(where);
    if (current && samePolicy(current, policy)) return current;
    const at = svc.now().toISOString();
    if (!(await repo.saveCrewingPolicy(trx, force.id, input.boroughId, input.revision, policy, actor.label, at))) throw new CrewingPolicyChangedError(where);
    await audit({
      action: 'crewing_policy.update',
      entityType: 'crewing_policy',
      entityId: input.boroughId,
      summary: { scope: input.boroughId === null ? 'force' : 'borough', borough: input.boroughId === null ? null : where, before: current ? policyJson(current) : null, after: policyJson(policy) },
    });
    const saved = (await repo.listCrewingPolicies(trx, force.id)).find((p) => p.boroughId === input.boroughId);
    return saved!;
  });
}

/** Removes a borough's override: the force-wide policy applies to it again. */
export async function removeBoroughCrewingPolicy(svc: Services, actor: Actor, boroughId: string, revision: number): Promise<void> {
  const force = await getForce(svc);
  const borough = await org.findBorough(svc.database.db, boroughId);
  if (!borough || borough.forceId !== force.id) throw new NotFoundError('Borough', boroughId);
  await change(svc, actor, async (trx, audit) => {
    const current = (await repo.listCrewingPolicies(trx, force.id)).find((p) => p.boroughId === boroughId);
    if (!current) throw new NotFoundError('Crewing policy for', borough.name);
    if (!(await repo.removeCrewingPolicy(trx, force.id, boroughId, revision))) throw new CrewingPolicyChangedError(borough.name);
    await audit({ action: 'crewing_policy.remove', entityType: 'crewing_policy', entityId: boroughId, summary: { scope: 'borough', borough: borough.name, before: policyJson(current) } });
  });
}
