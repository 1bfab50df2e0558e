import type { CourseKind, TrainingRecord, TrainingResult } from '../../domain/training/authority.js';
import type { CourseType, CourseTypeInput, EnrolmentStatus, RestrictionKind } from '../../domain/training/courses.js';
import type { SessionStatus, StoredRestriction, StoredTrainingRecord, TrainingSession } from '../../domain/training/records.js';
import { sql } from 'kysely';
import type { DatabaseKind, Executor } from '../database.js';
import { newId } from '../ids.js';
import { chunk } from '../batches.js';
import type { CourseTypeTable, TrainingRecordTable } from '../schema.js';

// Course types ------------------------------------------------------------------------

const toCourseType = (r: CourseTypeTable): CourseType => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind as CourseKind,
  qualifiesFor: JSON.parse(r.qualifies_for) as string[],
  minHours: Number(r.min_hours),
  days: Number(r.days),
  active: Number(r.active) === 1,
});

export async function listCourseTypes(db: Executor, forceId: string): Promise<CourseType[]> {
  const rows = await db.selectFrom('course_type').selectAll().where('force_id', '=', forceId).orderBy('kind').orderBy('name').execute();
  return rows.map(toCourseType);
}

export async function findCourseType(db: Executor, id: string): Promise<(CourseType & { forceId: string }) | undefined> {
  const r = await db.selectFrom('course_type').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? { ...toCourseType(r), forceId: r.force_id } : undefined;
}

export async function findCourseTypeByCode(db: Executor, forceId: string, code: string): Promise<CourseType | undefined> {
  const r = await db.selectFrom('course_type').selectAll().where('force_id', '=', forceId).where('code', '=', code).executeTakeFirst();
  return r ? toCourseType(r) : undefined;
}

export async function insertCourseType(db: Executor, forceId: string, c: CourseTypeInput, at: string): Promise<CourseType> {
  const row: CourseTypeTable = {
    id: newId(),
    force_id: forceId,
    code: c.code,
    name: c.name,
    kind: c.kind,
    qualifies_for: JSON.stringify(c.qualifiesFor),
    min_hours: c.minHours,
    days: c.days,
    active: c.active ? 1 : 0,
    created_at: at,
    updated_at: at,
  };
  await db.insertInto('course_type').values(row).execute();
  return toCourseType(row);
}

export async function updateCourseType(db: Executor, id: string, c: CourseTypeInput, at: string): Promise<void> {
  await db
    .updateTable('course_type')
    .set({ code: c.code, name: c.name, kind: c.kind, qualifies_for: JSON.stringify(c.qualifiesFor), min_hours: c.minHours, days: c.days, active: c.active ? 1 : 0, updated_at: at })
    .where('id', '=', id)
    .execute();
}

// Sessions ----------------------------------------------------------------------------

const SESSION_SELECT = [
  'training_session.id',
  'training_session.force_id',
  'training_session.course_type_id',
  'course_type.name as course_name',
  'course_type.kind as course_kind',
  'course_type.qualifies_for',
  'training_session.starts_on',
  'training_session.ends_on',
  'training_session.location',
  'training_session.borough_id',
  'training_session.capacity',
  'training_session.status',
] as const;

function sessionsQuery(db: Executor) {
  return db
    .selectFrom('training_session')
    .innerJoin('course_type', 'course_type.id', 'training_session.course_type_id')
    .select(SESSION_SELECT)
    .select((eb) => [
      eb
        .selectFrom('enrolment')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('enrolment.session_id', '=', 'training_session.id')
        .where('enrolment.status', '=', 'enrolled')
        .as('enrolled'),
      eb
        .selectFrom('enrolment')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('enrolment.session_id', '=', 'training_session.id')
        .where('enrolment.status', '=', 'waiting')
        .as('waiting'),
    ]);
}

type SessionRow = Awaited<ReturnType<ReturnType<typeof sessionsQuery>['execute']>>[number];

