import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { ValidationError } from '../../domain/errors.js';
import { changePassword, signIn, signOut, takeKeptForm } from '../../services/accounts.js';
import type { Services } from '../../services/context.js';
import { errorView, field, formBody, safeNext } from '../forms.js';
import { KEPT_FORM_COOKIE, PRE_AUTH_CSRF_COOKIE, SESSION_COOKIE, sessionCookieOptions } from '../plugins/auth.js';

const open = { permission: 'public', allowWithPendingPasswordChange: true } as const;

export function registerAccountRoutes(app: FastifyInstance, svc: Services, config: Config): void {
  app.get('/sign-in', { config: open }, async (request, reply) => {
    if (request.identity) return reply.redirect('/', 303);
    const q = request.query as Record<string, string | undefined>;
    return reply.render('pages/sign-in.njk', { title: 'Sign in', next: safeNext(q.next), signedOut: q.signedOut === '1', kept: q.kept === '1' && Boolean(request.cookies[KEPT_FORM_COOKIE]) });
  });

  // Sign-in is limited per address and, separately, per account: the email tried, whether or
  // not an account has it (so the limit tells nothing), from whatever addresses.
  const perAddress = app.createRateLimit({ max: config.signInRateLimitPerAddress, timeWindow: 60_000 });
  const perAccount = app.createRateLimit({
    max: config.signInRateLimit,
    timeWindow: 60_000,
    keyGenerator: (request) => `account:${field(formBody(request), 'email').trim().toLowerCase().slice(0, 320)}`,
  });
  const limitSignIn = async (request: FastifyRequest, reply: FastifyReply) => {
    for (const limit of [perAddress, perAccount]) {
      const r = await limit(request);
      if (!r.isAllowed && r.isExceeded) {
        reply.header('retry-after', String(r.ttlInSeconds));
        throw Object.assign(new Error('Too many sign-in attempts'), { statusCode: 429 });
      }
    }
  };

  app.post('/sign-in', { config: open, preHandler: limitSignIn }, async (request, reply) => {
    const body = formBody(request);
    const values = { email: field(body, 'email') };
    const next = safeNext(field(body, 'next'));
    const again = (status: number, errors: { field: string; message: string }[]) =>
      reply.code(status).render('pages/sign-in.njk', { title: 'Sign in', values, next, lockout: { attempts: config.lockoutAttempts, minutes: config.lockoutMinutes }, ...errorView(errors) });
    let result;
    try {
      result = await signIn(svc, { email: field(body, 'email'), password: field(body, 'password') }, { ip: request.ip });
    } catch (err) {
      if (err instanceof ValidationError) return again(400, err.errors);
      throw err;
    }
    if (!result.ok) {
      // A locked account is answered exactly as a wrong password or an unknown email, so the
      // answer does not tell which accounts exist. Only the right password for a disabled
      // account is told so.
      if (result.reason === 'disabled') return again(401, [{ field: 'email', message: 'This account has been disabled. Contact your Cedar administrator.' }]);
      return again(401, [{ field: 'email', message: 'Enter a correct email address and password' }]);
    }
    reply.setCookie(SESSION_COOKIE, result.sessionToken, sessionCookieOptions(config, request));
    reply.clearCookie(PRE_AUTH_CSRF_COOKIE, { path: '/' });
    if (result.account.mustChangePassword) return reply.redirect('/account/password', 303);
    // A form sent after the last session ended waits to be sent again.
    return reply.redirect(request.cookies[KEPT_FORM_COOKIE] ? '/account/kept-answers' : next, 303);
  });

  app.get('/account/kept-answers', { config: { permission: 'signed-in' } }, async (request, reply) => {
    const key = request.cookies[KEPT_FORM_COOKIE];
    if (key) reply.clearCookie(KEPT_FORM_COOKIE, { path: '/' });
    const form = key ? await takeKeptForm(svc, key, request.identity!.account.id) : undefined;
    if (!form) return reply.redirect('/', 303);
    return reply.render('pages/kept-answers.njk', { title: 'Send your answers again', form });
  });

  app.post('/sign-out', { config: { permission: 'signed-in', allowWithPendingPasswordChange: true } }, async (request, reply) => {
    const identity = request.identity!;
    if (identity.sessionId) await signOut(svc, request.actor(), identity.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/sign-in?signedOut=1', 303);
  });

  const passwordPage = { permission: 'signed-in', allowWithPendingPasswordChange: true } as const;
  app.get('/account/password', { config: passwordPage }, async (request, reply) => {
    const forced = request.identity!.account.mustChangePassword;
    return reply.render('pages/password.njk', { title: 'Change your password', forced, backLink: forced ? undefined : '/' });
  });

  app.post('/account/password', { config: passwordPage }, async (request, reply) => {
    const identity = request.identity!;
    const body = formBody(request);
    try {
      await changePassword(svc, { ...request.actor(), userId: identity.account.id }, identity.sessionId, {
        currentPassword: field(body, 'currentPassword'),
        newPassword: field(body, 'newPassword'),
        confirmPassword: field(body, 'confirmPassword'),
      });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return reply.code(400).render('pages/password.njk', { title: 'Change your password', forced: identity.account.mustChangePassword, ...errorView(err.errors) });
    }
    return reply.redirect('/?notice=password-changed', 303);
  });
}
