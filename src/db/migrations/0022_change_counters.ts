import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Change counters (issue 12, the fleet page's speed): any insert, update or delete of a watched
// table adds one to its counter in `change_counter`, in the same transaction, by trigger (so
// services, imports, the CLI, another process and raw SQL all count):
//   authority — training records, suspensions and withdrawals, officers, teams, boroughs;
//   devices   — devices, device models, device events.
// Caches of figures derived from those tables (training's force-wide authority, the fleet
// page) key on them: one primary-key read instead of aggregates over the tables, and never
// stale after a commit. SQLite fires per row; PostgreSQL per statement, first taking the audit
// chain's advisory lock (every change takes it anyway) so a counter row is only ever locked by
// that lock's holder: one lock order, no new deadlock between the two.
const WATCHED: Record<string, readonly string[]> = {
  authority: ['training_record', 'authority_restriction', 'officer', 'team', 'borough'],
  devices: ['device', 'device_model', 'device_event'],
};
const OPS = ['insert', 'update', 'delete'] as const;
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('change_counter')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('n', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db
    .insertInto('change_counter')
    .values(Object.keys(WATCHED).map((name) => ({ name, n: 0 })))
    .execute();
  if (isPostgres(db))
    await sql`create function cedar_count_change() returns trigger language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(7214190);
        update change_counter set n = n + 1 where name = TG_ARGV[0];
        return null;
      end $$`.execute(db);
  for (const [counter, tables] of Object.entries(WATCHED)) await countChanges(db, counter, tables);
}

/** Triggers that add one to `counter` on any change of these tables (later migrations add counters with it). */
export async function countChanges(db: Kysely<any>, counter: string, tables: readonly string[]): Promise<void> {
  for (const t of tables) {
    if (isPostgres(db))
      await sql`create trigger ${sql.raw(`${t}_counted`)} after insert or update or delete or truncate on ${sql.table(t)} for each statement execute function cedar_count_change(${sql.lit(counter)})`.execute(
        db,
      );
    else
      for (const op of OPS)
        await sql`create trigger ${sql.raw(`${t}_${op}_counted`)} after ${sql.raw(op)} on ${sql.table(t)} begin update change_counter set n = n + 1 where name = ${sql.lit(counter)}; end`.execute(db);
  }
}

/** Drops the triggers `countChanges` made on these tables. */
export async function stopCounting(db: Kysely<any>, tables: readonly string[]): Promise<void> {
  for (const t of tables) {
    if (isPostgres(db)) await sql`drop trigger if exists ${sql.raw(`${t}_counted`)} on ${sql.table(t)}`.execute(db);
    else for (const op of OPS) await sql`drop trigger if exists ${sql.raw(`${t}_${op}_counted`)}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await stopCounting(db, Object.values(WATCHED).flat());
  if (isPostgres(db)) await sql`drop function if exists cedar_count_change()`.execute(db);
  await db.schema.dropTable('change_counter').execute();
}
