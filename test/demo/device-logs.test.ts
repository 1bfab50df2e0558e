import { beforeAll, describe, expect, it } from 'vitest';
import { londonInstant } from '../../src/domain/calendar.js';
import { reconcileDevice, type DeviceReconciliation, type LogEvent, type ReportClaim } from '../../src/domain/devices/reconcile.js';
import { DEVICE_LOG_HEADER, PLANTED_KINDS, demoLogWindow, generateDemoDeviceLogs, type DemoDeviceLogs } from '../../src/demo/device-logs.js';
import { generateDemoFleet, type DemoFleet } from '../../src/demo/devices.js';
import { DEFAULT_DEMO_SEED, generateDemoForce } from '../../src/demo/force.js';
import { mulberry32 } from '../../src/demo/random.js';
import { generateDemoTraining } from '../../src/demo/training.js';
import { londonDate } from '../../src/domain/calendar.js';
import { metValuesToReport } from '../../src/domain/met/rows.js';

const NOW = new Date('2026-12-06T09:30:00Z');
const OFFICERS = 1_500;

/** A simple parse of the canonical rows (the generator writes no quotes or commas in cells). */
function parse(lines: Iterable<string>): { header: string; bySerial: Map<string, LogEvent[]>; rows: number } {
  const bySerial = new Map<string, LogEvent[]>();
  let header = '';
  let rows = 0;
  for (const line of lines) {
    if (!header) {
      header = line;
      continue;
    }
    rows++;
    const [serial, sequence, deviceTime, event, duration, bay, cartridge, , , trueTime] = line.split(',');
    const list = bySerial.get(serial!) ?? [];
    list.push({
      sequence: Number(sequence),
      deviceTime: deviceTime!,
      event: event as LogEvent['event'],
      durationS: duration ? Number(duration) : null,
      bay: bay ? Number(bay) : null,
      cartridgeSerial: cartridge || null,
      trueTime: trueTime || null,
    });
    bySerial.set(serial!, list);
  }
  return { header, bySerial, rows };
}

