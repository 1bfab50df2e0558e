import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { parseAuditKey } from '../../src/domain/audit.js';
import { openAuditKey } from '../../src/services/audit.js';
import { fixedClock, type Services } from '../../src/services/context.js';
import { servicesFor } from '../../src/services/setup.js';
import { TEST_POLICY } from '../support/databases.js';
import { ROOT, compiledCli } from './support.js';

/*
 * Long-running child processes for the tests that work beside them or kill them part-way:
 * `cedar ...` or a script of test/cli/children, each in its own process group.
 */

export interface Child {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when a line of the child's output (stdout then stderr) matches; rejects if it exits first. */
  waitFor(line: RegExp): Promise<void>;
  /** Whether it has not exited yet. */
  running(): boolean;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** kill -9, then waits for the exit. */
  kill9(): Promise<void>;
}

function start(entry: string[], env: NodeJS.ProcessEnv): Child {
  const child: ChildProcess = spawn(process.execPath, entry, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  let done = false;
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString('utf8');
    changed();
  });
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString('utf8');
    changed();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      done = true;
      changed();
      resolve({ code, signal });
    }),
  );
  return {
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    running: () => !done,
    exited,
    waitFor(line) {
      const lineRe = new RegExp(line.source, line.flags.includes('m') ? line.flags : `${line.flags}m`);
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (lineRe.test(out) || lineRe.test(err)) {
            listeners.delete(check);
            resolve();
          } else if (done) {
            listeners.delete(check);
            reject(new Error(`the child exited before printing ${line}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
    async kill9() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    },
  };
}

/** `cedar ...args`, as the tests run it (the compiled CLI, see runCli). */
export function startCedar(args: string[], env: NodeJS.ProcessEnv): Child {
  return start([compiledCli(), ...args], env);
}

/** A script of test/cli/children (TypeScript, through tsx). */
export function startChild(script: string, env: NodeJS.ProcessEnv): Child {
  return start(['--import', 'tsx', path.join(ROOT, 'test', 'cli', 'children', script)], env);
}

/** Services of this process on a CLI test's database (migrated), at a fixed instant, to set up what a child needs. */
export async function openServicesOn(settings: Record<string, string>, now = '2026-12-01T12:00:00Z'): Promise<Services> {
  const database = settings.DATABASE_URL ? await openDatabase({ kind: 'postgres', url: settings.DATABASE_URL, poolSize: 4 }) : await openDatabase({ kind: 'sqlite', file: settings.CEDAR_DB! });
  await migrateToLatest(database.db, database.schema);
  // The key the CLI will use too: CEDAR_AUDIT_KEY, or the key file beside the SQLite database.
  const { key } = await openAuditKey(database, { key: settings.CEDAR_AUDIT_KEY ? parseAuditKey(settings.CEDAR_AUDIT_KEY) : null, sqliteFile: settings.CEDAR_DB ?? null });
  return servicesFor(database, { ...TEST_POLICY, auditKey: key }, fixedClock(now));
}
