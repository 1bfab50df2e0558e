import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import * as org from '../../src/db/repositories/organisation.js';
import * as officersRepo from '../../src/db/repositories/officers.js';
import { listAccounts } from '../../src/db/repositories/accounts.js';
import { findReport } from '../../src/db/repositories/reports.js';
import { RANKS, TEAM_TYPES, officerInput, type Officer } from '../../src/domain/organisation.js';
import { ROLES } from '../../src/domain/permissions.js';
import { ValidationError } from '../../src/domain/errors.js';
import { verifyAuditLog } from '../../src/services/audit.js';
import { createAccount, generatePassword } from '../../src/services/accounts.js';
import { publishedReleases, releaseFile, releaseFiles } from '../../src/services/releases.js';
import { SYSTEM_ACTOR, fixedClock, type Services } from '../../src/services/context.js';
import { nationalComparison } from '../../src/services/national.js';
import { ensureForce } from '../../src/services/setup.js';
import { DEFAULT_DEMO_OFFICERS, DEFAULT_DEMO_SEED, DEMO_BOROUGHS, generateDemoForce } from '../../src/demo/force.js';
import { DemoRefusedError, seedDemo, type DemoSummary } from '../../src/demo/index.js';
import { mulberry32 } from '../../src/demo/random.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { DEMO_BASELINE_AUTHORISED, DEMO_UPLIFT, demoAuthorisedOn, demoPlanStart, generateDemoTraining } from '../../src/demo/training.js';
import { NATIONAL_COURSE_TYPES } from '../../src/domain/training/courses.js';
import { listCourseTypes } from '../../src/services/training.js';
import { getPlan, progress } from '../../src/services/uplift.js';
import { londonDate } from '../../src/domain/calendar.js';
import { lastCompleteMonth, monthsBetween, releasePeriod } from '../../src/domain/stats/release.js';
import { deadlineState } from '../../src/domain/report/workflow.js';
import { DEMO_FLEET_DEVICES, DEMO_ISSUE_DAYS, generateDemoFleet } from '../../src/demo/devices.js';
import { DEMO_REPORT_INCIDENTS } from '../../src/demo/reports.js';
import { deviceWarnings } from '../../src/services/device-reports.js';
import { addDays } from '../../src/domain/calendar.js';
import { authorityOn } from '../../src/domain/training/authority.js';

const OFFICERS = 300;
/** The full seed runs once, on the day CI went red (issue 10): a demo report fell into the latest release. */
const NOW = '2026-12-06T09:00:00Z';
/** The extra instants seed a small force: the demo must be coherent on every date. */
const SMALL_FORCE = 50;

/**
 * What the latest release must count: every use recorded by the end of its month. The demo's
 * imported history, and the uses recorded in Cedar (submitted reports with a level of use)
 * whose incident falls in the release's months.
 */
async function recordedUsesIn(svc: Services, month: string): Promise<number> {
  const period = releasePeriod(month);
  const rows = await svc.database.db
    .selectFrom('uof_report')
    .select(['id'])
    .where('status', '<>', 'draft')
    .where('highest_level', 'is not', null)
    .where('occurred_on', '>=', period.from)
    .where('occurred_on', '<', period.toExclusive)
    .execute();
  return rows.length;
}

/** The demo's history and releases hold together at `now`: the checks every seeding instant must pass. */
async function expectCoherentDemo(svc: Services, summary: DemoSummary, now: Date) {
  const today = londonDate(now);
  const month = lastCompleteMonth(today);
  const period = releasePeriod(month);
  const releases = await publishedReleases(svc);
  // A release after each month from 1 April of the last complete month's financial year.
  expect(summary.history).toMatchObject({ financialYear: period.financialYear, label: period.label });
  expect(releases).toHaveLength(summary.history.releases);
  expect(releases.map((r) => r.month).reverse()).toEqual(monthsBetween(period.from, period.toExclusive));
  const latest = releases[0]!;
  expect(latest.month).toBe(month);
  expect(latest.snapshot.label).toBe(period.label);
  expect(latest.snapshot.countedOn).toBe(today);
  // The latest release counts every use recorded by then: the imported history and the demo's own reports in its months.
  const recorded = await recordedUsesIn(svc, month);
  expect(latest.snapshot.totals.total).toBe(summary.history.uses + recorded);
  expect(summary.history.latestReleaseUses).toBe(latest.snapshot.totals.total);
  if (releases.length > 1) expect(latest.revisions!.months[0]!.text).toMatch(/: \+\d+ late reports?$/);

  // The demo's reports are dated before `now`: a draft due soon and an overdue one, whatever the day.
  const reports = await svc.database.db.selectFrom('uof_report').select(['status', 'occurred_at', 'due_at', 'submitted_at']).execute();
  expect(reports.map((r) => r.status).sort()).toEqual(['approved', 'draft', 'draft', 'returned', 'signed_off', 'submitted']);
  expect(reports.every((r) => r.occurred_at !== null && r.occurred_at < now.toISOString())).toBe(true);
  expect(reports.filter((r) => r.status !== 'draft').every((r) => r.submitted_at === now.toISOString())).toBe(true);
  const drafts = reports.filter((r) => r.status === 'draft').map((r) => deadlineState(new Date(r.due_at!), now));
  expect(drafts.sort()).toEqual(['due_soon', 'overdue']);

  // Training is counted from the same day: the plan's start, sessions to come and sessions held.
  expect(summary.training.planStartsOn).toBe(demoPlanStart(today));
  const sessions = await svc.database.db.selectFrom('training_session').select(['status', 'starts_on', 'ends_on']).execute();
  expect(sessions.filter((x) => x.status === 'scheduled').every((x) => x.starts_on > today)).toBe(true);
  expect(sessions.filter((x) => x.status === 'completed').every((x) => x.ends_on < today)).toBe(true);
  expect((await verifyAuditLog(svc)).ok).toBe(true);
  return { recorded, latest };
}

