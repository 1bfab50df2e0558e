/**
 * The fleet register's records as Cedar's other layers see them (issue 12). Pure types and the
 * armoury key: a device or cartridge lives in a borough's store, a force-wide unit's store, or
 * the central store.
 */

import type { CartridgeReturn, CartridgeState } from './cartridges.js';
import type { DeviceMove, DeviceState, WithdrawalReason } from './lifecycle.js';
import type { DeviceModel } from './models.js';
import { scopeIncludes, type Scope } from '../permissions.js';

/** Where a device or cartridge is kept: a borough's store, a force-wide unit's store, or (both null) the central store. */
export interface Armoury {
  boroughId: string | null;
  teamId: string | null;
}

export const CENTRAL_STORE: Armoury = { boroughId: null, teamId: null };

/** One string per armoury, for comparing and for forms: `borough:<id>`, `team:<id>` or `central`. */
export function armouryKey(a: Armoury): string {
  if (a.boroughId) return `borough:${a.boroughId}`;
  if (a.teamId) return `team:${a.teamId}`;
  return 'central';
}

/** Whether a scope reaches an armoury: force-wide, every store; borough-scoped, its boroughs' stores only. */
export const armouryInScope = (scope: Scope, a: Armoury): boolean => scope.all || (a.boroughId !== null && scopeIncludes(scope, a.boroughId));

/** The armoury a key names, or null if it is not a key. */
export function parseArmouryKey(key: string): Armoury | null {
  if (key === 'central') return CENTRAL_STORE;
  const m = /^(borough|team):([0-9a-f-]{36})$/.exec(key);
  if (!m) return null;
  return m[1] === 'borough' ? { boroughId: m[2]!, teamId: null } : { boroughId: null, teamId: m[2]! };
}

export interface StoredDeviceModel extends DeviceModel {
  id: string;
}

export interface Device {
  id: string;
  serial: string;
  model: StoredDeviceModel;
  firmware: string | null;
  armoury: Armoury;
  state: DeviceState;
  stateNote: string | null;
  withdrawalReason: WithdrawalReason | null;
  inServiceOn: string | null;
  revision: number;
}

export interface DeviceEvent {
  id: string;
  at: string;
  move: DeviceMove | 'registered' | 'imported';
  fromState: DeviceState | null;
  toState: DeviceState;
  note: string | null;
  actorLabel: string | null;
}

export interface Cartridge {
  id: string;
  serial: string;
  type: string;
  lot: string;
  expiresOn: string;
  armoury: Armoury;
  state: CartridgeState;
  reportId: string | null;
}

export interface IssuedCartridge {
  cartridgeId: string;
  serial: string;
  type: string;
  outcome: CartridgeReturn | null;
  reportId: string | null;
}

export interface DeviceIssue {
  id: string;
  deviceId: string;
  deviceSerial: string;
  modelName: string;
  officerId: string;
  collarNumber: string;
  officerName: string;
  issuedAt: string;
  shiftEndsAt: string | null;
  returnedAt: string | null;
  overrideCodes: string[];
  overrideReason: string | null;
  cartridges: IssuedCartridge[];
}

/** A device still out this long after its shift's end is overdue. */
export const OVERDUE_AFTER_SHIFT_MS = 2 * 60 * 60 * 1000;

/** Whether an issue is overdue at an instant: still out 2 hours after its shift ended. */
export const isOverdue = (issue: Pick<DeviceIssue, 'returnedAt' | 'shiftEndsAt'>, now: Date): boolean =>
  issue.returnedAt === null && issue.shiftEndsAt !== null && now.getTime() >= Date.parse(issue.shiftEndsAt) + OVERDUE_AFTER_SHIFT_MS;

/** A shift's length when the issuer does not say when it ends (a kiosk with no roster). */
export const DEFAULT_SHIFT_MS = 10 * 60 * 60 * 1000;
/** The longest a shift may run from the issue: a longer one is a mistyped end. */
export const LONGEST_SHIFT_MS = 24 * 60 * 60 * 1000;

/** The end of a shift of the default length that began at `issuedAt`. */
export const defaultShiftEnd = (issuedAt: Date): string => new Date(issuedAt.getTime() + DEFAULT_SHIFT_MS).toISOString();

/**
 * When the shift of a device issued at `issuedAt` ends: the given end, or 10 hours on. A given
 * end must be after the issue and within 24 hours of it: the problem is said, else null.
 */
export function shiftEnd(issuedAt: Date, given: string | null | undefined): { endsAt: string } | { problem: string } {
  if (!given) return { endsAt: defaultShiftEnd(issuedAt) };
  const ends = Date.parse(given);
  if (Number.isNaN(ends)) return { problem: 'Give the end of the shift as a date and time' };
  if (ends <= issuedAt.getTime()) return { problem: 'The shift must end after the device is issued' };
  if (ends > issuedAt.getTime() + LONGEST_SHIFT_MS) return { problem: 'The shift must end within 24 hours of the device being issued' };
  return { endsAt: new Date(ends).toISOString() };
}
