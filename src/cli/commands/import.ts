import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { ROSTER_COLUMNS, type RowError } from '../../domain/roster.js';
import { cliActor } from '../../services/context.js';
import { importOfficers } from '../../services/importOfficers.js';
import { importMetFile } from '../../services/metImport.js';
import { stringify } from 'csv-stringify/sync';
import { CliError, progress, withServices } from '../runtime.js';
import { registerHomeOfficeImport } from './import-home-office.js';

const n = (x: number) => x.toLocaleString('en-GB');

/** `line 12, column rank: Select a rank` (or `line 1: The file is empty` when no column applies). */
export function formatRowError(e: RowError): string {
  return `line ${e.line}${e.column === null ? '' : `, column ${e.column}`}: ${e.message}`;
}

async function readInputFile(file: string): Promise<Buffer> {
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

export function registerImport(program: Command): void {
  const imports = program.command('import').description('import records from files');

  imports
    .command('met-uof')
    .description("historical uses of force from a file in the Met's published layout (CSV, UTF-8 or Windows-1252)")
    .argument('<file>', 'the published CSV')
    .option('--rejects <file>', 'where to write the rejected rows and why (default: FILE.rejects.csv beside it)')
    .action(async (file: string, opts: { rejects?: string }) => {
      const bytes = await readInputFile(file);
      await withServices(async (svc) => {
        const show = progress('Read');
        const r = await importMetFile(svc, cliActor(), { fileName: file, bytes }, { onProgress: (n) => show(n) });
        if (r.problem) throw new CliError(`Nothing imported: ${r.problem}`);
        if (r.rejects.length) {
          const out = opts.rejects ?? `${file}.rejects.csv`;
          await fs.writeFile(out, stringify([['line', 'column', 'reason'], ...r.rejects.map((e) => [String(e.line), e.column ?? '', e.message])], { record_delimiter: 'unix' }));
          for (const e of r.rejects.slice(0, 20)) console.error(formatRowError(e));
          if (r.rejects.length > 20) console.error(`… and ${n(r.rejects.length - 20)} more problems: see ${out}`);
          console.error(`Rejected rows and reasons written to ${out}.`);
        }
        console.log(`Done: ${n(r.read)} rows read — ${n(r.imported)} imported, ${n(r.alreadyPresent)} already present, ${n(r.rejected)} rejected (${r.encoding}).`);
      });
    });

  imports
    .command('officers')
    .description('create and update officers from a roster CSV; all or nothing, and safe to run again')
    .argument('<file>', 'the roster CSV (UTF-8 or Windows-1252)')
    .option('--dry-run', 'check the file and report what would change, without writing anything')
    .addHelpText(
      'after',
      `
Columns (header row required, any order, any case):
  ${ROSTER_COLUMNS.join(', ')}
  borough, team, status and left_on may be left out. borough is a name or code, team a
  name, rank a name or abbreviation (PC, PS, Insp...), dates YYYY-MM-DD or DD/MM/YYYY.
  Officers are matched by collar number: new ones are created, changed ones updated.

Example:
  npm run cedar -- import officers roster.csv --dry-run
`,
    )
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const bytes = await readInputFile(file);
      await withServices(async (svc) => {
        const result = await importOfficers(svc, cliActor(), { fileName: file, bytes }, { dryRun: opts.dryRun, onProgress: progress('Imported') });
        if (result.encoding === 'windows-1252') console.error('Note: the file is not UTF-8, so it was read as Windows-1252.');
        if (!result.ok) {
          for (const e of result.errors) console.error(formatRowError(e));
          throw new CliError(
            result.rejected > 0
              ? `Rejected: ${n(result.rejected)} of ${n(result.rows)} rows ${result.rejected === 1 ? 'has' : 'have'} errors; nothing was imported.`
              : 'Rejected: the file has errors; nothing was imported.',
          );
        }
        const counts = `${n(result.rows)} rows — ${n(result.created)} created, ${n(result.updated)} updated, ${n(result.unchanged)} unchanged`;
        console.log(opts.dryRun ? `Dry run: ${counts}. Nothing was written.` : `Done: ${counts}.`);
      });
    });
  registerHomeOfficeImport(imports);
}
