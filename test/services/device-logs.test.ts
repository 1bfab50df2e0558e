import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, fixedClock, type Actor, type Services } from '../../src/services/context.js';
import { deviceLogStatus, importDeviceLog, overdueDownloads } from '../../src/services/device-logs.js';
import { registerDevices } from '../../src/services/devices.js';
import { entries, logCsv, logLine, LOG_HEADER } from '../support/device-logs.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';
import { dischargeNaming, recordingOfficer, recordReport } from '../support/report-fixtures.js';

/* Issue 13: importing device event logs, all or nothing and safe to repeat, and which devices are due a download. */

const NOW = new Date('2027-04-01T07:00:00Z');
const ARMOURER: Actor = { userId: null, label: 'armourer@test', grants: [{ role: 'armourer', boroughId: null }] };

describe.each(testDatabases())('device log import, on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock(NOW) });
    f = await smallForce(svc);
    const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
    await registerDevices(svc, ARMOURER, [
      { serial: 'X2L0001', model: 'X2', armoury: lambeth, firmware: null, inServiceOn: '2026-01-01' },
      { serial: 'X2L0002', model: 'X2', armoury: lambeth, firmware: null, inServiceOn: '2026-01-01' },
      { serial: 'X2L0003', model: 'X2', armoury: lambeth, firmware: null, inServiceOn: null },
    ]);
  });
  afterAll(() => svc.cleanup());

  const run = (text: string | string[], over: Partial<Parameters<typeof importDeviceLog>[2]> = {}, s: Services = svc) =>
    importDeviceLog(s, ARMOURER, { fileName: 'dock.csv', source: 'cli', input: Array.isArray(text) ? text : [text], ...over });
  const count = async (table: 'device_log_entry' | 'device_log_download', serial?: string) => {
    let q = svc.database.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n'));
    if (serial) q = q.where('device_serial', '=', serial);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const auditCount = async () =>
    Number(
      (
        await svc.database.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('action', '=', 'device_log.import')
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('stores a good file: its entries, one download per device, and one audit entry', async () => {
    const r = await run(logCsv([...entries('X2L0001', 1, 10), ...entries('x2l0002', 1, 4), ...entries('NOT-REGISTERED-1', 1, 3)]));
    expect(r).toEqual({ ok: true, layout: 'canonical', read: 17, added: 17, alreadyPresent: 0, devices: 3, unknownSerials: ['NOT-REGISTERED-1'], rejected: [], rejectedRows: 0, problems: 0 });
    expect(await count('device_log_entry')).toBe(17);
    const downloads = await svc.database.db.selectFrom('device_log_download').selectAll().orderBy('device_serial').execute();
    expect(
      downloads.map((d) => [d.device_serial, d.device_id !== null, d.source, d.file_name, Number(d.entries), Number(d.added), Number(d.first_sequence), Number(d.last_sequence), d.downloaded_at]),
    ).toEqual([
      ['NOT-REGISTERED-1', false, 'cli', 'dock.csv', 3, 3, 1, 3, NOW.toISOString()],
      ['X2L0001', true, 'cli', 'dock.csv', 10, 10, 1, 10, NOW.toISOString()],
      ['X2L0002', true, 'cli', 'dock.csv', 4, 4, 1, 4, NOW.toISOString()],
    ]);
    const stored = await svc.database.db.selectFrom('device_log_entry').selectAll().where('device_serial', '=', 'X2L0001').where('sequence', 'in', [2, 4]).orderBy('sequence').execute();
    expect(stored.map((e) => [e.event, e.duration_s === null ? null : Number(e.duration_s), e.bay === null ? null : Number(e.bay), e.true_time])).toEqual([
      ['trigger', 5, 1, null],
      ['time_sync', null, null, '2027-03-01T10:03:02.000Z'],
    ]);
    expect(await auditCount()).toBe(1);
  });

  it('adds nothing when the same download is imported again, and records the download', async () => {
    const before = await count('device_log_download', 'X2L0001');
    const r = await run(logCsv(entries('X2L0001', 1, 10)));
    expect(r).toMatchObject({ ok: true, read: 10, added: 0, alreadyPresent: 10, devices: 1 });
    expect(await count('device_log_entry', 'X2L0001')).toBe(10);
    expect(await count('device_log_download', 'X2L0001')).toBe(before + 1);
    // Entry numbers far apart (compared through lists rather than one range), twice.
    const far = logCsv([...entries('X2L0009', 1, 2), { device_serial: 'X2L0009', sequence: 900_000, event: 'armed', duration_s: '', bay: '' }]);
    expect(await run(far)).toMatchObject({ ok: true, added: 3, alreadyPresent: 0 });
    expect(await run(far)).toMatchObject({ ok: true, added: 0, alreadyPresent: 3 });
  });

  it('adds only the new part of an overlapping download, and reads an entry repeated in a file once', async () => {
    const lines = [...entries('X2L0001', 6, 15), ...entries('X2L0001', 15, 15)];
    const r = await run(logCsv(lines));
    expect(r).toMatchObject({ ok: true, read: 11, added: 5, alreadyPresent: 6 });
    expect(await count('device_log_entry', 'X2L0001')).toBe(15);
    const last = await svc.database.db.selectFrom('device_log_download').selectAll().where('device_serial', '=', 'X2L0001').where('last_sequence', '=', 15).executeTakeFirstOrThrow();
    expect([Number(last.entries), Number(last.added), Number(last.first_sequence), Number(last.last_sequence)]).toEqual([10, 5, 6, 15]);
  });

  it('refuses a file with bad rows, naming each line and column, and stores nothing from it', async () => {
    const [entriesBefore, downloadsBefore, auditsBefore] = [await count('device_log_entry'), await count('device_log_download'), await auditCount()];
    const r = await run(
      logCsv([
        ...entries('X2L0002', 20, 22),
        { device_serial: 'X2L0002', sequence: 23, device_time: '2027-02-30 10:00:00' },
        { device_serial: 'X2L0002', sequence: 24, event: 'arc', duration_s: '' },
        ...entries('X2L0002', 25, 26),
      ]),
    );
    expect(r.ok).toBe(false);
    expect(r.rejected).toEqual([
      { line: 5, column: 'device_time', message: expect.stringContaining('is not a date and time') },
      { line: 6, column: 'duration_s', message: expect.stringContaining("Enter the arc's duration") },
    ]);
    expect(r).toMatchObject({ read: 7, rejectedRows: 2, added: 0, alreadyPresent: 0, devices: 0 });
    expect([await count('device_log_entry'), await count('device_log_download'), await auditCount()]).toEqual([entriesBefore, downloadsBefore, auditsBefore]);
  });

  it('refuses an entry already stored with different values, naming the line and the column, with every other problem, and stores nothing from the file', async () => {
    const before = await count('device_log_entry');
    const r = await run(logCsv([...entries('X2L0002', 30, 32), { device_serial: 'X2L0002', sequence: 33, event: 'fired' }, { ...entries('X2L0001', 2, 2)[0], duration_s: 7 }]));
    expect(r.ok).toBe(false);
    expect(r.rejected).toEqual([
      { line: 5, column: 'event', message: expect.stringContaining('"fired" is not an event') },
      { line: 6, column: 'duration_s', message: expect.stringContaining('Entry 2 of X2L0001 is already stored with different values') },
    ]);
    expect([r.rejectedRows, r.problems]).toEqual([2, 2]);
    expect(await count('device_log_entry')).toBe(before);
  });

  it('reads a file stream', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-log-'));
    const file = path.join(dir, 'big.csv');
    fs.writeFileSync(file, logCsv(entries('X2L0003', 1, 3000)));
    const seen: number[] = [];
    const r = await run([], { input: fs.createReadStream(file, { highWaterMark: 4096 }), onProgress: (n) => seen.push(n) });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r).toMatchObject({ ok: true, read: 3000, added: 3000 });
    expect(seen.at(-1)).toBe(3000);
    expect(seen.length).toBeGreaterThan(3);
  });

  it('takes a file with only its header', async () => {
    expect(await run(`${LOG_HEADER}\n`)).toMatchObject({ ok: true, read: 0, added: 0, devices: 0 });
    // A file without its header: the first entry is taken for the header, and the columns it lacks are named.
    expect((await run(logLine())).rejected).toContainEqual({ line: 1, column: 'device_serial', message: expect.stringContaining('The device_serial column is missing') });
  });
});

