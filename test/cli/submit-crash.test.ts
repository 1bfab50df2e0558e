import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services/context.js';
import { testDatabases } from '../support/databases.js';
import { smallForce } from '../support/fixtures.js';
import { recordingOfficer } from '../support/report-fixtures.js';
import { openServicesOn, startChild } from './children.js';
import { cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

/*
 * Issue 10, item 8: a kill -9 during a burst of report submissions loses no acknowledged
 * write and leaves the database consistent. A child process submits complete reports three
 * at a time and prints each one's id once its submission has committed; it is killed
 * mid-burst, and every report it acknowledged must be there, submitted, with its audit entry.
 */

const TIMEOUT = 120_000;
const ACKS_BEFORE_KILL = 12;

describe.each(testDatabases())('kill -9 during a burst of report submissions on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let svc: Services;
  let burstEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    svc = await openServicesOn(db.settings);
    const f = await smallForce(svc);
    const pc = await recordingOfficer(svc, f.boroughs.lambeth.id);
    burstEnv = { ...env, BURST_ACTOR: JSON.stringify(pc), BURST_BOROUGH: f.boroughs.lambeth.id };
  }, TIMEOUT);
  afterAll(async () => {
    await svc?.database.close();
    await db?.cleanup();
  });

  it(
    'keeps every acknowledged submission, with its version and audit entry, and the audit chain intact',
    async () => {
      const child = startChild('submit-burst.ts', burstEnv);
      const acked = () => [...child.stdout().matchAll(/^acked (\S+)$/gm)].map((m) => m[1]!);
      await child.waitFor(new RegExp(`^(?:acked \\S+\\n){${ACKS_BEFORE_KILL}}`, 'm'));
      await child.kill9();
      expect((await child.exited).signal).toBe('SIGKILL');
      const ids = acked();
      expect(ids.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

      const stored = await db.sql(`select id, status from uof_report where id in (${ids.map(() => '?').join(', ')})`, ids);
      expect(stored).toHaveLength(ids.length);
      expect(stored.every((r) => r.status === 'submitted')).toBe(true);
      // Nothing half-done: every submitted report (acknowledged or caught by the kill after its
      // commit) has its version and its audit entry; drafts in progress stayed drafts.
      const submitted = await db.count(`select count(*) from uof_report where status = 'submitted'`);
      expect(submitted).toBeGreaterThanOrEqual(ids.length);
      expect(await db.count(`select count(*) from uof_report r where r.status = 'submitted' and not exists (select 1 from uof_report_version v where v.report_id = r.id)`)).toBe(0);
      expect(await db.count(`select count(*) from audit_log where action = 'report.submit'`)).toBe(submitted);
      if (kind === 'sqlite') expect(await db.sql('pragma integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const verify = await runCli(['audit', 'verify'], { env });
      expect(verify.code, describeRun(verify)).toBe(0);
    },
    TIMEOUT,
  );
});
