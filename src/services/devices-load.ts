import * as accountsRepo from '../db/repositories/accounts.js';
import * as repo from '../db/repositories/devices.js';
import * as officersRepo from '../db/repositories/officers.js';
import { stateAfterReturn, type CartridgeReturn } from '../domain/devices/cartridges.js';
import { overlaps, type Span } from '../domain/devices/import.js';
import { ValidationError, type FieldError } from '../domain/errors.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';

/*
 * A force's sign-out history at once, for a new installation (issue 12): the demo force
 * (src/demo/devices.ts) fills weeks of shift issues and returns this way, as the training is
 * filled by training-load.ts. Bulk: the issues go in batches, in one transaction with one
 * audit entry. Devices and cartridges are named by serial, officers by collar number, the
 * issuing account by email. Not gated (it happened), but a device out twice at once, an
 * officer holding two devices at once or a cartridge in two issues at once is refused and
 * nothing is stored. An issue still out leaves its device and cartridges issued; a cartridge
 * expended or lost at its return is stored so.
 */

export interface DeviceHistoryLoad {
  issues: readonly {
    deviceSerial: string;
    collarNumber: string;
    /** ISO 8601 instants. */
    issuedAt: string;
    shiftEndsAt: string | null;
    /** null: still out. */
    returnedAt: string | null;
    /** The account that issued it (and took it back), by email; null if not known. */
    issuedBy: string | null;
    /** Each cartridge and what became of it at the return (null while still out). */
    cartridges: readonly { serial: string; outcome: CartridgeReturn | null }[];
  }[];
}

export interface DeviceHistoryLoadOptions {
  /** The audit entry the load is recorded as (e.g. `demo.devices`); its summary has the counts. */
  audit: { action: string };
}

export interface DeviceHistoryLoadSummary {
  issues: number;
  /** Still out at the end of the history. */
  open: number;
  expended: number;
  lost: number;
}

/**
 * Stores a sign-out history in one transaction with one audit entry. The devices, officers,
 * cartridges and accounts it names must be stored (an unknown one is an error and nothing is
 * stored); the devices still out must be in store and their cartridges in store or expired.
 */
