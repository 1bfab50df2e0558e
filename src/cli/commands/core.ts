import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import * as org from '../../db/repositories/organisation.js';
import { ROLES, isRole, type RoleGrant } from '../../domain/permissions.js';
import { createAccount, createApiToken } from '../../services/accounts.js';
import { parseAuditHead } from '../../domain/audit.js';
import { verifyAuditLog, type ExpectedHead } from '../../services/audit.js';
import { publishedRelease } from '../../services/releases.js';
import { cliActor } from '../../services/context.js';
import { CliError, progress, readStdin, withServices } from '../runtime.js';

export function registerCore(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(async () => {
      const config = loadConfig();
      const database = await openDatabase(config.database);
      try {
        const { applied, total } = await migrateToLatest(database.db);
        console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Nothing to apply.');
        console.log(`Done: ${database.kind} database is at migration ${total} of ${total}.`);
      } finally {
        await database.close();
      }
    });

  const users = program.command('users').description('manage accounts');
  users
    .command('add')
    .description('create an account; the password is read from standard input')
    .requiredOption('--email <email>', 'sign-in email address')
    .requiredOption('--role <role...>', `one or more roles: ${ROLES.join(', ')}`)
    .option('--borough <name>', 'limit the roles to one borough (supervisor, borough_commander, officer)')
    .option('--name <name>', 'display name (defaults to the email address)')
    .addHelpText('after', '\nExample:\n  echo "a long passphrase here" | npm run cedar -- users add --email pat@force.example --role supervisor --borough Lambeth')
    .action(async (opts: { email: string; role: string[]; borough?: string; name?: string }) => {
      const bad = opts.role.filter((r) => !isRole(r));
      if (bad.length) throw new CliError(`Unknown role ${bad.join(', ')}. Roles: ${ROLES.join(', ')}`);
      if (process.stdin.isTTY) process.stderr.write('Password (then Enter and Ctrl-D): ');
      const password = (await readStdin()).replace(/\r?\n$/, '');
      await withServices(async (svc) => {
        let boroughId: string | null = null;
        if (opts.borough) {
          const force = await org.findForce(svc.database.db);
          const borough = force && (await org.listBoroughs(svc.database.db, force.id)).find((b) => b.name.toLowerCase() === opts.borough!.toLowerCase() || b.code === opts.borough!.toUpperCase());
          if (!borough) throw new CliError(`No borough called ${opts.borough}`);
          boroughId = borough.id;
        }
        const roles: RoleGrant[] = opts.role.map((r) => ({ role: r as RoleGrant['role'], boroughId }));
        const { account } = await createAccount(svc, cliActor(), { email: opts.email, displayName: opts.name ?? opts.email, roles }, password);
        console.log(`Done: created account ${account.email} with role(s) ${opts.role.join(', ')}${opts.borough ? ` in ${opts.borough}` : ''}.`);
      });
    });

  program
    .command('tokens')
    .description('API tokens')
    .command('create')
    .description('create an API token for an account; it is shown once and stored only as a hash')
    .requiredOption('--user <email>', 'the account the token acts as')
    .option('--name <name>', 'what the token is for', 'API token')
    .action(async (opts: { user: string; name: string }) => {
      await withServices(async (svc) => {
        const { token, account } = await createApiToken(svc, cliActor(), opts.user, opts.name);
        console.log(token);
        console.error(`Done: token "${opts.name}" created for ${account.email}. Copy it now: it cannot be shown again.`);
      });
    });

  program
    .command('audit')
    .description('the audit log')
    .command('verify')
    .description('check the whole hash chain (keyed with CEDAR_AUDIT_KEY) and the heads published with releases; exits 1 at the first broken entry')
    .option('--head <SEQ:HASH>', 'also check the log still holds this head (entry number and hash, as a release published it)')
    .option('--release <N>', "check against the head release N published (as Cedar stored it; for a check that does not trust the database, give the head from the release's aggregates.json with --head)")
    .addHelpText('after', '\nExamples:\n  npm run cedar -- audit verify\n  npm run cedar -- audit verify --head 1234:<64 hex digits from aggregates.json>\n  npm run cedar -- audit verify --release 7')
    .action(async (opts: { head?: string; release?: string }) => {
      let given: ExpectedHead | undefined;
      if (opts.head) {
        try {
          given = { source: 'the head given', ...parseAuditHead(opts.head) };
        } catch (err) {
          throw new CliError(`--head: ${(err as Error).message}`);
        }
      }
      if (opts.release !== undefined && !/^[1-9]\d{0,8}$/.test(opts.release.trim())) throw new CliError(`--release: give a release number, like 7 (you gave "${opts.release}")`);
      await withServices(async (svc) => {
        const heads = given ? [given] : [];
        if (opts.release !== undefined) {
          const n = Number(opts.release.trim());
          const release = await publishedRelease(svc, n).catch(() => {
            throw new CliError(`--release: there is no published release ${n}.`);
          });
          if (!release.auditHead) throw new CliError(`--release: release ${n} was published before Cedar published the audit log's head with each release, so it has no head to check against.`);
          heads.push({ source: `release ${n}`, ...release.auditHead });
        }
        const result = await verifyAuditLog(svc, { onProgress: progress('Checked'), heads });
        if (!result.ok) {
          if (!result.brokenAt.id) throw new CliError(`Audit log BROKEN at entry ${result.brokenAt.seq}: ${result.reason}.\nThe ${result.checked} entries left are consistent with one another, but the log no longer holds what was published.`);
          throw new CliError(`Audit log BROKEN at entry ${result.brokenAt.seq} (id ${result.brokenAt.id}): ${result.reason}.\n${result.checked} entries before it are intact.`);
        }
        console.log(`Head: entry ${result.lastSeq}, hash ${result.lastHash}${result.keyedFrom === null ? ' (not keyed)' : result.keyedFrom === 1 ? ' (keyed with CEDAR_AUDIT_KEY)' : ` (keyed with CEDAR_AUDIT_KEY from entry ${result.keyedFrom})`}`);
        // The release heads come first, then those asked for.
        const published = result.heads.slice(0, result.heads.length - heads.length);
        if (published.length) console.log(`The heads published with ${published.length} release${published.length === 1 ? '' : 's'} all hold (the newest: entry ${published.at(-1)!.seq}, ${published.at(-1)!.source}).`);
        for (const h of result.heads.slice(published.length)) console.log(`The head ${h.source === 'the head given' ? 'given' : `published with ${h.source}`} holds: entry ${h.seq} has hash ${h.hash}.`);
        console.log(`Done: audit log intact, ${result.checked} ${result.checked === 1 ? 'entry' : 'entries'} checked.`);
      });
    });
}