/**
 * Every demo report that names a device names one issued to its officer at the incident's time;
 * a fired cartridge is one issued with it, expended, and (once the report has its Taser section)
 * linked to the report. Returns how many reports name a device.
 */
async function expectReportsNameIssuedDevices(svc: Services): Promise<number> {
  const db = svc.database.db;
  const reports = await db.selectFrom('uof_report').select(['id', 'officer_id', 'occurred_at', 'content']).execute();
  let named = 0;
  for (const r of reports) {
    // The report's own device check (what the officer and the reviewer see) finds nothing to warn of.
    expect(await deviceWarnings(svc, (await findReport(db, r.id))!)).toEqual([]);
    const ced = (JSON.parse(r.content) as { ced?: { deviceSerial: string; applications: { fired: { cartridgeNumber: string } | null }[] } }).ced;
    if (!ced) continue;
    named++;
    const at = r.occurred_at!;
    const issue = await db
      .selectFrom('device_issue as i')
      .innerJoin('device as d', 'd.id', 'i.device_id')
      .select(['i.id', 'i.issued_at', 'i.returned_at'])
      .where('d.serial', '=', ced.deviceSerial)
      .where('i.officer_id', '=', r.officer_id)
      .where('i.issued_at', '<=', at)
      .where((eb) => eb.or([eb('i.returned_at', 'is', null), eb('i.returned_at', '>', at)]))
      .executeTakeFirst();
    expect(issue, `report ${r.id} names ${ced.deviceSerial}, not issued to its officer at ${at}`).toBeDefined();
    for (const fired of ced.applications.map((a) => a.fired).filter((f) => f !== null)) {
      const cartridge = await db
        .selectFrom('device_issue_cartridge as l')
        .innerJoin('cartridge as c', 'c.id', 'l.cartridge_id')
        .select(['c.state', 'c.report_id', 'l.outcome', 'l.report_id as issue_report_id'])
        .where('l.issue_id', '=', issue!.id)
        .where('c.serial', '=', fired.cartridgeNumber)
        .executeTakeFirst();
      expect(cartridge).toEqual({ state: 'expended', report_id: r.id, outcome: 'expended', issue_report_id: r.id });
    }
  }
  return named;
}

describe('generateDemoForce (pure)', () => {
  const plan = generateDemoForce(mulberry32(42), 2000);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateDemoForce(mulberry32(42), 2000)).toEqual(plan);
    const other = generateDemoForce(mulberry32(43), 2000);
    expect(other.officers.map((o) => o.collarNumber)).not.toEqual(plan.officers.map((o) => o.collarNumber));
  });

  it('has the 32 London boroughs and Heathrow with unique names and codes', () => {
    expect(plan.boroughs).toHaveLength(33);
    expect(plan.boroughs.map((b) => b.name)).toEqual(expect.arrayContaining(['Heathrow', 'Westminster', 'Kensington and Chelsea', 'Richmond upon Thames', 'Barking and Dagenham']));
    expect(new Set(plan.boroughs.map((b) => b.name)).size).toBe(33);
    expect(new Set(plan.boroughs.map((b) => b.code)).size).toBe(33);
    expect(plan.boroughs.every((b) => /^[A-Z]{2}$/.test(b.code))).toBe(true);
    expect(plan.boroughs.find((b) => b.name === 'Lambeth')?.code).toBe('LX');
  });

  it('uses every team type, with unique team names and force-wide units', () => {
    expect(new Set(plan.teams.map((t) => t.teamType))).toEqual(new Set(TEAM_TYPES));
    expect(new Set(plan.teams.map((t) => t.name)).size).toBe(plan.teams.length);
    const forceWide = plan.teams.filter((t) => t.boroughCode === null).map((t) => t.name);
    expect(forceWide).toEqual(expect.arrayContaining(['Territorial Support Group 1', 'Roads and Transport Policing Command', 'Taser Training Unit']));
    expect(plan.teams.map((t) => t.name)).toEqual(expect.arrayContaining(['Lambeth Emergency Response A', 'Lambeth Emergency Response E']));
  });

  it('makes valid officers with unique collar numbers, realistic ranks and some leavers', () => {
    expect(plan.officers).toHaveLength(2000);
    expect(new Set(plan.officers.map((o) => o.collarNumber)).size).toBe(2000);
    for (const o of plan.officers) {
      expect(officerInput.safeParse({ ...o, boroughId: o.boroughCode, teamId: o.teamName }).success).toBe(true);
      expect(o.joinedOn >= '1995-01-01' && o.joinedOn <= '2025-12-31').toBe(true);
      if (o.status === 'left') expect(o.leftOn! > o.joinedOn).toBe(true);
    }
    const share = (pred: (o: (typeof plan.officers)[number]) => boolean) => plan.officers.filter(pred).length / plan.officers.length;
    expect(share((o) => o.rank === 'Police Constable')).toBeCloseTo(0.75, 2);
    expect(share((o) => o.rank === 'Sergeant')).toBeCloseTo(0.15, 2);
    expect(share((o) => o.rank === 'Inspector')).toBeCloseTo(0.06, 2);
    expect(share((o) => o.status === 'left')).toBeGreaterThan(0.01);
    expect(share((o) => o.status === 'left')).toBeLessThan(0.06);
    const senior = RANKS.slice(RANKS.indexOf('Superintendent'));
    expect(plan.officers.filter((o) => senior.includes(o.rank)).every((o) => o.teamName === null)).toBe(true);
    const teamType = new Map(plan.teams.map((t) => [t.name, t.teamType]));
    // Emergency response is the largest kind of team; about a third of the force serves force-wide.
    expect(share((o) => o.teamName !== null && teamType.get(o.teamName) === 'emergency_response')).toBeGreaterThan(0.4);
    const forceWide = new Set(plan.teams.filter((t) => t.boroughCode === null).map((t) => t.name));
    expect(share((o) => o.teamName !== null && forceWide.has(o.teamName))).toBeGreaterThan(0.25);
    expect(share((o) => o.teamName !== null && forceWide.has(o.teamName))).toBeLessThan(0.45);
  });

  it('puts each officer in a team of their own borough or a force-wide team', () => {
    const teamBorough = new Map(plan.teams.map((t) => [t.name, t.boroughCode]));
    for (const o of plan.officers.filter((x) => x.teamName !== null)) expect(teamBorough.get(o.teamName!)).toBe(o.boroughCode);
  });

  it('starts with an active Lambeth constable and sergeant for the demo accounts, even for a tiny force', () => {
    const tiny = generateDemoForce(mulberry32(7), 2);
    expect(tiny.officers.map((o) => [o.rank, o.boroughCode, o.status])).toEqual([
      ['Police Constable', 'LX', 'active'],
      ['Sergeant', 'LX', 'active'],
    ]);
    expect(tiny.accountOfficers).toEqual({ officer: tiny.officers[0]!.collarNumber, supervisor: tiny.officers[1]!.collarNumber });
  });

  it('refuses an impossible officer count', () => {
    expect(() => generateDemoForce(mulberry32(1), 1)).toThrow(ValidationError);
    expect(() => generateDemoForce(mulberry32(1), 12.5)).toThrow(ValidationError);
  });
});

