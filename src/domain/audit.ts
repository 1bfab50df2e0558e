import { createHash, createHmac } from 'node:crypto';

/**
 * The audit log is a hash chain: each entry stores the hash of the entry before it and
 * a hash over its own content and that previous hash. Changing, removing or reordering
 * any entry breaks every hash after it.
 *
 * Anyone who can write to the database could still rewrite the chain from some point and
 * hash it again, or cut off its newest entries. Two things stop that going unseen:
 *
 * - **A key held outside the database** (`CEDAR_AUDIT_KEY`): a keyed entry's hash is an
 *   HMAC-SHA-256 with that key, so an entry re-hashed without the key does not match. Logs
 *   written before Cedar had a key keep their plain SHA-256 entries (they still verify);
 *   the chain is keyed from its first keyed entry on, and once keyed it never goes back:
 *   an unkeyed entry after a keyed one, or a chain whose newest entry is not keyed while a
 *   key is in use, means it was re-hashed without the key.
 * - **A published head**: each monthly release publishes the chain's length and newest
 *   hash at that moment. A log that is shorter, or whose entry at that position has
 *   another hash, lost entries or was rewritten.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** The smallest key Cedar accepts: 32 bytes (256 bits), the HMAC-SHA-256 block's worth of secret. */
export const AUDIT_KEY_MIN_BYTES = 32;

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
  /** The hash is an HMAC with the audit key (false for entries written before Cedar had one). */
  keyed: boolean;
}

