import type { Executor } from '../db/database.js';
import * as org from '../db/repositories/organisation.js';
import * as upliftRepo from '../db/repositories/uplift.js';
import { scopeKey, type Scope } from '../domain/permissions.js';
import { maxInitialSessionsPerMonth, projectUplift, proposeSchedule, type PlannerInput, type Projection, type Proposal } from '../domain/training/planner.js';
import {
  ASSUMPTION_FIELDS,
  DEFAULT_ASSUMPTIONS,
  assumptionOverridesInput,
  plannerCapacity,
  plannerRates,
  servingOn,
  splitPlanInput,
  upliftAssumptionsInput,
  upliftPlanInput,
  upliftProgress,
  type UpliftAssumptions,
  type UpliftOfficer,
  type UpliftProgress,
  type UpliftTargets,
} from '../domain/training/uplift.js';
import { WorkflowError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import { change, type Actor, type Services } from './context.js';
import { getForce } from './organisation.js';
import { forceAuthority, today } from './training.js';
import { VersionedCache } from './cache.js';
import { monthFromNumber, monthNumber, monthOfDay } from '../domain/calendar.js';
import { authorisedUntil } from '../domain/training/authority.js';
import { DEVICE_MODELS } from '../domain/training/courses.js';
import { projectCoverage, typicalWeek, type BoroughProjection, type RosterOfficer, type Standing } from '../domain/crewing/projection.js';
import { addDays, londonMidnightUtc } from '../domain/calendar.js';
import { getCrewingPolicies } from './crewing-policy.js';

/*
 * The uplift plan (issue 5): its targets and the planner's assumptions (one row per force in
 * `uplift_plan`, the assumptions as JSON), progress against it, and the planner's projection
 * from today's position. Each function is one use case; saving the plan is audited.
 *
 * The planner's starting position, from the database. The planner starts at the beginning of a
 * month, so the position is taken on the first day of this month (`startsOn` below), not today:
 * on any later day some officers authorised since the 1st would be due in the same month next
 * year, a thirteenth month the planner does not have (it would count them in month 11, a
 * spurious peak of refreshers). This month's courses are then projected, not counted.
 *  - startMonth = this month; startingAuthorised = serving officers authorised on its first day.
 *  - startingRefreshersDue[k] = of them, those whose authority ends (authorisedUntil) in the k-th
 *    month from this one (k = 0..11: authority lasts 12 months).
 *  - candidates = serving officers who, that day, were not authorised and not suspended or
 *    withdrawn: the officers who could be put on an initial course, in any team. The pool is an
 *    upper bound (carrying is voluntary); the share from emergency response teams is a target
 *    followed on the progress page, not a limit the planner applies.
 *  - deadlineMonth = the month of the plan's deadline; target = the plan's target.
 */

export interface UpliftPlan extends UpliftTargets {
  assumptions: UpliftAssumptions;
  updatedBy: string;
  updatedAt: string;
}

/** Stored assumptions read back: every field the schema accepts; a missing or unreadable one takes the default. */
function readAssumptions(json: string): UpliftAssumptions {
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object') stored = parsed as Record<string, unknown>;
  } catch {
    // unreadable: the defaults stand
  }
  const out: Record<string, unknown> = { ...DEFAULT_ASSUMPTIONS };
  for (const key of ASSUMPTION_FIELDS) {
    const r = upliftAssumptionsInput.shape[key].safeParse(stored[key]);
    if (r.success) out[key] = r.data;
  }
  return out as UpliftAssumptions;
}

async function readPlan(db: Executor, forceId: string): Promise<UpliftPlan | null> {
  const r = await upliftRepo.findUpliftPlan(db, forceId);
  if (!r) return null;
  const { assumptionsJson, ...targets } = r;
  return { ...targets, assumptions: readAssumptions(assumptionsJson) };
}

/** The force's uplift plan, or null when none has been set. */
export async function getPlan(svc: Services): Promise<UpliftPlan | null> {
  const force = await getForce(svc);
  return readPlan(svc.database.db, force.id);
}

