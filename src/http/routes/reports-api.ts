import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseRequestPart } from '../api-input.js';
import { z } from 'zod';
import type { Report } from '../../db/repositories/reports.js';
import { REPORT_SORTS } from '../../db/repositories/reports.js';
import type { Officer } from '../../domain/organisation.js';
import { reportContentSchema, SECTION_KEYS, SECTIONS, type SectionKey } from '../../domain/report/content.js';
import { COUNTED_LEVELS } from '../../domain/report/levels.js';
import { REPORT_STATUSES, REVIEW_OUTCOMES } from '../../domain/report/workflow.js';
import { fieldErrorsFromZod, NotFoundError, ValidationError, type FieldError } from '../../domain/validation.js';
import type { Services } from '../../services/context.js';
import * as reports from '../../services/reports.js';

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

function detailsJson(d: reports.ReportDetails) {
  return {
    ...reportJson(d.report),
    officer: officerJson(d.officer),
    content: d.report.content,
    sections: d.sections.map((s) => ({ key: s.key, title: s.title, status: s.status })),
    problems: d.problems,
    timeline: d.events.map((e) => ({ kind: e.kind, at: e.at, actor: e.actorLabel, comment: e.comment, version: e.version, changes: e.changes })),
    versions: d.versions.map((v) => ({ version: v.version, reason: v.reason, createdAt: v.createdAt, createdBy: v.createdByLabel })),
  };
}

