import { sql } from 'kysely';
import { GENESIS_HASH, entryHash, type AuditEntry, type AuditHead } from '../../domain/audit.js';
import type { DatabaseKind, Executor } from '../database.js';
import { newId } from '../ids.js';
import type { AuditLogTable } from '../schema.js';

const toEntry = (r: AuditLogTable): AuditEntry => ({
  seq: Number(r.seq),
  id: r.id,
  occurredAt: r.occurred_at,
  actorUserId: r.actor_user_id,
  actorLabel: r.actor_label,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  summary: r.summary,
  prevHash: r.prev_hash,
  hash: r.hash,
  keyed: Number(r.keyed) === 1,
});

export interface NewAuditEntry {
  actorUserId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  summary: unknown;
}

/**
 * Appends entries to the chain, in order. Must be called inside the transaction that makes
 * the change. On PostgreSQL a transaction-scoped advisory lock serialises writers so two
 * transactions cannot both chain onto the same entry; SQLite allows one writer at a time.
 * Many entries cost one read of the chain's head and batched inserts. With `key` (the audit
 * key, CEDAR_AUDIT_KEY) each entry's hash is an HMAC with it; `at` is when they occurred.
 */
export async function appendAudit(trx: Executor, kind: DatabaseKind, entries: readonly NewAuditEntry[], opts: { key?: Uint8Array | null; at: Date }): Promise<AuditEntry[]> {
  if (entries.length === 0) return [];
  if (kind === 'postgres') await sql`select pg_advisory_xact_lock(7214190)`.execute(trx);
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  let seq = last ? Number(last.seq) : 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const key = opts.key ?? null;
  const occurredAt = opts.at.toISOString();
  const written: AuditEntry[] = entries.map((e) => {
    const content = {
      seq: ++seq,
      id: newId(),
      occurredAt,
      actorUserId: e.actorUserId,
      actorLabel: e.actorLabel,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      summary: JSON.stringify(e.summary ?? {}),
    };
    const entry = { ...content, prevHash, hash: entryHash(content, prevHash, key), keyed: key !== null };
    prevHash = entry.hash;
    return entry;
  });
  for (let i = 0; i < written.length; i += 500) {
    await trx
      .insertInto('audit_log')
      .values(
        written.slice(i, i + 500).map((e) => ({
          seq: e.seq,
          id: e.id,
          occurred_at: e.occurredAt,
          actor_user_id: e.actorUserId,
          actor_label: e.actorLabel,
          action: e.action,
          entity_type: e.entityType,
          entity_id: e.entityId,
          summary: e.summary,
          prev_hash: e.prevHash,
          hash: e.hash,
          keyed: e.keyed ? 1 : 0,
        })),
      )
      .execute();
  }
  return written;
}

export interface AuditFilter {
  action?: string;
  entityType?: string;
  entityId?: string;
  actorUserId?: string;
  /** Inclusive `YYYY-MM-DD` bounds on the UTC date. */
  from?: string;
  to?: string;
}

function filtered(db: Executor, f: AuditFilter) {
  let q = db.selectFrom('audit_log');
  if (f.action) q = q.where('action', '=', f.action);
  if (f.entityType) q = q.where('entity_type', '=', f.entityType);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.actorUserId) q = q.where('actor_user_id', '=', f.actorUserId);
  if (f.from) q = q.where('occurred_at', '>=', `${f.from}T00:00:00.000Z`);
  if (f.to) q = q.where('occurred_at', '<', nextDay(f.to));
  return q;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

export async function listAudit(db: Executor, f: AuditFilter, page: { offset: number; limit: number }): Promise<{ entries: AuditEntry[]; total: number }> {
  const total = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await filtered(db, f).selectAll().orderBy('seq', 'desc').offset(page.offset).limit(page.limit).execute();
  return { entries: rows.map(toEntry), total: Number(total.n) };
}

export async function listAuditActions(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute();
  return rows.map((r) => r.action);
}

/** Entries in chain order after `afterSeq`, a page at a time (for verification). */
export async function auditPage(db: Executor, afterSeq: number, limit: number): Promise<AuditEntry[]> {
  const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  return rows.map(toEntry);
}

export async function countAudit(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The newest entry: the chain's length (its seq) and hash, and whether it is keyed. Undefined for an empty log. */
export async function auditHead(db: Executor): Promise<(AuditHead & { keyed: boolean }) | undefined> {
  const r = await db.selectFrom('audit_log').select(['seq', 'hash', 'keyed']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return r && { seq: Number(r.seq), hash: r.hash, keyed: Number(r.keyed) === 1 };
}

/** The hash of entry `seq`, if there is one. */
export async function auditHashAt(db: Executor, seq: number): Promise<string | undefined> {
  const r = await db.selectFrom('audit_log').select('hash').where('seq', '=', seq).executeTakeFirst();
  return r?.hash;
}

/** The first keyed entry's seq, or null when no entry is keyed yet. */
export async function firstKeyedSeq(db: Executor): Promise<number | null> {
  const r = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.min('seq').as('seq'))
    .where('keyed', '=', 1)
    .executeTakeFirst();
  return r?.seq === null || r?.seq === undefined ? null : Number(r.seq);
}