/** Sets the plan's targets and assumptions (the whole form), audited as `uplift.update` with before and after. */
export async function savePlan(svc: Services, actor: Actor, input: unknown): Promise<UpliftPlan> {
  const force = await getForce(svc);
  const { targets, assumptions } = splitPlanInput(parseInput(upliftPlanInput, input));
  return change(svc, actor, async (trx, audit) => {
    const before = await readPlan(trx, force.id);
    await upliftRepo.saveUpliftPlan(trx, force.id, { ...targets, assumptionsJson: JSON.stringify(assumptions), updatedBy: actor.label }, svc.now().toISOString());
    const strip = (p: UpliftPlan) => {
      const { updatedBy: _by, updatedAt: _at, ...rest } = p;
      return rest;
    };
    await audit({ action: 'uplift.update', entityType: 'uplift_plan', entityId: force.id, summary: { before: before ? strip(before) : null, after: { ...targets, assumptions } } });
    return (await readPlan(trx, force.id))!;
  });
}

// Officers and their authority -----------------------------------------------------------------

/**
 * Progress worked out, per database, while its inputs are unchanged: the force's authority data
 * (its change counter), the plan and the day. The month-end trend over every officer's history is
 * history: it is worked out once per change, not once per request (it was ~50 ms a request for
 * 10,000 officers). Per scope, bounded.
 */
const progressCache = new VersionedCache<UpliftProgress>(['authority']);

/** Progress for a person: the force's headline and trend; boroughs (and team types) in their scope. The result is shared: do not change it. */
export async function progress(svc: Services, scope: Scope, now: Date = svc.now()): Promise<{ plan: UpliftPlan | null; progress: UpliftProgress }> {
  const force = await getForce(svc);
  const db = svc.database.db;
  // The version is read before the data, so what is cached under it is never kept past a change.
  const [version, plan] = await Promise.all([progressCache.version(db), readPlan(db, force.id)]);
  const result = await progressCache.getAt(db, `${version}|${today(now)}|${JSON.stringify(plan)}`, scopeKey(scope), () => workOutProgress(svc, force.id, scope, plan, now));
  return { plan, progress: result };
}

async function workOutProgress(svc: Services, forceId: string, scope: Scope, plan: UpliftPlan | null, now: Date): Promise<UpliftProgress> {
  const db = svc.database.db;
  const [authority, boroughs] = await Promise.all([forceAuthority(db, forceId), org.listBoroughs(db, forceId)]);
  const officers: UpliftOfficer[] = authority.officers.map((o) => ({ ...o, history: authority.history(o.id) }));
  const visible = scope.all ? boroughs : boroughs.filter((b) => scope.boroughIds.includes(b.id));
  return upliftProgress({
    today: today(now),
    officers,
    boroughs: visible.map((b) => ({ id: b.id, name: b.name })),
    includeForceWide: scope.all,
    teamTypeBoroughIds: scope.all ? null : visible.map((b) => b.id),
    targets: plan,
  });
}

// The planner ----------------------------------------------------------------------------------

export interface UpliftPlanning {
  plan: UpliftPlan;
  on: string;
  /** The day the starting position is taken: the first of this month. */
  startsOn: string;
  /** The assumptions projected: the plan's, with any tried on the page instead. */
  assumptions: UpliftAssumptions;
  /** The fields tried in place of the plan's. */
  changed: (keyof UpliftAssumptions)[];
  /** What the planner was given (without the planned sessions). */
  input: Omit<PlannerInput, 'initialSessionsPerMonth'>;
  /** At the planned number of initial courses a month. */
  projection: Projection;
  /** The fewest initial courses a month that meet the target, or the shortfall and what it would take. */
  proposal: Proposal;
  /** The most initial courses a month the trainers could run with no refresher due. */
  maxSessionsPerMonth: number;
}

/**
 * The planner for the current plan from today's position (see the header), at the plan's
 * assumptions or at some tried in their place (`overrides`, validated: a ValidationError names
 * each bad field). Null when no plan is set. A WorkflowError when the deadline has passed.
 */
export async function planUplift(svc: Services, now: Date = svc.now(), overrides?: unknown): Promise<UpliftPlanning | null> {
  return (await planWithStandings(svc, now, overrides))?.planning ?? null;
}

/** The planner (see `planUplift`) with each serving officer's standing on the day the position is taken. */
interface Standings {
  authorised: number;
  /** Refreshers falling due in each month from `startsOn`'s (the last non-zero month last). */
  due: number[];
  candidates: number;
  standings: Map<string, Standing>;
}

/**
 * Each serving officer's standing on the first of the month (authorised, or a candidate for
 * training), over the whole force: kept between requests while authority is unchanged (the
 * `authority` counter), as the planner's page and the coverage projection read it every time.
 */
