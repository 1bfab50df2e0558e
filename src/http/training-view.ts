import { z } from 'zod';
import type { AuthorityStatus } from '../domain/training/authority.js';
import { COURSE_KIND_LABELS } from '../domain/training/courses.js';
import { WorkflowError, type FieldError } from '../domain/errors.js';
import type { Services } from '../services/context.js';
import { getSession, type OfficerAuthority } from '../services/training.js';
import { field, type FormBody } from './forms.js';
import { queryNotice, queryText } from './query.js';
import { formatDate, plural } from './views.js';
import { MONTH_NAMES } from '../domain/calendar.js';

/*
 * What the training pages share (issue 5): dates and tags in words, an officer's authority as
 * the profile and the officer's own page show it, the notices after a redirect, and the date
 * errors of the GOV.UK date pattern. The routes are in routes/training/, one journey a file.
 */

/** A notice after a redirect, and the counts the results notice carries. */
export const noticeQuery = z.object({ notice: queryNotice, passed: queryText('passed', 4), failed: queryText('failed', 4), absent: queryText('absent', 4) });
export type Tag = { text: string; classes: string };

// Words and tags ------------------------------------------------------------------------

/** "12 to 14 May 2026", "30 April to 2 May 2026", "12 May 2026". */
export function dateRange(startsOn: string, endsOn: string): string {
  if (startsOn === endsOn) return formatDate(startsOn);
  const [sy, sm] = [startsOn.slice(0, 4), startsOn.slice(5, 7)];
  const [ey, em] = [endsOn.slice(0, 4), endsOn.slice(5, 7)];
  const day = (d: string) => String(Number(d.slice(8, 10)));
  if (sy === ey && sm === em) return `${day(startsOn)} to ${formatDate(endsOn)}`;
  if (sy === ey) return `${day(startsOn)} ${MONTH_NAMES[Number(sm) - 1]} to ${formatDate(endsOn)}`;
  return `${formatDate(startsOn)} to ${formatDate(endsOn)}`;
}

/** ISO dates inside a sentence from the domain ("Authorised until 2027-05-09") as people write them. */
export const readableDates = (text: string | null | undefined) => (text ?? '').replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (d) => formatDate(d));

export interface SessionLike {
  startsOn: string;
  endsOn: string;
  status: 'scheduled' | 'completed' | 'cancelled';
  capacity: number;
  enrolled: number;
}

/** Where a session stands, as a tag: cancelled, completed, running, full or places free. */
export function sessionTag(s: SessionLike, on: string): Tag {
  if (s.status === 'cancelled') return { text: 'Cancelled', classes: 'govuk-tag--grey' };
  if (s.status === 'completed') return { text: 'Completed', classes: 'govuk-tag--blue' };
  if (on >= s.endsOn) return { text: 'Awaiting results', classes: 'govuk-tag--yellow' };
  if (on >= s.startsOn) return { text: 'In progress', classes: 'govuk-tag--light-blue' };
  if (s.enrolled >= s.capacity) return { text: 'Full', classes: 'govuk-tag--orange' };
  const free = s.capacity - s.enrolled;
  return { text: plural(free, 'place'), classes: 'govuk-tag--green' };
}

const AUTHORITY_TAGS: Record<AuthorityStatus, Tag> = {
  authorised: { text: 'Authorised', classes: 'govuk-tag--green' },
  not_qualified: { text: 'Not qualified', classes: 'govuk-tag--grey' },
  failed: { text: 'Not passed', classes: 'govuk-tag--red' },
  lapsed: { text: 'Lapsed', classes: 'govuk-tag--orange' },
  suspended: { text: 'Suspended', classes: 'govuk-tag--red' },
  withdrawn: { text: 'Withdrawn', classes: 'govuk-tag--purple' },
};

export const RESULT_TAGS: Record<string, Tag> = {
  pass: { text: 'Pass', classes: 'govuk-tag--green' },
  fail: { text: 'Fail', classes: 'govuk-tag--red' },
  did_not_finish: { text: 'Did not finish', classes: 'govuk-tag--orange' },
};

export const personName = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;

/**
 * What the officer profile and the officer's own page show about authority to carry: status
 * per model, training history, places booked and the timeline.
 */