describe.each(testDatabases())('which device logs are overdue for a download, on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock('2026-01-01T09:00:00Z') });
    f = await smallForce(svc);
    const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
    await registerDevices(svc, ARMOURER, [
      // In service on 1 February 2026, never downloaded.
      { serial: 'X2A0001', model: 'X2', armoury: lambeth, firmware: null, inServiceOn: '2026-02-01' },
      // No day in service: counted from its registration (1 January 2026, 09:00).
      { serial: 'X2A0002', model: 'X2', armoury: lambeth, firmware: null, inServiceOn: null },
      // Downloaded on 1 June 2026; named by a discharge report on 20 March 2027.
      { serial: 'X2A0003', model: 'X2', armoury: lambeth, firmware: null, inServiceOn: '2025-01-01' },
    ]);
    await importDeviceLog({ ...svc, now: fixedClock('2026-06-01T12:00:00Z') }, ARMOURER, { fileName: 'june.csv', source: 'upload', input: [logCsv(entries('X2A0003', 1, 4))] });
    const pc = await recordingOfficer(svc, f.boroughs.lambeth.id);
    svc.now = fixedClock('2027-03-20T18:00:00Z');
    await recordReport(
      svc,
      pc,
      dischargeNaming(f.boroughs.lambeth.id, { deviceSerial: 'X2A0003', cartridge: 'C1', reference: 'CAD 0001/20MAR', date: '2027-03-20', time: '14:00' }),
      new Date('2027-03-20T18:00:00Z'),
    );
  });
  afterAll(() => svc.cleanup());

  const overdueAt = async (when: string) => {
    const all = await deviceLogStatus({ ...svc, now: fixedClock(when) }, SYSTEM_ACTOR);
    return Object.fromEntries(all.map((s) => [s.device.serial, s.overdue.map((r) => `${r.kind} ${r.dueAt}`)]));
  };

  it.each([
    ['before anything is due', '2026-12-31T23:59:59Z', { X2A0001: [], X2A0002: [], X2A0003: [] }],
    [
      '12 months after a device went into service, or was registered',
      '2027-02-01T00:00:00Z',
      { X2A0001: ['interval 2027-02-01T00:00:00.000Z'], X2A0002: ['interval 2027-01-01T09:00:00.000Z'], X2A0003: [] },
    ],
    ['within 7 days of a discharge report (14:00 London is 14:00 UTC in March)', '2027-03-27T13:59:59Z', { X2A0003: [] }],
    ['more than 7 days after a discharge report with no download since', '2027-03-27T14:00:01Z', { X2A0003: ['discharge 2027-03-27T14:00:00.000Z'] }],
    ['12 months after its last download, and the discharge', '2027-06-01T12:00:00Z', { X2A0003: ['interval 2027-06-01T12:00:00.000Z', 'discharge 2027-03-27T14:00:00.000Z'] }],
  ])('%s', async (_, when, expected) => {
    expect(await overdueAt(when)).toMatchObject(expected);
  });

  it('is no longer overdue after a download since the incident, and pages the overdue list', async () => {
    await importDeviceLog({ ...svc, now: fixedClock('2027-03-30T08:00:00Z') }, ARMOURER, { fileName: 'after.csv', source: 'api', input: [logCsv(entries('X2A0003', 1, 6))] });
    expect((await overdueAt('2027-04-02T00:00:00Z')).X2A0003).toEqual([]);
    const later = { ...svc, now: fixedClock('2027-04-02T00:00:00Z') };
    const first = await overdueDownloads(later, SYSTEM_ACTOR, { page: 1, pageSize: 1 });
    expect([first.total, first.pages, first.data.map((s) => s.device.serial)]).toEqual([2, 2, ['X2A0002']]);
    const second = await overdueDownloads(later, SYSTEM_ACTOR, { page: 2, pageSize: 1 });
    expect(second.data.map((s) => [s.device.serial, s.lastDownloadAt])).toEqual([['X2A0001', null]]);
  });
});
