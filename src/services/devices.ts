import * as repo from '../db/repositories/devices.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as accountsRepo from '../db/repositories/accounts.js';
import { CARTRIDGE_RETURNS, stateAfterReturn, type CartridgeReturn } from '../domain/devices/cartridges.js';
import { blockingReasons, DEFAULT_GATE_POLICY, GateRefusedError, gateReasons, mayOverride, OVERRIDABLE_REASON_CODES, type GatePolicy, type GateReasonCode } from '../domain/devices/gate.js';
import { applyMove, WITHDRAWAL_REASONS, type DeviceMove, type WithdrawalReason } from '../domain/devices/lifecycle.js';
import { SEED_DEVICE_MODELS } from '../domain/devices/models.js';
import { armouryInScope, armouryKey, shiftEnd, type Armoury, type Device, type DeviceIssue, type StoredDeviceModel } from '../domain/devices/register.js';
import type { Scope } from '../domain/permissions.js';
import { londonDate } from '../domain/calendar.js';
import { authoritiesOn } from '../domain/training/authority.js';
import { NotFoundError, ValidationError, WorkflowError, type FieldError } from '../domain/errors.js';
import { change, type Actor, type Audit, type Services } from './context.js';
import { getForce } from './organisation.js';
import { authorityInputs } from './training.js';
import type { Executor } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';

/*
 * Devices, cartridges and the armoury (issue 12): the fleet register's moves and the daily
 * sign-out gate. Each exported function is one use case; each change is audited in its
 * transaction, and every write that depends on what it read reads it in that transaction
 * with the device's row locked (PostgreSQL) and a compare-and-set on its revision.
 */

/** The force's device models; seeds the four a force starts with the first time. */
export async function ensureDeviceModels(trx: Executor, forceId: string, audit: Audit, at: string): Promise<StoredDeviceModel[]> {
  const stored = await repo.listModels(trx, forceId);
  if (stored.length) return stored;
  const seeded = await repo.insertModels(trx, forceId, SEED_DEVICE_MODELS, at);
  await audit(seeded.map((m) => ({ action: 'device_model.create', entityType: 'device_model', entityId: m.id, summary: { after: { ...m, id: undefined } } })));
  return seeded;
}

export async function listDeviceModels(svc: Services, actor: Actor): Promise<StoredDeviceModel[]> {
  const force = await getForce(svc);
  const stored = await repo.listModels(svc.database.db, force.id);
  if (stored.length) return stored;
  return change(svc, actor, (trx, audit) => ensureDeviceModels(trx, force.id, audit, svc.now().toISOString()));
}

export async function gatePolicy(svc: Services): Promise<GatePolicy> {
  const force = await getForce(svc);
  return (await repo.findPolicy(svc.database.db, force.id)) ?? DEFAULT_GATE_POLICY;
}

export async function getDevice(svc: Services, id: string): Promise<Device> {
  const force = await getForce(svc);
  const d = await repo.findDevice(svc.database.db, force.id, id);
  if (!d) throw new NotFoundError('Device', id);
  return d;
}

export async function getDeviceBySerial(svc: Services, serial: string): Promise<Device> {
  const force = await getForce(svc);
  const d = await repo.findDeviceBySerial(svc.database.db, force.id, serial.trim().toUpperCase());
  if (!d) throw new NotFoundError('Device', serial);
  return d;
}

/** One sign-out and its return, within the scope (a borough-scoped reader: their borough's armoury). */
export async function getIssue(svc: Services, scope: Scope, id: string): Promise<DeviceIssue> {
  const force = await getForce(svc);
  const issue = await repo.findIssue(svc.database.db, force.id, id);
  const device = issue && (await repo.findDevice(svc.database.db, force.id, issue.deviceId));
  if (!issue || !device || !armouryInScope(scope, device.armoury)) throw new NotFoundError('Device issue', id);
  return issue;
}

// ---- lifecycle moves ---------------------------------------------------------------------

