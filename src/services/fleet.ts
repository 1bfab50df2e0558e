import * as devicesRepo from '../db/repositories/devices.js';
import * as org from '../db/repositories/organisation.js';
import { londonDate, monthOfDay } from '../domain/calendar.js';
import {
  boroughMigration,
  compositionByMonth,
  fleetTable,
  migrationStanding,
  monthsEndingWith,
  NEW_MODEL,
  OLD_MODEL,
  type BoroughMigration,
  type CompositionMonth,
  type FleetTable,
} from '../domain/devices/fleet.js';
import { DEVICE_STATES, type DeviceState } from '../domain/devices/lifecycle.js';
import { armouryInScope, armouryKey, type StoredDeviceModel } from '../domain/devices/register.js';
import type { Scope } from '../domain/permissions.js';
import { authoritiesOn } from '../domain/training/authority.js';
import { pageWindow, type Actor, type Page, type Services } from './context.js';
import { armouryStores, type Store } from './armoury.js';
import { listDeviceModels } from './devices.js';
import { getForce } from './organisation.js';
import { forceAuthority } from './training.js';

/*
 * The fleet page (issue 12: the X26 → X2 migration): devices by model and state per store,
 * the X26's retirement, X2 devices against officers authorised on the X2 per borough, the
 * officers still on the X26 only, and the fleet's make-up month by month.
 */

export const COMPOSITION_MONTHS = 24;

export interface ConversionOfficer {
  officerId: string;
  collarNumber: string;
  name: string;
  boroughName: string;
}

export interface FleetOverview {
  today: string;
  models: StoredDeviceModel[];
  stores: Store[];
  table: FleetTable;
  /** The old model (X26): when the force stops issuing it, and its devices not yet withdrawn, by state. */
  retiring: { model: StoredDeviceModel; stopsIssuingOn: string | null; toWithdraw: number; byState: { state: DeviceState; count: number }[] } | null;
  newModel: StoredDeviceModel | null;
  boroughs: (BoroughMigration & { boroughName: string })[];
  /** The force (or the scope) as one row. */
  totals: BoroughMigration;
  conversion: { total: number; page: number; pages: number; officers: ConversionOfficer[] };
  composition: { models: string[]; months: CompositionMonth[] };
}

/**
 * Every figure on the fleet page. Each officer's authority is worked out once for the request
 * (from the force's cached training records). A borough-scoped reader sees their boroughs'
 * stores and officers.
 */
