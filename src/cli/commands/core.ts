import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { ROLES, isRole, type RoleGrant } from '../../domain/permissions.js';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TOKEN_SCOPES } from '../../domain/api-tokens.js';
import { createAccount, createApiToken, listApiTokens, revokeApiToken } from '../../services/accounts.js';
import { parseAuditHead } from '../../domain/audit.js';
import { verifyAuditLog, type ExpectedHead } from '../../services/audit.js';
import { publishedRelease } from '../../services/releases.js';
import { cliActor } from '../../services/context.js';
import { listBoroughs } from '../../services/organisation.js';
import { migrateDatabase } from '../../services/setup.js';
import { CliError, progress, readStdin, withServices } from '../runtime.js';

export function registerCore(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(async () => {
      const config = loadConfig();
      const { applied, total, kind } = await migrateDatabase(config);
      console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Nothing to apply.');
      console.log(`Done: ${kind} database is at migration ${total} of ${total}.`);
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
          const borough = (await listBoroughs(svc)).find((b) => b.name.toLowerCase() === opts.borough!.toLowerCase() || b.code === opts.borough!.toUpperCase());
          if (!borough) throw new CliError(`No borough called ${opts.borough}`);
          boroughId = borough.id;
        }
        const roles: RoleGrant[] = opts.role.map((r) => ({ role: r as RoleGrant['role'], boroughId }));
        const { account } = await createAccount(svc, cliActor(), { email: opts.email, displayName: opts.name ?? opts.email, roles }, password);
        console.log(`Done: created account ${account.email} with role(s) ${opts.role.join(', ')}${opts.borough ? ` in ${opts.borough}` : ''}.`);
      });
    });

  const tokens = program.command('tokens').description('API tokens for the JSON API (/api/v1): scoped, expiring, revocable');
  tokens
    .command('create')
    .description('create an API token for an account; it is shown once and stored only as a hash')
    .requiredOption('--user <email>', 'the account the token acts as (its roles still apply)')
    .option('--name <name>', 'what the token is for', 'API token')
    .option('--scope <scope...>', `what it may do, one or more of: ${TOKEN_SCOPES.join(', ')} (default: every scope the account's roles can use)`)
    .option('--expires-days <days>', `days until it stops working, 1 to ${MAX_TOKEN_DAYS}`, String(DEFAULT_TOKEN_DAYS))
    .addHelpText('after', '\nExample:\n  npm run cedar -- tokens create --user roster@force.example --name roster-sync --scope officers:read officers:write --expires-days 30')
    .action(async (opts: { user: string; name: string; scope?: string[]; expiresDays: string }) => {
      await withServices(async (svc) => {
        const { token, account, record } = await createApiToken(svc, cliActor(), opts.user, opts.name, { scopes: opts.scope, expiresInDays: opts.expiresDays });
        console.log(token);
        console.error(
          `Done: token "${record.name}" (${record.tokenPrefix}) created for ${account.email}, scopes ${record.scopes.join(' ')}, expires ${when(record.expiresAt)}. Copy it now: it cannot be shown again.`,
        );
      });
    });
  tokens
    .command('list')
    .description('list API tokens (never their secrets): prefix, name, account, scopes, dates and status')
    .option('--user <email>', "only this account's tokens")
    .action(async (opts: { user?: string }) => {
      await withServices(async (svc) => {
        const list = await listApiTokens(svc, { userEmail: opts.user });
        if (list.length) {
          console.log(
            table([
              ['Prefix', 'Name', 'Account', 'Scopes', 'Created', 'Expires', 'Last used', 'Status'],
              ...list.map((t) => [
                t.tokenPrefix,
                t.name,
                t.userEmail,
                t.scopes.join(' '),
                when(t.createdAt),
                when(t.expiresAt),
                when(t.lastUsedAt) || 'never',
                t.status === 'revoked' ? `revoked ${when(t.revokedAt)}` : t.status,
              ]),
            ]),
          );
        }
        const active = list.filter((t) => t.status === 'active').length;
        console.log(`Done: ${list.length} token${list.length === 1 ? '' : 's'}, ${active} active.`);
      });
    });
  tokens
    .command('revoke')
    .description('revoke an API token at once, by its prefix (cedar_…) or id')
    .argument('<prefix-or-id>', 'the prefix `tokens list` shows, or the id')
    .action(async (ref: string) => {
      await withServices(async (svc) => {
        const t = await revokeApiToken(svc, cliActor(), ref);
        console.log(`Done: revoked ${t.tokenPrefix} ("${t.name}" for ${t.userEmail}). It stops working now.`);
      });
    });

  program
    .command('audit')
    .description('the audit log')
    .command('verify')
    .description('check the whole hash chain (keyed with CEDAR_AUDIT_KEY) and the heads published with releases; exits 1 at the first broken entry')
    .option('--head <SEQ:HASH>', 'also check the log still holds this head (entry number and hash, as a release published it)')
    .option(
      '--release <N>',
      "check against the head release N published (as Cedar stored it; for a check that does not trust the database, give the head from the release's aggregates.json with --head)",
    )
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
          if (!result.brokenAt.id)
            throw new CliError(
              `Audit log BROKEN at entry ${result.brokenAt.seq}: ${result.reason}.\nThe ${result.checked} entries left are consistent with one another, but the log no longer holds what was published.`,
            );
          throw new CliError(`Audit log BROKEN at entry ${result.brokenAt.seq} (id ${result.brokenAt.id}): ${result.reason}.\n${result.checked} entries before it are intact.`);
        }
        console.log(
          `Head: entry ${result.lastSeq}, hash ${result.lastHash}${result.keyedFrom === null ? ' (not keyed)' : result.keyedFrom === 1 ? ' (keyed with CEDAR_AUDIT_KEY)' : ` (keyed with CEDAR_AUDIT_KEY from entry ${result.keyedFrom})`}`,
        );
        // The release heads come first, then those asked for.
        const published = result.heads.slice(0, result.heads.length - heads.length);
        if (published.length)
          console.log(`The heads published with ${published.length} release${published.length === 1 ? '' : 's'} all hold (the newest: entry ${published.at(-1)!.seq}, ${published.at(-1)!.source}).`);
        for (const h of result.heads.slice(published.length))
          console.log(`The head ${h.source === 'the head given' ? 'given' : `published with ${h.source}`} holds: entry ${h.seq} has hash ${h.hash}.`);
        console.log(`Done: audit log intact, ${result.checked} ${result.checked === 1 ? 'entry' : 'entries'} checked.`);
      });
    });
}

/** An instant as `2026-04-01 09:00 UTC`; '' for none. */
const when = (iso: string | null): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '');

/** Rows as aligned columns, the first row a header underlined. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
