import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MET_COLUMN_INDEX } from '../../src/domain/met/layout.js';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { issueDevice, registerDevices } from '../../src/services/devices.js';
import { importMetFile } from '../../src/services/met-import.js';
import { createOfficer } from '../../src/services/officers.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce } from '../support/fixtures.js';
import { insertLogEntries, syncAt, triggerAt } from '../support/reconciliation.js';
import { openServicesOn } from './children.js';
import { TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

/* Issue 13: `cedar reconcile`: the summary, the exceptions CSV with its exact header and neutralised cells, and dates refused before anything runs. */

const SAMPLE = fs.readFileSync(new URL('../fixtures/met/met-use-of-force-sample.csv', import.meta.url), 'utf8');

describe.each(testDatabases())('cedar reconcile on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const cedar = (args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-reconcile-cli-'));
    // The services' clock stands at 2026-12-01 12:00 UTC: the device goes out then.
    const svc = await openServicesOn(db.settings);
    const f = await smallForce(svc);
    const o = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '4321LX', boroughId: f.boroughs.lambeth.id }));
    await recordPasses(svc, [{ officerId: o.id, course: 'initial-x2', on: '2026-10-01' }]);
    const armoury = { boroughId: f.boroughs.lambeth.id, teamId: null };
    await registerDevices(svc, SYSTEM_ACTOR, [
      { serial: 'XCLI0001', model: 'X2', armoury, inServiceOn: '2026-01-01' },
      { serial: 'XCLI0002', model: 'X2', armoury, inServiceOn: '2026-01-01' },
    ]);
    await issueDevice(svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'XCLI0001', collarNumber: '4321LX', cartridges: [] });
    // Issued at 12:00: a spark test at 12:05, then a discharge at 14:00 nobody reported.
    await insertLogEntries(svc, 'XCLI0001', [syncAt(1, '2026-12-01T11:00:00Z'), triggerAt(2, '2026-12-01T12:05:00Z'), triggerAt(3, '2026-12-01T14:00:00Z'), syncAt(4, '2026-12-02T10:00:00Z')]);
    // In the armoury, not issued: a function test.
    await insertLogEntries(svc, 'XCLI0002', [syncAt(1, '2026-12-01T09:00:00Z'), triggerAt(2, '2026-12-01T09:30:00Z')]);
    // An imported Met row naming a serial the register does not know, from a file whose name a spreadsheet would run.
    const rows = (parse(SAMPLE, { bom: true }) as string[][]).slice(1);
    const row = [...rows.find((r) => r[MET_COLUMN_INDEX['CED Fired']] === 'Yes')!];
    row[MET_COLUMN_INDEX.IncidentDate] = '2026-12-01';
    row[MET_COLUMN_INDEX.IncidentTime] = '16:30';
    row[MET_COLUMN_INDEX['CED Device Serial No']] = '@xnotreg1';
    const imported = await importMetFile(svc, SYSTEM_ACTOR, { fileName: '=HYPERLINK(1).csv', bytes: Buffer.from(writeMetCsv([row])) });
    expect(imported.imported).toBe(1);
    await svc.database.close();
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.cleanup();
  });

  it(
    'prints the summary and writes the exceptions CSV with its exact header, every cell neutralised',
    async () => {
      const out = path.join(dir, 'exceptions.csv');
      const r = await cedar(['reconcile', '--from', '2026-12-01', '--to', '2026-12-01', '--out', out]);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toContain('events read: 6');
      expect(r.stdout).toContain('function tests: 2');
      expect(r.stdout).toContain('episodes: 1');
      expect(r.stdout).toContain('reports matched: 0');
      expect(r.stdout).toMatch(/^ {4}discharge_without_report: 1$/m);
      expect(r.stdout).toMatch(/^ {4}report_device_unknown: 1$/m);
      expect(r.stdout).toMatch(/^ {4}clock_reset: 0$/m);
      expect(r.stderr).toContain('Devices reconciled: 3');
      const text = fs.readFileSync(out, 'utf8');
      expect(text.split('\n')[0]).toBe('kind,device_serial,starts_at,ends_at,report_refs,officer_collar,detail');
      const [, ...records] = parse(text) as string[][];
      expect(records.map((x) => x.slice(0, 6))).toEqual([
        ['discharge_without_report', 'XCLI0001', '2026-12-01T14:00:00.000Z', '2026-12-01T14:00:05.000Z', '', '4321LX'],
        ['report_device_unknown', "'@XNOTREG1", '2026-12-01T16:30:00.000Z', '2026-12-01T16:30:00.000Z', "'=HYPERLINK(1).csv:2", ''],
      ]);
      expect(await db.count('select count(*) from reconciliation_run')).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses dates that are not dates, naming the option, and runs nothing',
    async () => {
      const out = path.join(dir, 'never.csv');
      const bad = await cedar(['reconcile', '--from', '2026-13-01', '--to', '2026-12-01', '--out', out]);
      expect(bad.code, describeRun(bad)).toBe(1);
      expect(bad.stderr).toContain('--from: The first date must be a real date in the form YYYY-MM-DD');
      const backwards = await cedar(['reconcile', '--from', '2026-12-02', '--to', '2026-12-01', '--out', out]);
      expect(backwards.code, describeRun(backwards)).toBe(1);
      expect(backwards.stderr).toContain('--to: The last date (2026-12-01) must be the same as or after the first date (2026-12-02)');
      const missing = await cedar(['reconcile', '--from', '2026-12-01', '--out', out]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("required option '--to <date>' not specified");
      expect(fs.existsSync(out)).toBe(false);
      expect(await db.count('select count(*) from reconciliation_run')).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );
});