describe('generateDemoDeviceLogs', () => {
  let fleet: DemoFleet;
  let logs: DemoDeviceLogs;
  let parsed: ReturnType<typeof parse>;
  let results: Map<string, DeviceReconciliation>;
  let boroughs: { code: string; name: string }[];

  beforeAll(() => {
    const plan = generateDemoForce(mulberry32(DEFAULT_DEMO_SEED), OFFICERS);
    const training = generateDemoTraining(mulberry32(DEFAULT_DEMO_SEED + 2), plan, londonDate(NOW));
    boroughs = plan.boroughs;
    fleet = generateDemoFleet(mulberry32(DEFAULT_DEMO_SEED + 3), plan, training, NOW);
    logs = generateDemoDeviceLogs(mulberry32(DEFAULT_DEMO_SEED + 4), { devices: fleet.devices, issues: fleet.issues, carried: fleet.carried, boroughs: plan.boroughs, now: NOW });
    parsed = parse(logs.lines());
    const window = demoLogWindow(NOW);
    const range = { from: londonInstant(window.from, '00:00').toISOString(), to: NOW.toISOString() };
    const models = new Map(fleet.devices.map((d) => [d.serial, d.model]));
    const issues = new Map<string, DemoFleet['issues']>();
    for (const i of fleet.issues) issues.set(i.deviceSerial, [...(issues.get(i.deviceSerial) ?? []), i]);
    const claims = new Map<string, ReportClaim[]>();
    for (const r of logs.reports) {
      const claim: ReportClaim = { kind: r.kind, id: r.ref, ref: r.ref, occurredAt: r.occurredAt, levels: r.levels, totalCycles: r.totalCycles, cycleExtended: r.cycleExtended };
      claims.set(r.deviceSerial, [...(claims.get(r.deviceSerial) ?? []), claim]);
    }
    results = new Map();
    for (const serial of new Set([...parsed.bySerial.keys(), ...claims.keys()])) {
      results.set(
        serial,
        reconcileDevice(
          {
            serial,
            splitCycles: models.get(serial) === 'X26',
            registered: models.has(serial),
            events: parsed.bySerial.get(serial) ?? [],
            issues: (issues.get(serial) ?? []).map((i) => ({ officerId: i.collar, collarNumber: i.collar, issuedAt: i.issuedAt, returnedAt: i.returnedAt })),
            reports: claims.get(serial) ?? [],
          },
          range,
        ),
      );
    }
  });

  it('writes the canonical header and a log for every device, each ending with a sync before the demo’s instant', () => {
    expect(parsed.header).toBe(DEVICE_LOG_HEADER);
    expect(parsed.bySerial.size).toBe(logs.devices);
    expect(logs.devices).toBeGreaterThan(fleet.devices.length * 0.95);
    for (const events of parsed.bySerial.values()) {
      const last = events[events.length - 1]!;
      expect(last.event).toBe('time_sync');
      expect(Date.parse(last.trueTime!)).toBeLessThan(NOW.getTime());
      expect(events.every((e, k) => k === 0 || e.sequence === events[k - 1]!.sequence + 1)).toBe(true);
    }
  });

  it('covers a year with a sync every one to three months and drift of seconds to a couple of minutes', () => {
    const offsets: number[] = [];
    for (const events of parsed.bySerial.values()) {
      const syncs = events.filter((e) => e.event === 'time_sync');
      for (const [k, s] of syncs.entries()) {
        if (k > 0) {
          const gap = (Date.parse(s.trueTime!) - Date.parse(syncs[k - 1]!.trueTime!)) / 86_400_000;
          expect(gap).toBeLessThan(92);
        }
        const device = Date.parse(`${s.deviceTime.replace(' ', 'T')}Z`);
        if (device > Date.parse('2001-01-01T00:00:00Z')) offsets.push(Math.abs(device - Date.parse(s.trueTime!)) / 1000);
      }
    }
    expect(Math.max(...offsets)).toBeGreaterThan(60);
    expect(Math.max(...offsets)).toBeLessThan(20 * 60);
    expect(offsets.filter((o) => o >= 2).length).toBeGreaterThan(offsets.length / 2);
    const first = Math.min(...[...parsed.bySerial.values()].map((e) => Date.parse(e[0]!.trueTime ?? `${e[0]!.deviceTime.replace(' ', 'T')}Z`)));
    expect(NOW.getTime() - first).toBeGreaterThan(360 * 86_400_000);
  });

  it('finds each planted exception, as many as planted, and confirms more reports than it finds exceptions', () => {
    const found = Object.fromEntries(PLANTED_KINDS.map((k) => [k, 0]));
    let matched = 0;
    let functionTests = 0;
    for (const r of results.values()) {
      for (const e of r.exceptions) found[e.kind] = (found[e.kind] ?? 0) + 1;
      matched += new Set(r.matches.map((m) => m.reportId)).size;
      functionTests += r.functionTests;
    }
    expect(found).toEqual(logs.planted);
    for (const kind of PLANTED_KINDS) expect(found[kind], kind).toBeGreaterThanOrEqual(1);
    const exceptions = Object.values(found).reduce((a, b) => a + b, 0);
    expect(matched).toBe(logs.confirmed + logs.planted.cycle_count_mismatch + logs.planted.extended_cycle_unreported);
    expect(matched).toBeGreaterThan(exceptions);
    // A spark test after every sign-out downloaded since.
    expect(functionTests).toBeGreaterThan(fleet.issues.length * 0.9);
  });

  it('logs X26 cycles in pieces that add up to about five seconds', () => {
    const split = [...results.values()].flatMap((r) => r.episodes.flatMap((e) => e.cycles)).filter((c) => c.pieces > 1);
    expect(split.length).toBeGreaterThanOrEqual(3);
    expect(split.some((c) => c.lengthS >= 4.8 && c.lengthS <= 5.3)).toBe(true);
  });

  it('is deterministic for a seed, fleet and instant', () => {
    const again = generateDemoDeviceLogs(mulberry32(DEFAULT_DEMO_SEED + 4), { devices: fleet.devices, issues: fleet.issues, carried: fleet.carried, boroughs, now: NOW });
    const a = logs.lines();
    const b = again.lines();
    for (let k = 0; k < 5_000; k++) expect(b.next().value).toBe(a.next().value);
    expect(again.planted).toEqual(logs.planted);
  });

  it('makes each imported use a valid Met-format row naming its device at its London time, with the cycles it states', () => {
    const imported = logs.reports.filter((r) => r.kind === 'imported');
    expect(logs.metRows).toHaveLength(imported.length);
    logs.metRows.forEach((values, k) => {
      const result = metValuesToReport(values, k + 2);
      expect(result.ok, JSON.stringify(!result.ok && result.errors)).toBe(true);
      if (!result.ok) return;
      const c = result.report.content;
      const r = imported[k]!;
      expect(c.ced?.deviceSerial).toBe(r.deviceSerial);
      expect(londonInstant(c.incident.date!, c.incident.time!).toISOString()).toBe(r.occurredAt);
      const levels = c.ced!.applications.flatMap((a) => a.levels);
      for (const level of r.levels.filter((l) => l !== 'red_dotted')) expect(levels).toContain(level);
      expect(c.ced!.applications[0]!.fired?.totalCycles ?? null).toBe(r.totalCycles);
    });
  });

  it('gives the rows in chunks that join to the same text', async () => {
    let text = '';
    for await (const chunk of logs.chunks()) text += chunk;
    expect(text.split('\n').length - 1).toBe(parsed.rows + 1);
  });
});
