import { Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATION_NAMES, migrateToLatest, migrationsUpTo } from '../../src/db/migrate.js';
import { newId } from '../../src/db/ids.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { servicesFor } from '../../src/services/setup.js';
import { TEST_POLICY, testDatabases } from '../support/databases.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { openMigratedTo } from './migrated-to.js';

/*
 * Migration 0024 (issue 14): shifts, the crewing policy and saved crews. The rules the schema
 * itself keeps, on both databases: one shift per officer and start, an end after the start, one
 * policy per scope, a crew member's role, and an officer in one crew per period; and its down.
 */
describe.each(testDatabases())('migration 0024 on %s', (kind) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('keeps the rules of shifts, the policy and crews, and its down takes the tables away', async () => {
    const old = await openMigratedTo(kind, '0023_device_logs');
    cleanup = old.cleanup;
    const db = old.database.db;
    expect((await migrateToLatest(db, old.database.schema)).applied).toContain('0024_shifts');
    const svc = servicesFor(old.database, { ...TEST_POLICY, auditKey: null });
    const f = await smallForce(svc);
    const a = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '1LX' }));
    const b = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '2LX' }));
    const at = '2026-12-01T00:00:00.000Z';
    const shift = (over: Record<string, unknown> = {}) =>
      db
        .insertInto('shift')
        .values({
          id: newId(),
          force_id: f.force.id,
          officer_id: a.id,
          borough_id: f.boroughs.lambeth.id,
          team_id: null,
          call_sign: null,
          london_date: '2026-12-02',
          starts_at: '2026-12-02T07:00:00.000Z',
          ends_at: '2026-12-02T15:00:00.000Z',
          source: 'cli',
          created_at: at,
          updated_at: at,
          revision: 0,
          ...over,
        })
        .execute();
    await shift();
    await expect(shift()).rejects.toThrow(); // the same officer and start
    await expect(shift({ officer_id: b.id, ends_at: '2026-12-02T07:00:00.000Z' })).rejects.toThrow(); // no length
    await shift({ officer_id: b.id });

    const policy = (scope: string, carriers = 1) =>
      db
        .insertInto('crewing_policy')
        .values({
          force_id: f.force.id,
          scope,
          borough_id: scope === 'force' ? null : scope,
          carriers_per_crew: carriers,
          solo_ranks: '[]',
          minimum_crews: 2,
          briefing_before_minutes: 30,
          briefing_after_minutes: 60,
          updated_at: at,
          updated_by: 'x',
          revision: 0,
        })
        .execute();
    await policy('force');
    await expect(policy('force')).rejects.toThrow();
    await expect(policy(f.boroughs.lambeth.id, 3)).rejects.toThrow();

    const crew = async (callSign: string) => {
      const id = newId();
      await db
        .insertInto('crew')
        .values({
          id,
          force_id: f.force.id,
          borough_id: f.boroughs.lambeth.id,
          team_id: null,
          call_sign: callSign,
          london_date: '2026-12-02',
          starts_at: '2026-12-02T07:00:00.000Z',
          ends_at: '2026-12-02T15:00:00.000Z',
          saved_by: 'x',
          saved_at: at,
          revision: 0,
        })
        .execute();
      return id;
    };
    const member = (crewId: string, officerId: string, role: string) =>
      db.insertInto('crew_member').values({ crew_id: crewId, force_id: f.force.id, officer_id: officerId, starts_at: '2026-12-02T07:00:00.000Z', role, device_id: null }).execute();
    const one = await crew('LX21');
    await expect(crew('LX21')).rejects.toThrow(); // one call sign per period
    const two = await crew('LX22');
    await member(one, a.id, 'carrier');
    await expect(member(one, b.id, 'driver')).rejects.toThrow();
    await expect(member(two, a.id, 'partner')).rejects.toThrow(); // one crew per period
    await member(two, b.id, 'solo');

    const down = await new Migrator({
      db,
      provider: { getMigrations: async () => migrationsUpTo(MIGRATION_NAMES.at(-1)!) },
      ...(old.database.schema ? { migrationTableSchema: old.database.schema } : {}),
    }).migrateTo('0023_device_logs');
    expect(down.error).toBeUndefined();
    const tables =
      kind === 'sqlite'
        ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((r) => r.name)
        : (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${old.database.schema ?? 'public'}`.execute(db)).rows.map((r) => r.name);
    for (const t of ['shift', 'crewing_policy', 'crew', 'crew_member']) expect(tables).not.toContain(t);
    expect(tables).toContain('device_log_entry');
  });
});
