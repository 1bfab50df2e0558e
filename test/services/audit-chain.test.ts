/**
 * The audit chain against someone who can write to the database but does not hold the key:
 * a chain re-hashed from some point (plain SHA-256, or HMAC with another key) and a chain cut
 * short (its newest entries deleted) are both found; an intact chain passes with the right key
 * only. Both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPage } from '../../src/db/repositories/audit.js';
import { entryHash, type AuditEntry } from '../../src/domain/audit.js';
import { currentAuditHead, ensureAuditKeyed, verifyAuditLog } from '../../src/services/audit.js';
import { fixedClock, SYSTEM_ACTOR, type Services } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { prepareRelease, publishRelease } from '../../src/services/releases.js';
import { openTestServices, testDatabases, TEST_AUDIT_KEY, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport, recordingOfficer, recordReport } from '../support/report-fixtures.js';

const WRONG_KEY = Buffer.alloc(32, 0x11);

describe.each(testDatabases())('audit chain against a database writer without the key, on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;

  async function entries(from = 1): Promise<AuditEntry[]> {
    return auditPage(svc.database.db, from - 1, 100_000);
  }

  /** Rewrites every entry from `from` on (altering the first one's summary) and hashes it again as an attacker could. */
  async function rehashFrom(from: number, how: { key: Buffer | null; keyed: boolean }): Promise<() => Promise<void>> {
    const original = await entries(from);
    let prev = original[0]!.prevHash;
    for (const e of original) {
      const altered = e.seq === from ? { ...e, summary: JSON.stringify({ rewritten: true }) } : e;
      const hash = entryHash(altered, prev, how.key);
      await svc.database.db
        .updateTable('audit_log')
        .set({ summary: altered.summary, prev_hash: prev, hash, keyed: how.keyed ? 1 : 0 })
        .where('seq', '=', e.seq)
        .execute();
      prev = hash;
    }
    return async () => {
      for (const e of original)
        await svc.database.db
          .updateTable('audit_log')
          .set({ summary: e.summary, prev_hash: e.prevHash, hash: e.hash, keyed: e.keyed ? 1 : 0 })
          .where('seq', '=', e.seq)
          .execute();
    };
  }

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock('2026-06-10T09:00:00Z') });
    f = await smallForce(svc);
    for (let i = 0; i < 5; i++) await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: `${100 + i}LX`, boroughId: f.boroughs.lambeth.id }));
    const pc = await recordingOfficer(svc, f.boroughs.lambeth.id, { collarNumber: '900LX' });
    const base = firedReport(f.boroughs.lambeth.id);
    await recordReport(svc, pc, { ...base, incident: { ...(base.incident as object), date: '2026-05-04', time: '10:00' } }, new Date('2026-05-05T10:00:00Z'));
    await publishRelease(svc, SYSTEM_ACTOR, (await prepareRelease(svc, SYSTEM_ACTOR, '2026-05')).id);
    for (let i = 5; i < 8; i++) await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: `${100 + i}LX`, boroughId: f.boroughs.lambeth.id }));
  });
  afterAll(() => svc.cleanup());

  it('passes an intact chain with the right key, keyed from its first entry, and prints its head', async () => {
    const result = await verifyAuditLog(svc);
    const all = await entries();
    expect(result).toMatchObject({ ok: true, checked: all.length, lastSeq: all.length, lastHash: all.at(-1)!.hash, keyedFrom: 1 });
    expect(all.every((e) => e.keyed)).toBe(true);
    expect(await currentAuditHead(svc)).toEqual({ seq: all.length, hash: all.at(-1)!.hash });
    expect(result.heads).toEqual([expect.objectContaining({ source: 'release 1', ok: true })]);
  });

  it('fails an intact chain checked with another key', async () => {
    const result = await verifyAuditLog({ ...svc, auditKey: WRONG_KEY });
    expect(result).toMatchObject({ ok: false, brokenAt: { seq: 1 }, reason: expect.stringMatching(/not the key the log was written with/) });
  });

  it.each([
    ['with plain SHA-256, still marked keyed', { key: null, keyed: true }, /entry 6 has been altered or re-hashed/],
    ['with plain SHA-256, marked unkeyed', { key: null, keyed: false }, /entry 6 is not keyed although the log is keyed from entry 1/],
    ['with HMAC under another key', { key: WRONG_KEY, keyed: true }, /entry 6 has been altered or re-hashed/],
  ])('detects the chain re-hashed from some point %s', async (_name, how, reason) => {
    const restore = await rehashFrom(6, how);
    try {
      const result = await verifyAuditLog(svc);
      expect(result.ok).toBe(false);
      expect(result).toMatchObject({ brokenAt: { seq: 6 }, reason: expect.stringMatching(reason) });
    } finally {
      await restore();
    }
    expect((await verifyAuditLog(svc)).ok).toBe(true);
  });

  it('detects the whole chain re-hashed without the key from the first entry', async () => {
    const restore = await rehashFrom(1, { key: null, keyed: false });
    try {
      const result = await verifyAuditLog(svc);
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/the newest, is not keyed .*re-hashed without the key/) });
    } finally {
      await restore();
    }
  });

  it('detects the newest entries deleted, against the head published with the release and against a head given', async () => {
    const published = await svc.database.db.selectFrom('release').select(['audit_head_seq', 'audit_head_hash']).where('number', '=', 1).executeTakeFirstOrThrow();
    const head = { seq: Number(published.audit_head_seq), hash: published.audit_head_hash! };
    const now = await currentAuditHead(svc);
    expect(now.seq).toBeGreaterThan(head.seq);
    const given = { source: 'the head given', ...now };
    expect((await verifyAuditLog(svc, { heads: [given] })).ok).toBe(true);

    // Someone deletes the newest entries, from just before the published head.
    await svc.database.db
      .deleteFrom('audit_log')
      .where('seq', '>=', head.seq - 1)
      .execute();
    const result = await verifyAuditLog(svc);
    expect(result).toMatchObject({
      ok: false,
      brokenAt: { seq: head.seq },
      reason: expect.stringMatching(new RegExp(`head published with release 1 does not hold: the log ends at entry ${head.seq - 2}, but its head was entry ${head.seq} .*deleted`)),
    });
    const againstGiven = await verifyAuditLog(svc, { heads: [given], releaseHeads: false });
    expect(againstGiven).toMatchObject({ ok: false, reason: expect.stringMatching(new RegExp(`head published with the head given does not hold: the log ends at entry ${head.seq - 2}`)) });
    // Without the published heads the shortened chain looks whole: that is why they are published.
    expect((await verifyAuditLog(svc, { releaseHeads: false })).ok).toBe(true);
  });
});

