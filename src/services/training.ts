import * as accountsRepo from '../db/repositories/accounts.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import * as repo from '../db/repositories/training.js';
import type { SessionStatus, StoredRestriction, StoredTrainingRecord, TrainingSession } from '../domain/training/records.js';
import { isUniqueViolation } from '../db/errors.js';
import type { DatabaseKind, Executor } from '../db/database.js';
import type { Officer } from '../domain/organisation.js';
import { officerDisplayName } from '../domain/organisation.js';
import { scopeIncludes, scopeKey, type Scope } from '../domain/permissions.js';
import { VersionedCache } from './cache.js';
import { addDays, londonDate, previousDay } from '../domain/calendar.js';
import { authoritiesOn, authorisedIn, authorisedOn, authorityHistory, lapsesOn, type AuthorityHistory, type Authority, type Restriction, type TrainingRecord } from '../domain/training/authority.js';
import {
  DEVICE_MODELS,
  NATIONAL_COURSE_TYPES,
  capacityProblem,
  courseTypeInput,
  liftInput,
  placeFor,
  promotions,
  restrictionEndProblem,
  restrictionInput,
  restrictionStartProblem,
  resultCorrectionInput,
  resultInput,
  sessionDateProblems,
  sessionInput,
  sessionWindowProblem,
  type CourseType,
  type RestrictionKind,
  type SessionInput,
} from '../domain/training/courses.js';
import { ConflictError, NotFoundError, ValidationError, WorkflowError, type FieldError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import { change, pageWindow, type Actor, type Audit, type Page, type Services } from './context.js';
import { getForce } from './organisation.js';

/*
 * Training and authority to carry (issue 5): course types, sessions with enrolment and
 * waiting lists, results, suspensions and withdrawals, and authority derived from them.
 * Each exported function is one use case; each change is audited in its transaction.
 */

export const today = (now: Date) => londonDate(now);

// Course types ------------------------------------------------------------------------

export async function listCourseTypes(svc: Services): Promise<CourseType[]> {
  const force = await getForce(svc);
  return repo.listCourseTypes(svc.database.db, force.id);
}

export async function getCourseType(svc: Services, id: string): Promise<CourseType> {
  const force = await getForce(svc);
  const c = await repo.findCourseType(svc.database.db, id);
  if (!c || c.forceId !== force.id) throw new NotFoundError('Course', id);
  return c;
}

/** Adds, in a change's transaction, the national course types the force does not have yet (by code). Returns how many. */
export async function addNationalCourseTypes(trx: Executor, forceId: string, audit: Audit, at: string): Promise<number> {
  let added = 0;
  for (const c of NATIONAL_COURSE_TYPES) {
    if (await repo.findCourseTypeByCode(trx, forceId, c.code)) continue;
    const created = await repo.insertCourseType(trx, forceId, { ...c, active: true }, at);
    await audit({ action: 'course_type.create', entityType: 'course_type', entityId: created.id, summary: { after: c } });
    added++;
  }
  return added;
}

/** Adds the national course types a force does not have yet (by code). Returns how many were added. */
export async function seedNationalCourseTypes(svc: Services, actor: Actor): Promise<number> {
  const force = await getForce(svc);
  return change(svc, actor, (trx, audit) => addNationalCourseTypes(trx, force.id, audit, svc.now().toISOString()));
}

const COURSE_CODE_UNIQUE = { name: 'course_type_code_uq', column: 'course_type.code' };
const codeTaken = (code: string) => new ConflictError('code', `A course with the code ${code} already exists`);

/** Another writer storing the same code in the same moment: this one is told, as if it had looked second. */
async function refusingDuplicateCode<T>(code: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err, COURSE_CODE_UNIQUE)) throw codeTaken(code);
    throw err;
  }
}

export async function createCourseType(svc: Services, actor: Actor, input: unknown): Promise<CourseType> {
  const force = await getForce(svc);
  const c = parseInput(courseTypeInput, input);
  return refusingDuplicateCode(c.code, () =>
    change(svc, actor, async (trx, audit) => {
      if (await repo.findCourseTypeByCode(trx, force.id, c.code)) throw codeTaken(c.code);
      const created = await repo.insertCourseType(trx, force.id, c, svc.now().toISOString());
      await audit({ action: 'course_type.create', entityType: 'course_type', entityId: created.id, summary: { after: c } });
      return created;
    }),
  );
}

export async function updateCourseType(svc: Services, actor: Actor, id: string, input: unknown): Promise<CourseType> {
  const force = await getForce(svc);
  const c = parseInput(courseTypeInput, input);
  return refusingDuplicateCode(c.code, () =>
    change(svc, actor, async (trx, audit) => {
      await repo.lockCourseType(trx, svc.database.kind, id);
      const before = await repo.findCourseType(trx, id);
      if (!before || before.forceId !== force.id) throw new NotFoundError('Course', id);
      const clash = await repo.findCourseTypeByCode(trx, force.id, c.code);
      if (clash && clash.id !== id) throw codeTaken(c.code);
      if (before.kind !== c.kind || before.qualifiesFor.join() !== c.qualifiesFor.join()) {
        if (await repo.courseTypeInUse(trx, id))
          throw new ConflictError('kind', 'Officers already hold results on this course: its kind and the models it qualifies for cannot change (add a new course instead)');
      }
      await repo.updateCourseType(trx, id, c, svc.now().toISOString());
      await audit({ action: 'course_type.update', entityType: 'course_type', entityId: id, summary: { before: { ...before, forceId: undefined }, after: c } });
      return (await repo.findCourseType(trx, id))!;
    }),
  );
}

