import type { Executor } from '../db/database.js';
import * as org from '../db/repositories/organisation.js';
import * as upliftRepo from '../db/repositories/uplift.js';
import type { Scope } from '../domain/permissions.js';
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
import { monthFromNumber, monthNumber, monthOfDay } from '../domain/calendar.js';
import { authorisedUntil } from '../domain/training/authority.js';
import { DEVICE_MODELS } from '../domain/training/courses.js';

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

/** Progress for a person: the force's headline and trend; boroughs (and team types) in their scope. */
export async function progress(svc: Services, scope: Scope, now: Date = svc.now()): Promise<{ plan: UpliftPlan | null; progress: UpliftProgress }> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const [plan, authority, boroughs] = await Promise.all([readPlan(db, force.id), forceAuthority(db, force.id), org.listBoroughs(db, force.id)]);
  const officers: UpliftOfficer[] = authority.officers.map((o) => ({ ...o, history: authority.history(o.id) }));
  const visible = scope.all ? boroughs : boroughs.filter((b) => scope.boroughIds.includes(b.id));
  const result = upliftProgress({
    today: today(now),
    officers,
    boroughs: visible.map((b) => ({ id: b.id, name: b.name })),
    includeForceWide: scope.all,
    teamTypeBoroughIds: scope.all ? null : visible.map((b) => b.id),
    targets: plan,
  });
  return { plan, progress: result };
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
  const tried = overrides === undefined ? {} : parseInput(assumptionOverridesInput, overrides);
  const force = await getForce(svc);
  const db = svc.database.db;
  const plan = await readPlan(db, force.id);
  if (!plan) return null;
  const on = today(now);
  const startMonth = monthOfDay(on);
  const deadlineMonth = monthOfDay(plan.deadline);
  if (deadlineMonth < startMonth) throw new WorkflowError(`The plan's deadline (${plan.deadline}) has passed: set a new deadline to project the uplift.`);

  const authority = await forceAuthority(db, force.id);
  const first = monthNumber(startMonth);
  const startsOn = `${startMonth}-01`;
  const due = new Array<number>(12).fill(0);
  let authorised = 0;
  let candidates = 0;
  for (const o of authority.officers) {
    if (!servingOn(o, startsOn)) continue;
    const restrictions = authority.restrictions(o.id);
    const until = authorisedUntil(startsOn, authority.records(o.id), restrictions, DEVICE_MODELS);
    if (until) {
      authorised++;
      due[Math.min(11, monthNumber(monthOfDay(until)) - first)]! += 1;
    } else if (o.status === 'active' && !restrictions.some((r) => r.from <= startsOn && (r.to === null || startsOn < r.to))) {
      candidates++;
    }
  }
  // Trailing zeros are the planner's default; months past the deadline are not projected anyway.
  while (due.length && due[due.length - 1] === 0) due.pop();

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
  return {
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
}

/** The month `k` months after this one, 'YYYY-MM' (for labelling the starting dues). */
export const monthAfter = (on: string, k: number) => monthFromNumber(monthNumber(monthOfDay(on)) + k);
