/**
 * Training and authority in a real browser, once per test database: a trainer (programme
 * lead) records a session's results; the officer who passed becomes authorised on their
 * profile and the uplift page's count goes up; a supervisor suspends their authority (the
 * count goes down) and reinstates it.
 * Screenshots go to test-results/screenshots/training-<kind>-NN-name.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trainingRepo from '../../src/db/repositories/training.js';
import { addDays, londonDate } from '../../src/domain/calendar.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { createSession, enrol, listCourseTypes, seedNationalCourseTypes } from '../../src/services/training.js';
import { savePlan } from '../../src/services/uplift.js';
import { makeAccount, openTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { browserHarness, CHROMIUM, clickAndLoad, heading } from './support.js';

const LEAD = 'lead@test.police.uk';
const SERGEANT = 'sergeant@test.police.uk';

describe.skipIf(!CHROMIUM)('browser journey: results make an officer authorised, a supervisor suspends and reinstates, the uplift page follows', () => {
  describe.each(testDatabases())('on %s', (kind) => {
    let t: TestApp;
    let officerId: string;
    const browser = browserHarness(`training-${kind}-`);
    // The services' clock, stopped in the repeated hour of the night the clocks go back (01:30 GMT, after 01:30 BST).
    const NOW = '2026-10-25T01:30:00Z';
    const today = londonDate(new Date(NOW));
    const dmy = (day: string) => day.split('-').reverse().map(Number);

    beforeAll(async () => {
      t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
      const f = await smallForce(t.svc);
      await seedNationalCourseTypes(t.svc, SYSTEM_ACTOR);
      const course = Object.fromEntries((await listCourseTypes(t.svc)).map((c) => [c.code, c.id]));
      const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id };
      const trainer = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '100LX', firstName: 'Tariq', lastName: 'Hussain', rank: 'Sergeant', ...lambeth }));
      const officer = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '201LX', firstName: 'Asha', lastName: 'Patel', ...lambeth }));
      officerId = officer.id;
      // The trainer is current: X26 then X2 some years ago, refreshed two months ago.
      await trainingRepo.insertTrainingRecords(
        t.svc.database.db,
        f.force.id,
        'test',
        [
          { officerId: trainer.id, courseTypeId: course['initial-x26']!, completedOn: '2020-03-04', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'j1' },
          { officerId: trainer.id, courseTypeId: course['conversion-x26-x2']!, completedOn: '2021-05-06', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'j2' },
          { officerId: trainer.id, courseTypeId: course.refresher!, completedOn: addDays(today, -60), result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'j3' },
        ],
        t.svc.now().toISOString(),
      );
      // An initial X2 course that ends today; Asha enrolled before it began.
      const session = await createSession(t.svc, SYSTEM_ACTOR, {
        courseTypeId: course['initial-x2'],
        startsOn: addDays(today, -2),
        endsOn: today,
        location: 'Lambeth training suite',
        boroughId: f.boroughs.lambeth.id,
        capacity: 12,
        trainerIds: [trainer.id],
      });
      await enrol(t.svc, SYSTEM_ACTOR, session, officer.id, new Date(Date.parse(NOW) - 4 * 86_400_000));
      await savePlan(t.svc, SYSTEM_ACTOR, {
        startsOn: addDays(today, -30),
        deadline: addDays(today, 700),
        baselineAuthorised: 1,
        targetAuthorised: 10,
        targetDevices: 8,
        boroughMinimum: 4,
        emergencyResponsePercent: 90,
        trainers: 2,
        trainersPerSession: 1,
        trainingDaysPerTrainerPerMonth: 16,
        initialSeatsPerSession: 12,
        refresherSeatsPerSession: 16,
        initialCourseDays: 3,
        refresherCourseDays: 1,
        initialPassRatePercent: 90,
        refresherPassRatePercent: 97,
        annualAttritionPercent: 5,
        plannedInitialSessionsPerMonth: 1,
      });
      await makeAccount(t, LEAD, [{ role: 'programme_lead', boroughId: null }]);
      await makeAccount(t, SERGEANT, [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }]);
      await browser.start(t);
    });

    afterAll(async () => {
      await browser.stop();
      await t?.close();
    });

    async function signIn(email: string) {
      const opened = await browser.openPage();
      await opened.page.goto('/sign-in');
      await opened.page.getByLabel('Email address').fill(email);
      await opened.page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      await clickAndLoad(opened.page, opened.page.getByRole('button', { name: 'Sign in', exact: true }), new RegExp(`^${browser.baseUrl}/$`));
      return opened;
    }

    it('goes from results to authority, through a suspension and back, and the uplift count follows', async () => {
      const lead = await signIn(LEAD);
      const { page, shot } = lead;
      const authorisedNow = async () => {
        await page.goto('/uplift');
        return page.locator('#authorised-now').innerText();
      };
      expect(await authorisedNow()).toBe('1');
      await shot('uplift-before');

      // The trainer records the session's results.
      await page.goto('/');
      await clickAndLoad(page, page.getByRole('link', { name: 'Training', exact: true }), /\/training$/);
      await heading(page, /Training/).waitFor();
      await shot('calendar');
      const row = page.getByRole('row').filter({ hasText: 'Initial CED course (X2)' });
      expect(await row.getByText('Awaiting results').count()).toBe(1);
      await clickAndLoad(page, row.getByRole('link'), /\/training\/sessions\/[^/?]+$/);
      await shot('session');
      await clickAndLoad(page, page.getByRole('button', { name: 'Record results' }), /\/results$/);
      await page.getByRole('group', { name: 'Did Asha Patel attend?' }).getByLabel('Yes').check();
      await page.getByRole('group', { name: 'Result for Asha Patel' }).getByLabel('Pass').check();
      await shot('results-entry');
      await clickAndLoad(page, page.getByRole('button', { name: 'Record results' }), /notice=results-recorded/);
      await page.getByText('Results recorded: 1 passed, 0 failed, 0 did not attend.').waitFor();
      await shot('results-recorded');

      await page.goto(`/officers/${officerId}`);
      await page.getByText('Authorised to carry the X2').waitFor();
      await shot('profile-authorised');
      expect(await authorisedNow()).toBe('2');
      await shot('uplift-after-results');

      // A supervisor in the borough suspends, then reinstates.
      const sgt = await signIn(SERGEANT);
      await sgt.page.goto(`/officers/${officerId}`);
      await clickAndLoad(sgt.page, sgt.page.getByRole('button', { name: 'Suspend authority' }), /\/authority\/suspend$/);
      const [yd, ym, yy] = dmy(addDays(today, -1));
      await sgt.page.getByLabel('Day').fill(String(yd));
      await sgt.page.getByLabel('Month').fill(String(ym));
      await sgt.page.getByLabel('Year').fill(String(yy));
      await sgt.page.getByLabel('Reason for the suspension').fill('Unintentional discharge under investigation');
      await sgt.shot('suspend');
      await clickAndLoad(sgt.page, sgt.page.getByRole('button', { name: 'Suspend authority' }), /notice=authority-suspended/);
      await sgt.page.getByText('Authority suspended.').waitFor();
      await sgt.page.getByText('Not authorised to carry Taser').waitFor();
      await sgt.shot('profile-suspended');
      expect(await authorisedNow()).toBe('1');

      await clickAndLoad(sgt.page, sgt.page.getByRole('button', { name: 'Reinstate authority' }), /\/authority\/reinstate$/);
      const [td, tm, ty] = dmy(today);
      await sgt.page.getByLabel('Day').fill(String(td));
      await sgt.page.getByLabel('Month').fill(String(tm));
      await sgt.page.getByLabel('Year').fill(String(ty));
      await sgt.page.getByLabel('Reason for reinstating').fill('No case to answer');
      await clickAndLoad(sgt.page, sgt.page.getByRole('button', { name: 'Reinstate authority' }), /notice=authority-reinstated/);
      await sgt.page.getByText('Authorised to carry the X2').waitFor();
      const timeline = sgt.page.locator('.moj-timeline').first();
      // Newest day first: reinstated and passed today (at the same instant of the test's fixed clock, so in either order), suspended from yesterday.
      expect(await timeline.innerText()).toMatch(
        /^(Authority reinstated[\s\S]*Passed: Initial CED course \(X2\)|Passed: Initial CED course \(X2\)[\s\S]*Authority reinstated)[\s\S]*Authority suspended/,
      );
      await sgt.shot('profile-reinstated');
      expect(await authorisedNow()).toBe('2');

      expect(lead.problems).toEqual([]);
      expect(sgt.problems).toEqual([]);
    });
  });
});
