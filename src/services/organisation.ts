import { z } from 'zod';
import * as org from '../db/repositories/organisation.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../domain/errors.js';
import { fieldErrorsFromZod, parseInput } from '../domain/validation.js';
import { changedFields, teamInput, type Borough, type Force, type Team } from '../domain/organisation.js';
import { scopeIncludes, type Scope } from '../domain/permissions.js';
import { VersionedCache } from './cache.js';
import { change, type Actor, type Services } from './context.js';

export class NoForceError extends Error {
  constructor() {
    super('No force is configured yet. Run `npm run cedar -- seed --demo` or start Cedar once to set one up.');
  }
}

/** The force, once found, per database: a force's row is written once (at setup) and never changed. */
const forces = new WeakMap<object, Force>();

export async function getForce(svc: Services): Promise<Force> {
  const known = forces.get(svc.database);
  if (known) return known;
  const force = await org.findForce(svc.database.db);
  if (!force) throw new NoForceError();
  forces.set(svc.database, force);
  return force;
}

export async function listBoroughs(svc: Services): Promise<Borough[]> {
  const force = await getForce(svc);
  return org.listBoroughs(svc.database.db, force.id);
}

export async function listTeams(svc: Services, scope: Scope): Promise<Team[]> {
  const force = await getForce(svc);
  return org.listTeams(svc.database.db, force.id, scope.all ? {} : { boroughIds: scope.boroughIds });
}

/** Serving officers per team, kept per change of officers, teams and boroughs (the `authority` counter watches them): counting 10,000 officers was most of the teams page. */
const officersByTeam = new VersionedCache<ReadonlyMap<string, number>>(['authority']);

export async function listTeamsWithCounts(svc: Services, scope: Scope): Promise<(Team & { activeOfficers: number })[]> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const [teams, counts] = await Promise.all([listTeams(svc, scope), officersByTeam.get(db, force.id, () => org.countOfficersByTeam(db, force.id))]);
  return teams.map((t) => ({ ...t, activeOfficers: counts.get(t.id) ?? 0 }));
}

export async function getTeam(svc: Services, scope: Scope, id: string): Promise<Team> {
  const team = await org.findTeam(svc.database.db, id);
  if (!team || (team.boroughId !== null && !scopeIncludes(scope, team.boroughId))) throw new NotFoundError('Team', id);
  return team;
}

async function checkTeamInput(svc: Services, input: unknown, forceId: string, excludeId?: string) {
  const t = parseInput(teamInput, input);
  if (t.boroughId) {
    const b = await org.findBorough(svc.database.db, t.boroughId);
    if (!b || b.forceId !== forceId) throw new ValidationError([{ field: 'boroughId', message: 'Select a borough from the list' }]);
  }
  const clash = await org.findTeamByName(svc.database.db, forceId, t.name);
  if (clash && clash.id !== excludeId) throw new ConflictError('name', `A team called ${t.name} already exists`);
  return t;
}

export async function createTeam(svc: Services, actor: Actor, input: unknown): Promise<Team> {
  const force = await getForce(svc);
  const t = await checkTeamInput(svc, input, force.id);
  return change(svc, actor, async (trx, audit) => {
    const [team] = await org.insertTeams(trx, force.id, [t], svc.now().toISOString());
    await audit({ action: 'team.create', entityType: 'team', entityId: team!.id, summary: { after: t } });
    return team!;
  });
}

export async function updateTeam(svc: Services, actor: Actor, id: string, input: unknown): Promise<Team> {
  const force = await getForce(svc);
  const before = await org.findTeam(svc.database.db, id);
  if (!before) throw new NotFoundError('Team', id);
  const t = await checkTeamInput(svc, input, force.id, id);
  return change(svc, actor, async (trx, audit) => {
    await org.updateTeam(trx, id, t, svc.now().toISOString());
    const { name, teamType, boroughId } = before;
    await audit({ action: 'team.update', entityType: 'team', entityId: id, summary: { changes: changedFields({ name, teamType, boroughId }, t) } });
    return { ...before, ...t };
  });
}

export const boroughInput = z.object({
  name: z.string({ error: 'Enter a borough name' }).trim().min(1, 'Enter a borough name').max(100, 'Borough name must be 100 characters or fewer'),
  code: z
    .string({ error: 'Enter a short code' })
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{1,4}$/, 'Enter a code of 1 to 4 letters, for example CW'),
});

export async function createBorough(svc: Services, actor: Actor, input: unknown): Promise<Borough> {
  const force = await getForce(svc);
  const parsed = boroughInput.safeParse(input);
  const errors: FieldError[] = parsed.success ? [] : fieldErrorsFromZod(parsed.error);
  return change(svc, actor, async (trx, audit) => {
    // Report clashes alongside format errors, so the person fixes everything in one go.
    const existing = await org.listBoroughs(trx, force.id);
    const raw = (input ?? {}) as { name?: unknown; code?: unknown };
    const name = typeof raw.name === 'string' ? raw.name.trim().toLowerCase() : '';
    const code = typeof raw.code === 'string' ? raw.code.trim().toUpperCase() : '';
    if (name && existing.some((x) => x.name.toLowerCase() === name)) errors.push({ field: 'name', message: `A borough called ${String(raw.name).trim()} already exists` });
    if (code && existing.some((x) => x.code === code)) errors.push({ field: 'code', message: `The code ${code} is already used` });
    if (errors.length || !parsed.success) throw new ValidationError(errors);
    const [borough] = await org.insertBoroughs(trx, force.id, [parsed.data], svc.now().toISOString());
    await audit({ action: 'borough.create', entityType: 'borough', entityId: borough!.id, summary: { after: parsed.data } });
    return borough!;
  });
}
