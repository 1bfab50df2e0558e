import { parseIsoDate } from '../../../domain/calendar.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseRequestPart } from '../../api-input.js';
import { z } from 'zod';
import { REPORT_SORTS, type Report } from '../../../domain/report/records.js';
import type { Officer } from '../../../domain/organisation.js';
import { reportContentSchema, SECTION_KEYS, SECTIONS, sectionSchema, type SectionRules, type SectionKey } from '../../../domain/report/content.js';
import { COUNTED_LEVELS } from '../../../domain/report/levels.js';
import { ConcurrentChangeError, ValidationError, type FieldError } from '../../../domain/errors.js';
import { REFERRAL_OUTCOMES, REPORT_STATUSES, REVIEW_OUTCOMES } from '../../../domain/report/workflow.js';
import { fieldErrorsFromZod } from '../../../domain/validation.js';
import type { Actor, Services } from '../../../services/context.js';
import * as reports from '../../../services/reports.js';
import { deviceWarnings } from '../../../services/device-reports.js';
import type { SerialWarning } from '../../../domain/devices/serial-check.js';
import { sendProblem } from '../../plugins/errors.js';
import { idParams, paramChoice, paramId, paramsOf, pathParameters } from '../../params.js';

const READ_ANY = ['create:report', 'read:report'] as const;

function officerJson(o: Officer | undefined) {
  return o ? { id: o.id, collarNumber: o.collarNumber, firstName: o.firstName, lastName: o.lastName, rank: o.rank } : null;
}

