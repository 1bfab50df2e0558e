import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { StoredRestriction, StoredTrainingRecord, TrainingSession } from '../../../domain/training/records.js';
import { isoDate } from '../../../domain/organisation.js';
import { nextDay } from '../../../domain/calendar.js';
import { DEVICE_MODELS, trainingRecordInput, type CourseType } from '../../../domain/training/courses.js';
import { TRAINING_RECORD_FIELDS } from '../../../domain/training/import.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import type { Services } from '../../../services/context.js';
import { importTraining } from '../../../services/import-training.js';
import * as training from '../../../services/training.js';
import { sendProblem } from '../../plugins/errors.js';
import { queryOf } from '../../query.js';
import { idParams, paramsOf, pathParameters } from '../../params.js';

/** Records in one POST /api/v1/training/records: more than a year's courses for a large force; bigger loads use `cedar import training`. */
export const MAX_RECORDS_PER_REQUEST = 10_000;

const SESSION_STATUSES = ['scheduled', 'completed', 'cancelled'] as const;

const sessionsQuery = z.object({
  from: isoDate.optional(),
  to: isoDate.optional(),
  course: z.string().trim().min(1).max(100).optional(),
  status: z.enum(SESSION_STATUSES).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

const recordsQuery = z.object({ dryRun: z.enum(['true', 'false']).optional() });

const courseTypeJson = (c: CourseType) => ({ id: c.id, code: c.code, name: c.name, kind: c.kind, qualifiesFor: c.qualifiesFor, minHours: c.minHours, days: c.days, active: c.active });

function sessionJson(s: TrainingSession) {
  return {
    id: s.id,
    courseTypeId: s.courseTypeId,
    courseName: s.courseName,
    courseKind: s.courseKind,
    qualifiesFor: s.qualifiesFor,
    startsOn: s.startsOn,
    endsOn: s.endsOn,
    location: s.location,
    boroughId: s.boroughId,
    capacity: s.capacity,
    status: s.status,
    enrolled: s.enrolled,
    waiting: s.waiting,
  };
}

const recordJson = (r: StoredTrainingRecord) => ({
  id: r.id,
  courseTypeId: r.courseTypeId,
  courseName: r.courseName,
  kind: r.kind,
  qualifiesFor: r.qualifiesFor,
  completedOn: r.completedOn,
  result: r.result,
  reason: r.reason,
  source: r.source,
  sessionId: r.sessionId,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
  correction: r.correction,
});

const restrictionJson = (r: StoredRestriction) => ({
  id: r.id,
  kind: r.kind,
  from: r.from,
  to: r.to,
  reason: r.reason,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
  endedBy: r.endedBy,
  endedAt: r.endedAt,
  endReason: r.endReason,
});

/** A course type by its id or its code (`initial-x2`). */
async function courseTypeId(svc: Services, idOrCode: string): Promise<string> {
  const types = await training.listCourseTypes(svc);
  const found = types.find((c) => c.id === idOrCode || c.code === idOrCode.toLowerCase());
  if (!found) throw new ValidationError([{ field: 'query.course', message: `No course with the id or code ${idOrCode}: the codes are ${types.map((c) => c.code).join(', ') || 'none yet'}` }]);
  return found.id;
}

export function registerTrainingApiRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/api/v1/officers/:id/authority', { config: { permission: 'read:officer', params: idParams } }, async (request) => {
    const { id } = paramsOf(request, idParams);
    const a = await training.officerAuthority(svc, request.scope, id);
    const o = a.officer;
    return {
      officer: { id: o.id, collarNumber: o.collarNumber, firstName: o.firstName, lastName: o.lastName, rank: o.rank, boroughId: o.boroughId, status: o.status },
      on: a.on,
      authorised: a.authorised,
      authorities: a.authorities.map((x) => ({ model: x.model, status: x.status, authorised: x.authorised, expiresOn: x.expiresOn, reason: x.reason })),
      records: a.records.map(recordJson),
      restrictions: a.restrictions.map(restrictionJson),
      enrolments: a.enrolments.map((e) => ({ sessionId: e.sessionId, status: e.status, startsOn: e.startsOn, courseName: e.courseName })),
    };
  });

  app.get('/api/v1/training/course-types', { config: { permission: 'read:training' } }, async () => ({ data: (await training.listCourseTypes(svc)).map(courseTypeJson) }));

  app.get('/api/v1/training/sessions', { config: { permission: 'read:training', query: sessionsQuery } }, async (request) => {
    const q = queryOf(request, sessionsQuery);
    if (q.from && q.to && q.to < q.from) throw new ValidationError([{ field: 'query.to', message: 'The last day must be on or after the first day' }]);
    const r = await training.listSessions(
      svc,
      { from: q.from, toExclusive: q.to ? nextDay(q.to) : undefined, courseTypeId: q.course ? await courseTypeId(svc, q.course) : undefined, status: q.status },
      { page: q.page, pageSize: q.pageSize },
    );
    return { data: r.rows.map(sessionJson), page: r.page, pageSize: r.pageSize, total: r.total, pages: r.pages };
  });

  app.get('/api/v1/training/sessions/:id', { config: { permission: 'read:training', params: idParams } }, async (request) => {
    const { id } = paramsOf(request, idParams);
    // A borough-scoped reader gets the officers of their boroughs; the others are only counted.
    const d = await training.getSession(svc, id, { scope: request.scope, now: svc.now() });
    return {
      ...sessionJson(d.session),
      boroughName: d.boroughName,
      placesFree: Math.max(0, d.session.capacity - d.session.enrolled),
      resultsOpen: d.resultsOpen,
      // Collar numbers, not names: enough for the systems around Cedar to match their own records.
      trainers: d.trainers.map((t) => ({ officerId: t.officerId, collarNumber: t.collarNumber })),
      roster: d.enrolments.map((e) => ({ id: e.id, officerId: e.officerId, collarNumber: e.collarNumber, status: e.status, requestedAt: e.requestedAt, attended: e.attended, result: e.result })),
      outOfScope: d.outOfScope,
    };
  });

  app.post('/api/v1/training/records', { config: { permission: 'import:training', query: recordsQuery }, bodyLimit: 4 * 1024 * 1024 }, async (request, reply: FastifyReply) => {
    const { dryRun } = queryOf(request, recordsQuery);
    const body = request.body;
    if (!Array.isArray(body)) throw new ValidationError([{ field: '(body)', message: `Send a JSON array of training records, each with ${TRAINING_RECORD_FIELDS.join(', ')}` }]);
    if (body.length === 0) throw new ValidationError([{ field: '(body)', message: 'Send at least one training record' }]);
    if (body.length > MAX_RECORDS_PER_REQUEST) {
      throw new ValidationError([
        { field: '(body)', message: `Send at most ${MAX_RECORDS_PER_REQUEST.toLocaleString('en-GB')} records in one request: split the list, or use \`cedar import training\`` },
      ]);
    }
    const r = await importTraining(svc, request.actor(), { records: body }, { dryRun: dryRun === 'true' });
    if (!r.ok) {
      const errors: FieldError[] = r.rejected.map((e) => ({ field: e.column === null ? String(e.line) : `${e.line}.${e.column}`, message: e.message }));
      return sendProblem(reply, 422, 'Invalid input', `${r.rejectedRows} of ${r.read} records ${r.rejectedRows === 1 ? 'has' : 'have'} errors; nothing was imported.`, errors);
    }
    return { dryRun: r.dryRun, read: r.read, inserted: r.inserted, alreadyPresent: r.alreadyPresent };
  });
}