export interface MoveInput {
  move: Exclude<DeviceMove, 'issue' | 'return'>;
  note?: string | null;
  withdrawalReason?: string | null;
  /** The revision the person saw (a stale page is told, not overwritten). */
  revision?: number;
}

/** Sends a device for repair, takes it back, quarantines, releases or withdraws it. */
export async function moveDevice(svc: Services, actor: Actor, scope: Scope, deviceId: string, input: MoveInput): Promise<Device> {
  const force = await getForce(svc);
  return change(svc, actor, (trx, audit) => moveDeviceIn(trx, audit, svc, actor, scope, force.id, deviceId, input));
}

/**
 * A lifecycle move inside a change's transaction (another use case's, such as professional
 * standards accepting a quarantine proposal): the device is read with its row locked, and a
 * move the lifecycle refuses throws, so the whole change is undone.
 */
export async function moveDeviceIn(trx: Executor, audit: Audit, svc: Services, actor: Actor, scope: Scope, forceId: string, deviceId: string, input: MoveInput): Promise<Device> {
  const withdrawalReason = input.withdrawalReason ? ((WITHDRAWAL_REASONS as readonly string[]).includes(input.withdrawalReason) ? (input.withdrawalReason as WithdrawalReason) : null) : null;
  if (input.withdrawalReason && !withdrawalReason) throw new ValidationError([{ field: 'withdrawalReason', message: 'Select end of life, lost or destroyed' }]);
  const byPsd = actor.grants.some((g) => g.role === 'professional_standards');
  await repo.lockDevice(trx, svc.database.kind, deviceId);
  const device = await repo.findDevice(trx, forceId, deviceId);
  if (!device || !armouryInScope(scope, device.armoury)) throw new NotFoundError('Device', deviceId);
  if (input.revision !== undefined && input.revision !== device.revision) throw new WorkflowError(`Device ${device.serial} was changed by someone else a moment ago: look at it again.`);
  const result = applyMove(device.state, { move: input.move, note: input.note ?? null, withdrawalReason, byProfessionalStandards: byPsd });
  if (!result.ok) throw new WorkflowError(result.problem);
  const at = svc.now().toISOString();
  const note = input.note?.trim() || null;
  if (!(await repo.moveDevice(trx, { id: device.id, revision: device.revision, move: input.move, from: device.state, to: result.to, note, withdrawalReason, actorId: actor.userId }, at))) {
    throw new WorkflowError(`Device ${device.serial} was changed by someone else a moment ago: look at it again.`);
  }
  await audit({
    action: `device.${input.move}`,
    entityType: 'device',
    entityId: device.id,
    summary: { serial: device.serial, before: { state: device.state }, after: { state: result.to, note, withdrawalReason } },
  });
  return (await repo.findDevice(trx, forceId, device.id))!;
}

// ---- the sign-out gate -------------------------------------------------------------------

export interface IssueInput {
  deviceSerial: string;
  collarNumber: string;
  cartridges: readonly string[];
  /** The armoury issuing it; the device's own armoury when not given (a kiosk in the store). */
  armoury?: Armoury;
  /** When the officer's shift ends (for overdue returns); 10 hours after the issue when not given. */
  shiftEndsAt?: string | null;
  override?: { codes: readonly string[]; reason: string } | null;
}

const norm = (s: string) => s.trim().toUpperCase();

const RETURN_WORDS: Record<CartridgeReturn, string> = { in_store: 'back in store', expended: 'expended', lost: 'lost' };

/**
 * Issues a device and its cartridges to an officer for a shift, if the gate allows: every
 * reason against at once (GateRefusedError), else the issue. Two terminals issuing the same
 * device at the same moment: the device's row lock (PostgreSQL) or the single writer (SQLite),
 * the revision compare-and-set and the one-open-issue index let exactly one succeed.
 */
