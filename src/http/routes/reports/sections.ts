import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../../services/context.js';
import { sectionStatuses, SECTION_KEYS, SECTIONS, type SectionKey, type SectionStatus } from '../../../domain/report/content.js';
import { canAmend } from '../../../domain/report/workflow.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import { stageAmendment, recorderDefaults, saveSection, type ReportDetails } from '../../../services/reports.js';
import { ConcurrentChangeError, WorkflowError } from '../../../domain/errors.js';
import { dateItems, field, formBody, type FormBody } from '../../forms.js';
import { queryText } from '../../query.js';
import {
  dateInputError,
  formLayout,
  formOptions,
  MAX_TACTIC_ROWS,
  parseSectionForm,
  problemHref,
  sectionErrorView,
  sectionFormValues,
  typedFormValues,
  type FormLayout,
  type FormValues,
  type RowMap,
} from '../../report-forms.js';
import { ANSWERS_KEPT, conflictError, isSectionKey, openedFrom, reportPages, type Query } from '../../report-pages.js';
import { paramChoice, paramId, paramsOf } from '../../params.js';
import { deviceWarnings, type SerialWarning } from '../../../services/device-reports.js';

/* Question pages: one section of a draft, or an amendment of a submitted report. */

/** After saving a draft's section: the next section still to answer, the check page, or the task list. */
function nextPage(id: string, key: SectionKey, statuses: ReturnType<typeof sectionStatuses>, action: string, from: string | undefined): string {
  if (action === 'return') return `/reports/${id}?notice=report-saved`;
  if (from === 'check') return `/reports/${id}/check`;
  const after = statuses.slice(statuses.findIndex((s) => s.key === key) + 1);
  const next = after.find((s) => s.status === 'not_started' || s.status === 'in_error' || s.status === 'optional');
  return next ? `/reports/${id}/sections/${next.key}` : `/reports/${id}?notice=report-saved`;
}

/** The incident date's errors in the words of a date input (the schema speaks of YYYY-MM-DD). */
function withDateMessages(errors: FieldError[], body: FormBody): FieldError[] {
  const message = dateInputError(body, 'date', 'date of the incident');
  return errors.map((e) => ((e.field === 'date' || e.field === 'incident.date') && message ? { ...e, message } : e));
}

const sectionParams = z.object({ id: paramId, key: paramChoice('Section', SECTION_KEYS) });

