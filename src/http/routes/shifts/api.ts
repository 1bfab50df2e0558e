import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { SHIFT_COLUMNS } from '../../../domain/crewing/shifts.js';
import { ValidationError, type FieldError } from '../../../domain/errors.js';
import type { Services } from '../../../services/context.js';
import { importShifts } from '../../../services/shifts.js';
import { sendProblem } from '../../plugins/errors.js';
import { queryOf } from '../../query.js';

/** The largest roster one request takes: a force's month (200,000 shifts) is about 10 MB. */
export const MAX_SHIFTS_BYTES = 32 * 1024 * 1024;

const shiftsQuery = z.object({ dryRun: z.enum(['true', 'false']).optional() });

/**
 * `POST /api/v1/shifts` (issue 14): a duty-rostering system sends shifts as a CSV body
 * (`Content-Type: text/csv`), in the layout of `cedar import shifts`. All or nothing: 201 with
 * what was stored, or 422 with every problem by line and column.
 */
export async function registerShiftsApiRoutes(app: FastifyInstance, svc: Services): Promise<void> {
  // The CSV parser belongs to this route's scope only.
  await app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: MAX_SHIFTS_BYTES }, (_request, body, done) => done(null, body));
    scope.post('/api/v1/shifts', { config: { permission: 'import:shift', query: shiftsQuery }, bodyLimit: MAX_SHIFTS_BYTES }, async (request, reply: FastifyReply) => {
      const { dryRun } = queryOf(request, shiftsQuery);
      if (!Buffer.isBuffer(request.body)) {
        throw new ValidationError([{ field: '(body)', message: `Send the shifts as CSV with Content-Type: text/csv, header ${SHIFT_COLUMNS.join(',')}` }]);
      }
      const r = await importShifts(svc, request.actor(), { fileName: 'request', bytes: request.body, source: 'api' }, { dryRun: dryRun === 'true' });
      if (!r.ok) {
        const errors: (FieldError & { line: number; column: string | null })[] = r.rejected.map((e) => ({
          field: e.column === null ? `line ${e.line}` : `line ${e.line}, ${e.column}`,
          line: e.line,
          column: e.column,
          message: e.message,
        }));
        const detail = r.rejectedRows > 0 ? `${r.rejectedRows} of ${r.read} rows ${r.rejectedRows === 1 ? 'has' : 'have'} errors; nothing was imported.` : 'The file has errors; nothing was imported.';
        return sendProblem(reply, 422, 'Invalid input', detail, errors);
      }
      return reply.code(r.dryRun ? 200 : 201).send({ dryRun: r.dryRun, read: r.read, inserted: r.inserted, replaced: r.replaced, removed: r.removed, unchanged: r.unchanged });
    });
  });
}

/** OpenAPI pieces for the shifts API. */
export function shiftsOpenApi() {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
  const summary = { description: '', content: { 'application/json': { schema: ref('ShiftImportSummary') } } };
  return {
    schemas: {
      ShiftImportSummary: {
        type: 'object',
        required: ['dryRun', 'read', 'inserted', 'replaced', 'removed', 'unchanged'],
        properties: {
          dryRun: { type: 'boolean' },
          read: { type: 'integer', description: 'Data rows in the body' },
          inserted: { type: 'integer', description: 'New shifts stored (on a dry run: that would be)' },
          replaced: { type: 'integer', description: 'Stored shifts (same officer and start) replaced by a changed row, each audited' },
          removed: { type: 'integer', description: 'Stored shifts of an officer that a row overlaps without matching (moved to another start), taken away, each audited' },
          unchanged: { type: 'integer', description: 'Rows Cedar already held as they are' },
        },
      },
    },
    paths: {
      '/api/v1/shifts': {
        post: {
          summary: 'Import shifts from a duty-rostering system (all or nothing; idempotent per officer and start)',
          description:
            `A CSV body (Content-Type: text/csv) with the header ${SHIFT_COLUMNS.join(',')}: collar_number as in Cedar; date the London date the shift starts ` +
            '(YYYY-MM-DD or DD/MM/YYYY); start and end London times HH:MM (an end before the start is the next day; equal is an error); borough a name or code; ' +
            'team and call_sign may be blank. The same shift again changes nothing; a row with the same officer and start but a different end, borough, team or ' +
            'call sign replaces the stored shift, with an audit entry, and a stored shift of the officer that a row overlaps without matching (moved) is taken away. On 422 nothing is stored and `errors` lists every problem with its `line` (header = 1) and `column`. ' +
            `At most ${MAX_SHIFTS_BYTES / 1024 / 1024} MB per request; larger rosters use \`cedar import shifts\`. Scope: shifts:write.`,
          parameters: [{ name: 'dryRun', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] }, description: 'Check and count, storing nothing (200)' }],
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: {
            '200': { ...summary, description: 'Dry run: what would be stored' },
            '201': { ...summary, description: 'Stored' },
            '401': problem('Not signed in, or the token is not valid'),
            '403': problem('The account lacks the permission, or the token the scope shifts:write'),
            '413': problem('The body is larger than the limit'),
            '415': problem('The body is not text/csv'),
            '422': problem('Problems by line and column (errors[].line, errors[].column); nothing was stored'),
          },
        },
      },
    },
  };
}
