import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const PG_URL = process.env.CEDAR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabases: ('sqlite' | 'postgres')[];
    pgUrl: string;
    chromium: string | null;
    /** src/ compiled once for the run (see compileForTests): the CLI tests run its cli/main.js. */
    compiled: string;
  }
}

async function postgresAnswers(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Compiles src/ once for the whole run, with tsconfig.build.json but into a directory of its own
 * one level under the root (as dist/ is: the program finds its views and the Home Office tables
 * from there), without type checking (the typecheck is its own step): about 4 s. The CLI tests
 * run its cli/main.js with plain node, which starts in about 0.4 s where the TypeScript through
 * tsx takes 0.8–2 s; they run the CLI more than a hundred times. Removed when the run ends.
 */
async function compileForTests(): Promise<string> {
  const out = fs.mkdtempSync(path.join(ROOT, '.build-test-'));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out, '--tsBuildInfoFile', path.join(out, '.tsbuildinfo'), '--noCheck'], { cwd: ROOT });
  return out;
}

/**
 * Decides which databases the data-layer suites run on:
 *   CEDAR_TEST_DB=sqlite    SQLite only
 *   CEDAR_TEST_DB=postgres  PostgreSQL only (fails if it does not answer)
 *   CEDAR_TEST_DB=both      SQLite and PostgreSQL (fails if PostgreSQL does not answer: CI)
 *   unset                   SQLite, and PostgreSQL when it answers (loudly skipped when not)
 */
export default async function setup(project: TestProject) {
  const wanted = process.env.CEDAR_TEST_DB ?? 'either';
  const banner = (msg: string) => console.warn(`\n${'!'.repeat(78)}\n${msg}\n${'!'.repeat(78)}\n`);
  let dbs: ('sqlite' | 'postgres')[];
  if (wanted === 'sqlite') dbs = ['sqlite'];
  else {
    const problem = await postgresAnswers();
    if (wanted === 'postgres' || wanted === 'both') {
      if (problem) throw new Error(`CEDAR_TEST_DB=${wanted} but PostgreSQL at ${PG_URL} does not answer: ${problem}`);
      dbs = wanted === 'both' ? ['sqlite', 'postgres'] : ['postgres'];
    } else if (problem) {
      banner(`SKIPPED: PostgreSQL suites. ${PG_URL} does not answer (${problem}).\nOnly SQLite was tested. Set CEDAR_TEST_PG_URL or start PostgreSQL to run them.`);
      dbs = ['sqlite'];
    } else dbs = ['sqlite', 'postgres'];
  }
  const chromium = process.env.CEDAR_CHROMIUM ?? '/usr/bin/chromium';
  const haveChromium = fs.existsSync(chromium);
  if (!haveChromium) banner(`SKIPPED: browser suites. No Chromium at ${chromium} (apt-get install -y chromium).`);
  project.provide('testDatabases', dbs);
  project.provide('pgUrl', PG_URL);
  project.provide('chromium', haveChromium ? chromium : null);
  const compiled = await compileForTests();
  project.provide('compiled', compiled);
  return () => fs.rmSync(compiled, { recursive: true, force: true });
}