export function registerReportSectionRoutes(app: FastifyInstance, svc: Services): void {
  const { display, ownReport } = reportPages(svc);

  interface SectionPage {
    values: FormValues;
    errors?: FieldError[];
    rows?: RowMap;
    layout?: Partial<FormLayout>;
    from?: string;
    body?: FormBody;
    /** The write was refused because the report changed since the page was opened. */
    conflict?: ConcurrentChangeError;
    /** The Taser serial's warnings from the register (issue 12), and where to go on once they are read. */
    warnings?: SerialWarning[];
    continueHref?: string;
  }

  const renderSection = async (request: FastifyRequest, reply: FastifyReply, d: ReportDetails, key: SectionKey, page: SectionPage) => {
    const ctx = await display();
    const mode = d.report.status === 'draft' ? 'draft' : 'amend';
    const view = sectionErrorView(key, page.errors ?? [], page.rows ?? {}, {
      wholeReport: mode === 'amend',
      elsewhere: (f) => (f.split('.')[0] && isSectionKey(f.split('.')[0]!) ? problemHref(d.report.id, f) : `#${key}`),
    });
    const layout = formLayout(page.values, page.layout);
    const hasAny = (prefix: string) => Object.entries(page.values).some(([k, v]) => k.startsWith(prefix) && (Array.isArray(v) ? v.length > 0 : v.trim() !== ''));
    const title = SECTIONS[key].title;
    // The answers stay in the form; the page now carries the current revision, so saving again is a deliberate choice.
    const errorList = page.conflict ? [conflictError(page.conflict, `/reports/${d.report.id}`, ANSWERS_KEPT), ...view.errorList] : view.errorList;
    return reply.code(page.conflict ? 409 : errorList.length ? 400 : 200).render('pages/reports/section.njk', {
      title: mode === 'amend' ? `Amend: ${title}` : title,
      sectionTitle: mode === 'amend' ? `Amend: ${title}` : title,
      sectionKey: key,
      caption: `Use of force report${d.report.incidentReference ? ` · ${d.report.incidentReference}` : ''}`,
      report: d.report,
      mode,
      action: `/reports/${d.report.id}/sections/${key}`,
      from: page.from,
      values: page.values,
      errors: view.errors,
      errorList,
      options: formOptions(ctx.boroughs),
      layout,
      maxTacticRows: MAX_TACTIC_ROWS,
      applicationOpen: Array.from({ length: layout.applications }, (_, i) => i === 0 || hasAny(`applications-${i}-`)),
      dateItems:
        key === 'incident'
          ? dateItems('date', { day: String(page.values['date-day'] ?? ''), month: String(page.values['date-month'] ?? ''), year: String(page.values['date-year'] ?? '') }, Boolean(view.errors.date))
          : undefined,
      backLink: page.from === 'check' ? `/reports/${d.report.id}/check` : `/reports/${d.report.id}`,
      deviceWarnings: page.warnings ?? [],
      continueHref: page.continueHref,
    });
  };

  /** Where a question page may not be shown, the page to go to instead. */
  const sectionGate = (d: ReportDetails, key: SectionKey): string | null => {
    if (d.report.status !== 'draft' && !canAmend(d.report.status)) return `/reports/${d.report.id}?info=not-amendable`;
    // While amending, what applies follows the amended answers (adding a Taser use opens the Taser section).
    const sections = d.report.status === 'draft' ? d.sections : (d.amendment?.sections ?? d.sections);
    const status: SectionStatus | undefined = sections.find((s) => s.key === key)?.status;
    if (status === 'not_applicable') return `/reports/${d.report.id}?info=not-needed`;
    if (status === 'cannot_start') return `/reports/${d.report.id}?info=tactics-first`;
    return null;
  };

  /** The Taser section's warnings on the answers saved so far (an amendment's, while one is in progress). */
  const warningsOf = (d: ReportDetails, key: SectionKey) =>
    key === 'ced' ? deviceWarnings(svc, d.report, d.report.amendment ? { ...d.report.content, ...d.report.amendment } : d.report.content) : Promise.resolve([]);

  app.get(
    '/reports/:id/sections/:key',
    { config: { permission: 'create:report', query: z.object({ from: queryText('from', 10), saved: queryText('saved', 10) }), params: sectionParams } },
    async (request, reply) => {
      const { id, key } = paramsOf(request, sectionParams);
      const d = await ownReport(request, id);
      const gate = sectionGate(d, key);
      if (gate) return reply.redirect(gate, 303);
      const stored = d.report.amendment?.[key] ?? d.report.content[key];
      let defaults = {};
      if (d.report.status === 'draft' && stored === undefined && (key === 'incident' || key === 'duty')) {
        defaults = await recorderDefaults(svc, request.actor()).catch((err: unknown) => {
          if (err instanceof WorkflowError) return {};
          throw err;
        });
      }
      const from = (request.query as Query).from === 'check' ? 'check' : undefined;
      // The Taser section starts from the Taser tactics already answered (in the amendment, if one is in progress).
      const tactics = d.report.amendment?.tactics ?? d.report.content.tactics;
      const warnings = await warningsOf(d, key);
      // Just saved with warnings: the officer reads them here, then goes on (or corrects the serial).
      const justSaved = (request.query as { saved?: string }).saved === 'ced' && d.report.status === 'draft' && warnings.length > 0;
      const continueHref = justSaved ? nextPage(d.report.id, key, d.sections, 'continue', from) : undefined;
      return renderSection(request, reply, d, key, { values: sectionFormValues(key, stored, { ...defaults, tactics }), from, warnings, continueHref });
    },
  );

  app.post('/reports/:id/sections/:key', { config: { permission: 'create:report', params: sectionParams } }, async (request, reply) => {
    const { id, key } = paramsOf(request, sectionParams);
    const d = await ownReport(request, id);
    const gate = sectionGate(d, key);
    if (gate) return reply.redirect(gate, 303);
    const body = formBody(request);
    const values = typedFormValues(body);
    const from = field(body, 'from') === 'check' ? 'check' : undefined;
    const action = field(body, 'action');
    if (action === 'more-rows') {
      const shown = Number(field(body, 'tacticRows')) || 0;
      return renderSection(request, reply, d, key, { values, from, layout: { tacticRows: Math.min(MAX_TACTIC_ROWS, Math.max(shown, 8) + 4) } });
    }
    const layout = { tacticRows: Number(field(body, 'tacticRows')) || undefined, footageRows: Number(field(body, 'footageRows')) || undefined };
    const parsed = parseSectionForm(key, body);
    const actor = request.actor();
    const opened = openedFrom(body);
    try {
      if (d.report.status === 'draft') {
        const saved = await saveSection(svc, actor, id, key, parsed.input, opened);
        // The serial is not what the register shows: say so on the section before going on (a warning, not an error).
        if (key === 'ced' && action !== 'return' && (await deviceWarnings(svc, saved)).length > 0) {
          return reply.redirect(`/reports/${id}/sections/ced?saved=ced${from ? `&from=${from}` : ''}`, 303);
        }
        return reply.redirect(nextPage(saved.id, key, sectionStatuses(saved.content), action, from), 303);
      }
      await stageAmendment(svc, actor, id, key, parsed.input, opened);
      return reply.redirect(`/reports/${id}/amend`, 303);
    } catch (err) {
      // `d` was read for this request: the report as it is now, with the answers as they were sent.
      if (err instanceof ConcurrentChangeError) return renderSection(request, reply, d, key, { values, rows: parsed.rows, from, layout, conflict: err });
      if (!(err instanceof ValidationError)) throw err;
      const errors = key === 'incident' ? withDateMessages(err.errors, body) : err.errors;
      return renderSection(request, reply, d, key, { values, errors, rows: parsed.rows, from, layout });
    }
  });
}
