import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { backupSqlite, BackupRefusedError, restoreSqlite, type BackupSummary } from '../../services/backup.js';
import { existingAuditKey } from '../../services/audit.js';
import { wallClock } from '../../services/context.js';
import { CliError } from '../runtime.js';

const n = (x: number) => x.toLocaleString('en-GB');
const size = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${n(Math.ceil(bytes / 1024))} KB`);

/** What a checked backup holds, as printed by both commands. */
function describe(s: BackupSummary): string {
  const schema =
    s.migrations.applied === s.migrations.known
      ? `migration ${s.migrations.applied} of ${s.migrations.known}`
      : `migration ${s.migrations.applied} of ${s.migrations.known} (brought up to date when Cedar next starts)`;
  return [
    `Checked: SQLite integrity ok; Cedar schema at ${schema}; audit chain intact from its first entry.`,
    ...s.counts.map((c) => `  ${c.label}: ${n(c.rows)}`),
    `Audit head: entry ${n(s.audit.headSeq)}, hash ${s.audit.headHash}`,
  ].join('\n');
}

/** PostgreSQL backs up with its own tools: the commands, as the README gives them. */
const POSTGRES = `Cedar is on PostgreSQL (DATABASE_URL): back it up and restore it with PostgreSQL's own tools,
which are consistent while Cedar runs (see README.md, "Backup and restore"):

  pg_dump --format=custom --file=cedar.dump "$DATABASE_URL"
  createdb --maintenance-db="$DATABASE_URL" cedar_restored
  pg_restore --no-owner --exit-on-error --dbname=postgres://USER@HOST:5432/cedar_restored cedar.dump

then point DATABASE_URL at the restored database and run: cedar audit verify`;

function refused(err: unknown): never {
  if (err instanceof BackupRefusedError) throw new CliError(err.message);
  throw err;
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite database to a file while Cedar runs, consistent, then check the copy (PostgreSQL: pg_dump)')
    .requiredOption('--out <file>', 'the backup file to write')
    .option('--force', 'replace the file if it exists')
    .addHelpText('after', '\nExample:\n  npm run cedar -- backup --out backups/cedar-2026-12-06.db')
    .action(async (opts: { out: string; force?: boolean }) => {
      const config = loadConfig();
      if (config.database.kind !== 'sqlite') throw new CliError(POSTGRES, 2);
      const auditKey = existingAuditKey({ key: config.auditKey, sqliteFile: config.database.file });
      const s = await backupSqlite(config.database.file, opts.out, { replace: opts.force, auditKey }).catch(refused);
      console.log(`Backed up ${config.database.file}: a consistent copy as of the moment it began, Cedar running or not.`);
      console.log(describe(s));
      console.log(`Done: backup written to ${opts.out} (${size(s.bytes)}).`);
    });

  program
    .command('restore')
    .description('check a backup, then make it the SQLite database (stop Cedar first; PostgreSQL: pg_restore)')
    .argument('<file>', 'a backup made by cedar backup')
    .option('--force', 'replace the existing database (it is kept beside it as .before-restore-…)')
    .addHelpText('after', '\nExample (with Cedar stopped):\n  npm run cedar -- restore backups/cedar-2026-12-06.db --force')
    .action(async (file: string, opts: { force?: boolean }) => {
      const config = loadConfig();
      if (config.database.kind !== 'sqlite') throw new CliError(POSTGRES, 2);
      const auditKey = existingAuditKey({ key: config.auditKey, sqliteFile: config.database.file });
      const r = await restoreSqlite(file, config.database.file, { replace: opts.force, now: wallClock(), auditKey }).catch(refused);
      console.log(describe(r.backup));
      console.log(`Done: restored ${file} to ${r.target}.${r.previous ? ` The database it replaced is kept as ${r.previous}.` : ''}`);
    });
}
