/**
 * The fleet page's figures (issue 12: the X26 → X2 migration). Pure: counts and spans in,
 * tables out; no storage, no clock (the day is passed in).
 */

import { lastDayOfMonth, monthFromNumber, monthNumber, monthOfDay } from '../calendar.js';
import { DEVICE_STATES, type DeviceState } from './lifecycle.js';

/** One device's time in service: the London day it entered service (null: not recorded) and the day it was withdrawn (null: still held). */
export interface FleetSpan {
  modelName: string;
  inServiceOn: string | null;
  withdrawnOn: string | null;
}

/** The `count` months ending with `lastMonth` (`YYYY-MM`), oldest first. */
export function monthsEndingWith(lastMonth: string, count: number): string[] {
  const last = monthNumber(lastMonth);
  return Array.from({ length: count }, (_, i) => monthFromNumber(last - count + 1 + i));
}

/** Whether a device was in service at the end of a London day: in service by then (or no date recorded) and not yet withdrawn. */
export const inServiceAt = (s: FleetSpan, day: string): boolean => (s.inServiceOn === null || s.inServiceOn <= day) && (s.withdrawnOn === null || s.withdrawnOn > day);

export interface CompositionMonth {
  month: string;
  /** Devices in service at the month's end (or on `today`, for the month still running), per model in `models` order. */
  counts: number[];
  total: number;
}

/**
 * Devices in service per model at each month's end. The current month counts on `today`. A
 * device with no in-service date counts from before the first month (the register did not say).
 */
export function compositionByMonth(spans: readonly FleetSpan[], models: readonly string[], months: readonly string[], today: string): CompositionMonth[] {
  const index = new Map(models.map((m, i) => [m, i]));
  return months.map((month) => {
    const end = lastDayOfMonth(month);
    const day = monthOfDay(today) === month && today < end ? today : end;
    const counts = models.map(() => 0);
    for (const s of spans) {
      const i = index.get(s.modelName);
      if (i !== undefined && inServiceAt(s, day)) counts[i]!++;
    }
    return { month, counts, total: counts.reduce((a, b) => a + b, 0) };
  });
}

/** Officers per device, to one decimal place: `2.6` for 2.6 : 1; null when there are no devices. */
export function trainedPerDevice(trained: number, devices: number): number | null {
  if (devices <= 0) return null;
  return Math.round((trained / devices) * 10) / 10;
}

/** A ratio in words: "2.6 : 1", or "no devices". */
export const ratioText = (ratio: number | null): string => (ratio === null ? 'no devices' : `${ratio.toFixed(1)} : 1`);

export interface FleetCell {
  /** Who keeps them: an armoury key (`borough:<id>`, `team:<id>`, `central`). */
  store: string;
  model: string;
  state: DeviceState;
  count: number;
}

export interface FleetTable {
  /** The column groups: each model and the states it has devices in (in lifecycle order). */
  columns: { model: string; state: DeviceState }[];
  /** One row per store, in the order given, with a count per column and the row's total. */
  rows: { store: string; counts: number[]; total: number }[];
  /** The totals row. */
  totals: number[];
  total: number;
}

/** Devices by model and state per store: a row per store (in `stores` order), a column per model and state that has any device. */
export function fleetTable(cells: readonly FleetCell[], models: readonly string[], stores: readonly string[]): FleetTable {
  const present = new Set(cells.filter((c) => c.count > 0).map((c) => `${c.model}\u0000${c.state}`));
  const columns = models.flatMap((model) => DEVICE_STATES.filter((state) => present.has(`${model}\u0000${state}`)).map((state) => ({ model, state })));
  const col = new Map(columns.map((c, i) => [`${c.model}\u0000${c.state}`, i]));
  const byStore = new Map(stores.map((s) => [s, columns.map(() => 0)]));
  for (const c of cells) {
    const i = col.get(`${c.model}\u0000${c.state}`);
    const row = byStore.get(c.store);
    if (i !== undefined && row) row[i]! += c.count;
  }
  const rows = stores.map((store) => {
    const counts = byStore.get(store)!;
    return { store, counts, total: counts.reduce((a, b) => a + b, 0) };
  });
  const totals = columns.map((_, i) => rows.reduce((n, r) => n + r.counts[i]!, 0));
  return { columns, rows, totals, total: totals.reduce((a, b) => a + b, 0) };
}

/** What the migration page says of one officer today: authorised on the new model, on the old one only, or neither. */
export type MigrationStanding = 'new_model' | 'old_only' | 'neither';

export function migrationStanding(authorisedOnNew: boolean, authorisedOnOld: boolean): MigrationStanding {
  if (authorisedOnNew) return 'new_model';
  return authorisedOnOld ? 'old_only' : 'neither';
}

export interface BoroughMigration {
  boroughId: string | null;
  /** Officers authorised on the new model (X2) today. */
  authorisedOnNew: number;
  /** Officers authorised on the old model (X26) only: they need the conversion course. */
  oldOnly: number;
  /** The new model's devices kept in the borough's store, not withdrawn. */
  devices: number;
  ratio: number | null;
}

/** Per borough: officers authorised on the new model against its devices, and those on the old model only. */
export function boroughMigration(
  officers: readonly { boroughId: string | null; standing: MigrationStanding }[],
  devicesByBorough: ReadonlyMap<string | null, number>,
  boroughIds: readonly (string | null)[],
): BoroughMigration[] {
  // One pass over the officers (a force has thousands), then a row per borough.
  const tally = new Map<string | null, { onNew: number; oldOnly: number }>(boroughIds.map((id) => [id, { onNew: 0, oldOnly: 0 }]));
  for (const o of officers) {
    const t = tally.get(o.boroughId);
    if (!t) continue;
    if (o.standing === 'new_model') t.onNew++;
    else if (o.standing === 'old_only') t.oldOnly++;
  }
  return boroughIds.map((boroughId) => {
    const { onNew: authorisedOnNew, oldOnly } = tally.get(boroughId)!;
    const devices = devicesByBorough.get(boroughId) ?? 0;
    return { boroughId, authorisedOnNew, oldOnly, devices, ratio: trainedPerDevice(authorisedOnNew, devices) };
  });
}

/** The model being retired and the one replacing it (their training models share the names). */
export const OLD_MODEL = 'X26';
export const NEW_MODEL = 'X2';