// Authority ---------------------------------------------------------------------------

/** Every active officer's training and restrictions, for counts. One read of each table. */
export async function authorityInputs(db: Executor, forceId: string, officerIds?: readonly string[]) {
  const [records, restrictionList] = await Promise.all([repo.recordsByOfficer(db, forceId, officerIds), repo.listRestrictions(db, forceId, officerIds)]);
  const restrictions = new Map<string, Restriction[]>();
  for (const r of restrictionList) {
    const list = restrictions.get(r.officerId) ?? [];
    list.push(r);
    restrictions.set(r.officerId, list);
  }
  return {
    records: (id: string): TrainingRecord[] => records.get(id) ?? [],
    restrictions: (id: string): Restriction[] => restrictions.get(id) ?? [],
  };
}

/** Every officer of the force with when they could carry (any model): what counts are made from. */
export interface ForceAuthority {
  officers: officersRepo.OfficerSpan[];
  history(officerId: string): AuthorityHistory;
  records(officerId: string): TrainingRecord[];
  restrictions(officerId: string): Restriction[];
}

const NO_AUTHORITY: AuthorityHistory = { intervals: [] };
const forceAuthorityCache = new VersionedCache<ForceAuthority>(['authority']);

/**
 * The force's officers and their authority over time, worked out once per officer as intervals
 * (authorityHistory). Kept between requests until any training record, suspension, withdrawal,
 * officer, team or borough changes (the `authority` change counter, read each time: one
 * primary-key read instead of reading every record again).
 */
export async function forceAuthority(db: Executor, forceId: string): Promise<ForceAuthority> {
  return forceAuthorityCache.get(db, forceId, () => workOutForceAuthority(db, forceId));
}

async function workOutForceAuthority(db: Executor, forceId: string): Promise<ForceAuthority> {
  const [officers, inputs] = await Promise.all([officersRepo.listOfficerSpans(db, forceId), authorityInputs(db, forceId)]);
  const histories = new Map<string, AuthorityHistory>();
  for (const o of officers) {
    const records = inputs.records(o.id);
    if (records.length) histories.set(o.id, authorityHistory(records, inputs.restrictions(o.id), DEVICE_MODELS));
  }
  return { officers, history: (id) => histories.get(id) ?? NO_AUTHORITY, records: inputs.records, restrictions: inputs.restrictions };
}

/** The last day of the authority an officer holds on `on` (the day before it ends), or null when not authorised. */
export function authorisedThrough(history: AuthorityHistory, on: string): string | null {
  const i = history.intervals.find((x) => x.from <= on && (x.to === null || on < x.to));
  return i ? (i.to === null ? null : previousDay(i.to)) : null;
}

/**
 * How many officers were authorised to carry (any model) on each day: officers serving that
 * day (joined on or before it, not yet left), from their training and restrictions.
 */
export async function authorisedCounts(db: Executor, forceId: string, days: readonly string[]): Promise<readonly number[]> {
  if (days.length === 0) return [];
  // Kept per authority change: the statistics page asks for the same month-ends again and again (10,000 histories each time).
  return authorisedCountsCache.get(db, `${forceId}|${days.join(',')}`, () => countAuthorised(db, forceId, days));
}

const authorisedCountsCache = new VersionedCache<readonly number[]>(['authority']);

async function countAuthorised(db: Executor, forceId: string, days: readonly string[]): Promise<number[]> {
  const force = await forceAuthority(db, forceId);
  const counts = days.map(() => 0);
  for (const o of force.officers) {
    const history = force.history(o.id);
    if (history.intervals.length === 0) continue;
    days.forEach((day, i) => {
      if (o.joinedOn <= day && (o.leftOn === null || day < o.leftOn) && authorisedIn(history, day)) counts[i]!++;
    });
  }
  return counts;
}

/** Whether an officer could carry on a day (any model): the report's "CED-trained" answer. */
export async function officerAuthorisedOn(db: Executor, forceId: string, officerId: string, day: string): Promise<boolean> {
  const inputs = await authorityInputs(db, forceId, [officerId]);
  return authorisedOn(day, inputs.records(officerId), inputs.restrictions(officerId), DEVICE_MODELS);
}

export interface TimelineEntry {
  on: string;
  at: string | null;
  title: string;
  detail: string | null;
  by: string | null;
  tag: 'pass' | 'fail' | 'suspended' | 'reinstated' | 'withdrawn' | 'resumed' | 'lapsed';
}

export interface OfficerAuthority {
  officer: Officer;
  on: string;
  authorities: Authority[];
  authorised: boolean;
  records: StoredTrainingRecord[];
  restrictions: StoredRestriction[];
  openSuspension: StoredRestriction | null;
  openWithdrawal: StoredRestriction | null;
  enrolments: Awaited<ReturnType<typeof repo.listOfficerEnrolments>>;
  timeline: TimelineEntry[];
}

