import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalJson, checkHead, endOfChain, entryHash, parseAuditHead, parseAuditKey, verifyChain, verifyChainPage, START_STATE, type AuditEntry } from '../../src/domain/audit.js';

const KEY = Buffer.alloc(32, 7);
const WRONG_KEY = Buffer.alloc(32, 8);

/** A chain of n entries; entries from `keyedFrom` on are keyed with `key`. */
function chain(n: number, opts: { keyedFrom?: number; key?: Buffer } = {}): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const content = {
      seq: i,
      id: `id-${i}`,
      occurredAt: `2026-01-0${(i % 9) + 1}T10:00:00.000Z`,
      actorUserId: 'u1',
      actorLabel: 'a@b.org',
      action: 'officer.update',
      entityType: 'officer',
      entityId: `o${i}`,
      summary: JSON.stringify({ n: i }),
    };
    const keyed = opts.keyedFrom !== undefined && i >= opts.keyedFrom;
    const hash = entryHash(content, prev, keyed ? (opts.key ?? KEY) : null);
    out.push({ ...content, prevHash: prev, hash, keyed });
    prev = hash;
  }
  return out;
}

/** What someone with write access to the database but not the key can do: hash every entry from `from` again with plain SHA-256 (or another key). */
function rehashFrom(c: AuditEntry[], from: number, key: Buffer | null, keyed: boolean): AuditEntry[] {
  const out = c.slice(0, from - 1);
  let prev = out.at(-1)?.hash ?? GENESIS_HASH;
  for (const e of c.slice(from - 1)) {
    const altered = e.seq === from ? { ...e, summary: '{"n":"rewritten"}' } : e;
    const hash = entryHash(altered, prev, key);
    out.push({ ...altered, prevHash: prev, hash, keyed });
    prev = hash;
  }
  return out;
}

describe('hash-chained audit log', () => {
  it('canonical JSON sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('accepts an intact chain, including an empty one', () => {
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, lastSeq: 0, lastHash: GENESIS_HASH, keyedFrom: null });
    const c = chain(5);
    expect(verifyChain(c)).toEqual({ ok: true, checked: 5, lastSeq: 5, lastHash: c[4]!.hash, keyedFrom: null });
  });

  it.each([
    ['an altered summary', (c: AuditEntry[]) => (c[2] = { ...c[2]!, summary: '{"n":99}' }), 3, /altered/],
    ['an altered actor', (c: AuditEntry[]) => (c[1] = { ...c[1]!, actorLabel: 'someone@else.org' }), 2, /altered/],
    ['a removed entry', (c: AuditEntry[]) => c.splice(2, 1), 4, /missing/],
    ['swapped entries', (c: AuditEntry[]) => ([c[1], c[2]] = [c[2]!, c[1]!]), 3, /follows entry 1/],
    [
      'a rehashed entry that no longer links',
      (c: AuditEntry[]) => {
        const e = { ...c[2]!, summary: '{"n":42}' };
        c[2] = { ...e, hash: entryHash(e, e.prevHash) };
      },
      4,
      /does not point at/,
    ],
  ])('detects %s and names the first broken entry', (_name, tamper, brokenSeq, reason) => {
    const c = chain(5);
    tamper(c);
    const result = verifyChain(c);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.brokenAt.seq).toBe(brokenSeq);
      expect(result.reason).toMatch(reason);
    }
  });

  it('verifies page by page with the same result as all at once', () => {
    const c = chain(10, { keyedFrom: 4 });
    let state = START_STATE;
    for (let i = 0; i < 10; i += 3) {
      const step = verifyChainPage(c.slice(i, i + 3), state, KEY);
      expect(step.result).toBeNull();
      state = step.state;
    }
    expect(state).toMatchObject({ prevHash: c[9]!.hash, prevSeq: 10, checked: 10, keyedFrom: 4 });
    expect(endOfChain(state, KEY)).toEqual(verifyChain(c, KEY));
  });
});

