/**
 * Device models are configuration (issue 12): each force keeps its own list, seeded with the
 * four models a UK force meets. A model says how many cartridge bays it has, which cartridge
 * types it takes, which training authorises an officer to carry it (the `qualifiesFor` name of
 * a course, as in domain/training), and the day the force stops issuing it (null while it is
 * issued). Pure: no storage here.
 */

import { z } from 'zod';

export interface DeviceModel {
  /** The model's name, as devices, cartridges' types and training name it: `X26`, `X2`. */
  name: string;
  /** How many cartridges it holds at once. */
  bays: number;
  /** The cartridge types it takes (a cartridge of another type is incompatible). */
  cartridgeTypes: readonly string[];
  /** The training model that authorises carrying it: an officer authorised on the X26 only may not take an X2. */
  authorisedBy: string;
  /** The first London day the force no longer issues it (`YYYY-MM-DD`), or null. */
  stopsIssuingOn: string | null;
}

/** The models a force starts with. The X26 is no longer made; the X2 replaces it (approved March 2017). */
export const SEED_DEVICE_MODELS: readonly DeviceModel[] = [
  { name: 'X26', bays: 1, cartridgeTypes: ['X26 21 ft', 'X26 25 ft'], authorisedBy: 'X26', stopsIssuingOn: null },
  { name: 'X2', bays: 2, cartridgeTypes: ['Smart 15 ft', 'Smart 25 ft'], authorisedBy: 'X2', stopsIssuingOn: null },
  { name: 'TASER 7', bays: 2, cartridgeTypes: ['T7 close quarter', 'T7 standoff'], authorisedBy: 'TASER 7', stopsIssuingOn: null },
  { name: 'TASER 10', bays: 10, cartridgeTypes: ['T10 probe'], authorisedBy: 'TASER 10', stopsIssuingOn: null },
];

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A model as an administrator edits it. */
export const deviceModelInput = z.object({
  name: z.string().trim().min(1, 'Enter the model’s name').max(40, 'The model’s name must be 40 characters or fewer'),
  bays: z.coerce
    .number({ message: 'Enter the number of cartridge bays as a whole number' })
    .int('Enter the number of cartridge bays as a whole number')
    .min(1, 'A model has at least 1 cartridge bay')
    .max(12, 'A model has at most 12 cartridge bays'),
  cartridgeTypes: z.array(z.string().trim().min(1).max(40, 'A cartridge type must be 40 characters or fewer')).min(1, 'Enter at least one cartridge type the model takes'),
  authorisedBy: z.string().trim().min(1, 'Enter the training model that authorises carrying it').max(40),
  stopsIssuingOn: z
    .string()
    .trim()
    .regex(ISO_DAY, 'Enter the day the force stops issuing it as YYYY-MM-DD')
    .nullable()
    .or(z.literal('').transform(() => null)),
});
export type DeviceModelInput = z.infer<typeof deviceModelInput>;

/** Whether the force still issues the model on a London day. */
export const stillIssued = (model: Pick<DeviceModel, 'stopsIssuingOn'>, on: string): boolean => model.stopsIssuingOn === null || on < model.stopsIssuingOn;

/** Whether a cartridge type fits the model. */
export const takesCartridge = (model: Pick<DeviceModel, 'cartridgeTypes'>, type: string): boolean => model.cartridgeTypes.includes(type);
