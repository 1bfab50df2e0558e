/**
 * The daily sign-out gate (issue 12): may this officer take this device, with these cartridges,
 * from this armoury, today? Pure: the facts in, every reason against at once out, each with a
 * code other systems rely on (a locker, a kiosk) and a message a person reads.
 *
 * Authority and suspension are never overridable. Policy names which other reasons an
 * inspector may override with a recorded reason.
 */

import type { Authority } from '../training/authority.js';
import { CARTRIDGE_STATE_LABELS, isExpired, type CartridgeState } from './cartridges.js';
import { DEVICE_STATE_LABELS, type DeviceState } from './lifecycle.js';
import { stillIssued, takesCartridge, type DeviceModel } from './models.js';

export const GATE_REASON_CODES = [
  'not_authorised',
  'suspended',
  'device_not_available',
  'officer_holds_device',
  'cartridge_not_available',
  'cartridge_expired',
  'cartridge_incompatible',
  'too_many_cartridges',
  'wrong_armoury',
] as const;
export type GateReasonCode = (typeof GATE_REASON_CODES)[number];

export interface GateReason {
  code: GateReasonCode;
  message: string;
}

/** The reasons an inspector may ever override; the rest are facts no one can wave through. */
export const OVERRIDABLE_REASON_CODES = ['wrong_armoury', 'too_many_cartridges', 'cartridge_expired'] as const satisfies readonly GateReasonCode[];
export type OverridableReasonCode = (typeof OVERRIDABLE_REASON_CODES)[number];

export interface GatePolicy {
  /** Cartridges an officer may take beyond the model's bays (spares). */
  spareCartridges: number;
  /** The reasons an inspector may override, a subset of OVERRIDABLE_REASON_CODES. */
  overridable: readonly OverridableReasonCode[];
}

export const DEFAULT_GATE_POLICY: GatePolicy = { spareCartridges: 1, overridable: ['wrong_armoury'] };

export interface GateCartridge {
  serial: string;
  /** Null when no cartridge has that serial. */
  found: null | { state: CartridgeState; type: string; expiresOn: string; armouryId: string | null };
}

export interface GateFacts {
  /** The London day of the issue. */
  today: string;
  officer: {
    collarNumber: string;
    /** Their authority on the training model that authorises the device's model, today. */
    authority: Pick<Authority, 'status' | 'reason'>;
    /** The serial of a device they hold now, or null. */
    holds: string | null;
  };
  device: { serial: string; state: DeviceState; model: DeviceModel; armouryId: string | null; armouryName: string };
  /** The armoury issuing it (null: the central store). */
  armoury: { id: string | null; name: string };
  cartridges: readonly GateCartridge[];
  policy: GatePolicy;
}

/** Every reason the issue cannot go ahead, in a stable order; empty when it can. */
export function gateReasons(f: GateFacts): GateReason[] {
  const reasons: GateReason[] = [];
  const who = `Officer ${f.officer.collarNumber}`;
  const model = f.device.model;
  const status = f.officer.authority.status;
  if (status === 'suspended' || status === 'withdrawn') {
    reasons.push({ code: 'suspended', message: `${who} may not carry: ${f.officer.authority.reason}.` });
  } else if (status !== 'authorised') {
    reasons.push({ code: 'not_authorised', message: `${who} has no current authority on the ${model.authorisedBy}: ${f.officer.authority.reason}.` });
  }
  if (f.device.state !== 'in_store') {
    reasons.push({ code: 'device_not_available', message: `Device ${f.device.serial} is not available: it is ${DEVICE_STATE_LABELS[f.device.state].toLowerCase()}.` });
  } else if (!stillIssued(model, f.today)) {
    reasons.push({ code: 'device_not_available', message: `Device ${f.device.serial} is not available: the force stopped issuing the ${model.name} on ${model.stopsIssuingOn}.` });
  }
  if (f.officer.holds !== null && f.officer.holds !== f.device.serial) {
    reasons.push({ code: 'officer_holds_device', message: `${who} already holds device ${f.officer.holds}: it must be returned first.` });
  }
  const seen = new Set<string>();
  for (const c of f.cartridges) {
    if (seen.has(c.serial)) {
      reasons.push({ code: 'cartridge_not_available', message: `Cartridge ${c.serial} is listed twice.` });
      continue;
    }
    seen.add(c.serial);
    if (!c.found) {
      reasons.push({ code: 'cartridge_not_available', message: `No cartridge has the serial ${c.serial}.` });
      continue;
    }
    if (c.found.state !== 'in_store' && c.found.state !== 'expired') {
      reasons.push({ code: 'cartridge_not_available', message: `Cartridge ${c.serial} is not available: it is ${CARTRIDGE_STATE_LABELS[c.found.state].toLowerCase()}.` });
    } else if (c.found.state === 'expired' || isExpired(c.found.expiresOn, f.today)) {
      reasons.push({ code: 'cartridge_expired', message: `Cartridge ${c.serial} expired on ${c.found.expiresOn}.` });
    }
    if (!takesCartridge(model, c.found.type)) {
      reasons.push({ code: 'cartridge_incompatible', message: `Cartridge ${c.serial} (${c.found.type}) does not fit the ${model.name}, which takes ${model.cartridgeTypes.join(' or ')}.` });
    }
  }
  const most = model.bays + f.policy.spareCartridges;
  if (f.cartridges.length > most) {
    reasons.push({
      code: 'too_many_cartridges',
      message: `${f.cartridges.length} cartridges is more than the ${model.name}'s ${model.bays} ${model.bays === 1 ? 'bay' : 'bays'} and ${f.policy.spareCartridges} spare allow (${most}).`,
    });
  }
  if (f.device.armouryId !== f.armoury.id) {
    reasons.push({ code: 'wrong_armoury', message: `Device ${f.device.serial} belongs to ${f.device.armouryName}, not ${f.armoury.name}.` });
  }
  return reasons;
}

export interface Override {
  /** The reasons the inspector overrides. */
  codes: readonly GateReasonCode[];
  /** Why, recorded on the issue and in the audit log. */
  reason: string;
}

/**
 * The reasons that still stop the issue once an inspector's override is applied: a reason is
 * overridden only when policy allows it, the inspector named it, and gave a reason.
 */
export function blockingReasons(reasons: readonly GateReason[], policy: GatePolicy, override: Override | null, byInspector: boolean): GateReason[] {
  if (!override || !byInspector || override.reason.trim().length < 5) return [...reasons];
  const allowed = new Set<GateReasonCode>(policy.overridable.filter((c) => (OVERRIDABLE_REASON_CODES as readonly string[]).includes(c)));
  return reasons.filter((r) => !(allowed.has(r.code) && override.codes.includes(r.code)));
}

/** The gate said no: every reason, for a 409 whose `reasons` list them all. */
export class GateRefusedError extends Error {
  constructor(readonly reasons: readonly GateReason[]) {
    super(reasons.map((r) => r.message).join(' '));
    this.name = 'GateRefusedError';
  }
}

/** Whether an officer's rank lets them override the gate (inspectors and above). */
export const mayOverride = (rank: string | null | undefined): boolean => !!rank && rank !== 'Police Constable' && rank !== 'Sergeant';
