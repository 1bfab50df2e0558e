import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import type { RoleGrant } from '../../src/domain/permissions.js';
import { buildApp } from '../../src/http/app.js';
import { fixedClock, SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { amendReport, getReport, reviewReport, saveSection, startReport, submitReport } from '../../src/services/reports.js';
import { makeAccount, signInAs, type Client, type TestApp } from '../support/app.js';
import { openTestServices, TEST_POLICY, testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport } from '../support/report-fixtures.js';

const NOW = '2026-11-21T12:00:00Z';

/** The app on a fixed clock, so the dates in these pages never depend on today. */
async function openApp(kind: Parameters<typeof openTestServices>[0]): Promise<TestApp> {
  const svc = await openTestServices(kind, { clock: fixedClock(NOW) });
  const config = loadConfig({ CEDAR_LOG_LEVEL: 'silent', CEDAR_LOCKOUT_ATTEMPTS: String(TEST_POLICY.lockoutAttempts), CEDAR_SIGNIN_RATE_LIMIT: '1000' });
  const app = await buildApp({ services: svc, config });
  await app.ready();
  return { app, svc, config, close: async () => (await app.close(), await svc.cleanup()) };
}

function location(res: LightMyRequestResponse): string {
  expect(res.statusCode, res.body.slice(0, 3000)).toBe(303);
  return res.headers.location as string;
}

/** Error summary links, as `href message` strings. */
function summaryLinks(html: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => `${m[1]} ${decode(m[2]!)}`);
}

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
const revisionIn = (html: string) => Number(/name="revision" value="(\d+)"/.exec(html)?.[1]);
const ANSWERS_KEPT =
  'This report changed since you opened this page (it was saved somewhere else, perhaps in another tab). Your answers below are not saved yet: see the report as it is now, then save them again.';
const CONFLICT =
  'This report changed since you opened it: someone saved it after you opened this page (perhaps you, in another tab). Nothing you sent was saved. Check the report as it is now, then try again.';

