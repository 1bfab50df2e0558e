import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseBusyError } from '../../src/domain/errors.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { insertBoroughs } from '../../src/db/repositories/organisation.js';
import { SYSTEM_ACTOR, change, type Services } from '../../src/services/context.js';
import { ensureForce, servicesFor } from '../../src/services/setup.js';
import { openTestServices, testDatabases, TEST_POLICY, type TestServices } from '../support/databases.js';

/*
 * Issue 10, item 8: a write that must wait for another writer (an import in another process)
 * waits without blocking the event loop, reads never wait for a writer, and the write is
 * stored once the other writer is done, however long it takes, rather than failing after
 * SQLite's busy timeout.
 *
 * None of these is a timed test: they check what resolves before what.
 */

const FORCE = { name: 'Test Constabulary', homeOfficeRegion: 'North West' };
const settle = <T>(p: Promise<T>) => {
  const state = { settled: false };
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
};
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
const count = async (svc: Services, table: 'borough' | 'audit_log') =>
  Number(
    (
      await svc.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** A change of our own: a borough and its audit entry. */
const addBorough = (svc: Services, name: string) =>
  change(svc, SYSTEM_ACTOR, async (trx, audit) => {
    const force = await trx.selectFrom('force').select('id').executeTakeFirstOrThrow();
    const [b] = await insertBoroughs(trx, force.id, [{ name, code: name.slice(0, 3).toUpperCase() }], svc.now().toISOString());
    await audit({ action: 'borough.create', entityType: 'borough', entityId: b!.id, summary: { name } });
  });

describe.each(testDatabases())('reads while a change is open, on %s', (kind) => {
  let svc: TestServices;
  beforeEach(async () => {
    svc = await openTestServices(kind);
    await ensureForce(svc, SYSTEM_ACTOR, FORCE);
  });
  afterEach(() => svc.cleanup());

  it('answers a read at once while a change in this process is open, without showing what it has not committed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((r) => (inserted = r));
    const open = change(svc, SYSTEM_ACTOR, async (trx, audit) => {
      const force = await trx.selectFrom('force').select('id').executeTakeFirstOrThrow();
      const [b] = await insertBoroughs(trx, force.id, [{ name: 'Open', code: 'OPN' }], svc.now().toISOString());
      await audit({ action: 'borough.create', entityType: 'borough', entityId: b!.id, summary: {} });
      inserted();
      await gate; // the change waits on something else (a password hash, a file) with its transaction open
    });
    const state = settle(open);
    await Promise.race([insertedYet, open]);
    // Before: one SQLite connection behind a mutex, so this read waited for the whole change.
    expect(await count(svc, 'borough')).toBe(0);
    expect(state.settled).toBe(false);
    release();
    await open;
    expect(await count(svc, 'borough')).toBe(1);
  });
});

describe('a write waiting for another process on SQLite', () => {
  let svc: TestServices;
  let other: SQLite.Database;
  beforeEach(async () => {
    svc = await openTestServices('sqlite');
    await ensureForce(svc, SYSTEM_ACTOR, FORCE);
    if (svc.location.kind !== 'sqlite') throw new Error('sqlite only');
    // Another process's connection (an import publishing its rows) holding the write lock.
    other = new SQLite(svc.location.file);
  });
  afterEach(async () => {
    if (other.inTransaction) other.exec('rollback');
    other.close();
    await svc.cleanup();
  });

  it('waits without blocking the event loop, lets reads through, and is stored when the lock is released after longer than the old 5 s busy timeout', async () => {
    other.exec('begin immediate');
    const write = addBorough(svc, 'Waiting');
    const state = settle(write);
    // Reads keep being answered while the write waits: a read every 100 ms for 5.5 s.
    // Before: the write blocked the event loop in SQLite's busy handler for 5 s, then failed
    // with "database is locked", and no read (nor this timer) ran in the meantime.
    let reads = 0;
    for (let i = 0; i < 55; i++) {
      await tick(100);
      expect(await count(svc, 'borough')).toBe(0);
      reads++;
      expect(state.settled, 'the write ended while the lock was still held').toBe(false);
    }
    expect(reads).toBe(55);
    other.exec('commit');
    await write;
    expect(await count(svc, 'borough')).toBe(1);
  }, 30_000);

  it('waits the same way for a single write outside a transaction', async () => {
    const force = await svc.database.db.selectFrom('force').select('id').executeTakeFirstOrThrow();
    other.exec('begin immediate');
    const write = insertBoroughs(svc.database.db, force.id, [{ name: 'Single', code: 'SGL' }], svc.now().toISOString());
    const state = settle(write);
    for (let i = 0; i < 5; i++) {
      await tick(50);
      expect(await count(svc, 'borough')).toBe(0);
    }
    expect(state.settled).toBe(false);
    other.exec('commit');
    await write;
    expect(await count(svc, 'borough')).toBe(1);
  });

  it('serialises writes of this process while another process holds the lock, losing none', async () => {
    other.exec('begin immediate');
    const writes = Promise.allSettled(['Alpha', 'Bravo', 'Charlie', 'Delta'].map((n) => addBorough(svc, n)));
    await tick(200);
    other.exec('commit');
    const results = await writes;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await count(svc, 'borough')).toBe(4);
    expect(await count(svc, 'audit_log')).toBe(5); // the force, and one per borough
  });
});

describe('a write that waits too long on SQLite', () => {
  let database: Database;
  let other: SQLite.Database;
  let dir: string;
  beforeEach(async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-writes-'));
    const file = path.join(dir, 'cedar.db');
    database = await openDatabase({ kind: 'sqlite', file, writeWaitMs: 300 });
    await migrateToLatest(database.db);
    await ensureForce(servicesFor(database, TEST_POLICY), SYSTEM_ACTOR, FORCE);
    other = new SQLite(file);
  });
  afterEach(async () => {
    if (other.inTransaction) other.exec('rollback');
    other.close();
    await database.close();
    (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
  });

  it('gives up after its deadline with an error that says why, storing nothing', async () => {
    const svc = servicesFor(database, TEST_POLICY);
    other.exec('begin immediate');
    const err = await addBorough(svc, 'Late').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseBusyError);
    expect((err as Error).message).toMatch(/busy with another change .* nothing was changed/i);
    other.exec('rollback');
    expect(await count(svc, 'borough')).toBe(0);
    // And the next write goes through.
    await addBorough(svc, 'Later');
    expect(await count(svc, 'borough')).toBe(1);
  });
});
