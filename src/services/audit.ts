import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';
import type { Database } from '../db/database.js';
import * as auditRepo from '../db/repositories/audit.js';
import * as releaseRepo from '../db/repositories/releases.js';
import { checkHead, endOfChain, parseAuditKey, START_STATE, verifyChainPage, type AuditHead, type ChainCheck, type ChainState } from '../domain/audit.js';
import { change, pageWindow, SYSTEM_ACTOR, type Page, type Services } from './context.js';

export async function listAuditLog(svc: Services, filter: auditRepo.AuditFilter, page: Page) {
  const r = await auditRepo.listAudit(svc.database.db, filter, pageWindow(page));
  return { ...r, page: page.page, pageSize: page.pageSize, pages: Math.max(1, Math.ceil(r.total / page.pageSize)) };
}

export function listAuditActions(svc: Services): Promise<string[]> {
  return auditRepo.listAuditActions(svc.database.db);
}

/** A head the chain must still hold: published with a release, or given to `cedar audit verify --head`. */
export interface ExpectedHead extends AuditHead {
  /** Where it comes from, for messages: `release 3`, `the head given`. */
  source: string;
}

export interface HeadResult extends ExpectedHead {
  ok: boolean;
  reason?: string;
}

export type AuditCheck = ChainCheck & { heads: HeadResult[] };

export interface VerifyOptions {
  onProgress?: (checked: number, total: number) => void;
  pageSize?: number;
  /** Heads to check besides those published with releases. */
  heads?: readonly ExpectedHead[];
  /** Also check the head published with every release (default true). */
  releaseHeads?: boolean;
}

/** The heads published with the force's releases, oldest first. */
export async function releaseAuditHeads(svc: Services): Promise<ExpectedHead[]> {
  const heads = await releaseRepo.publishedAuditHeads(svc.database.db);
  return heads.map((h) => ({ source: `release ${h.number}`, seq: h.seq, hash: h.hash }));
}

/**
 * Walks the whole chain a page at a time, with the audit key, and reports the first broken
 * entry; then checks the chain still holds every head published with a release (and any
 * head given), which catches its newest entries deleted or the chain rewritten.
 */
export async function verifyAuditLog(svc: Services, opts: VerifyOptions = {}): Promise<AuditCheck> {
  const { onProgress, pageSize = 5000 } = opts;
  const key = svc.auditKey;
  const total = onProgress ? await auditRepo.countAudit(svc.database.db) : 0;
  let state: ChainState = START_STATE;
  for (;;) {
    const entries = await auditRepo.auditPage(svc.database.db, state.prevSeq, pageSize);
    if (entries.length === 0) break;
    const step = verifyChainPage(entries, state, key);
    if (step.result) return { ...step.result, heads: [] };
    state = step.state;
    onProgress?.(state.checked, total);
  }
  const chain = endOfChain(state, key);
  if (!chain.ok) return { ...chain, heads: [] };
  const expected = [...(opts.releaseHeads === false ? [] : await releaseAuditHeads(svc)), ...(opts.heads ?? [])];
  const heads: HeadResult[] = [];
  for (const h of expected) {
    const r = checkHead(chain, h, h.seq <= chain.lastSeq ? await auditRepo.auditHashAt(svc.database.db, h.seq) : undefined);
    heads.push(r.ok ? { ...h, ok: true } : { ...h, ok: false, reason: r.reason });
  }
  const failed = heads.find((h) => !h.ok);
  if (failed) return { ok: false, checked: chain.checked, brokenAt: { seq: failed.seq, id: '' }, reason: `the head published with ${failed.source} does not hold: ${failed.reason}`, heads };
  return { ...chain, heads };
}

/** The chain's newest entry now (seq 0 and the genesis hash for an empty log). */
export async function currentAuditHead(svc: Services): Promise<AuditHead> {
  const h = await auditRepo.auditHead(svc.database.db);
  return h ? { seq: h.seq, hash: h.hash } : { seq: 0, hash: START_STATE.prevHash };
}

/** The audit key cannot be found or read: Cedar does not start (it names what to do). */
export class AuditKeyError extends ConfigError {}

