import { Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { MIGRATION_NAMES, migrateToLatest, migrationsUpTo } from '../../src/db/migrate.js';
import { testDatabases } from '../support/databases.js';
import { openMigratedTo } from './migrated-to.js';

/* Migration 0021 (issue 12, the armoury page's speed): a store's devices by serial, added to a database at 0020 and taken away again. */

/** Whether the device table has the store index, asked of the database's own catalogue. */
async function hasStoreIndex(database: Database): Promise<boolean> {
  if (database.kind === 'sqlite') {
    const r = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and name = 'device_store_idx'`.execute(database.db);
    return r.rows.length === 1;
  }
  const r = await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = ${database.schema ?? 'public'} and indexname = 'device_store_idx'`.execute(database.db);
  return r.rows.length === 1;
}

describe.each(testDatabases())('migration 0021 on %s', (kind) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('adds the store index to a database with devices, and its down takes it away', async () => {
    const old = await openMigratedTo(kind, '0020_device_quarantine_proposals');
    cleanup = old.cleanup;
    const db = old.database.db;
    expect(await hasStoreIndex(old.database)).toBe(false);
    const summary = await migrateToLatest(db, old.database.schema);
    expect(summary.applied).toContain('0021_device_store_index');
    expect(await hasStoreIndex(old.database)).toBe(true);
    const down = await new Migrator({
      db,
      // Every migration, so that later ones are taken down first.
      provider: { getMigrations: async () => migrationsUpTo(MIGRATION_NAMES.at(-1)!) },
      ...(old.database.schema ? { migrationTableSchema: old.database.schema } : {}),
    }).migrateTo('0020_device_quarantine_proposals');
    expect(down.error).toBeUndefined();
    expect(await hasStoreIndex(old.database)).toBe(false);
  });
});
