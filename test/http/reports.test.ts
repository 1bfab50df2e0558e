import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfficer } from '../../src/services/officers.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import type { RoleGrant } from '../../src/domain/permissions.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

/** The path a redirect points to. */
function location(res: LightMyRequestResponse): string {
  expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
  return res.headers.location as string;
}

/** Error summary links, as `#id message` strings. */
function summaryLinks(html: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => `${m[1]} ${m[2]}`);
}

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

describe.each(testDatabases())('use-of-force report pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let pc: Client;
  let sgt: Client;
  let bc: Client;
  let camdenSgt: Client;
  let analyst: Client;
  let reportId: string;

  // The services' clock, stopped at 00:30 on the 1st of a month; the incident two days before.
  const NOW = '2026-12-01T00:30:00Z';
  const day = new Date(Date.parse(NOW) - 2 * 86_400_000);
  const date = { 'date-day': String(day.getUTCDate()), 'date-month': String(day.getUTCMonth() + 1), 'date-year': String(day.getUTCFullYear()) };

  async function person(email: string, roles: RoleGrant[], collar: string, boroughId: string, lastName: string) {
    const officer = await createOfficer(
      t.svc,
      SYSTEM_ACTOR,
      { all: true },
      officerFixture({ collarNumber: collar, lastName, boroughId, teamId: boroughId === f.boroughs.lambeth.id ? f.teams.lambethResponse.id : f.teams.camdenResponse.id }),
    );
    await makeAccount(t, email, roles, { officerId: officer.id });
    return signInAs(t.app, email);
  }

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    const lambeth = f.boroughs.lambeth.id;
    pc = await person('pc@test.police.uk', [{ role: 'officer', boroughId: lambeth }], '1001LX', lambeth, 'Patel');
    sgt = await person('sgt@test.police.uk', [{ role: 'supervisor', boroughId: lambeth }], '1002LX', lambeth, 'Okafor');
    bc = await person('bc@test.police.uk', [{ role: 'borough_commander', boroughId: lambeth }], '1003LX', lambeth, 'Reid');
    camdenSgt = await person('csgt@test.police.uk', [{ role: 'supervisor', boroughId: f.boroughs.camden.id }], '1004CN', f.boroughs.camden.id, 'Stone');
    await makeAccount(t, 'analyst@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    analyst = await signInAs(t.app, 'analyst@test.police.uk');
  });
  afterAll(() => t.close());

  it('records a fired report through the question pages, with errors linked to the inputs', async () => {
    const empty = await pc.get('/reports');
    expect(empty.body).toContain('You have not recorded a use of force yet.');
    expect(empty.body).toContain('action="/reports/new"');

    const started = location(await pc.post('/reports/new', {}));
    expect(started).toMatch(/^\/reports\/[\w-]+$/);
    reportId = started.split('/')[2]!;
    const base = `/reports/${reportId}`;

    const tasks = await pc.get(base);
    expect(tasks.statusCode).toBe(200);
    expect(tasks.body).toContain('govuk-task-list');
    expect(tasks.body).toContain('PC Asha Patel (1001LX)');
    expect(tasks.body).toContain('Not yet started');
    expect(tasks.body).toContain('Cannot start yet');
    expect(tasks.body).not.toContain('Check your answers');
    // The Taser questions wait for the tactics.
    expect(location(await pc.get(`${base}/sections/ced`))).toBe(`${base}?info=tactics-first`);
    expect((await pc.get(`${base}/sections/nonsense`)).statusCode).toBe(404);

    // Incident details: the borough defaults to the officer's; a bad page keeps what was typed.
    const incidentPage = await pc.get(`${base}/sections/incident`);
    expect(incidentPage.body).toMatch(new RegExp(`<option value="${f.boroughs.lambeth.id}" selected`));
    const bad = await pc.post(`${base}/sections/incident`, {
      reference: '',
      'date-day': '31',
      'date-month': '2',
      'date-year': '2026',
      time: '25:00',
      boroughId: f.boroughs.lambeth.id,
      action: 'continue',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/<title>Error: /);
    expect(summaryLinks(bad.body)).toEqual([
      '#reference Enter the incident (CAD) reference',
      '#date Enter a real date',
      '#time Enter the time as HH:MM on the 24-hour clock, for example 22:15',
      '#locations Select at least one type of location',
    ]);
    expect(bad.body).toContain('value="25:00"');
    expect(bad.body).toContain('value="31"');
    const noDate = await pc.post(`${base}/sections/incident`, {
      reference: 'CAD 1234/28NOV',
      'date-day': '',
      'date-month': '',
      'date-year': '',
      time: '22:15',
      boroughId: f.boroughs.lambeth.id,
      locations: 'street',
      action: 'continue',
    });
    expect(summaryLinks(noDate.body)).toEqual(['#date Enter the date of the incident']);

    expect(
      location(
        await pc.post(`${base}/sections/incident`, { reference: 'cad 1234/28nov', ...date, time: '22:15', boroughId: f.boroughs.lambeth.id, locations: ['street', 'dwelling'], action: 'continue' }),
      ),
    ).toBe(`${base}/sections/duty`);
    // Main duty comes from the officer's team (emergency response).
    expect((await pc.get(`${base}/sections/duty`)).body).toMatch(/value="response" checked/);
    expect(location(await pc.post(`${base}/sections/duty`, { mainDuty: 'response', singleCrewed: 'no', cedTrained: 'yes', carryingCed: 'yes', action: 'continue' }))).toBe(`${base}/sections/subject`);
    expect(
      location(await pc.post(`${base}/sections/subject`, { ageBand: '18-34', gender: 'male', ethnicity: 'not_reported', physicalDisability: 'no', mentalDisability: 'no', action: 'continue' })),
    ).toBe(`${base}/sections/reasons`);
    const reasons = {
      primaryConduct: 'aggressive',
      assaultedBySubject: 'no',
      threatenedWithWeapon: 'yes',
      assaultedWithWeapon: 'no',
      impactFactors: ['weapon', 'alcohol'],
      reasons: ['protect_self', 'protect_public'],
    };
    expect(location(await pc.post(`${base}/sections/reasons`, { ...reasons, action: 'continue' }))).toBe(`${base}/sections/tactics`);

    // Tactics: blank rows are skipped, and an error names the row it is on.
    const tacticsForm = {
      tacticRows: '8',
      'tactics-0-tactic': 'tactical_communications',
      'tactics-0-effective': 'no',
      'tactics-2-tactic': 'ced_red_dotted',
      'tactics-3-tactic': 'ced_fired',
      'tactics-3-effective': 'yes',
      'tactics-4-tactic': 'non_compliant_handcuffing',
      'tactics-4-effective': 'yes',
      cedUsed: 'yes',
      firearmsAimed: 'no',
      firearmsFired: 'no',
      action: 'continue',
    };
    const badTactics = await pc.post(`${base}/sections/tactics`, tacticsForm);
    expect(summaryLinks(badTactics.body)).toEqual(['#tactics-2-effective Tactic 3: Select yes or no: was the tactic effective?']);
    expect(badTactics.body).toMatch(/<option value="ced_red_dotted" selected/);
    expect(location(await pc.post(`${base}/sections/tactics`, { ...tacticsForm, 'tactics-2-effective': 'no' }))).toBe(`${base}/sections/ced`);

    // Taser: the second application was fired; its details are checked where they were typed.
    const ced = {
      deviceSerial: 'x29001234',
      'applications-0-levels': 'red_dotted',
      'applications-1-levels': 'fired',
      'applications-1-fired-cartridgeNumber': '',
      'applications-1-fired-totalCycles': '1',
      'applications-1-fired-cycleInterrupted': 'no',
      'applications-1-fired-cycleExtended': 'no',
      'applications-1-fired-repeatCycleSameCartridge': 'no',
      'applications-1-fired-missOneProbe': 'no',
      'applications-1-fired-missBothProbes': 'no',
      'applications-1-fired-probeLocations': ['F7', 'F11'],
      action: 'continue',
    };
    const badCed = await pc.post(`${base}/sections/ced`, ced);
    expect(summaryLinks(badCed.body)).toEqual(['#applications-1-fired-cartridgeNumber Application 2: Enter the cartridge serial number']);
    expect(badCed.body).toContain('id="applications-1-fired-cartridgeNumber"');
    expect(badCed.body).toMatch(/value="F11" checked/);
    expect(location(await pc.post(`${base}/sections/ced`, { ...ced, 'applications-1-fired-cartridgeNumber': 'C1234567' }))).toBe(`${base}/sections/justification`);

    expect(location(await pc.post(`${base}/sections/justification`, { text: 'He held a knife and walked towards the public.\nRed-dotting did not stop him, so I fired.', action: 'continue' }))).toBe(
      `${base}/sections/bwv`,
    );
    const badBwv = await pc.post(`${base}/sections/bwv`, { worn: 'yes', switchedOn: 'before', cameraId: '', footageRows: '3', 'footageRefs-0': '', 'footageRefs-1': '', action: 'continue' });
    expect(summaryLinks(badBwv.body)).toEqual(['#cameraId Enter the camera identifier', '#footageRefs-0 Enter at least one footage reference']);
    expect(
      location(
        await pc.post(`${base}/sections/bwv`, {
          worn: 'yes',
          switchedOn: 'before',
          cameraId: 'BWV-88213',
          footageRows: '3',
          'footageRefs-0': '',
          'footageRefs-1': 'EVID-2026-0042',
          action: 'continue',
        }),
      ),
    ).toBe(`${base}/sections/injuries`);
    const injuries = {
      staffInjured: 'no',
      subjectInjured: 'yes',
      subjectInjuryNature: 'Probe puncture wounds',
      subjectInjuryLevel: 'minor',
      subjectMedicalOffered: 'yes',
      subjectMedicalProvided: 'yes',
      action: 'continue',
    };
    expect(location(await pc.post(`${base}/sections/injuries`, injuries))).toBe(`${base}/sections/outcomes`);
    expect(location(await pc.post(`${base}/sections/outcomes`, { outcomes: 'arrested', action: 'continue' }))).toBe(`${base}/sections/postUse`);
    const postUse = {
      aftercareGiven: 'yes',
      medicalAssessment: 'paramedic',
      probesRemovedBy: 'medical_staff',
      cartridgesRetained: 'yes',
      afidTagsRetained: 'yes',
      deviceDownloadRequested: 'yes',
      implantCheck: 'yes',
      iopcReferralConsidered: 'no',
      iopcNotes: '',
      action: 'continue',
    };
    expect(location(await pc.post(`${base}/sections/postUse`, postUse))).toBe(`${base}?notice=report-saved`);

    const done = await pc.get(`${base}?notice=report-saved`);
    expect(done.body).toContain('You have completed 11 of 11 sections.');
    expect(done.body).toContain(`href="${base}/check"`);
    expect(done.body).toContain('Fired'); // the highest level so far

    const check = await pc.get(`${base}/check`);
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('Check your answers before submitting your report');
    expect(check.body).toContain('CAD 1234/28NOV');
    expect(check.body).toContain('Probe strike locations: Front 7 (right forearm and hand), Front 11 (groin)');
    expect(check.body).toContain('1. Tactical Communications (not effective)');
    expect(check.body).toContain('EVID-2026-0042');
    expect(check.body).toContain(`href="${base}/sections/bwv?from=check"`);
    expect(check.body).toContain('Submit report');

    const submitted = location(await pc.post(`${base}/submit`, {}));
    expect(submitted).toBe(`${base}/submitted`);
    const confirmation = await pc.get(submitted);
    expect(confirmation.body).toContain('Report submitted');
    expect(confirmation.body).toContain('CAD 1234/28NOV');
    expect(confirmation.body).toContain('borough commander will also sign');
    expect((await pc.get(`${base}/check`)).headers.location).toBe(base);
    expect((await pc.get('/reports')).body).toContain('Awaiting review');
  });

  it('takes the report through return, amendment, approval and sign-off, with the timeline showing each step', async () => {
    const base = `/reports/${reportId}`;
    const queue = await sgt.get('/reviews');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain(`href="${base}"`);
    expect(queue.body).toContain('PC Asha Patel (1001LX)');
    expect(queue.body).toMatch(/Awaiting review \(1\)/);
    expect((await sgt.get('/reviews?tab=returned')).body).toContain('No reports are waiting for the officer to amend them.');
    const badFilter = await sgt.get('/reviews?from=2026-13-01');
    expect(badFilter.statusCode).toBe(400);
    expect(summaryLinks(badFilter.body)).toEqual(['#from Occurred from must be a real date written as YYYY-MM-DD, for example 2026-11-20']);
    expect((await sgt.get('/reviews?sort=occurred&order=desc')).body).toContain('aria-sort="descending"');

    const page = await sgt.get(base);
    expect(page.body).toContain(`action="${base}/review"`);
    // The officer has no training record: the reviewer is told Taser was used without authority.
    expect(page.body).toContain('not authorised to carry Taser on the day of the incident');
    expect(page.body).not.toContain(`${base}/sections/`); // no Change links for the reviewer
    const noComment = await sgt.post(`${base}/review`, { outcome: 'return', comment: '' });
    expect(noComment.statusCode).toBe(400);
    expect(summaryLinks(noComment.body)).toEqual(['#comment Say what the officer needs to change']);
    expect(location(await sgt.post(`${base}/review`, { outcome: 'return', comment: 'Give the camera identifier from the log.' }))).toBe(`${base}?notice=report-returned`);

    const returned = await pc.get(base);
    expect(returned.body).toContain('Returned by your supervisor');
    expect(returned.body).toContain('Give the camera identifier from the log.');
    expect(returned.body).toContain(`href="${base}/sections/bwv"`);

    const amendPage = await pc.get(`${base}/sections/bwv`);
    expect(amendPage.body).toContain('your change becomes an amendment');
    expect(amendPage.body).toContain('value="BWV-88213"');
    const bwv = { worn: 'yes', switchedOn: 'before', cameraId: 'BWV-88214', footageRows: '3', 'footageRefs-0': 'EVID-2026-0042', action: 'save' };
    expect(location(await pc.post(`${base}/sections/bwv`, bwv))).toBe(`${base}/amend`);
    // Nothing changes in the report until the amendment is submitted with a reason.
    expect((await sgt.get(base)).body).toContain('BWV-88213');
    const check = await pc.get(`${base}/amend`);
    expect(decode(check.body)).toContain('Camera identifier');
    expect(check.body).toContain('BWV-88214');
    expect((await pc.get(base)).body).toContain('You have an amendment in progress');
    const noReason = await pc.post(`${base}/amend`, { reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(summaryLinks(noReason.body)).toEqual(['#reason Give the reason for the amendment (at least 5 characters)']);
    expect(location(await pc.post(`${base}/amend`, { reason: 'Camera number was mistyped' }))).toBe(`${base}?notice=report-amended`);

    expect(location(await sgt.post(`${base}/review`, { outcome: 'approve', comment: '' }))).toBe(`${base}?notice=report-approved`);
    expect((await sgt.get('/reviews?tab=awaiting-sign-off')).body).toContain(`href="${base}"`);

    const forCommander = await bc.get(base);
    expect(forCommander.body).toContain(`action="${base}/sign-off"`);
    const tooLong = await bc.post(`${base}/sign-off`, { signOffComment: 'x'.repeat(5001) });
    expect(tooLong.statusCode).toBe(400);
    expect(summaryLinks(tooLong.body)).toEqual(['#signOffComment The comment must be 5,000 characters or fewer']);
    expect(tooLong.body).toContain('id="signOffComment-error"');
    expect(location(await bc.post(`${base}/sign-off`, { signOffComment: 'Proportionate.' }))).toBe(`${base}?notice=report-signed-off`);

    const final = await bc.get(base);
    const html = decode(final.body);
    expect(html).toContain('Signed off');
    const titles = [...html.matchAll(/<h3 class="moj-timeline__title">([^<]+)<\/h3>/g)].map((m) => m[1]);
    expect(titles).toEqual(['Report started', 'Submitted for review (version 1)', 'Returned to the officer', 'Amended (version 2)', 'Approved by a supervisor', 'Signed off by the borough commander']);
    expect(html).toContain('Reason:</strong> <span class="cedar-pre-line">Camera number was mistyped');
    expect(html.replace(/<[^>]+>/g, '')).toContain('Body-worn video: Camera identifier: changed from BWV-88213 → to BWV-88214');
    expect(html.replace(/<[^>]+>/g, '')).not.toContain('Footage references: changed from'); // unchanged, so not listed
    expect(html).toContain('Comment:</strong> <span class="cedar-pre-line">Proportionate.');
    expect(html).toContain('Versions (2)');

    // The incident page shows the reports on it.
    const incidentHref = /href="(\/incidents\/[\w-]+)"/.exec(final.body)?.[1];
    expect(incidentHref).toBeDefined();
    const incident = await sgt.get(incidentHref!);
    expect(incident.statusCode).toBe(200);
    expect(incident.body).toContain('PC Asha Patel (1001LX)');
  });

  it('keeps reports within their borough and their readers', async () => {
    const base = `/reports/${reportId}`;
    expect((await camdenSgt.get(base)).statusCode).toBe(404);
    expect((await camdenSgt.post(`${base}/review`, { outcome: 'approve' })).statusCode).toBe(404);
    expect((await camdenSgt.get('/reviews?tab=all')).body).not.toContain(base);
    expect((await analyst.get('/reviews')).statusCode).toBe(403);
    expect((await analyst.get('/reports')).statusCode).toBe(403);
    // A supervisor may read the report but not change it: its question pages are the author's.
    expect((await sgt.get(`${base}/sections/bwv`)).statusCode).toBe(404);

    // Another officer's draft is theirs alone.
    const other = location(await sgt.post('/reports/new', {}));
    expect((await pc.get(other)).statusCode).toBe(404);
    expect((await pc.get(`${other}/sections/incident`)).statusCode).toBe(404);
  });

  it('explains when an account cannot record, and when a section is not needed', async () => {
    await makeAccount(t, 'unlinked@test.police.uk', [{ role: 'officer', boroughId: null }]);
    const unlinked = await signInAs(t.app, 'unlinked@test.police.uk');
    expect((await unlinked.get('/reports')).body).toContain('not linked to an officer record');
    const refused = await unlinked.post('/reports/new', {});
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Ask your Cedar administrator to link it.');

    const draft = location(await pc.post('/reports/new', {}));
    expect(
      location(
        await pc.post(`${draft}/sections/tactics`, {
          tacticRows: '8',
          'tactics-0-tactic': 'compliant_handcuffing',
          'tactics-0-effective': 'yes',
          cedUsed: 'no',
          firearmsAimed: 'no',
          firearmsFired: 'no',
          action: 'return',
        }),
      ),
    ).toBe(`${draft}?notice=report-saved`);
    expect(location(await pc.get(`${draft}/sections/ced`))).toBe(`${draft}?info=not-needed`);
    const tasks = await pc.get(`${draft}?info=not-needed`);
    expect(tasks.body).toContain('That section is not needed for this report');
    expect(tasks.body).toContain('Not needed');
    expect(tasks.body).toContain('Optional'); // the justification, with no Taser used
    // "Add more rows" shows more tactic rows without saving.
    const more = await pc.post(`${draft}/sections/tactics`, { tacticRows: '8', 'tactics-0-tactic': 'shield', action: 'more-rows' });
    expect(more.statusCode).toBe(200);
    expect(more.body).toContain('id="tactics-11-tactic"');
    expect(more.body).toMatch(/<option value="shield" selected/);
  });
});
