import { chunk } from '../batches.js';
import type { Executor } from '../database.js';
import { newId } from '../ids.js';
import type { CrewingPolicyTable, ShiftTable } from '../schema.js';
import type { CrewingPolicy } from '../../domain/crewing/policy.js';
import type { ShiftRow, StoredShift } from '../../domain/crewing/shifts.js';
import { RANKS, type Rank } from '../../domain/organisation.js';

/*
 * Shifts (duty rosters) and the crewing policy (issue 14). Instants are ISO 8601 UTC text, so
 * they compare as text in both databases.
 */

export type ShiftSource = 'cli' | 'upload' | 'api';

/** Rows per insert: 13 values each, and the statement short enough for the SQLite statement cache (db/sqlite.ts). */
const INSERT_ROWS = 300;
/** Keys per `in (…)` list. */
const KEYS = 500;

const storedShift = (r: Pick<ShiftTable, 'id' | 'officer_id' | 'starts_at' | 'ends_at' | 'borough_id' | 'team_id' | 'call_sign' | 'revision'>): StoredShift => ({
  id: r.id,
  officerId: r.officer_id,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  boroughId: r.borough_id,
  teamId: r.team_id,
  callSign: r.call_sign,
  revision: Number(r.revision),
});

/**
 * The stored shifts of these officers starting from `fromStartsAt` to `toStartsAt` (both
 * included): what an import compares its rows with. One range query when the officers are
 * many (a force's roster), by officer otherwise.
 */
export async function storedShifts(db: Executor, forceId: string, officerIds: readonly string[], fromStartsAt: string, toStartsAt: string): Promise<StoredShift[]> {
  const columns = ['id', 'officer_id', 'starts_at', 'ends_at', 'borough_id', 'team_id', 'call_sign', 'revision'] as const;
  const base = () => db.selectFrom('shift').select(columns).where('force_id', '=', forceId).where('starts_at', '>=', fromStartsAt).where('starts_at', '<=', toStartsAt);
  if (officerIds.length > KEYS) {
    const wanted = new Set(officerIds);
    return (await base().execute()).filter((r) => wanted.has(r.officer_id)).map(storedShift);
  }
  const out: StoredShift[] = [];
  for (const part of chunk(officerIds, KEYS)) out.push(...(await base().where('officer_id', 'in', part).execute()).map(storedShift));
  return out;
}