const standingsCache = new VersionedCache<Standings>(['authority']);

async function standingsOn(db: Executor, forceId: string, startsOn: string): Promise<Standings> {
  const authority = await forceAuthority(db, forceId);
  const first = monthNumber(monthOfDay(startsOn));
  const due = new Array<number>(12).fill(0);
  let authorised = 0;
  let candidates = 0;
  const standings = new Map<string, Standing>();
  for (const o of authority.officers) {
    if (!servingOn(o, startsOn)) continue;
    const restrictions = authority.restrictions(o.id);
    const until = authorisedUntil(startsOn, authority.records(o.id), restrictions, DEVICE_MODELS);
    if (until) {
      authorised++;
      due[Math.min(11, monthNumber(monthOfDay(until)) - first)]! += 1;
      standings.set(o.id, 'authorised');
    } else if (o.status === 'active' && !restrictions.some((r) => r.from <= startsOn && (r.to === null || startsOn < r.to))) {
      candidates++;
      standings.set(o.id, 'candidate');
    }
  }
  // Trailing zeros are the planner's default; months past the deadline are not projected anyway.
  while (due.length && due[due.length - 1] === 0) due.pop();
  return { authorised, due, candidates, standings };
}

async function planWithStandings(svc: Services, now: Date, overrides?: unknown): Promise<{ planning: UpliftPlanning; standings: Map<string, Standing> } | null> {
  const tried = overrides === undefined ? {} : parseInput(assumptionOverridesInput, overrides);
  const force = await getForce(svc);
  const db = svc.database.db;
  const plan = await readPlan(db, force.id);
  if (!plan) return null;
  const on = today(now);
  const startMonth = monthOfDay(on);
  const deadlineMonth = monthOfDay(plan.deadline);
  if (deadlineMonth < startMonth) throw new WorkflowError(`The plan's deadline (${plan.deadline}) has passed: set a new deadline to project the uplift.`);

  const startsOn = `${startMonth}-01`;
  const { authorised, due, candidates, standings } = await standingsCache.get(db, `${force.id}|${startsOn}`, () => standingsOn(db, force.id, startsOn));

  const assumptions: UpliftAssumptions = { ...plan.assumptions, ...tried };
  const changed = ASSUMPTION_FIELDS.filter((k) => tried[k] !== undefined && tried[k] !== plan.assumptions[k]);
  const input: Omit<PlannerInput, 'initialSessionsPerMonth'> = {
    startMonth,
    deadlineMonth,
    target: plan.targetAuthorised,
    startingAuthorised: authorised,
    startingRefreshersDue: due,
    candidates,
    capacity: plannerCapacity(assumptions),
    ...plannerRates(assumptions),
  };
  const planning: UpliftPlanning = {
    plan,
    on,
    startsOn,
    assumptions,
    changed,
    input,
    projection: projectUplift({ ...input, initialSessionsPerMonth: assumptions.plannedInitialSessionsPerMonth }),
    proposal: proposeSchedule(input),
    maxSessionsPerMonth: maxInitialSessionsPerMonth(input.capacity),
  };
  return { planning, standings };
}

/** The month `k` months after this one, 'YYYY-MM' (for labelling the starting dues). */
export const monthAfter = (on: string, k: number) => monthFromNumber(monthNumber(monthOfDay(on)) + k);

// Coverage projection ---------------------------------------------------------------------------

/** The days of stored shifts the typical week is taken from. */
export const ROSTER_WEEKS = 4;

export interface BoroughCoverageProjection {
  id: string;
  name: string;
  /** The borough's shifts in the window; 0: no typical week, no projection. */
  shifts: number;
  projection: BoroughProjection | null;
}

export type CoverageProjection =
  | { status: 'no-plan' }
  /** The plan's deadline has passed (the planner's message). */
  | { status: 'ended'; message: string }
  /** No shift is stored: there is no roster to project from. */
  | { status: 'no-shifts' }
  | {
      status: 'ready';
      /** The London dates of the roster the typical week is taken from, both included. */
      from: string;
      to: string;
      /** true: no shifts in the last 4 weeks, so the 4 weeks up to the latest stored shift. */
      latest: boolean;
      /** The day the starting position is taken (the first of this month) and the plan's months. */
      startsOn: string;
      months: { month: string; authorisedAtEnd: number }[];
      boroughs: BoroughCoverageProjection[];
    };

