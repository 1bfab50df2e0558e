import { analyzeTables, ANALYZE_AFTER_ROWS } from '../db/analyze.js';
import { hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { CellValue } from 'exceljs';
import { withOwnConnection } from '../db/database.js';
import { importedContentPages, stagedReport } from '../db/repositories/imported-reports.js';
import { withReportStage, type StagedReport } from '../db/repositories/import-staging.js';
import * as org from '../db/repositories/organisation.js';
import { recordedContentPages } from '../db/repositories/reports.js';
import { openMetCsv, openMetSheet, type MetByteSource, type MetEncoding, type MetFileStream, type MetSheetRow } from '../domain/met/read.js';
import { reportToMetRow } from '../domain/met/rows.js';
import { londonInstant } from '../domain/calendar.js';
import { readContent } from '../domain/report/content.js';
import { isDischarge } from '../domain/report/levels.js';
import { factsOf } from '../domain/stats/facts.js';
import type { RowError } from '../domain/csv.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';
import { workbookFileProblem } from './met-workbook.js';

/** A file to import: its bytes, or where it is on disk (then it is read a piece at a time and never held whole). */
export type MetImportInput = { fileName: string; bytes: Uint8Array } | { fileName: string; path: string };

/** CSV, or an Excel workbook (.xlsx), told apart by the file's first bytes rather than its name. */
export type MetFormat = 'csv' | 'xlsx';

/** One problem in a rejected row, with the row's values as read (empty when the row could not be read as CSV). */
export type MetReject = RowError & { values: string[] };

export interface MetImportResult {
  file: string;
  format: MetFormat;
  /** The CSV's encoding; null for a workbook (its text is Unicode whatever the sheet's language). */
  encoding: MetEncoding | null;
  /** The file cannot be imported (wrong layout, empty, not readable as a workbook): nothing was stored. */
  problem: string | null;
  /** Data rows read; read = imported + alreadyPresent + rejected. */
  read: number;
  imported: number;
  alreadyPresent: number;
  rejected: number;
  /** Problems found in the rejected rows (a row may have several). */
  problems: number;
  /** The first KEPT_REJECTS problems, by line then column; every problem is handed to `onReject` as it is found. */
  rejects: MetReject[];
  header: string[];
}

export interface MetImportOptions {
  /** Called with the number of rows read so far, after each batch is staged (not yet visible to anyone); awaited. */
  onProgress?: (rows: number) => void | Promise<void>;
  /** Called once every row is read, before the readable ones (this many) are stored in one short transaction; awaited. */
  onPublish?: (rows: number) => void | Promise<void>;
  /** Called with each problem in each rejected row, in file order, as it is found (e.g. to write a rejects file); awaited. */
  onReject?: (reject: MetReject) => void | Promise<void>;
}

/** How many problems the result keeps: the rest are only handed to onReject, so a file of bad rows is not held in memory. */
export const KEPT_REJECTS = 100;

/** The file or workbook cannot be read at all: the import is refused and nothing is stored. */
class MetFileUnreadable extends Error {}

/**
 * Rows staged at a time. On PostgreSQL one batch is at the server (COPY) while the next is
 * read: 1,000 rows a batch held the import at 256–278 MB RSS on 150,000 rows, 500 at
 * 231–234 MB, in the same time (issue 15's limit is 250 MB).
 */
const BATCH = 500;
const READ_BYTES = 1 << 20;
/** Every .xlsx file is a zip archive, and every zip archive starts with these four bytes. */
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/** A row's identity: its published values, and how many identical rows came before it in the file. */
function sourceKey(values: readonly string[], seen: Map<string, number>): string {
  const digest = hash('sha256', values.join('\u001f'), 'buffer');
  // Counted by the raw digest (a 32-character string, not the 43 of base64): one entry per distinct row.
  const counted = digest.toString('latin1');
  const n = (seen.get(counted) ?? 0) + 1;
  seen.set(counted, n);
  return `${digest.toString('base64url')}:${n}`;
}

/**
 * Imports a file in the Met's published use-of-force layout (CSV, or the first sheet of an
 * .xlsx workbook) as historical reports of the force (marked as imported). Readable rows are
 * stored, unreadable ones are counted and handed to `onReject` with line, column and reason;
 * a file of the wrong layout stores nothing. Re-importing the same file, or the same rows
 * saved as the other format, adds nothing: each row is known by its values (and its place
 * among identical rows). All or nothing as anyone sees it: the rows are staged apart from the
 * live tables as they are read, then stored in one short transaction with one audit entry, so
 * an import holds no lock on the live tables while it reads, and two can run at once.
 *
 * The file is never held whole: a file on disk is read a piece at a time, rows are staged in
 * batches (on SQLite in a temporary file, not in memory), and rejects go to `onReject` (the
 * result keeps the first few). The one thing kept in memory for every row is the digest of
 * each distinct row (32 bytes), to tell identical rows apart.
 */
export async function importMetFile(svc: Services, actor: Actor, input: MetImportInput, opts: MetImportOptions = {}): Promise<MetImportResult> {
  const force = await getForce(svc);
  const importedAt = svc.now().toISOString();
  const file = path.basename(input.fileName);
  const source: MetByteSource = 'bytes' in input ? () => Readable.from([input.bytes], { objectMode: false }) : () => fs.createReadStream(input.path, { highWaterMark: READ_BYTES });
  const format: MetFormat = (await startsWith(source, ZIP_MAGIC)) ? 'xlsx' : 'csv';
  const result: MetImportResult = { file, format, encoding: null, problem: null, read: 0, imported: 0, alreadyPresent: 0, rejected: 0, problems: 0, rejects: [], header: [] };

  // A damaged archive is refused before the workbook reader, which could wait on it for ever.
  const damaged = format === 'xlsx' ? await workbookFileProblem(input) : null;
  if (damaged) return { ...result, problem: damaged };

  let opened: MetFileStream;
  try {
    opened = format === 'xlsx' ? await openMetSheet(xlsxRows(source)) : await openMetCsv(source);
  } catch (err) {
    if (!(err instanceof MetFileUnreadable)) throw err;
    return { ...result, problem: err.message };
  }
  result.encoding = format === 'csv' ? opened.encoding : null;
  result.header = opened.header;
  if (opened.problem) {
    result.problem = opened.problem.message;
    return result;
  }
  const boroughs = new Map((await org.listBoroughs(svc.database.db, force.id)).map((b) => [b.name.toLowerCase(), b.id]));
  const seen = new Map<string, number>();

  try {
    // Every row is read and staged first, apart from the live tables and holding no lock on
    // them, then published in one short transaction with its audit entry: until then nobody
    // sees any of it, and whatever stops the import before then (a broken workbook, a failure,
    // a kill -9) leaves nothing behind. The server answers, and writes, meanwhile.
    await withOwnConnection(svc.database, (db) =>
      withReportStage(db, svc.database.kind, async (stage) => {
        let batch: StagedReport[] = [];
        const flush = async () => {
          await stage.add(batch);
          batch = [];
          await opts.onProgress?.(result.read);
        };
        for await (const row of opened.rows) {
          result.read++;
          if (!row.ok) {
            result.rejected++;
            for (const e of row.errors) {
              const reject = { ...e, values: row.values };
              result.problems++;
              if (result.rejects.length < KEPT_REJECTS) result.rejects.push(reject);
              await opts.onReject?.(reject);
            }
            continue;
          }
          const content = row.report.content;
          const values = reportToMetRow(content);
          const date = content.incident.date!;
          const borough = content.incident.borough;
          batch.push(
            stagedReport({
              forceId: force.id,
              sourceKey: sourceKey(values, seen),
              sourceFile: file,
              sourceLine: row.line,
              importedAt,
              occurredAt: londonInstant(date, content.incident.time ?? '00:00').toISOString(),
              boroughId: borough ? (boroughs.get(borough.toLowerCase()) ?? null) : null,
              boroughName: borough,
              highestLevel: row.report.highestLevel,
              discharge: isDischarge(row.report.highestLevel),
              cedUsed: row.report.highestLevel !== null,
              occurredOn: date,
              facts: factsOf(content),
              content,
            }),
          );
          if (batch.length >= BATCH) await flush();
        }
        if (batch.length) await flush();
        await opts.onPublish?.(result.read - result.rejected);
        // The services, on the stage's own connection: the publishing transaction is on it too.
        const own: Services = { ...svc, database: { ...svc.database, db } };
        await change(own, actor, async (trx, audit) => {
          const { staged, inserted } = await stage.publish(trx);
          result.imported = inserted;
          result.alreadyPresent = staged - inserted;
          await audit({
            action: 'met.import',
            entityType: 'imported_report',
            entityId: null,
            summary: { file, format, read: result.read, imported: result.imported, alreadyPresent: result.alreadyPresent, rejected: result.rejected },
          });
        });
      }),
    );
  } catch (err) {
    if (!(err instanceof MetFileUnreadable)) throw err;
    // The workbook broke off part-way: nothing was published, so nothing was stored.
    return { ...result, problem: err.message, read: 0, imported: 0, alreadyPresent: 0, rejected: 0, problems: 0, rejects: [] };
  } finally {
    await opened.close();
  }
  if (result.imported >= ANALYZE_AFTER_ROWS) await analyzeTables(svc.database.db, svc.database.kind, ['imported_report', 'imported_report_row']);
  return result;
}

/** Whether the file starts with `magic` (reads its first piece only). */
async function startsWith(source: MetByteSource, magic: Buffer): Promise<boolean> {
  let head = Buffer.alloc(0);
  for await (const piece of source()) {
    head = Buffer.concat([head, piece]);
    if (head.length >= magic.length) break;
  }
  return head.subarray(0, magic.length).equals(magic);
}

/**
 * The rows of the workbook's first sheet (in tab order), read as they are asked for with
 * exceljs's streaming reader: the file is read once, a piece at a time, and only the sheet's
 * shared strings (each distinct text once) are kept. A workbook that saves the sheet before
 * its shared strings (as Excel does) has the sheet put in a temporary file until they are read.
 */
async function* xlsxRows(source: MetByteSource): AsyncGenerator<MetSheetRow> {
  const { default: ExcelJS } = await import('exceljs');
  const opened = source();
  const input = opened instanceof Readable ? opened : Readable.from(opened, { objectMode: false });
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  // The reader names each sheet from the workbook's list (not in exceljs's types).
  const sheetsInTabOrder = () => (workbook as unknown as { model?: { sheets?: { name?: string }[] } }).model?.sheets ?? [];
  try {
    for await (const sheet of workbook) {
      const first = sheetsInTabOrder()[0]?.name;
      const name = (sheet as unknown as { name?: string }).name;
      if (first !== undefined && name !== undefined && name !== first) continue;
      for await (const row of sheet) {
        const cells: unknown[] = [];
        row.eachCell((cell, column) => {
          cells[column - 1] = plainCell(cell.value);
        });
        yield { number: row.number, cells };
      }
      return;
    }
    throw new MetFileUnreadable('The file is a zip archive but has no worksheet: save the sheet as an Excel workbook (.xlsx) or as CSV and import it again.');
  } catch (err) {
    if (err instanceof MetFileUnreadable) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new MetFileUnreadable(`The file looks like an Excel workbook (.xlsx) but cannot be read (${reason}): open it in Excel and save it again as .xlsx or as CSV.`);
  } finally {
    input.destroy();
  }
}

/** A cell's value as text, number, boolean or Date: rich text as its text, a formula as its result, an error as its code (#N/A), a link as its text. */
function plainCell(value: CellValue): string | number | boolean | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((run) => run.text ?? '').join('');
  if ('error' in value) return value.error;
  if ('hyperlink' in value) return value.text;
  if ('result' in value) return plainCell(value.result);
  return null;
}

/** The imported rows of a period, as the published layout's values. */
export async function* importedMetRows(svc: Services, from: string, toExclusive: string): AsyncGenerator<string[][]> {
  const force = await getForce(svc);
  for await (const page of importedContentPages(svc.database.db, force.id, from, toExclusive)) yield page.map((content) => reportToMetRow(content));
}

/** Cedar's own recorded reports of a period (never drafts, nor discarded ones), as the published layout's values. */
export async function* cedarMetRows(svc: Services, from: string, toExclusive: string): AsyncGenerator<string[][]> {
  const force = await getForce(svc);
  for await (const page of recordedContentPages(svc.database.db, force.id, from, toExclusive)) {
    yield page.map((r) => reportToMetRow(readContent(r.content).content, { boroughName: () => r.boroughName }));
  }
}