const RESULT_WORDS = { pass: 'Passed', fail: 'Failed', did_not_finish: 'Did not finish' } as const;

/** The profile's timeline: courses, suspensions and withdrawals, and lapses, newest first. */
function timelineOf(records: readonly StoredTrainingRecord[], restrictions: readonly StoredRestriction[], on: string): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const r of records) {
    out.push({
      on: r.completedOn,
      at: r.createdAt,
      title: `${RESULT_WORDS[r.result]}: ${r.courseName}`,
      detail: r.reason,
      by: r.source === 'import' ? `imported by ${r.createdBy}` : r.createdBy,
      tag: r.result === 'pass' ? 'pass' : 'fail',
    });
    if (r.correction) {
      const c = r.correction;
      out.push({
        on: londonDate(c.at),
        at: c.at,
        title: `Result corrected: ${RESULT_WORDS[c.previousResult].toLowerCase()} → ${RESULT_WORDS[r.result].toLowerCase()} (${r.courseName}, ${r.completedOn})`,
        detail: c.reason,
        by: c.by,
        tag: r.result === 'pass' ? 'pass' : 'fail',
      });
    }
  }
  // A lapse is an event too: the anniversary of a currency pass not followed by another before it.
  const currency = records.filter((r) => r.kind === 'initial' || r.kind === 'refresher');
  currency.forEach((r, i) => {
    if (r.result !== 'pass') return;
    const lapse = lapsesOn(r.completedOn);
    const next = currency[i + 1];
    if (lapse <= on && (!next || next.completedOn >= lapse))
      out.push({ on: lapse, at: null, title: 'Authority lapsed', detail: `12 months after the ${r.kind} passed on ${r.completedOn}`, by: null, tag: 'lapsed' });
  });
  for (const r of restrictions) {
    const suspension = r.kind === 'suspension';
    out.push({
      on: r.from,
      at: r.createdAt,
      title: suspension ? 'Authority suspended' : 'Withdrew from carrying Taser',
      detail: r.reason,
      by: r.createdBy,
      tag: suspension ? 'suspended' : 'withdrawn',
    });
    if (r.to)
      out.push({ on: r.to, at: r.endedAt, title: suspension ? 'Authority reinstated' : 'Returned to carrying Taser', detail: r.endReason, by: r.endedBy, tag: suspension ? 'reinstated' : 'resumed' });
  }
  return out.sort((a, b) => b.on.localeCompare(a.on) || (b.at ?? '').localeCompare(a.at ?? ''));
}

async function officerInScope(db: Executor, scope: Scope, id: string): Promise<Officer> {
  const officer = await officersRepo.findOfficer(db, id);
  if (!officer || !scopeIncludes(scope, officer.boroughId)) throw new NotFoundError('Officer', id);
  return officer;
}

export async function officerAuthority(svc: Services, scope: Scope, officerId: string, now: Date = svc.now()): Promise<OfficerAuthority> {
  const db = svc.database.db;
  const officer = await officerInScope(db, scope, officerId);
  const on = today(now);
  const [records, restrictions, enrolments] = await Promise.all([
    repo.listOfficerRecords(db, officerId),
    repo.listRestrictions(db, officer.forceId, [officerId]),
    repo.listOfficerEnrolments(db, officerId),
  ]);
  const authorities = authoritiesOn(on, records, restrictions, DEVICE_MODELS);
  // Open: not yet ended (what reinstating or returning ends).
  const open = (kind: RestrictionKind) => restrictions.find((r) => r.kind === kind && r.to === null) ?? null;
  return {
    officer,
    on,
    authorities,
    authorised: authorities.some((a) => a.authorised),
    records,
    restrictions,
    openSuspension: open('suspension'),
    openWithdrawal: open('withdrawal'),
    enrolments,
    timeline: timelineOf(records, restrictions, on),
  };
}

/** The officer linked to a signed-in account (their own training page). */
export async function ownOfficerId(svc: Services, actor: Actor): Promise<string> {
  if (!actor.userId) throw new WorkflowError('Only a person signed in to Cedar has their own training record.');
  const account = await accountsRepo.findAccount(svc.database.db, actor.userId);
  if (!account?.officerId) throw new WorkflowError('Your account is not linked to an officer record. Ask your Cedar administrator to link it.');
  return account.officerId;
}

const RESTRICTION_WORDS: Record<RestrictionKind, { start: string; end: string; already: string; none: string }> = {
  suspension: { start: 'authority.suspend', end: 'authority.reinstate', already: 'Authority is already suspended: reinstate it first', none: 'Authority is not suspended' },
  withdrawal: { start: 'authority.withdraw', end: 'authority.resume', already: 'The officer has already withdrawn from carrying', none: 'The officer has not withdrawn from carrying' },
};

/**
 * Suspends authority (supervisor, professional standards) or records the officer's withdrawal.
 * From a day (today or earlier, not before the last restriction of the kind ended), with a reason.
 */
