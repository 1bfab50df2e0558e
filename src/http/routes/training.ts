import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Officer } from '../../domain/organisation.js';
import { can, scopeFor, scopeIncludes, type Scope } from '../../domain/permissions.js';
import type { AuthorityStatus } from '../../domain/training/authority.js';
import { COURSE_KIND_LABELS, COURSE_KINDS, DEVICE_MODELS, sessionInput, TRAINING_RESULT_LABELS, TRAINING_RESULTS, type CourseType, type RestrictionKind } from '../../domain/training/courses.js';
import { NotFoundError, ValidationError, WorkflowError, type FieldError } from '../../domain/errors.js';
import { fieldErrorsFromZod } from '../../domain/validation.js';
import type { Services } from '../../services/context.js';
import { findOfficerByCollar } from '../../services/officers.js';
import { listBoroughs } from '../../services/organisation.js';
import {
  cancelEnrolment,
  cancelSession,
  correctResult,
  createCourseType,
  createSession,
  enrol,
  getCourseType,
  getSession,
  lapsing,
  liftRestriction,
  listCourseTypes,
  listSessions,
  officerAuthority,
  ownOfficerId,
  recordResults,
  restrictAuthority,
  today,
  updateCourseType,
  updateSession,
  type OfficerAuthority,
  type SessionDetails,
  type SessionQuery,
} from '../../services/training.js';
import { dateFromParts, dateItems, dateParts, errorView, field, fieldList, formBody, pageFrom, paginationView, type FormBody } from '../forms.js';
import { queryChoice, queryId, queryNotice, queryOf, queryPage, queryText } from '../query.js';
import { formatDate, plural } from '../views.js';
import { quoteValue } from '../../domain/csv.js';
import { addDays, MONTH_NAMES, monthFromNumber, monthLabel, monthNumber, monthOfDay } from '../../domain/calendar.js';

/*
 * Training pages (issue 5): the course calendar, course types, sessions with their roster,
 * enrolment and results, officers whose authority is lapsing, suspending and reinstating
 * authority, and an officer's own training page. Every page works without JavaScript.
 */

type Query = Record<string, string | undefined>;

/** A notice after a redirect, and the counts the results notice carries. */
const noticeQuery = z.object({ notice: queryNotice, passed: queryText('passed', 4), failed: queryText('failed', 4), absent: queryText('absent', 4) });
const calendarQuery = noticeQuery.extend({
  when: queryChoice('when', ['upcoming', 'past']),
  course: queryId('course'),
  borough: queryId('borough'),
  from: queryText('from', 7),
  page: queryPage,
});
const newSessionQuery = z.object({ course: queryId('course') });
const lapsingQuery = z.object({ days: queryChoice('days', ['30', '60', '90']), borough: queryId('borough') });
type Tag = { text: string; classes: string };

const SESSION_PAGE_SIZE = 25;

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
const readableDates = (text: string | null | undefined) => (text ?? '').replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (d) => formatDate(d));


const addMonths = (month: string, n: number) => monthFromNumber(monthNumber(month) + n);

