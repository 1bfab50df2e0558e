import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Account } from '../../domain/accounts.js';
import { BOROUGH_SCOPABLE_ROLES, ROLE_LABELS, ROLES, isRole, type RoleGrant } from '../../domain/permissions.js';
import { ValidationError, type FieldError } from '../../domain/errors.js';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, SCOPE_LABELS, TOKEN_SCOPES } from '../../domain/api-tokens.js';
import { createAccount, createApiToken, getAccount, getApiToken, listAccounts, listApiTokens, resetPassword, revokeApiToken, updateAccount } from '../../services/accounts.js';
import type { Services } from '../../services/context.js';
import { findOfficerByCollar, officersByIds } from '../../services/officers.js';
import { listBoroughs } from '../../services/organisation.js';
import { errorView, field, fieldList, formBody, noticeFrom, pageFrom, paginationView, type FormBody } from '../forms.js';
import { z } from 'zod';
import { queryNotice, queryPage, queryText } from '../query.js';
import { idParams, paramsOf } from '../params.js';

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
    const officer = await findOfficerByCollar(svc, { all: true }, v.officerCollar);
    if (officer) officerId = officer.id;
    else errors.push({ field: 'officerCollar', message: `No officer has the collar number ${v.officerCollar}` });
  }
  return { input: { email: v.email, displayName: v.displayName, roles, officerId, disabled: v.disabled }, errors };
}

export function registerAdminRoutes(app: FastifyInstance, svc: Services): void {
  const roleItems = (selected: string[]) =>
    ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r], checked: selected.includes(r), hint: BOROUGH_SCOPABLE_ROLES.includes(r) ? { text: 'Can be limited to one borough' } : undefined }));

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
        { roles: 'roles', officerId: 'officerCollar' },
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

  app.get('/admin/accounts/:id', { config: { ...PERMISSION, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const account = await getAccount(svc, id);
    const boroughs = new Map((await listBoroughs(svc)).map((b) => [b.id, b.name]));
    const officer = account.officerId ? (await officersByIds(svc, [account.officerId])).get(account.officerId) : undefined;
    return reply.render('pages/admin/account.njk', {
      title: account.email,
      account,
      officer,
      roleText: account.roles.map((g) => ROLE_LABELS[g.role] + (g.boroughId ? ` (${boroughs.get(g.boroughId) ?? '?'})` : '')),
      backLink: '/admin/accounts',
      notice: noticeFrom(request.query),
    });
  });

  app.get('/admin/accounts/:id/edit', { config: { ...PERMISSION, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const account = await getAccount(svc, id);
    const officer = account.officerId ? (await officersByIds(svc, [account.officerId])).get(account.officerId) : undefined;
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

  app.post('/admin/accounts/:id', { config: { ...PERMISSION, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
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

  app.post('/admin/accounts/:id/reset-password', { config: { ...PERMISSION, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const account = await getAccount(svc, id);
    const password = await resetPassword(svc, request.actor(), id);
    reply.header('cache-control', 'no-store');
    return reply.render('pages/admin/password-shown.njk', { title: 'Password reset', heading: 'Password reset', account, password });
  });

  // API tokens ------------------------------------------------------------------

  interface TokenFormValues {
    user: string;
    name: string;
    scopes: string[];
    expiresInDays: string;
  }
  const scopeItems = (selected: string[]) => TOKEN_SCOPES.map((scope) => ({ value: scope, text: SCOPE_LABELS[scope], hint: { text: scope }, checked: selected.includes(scope) }));
  const renderTokenForm = (reply: FastifyReply, values: TokenFormValues, errors?: FieldError[]) =>
    reply.code(errors ? 400 : 200).render('pages/admin/token-form.njk', {
      title: 'Create an API token',
      values,
      scopeItems: scopeItems(values.scopes),
      maxDays: MAX_TOKEN_DAYS,
      backLink: '/admin/tokens',
      navPath: '/admin/accounts',
      ...errorView(errors ?? [], { scopes: 'scopes' }),
    });

  app.get('/admin/tokens', { config: PERMISSION }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const user = typeof q.user === 'string' && q.user.trim() ? q.user.trim() : undefined;
    let tokens;
    try {
      tokens = await listApiTokens(svc, { userEmail: user });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return reply.code(400).render('pages/error.njk', { status: 400, title: 'There is a problem with what you sent', detail: err.errors.map((e) => e.message).join('. ') });
    }
    return reply.render('pages/admin/tokens.njk', {
      title: user ? `API tokens for ${user}` : 'API tokens',
      user,
      tokens,
      notice: q.notice === 'token-revoked' ? 'Token revoked. It no longer works.' : noticeFrom(q),
      backLink: '/admin/accounts',
      navPath: '/admin/accounts',
    });
  });

  app.get('/admin/tokens/new', { config: PERMISSION }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    return renderTokenForm(reply, { user: typeof q.user === 'string' ? q.user : '', name: '', scopes: [], expiresInDays: String(DEFAULT_TOKEN_DAYS) });
  });

  app.post('/admin/tokens', { config: PERMISSION }, async (request, reply) => {
    const body = formBody(request);
    const values: TokenFormValues = { user: field(body, 'user'), name: field(body, 'name'), scopes: fieldList(body, 'scopes'), expiresInDays: field(body, 'expiresInDays') };
    try {
      const { token, record } = await createApiToken(svc, request.actor(), values.user, values.name, { scopes: values.scopes, expiresInDays: values.expiresInDays });
      return reply.render('pages/admin/token-shown.njk', { title: 'API token created', token, record, navPath: '/admin/accounts' });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderTokenForm(reply, values, err.errors);
    }
  });

  app.get('/admin/tokens/:id/revoke', { config: { ...PERMISSION, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const token = await getApiToken(svc, id);
    if (token.status === 'revoked') return reply.redirect('/admin/tokens', 303);
    return reply.render('pages/admin/token-revoke.njk', { title: 'Are you sure you want to revoke this token?', token, backLink: '/admin/tokens', navPath: '/admin/accounts' });
  });

  app.post('/admin/tokens/:id/revoke', { config: { ...PERMISSION, params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    await getApiToken(svc, id);
    await revokeApiToken(svc, request.actor(), id);
    return reply.redirect('/admin/tokens?notice=token-revoked', 303);
  });
}
