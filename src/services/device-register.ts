import * as repo from '../db/repositories/device-register.js';
import * as devicesRepo from '../db/repositories/devices.js';
import { addDays, londonDate } from '../domain/calendar.js';
import type { CartridgeState } from '../domain/devices/cartridges.js';
import { DEFAULT_GATE_POLICY, OVERRIDABLE_REASON_CODES, type GatePolicy, type OverridableReasonCode } from '../domain/devices/gate.js';
import { movesFrom, type DeviceMove, type DeviceState } from '../domain/devices/lifecycle.js';
import { armouryInScope, armouryKey, parseArmouryKey, type Device, type DeviceEvent, type DeviceIssue, type StoredDeviceModel } from '../domain/devices/register.js';
import { NotFoundError, ValidationError, type FieldError } from '../domain/errors.js';
import type { Scope } from '../domain/permissions.js';
import { armouryStores } from './armoury.js';
import { change, pageWindow, type Actor, type Page, type Services } from './context.js';
import { getForce } from './organisation.js';

/*
 * The register pages (issue 12): the fleet register with its filters, a device's whole
 * history, cartridges and the expended ones still waiting for their report, and the gate's
 * policy. Moves go through moveDevice (services/devices.ts).
 */

const storeScope = (scope: Scope): repo.StoreScope => (scope.all ? { all: true } : { all: false, boroughIds: scope.boroughIds });

/** Every store's name by key (the central store, each borough's and each force-wide unit's). */
async function storeNames(svc: Services): Promise<Map<string, string>> {
  return new Map((await armouryStores(svc, { all: true })).map((s) => [s.key, s.name]));
}

// ---- the register ----------------------------------------------------------------------------

export interface RegisterQuery {
  serial?: string;
  modelId?: string;
  state?: DeviceState;
  /** An armoury key. */
  store?: string;
}

export interface RegisterPage {
  rows: (repo.RegisterRow & { storeName: string })[];
  total: number;
  byState: Map<DeviceState, number>;
  page: number;
  pages: number;
}

/** The register a page at a time, by serial: a borough-scoped reader sees their boroughs' stores only. */
export async function listRegister(svc: Services, scope: Scope, query: RegisterQuery, page: Page): Promise<RegisterPage> {
  const force = await getForce(svc);
  const armoury = query.store ? (parseArmouryKey(query.store) ?? undefined) : undefined;
  const result = await repo.registerPage(
    svc.database.db,
    force.id,
    { serial: query.serial?.trim().toUpperCase() || undefined, modelId: query.modelId, state: query.state, armoury, scope: storeScope(scope) },
    pageWindow(page),
  );
  const names = await storeNames(svc);
  return {
    rows: result.rows.map((r) => ({ ...r, storeName: names.get(armouryKey(r.armoury)) ?? 'A unit armoury' })),
    total: result.total,
    byState: result.byState,
    page: page.page,
    pages: Math.max(1, Math.ceil(result.total / page.pageSize)),
  };
}

// ---- one device -------------------------------------------------------------------------------

export interface DeviceHistory {
  device: Device;
  storeName: string;
  events: DeviceEvent[];
  issues: DeviceIssue[];
  reports: repo.NamingReport[];
  importedRows: repo.NamingImportedRow[];
  /** The moves its state allows (besides issue and return, which the armoury counter makes). */
  moves: Exclude<DeviceMove, 'issue' | 'return'>[];
}

/** A device and everything that happened to it: moves, sign-outs and returns, and the reports that name it. */
export async function deviceHistory(svc: Services, scope: Scope, id: string): Promise<DeviceHistory> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const device = await devicesRepo.findDevice(db, force.id, id);
  if (!device || !armouryInScope(scope, device.armoury)) throw new NotFoundError('Device', id);
  const [events, issues, reports, importedRows, names] = await Promise.all([
    devicesRepo.listDeviceEvents(db, device.id),
    devicesRepo.listIssues(db, force.id, { deviceId: device.id }, { offset: 0, limit: 1000 }),
    repo.reportsNamingDevice(db, svc.database.kind, force.id, device.serial),
    repo.importedRowsNamingDevice(db, svc.database.kind, force.id, device.serial),
    storeNames(svc),
  ]);
  return {
    device,
    storeName: names.get(armouryKey(device.armoury)) ?? 'A unit armoury',
    events,
    issues,
    reports,
    importedRows,
    moves: movesFrom(device.state).filter((m): m is Exclude<DeviceMove, 'issue' | 'return'> => m !== 'issue' && m !== 'return'),
  };
}

// ---- cartridges -------------------------------------------------------------------------------

export interface CartridgeQuery {
  state?: CartridgeState;
  type?: string;
  store?: string;
  /** In store and expiring within 30 days. */
  expiring?: boolean;
  /** Expended with no report linked. */
  unlinked?: boolean;
}

export const EXPIRING_WITHIN_DAYS = 30;

export async function listCartridgePage(svc: Services, scope: Scope, query: CartridgeQuery, page: Page) {
  const force = await getForce(svc);
  const today = londonDate(svc.now());
  const armoury = query.store ? (parseArmouryKey(query.store) ?? undefined) : undefined;
  const filter: repo.CartridgeFilter = {
    state: query.unlinked ? undefined : query.state,
    type: query.type,
    armoury,
    expiringBy: !query.unlinked && query.expiring ? addDays(today, EXPIRING_WITHIN_DAYS) : undefined,
    unlinked: query.unlinked,
    scope: storeScope(scope),
  };
  const [result, unlinked, names] = await Promise.all([
    repo.cartridgePage(svc.database.db, force.id, filter, pageWindow(page)),
    repo.cartridgePage(svc.database.db, force.id, { unlinked: true, scope: storeScope(scope) }, { offset: 0, limit: 0 }),
    storeNames(svc),
  ]);
  return {
    today,
    rows: result.rows.map((r) => ({ ...r, storeName: names.get(armouryKey(r.armoury)) ?? 'A unit armoury' })),
    total: result.total,
    unlinkedTotal: unlinked.total,
    page: page.page,
    pages: Math.max(1, Math.ceil(result.total / page.pageSize)),
  };
}

