import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseBusyError, NotFoundError, ValidationError, WorkflowError, type FieldError } from '../../domain/errors.js';
import { NoForceError } from '../../services/organisation.js';

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/** RFC 9457 problem details. `errors` names each invalid field. */
export function sendProblem(reply: FastifyReply, status: number, title: string, detail: string, errors?: FieldError[]) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) });
}

/** 404, 403 and 500 pages for people, problem+json for the API; never a stack trace. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler({ preHandler: undefined }, (request, reply) => {
    if (isApiRequest(request)) return sendProblem(reply, 404, 'Not found', `There is nothing at ${request.method} ${request.url.split('?')[0]}.`);
    return reply.code(404).render('pages/error.njk', {
      status: 404,
      title: 'Page not found',
      detail: 'If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.',
    });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const api = isApiRequest(request);
    if (error instanceof ValidationError) {
      if (api) return sendProblem(reply, 422, 'Invalid input', `${error.errors.length} field(s) are invalid.`, error.errors);
      return reply.code(400).render('pages/error.njk', { status: 400, title: 'There is a problem with what you sent', detail: error.message });
    }
    if (error instanceof NotFoundError) {
      if (api) return sendProblem(reply, 404, 'Not found', error.message);
      return reply.code(404).render('pages/error.njk', { status: 404, title: 'Page not found', detail: error.message });
    }
    if (error instanceof WorkflowError) {
      if (api) return sendProblem(reply, 409, 'Not possible now', error.message);
      return reply.code(409).render('pages/error.njk', { status: 409, title: 'That cannot be done now', detail: error.message });
    }
    if (error instanceof NoForceError) {
      if (api) return sendProblem(reply, 503, 'Not set up', error.message);
      return reply.code(503).render('pages/error.njk', { status: 503, title: 'Cedar is not set up yet', detail: error.message });
    }
    if (error instanceof DatabaseBusyError) {
      reply.header('retry-after', '60');
      if (api) return sendProblem(reply, 503, 'Busy', error.message);
      return reply.code(503).render('pages/error.njk', { status: 503, title: 'Cedar is busy', detail: error.message });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 429) {
      if (api) return sendProblem(reply, 429, 'Too many requests', 'Wait a minute and try again.');
      return reply.code(429).render('pages/error.njk', { status, title: 'Too many attempts', detail: 'You have tried too many times. Wait a minute, then try again.' });
    }
    if (status < 500) {
      if (api) return sendProblem(reply, status, 'Bad request', error.message);
      return reply.code(status).render('pages/error.njk', { status, title: 'There is a problem with what you sent', detail: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    if (api) return sendProblem(reply, 500, 'Internal error', `Something went wrong. Reference: ${request.id}`);
    return reply.code(500).render('pages/error.njk', {
      status: 500,
      title: 'Sorry, there is a problem with the service',
      detail: `Try again later. If it keeps happening, give the service desk this reference: ${request.id}`,
    });
  });
}
