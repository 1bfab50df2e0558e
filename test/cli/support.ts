import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseKind } from '../../src/db/database.js';

/*
 * Runs the `cedar` command in a subprocess: `node <compiled>/cli/main.js ...`, src/ compiled once
 * for the run by the global setup (test/support/global-setup.ts).
 *
 * Measured (wall seconds per run of `cedar --help`, on a 2-core machine):
 *   node --import tsx src/cli/main.ts  0.8 s  (more than 2 s with the suite running beside it)
 *   node dist/cli/main.js              0.37 s
 * `via: 'bin'` runs the installed bin/cedar.js instead, which basics.test.ts does to check the
 * wrapper passes output and exit codes through.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'cedar.js');
/** The compiled CLI this run's tests run. */
export const compiledCli = (): string => path.join(inject('compiled'), 'cli', 'main.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** Timeout for one CLI run: start-up alone is about a second, more on a busy machine. */
export const CLI_TIMEOUT_MS = 60_000;
/** vitest timeouts for tests and hooks that run the CLI a few times. */
export const TEST_TIMEOUT_MS = 120_000;

export interface CliResult {
  /** Exit code; null only when the run was killed (timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr, for asserting on "the output" regardless of stream. */
  output: string;
}

/** Settings of the parent (the developer's shell, vitest's config) that must not leak into the CLI. */
const LEAKY = /^(CEDAR_.*|DATABASE_URL|PORT|HOST|NODE_OPTIONS)$/;

/** A clean environment: the parent's, minus every Cedar setting, plus `extra`. */
export function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!LEAKY.test(k) && v !== undefined) env[k] = v;
  return { ...env, TZ: 'UTC', NO_COLOR: '1', CEDAR_LOG_LEVEL: 'silent', ...extra };
}

/**
 * Runs `cedar ...args`. Standard input gets `input` (or nothing) and is then closed, so a
 * command reading a password never waits on a terminal. The CLI runs in its own process
 * group, so on timeout bin/cedar.js and any child it spawns are killed together.
 */
export function runCli(args: string[], opts: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; via?: 'bin' }): Promise<CliResult> {
  const entry = opts.via === 'bin' ? [BIN] : [compiledCli()];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], { cwd: ROOT, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, opts.timeoutMs ?? CLI_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new Error(`cedar ${args.join(' ')} timed out after ${opts.timeoutMs ?? CLI_TIMEOUT_MS} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        return;
      }
      resolve({ code, stdout, stderr, output: `${stdout}${stderr}` });
    });
    child.stdin.on('error', () => {}); // the CLI may exit before reading standard input
    child.stdin.end(opts.input ?? '');
  });
}

/** A failed expectation on a run shows the whole run, not just the exit code. */
export function describeRun(r: CliResult): string {
  return `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** An empty database of its own for one describe block, and direct SQL access to it. */
export interface CliDatabase {
  kind: DatabaseKind;
  /** CEDAR_DB or DATABASE_URL pointing at it. */
  settings: Record<string, string>;
  /** Runs SQL directly (no Cedar code): rows for a query, [] for a statement. */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** A count(*) query's single value, as a number on both databases. */
  count(text: string, params?: unknown[]): Promise<number>;
  /** Whether the database holds any table yet. */
  hasTables(): Promise<boolean>;
  cleanup(): Promise<void>;
}

export async function createCliDatabase(kind: DatabaseKind): Promise<CliDatabase> {
  const common = {
    async count(this: CliDatabase, text: string, params?: unknown[]) {
      const [row] = await this.sql(text, params);
      return Number(Object.values(row ?? {})[0]);
    },
  };

  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-cli-'));
    const file = path.join(dir, 'cedar.db');
    const db: CliDatabase = {
      kind,
      settings: { CEDAR_DB: file },
      ...common,
      async sql(text, params = []) {
        const sqlite = new SQLite(file);
        try {
          const stmt = sqlite.prepare(text);
          if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
          stmt.run(...params);
          return [];
        } finally {
          sqlite.close();
        }
      },
      async hasTables() {
        if (!fs.existsSync(file)) return false;
        return (await db.count(`select count(*) from sqlite_master where type = 'table'`)) > 0;
      },
      async cleanup() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    return db;
  }

  const adminUrl = inject('pgUrl');
  const name = `cedar_cli_${randomBytes(6).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const connectionString = url.toString();
  const db: CliDatabase = {
    kind,
    // PostgreSQL needs CEDAR_AUDIT_KEY (a SQLite database keeps its key in a file beside it).
    settings: { DATABASE_URL: connectionString, CEDAR_AUDIT_KEY: randomBytes(32).toString('hex') },
    ...common,
    async sql(text, params = []) {
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        // Positional parameters are written `?` (as for SQLite) and numbered here.
        let i = 0;
        const r = await client.query(
          text.replace(/\?/g, () => `$${++i}`),
          params,
        );
        return r.rows ?? [];
      } finally {
        await client.end();
      }
    },
    async hasTables() {
      return (await db.count(`select count(*) from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`)) > 0;
    },
    async cleanup() {
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
  return db;
}