/** The newest entry of the chain: its position (the chain's length) and its hash. */
export interface AuditHead {
  seq: number;
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

/** The entry's hash: HMAC-SHA-256 with `key` when given, else SHA-256 (entries from before the log was keyed). */
export function entryHash(content: AuditContent, prevHash: string, key: Uint8Array | null = null): string {
  const { seq, id, occurredAt, actorUserId, actorLabel, action, entityType, entityId, summary } = content;
  const body = canonicalJson({ seq, id, occurredAt, actorUserId, actorLabel, action, entityType, entityId, summary });
  const h = key ? createHmac('sha256', key) : createHash('sha256');
  return h.update(prevHash).update('\n').update(body).digest('hex');
}

export type ChainCheck =
  { ok: true; checked: number; lastSeq: number; lastHash: string; keyedFrom: number | null } | { ok: false; checked: number; brokenAt: { seq: number; id: string }; reason: string };

export interface ChainState {
  prevHash: string;
  prevSeq: number;
  checked: number;
  /** The first keyed entry seen, if any: every later entry must be keyed too. */
  keyedFrom: number | null;
  /** The newest entry's id (to name it when the chain ends badly). */
  prevId?: string;
}

export const START_STATE: ChainState = { prevHash: GENESIS_HASH, prevSeq: 0, checked: 0, keyedFrom: null };

/**
 * Checks entries in `seq` order, with the audit key if there is one. Call repeatedly with the
 * `state` it returns to verify a long log in pages without holding it all in memory, then
 * `endOfChain` for the verdict on the whole.
 */
export function verifyChainPage(entries: readonly AuditEntry[], state: ChainState = START_STATE, key: Uint8Array | null = null): { result: ChainCheck | null; state: ChainState } {
  let { prevHash, prevSeq, checked, keyedFrom, prevId } = state;
  for (const e of entries) {
    const fail = (reason: string) => ({
      result: { ok: false as const, checked, brokenAt: { seq: e.seq, id: e.id }, reason },
      state: { prevHash, prevSeq, checked, keyedFrom, prevId },
    });
    if (e.seq !== prevSeq + 1) return fail(`entry ${e.seq} follows entry ${prevSeq}: an entry is missing`);
    if (e.prevHash !== prevHash) return fail(`entry ${e.seq} does not point at the hash of entry ${prevSeq}`);
    if (e.keyed) {
      if (!key) return fail(`entry ${e.seq} is keyed: it can only be checked with the audit key (CEDAR_AUDIT_KEY)`);
      if (entryHash(e, e.prevHash, key) !== e.hash) {
        return fail(`entry ${e.seq} has been altered or re-hashed: it does not match its keyed hash (or CEDAR_AUDIT_KEY is not the key the log was written with)`);
      }
      keyedFrom ??= e.seq;
    } else {
      if (keyedFrom !== null) return fail(`entry ${e.seq} is not keyed although the log is keyed from entry ${keyedFrom}: it was re-hashed without the key`);
      if (entryHash(e, e.prevHash) !== e.hash) return fail(`entry ${e.seq} has been altered: its content does not match its hash`);
    }
    prevHash = e.hash;
    prevSeq = e.seq;
    prevId = e.id;
    checked += 1;
  }
  return { result: null, state: { prevHash, prevSeq, checked, keyedFrom, prevId } };
}

/**
 * The verdict once every entry has passed `verifyChainPage`. With a key in use, the newest
 * entry must be keyed: Cedar keys every entry it writes once it has a key (and marks the
 * switch with an entry of its own), so a log with no keyed entry at its end was re-hashed
 * without the key.
 */
export function endOfChain(state: ChainState, key: Uint8Array | null = null): ChainCheck {
  if (key && state.checked > 0 && state.keyedFrom === null) {
    return {
      ok: false,
      checked: state.checked - 1,
      brokenAt: { seq: state.prevSeq, id: state.prevId ?? '' },
      reason: `entry ${state.prevSeq}, the newest, is not keyed although Cedar keys every entry it writes with CEDAR_AUDIT_KEY: the log was re-hashed without the key`,
    };
  }
  return { ok: true, checked: state.checked, lastSeq: state.prevSeq, lastHash: state.prevHash, keyedFrom: state.keyedFrom };
}

export function verifyChain(entries: readonly AuditEntry[], key: Uint8Array | null = null): ChainCheck {
  const { result, state } = verifyChainPage(entries, START_STATE, key);
  return result ?? endOfChain(state, key);
}

/**
 * Whether an intact chain still holds a head published earlier: it must reach that far, and
 * its entry there must have the published hash. `hashAtSeq` is the chain's hash at `head.seq`.
 */
export function checkHead(chain: { lastSeq: number }, head: AuditHead, hashAtSeq: string | undefined): { ok: true } | { ok: false; reason: string } {
  if (head.seq > chain.lastSeq) {
    return {
      ok: false,
      reason: `the log ends at entry ${chain.lastSeq}, but its head was entry ${head.seq} when it was published: entries ${chain.lastSeq + 1} to ${head.seq} (at least) have been deleted`,
    };
  }
  if (hashAtSeq !== head.hash) return { ok: false, reason: `entry ${head.seq} does not have the hash published for it: the log has been rewritten` };
  return { ok: true };
}

/** Reads a head given as `SEQ:HASH` (the chain's length and its newest hash). Throws a message saying what is wrong. */
export function parseAuditHead(text: string): AuditHead {
  const m = /^\s*(\d{1,15}):([0-9a-fA-F]{64})\s*$/.exec(text);
  if (!m) throw new Error(`Give the head as SEQ:HASH, the entry number and its 64-character hash, like 1234:${'ab'.repeat(32)} (you gave "${text}")`);
  const seq = Number(m[1]);
  if (seq < 1) throw new Error(`The head's entry number must be 1 or more (you gave ${m[1]})`);
  return { seq, hash: m[2]!.toLowerCase() };
}

/**
 * Reads an audit key: 64 or more hex digits, or base64 of 32 or more bytes (`openssl rand
 * -hex 32`, `openssl rand -base64 32`). Throws a message saying what is wrong (never the key).
 */
export function parseAuditKey(text: string): Buffer {
  const t = text.trim();
  let bytes: Buffer;
  if (/^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0) bytes = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  else throw new Error('must be hex or base64 (make one with: openssl rand -hex 32)');
  if (bytes.length < AUDIT_KEY_MIN_BYTES) throw new Error(`is ${bytes.length} bytes: at least ${AUDIT_KEY_MIN_BYTES} are needed (make one with: openssl rand -hex 32)`);
  return bytes;
}
