import type { Executor } from '../db/database.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import { changedFields, officerFields, officerInputOn, teamFitsBorough, type Officer, type OfficerInput, type OfficerSort, type OfficerStatus, type Rank } from '../domain/organisation.js';
import { scopeIncludes, type Scope } from '../domain/permissions.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import { isUniqueViolation } from '../db/errors.js';
import { lockOfficer } from '../db/repositories/training.js';
import { londonDate } from '../domain/calendar.js';
import { change, pageWindow, type Actor, type Page, type Services } from './context.js';
import { getForce } from './organisation.js';
import { VersionedCache } from './cache.js';

export interface OfficerQuery {
  q?: string;
  boroughId?: string;
  teamId?: string;
  rank?: Rank;
  status?: OfficerStatus;
  sort?: OfficerSort;
  descending?: boolean;
}

/**
 * How many officers a filter matches, kept between requests while officers are unchanged (the
 * `authority` counter watches the officer table): the home page's count of active officers and
 * every page of the officers list count 10,000 rows otherwise (0.4 ms, a third of the home page).
 */
const totals = new VersionedCache<number>(['authority'], 500);

export async function listOfficers(svc: Services, scope: Scope, query: OfficerQuery, page: Page) {
  const force = await getForce(svc);
  const db = svc.database.db;
  let boroughIds: string[] | undefined = scope.all ? undefined : scope.boroughIds;
  if (query.boroughId) boroughIds = boroughIds ? boroughIds.filter((b) => b === query.boroughId) : [query.boroughId];
  const filter = { forceId: force.id, q: query.q?.trim() || undefined, boroughIds, teamId: query.teamId, rank: query.rank, status: query.status };
  const total = await totals.get(db, JSON.stringify(filter), () => officersRepo.countMatching(db, filter));
  const result = await officersRepo.listOfficers(db, filter, { ...pageWindow(page), sort: query.sort, descending: query.descending }, total);
  return { ...result, page: page.page, pageSize: page.pageSize, pages: Math.max(1, Math.ceil(result.total / page.pageSize)) };
}

export async function getOfficer(svc: Services, scope: Scope, id: string): Promise<Officer> {
  const officer = await officersRepo.findOfficer(svc.database.db, id);
  if (!officer || !scopeIncludes(scope, officer.boroughId)) throw new NotFoundError('Officer', id);
  return officer;
}

/** The officer with exactly this collar number, within the scope, or undefined. */
export async function findOfficerByCollar(svc: Services, scope: Scope, collarNumber: string): Promise<Officer | undefined> {
  const wanted = collarNumber.trim().toUpperCase();
  if (!wanted) return undefined;
  const force = await getForce(svc);
  const officer = await officersRepo.findOfficerByCollar(svc.database.db, force.id, wanted);
  return officer && scopeIncludes(scope, officer.boroughId) ? officer : undefined;
}

/**
 * The officers with these ids, whatever the reader's scope, in one read: for naming the officers
 * on records the reader may already see (a list of reports, an account's linked officer).
 */
export async function officersByIds(svc: Services, ids: readonly string[]): Promise<Map<string, Officer>> {
  return officersRepo.findOfficersByIds(svc.database.db, [...new Set(ids)]);
}

/** Checks references an officer record makes: borough and team exist in this force and fit together. */
export async function checkOfficerReferences(db: Executor, forceId: string, o: OfficerInput, scope: Scope): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  if (o.boroughId) {
    const b = await org.findBorough(db, o.boroughId);
    if (!b || b.forceId !== forceId) errors.push({ field: 'boroughId', message: 'Select a borough from the list' });
  }
  if (!scopeIncludes(scope, o.boroughId)) errors.push({ field: 'boroughId', message: 'You can only record officers in your own borough' });
  if (o.teamId) {
    const t = await org.findTeam(db, o.teamId);
    if (!t || t.forceId !== forceId) errors.push({ field: 'teamId', message: 'Select a team from the list' });
    else if (!teamFitsBorough(t, o.boroughId)) errors.push({ field: 'teamId', message: `${t.name} is not a team in the officer's borough: choose a team in that borough or a force-wide team` });
  }
  return errors;
}

/** The same collar number stored by another writer in the same moment: the refused one is told, as if it had been first to look. */
const COLLAR_UNIQUE = { name: 'officer_force_collar_uq', column: 'officer.collar_number' };
const collarTaken = (collarNumber: string) => new ConflictError('collarNumber', `Collar number ${collarNumber} is already used by another officer`);
async function refusingDuplicateCollar<T>(collarNumber: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err, COLLAR_UNIQUE)) throw collarTaken(collarNumber);
    throw err;
  }
}

export async function createOfficer(svc: Services, actor: Actor, scope: Scope, input: unknown, now: Date = svc.now()): Promise<Officer> {
  const force = await getForce(svc);
  const o = parseInput(officerInputOn(londonDate(now)), input);
  return refusingDuplicateCollar(o.collarNumber, () =>
    change(svc, actor, async (trx, audit) => {
      const errors = await checkOfficerReferences(trx, force.id, o, scope);
      if (await officersRepo.findOfficerByCollar(trx, force.id, o.collarNumber)) errors.push(...collarTaken(o.collarNumber).errors);
      if (errors.length) throw new ValidationError(errors);
      const officer = await officersRepo.insertOfficer(trx, force.id, o, svc.now().toISOString());
      await audit({ action: 'officer.create', entityType: 'officer', entityId: officer.id, summary: { after: o } });
      return officer;
    }),
  );
}

export async function updateOfficer(svc: Services, actor: Actor, scope: Scope, id: string, input: unknown, now: Date = svc.now()): Promise<Officer> {
  const force = await getForce(svc);
  const o = parseInput(officerInputOn(londonDate(now)), input);
  return refusingDuplicateCollar(o.collarNumber, () =>
    change(svc, actor, async (trx, audit) => {
      // Read under a row lock: two edits at once are applied one after the other, each audited from the one before.
      await lockOfficer(trx, svc.database.kind, id);
      const before = await officersRepo.findOfficer(trx, id);
      if (!before || !scopeIncludes(scope, before.boroughId)) throw new NotFoundError('Officer', id);
      const errors = await checkOfficerReferences(trx, force.id, o, scope);
      const clash = await officersRepo.findOfficerByCollar(trx, force.id, o.collarNumber);
      if (clash && clash.id !== id) errors.push(...collarTaken(o.collarNumber).errors);
      if (errors.length) throw new ValidationError(errors);
      const changes = changedFields(officerFields(before), o);
      if (Object.keys(changes).length === 0) return before;
      await officersRepo.updateOfficer(trx, id, o, svc.now().toISOString());
      await audit({ action: 'officer.update', entityType: 'officer', entityId: id, summary: { changes } });
      return { ...before, ...o };
    }),
  );
}
