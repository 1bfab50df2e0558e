import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { londonDate } from '../../domain/calendar.js';
import { PeriodError } from '../../domain/stats/periods.js';
import { cliActor, wallClock } from '../../services/context.js';
import { formatProblem, HomeOfficeImportError, importHomeOfficeTable, tablePeriod } from '../../services/national.js';
import { CliError, withServices } from '../runtime.js';

const n = (x: number) => x.toLocaleString('en-GB');

async function readTableFile(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`No file at ${file}: check the path and try again.`);
    if (code === 'EISDIR') throw new CliError(`${file} is a folder, not a CSV file.`);
    if (code === 'EACCES') throw new CliError(`Cannot read ${file}: permission denied.`);
    throw err;
  }
}

/** `cedar import home-office-ced FILE --period P`: a published Home Office table for the national comparison. */
export function registerHomeOfficeImport(imports: Command): void {
  imports
    .command('home-office-ced')
    .description("a published Home Office table of Taser use by force, for the national comparison (replaces the period's table)")
    .argument('<file>', 'the published CSV (Region,Police force,Total,…,Not stated, with its *Total rows)')
    .requiredOption('--period <period>', 'the period the table covers: a financial year (2018-19) or a calendar year (2016), from 2004, not in the future')
    .addHelpText(
      'after',
      `
The file is loaded only when every row can be read and every figure adds up: each row,
each region's *Total row against its forces, and the England and Wales total. Otherwise
each problem is listed by line and column and nothing is stored. Loading a period again
replaces its table; loading the same file again changes nothing.

Example:
  npm run cedar -- import home-office-ced ced-by-force-april2018-march2019.csv --period 2018-19
`,
    )
    .action(async (file: string, opts: { period: string }) => {
      try {
        // Checked before the file is read or the database opened (the CLI is the edge: today from the wall clock).
        tablePeriod(opts.period, londonDate(wallClock()));
      } catch (err) {
        if (err instanceof PeriodError) throw new CliError(err.message);
        throw err;
      }
      const bytes = await readTableFile(file);
      await withServices(async (svc) => {
        let r;
        try {
          r = await importHomeOfficeTable(svc, cliActor(), { fileName: file, bytes }, opts.period);
        } catch (err) {
          if (err instanceof PeriodError) throw new CliError(err.message);
          if (err instanceof HomeOfficeImportError) {
            for (const p of err.problems.slice(0, 50)) console.error(formatProblem(p));
            if (err.problems.length > 50) console.error(`… and ${n(err.problems.length - 50)} more problems.`);
            throw new CliError(err.summary);
          }
          throw err;
        }
        if (r.encoding === 'windows-1252') console.error('Note: the file is not UTF-8, so it was read as Windows-1252.');
        for (const note of r.notes) console.error(`Note: ${formatProblem(note)}`);
        if (!r.forceInTable)
          console.error(
            `Note: ${r.forceName} is not in this table, so the comparison shows its region and England and Wales only (set CEDAR_FORCE_HOME_OFFICE_NAME if the force is published under another name).`,
          );
        const what = r.outcome === 'unchanged' ? 'already loaded from this file, nothing changed' : r.outcome === 'replaced' ? `loaded, replacing the table from ${r.replacedFile}` : 'loaded';
        console.log(
          `Done: ${r.period.key} (${r.period.label}) ${what} — ${n(r.forces)} forces, ${n(r.regions)} region totals and England and Wales; ${r.forceName} ${r.forceInTable ? 'is' : 'is not'} in the table.`,
        );
      });
    });
}
