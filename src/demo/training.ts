/**
 * The demo force's training (issue 5): who is trained and authorised, courses held and to come,
 * and the uplift plan, so the training, lapsing and uplift pages have a realistic force to show.
 *
 * `generateDemoTraining` is pure (no I/O, no clock, no global randomness): the same random
 * source, force and day give the same training. Dates are counted back and forward from the
 * day the demo is seeded, so the demo always looks current. `seedDemoTraining` stores it.
 *
 * The figures are for a force of 10,000 officers (the demo's default) and scale with the size
 * of the force, so a small test force gets a small programme:
 *  - About 4,300 officers authorised when the uplift plan started (its baseline), most of them
 *    in neighbourhood, safer transport and force-wide units (TSG, roads policing, dogs, the Taser
 *    Training Unit) and some in emergency response; each trained some years ago (an X26 initial
 *    course before 2020, most of those since converted to the X2; an X2 initial course after),
 *    refreshed every year since, so authority runs out evenly over the next 12 months (some in
 *    the next 30, 60 and 90 days). A few failed a refresher and passed it again, a few lapsed,
 *    two are suspended, one has withdrawn from carrying, one was suspended and reinstated.
 *  - The uplift plan from the DESIGN (§1): +1,867 officers (93% from emergency response), 2,500
 *    devices, a borough minimum of 80, two years from a late-summer start: 1 September of this
 *    year, or of last year before October (so the plan is always at least a month old).
 *  - Since the plan started, initial courses a little behind the plan's pace, 93% of those
 *    trained from emergency response; some failed. The last few weeks' courses are completed
 *    sessions with their results (initial and refresher); the rest are imported records.
 *  - Sessions in the coming five weeks, initial and refresher, run by trainers who are
 *    themselves authorised, with enrolments: one initial course is full with a waiting list.
 *    The demo constable (account `officer`, who records the demo's uses of Taser) passed the
 *    first initial course of the uplift (at least a week before the demo's day: a small force's
 *    first course may be later, and then the constable passed one a month before); the demo sergeant (`supervisor`) is authorised, due a
 *    refresher within weeks and booked on one.
 */
import type { Rank, TeamType } from '../domain/organisation.js';
import type { RestrictionKind } from '../domain/training/courses.js';
import { DEVICE_MODELS, NATIONAL_COURSE_TYPES } from '../domain/training/courses.js';
import type { TrainingRecord, TrainingResult } from '../domain/training/authority.js';
import { authorisedIn, authorityHistory } from '../domain/training/authority.js';
import { DEFAULT_ASSUMPTIONS, type UpliftAssumptions } from '../domain/training/uplift.js';
import { addDays } from '../domain/calendar.js';
import type { Actor, Services } from '../services/context.js';
import { loadTraining } from '../services/training-load.js';
import { today as todayOf } from '../services/training.js';
import { savePlan } from '../services/uplift.js';
import type { DemoForcePlan } from './plan.js';
import { dateOf, dayNumber, pick, randomInt, shuffle, type Random } from './random.js';

type CourseCode = (typeof NATIONAL_COURSE_TYPES)[number]['code'];

/** The force size the figures below are for: the demo's default. */
export const DEMO_TRAINING_SCALE = 10_000;
/** Officers authorised when the plan started, in a force of DEMO_TRAINING_SCALE. */
export const DEMO_BASELINE_AUTHORISED = 4_300;
/** The uplift of DESIGN §1. */
export const DEMO_UPLIFT = { officers: 1_867, fromEmergencyResponse: 1_729, devices: 2_500, boroughMinimum: 80 } as const;
/** Share of the plan's monthly pace actually trained since it started. */
const PACE = 0.85;
/** Initial courses before this day were for the X26; from it, for the X2. */
const X2_FROM = '2020-01-01';

/** The next day on or after `d` that is a weekday (Monday 1 … Friday 5) in `days`. */
function nextWeekday(d: string, days: readonly number[]): string {
  let n = dayNumber(d);
  while (!days.includes(new Date(dateOf(n)).getUTCDay())) n++;
  return dateOf(n);
}

