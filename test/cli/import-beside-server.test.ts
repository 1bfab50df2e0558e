import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { createAccount } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR, type Services } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { signInAs, TEST_PASSWORD, type Client } from '../support/app.js';
import { firedReport } from '../support/report-fixtures.js';
import { writeMetFile } from './big-files.js';
import { openServicesOn, startCedar } from './children.js';
import { cliEnv, createCliDatabase, type CliDatabase } from './support.js';

/*
 * Issue 10, item 8: an import must not stop Cedar answering. Cedar runs in this process; a
 * `cedar import met-uof` of a large file runs in another. While the import reads its file, the
 * public page answers and an officer's report saves succeed, and they are done before the
 * import ends. (Before: the import held SQLite's write lock throughout, and each save blocked
 * the server for the 5 s busy timeout and then failed with a 500.) And two imports run at once
 * both complete (before: the second failed with "database is locked").
 *
 * Not a timed test: it checks what succeeds, and what is finished before what.
 */

const BIG = 20_000;
const TIMEOUT = 180_000;

describe.each(testDatabases())('Cedar beside an import in another process, on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let svc: Services;
  let app: FastifyInstance;
  let pc: Client;
  let reportId: string;
  let boroughId: string;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-beside-'));
    writeMetFile(path.join(dir, 'big.csv'), BIG);
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    svc = await openServicesOn(db.settings);
    const f = await smallForce(svc);
    boroughId = f.boroughs.lambeth.id;
    const officer = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId }));
    await createAccount(svc, SYSTEM_ACTOR, { email: 'pc@test.police.uk', displayName: 'PC', roles: [{ role: 'officer', boroughId: null }], officerId: officer.id }, TEST_PASSWORD);
    app = await buildApp({ services: svc, config: loadConfig({ CEDAR_LOG_LEVEL: 'silent', CEDAR_SIGNIN_RATE_LIMIT: '1000' }) });
    await app.ready();
    pc = await signInAs(app, 'pc@test.police.uk');
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { cookie: pc.cookie, 'x-csrf-token': pc.csrf, 'content-type': 'application/json' },
      payload: JSON.stringify({ sections: {} }),
    });
    expect(created.statusCode, created.body).toBe(201);
    reportId = created.json().id as string;
  }, TIMEOUT);
  afterAll(async () => {
    await app?.close();
    await svc?.database.close();
    await db?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const saveIncident = (reference: string) =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/reports/${reportId}/sections/incident`,
      headers: { cookie: pc.cookie, 'x-csrf-token': pc.csrf, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...(firedReport(boroughId).incident as object), reference }),
    });

  it(
    'answers the public page and saves a report while the import reads its file, before the import ends',
    async () => {
      const child = startCedar(['import', 'met-uof', path.join(dir, 'big.csv')], env);
      await child.waitFor(/^Read: /); // it is reading and staging the file
      for (const reference of ['CAD 1/01DEC', 'CAD 2/01DEC', 'CAD 3/01DEC']) {
        const page = await app.inject({ method: 'GET', url: '/transparency' });
        expect(page.statusCode).toBe(200);
        const saved = await saveIncident(reference);
        expect(saved.statusCode, saved.body).toBe(200);
        expect(saved.json()).toMatchObject({ incidentReference: reference });
      }
      expect(child.running(), `the import ended before the saves were done:\n${child.stdout()}`).toBe(true);
      const exit = await child.exited;
      expect(exit.code, child.stderr()).toBe(0);
      expect(child.stdout()).toContain(`Done: 20,000 rows read — 20,000 imported, 0 already present, 0 rejected`);
      expect(await db.count('select count(*) from imported_report')).toBe(BIG);
    },
    TIMEOUT,
  );

  it(
    'runs two imports of the same file at once: both complete, and each row is stored once',
    async () => {
      const file = path.join(dir, 'small.csv');
      writeMetFile(file, 12_000, 1_000_000); // rows not imported yet: more than SQLite's old 5 s busy timeout to import
      const before = await db.count('select count(*) from imported_report');
      const [a, b] = [startCedar(['import', 'met-uof', file], env), startCedar(['import', 'met-uof', file], env)];
      const [ea, eb] = await Promise.all([a.exited, b.exited]);
      expect(ea.code, `${a.stdout()}${a.stderr()}`).toBe(0);
      expect(eb.code, `${b.stdout()}${b.stderr()}`).toBe(0);
      const counts = [a, b].map((c) =>
        /Done: 12,000 rows read — ([\d,]+) imported, ([\d,]+) already present, 0 rejected/
          .exec(c.stdout())!
          .slice(1)
          .map((x) => Number(x.replace(/,/g, ''))),
      );
      expect(counts[0]![0]! + counts[1]![0]!).toBe(12_000);
      expect(counts[0]![1]! + counts[1]![1]!).toBe(12_000);
      expect(await db.count('select count(*) from imported_report')).toBe(before + 12_000);
      expect(await db.count('select count(*) from imported_report_row')).toBe(before + 12_000);
    },
    TIMEOUT,
  );
});