function reportJson(r: Report) {
  return {
    id: r.id,
    incidentId: r.incidentId,
    incidentReference: r.incidentReference,
    officerId: r.officerId,
    boroughId: r.boroughId,
    status: r.status,
    version: r.version,
    revision: r.revision,
    highestLevel: r.highestLevel,
    discharge: r.discharge,
    cedUsed: r.cedUsed,
    seriousOutcome: r.serious,
    occurredAt: r.occurredAt,
    dueAt: r.dueAt,
    submittedAt: r.submittedAt,
    reviewedAt: r.reviewedAt,
    signedOffAt: r.signedOffAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function detailsJson(d: reports.ReportDetails, warnings: readonly SerialWarning[]) {
  return {
    ...reportJson(d.report),
    officer: officerJson(d.officer),
    content: d.report.content,
    sections: d.sections.map((s) => ({ key: s.key, title: s.title, status: s.status })),
    problems: d.problems,
    deviceWarnings: warnings.map((w) => ({ code: w.code, message: w.message })),
    timeline: d.events.map((e) => ({ kind: e.kind, at: e.at, actor: e.actorLabel, comment: e.comment, version: e.version, changes: e.changes })),
    versions: d.versions.map((v) => ({ version: v.version, reason: v.reason, createdAt: v.createdAt, createdBy: v.createdByLabel })),
    referralOutcomes: d.referralOutcomes.map((o) => ({
      outcome: o.outcome,
      iopcReference: o.iopcReference,
      reason: o.reason,
      reportVersion: o.reportVersion,
      recordedAt: o.recordedAt,
      recordedBy: o.recordedByLabel,
    })),
  };
}

/**
 * The revision the client read (`If-Match: "3"`, as the report's ETag gives it), or undefined
 * for none (`*` or no header): then the write applies to the report as it is when it runs.
 */
function ifMatch(request: FastifyRequest): reports.Opened {
  const raw = request.headers['if-match'];
  const v = (Array.isArray(raw) ? raw.join(',') : raw)?.trim();
  if (!v || v === '*') return {};
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(v);
  if (!m) throw new ValidationError([{ field: 'header.If-Match', message: 'If-Match must be the report’s revision as its ETag gives it, for example "3"' }]);
  return { revision: Number(m[1]) };
}

/** A report's details, with what the register says of its Taser serial, and its revision as the ETag, for the next write's If-Match. */
async function sendDetails(svc: Services, reply: FastifyReply, d: reports.ReportDetails, code = 200) {
  const warnings = await deviceWarnings(svc, d.report);
  return reply.code(code).header('etag', `"${d.report.revision}"`).send(detailsJson(d, warnings));
}

/** A write whose If-Match no longer holds: 412, and nothing was stored. */
async function precondition<T>(reply: FastifyReply, write: () => Promise<T>): Promise<{ refused: FastifyReply } | { done: T }> {
  try {
    return { done: await write() };
  } catch (err) {
    if (err instanceof ConcurrentChangeError) return { refused: sendProblem(reply, 412, 'The report changed', err.message) };
    throw err;
  }
}

/** A write to a report, answered with the report's details as the write left it (read in its transaction), or 412. */
async function written(svc: Services, reply: FastifyReply, actor: Actor, write: () => Promise<Report>): Promise<FastifyReply> {
  const result = await precondition(reply, write);
  return 'refused' in result ? result.refused : sendDetails(svc, reply, await reports.reportDetails(svc, actor, result.done));
}

/** A London day in a query: YYYY-MM-DD, and a day the calendar has (not 0000-00-00 or 2026-02-30). */
const queryDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD')
  .refine((d) => parseIsoDate(d) !== null, 'Use a real date, YYYY-MM-DD')
  .optional();

const listQuery = z.object({
  status: z.enum(REPORT_STATUSES).optional(),
  borough: z.string().optional(),
  level: z.enum([...COUNTED_LEVELS, 'not_stated']).optional(),
  deadline: z.enum(['overdue', 'due_soon']).optional(),
  occurredFrom: queryDay,
  occurredTo: queryDay,
  sort: z.enum(REPORT_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

const pageQuery = listQuery.pick({ page: true, pageSize: true });

const sectionsInput = z
  .record(z.string(), z.unknown())
  .superRefine((o, ctx) => {
    for (const k of Object.keys(o))
      if (!(SECTION_KEYS as string[]).includes(k)) ctx.addIssue({ code: 'custom', path: [k], message: `There is no section called ${k}: the sections are ${SECTION_KEYS.join(', ')}` });
  })
  .transform((o) => o as Partial<Record<SectionKey, unknown>>);

const createInput = z.object({ sections: sectionsInput.default({}) }).strict();
const amendInput = z.object({ sections: sectionsInput, reason: z.unknown() }).strict();

/** Checks every section before anything is stored, so a bad request creates nothing. */
function checkSections(sections: Partial<Record<SectionKey, unknown>>, rules: SectionRules): void {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(sections) as [SectionKey, unknown][]) {
    const r = sectionSchema(key, rules).safeParse(value);
    if (!r.success) errors.push(...fieldErrorsFromZod(r.error).map((e) => ({ field: `sections.${key}.${e.field}`, message: e.message })));
  }
  if (errors.length) throw new ValidationError(errors);
}

const sectionParams = z.object({ id: paramId, key: paramChoice('Section', SECTION_KEYS) });

export function registerReportApiRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/api/v1/reports', { config: { permission: 'read:report', query: listQuery } }, async (request) => {
    const q = parseRequestPart(listQuery, request.query, 'query');
    const r = await reports.listReports(
      svc,
      request.scope,
      {
        statuses: q.status ? [q.status] : undefined,
        boroughId: q.borough,
        highestLevel: q.level,
        deadline: q.deadline,
        occurredFrom: q.occurredFrom,
        occurredTo: q.occurredTo,
        sort: q.sort,
        descending: q.order === 'desc',
      },
      { page: q.page, pageSize: q.pageSize },
    );
    return { data: r.reports.map(reportJson), page: r.page, pageSize: r.pageSize, total: r.total, pages: r.pages };
  });

  app.get('/api/v1/reports/mine', { config: { permission: 'create:report', query: pageQuery } }, async (request) => {
    const q = parseRequestPart(pageQuery, request.query, 'query');
    const r = await reports.listOwnReports(svc, request.actor(), { page: q.page, pageSize: q.pageSize });
    return { data: r.reports.map(reportJson), page: r.page, pageSize: r.pageSize, total: r.total, pages: r.pages };
  });

  app.post('/api/v1/reports', { config: { permission: 'create:report' } }, async (request, reply: FastifyReply) => {
    const { sections } = parseRequestPart(createInput, request.body, 'body');
    checkSections(sections, { now: svc.now(), recordsBegin: svc.policy.report.recordsBegin });
    const actor = request.actor();
    const report = await reports.createReport(svc, actor, sections as Partial<Record<SectionKey, unknown>>);
    return sendDetails(svc, reply.header('location', `/api/v1/reports/${report.id}`), await reports.reportDetails(svc, actor, report), 201);
  });

  app.get('/api/v1/reports/:id', { config: { permission: READ_ANY, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    return sendDetails(svc, reply, await reports.getReport(svc, request.actor(), id));
  });

  // Each write takes an optional If-Match with the revision the client read (412 if it moved on).

  app.put('/api/v1/reports/:id/sections/:key', { config: { permission: 'create:report', params: sectionParams } }, async (request, reply) => {
    const { id, key } = paramsOf(request, sectionParams);
    const actor = request.actor();
    const opened = ifMatch(request);
    return written(svc, reply, actor, () => reports.saveSection(svc, actor, id, key, request.body, opened));
  });

  app.post('/api/v1/reports/:id/submit', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const actor = request.actor();
    const opened = ifMatch(request);
    return written(svc, reply, actor, () => reports.submitReport(svc, actor, id, svc.now(), opened));
  });

  app.post('/api/v1/reports/:id/amendments', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const body = parseRequestPart(amendInput, request.body, 'body');
    const actor = request.actor();
    const opened = ifMatch(request);
    return written(svc, reply, actor, () => reports.amendReport(svc, actor, id, { sections: body.sections, reason: body.reason }, svc.now(), opened));
  });

  app.post('/api/v1/reports/:id/review', { config: { permission: 'review:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const actor = request.actor();
    const opened = ifMatch(request);
    return written(svc, reply, actor, () => reports.reviewReport(svc, actor, request.scope, id, request.body, opened));
  });

  app.post('/api/v1/reports/:id/sign-off', { config: { permission: 'sign_off:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const actor = request.actor();
    const opened = ifMatch(request);
    return written(svc, reply, actor, () => reports.signOffReport(svc, actor, request.scope, id, request.body ?? {}, opened));
  });

  app.post('/api/v1/reports/:id/referral-outcome', { config: { permission: 'review:referral', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const actor = request.actor();
    const opened = ifMatch(request);
    return written(svc, reply, actor, () => reports.recordReferralOutcome(svc, actor, request.scope, id, request.body ?? {}, svc.now(), opened));
  });

  app.post('/api/v1/reports/:id/discard', { config: { permission: 'create:report', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const opened = ifMatch(request);
    const result = await precondition(reply, () => reports.discardDraft(svc, request.actor(), id, opened));
    return 'refused' in result ? result.refused : reply.code(204).send();
  });

  app.get('/api/v1/incidents/:id', { config: { permission: READ_ANY, params: idParams } }, async (request) => {
    const { id } = paramsOf(request, idParams);
    const { incident, reports: list } = await reports.getIncident(svc, request.actor(), id);
    return { ...incident, reports: list.map((x) => ({ ...reportJson(x.report), officer: officerJson(x.officer) })) };
  });
}

/** OpenAPI pieces for the reports API, generated from the schemas that validate requests. */
export function reportOpenApi(json: (s: z.ZodType) => object) {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
  const ok = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
  const common = { '401': problem('Not signed in, or the token is not valid'), '403': problem('The account lacks the permission'), '404': problem('No such report, or not one you may see') };
  const [id] = pathParameters(idParams);
  const body = (schema: object) => ({ required: true, content: { 'application/json': { schema } } });
  const report = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      incidentId: { type: ['string', 'null'] },
      incidentReference: { type: ['string', 'null'] },
      officerId: { type: 'string' },
      boroughId: { type: ['string', 'null'] },
      status: { type: 'string', enum: [...REPORT_STATUSES] },
      version: { type: 'integer', description: '0 for a draft; 1 when submitted; +1 for each amendment' },
      revision: { type: 'integer', description: 'Bumped by every change to the report (also its ETag): send it back as If-Match so a change made since you read it is not overwritten' },
      highestLevel: {
        type: ['string', 'null'],
        enum: [...COUNTED_LEVELS, 'not_stated', null],
        description: 'The one level the report counts at (angle drive stun > fired > drive stun > arced > red-dotted > aimed > drawn); null when no Taser was used',
      },
      discharge: { type: 'boolean' },
      cedUsed: { type: 'boolean' },
      seriousOutcome: { type: 'boolean', description: 'Death or serious injury: the post-use procedure is mandatory' },
      occurredAt: { type: ['string', 'null'], format: 'date-time' },
      dueAt: { type: ['string', 'null'], format: 'date-time' },
      submittedAt: { type: ['string', 'null'], format: 'date-time' },
      reviewedAt: { type: ['string', 'null'], format: 'date-time' },
      signedOffAt: { type: ['string', 'null'], format: 'date-time' },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  };
  const details = {
    allOf: [
      ref('Report'),
      {
        type: 'object',
        properties: {
          officer: { type: ['object', 'null'] },
          content: ref('ReportContent'),
          sections: { type: 'array', items: { type: 'object', properties: { key: { type: 'string', enum: SECTION_KEYS }, title: { type: 'string' }, status: { type: 'string' } } } },
          problems: { type: 'array', description: 'What stops a draft being submitted', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
          deviceWarnings: {
            type: 'array',
            description: 'What the fleet register says of the Taser serial: not in the register, or not out to this officer at the incident time (warnings; the report still submits)',
            items: { type: 'object', properties: { code: { type: 'string', enum: ['unknown_serial', 'not_issued_to_officer'] }, message: { type: 'string' } } },
          },
          timeline: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                kind: { type: 'string' },
                at: { type: 'string', format: 'date-time' },
                actor: { type: 'string' },
                comment: { type: ['string', 'null'] },
                version: { type: ['integer', 'null'] },
                changes: { type: ['object', 'null'] },
              },
            },
          },
          versions: {
            type: 'array',
            items: { type: 'object', properties: { version: { type: 'integer' }, reason: { type: ['string', 'null'] }, createdAt: { type: 'string' }, createdBy: { type: 'string' } } },
          },
          referralOutcomes: {
            type: 'array',
            description: 'What professional standards concluded, each time the report was referred',
            items: {
              type: 'object',
              properties: {
                outcome: { type: 'string', enum: [...REFERRAL_OUTCOMES] },
                iopcReference: { type: ['string', 'null'] },
                reason: { type: 'string' },
                reportVersion: { type: 'integer' },
                recordedAt: { type: 'string', format: 'date-time' },
                recordedBy: { type: 'string' },
              },
            },
          },
        },
      },
    ],
  };
  const sectionsSchema = {
    type: 'object',
    description: 'Any of the report sections, by key',
    properties: Object.fromEntries(SECTION_KEYS.map((k) => [k, ref(`Section_${k}`)])),
    additionalProperties: false,
  };
  const list = ok({
    type: 'object',
    properties: { data: { type: 'array', items: ref('Report') }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer' }, pages: { type: 'integer' } },
  });
  const ifMatchHeader = {
    name: 'If-Match',
    in: 'header',
    required: false,
    description:
      'The report’s revision as you read it (its ETag, e.g. "3"). If the report has changed since, nothing is stored and the answer is 412. Without it the change applies to the report as it is when the change runs.',
    schema: { type: 'string' },
  };
  const detailsWithEtag = (description = 'OK') => ({ ...ok(ref('ReportDetails'), description), headers: { ETag: { description: 'The report’s revision, for If-Match', schema: { type: 'string' } } } });
  const changed = { '412': problem('If-Match was given and the report has changed since: read it again'), '422': problem('Invalid fields, or an If-Match that is not a revision') };
  const listSchema = json(listQuery) as { properties: Record<string, object> };
  return {
    schemas: {
      Report: report,
      ReportDetails: details,
      ReportContent: json(reportContentSchema),
      ...Object.fromEntries(SECTION_KEYS.map((k) => [`Section_${k}`, { ...json(SECTIONS[k].schema), title: SECTIONS[k].title }])),
    },
    paths: {
      '/api/v1/reports': {
        get: {
          summary: 'Submitted reports in your scope (needs read:report)',
          parameters: Object.keys(listSchema.properties).map((name) => ({ name, in: 'query', required: false, schema: listSchema.properties[name] })),
          responses: { '200': list, '422': problem('Invalid query'), ...common },
        },
        post: {
          summary: 'Start a draft report, optionally with sections (needs create:report; the account must be linked to an officer)',
          requestBody: body({ type: 'object', properties: { sections: sectionsSchema } }),
          responses: { '201': ok(ref('ReportDetails'), 'Created'), '409': problem('The account is not linked to an officer'), '422': problem('Invalid sections: each field named'), ...common },
        },
      },
      '/api/v1/reports/mine': { get: { summary: 'Your own reports, drafts included', responses: { '200': list, ...common } } },
      '/api/v1/reports/{id}': {
        get: {
          summary: 'A report with its content, task list, timeline, versions and referral outcomes; its ETag is its revision',
          parameters: [id],
          responses: { '200': detailsWithEtag(), ...common },
        },
      },
      '/api/v1/reports/{id}/sections/{key}': {
        put: {
          summary: 'Save one section of your draft',
          parameters: [...pathParameters(sectionParams), ifMatchHeader],
          requestBody: body({ oneOf: SECTION_KEYS.map((k) => ref(`Section_${k}`)) }),
          responses: { '200': detailsWithEtag(), '409': problem('The report is no longer a draft'), ...changed, ...common },
        },
      },
      '/api/v1/reports/{id}/submit': {
        post: {
          summary: 'Submit your draft',
          parameters: [id, ifMatchHeader],
          responses: { '200': detailsWithEtag(), '409': problem('Already submitted'), ...changed, '422': problem('What is missing or wrong, by section and field'), ...common },
        },
      },
      '/api/v1/reports/{id}/amendments': {
        post: {
          summary: 'Amend your submitted report: changed sections and a reason; the report goes back for review',
          parameters: [id, ifMatchHeader],
          requestBody: body({ type: 'object', required: ['sections', 'reason'], properties: { sections: sectionsSchema, reason: { type: 'string', minLength: 5 } } }),
          responses: { '200': detailsWithEtag(), '409': problem('Cannot be amended now'), ...changed, '422': problem('Invalid fields or reason'), ...common },
        },
      },
      '/api/v1/reports/{id}/review': {
        post: {
          summary: 'Review a submitted report in your borough (needs review:report)',
          parameters: [id, ifMatchHeader],
          requestBody: body({
            type: 'object',
            required: ['outcome'],
            properties: { outcome: { type: 'string', enum: [...REVIEW_OUTCOMES] }, comment: { type: 'string', description: 'Required to return or refer' } },
          }),
          responses: { '200': detailsWithEtag(), '409': problem('Not awaiting review, or your own report'), ...changed, '422': problem('Invalid outcome or missing comment'), ...common },
        },
      },
      '/api/v1/reports/{id}/sign-off': {
        post: {
          summary: 'Sign off a reviewed discharge (needs sign_off:report)',
          parameters: [id, ifMatchHeader],
          requestBody: body({ type: 'object', properties: { comment: { type: 'string' } } }),
          responses: { '200': detailsWithEtag(), '409': problem('Not awaiting sign-off'), ...changed, ...common },
        },
      },
      '/api/v1/reports/{id}/referral-outcome': {
        post: {
          summary: 'Record the outcome of a referral to professional standards; it concludes the referral (needs review:referral)',
          parameters: [id, ifMatchHeader],
          requestBody: body({
            type: 'object',
            required: ['outcome', 'reason'],
            properties: {
              outcome: { type: 'string', enum: [...REFERRAL_OUTCOMES] },
              iopcReference: { type: 'string', pattern: '^\\d{4}/\\d{6}$', description: 'Required for iopc_referral, and only then: the year, a slash and 6 digits, e.g. 2026/012345' },
              reason: { type: 'string', minLength: 10, maxLength: 5000 },
            },
          }),
          responses: {
            '200': detailsWithEtag(),
            '409': problem('Not referred, or its outcome is already recorded'),
            ...changed,
            '422': problem('Invalid outcome, IOPC reference or reason'),
            ...common,
          },
        },
      },
      '/api/v1/reports/{id}/discard': {
        post: {
          summary: 'Discard your draft that was never submitted: it leaves every list and count (kept, and audited); a submitted report is never discarded',
          parameters: [id, ifMatchHeader],
          responses: { '204': { description: 'Discarded' }, '409': problem('Submitted: a record of use is never discarded'), ...changed, ...common },
        },
      },
      '/api/v1/incidents/{id}': { get: { summary: 'An incident and the reports on it you may see', parameters: [id], responses: { '200': ok({ type: 'object' }), ...common } } },
    },
  };
}
