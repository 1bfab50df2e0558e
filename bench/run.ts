// npm run bench: Cedar's figures on this machine, with ratios. Nothing here is a pass/fail test.
//   BENCH_SECONDS=5 (per HTTP measurement), BENCH_OFFICERS=10000 (the demo force), BENCH_ROSTER_ROWS=20000,
//   BENCH_BESIDE_ROWS=150000 (the import run beside the server), BENCH_JSON=bench-results.json
// Sections to run (default all): `npm run bench -- devices` runs the demo seed and the devices
// section only; names: training, argon2, roster, audit, met, http, pages, devices, beside, device-logs, coverage, briefing, writes.
import { fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import * as org from '../src/db/repositories/organisation.js';
import { changePassword, createAccount, createApiToken, hashPassword } from '../src/services/accounts.js';
import { verifyAuditLog } from '../src/services/audit.js';
import { SYSTEM_ACTOR, wallClock } from '../src/services/context.js';
import { DEFAULT_DEMO_OFFICERS } from '../src/demo/force.js';
import { seedDemo } from '../src/demo/index.js';
import { lapsing } from '../src/services/training.js';
import { planUplift, progress } from '../src/services/uplift.js';
import { usesPerThousandOfficers } from '../src/services/statistics.js';
import { londonDate } from '../src/domain/calendar.js';
import { financialYearOf, parsePeriod } from '../src/domain/stats/periods.js';
import { importOfficers } from '../src/services/import-officers.js';
import { servicesFor } from '../src/services/setup.js';
import { parse as parseCsv } from 'csv-parse/sync';
import autocannon, { type Result as CannonResult } from 'autocannon';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { MET_COLUMNS } from '../src/domain/met/layout.js';
import { writeMetCsv } from '../src/domain/met/write.js';
import { DIMENSION_KEYS } from '../src/domain/stats/counting.js';
import { homeOfficeReturn, statistics } from '../src/services/statistics.js';
import { benchDeviceLogs } from './device-logs.js';
import { benchCoverage } from './coverage.js';
import { benchBriefing } from './briefing.js';
import { benchWrites, officersWithoutAccount } from './writes.js';
import { postgresCopySeconds, scratchPostgres, sqliteImportSeconds } from './loaders.js';
import { cannon, describeVersus, versusBare } from './cannon.js';

const SECTIONS = ['training', 'argon2', 'roster', 'audit', 'met', 'http', 'pages', 'devices', 'beside', 'device-logs', 'coverage', 'briefing', 'writes'] as const;
const ONLY = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const a of ONLY) if (!(SECTIONS as readonly string[]).includes(a)) throw new Error(`bench: no section called ${a}: the sections are ${SECTIONS.join(', ')}`);
/** Whether a section runs: all do unless some are named on the command line. */
const want = (section: (typeof SECTIONS)[number]) => ONLY.length === 0 || ONLY.includes(section);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const OFFICERS = Number(process.env.BENCH_OFFICERS ?? DEFAULT_DEMO_OFFICERS);
const ROSTER_ROWS = Number(process.env.BENCH_ROSTER_ROWS ?? 20000);
/** The PostgreSQL whose scratch databases the Met import and the write path use, when it answers. */
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PASSWORD = 'bench passphrase that is long';

/**
 * Cedar as production runs it (`npm start` and the `cedar` command run dist/): built first if a
 * source changed since the last build. The server and the imports below run the compiled code
 * (started on an empty database, the server held 141 MB compiled and 194 MB under tsx).
 */
