import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import * as repo from '../db/repositories/training.js';
import type { RestrictionKind } from '../domain/training/courses.js';
import type { TrainingResult } from '../domain/training/authority.js';
import { ValidationError } from '../domain/errors.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';
import { addNationalCourseTypes } from './training.js';

/*
 * A force's training history at once (records, suspensions and withdrawals, sessions with
 * their trainers, enrolments and results), for a new installation: the demo force (src/demo)
 * fills its training this way. Bulk: records go in batches, in one transaction with one audit
 * entry. Officers are named by collar number, courses by code, boroughs by code.
 */

export interface TrainingLoad {
  /** Every training record, those of completed sessions included (they are stored with their session). */
  records: readonly { collar: string; code: string; completedOn: string; result: TrainingResult; reason: string | null }[];
  restrictions: readonly { collar: string; kind: RestrictionKind; from: string; to: string | null; reason: string; endReason: string | null }[];
  sessions: readonly {
    code: string;
    startsOn: string;
    endsOn: string;
    location: string;
    boroughCode: string | null;
    capacity: number;
    trainers: readonly string[];
    /** Scheduled: officers with places, then the waiting list, in the order they asked. */
    enrolled: readonly string[];
    waiting: readonly string[];
    /** Completed: each officer's result (their records are among `records`). */
    results: readonly { collar: string; result: TrainingResult; reason: string | null }[] | null;
  }[];
}

export interface TrainingLoadOptions {
  /** The audit entry the load is recorded as (e.g. `demo.training`); its summary has the counts. */
  audit: { action: string };
  /** Add the national course types the force does not have yet first (each audited as `course_type.create`). */
  addNationalCourses?: boolean;
}

export interface TrainingLoadSummary {
  /** National course types added. */
  courseTypes: number;
  records: number;
  sessions: number;
  enrolments: number;
  restrictions: number;
}

/**
 * Stores a force's training history in one transaction with one audit entry. The officers,
 * courses and boroughs it names must be stored (an unknown one is an error and nothing is
 * stored). Records from completed sessions are written with their session; the rest as
 * imported.
 */
export async function loadTraining(svc: Services, actor: Actor, load: TrainingLoad, opts: TrainingLoadOptions): Promise<TrainingLoadSummary> {
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const at = svc.now().toISOString();
    const courseTypes = opts.addNationalCourses ? await addNationalCourseTypes(trx, force.id, audit, at) : 0;
    const courseIds = new Map((await repo.listCourseTypes(trx, force.id)).map((c) => [c.code, c.id]));
    const officerIds = await officersRepo.officerIdsByCollar(trx, force.id);
    const boroughIds = new Map((await org.listBoroughs(trx, force.id)).map((b) => [b.code, b.id]));
    const lookup = (ids: Map<string, string>, field: string, what: string) => (key: string) => {
      const id = ids.get(key);
      if (id === undefined) throw new ValidationError([{ field, message: `No ${what} ${key} in the force` }]);
      return id;
    };
    const id = lookup(officerIds, 'collar', 'officer with the collar number');
    const courseId = lookup(courseIds, 'code', 'course with the code');
    const boroughId = lookup(boroughIds, 'boroughCode', 'borough with the code');

    const fromSessions = new Set<string>();
    let enrolments = 0;
    for (const s of load.sessions) {
      const sessionId = await repo.insertSession(
        trx,
        force.id,
        {
          courseTypeId: courseId(s.code),
          startsOn: s.startsOn,
          endsOn: s.endsOn,
          location: s.location,
          boroughId: s.boroughCode ? boroughId(s.boroughCode) : null,
          capacity: s.capacity,
        },
        at,
      );
      await repo.replaceTrainers(trx, sessionId, s.trainers.map(id));
      if (s.results) {
        const sessionRecords: repo.NewTrainingRecord[] = [];
        for (const r of s.results) {
          const enrolmentId = await repo.insertEnrolment(trx, sessionId, id(r.collar), 'enrolled', at);
          await repo.recordEnrolmentResult(trx, enrolmentId, { attended: true, result: r.result, reason: r.reason }, at);
          sessionRecords.push({ officerId: id(r.collar), courseTypeId: courseId(s.code), completedOn: s.endsOn, result: r.result, reason: r.reason, sessionId, source: 'session', sourceKey: null });
          fromSessions.add(`${r.collar}|${s.code}|${s.endsOn}`);
          enrolments++;
        }
        await repo.insertTrainingRecords(trx, force.id, actor.label, sessionRecords, at);
        await repo.setSessionStatus(trx, sessionId, 'completed', at);
      } else {
        for (const c of s.enrolled) await repo.insertEnrolment(trx, sessionId, id(c), 'enrolled', at);
        for (const c of s.waiting) await repo.insertEnrolment(trx, sessionId, id(c), 'waiting', at);
        enrolments += s.enrolled.length + s.waiting.length;
      }
    }
    const imported = load.records.filter((r) => !fromSessions.has(`${r.collar}|${r.code}|${r.completedOn}`));
    await repo.insertTrainingRecords(
      trx,
      force.id,
      actor.label,
      imported.map((r) => ({
        officerId: id(r.collar),
        courseTypeId: courseId(r.code),
        completedOn: r.completedOn,
        result: r.result,
        reason: r.reason,
        sessionId: null,
        source: 'import' as const,
        sourceKey: null,
      })),
      at,
    );
    for (const r of load.restrictions) {
      const rid = await repo.insertRestriction(trx, force.id, id(r.collar), r.kind, r.from, r.reason, actor.label, at);
      if (r.to) await repo.endRestriction(trx, rid, r.to, r.endReason ?? 'Ended', actor.label, at);
    }
    const summary = { courseTypes, records: load.records.length, sessions: load.sessions.length, enrolments, restrictions: load.restrictions.length };
    await audit({ action: opts.audit.action, entityType: 'force', entityId: force.id, summary });
    return summary;
  });
}
