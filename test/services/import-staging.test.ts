import { readFileSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertBoroughs } from '../../src/db/repositories/organisation.js';
import { MET_COLUMNS } from '../../src/domain/met/layout.js';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { SYSTEM_ACTOR, change, type Services } from '../../src/services/context.js';
import { importMetFile } from '../../src/services/met-import.js';
import { ensureForce } from '../../src/services/setup.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';

/*
 * Issue 10, item 8: an import must not stop Cedar writing. A Met-format import reads and
 * stages the whole file apart from the live tables, holding no lock on them, and stores its
 * rows in one short transaction at the end: others (another process, or this one) write while
 * it reads, and its rows appear all at once.
 */

const SAMPLE = readFileSync(new URL('../fixtures/met/met-use-of-force-sample.csv', import.meta.url));
const SAMPLE_ROWS = (parse(SAMPLE, { bom: true }) as string[][]).slice(1);
const DATE = MET_COLUMNS.indexOf('IncidentDate');
/** A CSV of `n` rows made from the sample's, each on its own day so that every one is new; `from` shifts the days. */
function rowsOnDays(n: number, from = 0): Buffer {
  const rows = Array.from({ length: n }, (_, i) => {
    const row = [...SAMPLE_ROWS[i % SAMPLE_ROWS.length]!];
    row[DATE] = new Date(Date.UTC(1990, 0, 1) + (from + i) * 86_400_000).toISOString().slice(0, 10);
    return row;
  });
  return Buffer.from(writeMetCsv(rows));
}

/** A liveness guard, not a timing: a write that deadlocks behind the import would never settle. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

describe.each(testDatabases())('a Met-format import beside other writers, on %s', (kind) => {
  let svc: TestServices;
  let forceId: string;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    forceId = (await ensureForce(svc, SYSTEM_ACTOR, { name: 'Metropolitan Police Service', homeOfficeRegion: 'London', homeOfficeName: 'Metropolitan' })).id;
  });
  afterAll(() => svc.cleanup());
  const count = async (table: 'imported_report' | 'imported_report_row' | 'borough' | 'audit_log') =>
    Number(
      (
        await svc.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const addBorough = (s: Services, name: string, code: string) =>
    change(s, SYSTEM_ACTOR, async (trx, audit) => {
      const [b] = await insertBoroughs(trx, forceId, [{ name, code }], svc.now().toISOString());
      await audit({ action: 'borough.create', entityType: 'borough', entityId: b!.id, summary: { name } });
    });

  /** Another process writing to the same database: a connection of its own, outside Cedar's code. */
  async function otherProcessWrites(name: string, code: string): Promise<void> {
    const loc = svc.location;
    if (loc.kind === 'sqlite') {
      const other = new SQLite(loc.file);
      try {
        other.pragma('busy_timeout = 0'); // it must get the lock now, not after the import
        other.exec('begin immediate');
        other.prepare(`insert into borough (id, force_id, name, code, created_at) values (?, ?, ?, ?, ?)`).run(`other-${code}`, forceId, name, code, new Date(0).toISOString());
        other.exec('commit');
      } finally {
        other.close();
      }
      return;
    }
    const client = new pg.Client({ connectionString: loc.url, options: `-c search_path=${loc.schema}` });
    await client.connect();
    try {
      await client.query(`set lock_timeout = '5s'`);
      await client.query(`insert into borough (id, force_id, name, code, created_at) values ($1, $2, $3, $4, $5)`, [`other-${code}`, forceId, name, code, new Date(0).toISOString()]);
    } finally {
      await client.end();
    }
  }

  it('holds no lock on the live tables while it reads: another process and this one write meanwhile, and its rows appear all at once', async () => {
    const before = { reports: await count('imported_report'), boroughs: await count('borough'), audit: await count('audit_log') };
    let checked = 0;
    const r = await importMetFile(
      svc,
      SYSTEM_ACTOR,
      { fileName: 'five-batches.csv', bytes: rowsOnDays(2500) },
      {
        onProgress: async () => {
          checked++;
          // Nothing of the file is visible while it is read.
          expect(await count('imported_report')).toBe(before.reports);
          // Before: the import held SQLite's write lock from its first batch to its end, so
          // another process got "database is locked", and this process's writes queued behind it.
          await otherProcessWrites(`Other ${checked}`, `O${checked}`);
          await within(addBorough(svc, `Ours ${checked}`, `U${checked}`), 20_000, 'a change of this process during the import');
        },
      },
    );
    expect(checked).toBe(5); // after each batch of 500 rows
    expect(r).toMatchObject({ problem: null, read: 2500, imported: 2500, alreadyPresent: 0, rejected: 0 });
    expect(await count('imported_report')).toBe(before.reports + 2500);
    expect(await count('imported_report_row')).toBe(before.reports + 2500);
    expect(await count('borough')).toBe(before.boroughs + 10);
    expect(await count('audit_log')).toBe(before.audit + 5 + 1);
  });

  it('runs beside another import of the same rows: both finish, and each row is stored once', async () => {
    const before = await count('imported_report');
    const file = rowsOnDays(1500, 5000);
    const [a, b] = await Promise.all([importMetFile(svc, SYSTEM_ACTOR, { fileName: 'same-a.csv', bytes: file }), importMetFile(svc, SYSTEM_ACTOR, { fileName: 'same-b.csv', bytes: file })]);
    expect(a.imported + b.imported).toBe(1500);
    expect(a.alreadyPresent + b.alreadyPresent).toBe(1500);
    expect(await count('imported_report')).toBe(before + 1500);
    expect(await count('imported_report_row')).toBe(before + 1500);
  });
});
