import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { CompiledQuery, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult } from 'kysely';
import { DatabaseBusyError } from '../domain/errors.js';

/*
 * SQLite for a server that must keep answering while another process (an import, a backup
 * restore check, a second Cedar) writes to the same file.
 *
 * better-sqlite3 is synchronous, and Kysely's own SqliteDialect puts every query of the
 * process, reads included, through one connection behind a mutex. With a busy timeout, a
 * write that meets another process's write lock then blocks the whole event loop inside
 * SQLite's busy handler, and fails with "database is locked" when the timeout runs out.
 *
 * Here instead:
 *  - a read (a statement that returns rows and writes nothing), outside a transaction, runs at
 *    once on a connection of its own: in WAL mode it sees the last committed state and never
 *    waits for a writer, of this process or another;
 *  - transactions and writes run on the writer connection, one at a time in this process
 *    (an async FIFO lock, so a waiting write holds up nothing else), and every transaction
 *    begins IMMEDIATE: it takes SQLite's write lock up front, so it can never fail half-way
 *    for want of it;
 *  - the busy timeout is 0: when another process holds the write lock, the begin (or a single
 *    write) fails at once, and is tried again after an asynchronous pause with backoff and
 *    jitter, for as long as `writeWaitMs` (far longer than any import's final step), and only
 *    then fails with DatabaseBusyError. The event loop is never blocked waiting for a lock.
 */

export interface SqliteConnections {
  /** Takes every write and every transaction. */
  writer: SQLite.Database;
  /** Takes reads outside transactions; null to use the writer for everything (one connection: :memory:, a connection of its own). */
  reader: SQLite.Database | null;
  /** How long a write waits for another process's write lock before DatabaseBusyError. */
  writeWaitMs: number;
}

export const DEFAULT_WRITE_WAIT_MS = 120_000;

/** Opens a connection with Cedar's settings: WAL, foreign keys, no busy timeout (waits are asynchronous, above). */
export function openSqliteConnection(file: string, role: 'writer' | 'reader' | 'readonly'): SQLite.Database {
  const sqlite = new SQLite(file, role === 'readonly' ? { readonly: true, fileMustExist: true } : {});
  sqlite.pragma('busy_timeout = 0');
  if (role === 'readonly') return sqlite;
  if (role === 'writer') {
    // Setting WAL needs the write lock only when the file is not in WAL yet (a new file).
    untilFreeSync(() => sqlite.pragma('journal_mode = WAL'));
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // After a large import's commit is checkpointed, the WAL file shrinks back rather than
    // keeping the import's size on disk.
    sqlite.pragma('journal_size_limit = 67108864');
  } else {
    // Nothing is ever written through the reader: a write routed here by mistake fails loudly.
    sqlite.pragma('query_only = ON');
  }
  return sqlite;
}

