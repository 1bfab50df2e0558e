import type { Config } from '../config.js';
import { openDatabase, type Database, type DatabaseKind } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import * as org from '../db/repositories/organisation.js';
import type { Force } from '../domain/organisation.js';
import { DEFAULT_REPORT_POLICY, type ReportPolicy } from '../domain/report/workflow.js';
import { checkAuditKeyGiven, ensureAuditKeyed, openAuditKey } from './audit.js';
import { change, wallClock, type Actor, type Services } from './context.js';

export function servicesFor(
  database: Database,
  config: Pick<Config, 'lockoutAttempts' | 'lockoutMinutes' | 'sessionHours'> & { report?: ReportPolicy; auditKey?: Buffer | null },
  clock: () => Date = wallClock,
): Services {
  return {
    database,
    policy: { lockoutAttempts: config.lockoutAttempts, lockoutMinutes: config.lockoutMinutes, sessionHours: config.sessionHours, report: config.report ?? DEFAULT_REPORT_POLICY },
    now: clock,
    auditKey: config.auditKey ?? null,
  };
}

/**
 * Opens the configured database, brings its schema up to date and sets up the audit key
 * (`notices` says what a person should know, e.g. that a key file was created).
 */
export async function openServices(config: Config): Promise<Services & { migrated: string[]; notices: string[] }> {
  checkAuditKeyGiven(config.database.kind, config.auditKey);
  const database = await openDatabase(config.database.kind === 'sqlite' ? config.database : { kind: 'postgres', url: config.database.url });
  try {
    const { applied } = await migrateToLatest(database.db, database.schema);
    const { key, notice } = await openAuditKey(database, { key: config.auditKey, sqliteFile: config.database.kind === 'sqlite' ? config.database.file : null });
    const svc = servicesFor(database, { ...config, auditKey: key });
    await ensureAuditKeyed(svc);
    return { ...svc, migrated: applied, notices: notice ? [notice] : [] };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** Creates the force record if there is none yet. */
export async function ensureForce(svc: Services, actor: Actor, f: { name: string; homeOfficeRegion: string; homeOfficeName?: string }): Promise<Force> {
  const existing = await org.findForce(svc.database.db);
  if (existing) return existing;
  return change(svc, actor, async (trx, audit) => {
    const force = await org.insertForce(trx, f, svc.now().toISOString());
    await audit({ action: 'force.create', entityType: 'force', entityId: force.id, summary: { after: f } });
    return force;
  });
}

/** Closes the database the services use: the last thing a process does with them. */
export async function closeServices(svc: Services): Promise<void> {
  await svc.database.close();
}

/** Whether the database answers (the health check): one small read, and which kind of database it is. */
export async function databaseHealth(svc: Services): Promise<{ ok: boolean; kind: DatabaseKind }> {
  try {
    await org.findForce(svc.database.db);
    return { ok: true, kind: svc.database.kind };
  } catch {
    return { ok: false, kind: svc.database.kind };
  }
}

/**
 * Opens the configured database, brings its schema up to date and closes it (`cedar migrate`):
 * what was applied, how many migrations there are, and which kind of database it is.
 */
export async function migrateDatabase(config: Pick<Config, 'database'>): Promise<{ applied: string[]; total: number; kind: DatabaseKind }> {
  const database = await openDatabase(config.database);
  try {
    const { applied, total } = await migrateToLatest(database.db);
    return { applied, total, kind: database.kind };
  } finally {
    await database.close();
  }
}
