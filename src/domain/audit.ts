import { createHash } from 'node:crypto';

/**
 * The audit log is a hash chain: each entry stores the hash of the entry before it and
 * a hash over its own content and that previous hash. Changing, removing or reordering
 * any entry breaks every hash after it.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  seq: number;
  id: string;
  occurredAt: string;
  actorUserId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  /** JSON text: a summary of the change (before/after of the fields that changed). */
  summary: string;
}

export interface AuditEntry extends AuditContent {
  prevHash: string;
  hash: string;
}

/** JSON with keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function entryHash(content: AuditContent, prevHash: string): string {
  const { seq, id, occurredAt, actorUserId, actorLabel, action, entityType, entityId, summary } = content;
  const body = canonicalJson({ seq, id, occurredAt, actorUserId, actorLabel, action, entityType, entityId, summary });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export type ChainCheck =
  | { ok: true; checked: number; lastHash: string }
  | { ok: false; checked: number; brokenAt: { seq: number; id: string }; reason: string };

/**
 * Checks entries in `seq` order. Call repeatedly with the `state` it returns to verify a
 * long log in pages without holding it all in memory.
 */
export function verifyChainPage(
  entries: readonly AuditEntry[],
  state: { prevHash: string; prevSeq: number; checked: number } = { prevHash: GENESIS_HASH, prevSeq: 0, checked: 0 },
): { result: ChainCheck | null; state: { prevHash: string; prevSeq: number; checked: number } } {
  let { prevHash, prevSeq, checked } = state;
  for (const e of entries) {
    const fail = (reason: string) => ({
      result: { ok: false as const, checked, brokenAt: { seq: e.seq, id: e.id }, reason },
      state: { prevHash, prevSeq, checked },
    });
    if (e.seq !== prevSeq + 1) return fail(`entry ${e.seq} follows entry ${prevSeq}: an entry is missing`);
    if (e.prevHash !== prevHash) return fail(`entry ${e.seq} does not point at the hash of entry ${prevSeq}`);
    if (entryHash(e, e.prevHash) !== e.hash) return fail(`entry ${e.seq} has been altered: its content does not match its hash`);
    prevHash = e.hash;
    prevSeq = e.seq;
    checked += 1;
  }
  return { result: null, state: { prevHash, prevSeq, checked } };
}

export function verifyChain(entries: readonly AuditEntry[]): ChainCheck {
  const { result, state } = verifyChainPage(entries);
  return result ?? { ok: true, checked: state.checked, lastHash: state.prevHash };
}