describe.each(testDatabases())('a log written before Cedar had a key, on %s', (kind) => {
  let legacy: TestServices;
  let keyed: Services;
  beforeAll(async () => {
    legacy = await openTestServices(kind, { auditKey: null });
    keyed = { ...legacy, auditKey: TEST_AUDIT_KEY };
  });
  afterAll(() => legacy.cleanup());

  it('keeps verifying, is keyed from a marked entry on, and an unkeyed entry after that is refused', async () => {
    const f = await smallForce(legacy);
    await createOfficer(legacy, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.camden.id, collarNumber: '1CN' }));
    const before = await verifyAuditLog(legacy);
    expect(before).toMatchObject({ ok: true, keyedFrom: null });
    // With a key but no keyed entry yet, the chain cannot be told apart from one re-hashed without the key.
    expect((await verifyAuditLog(keyed)).ok).toBe(false);

    await ensureAuditKeyed(keyed);
    await ensureAuditKeyed(keyed); // once is enough
    const marker = await keyed.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'audit.keyed').execute();
    expect(marker).toHaveLength(1);
    expect(marker[0]).toMatchObject({ seq: before.ok ? before.checked + 1 : -1, keyed: 1 });
    await createOfficer(keyed, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.camden.id, collarNumber: '2CN' }));
    expect(await verifyAuditLog(keyed)).toMatchObject({ ok: true, keyedFrom: marker[0]!.seq });
    expect(await verifyAuditLog(legacy)).toMatchObject({ ok: false, reason: expect.stringMatching(/only be checked with the audit key/) });

    // A writer without the key appends as Cedar did before: found at once.
    await createOfficer(legacy, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.camden.id, collarNumber: '3CN' }));
    expect(await verifyAuditLog(keyed)).toMatchObject({ ok: false, reason: expect.stringMatching(/is not keyed although the log is keyed from entry/) });
  });
});
