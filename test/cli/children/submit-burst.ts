// A child process for the tests: submits complete reports, several at a time, until it is
// killed, printing `acked <id>` for each one only after its submission has committed.
//   CEDAR_DB or DATABASE_URL: the database; BURST_ACTOR: the recording officer's actor (JSON);
//   BURST_BOROUGH: the report's borough id; BURST_WORKERS: submissions in flight (default 3).
import { loadConfig } from '../../../src/config.js';
import { openDatabase } from '../../../src/db/database.js';
import { openAuditKey } from '../../../src/services/audit.js';
import { fixedClock, type Actor } from '../../../src/services/context.js';
import { servicesFor } from '../../../src/services/setup.js';
import { firedReport, recordReport } from '../../support/report-fixtures.js';

const config = loadConfig();
const database = await openDatabase(config.database.kind === 'sqlite' ? config.database : { kind: 'postgres', url: config.database.url });
const now = new Date('2026-12-01T12:00:00Z');
// The audit key Cedar itself would use: CEDAR_AUDIT_KEY, or the key file beside the SQLite database.
const { key } = await openAuditKey(database, { key: config.auditKey, sqliteFile: config.database.kind === 'sqlite' ? config.database.file : null });
const svc = servicesFor(database, { ...config, auditKey: key }, fixedClock(now));
const actor = JSON.parse(process.env.BURST_ACTOR!) as Actor;
const boroughId = process.env.BURST_BOROUGH!;
const workers = Number(process.env.BURST_WORKERS ?? 3);

process.stdout.write('ready\n');
let made = 0;
await Promise.all(
  Array.from({ length: workers }, async () => {
    for (;;) {
      // Two reports on each incident (one officer, two subjects), often saved at the same moment.
      const full = firedReport(boroughId);
      const sections = { ...full, incident: { ...(full.incident as object), reference: `CAD ${process.pid}-${Math.ceil(++made / 2)}/01DEC` } };
      const id = await recordReport(svc, actor, sections, now);
      process.stdout.write(`acked ${id}\n`);
    }
  }),
);
