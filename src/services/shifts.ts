import { createHash } from 'node:crypto';
import path from 'node:path';
import { analyzeTables, ANALYZE_AFTER_ROWS } from '../db/analyze.js';
import * as org from '../db/repositories/organisation.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as repo from '../db/repositories/shifts.js';
import type { ShiftSource } from '../db/repositories/shifts.js';
import { planShiftImport, readShiftsCsv, rejectedRowCount, type ShiftPlan, type ShiftRead, type ShiftRow } from '../domain/crewing/shifts.js';
import type { CsvEncoding, RowError } from '../domain/csv.js';
import { WorkflowError } from '../domain/errors.js';
import type { Executor } from '../db/database.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';

/*
 * Duty rosters (issue 14): shifts from a duty-rostering system, by file (`cedar import shifts`)
 * or the API (`POST /api/v1/shifts`), in the CSV layout domain/crewing/shifts.ts describes.
 */

/** A shifts CSV, whole or as a stream of bytes (a large upload). */
export type ShiftImportInput = ({ fileName: string; bytes: Uint8Array } | { fileName: string; stream: AsyncIterable<Uint8Array> }) & { source: ShiftSource };

export interface ShiftImportOptions {
  /** Check everything and count what would change, writing nothing. */
  dryRun?: boolean;
  /** Called as shifts are stored: (rows done, rows read). */
  onProgress?: (done: number, total: number) => void;
}

export interface ShiftImportResult {
  /** True when every row was accepted (and, unless a dry run, stored). */
  ok: boolean;
  dryRun: boolean;
  /** Data rows in the file. */
  read: number;
  /** New shifts stored (on a dry run: that would be). */
  inserted: number;
  /** Stored shifts (same officer and start) replaced by a changed row. */
  replaced: number;
  /** Stored shifts of an officer that a row overlaps without matching (moved to another start), taken away. */
  removed: number;
  /** Rows Cedar already held as they are. */
  unchanged: number;
  /** Rows with at least one problem. */
  rejectedRows: number;
  /** Every problem, by line (header = 1) then column. */
  rejected: RowError[];
  encoding: CsvEncoding | null;
}

/** A shift changed by someone else between the import's plan and its write (a concurrent import). */
export class ShiftChangedError extends WorkflowError {
  constructor(line: number) {
    super(`The shift on line ${line} was changed by another import a moment ago: nothing was stored. Import the file again.`);
    this.name = 'ShiftChangedError';
  }
}

async function bytesOf(input: ShiftImportInput): Promise<Uint8Array> {
  if ('bytes' in input) return input.bytes;
  const parts: Uint8Array[] = [];
  for await (const part of input.stream) parts.push(part);
  return Buffer.concat(parts);
}

/** Reads the file against the force's officers, boroughs and teams. */
async function read(svc: Services, forceId: string, bytes: Uint8Array): Promise<ShiftRead> {
  const db = svc.database.db;
  const [byCollar, boroughs, teams] = await Promise.all([officersRepo.officerIdsByCollar(db, forceId), org.listBoroughs(db, forceId), org.listTeams(db, forceId)]);
  const officers = new Map<string, { id: string }>();
  for (const [collar, id] of byCollar) officers.set(collar.toUpperCase(), { id });
  return readShiftsCsv(bytes, { officers, boroughs, teams });
}

/** What the import changes, against the shifts stored for the same officers over the file's span. */
async function plan(db: Executor, forceId: string, rows: readonly ShiftRow[]): Promise<ShiftPlan> {
  if (rows.length === 0) return { insert: [], replace: [], remove: [], unchanged: 0 };
  let from = rows[0]!.startsAt;
  let to = from;
  for (const r of rows) {
    if (r.startsAt < from) from = r.startsAt;
    if (r.startsAt > to) to = r.startsAt;
  }
  // A stored shift a row overlaps starts less than a shift's longest length before or after it.
  const around = (instant: string, hours: number) => new Date(Date.parse(instant) + hours * 3_600_000).toISOString();
  const stored = await repo.storedShifts(db, forceId, [...new Set(rows.map((r) => r.officerId))], around(from, -25), around(to, 25));
  return planShiftImport(rows, stored);
}

/**
 * Imports shifts. All or nothing: when any row has a problem (an unknown collar number, borough
 * or team, a bad date or time, a shift twice or overlapping), every problem is returned by line
 * and column and nothing is stored. Otherwise, in one transaction: new shifts are stored; a
 * shift Cedar holds for the same officer and start with a different end, borough, team or call
 * sign is replaced, with a `shift.replace` audit entry saying what it was; a stored shift of the
 * officer that a row overlaps without matching (moved to another start) is taken away, with a
 * `shift.remove` entry; the rest are left alone, so the same file imported twice changes nothing. One `shift.import` entry sums it up.
 */