describe('the demo force’s training (pure)', () => {
  const force = generateDemoForce(mulberry32(DEFAULT_DEMO_SEED), DEFAULT_DEMO_OFFICERS);
  const day = '2026-11-28';
  const training = generateDemoTraining(mulberry32(DEFAULT_DEMO_SEED + 2), force, day);

  it('is deterministic for a seed and a day', () => {
    expect(generateDemoTraining(mulberry32(DEFAULT_DEMO_SEED + 2), force, day)).toEqual(training);
  });

  it('starts the uplift about 4,300 authorised, and is a little further on today', () => {
    const baseline = demoAuthorisedOn(training, training.plan.startsOn);
    expect(Math.abs(baseline - DEMO_BASELINE_AUTHORISED)).toBeLessThan(DEMO_BASELINE_AUTHORISED * 0.02);
    const now = demoAuthorisedOn(training, day);
    expect(now).toBeGreaterThan(baseline);
    expect(now).toBeLessThan(baseline + 300);
  });

  it('plans the DESIGN uplift: +1,867 (93% from emergency response), 2,500 devices, 80 a borough, two years from 1 September', () => {
    expect(training.plan).toMatchObject({ startsOn: '2026-09-01', deadline: '2028-08-31', uplift: DEMO_UPLIFT.officers, devices: 2500, boroughMinimum: 80, emergencyResponsePercent: 93 });
  });

  it('dates the plan from the day it is seeded: the last 1 September at least a month ago', () => {
    expect([demoPlanStart('2026-10-01'), demoPlanStart('2027-03-15'), demoPlanStart('2027-09-30'), demoPlanStart('2027-10-02')]).toEqual(['2026-09-01', '2026-09-01', '2026-09-01', '2027-09-01']);
  });

  it('has sessions to come, run by trainers, one full with a waiting list, and a few completed with results', () => {
    const future = training.sessions.filter((s) => s.startsOn > day);
    expect(future.length).toBeGreaterThan(10);
    expect(future.some((s) => s.code === 'initial-x2') && future.some((s) => s.code === 'refresher')).toBe(true);
    expect(training.sessions.every((s) => s.trainers.length > 0 && s.trainers.every((t) => !s.enrolled.includes(t)))).toBe(true);
    expect(future.filter((s) => s.enrolled.length === s.capacity && s.waiting.length > 0)).toHaveLength(1);
    for (const [seed, size] of [
      [9, 50],
      [1, 2],
      [DEFAULT_DEMO_SEED, 300],
    ] as const) {
      for (const s of generateDemoTraining(mulberry32(seed), generateDemoForce(mulberry32(seed), size), day).sessions) {
        const people = [...s.enrolled, ...s.waiting, ...(s.results ?? []).map((r) => r.collar)];
        expect(new Set(people).size).toBe(people.length);
      }
    }
    const completed = training.sessions.filter((s) => s.results);
    expect(completed.length).toBeGreaterThan(2);
    expect(completed.every((s) => s.endsOn < day)).toBe(true);
  });
});

