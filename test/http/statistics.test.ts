import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { importMetFile } from '../../src/services/met-import.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR, fixedClock } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { saveSection, startReport, submitReport } from '../../src/services/reports.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { firedReport } from '../support/report-fixtures.js';
import { importHomeOfficeTable } from '../../src/services/national.js';
import { insertTrainingRecords } from '../../src/db/repositories/training.js';
import { listCourseTypes, seedNationalCourseTypes } from '../../src/services/training.js';

/** The published 2018-19 table (a copy in test/fixtures), with the City of London's row standing for the test force. */
const TABLE_2018 = readFileSync(new URL('../fixtures/home-office/ced-by-force-april2018-march2019.csv', import.meta.url), 'utf8').replace('London,City of London,', 'London,Test Constabulary,');

describe.each(testDatabases())('statistics pages on %s', (kind) => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof smallForce>>;
  let o: Awaited<ReturnType<typeof createOfficer>>;
  beforeAll(async () => {
    // A day in November 2026: uses per 1,000 authorised officers count to it, whatever the wall clock says.
    t = await openTestApp(kind, {}, { clock: fixedClock('2026-11-28T12:00:00Z') });
    f = await smallForce(t.svc);
    o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id }));
    const { account } = await createAccount(
      t.svc,
      SYSTEM_ACTOR,
      { email: 'pc@test.police.uk', displayName: 'PC', roles: [{ role: 'officer', boroughId: null }], officerId: o.id },
      'a long enough passphrase',
    );
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
    expect(csv.body).toBe(
      'Region,Police force,Total,Total non-discharge,Drawn,Aimed,Red-dot,Arced,Total discharge,Drive stun,Fired,Angled drive stun,Not stated\nLondon,Test Constabulary,1,0,0,0,0,0,1,0,1,0,0\n',
    );
    const gender = await c.get('/statistics/breakdown.csv?period=2026-27&dimension=gender');
    expect(gender.body.split('\n')[1]).toMatch(/^Male,1,/);
  });

  it('states uses per 1,000 officers authorised to carry, from the training records', async () => {
    const c = await signInAs(t.app, 'analyst@test.police.uk');
    expect((await c.get('/statistics?period=2026-11')).body).toContain('no officer was authorised to carry Taser in this period');
    await seedNationalCourseTypes(t.svc, SYSTEM_ACTOR);
    const initial = (await listCourseTypes(t.svc)).find((ct) => ct.code === 'initial-x2')!;
    await insertTrainingRecords(
      t.svc.database.db,
      f.force.id,
      'test',
      [{ officerId: o.id, courseTypeId: initial.id, completedOn: '2026-04-02', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'stats-1' }],
      t.svc.now().toISOString(),
    );
    const page = await c.get('/statistics?period=2026-11');
    expect(page.body).toMatch(/1000\.0 uses per 1,000 officers authorised to carry Taser<\/strong>\s*\(1 use over an average of 1 officer authorised/);
  });

  it('explains how to load a Home Office table when none is loaded', async () => {
    const c = await signInAs(t.app, 'analyst@test.police.uk');
    const page = await c.get('/statistics?period=2026-27');
    expect(page.body).toContain('<h2 class="govuk-heading-m" id="national-comparison">National comparison</h2>');
    expect(page.body).toContain('No Home Office tables have been loaded');
    expect(page.body).toContain('<code>npm run cedar -- import home-office-ced ced-by-force-april2018-march2019.csv --period 2018-19</code>');
  });

  it('shows the force against its region and England and Wales for each loaded period, as a chart and a table', async () => {
    await importHomeOfficeTable(t.svc, SYSTEM_ACTOR, { fileName: 'ced-by-force-april2018-march2019.csv', bytes: Buffer.from(TABLE_2018) }, '2018-19');
    const c = await signInAs(t.app, 'analyst@test.police.uk');
    const page = await c.get('/statistics?period=2026-27');
    expect(page.statusCode).toBe(200);
    const section = page.body.slice(page.body.indexOf('id="national-comparison"'));
    expect(section).not.toContain('No Home Office tables have been loaded');
    expect(section).toContain('2018-19: April 2018 to March 2019');
    expect(section).toContain('Loaded from ced-by-force-april2018-march2019.csv');
    expect(section).toContain('<caption class="govuk-table__caption govuk-table__caption--s">Share of Taser uses by level of use, 2018-19: Test Constabulary, London and England and Wales</caption>');
    expect(section).toMatch(
      /<th scope="col" class="govuk-table__header">Level of use<\/th>\s*<th scope="col" class="govuk-table__header govuk-table__header--numeric">Test Constabulary<\/th><th scope="col" class="govuk-table__header govuk-table__header--numeric">London<\/th><th scope="col" class="govuk-table__header govuk-table__header--numeric">England and Wales<\/th>/,
    );
    const row = (label: string) => {
      const m = new RegExp(`<th scope="row" class="govuk-table__header">${label}</th>([\\s\\S]*?)</tr>`).exec(section);
      return [...(m?.[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((x) =>
        x[1]!
          .replace(/<[^>]+>/g, '')
          .replace(/&nbsp;|\s+/g, ' ')
          .trim(),
      );
    };
    // City of London 2018-19: 49 uses, 17 drawn, 3 discharges; London 7,445, 1,977, 707; England and Wales 23,451, 5,608, 2,693.
    expect(row('Drawn')).toEqual(['34.7% (17)', '26.6% (1,977)', '23.9% (5,608)']);
    expect(row('Discharge rate')).toEqual(['6.1% (3)', '9.5% (707)', '11.5% (2,693)']);
    expect(row('All uses')).toEqual(['49', '7,445', '23,451']);
    expect(section).toContain('<title id="chart-share-of-uses-at-each-level-of-use-and-discharge-rate-2018-19">');
    expect(section).toContain('Discharge rate: Test Constabulary 6.1%, London 9.5%, England and Wales 11.5%');
    expect(section).not.toContain('Cedar holds'); // no uses recorded in 2018-19: nothing to check the published row against
  });

  it("checks the published row against Cedar's own count when Cedar holds uses for the period", async () => {
    await importHomeOfficeTable(t.svc, SYSTEM_ACTOR, { fileName: 'as-if-2026-27.csv', bytes: Buffer.from(TABLE_2018) }, '2026-27');
    const c = await signInAs(t.app, 'analyst@test.police.uk');
    const page = await c.get('/statistics?period=2026-27');
    const section = page.body.slice(page.body.indexOf('id="national-comparison"'));
    expect(section.indexOf('2026-27: April 2026 to March 2027')).toBeLessThan(section.indexOf('2018-19: April 2018 to March 2019')); // newest first
    expect(section).toContain('Cedar holds 1 use of Taser by the force in 2026-27 (recorded and imported; 1 discharge), against 49 uses (3 discharges) in the published table.');
  });

  it('refuses a repeated parameter with a 400 page naming it, never a 500 (issue 10)', async () => {
    const c = await signInAs(t.app, 'analyst@test.police.uk');
    for (const url of [
      '/statistics?period=2026-27&period=2025-26',
      '/statistics/breakdown.csv?dimension=gender&period=2026-27&period=2025-26',
      '/statistics/home-office.csv?period=2026-27&period=2025-26',
    ]) {
      const res = await c.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('There is a problem with the web address');
      expect(res.body).toContain('<dt class="govuk-summary-list__key">period</dt>');
      expect(res.body).toContain('The address gives period 2 times: give it once');
    }
    const unit = await c.get('/statistics?period=2026-27&unit=fortnight');
    expect(unit.statusCode).toBe(400);
    expect(unit.body).toContain('unit must be one of: month, quarter, financial_year, calendar_year');
  });

  it('neutralises formulas in the CSV downloads: a borough imported as =HYPERLINK(…) is text (issue 10)', async () => {
    const [header, ...rows] = parse(readFileSync(new URL('../fixtures/met/met-use-of-force-sample.csv', import.meta.url)), { bom: true }) as string[][];
    const row = [...rows.find((r) => r[header!.indexOf('CED Fired')] === 'Yes')!]; // a Taser use, so it is counted
    row[header!.indexOf('IncidentDate')] = '2026-11-10';
    row[header!.indexOf('Borough')] = '=HYPERLINK("http://evil.example/","Lambeth")';
    const imported = await importMetFile(t.svc, SYSTEM_ACTOR, { fileName: 'formula.csv', bytes: Buffer.from(stringify([header!, row])) });
    expect(imported).toMatchObject({ imported: 1, rejected: 0 });
    const c = await signInAs(t.app, 'analyst@test.police.uk');
    const csv = await c.get('/statistics/breakdown.csv?period=2026-27&dimension=borough');
    const cells = (parse(csv.body) as string[][]).flat();
    expect(cells).toContain('\'=HYPERLINK("http://evil.example/","Lambeth")');
    expect(cells.filter((v) => /^[=+\-@\t\r]/.test(v) && v !== '-')).toEqual([]);
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
