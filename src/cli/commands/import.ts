import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { ROSTER_COLUMNS } from '../../domain/roster.js';
import { cliActor } from '../../services/context.js';
import { importOfficers } from '../../services/import-officers.js';
import { importTraining, NoCourseTypesError } from '../../services/import-training.js';
import { seedNationalCourseTypes } from '../../services/training.js';
import { NATIONAL_COURSE_TYPES } from '../../domain/training/courses.js';
import { TRAINING_COLUMNS } from '../../domain/training/import.js';
import { importMetFile, type MetImportResult } from '../../services/met-import.js';
import { stringify } from 'csv-stringify/sync';
import { neutraliseRow, type RowError } from '../../domain/csv.js';
import { CliError, endProgress, formatRowError, importRefused, MAX_PROBLEMS_SHOWN, progress, withServices } from '../runtime.js';
import { registerHomeOfficeImport } from './import-home-office.js';
import { registerShiftsImport } from './import-shifts.js';
import { importCartridges, importDeviceIssues, importDevices, type RegisterImportResult } from '../../services/import-devices.js';
import { CARTRIDGE_COLUMNS, DEVICE_COLUMNS, ISSUE_COLUMNS } from '../../domain/devices/import.js';
import { CANONICAL_COLUMNS } from '../../domain/devices/log-formats/index.js';
import { createReadStream } from 'node:fs';
import { importDeviceLog } from '../../services/device-logs.js';

const n = (x: number) => x.toLocaleString('en-GB');

/** A message for a file that cannot be read, or the error itself when it is not one a person can fix. */
function inputFileError(file: string, err: unknown, kind: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new CliError(`No file at ${file}: check the path and try again.`);
  if (code === 'EISDIR') return new CliError(`${file} is a folder, not ${kind}.`);
  if (code === 'EACCES') return new CliError(`Cannot read ${file}: permission denied.`);
  return err;
}

async function readInputFile(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw inputFileError(file, err, 'a CSV file');
  }
}

/** Checks that a file can be opened and read, without reading it (a large file is then read a piece at a time). */
async function checkInputFile(file: string, kind: string): Promise<void> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      if ((await handle.stat()).isDirectory()) throw Object.assign(new Error(`${file} is a folder`), { code: 'EISDIR' });
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw inputFileError(file, err, kind);
  }
}

/**
 * The rejects file (line, column, reason), written as problems are found rather than held:
 * created at the first problem, so a file with none leaves none behind.
 */
class RejectsFile {
  private handle: fs.FileHandle | null = null;
  private pending = '';
  constructor(readonly path: string) {}

  async add(e: RowError): Promise<void> {
    if (!this.handle) {
      try {
        this.handle = await fs.open(this.path, 'w');
      } catch (err) {
        throw new CliError(`Cannot write the rejected rows to ${this.path}: ${(err as Error).message}. Give another path with --rejects; nothing was imported.`);
      }
      this.pending = stringify([['line', 'column', 'reason']], { record_delimiter: 'unix' });
    }
    // Column names and messages can carry what the file said: no cell may run as a formula in a spreadsheet.
    this.pending += stringify([neutraliseRow([String(e.line), e.column ?? '', e.message])], { record_delimiter: 'unix' });
    if (this.pending.length >= 64 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.handle && this.pending) await this.handle.write(this.pending);
    this.pending = '';
  }

  /** Writes what is left and closes the file; `keep: false` removes it (the import did not happen, so its rejects mean nothing). */
  async close(keep: boolean): Promise<void> {
    if (!this.handle) return;
    try {
      if (keep) await this.flush();
    } finally {
      await this.handle.close();
      this.handle = null;
    }
    if (!keep) await fs.rm(this.path, { force: true });
  }
}