describe('the demo force’s fleet (pure)', () => {
  const force = generateDemoForce(mulberry32(DEFAULT_DEMO_SEED), DEFAULT_DEMO_OFFICERS);
  const now = new Date('2026-11-28T09:00:00Z');
  const day = '2026-11-28';
  const training = generateDemoTraining(mulberry32(DEFAULT_DEMO_SEED + 2), force, day);
  const fleet = generateDemoFleet(mulberry32(DEFAULT_DEMO_SEED + 3), force, training, now);
  const storeOf = (s: { boroughCode: string | null; teamName: string | null }) => s.boroughCode ?? s.teamName ?? 'central';

  it('has about 2,500 devices across the 33 boroughs’ stores and the force-wide commands’, a few in the central store', () => {
    expect(Math.abs(fleet.devices.length - DEMO_FLEET_DEVICES)).toBeLessThan(25);
    expect(new Set(fleet.devices.map((d) => d.serial)).size).toBe(fleet.devices.length);
    const boroughs = new Set(fleet.devices.filter((d) => d.store.boroughCode).map((d) => d.store.boroughCode));
    expect(boroughs.size).toBe(33);
    const units = new Set(fleet.devices.filter((d) => d.store.teamName).map((d) => d.store.teamName));
    expect(units).toEqual(new Set(force.teams.filter((t) => t.boroughCode === null).map((t) => t.name)));
    const central = fleet.devices.filter((d) => storeOf(d.store) === 'central').length;
    expect(central).toBeGreaterThan(0);
    expect(central).toBeLessThan(50);
  });

  it('is mostly X2, with older X26 being retired six months on, each with firmware', () => {
    const x26 = fleet.devices.filter((d) => d.model === 'X26');
    expect(x26.length / fleet.devices.length).toBeGreaterThan(0.08);
    expect(x26.length / fleet.devices.length).toBeLessThan(0.2);
    expect(fleet.devices.every((d) => d.model === 'X2' || d.model === 'X26')).toBe(true);
    expect(x26.every((d) => d.inServiceOn < '2017-04-01')).toBe(true);
    expect(fleet.devices.filter((d) => d.model === 'X2').every((d) => d.inServiceOn >= '2017-04-01' && d.inServiceOn < day)).toBe(true);
    expect(fleet.x26StopsIssuingOn).toBe('2027-05-01');
    expect(fleet.devices.every((d) => d.firmware.length > 0)).toBe(true);
  });

  it('has two to three cartridges a device, of the types its model takes, some near expiry and a few expired', () => {
    expect(fleet.cartridges.length / fleet.devices.length).toBeGreaterThanOrEqual(2);
    expect(fleet.cartridges.length / fleet.devices.length).toBeLessThanOrEqual(3);
    expect(new Set(fleet.cartridges.map((c) => c.serial)).size).toBe(fleet.cartridges.length);
    expect(new Set(fleet.cartridges.map((c) => c.type))).toEqual(new Set(['Smart 25 ft', 'Smart 15 ft', 'X26 25 ft', 'X26 21 ft']));
    const expired = fleet.cartridges.filter((c) => c.expiresOn < day).length;
    const near = fleet.cartridges.filter((c) => c.expiresOn >= day && c.expiresOn <= addDays(day, 60)).length;
    expect(expired).toBeGreaterThan(0);
    expect(expired / fleet.cartridges.length).toBeLessThan(0.03);
    expect(near / fleet.cartridges.length).toBeGreaterThan(0.02);
  });

  it('has weeks of shifts: never a device, officer or cartridge out twice at once, and only to officers authorised on the model that day', () => {
    expect(fleet.issues.length).toBeGreaterThan(10_000);
    const first = fleet.issues.map((i) => i.issuedAt).sort()[0]!;
    expect(first >= addDays(day, -DEMO_ISSUE_DAYS)).toBe(true);
    const model = new Map(fleet.devices.map((d) => [d.serial, d]));
    const type = new Map(fleet.cartridges.map((c) => [c.serial, c]));
    const spans = new Map<string, [string, string][]>();
    const problems: string[] = [];
    for (const i of fleet.issues) {
      const end = i.returnedAt ?? '9999';
      for (const k of [`d:${i.deviceSerial}`, `o:${i.collar}`, ...i.cartridges.map((c) => `c:${c.serial}`)]) {
        const list = spans.get(k) ?? [];
        if (list.some(([a, b]) => a < end && i.issuedAt < b)) problems.push(`${k} out twice at ${i.issuedAt}`);
        list.push([i.issuedAt, end]);
        spans.set(k, list);
      }
      const d = model.get(i.deviceSerial)!;
      if (i.cartridges.length !== (d.model === 'X2' ? 2 : 1)) problems.push(`${i.deviceSerial}: ${i.cartridges.length} cartridges`);
      for (const c of i.cartridges) {
        const cartridge = type.get(c.serial)!;
        if (!cartridge.type.startsWith(d.model === 'X2' ? 'Smart' : 'X26')) problems.push(`${c.serial} does not fit ${d.model}`);
        if (cartridge.expiresOn < i.issuedAt.slice(0, 10)) problems.push(`${c.serial} issued expired`);
        if (storeOf(cartridge.store) !== storeOf(d.store)) problems.push(`${c.serial} from another store`);
      }
    }
    // Every 20th issue: the officer was authorised on the device's model that day.
    const records = new Map<string, { kind: 'initial' | 'refresher' | 'conversion'; qualifiesFor: string[]; completedOn: string; result: 'pass' | 'fail' | 'did_not_finish' }[]>();
    const courses = new Map(NATIONAL_COURSE_TYPES.map((c) => [c.code, c]));
    for (const r of training.records)
      records.set(r.collar, [...(records.get(r.collar) ?? []), { ...courses.get(r.code)!, qualifiesFor: [...courses.get(r.code)!.qualifiesFor], completedOn: r.completedOn, result: r.result }]);
    for (const i of fleet.issues.filter((_, n) => n % 20 === 0)) {
      const restrictions = training.restrictions.filter((r) => r.collar === i.collar);
      const on = londonDate(new Date(i.issuedAt));
      const authority = authorityOn(
        model.get(i.deviceSerial)!.model,
        on,
        records.get(i.collar) ?? [],
        restrictions.filter((r) => r.kind === 'suspension'),
        restrictions.filter((r) => r.kind === 'withdrawal'),
      );
      if (!authority.authorised) problems.push(`${i.collar} not authorised on ${on}: ${authority.reason}`);
    }
    expect(problems).toEqual([]);
    // Still out: the shifts under way and a couple overdue; back: every cartridge accounted for.
    const out = fleet.issues.filter((i) => i.returnedAt === null);
    expect(out.length).toBeGreaterThan(0);
    expect(out.filter((i) => Date.parse(i.shiftEndsAt) + 2 * 3_600_000 <= now.getTime()).length).toBeGreaterThan(0);
    expect(fleet.issues.filter((i) => i.returnedAt).every((i) => i.cartridges.every((c) => c.outcome !== null))).toBe(true);
    expect(fleet.issues.some((i) => i.cartridges.some((c) => c.outcome === 'expended'))).toBe(true);
  });

  it('gives the demo constable a device at each incident where a Taser was carried, and the cartridge fired at the fired ones', () => {
    const carriedAt = Object.values(DEMO_REPORT_INCIDENTS).filter((i) => i.kind !== 'none');
    expect([...fleet.carried.keys()].sort()).toEqual(carriedAt.map((i) => i.hours).sort());
    for (const i of carriedAt) {
      const carried = fleet.carried.get(i.hours)!;
      const at = new Date(now.getTime() - i.hours * 3_600_000).toISOString();
      const issue = fleet.issues.find((x) => x.collar === force.accountOfficers.officer && x.deviceSerial === carried.deviceSerial && x.issuedAt <= at && (x.returnedAt ?? '9999') > at)!;
      expect(issue).toBeDefined();
      if (i.kind === 'fired') expect(issue.cartridges.find((c) => c.serial === carried.expendedCartridge)?.outcome).toBe('expended');
      else expect(carried.expendedCartridge).toBeNull();
    }
  });

  it('sends some devices for repair, quarantines one and withdraws a few X26, none of them out now', () => {
    const out = new Set(fleet.issues.filter((i) => i.returnedAt === null).map((i) => i.deviceSerial));
    const moved = [...fleet.repairs.map((r) => r.serial), fleet.quarantine.serial, ...fleet.withdrawn];
    expect(new Set(moved).size).toBe(moved.length);
    expect(moved.some((s) => out.has(s))).toBe(false);
    expect(fleet.repairs.length).toBeGreaterThan(20);
    expect(fleet.withdrawn.every((s) => fleet.devices.find((d) => d.serial === s)!.model === 'X26')).toBe(true);
  });

  it('is deterministic for a seed, force, training and instant', () => {
    const again = generateDemoFleet(mulberry32(DEFAULT_DEMO_SEED + 3), force, training, now);
    expect(again.issues.length).toBe(fleet.issues.length);
    expect(again.devices).toEqual(fleet.devices);
    expect(again.issues.slice(0, 200)).toEqual(fleet.issues.slice(0, 200));
  });
});

