import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './http/app.js';
import { ensureAdministrator, removeEndedSessions, removeExpiredKeptForms } from './services/accounts.js';
import { SYSTEM_ACTOR, wallClock } from './services/context.js';
import { DemoRefusedError, seedDemo } from './demo/index.js';
import { printDemoSummary } from './cli/commands/seed.js';
import { closeServices, openServices, ensureForce } from './services/setup.js';
import { tuneHeapForServer } from './http/server-heap.js';

/** How often ended sessions (and kept forms past their time) are removed while Cedar runs. */
const HOUSEKEEPING_MINUTES = 15;

async function main() {
  tuneHeapForServer();
  const config = loadConfig();
  const svc = await openServices(config);
  const where = config.database.kind === 'sqlite' ? `SQLite at ${config.database.file}` : 'PostgreSQL';
  console.log(`Cedar: ${where}${svc.migrated.length ? `, applied ${svc.migrated.length} migration(s)` : ', schema up to date'}.`);
  for (const notice of svc.notices) console.log(notice);

  await ensureForce(svc, SYSTEM_ACTOR, config.force);
  const admin = await ensureAdministrator(svc, SYSTEM_ACTOR, config.adminEmail);
  if (admin) {
    console.log(
      `\nFirst start: created the administrator account.\n  email:    ${admin.email}\n  password: ${admin.password}\nThis password is shown only now and must be changed at first sign-in.\n`,
    );
  }
  if (config.demo) {
    try {
      printDemoSummary(await seedDemo(svc, SYSTEM_ACTOR, { now: wallClock() }));
    } catch (err) {
      if (!(err instanceof DemoRefusedError)) throw err;
      console.log(`CEDAR_DEMO: not seeding the demo force. ${err.message}`);
    }
  }

  // Ended sessions are removed on start and then every few minutes, for as long as Cedar runs.
  const removeEnded = () =>
    Promise.all([removeEndedSessions(svc), removeExpiredKeptForms(svc)]).catch((err: unknown) => console.error(`Cedar: could not remove ended sessions: ${(err as Error).message}`));
  await removeEnded();
  const housekeeping = setInterval(() => void removeEnded(), HOUSEKEEPING_MINUTES * 60_000);
  housekeeping.unref();

  const app = await buildApp({ services: svc, config, logger: config.logLevel !== 'silent' });
  const close = async (signal: string) => {
    console.log(`Cedar: ${signal}, shutting down.`);
    clearInterval(housekeeping);
    await app.close();
    await closeServices(svc);
    process.exit(0);
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  console.log(`Cedar is running at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `Cedar failed to start: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
