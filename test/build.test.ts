import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testDatabases } from './support/databases.js';

/*
 * `npm run build` compiles src/ to dist/, and the compiled program runs with plain node. The
 * build here is the run's own (test/support/global-setup.ts compileForTests): the same
 * tsconfig.build.json into a directory of its own beside dist/ (one level under the package root,
 * as dist/ is: the program reads its views, public/, node_modules/ and the Home Office tables from
 * the package root). It runs once, on the SQLite run.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIMEOUT_MS = 120_000;
const run = promisify(execFile);

/** The parent's environment without Cedar's settings, which must not leak into the child. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CEDAR_.*|DATABASE_URL|PORT|HOST|NODE_OPTIONS)$/.test(k)));
  return { ...clean, TZ: 'UTC', NO_COLOR: '1', CEDAR_LOG_LEVEL: 'silent', ...extra };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe.runIf(testDatabases().includes('sqlite'))('the compiled program', () => {
  let out: string;
  let data: string;
  let server: ChildProcess | undefined;

  beforeAll(() => {
    out = inject('compiled');
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-build-'));
  });

  afterAll(() => {
    server?.kill('SIGKILL');
    fs.rmSync(data, { recursive: true, force: true });
  });

  it(
    'starts with node on a new SQLite database and serves its health check, pages and assets',
    async () => {
      const port = await freePort();
      let output = '';
      server = spawn(process.execPath, [path.join(out, 'main.js')], { cwd: data, env: env({ PORT: String(port), CEDAR_DB: path.join(data, 'cedar.db') }), stdio: ['ignore', 'pipe', 'pipe'] });
      server.stdout!.on('data', (b: Buffer) => (output += b.toString()));
      server.stderr!.on('data', (b: Buffer) => (output += b.toString()));
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + TIMEOUT_MS - 10_000;
      let health: Response | undefined;
      while (!health) {
        expect(server.exitCode, output).toBeNull();
        expect(Date.now() < deadline, `no answer from ${base}/healthz:\n${output}`).toBe(true);
        health = await fetch(`${base}/healthz`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 100));
      }
      expect(health.status, output).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', database: 'sqlite' });
      expect(output).toMatch(/First start: created the administrator account/);

      const signIn = await fetch(`${base}/sign-in`); // a Nunjucks view in the GOV.UK template
      expect(signIn.status).toBe(200);
      expect(await signIn.text()).toMatch(/govuk-template/);
      for (const asset of ['cedar.css', 'govuk-frontend.min.css', 'moj-frontend.min.css', 'images/favicon.ico']) {
        expect((await fetch(`${base}/assets/${asset}`)).status, asset).toBe(200);
      }
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    },
    TIMEOUT_MS,
  );

  it(
    'runs the cedar command and reads the Home Office tables from the package',
    async () => {
      const help = await run(process.execPath, [path.join(out, 'cli', 'main.js'), '--help'], { cwd: data, env: env({}) });
      expect(help.stdout).toMatch(/^Usage: cedar /);
      const tables = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(path.join(out, 'reference', 'home-office', 'index.js'))}); for (const t of m.PUBLISHED_HOME_OFFICE_TABLES) console.log((await m.readPublishedTable(t.file)).length);`,
        ],
        { cwd: data, env: env({}) },
      );
      const sizes = tables.stdout.trim().split('\n').map(Number);
      expect(sizes).toHaveLength(3);
      for (const size of sizes) expect(size).toBeGreaterThan(1000);
    },
    TIMEOUT_MS,
  );
});

describe.runIf(testDatabases().includes('sqlite'))('bin/cedar.js and bin/build.js', () => {
  // A package of stubs one level under the root (so tsx is found in the root's node_modules).
  let pkg: string;
  const cedar = (args: string[]) => run(process.execPath, [path.join(pkg, 'bin', 'cedar.js'), ...args], { cwd: pkg, env: env({}) });

  beforeAll(() => {
    pkg = fs.mkdtempSync(path.join(ROOT, '.build-test-'));
    fs.mkdirSync(path.join(pkg, 'bin'));
    for (const file of ['cedar.js', 'build.js']) fs.copyFileSync(path.join(ROOT, 'bin', file), path.join(pkg, 'bin', file));
    fs.mkdirSync(path.join(pkg, 'src', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'src', 'cli', 'main.ts'), "const args: string[] = process.argv.slice(2);\nconsole.log(`source ${args.join(' ')}`);\n");
    fs.mkdirSync(path.join(pkg, 'dist', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'dist', 'cli', 'main.js'), "console.log(`compiled ${process.argv.slice(2).join(' ')}`);\nprocess.exitCode = 3;\n");
    fs.writeFileSync(path.join(pkg, 'dist', 'main.js'), '');
  });

  afterAll(() => fs.rmSync(pkg, { recursive: true, force: true }));

  it(
    'runs the compiled CLI when it is built after the last change to src/, and the TypeScript otherwise; npm start builds only then',
    async () => {
      // Not built (no stamp): the TypeScript, through tsx.
      expect((await cedar(['a', 'b'])).stdout).toBe('source a b\n');

      // Built after the sources: the compiled CLI, in-process, its exit code passed through.
      const stamp = path.join(pkg, 'dist', '.built');
      fs.writeFileSync(stamp, '');
      const past = new Date(Date.now() - 60_000);
      fs.utimesSync(path.join(pkg, 'src', 'cli', 'main.ts'), past, past);
      const compiled = await cedar(['a']).catch((err: { code: number; stdout: string }) => err);
      expect(compiled).toMatchObject({ code: 3, stdout: 'compiled a\n' });
      // And `npm start` (bin/build.js --if-stale) does not build again: there is no tsconfig here to build with.
      expect(await run(process.execPath, [path.join(pkg, 'bin', 'build.js'), '--if-stale'], { cwd: pkg, env: env({}) })).toMatchObject({ stdout: '', stderr: '' });

      // A source changed since: the TypeScript again, never a stale build.
      const future = new Date(Date.now() + 60_000);
      fs.utimesSync(path.join(pkg, 'src', 'cli', 'main.ts'), future, future);
      expect((await cedar(['c'])).stdout).toBe('source c\n');
    },
    TIMEOUT_MS,
  );
});
