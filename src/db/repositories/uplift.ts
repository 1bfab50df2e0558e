import type { UpliftTargets } from '../../domain/training/uplift.js';
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
