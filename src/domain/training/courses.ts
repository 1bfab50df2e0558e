/**
 * Courses, sessions, enrolment and results (issue 5). Pure: the rules a session must keep,
 * checked here and called by the services.
 *
 * - A course type says what kind of course it is (initial, refresher, conversion), its length
 *   and which device models a pass qualifies for. The national ones are seeded.
 * - A session of a course has dates, a location, trainers and a capacity. Officers enrol; when
 *   the session is full they join its waiting list, in the order they asked, and move up
 *   when a place is given up. A session is never over-filled.
 * - Trainers must themselves be current: authorised on the session's first day.
 * - A result is pass, fail or did not finish; a fail or an unfinished course needs a reason,
 *   and so does marking someone absent.
 */
import { z } from 'zod';
import { collarNumber, isoDate } from '../organisation.js';
import { addDays, nextDay } from '../calendar.js';
import type { CourseKind, TrainingResult } from './authority.js';

/** Device models Cedar knows. A course type qualifies for some of them. */
export const DEVICE_MODELS = ['X26', 'X2', 'TASER 7'] as const;
export type DeviceModel = (typeof DEVICE_MODELS)[number];

export const COURSE_KINDS = ['initial', 'refresher', 'conversion'] as const satisfies readonly CourseKind[];
export const COURSE_KIND_LABELS: Record<CourseKind, string> = { initial: 'Initial course', refresher: 'Annual refresher', conversion: 'Conversion course' };

export const TRAINING_RESULTS = ['pass', 'fail', 'did_not_finish'] as const satisfies readonly TrainingResult[];
export const TRAINING_RESULT_LABELS: Record<TrainingResult, string> = { pass: 'Pass', fail: 'Fail', did_not_finish: 'Did not finish' };

export interface CourseType {
  id: string;
  code: string;
  name: string;
  kind: CourseKind;
  qualifiesFor: string[];
  minHours: number;
  days: number;
  active: boolean;
}

/** The national courses every force runs (College of Policing CED curriculum), seeded for a new force. */
export const NATIONAL_COURSE_TYPES: ReadonlyArray<Omit<CourseType, 'id' | 'active' | 'qualifiesFor'> & { qualifiesFor: DeviceModel[] }> = [
  { code: 'initial-x2', name: 'Initial CED course (X2)', kind: 'initial', qualifiesFor: ['X2'], minHours: 18, days: 3 },
  { code: 'initial-x26', name: 'Initial CED course (X26)', kind: 'initial', qualifiesFor: ['X26'], minHours: 18, days: 3 },
  { code: 'refresher', name: 'Annual CED refresher', kind: 'refresher', qualifiesFor: [], minHours: 6, days: 1 },
  { code: 'conversion-x26-x2', name: 'X26 to X2 conversion', kind: 'conversion', qualifiesFor: ['X2'], minHours: 12, days: 2 },
  { code: 'conversion-taser7', name: 'TASER 7 conversion', kind: 'conversion', qualifiesFor: ['TASER 7'], minHours: 12, days: 2 },
];

const code = z
  .string({ error: 'Enter a code' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter a code')
  .max(40, 'The code must be 40 characters or fewer')
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'The code must be lower-case letters and numbers joined by hyphens, like initial-x2');

const wholeNumber = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: `Enter the ${what} as a number` })
    .int(`Enter the ${what} as a whole number`)
    .min(min, `The ${what} must be ${min} or more`)
    .max(max, `The ${what} must be ${max} or fewer`);

const list = (v: unknown) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);

export const courseTypeInput = z
  .object({
    code,
    name: z.string({ error: 'Enter a name' }).trim().min(1, 'Enter a name').max(100, 'The name must be 100 characters or fewer'),
    kind: z.enum(COURSE_KINDS, { error: 'Select the kind of course' }),
    qualifiesFor: z.preprocess(list, z.array(z.enum(DEVICE_MODELS, { error: `Models must be from: ${DEVICE_MODELS.join(', ')}` }))),
    minHours: wholeNumber('minimum hours', 1, 200),
    days: wholeNumber('number of days', 1, 20),
    active: z
      .preprocess((v) => v === undefined || v === true || v === 'true' || v === 'on' || v === '1' || v === 1, z.boolean())
      .optional()
      .default(true),
  })
  .superRefine((c, ctx) => {
    if (c.kind !== 'refresher' && c.qualifiesFor.length === 0) ctx.addIssue({ code: 'custom', path: ['qualifiesFor'], message: 'Select the models a pass on this course qualifies for' });
    if (c.kind === 'initial' && c.minHours < 18) ctx.addIssue({ code: 'custom', path: ['minHours'], message: 'An initial course is at least 18 hours' });
    if (c.kind === 'refresher' && c.minHours < 6) ctx.addIssue({ code: 'custom', path: ['minHours'], message: 'A refresher is at least 6 hours' });
  });