/** A course day: Saturday moves back to Friday, Sunday on to Monday. */
function workday(d: string): string {
  const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
  return wd === 6 ? addDays(d, -1) : wd === 0 ? addDays(d, 1) : d;
}

/** Whether a course of `days` days from `startsOn` would run over Christmas or New Year's Day. */
function isHoliday(startsOn: string, days: number): boolean {
  return Array.from({ length: days }, (_, i) => addDays(startsOn, i).slice(5)).some((md) => md === '12-25' || md === '12-26' || md === '01-01');
}

/** The uplift plan's first day for a demo seeded on `today`: 1 September this year, or last year before October. */
export function demoPlanStart(today: string): string {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  return `${month >= 10 ? year : year - 1}-09-01`;
}

// The plan as data ---------------------------------------------------------------------

export interface DemoRecord {
  collar: string;
  code: CourseCode;
  completedOn: string;
  result: TrainingResult;
  reason: string | null;
}

export interface DemoRestriction {
  collar: string;
  kind: RestrictionKind;
  from: string;
  to: string | null;
  reason: string;
  endReason: string | null;
}

export interface DemoSession {
  code: CourseCode;
  startsOn: string;
  endsOn: string;
  location: string;
  boroughCode: string | null;
  capacity: number;
  trainers: string[];
  /** Scheduled: officers with places, then the waiting list, in the order they asked. */
  enrolled: string[];
  waiting: string[];
  /** Completed: each officer's result (their records are among `records`). */
  results: { collar: string; result: TrainingResult; reason: string | null }[] | null;
}

export interface DemoTraining {
  today: string;
  records: DemoRecord[];
  restrictions: DemoRestriction[];
  sessions: DemoSession[];
  plan: { startsOn: string; deadline: string; uplift: number; devices: number; boroughMinimum: number; emergencyResponsePercent: number; assumptions: UpliftAssumptions };
}

/** How likely an officer is to be trained already, by team type: borough response least, force-wide units most. */
const PROPENSITY: Record<TeamType | 'none', number> = {
  training: 1000,
  territorial_support: 300,
  roads_policing: 30,
  other: 20,
  neighbourhood: 4,
  safer_transport: 4,
  emergency_response: 1,
  custody: 0.4,
  cid: 0.15,
  none: 0.05,
};
const RANK_FACTOR: Partial<Record<Rank, number>> = { 'Police Constable': 1, Sergeant: 1.3, Inspector: 0.5 };

const FAIL_REASONS = [
  'Did not meet the standard in the scenario assessment',
  'Unsafe weapon handling in the practical test',
  'Did not pass the written test on the law and the National Decision Model',
];
const DNF_REASONS = ['Injured during the course', 'Recalled to duty on the second day'];
const TRAINING_CENTRE = 'Taser Training Unit, Hendon';
const SUSPENSION_REASONS = ['Under investigation following a complaint', 'Pending review of a use of force'];

/**
 * The demo force's training for a force `force` seeded on `today` (see the header). Officers
 * are named by collar number.
 */