describe.each(testDatabases())('seedDemo on %s', (kind) => {
  let svc: TestServices;
  let summary: DemoSummary;
  let officers: Officer[];

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock(NOW) });
    summary = await seedDemo(svc, SYSTEM_ACTOR, { officers: OFFICERS });
    officers = (await officersRepo.listOfficers(svc.database.db, { forceId: summary.force.id }, { offset: 0, limit: 10_000 })).officers;
  });
  afterAll(() => svc.cleanup());

  it('seeds the Met with 33 boroughs including Heathrow', async () => {
    expect(summary.force.name).toBe('Metropolitan Police Service');
    const boroughs = await org.listBoroughs(svc.database.db, summary.force.id);
    expect(summary.boroughs).toBe(33);
    expect(boroughs).toHaveLength(33);
    expect(boroughs.map((b) => b.name)).toEqual(expect.arrayContaining(['Heathrow', 'Lambeth', 'Westminster']));
  });

  it('has this financial year’s Taser uses and a release after each month, each stating its revisions', async () => {
    expect(summary.asOf).toBe(new Date(NOW).toISOString());
    expect(summary.history).toMatchObject({ financialYear: '2026-27', label: 'April to November 2026', releases: 8 });
    const { recorded, latest } = await expectCoherentDemo(svc, summary, new Date(NOW));
    // On 6 December the signed-off demo report (30 November) is in the November release, counted with the history.
    expect(recorded).toBe(1);
    expect(latest.snapshot.breakdowns.find((b) => b.dimension === 'borough')!.rows.filter((r) => r.counts.total > 0).length).toBeGreaterThan(20);
  });

  it('uses every team type', async () => {
    const teams = await org.listTeams(svc.database.db, summary.force.id);
    expect(teams).toHaveLength(summary.teams);
    expect(new Set(teams.map((t) => t.teamType))).toEqual(new Set(TEAM_TYPES));
  });

  it('stores the officers, each valid and with a unique collar number', () => {
    expect(summary.officers).toBe(OFFICERS);
    expect(officers).toHaveLength(OFFICERS);
    expect(new Set(officers.map((o) => o.collarNumber)).size).toBe(OFFICERS);
    for (const o of officers) expect(officerInput.safeParse(o).success).toBe(true);
  });

  it('is reproducible: the default seed gives the same officers on every database', () => {
    const expected = generateDemoForce(mulberry32(DEFAULT_DEMO_SEED), OFFICERS)
      .officers.map((o) => o.collarNumber)
      .sort();
    expect(officers.map((o) => o.collarNumber).sort()).toEqual(expected);
  });

  it('creates one account per role with a one-time password, borough roles scoped to Lambeth, officer and supervisor linked', async () => {
    const lambeth = (await org.listBoroughs(svc.database.db, summary.force.id)).find((b) => b.name === 'Lambeth')!;
    const { accounts } = await listAccounts(svc.database.db, { offset: 0, limit: 100 });
    expect(accounts).toHaveLength(ROLES.length);
    expect(summary.accounts.map((a) => a.role)).toEqual([...ROLES]);
    for (const role of ROLES) {
      const account = accounts.find((a) => a.roles.some((g) => g.role === role))!;
      expect(account.email).toBe(summary.accounts.find((a) => a.role === role)!.email);
      // The printed password is one-time, like the administrator's: it must be changed at first sign-in.
      expect(account.mustChangePassword).toBe(true);
      const scoped = role === 'officer' || role === 'supervisor' || role === 'borough_commander';
      expect(account.roles).toEqual([{ role, boroughId: scoped ? lambeth.id : null }]);
    }
    expect(summary.accounts.find((a) => a.role === 'officer')!.email).toBe('officer@demo.cedar.police.uk');
    const byId = new Map(officers.map((o) => [o.id, o]));
    const officerAccount = accounts.find((a) => a.email === 'officer@demo.cedar.police.uk')!;
    const supervisorAccount = accounts.find((a) => a.email === 'supervisor@demo.cedar.police.uk')!;
    expect(byId.get(officerAccount.officerId!)).toMatchObject({ rank: 'Police Constable', boroughId: lambeth.id, status: 'active' });
    expect(byId.get(supervisorAccount.officerId!)).toMatchObject({ rank: 'Sergeant', boroughId: lambeth.id, status: 'active' });
  });

  it('writes one demo.seed audit entry with the counts', async () => {
    const { entries } = await listAudit(svc.database.db, { action: 'demo.seed' }, { offset: 0, limit: 10 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entityType: 'force', entityId: summary.force.id });
    expect(JSON.parse(entries[0]!.summary)).toEqual({ boroughs: 33, teams: summary.teams, officers: OFFICERS, accounts: ROLES.length });
    expect((await listAudit(svc.database.db, { action: 'account.create' }, { offset: 0, limit: 100 })).total).toBe(ROLES.length);
  });

  it('refuses a second run and changes nothing', async () => {
    const db = svc.database.db;
    const auditBefore = (await listAudit(db, {}, { offset: 0, limit: 1 })).total;
    await expect(seedDemo(svc, SYSTEM_ACTOR, { officers: OFFICERS })).rejects.toThrow(DemoRefusedError);
    await expect(seedDemo(svc, SYSTEM_ACTOR, { officers: OFFICERS })).rejects.toThrow(/already has data/);
    expect(await officersRepo.countOfficers(db, summary.force.id)).toBe(OFFICERS);
    expect(await org.listBoroughs(db, summary.force.id)).toHaveLength(DEMO_BOROUGHS.length);
    expect(await org.listTeams(db, summary.force.id)).toHaveLength(summary.teams);
    expect((await listAccounts(db, { offset: 0, limit: 100 })).total).toBe(ROLES.length);
    expect((await listAudit(db, {}, { offset: 0, limit: 1 })).total).toBe(auditBefore);
  });

  it('records demo reports at every stage of review', async () => {
    const rows = await svc.database.db.selectFrom('uof_report').select(['status', 'highest_level']).execute();
    expect(rows.map((r) => r.status).sort()).toEqual(['approved', 'draft', 'draft', 'returned', 'signed_off', 'submitted']);
    expect(rows.map((r) => r.highest_level)).toContain('fired');
  });

  it('trains the force: the national courses, about 4,300 authorised for every 10,000 officers, the uplift plan', async () => {
    expect((await listCourseTypes(svc)).map((c) => c.code).sort()).toEqual(NATIONAL_COURSE_TYPES.map((c) => c.code).sort());
    const plan = (await getPlan(svc))!;
    expect(plan).toMatchObject({
      startsOn: demoPlanStart(londonDate(new Date(NOW))),
      targetAuthorised: plan.baselineAuthorised + Math.round((DEMO_UPLIFT.officers * OFFICERS) / DEFAULT_DEMO_OFFICERS),
      emergencyResponsePercent: 93,
    });
    const expected = (DEMO_BASELINE_AUTHORISED * OFFICERS) / DEFAULT_DEMO_OFFICERS;
    expect(Math.abs(plan.baselineAuthorised - expected)).toBeLessThan(expected * 0.1);
    const { progress: p } = await progress(svc, { all: true });
    expect(p.authorisedNow).toBeGreaterThanOrEqual(plan.baselineAuthorised - 5);
    expect(p.authorisedNow).toBeLessThan(plan.baselineAuthorised + 30);
    const sessions = await svc.database.db.selectFrom('training_session').select(['status']).execute();
    expect(sessions.some((s) => s.status === 'scheduled')).toBe(true);
    // The demo constable records the demo's uses of Taser: authorised, so the reports say CED-trained.
    const pcAccount = (await listAccounts(svc.database.db, { offset: 0, limit: 100 })).accounts.find((a) => a.email === 'officer@demo.cedar.police.uk')!;
    const pcRecords = await svc.database.db.selectFrom('training_record').select(['result']).where('officer_id', '=', pcAccount.officerId!).execute();
    expect(pcRecords.map((r) => r.result)).toContain('pass');
  });

  it('loads the published Home Office tables for the national comparison', async () => {
    expect(summary.homeOfficePeriods).toEqual(['2016', '2017-18', '2018-19']);
    const model = await nationalComparison(svc);
    expect(model.periods.map((p) => [p.period.key, p.comparison.forceInTable, p.comparison.totals[0]])).toEqual([
      ['2018-19', true, 7396],
      ['2017-18', true, 4951],
      ['2016', true, 2072],
    ]);
  });

  it('stores the fleet: devices in their stores, one quarantined, some in repair, the X26 retiring, weeks of issues and returns', async () => {
    const db = svc.database.db;
    const f = summary.fleet;
    const states = Object.fromEntries(
      (
        await db
          .selectFrom('device')
          .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('state')
          .execute()
      ).map((r) => [r.state, Number(r.n)]),
    );
    expect(Object.values(states).reduce((a, b) => a + b, 0)).toBe(f.devices);
    expect(f.devices).toBeGreaterThanOrEqual(Math.round((2_500 * OFFICERS) / DEFAULT_DEMO_OFFICERS));
    expect(states).toMatchObject({ quarantined: 1, in_repair: f.inRepair, withdrawn: f.withdrawn, issued: f.out });
    expect(f.inRepair).toBeGreaterThan(0);
    expect(f.x26).toBeGreaterThan(0);
    expect(f.x2).toBeGreaterThan(f.x26);
    const models = await db.selectFrom('device_model').select(['name', 'stops_issuing_on']).execute();
    expect(models.find((m) => m.name === 'X26')!.stops_issuing_on).toBe('2027-06-01');
    expect(models.find((m) => m.name === 'X2')!.stops_issuing_on).toBeNull();
    const issues = await db.selectFrom('device_issue').select(['issued_at', 'returned_at']).execute();
    expect(issues).toHaveLength(f.issues);
    expect(issues.filter((i) => i.returned_at !== null).length).toBeGreaterThan(f.issues / 2);
    expect(issues.filter((i) => i.returned_at === null)).toHaveLength(f.out);
    expect(issues.every((i) => i.issued_at < NOW.replace('Z', '.000Z') && (i.returned_at === null || i.returned_at < NOW.replace('Z', '.000Z')))).toBe(true);
    const cartridges = await db.selectFrom('cartridge').select(['state', 'report_id']).execute();
    expect(cartridges).toHaveLength(f.cartridges);
    expect(cartridges.filter((c) => c.state === 'expended' && c.report_id !== null)).toHaveLength(1);
  });

  it('names in every demo report a device issued to its officer at the time, and links the cartridge fired', async () => {
    expect(await expectReportsNameIssuedDevices(svc)).toBe(3);
  });

  it('leaves an audit chain that verifies', async () => {
    const result = await verifyAuditLog(svc);
    expect(result.ok).toBe(true);
    // force.create + demo.seed + one account.create per role, the demo reports' steps, a load per Home Office table,
    // then for each month of history an import, a release prepared and a release published
    const reportSteps = (await listAudit(svc.database.db, {}, { offset: 0, limit: 1000 })).entries.filter((e) => e.action.startsWith('report.')).length;
    expect(reportSteps).toBeGreaterThan(0);
    // … and the training: a course_type.create per national course, demo.training, and uplift.update.
    // … and the fleet: the four models, a device.register per device, a cartridge.receive per 2,500 cartridges, the X26's
    // retirement, demo.devices, a move per device sent for repair, quarantined or withdrawn, and the fired cartridge linked.
    const f = summary.fleet;
    const fleet = 4 + f.devices + Math.ceil(f.cartridges / 2_500) + 2 + f.inRepair + f.quarantined + f.withdrawn + 1;
    // … the duty roster: one shift.import for the month of shifts and a crews.save per period of the last days'
    // saved crews; and the device logs: the uses naming devices imported, the logs imported, and the year reconciled.
    expect(result.checked).toBe(2 + ROLES.length + reportSteps + 3 + 3 * summary.history.releases + NATIONAL_COURSE_TYPES.length + 2 + fleet + 1 + summary.crews.periods + 3);
    expect(summary.shifts).toBeGreaterThan(0);
    expect(summary.crews.periods).toBeGreaterThan(0);
    expect(summary.crews.taserCrews).toBeGreaterThan(0);
  });

  it('imports a year of device logs and reconciles it: each planted exception found, and more reports confirmed than exceptions', () => {
    const logs = summary.deviceLogs;
    expect(logs.devices).toBeGreaterThan(summary.fleet.devices * 0.9);
    expect(logs.entries).toBeGreaterThan(logs.devices * 20);
    expect(logs.exceptions).toEqual(logs.planted);
    expect(Object.values(logs.planted).every((n) => n > 0)).toBe(true);
    expect(logs.reportsMatched).toBeGreaterThan(Object.values(logs.exceptions).reduce((a, b) => a + b, 0));
  });
});

