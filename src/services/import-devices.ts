import * as orgRepo from '../db/repositories/organisation.js';
import * as repo from '../db/repositories/devices.js';
import * as officersRepo from '../db/repositories/officers.js';
import { quoteValue, type RowError } from '../domain/csv.js';
import { overlaps, readCartridgeFile, readDeviceFile, readIssueFile, type CartridgeRow, type DeviceRow, type IssueHistoryRow, type Span } from '../domain/devices/import.js';
import { DEVICE_STATE_LABELS } from '../domain/devices/lifecycle.js';
import { armouryKey, CENTRAL_STORE, defaultShiftEnd, type Armoury } from '../domain/devices/register.js';
import type { CsvEncoding } from '../domain/csv.js';
import type { Executor } from '../db/database.js';
import { change, type Actor, type Audit, type Services } from './context.js';
import { ensureDeviceModels } from './devices.js';
import { getForce } from './organisation.js';

/*
 * `cedar import devices FILE` and `cedar import cartridges FILE` (issue 12): all or nothing,
 * safe to run again. Every problem is named by line and column and nothing is stored from a
 * file with any; a row Cedar already holds as it is is "already present"; a device whose
 * model, armoury, firmware or date in service changed is updated (audited). A state is never
 * changed by an import: a status that differs from the register's is a line error (the
 * lifecycle moves a device, with a reason, on its page).
 */

export interface RegisterImportResult {
  ok: boolean;
  encoding: CsvEncoding;
  read: number;
  inserted: number;
  updated: number;
  alreadyPresent: number;
  rejected: RowError[];
  rejectedRows: number;
}

class Rejected extends Error {
  constructor(readonly errors: RowError[]) {
    super('rejected');
  }
}

/** An armoury by a borough's name or code, a force-wide unit's name, or blank for the central store. */
async function armouryResolver(db: Executor, forceId: string): Promise<(text: string) => Armoury | null> {
  const [boroughs, teams] = await Promise.all([orgRepo.listBoroughs(db, forceId), orgRepo.listTeams(db, forceId)]);
  const byName = new Map<string, Armoury>();
  for (const b of boroughs) {
    byName.set(b.name.toLowerCase(), { boroughId: b.id, teamId: null });
    byName.set(b.code.toLowerCase(), { boroughId: b.id, teamId: null });
  }
  for (const t of teams) if (t.boroughId === null && !byName.has(t.name.toLowerCase())) byName.set(t.name.toLowerCase(), { boroughId: null, teamId: t.id });
  return (text) => (text.trim() === '' ? CENTRAL_STORE : (byName.get(text.trim().toLowerCase()) ?? null));
}

const rejectedRows = (errors: RowError[]) => new Set(errors.map((e) => e.line)).size;

function finish(read: { encoding: CsvEncoding; count: number }, counts: { inserted: number; updated: number; alreadyPresent: number }): RegisterImportResult {
  return { ok: true, encoding: read.encoding, read: read.count, ...counts, rejected: [], rejectedRows: 0 };
}

function refuse(read: { encoding: CsvEncoding; count: number }, errors: RowError[]): RegisterImportResult {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  return { ok: false, encoding: read.encoding, read: read.count, inserted: 0, updated: 0, alreadyPresent: 0, rejected: sorted, rejectedRows: rejectedRows(sorted.filter((e) => e.line > 1)) };
}

type Counts = { inserted: number; updated: number; alreadyPresent: number };
type ReadFile = { encoding: CsvEncoding; count: number; errors: RowError[] };

/**
 * One import, all or nothing: a file with errors in its shape stores nothing; otherwise `body`
 * checks the rows against what Cedar holds and stores them in one audited transaction, or
 * returns every row error it found, and nothing is stored.
 */