/** Only at start: the file is new and another process is creating it at the same moment. */
function untilFreeSync<T>(work: () => T): T {
  for (let i = 0; ; i++) {
    try {
      return work();
    } catch (err) {
      if (!isBusy(err) || i >= 200) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

export function isBusy(err: unknown): boolean {
  return err instanceof SQLite.SqliteError && (err.code === 'SQLITE_BUSY' || err.code.startsWith('SQLITE_BUSY_'));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` (one synchronous SQLite call); while another process holds the lock, tries again after an asynchronous pause. */
async function untilFree<T>(work: () => T, waitMs: number): Promise<T> {
  const started = performance.now();
  let pause = 2;
  for (;;) {
    try {
      return work();
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
    const waited = performance.now() - started;
    if (waited >= waitMs) throw new DatabaseBusyError(waited);
    // Jitter, so that writers of several processes do not retry in step.
    await sleep(Math.min(pause * (0.5 + Math.random()), waitMs - waited));
    pause = Math.min(pause * 2, 50);
  }
}

/**
 * Copies what the WAL holds into the database file, after a large write (an import's final
 * step), so that this process does it rather than the next commit of the server, whose
 * automatic checkpoint would then copy it all with the event loop blocked. PASSIVE: it never
 * waits for, nor holds up, a reader or a writer; tried again for a while as long as readers
 * still use older snapshots.
 */
export async function checkpointWal(db: SQLite.Database, tries = 50): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    if (!r || r.log <= 0 || r.checkpointed >= r.log) return;
    await sleep(20);
  }
}

/** First come, first served; waiting for it is asynchronous. */
class WriteLock {
  #held = false;
  #queue: (() => void)[] = [];

  async acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#held = false;
  }
}

/** Whether a statement only reads (returns rows and writes nothing), remembered per SQL text. */
class StatementKinds {
  #kinds = new Map<string, boolean>();
  constructor(private readonly probe: SQLite.Database) {}

  isRead(sqlText: string): boolean {
    let read = this.#kinds.get(sqlText);
    if (read === undefined) {
      const stmt = prepared(this.probe, sqlText);
      read = stmt.reader && stmt.readonly;
      if (this.#kinds.size >= 2000) this.#kinds.clear();
      this.#kinds.set(sqlText, read);
    }
    return read;
  }
}

/**
 * Prepared statements kept per connection, by SQL text, most recently used last: Kysely compiles
 * the same few hundred statements again and again, and preparing one costs more than running
 * a small one. Rows are always read whole, so a kept statement is never busy when reused.
 * SQLite re-prepares a kept statement itself after a schema change.
 */
const STATEMENTS_KEPT = 500;
const LONGEST_KEPT_SQL = 20_000;
const kept = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

export function prepared(db: SQLite.Database, sqlText: string): SQLite.Statement {
  if (sqlText.length > LONGEST_KEPT_SQL) return db.prepare(sqlText);
  let statements = kept.get(db);
  if (!statements) kept.set(db, (statements = new Map()));
  let stmt = statements.get(sqlText);
  if (stmt) statements.delete(sqlText);
  else {
    stmt = db.prepare(sqlText);
    if (statements.size >= STATEMENTS_KEPT) statements.delete(statements.keys().next().value!);
  }
  statements.set(sqlText, stmt);
  return stmt;
}

function run<R>(db: SQLite.Database, query: CompiledQuery): QueryResult<R> {
  const stmt = prepared(db, query.sql);
  const parameters = query.parameters as unknown[];
  if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

class CedarSqliteConnection implements DatabaseConnection {
  #holdsWriter = false;
  #inTransaction = false;
  constructor(private readonly driver: CedarSqliteDriver) {}

  /** The writer is this connection's until it is released: a transaction, or a session (db.connection()) that wrote. */
  async holdWriter(): Promise<void> {
    if (this.#holdsWriter) return;
    await this.driver.lock.acquire();
    this.#holdsWriter = true;
  }

  release(): void {
    if (!this.#holdsWriter) return;
    const { writer } = this.driver.connections;
    // A transaction left open by a failure of the caller is not left to the next one.
    if (writer.inTransaction) writer.exec('rollback');
    this.#holdsWriter = false;
    this.#inTransaction = false;
    this.driver.lock.release();
  }

  async begin(): Promise<void> {
    await this.holdWriter();
    await untilFree(() => this.driver.connections.writer.exec('begin immediate'), this.driver.connections.writeWaitMs);
    this.#inTransaction = true;
  }

  async commit(): Promise<void> {
    // In WAL mode a commit does not wait for locks; if it ever did, the transaction stays open and is tried again.
    await untilFree(() => this.driver.connections.writer.exec('commit'), this.driver.connections.writeWaitMs);
    this.#inTransaction = false;
  }

  async rollback(): Promise<void> {
    const { writer } = this.driver.connections;
    if (writer.inTransaction) writer.exec('rollback');
    this.#inTransaction = false;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { writer, reader, writeWaitMs } = this.driver.connections;
    if (!this.#holdsWriter && reader && this.driver.kinds!.isRead(query.sql)) return untilFree(() => run<R>(reader, query), writeWaitMs);
    await this.holdWriter();
    // Inside a transaction the write lock is already held; a single write waits for it here.
    return this.#inTransaction ? run<R>(writer, query) : untilFree(() => run<R>(writer, query), writeWaitMs);
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // Rows are read whole (a statement being iterated would keep its connection busy across awaits).
    const { rows } = await this.executeQuery<R>(query);
    for (const row of rows) yield { rows: [row] };
  }
}

class CedarSqliteDriver implements Driver {
  readonly lock = new WriteLock();
  readonly kinds: StatementKinds | null;
  constructor(readonly connections: SqliteConnections) {
    this.kinds = connections.reader ? new StatementKinds(connections.reader) : null;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new CedarSqliteConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as CedarSqliteConnection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as CedarSqliteConnection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as CedarSqliteConnection).rollback();
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to "${name}"`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release "${name}"`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as CedarSqliteConnection).release();
  }

  async destroy(): Promise<void> {
    this.connections.reader?.close();
    this.connections.writer.close();
  }
}

/** Kysely's SQLite dialect with the driver above. */
export class CedarSqliteDialect implements Dialect {
  constructor(private readonly connections: SqliteConnections) {}
  createDriver(): Driver {
    return new CedarSqliteDriver(this.connections);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}