export type CourseTypeInput = z.infer<typeof courseTypeInput>;

const trimmedText = (what: string, max: number) =>
  z
    .string({ error: `Enter the ${what}` })
    .trim()
    .min(1, `Enter the ${what}`)
    .max(max, `The ${what} must be ${max} characters or fewer`);

const optionalId = z.preprocess((v) => (v === '' || v === undefined ? null : v), z.string().nullable());

export const sessionInput = z
  .object({
    courseTypeId: z.string({ error: 'Select a course' }).trim().min(1, 'Select a course'),
    startsOn: isoDate,
    endsOn: isoDate,
    location: trimmedText('location', 200),
    boroughId: optionalId,
    capacity: wholeNumber('capacity', 1, 100),
    trainerIds: z.preprocess(list, z.array(z.string().trim().min(1))).refine((ids) => ids.length > 0, 'Add at least one trainer'),
  })
  .superRefine((s, ctx) => {
    if (s.endsOn < s.startsOn) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'The last day must be on or after the first day' });
    if (new Set(s.trainerIds).size !== s.trainerIds.length) ctx.addIssue({ code: 'custom', path: ['trainerIds'], message: 'Each trainer is listed once' });
  });
export type SessionInput = z.infer<typeof sessionInput>;

/**
 * Police forces in England and Wales first trained officers on Taser in 2003: no course, and
 * no training record, is older.
 */
export const EARLIEST_TRAINING = '2003-01-01';

/**
 * Whether a session's first day is plausible on `today` (a London day): up to two years ahead
 * (the uplift runs over two years), and back to a year ago at most (a session already held,
 * scheduled to record its results). A message, or null.
 */
export function sessionWindowProblem(startsOn: string, today: string): string | null {
  if (startsOn > addDays(today, 730)) return `The first day must be within two years from today (by ${addDays(today, 730)})`;
  if (startsOn < addDays(today, -365) || startsOn < EARLIEST_TRAINING)
    return `The first day must be within the last year (on or after ${addDays(today, -365)}): a session held before then is recorded by importing its results`;
  return null;
}