export function generateDemoTraining(random: Random, force: DemoForcePlan, today: string): DemoTraining {
  const scale = force.officers.length / DEMO_TRAINING_SCALE;
  const scaled = (n: number, min = 0) => Math.max(min, Math.round(n * scale));
  const planStart = demoPlanStart(today);
  const deadline = `${Number(planStart.slice(0, 4)) + 2}-08-31`;
  const teamType = new Map(force.teams.map((t) => [t.name, t.teamType]));
  const typeOf = (o: DemoForcePlan['officers'][number]): TeamType | 'none' => (o.teamName ? teamType.get(o.teamName)! : 'none');
  const active = force.officers.filter((o) => o.status === 'active');
  const accountCollars = new Set([force.accountOfficers.officer, force.accountOfficers.supervisor]);
  const records: DemoRecord[] = [];
  const restrictions: DemoRestriction[] = [];
  const sessions: DemoSession[] = [];
  const rec = (collar: string, code: CourseCode, completedOn: string, result: TrainingResult = 'pass', reason: string | null = null) => records.push({ collar, code, completedOn, result, reason });

  // 1. Who was authorised when the plan started: weighted sampling without replacement
  // (each officer's key is u^(1/weight); the largest keys win). Only officers who could have
  // done a course over a year before the plan started.
  const earliestInitial = addDays(planStart, -3650);
  // The first day each officer could do a course: a year after joining (probation).
  const canTrainFrom = new Map(active.map((o) => [o.collarNumber, addDays(o.joinedOn, 365)]));
  const trainableBy = (o: (typeof active)[number], day: string) => canTrainFrom.get(o.collarNumber)! <= day;
  const yearBeforeStart = addDays(planStart, -400);
  const eligible = active.filter((o) => trainableBy(o, yearBeforeStart) && o.collarNumber !== force.accountOfficers.officer);
  const weight = (o: (typeof active)[number]) => PROPENSITY[typeOf(o)] * (RANK_FACTOR[o.rank] ?? 0.1);
  const keyed = eligible.map((o) => ({ o, key: Math.pow(random(), 1 / weight(o)) }));
  keyed.sort((a, b) => b.key - a.key);
  const baselineCount = Math.min(keyed.length, scaled(DEMO_BASELINE_AUTHORISED, 1));
  const baseline = keyed.slice(0, baselineCount).map((k) => k.o);
  const supervisor = active.find((o) => o.collarNumber === force.accountOfficers.supervisor);
  if (supervisor && !baseline.includes(supervisor) && eligible.includes(supervisor)) baseline[baseline.length - 1] = supervisor;
  const inBaseline = new Set(baseline.map((o) => o.collarNumber));

  // Some of them lose authority after the plan started: a few lapse, a few fail their
  // refresher, some are suspended or withdraw. Others failed a refresher once and passed it again.
  const shuffled = shuffle(
    random,
    baseline.filter((o) => !accountCollars.has(o.collarNumber) && typeOf(o) !== 'training'),
  );
  const lapsingSinceStart = new Set(shuffled.splice(0, scaled(21, 1)).map((o) => o.collarNumber));
  const failedRefresher = new Set(shuffled.splice(0, scaled(12)).map((o) => o.collarNumber));
  const retook = new Set(shuffled.splice(0, scaled(40, 1)).map((o) => o.collarNumber));
  const suspended = shuffled.splice(0, scaled(2, 1));
  const withdrawn = shuffled.splice(0, 1);
  const reinstated = shuffled.splice(0, 1);
  const restricted = new Set([...suspended, ...withdrawn].map((o) => o.collarNumber));

  // Trainers: the Taser Training Unit's officers, kept current; others if the unit is small.
  const trainerPool = baseline.filter((o) => typeOf(o) === 'training').map((o) => o.collarNumber);
  for (const o of baseline) {
    if (trainerPool.length >= 4) break;
    const c = o.collarNumber;
    if (!trainerPool.includes(c) && !lapsingSinceStart.has(c) && !accountCollars.has(c) && !failedRefresher.has(c) && !restricted.has(c)) trainerPool.push(c);
  }
  const trainerCollars = new Set(trainerPool);

  /** Each officer's last pass (authority runs 364 days past it). */
  const lastPass = new Map<string, string>();

  for (const o of baseline) {
    const c = o.collarNumber;
    const lo = [earliestInitial, canTrainFrom.get(c)!].sort()[1]!;
    // The initial course: mostly over a year before the plan, one in twenty in the year before it.
    const initialBy = random() < 0.05 ? dateOf(randomInt(random, dayNumber(planStart) - 365, dayNumber(planStart) - 1)) : dateOf(randomInt(random, dayNumber(lo), dayNumber(planStart) - 366));
    // The last pass: within the last year (authorised today, so authority runs out evenly over
    // the next 12 months), or a year before a lapse since the plan started.
    let last: string;
    if (lapsingSinceStart.has(c)) last = addDays(dateOf(randomInt(random, dayNumber(planStart) + 2, Math.min(dayNumber(today) - 7, dayNumber(planStart) + 364))), -365);
    else if (trainerCollars.has(c)) last = addDays(today, -randomInt(random, 10, 150));
    else if (c === force.accountOfficers.supervisor) last = addDays(today, -randomInt(random, 330, 345));
    else if (failedRefresher.has(c)) last = addDays(today, -randomInt(random, 320, 355));
    else last = addDays(today, -randomInt(random, 1, 364));
    // Back from the last pass, a refresher every 300 to 362 days, to the initial course.
    const passes = [workday(last)];
    while (passes[0]! > initialBy) {
      const prev = workday(addDays(passes[0]!, -randomInt(random, 300, 362)));
      if (prev < lo) break;
      passes.unshift(prev);
    }
    lastPass.set(c, passes[passes.length - 1]!);
    const [initial, ...refreshers] = passes as [string, ...string[]];
    const x26 = initial < X2_FROM;
    rec(c, x26 ? 'initial-x26' : 'initial-x2', initial);
    if (x26 && random() < 0.8) {
      // Conversion to the X2: a day of its own between the initial course and a month ago.
      const from = Math.max(dayNumber(initial) + 180, dayNumber(X2_FROM) - 300);
      const to = dayNumber(today) - 30;
      if (from < to) {
        let on = workday(dateOf(randomInt(random, from, to)));
        while (passes.includes(on)) on = nextWeekday(addDays(on, 1), [1, 2, 3, 4, 5]);
        rec(c, 'conversion-x26-x2', on);
      }
    }
    refreshers.forEach((d, i) => {
      // Failed a refresher and passed it again two or three weeks later.
      if (i === refreshers.length - 1 && retook.has(c) && addDays(d, -21) > passes[i]!) {
        const kind = random() < 0.2 ? 'did_not_finish' : 'fail';
        rec(c, 'refresher', workday(addDays(d, -randomInt(random, 14, 20))), kind, kind === 'fail' ? pick(random, FAIL_REASONS) : pick(random, DNF_REASONS));
      }
      rec(c, 'refresher', d);
    });
    // Failed the latest refresher and not passed it again: no longer authorised.
    if (failedRefresher.has(c)) rec(c, 'refresher', workday(dateOf(randomInt(random, dayNumber(last) + 300, dayNumber(today) - 3))), 'fail', pick(random, FAIL_REASONS));
  }

  for (const o of suspended)
    restrictions.push({ collar: o.collarNumber, kind: 'suspension', from: addDays(today, -randomInt(random, 5, 60)), to: null, reason: pick(random, SUSPENSION_REASONS), endReason: null });
  for (const o of withdrawn)
    restrictions.push({
      collar: o.collarNumber,
      kind: 'withdrawal',
      from: addDays(today, -randomInt(random, 20, 90)),
      to: null,
      reason: 'Chose to stop carrying Taser for personal reasons',
      endReason: null,
    });
  for (const o of reinstated) {
    const from = addDays(today, -randomInt(random, 120, 200));
    restrictions.push({
      collar: o.collarNumber,
      kind: 'suspension',
      from,
      to: addDays(from, randomInt(random, 14, 45)),
      reason: 'Pending review of a use of force',
      endReason: 'Review concluded: no case to answer',
    });
  }

  // 2. Lapsed before the plan started (they could be trained again), never authorised.
  const untrained = active.filter((o) => !inBaseline.has(o.collarNumber) && !accountCollars.has(o.collarNumber));
  const lapsedShare = scaled(45) / Math.max(1, untrained.length);
  for (const o of untrained) {
    if (random() >= lapsedShare) continue;
    const last = workday(addDays(planStart, -randomInt(random, 370, 700)));
    const initial = workday(addDays(last, -randomInt(random, 300, 362)));
    if (!trainableBy(o, initial)) continue;
    rec(o.collarNumber, initial < X2_FROM ? 'initial-x26' : 'initial-x2', initial);
    rec(o.collarNumber, 'refresher', last);
  }
  const hasRecords = new Set(records.map((r) => r.collar));

  // 3. Since the plan started: initial courses (Monday to Wednesday, Wednesday to Friday) spread
  // evenly over the weeks, a little behind the plan's pace, 93% from emergency response.
  const monthsIn = (dayNumber(today) - dayNumber(planStart)) / (365.25 / 12);
  const toTrain = Math.round(PACE * (DEMO_UPLIFT.officers / 24) * monthsIn * scale);
  const INITIAL_PLACES = 12;
  const queue = {
    response: shuffle(
      random,
      untrained.filter((o) => typeOf(o) === 'emergency_response' && !hasRecords.has(o.collarNumber) && o.rank !== 'Inspector'),
    ),
    others: shuffle(
      random,
      untrained.filter((o) => (typeOf(o) === 'neighbourhood' || typeOf(o) === 'safer_transport') && !hasRecords.has(o.collarNumber)),
    ),
  };
  const draw = (list: typeof untrained, by: string) => {
    const i = list.findIndex((o) => trainableBy(o, by));
    return i < 0 ? undefined : list.splice(i, 1)[0];
  };
  const slots: string[] = [];
  for (let monday = nextWeekday(planStart, [1]); addDays(monday, 4) < today; monday = addDays(monday, 7)) slots.push(monday, addDays(monday, 2));
  const sessionsNeeded = Math.min(slots.length, Math.max(1, Math.round(toTrain / (INITIAL_PLACES * 0.88))));
  const chosen = toTrain > 0 ? Array.from({ length: sessionsNeeded }, (_, k) => slots[Math.floor(((k + 1) * slots.length) / sessionsNeeded) - 1]!) : [];
  const newlyTrained = new Set<string>();
  const completedFrom = addDays(today, -14);
  for (const startsOn of chosen) {
    const endsOn = addDays(startsOn, 2);
    const seats: { collar: string; result: TrainingResult; reason: string | null }[] = [];
    while (seats.length < INITIAL_PLACES) {
      const o = random() < 0.93 ? (draw(queue.response, endsOn) ?? draw(queue.others, endsOn)) : (draw(queue.others, endsOn) ?? draw(queue.response, endsOn));
      if (!o) break;
      const r = random();
      const result: TrainingResult = r < 0.88 ? 'pass' : r < 0.97 ? 'fail' : 'did_not_finish';
      seats.push({ collar: o.collarNumber, result, reason: result === 'pass' ? null : result === 'fail' ? pick(random, FAIL_REASONS) : pick(random, DNF_REASONS) });
    }
    // The demo constable, who records the demo's uses of Taser, passed the first course of the uplift
    // (if it ended more than a week ago: the demo reports' incidents go back six days, and the
    // constable carried a Taser at them; else a course a month ago, below).
    if (startsOn === chosen[0] && seats.length && endsOn <= addDays(today, -8)) seats[0] = { collar: force.accountOfficers.officer, result: 'pass', reason: null };
    for (const seat of seats) {
      rec(seat.collar, 'initial-x2', endsOn, seat.result, seat.reason);
      if (seat.result === 'pass') {
        newlyTrained.add(seat.collar);
        lastPass.set(seat.collar, endsOn);
      }
    }
    // The last two weeks' courses are sessions with their results; earlier ones came in as records.
    if (seats.length && startsOn >= completedFrom)
      sessions.push({ code: 'initial-x2', startsOn, endsOn, location: TRAINING_CENTRE, boroughCode: null, capacity: INITIAL_PLACES, trainers: [], enrolled: [], waiting: [], results: seats });
  }

  if (!newlyTrained.has(force.accountOfficers.officer)) {
    const on = workday([addDays(planStart, 10), addDays(today, -30)].sort()[0]!);
    rec(force.accountOfficers.officer, 'initial-x2', on);
    lastPass.set(force.accountOfficers.officer, on);
  }

  // Refreshers held in the last week: the officers whose last pass was that day, 16 a session.
  const refreshedOn = new Map<string, string[]>();
  for (const o of baseline) {
    const c = o.collarNumber;
    const last = lastPass.get(c)!;
    if (last >= addDays(today, -7) && last < today && !retook.has(c) && !trainerCollars.has(c) && !failedRefresher.has(c)) refreshedOn.set(last, [...(refreshedOn.get(last) ?? []), c]);
  }
  for (const [day, collars] of [...refreshedOn.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (collars.length < 3) continue;
    sessions.push({
      code: 'refresher',
      startsOn: day,
      endsOn: day,
      location: TRAINING_CENTRE,
      boroughCode: null,
      capacity: 16,
      trainers: [],
      enrolled: [],
      waiting: [],
      results: collars.slice(0, 16).map((collar) => ({ collar, result: 'pass', reason: null })),
    });
  }

  // 4. Sessions in the coming five weeks, with enrolments: initial courses Monday and
  // Wednesday at the training centre; refreshers Tuesday there, Thursday and Friday in a borough.
  const expiry = new Map([...lastPass].map(([c, d]) => [c, addDays(d, 364)]));
  const expiresOn = (collar: string) => expiry.get(collar)!;
  const booked = new Set<string>();
  const candidates = shuffle(
    random,
    queue.response.filter((o) => !newlyTrained.has(o.collarNumber)).map((o) => o.collarNumber),
  );
  const refreshable = baseline.filter((o) => !lapsingSinceStart.has(o.collarNumber) && !failedRefresher.has(o.collarNumber) && !restricted.has(o.collarNumber) && !trainerCollars.has(o.collarNumber));
  let waitingListGiven = false;
  for (let w = 0; w < 5; w++) {
    const monday = addDays(nextWeekday(addDays(today, 1), [1]), 7 * w);
    for (const [i, startsOn] of [monday, addDays(monday, 2)].entries()) {
      if (isHoliday(startsOn, 3)) continue;
      // The first is full with a waiting list; later ones fill less.
      const fill = w === 0 && i === 0 ? INITIAL_PLACES : Math.max(1, Math.round(INITIAL_PLACES * (0.85 - 0.15 * w)) - i);
      const enrolled = candidates.splice(0, Math.min(fill, candidates.length));
      const waiting = !waitingListGiven && enrolled.length >= INITIAL_PLACES ? candidates.splice(0, 3) : [];
      if (waiting.length) waitingListGiven = true;
      for (const c of [...enrolled, ...waiting]) booked.add(c);
      sessions.push({
        code: 'initial-x2',
        startsOn,
        endsOn: addDays(startsOn, 2),
        location: TRAINING_CENTRE,
        boroughCode: null,
        capacity: INITIAL_PLACES,
        trainers: [],
        enrolled: enrolled.slice(0, INITIAL_PLACES),
        waiting: [...enrolled.slice(INITIAL_PLACES), ...waiting],
        results: null,
      });
    }
    for (const [i, startsOn] of [addDays(monday, 1), addDays(monday, 3), addDays(monday, 4)].entries()) {
      if (isHoliday(startsOn, 1)) continue;
      const borough = i === 0 ? null : pick(random, force.boroughs);
      const dueBefore = addDays(startsOn, 45);
      const due = refreshable
        .filter((o) => !booked.has(o.collarNumber) && expiresOn(o.collarNumber) >= startsOn && expiresOn(o.collarNumber) < dueBefore && (borough === null || o.boroughCode === borough.code))
        .map((o) => o.collarNumber);
      if (
        borough === null &&
        supervisor &&
        inBaseline.has(supervisor.collarNumber) &&
        !booked.has(supervisor.collarNumber) &&
        expiresOn(supervisor.collarNumber) >= startsOn &&
        !due.includes(supervisor.collarNumber)
      )
        due.unshift(supervisor.collarNumber);
      const enrolled = due.slice(0, Math.round(16 * (0.75 - 0.1 * w)));
      for (const c of enrolled) booked.add(c);
      sessions.push({
        code: 'refresher',
        startsOn,
        endsOn: startsOn,
        location: borough ? `${borough.name} training room` : TRAINING_CENTRE,
        boroughCode: borough?.code ?? null,
        capacity: 16,
        trainers: [],
        enrolled,
        waiting: [],
        results: null,
      });
    }
  }
  // Two trainers a session, from the unit; each current on the session's first day.
  sessions.forEach((s, i) => {
    const taking = new Set([...s.enrolled, ...s.waiting, ...(s.results ?? []).map((r) => r.collar)]);
    const able = trainerPool.filter((c) => expiresOn(c) >= s.startsOn && !taking.has(c));
    s.trainers = able.length ? [...new Set([able[(2 * i) % able.length]!, able[(2 * i + 1) % able.length]!])] : [];
  });

  return {
    today,
    records,
    restrictions,
    sessions: sessions.filter((s) => s.trainers.length > 0),
    plan: {
      startsOn: planStart,
      deadline,
      uplift: scaled(DEMO_UPLIFT.officers, 1),
      devices: scaled(DEMO_UPLIFT.devices, 1),
      boroughMinimum: scaled(DEMO_UPLIFT.boroughMinimum, 1),
      emergencyResponsePercent: Math.round((100 * DEMO_UPLIFT.fromEmergencyResponse) / DEMO_UPLIFT.officers),
      assumptions: { ...DEFAULT_ASSUMPTIONS, trainers: scaled(DEFAULT_ASSUMPTIONS.trainers, 1), plannedInitialSessionsPerMonth: scaled(DEFAULT_ASSUMPTIONS.plannedInitialSessionsPerMonth, 1) },
    },
  };
}

/** How many officers the records authorise on a day (the baseline of the plan). */
export function demoAuthorisedOn(training: Pick<DemoTraining, 'records' | 'restrictions'>, day: string): number {
  const qualifies = new Map(NATIONAL_COURSE_TYPES.map((c) => [c.code, { kind: c.kind, qualifiesFor: c.qualifiesFor as string[] }]));
  const byOfficer = new Map<string, TrainingRecord[]>();
  for (const r of training.records) {
    const list = byOfficer.get(r.collar) ?? [];
    if (!list.length) byOfficer.set(r.collar, list);
    list.push({ ...qualifies.get(r.code)!, completedOn: r.completedOn, result: r.result });
  }
  let n = 0;
  for (const [collar, list] of byOfficer) {
    const history = authorityHistory(
      list,
      training.restrictions.filter((x) => x.collar === collar),
      DEVICE_MODELS,
    );
    if (authorisedIn(history, day)) n++;
  }
  return n;
}

// Storing it ---------------------------------------------------------------------------

export interface DemoTrainingSummary {
  courseTypes: number;
  records: number;
  sessions: number;
  enrolments: number;
  restrictions: number;
  baselineAuthorised: number;
  planStartsOn: string;
}

/**
 * Stores the demo force's training (records, suspensions and withdrawals, sessions with their
 * trainers, enrolments and results) in one transaction with one `demo.training` audit entry,
 * after the national course types, then the uplift plan (audited as `uplift.update`). The
 * force's officers must be stored. Dated from `now` (the day it is in London).
 */
export async function seedDemoTraining(svc: Services, actor: Actor, force: DemoForcePlan, random: Random, now: Date): Promise<DemoTrainingSummary> {
  const training = generateDemoTraining(random, force, todayOf(now));
  const summary = await loadTraining(svc, actor, training, { audit: { action: 'demo.training' }, addNationalCourses: true });

  const p = training.plan;
  const baselineAuthorised = demoAuthorisedOn(training, p.startsOn);
  await savePlan(svc, actor, {
    startsOn: p.startsOn,
    deadline: p.deadline,
    baselineAuthorised,
    targetAuthorised: baselineAuthorised + p.uplift,
    targetDevices: p.devices,
    boroughMinimum: p.boroughMinimum,
    emergencyResponsePercent: p.emergencyResponsePercent,
    ...p.assumptions,
  });
  return { ...summary, baselineAuthorised, planStartsOn: p.startsOn };
}
