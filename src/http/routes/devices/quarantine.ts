import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError, WorkflowError, type FieldError } from '../../../domain/errors.js';
import type { Services } from '../../../services/context.js';
import { decideQuarantine, listQuarantineProposals, type QuarantineProposal } from '../../../services/device-reports.js';
import { errorView, field, formBody, pageFrom, paginationView } from '../../forms.js';
import { queryChoice, queryOf, queryPage } from '../../query.js';
import { idParams, paramsOf } from '../../params.js';

/*
 * Quarantine proposals (issue 12): a report of a Taser discharge with death or serious injury
 * proposes quarantining its device; professional standards quarantine it or decline, saying why.
 */

const listQuery = z.object({ page: queryPage, done: queryChoice('done', ['quarantined', 'declined']) });

const DONE: Record<string, string> = { quarantined: 'The device has been quarantined.', declined: 'The proposal has been declined.' };

/** One proposal's form, with what was typed and its errors when a decision on it was refused. */
interface Attempt {
  id: string;
  values: { decision: string; note: string };
  errors: FieldError[];
}

export function registerQuarantineRoutes(app: FastifyInstance, svc: Services): void {
  const render = async (request: FastifyRequest, reply: FastifyReply, attempt?: Attempt, status = 200) => {
    const q = queryOf(request, listQuery);
    const result = await listQuarantineProposals(svc, request.scope, pageFrom(q, 20));
    const mayDecide = request.identity!.account.roles.some((g) => g.role === 'professional_standards');
    // Field ids carry the proposal's id: each proposal has its own form on the page.
    const fieldId = (p: string, f: string) => `${f}-${p}`;
    const failed = attempt ? errorView(attempt.errors, { decision: fieldId(attempt.id, 'decision'), note: fieldId(attempt.id, 'note'), proposal: fieldId(attempt.id, 'decision') }) : undefined;
    const rows = result.proposals.map((p: QuarantineProposal) => {
      const mine = attempt?.id === p.id;
      return {
        ...p,
        reportHref: `/reports/${p.reportId}`,
        deviceHref: p.deviceId ? `/devices/${p.deviceId}` : undefined,
        decisionId: fieldId(p.id, 'decision'),
        noteId: fieldId(p.id, 'note'),
        values: mine ? attempt!.values : { decision: '', note: '' },
        errors: mine ? failed!.errors : {},
      };
    });
    return reply.code(status).render('pages/devices/quarantine.njk', {
      title: 'Devices proposed for quarantine',
      rows,
      result,
      mayDecide,
      errorList: failed?.errorList ?? [],
      done: q.done ? DONE[q.done] : undefined,
      pagination: paginationView('/devices/quarantine', { page: q.page ? String(q.page) : '' }, result.page, result.pages),
      backLink: '/',
    });
  };

  app.get('/devices/quarantine', { config: { permission: 'read:device', query: listQuery } }, async (request, reply) => render(request, reply));

  app.post('/devices/quarantine/:id', { config: { permission: 'update:device', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const body = formBody(request);
    const values = { decision: field(body, 'decision'), note: field(body, 'note') };
    try {
      const decided = await decideQuarantine(svc, request.actor(), request.scope, id, { decision: values.decision || undefined, note: values.note });
      return reply.redirect(`/devices/quarantine?done=${decided.decision}`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return render(request, reply, { id, values, errors: err.errors }, 400);
      // Decided by someone else a moment ago, or refused by the device's lifecycle: say why on the list as it is now.
      if (err instanceof WorkflowError) return render(request, reply, { id, values, errors: [{ field: 'proposal', message: err.message }] }, 409);
      throw err;
    }
  });
}