describe.each(testDatabases())('report workflow pages and API on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const actors: Record<string, Actor> = {};
  const clients: Record<string, Client> = {};
  const lambeth = () => ({ all: false as const, boroughIds: [f.boroughs.lambeth.id] });
  let collar = 4000;

  async function person(who: string, roles: RoleGrant[]) {
    const officer = await createOfficer(
      t.svc,
      SYSTEM_ACTOR,
      { all: true },
      officerFixture({ collarNumber: `${collar++}LX`, lastName: who.replace(/\d/g, '') || 'Smith', boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }),
    );
    const account = await makeAccount(t, `${who}@test.police.uk`, roles, { officerId: officer.id });
    actors[who] = { userId: account.id, label: `${who}@test.police.uk`, grants: account.roles };
    clients[who] = await signInAs(t.app, `${who}@test.police.uk`);
  }

  /** A draft by the PC with every section but those left out. */
  async function draft(reference: string, leaveOut: SectionKey[] = [], over: Partial<Record<SectionKey, unknown>> = {}) {
    const r = await startReport(t.svc, actors.pc!);
    const sections = firedReport(f.boroughs.lambeth.id, { incident: { ...(firedReport(f.boroughs.lambeth.id).incident as object), reference }, ...over });
    for (const [k, v] of Object.entries(sections)) if (!leaveOut.includes(k as SectionKey)) await saveSection(t.svc, actors.pc!, r.id, k as SectionKey, v);
    return r.id;
  }

  const stored = async (id: string) => (await getReport(t.svc, actors.pc!, id)).report;

  /** The API through a signed-in session (the CSRF token in its header). */
  const api = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method,
      url,
      headers: { cookie: clients[who]!.cookie, 'x-csrf-token': clients[who]!.csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await openApp(kind);
    f = await smallForce(t.svc);
    await person('pc', [{ role: 'officer', boroughId: f.boroughs.lambeth.id }]);
    await person('sgt', [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }]);
    await person('sgt2', [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }]);
    await person('psd', [{ role: 'professional_standards', boroughId: null }]);
  });
  afterAll(() => t.close());

  describe('a change made since the page was opened', () => {
    it('a section page posted after another tab saved: 409, the error links to the report, and every answer is still in the form', async () => {
      const id = await draft('CAD 500/21NOV', ['subject']);
      const page = await clients.pc!.get(`/reports/${id}/sections/subject`);
      const opened = revisionIn(page.body);
      expect(opened).toBe((await stored(id)).revision);

      // Another tab saves the outcomes.
      await saveSection(t.svc, actors.pc!, id, 'outcomes', { outcomes: ['detained_mha'] });

      const answers = { ageBand: '18-34', gender: 'female', ethnicity: 'not_reported', physicalDisability: 'no', mentalDisability: 'yes', action: 'continue' };
      const refused = await clients.pc!.post(`/reports/${id}/sections/subject`, { ...answers, revision: String(opened) });
      expect(refused.statusCode).toBe(409);
      expect(summaryLinks(refused.body)).toEqual([`/reports/${id} ${ANSWERS_KEPT}`]);
      expect(refused.body).toMatch(/value="female" checked/);
      expect(refused.body).toMatch(/name="mentalDisability" type="radio" value="yes" checked|value="yes" checked/);
      // Nothing stored; the other tab's answer kept; the form now carries the current revision.
      const now = await stored(id);
      expect(now.content.subject).toBeUndefined();
      expect(now.content.outcomes).toEqual({ outcomes: ['detained_mha'] });
      expect(revisionIn(refused.body)).toBe(now.revision);

      // Saving the same answers again, now knowingly, stores them.
      location(await clients.pc!.post(`/reports/${id}/sections/subject`, { ...answers, revision: String(now.revision) }));
      expect((await stored(id)).content.subject).toMatchObject({ gender: 'female', mentalDisability: true });
    });

    it('a check page submitted after a section changed: 409 with the report as it is now, then it submits', async () => {
      const id = await draft('CAD 501/21NOV');
      const check = await clients.pc!.get(`/reports/${id}/check`);
      expect(check.statusCode).toBe(200);
      await saveSection(t.svc, actors.pc!, id, 'outcomes', { outcomes: ['detained_mha'] });
      const refused = await clients.pc!.post(`/reports/${id}/submit`, { revision: String(revisionIn(check.body)) });
      expect(refused.statusCode).toBe(409);
      expect(summaryLinks(refused.body)).toEqual([`/reports/${id} ${CONFLICT}`]);
      expect(refused.body).toContain('Detained - Mental Health Act');
      expect((await stored(id)).status).toBe('draft');
      expect(location(await clients.pc!.post(`/reports/${id}/submit`, { revision: String(revisionIn(refused.body)) }))).toBe(`/reports/${id}/submitted`);
    });

    it('a review decided after another supervisor decided: 409, and the comment typed is shown, not lost', async () => {
      const id = await draft('CAD 502/21NOV');
      await submitReport(t.svc, actors.pc!, id);
      const page = await clients.sgt!.get(`/reports/${id}`);
      await reviewReport(t.svc, actors.sgt2!, lambeth(), id, { outcome: 'approve' });
      const refused = await clients.sgt!.post(`/reports/${id}/review`, { outcome: 'return', comment: 'Say what warnings you gave before red-dotting', revision: String(revisionIn(page.body)) });
      expect(refused.statusCode).toBe(409);
      expect(summaryLinks(refused.body)).toEqual([`#history ${CONFLICT}`]);
      expect(refused.body).toContain('Your decision was not saved.');
      expect(refused.body).toContain('Say what warnings you gave before red-dotting');
      expect((await stored(id)).status).toBe('awaiting_sign_off');
    });

    it('the API: the ETag is the revision; a stale If-Match is refused with 412, a malformed one with 422', async () => {
      const id = await draft('CAD 503/21NOV', ['outcomes']);
      const read = await api('pc', 'GET', `/api/v1/reports/${id}`);
      const etag = read.headers.etag as string;
      expect(etag).toBe(`"${read.json().revision}"`);
      await saveSection(t.svc, actors.pc!, id, 'bwv', { ...(firedReport(f.boroughs.lambeth.id).bwv as object), cameraId: 'BWV-77777' });

      const stale = await api('pc', 'PUT', `/api/v1/reports/${id}/sections/outcomes`, { outcomes: ['arrested'] }, { 'if-match': etag });
      expect(stale.statusCode).toBe(412);
      expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(stale.json()).toMatchObject({ status: 412, title: 'The report changed', detail: CONFLICT });
      expect((await stored(id)).content.outcomes).toBeUndefined();

      const bad = await api('pc', 'PUT', `/api/v1/reports/${id}/sections/outcomes`, { outcomes: ['arrested'] }, { 'if-match': 'yesterday' });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().errors).toEqual([{ field: 'header.If-Match', message: 'If-Match must be the report’s revision as its ETag gives it, for example "3"' }]);

      const fresh = (await api('pc', 'GET', `/api/v1/reports/${id}`)).headers.etag as string;
      const saved = await api('pc', 'PUT', `/api/v1/reports/${id}/sections/outcomes`, { outcomes: ['arrested'] }, { 'if-match': fresh });
      expect(saved.statusCode).toBe(200);
      expect(saved.headers.etag).toBe(`"${Number(JSON.parse(fresh)) + 1}"`);
      // Without If-Match the write applies to the report as it is.
      expect((await api('pc', 'POST', `/api/v1/reports/${id}/submit`)).json()).toMatchObject({ status: 'submitted', revision: Number(JSON.parse(fresh)) + 2 });
    });
  });

  it('the incident page shows the date its report says now, after an amendment corrected it', async () => {
    const incident = (date: string) => ({ ...(firedReport(f.boroughs.lambeth.id).incident as object), reference: 'CAD 600/02NOV', date });
    const id = await draft('CAD 600/02NOV', [], { incident: incident('2026-11-02') });
    await submitReport(t.svc, actors.pc!, id);
    await amendReport(t.svc, actors.pc!, id, { sections: { incident: incident('2026-11-03') }, reason: 'The incident was the next day' });
    const incidentId = (await stored(id)).incidentId!;
    const page = await clients.sgt!.get(`/incidents/${incidentId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('3 November 2026 at 22:15');
    expect(page.body).not.toContain('2 November 2026');
    expect((await api('sgt', 'GET', `/api/v1/incidents/${incidentId}`)).json().occurredAt).toBe('2026-11-03T22:15:00.000Z');
  });

  it('professional standards: the Referred queue, the outcome with its IOPC reference checked then recorded, on the timeline', async () => {
    const id = await draft('CAD 700/21NOV');
    await submitReport(t.svc, actors.pc!, id);
    expect(location(await clients.sgt!.post(`/reports/${id}/review`, { outcome: 'refer', comment: 'Three cycles on a man in mental-health crisis' }))).toBe(`/reports/${id}?notice=report-referred`);

    const home = await clients.psd!.get('/referrals');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('href="/referrals"'); // in the service navigation
    expect(home.body).toContain('Awaiting outcome (1)');
    expect(home.body).toContain(`href="/reports/${id}"`);
    expect((await clients.sgt!.get('/referrals')).statusCode).toBe(403);
    expect((await clients.sgt!.get(`/reports/${id}/referral-outcome`)).statusCode).toBe(403);

    const report = await clients.psd!.get(`/reports/${id}`);
    expect(report.body).toContain(`href="/reports/${id}/referral-outcome"`);
    const question = await clients.psd!.get(`/reports/${id}/referral-outcome`);
    expect(question.statusCode).toBe(200);
    expect(question.body).toContain('Three cycles on a man in mental-health crisis');
    expect(question.body).toContain('govuk-radios__conditional');
    const revision = String(revisionIn(question.body));

    const missing = await clients.psd!.post(`/reports/${id}/referral-outcome`, { outcome: 'iopc_referral', iopcReference: '', reason: 'Mandatory referral: prolonged discharge.', revision });
    expect(missing.statusCode).toBe(400);
    expect(summaryLinks(missing.body)).toEqual(['#iopcReference Enter the IOPC reference']);
    expect(missing.body).toContain('Mandatory referral: prolonged discharge.');
    const nothing = await clients.psd!.post(`/reports/${id}/referral-outcome`, { revision });
    expect(summaryLinks(nothing.body)).toEqual(['#outcome Select the outcome of the referral', '#reason Give the reason for the outcome']);

    const form = { outcome: 'iopc_referral', iopcReference: '2026/012345', reason: 'Mandatory referral: prolonged discharge.', revision };
    const check = await clients.psd!.post(`/reports/${id}/referral-outcome`, form);
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('Check the outcome before recording it');
    expect(check.body).toContain('Referred to the IOPC');
    expect(check.body).toContain('2026/012345');
    expect((await stored(id)).status).toBe('referred'); // nothing recorded until confirmed
    const back = await clients.psd!.post(`/reports/${id}/referral-outcome`, { ...form, confirm: 'change' });
    expect(back.body).toMatch(/value="iopc_referral" checked/);
    expect(back.body).toContain('value="2026/012345"');

    expect(location(await clients.psd!.post(`/reports/${id}/referral-outcome`, { ...form, confirm: 'yes' }))).toBe(`/reports/${id}?notice=referral-outcome-recorded`);
    const done = await clients.psd!.get(`/reports/${id}?notice=referral-outcome-recorded`);
    expect(done.body).toContain('Outcome recorded. The referral is concluded');
    expect(done.body).toContain('Referral outcome: Referred to the IOPC (IOPC reference 2026/012345)');
    expect(done.body).toContain('Referral concluded');
    expect(done.body).not.toContain(`href="/reports/${id}/referral-outcome"`);
    expect((await clients.psd!.get('/referrals?tab=concluded')).body).toContain('IOPC 2026/012345');
    // Once concluded, a second outcome is refused.
    expect((await clients.psd!.post(`/reports/${id}/referral-outcome`, { ...form, confirm: 'yes' })).headers.location).toBe(`/reports/${id}?info=not-referred`);
    expect((await api('psd', 'POST', `/api/v1/reports/${id}/referral-outcome`, { outcome: 'misconduct', reason: 'A second outcome for the same referral.' })).statusCode).toBe(409);
  });

  it('professional standards record an outcome through the API, with If-Match', async () => {
    const id = await draft('CAD 701/21NOV');
    await submitReport(t.svc, actors.pc!, id);
    const referred = await reviewReport(t.svc, actors.sgt!, lambeth(), id, { outcome: 'refer', comment: 'A child was the subject' });
    const bad = await api('psd', 'POST', `/api/v1/reports/${id}/referral-outcome`, { outcome: 'misconduct', iopcReference: '2026/000001', reason: 'x' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ field: 'reason', message: 'Give the reason for the outcome (at least 10 characters)' }]);
    const stale = await api(
      'psd',
      'POST',
      `/api/v1/reports/${id}/referral-outcome`,
      { outcome: 'misconduct', reason: 'Gross misconduct hearing to follow.' },
      { 'if-match': `"${referred.revision - 1}"` },
    );
    expect(stale.statusCode).toBe(412);
    const ok = await api('psd', 'POST', `/api/v1/reports/${id}/referral-outcome`, { outcome: 'misconduct', reason: 'Gross misconduct hearing to follow.' }, { 'if-match': `"${referred.revision}"` });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      status: 'referral_concluded',
      referralOutcomes: [{ outcome: 'misconduct', iopcReference: null, reason: 'Gross misconduct hearing to follow.', reportVersion: 1 }],
    });
    expect(ok.json().timeline.at(-1)).toMatchObject({ kind: 'referral_outcome', comment: 'Gross misconduct hearing to follow.' });
  });

  it('the author discards a draft started by mistake, after an "Are you sure" page; a submitted report never', async () => {
    const started = location(await clients.pc!.post('/reports/new', {}));
    const id = started.split('/')[2]!;
    const tasks = await clients.pc!.get(started);
    expect(tasks.body).toContain(`href="/reports/${id}/discard"`);
    const confirm = await clients.pc!.get(`/reports/${id}/discard`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Are you sure you want to discard this draft?');
    expect(confirm.body).toContain('This cannot be undone.');
    // Someone else cannot even see it.
    expect((await clients.sgt!.get(`/reports/${id}/discard`)).statusCode).toBe(404);
    expect((await clients.sgt!.post(`/reports/${id}/discard`, {})).statusCode).toBe(404);

    // Saved in another tab since the page was opened: shown again, with the error.
    await saveSection(t.svc, actors.pc!, id, 'outcomes', { outcomes: ['arrested'] });
    const stale = await clients.pc!.post(`/reports/${id}/discard`, { revision: String(revisionIn(confirm.body)) });
    expect(stale.statusCode).toBe(409);
    expect(summaryLinks(stale.body)).toEqual([`/reports/${id} ${CONFLICT}`]);
    expect((await stored(id)).status).toBe('draft');

    expect(location(await clients.pc!.post(`/reports/${id}/discard`, { revision: String(revisionIn(stale.body)) }))).toBe('/reports?notice=draft-discarded');
    const list = await clients.pc!.get('/reports?notice=draft-discarded');
    expect(list.body).toContain('Draft discarded.');
    expect(list.body).not.toContain(`/reports/${id}"`);
    expect((await clients.pc!.get(`/reports/${id}`)).statusCode).toBe(404);

    const submitted = await draft('CAD 800/21NOV');
    await submitReport(t.svc, actors.pc!, submitted);
    expect(location(await clients.pc!.get(`/reports/${submitted}/discard`))).toBe(`/reports/${submitted}?info=not-discardable`);
    expect((await clients.pc!.get(`/reports/${submitted}`)).body).not.toContain(`/reports/${submitted}/discard`);
    const refused = await clients.pc!.post(`/reports/${submitted}/discard`, {});
    expect(refused.statusCode).toBe(409);
    expect(decode(refused.body)).toContain('can never be discarded');
    expect((await api('pc', 'POST', `/api/v1/reports/${submitted}/discard`)).statusCode).toBe(409);
    expect((await stored(submitted)).status).toBe('submitted');

    const viaApi = await draft('CAD 801/21NOV');
    expect((await api('pc', 'POST', `/api/v1/reports/${viaApi}/discard`)).statusCode).toBe(204);
    expect((await api('pc', 'GET', `/api/v1/reports/${viaApi}`)).statusCode).toBe(404);
  });
});
