import type { Executor } from '../database.js';

/**
 * The change counters the fleet page's cache keys on (migration 0022): `authority` and
 * `devices`, each added to by trigger on any change of the tables it watches. One small read.
 */
export async function fleetDataVersion(db: Executor): Promise<string> {
  const rows = await db.selectFrom('change_counter').select(['name', 'n']).where('name', 'in', ['authority', 'devices']).orderBy('name').execute();
  return rows.map((r) => `${r.name}=${String(r.n)}`).join(',');
}
