import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Migrator } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrationsUpTo } from '../../src/db/migrate.js';

/**
 * A new database migrated up to and including `last` (a migration's name): the schema a
 * migration after it finds on a force's machine. On PostgreSQL it is a schema of its own;
 * `cleanup` closes and removes it.
 */
export async function openMigratedTo(kind: 'sqlite' | 'postgres', last: string): Promise<{ database: Database; cleanup: () => Promise<void> }> {
  let database: Database;
  let drop: () => Promise<void>;
  const tag = last.slice(0, 4);
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cedar-m${tag}-`));
    database = await openDatabase({ kind, file: path.join(dir, 'cedar.db') });
    drop = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const url = inject('pgUrl');
    const schema = `cedar_m${tag}_${randomBytes(5).toString('hex')}`;
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
