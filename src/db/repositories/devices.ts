import { sql } from 'kysely';
import { forceIdUnindexed } from '../plans.js';
import type { CartridgeReturn, CartridgeState } from '../../domain/devices/cartridges.js';
import type { DeviceMove, DeviceState, WithdrawalReason } from '../../domain/devices/lifecycle.js';
import type { DeviceModel } from '../../domain/devices/models.js';
import type { Armoury, Cartridge, Device, DeviceEvent, DeviceIssue, IssuedCartridge, StoredDeviceModel } from '../../domain/devices/register.js';
import type { GatePolicy, OverridableReasonCode } from '../../domain/devices/gate.js';
import type { DatabaseKind, Executor } from '../database.js';
import { chunk } from '../batches.js';
import { newId } from '../ids.js';
import type { DeviceModelTable } from '../schema.js';

/*
 * The fleet register, cartridges and sign-outs (issue 12). Instants are passed in (`at`): the
 * services own the clock.
 */

/** Rows kept in one armoury: `prefix` names the table's alias (`d.`) or is empty. */
function whereArmoury<Q extends { where: (...a: any[]) => Q }>(q: Q, a: Armoury, prefix: '' | 'd.'): Q {
  const out = a.boroughId ? q.where(`${prefix}armoury_borough_id`, '=', a.boroughId) : q.where(`${prefix}armoury_borough_id`, 'is', null);
  return a.teamId ? out.where(`${prefix}armoury_team_id`, '=', a.teamId) : out.where(`${prefix}armoury_team_id`, 'is', null);
}

const toModel = (r: DeviceModelTable): StoredDeviceModel => ({
  id: r.id,
  name: r.name,
  bays: r.bays,
  cartridgeTypes: JSON.parse(r.cartridge_types) as string[],
  authorisedBy: r.authorised_by,
  stopsIssuingOn: r.stops_issuing_on,
});

// ---- models -------------------------------------------------------------------------------

export async function listModels(db: Executor, forceId: string): Promise<StoredDeviceModel[]> {
  const rows = await db.selectFrom('device_model').selectAll().where('force_id', '=', forceId).orderBy('name').execute();
  return rows.map(toModel);
}

export async function insertModels(db: Executor, forceId: string, models: readonly DeviceModel[], at: string): Promise<StoredDeviceModel[]> {
  if (models.length === 0) return [];
  const rows = models.map((m) => ({
    id: newId(),
    force_id: forceId,
    name: m.name,
    bays: m.bays,
    cartridge_types: JSON.stringify(m.cartridgeTypes),
    authorised_by: m.authorisedBy,
    stops_issuing_on: m.stopsIssuingOn,
    created_at: at,
    updated_at: at,
  }));
  await db.insertInto('device_model').values(rows).execute();
  return rows.map(toModel);
}

export async function lockModel(db: Executor, kind: DatabaseKind, id: string): Promise<void> {
  if (kind === 'postgres') await sql`select id from device_model where id = ${id} for update`.execute(db);
}

export async function updateModel(db: Executor, id: string, m: DeviceModel, at: string): Promise<void> {
  await db
    .updateTable('device_model')
    .set({ name: m.name, bays: m.bays, cartridge_types: JSON.stringify(m.cartridgeTypes), authorised_by: m.authorisedBy, stops_issuing_on: m.stopsIssuingOn, updated_at: at })
    .where('id', '=', id)
    .execute();
}

// ---- devices ------------------------------------------------------------------------------

const DEVICE_COLUMNS = [
  'd.id',
  'd.serial',
  'd.firmware',
  'd.armoury_borough_id',
  'd.armoury_team_id',
  'd.state',
  'd.state_note',
  'd.withdrawal_reason',
  'd.in_service_on',
  'd.revision',
  'm.id as model_id',
  'm.name as model_name',
  'm.bays',
  'm.cartridge_types',
  'm.authorised_by',
  'm.stops_issuing_on',
] as const;

function deviceQuery(db: Executor) {
  return db.selectFrom('device as d').innerJoin('device_model as m', 'm.id', 'd.model_id').select(DEVICE_COLUMNS);
}

type DeviceRow = Awaited<ReturnType<ReturnType<typeof deviceQuery>['executeTakeFirstOrThrow']>>;