/** Days from the first to the last day of a session, both included. */
export function sessionSpanDays(startsOn: string, endsOn: string): number {
  return Math.round((Date.parse(`${endsOn}T00:00:00Z`) - Date.parse(`${startsOn}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Problems with a session's dates for its course: a 3-day course cannot fit in 2 days. */
export function sessionDateProblems(course: Pick<CourseType, 'name' | 'days'>, startsOn: string, endsOn: string): string[] {
  const span = sessionSpanDays(startsOn, endsOn);
  if (span < course.days) return [`${course.name} takes ${course.days} days: the session runs ${span}`];
  if (span > course.days + 14) return [`${course.name} takes ${course.days} days: a session over ${span} days is too long`];
  return [];
}

export type EnrolmentStatus = 'enrolled' | 'waiting' | 'cancelled';

export interface Seat {
  id: string;
  status: EnrolmentStatus;
  requestedAt: string;
}

/** Where a new enrolment goes: a place when one is free, else the end of the waiting list. */
export function placeFor(enrolled: number, capacity: number): 'enrolled' | 'waiting' {
  return enrolled < capacity ? 'enrolled' : 'waiting';
}

/**
 * After places change (one given up, capacity raised), who moves up from the waiting list:
 * the longest waiting first, until the session is full. Returns the ids to enrol, in order.
 */
export function promotions(seats: readonly Seat[], capacity: number): string[] {
  const enrolled = seats.filter((s) => s.status === 'enrolled').length;
  const free = Math.max(0, capacity - enrolled);
  return seats
    .filter((s) => s.status === 'waiting')
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id))
    .slice(0, free)
    .map((s) => s.id);
}

/** A session's capacity may not drop below the officers already given places. */
export function capacityProblem(capacity: number, enrolled: number): string | null {
  return capacity < enrolled ? `${enrolled} officers already have places: the capacity cannot be less than ${enrolled}` : null;
}

/** One line of results entry: did they attend, and how did it go. */
export const resultInput = z
  .object({
    enrolmentId: z.string().trim().min(1),
    // No default: a line left blank is asked again rather than taken as "did not attend".
    attended: z.preprocess(
      (v) => (v === true || v === 'yes' || v === 'true' ? true : v === false || v === 'no' || v === 'false' ? false : undefined),
      z.boolean({ error: 'Select yes if they attended, or no' }),
    ),
    result: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.enum(TRAINING_RESULTS, { error: 'Select pass, fail or did not finish' }).nullable()),
    reason: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.string().trim().max(500, 'The reason must be 500 characters or fewer').nullable().optional()),
  })
  .superRefine((r, ctx) => {
    if (r.attended && !r.result) ctx.addIssue({ code: 'custom', path: ['result'], message: 'Select pass, fail or did not finish' });
    if (!r.attended && r.result) ctx.addIssue({ code: 'custom', path: ['result'], message: 'An officer who did not attend has no result' });
    if ((r.result === 'fail' || r.result === 'did_not_finish') && !r.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Give the reason the officer did not pass' });
    if (!r.attended && !r.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Give the reason the officer did not attend' });
  });
export type ResultInput = z.infer<typeof resultInput>;

/** Correcting a result recorded wrongly: the right result (a reason unless a pass), and why it is corrected. */
export const resultCorrectionInput = z
  .object({
    result: z.enum(TRAINING_RESULTS, { error: 'Select pass, fail or did not finish' }),
    reason: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.string().trim().max(500, 'The reason must be 500 characters or fewer').nullable().optional()),
    correctionReason: z.string({ error: 'Say why the result is corrected' }).trim().min(1, 'Say why the result is corrected').max(500, 'The reason for the correction must be 500 characters or fewer'),
  })
  .superRefine((r, ctx) => {
    if (r.result !== 'pass' && !r.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Give the reason the officer did not pass' });
  });

export const RESTRICTION_KINDS = ['suspension', 'withdrawal'] as const;
export type RestrictionKind = (typeof RESTRICTION_KINDS)[number];

/**
 * A reason for suspending, reinstating, withdrawing or returning is a few words a person can
 * read later ("Under investigation", "Personal reasons"): at least two words and ten
 * characters. "x" is never a reason.
 */
export const REASON_MIN_WORDS = 2;
const REASON_MIN_CHARACTERS = 10;

const words = (text: string) => text.split(/[^\p{L}\p{N}]+/u).filter(Boolean).length;

const reasonText = (kind: RestrictionKind) =>
  trimmedText('reason', 500).refine(
    (r) => words(r) >= REASON_MIN_WORDS && r.length >= REASON_MIN_CHARACTERS,
    `Give the reason in a few words, for example ${kind === 'suspension' ? '"Under investigation after a complaint"' : '"Personal reasons"'}`,
  );

/** Suspending authority (supervisor, professional standards) or recording a withdrawal (the officer's choice). */
export const restrictionInput = (kind: RestrictionKind) => z.object({ fromOn: isoDate, reason: reasonText(kind) });
/** Reinstating authority, or returning to carrying. */
export const liftInput = (kind: RestrictionKind) => z.object({ toOn: isoDate, reason: reasonText(kind) });

/**
 * Whether a suspension or withdrawal may start on `fromOn`: today or earlier (`today`, a London
 * day), not before the officer joined, and not before the last one of its kind ended. A
 * message saying which day it may be, or null.
 */
export function restrictionStartProblem(kind: RestrictionKind, fromOn: string, ctx: { today: string; joinedOn: string; lastEndedOn: string | null }): string | null {
  if (fromOn > ctx.today) return 'The date must be today or in the past';
  if (fromOn < ctx.joinedOn) return `The date must be on or after ${ctx.joinedOn}, when the officer joined`;
  if (ctx.lastEndedOn !== null && fromOn < ctx.lastEndedOn) return `The date must be on or after ${ctx.lastEndedOn}, when the last ${kind} ended`;
  return null;
}

/**
 * Whether a suspension or withdrawal that began on `from` may end on `toOn`: from its first
 * day (ending it the day it began undoes it: it was never in force, as a same-day withdrawal
 * taken back) up to tomorrow. A message, or null.
 */
export function restrictionEndProblem(kind: RestrictionKind, toOn: string, ctx: { today: string; from: string }): string | null {
  if (toOn > nextDay(ctx.today)) return 'The date must be today, tomorrow or in the past';
  if (toOn < ctx.from) return `The date must be on or after ${ctx.from}, when the ${kind} began`;
  return null;
}

/** A historical training record, as imported or sent to the API. */
export const trainingRecordInput = z
  .object({
    collarNumber,
    courseCode: code,
    completedOn: isoDate,
    result: z.enum(TRAINING_RESULTS, { error: 'Result must be pass, fail or did_not_finish' }),
    reason: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.string().trim().max(500, 'The reason must be 500 characters or fewer').nullable().optional()),
  })
  .superRefine((r, ctx) => {
    if (r.result !== 'pass' && !r.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Give the reason the officer did not pass' });
  });
export type TrainingRecordInput = z.infer<typeof trainingRecordInput>;
