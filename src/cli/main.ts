import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { registerBackup } from './commands/backup.js';
import { registerCore } from './commands/core.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerRelease } from './commands/release.js';
import { registerSeed } from './commands/seed.js';
import { ValidationError } from '../domain/errors.js';
import { CliError, describeError, endProgress } from './runtime.js';

const program = new Command('cedar')
  .description('Cedar operations: migrations, seeding, accounts, imports and audit checks.\nSettings come from the environment (see README.md).')
  .showHelpAfterError()
  .exitOverride();

registerCore(program);
registerSeed(program);
registerImport(program);
registerExport(program);
registerReconcile(program);
registerRelease(program);
registerBackup(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  endProgress();
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof CliError || err instanceof ConfigError) {
    console.error(err.message);
    process.exit(err instanceof CliError ? err.exitCode : 2);
  }
  console.error(err instanceof ValidationError ? `Failed: the input is not valid.\n${describeError(err)}` : `Failed: ${describeError(err)}`);
  process.exit(1);
}
