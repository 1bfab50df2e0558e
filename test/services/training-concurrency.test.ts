import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import * as repo from '../../src/db/repositories/training.js';
import { ConflictError, NotFoundError, ValidationError, WorkflowError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR, fixedClock, type Actor } from '../../src/services/context.js';
import { createOfficer, getOfficer, updateOfficer } from '../../src/services/officers.js';
import {
  cancelEnrolment,
  correctResult,
  createCourseType,
  createSession,
  enrol,
  getSession,
  liftRestriction,
  listCourseTypes,
  officerAuthority,
  recordResults,
  restrictAuthority,
  seedNationalCourseTypes,
} from '../../src/services/training.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

/*
 * Issue 10 (item 3): every write path that reads before it writes must read inside its
 * transaction under a lock (or compare-and-set), so that two requests at the same moment
 * cannot both act on what they read. Each test starts two (or more) writers together with
 * Promise.allSettled and checks that exactly the right ones win, the losers get a clear
 * error, and nothing is lost or doubled. On PostgreSQL the writers really run at once (a
 * pool of connections); SQLite has one writer at a time, and must give the same answers.
 */

const ALL = { all: true } as const;
const LEAD: Actor = { userId: null, label: 'lead@test', grants: [{ role: 'programme_lead', boroughId: null }] };
const at = (day: string) => new Date(`${day}T12:00:00Z`);
const NOW = at('2026-12-01');

const fulfilled = <T>(results: PromiseSettledResult<T>[]) => results.filter((r): r is PromiseFulfilledResult<T> => r.status === 'fulfilled').map((r) => r.value);
const summary = <T>(s: unknown): T => (typeof s === 'string' ? JSON.parse(s) : s) as T;
const rejected = (results: PromiseSettledResult<unknown>[]) => results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);