/** Stores new shifts; one already stored (same officer and start, stored meanwhile) is skipped. Returns how many were stored. */
export async function insertShifts(db: Executor, forceId: string, rows: readonly ShiftRow[], source: ShiftSource, at: string): Promise<number> {
  let inserted = 0;
  for (const part of chunk(rows, INSERT_ROWS)) {
    const values: ShiftTable[] = part.map((r) => ({
      id: newId(),
      force_id: forceId,
      officer_id: r.officerId,
      borough_id: r.boroughId,
      team_id: r.teamId,
      call_sign: r.callSign,
      london_date: r.londonDate,
      starts_at: r.startsAt,
      ends_at: r.endsAt,
      source,
      created_at: at,
      updated_at: at,
      revision: 0,
    }));
    const result = await db
      .insertInto('shift')
      .values(values)
      .onConflict((oc) => oc.columns(['force_id', 'officer_id', 'starts_at']).doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

/** Replaces a stored shift's end, borough, team and call sign, if it is still at `revision`; false when it changed meanwhile. */
export async function replaceShift(db: Executor, id: string, revision: number, row: ShiftRow, source: ShiftSource, at: string): Promise<boolean> {
  const result = await db
    .updateTable('shift')
    .set((eb) => ({
      ends_at: row.endsAt,
      borough_id: row.boroughId,
      team_id: row.teamId,
      call_sign: row.callSign,
      london_date: row.londonDate,
      source,
      updated_at: at,
      revision: eb('revision', '+', 1),
    }))
    .where('id', '=', id)
    .where('revision', '=', revision)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Takes a stored shift away (a roster's row overlaps it), if it is still at `revision`. */
export async function removeShift(db: Executor, id: string, revision: number): Promise<boolean> {
  const result = await db.deleteFrom('shift').where('id', '=', id).where('revision', '=', revision).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export interface CoveringShift {
  id: string;
  officerId: string;
  boroughId: string;
  teamId: string | null;
  callSign: string | null;
  londonDate: string;
  startsAt: string;
  endsAt: string;
}

/** The longest a shift can be (an end before the start is the next day; 25 hours on the day the clocks go back). */
const LONGEST_SHIFT_MS = 25 * 3_600_000;

/** Shifts that are on at some instant in [from, to): coverage and the briefing page read these. */
export async function shiftsBetween(db: Executor, forceId: string, from: string, to: string, filter: { boroughIds?: readonly string[] } = {}): Promise<CoveringShift[]> {
  const earliest = new Date(Date.parse(from) - LONGEST_SHIFT_MS).toISOString();
  let q = db
    .selectFrom('shift')
    .select(['id', 'officer_id', 'borough_id', 'team_id', 'call_sign', 'london_date', 'starts_at', 'ends_at'])
    .where('force_id', '=', forceId)
    .where('starts_at', '>=', earliest)
    .where('starts_at', '<', to)
    .where('ends_at', '>', from);
  if (filter.boroughIds) {
    if (filter.boroughIds.length === 0) return [];
    q = q.where('borough_id', 'in', [...filter.boroughIds]);
  }
  const rows = await q.orderBy('starts_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    officerId: r.officer_id,
    boroughId: r.borough_id,
    teamId: r.team_id,
    callSign: r.call_sign,
    londonDate: r.london_date,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
  }));
}

/**
 * Only what coverage needs of the shifts on at some instant in [from, to) (officer, borough,
 * start, end), without ordering: the month's 200,000 shifts of a force are read in one pass.
 */
export async function shiftSpansBetween(db: Executor, forceId: string, from: string, to: string): Promise<{ officerId: string; boroughId: string; startsAt: string; endsAt: string }[]> {
  const earliest = new Date(Date.parse(from) - LONGEST_SHIFT_MS).toISOString();
  const rows = await db
    .selectFrom('shift')
    .select(['officer_id', 'borough_id', 'starts_at', 'ends_at'])
    .where('force_id', '=', forceId)
    .where('starts_at', '>=', earliest)
    .where('starts_at', '<', to)
    .where('ends_at', '>', from)
    .execute();
  return rows.map((r) => ({ officerId: r.officer_id, boroughId: r.borough_id, startsAt: r.starts_at, endsAt: r.ends_at }));
}

export async function countShifts(db: Executor, forceId: string): Promise<number> {
  const r = await db
    .selectFrom('shift')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('force_id', '=', forceId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// ---------------------------------------------------------------------------------------
// The crewing policy

/** The `scope` of the force-wide policy; a borough's override has the borough's id. */
export const FORCE_SCOPE = 'force';

export interface StoredCrewingPolicy extends CrewingPolicy {
  boroughId: string | null;
  revision: number;
  updatedAt: string;
  updatedBy: string;
}

const isRank = (s: unknown): s is Rank => typeof s === 'string' && (RANKS as readonly string[]).includes(s);

function policyOf(r: CrewingPolicyTable): StoredCrewingPolicy {
  const ranks = JSON.parse(r.solo_ranks) as unknown;
  return {
    boroughId: r.borough_id,
    carriersPerCrew: Number(r.carriers_per_crew) === 2 ? 2 : 1,
    soloRanks: Array.isArray(ranks) ? ranks.filter(isRank) : [],
    minimumCrews: Number(r.minimum_crews),
    briefingBeforeMinutes: Number(r.briefing_before_minutes),
    briefingAfterMinutes: Number(r.briefing_after_minutes),
    revision: Number(r.revision),
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

export async function listCrewingPolicies(db: Executor, forceId: string): Promise<StoredCrewingPolicy[]> {
  return (await db.selectFrom('crewing_policy').selectAll().where('force_id', '=', forceId).execute()).map(policyOf);
}

/**
 * Stores the policy of a scope (the force, or a borough) if it is still at `revision` (null:
 * none stored yet). False when someone changed it meanwhile.
 */
export async function saveCrewingPolicy(db: Executor, forceId: string, boroughId: string | null, revision: number | null, p: CrewingPolicy, by: string, at: string): Promise<boolean> {
  const scope = boroughId ?? FORCE_SCOPE;
  const values = {
    carriers_per_crew: p.carriersPerCrew,
    solo_ranks: JSON.stringify(p.soloRanks),
    minimum_crews: p.minimumCrews,
    briefing_before_minutes: p.briefingBeforeMinutes,
    briefing_after_minutes: p.briefingAfterMinutes,
    updated_at: at,
    updated_by: by,
  };
  if (revision === null) {
    const r = await db
      .insertInto('crewing_policy')
      .values({ force_id: forceId, scope, borough_id: boroughId, ...values, revision: 0 })
      .onConflict((oc) => oc.columns(['force_id', 'scope']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const r = await db
    .updateTable('crewing_policy')
    .set((eb) => ({ ...values, revision: eb('revision', '+', 1) }))
    .where('force_id', '=', forceId)
    .where('scope', '=', scope)
    .where('revision', '=', revision)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Removes a borough's override (the force-wide policy applies again) if it is still at `revision`. */
export async function removeCrewingPolicy(db: Executor, forceId: string, boroughId: string, revision: number): Promise<boolean> {
  const r = await db.deleteFrom('crewing_policy').where('force_id', '=', forceId).where('scope', '=', boroughId).where('revision', '=', revision).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}