const toSession = (r: SessionRow): TrainingSession => ({
  id: r.id,
  forceId: r.force_id,
  courseTypeId: r.course_type_id,
  courseName: r.course_name,
  courseKind: r.course_kind as CourseKind,
  qualifiesFor: JSON.parse(r.qualifies_for) as string[],
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  location: r.location,
  boroughId: r.borough_id,
  capacity: Number(r.capacity),
  status: r.status as SessionStatus,
  enrolled: Number(r.enrolled ?? 0),
  waiting: Number(r.waiting ?? 0),
});

export interface SessionFilter {
  forceId: string;
  /** Sessions ending on or after this day. */
  from?: string;
  /** Sessions starting before this day. */
  toExclusive?: string;
  courseTypeId?: string;
  kind?: CourseKind;
  boroughId?: string;
  status?: SessionStatus;
}

export async function listSessions(db: Executor, f: SessionFilter, window: { offset: number; limit: number }): Promise<{ rows: TrainingSession[]; total: number }> {
  let q = db.selectFrom('training_session').innerJoin('course_type', 'course_type.id', 'training_session.course_type_id').where('training_session.force_id', '=', f.forceId);
  if (f.from) q = q.where('training_session.ends_on', '>=', f.from);
  if (f.toExclusive) q = q.where('training_session.starts_on', '<', f.toExclusive);
  if (f.courseTypeId) q = q.where('training_session.course_type_id', '=', f.courseTypeId);
  if (f.kind) q = q.where('course_type.kind', '=', f.kind);
  if (f.boroughId) q = q.where('training_session.borough_id', '=', f.boroughId);
  if (f.status) q = q.where('training_session.status', '=', f.status);
  const ids = await q.select('training_session.id').orderBy('training_session.starts_on').orderBy('training_session.id').offset(window.offset).limit(window.limit).execute();
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (ids.length === 0) return { rows: [], total: Number(total.n) };
  const rows = await sessionsQuery(db)
    .where(
      'training_session.id',
      'in',
      ids.map((r) => r.id),
    )
    .orderBy('training_session.starts_on')
    .orderBy('training_session.id')
    .execute();
  return { rows: rows.map(toSession), total: Number(total.n) };
}

export async function findSession(db: Executor, id: string): Promise<TrainingSession | undefined> {
  const r = await sessionsQuery(db).where('training_session.id', '=', id).executeTakeFirst();
  return r ? toSession(r) : undefined;
}

export interface SessionFields {
  courseTypeId: string;
  startsOn: string;
  endsOn: string;
  location: string;
  boroughId: string | null;
  capacity: number;
}