export async function importShifts(svc: Services, actor: Actor, input: ShiftImportInput, opts: ShiftImportOptions = {}): Promise<ShiftImportResult> {
  const force = await getForce(svc);
  const bytes = await bytesOf(input);
  const file = await read(svc, force.id, bytes);
  const dryRun = opts.dryRun === true;
  const base = { dryRun, read: file.count, encoding: file.encoding };
  if (file.errors.length) return { ...base, ok: false, inserted: 0, replaced: 0, removed: 0, unchanged: 0, rejectedRows: rejectedRowCount(file.errors, file.headerLine), rejected: file.errors };

  if (dryRun) {
    const p = await plan(svc.database.db, force.id, file.rows);
    return { ...base, ok: true, inserted: p.insert.length, replaced: p.replace.length, removed: p.remove.length, unchanged: p.unchanged, rejectedRows: 0, rejected: [] };
  }

  const total = file.count;
  const result = await change(svc, actor, async (trx, audit): Promise<ShiftImportResult> => {
    const p = await plan(trx, force.id, file.rows);
    const at = svc.now().toISOString();
    // Progress short of the end; the end is reported once, after the commit.
    let done = p.unchanged;
    const report = () => {
      if (done < total) opts.onProgress?.(done, total);
    };
    report();
    // Shifts the roster moved go first, so their replacements never meet them.
    for (const r of p.remove) if (!(await repo.removeShift(trx, r.stored.id, r.stored.revision))) throw new ShiftChangedError(r.line);
    let inserted = 0;
    const BATCH = 3000;
    for (let i = 0; i < p.insert.length; i += BATCH) {
      const batch = p.insert.slice(i, i + BATCH);
      inserted += await repo.insertShifts(trx, force.id, batch, input.source, at);
      done += batch.length;
      report();
    }
    // A row stored by another import since the plan was made (same officer and start) is left as it is.
    const unchanged = p.unchanged + (p.insert.length - inserted);
    const fileName = path.basename(input.fileName);
    const collarOf = new Map(file.rows.map((r) => [r.officerId, r.collarNumber]));
    for (const r of p.replace) {
      if (!(await repo.replaceShift(trx, r.stored.id, r.stored.revision, r.row, input.source, at))) throw new ShiftChangedError(r.row.line);
      if (++done % 500 === 0) report();
    }
    const before = (s: (typeof p.replace)[number]['stored']) => ({ endsAt: s.endsAt, boroughId: s.boroughId, teamId: s.teamId, callSign: s.callSign });
    const after = (s: ShiftRow) => ({ endsAt: s.endsAt, boroughId: s.boroughId, teamId: s.teamId, callSign: s.callSign });
    await audit([
      ...p.replace.map((r) => ({
        action: 'shift.replace',
        entityType: 'shift',
        entityId: r.stored.id,
        summary: { collarNumber: collarOf.get(r.row.officerId) ?? null, startsAt: r.row.startsAt, changed: r.changed, before: before(r.stored), after: after(r.row), file: fileName, line: r.row.line },
      })),
      ...p.remove.map((r) => ({
        action: 'shift.remove',
        entityType: 'shift',
        entityId: r.stored.id,
        summary: {
          collarNumber: collarOf.get(r.stored.officerId) ?? null,
          startsAt: r.stored.startsAt,
          before: { endsAt: r.stored.endsAt, boroughId: r.stored.boroughId, teamId: r.stored.teamId, callSign: r.stored.callSign },
          file: fileName,
          line: r.line,
        },
      })),
      {
        action: 'shift.import',
        entityType: 'shift',
        entityId: null,
        summary: {
          source: input.source,
          file: fileName,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          read: file.count,
          inserted,
          replaced: p.replace.length,
          removed: p.remove.length,
          unchanged,
          officers: new Set(file.rows.map((r) => r.officerId)).size,
        },
      },
    ]);
    return { ...base, ok: true, inserted, replaced: p.replace.length, removed: p.remove.length, unchanged, rejectedRows: 0, rejected: [] };
  });
  if (result.ok && result.inserted + result.replaced >= ANALYZE_AFTER_ROWS) await analyzeTables(svc.database.db, svc.database.kind, ['shift']);
  opts.onProgress?.(total, total);
  return result;
}

/** How many shifts the force has stored. */
export async function countShifts(svc: Services): Promise<number> {
  const force = await getForce(svc);
  return repo.countShifts(svc.database.db, force.id);
}
