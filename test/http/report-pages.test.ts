import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { RoleGrant } from '../../src/domain/permissions.js';
import { scopeFor } from '../../src/domain/permissions.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { buildApp } from '../../src/http/app.js';
import { createApiToken } from '../../src/services/accounts.js';
import { fixedClock, SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { amendReport, reviewReport, saveSection, startReport } from '../../src/services/reports.js';
import { makeAccount, signInAs, TEST_PASSWORD, type Client, type TestApp } from '../support/app.js';
import { openTestServices, TEST_POLICY, testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport, recordReport } from '../support/report-fixtures.js';

/*
 * What the report's pages show and refuse, at a fixed instant: 00:30 on 1 April 2026 in
 * London (BST), which is 23:30 on 31 March in UTC.
 *  - the body map, with the zones where the probes struck, on "check your answers", the
 *    report and the amendment; a key on the question page, whose checkboxes stay the answer;
 *  - application 1 of the Taser section started from the Taser tactics, in a draft and in an amendment;
 *  - the report in the words of its reader ("Your duty" for its author, "Duty" for anyone else);
 *  - the review queue opening on the reader's work (sign-off for a borough commander);
 *  - incident dates before the records begin or in the future, and outcomes that cannot go together, refused.
 */

const NOW = '2026-03-31T23:30:00Z';

function location(res: LightMyRequestResponse): string {
  expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
  return res.headers.location as string;
}

/** Error summary links, as `#id message` strings. */
function summaryLinks(html: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => `${m[1]} ${decode(m[2]!)}`);
}

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** Each body map on a page: its description, and the zones drawn as struck. */
function bodyMaps(html: string): { role: string | undefined; desc: string; struck: string[] }[] {
  return [...html.matchAll(/<svg class="cedar-body-figure"([^>]*)>([\s\S]*?)<\/svg>/g)].map((m) => ({
    role: /role="([^"]+)"/.exec(m[1]!)?.[1],
    desc: decode(/<desc>([^<]*)<\/desc>/.exec(m[2]!)?.[1] ?? ''),
    struck: [...m[2]!.matchAll(/data-zone="(\w+)" data-struck="true"/g)].map((z) => z[1]!),
  }));
}

/** The summary cards' titles, in order. */
const cardTitles = (html: string) => [...html.matchAll(/<h2 class="govuk-summary-card__title">\s*([^<]*?)\s*<\/h2>/g)].map((m) => decode(m[1]!));
/** The summary lists' question labels. */
const rowLabels = (html: string) => [...html.matchAll(/<dt class="govuk-summary-list__key">\s*([^<]*?)\s*<\/dt>/g)].map((m) => decode(m[1]!));
/** The values of the checkboxes ticked in a group. */
const ticked = (html: string, name: string) => [...html.matchAll(new RegExp(`name="${name}" type="checkbox" value="(\\w+)" checked`, 'g'))].map((m) => m[1]!);