function toDevice(r: DeviceRow): Device {
  return {
    id: r.id,
    serial: r.serial,
    model: { id: r.model_id, name: r.model_name, bays: r.bays, cartridgeTypes: JSON.parse(r.cartridge_types) as string[], authorisedBy: r.authorised_by, stopsIssuingOn: r.stops_issuing_on },
    firmware: r.firmware,
    armoury: { boroughId: r.armoury_borough_id, teamId: r.armoury_team_id },
    state: r.state as DeviceState,
    stateNote: r.state_note,
    withdrawalReason: r.withdrawal_reason as WithdrawalReason | null,
    inServiceOn: r.in_service_on,
    revision: r.revision,
  };
}

export async function findDevice(db: Executor, forceId: string, id: string): Promise<Device | undefined> {
  const r = await deviceQuery(db).where('d.force_id', '=', forceId).where('d.id', '=', id).executeTakeFirst();
  return r && toDevice(r);
}

export async function findDeviceBySerial(db: Executor, forceId: string, serial: string): Promise<Device | undefined> {
  const r = await deviceQuery(db).where('d.force_id', '=', forceId).where('d.serial', '=', serial).executeTakeFirst();
  return r && toDevice(r);
}

/** Devices by serial, for imports. */
export async function devicesBySerials(db: Executor, forceId: string, serials: readonly string[]): Promise<Map<string, Device>> {
  const out = new Map<string, Device>();
  for (const part of chunk([...new Set(serials)], 500)) {
    const rows = await deviceQuery(db).where('d.force_id', '=', forceId).where('d.serial', 'in', part).execute();
    for (const r of rows) out.set(r.serial, toDevice(r));
  }
  return out;
}

/** Locks a device's row until the transaction ends (PostgreSQL; SQLite writes one at a time). */
export async function lockDevice(db: Executor, kind: DatabaseKind, id: string): Promise<void> {
  if (kind === 'postgres') await sql`select id from device where id = ${id} for update`.execute(db);
}

export async function lockDeviceBySerial(db: Executor, kind: DatabaseKind, forceId: string, serial: string): Promise<void> {
  if (kind === 'postgres') await sql`select id from device where force_id = ${forceId} and serial = ${serial} for update`.execute(db);
}

export interface FleetCount {
  modelId: string;
  state: DeviceState;
  armoury: Armoury;
  count: number;
}

/** Devices by model, state and armoury: the fleet page's figures in one statement. */
export async function fleetCounts(db: Executor, forceId: string): Promise<FleetCount[]> {
  const rows = await db
    .selectFrom('device')
    .select(['model_id', 'state', 'armoury_borough_id', 'armoury_team_id', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('force_id', '=', forceId)
    .groupBy(['model_id', 'state', 'armoury_borough_id', 'armoury_team_id'])
    .execute();
  return rows.map((r) => ({ modelId: r.model_id, state: r.state as DeviceState, armoury: { boroughId: r.armoury_borough_id, teamId: r.armoury_team_id }, count: Number(r.n) }));
}

/** Devices by model and the month they entered service and left it (withdrawn), for the composition chart. */
export async function fleetSpans(db: Executor, forceId: string): Promise<{ modelName: string; inServiceOn: string | null; withdrawnAt: string | null }[]> {
  const rows = await db
    .selectFrom('device as d')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('device_event')
          .select(['device_id', (e) => e.fn.max('at').as('at')])
          .where('to_state', '=', 'withdrawn')
          .groupBy('device_id')
          .as('w'),
      (j) => j.onRef('w.device_id', '=', 'd.id'),
    )
    .select(['m.name', 'd.in_service_on', 'd.state', 'w.at'])
    .where('d.force_id', '=', forceId)
    .execute();
  return rows.map((r) => ({ modelName: r.name, inServiceOn: r.in_service_on, withdrawnAt: r.state === 'withdrawn' ? ((r.at as string | null) ?? null) : null }));
}

export interface NewDevice {
  serial: string;
  modelId: string;
  firmware: string | null;
  armoury: Armoury;
  state: DeviceState;
  stateNote: string | null;
  withdrawalReason: WithdrawalReason | null;
  inServiceOn: string | null;
}

/** Inserts devices with a first event each, in chunks; returns their ids by serial. */
export async function insertDevices(db: Executor, forceId: string, devices: readonly NewDevice[], at: string, actorId: string | null): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const part of chunk(devices, 200)) {
    const rows = part.map((d) => {
      const id = newId();
      ids.set(d.serial, id);
      return {
        id,
        force_id: forceId,
        serial: d.serial,
        model_id: d.modelId,
        firmware: d.firmware,
        armoury_borough_id: d.armoury.boroughId,
        armoury_team_id: d.armoury.teamId,
        state: d.state,
        state_note: d.stateNote,
        withdrawal_reason: d.withdrawalReason,
        in_service_on: d.inServiceOn,
        revision: 0,
        created_at: at,
        updated_at: at,
      };
    });
    await db.insertInto('device').values(rows).execute();
    await db
      .insertInto('device_event')
      .values(rows.map((r) => ({ id: newId(), device_id: r.id, at, move: 'registered', from_state: null, to_state: r.state, note: r.state_note, actor_id: actorId })))
      .execute();
  }
  return ids;
}

