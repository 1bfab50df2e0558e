import { ValidationError } from '../domain/errors.js';
import type { Force } from '../domain/organisation.js';
import { ROLES, ROLE_LABELS, type Role } from '../domain/permissions.js';
import { PUBLISHED_HOME_OFFICE_TABLES, readPublishedTable } from '../reference/home-office/index.js';
import { createAccount, findAccountByEmail } from '../services/accounts.js';
import { fixedClock, type Actor, type Services } from '../services/context.js';
import { importHomeOfficeTable } from '../services/national.js';
import { findOfficerByCollar } from '../services/officers.js';
import { OrganisationNotEmptyError, emptyForce, loadOrganisation } from '../services/organisation-load.js';
import { listBoroughs } from '../services/organisation.js';
import { today as todayOf } from '../services/training.js';
import { ensureForce } from '../services/setup.js';
import { importShifts } from '../services/shifts.js';
import { DEFAULT_DEMO_OFFICERS, DEFAULT_DEMO_SEED, DEMO_FORCE, DEMO_HOME_BOROUGH, generateDemoForce } from './force.js';
import { seedDemoCrews } from './crews.js';
import { NO_DEMO_HISTORY, seedDemoHistory, type DemoHistory } from './history.js';
import { mulberry32, type Random } from './random.js';
import { linkDemoCartridges, seedDemoFleet, type DemoFleetSummary } from './devices.js';
import { NO_DEMO_DEVICE_LOGS, seedDemoDeviceLogs, type DemoDeviceLogSummary } from './device-logs-seed.js';
import { seedDemoReports } from './reports.js';
import { demoRosterCsv, generateDemoRoster } from './shifts.js';
import { generateDemoTraining, seedDemoTraining, type DemoTrainingSummary } from './training.js';

/*
 * The demo force, seeded: the Metropolitan Police Service (src/demo/force.ts) with training
 * (training.ts), use-of-force reports (reports.ts), the financial year's history and its
 * releases (history.ts), the fleet (devices.ts) and a year of its device logs, reconciled
 * (device-logs.ts), and one account per role. A top room, like the CLI: it calls services
 * and reads no clock of its own. `seedDemo` stores it in an empty database, dated from one
 * instant (`now`): the same seed and instant give the same demo.
 */

// Demo accounts ----------------------------------------------------------------------

export const DEMO_EMAIL_DOMAIN = 'demo.cedar.police.uk';

export const demoEmail = (role: Role) => `${role.replace(/_/g, '-')}@${DEMO_EMAIL_DOMAIN}`;

const HOME_SCOPED_ROLES: readonly Role[] = ['officer', 'supervisor', 'borough_commander'];

// Storing it -------------------------------------------------------------------------

/** The database already holds a force's organisation (or a demo account): the demo seed only fills an empty one. */
export class DemoRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoRefusedError';
  }
}

export interface DemoAccountCredentials {
  /** The account's id. */
  id: string;
  role: Role;
  email: string;
  /** A one-time password: shown once, only its hash is stored, and it must be changed at first sign-in. */
  password: string;
}

export interface DemoSummary {
  /** The instant the demo is dated from (ISO 8601, UTC). */
  asOf: string;
  force: Force;
  boroughs: number;
  teams: number;
  officers: number;
  accounts: DemoAccountCredentials[];
  /** Use-of-force reports at every stage of review, recorded by the demo officer. */
  reports: number;
  /** The published Home Office tables loaded for the national comparison: their periods, oldest first. */
  homeOfficePeriods: string[];
  /** This financial year's made-up Taser uses (imported; in April, the year just ended) and the monthly releases published from them. */
  history: DemoHistory;
  /** Training records, sessions and the uplift plan. */
  training: DemoTrainingSummary;
  /** The fleet: devices, cartridges, the last weeks' sign-outs, repairs and quarantine. */
  fleet: DemoFleetSummary;
  /** A year of the fleet's device logs, the uses naming devices, and the reconciliation of the year. */
  deviceLogs: DemoDeviceLogSummary;
  /** Shifts of the response teams' duty roster: a month to the demo's day. */
  shifts: number;
  /** Crews saved on the briefings of the last few days' shifts (the proposals, accepted). */
  crews: { periods: number; crews: number; taserCrews: number };
}

