import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import { CedarSqliteDialect, checkpointWal, DEFAULT_WRITE_WAIT_MS, openSqliteConnection } from './sqlite.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export type DatabaseSettings =
  /**
   * `writeWaitMs`: how long a write waits for another process's write lock (an import's final
   * step) before failing with DatabaseBusyError; two minutes unless given. `readonly`: open an
   * existing file only to read it (a backup being checked).
   */
  | { kind: 'sqlite'; file: string; writeWaitMs?: number; readonly?: boolean }
  /** `schema`, when given, is created if missing and used as the search path (tests use one per file). */
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /** The PostgreSQL schema in use when not the default (tests). */
  schema?: string;
  /** The SQLite file (absolute or as configured); undefined on PostgreSQL. */
  file?: string;
  /** How long a SQLite write waits for another process's write lock. */
  writeWaitMs?: number;
  /** PostgreSQL's pool of connections, for withOwnConnection. */
  pool?: pg.Pool;
  close(): Promise<void>;
}

/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<DB> | Transaction<DB>;

export async function openDatabase(settings: DatabaseSettings): Promise<Database> {
  if (settings.kind === 'sqlite') {
    const writeWaitMs = settings.writeWaitMs ?? DEFAULT_WRITE_WAIT_MS;
    if (settings.readonly) {
      const only = openSqliteConnection(settings.file, 'readonly');
      const db = new Kysely<DB>({ dialect: new CedarSqliteDialect({ writer: only, reader: null, writeWaitMs }) });
      return { db, kind: 'sqlite', file: settings.file, writeWaitMs, close: () => db.destroy() };
    }
    const memory = settings.file === ':memory:';
    if (!memory) fs.mkdirSync(path.dirname(settings.file), { recursive: true });
    // Two connections: reads outside transactions never queue behind a write (see sqlite.ts).
    // An in-memory database is private to its connection, so it has one.
    const writer = openSqliteConnection(settings.file, 'writer');
    const reader = memory ? null : openSqliteConnection(settings.file, 'reader');
    const db = new Kysely<DB>({ dialect: new CedarSqliteDialect({ writer, reader, writeWaitMs }) });
    return { db, kind: 'sqlite', file: settings.file, writeWaitMs, close: () => db.destroy() };
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
  // An idle connection ended by the server (PostgreSQL restarted, an administrator ended it, its
  // database dropped) is an 'error' event on the pool; unheard, it is an uncaught exception that
  // stops Cedar. The pool has already dropped that connection and opens another when needed.
  pool.on('error', (err) => console.warn(`Cedar: an idle PostgreSQL connection was closed (${err.message}); a new one is opened when needed.`));
  // Fail at start, with the reason, rather than on the first request.
  const client = await pool.connect();
  client.release();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparing(pool) }) });
  return { db, kind: 'postgres', schema: settings.schema, pool, close: () => db.destroy() };
}

/**
 * Runs `work` on a connection of its own, outside any transaction, for work that keeps state
 * on its connection (temporary tables) and writes to the live tables only at its end, in a
 * transaction of its own (e.g. `change()` with services whose database is `db`).
 * On SQLite that is a separate connection to the file, so that the work holds no lock of this
 * process's writer while it runs; on PostgreSQL a connection of the pool, held throughout.
 */
