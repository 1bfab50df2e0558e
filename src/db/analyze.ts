import { sql } from 'kysely';
import type { DatabaseKind, Executor } from './database.js';
import type { DB } from './schema.js';

/** Rows an import must add before its tables' statistics are refreshed: below this the planner's picture hardly changes. */
export const ANALYZE_AFTER_ROWS = 10_000;

/**
 * Refreshes the query planner's statistics of tables a bulk import has just filled, so the
 * next query plans with them rather than waiting for autovacuum (on PostgreSQL, queries right
 * after a 150k-row import ran 10× slower until then). Called after the import's commit. On
 * SQLite `analysis_limit` samples each index instead of reading it whole, so this takes
 * milliseconds even on millions of rows.
 */
export async function analyzeTables(db: Executor, kind: DatabaseKind, tables: readonly (keyof DB)[]): Promise<void> {
  if (kind === 'sqlite') await sql`pragma analysis_limit = 1000`.execute(db);
  for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db);
}
