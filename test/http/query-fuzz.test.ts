import { importShifts } from '../../src/services/shifts.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ROLES } from '../../src/domain/permissions.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { mulberry32, pick, randomInt, type Random } from '../../src/demo/random.js';
import { seedDemo } from '../../src/demo/index.js';
import { startReport } from '../../src/services/reports.js';
import { createApiToken } from '../../src/services/accounts.js';
import * as trainingRepo from '../../src/db/repositories/training.js';
import { londonDate } from '../../src/domain/calendar.js';
import { CENTRAL_STORE } from '../../src/domain/devices/register.js';
import { issueDevice, registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { getForce } from '../../src/services/organisation.js';
import { officerFixture } from '../support/fixtures.js';
import { runReconciliation } from '../../src/services/reconciliation.js';
import { insertLogEntries, syncAt, triggerAt } from '../support/reconciliation.js';
import { MAX_QUERY_VALUE } from '../../src/http/query.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';

/*
 * Issue 10: a repeated query parameter gave a 500 (`q.period?.trim is not a function`).
 * Every GET route Cedar has (read from the app's own route table, so a new route is covered
 * the day it is added) is sent a few hundred query strings from a seeded generator —
 * repeated parameters, `a[]=` lists, huge values, NUL and other control characters, unicode,
 * numbers out of range, `__proto__`, empty values — by a person holding every role. None may
 * give a 500; every malformed one must give a 400 that names the parameter.
 */

const SEED = 20261206;
/**
 * Generated queries per route: 120 on SQLite; on PostgreSQL (the same parsing before any query
 * reaches the database) the first 40 of the same sequence. CEDAR_FUZZ_FULL=1 sends 120 on both.
 */
const queriesPerRoute = (kind: string) => (kind === 'sqlite' || process.env.CEDAR_FUZZ_FULL === '1' ? 120 : 40);

/** Parameter names the routes read, and a few they do not. */
const NAMES = [
  'period',
  'from',
  'to',
  'unit',
  'dimension',
  'page',
  'pageSize',
  'q',
  'borough',
  'team',
  'rank',
  'status',
  'sort',
  'order',
  'notice',
  'when',
  'course',
  'days',
  'tab',
  'level',
  'info',
  'action',
  'entityType',
  'entityId',
  'next',
  'dryRun',
  'passed',
  'failed',
  'absent',
  'type',
  'deadline',
  'occurredFrom',
  'occurredTo',
  'trainers',
  'utm_source',
  'constructor',
  'toString',
];

const VALUES: ((r: Random) => string)[] = [
  () => '',
  () => '2026-27',
  () => '2026-04',
  () => '2026',
  () => '2026-Q2',
  () => '1900',
  () => '2026-04-01',
  () => '2099-12-31',
  () => '0000-00-00',
  (r) => String(randomInt(r, -5, 5)),
  () => '1e308',
  () => '-1',
  () => '99999999999999999999',
  () => 'NaN',
  () => 'Infinity',
  () => 'all',
  () => 'past',
  () => 'desc',
  () => 'month',
  () => 'gender',
  () => 'true',
  () => '90',
  () => 'x'.repeat(101),
  () => 'Ωmega 漢字 😀',
  () => "' OR 1=1 --",
  () => '<script>alert(1)</script>',
  () => '../../etc/passwd',
  () => "=cmd|' /C calc'!A0",
  () => '%',
  () => '\u202e\u200b',
  (r) => pick(r, ['officer-created', 'results-recorded', 'enrolled', 'nope']),
];

const enc = encodeURIComponent;

type Case = { query: string; malformed: string | null };

/** One generated query string; `malformed` names the parameter that must be refused, or null for one that may pass. */
function generate(r: Random): Case {
  const parts: string[] = [];
  const used = new Set<string>();
  for (let i = randomInt(r, 0, 3); i > 0; i--) {
    const name = pick(r, NAMES);
    if (used.has(name)) continue;
    used.add(name);
    parts.push(`${enc(name)}=${enc(pick(r, VALUES)(r))}`);
  }
  const name = pick(
    r,
    NAMES.filter((n) => !used.has(n)),
  );
  const kind = randomInt(r, 0, 9);
  let malformed: string | null = name;
  switch (kind) {
    case 0: // the same parameter twice (or more)
      for (let n = randomInt(r, 2, 4); n > 0; n--) parts.push(`${enc(name)}=${enc(pick(r, VALUES)(r))}`);
      break;
    case 1: // a PHP-style list
      parts.push(`${enc(name)}[]=1`, `${enc(name)}[]=2`);
      malformed = `${name}[]`;
      break;
    case 2: // a NUL or another control character
      parts.push(`${enc(name)}=a${pick(r, ['%00', '%01', '%1F', '%7F', '%0A', '%0D', '%09'])}b`);
      break;
    case 3: // a value far too long
      parts.push(`${enc(name)}=${'9'.repeat(MAX_QUERY_VALUE + randomInt(r, 1, 20_000))}`);
      break;
    case 4: {
      // Prototype pollution attempts: `__proto__` is a name no route reads (ignored); brackets are refused.
      const [part, bad] = pick(r, [
        ['__proto__=1', null],
        ['__proto__[x]=1', '__proto__[x]'],
        ['constructor[prototype][x]=1', 'constructor[prototype][x]'],
      ] as const);
      parts.push(part);
      malformed = bad;
      break;
    }
    default: // a value of any sort, once
      parts.push(`${enc(name)}=${enc(pick(r, VALUES)(r))}`);
      malformed = null;
  }
  // Shuffle so the bad parameter is not always last.
  for (let i = parts.length - 1; i > 0; i--) {
    const j = randomInt(r, 0, i);
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  return { query: parts.join('&'), malformed };
}

/** The cases every route gets, before the random ones: the issue's own examples among them. */
const FIXED: Case[] = [
  { query: 'period=2026-27&period=2025-26', malformed: 'period' },
  { query: 'from=2026-01-01&from=2026-02-01', malformed: 'from' },
  { query: 'dimension=gender&dimension=level', malformed: 'dimension' },
  { query: 'page=1&page=2', malformed: 'page' },
  { query: 'q=a%00b', malformed: 'q' },
  { query: 'notice[]=x', malformed: 'notice[]' },
  { query: '', malformed: null },
  { query: 'page=999999999', malformed: null },
];

describe.each(testDatabases())('every GET route refuses a malformed query string with a 400, never a 500, on %s', (kind) => {
  let t: TestApp;
  let c: Client;
  const params: Record<string, string> = {};

  beforeAll(async () => {
    t = await openTestApp(kind);
    await seedDemo(t.svc, SYSTEM_ACTOR, { officers: 120, history: true });
    const db = t.svc.database.db;
    const one = async <T>(q: Promise<T | undefined>) => {
      const v = await q;
      if (!v) throw new Error('The demo force lacks a record the fuzz test needs');
      return v;
    };
    const officer = await one(db.selectFrom('officer').select(['id']).where('status', '=', 'active').orderBy('collar_number').executeTakeFirst());
    const team = await one(db.selectFrom('team').select('id').executeTakeFirst());
    const borough = await one(db.selectFrom('borough').select('id').orderBy('name').executeTakeFirst());
    const incident = await one(db.selectFrom('uof_report').select('incident_id').where('incident_id', 'is not', null).executeTakeFirst());
    const report = await one(db.selectFrom('uof_report').select('id').where('status', '!=', 'draft').executeTakeFirst());
    const session = await one(db.selectFrom('training_session').select('id').executeTakeFirst());
    const enrolment = await one(db.selectFrom('enrolment').select(['id', 'session_id']).executeTakeFirst());
    const course = await one(db.selectFrom('course_type').select('id').executeTakeFirst());
    const release = await one(db.selectFrom('release').select(['id', 'number']).where('number', 'is not', null).executeTakeFirst());
    // One person with every role, force-wide, linked to an officer (their own training and reports).
    const account = await makeAccount(
      t,
      'everything@test.police.uk',
      ROLES.map((role) => ({ role, boroughId: null })),
      { officerId: officer.id },
    );
    const draft = await startReport(t.svc, { userId: account.id, label: account.email, grants: account.roles });
    const token = (await createApiToken(t.svc, SYSTEM_ACTOR, account.email, 'fuzz')).record;
    // A device signed out to a newly trained officer (the demo has no fleet yet).
    const trainee = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '9999FZ', boroughId: null }));
    const x2 = await one(db.selectFrom('course_type').select('id').where('code', '=', 'initial-x2').executeTakeFirst());
    await trainingRepo.insertTrainingRecords(
      db,
      (await getForce(t.svc)).id,
      'test',
      [{ officerId: trainee.id, courseTypeId: x2.id, completedOn: londonDate(t.svc.now()), result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'fuzz' }],
      t.svc.now().toISOString(),
    );
    const devices = await registerDevices(t.svc, SYSTEM_ACTOR, [{ serial: 'FUZZ-1', model: 'X2', armoury: CENTRAL_STORE }]);
    const deviceIssue = await issueDevice(t.svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'FUZZ-1', collarNumber: '9999FZ', cartridges: [] });
    // A discharge after the spark-test minutes that no report records: an exception to open (issue 13).
    const at = (minutes: number) => new Date(t.svc.now().getTime() + minutes * 60_000).toISOString();
    await insertLogEntries(t.svc, 'FUZZ-1', [syncAt(1, at(-60)), triggerAt(2, at(30)), syncAt(3, at(120))]);
    await runReconciliation(t.svc, SYSTEM_ACTOR, { from: londonDate(at(-24 * 60)), to: londonDate(at(24 * 60)) });
    const reconciliationException = (await db.selectFrom('reconciliation_exception').select('id').executeTakeFirstOrThrow()).id;
    // A shift tonight for the briefing page (issue 14).
    const home = await one(
      db.selectFrom('officer').select(['collar_number', 'borough_id']).where('status', '=', 'active').where('borough_id', 'is not', null).orderBy('collar_number').executeTakeFirst(),
    );
    const code = (await one(db.selectFrom('borough').select('code').where('id', '=', home.borough_id!).executeTakeFirst())).code;
    const tonight = londonDate(t.svc.now());
    await importShifts(t.svc, SYSTEM_ACTOR, {
      fileName: 'fuzz.csv',
      bytes: new TextEncoder().encode(`collar_number,date,start,end,borough,team,call_sign\n${home.collar_number},${tonight},22:00,07:00,${code},,\n`),
      source: 'cli',
    });
    Object.assign(params, {
      officer: officer.id,
      team: team.id,
      borough: borough.id,
      incident: incident.incident_id!,
      report: report.id,
      draft: draft.id,
      session: session.id,
      enrolmentSession: enrolment.session_id,
      enrolment: enrolment.id,
      course: course.id,
      account: account.id,
      token: token.id,
      release: release.id,
      releaseNumber: String(release.number),
      deviceIssue: deviceIssue.id,
      reconciliationException,
      device: devices.get('FUZZ-1')!,
      briefing: `/briefing/${home.borough_id!}/${tonight}/2200`,
      deviceModel: (await db.selectFrom('device_model').select('id').orderBy('name').executeTakeFirstOrThrow()).id,
    });
    c = await signInAs(t.app, 'everything@test.police.uk');
  }, 300_000);
  afterAll(() => t?.close());

  /** A route's path with real ids in it. */
  const fill = (url: string) =>
    url
      .replace(/^\/officers\/:id\/authority\/:change/, `/officers/${params.officer}/authority/suspend`)
      .replace(/^\/api\/v1\/officers\/:id/, `/api/v1/officers/${params.officer}`)
      .replace(/^\/officers\/:id/, `/officers/${params.officer}`)
      .replace(/^\/teams\/:id/, `/teams/${params.team}`)
      .replace(/^\/admin\/accounts\/:id/, `/admin/accounts/${params.account}`)
      .replace(/^\/admin\/tokens\/:id/, `/admin/tokens/${params.token}`)
      .replace(/^\/(api\/v1\/)?incidents\/:id/, (_m, api: string | undefined) => `/${api ?? ''}incidents/${params.incident}`)
      .replace(/^\/reports\/:id\/sections\/:key/, `/reports/${params.draft}/sections/incident`)
      .replace(/^\/reports\/:id\/(amend|check|submitted)/, (_m, page: string) => `/reports/${page === 'check' ? params.draft : params.report}/${page}`)
      .replace(/^\/(api\/v1\/)?reports\/:id/, (_m, api: string | undefined) => `/${api ?? ''}reports/${params.report}`)
      .replace(/^\/training\/sessions\/:id\/results\/:enrolmentId/, `/training/sessions/${params.enrolmentSession}/results/${params.enrolment}`)
      .replace(/^\/(api\/v1\/)?training\/sessions\/:id/, (_m, api: string | undefined) => `/${api ?? ''}training/sessions/${params.session}`)
      .replace(/^\/training\/courses\/:id/, `/training/courses/${params.course}`)
      .replace(/^\/statistics\/releases\/:id/, `/statistics/releases/${params.release}`)
      .replace(/^\/transparency\/releases\/:number\/:file/, `/transparency/releases/${params.releaseNumber}/aggregates.csv`)
      .replace(/^\/transparency\/releases\/:number/, `/transparency/releases/${params.releaseNumber}`)
      .replace(/^\/transparency\/latest\/:file/, '/transparency/latest/uses.csv')
      .replace(/^\/assets\/\*/, '/assets/cedar.css')
      .replace(/^\/api\/v1\/device-issues\/:id/, `/api/v1/device-issues/${params.deviceIssue}`)
      .replace(/^\/armoury\/issues\/:id/, `/armoury/issues/${params.deviceIssue}`)
      .replace(/^\/devices\/reconciliation\/:id/, `/devices/reconciliation/${params.reconciliationException}`)
      .replace(/^\/devices\/models\/:id/, `/devices/models/${params.deviceModel}`)
      .replace(/^\/devices\/:id/, `/devices/${params.device}`)
      .replace(/^\/coverage\/boroughs\/:id/, `/coverage/boroughs/${params.borough}`)
      .replace(/^\/briefing\/:borough\/:date\/:time/, params.briefing!)
      .replace(/^\/api\/\*/, '/api/v1/nothing-here');

  const names = (res: LightMyRequestResponse, parameter: string): boolean => {
    if (String(res.headers['content-type'] ?? '').includes('json')) {
      const errors = (res.json() as { errors?: { field: string }[] }).errors ?? [];
      return errors.some((e) => e.field === `query.${parameter}`);
    }
    const escaped = parameter.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return res.body.includes(`<dt class="govuk-summary-list__key">${escaped}</dt>`);
  };

  it('answers every generated query string on every GET route without a 500', async () => {
    const routes = t.app.routeTable.filter((r) => r.method === 'GET');
    expect(routes.length).toBeGreaterThan(50);
    const unfilled = routes.map((r) => fill(r.url)).filter((u) => /[:*]/.test(u));
    expect(unfilled, 'every path parameter is filled with a real id').toEqual([]);
    const random = mulberry32(SEED);
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const path = fill(route.url);
      const cases = [...FIXED, ...Array.from({ length: queriesPerRoute(kind) }, () => generate(random))];
      for (const { query, malformed } of cases) {
        const url = query ? `${path}?${query}` : path;
        const res = await c.get(url);
        sent++;
        if (res.statusCode >= 500) failures.push(`${res.statusCode} ${url.slice(0, 200)}`);
        else if (malformed !== null && res.statusCode !== 400) failures.push(`${res.statusCode} (expected 400 naming ${malformed}) ${url.slice(0, 200)}`);
        else if (malformed !== null && !names(res, malformed)) failures.push(`400 without naming ${malformed}: ${url.slice(0, 200)}`);
        if (failures.length >= 20) break;
      }
      if (failures.length >= 20) break;
    }
    expect(failures, `${failures.length} of ${sent} requests`).toEqual([]);
  }, 900_000);
});
