import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { saveSection, startReport, submitReport } from '../../src/services/reports.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { firedReport } from '../support/report-fixtures.js';

describe.each(testDatabases())('statistics pages on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(kind);
    const f = await smallForce(t.svc);
    const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id }));
    const { account } = await createAccount(t.svc, SYSTEM_ACTOR, { email: 'pc@test.police.uk', displayName: 'PC', roles: [{ role: 'officer', boroughId: null }], officerId: o.id }, 'a long enough passphrase');
    const pc = { userId: account.id, label: account.email, grants: account.roles };
    const r = await startReport(t.svc, pc);
    for (const [k, v] of Object.entries(firedReport(f.boroughs.lambeth.id))) await saveSection(t.svc, pc, r.id, k as SectionKey, v);
    await submitReport(t.svc, pc, r.id, new Date('2026-11-27T12:00:00Z'));
    await makeAccount(t, 'analyst@test.police.uk', [{ role: 'analyst', boroughId: null }]);
  });
  afterAll(() => t.close());

  it('shows counts, charts with their tables, and downloads the return', async () => {
    const c = await signInAs(t.app, 'analyst@test.police.uk');
    const page = await c.get('/statistics?period=2026-27');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('role="img"');
    expect(page.body).toContain('Highest level of use');
    expect(page.body).not.toContain('1234LX'); // no officer identity on the statistics page
    const csv = await c.get('/statistics/home-office.csv?period=2026-27');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toBe('Region,Police force,Total,Total non-discharge,Drawn,Aimed,Red-dot,Arced,Total discharge,Drive stun,Fired,Angled drive stun,Not stated\nLondon,Test Constabulary,1,0,0,0,0,0,1,0,1,0,0\n');
    const gender = await c.get('/statistics/breakdown.csv?period=2026-27&dimension=gender');
    expect(gender.body.split('\n')[1]).toMatch(/^Male,1,/);
  });

  it('names a bad period and how to write it', async () => {
    const c = await signInAs(t.app, 'analyst@test.police.uk');
    const bad = await c.get('/statistics?period=last+year');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('href="#period"');
    expect((await c.get('/statistics/breakdown.csv?period=2026-27&dimension=shoe')).statusCode).toBe(400);
  });
});
