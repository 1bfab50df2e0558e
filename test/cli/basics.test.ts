import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.js';
import { FIXTURES, TEST_TIMEOUT_MS, cliEnv, createCliDatabase, describeRun, runCli, type CliDatabase } from './support.js';

describe('cedar --help', () => {
  it(
    'lists every command, and each group lists its subcommands',
    async () => {
      const env = cliEnv({});
      const [top, users, tokens, audit, imports] = await Promise.all([
        runCli(['--help'], { env }),
        runCli(['users', '--help'], { env }),
        runCli(['tokens', '--help'], { env }),
        runCli(['audit', '--help'], { env }),
        runCli(['import', '--help'], { env }),
      ]);
      expect(top.code, describeRun(top)).toBe(0);
      expect(top.stdout).toMatch(/^Usage: cedar /);
      const commands = [...top.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
      expect(commands).toEqual(expect.arrayContaining(['migrate', 'users', 'tokens', 'audit', 'seed', 'import']));

      for (const [r, sub] of [
        [users, 'add'],
        [tokens, 'create'],
        [audit, 'verify'],
        [imports, 'officers'],
      ] as const) {
        expect(r.code, describeRun(r)).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^ {2}${sub}\\b`, 'm'));
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'runs through the installed bin/cedar.js, which passes output and exit codes through',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-cli-bin-'));
      try {
        const env = cliEnv({ CEDAR_DB: path.join(dir, 'cedar.db') });
        const [help, usage, config] = await Promise.all([
          runCli(['--help'], { env, via: 'bin' }),
          runCli(['seed'], { env, via: 'bin' }),
          runCli(['migrate'], { env: { ...env, PORT: 'abc' }, via: 'bin' }),
        ]);
        expect(help.code, describeRun(help)).toBe(0);
        expect(help.stdout).toMatch(/^Usage: cedar /);
        expect(usage.code, describeRun(usage)).toBe(1); // CliError
        expect(usage.stderr).toMatch(/^Say what to seed/);
        expect(config.code, describeRun(config)).toBe(2); // ConfigError
        expect(config.stderr).toMatch(/PORT/);
        expect(fs.existsSync(path.join(dir, 'cedar.db'))).toBe(false);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe.each(testDatabases())('cedar settings and migrate on %s', (kind) => {
  let db: CliDatabase;
  beforeAll(async () => {
    db = await createCliDatabase(kind);
  });
  afterAll(() => db?.cleanup());

  it(
    'refuses to run any command with a bad setting, naming the variable, before touching the database',
    async () => {
      const cases: { settings: Record<string, string>; args: string[]; input?: string; names: RegExp }[] = [
        { settings: { PORT: 'abc' }, args: ['migrate'], names: /PORT\b.*"abc"/ },
        { settings: { DATABASE_URL: 'mysql://x' }, args: ['audit', 'verify'], names: /DATABASE_URL\b.*postgres:\/\/.*"mysql:\/\/x"/ },
        { settings: { CEDAR_SESSION_HOURS: '-1' }, args: ['seed', '--demo', '--officers', '200'], names: /CEDAR_SESSION_HOURS\b/ },
        { settings: { CEDAR_LOG_LEVEL: 'loud' }, args: ['import', 'officers', path.join(FIXTURES, 'roster-good.csv')], names: /CEDAR_LOG_LEVEL\b.*"loud"/ },
        { settings: { PORT: '70000' }, args: ['users', 'add', '--email', 'pat@example.org', '--role', 'analyst'], input: 'a long enough passphrase\n', names: /PORT\b.*"70000"/ },
        { settings: { CEDAR_ADMIN_EMAIL: 'not-an-email' }, args: ['tokens', 'create', '--user', 'pat@example.org'], names: /CEDAR_ADMIN_EMAIL\b/ },
      ];
      const runs = await Promise.all(cases.map((c) => runCli(c.args, { env: cliEnv({ ...db.settings, ...c.settings }), input: c.input })));
      runs.forEach((r, i) => {
        const c = cases[i]!;
        const what = `${Object.keys(c.settings)[0]} with cedar ${c.args.join(' ')}\n${describeRun(r)}`;
        expect(r.code, what).not.toBe(0);
        expect(r.code, what).not.toBeNull();
        expect(r.stderr, what).toContain('invalid settings');
        expect(r.stderr, what).toMatch(c.names);
        expect(r.stdout, what).toBe('');
      });
      // Settings are checked before the database is opened: nothing was created or migrated.
      expect(await db.hasTables()).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'migrates an empty database and prints the summary',
    async () => {
      const r = await runCli(['migrate'], { env: cliEnv(db.settings) });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Applied \d+ migration\(s\): 0001_foundation/m);
      expect(r.stdout).toMatch(new RegExp(`^Done: ${kind} database is at migration (\\d+) of \\1\\.$`, 'm'));
      expect(await db.hasTables()).toBe(true);
      expect(await db.count('select count(*) from audit_log')).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says there is nothing to apply when run again',
    async () => {
      const r = await runCli(['migrate'], { env: cliEnv(db.settings) });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout).toMatch(/^Nothing to apply\.$/m);
      expect(r.stdout).not.toMatch(/Applied/);
      expect(r.stdout).toMatch(/^Done: /m);
    },
    TEST_TIMEOUT_MS,
  );
});