interface SessionLike {
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

const RESULT_TAGS: Record<string, Tag> = {
  pass: { text: 'Pass', classes: 'govuk-tag--green' },
  fail: { text: 'Fail', classes: 'govuk-tag--red' },
  did_not_finish: { text: 'Did not finish', classes: 'govuk-tag--orange' },
};

const name = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;

/** "1 officer from another borough or a force-wide unit", "3 officers from other boroughs or force-wide units". */
const fromElsewhere = (n: number, what: string) => (n === 1 ? `1 ${what} from another borough or a force-wide unit` : `${n} ${what}s from other boroughs or force-wide units`);

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
    models: a.authorities.filter((x) => x.authorised).map((x) => x.model).join(', '),
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

const typedParts = (body: FormBody, name: string) => ({ day: field(body, `${name}-day`), month: field(body, `${name}-month`), year: field(body, `${name}-year`) });

/** Date errors in the words of the GOV.UK date pattern, not the `YYYY-MM-DD` of the schema. */
function dateErrors(errors: FieldError[], body: FormBody, labels: Record<string, string>): FieldError[] {
  return errors.map((e) => {
    const label = labels[e.field];
    if (!label) return e;
    const parts = typedParts(body, e.field);
    if (!parts.day.trim() && !parts.month.trim() && !parts.year.trim()) return { field: e.field, message: `Enter ${label}` };
    if (/YYYY-MM-DD|real date/.test(e.message)) return { field: e.field, message: `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date` };
    return e;
  });
}

// Officers by collar number -------------------------------------------------------------

const collarList = (text: string) => [...new Set(text.split(/[\s,;]+/).map((c) => c.trim().toUpperCase()).filter(Boolean))];

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

// Suspensions and withdrawals ------------------------------------------------------------

type ChangeKey = 'suspend' | 'reinstate' | 'withdraw' | 'return';

interface ChangePage {
  kind: RestrictionKind;
  lift: boolean;
  title: string;
  dateLegend: string;
  dateLabel: string;
  dateHint: string;
  reasonLabel: string;
  reasonHint: string;
  button: string;
  notice: string;
}

const CHANGE_PAGES: Record<ChangeKey, ChangePage> = {
  suspend: {
    kind: 'suspension',
    lift: false,
    title: 'Suspend authority to carry Taser',
    dateLegend: 'Suspended from',
    dateLabel: 'the date the suspension starts',
    dateHint: 'Today or earlier. For example, 27 3 2026',
    reasonLabel: 'Reason for the suspension',
    reasonHint: 'A few words, for example under investigation after a complaint, or a medical reason. The officer can see this.',
    button: 'Suspend authority',
    notice: 'authority-suspended',
  },
  reinstate: {
    kind: 'suspension',
    lift: true,
    title: 'Reinstate authority to carry Taser',
    dateLegend: 'Reinstated from',
    dateLabel: 'the date authority is reinstated',
    dateHint: 'From the day the suspension began (that day undoes it) up to tomorrow: the suspension ends at the start of this day. For example, 27 3 2026',
    reasonLabel: 'Reason for reinstating',
    reasonHint: 'For example, the investigation found no case to answer.',
    button: 'Reinstate authority',
    notice: 'authority-reinstated',
  },
  withdraw: {
    kind: 'withdrawal',
    lift: false,
    title: 'Record a withdrawal from carrying Taser',
    dateLegend: 'Withdrew from',
    dateLabel: 'the date the officer withdrew',
    dateHint: 'Today or earlier. Carrying Taser is voluntary: record this when the officer asks. For example, 27 3 2026',
    reasonLabel: 'Reason the officer gave',
    reasonHint: 'A few words, in the officer’s words if they gave a reason, for example “Personal reasons”.',
    button: 'Record withdrawal',
    notice: 'authority-withdrawn',
  },
  return: {
    kind: 'withdrawal',
    lift: true,
    title: 'Record a return to carrying Taser',
    dateLegend: 'Returns to carrying from',
    dateLabel: 'the date the officer returns to carrying',
    dateHint: 'From the day the officer withdrew (that day undoes the withdrawal) up to tomorrow. For example, 27 3 2026',
    reasonLabel: 'Reason',
    reasonHint: 'A few words, for example “Asked to carry again”.',
    button: 'Record return',
    notice: 'authority-returned',
  },
};

/** The same pages, in the first person, for the officer's own withdrawal and return. */
const OWN_PAGES: Record<'withdraw' | 'return', ChangePage> = {
  withdraw: {
    ...CHANGE_PAGES.withdraw,
    title: 'Withdraw from carrying Taser',
    dateLegend: 'From',
    dateLabel: 'the date you withdraw from',
    dateHint: 'Today or earlier. For example, 27 3 2026',
    reasonLabel: 'Why are you withdrawing?',
    reasonHint: 'A few words, for example “Personal reasons”. Carrying Taser is voluntary. Your supervisor and the programme lead can see what you write here.',
    button: 'Withdraw from carrying',
    notice: 'withdrawn',
  },
  return: {
    ...CHANGE_PAGES.return,
    title: 'Return to carrying Taser',
    dateLegend: 'From',
    dateLabel: 'the date you return to carrying',
    dateHint: 'From the day you withdrew (if that is today, today undoes it) up to tomorrow. For example, 27 3 2026',
    reasonLabel: 'Reason',
    reasonHint: 'A few words, for example “Ready to carry again”.',
    button: 'Return to carrying',
    notice: 'returned',
  },
};

const isChangeKey = (k: string): k is ChangeKey => k in CHANGE_PAGES;

// Routes --------------------------------------------------------------------------------

export function registerTrainingRoutes(app: FastifyInstance, svc: Services): void {
  const roles = (request: FastifyRequest) => request.identity!.account.roles;

  // Course calendar ---------------------------------------------------------------------

  app.get('/training', { config: { permission: 'read:training', query: calendarQuery } }, async (request, reply) => {
    const q = queryOf(request, calendarQuery);
    const on = today(svc.now());
    const past = q.when === 'past';
    const [courses, boroughs] = await Promise.all([listCourseTypes(svc), listBoroughs(svc)]);
    const courseTypeId = courses.some((c) => c.id === q.course) ? q.course : undefined;
    const boroughId = boroughs.some((b) => b.id === q.borough) ? q.borough : undefined;
    const thisMonth = monthOfDay(on);
    const months = past ? Array.from({ length: 36 }, (_, i) => addMonths(thisMonth, -i)) : Array.from({ length: 24 }, (_, i) => addMonths(thisMonth, i));
    const fromMonth = q.from && months.includes(q.from) ? q.from : undefined;
    const query: SessionQuery = past
      ? { courseTypeId, boroughId, toExclusive: on, from: fromMonth ? `${fromMonth}-01` : undefined }
      : { courseTypeId, boroughId, from: fromMonth && `${fromMonth}-01` > on ? `${fromMonth}-01` : on };
    const result = await listSessions(svc, query, pageFrom(q, SESSION_PAGE_SIZE));
    const boroughName = new Map(boroughs.map((b) => [b.id, b.name]));
    const groups: { month: string; heading: string; rows: unknown[] }[] = [];
    for (const s of result.rows) {
      const month = monthOfDay(s.startsOn);
      let g = groups[groups.length - 1];
      if (!g || g.month !== month) groups.push((g = { month, heading: monthLabel(month), rows: [] }));
      g.rows.push({
        href: `/training/sessions/${s.id}`,
        dates: dateRange(s.startsOn, s.endsOn),
        course: s.courseName,
        location: s.location,
        borough: s.boroughId ? (boroughName.get(s.boroughId) ?? '') : 'Force-wide',
        places: `${s.enrolled} of ${s.capacity}`,
        waiting: s.waiting,
        tag: sessionTag(s, on),
      });
    }
    const filtered = Boolean(courseTypeId || boroughId || fromMonth);
    return reply.render('pages/training/calendar.njk', {
      title: past ? 'Past training sessions' : 'Training sessions',
      past,
      q,
      courses,
      boroughs,
      months: months.map((m) => ({ value: m, text: monthLabel(m) })),
      groups,
      result,
      filtered,
      tabs: [
        { text: 'Upcoming', href: '/training', active: !past },
        { text: 'Past', href: '/training?when=past', active: past },
      ],
      clearHref: past ? '/training?when=past' : '/training',
      canManage: can(roles(request), 'manage:training'),
      links: { lapsing: '/training/lapsing' },
      pagination: paginationView('/training', q, result.page, result.pages),
      notice: trainingNotice(q),
    });
  });

  // Course types ------------------------------------------------------------------------

  app.get('/training/courses', { config: { permission: 'read:training', query: noticeQuery } }, async (request, reply) => {
    const courses = await listCourseTypes(svc);
    return reply.render('pages/training/courses.njk', {
      title: 'Course types',
      navPath: '/training',
      backLink: '/training',
      courses: courses.map((c) => ({ ...c, kindLabel: COURSE_KIND_LABELS[c.kind], qualifies: c.qualifiesFor.length ? c.qualifiesFor.join(', ') : 'Keeps authority current' })),
      canManage: can(roles(request), 'manage:training'),
      notice: trainingNotice(queryOf(request, noticeQuery)),
    });
  });

  const courseValues = (body: FormBody) => ({
    code: field(body, 'code'),
    name: field(body, 'name'),
    kind: field(body, 'kind'),
    qualifiesFor: fieldList(body, 'qualifiesFor'),
    minHours: field(body, 'minHours'),
    days: field(body, 'days'),
    active: field(body, 'active') || 'true',
  });
  type CourseValues = ReturnType<typeof courseValues>;

  const renderCourseForm = (reply: FastifyReply, ctx: { course?: CourseType; values: CourseValues; errors?: FieldError[] }) =>
    reply.code(ctx.errors ? 400 : 200).render('pages/training/course-form.njk', {
      title: ctx.course ? `Edit ${ctx.course.name}` : 'Add a course type',
      navPath: '/training',
      backLink: '/training/courses',
      course: ctx.course,
      values: ctx.values,
      kinds: COURSE_KINDS.map((k) => ({ value: k, text: COURSE_KIND_LABELS[k], checked: ctx.values.kind === k })),
      models: DEVICE_MODELS.map((m) => ({ value: m, text: m, checked: ctx.values.qualifiesFor.includes(m) })),
      ...errorView(ctx.errors ?? [], { kind: 'kind', qualifiesFor: 'qualifiesFor' }),
    });

  app.get('/training/courses/new', { config: { permission: 'manage:training' } }, async (_request, reply) =>
    renderCourseForm(reply, { values: { code: '', name: '', kind: '', qualifiesFor: [], minHours: '', days: '', active: 'true' } }),
  );

  app.post('/training/courses', { config: { permission: 'manage:training' } }, async (request, reply) => {
    const values = courseValues(formBody(request));
    try {
      await createCourseType(svc, request.actor(), values);
      return reply.redirect('/training/courses?notice=course-created', 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderCourseForm(reply, { values, errors: err.errors });
    }
  });

  app.get('/training/courses/:id/edit', { config: { permission: 'manage:training' } }, async (request, reply) => {
    const c = await getCourseType(svc, (request.params as { id: string }).id);
    return renderCourseForm(reply, { course: c, values: { code: c.code, name: c.name, kind: c.kind, qualifiesFor: c.qualifiesFor, minHours: String(c.minHours), days: String(c.days), active: c.active ? 'true' : 'false' } });
  });

  app.post('/training/courses/:id', { config: { permission: 'manage:training' } }, async (request, reply) => {
    const course = await getCourseType(svc, (request.params as { id: string }).id);
    const values = courseValues(formBody(request));
    try {
      await updateCourseType(svc, request.actor(), course.id, values);
      return reply.redirect('/training/courses?notice=course-updated', 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderCourseForm(reply, { course, values, errors: err.errors });
    }
  });

  // Scheduling a session ----------------------------------------------------------------

  interface SessionValues {
    courseTypeId: string;
    startsOn: { day: string; month: string; year: string };
    endsOn: { day: string; month: string; year: string };
    location: string;
    boroughId: string;
    capacity: string;
    trainers: string;
  }

  const SESSION_FIELD_IDS = { startsOn: 'startsOn', endsOn: 'endsOn', trainerIds: 'trainers', courseTypeId: 'courseTypeId', boroughId: 'boroughId' };
  const SESSION_DATE_LABELS = { startsOn: 'the first day', endsOn: 'the last day' };

  const renderSessionForm = async (reply: FastifyReply, ctx: { details?: SessionDetails; values: SessionValues; errors?: FieldError[] }) => {
    const [courses, boroughs] = await Promise.all([listCourseTypes(svc), listBoroughs(svc)]);
    const ev = errorView(ctx.errors ?? [], SESSION_FIELD_IDS);
    const s = ctx.details?.session;
    const courseItems = [{ value: '', text: 'Select a course' }, ...courses.filter((c) => c.active || c.id === ctx.values.courseTypeId).map((c) => ({ value: c.id, text: `${c.name} (${plural(c.days, 'day')})`, selected: c.id === ctx.values.courseTypeId }))];
    const boroughItems = [{ value: '', text: 'Force-wide (open to every borough)' }, ...boroughs.map((b) => ({ value: b.id, text: b.name, selected: b.id === ctx.values.boroughId }))];
    return reply.code(ctx.errors ? 400 : 200).render('pages/training/session-form.njk', {
      title: s ? `Change the ${s.courseName} session` : 'Schedule a session',
      navPath: '/training',
      backLink: s ? `/training/sessions/${s.id}` : '/training',
      action: s ? `/training/sessions/${s.id}` : '/training/sessions',
      cancelHref: s ? `/training/sessions/${s.id}` : '/training',
      editing: Boolean(s),
      values: ctx.values,
      courseItems,
      boroughItems,
      startsOnItems: dateItems('startsOn', ctx.values.startsOn, Boolean(ev.errors.startsOn)),
      endsOnItems: dateItems('endsOn', ctx.values.endsOn, Boolean(ev.errors.endsOn)),
      ...ev,
    });
  };

  const sessionValues = (body: FormBody): SessionValues => ({
    courseTypeId: field(body, 'courseTypeId'),
    startsOn: typedParts(body, 'startsOn'),
    endsOn: typedParts(body, 'endsOn'),
    location: field(body, 'location'),
    boroughId: field(body, 'boroughId'),
    capacity: field(body, 'capacity'),
    trainers: field(body, 'trainers'),
  });

  /** Saves a session from the form: trainers' collar numbers become officers, then the service checks the rest. */
  const saveSession = async (request: FastifyRequest, reply: FastifyReply, details?: SessionDetails) => {
    const body = formBody(request);
    const values = sessionValues(body);
    const collars = collarList(values.trainers);
    const trainerErrors: FieldError[] = [];
    const trainerIds: string[] = [];
    for (const collar of collars) {
      const officer = await findOfficerByCollar(svc, { all: true }, collar);
      if (officer) trainerIds.push(officer.id);
      else trainerErrors.push({ field: 'trainerIds', message: `No serving officer has the collar number ${collar}: check the trainers’ collar numbers` });
    }
    const input = { courseTypeId: values.courseTypeId, startsOn: dateFromParts(body, 'startsOn'), endsOn: dateFromParts(body, 'endsOn'), location: values.location, boroughId: values.boroughId, capacity: values.capacity, trainerIds };
    const fail = (errors: FieldError[]) => renderSessionForm(reply, { details, values, errors: dateErrors(errors, body, SESSION_DATE_LABELS).map((e) => ({ ...e, message: readableDates(e.message) })) });
    if (trainerErrors.length) {
      // Show every problem at once: the form's own checks, then the collar numbers not found.
      const parsed = sessionInput.safeParse(input);
      const others = parsed.success ? [] : fieldErrorsFromZod(parsed.error).filter((e) => e.field !== 'trainerIds');
      return fail([...others, ...trainerErrors]);
    }
    try {
      if (details) {
        await updateSession(svc, request.actor(), details.session.id, input);
        return reply.redirect(`/training/sessions/${details.session.id}?notice=session-updated`, 303);
      }
      const id = await createSession(svc, request.actor(), input);
      return reply.redirect(`/training/sessions/${id}?notice=session-created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return fail(err.errors.map((e) => (e.field === 'trainerIds' && e.message === 'Add at least one trainer' ? { ...e, message: 'Enter the collar number of at least one trainer' } : e)));
    }
  };

  app.get('/training/sessions/new', { config: { permission: 'manage:training', query: newSessionQuery } }, async (request, reply) => {
    const q = queryOf(request, newSessionQuery);
    return renderSessionForm(reply, { values: { courseTypeId: q.course ?? '', startsOn: dateParts(''), endsOn: dateParts(''), location: '', boroughId: '', capacity: '12', trainers: '' } });
  });

  app.post('/training/sessions', { config: { permission: 'manage:training' } }, async (request, reply) => saveSession(request, reply));

  const scheduled = async (id: string) => {
    const d = await getSession(svc, id);
    if (d.session.status !== 'scheduled') throw new WorkflowError(`This session is ${d.session.status}: it cannot be changed`);
    return d;
  };

  app.get('/training/sessions/:id/edit', { config: { permission: 'manage:training' } }, async (request, reply) => {
    const d = await scheduled((request.params as { id: string }).id);
    const s = d.session;
    return renderSessionForm(reply, {
      details: d,
      values: { courseTypeId: s.courseTypeId, startsOn: dateParts(s.startsOn), endsOn: dateParts(s.endsOn), location: s.location, boroughId: s.boroughId ?? '', capacity: String(s.capacity), trainers: d.trainers.map((t) => t.collarNumber).join('\n') },
    });
  });

  app.post('/training/sessions/:id', { config: { permission: 'manage:training' } }, async (request, reply) => saveSession(request, reply, await scheduled((request.params as { id: string }).id)));

  // The session page --------------------------------------------------------------------

  const renderSession = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; collarNumber?: string } = {}) => {
    // Officers outside the reader's boroughs are counted on the page, never named.
    const d = await getSession(svc, id, { scope: request.scope, now: svc.now() });
    const on = today(svc.now());
    const s = d.session;
    const grants = roles(request);
    const officerScope = scopeFor(grants, 'read:officer');
    const enrolScope = scopeFor(grants, 'create:training');
    const canManage = can(grants, 'manage:training');
    const open = s.status === 'scheduled' && on < s.startsOn;
    const person = (p: { officerId: string; boroughId: string | null; firstName: string; lastName: string }) => ({
      name: name(p),
      href: officerScope && scopeIncludes(officerScope, p.boroughId) ? `/officers/${p.officerId}` : null,
    });
    const seat = (e: SessionDetails['enrolments'][number]) => ({
      id: e.id,
      position: e.position,
      ...person(e),
      collarNumber: e.collarNumber,
      rank: e.rank,
      requestedAt: e.requestedAt,
      attended: e.attended,
      result: e.result ? RESULT_TAGS[e.result] : null,
      reason: e.resultReason,
      canRemove: open && enrolScope !== null && scopeIncludes(enrolScope, e.boroughId),
    });
    const enrolled = d.enrolments.filter((e) => e.status === 'enrolled').map(seat);
    const waiting = d.enrolments.filter((e) => e.status === 'waiting').map(seat);
    const completed = s.status === 'completed';
    const ev = errorView(extra.errors ?? [], { officerId: 'collarNumber' });
    return reply.code(extra.errors ? 400 : 200).render('pages/training/session.njk', {
      title: `${s.courseName}, ${dateRange(s.startsOn, s.endsOn)}`,
      navPath: '/training',
      backLink: '/training',
      s,
      dates: dateRange(s.startsOn, s.endsOn),
      boroughName: d.boroughName ?? 'Force-wide (open to every borough)',
      kind: COURSE_KIND_LABELS[s.courseKind],
      qualifies: s.qualifiesFor.length ? s.qualifiesFor.join(', ') : null,
      trainers: d.trainers.map((t) => ({ ...person(t), collarNumber: t.collarNumber, rank: t.rank })),
      tag: sessionTag(s, on),
      enrolled,
      waiting,
      // Totals, whoever the reader may see; and how many of them are from other boroughs.
      enrolledTotal: s.enrolled,
      waitingTotal: s.waiting,
      others: {
        trainers: d.outOfScope.trainers ? `${fromElsewhere(d.outOfScope.trainers, 'trainer')}` : null,
        enrolled: d.outOfScope.enrolled ? `${fromElsewhere(d.outOfScope.enrolled, 'officer')} ${completed ? (d.outOfScope.enrolled === 1 ? 'was' : 'were') + ' also on the session' : d.outOfScope.enrolled === 1 ? 'also has a place' : 'also have places'}` : null,
        waiting: d.outOfScope.waiting ? `${fromElsewhere(d.outOfScope.waiting, 'officer')} ${d.outOfScope.waiting === 1 ? 'is' : 'are'} also waiting` : null,
      },
      completed,
      free: Math.max(0, s.capacity - s.enrolled),
      open,
      canEnrol: open && enrolScope !== null,
      canManage,
      canChange: canManage && s.status === 'scheduled',
      resultsOpen: d.resultsOpen && canManage && enrolled.length > 0,
      resultsHref: `/training/sessions/${s.id}/results`,
      passed: enrolled.filter((e) => e.result?.text === 'Pass').length,
      collarNumber: extra.collarNumber ?? '',
      notice: trainingNotice(queryOf(request, noticeQuery)),
      ...ev,
    });
  };

  app.get('/training/sessions/:id', { config: { permission: 'read:training', query: noticeQuery } }, async (request, reply) => renderSession(request, reply, (request.params as { id: string }).id));

  app.post('/training/sessions/:id/enrolments', { config: { permission: 'create:training' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await getSession(svc, id);
    const collarNumber = field(formBody(request), 'collarNumber').trim();
    const fail = (message: string) => renderSession(request, reply, id, { collarNumber, errors: [{ field: 'officerId', message }] });
    if (!collarNumber) return fail('Enter the collar number of the officer to enrol');
    // Looked up within the person's boroughs only: an error never names an officer they may not see.
    const officer = await findOfficerByCollar(svc, request.scope, collarNumber);
    if (!officer) return fail(request.scope.all ? `No serving officer has the collar number ${quoteValue(collarNumber.toUpperCase())}` : `No officer with the collar number ${quoteValue(collarNumber.toUpperCase())} in your borough: you can enrol only officers in your borough`);
    try {
      const place = await enrol(svc, request.actor(), id, officer.id, svc.now(), request.scope);
      return reply.redirect(`/training/sessions/${id}?notice=${place}`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return renderSession(request, reply, id, { collarNumber, errors: err.errors.map((e) => ({ ...e, message: readableDates(e.message) })) });
      if (err instanceof WorkflowError) return fail(readableDates(err.message));
      throw err;
    }
  });

  app.post('/training/sessions/:id/enrolments/:enrolmentId/remove', { config: { permission: 'create:training' } }, async (request, reply) => {
    const { id, enrolmentId } = request.params as { id: string; enrolmentId: string };
    const d = await getSession(svc, id, { scope: request.scope });
    const seat = d.enrolments.find((e) => e.id === enrolmentId && e.status !== 'cancelled');
    if (!seat) throw new NotFoundError('Enrolment', enrolmentId);
    const { promoted } = await cancelEnrolment(svc, request.actor(), id, enrolmentId);
    return reply.redirect(`/training/sessions/${id}?notice=${promoted.length ? 'enrolment-removed-promoted' : 'enrolment-removed'}`, 303);
  });

  // Cancelling a session ----------------------------------------------------------------

  const renderCancel = (reply: FastifyReply, d: SessionDetails, reason: string, errors?: FieldError[]) =>
    reply.code(errors ? 400 : 200).render('pages/training/cancel.njk', {
      title: 'Cancel this session',
      navPath: '/training',
      backLink: `/training/sessions/${d.session.id}`,
      s: d.session,
      dates: dateRange(d.session.startsOn, d.session.endsOn),
      affected: d.enrolments.filter((e) => e.status !== 'cancelled').length,
      reason,
      ...errorView(errors ?? []),
    });

  app.get('/training/sessions/:id/cancel', { config: { permission: 'manage:training' } }, async (request, reply) => renderCancel(reply, await scheduled((request.params as { id: string }).id), ''));

  app.post('/training/sessions/:id/cancel', { config: { permission: 'manage:training' } }, async (request, reply) => {
    const d = await scheduled((request.params as { id: string }).id);
    const reason = field(formBody(request), 'reason');
    try {
      await cancelSession(svc, request.actor(), d.session.id, reason);
      return reply.redirect(`/training/sessions/${d.session.id}?notice=session-cancelled`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderCancel(reply, d, reason, err.errors);
    }
  });

  // Correcting a result ----------------------------------------------------------------

  const correctable = async (id: string, enrolmentId: string) => {
    const d = await getSession(svc, id);
    const seat = d.enrolments.find((e) => e.id === enrolmentId && e.status === 'enrolled');
    if (d.session.status !== 'completed' || !seat) throw new NotFoundError('Result', enrolmentId);
    return { d, seat };
  };

  const renderCorrection = (reply: FastifyReply, d: SessionDetails, seat: SessionDetails['enrolments'][number], values: { result: string; reason: string; correctionReason: string }, errors?: FieldError[]) =>
    reply.code(errors ? 400 : 200).render('pages/training/correct-result.njk', {
      title: `Correct the result for ${name(seat)}`,
      navPath: '/training',
      backLink: `/training/sessions/${d.session.id}`,
      s: d.session,
      dates: dateRange(d.session.startsOn, d.session.endsOn),
      recorded: seat.attended ? TRAINING_RESULT_LABELS[seat.result!] + (seat.resultReason ? ` (${seat.resultReason})` : '') : `Did not attend${seat.resultReason ? ` (${seat.resultReason})` : ''}`,
      action: `/training/sessions/${d.session.id}/results/${seat.id}/correct`,
      resultItems: TRAINING_RESULTS.map((r) => ({ value: r, text: TRAINING_RESULT_LABELS[r], checked: values.result === r })),
      values,
      ...errorView(errors ?? [], { result: 'result' }),
    });

  app.get('/training/sessions/:id/results/:enrolmentId/correct', { config: { permission: 'manage:training' } }, async (request, reply) => {
    const { id, enrolmentId } = request.params as { id: string; enrolmentId: string };
    const { d, seat } = await correctable(id, enrolmentId);
    return renderCorrection(reply, d, seat, { result: seat.result ?? '', reason: seat.resultReason ?? '', correctionReason: '' });
  });

  app.post('/training/sessions/:id/results/:enrolmentId/correct', { config: { permission: 'manage:training' } }, async (request, reply) => {
    const { id, enrolmentId } = request.params as { id: string; enrolmentId: string };
    const { d, seat } = await correctable(id, enrolmentId);
    const body = formBody(request);
    const values = { result: field(body, 'result'), reason: field(body, 'reason'), correctionReason: field(body, 'correctionReason') };
    try {
      await correctResult(svc, request.actor(), id, enrolmentId, values);
      return reply.redirect(`/training/sessions/${id}?notice=result-corrected`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderCorrection(reply, d, seat, values, err.errors);
    }
  });

  // Results -----------------------------------------------------------------------------

  interface ResultLine {
    enrolmentId: string;
    attended: string;
    result: string;
    reason: string;
  }

  /** `results[0][attended]` and friends: the form parser keeps them as flat names. */
  const resultLines = (body: FormBody): ResultLine[] => {
    const lines = new Map<number, ResultLine>();
    for (const [key, v] of Object.entries(body)) {
      const m = /^results\[(\d{1,3})\]\[(enrolmentId|attended|result|reason)\]$/.exec(key);
      if (!m) continue;
      const i = Number(m[1]);
      const line = lines.get(i) ?? { enrolmentId: '', attended: '', result: '', reason: '' };
      line[m[2] as keyof ResultLine] = (Array.isArray(v) ? v[0] : v) ?? '';
      lines.set(i, line);
    }
    return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l);
  };

  const renderResults = (reply: FastifyReply, d: SessionDetails, lines: ResultLine[], errors?: FieldError[]) => {
    const enrolled = d.enrolments.filter((e) => e.status === 'enrolled');
    // A problem with a whole line (`results.<enrolmentId>`) points at that officer's first question.
    const ids: Record<string, string> = {};
    enrolled.forEach((e, i) => (ids[`results.${e.id}`] = `results-${i}-attended`));
    const ev = errorView(errors ?? [], ids);
    return reply.code(errors ? 400 : 200).render('pages/training/results.njk', {
      title: 'Record results',
      navPath: '/training',
      backLink: `/training/sessions/${d.session.id}`,
      s: d.session,
      dates: dateRange(d.session.startsOn, d.session.endsOn),
      rows: enrolled.map((e, i) => {
        const line = lines.find((l) => l.enrolmentId === e.id) ?? { enrolmentId: e.id, attended: '', result: '', reason: '' };
        // Beside the question the officer's name is already in the heading: the message alone.
        const err = (f: string) => {
          const found = ev.errors[`results.${i}.${f}`] ?? (f === 'attended' ? ev.errors[`results.${e.id}`] : undefined);
          return found && { text: found.text.replace(`${name(e)} (${e.collarNumber}): `, '') };
        };
        return {
          index: i,
          enrolmentId: e.id,
          name: name(e),
          collarNumber: e.collarNumber,
          rank: e.rank,
          attendedItems: [
            { value: 'yes', text: 'Yes', checked: line.attended === 'yes' },
            { value: 'no', text: 'No', checked: line.attended === 'no' },
          ],
          resultItems: TRAINING_RESULTS.map((r) => ({ value: r, text: TRAINING_RESULT_LABELS[r], checked: line.result === r })),
          reason: line.reason,
          errors: { attended: err('attended'), result: err('result'), reason: err('reason') },
        };
      }),
      ...ev,
    });
  };

  const resultsSession = async (id: string) => {
    const d = await scheduled(id);
    if (!d.resultsOpen) throw new WorkflowError(`Results can be recorded from the session's last day, ${formatDate(d.session.endsOn)}`);
    if (!d.enrolments.some((e) => e.status === 'enrolled')) throw new WorkflowError('No officers have places on this session: there are no results to record');
    return d;
  };

  app.get('/training/sessions/:id/results', { config: { permission: 'manage:training' } }, async (request, reply) => renderResults(reply, await resultsSession((request.params as { id: string }).id), []));

  app.post('/training/sessions/:id/results', { config: { permission: 'manage:training' } }, async (request, reply) => {
    const d = await resultsSession((request.params as { id: string }).id);
    const lines = resultLines(formBody(request));
    try {
      const r = await recordResults(svc, request.actor(), d.session.id, lines);
      return reply.redirect(`/training/sessions/${d.session.id}?notice=results-recorded&passed=${r.passed}&failed=${r.failed}&absent=${r.absent}`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderResults(reply, d, lines, err.errors);
    }
  });

  // Lapsing authority -------------------------------------------------------------------

  app.get('/training/lapsing', { config: { permission: 'read:training', query: lapsingQuery } }, async (request, reply) => {
    const q = queryOf(request, lapsingQuery);
    const days = q.days === '60' ? 60 : q.days === '90' ? 90 : 30;
    const boroughs = (await listBoroughs(svc)).filter((b) => scopeIncludes(request.scope, b.id));
    const boroughId = boroughs.some((b) => b.id === q.borough) ? q.borough : undefined;
    // One look at the next 90 days gives the counts on the tabs; the chosen window is a subset of it.
    const widest = await lapsing(svc, request.scope, 90, boroughId);
    const chosen = days === 90 ? widest : await lapsing(svc, request.scope, days, boroughId);
    const within = (n: number) => widest.boroughs.reduce((sum, b) => sum + b.officers.filter((o) => o.expiresOn < addDays(widest.on, n)).length, 0);
    const keep = (n: number) => `/training/lapsing?days=${n}${boroughId ? `&borough=${encodeURIComponent(boroughId)}` : ''}`;
    return reply.render('pages/training/lapsing.njk', {
      title: 'Authority lapsing',
      navPath: '/training',
      backLink: '/training',
      days,
      q,
      boroughs,
      boroughId,
      scoped: !request.scope.all,
      canManage: can(roles(request), 'manage:training'),
      result: chosen,
      tabs: [30, 60, 90].map((n) => ({ text: `Next ${n} days (${within(n)})`, href: keep(n), active: n === days })),
      groups: chosen.boroughs.map((b) => ({
        name: b.boroughName,
        officers: b.officers.map((o) => ({ ...o, href: `/officers/${o.officerId}` })),
        sessions: b.sessions.map((s) => ({ href: `/training/sessions/${s.id}`, dates: dateRange(s.startsOn, s.endsOn), course: s.courseName, location: s.location, free: plural(s.capacity - s.enrolled, 'place') + ' free' })),
      })),
    });
  });

  // Suspending and reinstating authority, withdrawals ------------------------------------

  const renderChange = (reply: FastifyReply, ctx: { page: ChangePage; officer: Officer; action: string; cancelHref: string; own: boolean; parts: { day: string; month: string; year: string }; reason: string; current?: { from: string; reason: string } | null; errors?: FieldError[] }) => {
    const dateName = ctx.page.lift ? 'toOn' : 'fromOn';
    const ev = errorView(ctx.errors ?? [], { [dateName]: dateName, '(input)': 'reason' });
    return reply.code(ctx.errors ? 400 : 200).render('pages/training/restriction-form.njk', {
      title: ctx.page.title,
      navPath: ctx.own ? '/my-training' : '/officers',
      backLink: ctx.cancelHref,
      page: ctx.page,
      officer: ctx.officer,
      own: ctx.own,
      action: ctx.action,
      cancelHref: ctx.cancelHref,
      dateName,
      dateItems: dateItems(dateName, ctx.parts, Boolean(ev.errors[dateName])),
      reason: ctx.reason,
      current: ctx.current && { from: ctx.current.from, reason: ctx.current.reason },
      ...ev,
    });
  };

  /** The restriction a lift would end, or a workflow error saying there is none (or one already). */
  const checkChange = (a: OfficerAuthority, page: ChangePage, own: boolean) => {
    const open = a.restrictions.find((r) => r.kind === page.kind && r.to === null) ?? null;
    const whose = own ? 'You have' : 'The officer has';
    if (page.lift && !open) throw new WorkflowError(page.kind === 'suspension' ? 'Authority is not suspended: there is nothing to reinstate.' : `${whose} not withdrawn from carrying.`);
    if (!page.lift && open) throw new WorkflowError(page.kind === 'suspension' ? 'Authority is already suspended: reinstate it first.' : `${whose} already withdrawn from carrying.`);
    return open;
  };

  const submitChange = async (request: FastifyRequest, reply: FastifyReply, ctx: { page: ChangePage; a: OfficerAuthority; scope: Scope; own: boolean; action: string; cancelHref: string; done: string }) => {
    const body = formBody(request);
    const dateName = ctx.page.lift ? 'toOn' : 'fromOn';
    const input = { [dateName]: dateFromParts(body, dateName), reason: field(body, 'reason') };
    const current = checkChange(ctx.a, ctx.page, ctx.own);
    try {
      if (ctx.page.lift) await liftRestriction(svc, request.actor(), ctx.scope, ctx.a.officer.id, ctx.page.kind, input);
      else await restrictAuthority(svc, request.actor(), ctx.scope, ctx.a.officer.id, ctx.page.kind, input);
      return reply.redirect(ctx.done, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const errors = dateErrors(err.errors, body, { [dateName]: ctx.page.dateLabel }).map((e) => ({ ...e, message: readableDates(e.message) }));
      return renderChange(reply, { ...ctx, officer: ctx.a.officer, parts: typedParts(body, dateName), reason: input.reason ?? '', current, errors });
    }
  };

  app.get('/officers/:id/authority/:change', { config: { permission: 'update:authority' } }, async (request, reply) => {
    const { id, change } = request.params as { id: string; change: string };
    if (!isChangeKey(change)) return reply.callNotFound();
    const page = CHANGE_PAGES[change];
    const a = await officerAuthority(svc, request.scope, id);
    const current = checkChange(a, page, false);
    return renderChange(reply, { page, officer: a.officer, own: false, action: `/officers/${id}/authority/${change}`, cancelHref: `/officers/${id}`, parts: dateParts(today(svc.now())), reason: '', current });
  });

  app.post('/officers/:id/authority/:change', { config: { permission: 'update:authority' } }, async (request, reply) => {
    const { id, change } = request.params as { id: string; change: string };
    if (!isChangeKey(change)) return reply.callNotFound();
    const page = CHANGE_PAGES[change];
    const a = await officerAuthority(svc, request.scope, id);
    return submitChange(request, reply, { page, a, scope: request.scope, own: false, action: `/officers/${id}/authority/${change}`, cancelHref: `/officers/${id}`, done: `/officers/${id}?notice=${page.notice}#authority` });
  });

  // The officer's own training ----------------------------------------------------------

  /** The signed-in person's officer record, or a page saying their account has none. */
  const ownAuthority = async (request: FastifyRequest, reply: FastifyReply): Promise<OfficerAuthority | null> => {
    try {
      const id = await ownOfficerId(svc, request.actor());
      return await officerAuthority(svc, { all: true }, id);
    } catch (err) {
      if (!(err instanceof WorkflowError) && !(err instanceof NotFoundError)) throw err;
      const detail = err instanceof WorkflowError ? err.message : 'Your account is linked to an officer record that no longer exists. Ask your Cedar administrator to link it again.';
      reply.code(200).render('pages/training/no-officer.njk', { title: 'My training', detail });
      return null;
    }
  };

  app.get('/my-training', { config: { permission: 'signed-in', query: noticeQuery } }, async (request, reply) => {
    const a = await ownAuthority(request, reply);
    if (!a) return reply;
    const view = authorityView(a, { sessionLinks: can(roles(request), 'read:training') });
    return reply.render('pages/training/my-training.njk', {
      title: 'My training',
      officer: a.officer,
      a: view,
      notice: trainingNotice(queryOf(request, noticeQuery)),
    });
  });

  for (const key of ['withdraw', 'return'] as const) {
    const page = OWN_PAGES[key];
    app.get(`/my-training/${key}`, { config: { permission: 'signed-in' } }, async (request, reply) => {
      const a = await ownAuthority(request, reply);
      if (!a) return reply;
      const current = checkChange(a, page, true);
      return renderChange(reply, { page, officer: a.officer, own: true, action: `/my-training/${key}`, cancelHref: '/my-training', parts: dateParts(today(svc.now())), reason: '', current });
    });
    app.post(`/my-training/${key}`, { config: { permission: 'signed-in' } }, async (request, reply) => {
      const a = await ownAuthority(request, reply);
      if (!a) return reply;
      // Their own record: no borough limits what a person may record about themselves.
      return submitChange(request, reply, { page, a, scope: { all: true }, own: true, action: `/my-training/${key}`, cancelHref: '/my-training', done: `/my-training?notice=${page.notice}` });
    });
  }
}
