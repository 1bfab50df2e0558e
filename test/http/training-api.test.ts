import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import type { Role } from '../../src/domain/permissions.js';
import { createApiToken } from '../../src/services/accounts.js';
import { fixedClock, SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { createSession, enrol, listCourseTypes, seedNationalCourseTypes, today } from '../../src/services/training.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, type TestApp } from '../support/app.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

const LEAD: Actor = { userId: null, label: 'lead@test', grants: [{ role: 'programme_lead', boroughId: null }] };

/** A day `n` days from today (London), by the services' clock. */
function day(n: number): string {
  const d = new Date(`${today(new Date(NOW))}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The services' clock, stopped at 00:15 on the 1st of a month in London: every "today" below counts from it. */
const NOW = '2026-11-01T00:15:00Z';
describe.each(testDatabases())('training API on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const tokens: Record<string, string> = {};
  const officers: Record<string, string> = {};
  let sessionId: string;
  const api = (who: string | null, method: 'GET' | 'POST', url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
  const recordCount = async () =>
    Number(
      (
        await t.svc.database.db
          .selectFrom('training_record')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    await seedNationalCourseTypes(t.svc, SYSTEM_ACTOR);
    for (const [name, collar, borough] of [
      ['trainer', '100LX', f.boroughs.lambeth.id],
      ['asha', '201LX', f.boroughs.lambeth.id],
      ['ben', '202LX', f.boroughs.lambeth.id],
      ['cara', '301CN', f.boroughs.camden.id],
    ] as const) {
      officers[name] = (await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, firstName: name[0]!.toUpperCase() + name.slice(1), boroughId: borough }))).id;
    }
    const people: [string, Role, string | null][] = [
      ['lead', 'programme_lead', null],
      ['admin', 'administrator', null],
      ['sgt', 'supervisor', f.boroughs.lambeth.id],
      ['armourer', 'armourer', null],
      ['analyst', 'analyst', null],
    ];
    for (const [who, role, borough] of people) {
      await makeAccount(t, `${who}@test.police.uk`, [{ role, boroughId: borough }]);
      tokens[who] = (await createApiToken(t.svc, SYSTEM_ACTOR, `${who}@test.police.uk`, who)).token;
    }
  });
  afterAll(() => t.close());

  it('imports records as JSON, all or nothing, adding nothing the second time', async () => {
    const records = [
      { collarNumber: '100LX', courseCode: 'initial-x2', completedOn: day(-40), result: 'pass' },
      { collarNumber: '201lx', courseCode: 'initial-x26', completedOn: day(-400), result: 'pass' },
      { collarNumber: '201LX', courseCode: 'refresher', completedOn: day(-30), result: 'fail', reason: 'Did not meet the standard' },
      { collarNumber: '301CN', courseCode: 'initial-x2', completedOn: day(-10), result: 'pass' },
    ];
    const dry = await api('lead', 'POST', '/api/v1/training/records?dryRun=true', records);
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toEqual({ dryRun: true, read: 4, inserted: 4, alreadyPresent: 0 });
    expect(await recordCount()).toBe(0);

    const created = await api('admin', 'POST', '/api/v1/training/records', records);
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({ dryRun: false, read: 4, inserted: 4, alreadyPresent: 0 });
    const again = await api('lead', 'POST', '/api/v1/training/records', records);
    expect(again.json()).toEqual({ dryRun: false, read: 4, inserted: 0, alreadyPresent: 4 });
    expect(await recordCount()).toBe(4);
    const { entries } = await listAudit(t.svc.database.db, { action: 'training.import' }, { offset: 0, limit: 10 });
    expect(entries.map((e) => [e.actorLabel, JSON.parse(e.summary).inserted])).toEqual([
      ['lead@test.police.uk', 0],
      ['admin@test.police.uk', 4],
    ]);
  });

  it('answers 422 problem+json naming each record index and field, storing nothing', async () => {
    const res = await api('lead', 'POST', '/api/v1/training/records', [
      { collarNumber: '202LX', courseCode: 'refresher', completedOn: day(-5), result: 'pass' },
      { collarNumber: '999', courseCode: 'initial-x9', completedOn: day(-5), result: 'pass' },
      { collarNumber: '202LX', courseCode: 'refresher', completedOn: day(1), result: 'fail', shoeSize: 9 },
      { collarNumber: '201LX', courseCode: 'refresher', completedOn: day(-30), result: 'pass' },
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 422, title: 'Invalid input', detail: '3 of 4 records have errors; nothing was imported.' });
    expect(res.json().errors).toEqual([
      { field: '1.collarNumber', message: expect.stringContaining('No officer with collar number 999') },
      { field: '1.courseCode', message: expect.stringContaining('No course with the code initial-x9') },
      { field: '2.completedOn', message: expect.stringContaining('after today') },
      { field: '2.reason', message: 'Give the reason the officer did not pass' },
      { field: '2.shoeSize', message: expect.stringContaining('Unknown field') },
      { field: '3.result', message: expect.stringContaining('Cedar already records fail for 201LX on refresher') },
    ]);
    expect(await recordCount()).toBe(4);

    for (const body of [{ collarNumber: '202LX' }, [], 'text']) {
      const r = await api('lead', 'POST', '/api/v1/training/records', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(422);
      expect(r.json().errors[0].field).toBe('(body)');
    }
  });

  it('refuses an import without a token or the permission', async () => {
    const one = [{ collarNumber: '202LX', courseCode: 'refresher', completedOn: day(-5), result: 'pass' }];
    expect((await api(null, 'POST', '/api/v1/training/records', one)).statusCode).toBe(401);
    for (const who of ['sgt', 'armourer', 'analyst']) {
      const r = await api(who, 'POST', '/api/v1/training/records', one);
      expect(r.statusCode, who).toBe(403);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect(await recordCount()).toBe(4);
  });

  it("gives an officer's authority per model, with expiry, records and restrictions", async () => {
    const res = await api('armourer', 'GET', `/api/v1/officers/${officers.trainer}/authority`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ officer: { id: officers.trainer, collarNumber: '100LX' }, on: today(new Date(NOW)), authorised: true, restrictions: [], enrolments: [] });
    expect(body.authorities).toEqual([expect.objectContaining({ model: 'X2', status: 'authorised', authorised: true, expiresOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) })]);
    expect(body.records).toEqual([expect.objectContaining({ courseName: 'Initial CED course (X2)', completedOn: day(-40), result: 'pass', source: 'import', createdBy: 'admin@test.police.uk' })]);

    // A failed refresher after the initial course stops authority until the next pass.
    const asha = (await api('sgt', 'GET', `/api/v1/officers/${officers.asha}/authority`)).json();
    expect(asha.authorised).toBe(false);
    expect(asha.authorities).toEqual([expect.objectContaining({ model: 'X26', status: 'failed' })]);

    // The Lambeth sergeant cannot see a Camden officer; the analyst cannot read officers at all.
    expect((await api('sgt', 'GET', `/api/v1/officers/${officers.cara}/authority`)).statusCode).toBe(404);
    expect((await api('analyst', 'GET', `/api/v1/officers/${officers.trainer}/authority`)).statusCode).toBe(403);
    expect((await api(null, 'GET', `/api/v1/officers/${officers.trainer}/authority`)).statusCode).toBe(401);
    expect((await api('lead', 'GET', '/api/v1/officers/00000000-0000-7000-8000-000000000000/authority')).statusCode).toBe(404);
  });

  it('lists the course types', async () => {
    const res = await api('sgt', 'GET', '/api/v1/training/course-types');
    expect(res.statusCode).toBe(200);
    expect(
      res
        .json()
        .data.map((c: { code: string }) => c.code)
        .sort(),
    ).toEqual(['conversion-taser7', 'conversion-x26-x2', 'initial-x2', 'initial-x26', 'refresher']);
    expect(res.json().data.find((c: { code: string }) => c.code === 'initial-x2')).toMatchObject({ kind: 'initial', qualifiesFor: ['X2'], minHours: 18, days: 3, active: true });
    expect((await api('armourer', 'GET', '/api/v1/training/course-types')).statusCode).toBe(403);
    expect((await api(null, 'GET', '/api/v1/training/course-types')).statusCode).toBe(401);
  });

  it('lists sessions with filters, and shows one with its places and roster by collar number', async () => {
    const courses = Object.fromEntries((await listCourseTypes(t.svc)).map((c) => [c.code, c.id]));
    sessionId = await createSession(t.svc, LEAD, {
      courseTypeId: courses['initial-x2'],
      startsOn: day(20),
      endsOn: day(22),
      location: 'Hendon',
      boroughId: '',
      capacity: '1',
      trainerIds: [officers.trainer],
    });
    expect(await enrol(t.svc, LEAD, sessionId, officers.asha)).toBe('enrolled');
    expect(await enrol(t.svc, LEAD, sessionId, officers.ben)).toBe('waiting');

    const list = await api('sgt', 'GET', `/api/v1/training/sessions?from=${day(0)}&to=${day(30)}&course=initial-x2`);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({
      total: 1,
      page: 1,
      pages: 1,
      data: [{ id: sessionId, courseName: 'Initial CED course (X2)', startsOn: day(20), endsOn: day(22), capacity: 1, enrolled: 1, waiting: 1, status: 'scheduled' }],
    });
    expect((await api('sgt', 'GET', `/api/v1/training/sessions?to=${day(19)}`)).json().total).toBe(0);
    expect((await api('sgt', 'GET', `/api/v1/training/sessions?course=${courses.refresher}`)).json().total).toBe(0);
    expect((await api('sgt', 'GET', '/api/v1/training/sessions?status=completed')).json().total).toBe(0);

    const bad = await api('sgt', 'GET', '/api/v1/training/sessions?from=01/12/2026&course=nope&pageSize=1000');
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['query.from', 'query.pageSize']);
    const unknownCourse = await api('sgt', 'GET', '/api/v1/training/sessions?course=nope');
    expect(unknownCourse.json().errors).toEqual([{ field: 'query.course', message: expect.stringContaining('No course with the id or code nope') }]);
    expect((await api('armourer', 'GET', '/api/v1/training/sessions')).statusCode).toBe(403);

    const one = await api('lead', 'GET', `/api/v1/training/sessions/${sessionId}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      id: sessionId,
      capacity: 1,
      enrolled: 1,
      waiting: 1,
      placesFree: 0,
      resultsOpen: false,
      boroughName: null,
      trainers: [{ officerId: officers.trainer, collarNumber: '100LX' }],
    });
    expect(one.json().roster.map((r: { collarNumber: string; status: string }) => [r.collarNumber, r.status])).toEqual([
      ['201LX', 'enrolled'],
      ['202LX', 'waiting'],
    ]);
    expect(one.body).not.toMatch(/Asha|Ben|Patel/);
    expect((await api('lead', 'GET', '/api/v1/training/sessions/00000000-0000-7000-8000-000000000000')).statusCode).toBe(404);
    expect((await api(null, 'GET', `/api/v1/training/sessions/${sessionId}`)).statusCode).toBe(401);
  });

  it('describes the training endpoints in the OpenAPI document', async () => {
    const doc = (await api(null, 'GET', '/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/officers/{id}/authority', '/api/v1/training/sessions', '/api/v1/training/sessions/{id}', '/api/v1/training/records', '/api/v1/training/course-types']),
    );
    expect(doc.components.schemas.TrainingRecordInput.properties.result.enum).toEqual(['pass', 'fail', 'did_not_finish']);
    expect(doc.paths['/api/v1/training/records'].post.responses['422']).toBeDefined();
  });
});