async function allOrNothing(
  svc: Services,
  actor: Actor,
  read: ReadFile,
  body: (trx: Executor, audit: Audit, at: string, forceId: string) => Promise<Counts | RowError[]>,
): Promise<RegisterImportResult> {
  if (read.errors.length) return refuse(read, read.errors);
  const force = await getForce(svc);
  try {
    return await change(svc, actor, async (trx, audit) => {
      const out = await body(trx, audit, svc.now().toISOString(), force.id);
      if (Array.isArray(out)) throw new Rejected(out);
      return finish(read, out);
    });
  } catch (err) {
    if (err instanceof Rejected) return refuse(read, err.errors);
    throw err;
  }
}

const noSuchArmoury = (line: number, text: string): RowError => ({
  line,
  column: 'armoury',
  message: `No borough or force-wide unit is called ${quoteValue(text)}: give a borough's name or code, a unit's name, or leave it blank for the central store`,
});

export async function importDevices(svc: Services, actor: Actor, file: { fileName: string; bytes: Uint8Array }): Promise<RegisterImportResult> {
  const read = readDeviceFile(file.bytes);
  return allOrNothing(svc, actor, read, async (trx, audit, at, forceId) => {
    const models = new Map((await ensureDeviceModels(trx, forceId, audit, at)).map((m) => [m.name.toUpperCase(), m]));
    const armouryOf = await armouryResolver(trx, forceId);
    const stored = await repo.devicesBySerials(
      trx,
      forceId,
      read.rows.map((r) => r.serial),
    );
    const errors: RowError[] = [];
    const fresh: (DeviceRow & { modelId: string; armouryAt: Armoury })[] = [];
    const changed: { id: string; row: DeviceRow; modelId: string; armouryAt: Armoury }[] = [];
    let alreadyPresent = 0;
    for (const r of read.rows) {
      const model = models.get(r.model.toUpperCase());
      if (!model) errors.push({ line: r.line, column: 'model', message: `There is no model called ${quoteValue(r.model)}: the models are ${[...models.values()].map((m) => m.name).join(', ')}` });
      const armouryAt = armouryOf(r.armoury);
      if (!armouryAt) errors.push(noSuchArmoury(r.line, r.armoury));
      if (!model || !armouryAt) continue;
      const before = stored.get(r.serial);
      if (!before) {
        fresh.push({ ...r, modelId: model.id, armouryAt });
        continue;
      }
      const sameState = before.state === r.state || (r.state === 'in_store' && before.state === 'issued');
      if (!sameState) {
        errors.push({
          line: r.line,
          column: 'status',
          message: `The register has ${r.serial} as ${DEVICE_STATE_LABELS[before.state].toLowerCase()}: an import does not move a device (use its page, which records why)`,
        });
        continue;
      }
      const same = before.model.id === model.id && armouryKey(before.armoury) === armouryKey(armouryAt) && before.firmware === r.firmware && before.inServiceOn === r.inServiceOn;
      if (same) alreadyPresent++;
      else changed.push({ id: before.id, row: r, modelId: model.id, armouryAt });
    }
    if (errors.length) return errors;
    {
      const ids = await repo.insertDevices(
        trx,
        forceId,
        fresh.map((r) => ({
          serial: r.serial,
          modelId: r.modelId,
          firmware: r.firmware,
          armoury: r.armouryAt,
          state: r.state,
          stateNote: r.state === 'in_store' ? null : 'Imported',
          withdrawalReason: null,
          inServiceOn: r.inServiceOn,
        })),
        at,
        actor.userId,
      );
      for (const c of changed) await repo.updateDeviceDetails(trx, c.id, { modelId: c.modelId, firmware: c.row.firmware, armoury: c.armouryAt, inServiceOn: c.row.inServiceOn }, at);
      await audit({
        action: 'device.import',
        entityType: 'force',
        entityId: forceId,
        summary: { file: file.fileName, read: read.count, imported: ids.size, updated: changed.length, alreadyPresent },
      });
    }
    return { inserted: fresh.length, updated: changed.length, alreadyPresent };
  });
}

