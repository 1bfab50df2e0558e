import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { insertTrainingRecords, listOfficerRecords } from '../../src/db/repositories/training.js';
import type { Officer } from '../../src/domain/organisation.js';
import { lapsesOn } from '../../src/domain/training/authority.js';
import type { CourseType } from '../../src/domain/training/courses.js';
import { fixedClock, SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { createSession, enrol, getSession, listCourseTypes, seedNationalCourseTypes, today } from '../../src/services/training.js';
import { formatDate } from '../../src/http/views.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

/** Dates relative to today (London), as the pages use the real clock. */
function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A GOV.UK date input's three fields for a `YYYY-MM-DD` day. */
function dateFields(name: string, day: string): Record<string, string> {
  if (!day) return { [`${name}-day`]: '', [`${name}-month`]: '', [`${name}-year`]: '' };
  const [y, m, d] = day.split('-');
  return { [`${name}-day`]: String(Number(d)), [`${name}-month`]: String(Number(m)), [`${name}-year`]: y! };
}

/** A pass about a year before, whose authority runs to `lastDay` (a day earlier when that is 28 February in a leap year). */
function passEndingOn(lastDay: string): string {
  const lapse = addDays(lastDay, 1);
  return `${Number(lapse.slice(0, 4)) - 1}${lapse.slice(4)}`.replace(/-02-29$/, '-02-28');
}

const bodyText = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

/** The services' clock, stopped at 00:15 on the 1st of a month in London: every "today" below counts from it. */
const NOW = '2026-11-01T00:15:00Z';
describe.each(testDatabases())('training pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let courses: Map<string, CourseType>;
  let lead: Client;
  let standards: Client;
  let supervisor: Client;
  let on: string;
  let upcomingId: string;
  const officers: Record<string, Officer> = {};
  const leadActor: Actor = { userId: null, label: 'lead@test.police.uk', grants: [{ role: 'programme_lead', boroughId: null }] };

  const officer = async (key: string, collarNumber: string, lastName: string, boroughId: string | null) => {
    officers[key] = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber, firstName: key, lastName, boroughId }));
    return officers[key]!;
  };
  const pass = (o: Officer, code: string, completedOn: string) =>
    insertTrainingRecords(
      t.svc.database.db,
      f.force.id,
      'test',
      [{ officerId: o.id, courseTypeId: courses.get(code)!.id, completedOn, result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: null }],
      t.svc.now().toISOString(),
    );

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    await seedNationalCourseTypes(t.svc, SYSTEM_ACTOR);
    courses = new Map((await listCourseTypes(t.svc)).map((c) => [c.code, c]));
    on = today(new Date(NOW));
    const lambeth = f.boroughs.lambeth.id;
    await pass(await officer('Tara', '9001LX', 'Trainer', null), 'initial-x2', addDays(on, -60));
    await officer('Nell', '9002LX', 'Lapsed', lambeth);
    for (const [key, collar] of [
      ['Amy', '101LX'],
      ['Ben', '102LX'],
      ['Cal', '103LX'],
      ['Eve', '104LX'],
      ['Fin', '105LX'],
    ] as const)
      await officer(key, collar, 'Student', lambeth);
    await officer('Dan', '201CN', 'Camden', f.boroughs.camden.id);
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
    await makeAccount(t, 'psd@test.police.uk', [{ role: 'professional_standards', boroughId: null }]);
    await makeAccount(t, 'sgt@test.police.uk', [{ role: 'supervisor', boroughId: lambeth }]);
    lead = await signInAs(t.app, 'lead@test.police.uk');
    standards = await signInAs(t.app, 'psd@test.police.uk');
    supervisor = await signInAs(t.app, 'sgt@test.police.uk');
  });
  afterAll(() => t.close());

  const sessionForm = (over: Record<string, string> = {}) => ({
    courseTypeId: courses.get('initial-x2')!.id,
    ...dateFields('startsOn', addDays(on, 14)),
    ...dateFields('endsOn', addDays(on, 16)),
    location: 'Hendon training centre, Room 4',
    boroughId: '',
    capacity: '2',
    trainers: '9001LX',
    ...over,
  });

  it('schedules a session and lists it on the calendar with its places', async () => {
    const res = await lead.post('/training/sessions', sessionForm());
    expect(res.statusCode).toBe(303);
    const url = res.headers.location as string;
    upcomingId = url.split('/')[3]!.split('?')[0]!;
    const page = await lead.get(url);
    expect(page.body).toContain('Session scheduled.');
    expect(page.body).toContain('Tara Trainer');

    const calendar = await lead.get('/training');
    expect(calendar.statusCode).toBe(200);
    expect(calendar.body).toContain('Hendon training centre, Room 4');
    expect(calendar.body).toContain(`href="/training/sessions/${upcomingId}"`);
    expect(calendar.body).toContain('0 of 2');
    expect(calendar.body).toContain('2 places');
    expect(calendar.body).toContain('Schedule a session');
    // A supervisor reads the calendar but does not schedule.
    const sgt = await supervisor.get('/training');
    expect(sgt.body).toContain('Hendon training centre, Room 4');
    expect(sgt.body).not.toContain('Schedule a session');
    expect((await supervisor.get('/training/sessions/new')).statusCode).toBe(403);
    // Nothing in the past yet.
    expect((await lead.get('/training?when=past')).body).toContain('No past sessions');
  });

  it('refuses a trainer who is not current, or a collar number nobody has, as field errors', async () => {
    const res = await lead.post('/training/sessions', sessionForm({ trainers: '9002LX', location: 'Kept location' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('There is a problem');
    expect(res.body).toContain(`<a href="#trainers">PC Nell Lapsed (9002LX) is not authorised to carry X2 on ${formatDate(addDays(on, 14))}: a trainer must be current</a>`);
    expect(res.body).toContain('value="Kept location"');

    const unknown = await lead.post('/training/sessions', sessionForm({ trainers: '9001LX, 0000ZZ', ...dateFields('endsOn', '') }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('No serving officer has the collar number 0000ZZ');
    expect(unknown.body).toContain('<a href="#endsOn">Enter the last day</a>');
  });

  it('enrols until the session is full, then the waiting list; a place given up goes to the first waiting', async () => {
    for (const [collar, notice] of [
      ['101LX', 'Officer enrolled'],
      ['102lx', 'Officer enrolled'],
      ['103LX', 'on the waiting list'],
    ] as const) {
      const res = await lead.post(`/training/sessions/${upcomingId}/enrolments`, { collarNumber: collar });
      expect(res.statusCode).toBe(303);
      expect((await lead.get(res.headers.location as string)).body).toContain(notice);
    }
    const again = await lead.post(`/training/sessions/${upcomingId}/enrolments`, { collarNumber: '101LX' });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('<a href="#collarNumber">PC Amy Student (101LX) is already enrolled</a>');

    let page = await lead.get(`/training/sessions/${upcomingId}`);
    expect(page.body).toContain('Officers with a place (2)');
    expect(page.body).toContain('Waiting list (1)');
    expect(page.body).toContain('Add to waiting list');
    expect((await lead.get('/training')).body).toContain('Full');

    const amy = (await getSession(t.svc, upcomingId)).enrolments.find((e) => e.officerId === officers.Amy!.id)!;
    const removed = await lead.post(`/training/sessions/${upcomingId}/enrolments/${amy.id}/remove`, {});
    expect(removed.statusCode).toBe(303);
    page = await lead.get(removed.headers.location as string);
    expect(page.body).toContain('The first officer on the waiting list now has the place.');
    expect(page.body).toContain('Waiting list (0)');
    const seats = (await getSession(t.svc, upcomingId)).enrolments;
    expect(seats.find((e) => e.officerId === officers.Cal!.id)!.status).toBe('enrolled');
    expect(seats.filter((e) => e.status === 'enrolled')).toHaveLength(2);
  });

  it('records results: a missing reason stores nothing; valid results make the officer authorised', async () => {
    const id = await createSession(t.svc, leadActor, {
      courseTypeId: courses.get('initial-x2')!.id,
      startsOn: addDays(on, -3),
      endsOn: addDays(on, -1),
      location: 'Gravesend range',
      boroughId: f.boroughs.lambeth.id,
      capacity: 6,
      trainerIds: [officers.Tara!.id],
    });
    const weekAgo = new Date(Date.parse(NOW) - 7 * 86_400_000);
    await enrol(t.svc, leadActor, id, officers.Eve!.id, weekAgo);
    await enrol(t.svc, leadActor, id, officers.Fin!.id, weekAgo);
    const seats = (await getSession(t.svc, id)).enrolments;
    const [eve, fin] = [officers.Eve!, officers.Fin!].map((o) => seats.find((s) => s.officerId === o.id)!);

    const page = await lead.get(`/training/sessions/${id}`);
    expect(page.body).toContain(`href="/training/sessions/${id}/results"`);
    expect(page.body).toContain('Awaiting results');
    const form = await lead.get(`/training/sessions/${id}/results`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="results[0][attended]"');

    const bad = await lead.post(`/training/sessions/${id}/results`, {
      'results[0][enrolmentId]': eve!.id,
      'results[0][attended]': 'yes',
      'results[0][result]': 'fail',
      'results[0][reason]': '',
      'results[1][enrolmentId]': fin!.id,
      'results[1][attended]': 'yes',
      'results[1][result]': 'pass',
      'results[1][reason]': '',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<a href="#results-0-reason">Eve Student (104LX): Give the reason the officer did not pass</a>');
    expect(bad.body).toMatch(/id="results-1-result"[^>]*value="pass" checked/);
    expect(await listOfficerRecords(t.svc.database.db, eve!.officerId)).toHaveLength(0);
    expect((await getSession(t.svc, id)).session.status).toBe('scheduled');

    const blank = await lead.post(`/training/sessions/${id}/results`, { 'results[0][enrolmentId]': eve!.id, 'results[1][enrolmentId]': fin!.id, 'results[1][attended]': 'no' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('Eve Student (104LX): Select yes if they attended, or no');
    expect(blank.body).toContain('Fin Student (105LX): Give the reason the officer did not attend');

    const ok = await lead.post(`/training/sessions/${id}/results`, {
      'results[0][enrolmentId]': eve!.id,
      'results[0][attended]': 'yes',
      'results[0][result]': 'pass',
      'results[0][reason]': '',
      'results[1][enrolmentId]': fin!.id,
      'results[1][attended]': 'no',
      'results[1][reason]': 'Sick on the first day',
    });
    expect(ok.statusCode).toBe(303);
    const done = await lead.get(ok.headers.location as string);
    expect(done.body).toContain('Results recorded: 1 passed, 0 failed, 1 did not attend.');
    expect(done.body).toContain('Completed');
    expect(done.body).toContain('Sick on the first day');

    const profile = bodyText((await lead.get(`/officers/${officers.Eve!.id}`)).body);
    expect(profile).toContain('Authority to carry Taser');
    expect(profile).toContain('Authorised to carry the X2');
    expect(profile).toContain(`Authorised until ${formatDate(addDays(lapsesOn(addDays(on, -1)), -1))}`);
    expect(profile).toContain('Passed: Initial CED course (X2)');
    expect(bodyText((await lead.get(`/officers/${officers.Fin!.id}`)).body)).toContain('Not authorised to carry Taser');

    // Fin did attend after all: the result is corrected on its own page, with a reason.
    expect(done.body).toContain(`href="/training/sessions/${id}/results/${fin!.id}/correct"`);
    expect((await lead.get(`/training/sessions/${id}/results/${fin!.id}/correct`)).body).toContain('Recorded: <strong>Did not attend (Sick on the first day)</strong>');
    const unexplained = await lead.post(`/training/sessions/${id}/results/${fin!.id}/correct`, { result: 'pass', reason: '', correctionReason: '' });
    expect(unexplained.statusCode).toBe(400);
    expect(unexplained.body).toContain('<a href="#correctionReason">Say why the result is corrected</a>');
    const corrected = await lead.post(`/training/sessions/${id}/results/${fin!.id}/correct`, { result: 'pass', reason: '', correctionReason: 'Arrived late; the register was wrong' });
    expect(corrected.headers.location).toBe(`/training/sessions/${id}?notice=result-corrected`);
    expect(bodyText((await lead.get(`/officers/${officers.Fin!.id}`)).body)).toContain('Authorised to carry the X2');
  });

  it('suspends and reinstates authority through the pages, on the timeline and in the audit log', async () => {
    const eve = officers.Eve!;
    const profile = await standards.get(`/officers/${eve.id}`);
    expect(profile.body).toContain(`href="/officers/${eve.id}/authority/suspend"`);
    expect((await standards.get(`/officers/${eve.id}/authority/suspend`)).statusCode).toBe(200);

    const blank = await standards.post(`/officers/${eve.id}/authority/suspend`, { ...dateFields('fromOn', ''), reason: '' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('<a href="#fromOn">Enter the date the suspension starts</a>');
    expect(blank.body).toContain('<a href="#reason">Enter the reason</a>');

    const suspended = await standards.post(`/officers/${eve.id}/authority/suspend`, { ...dateFields('fromOn', addDays(on, -2)), reason: 'Under investigation after a complaint' });
    expect(suspended.statusCode).toBe(303);
    let page = bodyText((await standards.get(suspended.headers.location as string)).body);
    expect(page).toContain('Authority suspended.');
    expect(page).toContain('Suspended');
    expect(page).toContain('Under investigation after a complaint');
    expect(page).toContain('Reinstate authority');
    expect((await standards.get(`/officers/${eve.id}/authority/suspend`)).statusCode).toBe(409);

    const reinstated = await standards.post(`/officers/${eve.id}/authority/reinstate`, { ...dateFields('toOn', on), reason: 'No case to answer' });
    expect(reinstated.statusCode).toBe(303);
    page = bodyText((await standards.get(reinstated.headers.location as string)).body);
    expect(page).toContain('Authority reinstated.');
    expect(page).toContain('Authorised to carry the X2');
    expect(page).toMatch(/Authority suspended .*Under investigation after a complaint/);
    expect(page).toMatch(/Authority reinstated .*No case to answer/);

    const db = t.svc.database.db;
    const audit = async (action: string) => (await listAudit(db, { action, entityId: eve.id }, { offset: 0, limit: 5 })).entries;
    expect((await audit('authority.suspend'))[0]!.actorLabel).toBe('psd@test.police.uk');
    expect(await audit('authority.reinstate')).toHaveLength(1);
  });

  it('keeps a borough-scoped supervisor to their borough', async () => {
    const dan = officers.Dan!;
    expect((await supervisor.get(`/officers/${dan.id}`)).statusCode).toBe(404);
    expect((await supervisor.get(`/officers/${dan.id}/authority/suspend`)).statusCode).toBe(404);
    expect((await supervisor.post(`/officers/${dan.id}/authority/suspend`, { ...dateFields('fromOn', on), reason: 'x' })).statusCode).toBe(404);
    const res = await supervisor.post(`/training/sessions/${upcomingId}/enrolments`, { collarNumber: '201CN' });
    expect(res.statusCode).toBe(400);
    // The error never names an officer of another borough (issue 10).
    expect(res.body).toContain('No officer with the collar number &quot;201CN&quot; in your borough: you can enrol only officers in your borough');
    expect(res.body).not.toContain('Dan');
    // Their own borough's officers they can enrol, and see on the profile with the authority actions.
    expect((await supervisor.post(`/training/sessions/${upcomingId}/enrolments`, { collarNumber: '101LX' })).statusCode).toBe(303);
    expect((await supervisor.get(`/officers/${officers.Amy!.id}`)).body).toContain('Suspend authority');
  });

  it("shows a borough-scoped supervisor only their borough's officers on a session, the others as a count (issue 10)", async () => {
    // Dan (Camden) waits for a place; the trainer, Tara, is in a force-wide unit.
    await enrol(t.svc, leadActor, upcomingId, officers.Dan!.id);
    const everyone = await lead.get(`/training/sessions/${upcomingId}`);
    expect(everyone.body).toContain('Dan Camden');
    expect(everyone.body).toContain('Tara Trainer');

    const page = bodyText((await supervisor.get(`/training/sessions/${upcomingId}`)).body);
    for (const hidden of ['Dan', '201CN', 'Tara', '9001LX']) expect(page, hidden).not.toContain(hidden);
    expect(page).toContain('Ben Student'); // their own borough's officers are there
    expect(page).toContain('1 trainer from another borough or a force-wide unit');
    expect(page).toContain('1 officer from another borough or a force-wide unit is also waiting: you can see only the officers of your borough.');
    // The counts are the session's, whoever the reader may see.
    const seats = (await getSession(t.svc, upcomingId)).enrolments;
    expect(page).toContain(`Waiting list (${seats.filter((e) => e.status === 'waiting').length})`);
    // Dan is last in the queue: the supervisor's officers keep their true places in it.
    expect((await getSession(t.svc, upcomingId, { scope: { all: false, boroughIds: [f.boroughs.lambeth.id] } })).outOfScope).toEqual({ trainers: 1, enrolled: 0, waiting: 1 });

    // The API answers the same way for a supervisor's session.
    const api = (await supervisor.get(`/api/v1/training/sessions/${upcomingId}`)).json();
    expect(JSON.stringify(api)).not.toContain('201CN');
    expect(JSON.stringify(api)).not.toContain('9001LX');
    expect(api.outOfScope).toEqual({ trainers: 1, enrolled: 0, waiting: 1 });
    expect(api.roster.every((e: { collarNumber: string }) => e.collarNumber.endsWith('LX'))).toBe(true);
  });

  it('lists officers whose authority lapses within 30, 60 or 90 days by borough, with refreshers to join', async () => {
    const soon = await officer('Lou', '301LX', 'Soon', f.boroughs.lambeth.id);
    const later = await officer('Max', '302LX', 'Later', f.boroughs.lambeth.id);
    const soonPass = passEndingOn(addDays(on, 20));
    await pass(soon, 'initial-x2', soonPass);
    await pass(later, 'initial-x2', passEndingOn(addDays(on, 45)));
    const refresher = await createSession(t.svc, leadActor, {
      courseTypeId: courses.get('refresher')!.id,
      startsOn: addDays(on, 10),
      endsOn: addDays(on, 10),
      location: 'Lambeth HQ gym',
      boroughId: f.boroughs.lambeth.id,
      capacity: 5,
      trainerIds: [officers.Tara!.id],
    });
    await enrol(t.svc, leadActor, refresher, soon.id);

    const thirty = bodyText((await supervisor.get('/training/lapsing?days=30')).body);
    expect(thirty).toContain('Lambeth (1 officer)');
    expect(thirty).toContain('Lou Soon');
    expect(thirty).toContain(formatDate(addDays(lapsesOn(soonPass), -1)));
    expect(thirty).toContain('Booked');
    expect(thirty).not.toContain('Max Later');
    expect(thirty).toContain('Next 30 days (1)');
    expect(thirty).toContain('Next 60 days (2)');
    expect(thirty).toContain('Annual CED refresher');
    expect((await supervisor.get('/training/lapsing?days=30')).body).toContain(`href="/training/sessions/${refresher}"`);

    const sixty = bodyText((await lead.get(`/training/lapsing?days=60&borough=${f.boroughs.lambeth.id}`)).body);
    expect(sixty).toContain('Lou Soon');
    expect(sixty).toContain('Max Later');
    expect(sixty).toContain('Not booked');
    const camden = bodyText((await lead.get(`/training/lapsing?days=90&borough=${f.boroughs.camden.id}`)).body);
    expect(camden).toContain('No authority lapsing');
  });

  it('adds and changes course types, and changes and cancels a session through its pages', async () => {
    const bad = await lead.post('/training/courses', { name: 'Refresher (short)', code: 'Short Refresher', kind: 'refresher', minHours: '4', days: '1', active: 'true' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<a href="#code">The code must be lower-case letters');
    expect(bad.body).toContain('<a href="#minHours">A refresher is at least 6 hours</a>');
    const ok = await lead.post('/training/courses', { name: 'Night refresher', code: 'night-refresher', kind: 'refresher', minHours: '6', days: '1', active: 'true' });
    expect(ok.statusCode).toBe(303);
    const night = (await listCourseTypes(t.svc)).find((c) => c.code === 'night-refresher')!;
    expect((await lead.post(`/training/courses/${night.id}`, { name: 'Night refresher', code: 'night-refresher', kind: 'refresher', minHours: '6', days: '1', active: 'false' })).statusCode).toBe(303);
    const list = bodyText((await supervisor.get('/training/courses')).body);
    expect(list).toContain('Night refresher');
    expect(list).toContain('Not run');
    expect((await supervisor.get(`/training/courses/${night.id}/edit`)).statusCode).toBe(403);

    const res = await lead.post('/training/sessions', sessionForm({ location: 'To be cancelled', capacity: '3' }));
    const id = (res.headers.location as string).split('/')[3]!.split('?')[0]!;
    const edit = await lead.get(`/training/sessions/${id}/edit`);
    expect(edit.body).toContain('9001LX');
    const changed = await lead.post(`/training/sessions/${id}`, sessionForm({ location: 'Changed room', capacity: '0' }));
    expect(changed.statusCode).toBe(400);
    expect(changed.body).toContain('<a href="#capacity">The capacity must be 1 or more</a>');
    expect((await lead.post(`/training/sessions/${id}`, sessionForm({ location: 'Changed room', capacity: '4' }))).statusCode).toBe(303);
    expect((await lead.get(`/training/sessions/${id}`)).body).toContain('Changed room');

    const noReason = await lead.post(`/training/sessions/${id}/cancel`, { reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('<a href="#reason">Give the reason the session is cancelled</a>');
    const cancelled = await lead.post(`/training/sessions/${id}/cancel`, { reason: 'Trainer unavailable' });
    expect(cancelled.statusCode).toBe(303);
    const page = await lead.get(cancelled.headers.location as string);
    expect(page.body).toContain('Session cancelled.');
    expect(page.body).toContain('Cancelled');
    expect((await lead.get(`/training/sessions/${id}/edit`)).statusCode).toBe(409);
  });

  it('shows an officer their own training and lets them withdraw from carrying and return', async () => {
    const me = await officer('Pat', '401LX', 'Own', f.boroughs.lambeth.id);
    await pass(me, 'initial-x2', addDays(on, -30));
    await makeAccount(t, 'pc401@test.police.uk', [{ role: 'officer', boroughId: null }], { officerId: me.id });
    const pc = await signInAs(t.app, 'pc401@test.police.uk');
    let page = bodyText((await pc.get('/my-training')).body);
    expect(page).toContain('You are authorised to carry the X2');
    expect(page).toContain('Passed: Initial CED course (X2)');

    expect((await pc.get('/my-training/withdraw')).statusCode).toBe(200);
    const bad = await pc.post('/my-training/withdraw', { ...dateFields('fromOn', addDays(on, 5)), reason: 'Personal reasons' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('The date must be today or in the past');
    const withdrawn = await pc.post('/my-training/withdraw', { ...dateFields('fromOn', addDays(on, -1)), reason: 'Personal reasons' });
    expect(withdrawn.statusCode).toBe(303);
    page = bodyText((await pc.get(withdrawn.headers.location as string)).body);
    expect(page).toContain('You have withdrawn from carrying Taser.');
    expect(page).toContain('Withdrawn');
    expect(page).toContain('Return to carrying');

    const back = await pc.post('/my-training/return', { ...dateFields('toOn', on), reason: 'Ready again' });
    expect(back.statusCode).toBe(303);
    page = bodyText((await pc.get(back.headers.location as string)).body);
    expect(page).toContain('You are authorised to carry the X2');
    expect(page).toMatch(/Returned to carrying Taser .*Ready again/);
    expect((await listAudit(t.svc.database.db, { action: 'authority.withdraw', entityId: me.id }, { offset: 0, limit: 5 })).entries[0]!.actorLabel).toBe('pc401@test.police.uk');

    // Same day: withdrawn today, the return form offers today, and today is accepted (issue 10).
    expect((await pc.post('/my-training/withdraw', { ...dateFields('fromOn', on), reason: 'Personal reasons' })).statusCode).toBe(303);
    const form = (await pc.get('/my-training/return')).body;
    const [y, m, d] = on.split('-').map(Number);
    for (const [part, value] of [
      ['day', d],
      ['month', m],
      ['year', y],
    ] as const)
      expect(form).toMatch(new RegExp(`name="toOn-${part}"[^>]*value="${value}"`));
    const sameDay = await pc.post('/my-training/return', { ...dateFields('toOn', on), reason: 'Withdrew by mistake' });
    expect(sameDay.statusCode, sameDay.body).toBe(303);
    expect(bodyText((await pc.get(sameDay.headers.location as string)).body)).toContain('You are authorised to carry the X2');

    // The officer's own page: not the training pages of others.
    expect((await pc.get('/training')).statusCode).toBe(403);
    expect((await pc.get(`/officers/${me.id}/authority/suspend`)).statusCode).toBe(403);

    await makeAccount(t, 'nolink@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    const analyst = await signInAs(t.app, 'nolink@test.police.uk');
    const none = await analyst.get('/my-training');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('not linked to an officer record');
  });

  it('pages the lapsing list, 100 officers a page, a borough carried over saying it is continued', async () => {
    for (let i = 0; i < 130; i++) {
      const tag = String.fromCharCode(97 + Math.floor(i / 26), 97 + (i % 26));
      const o = await officer(`Page${tag}`, `${5000 + i}CN`, `Paged${tag}`, f.boroughs.camden.id);
      await pass(o, 'initial-x2', passEndingOn(addDays(on, 50 + (i % 30))));
    }
    const first = bodyText((await lead.get(`/training/lapsing?days=90&borough=${f.boroughs.camden.id}`)).body);
    expect(first).toContain('130 officers in 1 borough: showing 1 to 100.');
    expect(first).toContain('Camden (130 officers)');
    expect(first).not.toContain('continued');
    expect(first.match(/Paged[a-z]{2}/g)).toHaveLength(100);
    const second = await lead.get(`/training/lapsing?days=90&borough=${f.boroughs.camden.id}&page=2`);
    expect(second.body).toContain(`href="/training/lapsing?days=90&amp;borough=${f.boroughs.camden.id}&amp;page=1"`);
    const text = bodyText(second.body);
    expect(text).toContain('showing 101 to 130.');
    expect(text).toContain('Camden (130 officers), continued');
    expect(text.match(/Paged[a-z]{2}/g)).toHaveLength(30);
    // A page past the end shows the last.
    expect(bodyText((await lead.get(`/training/lapsing?days=90&borough=${f.boroughs.camden.id}&page=9`)).body)).toContain('showing 101 to 130.');
  });
});