describe.each(testDatabases())('report pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let pcActor: Actor;
  let sgtActor: Actor;
  let pc: Client;
  let sgt: Client;
  let bc: Client;
  let ps: Client;
  /** A fired report, approved by the supervisor and waiting for the borough commander. */
  let fired: string;

  const lambeth = () => f.boroughs.lambeth.id;
  /** The complete fired report, on the day before the fixed now. */
  const sections = (over: Partial<Record<SectionKey, unknown>> = {}) => {
    const s = firedReport(lambeth(), over);
    return { ...s, incident: { ...(s.incident as object), date: '2026-03-30', ...(over.incident as object) } };
  };

  async function person(email: string, roles: RoleGrant[], collar: string): Promise<Actor> {
    const officer = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, boroughId: lambeth(), teamId: f.teams.lambethResponse.id }));
    const account = await makeAccount(t, email, roles, { officerId: officer.id });
    return { userId: account.id, label: email, grants: account.roles };
  }

  beforeAll(async () => {
    const svc = await openTestServices(kind, { clock: fixedClock(NOW) });
    const config = loadConfig({ CEDAR_LOG_LEVEL: 'silent', CEDAR_LOCKOUT_ATTEMPTS: String(TEST_POLICY.lockoutAttempts), CEDAR_SIGNIN_RATE_LIMIT: '1000' });
    const app = await buildApp({ services: svc, config });
    await app.ready();
    t = { app, svc, config, close: async () => (await app.close(), await svc.cleanup()) };
    f = await smallForce(t.svc);
    pcActor = await person('pc@test.police.uk', [{ role: 'officer', boroughId: lambeth() }], '1001LX');
    sgtActor = await person('sgt@test.police.uk', [{ role: 'supervisor', boroughId: lambeth() }], '1002LX');
    await person('bc@test.police.uk', [{ role: 'borough_commander', boroughId: lambeth() }], '1003LX');
    await person('ps@test.police.uk', [{ role: 'professional_standards', boroughId: null }], '1004LX');
    const signIn = (who: string) => signInAs(t.app, `${who}@test.police.uk`, TEST_PASSWORD);
    [pc, sgt, bc, ps] = [await signIn('pc'), await signIn('sgt'), await signIn('bc'), await signIn('ps')];
    fired = await recordReport(t.svc, pcActor, sections(), new Date(NOW));
    await reviewReport(t.svc, sgtActor, scopeFor(sgtActor.grants, 'review:report')!, fired, { outcome: 'approve' });
  });
  afterAll(() => t.close());

  it('draws the body map with the zones where the probes struck on the check page, the report and the amendment', async () => {
    const draft = await startReport(t.svc, pcActor);
    for (const [k, v] of Object.entries(sections())) await saveSection(t.svc, pcActor, draft.id, k as SectionKey, v);
    const check = await pc.get(`/reports/${draft.id}/check`);
    expect(check.statusCode).toBe(200);
    // Application 1 was red-dotted (no map); application 2 was fired at the front, zones 7 and 11.
    expect(bodyMaps(check.body)).toEqual([{ role: 'img', desc: 'Probe strikes marked: Front 7 (right forearm and hand), Front 11 (groin).', struck: ['F7', 'F11'] }]);
    expect(check.body).toContain('Probe strike locations: Front 7 (right forearm and hand), Front 11 (groin)');

    for (const reader of [sgt, bc, pc]) {
      expect(bodyMaps((await reader.get(`/reports/${fired}`)).body)).toEqual([
        { role: 'img', desc: 'Probe strikes marked: Front 7 (right forearm and hand), Front 11 (groin).', struck: ['F7', 'F11'] },
      ]);
    }

    // The question page keeps the checkboxes as the answer, with the map beside them as a key.
    const question = await pc.get(`/reports/${fired}/sections/ced`);
    expect(ticked(question.body, 'applications-1-fired-probeLocations')).toEqual(['F7', 'F11']);
    expect(question.body).toContain('Front 7: right forearm and hand');
    expect(question.body).toContain('Back K: right leg');
    const keys = bodyMaps(question.body);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys)
      expect(key).toEqual({ role: 'img', desc: "The subject from the front, zones 1 to 15, and from behind, zones A to K (there is no I). Left and right are the subject's.", struck: [] });

    // An amendment moves the strikes: the amendment's page draws the new ones.
    const stored = sections().ced as { deviceSerial: string; applications: { levels: string[] }[] };
    const form: Record<string, string | string[]> = {
      deviceSerial: stored.deviceSerial,
      'applications-0-levels': 'red_dotted',
      'applications-1-levels': 'fired',
      'applications-1-fired-cartridgeNumber': 'C1234567',
      'applications-1-fired-totalCycles': '1',
      'applications-1-fired-cycleInterrupted': 'no',
      'applications-1-fired-cycleExtended': 'no',
      'applications-1-fired-repeatCycleSameCartridge': 'no',
      'applications-1-fired-missOneProbe': 'no',
      'applications-1-fired-missBothProbes': 'no',
      'applications-1-fired-probeLocations': ['F4', 'BC'],
      action: 'save',
    };
    expect(location(await pc.post(`/reports/${fired}/sections/ced`, form))).toBe(`/reports/${fired}/amend`);
    const amend = await pc.get(`/reports/${fired}/amend`);
    expect(bodyMaps(amend.body)).toEqual([{ role: 'img', desc: 'Probe strikes marked: Front 4 (right chest), Back C (left upper back).', struck: ['F4', 'BC'] }]);
    expect(location(await pc.post(`/reports/${fired}/amend/discard`, {}))).toBe(`/reports/${fired}?info=amendment-discarded`);
  });

  it('starts application 1 of the Taser section from the Taser tactics, in a draft and in an amendment', async () => {
    const draft = await startReport(t.svc, pcActor);
    const s = sections();
    for (const k of ['incident', 'duty', 'subject', 'reasons', 'tactics'] as const) await saveSection(t.svc, pcActor, draft.id, k, s[k]);
    // The tactics listed the Taser red-dotted, then fired.
    const first = await pc.get(`/reports/${draft.id}/sections/ced`);
    expect(first.statusCode).toBe(200);
    expect(ticked(first.body, 'applications-0-levels')).toEqual(['red_dotted', 'fired']);
    expect(ticked(first.body, 'applications-1-levels')).toEqual([]);
    // Once the Taser section is saved, it shows what was saved.
    await saveSection(t.svc, pcActor, draft.id, 'ced', { deviceSerial: 'X29001234', applications: [{ levels: ['aimed'] }] });
    expect(ticked((await pc.get(`/reports/${draft.id}/sections/ced`)).body, 'applications-0-levels')).toEqual(['aimed']);

    // A report with no Taser, amended to add one: the Taser section starts from the amended tactics.
    const noTaser = await recordReport(
      t.svc,
      pcActor,
      sections({
        tactics: { tactics: [{ tactic: 'compliant_handcuffing', effective: true }], cedUsed: false, firearmsAimed: false, firearmsFired: false },
        ced: undefined,
        justification: undefined,
        postUse: undefined,
      }),
      new Date(NOW),
    );
    const tactics = {
      tacticRows: '8',
      'tactics-0-tactic': 'ced_drawn',
      'tactics-0-effective': 'yes',
      'tactics-1-tactic': 'compliant_handcuffing',
      'tactics-1-effective': 'yes',
      cedUsed: 'yes',
      firearmsAimed: 'no',
      firearmsFired: 'no',
      action: 'save',
    };
    expect(location(await pc.post(`/reports/${noTaser}/sections/tactics`, tactics))).toBe(`/reports/${noTaser}/amend`);
    const amended = await pc.get(`/reports/${noTaser}/sections/ced`);
    expect(amended.statusCode).toBe(200);
    expect(ticked(amended.body, 'applications-0-levels')).toEqual(['drawn']);
  });

  it('writes the report for its reader: the officer reads "Your duty", a supervisor, commander or professional standards "Duty"', async () => {
    const id = await recordReport(t.svc, pcActor, sections(), new Date(NOW));
    const s = sections();
    await amendReport(t.svc, pcActor, id, {
      sections: {
        duty: { ...(s.duty as object), singleCrewed: true },
        injuries: { ...(s.injuries as object), staffInjured: true, staffInjuryIntentional: true, staffInjuryLevel: 'minor', staffMedicalProvided: false },
      },
      reason: 'I was single crewed and was hurt',
    });
    const plain = (html: string) =>
      decode(
        html
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .replace(/ :/g, ':'),
      );

    const own = (await pc.get(`/reports/${id}`)).body;
    expect(cardTitles(own)).toEqual(expect.arrayContaining(['Your duty', 'Why you used force', 'Tactics you used', 'Your justification']));
    expect(rowLabels(own)).toEqual(expect.arrayContaining(['You were injured', 'Your injury was caused intentionally', 'How serious your injury was']));
    expect(plain(own)).toContain('Your duty: Single crewed: changed from No → to Yes');

    for (const reader of [sgt, bc, ps]) {
      const page = await reader.get(`/reports/${id}`);
      expect(page.statusCode).toBe(200);
      expect(cardTitles(page.body)).toEqual([
        'Incident details',
        'Duty',
        'The subject',
        'Why the officer used force',
        'Tactics the officer used',
        'Taser use',
        "The officer's justification",
        'Body-worn video',
        'Injuries and medical assistance',
        'Outcome',
        'After a discharge',
      ]);
      expect(rowLabels(page.body)).toEqual(
        expect.arrayContaining(['The officer was injured', "The officer's injury was caused intentionally", "How serious the officer's injury was", 'The officer was given medical assistance']),
      );
      const text = plain(page.body);
      expect(text).toContain('Duty: Single crewed: changed from No → to Yes');
      expect(text).toContain('Injuries and medical assistance: The officer was injured: changed from No → to Yes');
      expect(text).not.toMatch(/\bYour (duty|justification|injury)\b|\bYou were injured\b|\bWhy you used force\b|\bTactics you used\b/);
    }
  });

  it('opens the review queue on the reader’s work: sign-off for a borough commander, review for a supervisor', async () => {
    const current = (html: string) => decode(/<a class="moj-sub-navigation__link" aria-current="page"[^>]*>([^<]+)<\/a>/.exec(html)?.[1] ?? '');
    const forCommander = await bc.get('/reviews');
    expect(forCommander.statusCode).toBe(200);
    expect(current(forCommander.body)).toMatch(/^Awaiting sign-off \(\d+\)$/);
    expect(forCommander.body).toContain(`href="/reports/${fired}"`);
    expect(current((await sgt.get('/reviews')).body)).toMatch(/^Awaiting review \(\d+\)$/);
    // Any tab can still be chosen.
    expect(current((await bc.get('/reviews?tab=awaiting-review')).body)).toMatch(/^Awaiting review/);
    expect(current((await sgt.get('/reviews?tab=awaiting-sign-off')).body)).toMatch(/^Awaiting sign-off/);
  });

  it('refuses an incident before the records begin or after now (00:30 on 1 April in London), naming the input', async () => {
    const draft = location(await pc.post('/reports/new', {}));
    const incident = (day: string, month: string, year: string, time: string) => ({
      reference: 'CAD 77/01APR',
      'date-day': day,
      'date-month': month,
      'date-year': year,
      time,
      boroughId: lambeth(),
      locations: 'street',
      action: 'return',
    });
    const refused = async (form: Record<string, string>) => {
      const res = await pc.post(`${draft}/sections/incident`, form);
      expect(res.statusCode).toBe(400);
      return summaryLinks(res.body);
    };
    expect(await refused(incident('4', '1', '2030', '12:00'))).toEqual(['#date The date of the incident must be today or in the past (today is 1 April 2026)']);
    expect(await refused(incident('31', '12', '1899', '12:00'))).toEqual(["#date The date of the incident must be on or after 1 April 2017, when the force's records of use of force begin"]);
    expect(await refused(incident('31', '3', '2017', '23:59'))).toEqual(["#date The date of the incident must be on or after 1 April 2017, when the force's records of use of force begin"]);
    expect(await refused(incident('1', '4', '2026', '00:45'))).toEqual(['#time The time of the incident must be in the past (it is 00:30 now)']);
    // Nothing was stored: the task list has no due date yet.
    expect((await pc.get(draft)).body).not.toContain('2030');

    // A quarter of an hour ago, on the London date that is still 31 March in UTC.
    expect(location(await pc.post(`${draft}/sections/incident`, incident('1', '4', '2026', '00:15')))).toBe(`${draft}?notice=report-saved`);
    expect(decode((await pc.get(draft)).body)).toMatch(/Due by[\s\S]*?4 April 2026/);
  });

  it('refuses, through the API, a report whose incident is in the future, and creates nothing', async () => {
    const { token } = await createApiToken(t.svc, SYSTEM_ACTOR, 'pc@test.police.uk', 'rules');
    const before = (await pc.get('/reports')).body.match(/href="\/reports\/[\w-]+"/g)?.length ?? 0;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ sections: { incident: { ...(sections().incident as object), date: '2026-04-02' } } }),
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.body).toContain('The date of the incident must be today or in the past (today is 1 April 2026)');
    expect((await pc.get('/reports')).body.match(/href="\/reports\/[\w-]+"/g)?.length ?? 0).toBe(before);
  });

  it('refuses outcomes that cannot go together, naming them', async () => {
    const draft = location(await pc.post('/reports/new', {}));
    const res = await pc.post(`${draft}/sections/outcomes`, { outcomes: ['made_off', 'arrested', 'fatality'], action: 'return' });
    expect(res.statusCode).toBe(400);
    expect(summaryLinks(res.body)).toEqual([
      '#outcomes Made off/escaped cannot be recorded with Arrested or Fatality: it means the subject got away. Select only what happened to the subject in the end',
    ]);
    expect(location(await pc.post(`${draft}/sections/outcomes`, { outcomes: ['arrested', 'hospitalised'], action: 'return' }))).toBe(`${draft}?notice=report-saved`);
  });
});