export async function loadDeviceHistory(svc: Services, actor: Actor, load: DeviceHistoryLoad, opts: DeviceHistoryLoadOptions): Promise<DeviceHistoryLoadSummary> {
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const at = svc.now().toISOString();
    const devices = await repo.devicesBySerials(
      trx,
      force.id,
      load.issues.map((i) => i.deviceSerial),
    );
    const officers = await officersRepo.findOfficersByCollars(trx, force.id, [...new Set(load.issues.map((i) => i.collarNumber))]);
    const cartridges = await repo.cartridgesBySerials(
      trx,
      force.id,
      load.issues.flatMap((i) => i.cartridges.map((c) => c.serial)),
    );
    const accounts = new Map<string, string>();
    for (const email of new Set(load.issues.map((i) => i.issuedBy).filter((e): e is string => e !== null))) {
      const found = await accountsRepo.findAccountByEmail(trx, email);
      if (found) accounts.set(email, found.id);
    }
    const problems: FieldError[] = [];
    load.issues.forEach((i, n) => {
      if (!devices.has(i.deviceSerial)) problems.push({ field: `issues.${n}.deviceSerial`, message: `No device has the serial ${i.deviceSerial}` });
      if (!officers.has(i.collarNumber)) problems.push({ field: `issues.${n}.collarNumber`, message: `No officer has the collar number ${i.collarNumber}` });
      if (i.issuedBy !== null && !accounts.has(i.issuedBy)) problems.push({ field: `issues.${n}.issuedBy`, message: `No account has the email ${i.issuedBy}` });
      for (const c of i.cartridges) if (!cartridges.has(c.serial)) problems.push({ field: `issues.${n}.cartridges`, message: `No cartridge has the serial ${c.serial}` });
      if (i.returnedAt !== null && i.returnedAt < i.issuedAt) problems.push({ field: `issues.${n}.returnedAt`, message: 'A device is returned after it is issued' });
      if ((i.returnedAt === null) !== i.cartridges.every((c) => c.outcome === null))
        problems.push({ field: `issues.${n}.cartridges`, message: 'Say what became of each cartridge when, and only when, the device came back' });
      if (i.returnedAt === null) {
        const device = devices.get(i.deviceSerial);
        if (device && device.state !== 'in_store')
          problems.push({ field: `issues.${n}.returnedAt`, message: `Device ${i.deviceSerial} is ${device.state.replace('_', ' ')}, so it cannot still be out` });
      }
    });
    if (problems.length) throw new ValidationError(problems.slice(0, 50));
    const spans = (key: (i: DeviceHistoryLoad['issues'][number]) => string[]) =>
      overlaps(
        [],
        load.issues.flatMap((i, n) => key(i).map((k): Span => ({ key: k, from: i.issuedAt, to: i.returnedAt, line: n }))),
      );
    for (const [n] of spans((i) => [i.deviceSerial])) problems.push({ field: `issues.${n}.deviceSerial`, message: `Device ${load.issues[n]!.deviceSerial} is already out then` });
    for (const [n] of spans((i) => [i.collarNumber])) problems.push({ field: `issues.${n}.collarNumber`, message: `Officer ${load.issues[n]!.collarNumber} already holds a device then` });
    for (const [n] of spans((i) => i.cartridges.map((c) => c.serial))) problems.push({ field: `issues.${n}.cartridges`, message: 'A cartridge is already out with another device then' });
    if (problems.length) throw new ValidationError(problems.slice(0, 50));

    await repo.insertIssues(
      trx,
      force.id,
      load.issues.map((i) => ({
        deviceId: devices.get(i.deviceSerial)!.id,
        officerId: officers.get(i.collarNumber)!.id,
        issuedAt: i.issuedAt,
        shiftEndsAt: i.shiftEndsAt,
        returnedAt: i.returnedAt,
        issuedBy: i.issuedBy === null ? null : accounts.get(i.issuedBy)!,
        overrideCodes: [],
        overrideReason: null,
        sourceKey: null,
        cartridges: i.cartridges.map((c) => ({ id: cartridges.get(c.serial)!.id, outcome: c.outcome })),
      })),
      at,
    );
    const open = load.issues.filter((i) => i.returnedAt === null);
    for (const i of open) {
      const device = devices.get(i.deviceSerial)!;
      await repo.moveDevice(
        trx,
        { id: device.id, revision: device.revision, move: 'issue', from: device.state, to: 'issued', note: null, actorId: i.issuedBy === null ? null : accounts.get(i.issuedBy)! },
        i.issuedAt,
      );
    }
    const ids = (pred: (c: { outcome: CartridgeReturn | null }, returned: boolean) => boolean) =>
      load.issues.flatMap((i) => i.cartridges.filter((c) => pred(c, i.returnedAt !== null)).map((c) => cartridges.get(c.serial)!.id));
    await repo.setCartridgeStates(
      trx,
      ids((_, returned) => !returned),
      ['in_store', 'expired'],
      'issued',
      at,
    );
    const expended = ids((c) => c.outcome === 'expended');
    const lost = ids((c) => c.outcome === 'lost');
    await repo.setCartridgeStates(trx, expended, ['in_store', 'expired'], stateAfterReturn('expended'), at);
    await repo.setCartridgeStates(trx, lost, ['in_store', 'expired'], stateAfterReturn('lost'), at);
    const summary = { issues: load.issues.length, open: open.length, expended: expended.length, lost: lost.length };
    await audit({ action: opts.audit.action, entityType: 'force', entityId: force.id, summary });
    return summary;
  });
}

/** The ids of cartridges by serial (those not found are left out), for use cases that take an id. */
export async function cartridgeIdsBySerial(svc: Services, serials: readonly string[]): Promise<Map<string, string>> {
  const force = await getForce(svc);
  const found = await repo.cartridgesBySerials(svc.database.db, force.id, serials);
  return new Map([...found].map(([serial, c]) => [serial, c.id]));
}
