import { analyzeTables, ANALYZE_AFTER_ROWS } from '../db/analyze.js';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Executor } from '../db/database.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as repo from '../db/repositories/training.js';
import type { CsvEncoding, RowError } from '../domain/csv.js';
import type { TrainingResult } from '../domain/training/authority.js';
import { NATIONAL_COURSE_TYPES } from '../domain/training/courses.js';
import { planTrainingImport, readTrainingCsv, readTrainingRecords, rejectedRowCount, sortTrainingErrors, trainingSourceKey, type TrainingPlan, type TrainingRead } from '../domain/training/import.js';
import { WorkflowError } from '../domain/errors.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';
import { today } from './training.js';

/** A CSV file (see domain/training/import.ts for its columns), or records sent to the API. */
export type TrainingImportInput = { fileName: string; bytes: Uint8Array } | { records: readonly unknown[] };

export interface TrainingImportOptions {
  /** Check everything and count what would be stored, writing nothing. */
  dryRun?: boolean;
  /** Called as records are stored: (rows done, rows read). */
  onProgress?: (done: number, total: number) => void;
  /** Today is taken from this instant (London): a course cannot end after today. */
  now?: Date;
}

export interface TrainingImportResult {
  /** True when every row was accepted (and, unless a dry run, the records stored). */
  ok: boolean;
  dryRun: boolean;
  /** Data rows in the file, or records in the list. */
  read: number;
  /** Records stored (on a dry run: that would be stored). 0 when rejected. */
  inserted: number;
  /** Rows Cedar already held: same officer, course, day and result. */
  alreadyPresent: number;
  /** Rows with at least one problem (a problem with the header or the file is not a row). */
  rejectedRows: number;
  /**
   * Every problem, by line then column. For a CSV file, `line` is the physical line (header = 1)
   * and `column` the CSV column; for records sent as JSON, `line` is the index (from 0) and
   * `column` the field.
   */
  rejected: RowError[];
  /** How a CSV file was decoded; null for JSON. */
  encoding: CsvEncoding | null;
}

/** The force has no course types, so no course code can match. */
export class NoCourseTypesError extends WorkflowError {
  constructor() {
    super(
      `Cedar has no course types yet, so no course code can match. Add the national ones (${NATIONAL_COURSE_TYPES.map((c) => c.code).join(', ')}) ` +
        "with `cedar import training FILE --add-national-courses`, or add the force's own course types on the training pages, then import again.",
    );
    this.name = 'NoCourseTypesError';
  }
}

const INSERT_BATCH = 2000;

/** Results already stored for these officers, by trainingSourceKey (whatever their source). */
async function storedResults(db: Executor, forceId: string, officerIds: readonly string[]): Promise<Map<string, TrainingResult[]>> {
  const out = new Map<string, TrainingResult[]>();
  for (const r of await repo.storedResults(db, forceId, officerIds)) {
    const key = trainingSourceKey(r);
    const list = out.get(key) ?? [];
    list.push(r.result);
    out.set(key, list);
  }
  return out;
}

/** Finds each row's officer and course, and what Cedar already holds: a few batched queries, whatever the file's size. */
async function plan(db: Executor, forceId: string, read: TrainingRead): Promise<TrainingPlan> {
  const courseTypes = await repo.listCourseTypes(db, forceId);
  if (courseTypes.length === 0) throw new NoCourseTypesError();
  const collars = [...new Set(read.rows.map((r) => r.record.collarNumber))];
  const officers = await officersRepo.findOfficersByCollars(db, forceId, collars);
  const existing = await storedResults(db, forceId, [...new Set([...officers.values()].map((o) => o.id))]);
  return planTrainingImport(read.rows, { officers, courses: new Map(courseTypes.map((c) => [c.code, c])), existing }, read.source);
}

/**
 * Imports historical training records (issue 5), from a CSV file or a list sent to the API.
 * All or nothing, like the officer import: when any row has a problem, every problem is
 * returned (by line and column) and nothing is stored. Otherwise, in one transaction with one
 * `training.import` audit entry, the records Cedar does not hold yet are stored; the same
 * file imported again adds nothing. Authority to carry follows from the stored records.
 * Throws NoCourseTypesError when the force has no course types at all.
 */
export async function importTraining(svc: Services, actor: Actor, input: TrainingImportInput, opts: TrainingImportOptions = {}): Promise<TrainingImportResult> {
  const force = await getForce(svc);
  const on = today(opts.now ?? svc.now());
  const read = 'records' in input ? readTrainingRecords(input.records, on) : readTrainingCsv(input.bytes, on);
  const dryRun = opts.dryRun === true;
  const base = { dryRun, read: read.count, encoding: read.encoding };
  const rejectedResult = (errors: RowError[]): TrainingImportResult => ({
    ...base,
    ok: false,
    inserted: 0,
    alreadyPresent: 0,
    rejectedRows: rejectedRowCount(errors, read.headerLine),
    rejected: errors,
  });

  if (read.fatal) return rejectedResult(read.errors);
  const problems = (p: TrainingPlan) => sortTrainingErrors([...read.errors, ...p.errors], read.source);

  if (dryRun) {
    const p = await plan(svc.database.db, force.id, read);
    const errors = problems(p);
    if (errors.length) return rejectedResult(errors);
    return { ...base, ok: true, inserted: p.insert.length, alreadyPresent: p.alreadyPresent, rejectedRows: 0, rejected: [] };
  }

  const total = read.count;
  const result = await change(svc, actor, async (trx, audit): Promise<TrainingImportResult> => {
    const p = await plan(trx, force.id, read);
    const errors = problems(p);
    if (errors.length) return rejectedResult(errors);
    // Progress short of the end; the end is reported once, after the commit.
    let done = p.alreadyPresent;
    const report = () => {
      if (done < total) opts.onProgress?.(done, total);
    };
    report();
    let inserted = 0;
    for (let i = 0; i < p.insert.length; i += INSERT_BATCH) {
      const batch = p.insert.slice(i, i + INSERT_BATCH);
      inserted += await repo.insertTrainingRecords(
        trx,
        force.id,
        actor.label,
        batch.map((r) => ({
          officerId: r.officerId,
          courseTypeId: r.courseTypeId,
          completedOn: r.completedOn,
          result: r.result,
          reason: r.reason,
          sessionId: null,
          source: 'import',
          sourceKey: r.sourceKey,
        })),
        svc.now().toISOString(),
      );
      done += batch.length;
      report();
    }
    // A record stored by another import since the plan was made is skipped by its key: already present too.
    const alreadyPresent = p.alreadyPresent + (p.insert.length - inserted);
    const from = 'records' in input ? { source: 'api' } : { source: 'csv', file: path.basename(input.fileName), sha256: createHash('sha256').update(input.bytes).digest('hex') };
    await audit({
      action: 'training.import',
      entityType: 'training_record',
      entityId: null,
      summary: { ...from, read: read.count, inserted, alreadyPresent, officers: new Set(p.insert.map((r) => r.officerId)).size },
    });
    return { ...base, ok: true, inserted, alreadyPresent, rejectedRows: 0, rejected: [] };
  });
  if (result.ok && result.inserted >= ANALYZE_AFTER_ROWS) await analyzeTables(svc.database.db, svc.database.kind, ['training_record']);
  if (result.ok) opts.onProgress?.(total, total);
  return result;
}
