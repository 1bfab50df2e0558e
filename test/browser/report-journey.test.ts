/**
 * The use-of-force report in a real browser, once per test database: a PC records a red-dot
 * then a fired Taser application with body-worn video and the post-use procedure; their sergeant
 * returns it with a comment; the PC amends it with a reason; the sergeant approves it; the
 * borough commander signs it off; the report's history shows every step.
 *
 * Each person has their own browser context and signs in through the sign-in page. Everything is
 * answered through the question pages by label and role, as a person would.
 * Screenshots go to test-results/screenshots/report-<kind>-NN-name.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { RoleGrant } from '../../src/domain/permissions.js';
import { createOfficer } from '../../src/services/officers.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { makeAccount, openTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { browserHarness, CHROMIUM, clickAndLoad, heading, STEP_TIMEOUT, type OpenedPage } from './support.js';

const PC = 'pc@test.police.uk';
const SERGEANT = 'sgt@test.police.uk';
const COMMANDER = 'bc@test.police.uk';

const CAD = 'CAD 1234/28NOV';
const RETURN_COMMENT = 'Check the camera identifier against the BWV log.';
const AMEND_REASON = 'Camera number was mistyped: BWV-88214 is on the log.';
const SIGN_OFF_COMMENT = 'Proportionate. Red-dotting was tried first.';

/** A question (a fieldset) by its legend. */
const question = (scope: Page | Locator, legend: string) => scope.getByRole('group', { name: legend, exact: true });

/** A question's own choices, not those of questions its answers reveal. */
const choices = (scope: Page | Locator, legend: string) => question(scope, legend).locator(':scope > .govuk-radios > .govuk-radios__item, :scope > .govuk-checkboxes > .govuk-checkboxes__item');

/** Answers a radio question (yes/no or a list) by its legend and the choice's label. */
async function choose(scope: Page | Locator, legend: string, answer: string) {
  await choices(scope, legend).getByLabel(answer, { exact: true }).check();
}

/** Ticks checkboxes of a question by its legend. */
async function tick(scope: Page | Locator, legend: string, ...answers: string[]) {
  for (const a of answers) await choices(scope, legend).getByLabel(a, { exact: true }).check();
}

/** The value of a summary-list row (first on the page with that key). */
const summaryValue = (page: Page, key: string) =>
  page
    .locator('.govuk-summary-list__row')
    .filter({ has: page.locator('dt', { hasText: new RegExp(`^\\s*${key.replace(/[()]/g, '\\$&')}\\s*$`) }) })
    .first()
    .locator('dd')
    .first();

