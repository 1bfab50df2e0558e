import * as accountsRepo from '../db/repositories/accounts.js';
import * as armouryRepo from '../db/repositories/armoury.js';
import * as devicesRepo from '../db/repositories/devices.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import { londonDate, londonInstant, nextDay } from '../domain/calendar.js';
import { mayOverride } from '../domain/devices/gate.js';
import type { DeviceState } from '../domain/devices/lifecycle.js';
import { armouryInScope, armouryKey, CENTRAL_STORE, isOverdue, OVERDUE_AFTER_SHIFT_MS, parseArmouryKey, type Armoury, type DeviceIssue } from '../domain/devices/register.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { Officer } from '../domain/organisation.js';
import type { Scope } from '../domain/permissions.js';
import { pageWindow, type Actor, type Page, type Services } from './context.js';
import { getIssue } from './devices.js';
import { getForce } from './organisation.js';
import { officerAuthority, type OfficerAuthority } from './training.js';

/*
 * The armoury pages (issue 12): the daily sign-out at the counter for armourers and sergeants.
 * Which stores a person may work at, what a store holds and has out, the officer at the
 * counter, the reports an expended cartridge may belong to, and the devices overdue for
 * return. Issuing and taking back go through services/devices.ts (issueDevice, returnDevice).
 */

export interface Store {
  /** `central`, `borough:<id>` or `team:<id>` (armouryKey). */
  key: string;
  armoury: Armoury;
  name: string;
}

/** How long after a shift's end the sign-out page offers reports to link an expended cartridge to. */
const REPORT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** Open issues shown for a store at once (a store has a few dozen out on a shift). */
const OPEN_LIMIT = 500;

/**
 * The stores a scope works at: for a force-wide role the central store, every borough's and
 * every force-wide unit's; for a borough-scoped one only their boroughs' stores.
 */
export async function armouryStores(svc: Services, scope: Scope): Promise<Store[]> {
  const force = await getForce(svc);
  const [boroughs, teams] = await Promise.all([org.listBoroughs(svc.database.db, force.id), scope.all ? org.listTeams(svc.database.db, force.id, { boroughIds: [] }) : []]);
  const stores: Store[] = [];
  if (scope.all) stores.push({ key: 'central', armoury: CENTRAL_STORE, name: 'Central store' });
  for (const b of boroughs)
    if (armouryInScope(scope, { boroughId: b.id, teamId: null }))
      stores.push({ key: armouryKey({ boroughId: b.id, teamId: null }), armoury: { boroughId: b.id, teamId: null }, name: `${b.name} armoury` });
  // Only the force-wide units (no borough) keep a store of their own: `boroughIds: []` reads just those.
  for (const t of teams) if (t.boroughId === null) stores.push({ key: armouryKey({ boroughId: null, teamId: t.id }), armoury: { boroughId: null, teamId: t.id }, name: `${t.name} armoury` });
  return stores;
}

/**
 * The store a key names, within the scope; the default (no key) is the person's borough's
 * store when borough-scoped, else the central store. A store outside the scope is not found.
 */
export async function chooseStore(svc: Services, scope: Scope, key: string | undefined): Promise<{ store: Store; stores: Store[] }> {
  const stores = await armouryStores(svc, scope);
  if (!key) {
    const store = stores[0];
    if (!store) throw new NotFoundError('Armoury', 'for your borough');
    return { store, stores };
  }
  const store = parseArmouryKey(key) && stores.find((s) => s.key === key);
  if (!store) throw new NotFoundError('Armoury', key);
  return { store, stores };
}

export interface OpenIssue extends DeviceIssue {
  overdue: boolean;
}

export interface StoreOverview {
  /** Devices out now, overdue ones first (longest overdue first), then by when issued. */
  out: OpenIssue[];
  overdue: number;
  /** A page of the devices kept here and not out (in store, in repair, quarantined). */
  held: { rows: { id: string; serial: string; modelName: string; state: DeviceState; stateNote: string | null }[]; total: number; page: number; pages: number };
  counts: Partial<Record<DeviceState, number>>;
}

/** What a store has out and holds, for its page. */
export async function storeOverview(svc: Services, store: Store, page: Page): Promise<StoreOverview> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const now = svc.now();
  // Four statements: the store's open issues (from its devices), their cartridges, a page of
  // what it holds, and its devices by state (which also give how many it holds).
  const [open, held, counts] = await Promise.all([
    devicesRepo.listIssues(db, force.id, { open: true, armoury: store.armoury }, { offset: 0, limit: OPEN_LIMIT }),
    armouryRepo.storeDevices(db, force.id, store.armoury, pageWindow(page)),
    armouryRepo.storeCounts(db, force.id, store.armoury),
  ]);
  const heldTotal = armouryRepo.HELD_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
  const out = open.map((i) => ({ ...i, overdue: isOverdue(i, now) }));
  out.sort((a, b) => (a.overdue === b.overdue ? (a.overdue ? (a.shiftEndsAt ?? '').localeCompare(b.shiftEndsAt ?? '') : b.issuedAt.localeCompare(a.issuedAt)) : a.overdue ? -1 : 1));
  return {
    out,
    overdue: out.filter((i) => i.overdue).length,
    held: { rows: held, total: heldTotal, page: page.page, pages: Math.max(1, Math.ceil(heldTotal / page.pageSize)) },
    counts,
  };
}

