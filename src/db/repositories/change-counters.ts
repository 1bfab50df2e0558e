import type { Executor } from '../database.js';

/**
 * The change counters (migrations 0022 and 0025), each added to by trigger, in the same
 * transaction, on any change of the tables it watches:
 *   authority — training records, suspensions and withdrawals, officers, teams, boroughs;
 *   devices   — devices, device models, device events;
 *   rosters   — shifts, crewing policy, crews and their members, sign-outs.
 */
export type ChangeCounter = 'authority' | 'devices' | 'rosters';

/**
 * A version string of these counters (`authority=12,devices=3`): it moves with any committed
 * change, from any process, of the tables they watch. Caches of figures derived from those
 * tables key on it. One small primary-key read.
 */
export async function changeVersion(db: Executor, counters: readonly ChangeCounter[]): Promise<string> {
  const rows = await db.selectFrom('change_counter').select(['name', 'n']).where('name', 'in', counters).orderBy('name').execute();
  return rows.map((r) => `${r.name}=${String(r.n)}`).join(',');
}