export async function restrictAuthority(svc: Services, actor: Actor, scope: Scope, officerId: string, kind: RestrictionKind, input: unknown, now: Date = svc.now()): Promise<string> {
  const r = parseInput(restrictionInput(kind), input);
  const on = today(now);
  if (r.fromOn > on) throw new ValidationError([{ field: 'fromOn', message: 'The date must be today or in the past' }]);
  return change(svc, actor, async (trx, audit) => {
    await repo.lockOfficer(trx, svc.database.kind, officerId);
    const officer = await officerInScope(trx, scope, officerId);
    const existing = await repo.listRestrictions(trx, officer.forceId, [officerId]);
    const same = existing.filter((x) => x.kind === kind);
    if (same.some((x) => x.to === null)) throw new WorkflowError(RESTRICTION_WORDS[kind].already);
    const lastEndedOn = same.reduce<string | null>((last, x) => (x.to !== null && (last === null || x.to > last) ? x.to : last), null);
    const problem = restrictionStartProblem(kind, r.fromOn, { today: on, joinedOn: officer.joinedOn, lastEndedOn });
    if (problem) throw new ValidationError([{ field: 'fromOn', message: problem }]);
    const id = await repo.insertRestriction(trx, officer.forceId, officerId, kind, r.fromOn, r.reason, actor.label, svc.now().toISOString());
    await audit({ action: RESTRICTION_WORDS[kind].start, entityType: 'officer', entityId: officerId, summary: { restrictionId: id, fromOn: r.fromOn, reason: r.reason } });
    return id;
  });
}

/**
 * Reinstates suspended authority, or the officer returns to carrying: from a day, with a
 * reason. Ending it on the day it began undoes it (it was never in force).
 */
export async function liftRestriction(svc: Services, actor: Actor, scope: Scope, officerId: string, kind: RestrictionKind, input: unknown, now: Date = svc.now()): Promise<void> {
  const r = parseInput(liftInput(kind), input);
  const on = today(now);
  await change(svc, actor, async (trx, audit) => {
    await repo.lockOfficer(trx, svc.database.kind, officerId);
    const officer = await officerInScope(trx, scope, officerId);
    const open = (await repo.listRestrictions(trx, officer.forceId, [officerId])).find((x) => x.kind === kind && x.to === null);
    if (!open) throw new WorkflowError(RESTRICTION_WORDS[kind].none);
    const problem = restrictionEndProblem(kind, r.toOn, { today: on, from: open.from });
    if (problem) throw new ValidationError([{ field: 'toOn', message: problem }]);
    await repo.endRestriction(trx, open.id, r.toOn, r.reason, actor.label, svc.now().toISOString());
    await audit({ action: RESTRICTION_WORDS[kind].end, entityType: 'officer', entityId: officerId, summary: { restrictionId: open.id, toOn: r.toOn, reason: r.reason } });
  });
}

// Sessions ----------------------------------------------------------------------------

export interface SessionQuery {
  from?: string;
  toExclusive?: string;
  courseTypeId?: string;
  kind?: CourseType['kind'];
  boroughId?: string;
  status?: SessionStatus;
}

export async function listSessions(svc: Services, query: SessionQuery, page: Page) {
  const force = await getForce(svc);
  const result = await repo.listSessions(svc.database.db, { forceId: force.id, ...query }, pageWindow(page));
  return { ...result, page: page.page, pageSize: page.pageSize, pages: Math.max(1, Math.ceil(result.total / page.pageSize)) };
}

export interface SessionDetails {
  session: TrainingSession;
  /** The trainers the reader may see (see outOfScope). */
  trainers: repo.SessionPerson[];
  /** The places and waiting list the reader may see, each waiting officer with their place in the whole queue (1 is next). */
  enrolments: (repo.Enrolment & { position: number | null })[];
  /**
   * Officers on the session outside the reader's boroughs: counted, never named (a
   * supervisor of one borough sees the session, not who else is on it).
   */
  outOfScope: { trainers: number; enrolled: number; waiting: number };
  boroughName: string | null;
  /** Results can be recorded from the last day of the session. */
  resultsOpen: boolean;
}

/**
 * A session with its trainers and roster, as far as `scope` lets the reader see officers:
 * those outside it are only counted (outOfScope).
 */
export async function getSession(svc: Services, id: string, opts: { scope?: Scope; now?: Date } = {}): Promise<SessionDetails> {
  const scope = opts.scope ?? { all: true };
  const force = await getForce(svc);
  const db = svc.database.db;
  const session = await repo.findSession(db, id);
  if (!session || session.forceId !== force.id) throw new NotFoundError('Session', id);
  const [allTrainers, seats, borough] = await Promise.all([repo.listTrainers(db, id), repo.listEnrolments(db, id), session.boroughId ? org.findBorough(db, session.boroughId) : undefined]);
  let queue = 0;
  const positioned = seats.map((e) => ({ ...e, position: e.status === 'waiting' ? ++queue : null }));
  const seen = (p: { boroughId: string | null }) => scopeIncludes(scope, p.boroughId);
  const hidden = positioned.filter((e) => !seen(e));
  return {
    session,
    trainers: allTrainers.filter(seen),
    enrolments: positioned.filter(seen),
    outOfScope: {
      trainers: allTrainers.filter((t) => !seen(t)).length,
      enrolled: hidden.filter((e) => e.status === 'enrolled').length,
      waiting: hidden.filter((e) => e.status === 'waiting').length,
    },
    boroughName: borough?.name ?? null,
    resultsOpen: session.status === 'scheduled' && today(opts.now ?? svc.now()) >= session.endsOn,
  };
}

