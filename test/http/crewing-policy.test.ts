import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import type { Role } from '../../src/domain/permissions.js';
import { fixedClock } from '../../src/services/context.js';
import { getCrewingPolicies } from '../../src/services/crewing-policy.js';
import { type Client, makeAccount, openTestApp, pageText, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';

/* Issue 14: the crewing policy page — the programme lead sets it (audited, compare-and-set), everyone who reads shifts sees it. */
describe.each(testDatabases())('the crewing policy page on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const c: Record<string, Client> = {};
  const text = (html: string) => pageText(html, '’');
  const revisionIn = (html: string) => /<form method="post" action="\/crewing\/policy" novalidate>[\s\S]*?name="revision" value="([^"]*)"/.exec(html)?.[1];
  const good = { carriersPerCrew: '2', soloRanks: ['Sergeant', 'Inspector'], minimumCrews: '3', briefingBeforeMinutes: '45', briefingAfterMinutes: '60' };

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock('2027-03-31T12:00:00Z') });
    f = await smallForce(t.svc);
    const people: [string, Role, string | null][] = [
      ['lead', 'programme_lead', null],
      ['sgt', 'supervisor', f.boroughs.lambeth.id],
      ['armourer', 'armourer', null],
    ];
    for (const [who, role, borough] of people) {
      await makeAccount(t, `${who}@test.police.uk`, [{ role, boroughId: borough }]);
      c[who] = await signInAs(t.app, `${who}@test.police.uk`);
    }
  });
  afterAll(() => t.close());

  it('shows the lead the defaults in a form', async () => {
    const res = await c.lead!.get('/crewing/policy');
    expect(res.statusCode).toBe(200);
    expect(text(res.body)).toContain('Cedar’s defaults apply');
    expect(/<input[^>]*name="minimumCrews"[^>]*>/.exec(res.body)?.[0].replace(/\s+/g, ' ')).toContain('value="2"');
    expect(revisionIn(res.body)).toBe('');
  });

  it('refuses a form with problems, naming the fields', async () => {
    const res = await c.lead!.post('/crewing/policy', { borough: '', revision: '', carriersPerCrew: '', soloRanks: [], minimumCrews: 'two', briefingBeforeMinutes: '45', briefingAfterMinutes: '60' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('There is a problem');
    expect(res.body).toContain('href="#carriersPerCrew"');
    expect(res.body).toContain('href="#minimumCrews"');
    expect(text(res.body)).toContain('Enter the minimum Taser-equipped crews as a whole number');
    expect((await getCrewingPolicies(t.svc)).forceWide).toBeNull();
  });

  it('saves the force’s policy, audited, and tells a stale form', async () => {
    const before = (await listAudit(t.svc.database.db, {}, { offset: 0, limit: 1 })).total;
    const res = await c.lead!.post('/crewing/policy', { borough: '', revision: '', ...good });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/crewing/policy?saved=1');
    const policy = (await getCrewingPolicies(t.svc)).forceWide!;
    expect(policy).toMatchObject({ carriersPerCrew: 2, soloRanks: ['Sergeant', 'Inspector'], minimumCrews: 3, briefingBeforeMinutes: 45, revision: 0 });
    const audit = await listAudit(t.svc.database.db, {}, { offset: 0, limit: 1 });
    expect(audit.total).toBe(before + 1);
    expect(audit.entries[0]).toMatchObject({ action: 'crewing_policy.update' });
    const page = await c.lead!.get('/crewing/policy?saved=1');
    expect(text(page.body)).toContain('The crewing policy has been saved.');
    expect(revisionIn(page.body)).toBe('0');

    const stale = await c.lead!.post('/crewing/policy', { borough: '', revision: '', ...good, minimumCrews: '5' });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('was changed by someone else a moment ago: nothing you sent was saved');
    expect((await getCrewingPolicies(t.svc)).forceWide!.minimumCrews).toBe(3);
  });

  it('gives a borough its own policy and takes it away again', async () => {
    const id = f.boroughs.camden.id;
    const res = await c.lead!.post('/crewing/policy', { borough: id, revision: '', ...good, minimumCrews: '4' });
    expect(res.statusCode).toBe(303);
    expect((await getCrewingPolicies(t.svc)).forBorough(id).minimumCrews).toBe(4);
    const page = await c.lead!.get(`/crewing/policy?borough=${id}`);
    expect(text(page.body)).toContain('Remove Camden’s own policy');
    const removed = await c.lead!.post('/crewing/policy/remove', { borough: id, revision: revisionIn(page.body)! });
    expect(removed.statusCode).toBe(303);
    expect((await getCrewingPolicies(t.svc)).forBorough(id).minimumCrews).toBe(3);
  });

  it('shows a sergeant the policy without a form, and keeps others out', async () => {
    const res = await c.sgt!.get('/crewing/policy');
    expect(res.statusCode).toBe(200);
    expect(text(res.body)).toContain('Ranks that may deploy alone Sergeant, Inspector');
    expect(res.body).not.toContain('Save the policy');
    expect(res.body).not.toContain('Camden'); // only their borough
    expect((await c.sgt!.post('/crewing/policy', { borough: '', revision: '0', ...good })).statusCode).toBe(403);
    expect((await c.sgt!.get(`/crewing/policy?borough=${f.boroughs.camden.id}`)).statusCode).toBe(404);
    expect((await c.armourer!.get('/crewing/policy')).statusCode).toBe(403);
  });
});