export async function issueDevice(svc: Services, actor: Actor, scope: Scope, input: IssueInput): Promise<DeviceIssue> {
  const force = await getForce(svc);
  const problems: FieldError[] = [];
  if (!input.deviceSerial?.trim()) problems.push({ field: 'deviceSerial', message: 'Enter the device’s serial number' });
  if (!input.collarNumber?.trim()) problems.push({ field: 'collarNumber', message: 'Enter the officer’s collar number' });
  if (input.override && input.override.reason.trim().length < 5) problems.push({ field: 'override.reason', message: 'Give the reason for the override (at least 5 characters)' });
  const unknownCodes = (input.override?.codes ?? []).filter((c) => !(OVERRIDABLE_REASON_CODES as readonly string[]).includes(c));
  if (unknownCodes.length) problems.push({ field: 'override.codes', message: `These reasons can never be overridden: ${unknownCodes.join(', ')}` });
  if (problems.length) throw new ValidationError(problems);
  const serials = input.cartridges.map(norm).filter(Boolean);
  // The issuer's rank matters only to an override: looked up only when one is asked for.
  const issuer = input.override && actor.userId ? await accountsRepo.findAccount(svc.database.db, actor.userId) : undefined;
  const issuerOfficer = issuer?.officerId ? await officersRepo.findOfficer(svc.database.db, issuer.officerId) : undefined;
  try {
    return await change(svc, actor, async (trx, audit) => {
      const now = svc.now();
      const at = now.toISOString();
      const today = londonDate(now);
      const ends = shiftEnd(now, input.shiftEndsAt);
      if ('problem' in ends) throw new ValidationError([{ field: 'shiftEndsAt', message: ends.problem }]);
      // The device's row locked first (PostgreSQL; SQLite's transaction is the one writer), then read once.
      await repo.lockDeviceBySerial(trx, svc.database.kind, force.id, norm(input.deviceSerial));
      const current = await repo.findDeviceBySerial(trx, force.id, norm(input.deviceSerial));
      if (!current) throw new ValidationError([{ field: 'deviceSerial', message: `No device has the serial ${norm(input.deviceSerial)}` }]);
      if (!armouryInScope(scope, current.armoury)) throw new ValidationError([{ field: 'deviceSerial', message: `Device ${current.serial} belongs to another borough’s armoury` }]);
      const officer = await officersRepo.findOfficerByCollar(trx, force.id, norm(input.collarNumber));
      if (!officer) throw new ValidationError([{ field: 'collarNumber', message: `No officer has the collar number ${norm(input.collarNumber)}` }]);
      const inputs = await authorityInputs(trx, force.id, [officer.id]);
      const [authority] = authoritiesOn(today, inputs.records(officer.id), inputs.restrictions(officer.id), [current.model.authorisedBy]);
      const holding = await repo.findOpenIssue(trx, force.id, { officerId: officer.id });
      const found = await repo.cartridgesBySerials(trx, force.id, serials);
      const policy = (await repo.findPolicy(trx, force.id)) ?? DEFAULT_GATE_POLICY;
      const armoury = input.armoury ?? current.armoury;
      // The stores' names are words for a wrong_armoury message: looked up only when they differ.
      const sameStore = armouryKey(armoury) === armouryKey(current.armoury);
      const deviceStore = sameStore ? '' : await armouryName(trx, current.armoury);
      const reasons = gateReasons({
        today,
        officer: { collarNumber: officer.collarNumber, authority: authority!, holds: holding?.deviceSerial ?? null },
        device: { serial: current.serial, state: current.state, model: current.model, armouryId: armouryKey(current.armoury), armouryName: deviceStore },
        armoury: { id: armouryKey(armoury), name: sameStore ? '' : await armouryName(trx, armoury) },
        cartridges: serials.map((serial) => {
          const c = found.get(serial);
          return { serial, found: c ? { state: c.state, type: c.type, expiresOn: c.expiresOn, armouryId: armouryKey(c.armoury) } : null };
        }),
        policy,
      });
      const override = input.override ? { codes: input.override.codes as GateReasonCode[], reason: input.override.reason.trim() } : null;
      const blocking = blockingReasons(reasons, policy, override, mayOverride(issuerOfficer?.rank));
      if (blocking.length) throw new GateRefusedError(blocking);
      const overridden = reasons.filter((r) => !blocking.includes(r)).map((r) => r.code) as (typeof OVERRIDABLE_REASON_CODES)[number][];
      if (!(await repo.moveDevice(trx, { id: current.id, revision: current.revision, move: 'issue', from: current.state, to: 'issued', note: null, actorId: actor.userId }, at))) {
        throw new GateRefusedError([{ code: 'device_not_available', message: `Device ${current.serial} is not available: it was issued a moment ago.` }]);
      }
      const cartridgeIds = serials.map((s) => found.get(s)!.id);
      if ((await repo.setCartridgeStates(trx, cartridgeIds, ['in_store', 'expired'], 'issued', at)) !== cartridgeIds.length) {
        throw new GateRefusedError([{ code: 'cartridge_not_available', message: 'A cartridge was issued to someone else a moment ago.' }]);
      }
      const [id] = await repo.insertIssues(
        trx,
        force.id,
        [
          {
            deviceId: current.id,
            officerId: officer.id,
            issuedAt: at,
            shiftEndsAt: ends.endsAt,
            returnedAt: null,
            issuedBy: actor.userId,
            overrideCodes: overridden,
            overrideReason: overridden.length ? override!.reason : null,
            sourceKey: null,
            cartridges: cartridgeIds.map((cid) => ({ id: cid, outcome: null })),
          },
        ],
        at,
      );
      await audit({
        action: 'device.issue',
        entityType: 'device_issue',
        entityId: id!,
        summary: { device: current.serial, officer: officer.collarNumber, cartridges: serials, ...(overridden.length ? { overridden, overrideReason: override!.reason } : {}) },
      });
      // The issue as stored, from what this change read and wrote (no need to read it back).
      return {
        id: id!,
        deviceId: current.id,
        deviceSerial: current.serial,
        modelName: current.model.name,
        officerId: officer.id,
        collarNumber: officer.collarNumber,
        officerName: `${officer.firstName} ${officer.lastName}`,
        officerRank: officer.rank,
        armoury: current.armoury,
        issuedAt: at,
        shiftEndsAt: ends.endsAt,
        returnedAt: null,
        overrideCodes: overridden,
        overrideReason: overridden.length ? override!.reason : null,
        cartridges: [...serials].sort().map((serial) => ({ cartridgeId: found.get(serial)!.id, serial, type: found.get(serial)!.type, outcome: null, reportId: null })),
      };
    });
  } catch (err) {
    // The one-open-issue indexes: another terminal issued this device (or to this officer) first.
    if (isUniqueIssue(err)) throw new GateRefusedError([{ code: 'device_not_available', message: `Device ${norm(input.deviceSerial)} is not available: it was issued a moment ago.` }]);
    throw err;
  }
}