export function registerImport(program: Command): void {
  const imports = program.command('import').description('import records from files');

  imports
    .command('met-uof')
    .description("historical uses of force from a file in the Met's published layout (CSV in UTF-8 or Windows-1252, or an .xlsx workbook)")
    .argument('<file>', 'the published file: CSV, or .xlsx (its first sheet), told apart by content')
    .option('--rejects <file>', 'where to write the rejected rows and why (default: FILE.rejects.csv beside it)')
    .action(async (file: string, opts: { rejects?: string }) => {
      await checkInputFile(file, 'a CSV or .xlsx file');
      await withServices(async (svc) => {
        const show = progress('Read');
        const rejects = new RejectsFile(opts.rejects ?? `${file}.rejects.csv`);
        let r: MetImportResult;
        // Were reading the file ever to wait on nothing (a damaged workbook the checks let
        // through), Node would end with exit code 13 and no word: say what happened instead.
        // Nothing was committed, so nothing is stored.
        const stuck = () => {
          endProgress();
          console.error(`Nothing imported: reading ${file} stopped part-way and cannot go on, so the file is damaged. Open it in Excel and save it again as .xlsx or as CSV, then import it again.`);
          process.exit(1);
        };
        process.once('beforeExit', stuck);
        try {
          r = await importMetFile(svc, cliActor(), { fileName: file, path: file }, { onProgress: (n) => show(n), onReject: (e) => rejects.add(e) });
        } catch (err) {
          await rejects.close(false);
          throw err;
        } finally {
          process.off('beforeExit', stuck);
        }
        await rejects.close(r.problem === null);
        if (r.problem) throw new CliError(`Nothing imported: ${r.problem}`);
        if (r.problems) {
          for (const e of r.rejects.slice(0, 20)) console.error(formatRowError(e));
          if (r.problems > 20) console.error(`… and ${n(r.problems - 20)} more problems: see ${rejects.path}`);
          console.error(`Rejected rows and reasons written to ${rejects.path}.`);
        }
        console.log(`Done: ${n(r.read)} rows read — ${n(r.imported)} imported, ${n(r.alreadyPresent)} already present, ${n(r.rejected)} rejected (${r.encoding ?? r.format}).`);
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
        if (!result.ok) throw importRefused({ rejected: result.errors, rejectedRows: result.rejected, rows: result.rows });
        const counts = `${n(result.rows)} rows — ${n(result.created)} created, ${n(result.updated)} updated, ${n(result.unchanged)} unchanged`;
        console.log(opts.dryRun ? `Dry run: ${counts}. Nothing was written.` : `Done: ${counts}.`);
      });
    });

  imports
    .command('training')
    .description('historical training records from a CSV; all or nothing, and safe to run again')
    .argument('<file>', 'the training records CSV (UTF-8 or Windows-1252)')
    .option('--dry-run', 'check the file and count what would be imported, without writing anything')
    .option('--rejects <file>', 'also write every problem to this CSV (line, column, reason)')
    .option('--add-national-courses', `first add the national course types the force lacks (${NATIONAL_COURSE_TYPES.map((c) => c.code).join(', ')})`)
    .addHelpText(
      'after',
      `
Columns (header row required, any order, any case):
  ${TRAINING_COLUMNS.join(', ')}
  collar_number is an officer's collar number in Cedar; course_code a course type's code
  (like initial-x2 or refresher); completed_on the day the course ended (YYYY-MM-DD or
  DD/MM/YYYY, not after today); result pass, fail or did_not_finish; reason is required
  for fail and did_not_finish, and the column may be left out when every result is a pass.
  A record Cedar already holds (same officer, course, day and result) is left alone.
  Authority to carry follows from the records: it is never typed in.

Examples:
  npm run cedar -- import training training.csv --dry-run
  npm run cedar -- import training training.csv --add-national-courses
`,
    )
    .action(async (file: string, opts: { dryRun?: boolean; rejects?: string; addNationalCourses?: boolean }) => {
      if (opts.dryRun && opts.addNationalCourses) {
        throw new CliError('--add-national-courses adds course types, so it cannot be part of a dry run: add them without --dry-run first, or leave it out.');
      }
      const bytes = await readInputFile(file);
      await withServices(async (svc) => {
        const actor = cliActor();
        if (opts.addNationalCourses) {
          const added = await seedNationalCourseTypes(svc, actor);
          console.log(added ? `Added ${n(added)} national course type${added === 1 ? '' : 's'}.` : 'The force has every national course type already.');
        }
        const result = await importTraining(svc, actor, { fileName: file, bytes }, { dryRun: opts.dryRun, onProgress: progress('Imported') }).catch((err: unknown) => {
          if (err instanceof NoCourseTypesError) throw new CliError(`Nothing imported: ${err.message}`);
          throw err;
        });
        if (result.encoding === 'windows-1252') console.error('Note: the file is not UTF-8, so it was read as Windows-1252.');
        if (!result.ok) {
          const problems = result.rejected;
          // Every problem is reported: beyond what is shown, in a rejects file.
          const rejectsPath = opts.rejects ?? (problems.length > MAX_PROBLEMS_SHOWN ? `${file}.rejects.csv` : null);
          if (rejectsPath) {
            const rejects = new RejectsFile(rejectsPath);
            for (const e of problems) await rejects.add(e);
            await rejects.close(true);
          }
          const refused = importRefused({ rejected: problems, rejectedRows: result.rejectedRows, rows: result.read, rest: rejectsPath ?? undefined });
          if (rejectsPath) console.error(`Every problem written to ${rejectsPath}.`);
          throw refused;
        }
        console.log(
          opts.dryRun
            ? `Dry run: ${n(result.read)} rows read — ${n(result.inserted)} would be imported, ${n(result.alreadyPresent)} already present, 0 rejected. Nothing was written.`
            : `Done: ${n(result.read)} rows read — ${n(result.inserted)} imported, ${n(result.alreadyPresent)} already present, 0 rejected.`,
        );
      });
    });

  const register = (name: 'devices' | 'cartridges' | 'device-issues', run: typeof importDevices, description: string, help: string) =>
    imports
      .command(name)
      .description(description)
      .argument('<file>', `the ${name} CSV (UTF-8 or Windows-1252)`)
      .addHelpText('after', help)
      .action(async (file: string) => {
        const bytes = await readInputFile(file);
        await withServices(async (svc) => {
          const result: RegisterImportResult = await run(svc, cliActor(), { fileName: file, bytes });
          if (result.encoding === 'windows-1252') console.error('Note: the file is not UTF-8, so it was read as Windows-1252.');
          if (!result.ok) throw importRefused({ rejected: result.rejected, rejectedRows: result.rejectedRows, rows: result.read });
          console.log(`Done: ${n(result.read)} rows read — ${n(result.inserted)} imported, ${n(result.updated)} updated, ${n(result.alreadyPresent)} already present, 0 rejected.`);
        });
      });

  register(
    'devices',
    importDevices,
    'the fleet register from a CSV; all or nothing, and safe to run again',
    `
Columns (header row required, any order, any case):
  ${DEVICE_COLUMNS.join(',')}
  model is one of the force's device models (X26, X2, TASER 7, TASER 10 to begin with);
  armoury a borough's name or code or a force-wide unit's name, blank for the central store;
  status in service, in repair, quarantined or withdrawn; firmware and in_service_on
  (YYYY-MM-DD or DD/MM/YYYY) may be blank. A device already registered as it is is left
  alone; a changed model, armoury, firmware or date is updated. An import never moves a
  device from one state to another: that is done on its page, with the reason.

Example:
  npm run cedar -- import devices fleet.csv
`,
  );

  register(
    'cartridges',
    importCartridges,
    'cartridges into the armouries from a CSV; all or nothing, and safe to run again',
    `
Columns (header row required, any order, any case):
  ${CARTRIDGE_COLUMNS.join(',')}
  type is a cartridge type a model takes (for the X2: Smart 15 ft, Smart 25 ft); expires_on
  the expiry date (YYYY-MM-DD or DD/MM/YYYY); armoury as for devices, blank for the central
  store. A cartridge already held as it is is left alone.

Example:
  npm run cedar -- import cartridges cartridges.csv
`,
  );

  register(
    'device-issues',
    importDeviceIssues,
    'the history of sign-outs from the system the force used before; all or nothing, and safe to run again',
    `
Columns (header row required, any order, any case):
  ${ISSUE_COLUMNS.join(',')}
  issued_at and returned_at are ISO 8601 instants with their offset (2026-11-30T07:00:00+00:00);
  returned_at is blank while the device is still out; cartridges are serials separated by ;.
  History is not gated, but a device out twice at once, or an officer holding two devices at
  once, is an error on its line. Import the devices, cartridges and officers first.

Example:
  npm run cedar -- import device-issues sign-outs.csv
`,
  );

  imports
    .command('device-log')
    .description("devices' event logs as downloaded at a dock, in Cedar's canonical CSV; all or nothing, and safe to run again")
    .argument('<file>', 'the device log CSV (UTF-8), read a piece at a time')
    .addHelpText(
      'after',
      `
Columns (header row required, any order, any case):
  ${CANONICAL_COLUMNS.join(',')}
  device_serial   letters, digits and hyphens (up to 30); a serial the register lacks is kept all the same
  sequence        the device's entry number, from 1: with the serial it names the entry
  device_time     the device's clock, YYYY-MM-DD HH:MM:SS, UTC with no zone (before 2001: the clock was reset)
  event           armed, safe, trigger, arc, time_sync or other
  duration_s      seconds: required on trigger and arc, how long it was armed on safe, blank otherwise
  bay, cartridge_serial, battery_pct (0-100), temperature_c   when the device records them
  true_time       on time_sync only: the right UTC time it set (2027-03-01T10:00:00Z, or YYYY-MM-DD HH:MM:SS as UTC)
  An entry already held with the same values is left alone (so overlapping downloads add only
  what is new); with other values, the line is refused. Any problem refuses the whole file.
  Each device in the file is recorded as downloaded now.

Example:
  npm run cedar -- import device-log dock-2027-03-01.csv
`,
    )
    .action(async (file: string) => {
      await checkInputFile(file, 'a CSV file');
      await withServices(async (svc) => {
        const show = progress('Read');
        let shown = 0;
        const r = await importDeviceLog(svc, cliActor(), {
          fileName: file,
          source: 'cli',
          input: createReadStream(file, { highWaterMark: 1 << 20 }),
          onProgress: (rows) => {
            if (rows - shown >= LOG_PROGRESS_EVERY) {
              shown = rows;
              show(rows);
            }
          },
        });
        endProgress();
        if (!r.ok) throw importRefused({ rejected: r.rejected, rejectedRows: r.rejectedRows, rows: r.read, total: r.problems });
        if (r.unknownSerials.length) {
          const listed = r.unknownSerials.slice(0, 10).join(', ');
          console.error(
            `Note: ${n(r.unknownSerials.length)} serial${r.unknownSerials.length === 1 ? ' is' : 's are'} not in the register (${listed}${r.unknownSerials.length > 10 ? ', …' : ''}); their entries were kept.`,
          );
        }
        console.log(`Done: ${n(r.read)} rows read — ${n(r.added)} added, ${n(r.alreadyPresent)} already present, 0 rejected; ${n(r.devices)} device${r.devices === 1 ? '' : 's'}.`);
      });
    });

  registerHomeOfficeImport(imports);
  registerShiftsImport(imports);
}

/** `import device-log` shows progress every this many rows. */
const LOG_PROGRESS_EVERY = 100_000;

/** Problems printed by `import training`; the rest go to the rejects file. */
