import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { testDatabases } from '../support/databases.js';

/*
 * PostgreSQL ends an idle connection of Cedar's pool (a restart, an administrator, a dropped
 * database): Cedar carries on and opens another. Before, the pool's 'error' event had no
 * listener, so it was an uncaught exception that stopped the process (and failed CI as an
 * unhandled error when a test dropped its database under an idle connection).
 */
describe.runIf(testDatabases().includes('postgres'))('an idle PostgreSQL connection ended by the server', () => {
  let database: Database;
  let warn: ReturnType<typeof vi.spyOn>;

  beforeAll(async () => {
    database = await openDatabase({ kind: 'postgres', url: inject('pgUrl'), poolSize: 2 });
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    warn.mockRestore();
    await database?.close();
  });

  it('is replaced, and the next query runs', async () => {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
    const pid = rows[0]!.pid;
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    try {
      await admin.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining('an idle PostgreSQL connection was closed')), { timeout: 5_000 });
    const again = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    expect(again.rows[0]!.one).toBe(1);
  });
});
