import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import { cliActor } from '../../services/context.js';
import { DEMO_CREW_DAYS } from '../../demo/crews.js';
import { DEFAULT_DEMO_OFFICERS, MAX_DEMO_OFFICERS, MIN_DEMO_OFFICERS } from '../../demo/force.js';
import { DemoRefusedError, seedDemo, type DemoAccountCredentials, type DemoSummary } from '../../demo/index.js';
import { CliError, progress, withServices } from '../runtime.js';

const SEED_OPTIONS = `Seed options:
  --demo             a demo force: the Metropolitan Police Service with the 32 London boroughs
                     and Heathrow, their teams, ${DEFAULT_DEMO_OFFICERS.toLocaleString('en-GB')} officers and one account per role
  --officers <n>     with --demo: how many officers (${MIN_DEMO_OFFICERS} to ${MAX_DEMO_OFFICERS.toLocaleString('en-GB')})
  --at <time>        with --demo: seed the demo as of this instant instead of now
                     (ISO 8601 with a time zone, like 2026-12-06T09:00:00Z)
Example:
  npm run cedar -- seed --demo`;

function officerCount(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < MIN_DEMO_OFFICERS || n > MAX_DEMO_OFFICERS) {
    throw new InvalidArgumentError(`Enter a whole number from ${MIN_DEMO_OFFICERS} to ${MAX_DEMO_OFFICERS}.`);
  }
  return n;
}

const isoInstant = z.iso.datetime({ offset: true });

/** An ISO 8601 instant with its time zone: the demo is dated from it. */
function instant(value: string): Date {
  const text = value.trim();
  if (!isoInstant.safeParse(text).success) throw new InvalidArgumentError(`Enter a date and time with its time zone, like 2026-12-06T09:00:00Z (you entered "${value}").`);
  return new Date(text);
}

function accountsTable(accounts: DemoAccountCredentials[]): string {
  const rows = [['Role', 'Email', 'Password'], ...accounts.map((a) => [a.role, a.email, a.password])];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The demo accounts, once, and the summary line. Also used by `CEDAR_DEMO=1 npm start`. */
export function printDemoSummary(summary: DemoSummary): void {
  console.log('Demo accounts:');
  console.log(accountsTable(summary.accounts));
  console.log('These are one-time passwords, shown only now: copy them before closing this window. Each must be changed at first sign-in. Cedar stores only their hashes.');
  const h = summary.history;
  const history = h.label
    ? `${h.uses} imported Taser uses for ${h.label} with ${h.releases} published monthly releases (see /transparency; the latest counts ${h.latestReleaseUses} uses, ${h.latestReleaseUses - h.uses} of them recorded in Cedar), `
    : '';
  console.log(
    `Done: seeded ${summary.force.name} as of ${summary.asOf} with ${summary.boroughs} boroughs, ${summary.teams} teams, ` +
      `${summary.officers} officers, ${summary.accounts.length} demo accounts, ${summary.reports} use-of-force reports, ` +
      `${summary.training.records} training records (${summary.training.baselineAuthorised} officers authorised when the uplift plan started on ${summary.training.planStartsOn}) and ${summary.training.sessions} course sessions, ` +
      history +
      `a fleet of ${summary.fleet.devices} devices (${summary.fleet.x2} X2, ${summary.fleet.x26} X26, which stops being issued on ${summary.fleet.x26StopsIssuingOn}) with ${summary.fleet.cartridges} cartridges and ${summary.fleet.issues} sign-outs over the last month (${summary.fleet.out} still out, ${summary.fleet.inRepair} in repair, ${summary.fleet.quarantined} quarantined), ` +
      `a year of device logs (${summary.deviceLogs.entries} entries from ${summary.deviceLogs.devices} devices; the reconciliation confirms ${summary.deviceLogs.reportsMatched} reports and lists ${Object.values(summary.deviceLogs.exceptions).reduce((a, b) => a + b, 0)} exceptions to look at), ` +
      `a month of ${summary.shifts} shifts on the response teams' duty roster (the last ${DEMO_CREW_DAYS} days' ${summary.crews.crews} crews saved, ${summary.crews.taserCrews} with a Taser), ` +
      `and the Home Office tables for ${summary.homeOfficePeriods.join(', ')}.`,
  );
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('fill an empty database: --demo seeds a demo force with demo accounts')
    .option('--demo', 'seed the demo force (the Met: 33 boroughs, teams, officers and one account per role)')
    .option('--officers <n>', `how many officers the demo force has (default ${DEFAULT_DEMO_OFFICERS})`, officerCount)
    .option('--at <time>', 'seed the demo as of this instant, like 2026-12-06T09:00:00Z (default now)', instant)
    .addHelpText(
      'after',
      '\nExample:\n  npm run cedar -- seed --demo --officers 4000\n\nThe demo account passwords are printed once, at the end: each is a one-time password to be changed at first sign-in.',
    )
    .action(async (opts: { demo?: boolean; officers?: number; at?: Date }) => {
      if (!opts.demo) throw new CliError(`Say what to seed: only the demo force can be seeded for now.\n${SEED_OPTIONS}`);
      await withServices(async (svc) => {
        const summary = await seedDemo(svc, cliActor(), { officers: opts.officers, now: opts.at, onProgress: progress('Seeding') }).catch((err: unknown) => {
          if (err instanceof DemoRefusedError) throw new CliError(`Nothing seeded. ${err.message}`);
          throw err;
        });
        printDemoSummary(summary);
      });
    });
}
