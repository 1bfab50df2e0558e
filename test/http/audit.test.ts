import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/services/audit.js';
import { createOfficer, updateOfficer } from '../../src/services/officers.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { officerFixture, smallForce } from '../support/fixtures.js';

describe.each(testDatabases())('audit log on %s', (kind) => {
  let t: TestApp;
  let ps: Client;
  beforeAll(async () => {
    t = await openTestApp(kind);
    const f = await smallForce(t.svc);
    const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id }));
    await updateOfficer(t.svc, SYSTEM_ACTOR, { all: true }, o.id, officerFixture({ boroughId: f.boroughs.lambeth.id, rank: 'Sergeant' }));
    await makeAccount(t, 'ps@test.police.uk', [{ role: 'professional_standards', boroughId: null }]);
    ps = await signInAs(t.app, 'ps@test.police.uk');
  });
  afterAll(() => t.close());

  it('lists entries newest first with filters', async () => {
    const all = await ps.get('/audit');
    expect(all.body).toContain('officer.update');
    expect(all.body).toContain('Rank: Police Constable → Sergeant');
    expect(all.body).toContain('Borough: Lambeth'); // ids shown as names
    const filtered = await ps.get('/audit?action=officer.create');
    expect(filtered.body).toContain('1 entry');
    const badDate = await ps.get('/audit?from=yesterday');
    expect(badDate.body).toContain('Enter the from date as YYYY-MM-DD');
    const future = await ps.get('/audit?from=2999-01-01');
    expect(future.body).toContain('No entries match the filters.');
  });

  it('detects an altered entry, on the page and in the service', async () => {
    expect((await ps.get('/audit/verify')).body).toContain('The audit log is intact');
    await sql`update audit_log set summary = ${'{"changes":{"rank":{"from":"Police Constable","to":"Chief Constable"}}}'} where action = 'officer.update'`.execute(t.svc.database.db);
    const result = await verifyAuditLog(t.svc);
    expect(result.ok).toBe(false);
    const page = await ps.get('/audit/verify');
    expect(page.body).toContain('The audit log has been tampered with');
    expect(page.body).toContain('has been altered');
  });
});
