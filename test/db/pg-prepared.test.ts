import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openDatabase, statementName, type Database } from '../../src/db/database.js';
import { testDatabases } from '../support/databases.js';

/*
 * On PostgreSQL, Cedar's statements run as named prepared statements once their text has been
 * seen twice: parsed and planned once per connection, not on every run (see statementName).
 */
describe('which statements are prepared by name', () => {
  it('names a statement with parameters the second time its text runs, and the same name after', () => {
    const text = `select $1::int as x /* ${randomBytes(4).toString('hex')} */`;
    expect(statementName(text, 1)).toBeUndefined();
    const name = statementName(text, 1);
    expect(name).toMatch(/^cedar_\d+$/);
    expect(statementName(text, 1)).toBe(name);
  });

  it('never names a statement without parameters (begin, commit, a migration) nor a long one (a report over a year)', () => {
    for (let i = 0; i < 3; i++) expect(statementName('commit', 0)).toBeUndefined();
    const long = `select $1::text as x where ${"'x' = 'x' and ".repeat(200)} true`;
    for (let i = 0; i < 3; i++) expect(statementName(long, 1)).toBeUndefined();
  });
});

describe.runIf(testDatabases().includes('postgres'))('named prepared statements on PostgreSQL', () => {
  const schema = `cedar_prep_${randomBytes(6).toString('hex')}`;
  let database: Database;
  let admin: pg.Client;

  beforeAll(async () => {
    // One connection, so every run below is on the connection whose statements are looked at.
    database = await openDatabase({ kind: 'postgres', url: inject('pgUrl'), schema, poolSize: 1 });
    admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    await admin.query(`create table ${schema}.t (a int)`);
    await admin.query(`insert into ${schema}.t values (1)`);
  });
  afterAll(async () => {
    await database?.close();
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });

  const prepared = async () =>
    (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(database.db)).rows.filter((r) => r.name.startsWith('cedar_'));
  const rowsOfT = async () =>
    (await database.db
      .selectFrom('t' as never)
      .selectAll()
      .where('a' as never, '=', 1 as never)
      .execute()) as Record<string, unknown>[];

  it('prepares a statement on its second run and runs it by name after', async () => {
    expect(await rowsOfT()).toEqual([{ a: 1 }]);
    expect((await prepared()).map((p) => p.statement)).not.toContain('select * from "t" where "a" = $1');
    await rowsOfT();
    await rowsOfT();
    expect((await prepared()).map((p) => p.statement)).toContain('select * from "t" where "a" = $1');
  });

  it('fails the one run whose table was altered under it, then prepares the statement again on a new connection', async () => {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
    await admin.query(`alter table ${schema}.t add column b text default 'x'`);
    await expect(rowsOfT()).rejects.toThrow('cached plan must not change result type');
    expect(await rowsOfT()).toEqual([{ a: 1, b: 'x' }]);
    const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
    expect(after.rows[0]!.pid).not.toBe(rows[0]!.pid);
  });

  it('runs a transaction of named statements, and a failed one leaves the next to run', async () => {
    for (let i = 0; i < 3; i++) {
      await database.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('t' as never)
          .values({ a: 10 + i } as never)
          .execute();
      });
    }
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('t' as never)
          .values({ a: 20 } as never)
          .execute();
        await sql`select 1 / ${0}::int`.execute(trx);
      }),
    ).rejects.toThrow('division by zero');
    const count = await sql<{ n: string }>`select count(*) as n from t where a >= ${10}`.execute(database.db);
    expect(Number(count.rows[0]!.n)).toBe(3);
  });
});