export async function withOwnConnection<T>(database: Database, work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  if (database.kind === 'postgres') {
    // openDatabase always gives PostgreSQL its pool; the stage's COPY needs the pool's client.
    if (!database.pool) throw new Error('withOwnConnection needs the PostgreSQL pool that openDatabase opened');
    const client = await database.pool.connect();
    const own = new Kysely<DB>({ dialect: new PostgresDialect({ pool: poolOfOne(client) }) });
    ownClients.set(own, client);
    let broken: unknown;
    try {
      return await work(own);
    } catch (err) {
      broken = err;
      throw err;
    } finally {
      // A connection left in a failed COPY or transaction is not handed back to the pool for reuse.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }
  if (!database.file || database.file === ':memory:') return database.db.connection().execute(work);
  const writer = openSqliteConnection(database.file, 'writer');
  const own = new Kysely<DB>({ dialect: new CedarSqliteDialect({ writer, reader: null, writeWaitMs: database.writeWaitMs ?? DEFAULT_WRITE_WAIT_MS }) });
  try {
    const result = await work(own);
    await checkpointWal(writer);
    return result;
  } finally {
    await own.destroy();
  }
}

/** The PostgreSQL client under a Kysely that withOwnConnection made, for what Kysely cannot send (COPY). */
const ownClients = new WeakMap<Kysely<DB>, pg.PoolClient>();
export function ownPostgresClient(db: Kysely<DB>): pg.PoolClient | undefined {
  return ownClients.get(db);
}

/**
 * One client as Kysely's pool: lent to one query or transaction at a time (the next waits for
 * its release), never closed by it; withOwnConnection hands it back to the real pool.
 */
function poolOfOne(client: pg.PoolClient) {
  let holder: Promise<void> = Promise.resolve();
  let releaseHolder = () => {};
  const lent = { query: client.query.bind(client), release: () => releaseHolder() };
  return {
    async connect() {
      const previous = holder;
      let release!: () => void;
      holder = new Promise<void>((resolve) => (release = resolve));
      await previous;
      releaseHolder = release;
      return lent as unknown as pg.PoolClient;
    },
    async end() {},
  };
}

/**
 * Statements prepared once per connection and then only bound and run (PostgreSQL's named
 * prepared statements), as Cedar's SQLite driver keeps its prepared statements. Kysely sends
 * each statement as text to be parsed and planned again every time; for the short statements
 * of a write (a report created and submitted is about 45) the planning was most of the
 * server's work: named, 85 → 109 reports a second through the API (npm run bench -- writes).
 *
 * A statement gets a name the second time its text is run, so one-off texts (an IN list of a
 * size seen once) use none; at most PREPARED_NAMES texts are named in a process, each on the
 * connections that run it. Long statements (reports, statistics over a year) are not named:
 * planning is a small part of their time, and a plan made for their actual values is safest.
 * After five runs PostgreSQL uses a generic plan for a named statement only when its estimate
 * is no worse than the plans made for the values (plan_cache_mode = auto).
 */
const PREPARED_NAMES = 1000;
const LONGEST_PREPARED = 2000;
const seenOnce = new Set<string>();
const statementNames = new Map<string, string>();

/** The statement's name, or undefined to send it as text to be parsed and planned. */
export function statementName(text: string, parameters: number): string | undefined {
  if (parameters === 0 || text.length > LONGEST_PREPARED) return undefined;
  const name = statementNames.get(text);
  if (name !== undefined || statementNames.size >= PREPARED_NAMES) return name;
  if (!seenOnce.has(text)) {
    if (seenOnce.size >= 10 * PREPARED_NAMES) seenOnce.clear();
    seenOnce.add(text);
    return undefined;
  }
  seenOnce.delete(text);
  const named = `cedar_${statementNames.size + 1}`;
  statementNames.set(text, named);
  return named;
}

/**
 * PostgreSQL refuses to run a prepared statement whose result columns changed under it (a table
 * altered while Cedar runs, as by a newer server's migration in a rolling upgrade): "cached
 * plan must not change result type". That run fails; the connection is then closed rather than
 * handed back, so the pool's next connection prepares the statement afresh.
 */
const isStalePlan = (err: unknown) => (err as { code?: string }).code === '0A000' && /cached plan must not change result type/.test((err as Error).message);

/** The pool as Kysely sees it: each client's text queries go as named statements (statementName). */
function preparing(pool: pg.Pool) {
  return {
    async connect() {
      const client = await pool.connect();
      let stale = false;
      const named = async (text: string, values: unknown[] | undefined) => {
        try {
          return await client.query({ text, values, name: statementName(text, values?.length ?? 0) });
        } catch (err) {
          if (isStalePlan(err)) stale = true;
          throw err;
        }
      };
      return {
        // Anything but text (Kysely's streaming Cursor) is passed on as it is.
        query: (text: unknown, values?: unknown[]) => (typeof text === 'string' ? named(text, values) : client.query(text as pg.QueryConfig)),
        release: (err?: Error | boolean) => client.release(stale || err),
      } as unknown as pg.PoolClient;
    },
    end: () => pool.end(),
  };
}