const isUniqueIssue = (err: unknown): boolean =>
  isUniqueViolation(err, { name: 'device_issue_device_out_uq', column: 'device_issue.device_id' }) ||
  isUniqueViolation(err, { name: 'device_issue_officer_out_uq', column: 'device_issue.officer_id' });

const armouryName = (db: Executor, a: Armoury) => repo.armouryName(db, a);

export interface ReturnInput {
  /** What became of each cartridge issued with it; every one must be told. */
  cartridges: readonly { serial: string; outcome: string; reportId?: string | null }[];
}

/** Takes a device back: each cartridge back in store, expended (with its report, if known) or lost. */
export async function returnDevice(svc: Services, actor: Actor, scope: Scope, issueId: string, input: ReturnInput): Promise<DeviceIssue> {
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const issue = await repo.findIssue(trx, force.id, issueId);
    if (!issue) throw new NotFoundError('Device issue', issueId);
    if (!armouryInScope(scope, issue.armoury)) throw new NotFoundError('Device issue', issueId);
    await repo.lockDevice(trx, svc.database.kind, issue.deviceId);
    const device = (await repo.findDevice(trx, force.id, issue.deviceId))!;
    if (issue.returnedAt) throw new WorkflowError(`Device ${issue.deviceSerial} was already returned at ${issue.returnedAt}.`);
    const told = new Map(input.cartridges.map((c) => [norm(c.serial), c]));
    const problems: FieldError[] = [];
    issue.cartridges.forEach((c, i) => {
      const t = told.get(c.serial);
      if (!t) problems.push({ field: `cartridges.${i}.outcome`, message: `Say what became of cartridge ${c.serial}: back in store, expended or lost` });
      else if (!(CARTRIDGE_RETURNS as readonly string[]).includes(t.outcome))
        problems.push({ field: `cartridges.${i}.outcome`, message: `Cartridge ${c.serial}: choose back in store, expended or lost` });
    });
    for (const serial of told.keys()) if (!issue.cartridges.some((c) => c.serial === serial)) problems.push({ field: 'cartridges', message: `Cartridge ${serial} was not issued with this device` });
    if (problems.length) throw new ValidationError(problems);
    const at = svc.now().toISOString();
    const outcomes = issue.cartridges.map((c) => {
      const t = told.get(c.serial)!;
      return { cartridgeId: c.cartridgeId, outcome: t.outcome as CartridgeReturn, reportId: t.outcome === 'expended' ? (t.reportId ?? null) : null };
    });
    if (!(await repo.closeIssue(trx, issue.id, at, actor.userId, outcomes))) throw new WorkflowError(`Device ${issue.deviceSerial} was returned by someone else a moment ago.`);
    for (const o of outcomes) await repo.setCartridgeStates(trx, [o.cartridgeId], ['issued'], stateAfterReturn(o.outcome), at, o.reportId);
    // A device quarantined or withdrawn while out stays so; an issued one goes back in store.
    if (
      device.state === 'issued' &&
      !(await repo.moveDevice(trx, { id: device.id, revision: device.revision, move: 'return', from: 'issued', to: 'in_store', note: null, actorId: actor.userId }, at))
    ) {
      throw new WorkflowError(`Device ${issue.deviceSerial} was changed by someone else a moment ago: look at it again.`);
    }
    await audit({
      action: 'device.return',
      entityType: 'device_issue',
      entityId: issue.id,
      summary: { device: issue.deviceSerial, officer: issue.collarNumber, cartridges: outcomes.map((o, i) => `${issue.cartridges[i]!.serial} ${RETURN_WORDS[o.outcome]}`) },
    });
    return { ...issue, returnedAt: at, cartridges: issue.cartridges.map((c, i) => ({ ...c, outcome: outcomes[i]!.outcome, reportId: outcomes[i]!.reportId })) };
  });
}