/** OpenAPI pieces for the training API, generated from the schemas that validate requests. */
export function trainingOpenApi(json: (s: z.ZodType) => object) {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
  const ok = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
  const common = { '401': problem('Not signed in, or the token is not valid'), '403': problem('The account lacks the permission') };
  const [id] = pathParameters(idParams);
  const date = { type: 'string', format: 'date' };
  const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });
  const session = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      courseTypeId: { type: 'string' },
      courseName: { type: 'string' },
      courseKind: { type: 'string', enum: ['initial', 'refresher', 'conversion'] },
      qualifiesFor: { type: 'array', items: { type: 'string', enum: [...DEVICE_MODELS] } },
      startsOn: date,
      endsOn: date,
      location: { type: 'string' },
      boroughId: nullable('string'),
      capacity: { type: 'integer' },
      status: { type: 'string', enum: [...SESSION_STATUSES] },
      enrolled: { type: 'integer', description: 'Officers with a place' },
      waiting: { type: 'integer', description: 'Officers on the waiting list' },
    },
  };
  const querySchema = json(sessionsQuery) as { properties: Record<string, object> };
  const queryDescriptions: Record<string, string> = {
    from: 'Sessions ending on or after this day',
    to: 'Sessions starting on or before this day',
    course: "A course type's id or code, like initial-x2",
  };
  return {
    schemas: {
      CourseType: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          code: { type: 'string' },
          name: { type: 'string' },
          kind: { type: 'string', enum: ['initial', 'refresher', 'conversion'] },
          qualifiesFor: { type: 'array', items: { type: 'string', enum: [...DEVICE_MODELS] } },
          minHours: { type: 'integer' },
          days: { type: 'integer' },
          active: { type: 'boolean' },
        },
      },
      TrainingSession: session,
      TrainingSessionDetails: {
        allOf: [
          ref('TrainingSession'),
          {
            type: 'object',
            properties: {
              boroughName: nullable('string'),
              placesFree: { type: 'integer' },
              resultsOpen: { type: 'boolean', description: 'Results can be recorded (from the last day of a scheduled session)' },
              trainers: { type: 'array', items: { type: 'object', properties: { officerId: { type: 'string' }, collarNumber: { type: 'string' } } } },
              roster: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    officerId: { type: 'string' },
                    collarNumber: { type: 'string' },
                    status: { type: 'string', enum: ['enrolled', 'waiting', 'cancelled'] },
                    requestedAt: { type: 'string', format: 'date-time' },
                    attended: nullable('boolean'),
                    result: nullable('string', { enum: ['pass', 'fail', 'did_not_finish', null] }),
                  },
                },
              },
              outOfScope: {
                type: 'object',
                description: "Officers on the session outside the caller's boroughs (a borough-scoped token): counted, not listed in trainers or roster",
                properties: { trainers: { type: 'integer' }, enrolled: { type: 'integer' }, waiting: { type: 'integer' } },
              },
            },
          },
        ],
      },
      TrainingRecordInput: json(trainingRecordInput),
      OfficerAuthority: {
        type: 'object',
        properties: {
          officer: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              collarNumber: { type: 'string' },
              firstName: { type: 'string' },
              lastName: { type: 'string' },
              rank: { type: 'string' },
              boroughId: nullable('string'),
              status: { type: 'string' },
            },
          },
          on: { ...date, description: 'The London day the authority is worked out for (today)' },
          authorised: { type: 'boolean', description: 'Authorised to carry at least one model today' },
          authorities: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                model: { type: 'string', enum: [...DEVICE_MODELS] },
                status: { type: 'string', enum: ['authorised', 'not_qualified', 'failed', 'lapsed', 'suspended', 'withdrawn'] },
                authorised: { type: 'boolean' },
                expiresOn: nullable('string', { format: 'date', description: 'The last day the current training authorises' }),
                reason: { type: 'string' },
              },
            },
          },
          records: {
            type: 'array',
            description: 'Training records, oldest first: authority is derived from these',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                courseTypeId: { type: 'string' },
                courseName: { type: 'string' },
                kind: { type: 'string' },
                qualifiesFor: { type: 'array', items: { type: 'string' } },
                completedOn: date,
                result: { type: 'string', enum: ['pass', 'fail', 'did_not_finish'] },
                reason: nullable('string'),
                source: { type: 'string', enum: ['session', 'import'] },
                sessionId: nullable('string'),
                createdBy: { type: 'string' },
                createdAt: { type: 'string', format: 'date-time' },
                correction: {
                  description: 'Set when a session result was corrected: the result it had, why, by whom, when',
                  oneOf: [
                    { type: 'null' },
                    {
                      type: 'object',
                      properties: {
                        previousResult: { type: 'string', enum: ['pass', 'fail', 'did_not_finish'] },
                        reason: { type: 'string' },
                        by: { type: 'string' },
                        at: { type: 'string', format: 'date-time' },
                      },
                    },
                  ],
                },
              },
            },
          },
          restrictions: {
            type: 'array',
            description: 'Suspensions and withdrawals; one with no `to` is in force',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                kind: { type: 'string', enum: ['suspension', 'withdrawal'] },
                from: date,
                to: nullable('string', { format: 'date' }),
                reason: { type: 'string' },
                createdBy: { type: 'string' },
                createdAt: { type: 'string', format: 'date-time' },
                endedBy: nullable('string'),
                endedAt: nullable('string'),
                endReason: nullable('string'),
              },
            },
          },
          enrolments: { type: 'array', items: { type: 'object', properties: { sessionId: { type: 'string' }, status: { type: 'string' }, startsOn: date, courseName: { type: 'string' } } } },
        },
      },
    },
    paths: {
      '/api/v1/officers/{id}/authority': {
        get: {
          summary: "An officer's authority to carry, per model, with expiry, training records and restrictions (needs read:officer; borough-limited accounts see their borough only)",
          parameters: [id],
          responses: { '200': ok(ref('OfficerAuthority')), '404': problem('No such officer (or outside your borough)'), ...common },
        },
      },
      '/api/v1/training/course-types': {
        get: { summary: "The force's course types (needs read:training)", responses: { '200': ok({ type: 'object', properties: { data: { type: 'array', items: ref('CourseType') } } }), ...common } },
      },
      '/api/v1/training/sessions': {
        get: {
          summary: 'Training sessions, by first day (needs read:training)',
          parameters: Object.keys(querySchema.properties).map((name) => ({
            name,
            in: 'query',
            required: false,
            schema: querySchema.properties[name],
            ...(queryDescriptions[name] ? { description: queryDescriptions[name] } : {}),
          })),
          responses: {
            '200': ok({
              type: 'object',
              properties: { data: { type: 'array', items: ref('TrainingSession') }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer' }, pages: { type: 'integer' } },
            }),
            '422': problem('Invalid query'),
            ...common,
          },
        },
      },
      '/api/v1/training/sessions/{id}': {
        get: {
          summary: 'A session with its places, trainers and roster (collar numbers) (needs read:training)',
          parameters: [id],
          responses: { '200': ok(ref('TrainingSessionDetails')), '404': problem('No such session'), ...common },
        },
      },
      '/api/v1/training/records': {
        post: {
          summary: `Import historical training records (needs import:training): all or nothing, like \`cedar import training\`; up to ${MAX_RECORDS_PER_REQUEST.toLocaleString('en-GB')} a request. A record Cedar already holds (same officer, course, day and result) is counted as already present; sending the same list again adds nothing.`,
          parameters: [{ name: 'dryRun', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] }, description: 'true: check and count, store nothing' }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'array', minItems: 1, maxItems: MAX_RECORDS_PER_REQUEST, items: ref('TrainingRecordInput') } } } },
          responses: {
            '200': ok({ type: 'object', properties: { dryRun: { type: 'boolean' }, read: { type: 'integer' }, inserted: { type: 'integer' }, alreadyPresent: { type: 'integer' } } }),
            '409': problem('The force has no course types yet'),
            '422': problem('Nothing imported: each problem named by record index and field, as `3.courseCode`'),
            ...common,
          },
        },
      },
    },
  };
}
