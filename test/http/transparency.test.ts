import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { importHomeOfficeTable } from '../../src/services/national.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textProblems, type Sensitive } from '../../src/domain/disclosure.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { smallForce } from '../support/fixtures.js';
import { firedReport, RECORDING_PASSWORD, recordingOfficer, recordReport } from '../support/report-fixtures.js';

/** Every value in a recorded report (and its officer) that must never reach the public. */
const SENSITIVE: Sensitive[] = [
  { kind: 'officer name', value: 'Quentin Markwell' },
  { kind: 'collar number', value: '5150LX' },
  { kind: 'device serial', value: 'X2PUBMARK1' },
  { kind: 'device serial', value: 'CPUBMARK2' },
  { kind: 'incident reference', value: 'CAD 4242/PUBMARK' },
  { kind: 'free text', value: 'Pubmark justification words' },
  { kind: 'free text', value: 'Pubmark injury words' },
  { kind: 'free text', value: 'BWV-PUBMARK' },
  { kind: 'free text', value: 'EVID-PUBMARK' },
  { kind: 'account', value: 'pc@test.police.uk' },
  { kind: 'account', value: 'analyst@test.police.uk' },
];

describe.each(testDatabases())('public transparency pages on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(kind);
    const f = await smallForce(t.svc);
    const pc = await recordingOfficer(t.svc, f.boroughs.lambeth.id, { firstName: 'Quentin', lastName: 'Markwell', collarNumber: '5150LX' });
    const base = firedReport(f.boroughs.lambeth.id);
    await recordReport(
      t.svc,
      pc,
      {
        ...base,
        incident: { ...(base.incident as object), reference: 'CAD 4242/PUBMARK', date: '2026-04-12', time: '21:43' },
        ced: {
          deviceSerial: 'X2PUBMARK1',
          applications: [
            {
              levels: ['fired'],
              fired: {
                cartridgeNumber: 'CPUBMARK2',
                totalCycles: 1,
                cycleInterrupted: false,
                cycleExtended: false,
                repeatCycleSameCartridge: false,
                missOneProbe: false,
                missBothProbes: false,
                probeLocations: ['F7'],
              },
            },
          ],
        },
        justification: { text: 'Pubmark justification words' },
        bwv: { worn: true, switchedOn: 'before', notOnReason: null, cameraId: 'BWV-PUBMARK', footageRefs: ['EVID-PUBMARK'] },
        injuries: { ...(base.injuries as object), subjectInjuryNature: 'Pubmark injury words' },
      },
      new Date('2026-04-13T12:00:00Z'),
    );
    await makeAccount(t, 'analyst@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
  });
  afterAll(() => t.close());

  it('says nothing is published yet, without sign-in and without setting a cookie', async () => {
    const res = await t.app.inject({ url: '/transparency' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('No figures have been published yet');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
    expect((await t.app.inject({ url: '/transparency/releases/1' })).statusCode).toBe(404);
  });

  it('lets an analyst prepare, preview and publish a release, which the public page then shows', async () => {
    const analyst = await signInAs(t.app, 'analyst@test.police.uk');
    const list = await analyst.get('/statistics/releases');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('name="month"');

    const bad = await analyst.post('/statistics/releases', { month: '2031-01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#month"');
    expect(bad.body).toMatch(/January 2031 has not ended yet/);

    const prepared = await analyst.post('/statistics/releases', { month: '2026-04' });
    expect(prepared.statusCode).toBe(303);
    const preview = await analyst.get(prepared.headers.location as string);
    expect(preview.body).toContain('Preview: not published');
    expect(preview.body).toContain('Publish release');
    expect((await t.app.inject({ url: '/transparency' })).body).toContain('No figures have been published yet');

    const id = /\/statistics\/releases\/([^?]+)/.exec(prepared.headers.location as string)![1]!;
    const published = await analyst.post(`/statistics/releases/${id}/publish`, {});
    expect(published.statusCode).toBe(303);
    const again = await analyst.post(`/statistics/releases/${id}/publish`, {});
    expect(again.statusCode).toBe(409);

    const page = await t.app.inject({ url: '/transparency' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Release 1');
    expect(page.body).toContain('Taser use in Test Constabulary: April 2026');
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('<caption class="govuk-table__caption govuk-table__caption--s">Uses of Taser by month, April 2026</caption>');
    // The same bytes for everyone: no nonce; the template's one inline script is allowed by its hash.
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).not.toContain('nonce-');
    const hash = /script-src 'self' 'sha256-([^']+)'/.exec(csp)![1]!;
    const script = /<script>([^<]+)<\/script>/.exec(page.body)![1]!;
    expect(createHash('sha256').update(script).digest('base64')).toBe(hash);
    expect(page.body).not.toContain('nonce=');
    const zipped = await t.app.inject({ url: '/transparency', headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(page.body);
    expect((await t.app.inject({ url: '/transparency', headers: { 'if-none-match': page.headers.etag as string } })).statusCode).toBe(304);
  });

  it('serves every public page and download free of identities, serials, references and free text', async () => {
    const outputs: [string, string][] = [];
    for (const url of ['/transparency', '/transparency/releases', '/transparency/releases/1/breakdowns', '/transparency/national', '/transparency/methodology']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      outputs.push([url, res.body]);
    }
    for (const file of ['aggregates.csv', 'aggregates.json', 'uses.csv', 'uses.json']) {
      const url = `/transparency/releases/1/${file}`;
      const plain = await t.app.inject({ url });
      expect(plain.statusCode, url).toBe(200);
      expect(plain.headers['content-disposition']).toBe(`attachment; filename="taser-release-1-2026-04-${file}"`);
      const zipped = await t.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(plain.body);
      expect((await t.app.inject({ url, headers: { 'if-none-match': plain.headers.etag as string } })).statusCode).toBe(304);
      outputs.push([url, plain.body]);
    }
    for (const [url, body] of outputs) {
      expect(textProblems(body, SENSITIVE, url)).toEqual([]);
      // times to the hour: no HH:MM other than :00 anywhere in the public output
      expect(body.match(/\b([01]\d|2[0-3]):(?!00)[0-5]\d\b/g), url).toBeNull();
    }
    expect(outputs.find(([u]) => u.endsWith('/breakdowns'))![1]).toContain('<caption class="govuk-table__caption govuk-table__caption--s">Reason for using force, April 2026</caption>');
    const uses = outputs.find(([u]) => u.endsWith('uses.csv'))![1];
    expect(uses).toContain('2026-04-12,21:00:00');
    const latest = await t.app.inject({ url: '/transparency/latest/aggregates.json' });
    expect(latest.statusCode).toBe(302);
    expect(latest.headers.location).toBe('/transparency/releases/1/aggregates.json');
    expect((await t.app.inject({ url: '/transparency/releases/1/secrets.csv' })).statusCode).toBe(404);
  });

  it('shows the force against its region and England and Wales once a published table is loaded', async () => {
    const before = await t.app.inject({ url: '/transparency/national' });
    expect(before.body).toContain('No published national figures are available yet');
    expect((await t.app.inject({ url: '/transparency' })).body).toContain('href="/transparency/national"');
    const bytes = fs.readFileSync(new URL('../fixtures/home-office/ced-by-force-april2018-march2019.csv', import.meta.url));
    await importHomeOfficeTable(t.svc, SYSTEM_ACTOR, { fileName: 'ced-by-force-april2018-march2019.csv', bytes }, '2018-19');
    const after = await t.app.inject({ url: '/transparency/national' });
    expect(after.body).toContain('id="national-comparison-2018-19"');
    expect(after.body).toContain('England and Wales');
    expect(after.body).not.toContain('ced-by-force-april2018-march2019.csv'); // no file names for the public
  });

  it('keeps release pages apart from people who may not prepare them', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const list = await lead.get('/statistics/releases');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('name="month"');
    expect((await lead.post('/statistics/releases', { month: '2026-05' })).statusCode).toBe(403);
    const pc = await signInAs(t.app, 'pc@test.police.uk', RECORDING_PASSWORD);
    expect((await pc.get('/statistics/releases')).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/statistics/releases' })).statusCode).toBe(303);
  });
});
