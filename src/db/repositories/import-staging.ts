import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import { ownPostgresClient, type DatabaseKind } from '../database.js';
import type { DB, ImportedReportTable } from '../schema.js';

/** An imported report as staged: its narrow columns and its published row. */
export type StagedReport = ImportedReportTable & { row: string };

const STAGE = 'stage_imported_report';
const SQLITE_ROWS = 200;

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const COPY_SPECIAL = /[\\\t\n\r]/;
/** A value in COPY's text format: \N for null; backslash, tab, line feed and carriage return escaped. */
export function copyText(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const text = String(v);
  return COPY_SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : text;
}

export interface ReportStage {
  /** Holds rows apart from the live tables: no lock on them is taken, nobody else sees them. */
  add(rows: readonly StagedReport[]): Promise<void>;
  /**
   * Copies the staged rows Cedar does not hold yet (by force and source key) into the live
   * tables, in the caller's transaction: the only moment the import writes to them.
   */
  publish(trx: Transaction<DB>): Promise<{ staged: number; inserted: number }>;
}

/**
 * Runs `work` with a stage for imported reports: a temporary table of `db`'s connection (it
 * must be one connection of its own: see withOwnConnection), private to it and gone when the
 * connection closes, also when the process is killed. Writing to it takes no lock on the live
 * tables (on SQLite it is another file; on PostgreSQL other sessions never see it).
 */
export async function withReportStage<T>(db: Kysely<DB>, kind: DatabaseKind, work: (stage: ReportStage) => Promise<T>): Promise<T> {
  const qualified = sql.raw(`${kind === 'sqlite' ? 'temp' : 'pg_temp'}.${STAGE}`);
  await sql`drop table if exists ${qualified}`.execute(db);
  await sql`create temp table ${sql.raw(STAGE)} as select i.*, r.row from imported_report i join imported_report_row r on r.id = i.id where 1 = 0`.execute(db);
  let staged = 0;
  /** The batch the server is storing (PostgreSQL). */
  let copying: Promise<void> = Promise.resolve();
  let columns: (keyof StagedReport)[] | null = null;
  /** The columns as a statement lists them, worked out with `columns`. */
  let columnList = '';
  /** The SQLite statement for `n` rows, by n: the same text each time, so the connection keeps it prepared. */
  const inserts = new Map<number, string>();
  const insertOf = (n: number) => {
    let text = inserts.get(n);
    if (!text) {
      const one = `(${columns!.map(() => '?').join(',')})`;
      inserts.set(n, (text = `insert into ${STAGE} (${columnList}) values ${Array.from({ length: n }, () => one).join(',')}`));
    }
    return text;
  };
  const stage: ReportStage = {
    async add(rows) {
      if (rows.length === 0) return;
      if (!columns) {
        columns = Object.keys(rows[0]!) as (keyof StagedReport)[];
        columnList = columns.map((c) => `"${c}"`).join(',');
      }
      // Written as it is, not through the query builder: building a statement of a few thousand
      // values, batch after batch, cost more than storing them.
      if (kind === 'postgres') {
        // COPY, a batch at a time. The server stores one batch while the next is read: this
        // waits only for the batch before.
        await copying;
        const client = ownPostgresClient(db);
        if (!client) throw new Error('A PostgreSQL stage needs a connection of its own: open it with withOwnConnection');
        const cols = columns;
        const text = rows.map((r) => cols.map((c) => copyText(r[c])).join('\t')).join('\n') + '\n';
        const copy = client.query(copyFrom(`copy ${STAGE} (${columnList}) from stdin`));
        copying = new Promise<void>((resolve, reject) => copy.on('finish', resolve).on('error', reject));
        // Its failure is thrown by the next add or by publish, whichever comes first; if neither
        // comes, the work has already failed for its own reason.
        copying.catch(() => {});
        copy.end(Buffer.from(text));
      } else {
        // SQLITE_ROWS rows a statement keeps within SQLite's limit on bound values, and its text short enough to be kept prepared.
        for (let i = 0; i < rows.length; i += SQLITE_ROWS) {
          const chunk = rows.slice(i, i + SQLITE_ROWS);
          const values: unknown[] = [];
          for (const r of chunk) for (const c of columns) values.push(r[c]);
          await db.executeQuery(CompiledQuery.raw(insertOf(chunk.length), values));
        }
      }
      staged += rows.length;
    },
    async publish(trx) {
      await copying;
      if (!columns) return { staged, inserted: 0 };
      const list = sql.join(columns.filter((c) => c !== 'row').map((c) => sql.ref(c)));
      // In source-key order, so that two imports publishing the same rows at once on
      // PostgreSQL take the rows' locks in the same order (one waits; neither deadlocks).
      const added = await sql`insert into imported_report (${list}) select ${list} from ${sql.raw(STAGE)} where true order by source_key
        on conflict (force_id, source_key) do nothing`.execute(trx);
      await sql`insert into imported_report_row (id, row) select s.id, s.row from ${sql.raw(STAGE)} s
        where exists (select 1 from imported_report i where i.id = s.id)`.execute(trx);
      return { staged, inserted: Number(added.numAffectedRows ?? 0n) };
    },
  };
  try {
    return await work(stage);
  } finally {
    // A pooled PostgreSQL connection lives on: its temporary table must not. Should this fail
    // (the connection is broken), the table goes with the session, and a stage on a reused
    // connection starts by dropping it: never a reason to hide what `work` did or threw.
    await sql`drop table if exists ${qualified}`.execute(db).catch(() => {});
  }
}
