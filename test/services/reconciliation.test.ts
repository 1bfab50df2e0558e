import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { issueDevice, registerDevices } from '../../src/services/devices.js';
import { exceptionTimeline, listExceptions, resolveException, runReconciliation, StaleExceptionError } from '../../src/services/reconciliation.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';
import { armedAt, arcAt, deviceClock, insertLogEntries, syncAt, triggerAt } from '../support/reconciliation.js';
import { dischargeNaming, recordReport, recordingOfficer } from '../support/report-fixtures.js';

/*
 * Issue 13: the reconciliation end to end, from log entries, sign-outs and reports to stored
 * exceptions: each kind found, a resolved exception staying resolved, new evidence reopening it,
 * one no longer found cleared, and two people resolving one exception at once.
 */

const ALL = { all: true } as const;
const SHIFT = new Date('2026-11-20T18:00:00Z'); // every device goes out at 18:00 (GMT: London time too)
const AFTER = new Date('2026-11-22T09:00:00Z');
const DAY = { from: '2026-11-20', to: '2026-11-20' };
const ARMOURER: Actor = { userId: null, label: 'armourer@test', grants: [{ role: 'armourer', boroughId: null }] };
const PSD: Actor = { userId: null, label: 'psd@test', grants: [{ role: 'professional_standards', boroughId: null }] };
const OFFICER: Actor = { userId: null, label: 'pc@test', grants: [{ role: 'officer', boroughId: null }] };

/** A log synced right before the shift and the next day: true time is the device's time. */
const bracketed = (...middle: ((seq: number) => ReturnType<typeof syncAt>)[]) => [
  syncAt(1, '2026-11-20T17:00:00Z'),
  ...middle.map((m, i) => m(i + 2)),
  syncAt(middle.length + 2, '2026-11-21T12:00:00Z'),
];

