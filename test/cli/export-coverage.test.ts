import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services/context.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { importShifts } from '../../src/services/shifts.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce } from '../support/fixtures.js';
import { openServicesOn } from './children.js';
import { TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

const HEADER = 'borough,hour_start,on_duty,authorised_on_duty,carriers,taser_crews,minimum';

describe.each(testDatabases())('cedar export coverage on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let svc: Services;
  const cedar = (args: string[]) => runCli(args, { env });
  const exported = async (from: string, to: string) => {
    const out = path.join(dir, `coverage-${from}-${to}.csv`);
    const r = await cedar(['export', 'coverage', '--from', from, '--to', to, '--out', out]);
    expect(r.code, describeRun(r)).toBe(0);
    return { stdout: r.stdout, lines: fs.readFileSync(out, 'utf8').split('\n') };
  };

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-coverage-cli-'));
    svc = await openServicesOn(db.settings);
    const f = await smallForce(svc);
    const a = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '100LX', boroughId: f.boroughs.lambeth.id }));
    await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '200LX', boroughId: f.boroughs.lambeth.id }));
    await recordPasses(svc, [{ officerId: a.id, course: 'initial-x2', on: '2026-01-10' }]);
    const csv = [
      'collar_number,date,start,end,borough,team,call_sign',
      '100LX,2026-10-24,22:00,06:00,Lambeth,,',
      '200LX,2026-10-24,22:00,06:00,Lambeth,,',
      '100LX,2026-03-28,22:00,06:00,Lambeth,,',
    ].join('\n');
    const r = await importShifts(svc, SYSTEM_ACTOR, { fileName: 'shifts.csv', bytes: new TextEncoder().encode(csv + '\n'), source: 'cli' });
    expect(r.rejected).toEqual([]);
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    await svc?.database.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'writes 24 rows per borough for an ordinary day, by borough name then hour',
    async () => {
      const { stdout, lines } = await exported('2026-06-10', '2026-06-10');
      expect(lines[0]).toBe(HEADER);
      expect(lines).toHaveLength(1 + 48 + 1); // header, rows, the final newline
      expect(lines[1]).toBe('Camden,2026-06-10T00:00:00+01:00,0,0,0,0,2');
      expect(lines[25]).toBe('Lambeth,2026-06-10T00:00:00+01:00,0,0,0,0,2');
      expect(stdout).toMatch(/^Done: 2026-06-10 to 2026-06-10: wrote 48 rows \(2 boroughs, 24 hours each\)/m);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'writes 23 rows per borough the day the clocks go forward',
    async () => {
      const { lines } = await exported('2026-03-29', '2026-03-29');
      const lambeth = lines.filter((l) => l.startsWith('Lambeth,'));
      expect(lambeth).toHaveLength(23);
      expect(lambeth.slice(0, 3)).toEqual(['Lambeth,2026-03-29T00:00:00+00:00,1,1,0,0,2', 'Lambeth,2026-03-29T02:00:00+01:00,1,1,0,0,2', 'Lambeth,2026-03-29T03:00:00+01:00,1,1,0,0,2']);
      expect(lambeth[5]).toBe('Lambeth,2026-03-29T06:00:00+01:00,0,0,0,0,2'); // 00, then 02 to 05 on duty; off at 06:00
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'writes 25 rows per borough the day the clocks go back, with two 01:00 at different offsets',
    async () => {
      const { lines } = await exported('2026-10-25', '2026-10-25');
      const lambeth = lines.filter((l) => l.startsWith('Lambeth,'));
      expect(lambeth).toHaveLength(25);
      expect(lambeth.slice(1, 3)).toEqual(['Lambeth,2026-10-25T01:00:00+01:00,2,1,0,0,2', 'Lambeth,2026-10-25T01:00:00+00:00,2,1,0,0,2']);
      expect(lines.filter((l) => l.startsWith('Camden,'))).toHaveLength(25);
    },
    TEST_TIMEOUT_MS,
  );

  it.each([
    [['--from', '2026-02-30', '--to', '2026-03-01'], /--from: Enter the first day as a real date/],
    [['--from', '2026-03-02', '--to', '2026-03-01'], /--to: The last day \(2026-03-01\) is before the first day \(2026-03-02\)/],
    [['--from', '2026-03-01'], /--to/],
  ])(
    'refuses %j with a clear error and writes nothing',
    async (args, message) => {
      const out = path.join(dir, 'refused.csv');
      const r = await cedar(['export', 'coverage', ...args, '--out', out]);
      expect(r.code, describeRun(r)).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(fs.existsSync(out)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});
