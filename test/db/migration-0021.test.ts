import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { MIGRATION_NAMES, migrateToLatest, migrationsUpTo } from '../../src/db/migrate.js';
import { testDatabases } from '../support/databases.js';

/* Migration 0021 (issue 12, the armoury page's speed): a store's devices by serial, added to a database at 0020 and taken away again. */

async function openAt(kind: 'sqlite' | 'postgres', last: string): Promise<{ database: Database; cleanup: () => Promise<void> }> {
  let database: Database;
  let drop: () => Promise<void>;
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-m21-'));
    database = await openDatabase({ kind, file: path.join(dir, 'cedar.db') });
    drop = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const url = inject('pgUrl');
    const schema = `cedar_m21_${randomBytes(5).toString('hex')}`;
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
    const old = await openAt(kind, '0020_device_quarantine_proposals');
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
