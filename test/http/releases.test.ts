/**
 * The release pages: the months that may be released (GOV.UK error summary otherwise),
 * "Are you sure? This cannot be undone" with the headline figures before publishing, a
 * checkbox to publish the same figures again, correcting a published release with one that
 * supersedes it, and what the public pages then say. Also the audit page's head.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MET_COLUMN_INDEX } from '../../src/domain/met/layout.js';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { importMetFile } from '../../src/services/met-import.js';
import { draftRelease, publishedRelease } from '../../src/services/releases.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { smallForce } from '../support/fixtures.js';

const SAMPLE = parse(fs.readFileSync(new URL('../fixtures/met/met-use-of-force-sample.csv', import.meta.url), 'utf8'), { bom: true }) as string[][];
let imported = 0;
async function importUses(t: TestApp, dates: string[]): Promise<void> {
  const rows = dates.map((date) => {
    const n = imported++;
    const row = [...SAMPLE[[12, 14, 29, 30][n % 4]!]!];
    row[MET_COLUMN_INDEX.IncidentDate] = date;
    row[MET_COLUMN_INDEX.IncidentTime] = `${String(n % 24).padStart(2, '0')}:15`;
    row[MET_COLUMN_INDEX.Borough] = 'Lambeth';
    return row;
  });
  const r = await importMetFile(t.svc, SYSTEM_ACTOR, { fileName: `uses-${imported}.csv`, bytes: Buffer.from(writeMetCsv(rows)) });
  expect(r.rejected).toBe(0);
}

const idFrom = (location: unknown) => /\/statistics\/releases\/([^/?]+)/.exec(String(location))![1]!;

describe.each(testDatabases())('release pages on %s', (kind) => {
  let t: TestApp;
  let analyst: Client;
  let lead: Client;

  beforeAll(async () => {
    t = await openTestApp(kind);
    await smallForce(t.svc);
    await makeAccount(t, 'analyst@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
    await makeAccount(t, 'ps@test.police.uk', [{ role: 'professional_standards', boroughId: null }]);
    analyst = await signInAs(t.app, 'analyst@test.police.uk');
    lead = await signInAs(t.app, 'lead@test.police.uk');
  });
  afterAll(() => t.close());

  it('says nothing can be released while no use of force is recorded', async () => {
    const page = await analyst.get('/statistics/releases');
    expect(page.body).toContain('No uses of force are recorded yet, so there is nothing to release.');
    expect(page.body).not.toContain('name="month"');
    const refused = await analyst.post('/statistics/releases', { month: '2026-05' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('No uses of force are recorded yet, so there is nothing to release');
  });

  it('refuses April 1999 with an error summary linking to the month, naming the months that may be released', async () => {
    await importUses(t, ['2026-04-03', '2026-04-22', '2026-05-09']);
    const page = await analyst.get('/statistics/releases');
    expect(page.body).toMatch(/from April 2026 \(the first recorded use of force\) to [A-Z][a-z]+ 20\d\d \(the last month that has ended\)/);
    const bad = await analyst.post('/statistics/releases', { month: '1999-04' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<title>Error: Monthly releases');
    expect(bad.body).toMatch(/<a href="#month">April 1999 is before the force&#39;s first recorded use of force \(April 2026\)\. Choose a month from April 2026 to [A-Z][a-z]+ 20\d\d<\/a>/);
    expect(bad.body).toMatch(/id="month-error"/);
    expect(await draftRelease(t.svc)).toBeUndefined();
  });

  it('asks "Are you sure? This cannot be undone" with the headline figures before publishing', async () => {
    const prepared = await analyst.post('/statistics/releases', { month: '2026-05' });
    expect(prepared.statusCode).toBe(303);
    const id = idFrom(prepared.headers.location);
    const preview = await analyst.get(`/statistics/releases/${id}`);
    expect(preview.body).toContain(`href="/statistics/releases/${id}/publish"`);
    expect(preview.body).not.toContain(`action="/statistics/releases/${id}/publish"`); // no publishing straight from the preview

    const confirm = await analyst.get(`/statistics/releases/${id}/publish`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Are you sure you want to publish release 1?');
    expect(confirm.body).toContain('This cannot be undone.');
    for (const [key, value] of <[string, string][]>[
      ['Months covered', 'April 2026, May 2026'],
      ['Uses of Taser', '3'],
      ['Discharges', '1'],
      ['Revisions', 'This is the first release: there is nothing to revise.'],
    ]) {
      expect(confirm.body).toMatch(new RegExp(`<dt class="govuk-summary-list__key">\\s*${key}\\s*</dt>\\s*<dd class="govuk-summary-list__value">\\s*${value.replace(/[.]/g, '\\.')}\\s*</dd>`));
    }
    expect(confirm.body).toContain(`action="/statistics/releases/${id}/publish"`);
    expect(confirm.body).toContain('Yes, publish release 1');
    expect(confirm.body).not.toContain('confirmIdentical');

    expect((await lead.get(`/statistics/releases/${id}/publish`)).statusCode).toBe(403);
    expect((await lead.post(`/statistics/releases/${id}/publish`, {})).statusCode).toBe(403);

    const published = await analyst.post(`/statistics/releases/${id}/publish`, {});
    expect(published.statusCode).toBe(303);
    expect((await publishedRelease(t.svc, 1)).id).toBe(id);
    expect((await analyst.get(`/statistics/releases/${id}/publish`)).statusCode).toBe(409);
  });

  it('publishes the same figures again only when the analyst ticks the confirmation', async () => {
    const id = idFrom((await analyst.post('/statistics/releases', { month: '2026-05' })).headers.location);
    const confirm = await analyst.get(`/statistics/releases/${id}/publish`);
    expect(confirm.body).toContain('I confirm this release has the same figures as release 1');
    const refused = await analyst.post(`/statistics/releases/${id}/publish`, {});
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('<a href="#confirmIdentical">Confirm that you mean to publish the same figures as release 1 again</a>');
    expect(refused.body).toContain('id="confirmIdentical-error"');
    expect((await draftRelease(t.svc))!.id).toBe(id);
    const published = await analyst.post(`/statistics/releases/${id}/publish`, { confirmIdentical: 'yes' });
    expect(published.statusCode).toBe(303);
    expect((await publishedRelease(t.svc, 2)).id).toBe(id);
  });

  it('corrects a published release with one that supersedes it; both public pages say why, nothing is deleted', async () => {
    const two = await publishedRelease(t.svc, 2);
    const page = await analyst.get(`/statistics/releases/${two.id}`);
    expect(page.body).toContain(`href="/statistics/releases/${two.id}/supersede"`);
    expect((await lead.get(`/statistics/releases/${two.id}`)).body).not.toContain('Correct this release');
    expect((await lead.get(`/statistics/releases/${two.id}/supersede`)).statusCode).toBe(403);

    const form = await analyst.get(`/statistics/releases/${two.id}/supersede`);
    expect(form.body).toContain('Why is release 2 being corrected?');
    const short = await analyst.post(`/statistics/releases/${two.id}/supersede`, { reason: 'oops' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toMatch(/<a href="#reason">Say in a few words why the release is being corrected/);
    expect(await draftRelease(t.svc)).toBeUndefined();

    await importUses(t, ['2026-05-28']);
    const reason = 'A use in May was left out <b>by mistake</b>';
    const prepared = await analyst.post(`/statistics/releases/${two.id}/supersede`, { reason });
    expect(prepared.statusCode).toBe(303);
    const id = idFrom(prepared.headers.location);
    const preview = await analyst.get(`/statistics/releases/${id}`);
    expect(preview.body).toContain('This draft corrects release 2.');
    const confirm = await analyst.get(`/statistics/releases/${id}/publish`);
    expect(confirm.body).toContain('Revisions against release 2');
    expect(confirm.body).toContain('May 2026: +1 late report');
    expect(confirm.body).toContain('Release 2: A use in May was left out &lt;b&gt;by mistake&lt;/b&gt;');
    expect((await analyst.post(`/statistics/releases/${id}/publish`, {})).statusCode).toBe(303);

    const escaped = 'A use in May was left out &lt;b&gt;by mistake&lt;/b&gt;';
    const latest = await t.app.inject({ url: '/transparency' });
    expect(latest.body).toContain('Release 3');
    expect(latest.body).toContain(`Supersedes <a class="govuk-link" href="/transparency/releases/2">release 2</a>: ${escaped}`);
    expect(latest.body).not.toContain('<b>by mistake</b>');
    const old = await t.app.inject({ url: '/transparency/releases/2' });
    expect(old.statusCode).toBe(200);
    expect(old.body).toContain(`Superseded by release 3: ${escaped}`);
    expect(old.body).toContain('/transparency/releases/2/uses.csv'); // its files stay
    const list = await t.app.inject({ url: '/transparency/releases' });
    expect(list.body).toContain(`Superseded by release 3: ${escaped}`);
    expect(list.body).toContain(`Supersedes release 2: ${escaped}`);
    expect(list.body).toMatch(/Release 2<\/a><br><strong class="govuk-tag govuk-tag--grey">\s*Superseded\s*<\/strong>/);
    const file = await t.app.inject({ url: '/transparency/latest/uses.csv' });
    expect(file.headers.location).toBe('/transparency/releases/3/uses.csv');
    expect((await t.app.inject({ url: '/transparency/releases/2/aggregates.json' })).statusCode).toBe(200);
    const methodology = await t.app.inject({ url: '/transparency/methodology' });
    expect(methodology.body).toContain('id="corrections"');
    expect(methodology.body).toContain('never point at a superseded release');

    const again = await analyst.get(`/statistics/releases/${two.id}`);
    expect(again.body).toContain(`Superseded by release 3: ${escaped}`);
    expect(again.body).not.toContain('Correct this release');
  });

  it('shows the audit log’s head on the public release page and on the audit check page', async () => {
    const three = await publishedRelease(t.svc, 3);
    const pub = await t.app.inject({ url: '/transparency' });
    expect(pub.body).toContain(`<code class="cedar-hash">${three.auditHead!.hash}</code>`);
    expect(pub.body).toContain(`the log had <strong>${three.auditHead!.seq.toLocaleString('en-GB')}</strong> entries`);
    const ps = await signInAs(t.app, 'ps@test.police.uk');
    const check = await ps.get('/audit/verify');
    expect(check.body).toContain('The audit log is intact');
    const { seq, hash } = await t.svc.database.db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(check.body).toContain(`Its head is entry ${Number(seq).toLocaleString('en-GB')}, with the hash <code>${hash}</code>`);
    expect(check.body).toContain('It still holds the heads published with 3 releases');
  });
});
