import { describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.js';

describe('newId', () => {
  it('makes UUIDv7s that are unique and sort in the order they were made', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => newId(1_764_300_000_000 + Math.floor(i / 3)));
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
