import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/services/audit.js';
import { createAccount } from '../../src/services/accounts.js';
import { createOfficer, updateOfficer } from '../../src/services/officers.js';
import { reviewReport } from '../../src/services/reports.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { testDatabases } from '../support/databases.js';
import { openTestApp, signInAs, TEST_PASSWORD, type Client, type TestApp } from '../support/app.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { firedReport, recordingOfficer, recordReport } from '../support/report-fixtures.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** What a person reads on the page: the text without tags (ids in links and form fields are not read). */
const visibleText = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');

describe.each(testDatabases())('audit log on %s', (kind) => {
  let t: TestApp;
  let ps: Client;
  let admin: Client;
  let officerId: string;
  let reportId: string;
  let psAccountId: string;

  beforeAll(async () => {
    t = await openTestApp(kind);
    const f = await smallForce(t.svc);
    const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id }));
    officerId = o.id;
    const { account: adminAccount } = await createAccount(
      t.svc,
      SYSTEM_ACTOR,
      { email: 'admin@test.police.uk', displayName: 'Alex Admin', roles: [{ role: 'administrator', boroughId: null }], officerId: null },
      TEST_PASSWORD,
    );
    const adminActor: Actor = { userId: adminAccount.id, label: adminAccount.email, grants: adminAccount.roles };
    await updateOfficer(t.svc, adminActor, { all: true }, o.id, officerFixture({ boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id, rank: 'Sergeant' }));
    const { account: psAccount } = await createAccount(
      t.svc,
      SYSTEM_ACTOR,
      { email: 'ps@test.police.uk', displayName: 'Priya Shah', roles: [{ role: 'professional_standards', boroughId: null }], officerId: null },
      TEST_PASSWORD,
    );
    psAccountId = psAccount.id;
    const pc = await recordingOfficer(t.svc, f.boroughs.lambeth.id, { collarNumber: '2001LX', firstName: 'Ben', lastName: 'Okafor' });
    reportId = await recordReport(t.svc, pc, firedReport(f.boroughs.lambeth.id), new Date('2026-11-21T09:00:00Z'));
    const { account: sgt } = await createAccount(
      t.svc,
      SYSTEM_ACTOR,
      { email: 'sgt@test.police.uk', displayName: 'Sam Grant', roles: [{ role: 'supervisor', boroughId: null }], officerId: null },
      TEST_PASSWORD,
    );
    await reviewReport(t.svc, { userId: sgt.id, label: sgt.email, grants: sgt.roles }, { all: true }, reportId, { outcome: 'approve', comment: 'Proportionate.' });
    ps = await signInAs(t.app, 'ps@test.police.uk');
    admin = await signInAs(t.app, 'admin@test.police.uk');
  });
  afterAll(() => t.close());

  it('says who did what to which record in words: names, the fields changed, no ids', async () => {
    const page = await ps.get('/audit');
    expect(page.statusCode).toBe(200);
    const text = visibleText(page.body);
    // What, with the fields that changed and the team by its name.
    expect(text).toContain('Officer record updated: rank Police Constable → Sergeant; team — → Lambeth Emergency Response A');
    expect(text).toContain('Officer record created: PC Asha Patel (1234LX)');
    expect(text).toContain('Joined: 1 September 2015');
    expect(text).toContain('Report submitted (version 1)');
    expect(text).toContain('Highest level of Taser use: Fired');
    expect(text).toContain('Report approved (version 1)');
    expect(text).toContain('Comment: Proportionate.');
    expect(text).toContain('Account created for Priya Shah (ps@test.police.uk)');
    expect(text).toContain('Roles: Professional standards');
    expect(text).toContain('Signed in');
    // Who, by name and email; the system by what it is.
    expect(text).toMatch(/Alex Admin admin@test\.police\.uk Officer record updated/);
    expect(text).toMatch(/Sam Grant sgt@test\.police\.uk Report approved/);
    expect(text).toContain('Cedar (automatic)');
    // Which record, by name, linked where the reader may open it.
    expect(page.body).toContain(`<a class="govuk-link" href="/officers/${officerId}">PS Asha Patel (1234LX)</a>`);
    expect(page.body).toContain(`<a class="govuk-link" href="/reports/${reportId}">Incident CAD 1234/28NOV: PC Ben Okafor (2001LX)</a>`);
    // Professional standards do not manage accounts: the account is named, not linked.
    expect(text).toContain('Priya Shah (ps@test.police.uk)');
    expect(page.body).not.toContain(`href="/admin/accounts/${psAccountId}"`);
    // No record known to Cedar appears as a raw id, nor an action as its code.
    expect(text.match(UUID)?.[0] ?? null).toBeNull();
    expect(text).not.toMatch(/\b(officer\.update|report\.submit|auth\.sign_in)\b/);
    // The filter offers actions in words.
    expect(page.body).toMatch(/<option value="officer\.update"\s*>Officer record updated<\/option>/);
  });

  it('links each record by what the reader may open', async () => {
    const page = await admin.get('/audit');
    expect(page.body).toContain(`<a class="govuk-link" href="/admin/accounts/${psAccountId}">Priya Shah (ps@test.police.uk)</a>`);
    // Administrators do not read use-of-force reports: named, not linked.
    expect(visibleText(page.body)).toContain('Incident CAD 1234/28NOV: PC Ben Okafor (2001LX)');
    expect(page.body).not.toContain(`href="/reports/${reportId}"`);
  });

  it('filters by action, by dates and by one record, naming the record', async () => {
    expect(visibleText((await ps.get('/audit?action=officer.create')).body)).toContain('2 entries');
    const one = await ps.get(`/audit?entityType=officer&entityId=${officerId}`);
    const text = visibleText(one.body);
    expect(text).toContain('Showing the entries for PS Asha Patel (1234LX).');
    expect(text).toContain('2 entries');
    expect(text.match(UUID)?.[0] ?? null).toBeNull();
    expect((await ps.get('/audit?from=yesterday')).body).toContain('Enter the from date as YYYY-MM-DD');
    expect((await ps.get('/audit?from=2999-01-01')).body).toContain('No entries match the filters.');
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
