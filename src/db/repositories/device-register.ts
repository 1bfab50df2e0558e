import type { CartridgeState } from '../../domain/devices/cartridges.js';
import type { DeviceState } from '../../domain/devices/lifecycle.js';
import type { Armoury } from '../../domain/devices/register.js';
import type { DatabaseKind, Executor } from '../database.js';

/*
 * The register pages' reads (issue 12): the fleet register and cartridges a page at a time
 * with their filters and counts, and the reports that name a device. Writes stay in
 * devices.ts.
 */

/** Only what a borough-scoped reader may see: their boroughs' stores (never a unit's or the central store). */
export type StoreScope = { all: true } | { all: false; boroughIds: readonly string[] };

export interface RegisterFilter {
  serial?: string;
  modelId?: string;
  state?: DeviceState;
  armoury?: Armoury;
  scope: StoreScope;
}

export interface RegisterRow {
  id: string;
  serial: string;
  modelName: string;
  firmware: string | null;
  armoury: Armoury;
  state: DeviceState;
  inServiceOn: string | null;
  /** The officer holding it now (an open issue), or null. */
  holder: { officerId: string; collarNumber: string; name: string } | null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function storeWhere<Q extends { where: (...a: any[]) => Q }>(q: Q, prefix: string, armoury: Armoury | undefined, scope: StoreScope): Q {
  let out = q;
  if (armoury) {
    out = armoury.boroughId ? out.where(`${prefix}.armoury_borough_id`, '=', armoury.boroughId) : out.where(`${prefix}.armoury_borough_id`, 'is', null);
    out = armoury.teamId ? out.where(`${prefix}.armoury_team_id`, '=', armoury.teamId) : out.where(`${prefix}.armoury_team_id`, 'is', null);
  }
  if (!scope.all) {
    // An empty list matches nothing.
    out = scope.boroughIds.length ? out.where(`${prefix}.armoury_borough_id`, 'in', [...scope.boroughIds]) : out.where(`${prefix}.id`, 'is', null);
  }
  return out;
}

function registerWhere<Q extends { where: (...a: any[]) => Q }>(q: Q, forceId: string, f: Omit<RegisterFilter, 'state'>): Q {
  let out = q.where('d.force_id', '=', forceId);
  out = storeWhere(out, 'd', f.armoury, f.scope);
  if (f.modelId) out = out.where('d.model_id', '=', f.modelId);
  if (f.serial) out = out.where('d.serial', 'like', `${escapeLike(f.serial)}%`);
  return out;
}

/** A page of the register (by serial), how many match, and how many match in each state (the state filter aside). */
export async function registerPage(
  db: Executor,
  forceId: string,
  f: RegisterFilter,
  window: { offset: number; limit: number },
): Promise<{ rows: RegisterRow[]; total: number; byState: Map<DeviceState, number> }> {
  let q = registerWhere(
    db
      .selectFrom('device as d')
      .innerJoin('device_model as m', 'm.id', 'd.model_id')
      .leftJoin('device_issue as i', (j) => j.onRef('i.device_id', '=', 'd.id').on('i.returned_at', 'is', null))
      .leftJoin('officer as o', 'o.id', 'i.officer_id')
      .select([
        'd.id',
        'd.serial',
        'm.name as model_name',
        'd.firmware',
        'd.armoury_borough_id',
        'd.armoury_team_id',
        'd.state',
        'd.in_service_on',
        'o.id as officer_id',
        'o.collar_number',
        'o.first_name',
        'o.last_name',
      ]),
    forceId,
    f,
  );
  if (f.state) q = q.where('d.state', '=', f.state);
  const rows = await q.orderBy('d.serial').offset(window.offset).limit(window.limit).execute();
  const counted = await registerWhere(db.selectFrom('device as d'), forceId, f)
    .select(['d.state', (eb) => eb.fn.countAll<string | number>().as('n')])
    .groupBy('d.state')
    .execute();
  const byState = new Map(counted.map((r) => [r.state as DeviceState, Number(r.n)]));
  const total = f.state ? (byState.get(f.state) ?? 0) : [...byState.values()].reduce((a, b) => a + b, 0);
  return {
    rows: rows.map((r) => ({
      id: r.id,
      serial: r.serial,
      modelName: r.model_name,
      firmware: r.firmware,
      armoury: { boroughId: r.armoury_borough_id, teamId: r.armoury_team_id },
      state: r.state as DeviceState,
      inServiceOn: r.in_service_on,
      holder: r.officer_id ? { officerId: r.officer_id, collarNumber: r.collar_number!, name: `${r.first_name} ${r.last_name}` } : null,
    })),
    total,
    byState,
  };
}

// ---- reports naming a device -----------------------------------------------------------------

export interface NamingReport {
  id: string;
  status: string;
  incidentReference: string | null;
  occurredAt: string | null;
  officerId: string;
  collarNumber: string;
  officerName: string;
  discharge: boolean;
  highestLevel: string | null;
}

/** Cedar's reports (not drafts, not discarded) whose Taser section names the serial. */
export async function reportsNamingDevice(db: Executor, kind: DatabaseKind, forceId: string, serial: string): Promise<NamingReport[]> {
  const needle = `%"deviceSerial":${JSON.stringify(serial)}%`;
  const rows = await db
    .selectFrom('uof_report as r')
    .innerJoin('officer as o', 'o.id', 'r.officer_id')
    .leftJoin('incident as i', 'i.id', 'r.incident_id')
    .select(['r.id', 'r.status', 'r.content', 'i.reference', 'r.occurred_at', 'o.id as officer_id', 'o.collar_number', 'o.first_name', 'o.last_name', 'r.discharge', 'r.highest_level'])
    .where('r.force_id', '=', forceId)
    .where('r.status', 'not in', ['draft', 'discarded'])
    .where('r.content', kind === 'postgres' ? 'ilike' : 'like', needle)
    .orderBy('r.occurred_at', 'desc')
    .execute();
  return rows
    .filter((r) => {
      const ced = (JSON.parse(r.content) as { ced?: { deviceSerial?: unknown } }).ced;
      return typeof ced?.deviceSerial === 'string' && ced.deviceSerial.trim().toUpperCase() === serial;
    })
    .map((r) => ({
      id: r.id,
      status: r.status,
      incidentReference: r.reference ?? null,
      occurredAt: r.occurred_at,
      officerId: r.officer_id,
      collarNumber: r.collar_number,
      officerName: `${r.first_name} ${r.last_name}`,
      discharge: Number(r.discharge) === 1,
      highestLevel: r.highest_level,
    }));
}

export interface NamingImportedRow {
  id: string;
  occurredAt: string;
  boroughName: string | null;
  sourceFile: string;
  sourceLine: number;
  highestLevel: string | null;
  discharge: boolean;
}

/** Imported Met-format rows whose `CED Device Serial No` names the serial (in any case). */
export async function importedRowsNamingDevice(db: Executor, kind: DatabaseKind, forceId: string, serial: string): Promise<NamingImportedRow[]> {
  const needle = `%"deviceSerial":${JSON.stringify(serial)}%`;
  const rows = await db
    .selectFrom('imported_report as i')
    .innerJoin('imported_report_row as r', 'r.id', 'i.id')
    .select(['i.id', 'i.occurred_at', 'i.borough_name', 'i.source_file', 'i.source_line', 'i.highest_level', 'i.discharge', 'r.row'])
    .where('i.force_id', '=', forceId)
    .where('r.row', kind === 'postgres' ? 'ilike' : 'like', needle)
    .orderBy('i.occurred_at', 'desc')
    .limit(500)
    .execute();
  return rows
    .filter((r) => {
      const ced = (JSON.parse(r.row) as { ced?: { deviceSerial?: unknown } }).ced;
      return typeof ced?.deviceSerial === 'string' && ced.deviceSerial.trim().toUpperCase() === serial;
    })
    .map((r) => ({
      id: r.id,
      occurredAt: r.occurred_at,
      boroughName: r.borough_name,
      sourceFile: r.source_file,
      sourceLine: Number(r.source_line),
      highestLevel: r.highest_level,
      discharge: Number(r.discharge) === 1,
    }));
}

// ---- cartridges ---------------------------------------------------------------------------------

export interface CartridgeFilter {
  state?: CartridgeState;
  type?: string;
  armoury?: Armoury;
  /** In store and expiring on or before this day. */
  expiringBy?: string;
  /** Expended with no report linked. */
  unlinked?: boolean;
  scope: StoreScope;
}

export interface CartridgeRow {
  id: string;
  serial: string;
  type: string;
  lot: string;
  expiresOn: string;
  armoury: Armoury;
  state: CartridgeState;
  reportId: string | null;
  /** The last sign-out it went out on: who had it, and when it came back. */
  lastIssue: { issueId: string; officerId: string; collarNumber: string; name: string; deviceSerial: string; returnedAt: string | null } | null;
}

function cartridgeWhere<Q extends { where: (...a: any[]) => Q }>(q: Q, forceId: string, f: CartridgeFilter): Q {
  let out = storeWhere(q.where('c.force_id', '=', forceId), 'c', f.armoury, f.scope);
  if (f.state) out = out.where('c.state', '=', f.state);
  if (f.type) out = out.where('c.type', '=', f.type);
  if (f.expiringBy) out = out.where('c.state', '=', 'in_store').where('c.expires_on', '<=', f.expiringBy);
  if (f.unlinked) out = out.where('c.state', '=', 'expended').where('c.report_id', 'is', null);
  return out;
}

export async function cartridgePage(db: Executor, forceId: string, f: CartridgeFilter, window: { offset: number; limit: number }): Promise<{ rows: CartridgeRow[]; total: number }> {
  const rows = await cartridgeWhere(
    db.selectFrom('cartridge as c').select(['c.id', 'c.serial', 'c.type', 'c.lot', 'c.expires_on', 'c.armoury_borough_id', 'c.armoury_team_id', 'c.state', 'c.report_id']),
    forceId,
    f,
  )
    .orderBy('c.expires_on')
    .orderBy('c.serial')
    .offset(window.offset)
    .limit(window.limit)
    .execute();
  const counted = await cartridgeWhere(db.selectFrom('cartridge as c'), forceId, f)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  const last = await lastIssues(
    db,
    rows.map((r) => r.id),
  );
  return {
    rows: rows.map((r) => ({
      id: r.id,
      serial: r.serial,
      type: r.type,
      lot: r.lot,
      expiresOn: r.expires_on,
      armoury: { boroughId: r.armoury_borough_id, teamId: r.armoury_team_id },
      state: r.state as CartridgeState,
      reportId: r.report_id,
      lastIssue: last.get(r.id) ?? null,
    })),
    total: Number(counted.n),
  };
}

/** Each cartridge's latest sign-out. */
async function lastIssues(db: Executor, cartridgeIds: readonly string[]): Promise<Map<string, NonNullable<CartridgeRow['lastIssue']>>> {
  const out = new Map<string, NonNullable<CartridgeRow['lastIssue']>>();
  if (cartridgeIds.length === 0) return out;
  const rows = await db
    .selectFrom('device_issue_cartridge as l')
    .innerJoin('device_issue as i', 'i.id', 'l.issue_id')
    .innerJoin('officer as o', 'o.id', 'i.officer_id')
    .innerJoin('device as d', 'd.id', 'i.device_id')
    .select(['l.cartridge_id', 'i.id', 'i.officer_id', 'o.collar_number', 'o.first_name', 'o.last_name', 'd.serial', 'i.issued_at', 'i.returned_at'])
    .where('l.cartridge_id', 'in', [...cartridgeIds])
    .orderBy('i.issued_at')
    .execute();
  for (const r of rows)
    out.set(r.cartridge_id, { issueId: r.id, officerId: r.officer_id, collarNumber: r.collar_number, name: `${r.first_name} ${r.last_name}`, deviceSerial: r.serial, returnedAt: r.returned_at });
  return out;
}

export async function findCartridge(db: Executor, forceId: string, id: string): Promise<CartridgeRow | undefined> {
  const r = await db
    .selectFrom('cartridge as c')
    .select(['c.id', 'c.serial', 'c.type', 'c.lot', 'c.expires_on', 'c.armoury_borough_id', 'c.armoury_team_id', 'c.state', 'c.report_id'])
    .where('c.force_id', '=', forceId)
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  const last = await lastIssues(db, [r.id]);
  return {
    id: r.id,
    serial: r.serial,
    type: r.type,
    lot: r.lot,
    expiresOn: r.expires_on,
    armoury: { boroughId: r.armoury_borough_id, teamId: r.armoury_team_id },
    state: r.state as CartridgeState,
    reportId: r.report_id,
    lastIssue: last.get(r.id) ?? null,
  };
}

export interface LinkableReport {
  id: string;
  status: string;
  officerId: string;
  incidentReference: string | null;
  discharge: boolean;
}

/** The reports a person's text names: the report's id, or every report of the incident with that reference. */
export async function reportsByIdOrReference(db: Executor, forceId: string, text: string): Promise<LinkableReport[]> {
  const rows = await db
    .selectFrom('uof_report as r')
    .leftJoin('incident as i', 'i.id', 'r.incident_id')
    .select(['r.id', 'r.status', 'r.officer_id', 'i.reference', 'r.discharge'])
    .where('r.force_id', '=', forceId)
    .where((eb) => eb.or([eb('r.id', '=', text), eb('i.reference', '=', text)]))
    .execute();
  return rows.map((r) => ({ id: r.id, status: r.status, officerId: r.officer_id, incidentReference: r.reference ?? null, discharge: Number(r.discharge) === 1 }));
}
