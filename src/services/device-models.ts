import * as repo from '../db/repositories/devices.js';
import { isUniqueViolation } from '../db/errors.js';
import { deviceModelInput, type DeviceModel } from '../domain/devices/models.js';
import type { StoredDeviceModel } from '../domain/devices/register.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { DEVICE_MODELS } from '../domain/training/courses.js';
import { parseInput } from '../domain/validation.js';
import { change, type Actor, type Services } from './context.js';
import { listDeviceModels } from './devices.js';
import { getForce } from './organisation.js';

/*
 * Device models are configuration (issue 12): the programme lead or an armourer adds a model
 * or changes one (its bays, the cartridges it takes, the training that authorises it, the day
 * the force stops issuing it). Each change is audited with what it was before, read in the
 * same transaction with the row locked.
 */

/** The training models an officer can be authorised on, and so the choices for "authorised by". */
export const AUTHORISING_MODELS: readonly string[] = DEVICE_MODELS;

export async function getDeviceModel(svc: Services, actor: Actor, id: string): Promise<StoredDeviceModel> {
  const model = (await listDeviceModels(svc, actor)).find((m) => m.id === id);
  if (!model) throw new NotFoundError('Device model', id);
  return model;
}

/** Reads a model's form: the cartridge types one per line (or separated by commas). */
function modelOf(input: unknown): DeviceModel {
  const raw = (input ?? {}) as Record<string, unknown>;
  const types =
    typeof raw.cartridgeTypes === 'string'
      ? raw.cartridgeTypes
          .split(/[\n,;]/)
          .map((t) => t.trim())
          .filter(Boolean)
      : raw.cartridgeTypes;
  const m = parseInput(deviceModelInput, { ...raw, cartridgeTypes: types });
  return { ...m, cartridgeTypes: [...new Set(m.cartridgeTypes)] };
}

const nameTaken = (name: string) => new ValidationError([{ field: 'name', message: `There is already a model called ${name}` }]);

/** Adds a model (id null) or changes one; a name another model has is refused. */
export async function saveDeviceModel(svc: Services, actor: Actor, id: string | null, input: unknown): Promise<StoredDeviceModel> {
  const model = modelOf(input);
  const force = await getForce(svc);
  await listDeviceModels(svc, actor); // the four seeded models exist before any is changed
  try {
    return await change(svc, actor, async (trx, audit) => {
      const at = svc.now().toISOString();
      if (id === null) {
        const [created] = await repo.insertModels(trx, force.id, [model], at);
        await audit({ action: 'device_model.create', entityType: 'device_model', entityId: created!.id, summary: { after: model } });
        return created!;
      }
      await repo.lockModel(trx, svc.database.kind, id);
      const before = (await repo.listModels(trx, force.id)).find((m) => m.id === id);
      if (!before) throw new NotFoundError('Device model', id);
      await repo.updateModel(trx, id, model, at);
      const { id: _, ...was } = before;
      await audit({ action: 'device_model.update', entityType: 'device_model', entityId: id, summary: { before: was, after: model } });
      return { ...model, id };
    });
  } catch (err) {
    if (isUniqueViolation(err, { name: 'device_model_name_uq', column: 'device_model.name' })) throw nameTaken(model.name);
    throw err;
  }
}