export async function fleetOverview(svc: Services, actor: Actor, scope: Scope, page: Page): Promise<FleetOverview> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const today = londonDate(svc.now());
  const [models, counts, spans, boroughs, stores, authority] = await Promise.all([
    listDeviceModels(svc, actor),
    devicesRepo.fleetCounts(db, force.id),
    devicesRepo.fleetSpans(db, force.id),
    org.listBoroughs(db, force.id),
    armouryStores(svc, scope),
    forceAuthority(db, force.id),
  ]);
  const modelName = new Map(models.map((m) => [m.id, m.name]));
  const visible = counts.filter((c) => armouryInScope(scope, c.armoury));
  const storeKeys = stores.map((s) => s.key);
  const table = fleetTable(
    visible.map((c) => ({ store: armouryKey(c.armoury), model: modelName.get(c.modelId) ?? '', state: c.state, count: c.count })),
    models.map((m) => m.name),
    storeKeys,
  );

  const old = models.find((m) => m.name === OLD_MODEL) ?? null;
  const newModel = models.find((m) => m.name === NEW_MODEL) ?? null;
  let retiring: FleetOverview['retiring'] = null;
  if (old) {
    const byState = DEVICE_STATES.filter((s) => s !== 'withdrawn')
      .map((state) => ({ state, count: visible.filter((c) => c.modelId === old.id && c.state === state).reduce((n, c) => n + c.count, 0) }))
      .filter((s) => s.count > 0);
    retiring = { model: old, stopsIssuingOn: old.stopsIssuingOn, toWithdraw: byState.reduce((n, s) => n + s.count, 0), byState };
  }

  // New-model devices not withdrawn, per borough store (a unit's or the central store counts for no borough).
  const devicesByBorough = new Map<string | null, number>();
  for (const c of visible) {
    if (c.modelId !== newModel?.id || c.state === 'withdrawn') continue;
    devicesByBorough.set(c.armoury.boroughId, (devicesByBorough.get(c.armoury.boroughId) ?? 0) + c.count);
  }

  // Each serving officer's standing today, once.
  const inScope = (boroughId: string | null) => scope.all || (boroughId !== null && scope.boroughIds.includes(boroughId));
  const serving = authority.officers.filter((o) => o.status === 'active' && o.joinedOn <= today && (o.leftOn === null || today < o.leftOn) && inScope(o.boroughId));
  const standings = serving.map((o) => {
    const [onNew, onOld] = authoritiesOn(today, authority.records(o.id), authority.restrictions(o.id), [NEW_MODEL, OLD_MODEL]).reduce(
      (acc, a) => [acc[0] || (a.model === NEW_MODEL && a.authorised), acc[1] || (a.model === OLD_MODEL && a.authorised)],
      [false, false],
    );
    return { officer: o, boroughId: o.boroughId, standing: migrationStanding(onNew, onOld) };
  });
  const boroughName = new Map(boroughs.map((b) => [b.id as string | null, b.name]));
  const boroughIds: (string | null)[] = boroughs.filter((b) => inScope(b.id)).map((b) => b.id);
  if (scope.all) boroughIds.push(null);
  const perBorough = boroughMigration(standings, devicesByBorough, boroughIds)
    .map((b) => ({ ...b, boroughName: boroughName.get(b.boroughId) ?? 'Force-wide units and central store' }))
    .filter((b) => b.boroughId !== null || b.authorisedOnNew + b.oldOnly + b.devices > 0);
  const [totals] = boroughMigration(
    standings.map((s) => ({ ...s, boroughId: 'all' })),
    new Map([['all', [...devicesByBorough.values()].reduce((a, b) => a + b, 0)]]),
    ['all'],
  );

  const oldOnly = standings
    .filter((s) => s.standing === 'old_only')
    .map((s) => ({
      officerId: s.officer.id,
      collarNumber: s.officer.collarNumber,
      name: `${s.officer.firstName} ${s.officer.lastName}`,
      boroughName: boroughName.get(s.officer.boroughId) ?? 'Force-wide units',
    }))
    .sort((a, b) => a.boroughName.localeCompare(b.boroughName) || a.name.localeCompare(b.name) || a.collarNumber.localeCompare(b.collarNumber));
  const window = pageWindow(page);

  const months = monthsEndingWith(monthOfDay(today), COMPOSITION_MONTHS);
  const composition = compositionByMonth(
    spans.map((s) => ({ modelName: s.modelName, inServiceOn: s.inServiceOn, withdrawnOn: s.withdrawnAt ? londonDate(s.withdrawnAt) : null })),
    models.map((m) => m.name),
    months,
    today,
  );
  // Models the force has never had a device of stay out of the chart.
  const held = models.map((m) => m.name).filter((_, i) => composition.some((c) => c.counts[i]! > 0));
  const heldIndex = held.map((name) => models.findIndex((m) => m.name === name));

  return {
    today,
    models,
    stores,
    table,
    retiring,
    newModel,
    boroughs: perBorough,
    totals: totals!,
    conversion: {
      total: oldOnly.length,
      page: page.page,
      pages: Math.max(1, Math.ceil(oldOnly.length / page.pageSize)),
      officers: oldOnly.slice(window.offset, window.offset + window.limit),
    },
    composition: { models: held, months: composition.map((c) => ({ ...c, counts: heldIndex.map((i) => c.counts[i]!) })) },
  };
}
