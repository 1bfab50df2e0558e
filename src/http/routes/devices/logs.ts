import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { CANONICAL_COLUMNS, type LogInput } from '../../../domain/devices/log-formats/index.js';
import type { OverdueReason } from '../../../domain/devices/log-downloads.js';
import { can } from '../../../domain/permissions.js';
import type { Services } from '../../../services/context.js';
import { importDeviceLog, overdueDownloads, recentDeviceLogDownloads, type DeviceLogImportResult, type DeviceLogSource } from '../../../services/device-logs.js';
import { deviceSubNav } from '../../device-view.js';
import { formatDate, formatDateTime } from '../../views.js';
import { sendProblem } from '../../plugins/errors.js';
import { paginationView } from '../../forms.js';
import { queryOf, queryPage } from '../../query.js';

/*
 * Device event logs (issue 13): the armourers' page (upload a download, see which devices are
 * overdue for one, and the recent downloads) and `POST /api/v1/device-logs` for a download
 * station. Both stream the CSV to the same service: all or nothing, safe to send again.
 */

/** The most an upload on the page may be: a dock's downloads for a day. Larger files go through the CLI. */
export const UPLOAD_MAX_BYTES = 50 * 1024 * 1024;
/** The most a station may send at once through the API. */
export const API_MAX_BYTES = 500 * 1024 * 1024;
/** Problems shown on the page (the rest are counted). */
const SHOWN_PROBLEMS = 100;

const pageQuery = z.object({ page: queryPage });

class TooLarge extends Error {}

/** The body, a piece at a time, refused beyond `max` bytes. */
async function* limited(stream: AsyncIterable<Buffer | string>, max: number): AsyncGenerator<Buffer | string> {
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (bytes > max) throw new TooLarge(`The log is larger than ${max / 1024 / 1024} MB: send it in parts (each download on its own), or import it with the CLI (cedar import device-log FILE)`);
    yield chunk;
  }
}

const summaryJson = (r: DeviceLogImportResult) => ({
  read: r.read,
  added: r.added,
  alreadyPresent: r.alreadyPresent,
  devices: r.devices,
  unknownSerials: r.unknownSerials,
});

/** Why a device is overdue, in words. */
export function overdueReasonText(r: OverdueReason): string {
  if (r.kind === 'interval') {
    return r.lastDownloadAt
      ? `Not downloaded for 12 months: last downloaded ${formatDate(r.lastDownloadAt.slice(0, 10))}, due ${formatDate(r.dueAt.slice(0, 10))}`
      : `Never downloaded: due 12 months after ${formatDate(r.countedFrom.slice(0, 10))}, on ${formatDate(r.dueAt.slice(0, 10))}`;
  }
  return `Discharge report ${r.ref} on ${formatDateTime(r.occurredAt)}: due within 7 days, by ${formatDateTime(r.dueAt)}, and not downloaded since`;
}

/** Why an uploaded file was refused, beside the file input. */
function refusedText(r: DeviceLogImportResult): string {
  if (r.rejectedRows === 0) return 'The file was not imported: its header row has problems';
  return `The file was not imported: ${r.rejectedRows.toLocaleString('en-GB')} ${r.rejectedRows === 1 ? 'row has' : 'rows have'} problems`;
}

interface UploadedFile {
  fileName: string;
  bytes: Buffer;
}