function builtCedar(): string {
  const built = spawnSync(process.execPath, [fileURLToPath(new URL('../bin/build.js', import.meta.url)), '--if-stale'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('the build failed: the bench measures compiled Cedar (npm run build)');
  return fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
}
const CEDAR_CLI = builtCedar();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cedar-bench-'));
const file = path.join(dir, 'cedar.db');
const rows: [string, string, string][] = [];
const report = (what: string, figure: string, note = '') => {
  rows.push([what, figure, note]);
  console.log(`  ${what}: ${figure}${note ? `  (${note})` : ''}`);
};
const ms = (t0: number) => performance.now() - t0;
const n = (x: number, digits = 0) => x.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`Cedar bench on ${os.cpus().length} cores, Node ${process.version}, SQLite in ${dir}`);
const database = await openDatabase({ kind: 'sqlite', file });
await migrateToLatest(database.db);
const svc = servicesFor(database, { lockoutAttempts: 5, lockoutMinutes: 15, sessionHours: 12 });

// 1. Demo force
let t0 = performance.now();
const demo = await seedDemo(svc, SYSTEM_ACTOR, { officers: OFFICERS, now: wallClock() });
report('seed demo force', `${n(ms(t0))} ms`, `${n(demo.officers)} officers, ${demo.teams} teams, ${demo.accounts.length} accounts`);

// 1b. Training and authority, derived for the whole force (nothing is stored as a status)
for (const [label, work] of !want('training')
  ? []
  : ([
      ['officers lapsing within 90 days (lapsing page)', async () => `${n((await lapsing(svc, { all: true }, 90, undefined)).total)} officers`],
      ['uplift progress (authorised now, by borough and team type, 12+ month trend)', async () => `${n((await progress(svc, { all: true })).progress.authorisedNow)} authorised now`],
      ['uplift planner (projection and fewest-sessions proposal)', async () => `proposal: ${(await planUplift(svc))?.proposal.initialSessionsPerMonth ?? '-'} initial courses a month`],
      [
        'uses per 1,000 authorised officers, this financial year',
        async () => `${(await usesPerThousandOfficers(svc, parsePeriod(financialYearOf(londonDate(new Date())).key), 1000)).averageAuthorised} authorised on average`,
      ],
    ] as const)) {
  await work(); // warm
  const t0t = performance.now();
  const note = await work();
  report(label, `${n(ms(t0t))} ms`, note);
}

// 2. argon2id cost per sign-in
if (want('argon2')) {
  t0 = performance.now();
  for (let i = 0; i < 5; i++) await hashPassword(PASSWORD);
  report('argon2id hash (19 MiB, t=2)', `${n(ms(t0) / 5, 1)} ms each`);
}

// 3. Roster import: a new file, the same file again, then every row changed
const force = (await org.findForce(database.db))!;
const boroughs = await org.listBoroughs(database.db, force.id);
const teams = await org.listTeams(database.db, force.id);
const responseTeams = teams.filter((t) => t.teamType === 'emergency_response' && t.boroughId);
const letters = (i: number) => {
  let s = '';
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
};
const csv = (rank: string) => {
  const lines = ['collar_number,first_name,last_name,rank,borough,team,status,joined_on,left_on'];
  for (let i = 0; i < ROSTER_ROWS; i++) {
    const team = responseTeams[i % responseTeams.length]!;
    const borough = boroughs.find((b) => b.id === team.boroughId)!;
    lines.push(`B${i},Alex,"Bench-${letters(i)}",${rank},${borough.name},${team.name},active,2019-04-01,`);
  }
  return Buffer.from(lines.join('\n'));
};
const rss0 = process.memoryUsage().rss;
for (const [label, bytes] of !want('roster')
  ? []
  : ([
      ['new', csv('PC')],
      ['unchanged', csv('PC')],
      ['all changed', csv('PS')],
    ] as const)) {
  t0 = performance.now();
  const r = await importOfficers(svc, SYSTEM_ACTOR, { fileName: 'bench.csv', bytes });
  if (!r.ok) throw new Error(`bench import rejected: ${JSON.stringify(r.errors.slice(0, 3))}`);
  const t = ms(t0);
  report(`import ${n(ROSTER_ROWS)} roster rows (${label})`, `${n(t)} ms`, `${n(ROSTER_ROWS / (t / 1000))} rows/s; ${r.created} created, ${r.updated} updated`);
}
if (want('roster')) report('peak RSS during imports', `${n(process.resourceUsage().maxRSS / 1024)} MB`, `${n((process.memoryUsage().rss - rss0) / 1048576)} MB above the start`);

// 4. Audit chain verification (the updates above wrote one entry each)
if (want('audit')) {
  t0 = performance.now();
  const check = await verifyAuditLog(svc);
  const tv = ms(t0);
  report('audit verify', `${n(tv)} ms`, `${n(check.checked)} entries, ${n(check.checked / (tv / 1000))} entries/s, intact: ${check.ok}`);
}

// 5. Met-format import: a 150,000-row CSV in the published layout, made from the sample's rows,
//    and a smaller .xlsx workbook of the same rows (BENCH_MET_XLSX_ROWS, 0 to leave it out)
const MET_ROWS = Number(process.env.BENCH_MET_ROWS ?? 150_000);
const MET_XLSX_ROWS = Number(process.env.BENCH_MET_XLSX_ROWS ?? 10_000);

/**
 * Runs `cedar import met-uof FILE` in a process of its own, into its own SQLite database (a file
 * name) or PostgreSQL database (`{ url }`): wall time, peak RSS (VmHWM) and its summary line.
 */
async function importInOwnProcess(file: string, database: string | { url: string }): Promise<{ ms: number; peakKb: number; out: string }> {
  const target = typeof database === 'string' ? { CEDAR_DB: database, DATABASE_URL: '' } : { DATABASE_URL: database.url, CEDAR_AUDIT_KEY: randomBytes(32).toString('hex') };
  const child = fork(CEDAR_CLI, ['import', 'met-uof', file], {
    env: { ...process.env, ...target, CEDAR_LOG_LEVEL: 'silent' },
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const started = performance.now();
  const peakKb = await new Promise<number>((resolve, reject) => {
    let max = 0;
    const timer = setInterval(() => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) max = Math.max(max, Number(hwm[1]));
      } catch {
        /* the process has ended */
      }
    }, 100);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code === 0) resolve(max);
      else reject(new Error(`met import exited ${code}: ${out}`));
    });
  });
  return { ms: ms(started), peakKb, out };
}
const reportImport = (what: string, rows: number, r: { ms: number; peakKb: number; out: string }, beside = '') =>
  report(what, `${n(r.ms / 1000, 1)} s`, `${beside ? `${beside}; ` : ''}${n(rows / (r.ms / 1000))} rows/s; peak RSS ${n(r.peakKb / 1024)} MB; ${r.out.trim().replace(/^Done: /, '')}`);

