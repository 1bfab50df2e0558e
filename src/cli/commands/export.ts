import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { parsePeriod, PeriodError } from '../../domain/stats/periods.js';
import { neutraliseRow } from '../../domain/csv.js';
import { writeMetCsv } from '../../domain/met/write.js';
import { cedarMetRows, importedMetRows } from '../../services/met-import.js';
import { breakdownTable } from '../../domain/stats/tables.js';
import { homeOfficeReturn } from '../../services/statistics.js';
import { ValidationError } from '../../domain/errors.js';
import { coverageBetween } from '../../services/coverage.js';
import { CliError, withServices } from '../runtime.js';

/** The coverage export's columns (issue 14). */
export const COVERAGE_HEADER = ['borough', 'hour_start', 'on_duty', 'authorised_on_duty', 'carriers', 'taser_crews', 'minimum'] as const;

/** A CSV file of the rows, every cell neutralised so no spreadsheet runs one as a formula (names come from what people typed). */
const csv = (rows: readonly (readonly string[])[]) => stringify(rows.map(neutraliseRow), { record_delimiter: 'unix' });

/** `--period P` or `--from D --to D`, as the statistics take it. */
export function periodOption(opts: { period?: string; from?: string; to?: string }): string | { from: string; to: string } {
  if (opts.period && (opts.from || opts.to)) throw new CliError('Give either --period or --from and --to, not both.');
  if (opts.period) return opts.period;
  if (opts.from && opts.to) return { from: opts.from, to: opts.to };
  throw new CliError('Say which period: --period 2019-20 (financial year), --period 2019 (calendar year), or --from 2019-04-01 --to 2019-06-30.');
}

async function write(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, text, 'utf8');
}

export function registerExport(program: Command): void {
  const exports = program.command('export').description('write returns and data files');
  exports
    .command('met-uof')
    .description("the force's uses of force (recorded and imported) in the Met's published 271-column layout")
    .option('--period <period>', 'a financial year (2019-20), calendar year (2019), quarter (2019-Q2) or month (2019-04)')
    .option('--from <date>', 'first day, YYYY-MM-DD (with --to)')
    .option('--to <date>', 'last day, YYYY-MM-DD, included')
    .requiredOption('--out <file>', 'the CSV file to write')
    .action(async (opts: { period?: string; from?: string; to?: string; out: string }) => {
      const periodInput = periodOption(opts);
      await withServices(async (svc) => {
        let period;
        try {
          period = parsePeriod(periodInput);
        } catch (err) {
          if (err instanceof PeriodError) throw new CliError(err.message);
          throw err;
        }
        const rows: string[][] = [];
        for await (const page of cedarMetRows(svc, period.from, period.toExclusive)) rows.push(...page);
        const recorded = rows.length;
        for await (const page of importedMetRows(svc, period.from, period.toExclusive)) rows.push(...page);
        await write(opts.out, writeMetCsv(rows));
        console.log(`Done: ${period.label}: wrote ${rows.length} rows (${recorded} recorded in Cedar, ${rows.length - recorded} imported) to ${opts.out}.`);
      });
    });
  exports
    .command('home-office-ced')
    .description("the force's Taser return in the Home Office table layout")
    .option('--period <period>', 'a financial year (2019-20), calendar year (2019), quarter (2019-Q2) or month (2019-04)')
    .option('--from <date>', 'first day, YYYY-MM-DD (with --to)')
    .option('--to <date>', 'last day, YYYY-MM-DD, included')
    .requiredOption('--out <file>', 'the CSV file to write')
    .option('--breakdowns <dir>', 'also write the breakdowns by age band, gender and perceived ethnicity into this folder')
    .addHelpText('after', '\nExample:\n  npm run cedar -- export home-office-ced --period 2019-20 --out return-2019-20.csv --breakdowns return-2019-20/')
    .action(async (opts: { period?: string; from?: string; to?: string; out: string; breakdowns?: string }) => {
      const period = periodOption(opts);
      await withServices(async (svc) => {
        const r = await homeOfficeReturn(svc, period, { breakdowns: Boolean(opts.breakdowns) }).catch((err: unknown) => {
          if (err instanceof PeriodError) throw new CliError(err.message);
          throw err;
        });
        await write(opts.out, csv([r.header, r.row]));
        const written = [opts.out];
        if (opts.breakdowns) {
          for (const b of r.breakdowns) {
            const file = path.join(opts.breakdowns, `ced-by-${b.dimension.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.csv`);
            await write(file, csv(breakdownTable(b)));
            written.push(file);
          }
        }
        console.log(`Done: ${r.period.label}: ${r.counts.total} uses (${r.counts.discharge} discharges, ${r.counts.notStated} not stated) for ${r.force.homeOfficeName}; wrote ${written.join(', ')}.`);
      });
    });
  exports
    .command('coverage')
    .description('Taser coverage per borough and per real hour: officers on duty, authorised, carriers, Taser-equipped crews and the minimum (operational: not for publication)')
    .requiredOption('--from <date>', 'first London day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last London day, YYYY-MM-DD, included')
    .requiredOption('--out <file>', 'the CSV file to write')
    .addHelpText(
      'after',
      '\nhour_start is London time with its offset: the day the clocks go forward has 23 rows per borough, the day they go back 25.\n\nExample:\n  npm run cedar -- export coverage --from 2026-10-01 --to 2026-10-31 --out coverage-2026-10.csv',
    )
    .action(async (opts: { from: string; to: string; out: string }) => {
      await withServices(async (svc) => {
        const r = await coverageBetween(svc, { all: true }, { from: opts.from, to: opts.to }).catch((err: unknown) => {
          if (err instanceof ValidationError) throw new CliError(err.errors.map((e) => `--${e.field}: ${e.message}`).join('\n'));
          throw err;
        });
        const names = new Map(r.boroughs.map((b) => [b.id, b.name]));
        const rows = r.rows.map((x) => [names.get(x.boroughId)!, x.hourStart, String(x.onDuty), String(x.authorisedOnDuty), String(x.carriers), String(x.taserCrews), String(x.minimum)]);
        await write(opts.out, csv([[...COVERAGE_HEADER], ...rows]));
        console.log(`Done: ${r.from} to ${r.to}: wrote ${rows.length} rows (${r.boroughs.length} boroughs, ${r.boroughs.length ? rows.length / r.boroughs.length : 0} hours each) to ${opts.out}.`);
      });
    });
}
