import { sql, type RawBuilder } from 'kysely';

/**
 * A force id column as an expression SQLite cannot look up by index (`force_id || ''`), for
 * queries with a better index on another column (an officer's, a device's, the open sign-outs').
 * With no statistics (nothing runs ANALYZE on a live database), SQLite takes the
 * `(force_id, source_key)` unique indexes as selective for `force_id = ?` and reads every row of
 * the force through them: 7–14 ms on the demo's 54,000 sign-outs, against 0.3 ms. PostgreSQL
 * plans it as the column.
 */
export function forceIdUnindexed(column: string): RawBuilder<string> {
  return sql<string>`${sql.ref(column)} || ''`;
}