describe.each(testDatabases())('seedDemo into a configured but empty database on %s', (kind) => {
  let svc: TestServices;
  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock(NOW) });
  });
  afterAll(() => svc.cleanup());

  it('keeps the existing force and administrator and reports progress to the end', async () => {
    const force = await ensureForce(svc, SYSTEM_ACTOR, { name: 'Metropolitan Police Service', homeOfficeRegion: 'London' });
    await createAccount(svc, SYSTEM_ACTOR, { email: 'admin@cedar.local', displayName: 'Administrator', roles: [{ role: 'administrator' }] }, generatePassword());
    const seen: [number, number][] = [];
    const summary = await seedDemo(svc, SYSTEM_ACTOR, { officers: 50, random: mulberry32(9), history: false, onProgress: (done, total) => seen.push([done, total]) });
    expect(summary.force).toEqual(force);
    expect(seen.at(-1)).toEqual([50 + ROLES.length, 50 + ROLES.length]);
    expect((await listAccounts(svc.database.db, { offset: 0, limit: 100 })).total).toBe(ROLES.length + 1);
    expect((await verifyAuditLog(svc)).ok).toBe(true);
  });
});

/** Instants where the calendar turns: the demo must hold together at each (London time). */
const INSTANTS = [
  // 1 July 00:30 BST (still 30 June in UTC): the reports of the last days of June are in the June release.
  { when: 'the 1st of a month just after midnight', at: '2026-06-30T23:30:00Z', financialYear: '2026-27', label: 'April to June 2026', releases: 3, recorded: 3 },
  { when: 'an ordinary day', at: '2026-11-18T14:00:00Z', financialYear: '2026-27', label: 'April to October 2026', releases: 7, recorded: 0 },
  // 23:30 BST on 31 March: March has not ended, so February is the last month released.
  { when: '31 March, late in the evening', at: '2027-03-31T22:30:00Z', financialYear: '2026-27', label: 'April 2026 to February 2027', releases: 11, recorded: 0 },
  // 00:30 BST on 1 April: no month of 2027-28 has ended, so the history is the whole year just ended.
  { when: '1 April just after midnight, as the financial year turns', at: '2027-03-31T23:30:00Z', financialYear: '2026-27', label: 'April 2026 to March 2027', releases: 12, recorded: 3 },
  // The clocks go forward at 01:00 UTC on the last Sunday of March.
  { when: 'the last Sunday of March, as the clocks go forward', at: '2027-03-28T01:00:00Z', financialYear: '2026-27', label: 'April 2026 to February 2027', releases: 11, recorded: 0 },
  // The clocks go back at 01:00 UTC on the last Sunday of October: 01:00 GMT, the second 01:00 that night.
  { when: 'the last Sunday of October, as the clocks go back', at: '2026-10-25T01:00:00Z', financialYear: '2026-27', label: 'April to September 2026', releases: 6, recorded: 0 },
] as const;

