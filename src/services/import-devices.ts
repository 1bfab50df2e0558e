import * as orgRepo from '../db/repositories/organisation.js';
import * as repo from '../db/repositories/devices.js';
import { quoteValue, type RowError } from '../domain/csv.js';
import { readCartridgeFile, readDeviceFile, type CartridgeRow, type DeviceRow } from '../domain/devices/import.js';
import { DEVICE_STATE_LABELS } from '../domain/devices/lifecycle.js';
import { armouryKey, CENTRAL_STORE, type Armoury } from '../domain/devices/register.js';
import type { CsvEncoding } from '../domain/csv.js';
import type { Executor } from '../db/database.js';
import { change, type Actor, type Services } from './context.js';
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

export async function importDevices(svc: Services, actor: Actor, file: { fileName: string; bytes: Uint8Array }): Promise<RegisterImportResult> {
  const read = readDeviceFile(file.bytes);
  if (read.errors.length) return refuse(read, read.errors);
  const force = await getForce(svc);
  try {
    return await change(svc, actor, async (trx, audit) => {
      const at = svc.now().toISOString();
      const models = new Map((await ensureDeviceModels(trx, force.id, audit, at)).map((m) => [m.name.toUpperCase(), m]));
      const armouryOf = await armouryResolver(trx, force.id);
      const stored = await repo.devicesBySerials(
        trx,
        force.id,
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
        if (!armouryAt)
          errors.push({
            line: r.line,
            column: 'armoury',
            message: `No borough or force-wide unit is called ${quoteValue(r.armoury)}: give a borough's name or code, a unit's name, or leave it blank for the central store`,
          });
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
      if (errors.length) throw new Rejected(errors);
      {
        const ids = await repo.insertDevices(
          trx,
          force.id,
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
          entityId: force.id,
          summary: { file: file.fileName, read: read.count, imported: ids.size, updated: changed.length, alreadyPresent },
        });
      }
      return finish(read, { inserted: fresh.length, updated: changed.length, alreadyPresent });
    });
  } catch (err) {
    if (err instanceof Rejected) return refuse(read, err.errors);
    throw err;
  }
}

export async function importCartridges(svc: Services, actor: Actor, file: { fileName: string; bytes: Uint8Array }): Promise<RegisterImportResult> {
  const read = readCartridgeFile(file.bytes);
  if (read.errors.length) return refuse(read, read.errors);
  const force = await getForce(svc);
  try {
    return await change(svc, actor, async (trx, audit) => {
      const at = svc.now().toISOString();
      const types = new Set((await ensureDeviceModels(trx, force.id, audit, at)).flatMap((m) => m.cartridgeTypes));
      const armouryOf = await armouryResolver(trx, force.id);
      const stored = await repo.cartridgesBySerials(
        trx,
        force.id,
        read.rows.map((r) => r.serial),
      );
      const errors: RowError[] = [];
      const fresh: (CartridgeRow & { armouryAt: Armoury })[] = [];
      const changed: { id: string; row: CartridgeRow; armouryAt: Armoury }[] = [];
      let alreadyPresent = 0;
      for (const r of read.rows) {
        if (!types.has(r.type)) errors.push({ line: r.line, column: 'type', message: `No model takes a cartridge of type ${quoteValue(r.type)}: the types are ${[...types].join(', ')}` });
        const armouryAt = armouryOf(r.armoury);
        if (!armouryAt)
          errors.push({
            line: r.line,
            column: 'armoury',
            message: `No borough or force-wide unit is called ${quoteValue(r.armoury)}: give a borough's name or code, a unit's name, or leave it blank for the central store`,
          });
        if (!types.has(r.type) || !armouryAt) continue;
        const before = stored.get(r.serial);
        if (!before) fresh.push({ ...r, armouryAt });
        else if (before.type === r.type && before.lot === r.lot && before.expiresOn === r.expiresOn && armouryKey(before.armoury) === armouryKey(armouryAt)) alreadyPresent++;
        else if (before.state !== 'in_store')
          errors.push({ line: r.line, column: 'serial', message: `Cartridge ${r.serial} is ${before.state.replace('_', ' ')}: only a cartridge in store can be changed by an import` });
        else changed.push({ id: before.id, row: r, armouryAt });
      }
      if (errors.length) throw new Rejected(errors);
      {
        await repo.insertCartridges(
          trx,
          force.id,
          fresh.map((r) => ({ serial: r.serial, type: r.type, lot: r.lot, expiresOn: r.expiresOn, armoury: r.armouryAt, state: 'in_store' })),
          at,
        );
        for (const c of changed) await repo.updateCartridgeDetails(trx, c.id, { type: c.row.type, lot: c.row.lot, expiresOn: c.row.expiresOn, armoury: c.armouryAt }, at);
        await audit({
          action: 'cartridge.import',
          entityType: 'force',
          entityId: force.id,
          summary: { file: file.fileName, read: read.count, imported: fresh.length, updated: changed.length, alreadyPresent },
        });
      }
      return finish(read, { inserted: fresh.length, updated: changed.length, alreadyPresent });
    });
  } catch (err) {
    if (err instanceof Rejected) return refuse(read, err.errors);
    throw err;
  }
}