export function authorityView(a: OfficerAuthority, opts: { sessionLinks: boolean }) {
  const suspended = a.openSuspension;
  const withdrawn = a.openWithdrawal;
  return {
    on: a.on,
    authorised: a.authorised,
    models: a.authorities
      .filter((x) => x.authorised)
      .map((x) => x.model)
      .join(', '),
    authorities: a.authorities.map((x) => ({ model: x.model, tag: AUTHORITY_TAGS[x.status], expiresOn: x.expiresOn, reason: readableDates(x.reason) })),
    records: [...a.records].reverse().map((r) => ({
      completedOn: r.completedOn,
      courseName: r.courseName,
      kind: COURSE_KIND_LABELS[r.kind],
      tag: RESULT_TAGS[r.result],
      reason: r.reason,
      source: r.source === 'import' ? 'Imported' : 'Session',
      href: opts.sessionLinks && r.sessionId ? `/training/sessions/${r.sessionId}` : null,
    })),
    enrolments: a.enrolments.map((e) => ({
      startsOn: e.startsOn,
      courseName: e.courseName,
      tag: e.status === 'waiting' ? { text: 'Waiting list', classes: 'govuk-tag--yellow' } : { text: 'Place booked', classes: 'govuk-tag--green' },
      href: opts.sessionLinks ? `/training/sessions/${e.sessionId}` : null,
    })),
    timeline: a.timeline.map((t) => ({
      label: { text: t.title },
      text: readableDates(t.detail) || undefined,
      datetime: { timestamp: t.on, type: 'date' },
      // The timeline writes "by" itself: "imported by cli:jo" becomes "by cli:jo (imported)".
      byline: t.by ? { text: t.by.startsWith('imported by ') ? `${t.by.slice('imported by '.length)} (imported)` : t.by } : undefined,
    })),
    suspended: suspended && { from: suspended.from, reason: suspended.reason, by: suspended.createdBy },
    withdrawn: withdrawn && { from: withdrawn.from, reason: withdrawn.reason, by: withdrawn.createdBy },
  };
}

// Dates in forms ------------------------------------------------------------------------

export const typedParts = (body: FormBody, name: string) => ({ day: field(body, `${name}-day`), month: field(body, `${name}-month`), year: field(body, `${name}-year`) });

/** Date errors in the words of the GOV.UK date pattern, not the `YYYY-MM-DD` of the schema. */
export function dateErrors(errors: FieldError[], body: FormBody, labels: Record<string, string>): FieldError[] {
  return errors.map((e) => {
    const label = labels[e.field];
    if (!label) return e;
    const parts = typedParts(body, e.field);
    if (!parts.day.trim() && !parts.month.trim() && !parts.year.trim()) return { field: e.field, message: `Enter ${label}` };
    if (/YYYY-MM-DD|real date/.test(e.message)) return { field: e.field, message: `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date` };
    return e;
  });
}

// Notices -------------------------------------------------------------------------------

const NOTICES: Record<string, string> = {
  'course-created': 'Course added.',
  'course-updated': 'Course updated.',
  'session-created': 'Session scheduled.',
  'session-updated': 'Session updated.',
  'session-cancelled': 'Session cancelled. Everyone enrolled or waiting has been taken off it.',
  'enrolment-removed': 'Officer taken off the session.',
  'result-corrected': 'Result corrected. The officer’s authority follows the corrected result, and their timeline shows the correction.',
  'enrolment-removed-promoted': 'Officer taken off the session. The first officer on the waiting list now has the place.',
  'authority-suspended': 'Authority suspended.',
  'authority-reinstated': 'Authority reinstated.',
  'authority-withdrawn': 'Withdrawal from carrying recorded.',
  'authority-returned': 'Return to carrying recorded.',
  withdrawn: 'You have withdrawn from carrying Taser.',
  returned: 'Your return to carrying Taser is recorded.',
};

const count = (v: string | undefined) => (v && /^\d{1,4}$/.test(v) ? Number(v) : 0);

/** Success messages after a redirect: fixed texts (and counts), never echoed input. */
export function trainingNotice(q: { notice?: string; passed?: string; failed?: string; absent?: string }): string | undefined {
  if (q.notice === 'results-recorded') return `Results recorded: ${count(q.passed)} passed, ${count(q.failed)} failed, ${count(q.absent)} did not attend.`;
  if (q.notice === 'enrolled') return 'Officer enrolled: they have a place on the session.';
  if (q.notice === 'waiting') return 'The session is full: the officer is on the waiting list and moves up when a place comes free.';
  return q.notice ? NOTICES[q.notice] : undefined;
}

/** A session that is still scheduled (it can be changed, cancelled or have its results recorded), or a workflow error. */
export async function scheduledSession(svc: Services, id: string) {
  const d = await getSession(svc, id);
  if (d.session.status !== 'scheduled') throw new WorkflowError(`This session is ${d.session.status}: it cannot be changed`);
  return d;
}