describe.each(testDatabases())('seedDemo at fixed instants on %s', (kind) => {
  describe.each(INSTANTS)('on $when ($at)', ({ at, financialYear, label, releases, recorded }) => {
    let svc: TestServices;
    let summary: DemoSummary;
    beforeAll(async () => {
      svc = await openTestServices(kind, { clock: fixedClock(at) });
      // The year of device logs is tested on the full seed above; these instants are about dates.
      summary = await seedDemo(svc, SYSTEM_ACTOR, { officers: SMALL_FORCE, deviceLogs: false });
    });
    afterAll(() => svc.cleanup());

    it('dates everything from that instant, and the latest release counts every use recorded in its months', async () => {
      expect(summary.asOf).toBe(at.replace('Z', '.000Z'));
      expect(summary.history).toMatchObject({ financialYear, label, releases });
      const coherent = await expectCoherentDemo(svc, summary, new Date(at));
      expect(coherent.recorded).toBe(recorded);
    });

    it('names in every demo report a device issued to its officer at the time', async () => {
      expect(await expectReportsNameIssuedDevices(svc)).toBe(3);
      const quarantined = await svc.database.db.selectFrom('device').select('serial').where('state', '=', 'quarantined').execute();
      expect(quarantined).toHaveLength(1);
    });

    it('works out the uplift from that day', async () => {
      const { progress: p } = await progress(svc, { all: true });
      expect(p.authorisedNow).toBeGreaterThan(0);
      expect((await getPlan(svc))!.startsOn).toBe(demoPlanStart(londonDate(new Date(at))));
    });
  });
});

