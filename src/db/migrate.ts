import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_officer_status_index.js';
import * as m0003 from './migrations/0003_reports.js';
import * as m0004 from './migrations/0004_report_amendment.js';
import * as m0005 from './migrations/0005_force_home_office_name.js';
import * as m0006 from './migrations/0006_report_facts_and_imports.js';
import * as m0007 from './migrations/0007_statistics_paging_index.js';
import * as m0008 from './migrations/0008_imported_row_apart.js';
import * as m0009 from './migrations/0009_releases.js';
import * as m0011 from './migrations/0011_home_office_tables.js';
import * as m0012 from './migrations/0012_statistics_uses_index.js';
import * as m0013 from './migrations/0013_training.js';
import * as m0014 from './migrations/0014_training_corrections.js';
import * as m0015 from './migrations/0015_account_security.js';
import * as m0016 from './migrations/0016_report_revision.js';
import * as m0017 from './migrations/0017_referral_outcomes.js';
import * as m0018 from './migrations/0018_release_corrections_audit_key.js';
import * as m0019 from './migrations/0019_devices.js';
import * as m0020 from './migrations/0020_device_quarantine_proposals.js';
import * as m0021 from './migrations/0021_device_store_index.js';
import * as m0022 from './migrations/0022_change_counters.js';
import * as m0023 from './migrations/0023_device_logs.js';
import * as m0024 from './migrations/0024_shifts.js';
import * as m0025 from './migrations/0025_roster_counter.js';
import * as m0026 from './migrations/0026_officer_search_index.js';
import * as m0027 from './migrations/0027_imported_report_index.js';
import * as m0028 from './migrations/0028_report_index.js';

/** Migrations are listed here, in order, so they are bundled with the code and never looked up on disk. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_officer_status_index': m0002,
  '0003_reports': m0003,
  '0004_report_amendment': m0004,
  '0005_force_home_office_name': m0005,
  '0006_report_facts_and_imports': m0006,
  '0007_statistics_paging_index': m0007,
  '0008_imported_row_apart': m0008,
  '0009_releases': m0009,
  '0011_home_office_tables': m0011,
  '0012_statistics_uses_index': m0012,
  '0013_training': m0013,
  '0014_training_corrections': m0014,
  '0015_account_security': m0015,
  '0016_report_revision': m0016,
  '0017_referral_outcomes': m0017,
  '0018_release_corrections_audit_key': m0018,
  '0019_devices': m0019,
  '0020_device_quarantine_proposals': m0020,
  '0021_device_store_index': m0021,
  '0022_change_counters': m0022,
  '0023_device_logs': m0023,
  '0024_shifts': m0024,
  '0025_roster_counter': m0025,
  '0026_officer_search_index': m0026,
  '0027_imported_report_index': m0027,
  '0028_report_index': m0028,
};

/** Every migration this Cedar has, in order (a backup with others was made by another version). */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

/** The migrations up to and including `last`, in order: for testing an upgrade from an older schema. */
export function migrationsUpTo(last: string): Record<string, Migration> {
  if (!(last in MIGRATIONS)) throw new Error(`There is no migration called ${last}`);
  return Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name <= last));
}

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export interface MigrationSummary {
  applied: string[];
  total: number;
}

/** `schema`: keep Kysely's bookkeeping tables in this PostgreSQL schema (it looks for them across all schemas otherwise). */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<MigrationSummary> {
  const migrator = new Migrator({ db, provider: new StaticProvider(), ...(schema ? { migrationTableSchema: schema } : {}) });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const err = new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String((result.error as Error).message ?? result.error)}`);
    (err as Error & { cause?: unknown }).cause = result.error;
    throw err;
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    total: Object.keys(MIGRATIONS).length,
  };
}
