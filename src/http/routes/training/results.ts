import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { TRAINING_RESULT_LABELS, TRAINING_RESULTS } from '../../../domain/training/courses.js';
import { NotFoundError, ValidationError, WorkflowError, type FieldError } from '../../../domain/errors.js';
import type { Services } from '../../../services/context.js';
import { correctResult, getSession, recordResults, type SessionDetails } from '../../../services/training.js';
import { errorView, field, formBody, type FormBody } from '../../forms.js';
import { dateRange, personName, scheduledSession } from '../../training-view.js';
import { formatDate } from '../../views.js';
import { idParams, paramId, paramsOf } from '../../params.js';

/* A session's results (issue 5): recording them once the session has ended, and correcting one afterwards. */

const enrolmentParams = z.object({ id: paramId, enrolmentId: paramId });

export function registerTrainingResultRoutes(app: FastifyInstance, svc: Services): void {
  const correctable = async (id: string, enrolmentId: string) => {
    const d = await getSession(svc, id);
    const seat = d.enrolments.find((e) => e.id === enrolmentId && e.status === 'enrolled');
    if (d.session.status !== 'completed' || !seat) throw new NotFoundError('Result', enrolmentId);
    return { d, seat };
  };

  const renderCorrection = (
    reply: FastifyReply,
    d: SessionDetails,
    seat: SessionDetails['enrolments'][number],
    values: { result: string; reason: string; correctionReason: string },
    errors?: FieldError[],
  ) =>
    reply.code(errors ? 400 : 200).render('pages/training/correct-result.njk', {
      title: `Correct the result for ${personName(seat)}`,
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

  app.get('/training/sessions/:id/results/:enrolmentId/correct', { config: { permission: 'manage:training', params: enrolmentParams } }, async (request, reply) => {
    const { id, enrolmentId } = paramsOf(request, enrolmentParams);
    const { d, seat } = await correctable(id, enrolmentId);
    return renderCorrection(reply, d, seat, { result: seat.result ?? '', reason: seat.resultReason ?? '', correctionReason: '' });
  });

  app.post('/training/sessions/:id/results/:enrolmentId/correct', { config: { permission: 'manage:training', params: enrolmentParams } }, async (request, reply) => {
    const { id, enrolmentId } = paramsOf(request, enrolmentParams);
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
          return found && { text: found.text.replace(`${personName(e)} (${e.collarNumber}): `, '') };
        };
        return {
          index: i,
          enrolmentId: e.id,
          name: personName(e),
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
    const d = await scheduledSession(svc, id);
    if (!d.resultsOpen) throw new WorkflowError(`Results can be recorded from the session's last day, ${formatDate(d.session.endsOn)}`);
    if (!d.enrolments.some((e) => e.status === 'enrolled')) throw new WorkflowError('No officers have places on this session: there are no results to record');
    return d;
  };

  app.get('/training/sessions/:id/results', { config: { permission: 'manage:training', params: idParams } }, async (request, reply) =>
    renderResults(reply, await resultsSession(paramsOf(request, idParams).id), []),
  );

  app.post('/training/sessions/:id/results', { config: { permission: 'manage:training', params: idParams } }, async (request, reply) => {
    const d = await resultsSession(paramsOf(request, idParams).id);
    const lines = resultLines(formBody(request));
    try {
      const r = await recordResults(svc, request.actor(), d.session.id, lines);
      return reply.redirect(`/training/sessions/${d.session.id}?notice=results-recorded&passed=${r.passed}&failed=${r.failed}&absent=${r.absent}`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderResults(reply, d, lines, err.errors);
    }
  });
}
