import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { neutraliseRow } from '../../domain/csv.js';
import { EXCEPTION_KINDS } from '../../domain/devices/reconcile.js';
import { ValidationError } from '../../domain/errors.js';
import { cliActor } from '../../services/context.js';
import { reconcileWindow, runReconciliation, type FoundException } from '../../services/reconciliation.js';
import { CliError, describeError, progress, withServices } from '../runtime.js';

/*
 * `cedar reconcile --from D --to D --out FILE` (issue 13): reconciles every device's event log
 * with the reports for those London dates, prints what it found and writes the exceptions as
 * CSV. It exits 0 when it ran, whatever it found: exceptions are findings, not failures.
 */

/** The CSV's header, exactly. */
export const EXCEPTIONS_HEADER = ['kind', 'device_serial', 'starts_at', 'ends_at', 'report_refs', 'officer_collar', 'detail'] as const;

export function exceptionsCsv(exceptions: readonly FoundException[]): string {
  const rows = exceptions.map((e) => [e.kind, e.deviceSerial, e.startsAt, e.endsAt, e.reportRefs.join(';'), e.officerCollar ?? '', e.detail]);
  return stringify([[...EXCEPTIONS_HEADER], ...rows].map(neutraliseRow), { record_delimiter: 'unix' });
}

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description("reconcile the devices' event logs with the reports for a range of days, and write the exceptions as CSV")
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD (London)')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD (London), included')
    .requiredOption('--out <file>', 'the CSV file of exceptions to write')
    .addHelpText('after', '\nExample:\n  npm run cedar -- reconcile --from 2026-04-01 --to 2027-03-31 --out exceptions-2026-27.csv')
    .action(async (opts: { from: string; to: string; out: string }) => {
      // The dates are checked before the database is opened: a typo costs nothing.
      try {
        reconcileWindow(opts.from, opts.to);
      } catch (err) {
        if (err instanceof ValidationError)
          throw new CliError(
            `Cannot reconcile:\n${describeError(err)
              .replace(/^ {2}from:/m, '  --from:')
              .replace(/^ {2}to:/m, '  --to:')}`,
          );
        throw err;
      }
      await withServices(async (svc) => {
        const result = await runReconciliation(svc, cliActor(), { from: opts.from, to: opts.to, onProgress: progress('Devices reconciled') });
        await fs.mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });
        await fs.writeFile(opts.out, exceptionsCsv(result.exceptions), 'utf8');
        const n = (x: number) => x.toLocaleString('en-GB');
        const lines = [
          `Reconciled ${result.from} to ${result.to} (London dates):`,
          `  devices: ${n(result.devices)}`,
          `  events read: ${n(result.eventsRead)}`,
          `  function tests: ${n(result.functionTests)}`,
          `  episodes: ${n(result.episodes)}`,
          `  reports matched: ${n(result.reportsMatched)}`,
          `  exceptions: ${n(result.exceptions.length)} (new ${n(result.opened)}, reopened ${n(result.reopened)}, cleared ${n(result.cleared)})`,
          ...EXCEPTION_KINDS.map((k) => `    ${k}: ${n(result.exceptionsByKind[k])}`),
          `Wrote ${n(result.exceptions.length)} ${result.exceptions.length === 1 ? 'exception' : 'exceptions'} to ${opts.out}.`,
        ];
        console.log(lines.join('\n'));
      });
    });
}
