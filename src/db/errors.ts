/**
 * Errors of the database drivers, told apart at the database edge (SQLite through
 * better-sqlite3, PostgreSQL through pg).
 */

/**
 * Whether `err` is a unique constraint refusing a row (another writer stored the same key
 * first), optionally naming the constraint (PostgreSQL) or a column in it (SQLite's message
 * names the columns: `UNIQUE constraint failed: officer.force_id, officer.collar_number`).
 */
export function isUniqueViolation(err: unknown, constraint: { name: string; column: string }): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code === '23505') return e.constraint === undefined || e.constraint === constraint.name;
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return typeof e.message === 'string' && e.message.includes(constraint.column);
  return false;
}
