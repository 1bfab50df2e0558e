import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can } from '../../../domain/permissions.js';
import { monthFromNumber, monthLabel, monthNumber, monthOfDay } from '../../../domain/calendar.js';
import type { Services } from '../../../services/context.js';
import { listBoroughs } from '../../../services/organisation.js';
import { listCourseTypes, listSessions, today, type SessionQuery } from '../../../services/training.js';
import { pageFrom, paginationView } from '../../forms.js';
import { queryChoice, queryId, queryOf, queryPage, queryText } from '../../query.js';
import { dateRange, noticeQuery, sessionTag, trainingNotice } from '../../training-view.js';

/* The course calendar (issue 5): upcoming and past sessions by month, filtered by course, borough and month. */

const calendarQuery = noticeQuery.extend({
  when: queryChoice('when', ['upcoming', 'past']),
  course: queryId('course'),
  borough: queryId('borough'),
  from: queryText('from', 7),
  page: queryPage,
});

const SESSION_PAGE_SIZE = 25;

const addMonths = (month: string, n: number) => monthFromNumber(monthNumber(month) + n);

const roles = (request: FastifyRequest) => request.identity!.account.roles;

export function registerTrainingCalendarRoutes(app: FastifyInstance, svc: Services): void {
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
}