const listQuery = z.object({
  status: z.enum(REPORT_STATUSES).optional(),
  borough: z.string().optional(),
  level: z.enum([...COUNTED_LEVELS, 'not_stated']).optional(),
  deadline: z.enum(['overdue', 'due_soon']).optional(),
  occurredFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD').optional(),
  occurredTo: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD').optional(),
  sort: z.enum(REPORT_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

const pageQuery = listQuery.pick({ page: true, pageSize: true });

const sectionsInput = z
  .record(z.string(), z.unknown())
  .superRefine((o, ctx) => {
    for (const k of Object.keys(o)) if (!(SECTION_KEYS as string[]).includes(k)) ctx.addIssue({ code: 'custom', path: [k], message: `There is no section called ${k}: the sections are ${SECTION_KEYS.join(', ')}` });
  })
  .transform((o) => o as Partial<Record<SectionKey, unknown>>);

const createInput = z.object({ sections: sectionsInput.default({}) }).strict();
const amendInput = z.object({ sections: sectionsInput, reason: z.unknown() }).strict();


/** Checks every section before anything is stored, so a bad request creates nothing. */
function checkSections(sections: Partial<Record<SectionKey, unknown>>): void {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(sections) as [SectionKey, unknown][]) {
    const r = SECTIONS[key].schema.safeParse(value);
    if (!r.success) errors.push(...fieldErrorsFromZod(r.error).map((e) => ({ field: `sections.${key}.${e.field}`, message: e.message })));
  }
  if (errors.length) throw new ValidationError(errors);
}

function sectionKey(key: string): SectionKey {
  if (!(SECTION_KEYS as string[]).includes(key)) throw new NotFoundError('Section', key);
  return key as SectionKey;
}

export function registerReportApiRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/api/v1/reports', { config: { permission: 'read:report', query: listQuery } }, async (request) => {
    const q = parseRequestPart(listQuery, request.query, 'query');
    const r = await reports.listReports(
      svc,
      request.scope,
      { statuses: q.status ? [q.status] : undefined, boroughId: q.borough, highestLevel: q.level, deadline: q.deadline, occurredFrom: q.occurredFrom, occurredTo: q.occurredTo, sort: q.sort, descending: q.order === 'desc' },
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
    checkSections(sections);
    const actor = request.actor();
    const report = await reports.startReport(svc, actor);
    for (const [key, value] of Object.entries(sections) as [SectionKey, unknown][]) await reports.saveSection(svc, actor, report.id, key, value);
    return reply.code(201).header('location', `/api/v1/reports/${report.id}`).send(detailsJson(await reports.getReport(svc, actor, report.id)));
  });

  app.get('/api/v1/reports/:id', { config: { permission: READ_ANY } }, async (request) => {
    const { id } = request.params as { id: string };
    return detailsJson(await reports.getReport(svc, request.actor(), id));
  });

  app.put('/api/v1/reports/:id/sections/:key', { config: { permission: 'create:report' } }, async (request) => {
    const { id, key } = request.params as { id: string; key: string };
    const actor = request.actor();
    await reports.saveSection(svc, actor, id, sectionKey(key), request.body);
    return detailsJson(await reports.getReport(svc, actor, id));
  });

  app.post('/api/v1/reports/:id/submit', { config: { permission: 'create:report' } }, async (request) => {
    const { id } = request.params as { id: string };
    const actor = request.actor();
    await reports.submitReport(svc, actor, id);
    return detailsJson(await reports.getReport(svc, actor, id));
  });

  app.post('/api/v1/reports/:id/amendments', { config: { permission: 'create:report' } }, async (request) => {
    const { id } = request.params as { id: string };
    const body = parseRequestPart(amendInput, request.body, 'body');
    const actor = request.actor();
    await reports.amendReport(svc, actor, id, { sections: body.sections, reason: body.reason });
    return detailsJson(await reports.getReport(svc, actor, id));
  });

  app.post('/api/v1/reports/:id/review', { config: { permission: 'review:report' } }, async (request) => {
    const { id } = request.params as { id: string };
    const actor = request.actor();
    await reports.reviewReport(svc, actor, request.scope, id, request.body);
    return detailsJson(await reports.getReport(svc, actor, id));
  });

  app.post('/api/v1/reports/:id/sign-off', { config: { permission: 'sign_off:report' } }, async (request) => {
    const { id } = request.params as { id: string };
    const actor = request.actor();
    await reports.signOffReport(svc, actor, request.scope, id, request.body ?? {});
    return detailsJson(await reports.getReport(svc, actor, id));
  });

  app.get('/api/v1/incidents/:id', { config: { permission: READ_ANY } }, async (request) => {
    const { id } = request.params as { id: string };
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
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
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
      highestLevel: { type: ['string', 'null'], enum: [...COUNTED_LEVELS, 'not_stated', null], description: 'The one level the report counts at (angle drive stun > fired > drive stun > arced > red-dotted > aimed > drawn); null when no Taser was used' },
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
          timeline: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, at: { type: 'string', format: 'date-time' }, actor: { type: 'string' }, comment: { type: ['string', 'null'] }, version: { type: ['integer', 'null'] }, changes: { type: ['object', 'null'] } } } },
          versions: { type: 'array', items: { type: 'object', properties: { version: { type: 'integer' }, reason: { type: ['string', 'null'] }, createdAt: { type: 'string' }, createdBy: { type: 'string' } } } },
        },
      },
    ],
  };
  const sectionsSchema = { type: 'object', description: 'Any of the report sections, by key', properties: Object.fromEntries(SECTION_KEYS.map((k) => [k, ref(`Section_${k}`)])), additionalProperties: false };
  const list = ok({ type: 'object', properties: { data: { type: 'array', items: ref('Report') }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer' }, pages: { type: 'integer' } } });
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
        get: { summary: 'Submitted reports in your scope (needs read:report)', parameters: Object.keys(listSchema.properties).map((name) => ({ name, in: 'query', required: false, schema: listSchema.properties[name] })), responses: { '200': list, '422': problem('Invalid query'), ...common } },
        post: {
          summary: 'Start a draft report, optionally with sections (needs create:report; the account must be linked to an officer)',
          requestBody: body({ type: 'object', properties: { sections: sectionsSchema } }),
          responses: { '201': ok(ref('ReportDetails'), 'Created'), '409': problem('The account is not linked to an officer'), '422': problem('Invalid sections: each field named'), ...common },
        },
      },
      '/api/v1/reports/mine': { get: { summary: 'Your own reports, drafts included', responses: { '200': list, ...common } } },
      '/api/v1/reports/{id}': { get: { summary: 'A report with its content, task list, timeline and versions', parameters: [id], responses: { '200': ok(ref('ReportDetails')), ...common } } },
      '/api/v1/reports/{id}/sections/{key}': {
        put: {
          summary: 'Save one section of your draft',
          parameters: [id, { name: 'key', in: 'path', required: true, schema: { type: 'string', enum: SECTION_KEYS } }],
          requestBody: body({ oneOf: SECTION_KEYS.map((k) => ref(`Section_${k}`)) }),
          responses: { '200': ok(ref('ReportDetails')), '409': problem('The report is no longer a draft'), '422': problem('Invalid fields'), ...common },
        },
      },
      '/api/v1/reports/{id}/submit': { post: { summary: 'Submit your draft', parameters: [id], responses: { '200': ok(ref('ReportDetails')), '409': problem('Already submitted'), '422': problem('What is missing or wrong, by section and field'), ...common } } },
      '/api/v1/reports/{id}/amendments': {
        post: {
          summary: 'Amend your submitted report: changed sections and a reason; the report goes back for review',
          parameters: [id],
          requestBody: body({ type: 'object', required: ['sections', 'reason'], properties: { sections: sectionsSchema, reason: { type: 'string', minLength: 5 } } }),
          responses: { '200': ok(ref('ReportDetails')), '409': problem('Cannot be amended now'), '422': problem('Invalid fields or reason'), ...common },
        },
      },
      '/api/v1/reports/{id}/review': {
        post: {
          summary: 'Review a submitted report in your borough (needs review:report)',
          parameters: [id],
          requestBody: body({ type: 'object', required: ['outcome'], properties: { outcome: { type: 'string', enum: [...REVIEW_OUTCOMES] }, comment: { type: 'string', description: 'Required to return or refer' } } }),
          responses: { '200': ok(ref('ReportDetails')), '409': problem('Not awaiting review, or your own report'), '422': problem('Invalid outcome or missing comment'), ...common },
        },
      },
      '/api/v1/reports/{id}/sign-off': {
        post: { summary: 'Sign off a reviewed discharge (needs sign_off:report)', parameters: [id], requestBody: body({ type: 'object', properties: { comment: { type: 'string' } } }), responses: { '200': ok(ref('ReportDetails')), '409': problem('Not awaiting sign-off'), ...common } },
      },
      '/api/v1/incidents/{id}': { get: { summary: 'An incident and the reports on it you may see', parameters: [id], responses: { '200': ok({ type: 'object' }), ...common } } },
    },
  };
}
