import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { testDatabases } from '../support/databases.js';
import { openMigratedTo } from './migrated-to.js';

/* Migration 0015 (issue 10): accounts, officers and tokens as they were at 0014, upgraded. */

describe.each(testDatabases())('migration 0015 on %s', (kind) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  const at = '2026-01-01T00:00:00.000Z';
  const seed = async (db: Database['db'], sharedOfficer: boolean) => {
    await db
      .insertInto('force')
      .values({ id: 'f', name: 'F', home_office_region: 'London', created_at: at } as never)
      .execute();
    await db
      .insertInto('officer')
      .values({
        id: 'o1',
        force_id: 'f',
        collar_number: '1',
        first_name: 'A',
        last_name: 'B',
        search_text: 'a b 1',
        rank: 'Police Constable',
        status: 'active',
        joined_on: '2020-01-01',
        created_at: at,
        updated_at: at,
      } as never)
      .execute();
    for (const [id, email] of [
      ['u1', 'first@x.org'],
      ['u2', 'second@x.org'],
    ] as const) {
      await db
        .insertInto('app_user')
        .values({
          id,
          email,
          display_name: id,
          password_hash: 'x',
          must_change_password: 0,
          disabled: 0,
          officer_id: sharedOfficer || id === 'u1' ? 'o1' : null,
          failed_sign_ins: 0,
          locked_until: null,
          last_sign_in_at: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
    await db
      .insertInto('api_token')
      .values({ id: 't1', user_id: 'u1', name: 'old', token_hash: 'h', token_prefix: 'cedar_abcdef', created_at: at, last_used_at: null, revoked_at: null } as never)
      .execute();
  };

  it('stops, naming the accounts, when two already share an officer record', async () => {
    const old = await openMigratedTo(kind, '0014_training_corrections');
    cleanup = old.cleanup;
    await seed(old.database.db, true);
    await expect(migrateToLatest(old.database.db, old.database.schema)).rejects.toThrow(
      /0015_account_security failed: .*same officer record, which Cedar no longer allows:\n {2}officer o1: first@x\.org, second@x\.org\n/s,
    );
  });

  it('gives tokens made before it every API scope and an expiry', async () => {
    const old = await openMigratedTo(kind, '0014_training_corrections');
    cleanup = old.cleanup;
    await seed(old.database.db, false);
    await migrateToLatest(old.database.db, old.database.schema);
    const t = await old.database.db.selectFrom('api_token').select(['scopes', 'expires_at']).executeTakeFirstOrThrow();
    expect(JSON.parse(t.scopes)).toEqual(['officers:read', 'officers:write', 'organisation:read', 'reports:read', 'reports:write', 'training:read', 'training:write']);
    expect(Date.parse(t.expires_at!)).toBeGreaterThan(Date.now() + 89 * 86_400_000);
  });
});
