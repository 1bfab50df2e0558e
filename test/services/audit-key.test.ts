/**
 * Where the audit key comes from: CEDAR_AUDIT_KEY (validated, never echoed), or on SQLite a
 * key file beside the database made on first start (mode 0600) and never replaced once the
 * log is keyed; PostgreSQL refuses to start without CEDAR_AUDIT_KEY. A log from before the
 * key is marked as keyed from then on when Cedar starts with one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { AuditKeyError, openAuditKey, verifyAuditLog } from '../../src/services/audit.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { ensureForce, openServices, servicesFor } from '../../src/services/setup.js';
import { openTestServices, TEST_POLICY, testDatabases } from '../support/databases.js';

describe('CEDAR_AUDIT_KEY', () => {
  it('takes 32 or more bytes as hex or base64', () => {
    expect(loadConfig({ CEDAR_AUDIT_KEY: 'ab'.repeat(32) }).auditKey).toEqual(Buffer.alloc(32, 0xab));
    expect(loadConfig({ CEDAR_AUDIT_KEY: Buffer.alloc(40, 3).toString('base64') }).auditKey).toEqual(Buffer.alloc(40, 3));
    expect(loadConfig({}).auditKey).toBeNull();
  });

  it('refuses a short or malformed key, naming the variable and never printing the key', () => {
    for (const [value, why] of [
      ['ab'.repeat(16), /CEDAR_AUDIT_KEY: is 16 bytes: at least 32 are needed/],
      ['not a key!', /CEDAR_AUDIT_KEY: must be hex or base64/],
    ] as const) {
      let err: unknown;
      try {
        loadConfig({ CEDAR_AUDIT_KEY: value });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).not.toContain(value);
      expect((err as Error).message).toContain('its value is a secret and not shown');
    }
  });
});

describe('PostgreSQL without CEDAR_AUDIT_KEY', () => {
  it('refuses to start before touching the database, saying how to make a key', async () => {
    // Port 1: nothing listens there, so a connection attempt would fail differently.
    const err = await openServices(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditKeyError);
    expect((err as Error).message).toMatch(/CEDAR_AUDIT_KEY is not set\. On PostgreSQL .*openssl rand -hex 32.*the same key to every Cedar server/);
  });
});

describe('the audit key file beside a SQLite database', () => {
  const dirs: string[] = [];
  const tempDb = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-key-'));
    dirs.push(dir);
    return path.join(dir, 'cedar.db');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('is made on first start, private to its owner, and used from then on', async () => {
    const file = tempDb();
    const config = loadConfig({ CEDAR_DB: file, CEDAR_LOG_LEVEL: 'silent' });
    const first = await openServices(config);
    const keyFile = path.join(path.dirname(file), 'audit.key');
    try {
      expect(first.notices).toEqual([expect.stringContaining(`created the audit log key at ${keyFile}`)]);
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(keyFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
      await ensureForce(first, SYSTEM_ACTOR, config.force);
      expect(await verifyAuditLog(first)).toMatchObject({ ok: true, keyedFrom: 1 });
    } finally {
      await first.database.close();
    }
    const again = await openServices(config);
    try {
      expect(again.notices).toEqual([]);
      expect(again.auditKey).toEqual(first.auditKey);
      expect(await verifyAuditLog(again)).toMatchObject({ ok: true, keyedFrom: 1 });
    } finally {
      await again.database.close();
    }
    // Lost key: Cedar will not make a new one for a keyed log.
    fs.rmSync(keyFile);
    await expect(openServices(config)).rejects.toThrow(new RegExp(`audit log is keyed \\(from entry 1\\) but its key is missing: put back ${keyFile.replace(/[.]/g, '\\.')} or set CEDAR_AUDIT_KEY`));
    expect(fs.existsSync(keyFile)).toBe(false);
    // A key given in the environment is used instead of the file.
    const withEnv = await openServices(loadConfig({ CEDAR_DB: file, CEDAR_AUDIT_KEY: first.auditKey!.toString('hex') }));
    try {
      expect(await verifyAuditLog(withEnv)).toMatchObject({ ok: true });
    } finally {
      await withEnv.database.close();
    }
  });

  it('refuses a key file that is not a key, naming the file', async () => {
    const file = tempDb();
    fs.writeFileSync(path.join(path.dirname(file), 'audit.key'), 'too short\n', { mode: 0o600 });
    const err = await openServices(loadConfig({ CEDAR_DB: file })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditKeyError);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/the audit key in .*audit\.key must be hex or base64/);
  });

  it('marks a log written before Cedar had a key as keyed from the next entry on', async () => {
    const file = tempDb();
    const database = await openDatabase({ kind: 'sqlite', file });
    await migrateToLatest(database.db);
    await ensureForce(servicesFor(database, TEST_POLICY), SYSTEM_ACTOR, { name: 'Old Force', homeOfficeRegion: 'London' });
    await database.close();
    const svc = await openServices(loadConfig({ CEDAR_DB: file }));
    try {
      const actions = await svc.database.db.selectFrom('audit_log').select(['seq', 'action', 'keyed']).orderBy('seq').execute();
      expect(actions).toEqual([
        { seq: 1, action: 'force.create', keyed: 0 },
        { seq: 2, action: 'audit.keyed', keyed: 1 },
      ]);
      expect(await verifyAuditLog(svc)).toMatchObject({ ok: true, keyedFrom: 2 });
    } finally {
      await svc.database.close();
    }
  });
});

describe.each(testDatabases().filter((k) => k === 'postgres'))('the audit key on %s', (kind) => {
  let svc: Awaited<ReturnType<typeof openTestServices>>;
  beforeAll(async () => {
    svc = await openTestServices(kind);
  });
  afterAll(() => svc.cleanup());

  it('must be given in CEDAR_AUDIT_KEY: Cedar does not start without it', async () => {
    const err = await openAuditKey(svc.database, { key: null, sqliteFile: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditKeyError);
    expect((err as Error).message).toMatch(/CEDAR_AUDIT_KEY is not set\. On PostgreSQL .*openssl rand -hex 32/);
    const key = Buffer.alloc(32, 9);
    expect(await openAuditKey(svc.database, { key, sqliteFile: null })).toEqual({ key, notice: null });
  });
});
