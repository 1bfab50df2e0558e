import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { registerDevices } from '../../src/services/devices.js';
import { testDatabases } from '../support/databases.js';
import { entries, logCsv } from '../support/device-logs.js';
import { smallForce } from '../support/fixtures.js';
import { openServicesOn } from './children.js';
import { TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

/* Issue 13: `cedar import device-log FILE`: a summary on stdout, problems by line and column on stderr, nothing stored from a refused file. */
describe.each(testDatabases())('cedar import device-log on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-device-log-cli-'));
    const svc = await openServicesOn(db.settings);
    const f = await smallForce(svc);
    await registerDevices(svc, SYSTEM_ACTOR, [{ serial: 'X2L0001', model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null }, firmware: null, inServiceOn: null }]);
    await svc.database.close();
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'imports a log, then adds nothing when run again',
    async () => {
      const f = file('dock.csv', logCsv([...entries('X2L0001', 1, 8), ...entries('X2Q9999', 1, 2)]));
      const r = await runCli(['import', 'device-log', f], { env });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 10 rows read — 10 added, 0 already present, 0 rejected; 2 devices\.$/m);
      expect(r.stderr).toContain('Note: 1 serial is not in the register (X2Q9999)');
      expect(await db.count('select count(*) from device_log_entry')).toBe(10);
      const again = await runCli(['import', 'device-log', f], { env });
      expect(again.stdout).toMatch(/^Done: 10 rows read — 0 added, 10 already present, 0 rejected; 2 devices\.$/m);
      expect(await db.count('select count(*) from device_log_download')).toBe(4);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a file with problems, naming line and column on stderr, exiting non-zero, storing nothing',
    async () => {
      const f = file('bad.csv', logCsv([...entries('X2L0001', 20, 21), { device_serial: 'X2L0001', sequence: 22, event: 'fired' }, { device_serial: 'X2L0001', sequence: 23, bay: 0 }]));
      const r = await runCli(['import', 'device-log', f], { env });
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toContain('line 4, column event: "fired" is not an event');
      expect(r.stderr).toContain('line 5, column bay: "0" is not a bay');
      expect(r.stderr).toContain('Rejected: 2 of 4 rows have errors; nothing was imported.');
      expect(await db.count('select count(*) from device_log_entry')).toBe(10);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says which file is missing, and shows its columns in the help',
    async () => {
      const missing = await runCli(['import', 'device-log', path.join(dir, 'nope.csv')], { env });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('No file at');
      const help = await runCli(['import', 'device-log', '--help'], { env });
      expect(help.stdout).toContain('device_serial,sequence,device_time,event,duration_s,bay,cartridge_serial,battery_pct,temperature_c,true_time');
      expect(help.stdout).toContain('npm run cedar -- import device-log');
    },
    TEST_TIMEOUT_MS,
  );
});
