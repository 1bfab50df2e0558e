import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalJson, entryHash, verifyChain, verifyChainPage, type AuditEntry } from '../../src/domain/audit.js';

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const content = { seq: i, id: `id-${i}`, occurredAt: `2026-01-0${(i % 9) + 1}T10:00:00.000Z`, actorUserId: 'u1', actorLabel: 'a@b.org', action: 'officer.update', entityType: 'officer', entityId: `o${i}`, summary: JSON.stringify({ n: i }) };
    const hash = entryHash(content, prev);
    out.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('hash-chained audit log', () => {
  it('canonical JSON sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('accepts an intact chain, including an empty one', () => {
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, lastHash: GENESIS_HASH });
    const c = chain(5);
    expect(verifyChain(c)).toEqual({ ok: true, checked: 5, lastHash: c[4]!.hash });
  });

  it.each([
    ['an altered summary', (c: AuditEntry[]) => (c[2] = { ...c[2]!, summary: '{"n":99}' }), 3, /altered/],
    ['an altered actor', (c: AuditEntry[]) => (c[1] = { ...c[1]!, actorLabel: 'someone@else.org' }), 2, /altered/],
    ['a removed entry', (c: AuditEntry[]) => c.splice(2, 1), 4, /missing/],
    ['swapped entries', (c: AuditEntry[]) => ([c[1], c[2]] = [c[2]!, c[1]!]), 3, /follows entry 1/],
    ['a rehashed entry that no longer links', (c: AuditEntry[]) => {
      const e = { ...c[2]!, summary: '{"n":42}' };
      c[2] = { ...e, hash: entryHash(e, e.prevHash) };
    }, 4, /does not point at/],
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
    const c = chain(10);
    let state;
    for (let i = 0; i < 10; i += 3) {
      const step = verifyChainPage(c.slice(i, i + 3), state);
      expect(step.result).toBeNull();
      state = step.state;
    }
    expect(state).toEqual({ prevHash: c[9]!.hash, prevSeq: 10, checked: 10 });
  });
});
