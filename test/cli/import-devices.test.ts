import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { officerFixture, smallForce } from '../support/fixtures.js';
import { openServicesOn } from './children.js';
import { TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

/**
 * A database for the CLI and a folder for its files, made before a describe's tests and removed
 * after them; `seed` sets up what they need (the services closed before the CLI runs).
 */
function workspace(kind: Parameters<typeof createCliDatabase>[0], prefix: string, seed: (svc: Awaited<ReturnType<typeof openServicesOn>>) => Promise<void>) {
  const w = {
    db: undefined as unknown as CliDatabase,
    env: {} as NodeJS.ProcessEnv,
    dir: '',
    file(name: string, text: string) {
      const p = path.join(w.dir, name);
      fs.writeFileSync(p, text);
      return p;
    },
    cedar: (args: string[]) => runCli(args, { env: w.env }),
  };
  beforeAll(async () => {
    w.db = await createCliDatabase(kind);
    w.env = cliEnv(w.db.settings);
    w.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const svc = await openServicesOn(w.db.settings);
    await seed(svc);
    await svc.database.close();
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    fs.rmSync(w.dir, { recursive: true, force: true });
    await w.db?.cleanup();
  });
  return w;
}

/* Issue 12: `cedar import devices` and `cedar import cartridges`: all or nothing, line and column in every error, safe to run again. */
describe.each(testDatabases())('cedar import devices and cartridges on %s', (kind) => {
  const w = workspace(kind, 'cedar-devices-cli-', async (svc) => {
    await smallForce(svc); // boroughs Lambeth (LX) and Camden (CN)
  });
  const { file, cedar } = w;

  const DEVICES = 'serial,model,armoury,status,firmware,in_service_on\nX2A0001,X2,Lambeth,in service,1.2.3,2026-01-05\nx2a0002,x2,LX,In Repair,,\nX26A0003,X26,,withdrawn,,01/02/2015\n';

  it(
    'imports the fleet register, then adds nothing when run again',
    async () => {
      const f = file('fleet.csv', DEVICES);
      const r = await cedar(['import', 'devices', f]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 3 rows read — 3 imported, 0 updated, 0 already present, 0 rejected\.$/m);
      expect(await w.db.sql('select serial, state, in_service_on from device order by serial')).toEqual([
        { serial: 'X26A0003', state: 'withdrawn', in_service_on: '2015-02-01' },
        { serial: 'X2A0001', state: 'in_store', in_service_on: '2026-01-05' },
        { serial: 'X2A0002', state: 'in_repair', in_service_on: null },
      ]);
      expect(await w.db.count(`select count(*) from device where armoury_borough_id is not null`)).toBe(2);
      const again = await cedar(['import', 'devices', f]);
      expect(again.stdout).toMatch(/^Done: 3 rows read — 0 imported, 0 updated, 3 already present, 0 rejected\.$/m);
      const changed = await cedar(['import', 'devices', file('fleet2.csv', DEVICES.replace('1.2.3', '1.3.0'))]);
      expect(changed.stdout).toMatch(/^Done: 3 rows read — 0 imported, 1 updated, 2 already present, 0 rejected\.$/m);
      expect(await w.db.count(`select count(*) from device`)).toBe(3);
      expect(await w.db.count(`select count(*) from audit_log where action = 'device.import'`)).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'names every problem by line and column and stores nothing from a bad file',
    async () => {
      const before = await w.db.count('select count(*) from device');
      const bad = file(
        'bad.csv',
        'serial,model,armoury,status,firmware,in_service_on\nX2B0001,X3,Lambeth,in service,,\nX2B0002,X2,Narnia,in service,,\nX2B0003,X2,,lost,,\n!!,X2,,in service,,2026-02-30\nX2B0001,X2,,in service,,\nX2A0002,X2,LX,in service,,\n',
      );
      const r = await cedar(['import', 'devices', bad]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toContain('line 4, column status: "lost" is not a status: in service, in repair, quarantined or withdrawn');
      expect(r.stderr).toContain('line 5, column in_service_on: "2026-02-30" is not a date');
      expect(r.stderr).toContain('line 5, column serial: "!!" is not a serial number');
      expect(r.stderr).toContain('line 6, column serial: The serial X2B0001 is also on line 2');
      expect(r.stderr).toMatch(/^Rejected: 3 of 6 rows have errors; nothing was imported\.$/m);
      // The file's own problems come first; the register's (model, armoury, state) once those are fixed.
      const second = await cedar([
        'import',
        'devices',
        file('bad2.csv', 'serial,model,armoury,status\nX2B0001,X3,Lambeth,in service\nX2B0002,X2,Narnia,in service\nX2A0002,X2,LX,in service\nX2B0004,X2,,in service\n'),
      ]);
      expect(second.code, describeRun(second)).toBe(1);
      expect(second.stderr).toContain('line 2, column model: There is no model called "X3"');
      expect(second.stderr).toContain('line 3, column armoury: No borough or force-wide unit is called "Narnia"');
      expect(second.stderr).toContain('line 4, column status: The register has X2A0002 as in repair: an import does not move a device');
      expect(second.stderr).toMatch(/^Rejected: 3 of 4 rows have errors; nothing was imported\.$/m);
      expect(await w.db.count('select count(*) from device')).toBe(before);
      const header = await cedar(['import', 'devices', file('header.csv', 'serial,model,colour\nX2C0001,X2,red\n')]);
      expect(header.stderr).toContain('line 1, column colour: Unknown column "colour"');
      expect(header.stderr).toContain('line 1, column status: The status column is missing');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'imports cartridges into the armouries, idempotently, refusing a type no model takes',
    async () => {
      const good = file('c.csv', 'serial,type,lot,expires_on,armoury\nCA0001,Smart 25 ft,L7,2028-01-31,Lambeth\nCA0002,Smart 15 ft,L7,31/01/2028,\n');
      const r = await cedar(['import', 'cartridges', good]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 2 rows read — 2 imported, 0 updated, 0 already present, 0 rejected\.$/m);
      expect((await cedar(['import', 'cartridges', good])).stdout).toMatch(/0 imported, 0 updated, 2 already present/);
      const bad = await cedar(['import', 'cartridges', file('c2.csv', 'serial,type,lot,expires_on,armoury\nCA0003,Laser,L7,2028-01-31,\nCA0004,Smart 25 ft,,2028-13-01,\n')]);
      expect(bad.code, describeRun(bad)).toBe(1);
      expect(bad.stderr).toContain('line 3, column lot: Enter the lot');
      expect(bad.stderr).toContain('line 3, column expires_on: "2028-13-01" is not a date');
      expect(await w.db.count('select count(*) from cartridge')).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );
});

describe.each(testDatabases())('cedar import device-issues on %s', (kind) => {
  const w = workspace(kind, 'cedar-issues-cli-', async (svc) => {
    const f = await smallForce(svc);
    for (const collarNumber of ['601LX', '602LX']) await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber, boroughId: f.boroughs.lambeth.id }));
  });
  const { file, cedar } = w;
  beforeAll(async () => {
    for (const [what, text] of [
      ['devices', 'serial,model,armoury,status\nX2H0001,X2,Lambeth,in service\nX2H0002,X2,Lambeth,in service\n'],
      ['cartridges', 'serial,type,lot,expires_on,armoury\nCH0001,Smart 25 ft,L1,2028-01-31,Lambeth\nCH0002,Smart 25 ft,L1,2028-01-31,Lambeth\n'],
    ] as const) {
      const r = await cedar(['import', what, file(`${what}.csv`, text)]);
      if (r.code !== 0) throw new Error(describeRun(r));
    }
  }, TEST_TIMEOUT_MS);

  it(
    'imports the history, marks what is still out as issued, and adds nothing the second time',
    async () => {
      const history = file(
        'h.csv',
        'device_serial,collar_number,issued_at,returned_at,cartridges\nX2H0001,601LX,2026-11-30T07:00:00+00:00,2026-11-30T17:10:00+00:00,CH0001\nX2H0001,602lx,2026-12-01T07:00:00Z,,CH0001;CH0002\nX2H0002,601LX,2026-12-01T07:05:00Z,2026-12-01T16:00:00Z,\n',
      );
      const r = await cedar(['import', 'device-issues', history]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: 3 rows read — 3 imported, 0 updated, 0 already present, 0 rejected\.$/m);
      expect(await w.db.sql(`select serial, state from device order by serial`)).toEqual([
        { serial: 'X2H0001', state: 'issued' },
        { serial: 'X2H0002', state: 'in_store' },
      ]);
      expect(await w.db.count(`select count(*) from cartridge where state = 'issued'`)).toBe(2);
      expect(await w.db.count(`select count(*) from device_issue where returned_at is null`)).toBe(1);
      const again = await cedar(['import', 'device-issues', history]);
      expect(again.stdout).toMatch(/^Done: 3 rows read — 0 imported, 0 updated, 3 already present, 0 rejected\.$/m);
      expect(await w.db.count('select count(*) from device_issue')).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a device out twice at once and an officer holding two devices at once, by line, storing nothing',
    async () => {
      const r = await cedar([
        'import',
        'device-issues',
        file(
          'clash.csv',
          'device_serial,collar_number,issued_at,returned_at,cartridges\nX2H0001,601LX,2026-12-01T08:00:00Z,2026-12-01T09:00:00Z,\nX2H0002,602LX,2026-12-02T07:00:00Z,2026-12-02T08:00:00Z,\nX2H0002,601LX,2026-12-02T07:30:00+00:00,2026-12-02T09:00:00Z,\nX2H0009,601LX,2026-12-03T07:00:00Z,,\n',
        ),
      ]);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stderr).toContain('line 2, column issued_at: The device is already out then (an issue Cedar holds from 2026-12-01T07:00:00.000Z)');
      expect(r.stderr).toContain('line 2, column collar_number: The officer already holds a device then');
      // 602LX still holds X2H0001, out since 1 December in the history imported above.
      expect(r.stderr).toContain('line 3, column collar_number: The officer already holds a device then (an issue Cedar holds from 2026-12-01T07:00:00.000Z)');
      expect(r.stderr).toContain('line 4, column issued_at: The device is already out then (line 3)');
      expect(r.stderr).toContain('line 5, column device_serial: No device has the serial X2H0009');
      expect(r.stderr).toMatch(/^Rejected: 4 of 4 rows have errors; nothing was imported\.$/m);
      // The file's own problems are named before the register is looked at.
      const times = await cedar([
        'import',
        'device-issues',
        file('times.csv', 'device_serial,collar_number,issued_at,returned_at\nX2H0002,601LX,2026-12-04T07:00:00Z,2026-12-04T06:00:00Z\nX2H0002,601LX,04/12/2026 07:00,\n'),
      ]);
      expect(times.stderr).toContain('line 2, column returned_at: The return must be after the issue');
      expect(times.stderr).toContain('line 3, column issued_at: "04/12/2026 07:00" is not an instant: use ISO 8601 with its offset');
      expect(await w.db.count('select count(*) from device_issue')).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );
});