/** Checks a session's course, dates (on `on`, a London day), borough and trainers; returns the course. */
async function checkSession(db: Executor, forceId: string, s: SessionInput, on: string): Promise<CourseType> {
  const errors: FieldError[] = [];
  const window = sessionWindowProblem(s.startsOn, on);
  if (window) errors.push({ field: 'startsOn', message: window });
  const course = await repo.findCourseType(db, s.courseTypeId);
  if (!course || course.forceId !== forceId) errors.push({ field: 'courseTypeId', message: 'Select a course from the list' });
  else {
    if (!course.active) errors.push({ field: 'courseTypeId', message: `${course.name} is no longer run: select another course` });
    for (const message of sessionDateProblems(course, s.startsOn, s.endsOn)) errors.push({ field: 'endsOn', message });
  }
  if (s.boroughId) {
    const b = await org.findBorough(db, s.boroughId);
    if (!b || b.forceId !== forceId) errors.push({ field: 'boroughId', message: 'Select a borough from the list' });
  }
  const trainers = await Promise.all(s.trainerIds.map((id) => officersRepo.findOfficer(db, id)));
  const inputs = await authorityInputs(db, forceId, s.trainerIds);
  trainers.forEach((t, i) => {
    if (!t || t.forceId !== forceId) return errors.push({ field: 'trainerIds', message: `Trainer ${s.trainerIds[i]} is not an officer in this force` });
    const models = course && course.qualifiesFor.length ? course.qualifiesFor : DEVICE_MODELS;
    if (!authorisedOn(s.startsOn, inputs.records(t.id), inputs.restrictions(t.id), models)) {
      errors.push({ field: 'trainerIds', message: `${officerDisplayName(t)} is not authorised to carry ${models.join(' or ')} on ${s.startsOn}: a trainer must be current` });
    }
  });
  if (errors.length) throw new ValidationError(errors);
  return course!;
}

export async function createSession(svc: Services, actor: Actor, input: unknown, now: Date = svc.now()): Promise<string> {
  const force = await getForce(svc);
  const s = parseInput(sessionInput, input);
  return change(svc, actor, async (trx, audit) => {
    await checkSession(trx, force.id, s, today(now));
    const id = await repo.insertSession(trx, force.id, s, svc.now().toISOString());
    await repo.replaceTrainers(trx, id, s.trainerIds);
    await audit({ action: 'session.create', entityType: 'training_session', entityId: id, summary: { after: s } });
    return id;
  });
}

/**
 * The session, locked for the rest of the transaction (on PostgreSQL: two officers taking the
 * last place at once must not both get it; SQLite has one writer at a time anyway).
 */
async function scheduledSession(db: Executor, kind: DatabaseKind, forceId: string, id: string): Promise<TrainingSession> {
  await repo.lockSession(db, kind, id);
  const session = await repo.findSession(db, id);
  if (!session || session.forceId !== forceId) throw new NotFoundError('Session', id);
  if (session.status !== 'scheduled') throw new WorkflowError(`This session is ${session.status}: it cannot be changed`);
  return session;
}

/** Enrols the longest-waiting officers into places that have come free. */
async function fillFromWaitingList(db: Executor, sessionId: string, capacity: number, at: string): Promise<string[]> {
  const seats = await repo.listEnrolments(db, sessionId);
  const ids = promotions(seats, capacity);
  await repo.setEnrolmentStatus(db, ids, 'enrolled', at);
  return seats.filter((s) => ids.includes(s.id)).map((s) => s.officerId);
}

export async function updateSession(svc: Services, actor: Actor, id: string, input: unknown, now: Date = svc.now()): Promise<void> {
  const force = await getForce(svc);
  const s = parseInput(sessionInput, input);
  await change(svc, actor, async (trx, audit) => {
    const before = await scheduledSession(trx, svc.database.kind, force.id, id);
    const problem = capacityProblem(s.capacity, before.enrolled);
    if (problem) throw new ValidationError([{ field: 'capacity', message: problem }]);
    if (s.courseTypeId !== before.courseTypeId && before.enrolled + before.waiting > 0)
      throw new ValidationError([{ field: 'courseTypeId', message: 'Officers are enrolled: the course cannot change (cancel the session and schedule another)' }]);
    await checkSession(trx, force.id, s, today(now));
    await repo.updateSession(trx, id, s, svc.now().toISOString());
    await repo.replaceTrainers(trx, id, s.trainerIds);
    const promoted = await fillFromWaitingList(trx, id, s.capacity, svc.now().toISOString());
    await audit({ action: 'session.update', entityType: 'training_session', entityId: id, summary: { after: s, promotedFromWaitingList: promoted } });
  });
}

