/**
 * Cartridges (issue 12): serial-numbered, of a type a model takes, from a lot, with an expiry
 * day, kept in an armoury. Pure.
 */

export const CARTRIDGE_STATES = ['in_store', 'issued', 'expended', 'expired', 'destroyed'] as const;
export type CartridgeState = (typeof CARTRIDGE_STATES)[number];

export const CARTRIDGE_STATE_LABELS: Record<CartridgeState, string> = {
  in_store: 'In store',
  issued: 'Issued',
  expended: 'Expended',
  expired: 'Expired',
  destroyed: 'Destroyed',
};

/** What happened to a cartridge issued with a device, told at its return. */
export const CARTRIDGE_RETURNS = ['in_store', 'expended', 'lost'] as const;
export type CartridgeReturn = (typeof CARTRIDGE_RETURNS)[number];

/** A cartridge is expired from the day after its expiry date. */
export const isExpired = (expiresOn: string, on: string): boolean => on > expiresOn;

/** The state a cartridge goes to at its return: lost cartridges are destroyed (written off) with the reason kept on the issue. */
export const stateAfterReturn = (outcome: CartridgeReturn): CartridgeState => (outcome === 'lost' ? 'destroyed' : outcome);

/** Days until a cartridge expires (negative once expired), for the "near expiry" list. */
export function daysToExpiry(expiresOn: string, on: string): number {
  return Math.round((Date.parse(`${expiresOn}T00:00:00Z`) - Date.parse(`${on}T00:00:00Z`)) / 86_400_000);
}
