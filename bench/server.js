// Bench helper, run as a child process: serves Cedar on one port and a bare Fastify route on
// another, so the load generator measures the server rather than competing with it. Cedar is
// its compiled build (dist/, which bench/run.ts builds first), run by plain node as `npm start`
// runs it: this file is JavaScript so that no TypeScript loader shares the process (under tsx
// the same server held 55–65 MiB more, its loader's thread and heap).
import Fastify from 'fastify';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { gzipSync } from 'node:zlib';

/** @param {string} module */
const compiled = (module) => import(new URL(`../dist/${module}`, import.meta.url).href);
/** @type {typeof import('../src/config.js')} */
const { loadConfig } = await compiled('config.js');
/** @type {typeof import('../src/http/app.js')} */
const { buildApp } = await compiled('http/app.js');
/** @type {typeof import('../src/services/setup.js')} */
const { openServices } = await compiled('services/setup.js');
/** @type {typeof import('../src/http/server-heap.js')} */
const { tuneHeapForServer } = await compiled('http/server-heap.js');

// As `npm start` runs it.
tuneHeapForServer();

const config = loadConfig({ ...process.env, CEDAR_LOG_LEVEL: 'silent', CEDAR_SIGNIN_RATE_LIMIT: '100000' });
const svc = await openServices(config);
const app = await buildApp({ services: svc, config });
await app.listen({ port: 0, host: '127.0.0.1' });
const bare = Fastify();
bare.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send('<!DOCTYPE html><p>ok</p>'));
// A bare route that spends `ms` of CPU before it answers: the p99 a page's own cost per request
// gives under 20 connections, whatever the page does with that time.
bare.get('/spin', async (request, reply) => {
  const ms = Math.min(1000, Number(/** @type {{ ms?: string }} */ (request.query).ms) || 0);
  const start = performance.now();
  while (performance.now() - start < ms);
  return reply.type('text/html; charset=utf-8').send('<!DOCTYPE html><p>ok</p>');
});
// A bare JSON route, beside which the sign-out API is measured.
bare.get('/json', async () => ({ ok: true }));
// Bare JSON writes, beside which creating and submitting a report through the API is measured:
// the same bodies are sent and parsed, nothing is stored.
let made = 0;
bare.post('/json', async (request, reply) => reply.code(201).send({ id: String(++made), sections: Object.keys(/** @type {{ sections?: object }} */ (request.body).sections ?? {}).length }));
bare.post('/json/:id/submit', async (request) => ({ id: /** @type {{ id: string }} */ (request.params).id, status: 'submitted' }));
// The public page's own bytes from a bare route: what sending and reading a page that size
// costs on this machine, whatever the server does to make it.
const publicPage = (await app.inject({ url: '/transparency', headers: { 'accept-encoding': 'identity' } })).body;
const publicPageGzip = gzipSync(publicPage);
bare.get('/page', async (request, reply) => {
  reply.type('text/html; charset=utf-8');
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')) ? reply.header('content-encoding', 'gzip').send(publicPageGzip) : reply.send(publicPage);
});
// A page's bytes the bench sends over (a signed-in page, such as the shift briefing), served
// as they are: what sending and reading that page costs here, whatever makes it.
let held = '';
bare.get('/held', async (_request, reply) => reply.type('text/html; charset=utf-8').send(held));
process.on('message', (m) => {
  if (m && typeof m === 'object' && 'hold' in m) {
    held = String(m.hold);
    process.send?.({ held: Buffer.byteLength(held) });
  }
});
await bare.listen({ port: 0, host: '127.0.0.1' });
/** @param {ReturnType<typeof app.server.address>} a */
const port = (a) => (typeof a === 'object' && a ? a.port : 0);
process.send?.({ cedar: port(app.server.address()), bare: port(bare.server.address()) });
process.on('disconnect', () => process.exit(0));