// ---- registering devices and cartridges ----------------------------------------------------

export interface NewDeviceInput {
  serial: string;
  model: string;
  armoury: Armoury;
  firmware?: string | null;
  inServiceOn?: string | null;
}

const SERIAL = /^[A-Z0-9][A-Z0-9-]{2,39}$/;

/** Adds devices to the register, in store at their armoury; a serial already registered is refused. */
export async function registerDevices(svc: Services, actor: Actor, inputs: readonly NewDeviceInput[]): Promise<Map<string, string>> {
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const at = svc.now().toISOString();
    const models = new Map((await ensureDeviceModels(trx, force.id, audit, at)).map((m) => [m.name.toUpperCase(), m]));
    const problems: FieldError[] = [];
    const rows = inputs.map((d, i) => {
      const serial = norm(d.serial);
      if (!SERIAL.test(serial)) problems.push({ field: `${i}.serial`, message: `Enter a serial of 3 to 40 letters, digits and hyphens (not “${d.serial.slice(0, 40)}”)` });
      const model = models.get(d.model.trim().toUpperCase());
      if (!model) problems.push({ field: `${i}.model`, message: `There is no model called “${d.model.slice(0, 40)}”: the models are ${[...models.values()].map((m) => m.name).join(', ')}` });
      return {
        serial,
        modelId: model?.id ?? '',
        firmware: d.firmware?.trim() || null,
        armoury: d.armoury,
        state: 'in_store' as const,
        stateNote: null,
        withdrawalReason: null,
        inServiceOn: d.inServiceOn ?? null,
      };
    });
    const taken = await repo.devicesBySerials(
      trx,
      force.id,
      rows.map((r) => r.serial),
    );
    rows.forEach((r, i) => taken.has(r.serial) && problems.push({ field: `${i}.serial`, message: `A device with the serial ${r.serial} is already registered` }));
    if (problems.length) throw new ValidationError(problems);
    const ids = await repo.insertDevices(trx, force.id, rows, at, actor.userId);
    const names = new Map<string, string>();
    for (const r of rows) if (!names.has(armouryKey(r.armoury))) names.set(armouryKey(r.armoury), await repo.armouryName(trx, r.armoury));
    await audit(
      rows.map((r) => ({
        action: 'device.register',
        entityType: 'device',
        entityId: ids.get(r.serial)!,
        summary: {
          after: {
            serial: r.serial,
            model: models.get(
              inputs
                .find((d) => norm(d.serial) === r.serial)!
                .model.trim()
                .toUpperCase(),
            )!.name,
            armoury: names.get(armouryKey(r.armoury)),
          },
        },
      })),
    );
    return ids;
  });
}