export async function cancelSession(svc: Services, actor: Actor, id: string, reason: unknown): Promise<void> {
  const force = await getForce(svc);
  const why = typeof reason === 'string' ? reason.trim() : '';
  if (!why) throw new ValidationError([{ field: 'reason', message: 'Give the reason the session is cancelled' }]);
  await change(svc, actor, async (trx, audit) => {
    await scheduledSession(trx, svc.database.kind, force.id, id);
    await repo.setSessionStatus(trx, id, 'cancelled', svc.now().toISOString());
    const seats = await repo.listEnrolments(trx, id);
    await repo.setEnrolmentStatus(
      trx,
      seats.filter((s) => s.status !== 'cancelled').map((s) => s.id),
      'cancelled',
      svc.now().toISOString(),
    );
    await audit({ action: 'session.cancel', entityType: 'training_session', entityId: id, summary: { reason: why, enrolmentsCancelled: seats.filter((s) => s.status !== 'cancelled').length } });
  });
}

/** Enrols an officer: a place if one is free, else the waiting list. Until the session's first day. */
export async function enrol(svc: Services, actor: Actor, sessionId: string, officerId: unknown, now: Date = svc.now(), scope: Scope = { all: true }): Promise<'enrolled' | 'waiting'> {
  const force = await getForce(svc);
  if (typeof officerId !== 'string' || !officerId.trim()) throw new ValidationError([{ field: 'officerId', message: 'Select an officer to enrol' }]);
  return change(svc, actor, async (trx, audit) => {
    const session = await scheduledSession(trx, svc.database.kind, force.id, sessionId);
    if (today(now) >= session.startsOn) throw new WorkflowError(`Enrolment closed when the session began on ${session.startsOn}`);
    const officer = await officersRepo.findOfficer(trx, officerId.trim());
    if (!officer || officer.forceId !== force.id) throw new ValidationError([{ field: 'officerId', message: 'Select an officer from the list' }]);
    // Outside the enroller's boroughs the officer is not named: as if there were no such officer.
    if (!scopeIncludes(scope, officer.boroughId)) throw new ValidationError([{ field: 'officerId', message: 'You can enrol only officers in your borough' }]);
    if (officer.status !== 'active') throw new ValidationError([{ field: 'officerId', message: `${officerDisplayName(officer)} has left the force` }]);
    const seats = await repo.listEnrolments(trx, sessionId);
    const mine = seats.find((s) => s.officerId === officer.id);
    if (mine && mine.status !== 'cancelled') throw new ConflictError('officerId', `${officerDisplayName(officer)} is already ${mine.status === 'waiting' ? 'on the waiting list' : 'enrolled'}`);
    if ((await repo.listTrainers(trx, sessionId)).some((t) => t.officerId === officer.id))
      throw new ValidationError([{ field: 'officerId', message: `${officerDisplayName(officer)} is a trainer on this session` }]);
    const place = placeFor(seats.filter((s) => s.status === 'enrolled').length, session.capacity);
    const id = mine ? (await repo.reopenEnrolment(trx, mine.id, place, svc.now().toISOString()), mine.id) : await repo.insertEnrolment(trx, sessionId, officer.id, place, svc.now().toISOString());
    await audit({ action: place === 'enrolled' ? 'session.enrol' : 'session.wait', entityType: 'training_session', entityId: sessionId, summary: { enrolmentId: id, officerId: officer.id } });
    return place;
  });
}

/** Takes an officer off a session (a place or the waiting list); the longest waiting moves up. */
export async function cancelEnrolment(svc: Services, actor: Actor, sessionId: string, enrolmentId: string): Promise<{ promoted: string[] }> {
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const session = await scheduledSession(trx, svc.database.kind, force.id, sessionId);
    const seat = (await repo.listEnrolments(trx, sessionId)).find((s) => s.id === enrolmentId);
    if (!seat || seat.status === 'cancelled') throw new NotFoundError('Enrolment', enrolmentId);
    await repo.setEnrolmentStatus(trx, [seat.id], 'cancelled', svc.now().toISOString());
    const promoted = await fillFromWaitingList(trx, sessionId, session.capacity, svc.now().toISOString());
    await audit({ action: 'session.unenrol', entityType: 'training_session', entityId: sessionId, summary: { enrolmentId, officerId: seat.officerId, promotedFromWaitingList: promoted } });
    return { promoted };
  });
}

/**
 * Records a session's results: every officer with a place gets a line (attended, result,
 * reason). Each result becomes a training record dated the session's last day, from which
 * authority follows. Results are recorded once, from the session's last day; the session is
 * then completed and the waiting list closed.
 */
