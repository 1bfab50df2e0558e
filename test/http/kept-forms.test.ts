import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { createAccount } from '../../src/services/accounts.js';
import { getReport } from '../../src/services/reports.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { csrfFrom, formEncode, makeAccount, openTestApp, signInAs, TEST_PASSWORD, type Client, type TestApp } from '../support/app.js';
import { openTestServices, testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

/**
 * Issue 10: "An expired session loses the form's answers and returns to Home: return to the
 * form after signing in again, with the answers kept."
 */
describe.each(testDatabases())('a form sent after the session ended on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const ORIGIN = 'http://localhost:80';

  beforeAll(async () => {
    t = await openTestApp(kind);
    f = await smallForce(t.svc);
    const officer = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '1001LX', boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }));
    await makeAccount(t, 'pc@test.police.uk', [{ role: 'officer', boroughId: f.boroughs.lambeth.id }], { officerId: officer.id });
    await makeAccount(t, 'admin@test.police.uk', [{ role: 'administrator', boroughId: null }]);
    await makeAccount(t, 'other@test.police.uk', [{ role: 'officer', boroughId: f.boroughs.lambeth.id }]);
  });
  afterAll(() => t.close());

  const cookieOf = (res: LightMyRequestResponse, name: string) => res.cookies.find((c) => c.name === name)?.value;

  /** The session ends while the page is open: its row says it ended a minute ago. */
  async function endSession(c: Client) {
    await t.svc.database.db
      .updateTable('session')
      .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
      .where('id', 'in', t.svc.database.db.selectFrom('session').select('id'))
      .execute();
    expect((await c.get('/account/password')).statusCode).toBe(303); // signed out now
  }

  /** Sends a form as the browser would from `page`, with whatever cookies it holds. */
  const sendForm = (cookie: string, url: string, page: string, form: Record<string, string | string[]>, headers: Record<string, string> = { origin: ORIGIN }) =>
    t.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', referer: `${ORIGIN}${page}`, ...headers }, payload: formEncode(form) });

  /** Signs in again at the same browser (keeping its kept-form cookie); returns the new session cookie and where sign-in sent it. */
  async function signInAgain(email: string, browserCookies: string, next: string) {
    const page = await t.app.inject({ method: 'GET', url: `/sign-in?next=${encodeURIComponent(next)}&kept=1`, headers: { cookie: browserCookies } });
    expect(page.body).toContain('They have been kept: sign in again to send them.');
    const pre = `${browserCookies}; cedar_csrf=${cookieOf(page, 'cedar_csrf')}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
      payload: formEncode({ _csrf: csrfFrom(page.body), email, password: TEST_PASSWORD, next }),
    });
    expect(res.statusCode).toBe(303);
    return { cookie: `${browserCookies}; cedar_session=${cookieOf(res, 'cedar_session')}`, location: res.headers.location as string };
  }

  /** The kept-answers page's form: where it posts, and its fields. */
  function keptForm(html: string) {
    const form = /<form method="post" action="([^"]+)" novalidate>([\s\S]*?)<\/form>/.exec(html)!;
    const fields: [string, string][] = [...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'")]);
    return { action: form[1]!, fields };
  }

  it('keeps a report section’s answers and sends them after signing in again', async () => {
    const pc = await signInAs(t.app, 'pc@test.police.uk');
    const started = await pc.post('/reports/new', {});
    const reportPath = started.headers.location as string;
    const section = `${reportPath}/sections/duty`;
    const form = await pc.get(section);
    expect(form.statusCode).toBe(200);
    const answers = { _csrf: csrfFrom(form.body), mainDuty: 'response', singleCrewed: 'yes', cedTrained: 'yes', carryingCed: 'no', action: 'continue' };

    await endSession(pc);
    const late = await sendForm(pc.cookie, section, section, answers);
    expect(late.statusCode).toBe(303);
    expect(late.headers.location).toBe(`/sign-in?next=${encodeURIComponent(section)}&kept=1`);
    const kept = cookieOf(late, 'cedar_kept');
    expect(kept).toBeTruthy();
    expect(
      (await getReport(t.svc, { userId: null, label: 't', grants: [{ role: 'administrator', boroughId: null }] }, reportPath.split('/')[2]!).catch(() => null))?.report.content.duty,
    ).toBeUndefined();

    const again = await signInAgain('pc@test.police.uk', `cedar_kept=${kept}`, section);
    expect(again.location).toBe('/account/kept-answers');
    const page = await t.app.inject({ method: 'GET', url: again.location, headers: { cookie: again.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Send your answers again');
    expect(page.body).toContain(`href="${section}"`);
    const { action, fields } = keptForm(page.body);
    expect(action).toBe(section);
    expect(fields.filter(([n]) => n !== '_csrf')).toEqual([
      ['mainDuty', 'response'],
      ['singleCrewed', 'yes'],
      ['cedTrained', 'yes'],
      ['carryingCed', 'no'],
      ['action', 'continue'],
    ]);
    // Taken once: the page does not come back.
    expect((await t.app.inject({ method: 'GET', url: '/account/kept-answers', headers: { cookie: again.cookie } })).headers.location).toBe('/');

    // "Send my answers": the section's own route saves them and moves on.
    const sent = await sendForm(again.cookie, action, '/account/kept-answers', Object.fromEntries(fields));
    expect(sent.statusCode, sent.body.slice(0, 300)).toBe(303);
    expect(sent.headers.location).toBe(`${reportPath}/sections/subject`);
    const pcNow = {
      userId: (await t.svc.database.db.selectFrom('app_user').select('id').where('email', '=', 'pc@test.police.uk').executeTakeFirstOrThrow()).id,
      label: 'pc',
      grants: [{ role: 'officer' as const, boroughId: f.boroughs.lambeth.id }],
    };
    expect((await getReport(t.svc, pcNow, reportPath.split('/')[2]!)).report.content.duty).toMatchObject({ mainDuty: 'response', singleCrewed: true, carryingCed: false });
  });

  it('keeps an account form’s answers; the route’s own checks then show any problem with them filled in', async () => {
    const admin = await signInAs(t.app, 'admin@test.police.uk');
    const target = await makeAccount(t, 'target@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    const edit = `/admin/accounts/${target.id}/edit`;
    const form = await admin.get(edit);
    await endSession(admin);
    const late = await sendForm(admin.cookie, `/admin/accounts/${target.id}`, edit, {
      _csrf: csrfFrom(form.body),
      email: 'target@test.police.uk',
      displayName: 'Renamed Analyst',
      roles: ['analyst', 'supervisor'],
      boroughId: '',
      officerCollar: '9999XX',
    });
    expect(late.headers.location).toBe(`/sign-in?next=${encodeURIComponent(edit)}&kept=1`);
    const again = await signInAgain('admin@test.police.uk', `cedar_kept=${cookieOf(late, 'cedar_kept')}`, edit);
    const { action, fields } = keptForm((await t.app.inject({ method: 'GET', url: again.location, headers: { cookie: again.cookie } })).body);
    expect(fields).toContainEqual(['roles', 'analyst']);
    expect(fields).toContainEqual(['roles', 'supervisor']);
    const sent = await sendForm(
      again.cookie,
      action,
      '/account/kept-answers',
      fields.reduce<Record<string, string[]>>((o, [n, v]) => ({ ...o, [n]: [...(o[n] ?? []), v] }), {}),
    );
    expect(sent.statusCode).toBe(400);
    expect(sent.body).toContain('No officer has the collar number 9999XX');
    expect(sent.body).toContain('value="Renamed Analyst"');
    const fixed = await sendForm(again.cookie, action, edit, { ...Object.fromEntries(fields), roles: ['analyst', 'supervisor'], officerCollar: '' });
    expect(fixed.statusCode).toBe(303);
    const after = await t.svc.database.db.selectFrom('app_user').select('display_name').where('id', '=', target.id).executeTakeFirstOrThrow();
    expect(after.display_name).toBe('Renamed Analyst');
  });

  it('keeps no password, gives the answers to no one else, and keeps nothing another site sends', async () => {
    await t.svc.database.db.deleteFrom('kept_form').execute();
    const pc = await signInAs(t.app, 'pc@test.police.uk');
    const form = await pc.get('/account/password');
    await endSession(pc);
    const late = await sendForm(pc.cookie, '/account/password', '/account/password', {
      _csrf: csrfFrom(form.body),
      currentPassword: TEST_PASSWORD,
      newPassword: 'another long passphrase',
      confirmPassword: 'another long passphrase',
    });
    const keptRow = await t.svc.database.db.selectFrom('kept_form').select('fields').executeTakeFirstOrThrow();
    expect(keptRow.fields).toBe('[]');
    expect(JSON.stringify(await t.svc.database.db.selectFrom('kept_form').selectAll().execute())).not.toContain('passphrase');

    // Someone else signs in at that browser: the answers are not theirs, and are deleted unseen.
    const other = await signInAgain('other@test.police.uk', `cedar_kept=${cookieOf(late, 'cedar_kept')}`, '/');
    const page = await t.app.inject({ method: 'GET', url: other.location, headers: { cookie: other.cookie } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/');
    expect(await t.svc.database.db.selectFrom('kept_form').select('id').execute()).toEqual([]);

    // A form from another site (or one that does not say where it is from) is not kept.
    const pc2 = await signInAs(t.app, 'pc@test.police.uk');
    await endSession(pc2);
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site', origin: ORIGIN }, {} as Record<string, string>]) {
      const res = await sendForm(pc2.cookie, '/reports/new', '/reports', { _csrf: 'x' }, headers);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).not.toContain('kept=1');
      expect(cookieOf(res, 'cedar_kept')).toBeUndefined();
    }
    expect(await t.svc.database.db.selectFrom('kept_form').select('id').execute()).toEqual([]);
  });
});

describe.each(testDatabases())('the session cookie on %s', (kind) => {
  it('outlives its session by a day, and is sent again as the session slides, so a late form can be tied to its account', async () => {
    let now = Date.parse('2026-04-01T08:00:00Z');
    const svc = await openTestServices(kind, { clock: () => new Date(now) });
    const config = loadConfig({ CEDAR_LOG_LEVEL: 'silent' });
    const app = await buildApp({ services: svc, config });
    try {
      await smallForce(svc);
      await createAccount(svc, SYSTEM_ACTOR, { email: 'pc@test.police.uk', displayName: 'PC', roles: [{ role: 'officer', boroughId: null }] }, TEST_PASSWORD);
      const c = await signInAs(app, 'pc@test.police.uk');
      const first = await app.inject({ method: 'GET', url: '/', headers: { cookie: c.cookie } });
      expect(first.cookies.find((x) => x.name === 'cedar_session')).toBeUndefined(); // used within the minute: nothing to renew
      now += 2 * 3_600_000;
      const later = await app.inject({ method: 'GET', url: '/', headers: { cookie: c.cookie } });
      const renewed = later.cookies.find((x) => x.name === 'cedar_session')!;
      expect(renewed.value).toBe(c.cookie.split('=')[1]);
      expect(renewed.maxAge).toBe((config.sessionHours + 24) * 3600);
      expect(renewed.httpOnly).toBe(true);
    } finally {
      await app.close();
      await svc.cleanup();
    }
  });
});
