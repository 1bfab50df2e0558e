import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export type DatabaseSettings =
  | { kind: 'sqlite'; file: string }
  /** `schema`, when given, is created if missing and used as the search path (tests use one per file). */
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /** The PostgreSQL schema in use when not the default (tests). */
  schema?: string;
  close(): Promise<void>;
}

/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<DB> | Transaction<DB>;

export async function openDatabase(settings: DatabaseSettings): Promise<Database> {
  if (settings.kind === 'sqlite') {
    if (settings.file !== ':memory:') fs.mkdirSync(path.dirname(settings.file), { recursive: true });
    const sqlite = new SQLite(settings.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, kind: 'sqlite', close: () => db.destroy() };
  }

  if (settings.schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(settings.schema)) throw new Error(`Invalid PostgreSQL schema name: ${settings.schema}`);
    const admin = new pg.Client({ connectionString: settings.url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${settings.schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolSize ?? 10,
    ...(settings.schema ? { options: `-c search_path=${settings.schema}` } : {}),
  });
  // Fail at start, with the reason, rather than on the first request.
  const client = await pool.connect();
  client.release();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', schema: settings.schema, close: () => db.destroy() };
}
