import path from 'node:path';
import { analyzeTables, ANALYZE_AFTER_ROWS } from '../db/analyze.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import type { CsvEncoding, RowError } from '../domain/csv.js';
import { parseRoster, planRosterImport } from '../domain/roster.js';
import { londonDate } from '../domain/calendar.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';

export type ImportResult =
  | { ok: true; created: number; updated: number; unchanged: number; rows: number; encoding: CsvEncoding }
  /** `rejected`: how many of the `rows` have problems (problems with the header or file are not rows). */
  | { ok: false; errors: RowError[]; rows: number; rejected: number; encoding: CsvEncoding };

export interface ImportOptions {
  /** Called as rows are stored: (rows done, rows in the file). */
  onProgress?: (done: number, total: number) => void;
  /** Check the file and count what would change, writing nothing. */
  dryRun?: boolean;
}

const INSERT_BATCH = 2000;

/**
 * Imports an officer roster CSV (see domain/roster.ts for the columns). All or nothing:
 * when any row has a problem, every problem is returned and nothing is written. Otherwise,
 * in one transaction, officers new to Cedar are created, changed ones updated (matched by
 * collar number) and the rest left alone, so importing the same file twice changes nothing.
 * Officers missing from the file are not touched.
 */
export async function importOfficers(svc: Services, actor: Actor, input: { fileName: string; bytes: Buffer }, opts: ImportOptions = {}): Promise<ImportResult> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const [boroughs, teams] = await Promise.all([org.listBoroughs(db, force.id), org.listTeams(db, force.id)]);
  const roster = parseRoster(input.bytes, { boroughs, teams }, londonDate(svc.now()));
  const { rowCount: rows, encoding } = roster;
  if (roster.errors.length) return { ok: false, errors: roster.errors, rows, rejected: roster.rejectedRows, encoding };

  const collars = roster.rows.map((r) => r.officer.collarNumber);
  if (opts.dryRun) {
    const plan = planRosterImport(roster.rows, await officersRepo.findOfficersByCollars(db, force.id, collars));
    return { ok: true, created: plan.create.length, updated: plan.update.length, unchanged: plan.unchanged, rows, encoding };
  }

  const result = await change(svc, actor, async (trx, audit) => {
    const plan = planRosterImport(roster.rows, await officersRepo.findOfficersByCollars(trx, force.id, collars));
    // Progress short of the end; the end is reported once, after the commit.
    const report = (n: number) => {
      if (n < rows) opts.onProgress?.(n, rows);
    };
    let done = plan.unchanged;
    report(done);
    for (let i = 0; i < plan.create.length; i += INSERT_BATCH) {
      const batch = plan.create.slice(i, i + INSERT_BATCH);
      await officersRepo.insertOfficers(trx, force.id, batch, svc.now().toISOString());
      report((done += batch.length));
    }
    const file = path.basename(input.fileName);
    for (const u of plan.update) {
      await officersRepo.updateOfficer(trx, u.officer.id, u.input, svc.now().toISOString());
      if (++done % 200 === 0) report(done);
    }
    const summary = { file, created: plan.create.length, updated: plan.update.length, unchanged: plan.unchanged };
    await audit([
      ...plan.update.map((u) => ({ action: 'officer.update', entityType: 'officer', entityId: u.officer.id, summary: { changes: u.changes, file } })),
      { action: 'officer.import', entityType: 'officer', entityId: null, summary },
    ]);
    return { ok: true as const, created: summary.created, updated: summary.updated, unchanged: summary.unchanged, rows, encoding };
  });
  if (result.created + result.updated >= ANALYZE_AFTER_ROWS) await analyzeTables(svc.database.db, svc.database.kind, ['officer']);
  opts.onProgress?.(rows, rows);
  return result;
}