describe.each(testDatabases())('reconciliation of device logs with reports, on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let now = AFTER;
  let n = 0;
  const officers = new Map<string, { collar: string; actor: Actor }>();

  /** A registered X2 in Lambeth's armoury, issued at 18:00 to a new officer who records reports. */
  const issued = async (serial: string) => {
    const collar = `${800 + ++n}LX`;
    const pc = await recordingOfficer(svc, f.boroughs.lambeth.id, { collarNumber: collar }, `pc${n}@test.police.uk`);
    const officerId = (await svc.database.db.selectFrom('officer').select('id').where('collar_number', '=', collar).executeTakeFirstOrThrow()).id;
    await recordPasses(svc, [{ officerId, course: 'initial-x2', on: '2026-10-01' }]);
    await registerDevices(svc, ARMOURER, [{ serial, model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null }, inServiceOn: '2026-01-01' }]);
    now = SHIFT;
    try {
      await issueDevice(svc, ARMOURER, ALL, { deviceSerial: serial, collarNumber: collar, cartridges: [] });
    } finally {
      now = AFTER;
    }
    officers.set(serial, { collar, actor: pc });
    return pc;
  };
  /** A fired report naming the serial at a London time on 20 November, stating its cycles. */
  const report = async (pc: Actor, serial: string, time: string, fired: { totalCycles?: number; cycleExtended?: boolean } = {}) => {
    const sections = dischargeNaming(f.boroughs.lambeth.id, { deviceSerial: serial, cartridge: `C${++n}`, reference: `CAD ${n}/20NOV`, date: '2026-11-20', time }) as Record<SectionKey, unknown>;
    const ced = sections.ced as { applications: { fired: Record<string, unknown> | null }[] };
    ced.applications[1]!.fired = { ...ced.applications[1]!.fired!, ...fired };
    return recordReport(svc, pc, sections, AFTER);
  };

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => now });
    f = await smallForce(svc);

    // A: a spark test after issue, then a discharge nobody reported.
    await issued('XA0001');
    await insertLogEntries(
      svc,
      'XA0001',
      bracketed(
        (s) => triggerAt(s, '2026-11-20T18:04:00Z'),
        (s) => triggerAt(s, '2026-11-20T20:00:00Z'),
      ),
    );
    // B: two cycles, one of 7.1 s, reported as one cycle not extended.
    const b = await issued('XB0001');
    await insertLogEntries(
      svc,
      'XB0001',
      bracketed(
        (s) => triggerAt(s, '2026-11-20T22:10:00Z', 7.1),
        (s) => triggerAt(s, '2026-11-20T22:10:30Z', 5),
      ),
    );
    await report(b, 'XB0001', '22:15', { totalCycles: 1, cycleExtended: false });
    // C: an arc nobody reported.
    await issued('XC0001');
    await insertLogEntries(
      svc,
      'XC0001',
      bracketed((s) => arcAt(s, '2026-11-20T20:30:00Z')),
    );
    // D: a report of firing while the log, which covers the time, shows no trigger.
    const d = await issued('XD0001');
    await insertLogEntries(
      svc,
      'XD0001',
      bracketed((s) => armedAt(s, '2026-11-20T19:00:00Z')),
    );
    await report(d, 'XD0001', '22:15');
    // E: the clock lost (battery out) and set right by a sync at 19:00.
    await issued('XE0001');
    await insertLogEntries(svc, 'XE0001', [
      syncAt(1, '2026-11-20T17:00:00Z'),
      { sequence: 2, deviceTime: '2000-01-01 00:00:10', event: 'armed' },
      { sequence: 3, deviceTime: '2000-01-01 00:01:00', event: 'trigger', durationS: 5 },
      { sequence: 4, deviceTime: '2000-01-01 00:05:00', event: 'time_sync', trueTime: '2026-11-20T19:00:00.000Z' },
      syncAt(5, '2026-11-21T12:00:00Z'),
    ]);
    // G: a discharge reported as it happened.
    const g = await issued('XG0001');
    await insertLogEntries(
      svc,
      'XG0001',
      bracketed((s) => triggerAt(s, '2026-11-20T22:14:00Z')),
    );
    await report(g, 'XG0001', '22:15', { totalCycles: 1, cycleExtended: false });
    // H: a discharge whose report comes later (the test files it).
    await issued('XH0001');
    await insertLogEntries(
      svc,
      'XH0001',
      bracketed((s) => triggerAt(s, '2026-11-20T21:00:00Z')),
    );
    // A report naming a serial the register does not know.
    await report(g, 'XUNKNOWN1', '23:00');
  });
  afterAll(() => svc.cleanup());

  /** Audit entries with this action, oldest first. */
  const audits = async (action: string) => (await listAudit(svc.database.db, { action }, { offset: 0, limit: 500 })).entries.reverse();
  const kinds = async (state?: 'open' | 'resolved' | 'cleared') =>
    (await listExceptions(svc, SYSTEM_ACTOR, { state, page: { page: 1, pageSize: 50 } })).rows.map((r) => `${r.kind} ${r.deviceSerial} ${r.state}`).sort();

  it('finds every kind of exception, counts the spark test and the matches, and stores them open', async () => {
    const r = await runReconciliation(svc, SYSTEM_ACTOR, DAY);
    expect(r.exceptionsByKind).toEqual({
      discharge_without_report: 2,
      arc_without_report: 1,
      report_without_log_event: 1,
      cycle_count_mismatch: 1,
      extended_cycle_unreported: 1,
      clock_reset: 1,
      report_device_unknown: 1,
    });
    expect(r.functionTests).toBe(1);
    expect(r.reportsMatched).toBe(2);
    expect(r.opened).toBe(8);
    expect(r.reopened).toBe(0);
    expect(r.cleared).toBe(0);
    expect(r.eventsRead).toBe(4 + 4 + 3 + 3 + 5 + 3 + 3);
    expect(r.exceptions.map((e) => `${e.kind} ${e.deviceSerial}`)).toEqual([
      'discharge_without_report XA0001',
      'discharge_without_report XH0001',
      'arc_without_report XC0001',
      'report_without_log_event XD0001',
      'cycle_count_mismatch XB0001',
      'extended_cycle_unreported XB0001',
      'clock_reset XE0001',
      'report_device_unknown XUNKNOWN1',
    ]);
    const a = r.exceptions.find((e) => e.deviceSerial === 'XA0001')!;
    expect(a.officerCollar).toBe(officers.get('XA0001')!.collar);
    expect(a.startsAt).toBe('2026-11-20T20:00:00.000Z');
    expect(await kinds('open')).toHaveLength(8);
    const list = await listExceptions(svc, SYSTEM_ACTOR, { page: { page: 1, pageSize: 50 } });
    // Every exception here belongs to Lambeth: the holder's borough, or the device's armoury, or the report's.
    expect(list.counts.map((c) => [c.boroughName, c.total])).toEqual([['Lambeth', 8]]);
    const matches = await svc.database.db.selectFrom('reconciliation_match').select(['device_serial', 'cycles']).orderBy('device_serial').execute();
    expect(matches).toEqual([
      { device_serial: 'XB0001', cycles: '[7.1,5]' },
      { device_serial: 'XG0001', cycles: '[5]' },
    ]);
    expect(await audits('reconciliation.run')).toHaveLength(1);
  });

  it('refuses dates that are not dates, or a range that ends before it starts, naming the field', async () => {
    await expect(runReconciliation(svc, SYSTEM_ACTOR, { from: '2026-02-30', to: '2026-03-01' })).rejects.toThrow(ValidationError);
    const err = await runReconciliation(svc, SYSTEM_ACTOR, { from: '2026-03-02', to: '2026-03-01' }).catch((e: unknown) => e);
    expect((err as ValidationError).errors).toEqual([{ field: 'to', message: expect.stringContaining('after the first date') }]);
  });

  it('keeps a resolved exception resolved when it runs again with nothing new', async () => {
    const a = (await listExceptions(svc, SYSTEM_ACTOR, { kind: 'discharge_without_report', page: { page: 1, pageSize: 50 } })).rows.find((r) => r.deviceSerial === 'XA0001')!;
    await expect(resolveException(svc, ARMOURER, a.id, { outcome: 'accidental_discharge_recorded', reason: '', revision: a.revision })).rejects.toThrow(ValidationError);
    const resolved = await resolveException(svc, ARMOURER, a.id, { outcome: 'accidental_discharge_recorded', reason: 'Accidental discharge in the armoury, recorded', revision: a.revision });
    expect(resolved.state).toBe('resolved');
    const r = await runReconciliation(svc, SYSTEM_ACTOR, DAY);
    expect([r.opened, r.reopened, r.cleared]).toEqual([0, 0, 0]);
    const again = (await listExceptions(svc, SYSTEM_ACTOR, { state: 'resolved', page: { page: 1, pageSize: 50 } })).rows;
    expect(again.map((e) => [e.id, e.outcome, e.resolutionReason])).toEqual([[a.id, 'accidental_discharge_recorded', 'Accidental discharge in the armoury, recorded']]);
  });

  it('reopens a resolved exception when new evidence arrives, keeping the old resolution in the audit trail', async () => {
    // A later download adds another trigger to the same episode.
    await insertLogEntries(svc, 'XA0001', [triggerAt(10, '2026-11-20T20:05:00Z')]);
    const r = await runReconciliation(svc, SYSTEM_ACTOR, DAY);
    expect([r.opened, r.reopened, r.cleared]).toEqual([0, 1, 0]);
    const a = (await listExceptions(svc, SYSTEM_ACTOR, { kind: 'discharge_without_report', page: { page: 1, pageSize: 50 } })).rows.find((e) => e.deviceSerial === 'XA0001')!;
    expect([a.state, a.outcome]).toEqual(['open', null]);
    expect(JSON.parse((await audits('reconciliation_exception.resolve')).find((e) => e.entityId === a.id)!.summary)).toMatchObject({ outcome: 'accidental_discharge_recorded' });
    const run = (await audits('reconciliation.run')).at(-1)!;
    expect(JSON.parse(run.summary)).toMatchObject({ reopened: 1, reopenedExceptions: [{ id: a.id, outcome: 'accidental_discharge_recorded' }] });
  });

  it('clears an exception a later run no longer finds', async () => {
    await report(officers.get('XH0001')!.actor, 'XH0001', '21:02', { totalCycles: 1 });
    const r = await runReconciliation(svc, SYSTEM_ACTOR, DAY);
    expect([r.opened, r.reopened, r.cleared]).toEqual([0, 0, 1]);
    expect(r.reportsMatched).toBe(3);
    expect(await kinds('cleared')).toEqual(['discharge_without_report XH0001 cleared']);
  });

  it('lets exactly one of two people resolve an exception at once', async () => {
    const c = (await listExceptions(svc, SYSTEM_ACTOR, { kind: 'arc_without_report', page: { page: 1, pageSize: 50 } })).rows[0]!;
    const tries = await Promise.allSettled([
      resolveException(svc, ARMOURER, c.id, { outcome: 'function_test_unrecorded', reason: 'Spark test at the kiosk', revision: c.revision }),
      resolveException(svc, PSD, c.id, { outcome: 'other', reason: 'Looked at it', revision: c.revision }),
    ]);
    expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(1);
    const refused = tries.find((t) => t.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(StaleExceptionError);
    const resolves = (await audits('reconciliation_exception.resolve')).filter((e) => e.entityId === c.id);
    expect(resolves).toHaveLength(1);
  });

  it('shows the timeline: events in true time around it with the spark test marked, the report and the issue', async () => {
    const a = (await listExceptions(svc, SYSTEM_ACTOR, { kind: 'discharge_without_report', page: { page: 1, pageSize: 50 } })).rows.find((e) => e.deviceSerial === 'XA0001')!;
    const t = await exceptionTimeline(svc, ARMOURER, a.id);
    expect(t.events.map((e) => [e.sequence, e.event, e.at, e.functionTest])).toEqual([
      [1, 'time_sync', '2026-11-20T17:00:00.000Z', false],
      [2, 'trigger', '2026-11-20T18:04:00.000Z', true],
      [3, 'trigger', '2026-11-20T20:00:00.000Z', false],
      [10, 'trigger', '2026-11-20T20:05:00.000Z', false],
    ]);
    expect(t.issues.map((i) => i.collarNumber)).toEqual([officers.get('XA0001')!.collar]);
    expect(t.mayResolve).toBe(true);
    const b = (await listExceptions(svc, SYSTEM_ACTOR, { kind: 'cycle_count_mismatch', page: { page: 1, pageSize: 50 } })).rows[0]!;
    const tb = await exceptionTimeline(svc, OFFICER, b.id).catch((e: unknown) => e);
    expect(tb).toBeInstanceOf(NotFoundError);
    const tp = await exceptionTimeline(svc, PSD, b.id);
    expect(tp.reports).toEqual([expect.objectContaining({ named: true, totalCycles: 1, cycleExtended: false, occurredAt: '2026-11-20T22:15:00.000Z', levels: ['red_dotted', 'fired'] })]);
    expect(deviceClock('2026-11-20T22:15:00Z')).toBe('2026-11-20 22:15:00');
  });

  it('stores a new exception once when two runs find it at the same time', async () => {
    await insertLogEntries(svc, 'XG0001', [triggerAt(10, '2026-11-20T23:30:00Z')]);
    const runs = await Promise.allSettled([runReconciliation(svc, SYSTEM_ACTOR, DAY), runReconciliation(svc, SYSTEM_ACTOR, DAY)]);
    expect(runs.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const stored = await svc.database.db.selectFrom('reconciliation_exception').select('state').where('key', 'like', 'discharge_without_report:XG0001:%').execute();
    expect(stored).toEqual([{ state: 'open' }]);
    expect(runs.map((r) => (r as PromiseFulfilledResult<{ opened: number }>).value.opened).sort()).toEqual([0, 1]);
  });

  it('shows a borough-scoped person only their borough', async () => {
    const camden: Actor = { userId: null, label: 'sgt@test', grants: [{ role: 'supervisor', boroughId: f.boroughs.camden.id }] };
    const list = await listExceptions(svc, camden, { page: { page: 1, pageSize: 50 } });
    expect([list.total, list.counts, list.boroughs.map((b) => b.name)]).toEqual([0, [], ['Camden']]);
    const lambeth: Actor = { userId: null, label: 'sgt@test', grants: [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }] };
    expect((await listExceptions(svc, lambeth, { page: { page: 1, pageSize: 50 } })).total).toBe(9);
  });
});
