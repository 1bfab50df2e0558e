/**
 * Accessibility in a real browser: axe-core (WCAG 2.2 AA and best practices) finds no
 * violation on any page of Cedar.
 *
 * A small demo force (60 officers, its reports at every stage of review, training sessions,
 * this financial year's uses and monthly releases) is seeded through the services. Each role
 * signs in with its demo account and visits every HTML page its permissions open, walked from
 * the app's own route table with path parameters filled by real ids; the public transparency
 * pages are visited signed out; then the error pages (404, 403) and forms showing errors. A
 * route with a path parameter this file does not know how to fill fails the test, naming it,
 * so a new page cannot escape the check.
 *
 * A page whose shape (test/browser/support.ts pageShape: its elements, their nesting, classes,
 * roles and ARIA, whether each thing that needs a name has text) axe has already checked, such
 * as another role's identical view of it, is loaded and its status checked but not run through
 * axe again: axe's findings depend on the shape, not on the words and numbers in it. The shape
 * is taken in two parts, `<main>` and the header, menu and footer around it, each checked once:
 * another role's menu around a page already checked is checked on its first page.
 *
 * The full walk runs on SQLite; on PostgreSQL (the same templates over a different database)
 * a sample runs: two roles, the public pages and the error pages. CEDAR_A11Y_FULL=1 walks
 * everything on both.
 * Screenshots at 1280 px go to test-results/screenshots/a11y-<kind>-NN-name.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAllows, ROLES, type Permission, type Role } from '../../src/domain/permissions.js';
import { SECTION_KEYS } from '../../src/domain/report/content.js';
import { londonDate } from '../../src/domain/calendar.js';
import { londonClock } from '../../src/services/crews.js';
import { importShifts } from '../../src/services/shifts.js';
import { createApiToken, getAccount } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { prepareRelease, releaseMonths } from '../../src/services/releases.js';
import { reviewReport } from '../../src/services/reports.js';
import { CENTRAL_STORE } from '../../src/domain/devices/register.js';
import { importDeviceIssues } from '../../src/services/import-devices.js';
import { moveDevice, receiveCartridges, registerDevices } from '../../src/services/devices.js';
import { firedReport, recordReport } from '../support/report-fixtures.js';
import { runReconciliation } from '../../src/services/reconciliation.js';
import { insertLogEntries, syncAt, triggerAt } from '../support/reconciliation.js';
import { demoEmail, seedDemo, type DemoSummary } from '../../src/demo/index.js';
import type { RoutePermission } from '../../src/http/types.js';
import { openTestApp, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { axeReport, axeViolations, browserHarness, CHROMIUM, pageShape, type OpenedPage } from './support.js';

/** Routes that are not HTML pages (downloads, JSON, assets, health), so axe has nothing to check. */
const NOT_PAGES = [/^\/api\//, /^\/assets\//, /^\/healthz$/, /\.csv$/, /\.json$/, /\/:file$/];

interface Ids {
  officer: string;
  borough: string;
  team: string;
  account: string;
  reports: { id: string; status: string; incidentId: string | null }[];
  releaseId: string;
  releaseNumber: number;
  /** A draft release, prepared for the walk (the demo publishes all of its releases). */
  draftReleaseId: string;
  /** An API token of the demo's integration account, to revoke. */
  apiToken: string;
  courseType: string;
  deviceModel: string;
  scheduledSession: string;
  /** A session whose last day has passed, its results not yet recorded. */
  endedSession: string;
  completedSession: string;
  enrolment: string;
  /** A device out with an officer (issue 12), to take back. */
  deviceIssue: string;
  /** A device in store and a quarantined one (professional standards see the release form). */
  devices: string[];
  /** An exception the reconciliation found (issue 13), with its timeline and resolve form. */
  reconciliationException: string;
  /** The briefing page of a shift in the sergeant's borough tonight (issue 14). */
  briefing: string;
}

/**
 * The concrete paths for each route with parameters, for a role: ids the role can open. Reports:
 * the author sees one of each status and every section of a draft and of a returned report (to
 * amend), with the check / amend / submitted pages for the statuses they are for; reviewers one
 * submitted report of each status. Add a route here when you add one with a parameter.
 */
const PATHS: Record<string, (ids: Ids, role: Role) => string[]> = {
  '/officers/:id': (ids) => [`/officers/${ids.officer}`],
  '/officers/:id/edit': (ids) => [`/officers/${ids.officer}/edit`],
  '/officers/:id/authority/:change': (ids) => ['suspend', 'reinstate', 'withdraw', 'return'].map((c) => `/officers/${ids.officer}/authority/${c}`),
  '/teams/:id': (ids) => [`/teams/${ids.team}`],
  '/teams/:id/edit': (ids) => [`/teams/${ids.team}/edit`],
  '/admin/accounts/:id': (ids) => [`/admin/accounts/${ids.account}`],
  '/admin/accounts/:id/edit': (ids) => [`/admin/accounts/${ids.account}/edit`],
  '/reports/:id': (ids, role) => oneOfEachStatus(ids, role === 'officer' ? undefined : (s) => s !== 'draft').map((id) => `/reports/${id}`),
  '/reports/:id/sections/:key': (ids, role) =>
    role !== 'officer'
      ? []
      : ['draft', 'returned'].flatMap((status) =>
          reportsIn(ids, status)
            .slice(0, 1)
            .flatMap((id) => SECTION_KEYS.map((k) => `/reports/${id}/sections/${k}`)),
        ),
  '/reports/:id/amend': (ids, role) =>
    role === 'officer'
      ? reportsIn(ids, 'returned')
          .slice(0, 1)
          .map((id) => `/reports/${id}/amend`)
      : [],
  '/reports/:id/check': (ids, role) =>
    role === 'officer'
      ? reportsIn(ids, 'draft')
          .slice(0, 1)
          .map((id) => `/reports/${id}/check`)
      : [],
  '/reports/:id/submitted': (ids, role) =>
    role === 'officer'
      ? reportsIn(ids, 'submitted')
          .slice(0, 1)
          .map((id) => `/reports/${id}/submitted`)
      : [],
  '/incidents/:id': (ids) => [`/incidents/${ids.reports.find((r) => r.incidentId && r.status !== 'draft')!.incidentId}`],
  '/statistics/releases/:id': (ids) => [`/statistics/releases/${ids.releaseId}`, `/statistics/releases/${ids.draftReleaseId}`],
  '/statistics/releases/:id/publish': (ids) => [`/statistics/releases/${ids.draftReleaseId}/publish`],
  '/statistics/releases/:id/supersede': (ids) => [`/statistics/releases/${ids.releaseId}/supersede`],
  '/reports/:id/referral-outcome': (ids, role) =>
    role === 'professional_standards'
      ? reportsIn(ids, 'referred')
          .slice(0, 1)
          .map((id) => `/reports/${id}/referral-outcome`)
      : [],
  '/admin/tokens/:id/revoke': (ids) => [`/admin/tokens/${ids.apiToken}/revoke`],
  '/reports/:id/discard': (ids, role) =>
    role === 'officer'
      ? reportsIn(ids, 'draft')
          .slice(0, 1)
          .map((id) => `/reports/${id}/discard`)
      : [],
  '/training/courses/:id/edit': (ids) => [`/training/courses/${ids.courseType}/edit`],
  '/training/sessions/:id': (ids) => [`/training/sessions/${ids.scheduledSession}`, `/training/sessions/${ids.endedSession}`, `/training/sessions/${ids.completedSession}`],
  '/training/sessions/:id/edit': (ids) => [`/training/sessions/${ids.scheduledSession}/edit`],
  '/training/sessions/:id/cancel': (ids) => [`/training/sessions/${ids.scheduledSession}/cancel`],
  '/training/sessions/:id/results': (ids) => [`/training/sessions/${ids.endedSession}/results`],
  '/training/sessions/:id/results/:enrolmentId/correct': (ids) => [`/training/sessions/${ids.completedSession}/results/${ids.enrolment}/correct`],
  '/transparency/releases/:number': (ids) => [`/transparency/releases/${ids.releaseNumber}`],
  '/transparency/releases/:number/breakdowns': (ids) => [`/transparency/releases/${ids.releaseNumber}/breakdowns`],
  '/armoury/issues/:id/return': (ids) => [`/armoury/issues/${ids.deviceIssue}/return`],
  '/devices/:id': (ids) => ids.devices.map((id) => `/devices/${id}`),
  '/coverage/boroughs/:id': (ids) => [`/coverage/boroughs/${ids.borough}`],
  '/devices/models/:id/edit': (ids) => [`/devices/models/${ids.deviceModel}/edit`],
  '/devices/reconciliation/:id': (ids) => [`/devices/reconciliation/${ids.reconciliationException}`],
  '/briefing/:borough/:date/:time': (ids) => [ids.briefing],
  // No path parameter (the walk visits it anyway): listed so its open proposal is known to be there (addWhatTheDemoLacks).
  '/devices/quarantine': () => ['/devices/quarantine'],
};

const reportsIn = (ids: Ids, status: string) => ids.reports.filter((r) => r.status === status).map((r) => r.id);
const oneOfEachStatus = (ids: Ids, keep: (status: string) => boolean = () => true) => [...new Set(ids.reports.map((r) => r.status))].filter(keep).map((s) => reportsIn(ids, s)[0]!);

/** Pages reached with a query string: the statistics of a quarter, a filtered list, a GET form with an error. */
const WITH_QUERY = [
  '/devices?model=X2&state=in_store',
  '/devices/cartridges?tab=unlinked',
  '/devices/cartridges?expiring=yes',
  '/statistics?period=2026-27&unit=quarter',
  '/officers?q=a&status=active',
  '/audit?entityType=report',
  '/audit?from=yesterday',
  '/statistics?period=nonsense',
  '/armoury/officer?collar=NOBODY',
  '/devices/quarantine?done=declined',
  '/devices/reconciliation?state=open&kind=discharge_without_report',
  '/officers/early-warning?from=2026-06-01&to=2026-06-30',
  '/officers/early-warning?from=nonsense',
];

function allows(role: Role, permission: RoutePermission): boolean {
  if (permission === 'public') return false; // visited signed out
  if (permission === 'signed-in') return true;
  return (typeof permission === 'string' ? [permission] : permission).some((p) => roleAllows(role, p as Permission));
}

/**
 * The page shapes axe has checked (see pageShape): a page whose main content and surroundings
 * were both checked is not checked again, on either database (the same templates: the PostgreSQL
 * walk checks each page's status, and runs axe on a shape only SQLite's walk did not meet).
 */
const checked = new Set<string>();

describe.skipIf(!CHROMIUM)('accessibility: no axe violation on any page', () => {
  describe.each(testDatabases())('on %s', (kind) => {
    const full = kind === 'sqlite' || process.env.CEDAR_A11Y_FULL === '1';
    const roles: readonly Role[] = full ? ROLES : ['officer', 'administrator'];
    let t: TestApp;
    let demo: DemoSummary;
    let ids: Ids;
    const browser = browserHarness(`a11y-${kind}-`);
    /** Every page visited: who, where, the answer, and axe's findings. */
    const visited: { who: string; route: string; url: string; status: number; report: string; ms?: number; axe?: boolean }[] = [];

    /** Each account's password: the demo's one-time password until the walk chooses its own. */
    const passwords = new Map<Role, string>();

    beforeAll(async () => {
      t = await openTestApp(kind);
      demo = await seedDemo(t.svc, SYSTEM_ACTOR, { officers: 60 });
      await addWhatTheDemoLacks(t);
      ids = await idsOf(t);
      await browser.start(t);
    });

    afterAll(async () => {
      await browser.stop();
      await t?.close();
    });

    const timing = { load: 0, axe: 0 };

    async function visit(p: OpenedPage, who: string, route: string, url: string): Promise<void> {
      const started = Date.now();
      const res = await p.page.goto(url, { waitUntil: 'load' });
      const status = res?.status() ?? 0;
      const shape = await pageShape(p.page);
      const seen = checked.has(`main:${shape.main}`) && checked.has(`chrome:${shape.chrome}`);
      checked.add(`main:${shape.main}`).add(`chrome:${shape.chrome}`);
      const loaded = Date.now();
      timing.load += loaded - started;
      const report = seen ? '' : axeReport(`${who} ${url}${p.page.url().endsWith(url) ? '' : ` (now at ${new URL(p.page.url()).pathname})`} [${status}]`, await axeViolations(p.page));
      timing.axe += Date.now() - loaded;
      visited.push({ who, route, url, status, report, ms: Date.now() - started, axe: !seen });
    }

    async function signIn(role: Role): Promise<OpenedPage> {
      const p = await browser.openPage();
      const password = passwords.get(role) ?? demo.accounts.find((a) => a.role === role)!.password;
      await p.page.goto('/sign-in');
      await p.page.getByLabel('Email address').fill(demoEmail(role));
      await p.page.getByLabel('Password', { exact: true }).fill(password);
      await Promise.all([p.page.waitForURL((u) => u.pathname !== '/sign-in', { waitUntil: 'load' }), p.page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
      if (new URL(p.page.url()).pathname === '/account/password') {
        // An account signing in with a one-time password chooses its own first.
        const chosen = 'an accessible demo passphrase';
        await p.page.getByLabel('Current password').fill(password);
        await p.page.getByLabel('New password', { exact: true }).fill(chosen);
        await p.page.getByLabel('Confirm new password').fill(chosen);
        await Promise.all([p.page.waitForURL((u) => u.pathname !== '/account/password', { waitUntil: 'load' }), p.page.getByRole('button', { name: 'Change password' }).click()]);
        passwords.set(role, chosen);
      }
      return p;
    }

    const failures = (from: typeof visited) => from.filter((v) => v.report).map((v) => v.report);

    it(
      `every page each role can open${full ? '' : ' (a sample of roles)'}`,
      async () => {
        const unknown = t.app.routeTable.filter((r) => r.method === 'GET' && r.url.includes(':') && !NOT_PAGES.some((x) => x.test(r.url)) && !PATHS[r.url]).map((r) => r.url);
        expect(unknown, 'routes with path parameters this test cannot fill: add them to PATHS').toEqual([]);
        const pages = t.app.routeTable.filter((r) => r.method === 'GET' && !NOT_PAGES.some((x) => x.test(r.url)));
        const start = visited.length;
        const problems: string[] = [];
        for (const role of roles) {
          const p = await signIn(role);
          for (const route of pages) {
            if (!allows(role, route.permission)) continue;
            for (const url of route.url.includes(':') ? PATHS[route.url]!(ids, role) : [route.url]) await visit(p, role, route.url, url);
          }
          for (const url of WITH_QUERY) {
            const route = t.app.routeTable.find((r) => r.method === 'GET' && r.url === url.split('?')[0])!;
            if (allows(role, route.permission)) await visit(p, role, route.url, url);
          }
          // Refusals (400, 403, 404, 409) are reported on the console; nothing else may be.
          problems.push(...p.problems.filter((x) => !/status of 4\d\d/.test(x)).map((x) => `${role}: ${x}`));
          await p.page.context().close();
        }
        const mine = visited.slice(start);
        expect(mine.filter((v) => v.status >= 500).map((v) => `${v.who} ${v.url} ${v.status}`)).toEqual([]);
        // The walk reached real pages: each route answered 200 to some role (not only error pages).
        const reached = new Set(mine.filter((v) => v.status === 200).map((v) => v.route));
        const signedInRoutes = pages.filter((r) => r.permission !== 'public' && roles.some((role) => allows(role, r.permission))).map((r) => r.url);
        const ms = mine.reduce((sum, v) => sum + (v.ms ?? 0), 0);
        console.info(
          `${kind}: ${mine.length} signed-in pages visited for ${roles.length} roles, ${mine.filter((v) => v.axe).length} distinct shapes checked by axe, in ${(ms / 1000).toFixed(1)} s (loading ${(timing.load / 1000).toFixed(1)} s, axe ${(timing.axe / 1000).toFixed(1)} s)`,
        );
        expect(failures(mine).join('\n\n')).toBe('');
        expect(
          signedInRoutes.filter((r) => !reached.has(r)),
          'routes no role could open',
        ).toEqual([]);
        expect(problems).toEqual([]);
      },
      full ? 900_000 : 300_000,
    );

    it('/statistics at 1280 px: every table shows all its columns, each in a labelled scroll box that takes keyboard focus', async () => {
      const p = await signIn('analyst');
      await p.page.goto('/statistics');
      await p.shot('statistics');
      const boxes = await p.page.locator('.cedar-table-scroll').evaluateAll((els) =>
        els.map((e) => ({
          caption: e.querySelector('caption')?.textContent?.trim() ?? '',
          label: e.getAttribute('aria-label'),
          role: e.getAttribute('role'),
          tabindex: e.getAttribute('tabindex'),
          hidden: e.scrollWidth - e.clientWidth,
        })),
      );
      expect(boxes.length).toBeGreaterThan(5);
      // Nothing is cut off at 1280 px: no table is wider than its box.
      expect(boxes.filter((b) => b.hidden > 0).map((b) => `${b.caption}: ${b.hidden}px hidden`)).toEqual([]);
      // On a narrower screen the box scrolls: a region named by its table's caption, reachable by keyboard.
      expect(boxes.filter((b) => b.role !== 'region' || b.tabindex !== '0' || b.label !== b.caption).map((b) => b.caption)).toEqual([]);
      const width = await p.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(width, 'the page scrolls sideways').toBeLessThanOrEqual(0);
      // Tab from the last control of the period form reaches the first table's box.
      await p.page.getByRole('button', { name: 'Show statistics' }).focus();
      const firstBox = p.page.locator('.cedar-table-scroll').first();
      let reached = false;
      for (let i = 0; i < 20 && !reached; i++) {
        await p.page.keyboard.press('Tab');
        reached = await firstBox.evaluate((e) => e === document.activeElement);
      }
      expect(reached, 'Tab reaches the first table').toBe(true);
      await p.shot('statistics-table-focused', firstBox);

      await p.page.setViewportSize({ width: 640, height: 900 });
      expect(failures([{ who: 'analyst', route: '/statistics', url: '/statistics at 640 px', status: 200, report: axeReport('/statistics at 640 px', await axeViolations(p.page)) }]).join('')).toBe(
        '',
      );
      await p.page.context().close();
    });

    it('the audit log, and a page with a Back link, at 1280 px', async () => {
      const p = await signIn('administrator');
      await p.page.goto('/audit');
      await p.shot('audit');
      await p.page.goto(`/officers/${ids.officer}`);
      // The Back link comes before <main> (the skip link passes it) in a navigation landmark of its own.
      const back = p.page.getByRole('navigation', { name: 'Back' }).getByRole('link', { name: 'Back' });
      expect(await back.getAttribute('href')).toBe('/officers');
      expect(await p.page.locator('main .govuk-back-link').count()).toBe(0);
      await p.shot('officer-with-back-link');
      await p.page.context().close();
    });

    it('the public transparency pages, signed out', async () => {
      const p = await browser.openPage();
      const start = visited.length;
      for (const route of t.app.routeTable.filter((r) => r.method === 'GET' && r.permission === 'public' && !NOT_PAGES.some((x) => x.test(r.url)))) {
        for (const url of route.url.includes(':') ? PATHS[route.url]!(ids, 'officer') : [route.url]) await visit(p, 'signed out', route.url, url);
      }
      const mine = visited.slice(start);
      expect(mine.map((v) => v.route)).toEqual(expect.arrayContaining(['/transparency', '/transparency/releases/:number', '/transparency/national', '/transparency/methodology', '/sign-in']));
      expect(mine.filter((v) => v.status !== 200).map((v) => `${v.url} ${v.status}`)).toEqual([]);
      expect(failures(mine).join('\n\n')).toBe('');
    });

    it('the error pages, and forms showing their errors', async () => {
      const start = visited.length;
      const out = await browser.openPage();
      await visit(out, 'signed out', '404', '/no-such-page');
      // Sign-in with a wrong password: the error summary and the field's error.
      await out.page.goto('/sign-in');
      await out.page.getByLabel('Email address').fill(demoEmail('officer'));
      await out.page.getByLabel('Password', { exact: true }).fill('not the password');
      await Promise.all([out.page.waitForResponse((r) => r.request().method() === 'POST'), out.page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
      await out.page.waitForLoadState('load');
      await out.page.locator('.govuk-error-summary').waitFor();
      visited.push({ who: 'signed out', route: 'sign-in error', url: '/sign-in (wrong password)', status: 401, report: axeReport('sign-in with a wrong password', await axeViolations(out.page)) });

      const officer = await signIn('officer');
      await visit(officer, 'officer', '404', '/no-such-page');
      await visit(officer, 'officer', '403', '/audit');
      expect(visited.at(-1)!.status).toBe(403);

      // A POST form sent empty: the page comes back with its error summary linking to the fields.
      const admin = await signIn('administrator');
      for (const [url, button] of [
        ['/officers/new', 'Add officer'],
        ['/teams/new', 'Add team'],
        ['/admin/accounts/new', 'Create account'],
      ] as const) {
        await admin.page.goto(url);
        await Promise.all([admin.page.waitForResponse((r) => r.request().method() === 'POST'), admin.page.getByRole('button', { name: button, exact: true }).click()]);
        await admin.page.waitForLoadState('load');
        await admin.page.locator('.govuk-error-summary').waitFor();
        visited.push({ who: 'administrator', route: `${url} with errors`, url, status: 400, report: axeReport(`administrator ${url} sent empty`, await axeViolations(admin.page)) });
      }
      expect(failures(visited.slice(start)).join('\n\n')).toBe('');
    });
  });
});

/**
 * The demo has no report referred to professional standards, and publishes every release it
 * prepares, and has no API token: the walk adds a referred report (recorded by the demo
 * constable, referred by the demo sergeant), a draft release and a token, so the referral,
 * publishing and token pages are checked too.
 */
async function addWhatTheDemoLacks(t: TestApp): Promise<void> {
  const db = t.svc.database.db;
  const actorFor = async (role: Role): Promise<Actor> => {
    const a = await db.selectFrom('app_user').select(['id', 'email']).where('email', '=', demoEmail(role)).executeTakeFirstOrThrow();
    return { userId: a.id, label: a.email, grants: (await getAccount(t.svc, a.id)).roles };
  };
  const pc = await actorFor('officer');
  const sergeant = await actorFor('supervisor');
  const lambeth = (await db.selectFrom('borough').select('id').where('name', '=', 'Lambeth').executeTakeFirstOrThrow()).id;
  const day = londonDate(new Date(t.svc.now().getTime() - 2 * 86_400_000));
  const base = firedReport(lambeth);
  const id = await recordReport(t.svc, pc, { ...base, incident: { ...(base.incident as object), reference: 'CAD 9999/A11Y', date: day, time: '10:00' } }, t.svc.now());
  await reviewReport(t.svc, sergeant, { all: true }, id, { outcome: 'refer', comment: 'Three cycles in under a minute: for professional standards to look at.' });
  // A discharge with a serious injury naming a serial not in the register: the serial's warning
  // on the report, and a quarantine proposal on /devices/quarantine (issue 12).
  await recordReport(
    t.svc,
    pc,
    {
      ...base,
      incident: { ...(base.incident as object), reference: 'CAD 9998/A11Y', date: day, time: '11:00' },
      injuries: { ...(base.injuries as object), subjectInjuryNature: 'Head injury from the fall', subjectInjuryLevel: 'severe' },
      postUse: { ...(base.postUse as object), iopcReferralConsidered: true, iopcNotes: 'Referred at once' },
    },
    t.svc.now(),
  );
  const month = (await releaseMonths(t.svc))!.last;
  await prepareRelease(t.svc, await actorFor('analyst'), month);
  await createApiToken(t.svc, SYSTEM_ACTOR, demoEmail('programme_lead'), 'roster-sync');
  // Tonight's shift for four officers of the sergeant's borough: the briefing page (issue 14).
  const home = sergeant.grants[0]!.boroughId!;
  const onDuty = await db.selectFrom('officer').select('collar_number').where('borough_id', '=', home).where('status', '=', 'active').orderBy('collar_number').limit(4).execute();
  const code = (await db.selectFrom('borough').select('code').where('id', '=', home).executeTakeFirstOrThrow()).code;
  const tonight = londonDate(t.svc.now());
  const roster = ['collar_number,date,start,end,borough,team,call_sign', ...onDuty.map((o) => `${o.collar_number},${tonight},22:00,07:00,${code},,A11Y1`)].join('\n');
  await importShifts(t.svc, SYSTEM_ACTOR, { fileName: 'a11y-shifts.csv', bytes: new TextEncoder().encode(roster), source: 'cli' });
  // A device out since an hour ago with an officer who holds none, and a cartridge, for the return page (issue 12).
  const collar = (
    await db
      .selectFrom('officer')
      .select('collar_number')
      .where('id', 'not in', db.selectFrom('device_issue').select('officer_id').where('returned_at', 'is', null))
      .orderBy('collar_number')
      .executeTakeFirstOrThrow()
  ).collar_number;
  await registerDevices(t.svc, SYSTEM_ACTOR, [{ serial: 'A11Y-X2-0001', model: 'X2', armoury: CENTRAL_STORE }]);
  await receiveCartridges(t.svc, SYSTEM_ACTOR, [{ serial: 'A11Y-C-0001', type: 'Smart 25 ft', lot: 'A11Y', expiresOn: '2099-12-31', armoury: CENTRAL_STORE }]);
  const issuedAt = new Date(t.svc.now().getTime() - 3_600_000).toISOString();
  const csv = `device_serial,collar_number,issued_at,returned_at,cartridges\nA11Y-X2-0001,${collar},${issuedAt},,A11Y-C-0001\n`;
  const imported = await importDeviceIssues(t.svc, SYSTEM_ACTOR, { fileName: 'issues.csv', bytes: new TextEncoder().encode(csv) });
  if (!imported.ok) throw new Error(`The accessibility walk's device issue was refused: ${JSON.stringify(imported.rejected)}`);
  // Devices (issue 12): one in store, one quarantined, and a cartridge expended with no report yet.
  const store = { boroughId: lambeth, teamId: null };
  const devices = await registerDevices(t.svc, SYSTEM_ACTOR, [
    { serial: 'A11Y-0001', model: 'X2', armoury: store, firmware: '1.0', inServiceOn: '2025-01-01' },
    { serial: 'A11Y-0002', model: 'X2', armoury: store },
  ]);
  await moveDevice(t.svc, SYSTEM_ACTOR, { all: true }, devices.get('A11Y-0002')!, { move: 'quarantine', note: 'Held as evidence after a discharge' });
  await receiveCartridges(t.svc, SYSTEM_ACTOR, [{ serial: 'A11Y-C1', type: 'Smart 25 ft', lot: 'L1', expiresOn: '2030-01-31', armoury: store }]);
  const cartridge = await db.selectFrom('cartridge').select('id').where('serial', '=', 'A11Y-C1').executeTakeFirstOrThrow();
  await db.updateTable('cartridge').set({ state: 'expended' }).where('id', '=', cartridge.id).execute();
  // The device out since an hour ago fired half an hour ago, and no report says so: an exception (issue 13).
  const ago = (minutes: number) => new Date(t.svc.now().getTime() - minutes * 60_000).toISOString();
  await insertLogEntries(t.svc, 'A11Y-X2-0001', [syncAt(900_001, ago(120)), triggerAt(900_002, ago(30)), syncAt(900_003, ago(5))]);
  await runReconciliation(t.svc, SYSTEM_ACTOR, { from: londonDate(ago(24 * 60)), to: londonDate(t.svc.now()) });
}

async function idsOf(t: TestApp): Promise<Ids> {
  const db = t.svc.database.db;
  const account = await db.selectFrom('app_user').select(['id', 'officer_id']).where('email', '=', demoEmail('officer')).executeTakeFirstOrThrow();
  const officer = await db.selectFrom('officer').select(['id', 'team_id']).where('id', '=', account.officer_id!).executeTakeFirstOrThrow();
  const reports = await db.selectFrom('uof_report').select(['id', 'status', 'incident_id']).orderBy('created_at').execute();
  const release = await db.selectFrom('release').select(['id', 'number']).where('status', '=', 'published').orderBy('number', 'desc').executeTakeFirstOrThrow();
  const draft = await db.selectFrom('release').select('id').where('status', '=', 'draft').executeTakeFirstOrThrow();
  const token = await db.selectFrom('api_token').select('id').executeTakeFirstOrThrow();
  const courseType = await db.selectFrom('course_type').select('id').orderBy('code').executeTakeFirstOrThrow();
  // A session that has ended with its results still to record: the demo's sessions are all in
  // the coming weeks, so one of them (with officers enrolled) is moved to have ended two days ago.
  const withSeats = await db
    .selectFrom('training_session')
    .innerJoin('enrolment', 'enrolment.session_id', 'training_session.id')
    .select(['training_session.id', 'training_session.starts_on', 'training_session.ends_on'])
    .where('training_session.status', '=', 'scheduled')
    .where('enrolment.status', '=', 'enrolled')
    .orderBy('training_session.starts_on', 'desc')
    .executeTakeFirstOrThrow();
  const day = (d: string, plus: number) => new Date(Date.parse(`${d}T00:00:00Z`) + plus * 86_400_000).toISOString().slice(0, 10);
  const endsOn = day(t.svc.now().toISOString().slice(0, 10), -2);
  const span = Math.round((Date.parse(withSeats.ends_on) - Date.parse(withSeats.starts_on)) / 86_400_000);
  await db
    .updateTable('training_session')
    .set({ starts_on: day(endsOn, -span), ends_on: endsOn })
    .where('id', '=', withSeats.id)
    .execute();
  const scheduled = await db.selectFrom('training_session').select('id').where('status', '=', 'scheduled').where('id', '!=', withSeats.id).orderBy('starts_on').executeTakeFirstOrThrow();
  const enrolment = await db
    .selectFrom('enrolment')
    .innerJoin('training_session', 'training_session.id', 'enrolment.session_id')
    .select(['enrolment.id', 'enrolment.session_id'])
    .where('training_session.status', '=', 'completed')
    .where('enrolment.result', 'is not', null)
    .orderBy('training_session.starts_on', 'desc')
    .executeTakeFirstOrThrow();
  return {
    officer: officer.id,
    borough: (await db.selectFrom('borough').select('id').where('name', '=', 'Lambeth').executeTakeFirstOrThrow()).id,
    team: officer.team_id!,
    account: account.id,
    reports: reports.map((r) => ({ id: r.id, status: r.status, incidentId: r.incident_id })),
    releaseId: release.id,
    releaseNumber: Number(release.number),
    draftReleaseId: draft.id,
    apiToken: token.id,
    courseType: courseType.id,
    deviceModel: (await db.selectFrom('device_model').select('id').orderBy('name').executeTakeFirstOrThrow()).id,
    scheduledSession: scheduled.id,
    endedSession: withSeats.id,
    completedSession: enrolment.session_id,
    enrolment: enrolment.id,
    deviceIssue: (
      await db
        .selectFrom('device_issue')
        .innerJoin('device', 'device.id', 'device_issue.device_id')
        .select('device_issue.id')
        .where('device.serial', '=', 'A11Y-X2-0001')
        .where('device_issue.returned_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).id,
    devices: (await db.selectFrom('device').select('id').where('serial', 'in', ['A11Y-0001', 'A11Y-0002']).orderBy('serial').execute()).map((d) => d.id),
    reconciliationException: (await db.selectFrom('reconciliation_exception').select('id').where('device_serial', '=', 'A11Y-X2-0001').executeTakeFirstOrThrow()).id,
    briefing: await (async () => {
      const sergeant = await getAccount(t.svc, (await db.selectFrom('app_user').select('id').where('email', '=', demoEmail('supervisor')).executeTakeFirstOrThrow()).id);
      const shift = await db
        .selectFrom('shift')
        .select(['borough_id', 'team_id', 'starts_at', 'london_date'])
        .where('borough_id', '=', sergeant.roles[0]!.boroughId!)
        .where('call_sign', '=', 'A11Y1')
        .executeTakeFirstOrThrow();
      return `/briefing/${shift.borough_id}/${shift.london_date}/${londonClock(shift.starts_at).replace(':', '')}${shift.team_id ? `?team=${shift.team_id}` : ''}`;
    })(),
  };
}
