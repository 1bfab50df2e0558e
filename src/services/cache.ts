import type { Executor } from '../db/database.js';
import { changeVersion, type ChangeCounter } from '../db/repositories/change-counters.js';

/**
 * A cache of figures derived from the database, per database, kept while the change counters
 * (migrations 0022 and 0025) of the tables the figures come from are unchanged: any committed
 * change, from any process, moves them and the next reader works the figures out again. The
 * version is read before the data, so what is kept under a version was never read before it.
 * Entries per version are bounded (`max`, then all are dropped). The values are shared between
 * requests: callers must not change them.
 */
export class VersionedCache<V> {
  private readonly byDb = new WeakMap<object, { version: string; entries: Map<string, V> }>();

  constructor(
    private readonly counters: readonly ChangeCounter[],
    private readonly max = 200,
  ) {}

  /** The counters' version now: for a caller that reads other data after it and before the work (then `getAt`). */
  version(db: Executor): Promise<string> {
    return changeVersion(db, this.counters);
  }

  /**
   * The value kept under `key`, or `work`'s (then kept). `current`: whether a kept value still
   * holds for something read outside the counters (else it is worked out again and replaces it,
   * so such reads never pile up entries under one key).
   */
  async get(db: Executor, key: string, work: () => Promise<V>, current?: (kept: V) => boolean): Promise<V> {
    return this.getAt(db, await this.version(db), key, work, current);
  }

  /** As `get`, at a version the caller read (from `version`, with anything else it keys on). */
  async getAt(db: object, version: string, key: string, work: () => Promise<V>, current: (kept: V) => boolean = () => true): Promise<V> {
    let entry = this.byDb.get(db);
    if (!entry || entry.version !== version) {
      entry = { version, entries: new Map() };
      this.byDb.set(db, entry);
    }
    const hit = entry.entries.get(key);
    if (hit !== undefined && current(hit)) return hit;
    const value = await work();
    // Another version may have replaced the entry while this one was worked out: keep it only under its own.
    if (this.byDb.get(db) === entry) {
      if (entry.entries.size >= this.max) entry.entries.clear();
      entry.entries.set(key, value);
    }
    return value;
  }
}
