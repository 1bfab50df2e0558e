import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/domain/permissions.js';
import { testDatabases } from '../support/databases.js';
import { TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

const PASSWORD = 'correct horse battery staple';

describe.each(testDatabases())('cedar seed, users add and tokens on %s', (kind) => {
  let db: CliDatabase;
  let env: NodeJS.ProcessEnv;
  const cedar = (args: string[], input?: string) => runCli(args, { env, input });

  beforeAll(async () => {
    db = await createCliDatabase(kind);
    env = cliEnv(db.settings);
  });
  afterAll(() => db?.cleanup());

  it(
    'refuses `seed` without --demo, showing how to use it',
    async () => {
      const r = await cedar(['seed']);
      expect(r.code, describeRun(r)).not.toBe(0);
      expect(r.stderr).toMatch(/Say what to seed/);
      expect(r.stderr).toMatch(/^ {2}--demo\b/m);
      expect(r.stderr).toMatch(/^ {2}--officers <n>/m);
      expect(r.stderr).toMatch(/^Example:/m);
      expect(r.stdout).toBe('');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a seed time that is not an instant with its time zone, before touching the database',
    async () => {
      for (const at of ['2026-12-06', '2026-02-30T09:00:00Z']) {
        const r = await cedar(['seed', '--demo', '--officers', '200', '--at', at]);
        expect(r.code, describeRun(r)).not.toBe(0);
        expect(r.stderr).toContain(`option '--at <time>' argument '${at}' is invalid. Enter a date and time with its time zone, like 2026-12-06T09:00:00Z`);
        expect(r.stdout).toBe('');
      }
      // Nothing was seeded: the next test seeds this database from empty.
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'seeds the demo force and prints the demo accounts once, as one-time passwords',
    async () => {
      const r = await cedar(['seed', '--demo', '--officers', '200', '--at', '2026-12-06T09:00:00Z']);
      expect(r.code, describeRun(r)).toBe(0);
      const lines = r.stdout.split('\n');
      const header = lines.findIndex((l) => /^Role\s+Email\s+Password$/.test(l));
      expect(header, describeRun(r)).toBeGreaterThanOrEqual(0);
      expect(lines[header + 1]).toMatch(/^-+ {2}-+ {2}-+$/);
      const rows = lines.slice(header + 2, header + 2 + ROLES.length).map((l) => l.split(/\s{2,}/));
      expect(rows.map((row) => row[0])).toEqual([...ROLES]);
      for (const [role, email, password] of rows) {
        expect(email).toBe(`${role!.replace(/_/g, '-')}@demo.cedar.police.uk`);
        expect(password!.length).toBeGreaterThanOrEqual(12);
      }
      expect(r.stdout).toMatch(/^These are one-time passwords, shown only now: .* Each must be changed at first sign-in\./m);
      expect(r.stdout).toMatch(
        /^Done: seeded Metropolitan Police Service as of 2026-12-06T09:00:00\.000Z with 33 boroughs, \d+ teams, 200 officers, \d+ demo accounts, \d+ use-of-force reports, \d+ training records \(\d+ officers authorised when the uplift plan started on 2026-09-01\) and \d+ course sessions, \d+ imported Taser uses for April to November 2026 with 8 published monthly releases \(see \/transparency; the latest counts \d+ uses, 1 of them recorded in Cedar\), a fleet of \d+ devices \(\d+ X2, \d+ X26, which stops being issued on 2027-06-01\) with \d+ cartridges and \d+ sign-outs over the last month \(\d+ still out, \d+ in repair, 1 quarantined\), a year of device logs \(\d+ entries from \d+ devices; the reconciliation confirms \d+ reports and lists \d+ exceptions to look at\), a month of \d+ shifts on the response teams' duty roster \(the last 3 days' \d+ crews saved, \d+ with a Taser\), and the Home Office tables for 2016, 2017-18, 2018-19\.$/m,
      );
      expect(await db.count('select count(*) from app_user where must_change_password = 1')).toBe(ROLES.length);

      expect(await db.count('select count(*) from borough')).toBe(33);
      expect(await db.count('select count(*) from officer')).toBe(200);
      expect(await db.count(`select count(*) from app_user where email like '%@demo.cedar.police.uk'`)).toBe(ROLES.length);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses to seed a database that already has data, changing nothing',
    async () => {
      const audit = await db.count('select count(*) from audit_log');
      const r = await cedar(['seed', '--demo', '--officers', '200']);
      expect(r.code, describeRun(r)).not.toBe(0);
      expect(r.stderr).toMatch(/already has data/);
      expect(r.stdout).not.toMatch(/Done:/);
      expect(await db.count('select count(*) from officer')).toBe(200);
      expect(await db.count('select count(*) from audit_log')).toBe(audit);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'adds an account with a borough-scoped role, the password read from standard input',
    async () => {
      const r = await cedar(['users', 'add', '--email', 'x@y.org', '--role', 'supervisor', '--borough', 'Lambeth'], `${PASSWORD}\n`);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Done: created account x@y\.org with role\(s\) supervisor in Lambeth\.$/m);
      expect(r.output).not.toContain(PASSWORD);

      const roles = await db.sql(
        `select r.role, b.name as borough, u.password_hash from app_user u join user_role r on r.user_id = u.id left join borough b on b.id = r.borough_id where u.email = ?`,
        ['x@y.org'],
      );
      expect(roles).toHaveLength(1);
      expect(roles[0]).toMatchObject({ role: 'supervisor', borough: 'Lambeth' });
      expect(String(roles[0]!.password_hash)).not.toContain(PASSWORD);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a short password, an unknown role and an unknown borough, creating nobody',
    async () => {
      const users = await db.count('select count(*) from app_user');
      const [short, role, borough] = await Promise.all([
        cedar(['users', 'add', '--email', 'short@y.org', '--role', 'analyst'], 'tooshort\n'),
        cedar(['users', 'add', '--email', 'role@y.org', '--role', 'analyst', 'sheriff'], `${PASSWORD}\n`),
        cedar(['users', 'add', '--email', 'borough@y.org', '--role', 'supervisor', '--borough', 'Atlantis'], `${PASSWORD}\n`),
      ]);
      expect(short.code, describeRun(short)).not.toBe(0);
      expect(short.stderr).toMatch(/\bpassword\b/i);
      expect(role.code, describeRun(role)).not.toBe(0);
      expect(role.stderr).toMatch(/\bsheriff\b/);
      expect(borough.code, describeRun(borough)).not.toBe(0);
      expect(borough.stderr).toMatch(/\bAtlantis\b/);
      for (const r of [short, role, borough]) expect(r.stdout).not.toMatch(/Done:/);
      expect(await db.count('select count(*) from app_user')).toBe(users);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'creates an API token: only the token on stdout, stored only as its hash',
    async () => {
      const r = await cedar(['tokens', 'create', '--user', 'x@y.org']);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^cedar_[A-Za-z0-9_-]{20,}\n$/);
      expect(r.stderr).toMatch(/^Done: /m);
      const token = r.stdout.trim();
      expect(r.stderr).not.toContain(token);

      const stored = await db.sql(`select t.token_hash from api_token t join app_user u on u.id = t.user_id where u.email = ?`, ['x@y.org']);
      expect(stored).toEqual([{ token_hash: createHash('sha256').update(token).digest('hex') }]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a token for an unknown user',
    async () => {
      const r = await cedar(['tokens', 'create', '--user', 'nobody@y.org']);
      expect(r.code, describeRun(r)).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/nobody@y\.org/);
      expect(await db.count('select count(*) from api_token')).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'creates a scoped token with an expiry, lists tokens without their secrets, and revokes one by its prefix',
    async () => {
      const created = await cedar(['tokens', 'create', '--user', 'x@y.org', '--name', 'rota', '--scope', 'officers:read', '--expires-days', '30']);
      expect(created.code, describeRun(created)).toBe(0);
      const token = created.stdout.trim();
      const prefix = token.slice(0, 12);
      expect(created.stderr).toMatch(new RegExp(`^Done: token "rota" \\(${prefix}\\) created for x@y\\.org, scopes officers:read, expires \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC\\.`, 'm'));
      const [stored] = await db.sql(`select scopes, created_at, expires_at from api_token where token_prefix = ?`, [prefix]);
      expect(JSON.parse(String(stored!.scopes))).toEqual(['officers:read']);
      expect(Date.parse(String(stored!.expires_at)) - Date.parse(String(stored!.created_at))).toBe(30 * 86_400_000);

      const list = await cedar(['tokens', 'list', '--user', 'x@y.org']);
      expect(list.code, describeRun(list)).toBe(0);
      expect(list.stdout).toMatch(/^Prefix\s+Name\s+Account\s+Scopes\s+Created\s+Expires\s+Last used\s+Status$/m);
      expect(list.stdout).toMatch(new RegExp(`^${prefix}\\s+rota\\s+x@y\\.org\\s+officers:read\\s+.*\\bnever\\s+active$`, 'm'));
      expect(list.stdout).toMatch(/^Done: 2 tokens, 2 active\.$/m);
      expect(list.output).not.toContain(token.slice(12));

      const revoked = await cedar(['tokens', 'revoke', prefix]);
      expect(revoked.code, describeRun(revoked)).toBe(0);
      expect(revoked.stdout).toMatch(new RegExp(`^Done: revoked ${prefix} \\("rota" for x@y\\.org\\)`, 'm'));
      expect((await db.sql(`select revoked_at from api_token where token_prefix = ?`, [prefix]))[0]!.revoked_at).not.toBeNull();
      const again = await cedar(['tokens', 'revoke', prefix]);
      expect(again.code, describeRun(again)).not.toBe(0);
      expect(again.stderr).toMatch(/already revoked/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a scope that does not exist and a token for too long, creating nothing',
    async () => {
      const tokens = await db.count('select count(*) from api_token');
      const [unknown, tooLong] = await Promise.all([
        cedar(['tokens', 'create', '--user', 'x@y.org', '--scope', 'account:write']),
        cedar(['tokens', 'create', '--user', 'x@y.org', '--scope', 'reports:read', '--expires-days', '1000']),
      ]);
      expect(unknown.code, describeRun(unknown)).not.toBe(0);
      expect(unknown.stderr).toMatch(/scopes: Unknown scope account:write/);
      expect(tooLong.code, describeRun(tooLong)).not.toBe(0);
      expect(tooLong.stderr).toMatch(/expiresInDays: A token lasts at most 366 days/);
      for (const r of [unknown, tooLong]) expect(r.stdout).toBe('');
      expect(await db.count('select count(*) from api_token')).toBe(tokens);
    },
    TEST_TIMEOUT_MS,
  );
});
