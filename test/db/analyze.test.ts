import { afterEach, describe, expect, it } from 'vitest';
import { analyzeTables } from '../../src/db/analyze.js';
import { ensureForce } from '../../src/services/setup.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { openTestServices, plannerHasStatistics, testDatabases, type TestServices } from '../support/databases.js';

/*
 * Issue 15, item 4: after a bulk import the planner's statistics are refreshed at once, on
 * both databases, rather than when autovacuum gets round to it.
 */
describe.each(testDatabases())('refreshing the planner statistics after a bulk import on %s', (kind) => {
  let t: TestServices | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('records statistics for the tables named, and only once asked', async () => {
    t = await openTestServices(kind);
    const db = t.database.db;
    const analysed = () => plannerHasStatistics(db, kind, 'force');
    await ensureForce(t, SYSTEM_ACTOR, { name: 'Test Constabulary', homeOfficeRegion: 'North West' });
    expect(await analysed()).toBe(false);
    await analyzeTables(db, kind, ['force']);
    expect(await analysed()).toBe(true);
  });
});