/** Updates a device's record (an import's changed firmware, armoury or model); the state moves only through moveDevice. */
export async function updateDeviceDetails(db: Executor, id: string, d: Pick<NewDevice, 'modelId' | 'firmware' | 'armoury' | 'inServiceOn'>, at: string): Promise<void> {
  await db
    .updateTable('device')
    .set({
      model_id: d.modelId,
      firmware: d.firmware,
      armoury_borough_id: d.armoury.boroughId,
      armoury_team_id: d.armoury.teamId,
      in_service_on: d.inServiceOn,
      updated_at: at,
      revision: sql`revision + 1`,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Moves a device to a new state if it is still at the revision the caller read (compare and
 * set): false when someone else moved it first. Records the event.
 */
export async function moveDevice(
  db: Executor,
  m: { id: string; revision: number; move: DeviceMove | 'imported'; from: DeviceState; to: DeviceState; note: string | null; withdrawalReason?: WithdrawalReason | null; actorId: string | null },
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('device')
    .set({
      state: m.to,
      state_note: m.to === 'in_store' || m.to === 'issued' ? null : m.note,
      withdrawal_reason: m.to === 'withdrawn' ? (m.withdrawalReason ?? null) : null,
      revision: m.revision + 1,
      updated_at: at,
    })
    .where('id', '=', m.id)
    .where('revision', '=', m.revision)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await db.insertInto('device_event').values({ id: newId(), device_id: m.id, at, move: m.move, from_state: m.from, to_state: m.to, note: m.note, actor_id: m.actorId }).execute();
  return true;
}

export async function listDeviceEvents(db: Executor, deviceId: string): Promise<DeviceEvent[]> {
  const rows = await db
    .selectFrom('device_event as e')
    .leftJoin('app_user as u', 'u.id', 'e.actor_id')
    .select(['e.id', 'e.at', 'e.move', 'e.from_state', 'e.to_state', 'e.note', 'u.display_name'])
    .where('e.device_id', '=', deviceId)
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    move: r.move as DeviceEvent['move'],
    fromState: r.from_state as DeviceState | null,
    toState: r.to_state as DeviceState,
    note: r.note,
    actorLabel: r.display_name ?? null,
  }));
}

// ---- cartridges ---------------------------------------------------------------------------

export const CARTRIDGE_COLUMNS = ['id', 'serial', 'type', 'lot', 'expires_on', 'armoury_borough_id', 'armoury_team_id', 'state', 'report_id'] as const;

export function toCartridge(r: {
  id: string;
  serial: string;
  type: string;
  lot: string;
  expires_on: string;
  armoury_borough_id: string | null;
  armoury_team_id: string | null;
  state: string;
  report_id: string | null;
}): Cartridge {
  return {
    id: r.id,
    serial: r.serial,
    type: r.type,
    lot: r.lot,
    expiresOn: r.expires_on,
    armoury: { boroughId: r.armoury_borough_id, teamId: r.armoury_team_id },
    state: r.state as CartridgeState,
    reportId: r.report_id,
  };
}

