import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services/context.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { openServicesOn } from './children.js';
import { TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

const HEADER = 'collar_number,date,start,end,borough,team,call_sign';

describe.each(testDatabases())('cedar import shifts on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let svc: Services;
  const file = (name: string, ...rows: string[]) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, [HEADER, ...rows].join('\n') + '\n');
    return p;
  };
  const cedar = (args: string[]) => runCli(args, { env });
  const shifts = () => db.count('select count(*) from shift');

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-shifts-cli-'));
    svc = await openServicesOn(db.settings);
    const f = await smallForce(svc);
    for (const collar of ['100LX', '200LX']) await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, boroughId: f.boroughs.lambeth.id }));
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    await svc?.database.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  const good = ['100LX,2026-11-01,07:00,15:00,Lambeth,Lambeth Emergency Response A,LX21', '200LX,2026-11-01,22:00,07:00,LX,,LX22'];

  it(
    'imports a good file with progress on stderr and a summary, and changes nothing the second time',
    async () => {
      const r = await cedar(['import', 'shifts', file('good.csv', ...good)]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 2 rows read — 2 imported, 0 replaced, 0 taken away, 0 unchanged, 0 rejected\.$/m);
      expect(r.stderr).toMatch(/^Imported: 2 \/ 2$/m);
      expect(await shifts()).toBe(2);
      expect(await db.count(`select count(*) from shift where starts_at = '2026-11-01T22:00:00.000Z' and ends_at = '2026-11-02T07:00:00.000Z'`)).toBe(1);

      const again = await cedar(['import', 'shifts', file('good.csv', ...good)]);
      expect(again.code, describeRun(again)).toBe(0);
      expect(again.stdout).toMatch(/^Done: 2 rows read — 0 imported, 0 replaced, 0 taken away, 2 unchanged, 0 rejected\.$/m);
      expect(await db.count(`select count(*) from audit_log where action = 'shift.import'`)).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'replaces a changed shift, and a dry run writes nothing',
    async () => {
      const audit = await db.count('select count(*) from audit_log');
      const dry = await cedar(['import', 'shifts', file('changed.csv', '100LX,2026-11-01,07:00,16:00,Lambeth,,LX21'), '--dry-run']);
      expect(dry.code, describeRun(dry)).toBe(0);
      expect(dry.stdout).toMatch(/^Dry run: 1 rows read — 0 would be imported, 1 would be replaced, 0 would be taken away, 0 unchanged, 0 rejected\. Nothing was written\.$/m);
      expect(await db.count('select count(*) from audit_log')).toBe(audit);

      const r = await cedar(['import', 'shifts', file('changed.csv', '100LX,2026-11-01,07:00,16:00,Lambeth,,LX21')]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/1 replaced/);
      expect(await db.count(`select count(*) from shift where ends_at = '2026-11-01T16:00:00.000Z' and revision = 1`)).toBe(1);
      expect(await db.count(`select count(*) from audit_log where action = 'shift.replace'`)).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects a file with problems, naming line and column, and imports none of it',
    async () => {
      const before = await shifts();
      const r = await cedar(['import', 'shifts', file('bad.csv', '100LX,2026-11-05,07:00,15:00,Lambeth,,', '999ZZ,2026-11-05,07:00,15:00,Lambeth,,', '200LX,2026-11-05,07:00,15:00,Croydon,,')]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(/^line 3, column collar_number: No officer with collar number "999ZZ"/m);
      expect(r.stderr).toMatch(/^line 4, column borough: No borough called "Croydon"/m);
      expect(r.stderr).toMatch(/Rejected: 2 of 3 rows have errors; nothing was imported\./);
      expect(await shifts()).toBe(before);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says when there is no file',
    async () => {
      const r = await cedar(['import', 'shifts', path.join(dir, 'missing.csv')]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toMatch(/No file at .*missing\.csv: check the path and try again\./);
    },
    TEST_TIMEOUT_MS,
  );
});