export interface SeedDemoOptions {
  officers?: number;
  random?: Random;
  onProgress?: (done: number, total: number) => void;
  /** The financial year's Taser uses so far and a release after each month (default true; a few seconds). */
  history?: boolean;
  /** A year of device logs for the fleet, imported and reconciled (default true; the longest step after the officers). */
  deviceLogs?: boolean;
  /** The instant the demo is seeded as of (default `svc.now()`): everything in it is dated from this one instant. */
  now?: Date;
}

/** The force has boroughs or officers: say so as the demo refuses. */
function refused(err: unknown): never {
  if (!(err instanceof OrganisationNotEmptyError)) throw err;
  throw new DemoRefusedError(
    `The database already has data: ${err.message}. ` + 'The demo seed only fills an empty database; point Cedar at a new database (CEDAR_DB or DATABASE_URL) and run it again.',
  );
}

/**
 * Fills an empty database with the demo force: boroughs, teams and officers in one
 * transaction with one `demo.seed` audit entry, then one account per role (each its own
 * audited transaction), the demo reports, and the published Home Office tables for the
 * national comparison (src/reference/home-office). Refuses, changing nothing, when
 * boroughs, officers or demo accounts already exist; an existing force row (and
 * administrator accounts) are kept.
 *
 * The instant is taken once (`opts.now`, else the services' clock `svc.now()`; the demo reads no
 * clock of its own): the whole demo (training, reports, history, releases) is dated from it,
 * even if seeding runs past midnight or the end of a month. Demo accounts get
 * one-time passwords that must be changed at first sign-in, like the administrator's.
 */
