import * as devicesRepo from '../db/repositories/devices.js';
import * as org from '../db/repositories/organisation.js';
import { londonDate, monthOfDay } from '../domain/calendar.js';
import {
  boroughMigration,
  compositionByMonth,
  fleetTable,
  migrationStanding,
  type MigrationStanding,
  monthsEndingWith,
  NEW_MODEL,
  OLD_MODEL,
  type BoroughMigration,
  type CompositionMonth,
  type FleetTable,
} from '../domain/devices/fleet.js';
import { DEVICE_STATES, type DeviceState } from '../domain/devices/lifecycle.js';
import { armouryInScope, armouryKey, type StoredDeviceModel } from '../domain/devices/register.js';
import { scopeKey, type Scope } from '../domain/permissions.js';
import { VersionedCache } from './cache.js';
import type { Executor } from '../db/database.js';
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

/** A serving officer authorised on the new model, or on the old one only, on a day. */
export interface DayStanding {
  officerId: string;
  collarNumber: string;
  name: string;
  boroughId: string | null;
  standing: Exclude<MigrationStanding, 'neither'>;
}

const standingsCache = new VersionedCache<readonly DayStanding[]>(['authority']);

/**
 * The force's serving officers authorised on the new or the old model on a London day (officers
 * authorised on neither are left out: they count nowhere on the page). Kept between requests,
 * keyed by the day and the authority change counter (migration 0022's triggers add one on any
 * change of training records, suspensions, withdrawals, officers, teams or boroughs), so a
 * change is seen by the next request. Only officers with a training record are looked at.
 */
export async function dayStandings(svc: Services, forceId: string, today: string): Promise<readonly DayStanding[]> {
  const db = svc.database.db;
  return standingsCache.get(db, `${forceId}|${today}`, () => workOutDayStandings(db, forceId, today));
}

async function workOutDayStandings(db: Executor, forceId: string, today: string): Promise<readonly DayStanding[]> {
  const authority = await forceAuthority(db, forceId);
  const value: DayStanding[] = [];
  for (const o of authority.officers) {
    if (o.status !== 'active' || o.joinedOn > today || (o.leftOn !== null && today >= o.leftOn)) continue;
    const records = authority.records(o.id);
    if (records.length === 0) continue;
    const [onNew, onOld] = authoritiesOn(today, records, authority.restrictions(o.id), [NEW_MODEL, OLD_MODEL]).reduce(
      (acc, a) => [acc[0] || (a.model === NEW_MODEL && a.authorised), acc[1] || (a.model === OLD_MODEL && a.authorised)],
      [false, false],
    );
    const standing = migrationStanding(onNew, onOld);
    if (standing !== 'neither') value.push({ officerId: o.id, collarNumber: o.collarNumber, name: `${o.firstName} ${o.lastName}`, boroughId: o.boroughId, standing });
  }
  return value;
}

type FleetFigures = Omit<FleetOverview, 'conversion'> & { oldOnly: ConversionOfficer[] };

const figuresCache = new VersionedCache<FleetFigures>(['authority', 'devices']);

/**
 * Every figure on the fleet page. Worked out once per London day, scope and change of the data
 * it is made from, and kept between requests: the key holds the day and migration 0022's change
 * counters (`authority`: training records, restrictions, officers, teams, boroughs; `devices`:
 * devices, models, device events), which triggers add to in the same transaction as any change,
 * so the request after a commit sees it. A borough-scoped reader sees their boroughs' stores
 * and officers.
 */
export async function fleetOverview(svc: Services, actor: Actor, scope: Scope, page: Page): Promise<FleetOverview> {
  const db = svc.database.db;
  const today = londonDate(svc.now());
  const force = await getForce(svc);
  const figures = await figuresCache.get(db, `${force.id}|${today}|${scopeKey(scope)}`, () => fleetFigures(svc, actor, force.id, scope, today));
  const { oldOnly, ...rest } = figures;
  const window = pageWindow(page);
  return {
    ...rest,
    conversion: {
      total: oldOnly.length,
      page: page.page,
      pages: Math.max(1, Math.ceil(oldOnly.length / page.pageSize)),
      officers: oldOnly.slice(window.offset, window.offset + window.limit),
    },
  };
}

async function fleetFigures(svc: Services, actor: Actor, forceId: string, scope: Scope, today: string): Promise<FleetFigures> {
  const db = svc.database.db;
  const [models, counts, spans, boroughs, allStores, everyStanding] = await Promise.all([
    listDeviceModels(svc, actor),
    devicesRepo.fleetCounts(db, forceId),
    devicesRepo.fleetSpans(db, forceId),
    org.listBoroughs(db, forceId),
    armouryStores(svc, { all: true }),
    dayStandings(svc, forceId, today),
  ]);
  // The stores the scope works at (as armouryStores(scope) lists them, in its order).
  const stores = allStores.filter((s) => armouryInScope(scope, s.armoury));
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

  // Each serving officer's standing today (the day's summary, cached).
  const inScope = (boroughId: string | null) => scope.all || (boroughId !== null && scope.boroughIds.includes(boroughId));
  const standings = everyStanding.filter((s) => inScope(s.boroughId));
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
      officerId: s.officerId,
      collarNumber: s.collarNumber,
      name: s.name,
      boroughName: boroughName.get(s.boroughId) ?? 'Force-wide units',
    }))
    .sort((a, b) => a.boroughName.localeCompare(b.boroughName) || a.name.localeCompare(b.name) || a.collarNumber.localeCompare(b.collarNumber));

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
    oldOnly,
    composition: { models: held, months: composition.map((c) => ({ ...c, counts: heldIndex.map((i) => c.counts[i]!) })) },
  };
}