/** The cartridge types the force's models take, for the filter. */
export function cartridgeTypes(models: readonly StoredDeviceModel[]): string[] {
  return [...new Set(models.flatMap((m) => m.cartridgeTypes))].sort();
}

/**
 * Links an expended cartridge to the report of its discharge, named by the report's id or its
 * incident's reference (with several reports on the incident, the one by the officer who had
 * the cartridge). The report must record a discharge.
 */
export async function linkCartridgeToReport(svc: Services, actor: Actor, scope: Scope, cartridgeId: string, reportText: string): Promise<{ serial: string; reportId: string }> {
  const force = await getForce(svc);
  const text = reportText.trim();
  const field = 'report';
  if (!text) throw new ValidationError([{ field, message: 'Enter the report’s ID or its incident (CAD) reference' }]);
  if (text.length > 100) throw new ValidationError([{ field, message: 'A report’s ID or reference has at most 100 characters' }]);
  return change(svc, actor, async (trx, audit) => {
    const cartridge = await repo.findCartridge(trx, force.id, cartridgeId);
    if (!cartridge || !armouryInScope(scope, cartridge.armoury)) throw new NotFoundError('Cartridge', cartridgeId);
    const fail = (message: string): never => {
      throw new ValidationError([{ field, message }]);
    };
    if (cartridge.state !== 'expended') fail(`Cartridge ${cartridge.serial} is not expended: only an expended cartridge is linked to a report`);
    let found = (await repo.reportsByIdOrReference(trx, force.id, text)).filter((r) => r.status !== 'discarded');
    if (found.length === 0) fail(`No report has the ID or incident reference “${text}”`);
    if (found.length > 1 && cartridge.lastIssue) {
      const theirs = found.filter((r) => r.officerId === cartridge.lastIssue!.officerId);
      if (theirs.length) found = theirs;
    }
    const discharged = found.filter((r) => r.discharge);
    if (discharged.length === 0)
      fail(found.length === 1 ? `The report for “${text}” records no Taser discharge: link the report of the discharge` : `No report for “${text}” records a Taser discharge`);
    if (discharged.length > 1) fail(`${discharged.length} reports for “${text}” record a discharge: enter the report’s ID instead`);
    const report = discharged[0]!;
    const at = svc.now().toISOString();
    if (!(await devicesRepo.linkCartridgeReport(trx, force.id, cartridge.id, report.id, at))) fail(`Cartridge ${cartridge.serial} changed a moment ago: look at it again`);
    await audit({
      action: 'cartridge.link_report',
      entityType: 'cartridge',
      entityId: cartridge.id,
      summary: { serial: cartridge.serial, reportId: report.id, incidentReference: report.incidentReference, before: { reportId: cartridge.reportId }, after: { reportId: report.id } },
    });
    return { serial: cartridge.serial, reportId: report.id };
  });
}

// ---- the gate's policy ----------------------------------------------------------------------

export const MAX_SPARE_CARTRIDGES = 4;

/** Sets the spare cartridge allowance and the reasons an inspector may override. Authority and suspension are never overridable. */
export async function saveGatePolicy(svc: Services, actor: Actor, input: { spareCartridges: unknown; overridable: unknown }): Promise<GatePolicy> {
  const force = await getForce(svc);
  const problems: FieldError[] = [];
  const spareText = typeof input.spareCartridges === 'string' ? input.spareCartridges.trim() : String(input.spareCartridges ?? '');
  const spare = /^\d+$/.test(spareText) ? Number(spareText) : NaN;
  if (!spareText) problems.push({ field: 'spareCartridges', message: 'Enter the number of spare cartridges, from 0 to 4' });
  else if (!Number.isInteger(spare) || spare < 0 || spare > MAX_SPARE_CARTRIDGES)
    problems.push({ field: 'spareCartridges', message: `The number of spare cartridges must be a whole number from 0 to ${MAX_SPARE_CARTRIDGES}` });
  const chosen = Array.isArray(input.overridable) ? input.overridable.map(String) : input.overridable === undefined || input.overridable === '' ? [] : [String(input.overridable)];
  const never = chosen.filter((c) => !(OVERRIDABLE_REASON_CODES as readonly string[]).includes(c));
  if (never.length) problems.push({ field: 'overridable', message: `These reasons can never be overridden: ${never.join(', ')}` });
  if (problems.length) throw new ValidationError(problems);
  const policy: GatePolicy = { spareCartridges: spare, overridable: OVERRIDABLE_REASON_CODES.filter((c) => chosen.includes(c)) as OverridableReasonCode[] };
  return change(svc, actor, async (trx, audit) => {
    const before = (await devicesRepo.findPolicy(trx, force.id)) ?? DEFAULT_GATE_POLICY;
    await devicesRepo.savePolicy(trx, force.id, policy, svc.now().toISOString());
    await audit({
      action: 'device_policy.update',
      entityType: 'force',
      entityId: force.id,
      summary: { before: { spareCartridges: before.spareCartridges, overridable: [...before.overridable] }, after: { spareCartridges: policy.spareCartridges, overridable: [...policy.overridable] } },
    });
    return policy;
  });
}