export async function recordResults(svc: Services, actor: Actor, sessionId: string, input: unknown, now: Date = svc.now()): Promise<{ passed: number; failed: number; absent: number }> {
  const force = await getForce(svc);
  const lines = Array.isArray(input) ? input : [];
  return change(svc, actor, async (trx, audit) => {
    const session = await scheduledSession(trx, svc.database.kind, force.id, sessionId);
    if (today(now) < session.endsOn) throw new WorkflowError(`Results can be recorded from the session's last day, ${session.endsOn}`);
    const seats = await repo.listEnrolments(trx, sessionId);
    const enrolled = seats.filter((s) => s.status === 'enrolled');
    if (enrolled.length === 0) throw new WorkflowError('No officers have places on this session: there are no results to record');
    const errors: FieldError[] = [];
    const parsed = new Map<string, ReturnType<typeof resultInput.parse>>();
    for (const [i, line] of lines.entries()) {
      const r = resultInput.safeParse(line);
      if (!r.success) {
        for (const issue of r.error.issues)
          errors.push({ field: `results.${i}.${issue.path.join('.')}`, message: `${nameOf(enrolled, (line as { enrolmentId?: string })?.enrolmentId)}: ${issue.message}` });
        continue;
      }
      if (!enrolled.some((s) => s.id === r.data.enrolmentId)) errors.push({ field: `results.${i}.enrolmentId`, message: 'That officer does not have a place on this session' });
      else parsed.set(r.data.enrolmentId, r.data);
    }
    enrolled.forEach((s) => {
      if (!parsed.has(s.id) && !errors.some((e) => e.message.startsWith(`${nameOf(enrolled, s.id)}:`)))
        errors.push({ field: `results.${s.id}`, message: `${nameOf(enrolled, s.id)}: record whether they attended and their result` });
    });
    if (errors.length) throw new ValidationError(errors);
    const records: repo.NewTrainingRecord[] = [];
    for (const s of enrolled) {
      const r = parsed.get(s.id)!;
      await repo.recordEnrolmentResult(trx, s.id, { attended: r.attended, result: r.result, reason: r.reason ?? null }, svc.now().toISOString());
      if (r.result)
        records.push({
          officerId: s.officerId,
          courseTypeId: session.courseTypeId,
          completedOn: session.endsOn,
          result: r.result,
          reason: r.reason ?? null,
          sessionId,
          source: 'session',
          sourceKey: null,
        });
    }
    await repo.insertTrainingRecords(trx, force.id, actor.label, records, svc.now().toISOString());
    await repo.setEnrolmentStatus(
      trx,
      seats.filter((s) => s.status === 'waiting').map((s) => s.id),
      'cancelled',
      svc.now().toISOString(),
    );
    await repo.setSessionStatus(trx, sessionId, 'completed', svc.now().toISOString());
    const passed = records.filter((r) => r.result === 'pass').length;
    const summary = { passed, failed: records.length - passed, absent: enrolled.length - records.length };
    await audit({
      action: 'session.results',
      entityType: 'training_session',
      entityId: sessionId,
      summary: { ...summary, results: enrolled.map((s) => ({ officerId: s.officerId, ...parsed.get(s.id), enrolmentId: undefined })) },
    });
    return summary;
  });
}

/**
 * Corrects one officer's result on a completed session (a result recorded wrongly, or an
 * officer marked absent who did attend), with the reason for the correction. The training
 * record keeps the result it had; authority follows the corrected one; the audit log keeps
 * every correction.
 */
export async function correctResult(svc: Services, actor: Actor, sessionId: string, enrolmentId: string, input: unknown): Promise<void> {
  const force = await getForce(svc);
  const c = parseInput(resultCorrectionInput, input);
  await change(svc, actor, async (trx, audit) => {
    await repo.lockSession(trx, svc.database.kind, sessionId);
    const session = await repo.findSession(trx, sessionId);
    if (!session || session.forceId !== force.id) throw new NotFoundError('Session', sessionId);
    if (session.status !== 'completed') throw new WorkflowError('Only the results of a session already recorded can be corrected');
    const seat = (await repo.listEnrolments(trx, sessionId)).find((e) => e.id === enrolmentId && e.status === 'enrolled');
    if (!seat) throw new NotFoundError('Enrolment', enrolmentId);
    const reason = c.result === 'pass' ? null : (c.reason ?? null);
    const record = await repo.findSessionRecord(trx, sessionId, seat.officerId);
    if (record) {
      if (record.result === c.result && record.reason === reason) throw new ValidationError([{ field: 'result', message: 'Nothing has changed: choose the right result' }]);
      await repo.correctRecord(trx, record.id, { result: c.result, reason, previousResult: record.result, correctionReason: c.correctionReason, by: actor.label }, svc.now().toISOString());
    } else {
      // Marked absent, but they did attend: their result is recorded now.
      await repo.insertTrainingRecords(
        trx,
        force.id,
        actor.label,
        [{ officerId: seat.officerId, courseTypeId: session.courseTypeId, completedOn: session.endsOn, result: c.result, reason, sessionId, source: 'session', sourceKey: null }],
        svc.now().toISOString(),
      );
    }
    await repo.recordEnrolmentResult(trx, seat.id, { attended: true, result: c.result, reason }, svc.now().toISOString());
    await audit({
      action: 'session.result_corrected',
      entityType: 'training_session',
      entityId: sessionId,
      summary: {
        officerId: seat.officerId,
        from: record ? { result: record.result, reason: record.reason } : { attended: false },
        to: { result: c.result, reason },
        correctionReason: c.correctionReason,
      },
    });
  });
}

function nameOf(seats: readonly repo.Enrolment[], id: string | undefined): string {
  const s = seats.find((x) => x.id === id);
  return s ? `${s.firstName} ${s.lastName} (${s.collarNumber})` : 'Unknown officer';
}

// Lapsing -----------------------------------------------------------------------------

