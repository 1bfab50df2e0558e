import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trainingRepo from '../../src/db/repositories/training.js';
import { parsePeriod } from '../../src/domain/stats/periods.js';
import { DEFAULT_ASSUMPTIONS } from '../../src/domain/training/uplift.js';
import { SYSTEM_ACTOR, fixedClock, type Actor } from '../../src/services/context.js';
import { importHomeOfficeTable } from '../../src/services/national.js';
import { createOfficer } from '../../src/services/officers.js';
import { PUBLISHED_HOME_OFFICE_TABLES, readPublishedTable } from '../../src/reference/home-office/index.js';
import { saveSection, startReport } from '../../src/services/reports.js';
import { seedNationalCourseTypes } from '../../src/services/training.js';
import { savePlan } from '../../src/services/uplift.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport, recordReport } from '../support/report-fixtures.js';

/*
 * Pages take "today" from the services' clock, never the wall clock (issue 10, item 1): run
 * at a fixed instant years before the wall clock, each page must count from that instant.
 */

/** Saturday 20 April 2019, noon in London (BST). */
const AT = '2019-04-20T11:00:00Z';

/** The value of the input called `name`. */
function inputValue(html: string, name: string): string | undefined {
  const input = [...html.matchAll(/<input\b[^>]*>/g)].map((m) => m[0].replace(/\s+/g, ' ')).find((i) => i.includes(` name="${name}"`));
  return input ? /value="([^"]*)"/.exec(input)?.[1] : undefined;
}

const tags = (html: string, text: string) => html.match(new RegExp(`<strong class="govuk-tag[^"]*">\\s*${text}\\s*</strong>`, 'g'))?.length ?? 0;

describe.each(testDatabases())('pages count from the services’ clock on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let pc: Actor;

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(AT) });
    f = await smallForce(t.svc);
    const lambeth = f.boroughs.lambeth.id;
    // An officer who passed the initial course on 10 January 2019: authorised on 20 April 2019, long lapsed by the wall clock.
    const officer = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: lambeth, teamId: f.teams.lambethResponse.id }));
    await seedNationalCourseTypes(t.svc, SYSTEM_ACTOR);
    const course = new Map((await trainingRepo.listCourseTypes(t.svc.database.db, f.force.id)).map((c) => [c.code, c.id]));
    await trainingRepo.insertTrainingRecords(
      t.svc.database.db,
      f.force.id,
      'test',
      [{ officerId: officer.id, courseTypeId: course.get('initial-x2')!, completedOn: '2019-01-10', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: null }],
      t.svc.now().toISOString(),
    );
    await makeAccount(t, 'analyst@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
    await makeAccount(t, 'sgt@test.police.uk', [{ role: 'supervisor', boroughId: lambeth }]);
    const account = await makeAccount(t, 'pc@test.police.uk', [{ role: 'officer', boroughId: lambeth }], { officerId: officer.id });
    pc = { userId: account.id, label: account.email, grants: account.roles };
    // Two drafts without Taser (due 72 hours after the incident): at noon on 20 April one is due
    // within 12 hours, the other overdue. By the wall clock both are years overdue.
    for (const [reference, date, time] of [
      ['CAD 0001/17APR', '2019-04-17', '20:00'],
      ['CAD 0002/16APR', '2019-04-16', '08:00'],
    ] as const) {
      const r = await startReport(t.svc, pc);
      await saveSection(t.svc, pc, r.id, 'incident', { reference, date, time, boroughId: lambeth, locations: ['street'] });
    }
  });
  afterAll(() => t.close());

  it('statistics: the period is this financial year, and uses per 1,000 authorised officers count to today', async () => {
    const table = PUBLISHED_HOME_OFFICE_TABLES[0]!;
    await importHomeOfficeTable(t.svc, SYSTEM_ACTOR, { fileName: table.file, bytes: await readPublishedTable(table.file) }, table.period);
    const analyst = await signInAs(t.app, 'analyst@test.police.uk');
    const page = await analyst.get('/statistics');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<title>Statistics: ${parsePeriod('2019-20').label}`);
    // April 2019 has not ended: the one count is today's, and the officer trained in January is authorised.
    expect(page.body).toContain('authorised at the end of each month (2019-04-20)');
    // The national comparison's table is stamped with the time it was loaded.
    expect(page.body).toContain(`Loaded from ${table.file} on 20 April 2019 at 12:00.`);
  });

  it('monthly releases: the month offered is the last one that has ended', async () => {
    // A release needs a recorded use: one submitted in March 2019 makes March the only month to offer.
    const lambeth = f.boroughs.lambeth.id;
    await recordReport(t.svc, pc, firedReport(lambeth, { incident: { reference: 'CAD 0003/10MAR', date: '2019-03-10', time: '10:00', boroughId: lambeth, locations: ['street'] } }), new Date(AT));
    const analyst = await signInAs(t.app, 'analyst@test.police.uk');
    const page = await analyst.get('/statistics/releases');
    expect(page.statusCode).toBe(200);
    expect(inputValue(page.body, 'month')).toBe('2019-03');
  });

  it('uplift: authorised today and the planner from this month', async () => {
    await savePlan(t.svc, SYSTEM_ACTOR, {
      startsOn: '2018-09-01',
      deadline: '2020-08-31',
      baselineAuthorised: 0,
      targetAuthorised: 10,
      targetDevices: 10,
      boroughMinimum: 1,
      emergencyResponsePercent: 90,
      ...DEFAULT_ASSUMPTIONS,
    });
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const progress = await lead.get('/uplift');
    expect(progress.statusCode).toBe(200);
    expect(progress.body).toMatch(/<span class="cedar-stat" id="authorised-now">1<\/span>/);
    expect(progress.body).toContain('April 2019 (today, 20 April 2019)');
    const planner = await lead.get('/uplift/planner');
    expect(planner.statusCode).toBe(200);
    expect(planner.body).not.toContain('has passed');
    expect(planner.body).toContain('from the start of this month, 1 April 2019');
  });

  it('reports: drafts are due soon or overdue by the clock, on the officer’s list and the review queue', async () => {
    const officer = await signInAs(t.app, 'pc@test.police.uk');
    const mine = await officer.get('/reports');
    expect(mine.statusCode).toBe(200);
    expect([tags(mine.body, 'Due soon'), tags(mine.body, 'Overdue')]).toEqual([1, 1]);

    // Whichever drafts the queue lists, only one of them is overdue today.
    const sgt = await signInAs(t.app, 'sgt@test.police.uk');
    const queue = await sgt.get('/reviews?tab=overdue');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('CAD 0002/16APR');
    expect(tags(queue.body, 'Overdue')).toBe(1);
  });
});
