import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../../domain/permissions.js';
import { COURSE_KIND_LABELS, COURSE_KINDS, DEVICE_MODELS, type CourseType } from '../../../domain/training/courses.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import type { Services } from '../../../services/context.js';
import { createCourseType, getCourseType, listCourseTypes, updateCourseType } from '../../../services/training.js';
import { errorView, field, fieldList, formBody, type FormBody } from '../../forms.js';
import { queryOf } from '../../query.js';
import { noticeQuery, trainingNotice } from '../../training-view.js';
import { idParams, paramsOf } from '../../params.js';

/* Course types (issue 5): the list, adding one and changing one. */

const roles = (request: FastifyRequest) => request.identity!.account.roles;

export function registerTrainingCourseRoutes(app: FastifyInstance, svc: Services): void {
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

  app.get('/training/courses/:id/edit', { config: { permission: 'manage:training', params: idParams } }, async (request, reply) => {
    const c = await getCourseType(svc, paramsOf(request, idParams).id);
    return renderCourseForm(reply, {
      course: c,
      values: { code: c.code, name: c.name, kind: c.kind, qualifiesFor: c.qualifiesFor, minHours: String(c.minHours), days: String(c.days), active: c.active ? 'true' : 'false' },
    });
  });

  app.post('/training/courses/:id', { config: { permission: 'manage:training', params: idParams } }, async (request, reply) => {
    const course = await getCourseType(svc, paramsOf(request, idParams).id);
    const values = courseValues(formBody(request));
    try {
      await updateCourseType(svc, request.actor(), course.id, values);
      return reply.redirect('/training/courses?notice=course-updated', 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderCourseForm(reply, { course, values, errors: err.errors });
    }
  });
}
