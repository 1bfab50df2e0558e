import type { DeviceState } from '../../domain/devices/lifecycle.js';
import type { Armoury } from '../../domain/devices/register.js';
import type { StoredContent } from '../../domain/report/content.js';
import type { Executor } from '../database.js';

/*
 * The armoury pages' reads (issue 12): what a store holds, the devices overdue for return,
 * and the reports an officer's expended cartridge may belong to. Instants are passed in.
 */

/** The states of the devices a store keeps and has not out: its page lists these. */
export const HELD_STATES: readonly DeviceState[] = ['in_store', 'in_repair', 'quarantined'];

/**
 * Devices kept at a store and not out with an officer (in store, in repair, quarantined), a page
 * of them by serial (device_store_idx: only the store's devices, already in order). How many
 * there are in all is the store's counts (storeCounts), not a second statement here.
 */
export async function storeDevices(
  db: Executor,
  forceId: string,
  armoury: Armoury,
  window: { offset: number; limit: number },
): Promise<{ id: string; serial: string; modelName: string; state: DeviceState; stateNote: string | null }[]> {
  let q = db
    .selectFrom('device as d')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .where('d.force_id', '=', forceId)
    .where('d.state', 'in', [...HELD_STATES]);
  q = armoury.boroughId ? q.where('d.armoury_borough_id', '=', armoury.boroughId) : q.where('d.armoury_borough_id', 'is', null);
  q = armoury.teamId ? q.where('d.armoury_team_id', '=', armoury.teamId) : q.where('d.armoury_team_id', 'is', null);
  const rows = await q.select(['d.id', 'd.serial', 'm.name as model_name', 'd.state', 'd.state_note']).orderBy('d.serial').offset(window.offset).limit(window.limit).execute();
  return rows.map((r) => ({ id: r.id, serial: r.serial, modelName: r.model_name, state: r.state as DeviceState, stateNote: r.state_note }));
}

/** A store's devices by state, in one statement. */
export async function storeCounts(db: Executor, forceId: string, armoury: Armoury): Promise<Partial<Record<DeviceState, number>>> {
  let q = db
    .selectFrom('device')
    .select(['state', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('force_id', '=', forceId);
  q = armoury.boroughId ? q.where('armoury_borough_id', '=', armoury.boroughId) : q.where('armoury_borough_id', 'is', null);
  q = armoury.teamId ? q.where('armoury_team_id', '=', armoury.teamId) : q.where('armoury_team_id', 'is', null);
  const rows = await q.groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

export interface DischargeReportRow {
  id: string;
  status: string;
  incidentReference: string | null;
  occurredAt: string | null;
  createdAt: string;
  /** The Taser serial the report's Taser section names, if answered. */
  deviceSerial: string | null;
  /** The cartridge serials of the applications fired, as the officer typed them. */
  cartridgeNumbers: string[];
}

/**
 * An officer's reports recording a Taser discharge whose incident (or, before it is answered,
 * the report's start) is at or after `since`: drafts included, discarded ones not. Newest first.
 */
export async function dischargeReports(db: Executor, officerId: string, since: string): Promise<DischargeReportRow[]> {
  const rows = await db
    .selectFrom('uof_report as r')
    .leftJoin('incident as inc', 'inc.id', 'r.incident_id')
    .select(['r.id', 'r.status', 'r.content', 'r.occurred_at', 'r.created_at', 'inc.reference'])
    .where('r.officer_id', '=', officerId)
    .where('r.discharge', '=', 1)
    .where('r.status', '!=', 'discarded')
    .where((eb) => eb.or([eb('r.occurred_at', '>=', since), eb.and([eb('r.occurred_at', 'is', null), eb('r.created_at', '>=', since)])]))
    .orderBy('r.created_at', 'desc')
    .limit(50)
    .execute();
  return rows.map((r) => {
    const content = JSON.parse(r.content) as StoredContent;
    const ced = (content as { ced?: { deviceSerial?: string; applications?: { fired?: { cartridgeNumber?: string } | null }[] } }).ced;
    return {
      id: r.id,
      status: r.status,
      incidentReference: r.reference ?? null,
      occurredAt: r.occurred_at,
      createdAt: r.created_at,
      deviceSerial: ced?.deviceSerial ?? null,
      cartridgeNumbers: (ced?.applications ?? []).map((a) => a.fired?.cartridgeNumber).filter((c): c is string => typeof c === 'string'),
    };
  });
}
