import type { FastifyInstance, FastifyReply } from 'fastify';
import { findOfficer, findOfficerByCollar } from '../../db/repositories/officers.js';
import type { Account } from '../../domain/accounts.js';
import { BOROUGH_SCOPABLE_ROLES, ROLE_LABELS, ROLES, isRole, type RoleGrant } from '../../domain/permissions.js';
import { ValidationError, type FieldError } from '../../domain/validation.js';
import { createAccount, getAccount, listAccounts, resetPassword, updateAccount } from '../../services/accounts.js';
import type { Services } from '../../services/context.js';
import { getForce, listBoroughs } from '../../services/organisation.js';
import { errorView, field, fieldList, formBody, noticeFrom, pageFrom, paginationView, type FormBody } from '../forms.js';
import { z } from 'zod';
import { queryNotice, queryPage, queryText } from '../query.js';

const PERMISSION = { permission: 'manage:account' } as const;

interface AccountFormValues {
  email: string;
  displayName: string;
  roles: string[];
  boroughId: string;
  officerCollar: string;
  disabled: boolean;
}

function valuesFrom(body: FormBody): AccountFormValues {
  return {
    email: field(body, 'email'),
    displayName: field(body, 'displayName'),
    roles: fieldList(body, 'roles'),
    boroughId: field(body, 'boroughId'),
    officerCollar: field(body, 'officerCollar').trim(),
    disabled: field(body, 'disabled') === 'yes',
  };
}

/** Form values to service input: the borough applies to the roles that can be limited to one. */
async function toInput(svc: Services, v: AccountFormValues) {
  const errors: FieldError[] = [];
  const roles: RoleGrant[] = v.roles.filter(isRole).map((role) => ({ role, boroughId: v.boroughId && BOROUGH_SCOPABLE_ROLES.includes(role) ? v.boroughId : null }));
  let officerId: string | null = null;
  if (v.officerCollar) {
    const force = await getForce(svc);
    const officer = await findOfficerByCollar(svc.database.db, force.id, v.officerCollar);
    if (officer) officerId = officer.id;
    else errors.push({ field: 'officerCollar', message: `No officer has the collar number ${v.officerCollar}` });
  }
  return { input: { email: v.email, displayName: v.displayName, roles, officerId, disabled: v.disabled }, errors };
}

export function registerAdminRoutes(app: FastifyInstance, svc: Services): void {
  const roleItems = (selected: string[]) => ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r], checked: selected.includes(r), hint: BOROUGH_SCOPABLE_ROLES.includes(r) ? { text: 'Can be limited to one borough' } : undefined }));

  const renderForm = async (reply: FastifyReply, ctx: { account?: Account; values: AccountFormValues; errors?: FieldError[] }) =>
    reply.code(ctx.errors ? 400 : 200).render('pages/admin/account-form.njk', {
      title: ctx.account ? `Edit ${ctx.account.email}` : 'Create an account',
      account: ctx.account,
      values: ctx.values,
      roleItems: roleItems(ctx.values.roles),
      boroughs: await listBoroughs(svc),
      backLink: ctx.account ? `/admin/accounts/${ctx.account.id}` : '/admin/accounts',
      ...errorView(
        (ctx.errors ?? []).map((e) => (e.field.startsWith('roles.') ? { ...e, field: e.field.endsWith('boroughId') ? 'boroughId' : 'roles' } : e)),
        { roles: 'roles' },
      ),
    });

  app.get('/admin/accounts', { config: { ...PERMISSION, query: z.object({ q: queryText('q', 100), page: queryPage, notice: queryNotice }) } }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const result = await listAccounts(svc, q.q, pageFrom(q, 50));
    const boroughs = new Map((await listBoroughs(svc)).map((b) => [b.id, b.name]));
    return reply.render('pages/admin/accounts.njk', {
      title: 'Accounts',
      q,
      result,
      rows: result.accounts.map((a) => ({ ...a, roleText: a.roles.map((g) => ROLE_LABELS[g.role] + (g.boroughId ? ` (${boroughs.get(g.boroughId) ?? '?'})` : '')).join(', ') })),
      pagination: paginationView('/admin/accounts', q, result.page, result.pages),
      notice: noticeFrom(q),
    });
  });

  app.get('/admin/accounts/new', { config: PERMISSION }, async (_request, reply) =>
    renderForm(reply, { values: { email: '', displayName: '', roles: [], boroughId: '', officerCollar: '', disabled: false } }),
  );

  app.post('/admin/accounts', { config: PERMISSION }, async (request, reply) => {
    const values = valuesFrom(formBody(request));
    const { input, errors } = await toInput(svc, values);
    try {
      if (errors.length) throw new ValidationError(errors);
      const created = await createAccount(svc, request.actor(), input);
      reply.header('cache-control', 'no-store');
      return reply.render('pages/admin/password-shown.njk', { title: 'Account created', heading: 'Account created', account: created.account, password: created.generatedPassword });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderForm(reply, { values, errors: [...errors, ...err.errors.filter((e) => !errors.includes(e))] });
    }
  });

  app.get('/admin/accounts/:id', { config: PERMISSION }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const account = await getAccount(svc, id);
    const boroughs = new Map((await listBoroughs(svc)).map((b) => [b.id, b.name]));
    const officer = account.officerId ? await findOfficer(svc.database.db, account.officerId) : undefined;
    return reply.render('pages/admin/account.njk', {
      title: account.email,
      account,
      officer,
      roleText: account.roles.map((g) => ROLE_LABELS[g.role] + (g.boroughId ? ` (${boroughs.get(g.boroughId) ?? '?'})` : '')),
      backLink: '/admin/accounts',
      notice: noticeFrom(request.query),
    });
  });

  app.get('/admin/accounts/:id/edit', { config: PERMISSION }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const account = await getAccount(svc, id);
    const officer = account.officerId ? await findOfficer(svc.database.db, account.officerId) : undefined;
    return renderForm(reply, {
      account,
      values: {
        email: account.email,
        displayName: account.displayName,
        roles: account.roles.map((r) => r.role),
        boroughId: account.roles.find((r) => r.boroughId)?.boroughId ?? '',
        officerCollar: officer?.collarNumber ?? '',
        disabled: account.disabled,
      },
    });
  });

  app.post('/admin/accounts/:id', { config: PERMISSION }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const account = await getAccount(svc, id);
    const values = valuesFrom(formBody(request));
    const { input, errors } = await toInput(svc, values);
    try {
      if (errors.length) throw new ValidationError(errors);
      await updateAccount(svc, request.actor(), id, input);
      return reply.redirect(`/admin/accounts/${id}?notice=account-updated`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderForm(reply, { account, values, errors: err.errors });
    }
  });

  app.post('/admin/accounts/:id/reset-password', { config: PERMISSION }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const account = await getAccount(svc, id);
    const password = await resetPassword(svc, request.actor(), id);
    reply.header('cache-control', 'no-store');
    return reply.render('pages/admin/password-shown.njk', { title: 'Password reset', heading: 'Password reset', account, password });
  });
}
