import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { appendAudit, type NewAuditEntry } from '../db/repositories/audit.js';
import type { DB } from '../db/schema.js';
import type { RoleGrant } from '../domain/permissions.js';
import type { ReportPolicy } from '../domain/report/workflow.js';

/** Who is acting: a signed-in account, an API token's account, or the system (CLI, start-up). */
export interface Actor {
  userId: string | null;
  label: string;
  grants: RoleGrant[];
  /** The officer record the account is linked to, when the caller has read the account already (a signed-in request has); otherwise it is read when needed. */
  officerId?: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, label: 'system', grants: [] };

export function cliActor(): Actor {
  const user = process.env.SUDO_USER ?? process.env.USER ?? 'unknown';
  return { userId: null, label: `cli:${user}`, grants: [] };
}

export interface Services {
  database: Database;
  policy: { lockoutAttempts: number; lockoutMinutes: number; sessionHours: number; report: ReportPolicy };
  /**
   * The clock. Services read the time only from here (or from a `now` they are given), so
   * the demo and the tests can run at any fixed instant; only the edge (main, the CLI) uses
   * the wall clock.
   */
  now(): Date;
  /** The audit key (CEDAR_AUDIT_KEY): every audit entry's hash is an HMAC with it. Null only where no key is set up (some tests, the bench). */
  auditKey: Buffer | null;
}

/** The wall clock, for the edge of the program (main, the CLI, the bench). */
export const wallClock = (): Date => new Date();

/** A clock stopped at one instant (tests, the demo at a given date). */
export const fixedClock = (at: Date | string): (() => Date) => {
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(t)) throw new Error(`Not an instant: ${String(at)}`);
  return () => new Date(t);
};

/** Writes audit entries for the actor, in the change's transaction. Pass many at once for bulk work. */
export type AuditInput = Omit<NewAuditEntry, 'actorUserId' | 'actorLabel'>;
export type Audit = (entries: AuditInput | readonly AuditInput[]) => Promise<void>;

/**
 * Runs a change and its audit entries in one transaction: either both are stored or neither.
 * The entries are appended to the chain when the work is done, just before the commit: on
 * PostgreSQL the append takes the chain's lock, held to the commit, so unrelated changes wait
 * for each other's append alone, not for the whole of each other's work.
 */
export async function change<T>(svc: Services, actor: Actor, work: (trx: Transaction<DB>, audit: Audit) => Promise<T>): Promise<T> {
  return svc.database.db.transaction().execute(async (trx) => {
    const pending: AuditInput[] = [];
    const audit: Audit = async (entries) => {
      if (Array.isArray(entries)) for (const e of entries as readonly AuditInput[]) pending.push(e);
      else pending.push(entries as AuditInput);
    };
    const result = await work(trx, audit);
    await appendAudit(
      trx,
      svc.database.kind,
      pending.map((e) => ({ ...e, actorUserId: actor.userId, actorLabel: actor.label })),
      { key: svc.auditKey, at: svc.now() },
    );
    return result;
  });
}

export interface Page {
  page: number;
  pageSize: number;
}

export function pageWindow(p: Page): { offset: number; limit: number } {
  const page = Math.max(1, Math.floor(p.page));
  return { offset: (page - 1) * p.pageSize, limit: p.pageSize };
}