export async function cartridgesBySerials(db: Executor, forceId: string, serials: readonly string[]): Promise<Map<string, Cartridge>> {
  const out = new Map<string, Cartridge>();
  for (const part of chunk([...new Set(serials)], 500)) {
    const rows = await db.selectFrom('cartridge').select(CARTRIDGE_COLUMNS).where('force_id', '=', forceId).where('serial', 'in', part).execute();
    for (const r of rows) out.set(r.serial, toCartridge(r));
  }
  return out;
}

export interface NewCartridge {
  serial: string;
  type: string;
  lot: string;
  expiresOn: string;
  armoury: Armoury;
  state: CartridgeState;
}

export async function insertCartridges(db: Executor, forceId: string, cartridges: readonly NewCartridge[], at: string): Promise<void> {
  for (const part of chunk(cartridges, 300)) {
    await db
      .insertInto('cartridge')
      .values(
        part.map((c) => ({
          id: newId(),
          force_id: forceId,
          serial: c.serial,
          type: c.type,
          lot: c.lot,
          expires_on: c.expiresOn,
          armoury_borough_id: c.armoury.boroughId,
          armoury_team_id: c.armoury.teamId,
          state: c.state,
          report_id: null,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
  }
}

export async function updateCartridgeDetails(db: Executor, id: string, c: Pick<NewCartridge, 'type' | 'lot' | 'expiresOn' | 'armoury'>, at: string): Promise<void> {
  await db
    .updateTable('cartridge')
    .set({ type: c.type, lot: c.lot, expires_on: c.expiresOn, armoury_borough_id: c.armoury.boroughId, armoury_team_id: c.armoury.teamId, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Moves cartridges from one state to another; returns how many moved (fewer than asked: someone else moved one first). */
export async function setCartridgeStates(db: Executor, ids: readonly string[], from: readonly CartridgeState[], to: CartridgeState, at: string, reportId: string | null = null): Promise<number> {
  let moved = 0;
  for (const part of chunk(ids, 500)) {
    const r = await db
      .updateTable('cartridge')
      .set({ state: to, updated_at: at, ...(to === 'expended' ? { report_id: reportId } : {}) })
      .where('id', 'in', part)
      .where('state', 'in', [...from])
      .executeTakeFirst();
    moved += Number(r.numUpdatedRows);
  }
  return moved;
}

export async function linkCartridgeReport(db: Executor, forceId: string, cartridgeId: string, reportId: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('cartridge')
    .set({ report_id: reportId, updated_at: at })
    .where('force_id', '=', forceId)
    .where('id', '=', cartridgeId)
    .where('state', '=', 'expended')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await db.updateTable('device_issue_cartridge').set({ report_id: reportId }).where('cartridge_id', '=', cartridgeId).where('outcome', '=', 'expended').execute();
  return true;
}

// ---- sign-outs ----------------------------------------------------------------------------

export interface NewIssue {
  deviceId: string;
  officerId: string;
  issuedAt: string;
  shiftEndsAt: string | null;
  returnedAt: string | null;
  issuedBy: string | null;
  overrideCodes: readonly OverridableReasonCode[];
  overrideReason: string | null;
  sourceKey: string | null;
  cartridges: readonly { id: string; outcome: CartridgeReturn | null }[];
}

export async function insertIssues(db: Executor, forceId: string, issues: readonly NewIssue[], at: string): Promise<string[]> {
  const ids: string[] = [];
  for (const part of chunk(issues, 200)) {
    const rows = part.map((i) => {
      const id = newId();
      ids.push(id);
      return {
        id,
        force_id: forceId,
        device_id: i.deviceId,
        officer_id: i.officerId,
        issued_at: i.issuedAt,
        shift_ends_at: i.shiftEndsAt,
        returned_at: i.returnedAt,
        issued_by: i.issuedBy,
        returned_by: null,
        override_codes: i.overrideCodes.length ? JSON.stringify(i.overrideCodes) : null,
        override_reason: i.overrideReason,
        source_key: i.sourceKey,
        created_at: at,
      };
    });
    await db.insertInto('device_issue').values(rows).execute();
    const links = part.flatMap((i, n) => i.cartridges.map((c) => ({ issue_id: rows[n]!.id, cartridge_id: c.id, outcome: c.outcome, report_id: null })));
    for (const l of chunk(links, 300)) await db.insertInto('device_issue_cartridge').values(l).execute();
  }
  return ids;
}

/** Ends an open issue (compare and set on `returned_at is null`): false when it was already returned. */
export async function closeIssue(
  db: Executor,
  id: string,
  returnedAt: string,
  returnedBy: string | null,
  outcomes: readonly { cartridgeId: string; outcome: CartridgeReturn; reportId: string | null }[],
): Promise<boolean> {
  const r = await db.updateTable('device_issue').set({ returned_at: returnedAt, returned_by: returnedBy }).where('id', '=', id).where('returned_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  for (const o of outcomes)
    await db.updateTable('device_issue_cartridge').set({ outcome: o.outcome, report_id: o.reportId }).where('issue_id', '=', id).where('cartridge_id', '=', o.cartridgeId).execute();
  return true;
}

function issueQuery(db: Executor) {
  return db
    .selectFrom('device_issue as i')
    .innerJoin('device as d', 'd.id', 'i.device_id')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .innerJoin('officer as o', 'o.id', 'i.officer_id')
    .select([
      'i.id',
      'i.device_id',
      'd.serial',
      'm.name as model_name',
      'i.officer_id',
      'o.collar_number',
      'o.first_name',
      'o.last_name',
      'o.rank',
      'd.armoury_borough_id',
      'd.armoury_team_id',
      'i.issued_at',
      'i.shift_ends_at',
      'i.returned_at',
      'i.override_codes',
      'i.override_reason',
    ]);
}

type IssueRow = Awaited<ReturnType<ReturnType<typeof issueQuery>['executeTakeFirstOrThrow']>>;

async function withCartridges(db: Executor, rows: IssueRow[]): Promise<DeviceIssue[]> {
  const byIssue = new Map<string, IssuedCartridge[]>();
  for (const part of chunk(
    rows.map((r) => r.id),
    500,
  )) {
    const links = await db
      .selectFrom('device_issue_cartridge as l')
      .innerJoin('cartridge as c', 'c.id', 'l.cartridge_id')
      .select(['l.issue_id', 'l.cartridge_id', 'c.serial', 'c.type', 'l.outcome', 'l.report_id'])
      .where('l.issue_id', 'in', part)
      .orderBy('c.serial')
      .execute();
    for (const l of links) {
      const list = byIssue.get(l.issue_id) ?? [];
      list.push({ cartridgeId: l.cartridge_id, serial: l.serial, type: l.type, outcome: l.outcome as CartridgeReturn | null, reportId: l.report_id });
      byIssue.set(l.issue_id, list);
    }
  }
  return rows.map((r) => ({
    id: r.id,
    deviceId: r.device_id,
    deviceSerial: r.serial,
    modelName: r.model_name,
    officerId: r.officer_id,
    collarNumber: r.collar_number,
    officerName: `${r.first_name} ${r.last_name}`,
    officerRank: r.rank,
    armoury: { boroughId: r.armoury_borough_id, teamId: r.armoury_team_id },
    issuedAt: r.issued_at,
    shiftEndsAt: r.shift_ends_at,
    returnedAt: r.returned_at,
    overrideCodes: r.override_codes ? (JSON.parse(r.override_codes) as string[]) : [],
    overrideReason: r.override_reason,
    cartridges: byIssue.get(r.id) ?? [],
  }));
}

export async function findIssue(db: Executor, forceId: string, id: string): Promise<DeviceIssue | undefined> {
  const r = await issueQuery(db).where('i.force_id', '=', forceId).where('i.id', '=', id).executeTakeFirst();
  return r ? (await withCartridges(db, [r]))[0] : undefined;
}

/** The open issue of a device, or of an officer. */
export async function findOpenIssue(db: Executor, forceId: string, by: { deviceId: string } | { officerId: string }): Promise<DeviceIssue | undefined> {
  let q = issueQuery(db).where(forceIdUnindexed('i.force_id'), '=', forceId).where('i.returned_at', 'is', null);
  q = 'deviceId' in by ? q.where('i.device_id', '=', by.deviceId) : q.where('i.officer_id', '=', by.officerId);
  const r = await q.executeTakeFirst();
  return r ? (await withCartridges(db, [r]))[0] : undefined;
}

export async function listIssues(
  db: Executor,
  forceId: string,
  f: { deviceId?: string; officerId?: string; open?: boolean; armoury?: Armoury },
  window: { offset: number; limit: number },
): Promise<DeviceIssue[]> {
  let q = issueQuery(db).where('i.force_id', '=', forceId);
  if (f.deviceId) q = q.where('i.device_id', '=', f.deviceId);
  if (f.officerId) q = q.where('i.officer_id', '=', f.officerId);
  if (f.open) q = q.where('i.returned_at', 'is', null);
  // A store's issues start from the store's devices (device_armoury_idx), then each device's
  // open issue (device_issue_device_out_uq): naming the device's force lets the planner start
  // there, rather than read every issue of the force and filter (issue 12, the armoury page).
  if (f.armoury) q = whereArmoury(q.where('d.force_id', '=', forceId), f.armoury, 'd.');
  const rows = await q.orderBy('i.issued_at', 'desc').offset(window.offset).limit(window.limit).execute();
  return withCartridges(db, rows);
}

/**
 * Issues still open whose shift ended at or before `endedBy` (the caller passes now − 2 hours),
 * longest overdue first; limited to devices of these boroughs' stores, or all when null.
 */
export async function overdueIssues(db: Executor, forceId: string, endedBy: string, boroughIds: readonly string[] | null, limit: number): Promise<DeviceIssue[]> {
  if (boroughIds && boroughIds.length === 0) return [];
  let q = issueQuery(db).where(forceIdUnindexed('i.force_id'), '=', forceId).where('i.returned_at', 'is', null).where('i.shift_ends_at', 'is not', null).where('i.shift_ends_at', '<=', endedBy);
  if (boroughIds) q = q.where('d.armoury_borough_id', 'in', [...boroughIds]);
  return withCartridges(db, await q.orderBy('i.shift_ends_at').orderBy('d.serial').limit(limit).execute());
}

/** Every issue of the given devices, for checking an imported history against what is stored. */
export async function issueSpans(db: Executor, forceId: string): Promise<{ deviceId: string; officerId: string; issuedAt: string; returnedAt: string | null; sourceKey: string | null }[]> {
  const rows = await db.selectFrom('device_issue').select(['device_id', 'officer_id', 'issued_at', 'returned_at', 'source_key']).where('force_id', '=', forceId).execute();
  return rows.map((r) => ({ deviceId: r.device_id, officerId: r.officer_id, issuedAt: r.issued_at, returnedAt: r.returned_at, sourceKey: r.source_key }));
}

// ---- policy -------------------------------------------------------------------------------

export async function findPolicy(db: Executor, forceId: string): Promise<GatePolicy | undefined> {
  const r = await db.selectFrom('device_policy').select(['spare_cartridges', 'overridable']).where('force_id', '=', forceId).executeTakeFirst();
  return r && { spareCartridges: r.spare_cartridges, overridable: JSON.parse(r.overridable) as OverridableReasonCode[] };
}

export async function savePolicy(db: Executor, forceId: string, p: GatePolicy, at: string): Promise<void> {
  const values = { spare_cartridges: p.spareCartridges, overridable: JSON.stringify(p.overridable), updated_at: at };
  await db
    .insertInto('device_policy')
    .values({ force_id: forceId, ...values })
    .onConflict((oc) => oc.column('force_id').doUpdateSet(values))
    .execute();
}

/** An armoury's name in words: "Lambeth armoury", "Territorial Support Group armoury", "the central store". */
export async function armouryName(db: Executor, a: Armoury): Promise<string> {
  if (a.boroughId) {
    const b = await db.selectFrom('borough').select('name').where('id', '=', a.boroughId).executeTakeFirst();
    return b ? `${b.name} armoury` : 'a borough armoury';
  }
  if (a.teamId) {
    const t = await db.selectFrom('team').select('name').where('id', '=', a.teamId).executeTakeFirst();
    return t ? `${t.name} armoury` : 'a unit armoury';
  }
  return 'the central store';
}