export function registerDeviceLogRoutes(app: FastifyInstance, svc: Services): void {
  const run = (request: FastifyRequest, source: DeviceLogSource, fileName: string, input: LogInput) => importDeviceLog(svc, request.actor(), { fileName, source, input });

  const render = async (request: FastifyRequest, reply: FastifyReply, ctx: { result?: DeviceLogImportResult; fileName?: string; problem?: string; status?: number } = {}) => {
    const q = queryOf(request, pageQuery);
    const [overdue, recent] = await Promise.all([overdueDownloads(svc, request.actor(), { page: q.page ?? 1 }), recentDeviceLogDownloads(svc, 20)]);
    const result = ctx.result;
    const refused = result && !result.ok;
    const errorList = ctx.problem
      ? [{ text: ctx.problem, href: '#file' }]
      : refused
        ? result.rejected.slice(0, SHOWN_PROBLEMS).map((e) => ({ text: `Line ${e.line}${e.column ? `, column ${e.column}` : ''}: ${e.message}`, href: '#file' }))
        : [];
    return reply.code(ctx.status ?? 200).render('pages/devices/logs.njk', {
      title: 'Device log downloads',
      navPath: '/devices',
      subNav: deviceSubNav('logs', request.identity!.account.roles),
      canUpload: can(request.identity!.account.roles, 'update:device'),
      columns: CANONICAL_COLUMNS.join(','),
      maxMb: UPLOAD_MAX_BYTES / 1024 / 1024,
      fileName: ctx.fileName,
      result,
      refused,
      problems: refused ? result.rejected.slice(0, SHOWN_PROBLEMS) : [],
      moreProblems: refused ? Math.max(0, result.problems - SHOWN_PROBLEMS) : 0,
      errorList,
      fileError: errorList.length ? { text: ctx.problem ?? refusedText(result!) } : undefined,
      overdue: {
        ...overdue,
        rows: overdue.data.map((s) => ({
          serial: s.device.serial,
          href: `/devices/${s.device.id}`,
          model: s.device.modelName,
          armoury: s.device.armouryName ?? 'Central store',
          lastDownloadAt: s.lastDownloadAt,
          reasons: s.overdue.map(overdueReasonText),
        })),
      },
      pagination: paginationView('/devices/logs', {}, overdue.page, overdue.pages),
      recent,
    });
  };

  // Multipart (the page's upload) and text/csv (the API) only here, in a context of their own.
  app.register(async (scoped) => {
    await scoped.register(multipart, {
      // The fields arrive on the body, so the CSRF check reads _csrf as it does for any form.
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: UPLOAD_MAX_BYTES, files: 1, fields: 4, parts: 5, fieldSize: 1024 },
      onFile: async (part) => {
        (part as unknown as { value: UploadedFile }).value = { fileName: part.filename, bytes: await part.toBuffer() };
      },
    });
    // The API's body is handed over unread, as a stream: the service reads it a piece at a time.
    scoped.addContentTypeParser(['text/csv', 'application/csv'], (_request, payload, done) => done(null, payload));

    scoped.get('/devices/logs', { config: { permission: 'read:device', query: pageQuery } }, async (request, reply) => render(request, reply));

    scoped.post('/devices/logs', { config: { permission: 'update:device' } }, async (request, reply) => {
      const file = (request.body as { file?: unknown } | undefined)?.file as UploadedFile | undefined;
      if (!file || typeof file !== 'object' || !Buffer.isBuffer(file.bytes)) return render(request, reply, { problem: 'Select the device log file (CSV) to upload', status: 400 });
      if (file.bytes.length === 0) return render(request, reply, { problem: 'The selected file is empty', fileName: file.fileName, status: 400 });
      const result = await run(request, 'upload', file.fileName || 'upload.csv', [file.bytes]);
      return render(request, reply, { result, fileName: file.fileName, status: result.ok ? 200 : 400 });
    });

    scoped.post('/api/v1/device-logs', { config: { permission: 'update:device' } }, async (request, reply) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
        return sendProblem(reply, 415, 'Unsupported body', 'Send the log as the request body with Content-Type: text/csv, in the canonical layout.');
      }
      const name = typeof request.headers['x-file-name'] === 'string' ? request.headers['x-file-name'] : 'api.csv';
      try {
        const r = await run(request, 'api', name, limited(body, API_MAX_BYTES));
        if (!r.ok) {
          return reply
            .code(422)
            .type('application/problem+json')
            .send({
              type: 'about:blank',
              title: 'The log was not imported',
              status: 422,
              detail: `${r.rejectedRows.toLocaleString('en-GB')} of ${r.read.toLocaleString('en-GB')} rows have problems (${r.problems.toLocaleString('en-GB')} in all${r.problems > r.rejected.length ? `, the first ${r.rejected.length} listed` : ''}); nothing was stored.`,
              errors: r.rejected.map((e) => ({ line: e.line, column: e.column, message: e.message })),
              rejectedRows: r.rejectedRows,
              problems: r.problems,
            });
        }
        return reply.code(201).send(summaryJson(r));
      } catch (err) {
        if (err instanceof TooLarge) return sendProblem(reply, 413, 'Log too large', err.message);
        throw err;
      }
    });
  });
}

/** OpenAPI pieces for the download station's endpoint. */
export function deviceLogOpenApi() {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
  return {
    schemas: {
      DeviceLogImport: {
        type: 'object',
        properties: {
          read: { type: 'integer', description: 'Data rows read' },
          added: { type: 'integer', description: 'Entries new to Cedar' },
          alreadyPresent: { type: 'integer', description: 'Entries Cedar held already with the same values (an overlapping or repeated download)' },
          devices: { type: 'integer', description: 'Devices in the log: a download is recorded for each' },
          unknownSerials: { type: 'array', items: { type: 'string' }, description: 'Serials the register does not know (their entries are kept)' },
        },
      },
      DeviceLogRefusal: {
        allOf: [
          ref('Problem'),
          {
            type: 'object',
            properties: {
              errors: {
                type: 'array',
                description: 'Each problem (the first 1,000), by line (the header is line 1) and column',
                items: { type: 'object', properties: { line: { type: 'integer' }, column: { type: ['string', 'null'] }, message: { type: 'string' } } },
              },
              rejectedRows: { type: 'integer' },
              problems: { type: 'integer' },
            },
          },
        ],
      },
    },
    paths: {
      '/api/v1/device-logs': {
        post: {
          summary: `Import a device event log as a docking station downloads it (needs update:device; token scope devices:write). All or nothing: any problem refuses the whole log. Safe to send again: entries held already are left alone. Header: ${CANONICAL_COLUMNS.join(',')}`,
          parameters: [{ name: 'X-File-Name', in: 'header', required: false, schema: { type: 'string' }, description: 'The name recorded with the download' }],
          requestBody: {
            required: true,
            content: { 'text/csv': { schema: { type: 'string', description: `Canonical device log CSV, UTF-8, up to ${API_MAX_BYTES / 1024 / 1024} MB` } } },
          },
          responses: {
            '201': { description: 'Imported', content: { 'application/json': { schema: ref('DeviceLogImport') } } },
            '413': problem('The log is too large: send it in parts'),
            '415': problem('The body is not text/csv'),
            '422': { description: 'Refused: every problem by line and column; nothing stored', content: { 'application/problem+json': { schema: ref('DeviceLogRefusal') } } },
            '401': problem('Not signed in, or the token is not valid'),
            '403': problem('The account lacks the permission, or the token the scope'),
          },
        },
      },
    },
  };
}
