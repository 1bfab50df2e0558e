import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { MIGRATION_NAMES, migrateToLatest, migrationsUpTo } from '../../src/db/migrate.js';
import { testDatabases } from '../support/databases.js';
import { openMigratedTo } from './migrated-to.js';

/* Migration 0020 (issue 12): quarantine proposals, added to a database that has the devices of 0019, and taken away again. */

const proposals = (db: Database['db']) => db.selectFrom('device_quarantine_proposal').selectAll().execute();

describe.each(testDatabases())('migration 0020 on %s', (kind) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('adds the quarantine proposals to a database with devices, and its down takes them away', async () => {
    const old = await openMigratedTo(kind, '0019_devices');
    cleanup = old.cleanup;
    const db = old.database.db;
    await expect(proposals(db)).rejects.toThrow();
    const summary = await migrateToLatest(old.database.db, old.database.schema);
    expect(summary.applied).toContain('0020_device_quarantine_proposals');
    expect(await proposals(db)).toEqual([]);
    const down = await new Migrator({
      db,
      // Every migration, so that later ones are taken down first.
      provider: { getMigrations: async () => migrationsUpTo(MIGRATION_NAMES.at(-1)!) },
      ...(old.database.schema ? { migrationTableSchema: old.database.schema } : {}),
    }).migrateTo('0019_devices');
    expect(down.error).toBeUndefined();
    await expect(proposals(db)).rejects.toThrow();
  });
});