export interface OfficerAtCounter {
  officer: Officer;
  authority: OfficerAuthority;
  /** The device they hold now, if any. */
  holds: DeviceIssue | null;
}

/**
 * The officer at the counter, by collar number, with their authority today and any device
 * they hold. Any officer of the force: an officer may draw a device from another borough's
 * store (the gate then says whether they may).
 */
export async function officerAtCounter(svc: Services, collarNumber: string): Promise<OfficerAtCounter | undefined> {
  const wanted = collarNumber.trim().toUpperCase();
  if (!wanted) throw new ValidationError([{ field: 'collar', message: 'Enter the officer’s collar number' }]);
  if (wanted.length > 20) throw new ValidationError([{ field: 'collar', message: 'A collar number has at most 20 characters' }]);
  const force = await getForce(svc);
  const officer = await officersRepo.findOfficerByCollar(svc.database.db, force.id, wanted);
  if (!officer) return undefined;
  const [authority, holds] = await Promise.all([officerAuthority(svc, { all: true }, officer.id), devicesRepo.findOpenIssue(svc.database.db, force.id, { officerId: officer.id })]);
  return { officer, authority, holds: holds ?? null };
}

/** Whether the signed-in person may override the gate: their officer record's rank is inspector or above. */
export async function mayOverrideGate(svc: Services, actor: Actor): Promise<boolean> {
  if (!actor.userId) return false;
  const account = await accountsRepo.findAccount(svc.database.db, actor.userId);
  const officer = account?.officerId ? await officersRepo.findOfficer(svc.database.db, account.officerId) : undefined;
  return mayOverride(officer?.rank);
}

/**
 * When a shift typed at the counter as `HH:MM` (London) ends: today, or tomorrow when that
 * time has already passed today (a night shift ending after midnight).
 */
export function shiftEndFrom(svc: Services, hhmm: string): string {
  const m = /^\s*(\d{1,2})[:.]?(\d{2})\s*$/.exec(hhmm);
  if (!hhmm.trim()) throw new ValidationError([{ field: 'shiftEnd', message: 'Enter the time the officer’s shift ends, for example 19:00' }]);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59)
    throw new ValidationError([{ field: 'shiftEnd', message: 'Enter the time the shift ends as hours and minutes on the 24-hour clock, for example 19:00' }]);
  const now = svc.now();
  const time = `${m[1]!.padStart(2, '0')}:${m[2]}`;
  const today = londonDate(now);
  let at = londonInstant(today, time);
  if (at.getTime() <= now.getTime()) at = londonInstant(nextDay(today), time);
  return at.toISOString();
}

export interface ReturnCandidateReport {
  id: string;
  status: string;
  incidentReference: string | null;
  occurredAt: string | null;
  createdAt: string;
  deviceSerial: string | null;
  cartridgeNumbers: string[];
}

export interface ReturnPage {
  issue: DeviceIssue;
  /** The officer's reports of the last 7 days recording a Taser discharge: where an expended cartridge was used. */
  reports: ReturnCandidateReport[];
}

/** An open issue (within the scope) and the reports its expended cartridges may be linked to. */
export async function returnPage(svc: Services, scope: Scope, issueId: string): Promise<ReturnPage> {
  const issue = await getIssue(svc, scope, issueId);
  const since = new Date(svc.now().getTime() - REPORT_WINDOW_MS).toISOString();
  const reports = await armouryRepo.dischargeReports(svc.database.db, issue.officerId, since);
  return { issue, reports };
}

export interface OverdueIssue extends DeviceIssue {
  armouryName: string;
}

/**
 * Devices overdue for return (still out 2 hours after their shift ended), longest overdue
 * first: for a borough-scoped person their boroughs' stores, for a force-wide one all stores.
 */
export async function overdueIssues(svc: Services, scope: Scope, limit = 200): Promise<OverdueIssue[]> {
  const force = await getForce(svc);
  const endedBy = new Date(svc.now().getTime() - OVERDUE_AFTER_SHIFT_MS).toISOString();
  const rows = await devicesRepo.overdueIssues(svc.database.db, force.id, endedBy, scope.all ? null : scope.boroughIds, limit);
  if (rows.length === 0) return [];
  const names = new Map((await armouryStores(svc, { all: true })).map((s) => [s.key, s.name]));
  return rows.map((r) => ({ ...r, armouryName: names.get(armouryKey(r.armoury)) ?? 'Unknown armoury' }));
}
