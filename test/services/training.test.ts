import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import * as repo from '../../src/db/repositories/training.js';
import type { Scope } from '../../src/domain/permissions.js';
import { ConflictError, ValidationError, WorkflowError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR, fixedClock, type Actor } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import {
  cancelEnrolment,
  cancelSession,
  correctResult,
  createCourseType,
  createSession,
  enrol,
  getSession,
  authorisedCounts,
  lapsing,
  lapsingWithin,
  liftRestriction,
  listCourseTypes,
  officerAuthority,
  recordResults,
  restrictAuthority,
  seedNationalCourseTypes,
  updateSession,
} from '../../src/services/training.js';
import { getReport, saveSection, startReport, submitReport } from '../../src/services/reports.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { firedReport, recordingOfficer } from '../support/report-fixtures.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';

const ALL = { all: true } as const;
const LEAD: Actor = { userId: null, label: 'lead@test', grants: [{ role: 'programme_lead', boroughId: null }] };
const at = (day: string) => new Date(`${day}T12:00:00Z`);

describe.each(testDatabases())('training services on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let course: Record<string, string>;
  const officer: Record<string, string> = {};
  let sessionId: string;

  beforeAll(async () => {
    // The dates below are fixed: so is the services' clock (sessions are scheduled up to two years ahead).
    svc = await openTestServices(kind, { clock: fixedClock('2026-12-01T12:00:00Z') });
    f = await smallForce(svc);
    expect(await seedNationalCourseTypes(svc, SYSTEM_ACTOR)).toBe(5);
    expect(await seedNationalCourseTypes(svc, SYSTEM_ACTOR)).toBe(0);
    course = Object.fromEntries((await listCourseTypes(svc)).map((c) => [c.code, c.id]));
    for (const [name, collar] of [
      ['trainer', '100LX'],
      ['asha', '201LX'],
      ['ben', '202LX'],
      ['cara', '203LX'],
    ] as const) {
      const o = await createOfficer(
        svc,
        SYSTEM_ACTOR,
        ALL,
        officerFixture({ collarNumber: collar, firstName: name[0]!.toUpperCase() + name.slice(1), boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }),
      );
      officer[name] = o.id;
    }
    // The trainer: X26 initial, converted to the X2, refreshed on 1 June 2026 (authorised to 31 May 2027).
    await repo.insertTrainingRecords(
      svc.database.db,
      f.force.id,
      'test',
      [
        { officerId: officer.trainer!, courseTypeId: course['initial-x26']!, completedOn: '2024-01-10', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 't1' },
        { officerId: officer.trainer!, courseTypeId: course['conversion-x26-x2']!, completedOn: '2024-02-01', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 't2' },
        { officerId: officer.trainer!, courseTypeId: course.refresher!, completedOn: '2026-06-01', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 't3' },
      ],
      svc.now().toISOString(),
    );
  });
  afterAll(() => svc.cleanup());

  const session = (over: Record<string, unknown> = {}) => ({
    courseTypeId: course['initial-x2'],
    startsOn: '2026-12-07',
    endsOn: '2026-12-09',
    location: 'Hendon training centre',
    boroughId: '',
    capacity: '2',
    trainerIds: [officer.trainer],
    ...over,
  });

  it('course types: the national ones are seeded once; a duplicate code and a short initial course are refused', async () => {
    const codes = (await listCourseTypes(svc)).map((c) => c.code).sort();
    expect(codes).toEqual(['conversion-taser7', 'conversion-x26-x2', 'initial-x2', 'initial-x26', 'refresher']);
    await expect(createCourseType(svc, LEAD, { code: 'refresher', name: 'Again', kind: 'refresher', minHours: 6, days: 1 })).rejects.toBeInstanceOf(ConflictError);
    const err = await createCourseType(svc, LEAD, { code: 'short', name: 'Short', kind: 'initial', qualifiesFor: [], minHours: 8, days: 1 }).catch((e) => e);
    expect((err as ValidationError).errors.map((e) => e.field).sort()).toEqual(['minHours', 'qualifiesFor']);
  });

  it('a trainer must be current on the first day, and a course must fit its dates', async () => {
    const err = await createSession(svc, LEAD, session({ trainerIds: [officer.asha], endsOn: '2026-12-08' })).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors).toEqual([
      { field: 'endsOn', message: 'Initial CED course (X2) takes 3 days: the session runs 2' },
      { field: 'trainerIds', message: expect.stringMatching(/PC Asha Patel \(201LX\) is not authorised to carry X2 on 2026-12-07: a trainer must be current/) },
    ]);
    // The trainer's authority ends on 31 May 2027: a session after that needs another trainer.
    const late = await createSession(svc, LEAD, session({ startsOn: '2027-06-01', endsOn: '2027-06-03' })).catch((e) => e);
    expect((late as ValidationError).errors[0]).toMatchObject({ field: 'trainerIds' });
    sessionId = await createSession(svc, LEAD, session());
    expect((await getSession(svc, sessionId, { now: at('2026-11-28') })).trainers.map((t) => t.collarNumber)).toEqual(['100LX']);
  });

  it('enrols until full, then the waiting list; a place given up goes to the longest waiting', async () => {
    const now = at('2026-11-28');
    expect(await enrol(svc, LEAD, sessionId, officer.asha, now)).toBe('enrolled');
    expect(await enrol(svc, LEAD, sessionId, officer.ben, now)).toBe('enrolled');
    expect(await enrol(svc, LEAD, sessionId, officer.cara, now)).toBe('waiting');
    await expect(enrol(svc, LEAD, sessionId, officer.asha, now)).rejects.toBeInstanceOf(ConflictError);
    await expect(enrol(svc, LEAD, sessionId, officer.trainer, now)).rejects.toBeInstanceOf(ValidationError);
    let s = await getSession(svc, sessionId, { now: now });
    expect([s.session.enrolled, s.session.waiting]).toEqual([2, 1]);
    // Never over-filled: capacity cannot drop below the places given.
    await expect(updateSession(svc, LEAD, sessionId, session({ capacity: 1 }))).rejects.toMatchObject({ errors: [{ field: 'capacity' }] });
    const ben = s.enrolments.find((e) => e.officerId === officer.ben)!;
    expect((await cancelEnrolment(svc, LEAD, sessionId, ben.id)).promoted).toEqual([officer.cara]);
    s = await getSession(svc, sessionId, { now: now });
    expect(s.enrolments.filter((e) => e.status === 'enrolled').map((e) => e.officerId)).toEqual([officer.asha, officer.cara]);
    // Ben asks again: back of the queue.
    expect(await enrol(svc, LEAD, sessionId, officer.ben, now)).toBe('waiting');
    await expect(enrol(svc, LEAD, sessionId, officer.ben, at('2026-12-07'))).rejects.toBeInstanceOf(WorkflowError);
  });

  it('results: not before the last day; every place needs a line; a fail needs a reason; nothing stored on error', async () => {
    const s = await getSession(svc, sessionId, { now: at('2026-12-09') });
    expect(s.resultsOpen).toBe(true);
    const asha = s.enrolments.find((e) => e.officerId === officer.asha)!;
    const cara = s.enrolments.find((e) => e.officerId === officer.cara)!;
    await expect(recordResults(svc, LEAD, sessionId, [], at('2026-12-08'))).rejects.toBeInstanceOf(WorkflowError);
    const err = await recordResults(
      svc,
      LEAD,
      sessionId,
      [
        { enrolmentId: asha.id, attended: 'yes', result: 'pass' },
        { enrolmentId: cara.id, attended: 'yes', result: 'fail', reason: '' },
      ],
      at('2026-12-09'),
    ).catch((e) => e);
    expect((err as ValidationError).errors).toEqual([{ field: 'results.1.reason', message: 'Cara Patel (203LX): Give the reason the officer did not pass' }]);
    const missing = await recordResults(svc, LEAD, sessionId, [{ enrolmentId: asha.id, attended: 'yes', result: 'pass' }], at('2026-12-09')).catch((e) => e);
    expect((missing as ValidationError).errors[0]!.message).toMatch(/Cara Patel \(203LX\): record whether they attended/);
    expect((await getSession(svc, sessionId, { now: at('2026-12-09') })).session.status).toBe('scheduled');
    expect((await officerAuthority(svc, ALL, officer.asha!, at('2026-12-10'))).records).toEqual([]);

    const summary = await recordResults(
      svc,
      LEAD,
      sessionId,
      [
        { enrolmentId: asha.id, attended: 'yes', result: 'pass' },
        { enrolmentId: cara.id, attended: 'yes', result: 'fail', reason: 'Did not meet the shooting standard' },
      ],
      at('2026-12-09'),
    );
    expect(summary).toEqual({ passed: 1, failed: 1, absent: 0 });
    const after = await getSession(svc, sessionId, { now: at('2026-12-10') });
    expect(after.session.status).toBe('completed');
    expect(after.enrolments.find((e) => e.officerId === officer.ben)!.status).toBe('cancelled');
    await expect(recordResults(svc, LEAD, sessionId, [], at('2026-12-10'))).rejects.toBeInstanceOf(WorkflowError);

    const a = await officerAuthority(svc, ALL, officer.asha!, at('2026-12-10'));
    expect(a.authorised).toBe(true);
    expect(a.authorities).toEqual([expect.objectContaining({ model: 'X2', status: 'authorised', expiresOn: '2027-12-08' })]);
    expect(a.timeline[0]).toMatchObject({ on: '2026-12-09', title: 'Passed: Initial CED course (X2)', tag: 'pass' });
    const c = await officerAuthority(svc, ALL, officer.cara!, at('2026-12-10'));
    expect(c.authorised).toBe(false);
    expect(c.timeline[0]).toMatchObject({ title: 'Failed: Initial CED course (X2)', detail: 'Did not meet the shooting standard' });
    const { entries } = await listAudit(svc.database.db, { entityId: sessionId }, { offset: 0, limit: 20 });
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['session.create', 'session.enrol', 'session.wait', 'session.unenrol', 'session.results']));
  });

  it('corrects a result recorded wrongly: the record keeps what it was and why, authority follows, the audit log keeps it', async () => {
    const s = await getSession(svc, sessionId);
    const cara = s.enrolments.find((e) => e.officerId === officer.cara)!;
    const err = await correctResult(svc, LEAD, sessionId, cara.id, { result: 'pass', correctionReason: ' ' }).catch((e) => e);
    expect((err as ValidationError).errors).toEqual([{ field: 'correctionReason', message: 'Say why the result is corrected' }]);
    await expect(correctResult(svc, LEAD, sessionId, cara.id, { result: 'fail', reason: 'Did not meet the shooting standard', correctionReason: 'x' })).rejects.toMatchObject({
      errors: [{ field: 'result', message: 'Nothing has changed: choose the right result' }],
    });
    expect((await officerAuthority(svc, ALL, officer.cara!, at('2026-12-10'))).authorised).toBe(false);
    await correctResult(svc, LEAD, sessionId, cara.id, { result: 'pass', reason: 'ignored for a pass', correctionReason: 'The assessment sheet was misread' });
    const c = await officerAuthority(svc, ALL, officer.cara!, at('2026-12-10'));
    expect(c.authorised).toBe(true);
    expect(c.records).toEqual([
      expect.objectContaining({ result: 'pass', reason: null, correction: expect.objectContaining({ previousResult: 'fail', reason: 'The assessment sheet was misread', by: 'lead@test' }) }),
    ]);
    expect(c.timeline.map((t) => t.title)).toContain('Result corrected: failed → passed (Initial CED course (X2), 2026-12-09)');
    expect((await getSession(svc, sessionId)).enrolments.find((e) => e.id === cara.id)).toMatchObject({ result: 'pass', resultReason: null });
    const { entries } = await listAudit(svc.database.db, { entityId: sessionId }, { offset: 0, limit: 20 });
    expect(JSON.parse(entries.find((e) => e.action === 'session.result_corrected')!.summary)).toMatchObject({
      officerId: officer.cara,
      from: { result: 'fail' },
      to: { result: 'pass', reason: null },
    });
    // Only a completed session's results can be corrected.
    const open = await createSession(svc, LEAD, session({ startsOn: '2027-03-01', endsOn: '2027-03-03' }));
    await enrol(svc, LEAD, open, officer.ben, at('2026-12-01'));
    const seat = (await getSession(svc, open)).enrolments[0]!;
    await expect(correctResult(svc, LEAD, open, seat.id, { result: 'pass', correctionReason: 'x' })).rejects.toBeInstanceOf(WorkflowError);
  });

  it('suspends and reinstates, records a withdrawal and a return; each on the timeline and in the audit log', async () => {
    const id = officer.asha!;
    await expect(restrictAuthority(svc, LEAD, ALL, id, 'suspension', { fromOn: '2026-12-12', reason: 'Complaint under investigation' }, at('2026-12-11'))).rejects.toMatchObject({
      errors: [{ field: 'fromOn' }],
    });
    await restrictAuthority(svc, LEAD, ALL, id, 'suspension', { fromOn: '2026-12-11', reason: 'Unintentional discharge under investigation' }, at('2026-12-11'));
    await expect(restrictAuthority(svc, LEAD, ALL, id, 'suspension', { fromOn: '2026-12-11', reason: 'Again, the same complaint' }, at('2026-12-11'))).rejects.toBeInstanceOf(WorkflowError);
    let a = await officerAuthority(svc, ALL, id, at('2026-12-15'));
    expect(a.authorities[0]).toMatchObject({ status: 'suspended', authorised: false, expiresOn: '2027-12-08' });
    expect(a.openSuspension?.reason).toBe('Unintentional discharge under investigation');
    await expect(liftRestriction(svc, LEAD, ALL, id, 'suspension', { toOn: '2026-12-10', reason: 'No case to answer' }, at('2026-12-20'))).rejects.toMatchObject({ errors: [{ field: 'toOn' }] });
    await liftRestriction(svc, LEAD, ALL, id, 'suspension', { toOn: '2026-12-20', reason: 'No case to answer' }, at('2026-12-20'));
    a = await officerAuthority(svc, ALL, id, at('2026-12-20'));
    expect(a.authorised).toBe(true);
    expect(a.openSuspension).toBeNull();
    // Still suspended on the 19th, looking back.
    expect((await officerAuthority(svc, ALL, id, at('2026-12-19'))).authorised).toBe(false);

    await restrictAuthority(svc, SYSTEM_ACTOR, ALL, id, 'withdrawal', { fromOn: '2027-01-04', reason: 'Personal reasons' }, at('2027-01-04'));
    expect((await officerAuthority(svc, ALL, id, at('2027-01-05'))).authorities[0]).toMatchObject({ status: 'withdrawn' });
    await expect(liftRestriction(svc, SYSTEM_ACTOR, ALL, id, 'suspension', { toOn: '2027-01-05', reason: 'No case to answer' }, at('2027-01-05'))).rejects.toBeInstanceOf(WorkflowError);
    await liftRestriction(svc, SYSTEM_ACTOR, ALL, id, 'withdrawal', { toOn: '2027-02-01', reason: 'Ready to carry again' }, at('2027-02-01'));
    a = await officerAuthority(svc, ALL, id, at('2027-02-01'));
    expect(a.authorised).toBe(true);
    expect(a.timeline.slice(0, 4).map((t) => t.title)).toEqual(['Returned to carrying Taser', 'Withdrew from carrying Taser', 'Authority reinstated', 'Authority suspended']);
    const { entries } = await listAudit(svc.database.db, { entityId: id }, { offset: 0, limit: 20 });
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['authority.suspend', 'authority.reinstate', 'authority.withdraw', 'authority.resume']));
  });

  it('takes back a withdrawal on the day it was recorded, at a fixed date (issue 10)', async () => {
    const id = officer.asha!; // authorised on the day (passed the initial course in December 2026)
    const day = at('2027-03-10');
    const before = await officerAuthority(svc, ALL, id, day);
    expect(before.authorised).toBe(true);
    await restrictAuthority(svc, SYSTEM_ACTOR, ALL, id, 'withdrawal', { fromOn: '2027-03-10', reason: 'Personal reasons' }, day);
    expect((await officerAuthority(svc, ALL, id, day)).authorities.map((a) => a.status)).toContain('withdrawn');
    // The return form offers today: the same day as the withdrawal is accepted, and undoes it.
    await liftRestriction(svc, SYSTEM_ACTOR, ALL, id, 'withdrawal', { toOn: '2027-03-10', reason: 'Recorded by mistake' }, day);
    const after = await officerAuthority(svc, ALL, id, day);
    expect(after.openWithdrawal).toBeNull();
    expect(after.authorised).toBe(before.authorised);
    expect(after.authorities).toEqual(before.authorities);
    // It can be recorded again the same day, and ended the same day again.
    await restrictAuthority(svc, SYSTEM_ACTOR, ALL, id, 'withdrawal', { fromOn: '2027-03-10', reason: 'Personal reasons after all' }, day);
    await liftRestriction(svc, SYSTEM_ACTOR, ALL, id, 'withdrawal', { toOn: '2027-03-10', reason: 'Changed my mind' }, day);
    expect((await officerAuthority(svc, ALL, id, day)).authorities).toEqual(before.authorities);
  });

  it('refuses a suspension before the officer joined, or with a reason of one word (issue 10)', async () => {
    const id = officer.cara!;
    await expect(restrictAuthority(svc, LEAD, ALL, id, 'suspension', { fromOn: '1900-01-01', reason: 'Under investigation after a complaint' }, at('2026-12-06'))).rejects.toMatchObject({
      errors: [{ field: 'fromOn', message: 'The date must be on or after 2015-09-01, when the officer joined' }],
    });
    await expect(restrictAuthority(svc, LEAD, ALL, id, 'suspension', { fromOn: '2026-12-06', reason: 'x' }, at('2026-12-06'))).rejects.toMatchObject({ errors: [{ field: 'reason' }] });
    expect((await officerAuthority(svc, ALL, id, at('2026-12-06'))).restrictions).toEqual([]);
  });

  it('a borough-scoped reader cannot see or suspend an officer of another borough', async () => {
    const camden: Scope = { all: false, boroughIds: [f.boroughs.camden.id] };
    await expect(officerAuthority(svc, camden, officer.asha!)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(restrictAuthority(svc, LEAD, camden, officer.asha!, 'suspension', { fromOn: '2026-11-01', reason: 'Under investigation after a complaint' })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('lists officers lapsing within 30/60/90 days by borough, with refresher sessions before they lapse', async () => {
    const refresher = await createSession(svc, LEAD, session({ courseTypeId: course.refresher, startsOn: '2027-05-10', endsOn: '2027-05-10', capacity: 10, trainerIds: [officer.asha] }));
    const soon = await lapsing(svc, ALL, 30, undefined, at('2027-05-05'));
    expect(soon.until).toBe('2027-06-03');
    expect(soon.boroughs).toEqual([expect.objectContaining({ boroughName: 'Lambeth', officers: [expect.objectContaining({ collarNumber: '100LX', expiresOn: '2027-05-31', booked: null })] })]);
    expect(soon.boroughs[0]!.sessions.map((s) => s.id)).toEqual([refresher]);
    expect((await lapsing(svc, ALL, 30, undefined, at('2027-04-01'))).total).toBe(0);
    expect((await lapsing(svc, ALL, 90, undefined, at('2027-04-01'))).total).toBe(1);
    expect((await lapsing(svc, { all: false, boroughIds: [f.boroughs.camden.id] }, 90, undefined, at('2027-04-01'))).total).toBe(0);
    await enrol(svc, LEAD, refresher, officer.trainer, at('2027-05-05'));
    expect((await lapsing(svc, ALL, 30, undefined, at('2027-05-05'))).boroughs[0]!.officers[0]!.booked).toEqual({ startsOn: '2027-05-10', waiting: false });
    // The page reads the 90 days once and narrows them for the 30- and 60-day tabs: the same lists.
    for (const on of ['2027-04-01', '2027-05-05', '2027-05-20'])
      for (const days of [30, 60]) expect(lapsingWithin(await lapsing(svc, ALL, 90, undefined, at(on)), days)).toEqual(await lapsing(svc, ALL, days, undefined, at(on)));
    // The list is kept between requests, until authority changes: a refresher passed (written
    // straight to the table) takes the officer off it at once, and its removal puts them back.
    await repo.insertTrainingRecords(
      svc.database.db,
      f.force.id,
      'test',
      [{ officerId: officer.trainer!, courseTypeId: course.refresher!, completedOn: '2027-05-04', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 't-kept' }],
      svc.now().toISOString(),
    );
    expect((await lapsing(svc, ALL, 30, undefined, at('2027-05-05'))).total).toBe(0);
    await svc.database.db.deleteFrom('training_record').where('source_key', '=', 't-kept').execute();
    expect((await lapsing(svc, ALL, 30, undefined, at('2027-05-05'))).total).toBe(1);
  });

  it('never over-fills a session when officers enrol at the same moment', async () => {
    const id = await createSession(svc, LEAD, session({ startsOn: '2027-02-01', endsOn: '2027-02-03', capacity: 2 }));
    const people: string[] = [];
    for (let i = 0; i < 6; i++) people.push((await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: `5${i}0LX`, boroughId: f.boroughs.lambeth.id }))).id);
    const places = await Promise.all(people.map((p) => enrol(svc, LEAD, id, p, at('2026-12-01'))));
    expect(places.filter((p) => p === 'enrolled')).toHaveLength(2);
    const s = await getSession(svc, id);
    expect([s.session.enrolled, s.session.waiting]).toEqual([2, 4]);
  });

  it('cancelling a session cancels its places and needs a reason', async () => {
    const id = await createSession(svc, LEAD, session({ startsOn: '2027-01-11', endsOn: '2027-01-13' }));
    await enrol(svc, LEAD, id, officer.ben, at('2026-12-01'));
    await expect(cancelSession(svc, LEAD, id, ' ')).rejects.toMatchObject({ errors: [{ field: 'reason' }] });
    await cancelSession(svc, LEAD, id, 'Trainer unavailable');
    const s = await getSession(svc, id);
    expect(s.session.status).toBe('cancelled');
    expect(s.enrolments.map((e) => e.status)).toEqual(['cancelled']);
    await expect(enrol(svc, LEAD, id, officer.cara, at('2026-12-01'))).rejects.toBeInstanceOf(WorkflowError);
  });

  it("the report's CED-trained answer is the officer's authority on the incident day, whatever was sent", async () => {
    const trained = await recordingOfficer(svc, f.boroughs.lambeth.id, { collarNumber: '301LX' }, 'trained@test.police.uk');
    const untrained = await recordingOfficer(svc, f.boroughs.lambeth.id, { collarNumber: '302LX' }, 'untrained@test.police.uk');
    const trainedOfficer = (await svc.database.db.selectFrom('officer').select('id').where('collar_number', '=', '301LX').executeTakeFirstOrThrow()).id;
    await repo.insertTrainingRecords(
      svc.database.db,
      f.force.id,
      'test',
      [{ officerId: trainedOfficer, courseTypeId: course['initial-x2']!, completedOn: '2026-01-10', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'r1' }],
      svc.now().toISOString(),
    );
    const answer = async (pc: Actor, incidentDate: string, sent: boolean) => {
      const r = await startReport(svc, pc);
      const sections = firedReport(f.boroughs.lambeth.id, {
        incident: { reference: `CAD ${incidentDate}`, date: incidentDate, time: '22:15', boroughId: f.boroughs.lambeth.id, locations: ['street'] },
        duty: { mainDuty: 'response', singleCrewed: false, cedTrained: sent, carryingCed: true },
      });
      for (const [key, value] of Object.entries(sections)) await saveSection(svc, pc, r.id, key as SectionKey, value);
      await submitReport(svc, pc, r.id, at('2026-11-25'));
      return ((await getReport(svc, pc, r.id, at('2026-11-25'))).report.content.duty as { cedTrained: boolean }).cedTrained;
    };
    expect(await answer(trained, '2026-11-20', false)).toBe(true);
    expect(await answer(untrained, '2026-11-20', true)).toBe(false);
    // Before the pass, the same officer was not trained.
    expect(await answer(trained, '2026-01-09', true)).toBe(false);
  });

  // Last: it adds an authorised officer.
  it('counts the officers authorised on each day afresh after a change of training, even one written straight to the table', async () => {
    const days = ['2026-10-31', '2026-11-30'];
    const counts = () => authorisedCounts(svc.database.db, f.force.id, days);
    const before = await counts();
    expect(await counts()).toEqual(before); // kept
    const o = await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: '901LX', boroughId: f.boroughs.lambeth.id, joinedOn: '2020-01-01' }));
    await recordPasses(svc, [{ officerId: o.id, course: 'initial-x2', on: '2026-11-10' }]);
    expect(await counts()).toEqual([before[0], before[1]! + 1]);
    await svc.database.db.deleteFrom('training_record').where('officer_id', '=', o.id).execute();
    expect(await counts()).toEqual(before);
  });
});
