import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Migrator } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { MIGRATION_NAMES, migrateToLatest, migrationsUpTo } from '../../src/db/migrate.js';
import { testDatabases } from '../support/databases.js';

/* Migration 0020 (issue 12): quarantine proposals, added to a database that has the devices of 0019, and taken away again. */

async function openAt(kind: 'sqlite' | 'postgres', last: string): Promise<{ database: Database; cleanup: () => Promise<void> }> {
  let database: Database;
  let drop: () => Promise<void>;
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-m20-'));
    database = await openDatabase({ kind, file: path.join(dir, 'cedar.db') });
    drop = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const url = inject('pgUrl');
    const schema = `cedar_m20_${randomBytes(5).toString('hex')}`;
    database = await openDatabase({ kind, url, schema, poolSize: 2 });
    drop = async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    };
  }
  const only = migrationsUpTo(last);
  const r = await new Migrator({ db: database.db, provider: { getMigrations: async () => only }, ...(database.schema ? { migrationTableSchema: database.schema } : {}) }).migrateToLatest();
  if (r.error) throw r.error;
  return { database, cleanup: async () => (await database.close(), await drop()) };
}

const proposals = (db: Database['db']) => db.selectFrom('device_quarantine_proposal').selectAll().execute();

describe.each(testDatabases())('migration 0020 on %s', (kind) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('adds the quarantine proposals to a database with devices, and its down takes them away', async () => {
    const old = await openAt(kind, '0019_devices');
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
