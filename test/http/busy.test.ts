import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { createAccount } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { ensureForce } from '../../src/services/setup.js';
import { openTestServices, type TestServices } from '../support/databases.js';
import { csrfFrom, formEncode, TEST_PASSWORD } from '../support/app.js';

/*
 * Issue 10, item 8: while another process holds SQLite's write lock (an import's final step),
 * pages that only read answer at once, and a write waits for the lock. Here the wait is cut to
 * half a second so that its end can be seen: a write that still cannot go ahead is refused
 * with a 503 saying Cedar is busy and nothing changed, never a 500.
 */
describe('Cedar on SQLite while another process holds the write lock', () => {
  let svc: TestServices;
  let app: FastifyInstance;
  let other: SQLite.Database;
  beforeAll(async () => {
    svc = await openTestServices('sqlite', { writeWaitMs: 500 });
    await ensureForce(svc, SYSTEM_ACTOR, { name: 'Test Constabulary', homeOfficeRegion: 'North West' });
    await createAccount(svc, SYSTEM_ACTOR, { email: 'admin@test.police.uk', displayName: 'Admin', roles: [{ role: 'administrator', boroughId: null }] }, TEST_PASSWORD);
    app = await buildApp({ services: svc, config: loadConfig({ CEDAR_LOG_LEVEL: 'silent', CEDAR_SIGNIN_RATE_LIMIT: '1000' }) });
    await app.ready();
    if (svc.location.kind !== 'sqlite') throw new Error('sqlite only');
    other = new SQLite(svc.location.file);
  });
  afterAll(async () => {
    if (other.inTransaction) other.exec('rollback');
    other.close();
    await app.close();
    await svc.cleanup();
  });

  it('answers pages that read, and refuses a write that waited too long with a 503 "busy", not a 500', async () => {
    other.exec('begin immediate');
    const page = await app.inject({ method: 'GET', url: '/sign-in' });
    expect(page.statusCode).toBe(200);
    const signIn = () =>
      app.inject({
        method: 'POST',
        url: '/sign-in',
        headers: { cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
        payload: formEncode({ _csrf: csrfFrom(page.body), email: 'admin@test.police.uk', password: TEST_PASSWORD }),
      });
    const refused = await signIn();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.body).toContain('Cedar is busy');
    expect(refused.body).toContain('nothing was changed');
    other.exec('rollback');
    expect((await signIn()).statusCode).toBe(303);
  });
});