/**
 * The uplift planner's coverage projection (issue 14): for each borough in the person's scope,
 * the hours of a typical week below the minimum of Taser-equipped crews, at the start and at the
 * end of each month of the plan's projection (at the planned courses), and the month the gaps
 * end. See domain/crewing/projection.ts for the rules.
 *
 *  - The typical week is the borough's stored shifts over the last 4 weeks (the 28 London days
 *    before today); when none of the force's shifts fall in them, the 4 weeks up to the latest
 *    stored shift. No shift stored at all: `no-shifts`.
 *  - Officers' standing (authorised, candidate) is on the first of this month, as the planner's.
 *  - The crewing policy in force for each borough (minimum crews, carriers per crew, ranks that
 *    may deploy alone). Devices are assumed sufficient: every authorised officer on duty carries.
 *
 * Reads: the planner's (its authority data is cached by version), the roster's shifts with
 * ranks (one query over 4 weeks) and the crewing policies.
 */
export async function coverageProjection(svc: Services, scope: Scope, now: Date = svc.now()): Promise<CoverageProjection> {
  const force = await getForce(svc);
  const db = svc.database.db;
  // Worked out once per change of what it reads (authority, the roster and policy, the plan) and day.
  const [version, plan] = await Promise.all([projectionCache.version(db), readPlan(db, force.id)]);
  return projectionCache.getAt(db, `${version}|${today(now)}|${JSON.stringify(plan)}`, scopeKey(scope), () => workOutCoverageProjection(svc, force.id, scope, now));
}

const projectionCache = new VersionedCache<CoverageProjection>(['authority', 'rosters']);

async function workOutCoverageProjection(svc: Services, forceId: string, scope: Scope, now: Date): Promise<CoverageProjection> {
  const db = svc.database.db;
  let planned: Awaited<ReturnType<typeof planWithStandings>>;
  try {
    planned = await planWithStandings(svc, now);
  } catch (err) {
    if (err instanceof WorkflowError) return { status: 'ended', message: err.message };
    throw err;
  }
  if (!planned) return { status: 'no-plan' };
  const { planning, standings } = planned;

  let to = addDays(planning.on, -1);
  let latest = false;
  let shifts = await upliftRepo.rosterShifts(db, forceId, londonMidnightUtc(addDays(to, 1 - ROSTER_WEEKS * 7)), londonMidnightUtc(planning.on));
  if (shifts.length === 0) {
    const last = await upliftRepo.latestShiftDate(db, forceId);
    if (last === null) return { status: 'no-shifts' };
    to = last;
    latest = true;
    shifts = await upliftRepo.rosterShifts(db, forceId, londonMidnightUtc(addDays(to, 1 - ROSTER_WEEKS * 7)), londonMidnightUtc(addDays(to, 1)));
  }
  const from = addDays(to, 1 - ROSTER_WEEKS * 7);

  const [boroughs, policies] = await Promise.all([org.listBoroughs(db, forceId), getCrewingPolicies(svc)]);
  const visible = scope.all ? boroughs : boroughs.filter((b) => scope.boroughIds.includes(b.id));
  const officers = new Map<string, RosterOfficer>();
  for (const s of shifts) if (!officers.has(s.officerId)) officers.set(s.officerId, { rank: s.rank, standing: standings.get(s.officerId) ?? 'other' });
  const weeks = typicalWeek({ from, to, boroughIds: visible.map((b) => b.id), shifts, officers, policyFor: policies.forBorough });
  const months = planning.projection.months.map((m) => ({ month: m.month, authorisedAtEnd: m.authorisedAtEnd }));
  const rostered = weeks.filter((w) => w.shifts > 0);
  const projections = new Map(
    projectCoverage({
      weeks: rostered,
      policyFor: policies.forBorough,
      startingAuthorised: planning.input.startingAuthorised,
      candidates: [...standings.values()].filter((x) => x === 'candidate').length,
      months,
    }).map((p) => [p.boroughId, p]),
  );
  return {
    status: 'ready',
    from,
    to,
    latest,
    startsOn: planning.startsOn,
    months,
    boroughs: visible.map((b, i) => ({ id: b.id, name: b.name, shifts: weeks[i]!.shifts, projection: projections.get(b.id) ?? null })),
  };
}
