/**
 * A cache of figures derived from the database, per database, kept while a version string is
 * unchanged: the version is built from the change counters (migrations 0022 and 0025) of the
 * tables the figures come from, so any committed change, from any process, moves it and the next
 * reader works the figures out again. Callers read the version before the data, so what is
 * cached under a version was never read before it. Entries per version are bounded (`max`, then
 * all are dropped). The values are shared between requests: callers must not change them.
 */
export class VersionedCache<V> {
  private readonly byDb = new WeakMap<object, { version: string; entries: Map<string, V> }>();

  constructor(private readonly max = 200) {}

  /**
   * The value kept under `key` at `version`, or `work`'s (then kept). `current`: whether a kept
   * value still holds for something read outside the counters (else it is worked out again and
   * replaces it, so such reads never pile up entries under one key).
   */
  async get(db: object, version: string, key: string, work: () => Promise<V>, current: (kept: V) => boolean = () => true): Promise<V> {
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
