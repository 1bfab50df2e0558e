import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DatabaseKind } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { DB } from '../../src/db/schema.js';
import type { Services } from '../../src/services/context.js';
import { servicesFor } from '../../src/services/setup.js';

/** The databases this run covers (see global-setup.ts). Use with describe.each. */
export function testDatabases(): DatabaseKind[] {
  return inject('testDatabases');
}

export interface TestServices extends Services {
  /** Where the database lives: a SQLite file path, or a PostgreSQL URL with its schema. */
  location: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };
  cleanup(): Promise<void>;
}

export const TEST_POLICY = { lockoutAttempts: 3, lockoutMinutes: 15, sessionHours: 12 };

/** The audit key the tests write with, as Cedar always has one (CEDAR_AUDIT_KEY or the SQLite key file). */
export const TEST_AUDIT_KEY = Buffer.alloc(32, 0x5a);

/** A fresh, migrated database of the given kind: a SQLite file in a temp dir, or a new PostgreSQL schema. */
export async function openTestServices(kind: DatabaseKind, opts: { clock?: () => Date; auditKey?: Buffer | null; writeWaitMs?: number } = {}): Promise<TestServices> {
  const policy = { ...TEST_POLICY, auditKey: opts.auditKey === undefined ? TEST_AUDIT_KEY : opts.auditKey };
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-test-'));
    const file = path.join(dir, 'cedar.db');
    const database = await openDatabase({ kind: 'sqlite', file, writeWaitMs: opts.writeWaitMs });
    await migrateToLatest(database.db, database.schema);
    return {
      ...servicesFor(database, policy, opts.clock),
      location: { kind, file },
      async cleanup() {
        await database.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = inject('pgUrl');
  const schema = `cedar_t_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase({ kind: 'postgres', url, schema, poolSize: 4 });
  await migrateToLatest(database.db, database.schema);
  return {
    ...servicesFor(database, policy, opts.clock),
    location: { kind, url, schema },
    async cleanup() {
      await database.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** Whether the query planner holds statistics for `table` (ANALYZE has run on it): sqlite_stat1, or pg_stats in the test's schema. */
export async function plannerHasStatistics(db: Kysely<DB>, kind: DatabaseKind, table: string): Promise<boolean> {
  const count = async (q: RawBuilder<{ n: number }>) => Number((await q.execute(db)).rows[0]!.n);
  // pg_stats is written by ANALYZE itself (the activity views lag behind it).
  if (kind === 'postgres') return (await count(sql`select count(*) as n from pg_stats where tablename = ${table} and schemaname = current_schema()`)) > 0;
  if ((await count(sql`select count(*) as n from sqlite_master where name = 'sqlite_stat1'`)) === 0) return false;
  return (await count(sql`select count(*) as n from sqlite_stat1 where tbl = ${table}`)) > 0;
}
