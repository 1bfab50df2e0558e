import fs from 'node:fs';
import type { Command } from 'commander';
import { SHIFT_COLUMNS } from '../../domain/crewing/shifts.js';
import { cliActor } from '../../services/context.js';
import { importShifts } from '../../services/shifts.js';
import { CliError, importRefused, progress, withServices } from '../runtime.js';

const n = (x: number) => x.toLocaleString('en-GB');
/** Problems printed; the rest are counted. */

/** Checks the file can be read before the database is opened, with a message a person can act on. */
function checkFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`No file at ${file}: check the path and try again.`);
    if (code === 'EACCES') throw new CliError(`Cannot read ${file}: permission denied.`);
    throw err;
  }
  if (stat.isDirectory()) throw new CliError(`${file} is a folder, not a CSV file.`);
}

/** `cedar import shifts FILE`: duty rosters from a duty-rostering system (issue 14). */
export function registerShiftsImport(imports: Command): void {
  imports
    .command('shifts')
    .description('duty rosters (shifts) from a CSV; all or nothing, and safe to run again')
    .argument('<file>', 'the shifts CSV (UTF-8 or Windows-1252)')
    .option('--dry-run', 'check the file and count what would change, without writing anything')
    .addHelpText(
      'after',
      `
Columns (header row required, any order, any case):
  ${SHIFT_COLUMNS.join(',')}
  collar_number is an officer's collar number in Cedar; date the London date the shift
  starts (YYYY-MM-DD or DD/MM/YYYY); start and end London times (HH:MM): an end before the
  start is on the next day; borough the borough's name or code; team (a team of that
  borough, or a force-wide team) and call_sign may be blank.
  A shift is one officer's from one start: the same shift again is left alone, and a row
  with the same officer and start but a different end, borough, team or call sign replaces
  the stored shift (the audit log keeps what it was); a stored shift of the officer that a
  row overlaps without matching (moved to another start) is taken away.

Example:
  npm run cedar -- import shifts roster-2026-11.csv --dry-run
`,
    )
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      checkFile(file);
      await withServices(async (svc) => {
        const result = await importShifts(svc, cliActor(), { fileName: file, stream: fs.createReadStream(file), source: 'cli' }, { dryRun: opts.dryRun, onProgress: progress('Imported') });
        if (result.encoding === 'windows-1252') console.error('Note: the file is not UTF-8, so it was read as Windows-1252.');
        if (!result.ok) throw importRefused({ rejected: result.rejected, rejectedRows: result.rejectedRows, rows: result.read });
        const counts = `${n(result.read)} rows read — ${n(result.inserted)} ${opts.dryRun ? 'would be imported' : 'imported'}, ${n(result.replaced)} ${opts.dryRun ? 'would be replaced' : 'replaced'}, ${n(result.removed)} ${opts.dryRun ? 'would be taken away' : 'taken away'}, ${n(result.unchanged)} unchanged, 0 rejected`;
        console.log(opts.dryRun ? `Dry run: ${counts}. Nothing was written.` : `Done: ${counts}.`);
      });
    });
}