/** On PostgreSQL the key must be given: refused before the database is touched. */
export function checkAuditKeyGiven(kind: 'sqlite' | 'postgres', key: Buffer | null): void {
  if (kind === 'postgres' && !key) {
    throw new AuditKeyError(
      'Cedar cannot start: CEDAR_AUDIT_KEY is not set. On PostgreSQL the audit log is keyed with a secret held outside the database: ' +
        'make one with `openssl rand -hex 32`, keep it apart from the database and its backups, and give the same key to every Cedar server. See README.md, "Settings".',
    );
  }
}

/**
 * Finds the audit key: CEDAR_AUDIT_KEY if set. Otherwise, on SQLite only, the file
 * `audit.key` beside the database, created (mode 0600, 32 random bytes as hex) on first
 * start; a log already keyed is never given a new key (that would make it uncheckable), so
 * then Cedar refuses to start until the key is put back. PostgreSQL needs CEDAR_AUDIT_KEY:
 * several servers share the database, and each must use the same key.
 */
export async function openAuditKey(database: Database, settings: { key: Buffer | null; sqliteFile: string | null }): Promise<{ key: Buffer; notice: string | null }> {
  if (settings.key) return { key: settings.key, notice: null };
  checkAuditKeyGiven(database.kind === 'postgres' ? 'postgres' : 'sqlite', settings.key);
  if (settings.sqliteFile === null) throw new AuditKeyError('Cedar cannot start: CEDAR_AUDIT_KEY is not set and there is no SQLite file to keep a key beside.');
  if (settings.sqliteFile === ':memory:') return { key: randomBytes(32), notice: null };
  const file = auditKeyFile(settings.sqliteFile);
  const read = () => readAuditKeyFile(file);
  if (fs.existsSync(file)) {
    const key = read();
    const open = (fs.statSync(file).mode & 0o077) !== 0;
    return { key, notice: open ? `Cedar: the audit key file ${file} can be read by other users: make it private with chmod 600.` : null };
  }
  const keyedFrom = await auditRepo.firstKeyedSeq(database.db);
  if (keyedFrom !== null) {
    throw new AuditKeyError(
      `Cedar cannot start: the audit log is keyed (from entry ${keyedFrom}) but its key is missing: put back ${file} or set CEDAR_AUDIT_KEY. ` + 'A new key would make the log impossible to check.',
    );
  }
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: read(), notice: null }; // another Cedar process made it a moment ago
    throw err;
  }
  return {
    key: read(),
    notice: `Cedar: created the audit log key at ${file} (readable only by you). Keep a copy somewhere safe and apart from the database's backups: without it the log cannot be checked. Or set CEDAR_AUDIT_KEY instead.`,
  };
}

/** Where a SQLite database keeps its audit key when CEDAR_AUDIT_KEY is not set: beside it. */
export function auditKeyFile(sqliteFile: string): string {
  return path.join(path.dirname(path.resolve(sqliteFile)), 'audit.key');
}

function readAuditKeyFile(file: string): Buffer {
  try {
    return parseAuditKey(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AuditKeyError(`Cedar cannot start: the audit key in ${file} ${(err as Error).message}.`);
  }
}

/**
 * The audit key Cedar would use for a database, without making one: CEDAR_AUDIT_KEY when
 * given, else the key file beside a SQLite database; null when there is none yet (backup and
 * restore check a copy's chain with it).
 */
export function existingAuditKey(settings: { key: Buffer | null; sqliteFile: string | null }): Buffer | null {
  if (settings.key) return settings.key;
  if (!settings.sqliteFile || settings.sqliteFile === ':memory:') return null;
  const file = auditKeyFile(settings.sqliteFile);
  return fs.existsSync(file) ? readAuditKeyFile(file) : null;
}

/**
 * With a key in use, makes sure the chain ends in a keyed entry: a log written before Cedar
 * had a key gets an `audit.keyed` entry marking from where on it is keyed. (A fresh log's
 * first entry is keyed anyway.)
 */
export async function ensureAuditKeyed(svc: Services): Promise<void> {
  if (!svc.auditKey) return;
  const head = await auditRepo.auditHead(svc.database.db);
  if (!head || head.keyed) return;
  await change(svc, SYSTEM_ACTOR, async (trx, audit) => {
    const now = await auditRepo.auditHead(trx);
    if (!now || now.keyed) return;
    await audit({ action: 'audit.keyed', entityType: 'audit_log', entityId: null, summary: { keyedFrom: now.seq + 1, unkeyedEntries: now.seq } });
  });
}
