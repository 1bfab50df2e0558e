import { loadConfig, type Config } from '../config.js';
import type { Services } from '../services/context.js';
import { closeServices, ensureForce, openServices } from '../services/setup.js';
import { cliActor } from '../services/context.js';
import { ValidationError } from '../domain/errors.js';
import type { RowError } from '../domain/csv.js';

/** Thrown by a command to end with a message and a non-zero exit, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Opens the configured database (migrating it), runs the work, always closes. */
export async function withServices<T>(work: (svc: Services, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const svc = await openServices(config);
  for (const notice of svc.notices) process.stderr.write(`${notice}\n`);
  try {
    // Like `npm start`, the command sets up the configured force on first use.
    await ensureForce(svc, cliActor(), config.force);
    return await work(svc, config);
  } finally {
    endProgress();
    await closeServices(svc);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof ValidationError) return err.errors.map((e) => `  ${e.field}: ${e.message}`).join('\n');
  return err instanceof Error ? err.message : String(err);
}

/** Reads all of standard input (for passwords: never from argv, where `ps` and shell history see them). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

let progressLineOpen = false;

/** Ends a progress line left open (work that stopped short), so what follows starts on its own line. */
export function endProgress(): void {
  if (progressLineOpen) process.stderr.write('\n');
  progressLineOpen = false;
}

/**
 * Progress on stderr: on a terminal, one self-rewriting line; otherwise (a log, a pipe) a line
 * at the first step, then at most one every LOG_EVERY_MS, and the last, so that a long import
 * run from a script still shows it is moving.
 */
export function progress(label: string): (done: number, total?: number) => void {
  let last = 0;
  let logged = Number.NEGATIVE_INFINITY;
  return (done, total) => {
    const now = Date.now();
    const text = total ? `${label}: ${done.toLocaleString('en-GB')} / ${total.toLocaleString('en-GB')}` : `${label}: ${done.toLocaleString('en-GB')}`;
    if (process.stderr.isTTY) {
      if (now - last < 200 && done !== total) return;
      last = now;
      process.stderr.write(`\r${text}\x1b[K`);
      progressLineOpen = true;
      if (done === total) endProgress();
    } else if (done === total || now - logged >= LOG_EVERY_MS) {
      logged = now;
      process.stderr.write(`${text}\n`);
    }
  };
}

const LOG_EVERY_MS = 5000;

/** `line 12, column rank: Select a rank` (or `line 1: The file is empty` when no column applies): how every import names a problem. */
export function formatRowError(e: RowError): string {
  return `line ${e.line}${e.column === null ? '' : `, column ${e.column}`}: ${e.message}`;
}

/** Problems an import prints before refusing: the first hundred (the rest are counted, or written where `rest` says). */
export const MAX_PROBLEMS_SHOWN = 100;

/**
 * Prints a refused import's problems on stderr, up to `MAX_PROBLEMS_SHOWN` (`total` counts them
 * all when only some were kept; `rest` says where the others went), and returns the error the
 * command fails with: how many rows had problems, and that nothing was imported.
 */
export function importRefused(r: { rejected: readonly RowError[]; rejectedRows: number; rows: number; total?: number; rest?: string }): CliError {
  for (const e of r.rejected.slice(0, MAX_PROBLEMS_SHOWN)) console.error(formatRowError(e));
  const total = r.total ?? r.rejected.length;
  if (total > MAX_PROBLEMS_SHOWN) console.error(`… and ${(total - MAX_PROBLEMS_SHOWN).toLocaleString('en-GB')} more problems${r.rest ? `: see ${r.rest}` : '.'}`);
  return new CliError(
    r.rejectedRows > 0
      ? `Rejected: ${r.rejectedRows.toLocaleString('en-GB')} of ${r.rows.toLocaleString('en-GB')} rows ${r.rejectedRows === 1 ? 'has' : 'have'} errors; nothing was imported.`
      : 'Rejected: the file has errors; nothing was imported.',
  );
}