const sample = (parseCsv(fs.readFileSync(new URL('../test/fixtures/met/met-use-of-force-sample.csv', import.meta.url), 'utf8').replace(/^\uFEFF/, '')) as string[][]).slice(1);
const metRow = (i: number) => {
  const row = [...sample[i % sample.length]!];
  const day = new Date(Date.UTC(2019, 3, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10);
  row[0] = day; // spread over 2019-20
  row[1] = `${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`;
  return row;
};
/** A Met-format CSV of `count` rows (written in pieces, never held whole). */
function writeMetFile(file: string, count: number): string {
  const out = fs.openSync(file, 'w');
  for (let start = 0; start < count; start += 10_000) {
    const rows: string[][] = [];
    for (let i = start; i < Math.min(count, start + 10_000); i++) rows.push(metRow(i));
    fs.writeSync(out, writeMetCsv(rows, { header: start === 0 }));
  }
  fs.closeSync(out);
  return file;
}
if (want('coverage')) {
  // Issue 14: the whole force's coverage for the month to the demo's day (see bench/coverage.ts).
  const c = await benchCoverage(svc);
  report(
    `coverage, ${c.boroughs} boroughs × the hours of ${c.from} to ${c.to} (${n(c.rows)} rows)`,
    `${n(c.medianMs)} ms`,
    `target < 1 s on SQLite; median of ${c.runs} runs after the first, which took ${n(c.firstMs)} ms (the force's authority worked out and cached); ${n(c.hoursBelow)} borough-hours below the minimum`,
  );
}
if (want('device-logs')) {
  // Issue 13: a year of device event logs for 2,500 devices (see bench/device-logs.ts).
  const f = await benchDeviceLogs(dir);
  report(
    `import ${n(f.rows)} device log entries (service, file stream, own process)`,
    `${n(f.importMs / 1000, 1)} s`,
    `target < 60 s and < 400 MB; ${n(f.rows / (f.importMs / 1000))} rows/s; CPU ${n(f.cpuMs / 1000, 1)} s; peak RSS ${n(f.peakRssMb)} MB; the same file again (nothing added) ${n(f.againMs / 1000, 1)} s; ${n(f.fileMb)} MB file; raw INSERT loop ${n(f.rawMs / 1000, 1)} s (×${n(f.importMs / f.rawMs, 2)}); ${f.summary}`,
  );
  report(`reconcile a year of those logs (${n(f.rows)} entries)`, `${n(f.reconcileMs / 1000, 1)} s`, `target < 30 s; ${f.reconcileSummary}`);
}
const metCsv = want('met') || (want('beside') && Number(process.env.BENCH_BESIDE_ROWS ?? 150_000) === MET_ROWS) ? writeMetFile(path.join(dir, 'met-uof.csv'), MET_ROWS) : '';
if (want('met')) {
  const file = metCsv;
  // Each import beside its database's own loader of the same file (bench/loaders.ts), as a ratio: target within 3× of sqlite3 .import, 6× of COPY.
  const sqliteImport = await importInOwnProcess(file, path.join(dir, 'met.db'));
  const sqliteLoader = sqliteImportSeconds(file, dir);
  reportImport(
    `import ${n(MET_ROWS)} Met-format rows (CLI, own process, SQLite)`,
    MET_ROWS,
    sqliteImport,
    sqliteLoader === null
      ? 'no sqlite3 command here (apt-get install sqlite3) for the loader beside it'
      : `×${n(sqliteImport.ms / 1000 / sqliteLoader, 1)} sqlite3 .import of the same file (${n(sqliteLoader, 1)} s; target ≤ ×3)`,
  );
  const pgScratch = await scratchPostgres(PG_URL);
  if (!pgScratch) console.log('  (PostgreSQL does not answer: the import on PostgreSQL and COPY are left out; BENCH_PG_URL to point at one)');
  else {
    try {
      const pgImport = await importInOwnProcess(file, { url: pgScratch.url });
      const copy = await postgresCopySeconds(file, pgScratch.url, MET_COLUMNS);
      reportImport(
        `import ${n(MET_ROWS)} Met-format rows (CLI, own process, PostgreSQL)`,
        MET_ROWS,
        pgImport,
        copy === null ? 'no psql here for COPY beside it' : `×${n(pgImport.ms / 1000 / copy, 1)} psql \\copy of the same file (${n(copy, 1)} s; target ≤ ×6)`,
      );
    } finally {
      await pgScratch.drop();
    }
  }

  if (MET_XLSX_ROWS > 0) {
    // As a spreadsheet holds them: dates and times as date cells, blanks as no cell.
    const xlsx = path.join(dir, 'met-uof.xlsx');
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsx, useSharedStrings: true, useStyles: true });
    const sheet = book.addWorksheet('Use of force');
    sheet.addRow([...MET_COLUMNS]).commit();
    for (let i = 0; i < MET_XLSX_ROWS; i++) {
      const values = metRow(i);
      const [h, m] = values[1]!.split(':').map(Number);
      const row = sheet.addRow([new Date(`${values[0]}T00:00:00Z`), new Date(Date.UTC(1899, 11, 30, h!, m!)), ...values.slice(2).map((v) => (v === '' ? null : v))]);
      row.getCell(1).numFmt = 'dd/mm/yyyy';
      row.getCell(2).numFmt = 'hh:mm';
      row.commit();
    }
    sheet.commit();
    await book.commit();
    reportImport(`import ${n(MET_XLSX_ROWS)} Met-format rows from .xlsx (CLI, own process)`, MET_XLSX_ROWS, await importInOwnProcess(xlsx, path.join(dir, 'met-xlsx.db')));
  }

  // 6. Financial-year statistics over 1,000,000 reports: the imported rows, copied up to a million
  const METDB = file.replace(/met-uof\.csv$/, 'met.db');
  const big = await openDatabase({ kind: 'sqlite', file: METDB });
  const bigSvc = servicesFor(big, { lockoutAttempts: 5, lockoutMinutes: 15, sessionHours: 12 });
  const have = Number(
    (
      await big.db
        .selectFrom('imported_report')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const TARGET = Number(process.env.BENCH_STAT_REPORTS ?? 1_000_000);
  let copies = 0;
  while (have * (copies + 1) < TARGET) {
    copies++;
    await sql`insert into imported_report (id, force_id, source_key, source_file, source_line, occurred_at, borough_id, borough_name, highest_level, discharge, ced_used, occurred_on, age_band, gender, ethnicity, main_duty, single_crewed, reasons, impact_factors, locations, outcomes, imported_at)
      select id || ${`-${copies}`}, force_id, source_key || ${`-${copies}`}, 'bench copy', source_line, occurred_at, borough_id, borough_name, highest_level, discharge, ced_used, occurred_on, age_band, gender, ethnicity, main_duty, single_crewed, reasons, impact_factors, locations, outcomes, imported_at
      from imported_report where source_file = 'met-uof.csv' limit ${Math.min(have, TARGET - have * copies)}`.execute(big.db);
  }
  const total = Number(
    (
      await big.db
        .selectFrom('imported_report')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  for (const [label, work] of [
    ['Home Office return, 2019-20', () => homeOfficeReturn(bigSvc, '2019-20', { breakdowns: false })],
    ['all 13 breakdowns, 2019-20', () => statistics(bigSvc, '2019-20', DIMENSION_KEYS)],
  ] as const) {
    await work(); // warm the page cache
    const t0s = performance.now();
    const r = await work();
    report(`${label} over ${n(total)} reports`, `${n(ms(t0s))} ms`, `${n(r.counts.total)} uses counted`);
  }
  await big.close();
}

// Demo passwords are one-time: the supervisor changes theirs first, as at first sign-in.
const supervisor = demo.accounts.find((a) => a.role === 'supervisor')!;
await changePassword(svc, { userId: supervisor.id, label: supervisor.email, grants: [] }, null, { currentPassword: supervisor.password, newPassword: PASSWORD, confirmPassword: PASSWORD });
await createAccount(
  svc,
  SYSTEM_ACTOR,
  {
    email: 'bench@cedar.local',
    displayName: 'Bench',
    roles: [
      { role: 'administrator', boroughId: null },
      { role: 'programme_lead', boroughId: null },
    ],
  },
  PASSWORD,
);
// An officer of a borough with an account, to save a report's section (section 7).
const [freeOfficer] = await officersWithoutAccount(database.db, 1);
if (!freeOfficer) throw new Error('bench: the demo force has no serving officer without an account');
await createAccount(svc, SYSTEM_ACTOR, { email: 'bench-officer@cedar.local', displayName: 'Bench officer', roles: [{ role: 'officer', boroughId: null }], officerId: freeOfficer.id }, PASSWORD);
// An officer with training records, for the profile page (authority, history, timeline).
const trainedOfficer = (await database.db.selectFrom('training_record').select('officer_id').orderBy('officer_id').limit(1).executeTakeFirstOrThrow()).officer_id;
// The devices section (issue 12): an armourer (every armoury) with a sign-out token, and per
// borough store its X2 devices and unexpired X2 cartridges in store and its serving officers
// with training records and no device out, for the terminals (which are tried before use).
await createAccount(svc, SYSTEM_ACTOR, { email: 'bench-armourer@cedar.local', displayName: 'Bench armourer', roles: [{ role: 'armourer', boroughId: null }] }, PASSWORD);
const deviceToken = (await createApiToken(svc, SYSTEM_ACTOR, 'bench-armourer@cedar.local', 'bench kiosk', { scopes: ['devices:read', 'devices:write'] })).token;
const today = londonDate(new Date());
const terminalStock = want('devices')
  ? await Promise.all(
      boroughs.map(async (b) => ({
        boroughId: b.id,
        devices: (
          await database.db
            .selectFrom('device as d')
            .innerJoin('device_model as m', 'm.id', 'd.model_id')
            .select('d.serial')
            .where('d.armoury_borough_id', '=', b.id)
            .where('d.state', '=', 'in_store')
            .where('m.name', '=', 'X2')
            .orderBy('d.serial')
            .limit(4)
            .execute()
        ).map((r) => r.serial),
        cartridges: (
          await database.db
            .selectFrom('cartridge')
            .select('serial')
            .where('armoury_borough_id', '=', b.id)
            .where('state', '=', 'in_store')
            .where('type', 'like', 'Smart%')
            .where('expires_on', '>=', today)
            .orderBy('serial')
            .limit(4)
            .execute()
        ).map((r) => r.serial),
        officers: (
          await database.db
            .selectFrom('officer as o')
            .select('o.collar_number')
            .where('o.borough_id', '=', b.id)
            .where('o.status', '=', 'active')
            .where('o.rank', 'in', ['Police Constable', 'Sergeant'])
            .where((eb) => eb.exists(eb.selectFrom('training_record as t').select('t.id').whereRef('t.officer_id', '=', 'o.id')))
            .where((eb) => eb.not(eb.exists(eb.selectFrom('device_issue as i').select('i.id').whereRef('i.officer_id', '=', 'o.id').where('i.returned_at', 'is', null))))
            .orderBy('o.collar_number')
            .limit(40)
            .execute()
        ).map((r) => r.collar_number),
      })),
    )
  : [];
await database.close();

// 5. HTTP throughput against a bare Fastify route in the same server process
/** bench/server.js (plain node) in a process of its own, with `env` (its database); resolves with its ports once it listens. */
async function startServer(env: NodeJS.ProcessEnv) {
  const server = fork(fileURLToPath(new URL('./server.js', import.meta.url)), [], { env: { ...process.env, ...env }, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<{ cedar: number; bare: number }>((resolve, reject) => {
    server.once('message', (m) => resolve(m as { cedar: number; bare: number }));
    server.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
  return { server, ports };
}
const { server: child, ports } = await startServer({ CEDAR_DB: file, DATABASE_URL: '' });
const cedar = `http://127.0.0.1:${ports.cedar}`;

async function signIn(email = 'bench@cedar.local', password = PASSWORD): Promise<string> {
  const page = await fetch(`${cedar}/sign-in`);
  const pre = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${cedar}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password }),
  });
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c!.startsWith('cedar_session='))!;
}
const cookie = await signIn();

const bareUrl = `http://127.0.0.1:${ports.bare}/`;
const bare = await cannon(bareUrl, { seconds: SECONDS });
report('bare Fastify route (autocannon, 20 connections)', `${n(bare.rps)} req/s`, `p50 ${n(bare.p50, 1)} ms, p99 ${n(bare.p99, 1)} ms; each page below is measured against it again, round by round`);
if (want('http')) {
  const signInPage = describeVersus(await versusBare(`${cedar}/sign-in`, bareUrl, { seconds: SECONDS }));
  report('sign-in page (signed out)', signInPage.figure, signInPage.notes);
  // The public transparency page: the demo's latest monthly release, no sign-in. Browsers ask
  // for gzip; a client that does not gets the same page uncompressed.
  // The same bytes from the bare server show what the page's size alone costs here (the load
  // generator shares the machine: reading, and for gzip inflating, each response is its work).
  for (const [label, encoding] of [
    ['public transparency page (latest release, uncompressed)', 'identity'],
    ['public transparency page (latest release, gzip)', 'gzip, deflate'],
  ] as const) {
    const v = await versusBare(`${cedar}/transparency`, bareUrl, { seconds: SECONDS, headers: { 'accept-encoding': encoding } });
    const same = await cannon(`http://127.0.0.1:${ports.bare}/page`, { seconds: SECONDS, headers: { 'accept-encoding': encoding } });
    const d = describeVersus(v, 0.5);
    report(label, d.figure, `${d.notes}; ${n((v.page.median.rps / same.rps) * 100)}% of the same bytes from a bare route (${n(same.rps)} req/s)`);
  }
  // Targets from issue 15: home, officer profile and review queue ≥ 10% of bare; lapsing and uplift ≥ 5%.
  for (const [label, url, target] of [
    ['home page (signed in)', `${cedar}/`, 0.1],
    ['officers list, page 1 (signed in)', `${cedar}/officers`, undefined],
    ['officers search "smith"', `${cedar}/officers?q=smith&status=all`, undefined],
    ['API officers list (50)', `${cedar}/api/v1/officers`, undefined],
    ['officer profile with authority and training timeline', `${cedar}/officers/${trainedOfficer}`, 0.1],
    ['training calendar', `${cedar}/training`, undefined],
    ['lapsing in 90 days (every borough)', `${cedar}/training/lapsing?days=90`, 0.05],
    ['uplift progress page', `${cedar}/uplift`, 0.05],
    ['uplift planner page', `${cedar}/uplift/planner`, undefined],
  ] as const) {
    const d = describeVersus(await versusBare(url, bareUrl, { seconds: SECONDS, headers: { cookie } }), target);
    report(label, d.figure, d.notes);
  }
  const sgtCookie = await signIn(supervisor.email, PASSWORD);
  const queue = describeVersus(await versusBare(`${cedar}/reviews?tab=all`, bareUrl, { seconds: SECONDS, headers: { cookie: sgtCookie } }), 0.1);
  report('review queue (supervisor)', queue.figure, queue.notes);
  const reportId = /href="\/reports\/([0-9a-f-]{36})"/.exec(await (await fetch(`${cedar}/reviews?tab=all`, { headers: { cookie: sgtCookie } })).text())?.[1];
  if (reportId) {
    const page = describeVersus(await versusBare(`${cedar}/reports/${reportId}`, bareUrl, { seconds: SECONDS, headers: { cookie: sgtCookie } }));
    report('a report with its timeline', page.figure, page.notes);
  }
}

// 7a. Every signed-in page (issue 15: each p99 < 500 ms and no timeouts at 20 connections),
//     a round each after a second's warm-up, as the programme lead and administrator (bench@) or,
//     for the review pages, the supervisor. The ratio targets are section 7's.
if (want('pages')) {
  const sgt = await signIn(supervisor.email, PASSWORD);
  const lead =
    'admin/accounts admin/tokens armoury briefing coverage crewing/policy devices devices/cartridges devices/models devices/quarantine fleet officers officers/early-warning statistics statistics/releases teams training training/courses training/lapsing uplift uplift/planner uplift/settings audit my-training'.split(
      ' ',
    );
  const supervisorPages = ['reviews', 'reports'];
  const slow: string[] = [];
  for (const [page, who] of [...lead.map((p) => [p, cookie] as const), ...supervisorPages.map((p) => [p, sgt] as const)]) {
    const url = `${cedar}/${page}`;
    await cannon(url, { seconds: 1, headers: { cookie: who } });
    const r = await cannon(url, { seconds: SECONDS, headers: { cookie: who } });
    const failures = r.non2xx + r.errors + r.timeouts;
    if (r.p99 >= 500 || failures) slow.push(`/${page}`);
    // Over the target: the bare route spending the page's own time a request (the server is
    // saturated, so 1/rate) shows how much of the p99 that time alone gives.
    const cost = 1000 / r.rps;
    const spin = r.p99 >= 500 ? await cannon(`http://127.0.0.1:${ports.bare}/spin?ms=${cost.toFixed(2)}`, { seconds: SECONDS }) : null;
    const beside = spin ? `; a bare route spending the same ${n(cost, 1)} ms a request: p50 ${n(spin.p50)} ms, p99 ${n(spin.p99)} ms` : '';
    report(
      `page /${page}`,
      `${n(r.rps)} req/s`,
      `p50 ${n(r.p50)} ms, p99 ${n(r.p99)} ms${r.p99 >= 500 ? ' (over the 500 ms target)' : ''}${beside}${failures ? `; ${failures} non-2xx, errors or timeouts` : ''}`,
    );
  }
  report('signed-in pages over p99 500 ms or failing', slow.length ? slow.join(', ') : 'none', `of ${lead.length + supervisorPages.length} pages, 20 connections, one round of ${SECONDS} s each`);
  // Issue 15, item 5: the server's memory after every page, beside a bare Fastify process's after load.
  if (fs.existsSync('/proc/self/status')) {
    const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
    const served = rssMiB(child.pid!);
    const bareChild = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import F from 'fastify'; const a = F(); a.get('/', async (q, r) => r.type('text/html; charset=utf-8').send('<!DOCTYPE html><p>ok</p>')); await a.listen({ port: 0, host: '127.0.0.1' }); console.log(a.server.address().port);",
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const barePort = await new Promise<string>((resolve) => bareChild.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    await cannon(`http://127.0.0.1:${barePort}/`, { seconds: SECONDS });
    const bareRss = rssMiB(bareChild.pid!);
    bareChild.kill();
    report(
      'server RSS after every page',
      `${n(served)} MiB`,
      `${n(served / bareRss, 1)}× a bare Fastify process after ${SECONDS} s of load (${n(bareRss)} MiB); target ≤ 3× (the bench's server also holds its bare routes)`,
    );
  }
}

// 7b. The shift briefing page (issue 14): tonight's night shift of the busiest borough, 24 on
//     duty, autocannon against the bare route in the same run (see bench/briefing.ts).
if (want('briefing')) {
  // The bench's own connection was closed for the server: the shift and the sergeant go in through another.
  const briefingDb = await openDatabase({ kind: 'sqlite', file });
  const b = await benchBriefing({
    svc: servicesFor(briefingDb, { lockoutAttempts: 5, lockoutMinutes: 15, sessionHours: 12 }),
    cedar,
    bare: `http://127.0.0.1:${ports.bare}/`,
    signIn,
    password: PASSWORD,
    seconds: SECONDS,
    holdBytes: (body) =>
      new Promise((resolve) => {
        child.once('message', () => resolve(`http://127.0.0.1:${ports.bare}/held`));
        child.send({ hold: body });
      }),
  });
  await briefingDb.close();
  const d = describeVersus(b.versus, b.target);
  const same = b.sameBytes ? `; ${n(b.sameBytes.ratio * 100)}% of the same bytes from the bare server (${n(b.sameBytes.bare.median.rps)} req/s)` : '';
  report(`shift briefing page (${b.onDuty} on duty, ${b.freeDevices} devices free, ${b.crews} crews proposed, ${n(b.bytes / 1024)} KB)`, d.figure, `${d.notes}${same}`);
}

// 7c. The write path (issue 15): 20 officers creating whole reports and submitting them through
//     the API, against the bare route's JSON writes (see bench/writes.ts).
if (want('writes')) {
  const writesDb = await openDatabase({ kind: 'sqlite', file });
  const w = await benchWrites({
    svc: servicesFor(writesDb, { lockoutAttempts: 5, lockoutMinutes: 15, sessionHours: 12 }),
    cedar,
    bare: `http://127.0.0.1:${ports.bare}`,
    seconds: SECONDS,
    now: new Date(),
  });
  await writesDb.close();
  const d = describeVersus(w.versus);
  const { median } = w.versus.page;
  report(
    `report created (${w.sections} sections, one request) and submitted, ${w.officers} officers' API tokens, 20 connections`,
    `${n(median.rps / 2)} reports/s`,
    `target ≥ ${w.target.reportsPerSecond} reports/s on SQLite, p99 < ${w.target.p99Ms} ms, no errors; requests: ${d.figure}, ${d.notes}`,
  );
  // The same on PostgreSQL (target ≥ 100 reports/s), when it answers: a smaller demo force
  // (BENCH_PG_WRITES_OFFICERS, default 3,000; no device logs) in a scratch database, served by a
  // second server process of its own beside its own bare routes.
  const pgScratch = await scratchPostgres(PG_URL);
  if (!pgScratch) report('report created and submitted, PostgreSQL', 'skipped', 'PostgreSQL did not answer at BENCH_PG_URL');
  else {
    try {
      const pgDb = await openDatabase({ kind: 'postgres', url: pgScratch.url });
      const auditKey = randomBytes(32);
      const pgSvc = servicesFor(pgDb, { lockoutAttempts: 5, lockoutMinutes: 15, sessionHours: 12, auditKey });
      await migrateToLatest(pgDb.db);
      const officers = Number(process.env.BENCH_PG_WRITES_OFFICERS ?? 3000);
      const seeded = performance.now();
      await seedDemo(pgSvc, SYSTEM_ACTOR, { officers, now: wallClock(), deviceLogs: false });
      console.log(`  (PostgreSQL demo of ${n(officers)} officers seeded in ${n(ms(seeded) / 1000, 1)} s)`);
      const { server: pgServer, ports: pgPorts } = await startServer({ DATABASE_URL: pgScratch.url, CEDAR_AUDIT_KEY: auditKey.toString('hex') });
      try {
        const pw = await benchWrites({ svc: pgSvc, cedar: `http://127.0.0.1:${pgPorts.cedar}`, bare: `http://127.0.0.1:${pgPorts.bare}`, seconds: SECONDS, now: new Date() });
        const pd = describeVersus(pw.versus);
        report(
          `report created (${pw.sections} sections, one request) and submitted on PostgreSQL, ${pw.officers} officers' API tokens, 20 connections (${n(officers)}-officer demo)`,
          `${n(pw.versus.page.median.rps / 2)} reports/s`,
          `target ≥ 100 reports/s on PostgreSQL; requests: ${pd.figure}, ${pd.notes}`,
        );
      } finally {
        pgServer.kill();
        await pgDb.close();
      }
    } finally {
      await pgScratch.drop();
    }
  }
}

// 8. Devices (issue 12): the sign-out gate through the API over the demo fleet, and the armoury
//    and fleet pages. The load generator: 20 concurrent async loops, one per terminal, each
//    with its own officer, device and cartridge, issuing (POST /api/v1/device-issues) and taking
//    back (POST …/return) in turn as fast as the server answers; Node's fetch (undici) keeps its
//    connections alive, so each loop holds one. autocannon is not used here because a return
//    needs the id its issue was just given. The bare JSON route is measured the same way in the
//    same run (20 loops of GET), for the ratio.
const TERMINALS = 20;
let devicesJson: object | null = null;
if (want('devices')) {
  const kiosk = { authorization: `Bearer ${deviceToken}`, 'content-type': 'application/json' };
  const post = async (url: string, body: unknown) => {
    const res = await fetch(`${cedar}${url}`, { method: 'POST', headers: kiosk, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as { id?: string; reasons?: { code: string }[] } };
  };
  // Terminals: in each borough, its devices and cartridges in turn with the first officers the gate lets through.
  const terminals: { deviceSerial: string; collarNumber: string; cartridge: string }[] = [];
  const refusals = new Map<string, number>();
  for (let k = 0; k < 4 && terminals.length < TERMINALS; k++) {
    for (const b of terminalStock) {
      if (terminals.length >= TERMINALS) break;
      const deviceSerial = b.devices[k];
      const cartridge = b.cartridges[k];
      if (!deviceSerial || !cartridge) continue;
      while (b.officers.length) {
        const collarNumber = b.officers.shift()!;
        const tried = await post('/api/v1/device-issues', { deviceSerial, collarNumber, cartridges: [cartridge] });
        if (tried.status === 201) {
          const back = await post(`/api/v1/device-issues/${tried.json.id}/return`, { cartridges: [{ serial: cartridge, outcome: 'in_store' }] });
          if (back.status !== 200) throw new Error(`bench: cannot return a device (${back.status}): ${JSON.stringify(back.json)}`);
          terminals.push({ deviceSerial, collarNumber, cartridge });
          break;
        }
        for (const r of tried.json.reasons ?? [{ code: String(tried.status) }]) refusals.set(r.code, (refusals.get(r.code) ?? 0) + 1);
      }
    }
  }
  if (terminals.length < TERMINALS) throw new Error(`bench: only ${terminals.length} terminals found (refusals: ${JSON.stringify(Object.fromEntries(refusals))})`);

  /** `count` loops (20 unless told) for SECONDS: each runs `step` (one request or more) over and over, timing each request. */
  async function loops(step: (i: number, time: <T>(request: () => Promise<T>, kind: string) => Promise<T>) => Promise<void>, count = TERMINALS) {
    const latencies = new Map<string, number[]>();
    let failures = 0;
    const time = async <T>(request: () => Promise<T>, kind: string): Promise<T> => {
      const t = performance.now();
      try {
        return await request();
      } finally {
        const list = latencies.get(kind) ?? [];
        list.push(performance.now() - t);
        latencies.set(kind, list);
      }
    };
    const end = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        while (performance.now() < end) {
          try {
            await step(i, time);
          } catch {
            failures++;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const stats = (list: number[]) => {
      const sorted = [...list].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
      return { requests: sorted.length, rps: sorted.length / seconds, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
    };
    return { all: stats([...latencies.values()].flat()), by: Object.fromEntries([...latencies].map(([k, v]) => [k, stats(v)])), failures };
  }

  const bareJson = await loops(async (_, time) => {
    await time(async () => {
      const res = await fetch(`http://127.0.0.1:${ports.bare}/json`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(String(res.status));
    }, 'get');
  });
  report(`bare JSON route (${TERMINALS} loops)`, `${n(bareJson.all.rps)} req/s`, `p50 ${n(bareJson.all.p50, 1)} ms, p99 ${n(bareJson.all.p99, 1)} ms`);
  const cycle = async (i: number, time: <T>(request: () => Promise<T>, kind: string) => Promise<T>) => {
    const t = terminals[i]!;
    const issued = await time(() => post('/api/v1/device-issues', { deviceSerial: t.deviceSerial, collarNumber: t.collarNumber, cartridges: [t.cartridge] }), 'issue');
    if (issued.status !== 201) throw new Error(`issue ${issued.status}`);
    const back = await time(() => post(`/api/v1/device-issues/${issued.json.id}/return`, { cartridges: [{ serial: t.cartridge, outcome: 'in_store' }] }), 'return');
    if (back.status !== 200) throw new Error(`return ${back.status}`);
  };
  // One terminal alone first: what a request costs with no queue for SQLite's one writer.
  const single = await loops(cycle, 1);
  report('device issue + return through the API (1 terminal alone)', `p50 ${n(single.all.p50, 1)} ms`, `p99 ${n(single.all.p99, 1)} ms; ${n(single.all.rps)} req/s`);
  const gate = await loops(cycle);
  const issue = gate.by.issue!;
  const ret = gate.by.return!;
  report(
    `device issue + return through the API (${TERMINALS} terminals)`,
    `p99 ${n(gate.all.p99, 1)} ms`,
    `target p99 < 50 ms; p50 ${n(gate.all.p50, 1)} ms; ${n(gate.all.rps)} req/s (${n((gate.all.rps / bareJson.all.rps) * 100)}% of the bare JSON route's ${n(bareJson.all.rps)} req/s; ` +
      `p99 ×${n(gate.all.p99 / bareJson.all.p99, 1)} its ${n(bareJson.all.p99, 1)} ms); issue p50 ${n(issue.p50, 1)} / p99 ${n(issue.p99, 1)} ms, return p50 ${n(ret.p50, 1)} / p99 ${n(ret.p99, 1)} ms; ` +
      `${n(ret.requests)} cycles${gate.failures ? `; ${gate.failures} failed` : ''}`,
  );

  // The pages, as an armourer, each against the bare route (HTML) measured at the start.
  const armourerCookie = await signIn('bench-armourer@cedar.local');
  const pages: Record<string, object> = {};
  for (const [key, label, url] of [
    ['armoury', 'armoury page for a borough store', `${cedar}/armoury?store=borough:${terminalStock[0]!.boroughId}`],
    ['fleet', 'fleet page', `${cedar}/fleet`],
  ] as const) {
    const first = await fetch(url, { headers: { cookie: armourerCookie } });
    await first.arrayBuffer();
    if (first.status === 404) {
      report(label, 'skipped: route missing (404)');
      pages[key] = { skipped: 'route missing (404)' };
      continue;
    }
    const v = await versusBare(url, bareUrl, { seconds: SECONDS, headers: { cookie: armourerCookie } });
    const d = describeVersus(v, 0.25);
    report(label, d.figure, `${d.notes}${first.status !== 200 ? `; first answer ${first.status}` : ''}`);
    pages[key] = { ...v, status: first.status };
  }
  devicesJson = {
    terminals: TERMINALS,
    bareJson: bareJson.all,
    oneTerminal: single.all,
    issueAndReturn: { ...gate.all, issue, return: ret, failures: gate.failures, rpsOfBareJson: gate.all.rps / bareJson.all.rps, p99OverBareJson: gate.all.p99 / bareJson.all.p99, targetP99Ms: 50 },
    pages,
  };
}

let besideJson: object | null = null;
if (want('beside')) {
  // 7. Beside an import (issue 10, item 8): the p99 latency of the public page and of a report
  //    section save, each at 20 connections (autocannon, both at once), first with nothing else
  //    running, then for the whole of a `cedar import met-uof` of BENCH_BESIDE_ROWS rows into the
  //    same SQLite database in another process (reading, staging, and storing in one transaction).
  const BESIDE_ROWS = Number(process.env.BENCH_BESIDE_ROWS ?? 150_000);
  const BESIDE_BASE_SECONDS = Number(process.env.BENCH_BESIDE_BASE_SECONDS ?? Math.max(20, SECONDS * 4));
  const officerCookie = await signIn('bench-officer@cedar.local');
  const officerCsrf = /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`${cedar}/account/password`, { headers: { cookie: officerCookie } })).text())![1]!;
  const apiHeaders = { cookie: officerCookie, 'x-csrf-token': officerCsrf, 'content-type': 'application/json' };
  const draft = await fetch(`${cedar}/api/v1/reports`, { method: 'POST', headers: apiHeaders, body: JSON.stringify({ sections: {} }) });
  if (draft.status !== 201) throw new Error(`bench: cannot start a report (${draft.status}): ${await draft.text()}`);
  const draftId = ((await draft.json()) as { id: string }).id;
  const lastWeek = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const incident = JSON.stringify({ reference: 'BENCH 1/01JAN', date: lastWeek, time: '22:15', boroughId: freeOfficer.boroughId, locations: ['street'] });
  const probe = await fetch(`${cedar}/api/v1/reports/${draftId}/sections/incident`, { method: 'PUT', headers: apiHeaders, body: incident });
  if (probe.status !== 200) throw new Error(`bench: cannot save the report's incident section (${probe.status}): ${await probe.text()}`);

  /** Both targets at 20 connections each, until `until` settles (or for `seconds`). */
  async function pageAndSave(until: Promise<unknown> | number): Promise<{ page: CannonResult; save: CannonResult }> {
    // A request may wait for the database as long as a write may (two minutes), so the client waits longer.
    const common = { connections: 20, timeout: 150, duration: typeof until === 'number' ? until : 24 * 3600 };
    const run = (opts: Parameters<typeof autocannon>[0]) => {
      let instance!: ReturnType<typeof autocannon>;
      const done = new Promise<CannonResult>((resolve, reject) => {
        instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
      });
      return { instance, done };
    };
    const page = run({ ...common, url: `${cedar}/transparency`, headers: { 'accept-encoding': 'gzip' } });
    const save = run({ ...common, url: `${cedar}/api/v1/reports/${draftId}/sections/incident`, method: 'PUT', headers: apiHeaders, body: incident });
    if (typeof until !== 'number') {
      await until;
      page.instance.stop();
      save.instance.stop();
    }
    return { page: await page.done, save: await save.done };
  }

  const besideCsv = BESIDE_ROWS === MET_ROWS ? metCsv : writeMetFile(path.join(dir, 'met-beside.csv'), BESIDE_ROWS);
  console.log(`  (page and save at 20 connections each: ${BESIDE_BASE_SECONDS} s alone, then during a ${n(BESIDE_ROWS)}-row import)`);
  const alone = await pageAndSave(BESIDE_BASE_SECONDS);
  const importer = fork(CEDAR_CLI, ['import', 'met-uof', besideCsv], {
    env: { ...process.env, CEDAR_DB: file, DATABASE_URL: '', CEDAR_LOG_LEVEL: 'silent' },
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let importOut = '';
  importer.stdout!.on('data', (d) => (importOut += d));
  importer.stderr!.on('data', (d) => (importOut += d));
  const importStarted = performance.now();
  const imported = new Promise<number>((resolve, reject) =>
    importer.on('exit', (code) => (code === 0 ? resolve(ms(importStarted)) : reject(new Error(`bench: the import beside the server exited ${code}: ${importOut}`)))),
  );
  const during = await pageAndSave(imported);
  const importMs = await imported;
  const summary = /Done: .*/.exec(importOut)?.[0] ?? '';
  const besideRows: { measure: string; alone: CannonResult; during: CannonResult }[] = [
    { measure: 'public transparency page', alone: alone.page, during: during.page },
    { measure: 'report section save (PUT, one report)', alone: alone.save, during: during.save },
  ];
  const failed = (r: CannonResult) => r.non2xx + r.errors + r.timeouts;
  for (const b of besideRows) {
    report(
      `${b.measure}, p99 at 20 connections: alone / during a ${n(BESIDE_ROWS)}-row import`,
      `${n(b.alone.latency.p99)} ms / ${n(b.during.latency.p99)} ms`,
      `×${n(b.during.latency.p99 / Math.max(1, b.alone.latency.p99), 1)}; p50 ${n(b.alone.latency.p50)} / ${n(b.during.latency.p50)} ms; max ${n(b.alone.latency.max)} / ${n(b.during.latency.max)} ms; ` +
        `${n(b.alone.requests.average)} / ${n(b.during.requests.average)} req/s; not 2xx or failed: ${failed(b.alone)} / ${failed(b.during)}`,
    );
  }
  report(`the ${n(BESIDE_ROWS)}-row import itself, beside that load`, `${n(importMs / 1000, 1)} s`, summary.replace(/^Done: /, ''));
  besideJson = {
    importRows: BESIDE_ROWS,
    importSeconds: importMs / 1000,
    connectionsEach: 20,
    aloneSeconds: BESIDE_BASE_SECONDS,
    measures: besideRows.map((b) => ({
      measure: b.measure,
      alone: { p50: b.alone.latency.p50, p99: b.alone.latency.p99, max: b.alone.latency.max, rps: b.alone.requests.average, failed: failed(b.alone) },
      during: { p50: b.during.latency.p50, p99: b.during.latency.p99, max: b.during.latency.max, rps: b.during.requests.average, failed: failed(b.during) },
      p99Ratio: b.during.latency.p99 / Math.max(1, b.alone.latency.p99),
    })),
  };
}

child.kill();
fs.rmSync(dir, { recursive: true, force: true });

console.log('\n| measure | figure | notes |\n|---|---|---|');
for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
const jsonOut = process.env.BENCH_JSON ?? 'bench-results.json';
fs.writeFileSync(
  jsonOut,
  `${JSON.stringify({ at: new Date().toISOString(), cores: os.cpus().length, node: process.version, rows: rows.map(([measure, figure, notes]) => ({ measure, figure, notes })), besideImport: besideJson, devices: devicesJson }, null, 2)}\n`,
);
console.log(`\nAlso written to ${jsonOut}.`);