export async function importCartridges(svc: Services, actor: Actor, file: { fileName: string; bytes: Uint8Array }): Promise<RegisterImportResult> {
  const read = readCartridgeFile(file.bytes);
  return allOrNothing(svc, actor, read, async (trx, audit, at, forceId) => {
    const types = new Set((await ensureDeviceModels(trx, forceId, audit, at)).flatMap((m) => m.cartridgeTypes));
    const armouryOf = await armouryResolver(trx, forceId);
    const stored = await repo.cartridgesBySerials(
      trx,
      forceId,
      read.rows.map((r) => r.serial),
    );
    const errors: RowError[] = [];
    const fresh: (CartridgeRow & { armouryAt: Armoury })[] = [];
    const changed: { id: string; row: CartridgeRow; armouryAt: Armoury }[] = [];
    let alreadyPresent = 0;
    for (const r of read.rows) {
      if (!types.has(r.type)) errors.push({ line: r.line, column: 'type', message: `No model takes a cartridge of type ${quoteValue(r.type)}: the types are ${[...types].join(', ')}` });
      const armouryAt = armouryOf(r.armoury);
      if (!armouryAt) errors.push(noSuchArmoury(r.line, r.armoury));
      if (!types.has(r.type) || !armouryAt) continue;
      const before = stored.get(r.serial);
      if (!before) fresh.push({ ...r, armouryAt });
      else if (before.type === r.type && before.lot === r.lot && before.expiresOn === r.expiresOn && armouryKey(before.armoury) === armouryKey(armouryAt)) alreadyPresent++;
      else if (before.state !== 'in_store')
        errors.push({ line: r.line, column: 'serial', message: `Cartridge ${r.serial} is ${before.state.replace('_', ' ')}: only a cartridge in store can be changed by an import` });
      else changed.push({ id: before.id, row: r, armouryAt });
    }
    if (errors.length) return errors;
    {
      await repo.insertCartridges(
        trx,
        forceId,
        fresh.map((r) => ({ serial: r.serial, type: r.type, lot: r.lot, expiresOn: r.expiresOn, armoury: r.armouryAt, state: 'in_store' })),
        at,
      );
      for (const c of changed) await repo.updateCartridgeDetails(trx, c.id, { type: c.row.type, lot: c.row.lot, expiresOn: c.row.expiresOn, armoury: c.armouryAt }, at);
      await audit({
        action: 'cartridge.import',
        entityType: 'force',
        entityId: forceId,
        summary: { file: file.fileName, read: read.count, imported: fresh.length, updated: changed.length, alreadyPresent },
      });
    }
    return { inserted: fresh.length, updated: changed.length, alreadyPresent };
  });
}

/**
 * `cedar import device-issues FILE`: the sign-out history from the system a force used before.
 * Not gated (it happened), but a device out twice at once or an officer holding two devices at
 * once is a line error, against the file and against what Cedar holds. A row imported before
 * (same device, officer and issue instant) is already present. A device still out (no
 * `returned_at`) is marked issued, with its cartridges.
 */