export async function insertSession(db: Executor, forceId: string, s: SessionFields, at: string): Promise<string> {
  const id = newId();
  await db
    .insertInto('training_session')
    .values({
      id,
      force_id: forceId,
      course_type_id: s.courseTypeId,
      starts_on: s.startsOn,
      ends_on: s.endsOn,
      location: s.location,
      borough_id: s.boroughId,
      capacity: s.capacity,
      status: 'scheduled',
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

export async function updateSession(db: Executor, id: string, s: SessionFields, at: string): Promise<void> {
  await db
    .updateTable('training_session')
    .set({ course_type_id: s.courseTypeId, starts_on: s.startsOn, ends_on: s.endsOn, location: s.location, borough_id: s.boroughId, capacity: s.capacity, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Locks an officer's row until the transaction ends, so two suspensions cannot both begin (PostgreSQL; SQLite writes one at a time). */
export async function lockOfficer(db: Executor, kind: DatabaseKind, id: string): Promise<void> {
  if (kind === 'postgres') await sql`select id from officer where id = ${id} for update`.execute(db);
}

/** Locks a course type's row until the transaction ends (PostgreSQL; SQLite writes one at a time). */
export async function lockCourseType(db: Executor, kind: DatabaseKind, id: string): Promise<void> {
  if (kind === 'postgres') await sql`select id from course_type where id = ${id} for update`.execute(db);
}

/** Locks a session's row until the transaction ends (PostgreSQL; SQLite writes one at a time). */
export async function lockSession(db: Executor, kind: DatabaseKind, id: string): Promise<void> {
  if (kind === 'postgres') await sql`select id from training_session where id = ${id} for update`.execute(db);
}

export async function setSessionStatus(db: Executor, id: string, status: SessionStatus, at: string): Promise<void> {
  await db.updateTable('training_session').set({ status, updated_at: at }).where('id', '=', id).execute();
}

export interface SessionPerson {
  officerId: string;
  collarNumber: string;
  firstName: string;
  lastName: string;
  rank: string;
  boroughId: string | null;
}

export async function listTrainers(db: Executor, sessionId: string): Promise<SessionPerson[]> {
  const rows = await db
    .selectFrom('session_trainer')
    .innerJoin('officer', 'officer.id', 'session_trainer.officer_id')
    .select(['officer.id as officer_id', 'officer.collar_number', 'officer.first_name', 'officer.last_name', 'officer.rank', 'officer.borough_id'])
    .where('session_trainer.session_id', '=', sessionId)
    .orderBy('officer.last_name')
    .execute();
  return rows.map((r) => ({ officerId: r.officer_id, collarNumber: r.collar_number, firstName: r.first_name, lastName: r.last_name, rank: r.rank, boroughId: r.borough_id }));
}

export async function replaceTrainers(db: Executor, sessionId: string, officerIds: readonly string[]): Promise<void> {
  await db.deleteFrom('session_trainer').where('session_id', '=', sessionId).execute();
  if (officerIds.length)
    await db
      .insertInto('session_trainer')
      .values(officerIds.map((officer_id) => ({ session_id: sessionId, officer_id })))
      .execute();
}

// Enrolment ---------------------------------------------------------------------------

export interface Enrolment extends SessionPerson {
  id: string;
  sessionId: string;
  status: EnrolmentStatus;
  requestedAt: string;
  attended: boolean | null;
  result: TrainingResult | null;
  resultReason: string | null;
  recordedAt: string | null;
}

export async function listEnrolments(db: Executor, sessionId: string): Promise<Enrolment[]> {
  const rows = await db
    .selectFrom('enrolment')
    .innerJoin('officer', 'officer.id', 'enrolment.officer_id')
    .select(['enrolment.id', 'enrolment.session_id', 'enrolment.status', 'enrolment.requested_at', 'enrolment.attended', 'enrolment.result', 'enrolment.result_reason', 'enrolment.recorded_at'])
    .select(['officer.id as officer_id', 'officer.collar_number', 'officer.first_name', 'officer.last_name', 'officer.rank', 'officer.borough_id'])
    .where('enrolment.session_id', '=', sessionId)
    .orderBy('enrolment.requested_at')
    .orderBy('enrolment.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    sessionId: r.session_id,
    status: r.status as EnrolmentStatus,
    requestedAt: r.requested_at,
    attended: r.attended === null ? null : Number(r.attended) === 1,
    result: r.result as TrainingResult | null,
    resultReason: r.result_reason,
    recordedAt: r.recorded_at,
    officerId: r.officer_id,
    collarNumber: r.collar_number,
    firstName: r.first_name,
    lastName: r.last_name,
    rank: r.rank,
    boroughId: r.borough_id,
  }));
}

export async function insertEnrolment(db: Executor, sessionId: string, officerId: string, status: 'enrolled' | 'waiting', at: string): Promise<string> {
  const id = newId();
  await db
    .insertInto('enrolment')
    .values({ id, session_id: sessionId, officer_id: officerId, status, requested_at: at, attended: null, result: null, result_reason: null, recorded_at: null, updated_at: at })
    .execute();
  return id;
}

/** Re-opens a cancelled enrolment (the officer asks again: they go to the back of the queue). */
export async function reopenEnrolment(db: Executor, id: string, status: 'enrolled' | 'waiting', at: string): Promise<void> {
  await db.updateTable('enrolment').set({ status, requested_at: at, updated_at: at }).where('id', '=', id).execute();
}

export async function setEnrolmentStatus(db: Executor, ids: readonly string[], status: EnrolmentStatus, at: string): Promise<void> {
  if (ids.length)
    await db
      .updateTable('enrolment')
      .set({ status, updated_at: at })
      .where('id', 'in', [...ids])
      .execute();
}

export async function recordEnrolmentResult(db: Executor, id: string, r: { attended: boolean; result: TrainingResult | null; reason: string | null }, at: string): Promise<void> {
  await db
    .updateTable('enrolment')
    .set({ attended: r.attended ? 1 : 0, result: r.result, result_reason: r.reason, recorded_at: at, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Places (and waiting-list places) on scheduled refresher sessions, soonest first. */
export async function refresherBookings(db: Executor, forceId: string): Promise<{ officerId: string; startsOn: string; waiting: boolean }[]> {
  const rows = await db
    .selectFrom('enrolment')
    .innerJoin('training_session', 'training_session.id', 'enrolment.session_id')
    .innerJoin('course_type', 'course_type.id', 'training_session.course_type_id')
    .select(['enrolment.officer_id', 'enrolment.status', 'training_session.starts_on'])
    .where('training_session.force_id', '=', forceId)
    .where('training_session.status', '=', 'scheduled')
    .where('enrolment.status', '!=', 'cancelled')
    .where('course_type.kind', '=', 'refresher')
    .orderBy('training_session.starts_on')
    .execute();
  return rows.map((r) => ({ officerId: r.officer_id, startsOn: r.starts_on, waiting: r.status === 'waiting' }));
}

/** An officer's enrolments in sessions not yet held, for their profile. */
export async function listOfficerEnrolments(
  db: Executor,
  officerId: string,
): Promise<{ sessionId: string; status: EnrolmentStatus; startsOn: string; courseName: string; sessionStatus: SessionStatus }[]> {
  const rows = await db
    .selectFrom('enrolment')
    .innerJoin('training_session', 'training_session.id', 'enrolment.session_id')
    .innerJoin('course_type', 'course_type.id', 'training_session.course_type_id')
    .select(['enrolment.session_id', 'enrolment.status', 'training_session.starts_on', 'course_type.name', 'training_session.status as session_status'])
    .where('enrolment.officer_id', '=', officerId)
    .where('enrolment.status', '!=', 'cancelled')
    .where('training_session.status', '=', 'scheduled')
    .orderBy('training_session.starts_on')
    .execute();
  return rows.map((r) => ({ sessionId: r.session_id, status: r.status as EnrolmentStatus, startsOn: r.starts_on, courseName: r.name, sessionStatus: r.session_status as SessionStatus }));
}

// Training records --------------------------------------------------------------------

function recordsQuery(db: Executor) {
  return db
    .selectFrom('training_record')
    .innerJoin('course_type', 'course_type.id', 'training_record.course_type_id')
    .select([
      'training_record.id',
      'training_record.officer_id',
      'training_record.course_type_id',
      'training_record.completed_on',
      'training_record.result',
      'training_record.reason',
      'training_record.session_id',
      'training_record.source',
      'training_record.created_by_label',
      'training_record.created_at',
    ])
    .select(['training_record.previous_result', 'training_record.correction_reason', 'training_record.corrected_by_label', 'training_record.corrected_at'])
    .select(['course_type.name', 'course_type.kind', 'course_type.qualifies_for']);
}

type RecordRow = Awaited<ReturnType<ReturnType<typeof recordsQuery>['execute']>>[number];

const toRecord = (r: RecordRow, qualifies: Map<string, string[]>): StoredTrainingRecord => {
  let q = qualifies.get(r.qualifies_for);
  if (!q) qualifies.set(r.qualifies_for, (q = JSON.parse(r.qualifies_for) as string[]));
  return {
    id: r.id,
    officerId: r.officer_id,
    courseTypeId: r.course_type_id,
    courseName: r.name,
    kind: r.kind as CourseKind,
    qualifiesFor: q,
    completedOn: r.completed_on,
    result: r.result as TrainingResult,
    reason: r.reason,
    sessionId: r.session_id,
    source: r.source as 'session' | 'import',
    createdBy: r.created_by_label,
    createdAt: r.created_at,
    correction: r.corrected_at ? { previousResult: r.previous_result as TrainingResult, reason: r.correction_reason ?? '', by: r.corrected_by_label ?? '', at: r.corrected_at } : null,
  };
};

export async function listOfficerRecords(db: Executor, officerId: string): Promise<StoredTrainingRecord[]> {
  const rows = await recordsQuery(db).where('training_record.officer_id', '=', officerId).orderBy('training_record.completed_on').orderBy('training_record.id').execute();
  const cache = new Map<string, string[]>();
  return rows.map((r) => toRecord(r, cache));
}

/** Every training record of the force (or of some officers), grouped by officer: what counts of authority are derived from. */
export async function recordsByOfficer(db: Executor, forceId: string, officerIds?: readonly string[]): Promise<Map<string, TrainingRecord[]>> {
  const out = new Map<string, TrainingRecord[]>();
  if (officerIds && officerIds.length === 0) return out;
  const chunks = officerIds ? chunk(officerIds, 500) : [undefined];
  const cache = new Map<string, string[]>();
  for (const ids of chunks) {
    let q = db
      .selectFrom('training_record')
      .innerJoin('course_type', 'course_type.id', 'training_record.course_type_id')
      .select(['training_record.officer_id', 'training_record.completed_on', 'training_record.result', 'course_type.kind', 'course_type.qualifies_for'])
      .where('training_record.force_id', '=', forceId);
    if (ids) q = q.where('training_record.officer_id', 'in', ids);
    // Same-day records in the order they were stored (ids are time-ordered), the same on both engines.
    for (const r of await q.orderBy('training_record.completed_on').orderBy('training_record.id').execute()) {
      let qualifiesFor = cache.get(r.qualifies_for);
      if (!qualifiesFor) cache.set(r.qualifies_for, (qualifiesFor = JSON.parse(r.qualifies_for) as string[]));
      const list = out.get(r.officer_id) ?? [];
      list.push({ kind: r.kind as CourseKind, qualifiesFor, completedOn: r.completed_on, result: r.result as TrainingResult });
      out.set(r.officer_id, list);
    }
  }
  return out;
}

export interface NewTrainingRecord {
  officerId: string;
  courseTypeId: string;
  completedOn: string;
  result: TrainingResult;
  reason: string | null;
  sessionId: string | null;
  source: 'session' | 'import';
  sourceKey: string | null;
}

/** Inserts records; with `source_key` set, ones already stored are skipped. Returns the number inserted. */
export async function insertTrainingRecords(db: Executor, forceId: string, createdBy: string, records: readonly NewTrainingRecord[], at: string): Promise<number> {
  let inserted = 0;
  for (const part of chunk(records, 300)) {
    const rows: TrainingRecordTable[] = part.map((r) => ({
      id: newId(),
      force_id: forceId,
      officer_id: r.officerId,
      course_type_id: r.courseTypeId,
      completed_on: r.completedOn,
      result: r.result,
      reason: r.reason,
      session_id: r.sessionId,
      source: r.source,
      source_key: r.sourceKey,
      created_by_label: createdBy,
      created_at: at,
      previous_result: null,
      correction_reason: null,
      corrected_by_label: null,
      corrected_at: null,
    }));
    const result = await db
      .insertInto('training_record')
      .values(rows)
      .onConflict((oc) => oc.column('source_key').doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

/** Whether any officer holds a result on this course. */
export async function courseTypeInUse(db: Executor, courseTypeId: string): Promise<boolean> {
  return (await db.selectFrom('training_record').select('id').where('course_type_id', '=', courseTypeId).limit(1).executeTakeFirst()) !== undefined;
}

/** The results stored for these officers (from sessions and imports), narrow rows. */
export async function storedResults(db: Executor, forceId: string, officerIds: readonly string[]): Promise<{ officerId: string; courseTypeId: string; completedOn: string; result: TrainingResult }[]> {
  const out: { officerId: string; courseTypeId: string; completedOn: string; result: TrainingResult }[] = [];
  for (const ids of chunk(officerIds, 500)) {
    const rows = await db.selectFrom('training_record').select(['officer_id', 'course_type_id', 'completed_on', 'result']).where('force_id', '=', forceId).where('officer_id', 'in', ids).execute();
    for (const r of rows) out.push({ officerId: r.officer_id, courseTypeId: r.course_type_id, completedOn: r.completed_on, result: r.result as TrainingResult });
  }
  return out;
}

/** The record a session's result made for an officer, if any. */
export async function findSessionRecord(db: Executor, sessionId: string, officerId: string): Promise<{ id: string; result: TrainingResult; reason: string | null } | undefined> {
  const r = await db.selectFrom('training_record').select(['id', 'result', 'reason']).where('session_id', '=', sessionId).where('officer_id', '=', officerId).executeTakeFirst();
  return r ? { id: r.id, result: r.result as TrainingResult, reason: r.reason } : undefined;
}

/** Corrects a record's result, keeping the result it had and why it changed. */
export async function correctRecord(
  db: Executor,
  id: string,
  c: { result: TrainingResult; reason: string | null; previousResult: TrainingResult; correctionReason: string; by: string },
  at: string,
): Promise<void> {
  await db
    .updateTable('training_record')
    .set({ result: c.result, reason: c.reason, previous_result: c.previousResult, correction_reason: c.correctionReason, corrected_by_label: c.by, corrected_at: at })
    .where('id', '=', id)
    .execute();
}

/** Which of these import keys are already stored. */
export async function existingSourceKeys(db: Executor, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunk(keys, 500)) {
    const rows = await db.selectFrom('training_record').select('source_key').where('source_key', 'in', part).execute();
    for (const r of rows) if (r.source_key) found.add(r.source_key);
  }
  return found;
}

// Suspensions and withdrawals ---------------------------------------------------------

const RESTRICTION_COLUMNS = ['id', 'officer_id', 'kind', 'from_on', 'to_on', 'reason', 'created_by_label', 'created_at', 'ended_by_label', 'ended_at', 'end_reason'] as const;

export async function listRestrictions(db: Executor, forceId: string, officerIds?: readonly string[]): Promise<StoredRestriction[]> {
  if (officerIds && officerIds.length === 0) return [];
  const out: StoredRestriction[] = [];
  for (const ids of officerIds ? chunk(officerIds, 500) : [undefined]) {
    let q = db.selectFrom('authority_restriction').select(RESTRICTION_COLUMNS).where('force_id', '=', forceId);
    if (ids) q = q.where('officer_id', 'in', ids);
    for (const r of await q.orderBy('from_on').orderBy('id').execute()) {
      out.push({
        id: r.id,
        officerId: r.officer_id,
        kind: r.kind as RestrictionKind,
        from: r.from_on,
        to: r.to_on,
        reason: r.reason,
        createdBy: r.created_by_label,
        createdAt: r.created_at,
        endedBy: r.ended_by_label,
        endedAt: r.ended_at,
        endReason: r.end_reason,
      });
    }
  }
  return out;
}

export async function insertRestriction(db: Executor, forceId: string, officerId: string, kind: RestrictionKind, fromOn: string, reason: string, by: string, at: string): Promise<string> {
  const id = newId();
  await db
    .insertInto('authority_restriction')
    .values({
      id,
      force_id: forceId,
      officer_id: officerId,
      kind,
      from_on: fromOn,
      to_on: null,
      reason,
      created_by_label: by,
      created_at: at,
      ended_by_label: null,
      ended_at: null,
      end_reason: null,
    })
    .execute();
  return id;
}

export async function endRestriction(db: Executor, id: string, toOn: string, reason: string, by: string, at: string): Promise<void> {
  await db.updateTable('authority_restriction').set({ to_on: toOn, end_reason: reason, ended_by_label: by, ended_at: at }).where('id', '=', id).execute();
}
