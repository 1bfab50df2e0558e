import type { FastifyRequest } from 'fastify';
import type { Report } from '../domain/report/records.js';
import type { Officer } from '../domain/organisation.js';
import { SECTION_KEYS, type SectionKey } from '../domain/report/content.js';
import { deadlineState } from '../domain/report/workflow.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { accountDisplayNames } from '../services/accounts.js';
import type { Services } from '../services/context.js';
import { officersByIds } from '../services/officers.js';
import { listBoroughs } from '../services/organisation.js';
import { getReport, type Opened, type ReportDetails } from '../services/reports.js';
import { ConcurrentChangeError } from '../domain/errors.js';
import { field, noticeFrom, type FormBody } from './forms.js';
import { deadlineTag, levelTag, officerName, shortDateTime, statusTag, type DisplayContext } from './report-view.js';

/*
 * What the report pages share (issue 4): the notices after a redirect, the revision a form
 * carries, a row of a reports table, and the reads every page makes (borough names, the
 * officers on a list, the names of the people who acted). The routes are in routes/reports/,
 * one journey a file.
 */

export type Query = Record<string, string | undefined>;

/** A report opens for its author and for readers in its borough; the service decides which. */
export const READ_ANY = ['create:report', 'read:report'] as const;

/** Messages after a redirect that are information, not success (`?info=`): fixed texts, never echoed input. */
const INFO: Record<string, string> = {
  'not-needed': 'That section is not needed for this report, from the answers you have given.',
  'tactics-first': 'Answer the questions about the tactics you used first: they decide whether the Taser questions are needed.',
  'not-amendable': 'This report can no longer be changed.',
  'no-amendment': 'There is no amendment in progress: use a Change link to start one.',
  'amendment-discarded': 'Your unsaved amendment has been discarded. The report is as it was.',
  'not-discardable': 'This report has been submitted: it is a record of a use of force and can never be discarded. Change it with an amendment, giving a reason.',
  'not-referred': 'An outcome is recorded only on a report referred to professional standards and waiting for its outcome.',
};

export const infoFrom = (q: Query) => (q.info ? INFO[q.info] : undefined);

/** Success messages of the report workflow after a redirect (`?notice=`): fixed texts, never echoed input. */
const NOTICES: Record<string, string> = {
  'draft-discarded': 'Draft discarded. It is no longer in your reports or in anyone’s lists.',
  'referral-outcome-recorded': 'Outcome recorded. The referral is concluded and the outcome is on the report’s history.',
};

export const notices = (q: Query) => noticeFrom(q) ?? (q.notice ? NOTICES[q.notice] : undefined);

/**
 * The revision of the report the page was rendered from (every report form carries it), so a
 * write from an out-of-date page is refused rather than overwriting, or being overwritten.
 */
export function openedFrom(body: FormBody): Opened {
  const v = field(body, 'revision').trim();
  if (v === '') return {};
  if (!/^\d{1,9}$/.test(v)) throw new ValidationError([{ field: 'revision', message: 'The page sent a report revision Cedar cannot read: go back to the report, reload it and try again' }]);
  return { revision: Number(v) };
}

/** The error summary's entry for a write refused because the report changed: it links to the report as it is now. */
export const conflictError = (err: ConcurrentChangeError, href: string, text = err.message) => ({ text, href });

/** On a question page the answers sent are still in the form. */
export const ANSWERS_KEPT =
  'This report changed since you opened this page (it was saved somewhere else, perhaps in another tab). Your answers below are not saved yet: see the report as it is now, then save them again.';

export const isSectionKey = (k: string): k is SectionKey => (SECTION_KEYS as string[]).includes(k);

/** A row of a reports table (see the reportsTable macro). */
export function reportRow(r: Report, officer: Officer | undefined, boroughName: DisplayContext['boroughName'], now: Date, href: string | null) {
  return {
    id: r.id,
    href,
    reference: r.incidentReference,
    officer: officerName(officer),
    borough: r.boroughId ? boroughName(r.boroughId) : undefined,
    occurred: shortDateTime(r.occurredAt),
    submitted: shortDateTime(r.submittedAt),
    created: shortDateTime(r.createdAt),
    due: shortDateTime(r.dueAt),
    // A draft whose tactics are not answered yet has no level to show.
    levelTag: r.status === 'draft' && r.highestLevel === null && r.content.tactics === undefined ? null : levelTag(r.highestLevel),
    statusTag: statusTag(r.status),
    deadlineTag: r.status === 'draft' ? deadlineTag(deadlineState(r.dueAt ? new Date(r.dueAt) : null, now)) : null,
  };
}

/** The reads the report pages make, for one set of services. */
export function reportPages(svc: Services) {
  const display = async (): Promise<DisplayContext & { boroughs: Awaited<ReturnType<typeof listBoroughs>> }> => {
    const boroughs = await listBoroughs(svc);
    const names = new Map(boroughs.map((b) => [b.id, b.name]));
    return { boroughs, boroughName: (id: string) => names.get(id) };
  };

  /** Officers named in a list, in one read. */
  const officersOf = (reports: Report[]) =>
    officersByIds(
      svc,
      reports.map((r) => r.officerId),
    );

  /** The names of the people who acted on a report, by account. */
  const actorNames = async (d: ReportDetails) => {
    const ids = d.events.map((e) => e.actorUserId).filter((id): id is string => id !== null);
    return accountDisplayNames(svc, ids);
  };

  /** The report, if the signed-in person wrote it; anyone else is told it does not exist. */
  const ownReport = async (request: FastifyRequest, id: string): Promise<ReportDetails> => {
    const d = await getReport(svc, request.actor(), id);
    if (d.report.authorUserId !== request.actor().userId) throw new NotFoundError('Report', id);
    return d;
  };

  return { display, officersOf, actorNames, ownReport };
}
