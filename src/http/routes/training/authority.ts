import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Officer } from '../../../domain/organisation.js';
import { can, type Scope } from '../../../domain/permissions.js';
import type { RestrictionKind } from '../../../domain/training/courses.js';
import { NotFoundError, ValidationError, WorkflowError, type FieldError } from '../../../domain/errors.js';
import type { Services } from '../../../services/context.js';
import { liftRestriction, officerAuthority, ownOfficerId, restrictAuthority, today, type OfficerAuthority } from '../../../services/training.js';
import { dateFromParts, dateItems, dateParts, errorView, field, formBody } from '../../forms.js';
import { queryOf } from '../../query.js';
import { authorityView, dateErrors, noticeQuery, readableDates, trainingNotice, typedParts } from '../../training-view.js';
import { paramChoice, paramId, paramsOf } from '../../params.js';

/*
 * Authority to carry (issue 5): suspending and reinstating it, recording a withdrawal and a
 * return, and the officer's own training page, where they withdraw or return themselves.
 */

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

const changeParams = z.object({ id: paramId, change: paramChoice('Authority change', ['suspend', 'reinstate', 'withdraw', 'return'] satisfies ChangeKey[]) });

const roles = (request: FastifyRequest) => request.identity!.account.roles;

export function registerTrainingAuthorityRoutes(app: FastifyInstance, svc: Services): void {
  const renderChange = (
    reply: FastifyReply,
    ctx: {
      page: ChangePage;
      officer: Officer;
      action: string;
      cancelHref: string;
      own: boolean;
      parts: { day: string; month: string; year: string };
      reason: string;
      current?: { from: string; reason: string } | null;
      errors?: FieldError[];
    },
  ) => {
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

  const submitChange = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: { page: ChangePage; a: OfficerAuthority; scope: Scope; own: boolean; action: string; cancelHref: string; done: string },
  ) => {
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

  app.get('/officers/:id/authority/:change', { config: { permission: 'update:authority', params: changeParams } }, async (request, reply) => {
    const { id, change } = paramsOf(request, changeParams);
    const page = CHANGE_PAGES[change];
    const a = await officerAuthority(svc, request.scope, id);
    const current = checkChange(a, page, false);
    return renderChange(reply, {
      page,
      officer: a.officer,
      own: false,
      action: `/officers/${id}/authority/${change}`,
      cancelHref: `/officers/${id}`,
      parts: dateParts(today(svc.now())),
      reason: '',
      current,
    });
  });

  app.post('/officers/:id/authority/:change', { config: { permission: 'update:authority', params: changeParams } }, async (request, reply) => {
    const { id, change } = paramsOf(request, changeParams);
    const page = CHANGE_PAGES[change];
    const a = await officerAuthority(svc, request.scope, id);
    return submitChange(request, reply, {
      page,
      a,
      scope: request.scope,
      own: false,
      action: `/officers/${id}/authority/${change}`,
      cancelHref: `/officers/${id}`,
      done: `/officers/${id}?notice=${page.notice}#authority`,
    });
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