export interface NewCartridgeInput {
  serial: string;
  type: string;
  lot: string;
  expiresOn: string;
  armoury: Armoury;
}

/** Receives cartridges into an armoury's store. */
export async function receiveCartridges(svc: Services, actor: Actor, inputs: readonly NewCartridgeInput[]): Promise<number> {
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const at = svc.now().toISOString();
    const types = new Set((await ensureDeviceModels(trx, force.id, audit, at)).flatMap((m) => m.cartridgeTypes));
    const problems: FieldError[] = [];
    const rows = inputs.map((c, i) => {
      const serial = norm(c.serial);
      if (!SERIAL.test(serial)) problems.push({ field: `${i}.serial`, message: `Enter a serial of 3 to 40 letters, digits and hyphens (not “${c.serial.slice(0, 40)}”)` });
      if (!types.has(c.type)) problems.push({ field: `${i}.type`, message: `No model takes a cartridge of type “${c.type.slice(0, 40)}”: the types are ${[...types].join(', ')}` });
      if (!/^\d{4}-\d{2}-\d{2}$/.test(c.expiresOn) || Number.isNaN(Date.parse(`${c.expiresOn}T00:00:00Z`))) problems.push({ field: `${i}.expiresOn`, message: 'Enter the expiry date as YYYY-MM-DD' });
      if (!c.lot.trim() || c.lot.length > 40) problems.push({ field: `${i}.lot`, message: 'Enter the lot (40 characters or fewer)' });
      return { serial, type: c.type, lot: c.lot.trim(), expiresOn: c.expiresOn, armoury: c.armoury, state: 'in_store' as const };
    });
    const taken = await repo.cartridgesBySerials(
      trx,
      force.id,
      rows.map((r) => r.serial),
    );
    rows.forEach((r, i) => taken.has(r.serial) && problems.push({ field: `${i}.serial`, message: `A cartridge with the serial ${r.serial} is already registered` }));
    if (problems.length) throw new ValidationError(problems);
    await repo.insertCartridges(trx, force.id, rows, at);
    await audit({ action: 'cartridge.receive', entityType: 'force', entityId: force.id, summary: { count: rows.length, serials: rows.slice(0, 50).map((r) => r.serial) } });
    return rows.length;
  });
}