describe.skipIf(!CHROMIUM)('browser journey: a use-of-force report', () => {
  describe.each(testDatabases())('on %s', (kind) => {
    let t: TestApp;
    let f: SmallForce;
    const browser = browserHarness(`report-${kind}-`);

    // The services' clock, stopped just after the clocks go forward (02:30 BST on 28 March 2027).
    const NOW = '2027-03-28T01:30:00Z';
    // Three hours before on a London clock (22:30 GMT the evening before), as the officer would
    // write it: in the past, and the report is not yet overdue (a discharge is due within 24 hours).
    const incident = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(new Date(Date.parse(NOW) - 3 * 3_600_000))
        .map((p) => [p.type, p.value]),
    ) as Record<'day' | 'month' | 'year' | 'hour' | 'minute', string>;
    const incidentTime = `${incident.hour}:${incident.minute}`;

    async function person(email: string, roles: RoleGrant[], collarNumber: string, lastName: string, rank: string) {
      const officer = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber, lastName, rank, boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }));
      await makeAccount(t, email, roles, { officerId: officer.id });
    }

    beforeAll(async () => {
      t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
      f = await smallForce(t.svc);
      const lambeth = f.boroughs.lambeth.id;
      await person(PC, [{ role: 'officer', boroughId: lambeth }], '1001LX', 'Patel', 'Police Constable');
      await person(SERGEANT, [{ role: 'supervisor', boroughId: lambeth }], '1002LX', 'Okafor', 'Sergeant');
      await person(COMMANDER, [{ role: 'borough_commander', boroughId: lambeth }], '1003LX', 'Reid', 'Chief Superintendent');
      await browser.start(t);
    });

    afterAll(async () => {
      await browser.stop();
      await t?.close();
    });

    const home = () => new RegExp(`^${browser.baseUrl}/$`);
    const reportUrl = /\/reports\/[^/?#]+$/;

    /** A new browser context for one person, signed in through the sign-in page. */
    async function signIn(email: string, who: string): Promise<OpenedPage> {
      const opened = await browser.openPage();
      const { page, shot } = opened;
      await page.goto('/sign-in');
      await heading(page, 'Sign in to Cedar').waitFor();
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      await clickAndLoad(page, page.getByRole('button', { name: 'Sign in', exact: true }), home());
      await heading(page, /^Hello, /).waitFor();
      await shot(`${who}-home`);
      return opened;
    }

    /** Presses a question page's "Save and continue", and waits for the next page. */
    async function saveAndContinue(page: Page, next: RegExp) {
      await clickAndLoad(page, page.getByRole('button', { name: 'Save and continue' }), next);
    }

    /** Opens the report from a review queue tab (by the tab's name), as a supervisor would. */
    async function openFromQueue(page: Page, shot: OpenedPage['shot'], tab: string, who: string) {
      await clickAndLoad(page, page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Reviews', exact: true }), /\/reviews$/);
      await heading(page, 'Reviews').waitFor();
      await clickAndLoad(page, page.getByRole('link', { name: new RegExp(`^${tab} \\(1\\)$`) }), /\/reviews\?tab=/);
      await page.getByRole('heading', { level: 2, name: tab, exact: true }).waitFor();
      const row = page.getByRole('row').filter({ hasText: 'PC Asha Patel (1001LX)' });
      expect(await row.count()).toBe(1);
      await shot(`${who}-queue`);
      await clickAndLoad(page, row.getByRole('link', { name: CAD }), reportUrl);
      await heading(page, `Incident ${CAD}: PC Asha Patel (1001LX)`).waitFor();
    }

    it('is recorded, returned, amended, approved and signed off, and its history shows every step', async () => {
      // 1. The PC records the report --------------------------------------------------------
      const pc = await signIn(PC, 'pc');
      let page = pc.page;

      await clickAndLoad(page, page.getByRole('link', { name: 'Record a use of force' }), /\/reports$/);
      await heading(page, 'My reports').waitFor();
      await page.getByText('You have not recorded a use of force yet.').waitFor();
      await clickAndLoad(page, page.getByRole('button', { name: 'Record a use of force' }), reportUrl);
      await heading(page, 'Record a use of force').waitFor();
      expect(await summaryValue(page, 'Officer').innerText()).toBe('PC Asha Patel (1001LX)');
      await page.getByText('You have completed 0 of').waitFor();
      await pc.shot('pc-task-list-new');

      await clickAndLoad(page, page.getByRole('link', { name: 'Incident details' }), /\/sections\/incident$/);
      await heading(page, 'Incident details').waitFor();
      // The borough comes from the officer's record.
      expect(await page.getByLabel('Borough where it happened').locator('option:checked').innerText()).toBe('Lambeth');

      // One deliberate mistake: save the page with nothing typed.
      const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/sections/incident'));
      await page.getByRole('button', { name: 'Save and continue' }).click();
      expect((await answer).status()).toBe(400);
      await page.waitForLoadState('load');
      const summary = page.locator('.govuk-error-summary');
      await summary.getByRole('heading', { name: 'There is a problem' }).waitFor();
      expect(await page.title()).toMatch(/^Error: /);
      await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary') ?? false, undefined, { timeout: STEP_TIMEOUT });
      const links = summary.getByRole('link');
      expect(await links.allInnerTexts()).toEqual(['Enter the incident (CAD) reference', 'Enter the date of the incident', 'Enter the time of the incident', 'Select at least one type of location']);
      // Every link lands on an input that is on the page; the first is the CAD reference.
      const hrefs = await Promise.all((await links.all()).map((l) => l.getAttribute('href')));
      expect(hrefs[0]).toBe('#reference');
      for (const href of hrefs) expect(await page.locator(`${href!}`).count(), `${href} is on the page`).toBe(1);
      await pc.shot('pc-question-with-errors');
      await links.first().click();
      await page.waitForFunction(() => document.activeElement?.id === 'reference', undefined, { timeout: STEP_TIMEOUT });

      // Incident details.
      await page.getByLabel('Incident (CAD) reference').fill(CAD);
      const dateGroup = question(page, 'Date of the incident');
      await dateGroup.getByLabel('Day', { exact: true }).fill(incident.day);
      await dateGroup.getByLabel('Month', { exact: true }).fill(incident.month);
      await dateGroup.getByLabel('Year', { exact: true }).fill(incident.year);
      await page.getByLabel('Time of the incident').fill(incidentTime);
      await page.getByLabel('Borough where it happened').selectOption({ label: 'Lambeth' });
      await tick(page, 'Where did it happen?', 'Street/Highway');
      await pc.shot('pc-incident');
      await saveAndContinue(page, /\/sections\/duty$/);

      // Your duty: the main duty comes from the officer's team.
      await heading(page, 'Your duty').waitFor();
      expect(await choices(page, 'What was your main duty?').getByLabel('Response', { exact: true }).isChecked()).toBe(true);
      await choose(page, 'Were you single crewed?', 'No');
      // Not asked: Cedar answers it from the officer's training record.
      await page.getByText('Whether you are Taser (CED) trained is not asked').waitFor();
      await choose(page, 'Were you carrying a Taser?', 'Yes');
      await pc.shot('pc-duty');
      await saveAndContinue(page, /\/sections\/subject$/);

      // The subject.
      await heading(page, 'The subject').waitFor();
      await choose(page, 'How old did the subject appear to be?', '18-34');
      await choose(page, "What was the subject's gender?", 'Male');
      await choose(page, "What did you perceive the subject's ethnicity to be?", 'Not reported');
      await choose(page, 'Did the subject appear to have a physical disability?', 'No');
      await choose(page, 'Did the subject appear to have a mental health condition or disability?', 'No');
      await saveAndContinue(page, /\/sections\/reasons$/);

      // Why force was used.
      await heading(page, 'Why you used force').waitFor();
      await choose(page, "What was the subject's main conduct?", 'Aggressive resistance');
      await choose(page, 'Were you assaulted by the subject?', 'No');
      await choose(page, 'Were you threatened with a weapon?', 'Yes');
      await choose(page, 'Were you assaulted with a weapon?', 'No');
      await tick(page, 'Which impact factors affected your decision?', 'Possession of a weapon', 'Alcohol');
      await tick(page, 'Why did you use force?', 'Protect self', 'Protect Public');
      await saveAndContinue(page, /\/sections\/tactics$/);

      // Tactics, in order.
      await heading(page, 'Tactics you used').waitFor();
      const tactics: [string, 'Yes' | 'No'][] = [
        ['Tactical Communications', 'No'],
        ['CED (Taser) Red-Dotted', 'No'],
        ['CED (Taser) Fired', 'Yes'],
      ];
      for (const [i, [tactic, effective]] of tactics.entries()) {
        await page.getByLabel(`Tactic ${i + 1}`, { exact: true }).selectOption({ label: tactic });
        await choose(page, `Was tactic ${i + 1} effective?`, effective);
      }
      await choose(page, 'Did you use a Taser (CED)?', 'Yes');
      await choose(page, 'Were firearms aimed?', 'No');
      await choose(page, 'Were firearms fired?', 'No');
      await pc.shot('pc-tactics');
      await saveAndContinue(page, /\/sections\/ced$/);

      // Taser use: red-dotted, then fired.
      await heading(page, 'Taser use').waitFor();
      await page.getByLabel('Taser serial number').fill('X29001234');
      // Application 1 starts from the Taser tactics (red-dotted, fired); here the firing was a second application.
      const first = choices(page, 'Application 1: what did you do with the Taser?');
      expect(await first.getByLabel('Red-dotted', { exact: true }).isChecked()).toBe(true);
      expect(await first.getByLabel('Fired', { exact: true }).isChecked()).toBe(true);
      await first.getByLabel('Fired', { exact: true }).uncheck();
      const second = page.locator('details').filter({ has: page.getByText('Application 2 (if you used the Taser again)') });
      await second.getByText('Application 2 (if you used the Taser again)').click();
      await tick(second, 'Application 2: what did you do with the Taser?', 'Fired');
      // Ticking "Fired" reveals the firing questions.
      await second.getByLabel('Cartridge serial number').fill('C1234567');
      await second.getByLabel('Total number of cycles').fill('1');
      await choose(second, 'Was the 5-second cycle interrupted?', 'No');
      await choose(second, 'Was a cycle extended beyond 5 seconds?', 'No');
      await choose(second, 'Was there a repeat cycle on the same cartridge?', 'No');
      await choose(second, 'Did one probe miss?', 'No');
      await choose(second, 'Did both probes miss?', 'No');
      await tick(second, 'Where did the probes strike the front of the body?', 'Front 7: right forearm and hand', 'Front 11: groin');
      await pc.shot('pc-taser-use');
      await saveAndContinue(page, /\/sections\/justification$/);

      // The justification, in the officer's words.
      await heading(page, 'Your justification').waitFor();
      await page
        .getByLabel('In your own words, why was the force you used necessary, proportionate and reasonable?')
        .fill('The man held a knife and walked towards members of the public.\nRed-dotting did not stop him, so I fired to protect them.');
      await saveAndContinue(page, /\/sections\/bwv$/);

      // Body-worn video.
      await heading(page, 'Body-worn video').waitFor();
      await choose(page, 'Were you wearing body-worn video?', 'Yes');
      await choose(page, 'When was the camera switched on?', 'Before the use of force');
      await page.getByLabel('Camera identifier').fill('BWV-88213');
      await page.getByLabel('Footage reference 1', { exact: true }).fill('EVID-2026-0042');
      await pc.shot('pc-body-worn-video');
      await saveAndContinue(page, /\/sections\/injuries$/);

      // Injuries.
      await heading(page, 'Injuries and medical assistance').waitFor();
      await choose(page, 'Were you injured?', 'No');
      await choose(page, 'Was the subject injured?', 'Yes');
      await page.getByLabel("Describe the subject's injury").fill('Probe puncture wounds to the chest');
      await choose(page, "How serious was the subject's injury?", 'Minor');
      await choose(page, 'Was medical assistance offered to the subject?', 'Yes');
      await choose(page, 'Was medical assistance provided to the subject?', 'Yes');
      await saveAndContinue(page, /\/sections\/outcomes$/);

      // Outcome.
      await heading(page, 'Outcome').waitFor();
      await tick(page, 'What happened to the subject afterwards?', 'Arrested');
      await saveAndContinue(page, /\/sections\/postUse$/);

      // After a discharge: every question.
      await heading(page, 'After a discharge').waitFor();
      await choose(page, 'Was aftercare given to the subject?', 'Yes');
      await choose(page, 'What medical assessment did the subject have?', 'Paramedic at the scene');
      await choose(page, 'Who removed the probes?', 'Medical staff');
      await choose(page, 'Were the cartridges retained as evidence?', 'Yes');
      await choose(page, 'Were the AFID tags retained as evidence?', 'Yes');
      await choose(page, "Was a download of the Taser's event log requested?", 'Yes');
      await choose(page, 'Was the subject checked for a pacemaker or other implant?', 'Yes, checked');
      await choose(page, 'Was a referral to the IOPC considered?', 'No');
      await page.getByLabel('Notes on the IOPC referral (optional)').fill('Minor injuries only: the duty inspector agreed no referral was needed.');
      await pc.shot('pc-after-a-discharge');
      await saveAndContinue(page, /\/reports\/[^/?#]+\?notice=report-saved$/);
      const reportPath = new URL(page.url()).pathname;

      // The task list: every section complete, highest level fired.
      await page.locator('.govuk-notification-banner--success').filter({ hasText: 'Your answers have been saved.' }).waitFor();
      await page.getByText('You have completed 11 of 11 sections.').waitFor();
      expect(await page.getByText('Overdue', { exact: true }).count()).toBe(0);
      expect(await summaryValue(page, 'Highest level of Taser use so far').innerText()).toBe('Fired');
      await pc.shot('pc-task-list-complete');

      // Check your answers, then submit.
      await clickAndLoad(page, page.getByRole('button', { name: 'Check your answers' }), /\/check$/);
      await heading(page, 'Check your answers before submitting your report').waitFor();
      const checkText = await page.locator('main').innerText();
      for (const expected of [
        CAD,
        incidentTime,
        'Front 7 (right forearm and hand), Front 11 (groin)',
        '1. Tactical Communications (not effective)',
        'BWV-88213',
        'EVID-2026-0042',
        'C1234567',
        'X29001234',
      ])
        expect(checkText).toContain(expected);
      expect(await summaryValue(page, 'Highest level of Taser use').innerText()).toBe('Fired');
      await pc.shot('pc-check-your-answers');
      await clickAndLoad(page, page.getByRole('button', { name: 'Submit report' }), /\/submitted$/);
      await page.getByRole('heading', { name: 'Report submitted' }).waitFor();
      await page.locator('.govuk-panel').getByText(CAD).waitFor();
      await page.getByText('borough commander will also sign the report off').waitFor();
      await pc.shot('pc-submitted');

      // 2. The sergeant returns it with a comment -----------------------------------------------
      const sgt = await signIn(SERGEANT, 'sergeant');
      page = sgt.page;
      await openFromQueue(page, sgt.shot, 'Awaiting review', 'sergeant');
      expect(new URL(page.url()).pathname).toBe(reportPath);
      expect(await summaryValue(page, 'Highest level of Taser use').innerText()).toBe('Fired');
      expect(await summaryValue(page, 'Taser discharged').innerText()).toBe('Yes');
      // A reviewer reads the report; only its author can change it.
      expect(
        await page
          .getByRole('main')
          .getByRole('link', { name: /^Change/ })
          .count(),
      ).toBe(0);
      await sgt.shot('sergeant-report');
      const review = page.locator('form#review');
      await choose(review, 'What is your decision?', 'Return to the officer');
      await review.getByLabel('Comment', { exact: true }).fill(RETURN_COMMENT);
      await clickAndLoad(page, review.getByRole('button', { name: 'Save decision' }), /\?notice=report-returned$/);
      await page.locator('.govuk-notification-banner--success').filter({ hasText: 'Report returned to the officer with your comment.' }).waitFor();
      await sgt.shot('sergeant-returned');

      // 3. The PC sees why, and amends the body-worn video section with a reason --------------------
      page = pc.page;
      await clickAndLoad(page, page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'My reports' }), /\/reports$/);
      await clickAndLoad(page, page.getByRole('link', { name: CAD }), reportUrl);
      const returned = page.locator('.govuk-notification-banner').filter({ hasText: 'Returned by your supervisor' });
      await returned.getByText(RETURN_COMMENT).waitFor();
      await pc.shot('pc-returned');
      await clickAndLoad(page, page.getByRole('link', { name: 'Change body-worn video' }), /\/sections\/bwv$/);
      await heading(page, 'Amend: Body-worn video').waitFor();
      const camera = page.getByLabel('Camera identifier');
      expect(await camera.inputValue()).toBe('BWV-88213');
      await camera.fill('BWV-88214');
      await pc.shot('pc-amend-body-worn-video');
      await clickAndLoad(page, page.getByRole('button', { name: 'Continue' }), /\/amend$/);
      await heading(page, 'Check your amendment').waitFor();
      const change = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Camera identifier' }) });
      expect(await change.getByRole('cell').allInnerTexts()).toEqual(['BWV-88213', 'BWV-88214']);
      expect(await page.getByRole('rowheader').count()).toBe(1); // nothing else changed
      await page.getByLabel('Reason for the amendment').fill(AMEND_REASON);
      await pc.shot('pc-check-your-amendment');
      await clickAndLoad(page, page.getByRole('button', { name: 'Submit amendment' }), /\?notice=report-amended$/);
      await page.locator('.govuk-notification-banner--success').filter({ hasText: 'Amendment saved.' }).waitFor();
      expect(await summaryValue(page, 'Version').innerText()).toBe('2');
      await pc.shot('pc-amended');

      // 4. The sergeant approves the amended report -------------------------------------------------
      page = sgt.page;
      await openFromQueue(page, sgt.shot, 'Awaiting review', 'sergeant-again');
      await page.getByText('BWV-88214').first().waitFor();
      const approve = page.locator('form#review');
      await choose(approve, 'What is your decision?', 'Approve');
      await clickAndLoad(page, approve.getByRole('button', { name: 'Save decision' }), /\?notice=report-approved$/);
      await sgt.shot('sergeant-approved');

      // 5. The borough commander signs it off -------------------------------------------------------
      const bc = await signIn(COMMANDER, 'commander');
      page = bc.page;
      await openFromQueue(page, bc.shot, 'Awaiting sign-off', 'commander');
      const signOff = page.locator('form#sign-off');
      await signOff.getByLabel('Comment (optional)').fill(SIGN_OFF_COMMENT);
      await clickAndLoad(page, signOff.getByRole('button', { name: 'Sign off report' }), /\?notice=report-signed-off$/);
      expect(await summaryValue(page, 'Status').innerText()).toBe('Signed off');

      // 6. The history shows every step, in order, with what was said and what changed ----------------
      const items = page.locator('.moj-timeline__item');
      expect(await items.locator('.moj-timeline__title').allInnerTexts()).toEqual([
        'Report started',
        'Submitted for review (version 1)',
        'Returned to the officer',
        'Amended (version 2)',
        'Approved by a supervisor',
        'Signed off by the borough commander',
      ]);
      const item = (title: string) => items.filter({ has: page.locator('.moj-timeline__title', { hasText: title }) });
      expect(await item('Returned to the officer').innerText()).toContain(`Comment: ${RETURN_COMMENT}`);
      const amended = item('Amended (version 2)');
      expect(await amended.innerText()).toContain(`Reason: ${AMEND_REASON}`);
      const cameraChange = amended.locator('li').filter({ hasText: 'Camera identifier' });
      expect(await cameraChange.locator('del').innerText()).toBe('BWV-88213');
      expect(await cameraChange.locator('ins').innerText()).toBe('BWV-88214');
      // What a screen reader hears: the arrow is hidden from it, the words are not.
      expect((await cameraChange.textContent())!.replace(/\s+/g, ' ').trim()).toBe('Body-worn video: Camera identifier: changed from BWV-88213 → to BWV-88214');
      expect(await amended.locator('li').count()).toBe(1); // only what changed is listed
      expect(await item('Signed off by the borough commander').innerText()).toContain(`Comment: ${SIGN_OFF_COMMENT}`);
      await bc.shot('report-timeline');
      await bc.shot('report-timeline-history', page.locator('.moj-timeline'));

      // Nothing went wrong in any browser. The validation error is a 400, which Chromium
      // reports on the console; nothing else should be.
      expect(pc.problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
      expect(sgt.problems).toEqual([]);
      expect(bc.problems).toEqual([]);
    }, 180_000);
  });
});
