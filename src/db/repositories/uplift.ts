import type { UpliftTargets } from '../../domain/training/uplift.js';
import type { Rank } from '../../domain/organisation.js';
import type { Executor } from '../database.js';

/** The stored uplift plan: targets as columns, the planner's assumptions as JSON (read by the service). */
export interface StoredUpliftPlan extends UpliftTargets {
  assumptionsJson: string;
  updatedBy: string;
  updatedAt: string;
}

export async function findUpliftPlan(db: Executor, forceId: string): Promise<StoredUpliftPlan | undefined> {
  const r = await db.selectFrom('uplift_plan').selectAll().where('force_id', '=', forceId).executeTakeFirst();
  if (!r) return undefined;
  return {
    startsOn: r.starts_on,
    deadline: r.deadline,
    baselineAuthorised: Number(r.baseline_authorised),
    targetAuthorised: Number(r.target_authorised),
    targetDevices: Number(r.target_devices),
    boroughMinimum: Number(r.borough_minimum),
    emergencyResponsePercent: Number(r.emergency_response_percent),
    assumptionsJson: r.assumptions,
    updatedBy: r.updated_by_label,
    updatedAt: r.updated_at,
  };
}

/** Sets the force's plan (one row per force). */
export async function saveUpliftPlan(db: Executor, forceId: string, p: Omit<StoredUpliftPlan, 'updatedAt'>, at: string): Promise<void> {
  const values = {
    starts_on: p.startsOn,
    deadline: p.deadline,
    baseline_authorised: p.baselineAuthorised,
    target_authorised: p.targetAuthorised,
    target_devices: p.targetDevices,
    borough_minimum: p.boroughMinimum,
    emergency_response_percent: p.emergencyResponsePercent,
    assumptions: p.assumptionsJson,
    updated_by_label: p.updatedBy,
    updated_at: at,
  };
  const updated = await db.updateTable('uplift_plan').set(values).where('force_id', '=', forceId).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0)
    await db
      .insertInto('uplift_plan')
      .values({ force_id: forceId, ...values })
      .execute();
}

/** A shift of the roster the coverage projection reads: the officer's rank with it. */
export interface RosterShiftRow {
  officerId: string;
  rank: Rank;
  boroughId: string;
  startsAt: string;
  endsAt: string;
}

/**
 * The shifts on at some instant in [from, to) (UTC instants), with the officer's rank: only the
 * columns the projection needs, unordered. Shifts of force-wide units (a team with no borough)
 * are left out: they never count towards a borough.
 */
export async function rosterShifts(db: Executor, forceId: string, from: string, to: string): Promise<RosterShiftRow[]> {
  const earliest = new Date(Date.parse(from) - 25 * 3_600_000).toISOString();
  const rows = await db
    .selectFrom('shift')
    .innerJoin('officer', 'officer.id', 'shift.officer_id')
    .leftJoin('team', 'team.id', 'shift.team_id')
    .select(['shift.officer_id', 'officer.rank', 'shift.borough_id', 'shift.starts_at', 'shift.ends_at'])
    .where('shift.force_id', '=', forceId)
    .where('shift.starts_at', '>=', earliest)
    .where('shift.starts_at', '<', to)
    .where('shift.ends_at', '>', from)
    .where((eb) => eb.or([eb('shift.team_id', 'is', null), eb('team.borough_id', 'is not', null)]))
    .execute();
  return rows.map((r) => ({ officerId: r.officer_id, rank: r.rank as Rank, boroughId: r.borough_id, startsAt: r.starts_at, endsAt: r.ends_at }));
}

/** The London date of the latest stored shift, or null when none is stored. */
export async function latestShiftDate(db: Executor, forceId: string): Promise<string | null> {
  const r = await db
    .selectFrom('shift')
    .select((eb) => eb.fn.max('london_date').as('d'))
    .where('force_id', '=', forceId)
    .executeTakeFirst();
  return (r?.d as string | null | undefined) ?? null;
}
