import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { quoteValue } from '../../../domain/csv.js';
import { can, scopeFor, scopeIncludes } from '../../../domain/permissions.js';
import { COURSE_KIND_LABELS, sessionInput } from '../../../domain/training/courses.js';
import { fieldErrorsFromZod } from '../../../domain/validation.js';
import { NotFoundError, ValidationError, WorkflowError, type FieldError } from '../../../domain/errors.js';
import type { Services } from '../../../services/context.js';
import { findOfficerByCollar } from '../../../services/officers.js';
import { listBoroughs } from '../../../services/organisation.js';
import { cancelEnrolment, cancelSession, createSession, enrol, getSession, listCourseTypes, today, updateSession, type SessionDetails } from '../../../services/training.js';
import { dateFromParts, dateItems, dateParts, errorView, field, formBody, type FormBody } from '../../forms.js';
import { queryId, queryOf } from '../../query.js';
import { dateErrors, dateRange, noticeQuery, personName, readableDates, RESULT_TAGS, scheduledSession, sessionTag, trainingNotice, typedParts } from '../../training-view.js';
import { plural } from '../../views.js';
import { idParams, paramId, paramsOf } from '../../params.js';

/*
 * Training sessions (issue 5): scheduling and changing one, its page with the roster, enrolling
 * and taking officers off it, and cancelling it.
 */

const newSessionQuery = z.object({ course: queryId('course') });

/** "1 officer from another borough or a force-wide unit", "3 officers from other boroughs or force-wide units". */
const fromElsewhere = (n: number, what: string) => (n === 1 ? `1 ${what} from another borough or a force-wide unit` : `${n} ${what}s from other boroughs or force-wide units`);

// Officers by collar number -------------------------------------------------------------

const collarList = (text: string) => [
  ...new Set(
    text
      .split(/[\s,;]+/)
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean),
  ),
];

const roles = (request: FastifyRequest) => request.identity!.account.roles;

const enrolmentParams = z.object({ id: paramId, enrolmentId: paramId });

export function registerTrainingSessionRoutes(app: FastifyInstance, svc: Services): void {
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
    const courseItems = [
      { value: '', text: 'Select a course' },
      ...courses.filter((c) => c.active || c.id === ctx.values.courseTypeId).map((c) => ({ value: c.id, text: `${c.name} (${plural(c.days, 'day')})`, selected: c.id === ctx.values.courseTypeId })),
    ];
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
    const input = {
      courseTypeId: values.courseTypeId,
      startsOn: dateFromParts(body, 'startsOn'),
      endsOn: dateFromParts(body, 'endsOn'),
      location: values.location,
      boroughId: values.boroughId,
      capacity: values.capacity,
      trainerIds,
    };
    const fail = (errors: FieldError[]) =>
      renderSessionForm(reply, { details, values, errors: dateErrors(errors, body, SESSION_DATE_LABELS).map((e) => ({ ...e, message: readableDates(e.message) })) });
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

  app.get('/training/sessions/:id/edit', { config: { permission: 'manage:training', params: idParams } }, async (request, reply) => {
    const d = await scheduledSession(svc, paramsOf(request, idParams).id);
    const s = d.session;
    return renderSessionForm(reply, {
      details: d,
      values: {
        courseTypeId: s.courseTypeId,
        startsOn: dateParts(s.startsOn),
        endsOn: dateParts(s.endsOn),
        location: s.location,
        boroughId: s.boroughId ?? '',
        capacity: String(s.capacity),
        trainers: d.trainers.map((t) => t.collarNumber).join('\n'),
      },
    });
  });

  app.post('/training/sessions/:id', { config: { permission: 'manage:training', params: idParams } }, async (request, reply) =>
    saveSession(request, reply, await scheduledSession(svc, paramsOf(request, idParams).id)),
  );

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
      name: personName(p),
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
        enrolled: d.outOfScope.enrolled
          ? `${fromElsewhere(d.outOfScope.enrolled, 'officer')} ${completed ? (d.outOfScope.enrolled === 1 ? 'was' : 'were') + ' also on the session' : d.outOfScope.enrolled === 1 ? 'also has a place' : 'also have places'}`
          : null,
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

  app.get('/training/sessions/:id', { config: { permission: 'read:training', query: noticeQuery, params: idParams } }, async (request, reply) =>
    renderSession(request, reply, paramsOf(request, idParams).id),
  );

  app.post('/training/sessions/:id/enrolments', { config: { permission: 'create:training', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    await getSession(svc, id);
    const collarNumber = field(formBody(request), 'collarNumber').trim();
    const fail = (message: string) => renderSession(request, reply, id, { collarNumber, errors: [{ field: 'officerId', message }] });
    if (!collarNumber) return fail('Enter the collar number of the officer to enrol');
    // Looked up within the person's boroughs only: an error never names an officer they may not see.
    const officer = await findOfficerByCollar(svc, request.scope, collarNumber);
    if (!officer)
      return fail(
        request.scope.all
          ? `No serving officer has the collar number ${quoteValue(collarNumber.toUpperCase())}`
          : `No officer with the collar number ${quoteValue(collarNumber.toUpperCase())} in your borough: you can enrol only officers in your borough`,
      );
    try {
      const place = await enrol(svc, request.actor(), id, officer.id, svc.now(), request.scope);
      return reply.redirect(`/training/sessions/${id}?notice=${place}`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return renderSession(request, reply, id, { collarNumber, errors: err.errors.map((e) => ({ ...e, message: readableDates(e.message) })) });
      if (err instanceof WorkflowError) return fail(readableDates(err.message));
      throw err;
    }
  });

  app.post('/training/sessions/:id/enrolments/:enrolmentId/remove', { config: { permission: 'create:training', params: enrolmentParams } }, async (request, reply) => {
    const { id, enrolmentId } = paramsOf(request, enrolmentParams);
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

  app.get('/training/sessions/:id/cancel', { config: { permission: 'manage:training', params: idParams } }, async (request, reply) =>
    renderCancel(reply, await scheduledSession(svc, paramsOf(request, idParams).id), ''),
  );

  app.post('/training/sessions/:id/cancel', { config: { permission: 'manage:training', params: idParams } }, async (request, reply) => {
    const d = await scheduledSession(svc, paramsOf(request, idParams).id);
    const reason = field(formBody(request), 'reason');
    try {
      await cancelSession(svc, request.actor(), d.session.id, reason);
      return reply.redirect(`/training/sessions/${d.session.id}?notice=session-cancelled`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderCancel(reply, d, reason, err.errors);
    }
  });
}