describe.each(testDatabases())('training and officer writes at the same moment, on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let course: Record<string, string>;
  let trainer: string;
  let n = 0;

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock(NOW) });
    f = await smallForce(svc);
    await seedNationalCourseTypes(svc, SYSTEM_ACTOR);
    course = Object.fromEntries((await listCourseTypes(svc)).map((c) => [c.code, c.id]));
    trainer = (await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: '100LX', boroughId: null }))).id;
    await repo.insertTrainingRecords(
      svc.database.db,
      f.force.id,
      'test',
      [{ officerId: trainer, courseTypeId: course['initial-x2']!, completedOn: '2026-06-01', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'trainer' }],
      svc.now().toISOString(),
    );
  });
  afterAll(() => svc.cleanup());

  const newOfficer = async () => (await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: `${700 + ++n}LX`, boroughId: f.boroughs.lambeth.id }))).id;
  const newSession = (over: Record<string, unknown> = {}) =>
    createSession(svc, LEAD, { courseTypeId: course['initial-x2'], startsOn: '2026-12-14', endsOn: '2026-12-16', location: 'Hendon', boroughId: '', capacity: '2', trainerIds: [trainer], ...over });
  const auditCount = async (action: string, entityId?: string) => (await listAudit(svc.database.db, { action, entityId }, { offset: 0, limit: 100 })).total;

  it('gives the last place to one of two officers enrolling at once; the other waits', async () => {
    const id = await newSession({ capacity: '1' });
    const [a, b] = [await newOfficer(), await newOfficer()];
    const results = await Promise.allSettled([enrol(svc, LEAD, id, a, NOW), enrol(svc, LEAD, id, b, NOW)]);
    expect(fulfilled(results).sort()).toEqual(['enrolled', 'waiting']);
    const s = await getSession(svc, id);
    expect([s.session.enrolled, s.session.waiting]).toEqual([1, 1]);
  });

  it('enrols the same officer once when asked twice at once', async () => {
    const id = await newSession();
    const a = await newOfficer();
    const results = await Promise.allSettled([enrol(svc, LEAD, id, a, NOW), enrol(svc, LEAD, id, a, NOW)]);
    expect(fulfilled(results)).toEqual(['enrolled']);
    expect(rejected(results)).toEqual([expect.any(ConflictError)]);
    expect((await getSession(svc, id)).enrolments).toHaveLength(1);
  });

  it('takes an officer off once when removed twice at once, moving the first waiting up once', async () => {
    const id = await newSession({ capacity: '1' });
    const [a, b, c] = [await newOfficer(), await newOfficer(), await newOfficer()];
    for (const o of [a, b, c]) await enrol(svc, LEAD, id, o, NOW);
    const seat = (await getSession(svc, id)).enrolments.find((e) => e.officerId === a)!;
    const results = await Promise.allSettled([cancelEnrolment(svc, LEAD, id, seat.id), cancelEnrolment(svc, LEAD, id, seat.id)]);
    expect(fulfilled(results)).toEqual([{ promoted: [b] }]);
    expect(rejected(results)).toEqual([expect.any(NotFoundError)]);
    const after = (await getSession(svc, id)).enrolments;
    expect(after.map((e) => [e.officerId, e.status])).toEqual([
      [a, 'cancelled'],
      [b, 'enrolled'],
      [c, 'waiting'],
    ]);
  });

  it('records a session’s results once when they are sent twice at once', async () => {
    const id = await newSession({ startsOn: '2026-11-24', endsOn: '2026-11-26' });
    const [a, b] = [await newOfficer(), await newOfficer()];
    for (const o of [a, b]) await enrol(svc, LEAD, id, o, at('2026-11-20'));
    const seats = (await getSession(svc, id)).enrolments;
    const lines = (result: 'pass' | 'fail') => seats.map((s) => ({ enrolmentId: s.id, attended: 'yes', result, reason: result === 'fail' ? 'Did not meet the standard' : '' }));
    const results = await Promise.allSettled([recordResults(svc, LEAD, id, lines('pass'), NOW), recordResults(svc, LEAD, id, lines('fail'), NOW)]);
    expect(fulfilled(results)).toHaveLength(1);
    expect(rejected(results)).toEqual([expect.any(WorkflowError)]);
    const records = await repo.listOfficerRecords(svc.database.db, a);
    expect(records).toHaveLength(1); // not one per request
    const winner = fulfilled(results)[0]!.passed === 2 ? 'pass' : 'fail';
    expect(records[0]!.result).toBe(winner);
    expect(await auditCount('session.results', id)).toBe(1);
  });

  it('keeps every correction of a result when two are made at once, each from the one before', async () => {
    const id = await newSession({ startsOn: '2026-11-23', endsOn: '2026-11-25' });
    const a = await newOfficer();
    await enrol(svc, LEAD, id, a, at('2026-11-20'));
    const seat = (await getSession(svc, id)).enrolments[0]!;
    await recordResults(svc, LEAD, id, [{ enrolmentId: seat.id, attended: 'yes', result: 'pass' }], NOW);
    const results = await Promise.allSettled([
      correctResult(svc, LEAD, id, seat.id, { result: 'fail', reason: 'Failed the written test', correctionReason: 'The marking sheet was misread' }),
      correctResult(svc, LEAD, id, seat.id, { result: 'did_not_finish', reason: 'Left on the second day', correctionReason: 'The register was misread' }),
    ]);
    expect(rejected(results)).toEqual([]);
    // Both applied, one after the other: the second corrected what the first recorded.
    const { entries } = await listAudit(svc.database.db, { action: 'session.result_corrected', entityId: id }, { offset: 0, limit: 10 });
    const chain = entries.map((e) => summary<{ from: { result: string }; to: { result: string } }>(e.summary)).reverse();
    expect(chain).toHaveLength(2);
    expect(chain[0]!.from.result).toBe('pass');
    expect(chain[1]!.from.result).toBe(chain[0]!.to.result);
    const [record] = await repo.listOfficerRecords(svc.database.db, a);
    expect(record!.result).toBe(chain[1]!.to.result);
  });

  it('suspends once when two supervisors suspend at once', async () => {
    const a = await newOfficer();
    const reason = { fromOn: '2026-12-01', reason: 'Under investigation after a complaint' };
    const results = await Promise.allSettled([restrictAuthority(svc, LEAD, ALL, a, 'suspension', reason, NOW), restrictAuthority(svc, LEAD, ALL, a, 'suspension', reason, NOW)]);
    expect(fulfilled(results)).toHaveLength(1);
    expect(rejected(results)).toEqual([expect.any(WorkflowError)]);
    expect((await officerAuthority(svc, ALL, a, NOW)).restrictions).toHaveLength(1);
    // And reinstates once.
    const lift = { toOn: '2026-12-01', reason: 'No case to answer' };
    const lifted = await Promise.allSettled([liftRestriction(svc, LEAD, ALL, a, 'suspension', lift, NOW), liftRestriction(svc, LEAD, ALL, a, 'suspension', lift, NOW)]);
    expect(fulfilled(lifted)).toHaveLength(1);
    expect(rejected(lifted)).toEqual([expect.any(WorkflowError)]);
    expect(await auditCount('authority.reinstate', a)).toBe(1);
  });

  it('creates one officer when two are added with the same collar number at once; the other is told', async () => {
    const input = officerFixture({ collarNumber: '999LX', boroughId: f.boroughs.lambeth.id });
    const results = await Promise.allSettled([createOfficer(svc, SYSTEM_ACTOR, ALL, input), createOfficer(svc, SYSTEM_ACTOR, ALL, { ...input, firstName: 'Other' })]);
    expect(fulfilled(results)).toHaveLength(1);
    expect(rejected(results)).toEqual([expect.any(ValidationError)]);
    expect(rejected(results)[0]).toMatchObject({ errors: [{ field: 'collarNumber', message: 'Collar number 999LX is already used by another officer' }] });
  });

  it('creates one course type when two are added with the same code at once; the other is told', async () => {
    const input = { code: 'taser10-conversion', name: 'TASER 10 conversion', kind: 'conversion', qualifiesFor: ['TASER 7'], minHours: '12', days: '2' };
    const results = await Promise.allSettled([createCourseType(svc, LEAD, input), createCourseType(svc, LEAD, { ...input, name: 'T10' })]);
    expect(fulfilled(results)).toHaveLength(1);
    expect(rejected(results)).toEqual([expect.any(ValidationError)]);
    expect(rejected(results)[0]).toMatchObject({ errors: [{ field: 'code', message: 'A course with the code taser10-conversion already exists' }] });
  });

  it('applies two edits of one officer at once one after the other, each audited from the one before', async () => {
    const a = await newOfficer();
    const before = await getOfficer(svc, ALL, a);
    const edit = (over: Record<string, unknown>) => updateOfficer(svc, SYSTEM_ACTOR, ALL, a, { ...before, ...over });
    const results = await Promise.allSettled([edit({ rank: 'Sergeant' }), edit({ rank: 'Inspector' })]);
    expect(rejected(results)).toEqual([]);
    const after = await getOfficer(svc, ALL, a);
    const { entries } = await listAudit(svc.database.db, { action: 'officer.update', entityId: a }, { offset: 0, limit: 10 });
    const changes = entries.map((e) => summary<{ changes: { rank: { from: string; to: string } } }>(e.summary).changes.rank).reverse();
    expect(changes).toHaveLength(2);
    expect(changes[0]!.from).toBe('Police Constable');
    expect(changes[1]!.from).toBe(changes[0]!.to); // the history never skips a value
    expect(after.rank).toBe(changes[1]!.to);
  });
});