export async function seedDemo(outer: Services, actor: Actor, opts: SeedDemoOptions = {}): Promise<DemoSummary> {
  const now = new Date((opts.now ?? outer.now()).getTime());
  if (Number.isNaN(now.getTime())) throw new ValidationError([{ field: 'now', message: 'Give the instant the demo is seeded as of as a valid date and time' }]);
  const svc: Services = { ...outer, now: fixedClock(now) };
  const plan = generateDemoForce(opts.random ?? mulberry32(DEFAULT_DEMO_SEED), opts.officers ?? DEFAULT_DEMO_OFFICERS);
  const total = plan.officers.length + ROLES.length;

  const existing = await emptyForce(svc).catch(refused);
  for (const role of ROLES) {
    if (await findAccountByEmail(svc, demoEmail(role))) {
      throw new DemoRefusedError(`The database already has data: an account for ${demoEmail(role)} exists. The demo seed only fills an empty database.`);
    }
  }
  const force = existing ?? (await ensureForce(svc, actor, DEMO_FORCE));

  const counts = await loadOrganisation(svc, actor, plan, {
    audit: { action: 'demo.seed', summary: { accounts: ROLES.length } },
    onProgress: (done) => opts.onProgress?.(done, total),
  }).catch(refused);

  const home = (await listBoroughs(svc)).find((b) => b.name === DEMO_HOME_BOROUGH)!;
  const all = { all: true } as const;
  const officer = (await findOfficerByCollar(svc, all, plan.accountOfficers.officer))!;
  const supervisor = (await findOfficerByCollar(svc, all, plan.accountOfficers.supervisor))!;
  const linkFor: Partial<Record<Role, typeof officer>> = { officer, supervisor };

  const accounts: DemoAccountCredentials[] = [];
  for (const role of ROLES) {
    const email = demoEmail(role);
    const link = linkFor[role];
    // No password given: Cedar generates a one-time one, to be changed at first sign-in.
    const created = await createAccount(svc, actor, {
      email,
      displayName: link ? `${link.firstName} ${link.lastName}` : `Demo ${ROLE_LABELS[role].toLowerCase()}`,
      roles: [{ role, boroughId: HOME_SCOPED_ROLES.includes(role) ? home.id : null }],
      officerId: link?.id ?? null,
    });
    accounts.push({ id: created.account.id, role, email, password: created.generatedPassword! });
    opts.onProgress?.(plan.officers.length + accounts.length, total);
  }

  // Training before the reports: a report's "CED-trained" answer comes from the training record.
  const training = await seedDemoTraining(svc, actor, plan, mulberry32(DEFAULT_DEMO_SEED + 2), now);
  // The fleet after the training (officers carry the models they are authorised on) and before
  // the reports (each names the device its officer was issued at the time).
  const fleet = await seedDemoFleet(svc, actor, plan, generateDemoTraining(mulberry32(DEFAULT_DEMO_SEED + 2), plan, todayOf(now)), mulberry32(DEFAULT_DEMO_SEED + 3), now, {
    armourer: demoEmail('armourer'),
    professionalStandards: demoEmail('professional_standards'),
    supervisor: demoEmail('supervisor'),
  });
  // A month of shifts for the response teams, matching the fleet's sign-outs (shifts.ts).
  const roster = generateDemoRoster(mulberry32(DEFAULT_DEMO_SEED + 5), plan, fleet.fleet.issues, now);
  const rostered = await importShifts(svc, actor, { fileName: 'demo-roster.csv', bytes: new TextEncoder().encode(demoRosterCsv(roster)), source: 'upload' });
  if (!rostered.ok) throw new Error(`The demo roster was refused: ${JSON.stringify(rostered.rejected.slice(0, 5))}`);
  // The last few days' crews, saved by the home borough's sergeant (and by the seeding actor elsewhere).
  const sergeant = accounts.find((a) => a.role === 'supervisor')!;
  const crews = await seedDemoCrews(svc, actor, now, { boroughId: home.id, actor: { userId: sergeant.id, label: sergeant.email, grants: [{ role: 'supervisor', boroughId: home.id }] } });
  const seeded = await seedDemoReports(svc, { officer: demoEmail('officer'), supervisor: demoEmail('supervisor'), boroughCommander: demoEmail('borough_commander') }, home.id, now, fleet.carried);
  await linkDemoCartridges(svc, demoEmail('armourer'), seeded.fired);
  const reports = seeded.reports;

  // The published Home Office tables, for the national comparison (each its own audited load).
  const homeOfficePeriods: string[] = [];
  for (const t of PUBLISHED_HOME_OFFICE_TABLES) {
    const loaded = await importHomeOfficeTable(svc, actor, { fileName: t.file, bytes: await readPublishedTable(t.file) }, t.period);
    homeOfficePeriods.push(loaded.period.key);
  }
  // After the reports: each release counts every use recorded by then, the demo's reports included.
  const history = opts.history === false ? NO_DEMO_HISTORY : await seedDemoHistory(svc, actor, mulberry32(DEFAULT_DEMO_SEED + 1), now);
  // After the history's releases (the uses naming devices arrive as late ones): the logs, and the year reconciled.
  const deviceLogs =
    opts.deviceLogs === false
      ? NO_DEMO_DEVICE_LOGS
      : await seedDemoDeviceLogs(svc, actor, mulberry32(DEFAULT_DEMO_SEED + 4), { devices: fleet.fleet.devices, issues: fleet.fleet.issues, carried: fleet.carried, boroughs: plan.boroughs, now });
  return {
    asOf: now.toISOString(),
    force,
    boroughs: counts.boroughs,
    teams: counts.teams,
    officers: counts.officers,
    accounts,
    reports,
    homeOfficePeriods,
    history,
    training,
    fleet: fleet.summary,
    deviceLogs,
    shifts: rostered.inserted,
    crews,
  };
}