describe('keyed audit log (HMAC with CEDAR_AUDIT_KEY)', () => {
  it('accepts a chain keyed from the start, and one keyed from some entry on (entries from before the key still verify)', () => {
    const all = chain(5, { keyedFrom: 1 });
    expect(verifyChain(all, KEY)).toMatchObject({ ok: true, checked: 5, keyedFrom: 1, lastSeq: 5, lastHash: all[4]!.hash });
    expect(verifyChain(chain(5, { keyedFrom: 3 }), KEY)).toMatchObject({ ok: true, checked: 5, keyedFrom: 3 });
  });

  it('a keyed hash is not the plain SHA-256 and depends on the key', () => {
    const [e] = chain(1);
    expect(entryHash(e!, GENESIS_HASH, KEY)).not.toBe(entryHash(e!, GENESIS_HASH));
    expect(entryHash(e!, GENESIS_HASH, KEY)).not.toBe(entryHash(e!, GENESIS_HASH, WRONG_KEY));
    expect(entryHash(e!, GENESIS_HASH, KEY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['re-hashed from entry 3 with plain SHA-256, still marked keyed', (c: AuditEntry[]) => rehashFrom(c, 3, null, true), 3, /altered or re-hashed/],
    ['re-hashed from entry 3 with plain SHA-256, marked unkeyed', (c: AuditEntry[]) => rehashFrom(c, 3, null, false), 3, /not keyed although the log is keyed from entry 1/],
    ['re-hashed from entry 3 with another key', (c: AuditEntry[]) => rehashFrom(c, 3, WRONG_KEY, true), 3, /altered or re-hashed/],
    ['re-hashed from the first entry with plain SHA-256', (c: AuditEntry[]) => rehashFrom(c, 1, null, false), 5, /newest, is not keyed/],
  ])('detects a chain %s', (_name, tamper, brokenSeq, reason) => {
    const result = verifyChain(tamper(chain(5, { keyedFrom: 1 })), KEY);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.brokenAt.seq).toBe(brokenSeq);
      expect(result.reason).toMatch(reason);
    }
  });

  it('detects the old, unkeyed part re-hashed below keyed entries', () => {
    const c = chain(6, { keyedFrom: 4 });
    const rewritten = rehashFrom(c.slice(0, 3), 2, null, false);
    const result = verifyChain([...rewritten, ...c.slice(3)], KEY);
    expect(result).toMatchObject({ ok: false, brokenAt: { seq: 4 }, reason: expect.stringMatching(/does not point at the hash of entry 3/) });
  });

  it('says a keyed entry cannot be checked without the key, and a wrong key fails', () => {
    const c = chain(3, { keyedFrom: 2 });
    expect(verifyChain(c)).toMatchObject({ ok: false, brokenAt: { seq: 2 }, reason: expect.stringMatching(/only be checked with the audit key/) });
    expect(verifyChain(c, WRONG_KEY)).toMatchObject({ ok: false, brokenAt: { seq: 2 }, reason: expect.stringMatching(/not the key the log was written with/) });
  });
});

describe('published heads', () => {
  const c = chain(8, { keyedFrom: 1 });
  const full = { lastSeq: 8 };
  it('holds when the chain reaches the head with the same hash', () => {
    expect(checkHead(full, { seq: 5, hash: c[4]!.hash }, c[4]!.hash)).toEqual({ ok: true });
  });
  it('fails when the newest entries were deleted', () => {
    expect(checkHead({ lastSeq: 6 }, { seq: 8, hash: c[7]!.hash }, undefined)).toEqual({ ok: false, reason: expect.stringMatching(/ends at entry 6, but its head was entry 8 .*deleted/) });
  });
  it('fails when the entry at the head has another hash', () => {
    expect(checkHead(full, { seq: 5, hash: c[4]!.hash }, c[3]!.hash)).toEqual({ ok: false, reason: expect.stringMatching(/entry 5 does not have the hash published for it/) });
  });
  it('reads SEQ:HASH and says what is wrong otherwise', () => {
    expect(parseAuditHead(` 12:${'AB'.repeat(32)} `)).toEqual({ seq: 12, hash: 'ab'.repeat(32) });
    expect(() => parseAuditHead('12')).toThrow(/SEQ:HASH/);
    expect(() => parseAuditHead(`0:${'ab'.repeat(32)}`)).toThrow(/1 or more/);
    expect(() => parseAuditHead(`12:${'ab'.repeat(31)}`)).toThrow(/64-character/);
  });
});

describe('audit key', () => {
  it.each([
    ['64 hex digits', 'ab'.repeat(32), 32],
    ['base64 of 32 bytes', Buffer.alloc(32, 200).toString('base64'), 32],
    ['url-safe base64 of 48 bytes', Buffer.alloc(48, 251).toString('base64url'), 48],
  ])('accepts %s', (_name, text, bytes) => {
    expect(parseAuditKey(text)).toHaveLength(bytes);
  });
  it.each([
    ['too short hex', 'ab'.repeat(16), /16 bytes: at least 32/],
    ['too short base64', Buffer.alloc(20).toString('base64'), /20 bytes: at least 32/],
    ['not hex or base64', 'a key with spaces!', /hex or base64/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseAuditKey(text)).toThrow(message);
  });
});
