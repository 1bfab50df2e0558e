/**
 * Stores the demo fleet's device logs (device-logs.ts makes them): the uses naming devices, the
 * logs, and a reconciliation of the year, through the services, as a force would.
 */
import type { ExceptionKind } from '../domain/devices/reconcile.js';
import { writeMetCsv } from '../domain/met/write.js';
import type { Actor, Services } from '../services/context.js';
import { importDeviceLog } from '../services/device-logs.js';
import { importMetFile } from '../services/met-import.js';
import { runReconciliation } from '../services/reconciliation.js';
import { PLANTED_KINDS, demoLogWindow, generateDemoDeviceLogs, type DemoDeviceLogInput, type PlantedKind } from './device-logs.js';
import type { Random } from './random.js';

export interface DemoDeviceLogSummary {
  /** Devices with a log, and its rows imported. */
  devices: number;
  entries: number;
  /** Imported Met-format uses naming a device. */
  uses: number;
  /** Exceptions planted, by kind. */
  planted: Record<PlantedKind, number>;
  /** What the reconciliation over the year found: reports confirmed, and exceptions by kind. */
  reportsMatched: number;
  exceptions: Record<ExceptionKind, number>;
}

export const NO_DEMO_DEVICE_LOGS: DemoDeviceLogSummary = {
  devices: 0,
  entries: 0,
  uses: 0,
  planted: Object.fromEntries(PLANTED_KINDS.map((k) => [k, 0])) as Record<PlantedKind, number>,
  reportsMatched: 0,
  exceptions: Object.fromEntries(PLANTED_KINDS.map((k) => [k, 0])) as Record<ExceptionKind, number>,
};

/**
 * Stores the demo fleet's logs as a force would: the uses naming devices through the Met-format
 * import (after the history's releases, so they arrive as late uses), the logs through the
 * device log import (one download, streamed), then a reconciliation of the year ending on the
 * demo's day, so the exceptions are there to look at.
 */
export async function seedDemoDeviceLogs(svc: Services, actor: Actor, random: Random, input: DemoDeviceLogInput): Promise<DemoDeviceLogSummary> {
  const logs = generateDemoDeviceLogs(random, input);
  const met = await importMetFile(svc, actor, { fileName: 'demo-device-uses.csv', bytes: Buffer.from(writeMetCsv(logs.metRows)) });
  if (met.imported + met.alreadyPresent !== logs.metRows.length) throw new Error(`The demo's uses naming devices did not import: ${JSON.stringify(met.rejects.slice(0, 3))}`);
  let entries = -1; // the header
  async function* counted(): AsyncGenerator<string> {
    for await (const chunk of logs.chunks()) {
      for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) entries++;
      yield chunk;
    }
  }
  const imported = await importDeviceLog(svc, actor, { fileName: 'demo-device-logs.csv', source: 'cli', input: counted() });
  if (!imported.ok) throw new Error(`The demo's device logs did not import: ${JSON.stringify(imported.rejected.slice(0, 3))}`);
  const run = await runReconciliation(svc, actor, demoLogWindow(input.now));
  return { devices: logs.devices, entries, uses: met.imported, planted: logs.planted, reportsMatched: run.reportsMatched, exceptions: run.exceptionsByKind };
}