/** Everything the demo says that does not name a row or a password: counts, figures, files. */
async function demoFacts(svc: Services, summary: DemoSummary) {
  const db = svc.database.db;
  const TABLES = [
    'officer',
    'training_record',
    'training_session',
    'enrolment',
    'authority_restriction',
    'uof_report',
    'uof_report_event',
    'imported_report',
    'release',
    'audit_log',
    'device',
    'cartridge',
    'device_issue',
    'device_issue_cartridge',
    'device_event',
  ] as const;
  const count = async (table: (typeof TABLES)[number]) => Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const releases = await publishedReleases(svc);
  return {
    summary: { ...summary, force: { ...summary.force, id: undefined }, accounts: summary.accounts.map((a) => [a.role, a.email]) },
    counts: Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await count(t)]))),
    releases: await Promise.all(
      releases.map(async (r) => ({
        number: r.number,
        month: r.month,
        snapshot: r.snapshot,
        revisions: r.revisions,
        rows: r.rowsCount,
        // aggregates.json carries the audit chain's head, whose hash covers random entry ids: compare the rest.
        files: await Promise.all(
          (await releaseFiles(svc, r.id)).map(async (f) => {
            if (f.name !== 'aggregates.json') return [f.name, f.bytes, f.sha256];
            const { auditHead, ...rest } = JSON.parse((await releaseFile(svc, r.id, f.name)).text()) as { auditHead: { seq: number } };
            return [f.name, auditHead.seq, rest];
          }),
        ),
      })),
    ),
    plan: { ...(await getPlan(svc))!, updatedAt: undefined },
  };
}

describe.each(testDatabases())('seedDemo is determined by its seed and instant on %s', (kind) => {
  const at = '2026-06-30T23:30:00Z';
  const opened: TestServices[] = [];
  afterAll(() => Promise.all(opened.map((x) => x.cleanup())));

  it('seeding twice at the same instant gives the same counts, release figures and public files', async () => {
    // Once by a clock stopped at the instant, once by the instant given as an option (the wall clock elsewhere).
    const stopped = await openTestServices(kind, { clock: fixedClock(at) });
    const given = await openTestServices(kind);
    opened.push(stopped, given);
    const first = await seedDemo(stopped, SYSTEM_ACTOR, { officers: SMALL_FORCE });
    const second = await seedDemo(given, SYSTEM_ACTOR, { officers: SMALL_FORCE, now: new Date(at) });
    expect(second.asOf).toBe(new Date(at).toISOString());
    const facts = await demoFacts(stopped, first);
    expect(facts.releases.length).toBeGreaterThan(0);
    expect(facts.counts.uof_report).toBe(6);
    expect(await demoFacts(given, second)).toEqual(facts);
  });
});
