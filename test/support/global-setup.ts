import pg from 'pg';
import type { TestProject } from 'vitest/node';

export const PG_URL = process.env.CEDAR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabases: ('sqlite' | 'postgres')[];
    pgUrl: string;
    chromium: string | null;
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
  const { existsSync } = await import('node:fs');
  const chromium = process.env.CEDAR_CHROMIUM ?? '/usr/bin/chromium';
  const haveChromium = existsSync(chromium);
  if (!haveChromium) banner(`SKIPPED: browser suites. No Chromium at ${chromium} (apt-get install -y chromium).`);
  project.provide('testDatabases', dbs);
  project.provide('pgUrl', PG_URL);
  project.provide('chromium', haveChromium ? chromium : null);
}