export interface LapsingOfficer {
  officerId: string;
  collarNumber: string;
  name: string;
  boroughId: string | null;
  expiresOn: string;
  /** A refresher they have a place on (or are waiting for) already. */
  booked: { startsOn: string; waiting: boolean } | null;
}

export interface LapsingBorough {
  boroughId: string | null;
  boroughName: string;
  officers: LapsingOfficer[];
  /** Refresher sessions in or near the borough, from today, with places free. */
  sessions: TrainingSession[];
}

/**
 * The officers lapsing of the lapsing list (without their bookings), by borough, soonest first:
 * worked out over the whole force's authority once per change of it (the `authority` counter),
 * day, window and scope, and kept between requests (5 ms a request on a force of 10,000).
 */
const lapsingCache = new VersionedCache<ReadonlyMap<string | null, readonly Omit<LapsingOfficer, 'booked'>[]>>(['authority']);

async function lapsingByBorough(db: Executor, forceId: string, boroughs: readonly { id: string }[], everyone: boolean, on: string, until: string) {
  const inScope = new Set(boroughs.map((b) => b.id as string | null));
  const authority = await forceAuthority(db, forceId);
  const byBorough = new Map<string | null, Omit<LapsingOfficer, 'booked'>[]>();
  for (const o of authority.officers) {
    if (o.status !== 'active' || !(everyone || inScope.has(o.boroughId))) continue;
    const expiresOn = authorisedThrough(authority.history(o.id), on);
    if (!expiresOn || expiresOn >= until) continue;
    const list = byBorough.get(o.boroughId) ?? [];
    list.push({ officerId: o.id, collarNumber: o.collarNumber, name: `${o.firstName} ${o.lastName}`, boroughId: o.boroughId, expiresOn });
    byBorough.set(o.boroughId, list);
  }
  for (const list of byBorough.values()) list.sort((a, b) => a.expiresOn.localeCompare(b.expiresOn) || a.name.localeCompare(b.name));
  return byBorough;
}

/**
 * Officers authorised today whose authority ends within `days`, by borough, soonest first,
 * with the refresher sessions they could join (scheduled, before the soonest expiry, places
 * free; sessions held in the borough or force-wide).
 */
export async function lapsing(
  svc: Services,
  scope: Scope,
  days: number,
  boroughId: string | undefined,
  now: Date = svc.now(),
): Promise<{ on: string; until: string; total: number; boroughs: LapsingBorough[] }> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const on = today(now);
  const until = addDays(on, days);
  // The version is read before the data (boroughs included: the counter watches them too).
  const version = await lapsingCache.version(db);
  const boroughs = (await org.listBoroughs(db, force.id)).filter((b) => scopeIncludes(scope, b.id) && (!boroughId || b.id === boroughId));
  const lists = await lapsingCache.getAt(db, version, `${force.id}|${on}|${days}|${scopeKey(scope)}|${boroughId ?? ''}`, () =>
    lapsingByBorough(db, force.id, boroughs, scope.all && !boroughId, on, until),
  );
  const bookedOn = new Map<string, { startsOn: string; waiting: boolean }>();
  // The soonest booking wins.
  for (const b of await repo.refresherBookings(db, force.id)) if (!bookedOn.has(b.officerId)) bookedOn.set(b.officerId, { startsOn: b.startsOn, waiting: b.waiting });
  const byBorough = new Map([...lists].map(([id, list]) => [id, list.map((o): LapsingOfficer => ({ ...o, booked: bookedOn.get(o.officerId) ?? null }))]));
  const sessions = (await repo.listSessions(db, { forceId: force.id, from: on, toExclusive: until, kind: 'refresher', status: 'scheduled' }, { offset: 0, limit: 500 })).rows.filter(
    (s) => s.startsOn > on && s.enrolled < s.capacity,
  );
  const named = new Map(boroughs.map((b) => [b.id as string | null, b.name]));
  const out: LapsingBorough[] = [...byBorough.entries()]
    .map(([id, list]) => ({
      boroughId: id,
      boroughName: named.get(id) ?? 'Force-wide units',
      officers: list,
      sessions: sessions.filter((s) => (s.boroughId === null || s.boroughId === id) && s.startsOn <= list[list.length - 1]!.expiresOn),
    }))
    .sort((a, b) => a.boroughName.localeCompare(b.boroughName));
  return { on, until: previousDay(until), total: out.reduce((n, b) => n + b.officers.length, 0), boroughs: out };
}

/** A lapsing list narrowed to its first `days` days (fewer than it was worked out for): what `lapsing` with `days` gives, without reading again. */
export function lapsingWithin(r: Awaited<ReturnType<typeof lapsing>>, days: number): Awaited<ReturnType<typeof lapsing>> {
  const until = addDays(r.on, days);
  const boroughs = r.boroughs
    .map((b) => ({ ...b, officers: b.officers.filter((o) => o.expiresOn < until) }))
    .filter((b) => b.officers.length > 0)
    .map((b) => ({ ...b, sessions: b.sessions.filter((s) => s.startsOn < until && s.startsOn <= b.officers[b.officers.length - 1]!.expiresOn) }));
  return { on: r.on, until: previousDay(until), total: boroughs.reduce((n, b) => n + b.officers.length, 0), boroughs };
}
