import { describe, expect, it } from 'vitest';
import { VersionedCache } from '../../src/services/cache.js';

describe('VersionedCache', () => {
  const db = {};

  it('keeps a value per version and key, and works it out again for a new version', async () => {
    const cache = new VersionedCache<number>(['authority']);
    let runs = 0;
    const work = async () => ++runs;
    expect(await cache.getAt(db, 'v1', 'k', work)).toBe(1);
    expect(await cache.getAt(db, 'v1', 'k', work)).toBe(1);
    expect(await cache.getAt(db, 'v2', 'k', work)).toBe(2);
    expect(await cache.getAt(db, 'v1', 'k', work)).toBe(3); // an older version is not kept
  });

  it('replaces a kept value that no longer holds for what was read beside it, under the same key', async () => {
    const cache = new VersionedCache<{ uses: string; n: number }>(['authority'], 2);
    let runs = 0;
    const get = (uses: string) =>
      cache.getAt(
        db,
        'v1',
        'force',
        async () => ({ uses, n: ++runs }),
        (kept) => kept.uses === uses,
      );
    expect(await get('a:1')).toEqual({ uses: 'a:1', n: 1 });
    expect(await get('a:1')).toEqual({ uses: 'a:1', n: 1 });
    expect(await get('a:2')).toEqual({ uses: 'a:2', n: 2 });
    expect(await get('a:2')).toEqual({ uses: 'a:2', n: 2 });
    // One entry under the key, however often it is replaced: another key still fits beside it.
    await cache.getAt(db, 'v1', 'borough', async () => ({ uses: '', n: 99 }));
    expect(await get('a:2')).toEqual({ uses: 'a:2', n: 2 });
  });
});