export async function importDeviceIssues(svc: Services, actor: Actor, file: { fileName: string; bytes: Uint8Array }): Promise<RegisterImportResult> {
  const read = readIssueFile(file.bytes);
  return allOrNothing(svc, actor, read, async (trx, audit, at, forceId) => {
    const devices = await repo.devicesBySerials(
      trx,
      forceId,
      read.rows.map((r) => r.deviceSerial),
    );
    const officers = await officersRepo.findOfficersByCollars(trx, forceId, [...new Set(read.rows.map((r) => r.collarNumber))]);
    const cartridges = await repo.cartridgesBySerials(
      trx,
      forceId,
      read.rows.flatMap((r) => r.cartridges),
    );
    const stored = await repo.issueSpans(trx, forceId);
    const keys = new Set(stored.map((s) => s.sourceKey).filter((k): k is string => k !== null));
    const errors: RowError[] = [];
    const fresh: { row: IssueHistoryRow; deviceId: string; officerId: string; key: string; cartridgeIds: string[] }[] = [];
    let alreadyPresent = 0;
    for (const r of read.rows) {
      const device = devices.get(r.deviceSerial);
      const officer = officers.get(r.collarNumber);
      if (!device) errors.push({ line: r.line, column: 'device_serial', message: `No device has the serial ${r.deviceSerial}: import the fleet register first` });
      if (!officer) errors.push({ line: r.line, column: 'collar_number', message: `No officer has the collar number ${r.collarNumber}` });
      const unknown = r.cartridges.filter((c) => !cartridges.has(c));
      if (unknown.length) errors.push({ line: r.line, column: 'cartridges', message: `No cartridge has the serial ${unknown.join(', ')}` });
      if (!device || !officer || unknown.length) continue;
      const key = `import:${r.deviceSerial}|${r.collarNumber}|${r.issuedAt}`;
      if (keys.has(key)) {
        alreadyPresent++;
        continue;
      }
      keys.add(key);
      if (r.returnedAt === null) {
        if (device.state !== 'in_store')
          errors.push({ line: r.line, column: 'returned_at', message: `The register has ${r.deviceSerial} as ${DEVICE_STATE_LABELS[device.state].toLowerCase()}, so it cannot still be out` });
        const taken = r.cartridges.filter((c) => cartridges.get(c)!.state !== 'in_store');
        if (taken.length) errors.push({ line: r.line, column: 'cartridges', message: `Cartridge ${taken.join(', ')} is not in store, so it cannot still be out` });
      }
      fresh.push({ row: r, deviceId: device.id, officerId: officer.id, key, cartridgeIds: r.cartridges.map((c) => cartridges.get(c)!.id) });
    }
    const spans = (by: 'deviceId' | 'officerId') =>
      overlaps(
        stored.map((s) => ({ key: s[by], from: s.issuedAt, to: s.returnedAt, line: null })),
        fresh.map((f) => ({ key: f[by], from: f.row.issuedAt, to: f.row.returnedAt, line: f.row.line })),
      );
    const when = (s: Span) => (s.line === null ? `an issue Cedar holds from ${s.from}` : `line ${s.line}`);
    for (const [line, clash] of spans('deviceId')) errors.push({ line, column: 'issued_at', message: `The device is already out then (${when(clash)})` });
    for (const [line, clash] of spans('officerId')) errors.push({ line, column: 'collar_number', message: `The officer already holds a device then (${when(clash)})` });
    if (errors.length) return errors;
    await repo.insertIssues(
      trx,
      forceId,
      fresh.map((f) => ({
        deviceId: f.deviceId,
        officerId: f.officerId,
        issuedAt: f.row.issuedAt,
        // The old system's shift is not known: a default shift, so a device still out becomes overdue.
        shiftEndsAt: defaultShiftEnd(new Date(f.row.issuedAt)),
        returnedAt: f.row.returnedAt,
        issuedBy: null,
        overrideCodes: [],
        overrideReason: null,
        sourceKey: f.key,
        cartridges: f.cartridgeIds.map((id) => ({ id, outcome: null })),
      })),
      at,
    );
    for (const f of fresh.filter((x) => x.row.returnedAt === null)) {
      const device = devices.get(f.row.deviceSerial)!;
      await repo.moveDevice(
        trx,
        { id: device.id, revision: device.revision, move: 'imported', from: device.state, to: 'issued', note: `Out since ${f.row.issuedAt} (imported)`, actorId: actor.userId },
        at,
      );
      await repo.setCartridgeStates(trx, f.cartridgeIds, ['in_store'], 'issued', at);
    }
    await audit({ action: 'device_issue.import', entityType: 'force', entityId: forceId, summary: { file: file.fileName, read: read.count, imported: fresh.length, alreadyPresent } });
    return { inserted: fresh.length, updated: 0, alreadyPresent };
  });
}
