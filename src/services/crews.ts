import * as repo from '../db/repositories/crews.js';
import type { Period, PeriodSummary, StoreDevice } from '../db/repositories/crews.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import { londonDate, londonInstant, londonOffsetMinutes } from '../domain/calendar.js';
import { DEFAULT_CREWING_POLICY, mayDeployAlone, type CrewingPolicy } from '../domain/crewing/policy.js';
import { lapsesBefore, proposeCrews, type CrewRole } from '../domain/crewing/proposal.js';
import { clockTime, MAX_CALL_SIGN } from '../domain/crewing/shifts.js';
import { NotFoundError, ValidationError, WorkflowError, type FieldError } from '../domain/errors.js';
import { officerDisplayName, type Borough, type Officer, type Team } from '../domain/organisation.js';
import { scopeIncludes, scopeKey, type Scope } from '../domain/permissions.js';
import { authoritiesOn } from '../domain/training/authority.js';
import { DEVICE_MODELS } from '../domain/training/courses.js';
import { change, type Actor, type Services } from './context.js';
import { VersionedCache } from './cache.js';
import { getCrewingPolicies } from './crewing-policy.js';
import { getForce } from './organisation.js';
import { authorityInputs } from './training.js';

/*
 * The shift briefing page (issue 14): for a sergeant's borough (and team) and one shift start,
 * who is on duty, their authority by model at the shift, the devices the store has free, and the
 * crews — the saved ones, or else the proposal (domain/crewing/proposal.ts). Saving replaces the
 * period's crews in one transaction with an audit entry, as a compare-and-set on the revision
 * the sergeant saw: two sergeants saving the same period, the second is told and nothing of
 * theirs is stored.
 */

export type { Period, PeriodSummary };

export interface ModelAuthority {
  model: string;
  authorised: boolean;
  /** The last day the authority runs to, when authorised. */
  expiresOn: string | null;
}

export interface OnDutyOfficer {
  officer: Officer;
  /** Their shift's end, ISO 8601 UTC. */
  endsAt: string;
  callSign: string | null;
  /** Authority for each model they hold a pass for, on the London day the shift starts. */
  authorities: ModelAuthority[];
  authorisedModels: string[];
  authorisedUntil: string | null;
  /** Authorised at the start, but the authority ends before their shift does. */
  lapses: boolean;
  mayDeployAlone: boolean;
  /** The device they hold now (signed out), if any. */
  holds: { deviceId: string; serial: string; model: string } | null;
  /** The call sign of the crew they are in on another briefing of this start (another team's, or the whole borough's), if any. */
  crewedElsewhere: string | null;
}

export interface BriefingMember {
  officerId: string;
  role: CrewRole;
  deviceId: string | null;
}

export interface BriefingCrew {
  callSign: string;
  members: BriefingMember[];
  /** Has the carriers the policy asks for. */
  taser: boolean;
  /** A carrier's authority ends before their shift ends. */
  lapses: boolean;
}

export interface Briefing {
  period: Period & { londonDate: string; endsAt: string; key: { date: string; time: string } };
  borough: Borough;
  team: Team | null;
  policy: CrewingPolicy;
  officers: OnDutyOfficer[];
  /** In store at the borough's (or the force-wide unit's) armoury, by model then serial. */
  freeDevices: StoreDevice[];
  crews: BriefingCrew[];
  /** The crews are the saved ones (else the proposal). */
  saved: boolean;
  /** The revision to send back when saving: null while nothing is saved. */
  revision: number | null;
  savedBy: string | null;
  savedAt: string | null;
  taserCrews: number;
}

/** `HH:MM` in London at an instant. */
export function londonClock(instant: string): string {
  const at = new Date(instant);
  const minutes = (((at.getUTCHours() * 60 + at.getUTCMinutes() + londonOffsetMinutes(at)) % 1440) + 1440) % 1440;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The instant a period starts from its London date and start time; field-named errors. */
export function periodStart(date: string, time: string): string {
  const errors: FieldError[] = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) errors.push({ field: 'date', message: 'Enter the date the shift starts as YYYY-MM-DD' });
  const t = clockTime(time);
  if (!t) errors.push({ field: 'time', message: 'Enter the time the shift starts as HH:MM (London time)' });
  if (errors.length) throw new ValidationError(errors);
  return londonInstant(date, t!).toISOString();
}

async function boroughInScope(svc: Services, scope: Scope, forceId: string, boroughId: string): Promise<Borough> {
  const borough = await org.findBorough(svc.database.db, boroughId);
  if (!borough || borough.forceId !== forceId || !scopeIncludes(scope, borough.id)) throw new NotFoundError('Borough', boroughId);
  return borough;
}

async function teamOf(svc: Services, forceId: string, teamId: string | null): Promise<Team | null> {
  if (teamId === null) return null;
  const team = await org.findTeam(svc.database.db, teamId);
  if (!team || team.forceId !== forceId) throw new NotFoundError('Team', teamId);
  return team;
}

/** The store a period's devices come from: a force-wide unit's own, else the borough's. */
const storeOf = (borough: Borough, team: Team | null) => (team && team.boroughId === null ? { boroughId: null, teamId: team.id } : { boroughId: borough.id, teamId: null });

/**
 * The shift periods of the boroughs in scope starting from 24 hours before `now` to 48 hours
 * after, and the one the page opens on: the one whose briefing (policy) is on now, else the next
 * to start, else the latest.
 */
export async function briefingPeriods(svc: Services, scope: Scope, boroughId?: string): Promise<{ periods: PeriodSummary[]; current: PeriodSummary | null; boroughs: Borough[] }> {
  const now = svc.now().getTime();
  // Shifts start on whole minutes, so the window from the next whole minute holds the same
  // periods as one from this instant: what is kept per scope and borough (and per change of the
  // rosters and the boroughs) serves a minute's requests, and is replaced in the next minute.
  // Reading three days of the force's shifts was most of the page.
  const edge = Math.ceil(now / 60_000) * 60_000;
  const db = svc.database.db;
  const { periods, boroughs } = await periodsCache.get(
    db,
    `${scopeKey(scope)}|${boroughId ?? ''}`,
    async () => ({ edge, ...(await shiftPeriods(svc, scope, new Date(edge - 24 * 3_600_000).toISOString(), new Date(edge + 48 * 3_600_000).toISOString(), boroughId)) }),
    (kept) => kept.edge === edge,
  );
  const policies = await getCrewingPolicies(svc);
  const briefingNow = periods.find((p) => {
    const pol = policies.forBorough(p.boroughId);
    const start = Date.parse(p.startsAt);
    return start - pol.briefingBeforeMinutes * 60_000 <= now && now <= start + pol.briefingAfterMinutes * 60_000;
  });
  const current = briefingNow ?? periods.find((p) => Date.parse(p.startsAt) > now) ?? periods.at(-1) ?? null;
  return { periods, current, boroughs };
}

const periodsCache = new VersionedCache<{ edge: number; periods: PeriodSummary[]; boroughs: Borough[] }>(['authority', 'rosters'], 50);

/** The shift periods (borough, team, start) of the boroughs in scope starting in [from, to), by start. */
export async function shiftPeriods(svc: Services, scope: Scope, from: string, to: string, boroughId?: string): Promise<{ periods: PeriodSummary[]; boroughs: Borough[] }> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const boroughs = (await org.listBoroughs(db, force.id)).filter((b) => scopeIncludes(scope, b.id) && (!boroughId || b.id === boroughId));
  const periods = await repo.periodsBetween(
    db,
    force.id,
    boroughs.map((b) => b.id),
    from,
    to,
  );
  return { periods, boroughs };
}

interface PeriodData {
  forceId: string;
  borough: Borough;
  team: Team | null;
  period: Period & { londonDate: string; endsAt: string };
  policy: CrewingPolicy;
  officers: OnDutyOfficer[];
  freeDevices: StoreDevice[];
  stored: repo.StoredCrew[];
  /** Members of the crews saved on the other briefings of this start. */
  elsewhere: repo.CrewedElsewhere[];
  /** Call signs (upper case) other teams' crews in the borough have from this start. */
  taken: Set<string>;
}

async function periodData(svc: Services, scope: Scope, q: { boroughId: string; teamId: string | null; startsAt: string }): Promise<PeriodData> {
  const force = await getForce(svc);
  const db = svc.database.db;
  const borough = await boroughInScope(svc, scope, force.id, q.boroughId);
  const team = await teamOf(svc, force.id, q.teamId);
  const period: Period = { boroughId: borough.id, teamId: team?.id ?? null, startsAt: q.startsAt };
  const shifts = await repo.periodShifts(db, force.id, period);
  if (shifts.length === 0) throw new NotFoundError('Shift', `${borough.name}${team ? `, ${team.name}` : ''}, starting ${q.startsAt}`);
  const ids = shifts.map((s) => s.officerId);
  const [officers, inputs, held, policies, stored, elsewhere] = await Promise.all([
    officersRepo.findOfficersByIds(db, ids),
    authorityInputs(db, force.id, ids),
    repo.devicesHeld(db, force.id, ids),
    getCrewingPolicies(svc),
    repo.periodCrews(db, force.id, period),
    repo.crewedElsewhere(db, force.id, period),
  ]);
  const taken = callSignsTaken(elsewhere);
  const elsewhereCrew = new Map(elsewhere.map((m) => [m.officerId, m.callSign]));
  const policy = policies.forBorough(borough.id) ?? DEFAULT_CREWING_POLICY;
  const on = londonDate(q.startsAt);
  const onDuty: OnDutyOfficer[] = [];
  for (const s of shifts) {
    const officer = officers.get(s.officerId);
    if (!officer) continue;
    const authorities = authoritiesOn(on, inputs.records(officer.id), inputs.restrictions(officer.id), DEVICE_MODELS);
    const passed = authorities.filter((a) => a.status !== 'not_qualified');
    const authorisedModels = authorities.filter((a) => a.authorised).map((a) => a.model);
    const authorisedUntil = authorities.find((a) => a.authorised)?.expiresOn ?? null;
    onDuty.push({
      officer,
      endsAt: s.endsAt,
      callSign: s.callSign,
      authorities: passed.map((a) => ({ model: a.model, authorised: a.authorised, expiresOn: a.authorised ? a.expiresOn : null })),
      authorisedModels,
      authorisedUntil,
      lapses: authorisedModels.length > 0 && lapsesBefore(authorisedUntil, s.endsAt),
      mayDeployAlone: mayDeployAlone(policy, officer.rank),
      holds: held.get(officer.id) ?? null,
      crewedElsewhere: elsewhereCrew.get(officer.id) ?? null,
    });
  }
  onDuty.sort((a, b) => a.officer.collarNumber.localeCompare(b.officer.collarNumber));
  const endsAt = shifts.reduce((m, s) => (s.endsAt > m ? s.endsAt : m), shifts[0]!.endsAt);
  // A device another briefing of this start has given to its carrier is not free for this one.
  const reserved = new Set(elsewhere.map((m) => m.deviceId));
  const freeDevices = (await repo.devicesInStore(db, force.id, storeOf(borough, team))).filter((x) => !reserved.has(x.id));
  return { forceId: force.id, borough, team, period: { ...period, londonDate: shifts[0]!.londonDate, endsAt }, policy, officers: onDuty, freeDevices, stored, elsewhere, taken };
}

/** Call signs (upper case) other teams' crews in the borough have from this start. */
function callSignsTaken(elsewhere: readonly repo.CrewedElsewhere[]): Set<string> {
  return new Set(elsewhere.filter((m) => m.sameBorough).map((m) => m.callSign.toUpperCase()));
}

function crewFlags(members: readonly BriefingMember[], byId: ReadonlyMap<string, OnDutyOfficer>, policy: CrewingPolicy): { taser: boolean; lapses: boolean } {
  const carriers = members.filter((m) => m.deviceId !== null && (m.role === 'carrier' || m.role === 'solo'));
  const solo = members.length === 1 && members[0]!.role === 'solo' && carriers.length === 1;
  const taser = solo || carriers.length >= policy.carriersPerCrew;
  const lapses = carriers.some((m) => byId.get(m.officerId)?.lapses === true);
  return { taser, lapses };
}

/**
 * Briefings worked out, per database, while the data they come from is unchanged: keyed on the
 * change counters of authority, the fleet and the rosters, so a
 * sign-out, a saved crew, a new shift or a training result anywhere is seen by the next request.
 * A sergeant's team opening the page at the start of a shift costs one computation.
 */
const briefingCache = new VersionedCache<Briefing>(['authority', 'devices', 'rosters']);

/** The briefing of one period (see the header). The result is shared: do not change it. */
export async function briefing(svc: Services, scope: Scope, q: { boroughId: string; teamId?: string | null; startsAt: string }): Promise<Briefing> {
  const db = svc.database.db;
  const force = await getForce(svc);
  await boroughInScope(svc, scope, force.id, q.boroughId);
  // The version is read before the data: a change committed meanwhile moves it.
  return briefingCache.get(db, `${q.boroughId}|${q.teamId ?? ''}|${q.startsAt}`, () => workOutBriefing(svc, scope, q));
}

async function workOutBriefing(svc: Services, scope: Scope, q: { boroughId: string; teamId?: string | null; startsAt: string }): Promise<Briefing> {
  const d = await periodData(svc, scope, { boroughId: q.boroughId, teamId: q.teamId ?? null, startsAt: q.startsAt });
  const byId = new Map(d.officers.map((o) => [o.officer.id, o]));
  let crews: BriefingCrew[];
  if (d.stored.length) {
    crews = d.stored.map((c) => ({ callSign: c.callSign, members: c.members, ...crewFlags(c.members, byId, d.policy) }));
  } else {
    // Devices the on-duty officers already hold count as theirs to carry. An officer already in
    // another briefing's crew of this start (another team's, or the whole borough's) is left out.
    const free = d.officers.filter((o) => o.crewedElsewhere === null);
    const heldDevices = free.filter((o) => o.holds).map((o) => ({ id: o.holds!.deviceId, serial: o.holds!.serial, model: o.holds!.model, heldBy: o.officer.id }));
    const proposal = proposeCrews({
      officers: free.map((o) => ({ id: o.officer.id, collarNumber: o.officer.collarNumber, rank: o.officer.rank, authorisedModels: o.authorisedModels, authorisedUntil: o.authorisedUntil })),
      devices: [...d.freeDevices.map((x) => ({ id: x.id, serial: x.serial, model: x.model })), ...heldDevices],
      policy: d.policy,
      shiftEndsAt: d.period.endsAt,
    });
    // A proposed call sign is the crew's own (from the roster) or the borough's code and a number, never one another team's crew has.
    const used = new Set<string>(d.taken);
    crews = proposal.crews.map((c, k) => {
      const own = c.members.map((m) => byId.get(m.officerId)?.callSign).find((s) => s && !used.has(s.toUpperCase()));
      let callSign = own ?? `${d.borough.code}${k + 1}`;
      for (let n = k + 1; used.has(callSign.toUpperCase()); n++) callSign = `${d.borough.code}${n}`;
      used.add(callSign.toUpperCase());
      const members = c.members.map((m) => ({ officerId: m.officerId, role: m.role, deviceId: m.deviceId }));
      return { callSign, members, ...crewFlags(members, byId, d.policy) };
    });
  }
  const first = d.stored[0];
  return {
    period: { ...d.period, key: { date: londonDate(d.period.startsAt), time: londonClock(d.period.startsAt) } },
    borough: d.borough,
    team: d.team,
    policy: d.policy,
    officers: d.officers,
    freeDevices: d.freeDevices,
    crews,
    saved: d.stored.length > 0,
    revision: first ? Math.max(...d.stored.map((c) => c.revision)) : null,
    savedBy: first?.savedBy ?? null,
    savedAt: first?.savedAt ?? null,
    taserCrews: crews.filter((c) => c.taser).length,
  };
}

/**
 * Where these crews clash with the crews saved on the other briefings of the same start (another
 * team's, or the whole borough's): an officer already in one of them, a device already given to
 * one of their carriers, a call sign one of them has in the borough. `late`: found inside the
 * saving transaction, saved since the sergeant's form was checked.
 */
function clashesElsewhere(
  crews: CrewsInput['crews'],
  elsewhere: readonly repo.CrewedElsewhere[],
  o: { who: (officerId: string) => string; serial: (deviceId: string) => string | null; borough: string; late: boolean },
): FieldError[] {
  const saved = `saved${o.late ? ' a moment ago' : ''} on another team's briefing of this shift`;
  const officerIn = new Map(elsewhere.map((m) => [m.officerId, m.callSign]));
  const deviceIn = new Map(elsewhere.filter((m) => m.deviceId !== null).map((m) => [m.deviceId!, m.callSign]));
  const taken = callSignsTaken(elsewhere);
  const errors: FieldError[] = [];
  crews.forEach((c, k) => {
    if (c.members.length === 0) return;
    const sign = c.callSign.trim();
    if (taken.has(sign.toUpperCase()))
      errors.push({ field: `callSign-${k}`, message: `Another team's crew in ${o.borough} has the call sign ${sign} for this shift${o.late ? ' (saved a moment ago)' : ''}: choose another` });
    for (const m of c.members) {
      const there = officerIn.get(m.officerId);
      if (there !== undefined) {
        errors.push({ field: `crew-${m.officerId}`, message: `${o.who(m.officerId)} is already in crew ${there}, ${saved}: take them out of that crew first` });
        continue;
      }
      const given = m.deviceId === null || m.role === 'partner' ? undefined : deviceIn.get(m.deviceId);
      if (given !== undefined) errors.push({ field: `device-${m.officerId}`, message: `Device ${o.serial(m.deviceId!) ?? m.deviceId!} is given to crew ${given}, ${saved}: choose another` });
    }
  });
  return errors;
}

/** Someone else saved this period's crews since the sergeant opened them. */
export class CrewsChangedError extends WorkflowError {
  constructor() {
    super('Someone else saved the crews for this shift a moment ago: nothing you sent was saved. Look at their crews below, then make your changes again.');
    this.name = 'CrewsChangedError';
  }
}

export interface CrewsInput {
  boroughId: string;
  teamId: string | null;
  startsAt: string;
  /** The revision the sergeant saw (null: nothing was saved). */
  revision: number | null;
  crews: { callSign: string; members: { officerId: string; role: CrewRole; deviceId: string | null }[] }[];
}

/**
 * Saves a period's crews, replacing any saved before. Every problem comes back at once, named by
 * field: `callSign-<k>` (crew k), `crew-<officer id>`, `role-<officer id>`, `device-<officer id>`.
 */
export async function saveCrews(svc: Services, actor: Actor, scope: Scope, input: CrewsInput): Promise<{ revision: number; crews: number; taserCrews: number }> {
  const d = await periodData(svc, scope, input);
  const byId = new Map(d.officers.map((o) => [o.officer.id, o]));
  const errors: FieldError[] = [];
  const who = (id: string) => {
    const o = byId.get(id)?.officer;
    return o ? officerDisplayName(o) : 'This officer';
  };
  const seenSigns = new Map<string, number>();
  const seenOfficers = new Map<string, number>();
  const deviceUse = new Map<string, string>();
  const crews = input.crews.filter((c) => c.members.length > 0);
  const wantedDevices = crews.flatMap((c) => c.members.map((m) => m.deviceId)).filter((x): x is string => x !== null);
  const devices = await repo.devicesByIds(svc.database.db, d.forceId, wantedDevices);
  const serial = (id: string | null) => (id ? (devices.get(id)?.serial ?? null) : null);
  const clashes = clashesElsewhere(input.crews, d.elsewhere, { who, serial, borough: d.borough.name, late: false });
  errors.push(...clashes);
  const clashed = new Set(clashes.map((e) => e.field));
  const store = storeOf(d.borough, d.team);
  input.crews.forEach((c, k) => {
    if (c.members.length === 0) return;
    const sign = c.callSign.trim();
    const field = `callSign-${k}`;
    if (clashed.has(field)) {
      // named by clashesElsewhere
    } else if (!sign) errors.push({ field, message: `Enter a call sign for crew ${k + 1}` });
    else if (sign.length > MAX_CALL_SIGN) errors.push({ field, message: `The call sign must be ${MAX_CALL_SIGN} characters or fewer` });
    else if (seenSigns.has(sign.toUpperCase())) errors.push({ field, message: `Crew ${seenSigns.get(sign.toUpperCase())! + 1} already has the call sign ${sign}: give each crew its own` });
    seenSigns.set(sign.toUpperCase(), k);
    for (const m of c.members) {
      const o = byId.get(m.officerId);
      if (!o) {
        errors.push({ field: `crew-${m.officerId}`, message: 'This officer is not on duty on this shift: choose officers from the list' });
        continue;
      }
      const other = seenOfficers.get(m.officerId);
      if (other !== undefined) {
        errors.push({ field: `crew-${m.officerId}`, message: `${who(m.officerId)} is in crew ${other + 1} and crew ${k + 1}: an officer is in one crew` });
        continue;
      }
      seenOfficers.set(m.officerId, k);
      if (clashed.has(`crew-${m.officerId}`)) continue;
      if (c.members.length === 1 && !o.mayDeployAlone)
        errors.push({
          field: `role-${m.officerId}`,
          message: `${who(m.officerId)} is alone in crew ${k + 1}, but a ${o.officer.rank.toLowerCase()} may not deploy alone under the crewing policy: crew them with someone`,
        });
      else if (c.members.length > 1 && m.role === 'solo')
        errors.push({ field: `role-${m.officerId}`, message: `${who(m.officerId)} is crewed with others in crew ${k + 1}: choose carrier or partner` });
      const carries = m.role === 'carrier' || m.role === 'solo';
      if (m.role === 'carrier' && m.deviceId === null) errors.push({ field: `device-${m.officerId}`, message: `Choose the device ${who(m.officerId)} carries, or make them a partner` });
      if (!carries || m.deviceId === null) continue;
      const device = devices.get(m.deviceId);
      const field2 = `device-${m.officerId}`;
      if (clashed.has(field2)) continue;
      if (!device) {
        errors.push({ field: field2, message: 'Choose a device from the list' });
        continue;
      }
      if (!o.authorisedModels.includes(device.model))
        errors.push({
          field: field2,
          message: `${who(m.officerId)} is not authorised to carry the ${device.model} on ${d.period.londonDate}${o.authorisedModels.length ? ` (only the ${o.authorisedModels.join(', ')})` : ''}: choose another device or another carrier`,
        });
      const holdsIt = o.holds?.deviceId === device.id;
      const inStore = device.state === 'in_store' && device.boroughId === store.boroughId && device.teamId === store.teamId;
      if (!holdsIt && !inStore) errors.push({ field: field2, message: `Device ${device.serial} is not free in this armoury: choose a device in store` });
      const twice = deviceUse.get(device.id);
      if (twice) errors.push({ field: field2, message: `Device ${device.serial} is also given to ${who(twice)}: a device goes to one carrier` });
      else deviceUse.set(device.id, m.officerId);
    }
  });
  if (errors.length) throw new ValidationError(errors);

  const at = svc.now().toISOString();
  const newCrews: repo.NewCrew[] = crews.map((c) => {
    const endsAt = c.members.reduce((m, x) => {
      const e = byId.get(x.officerId)!.endsAt;
      return e > m ? e : m;
    }, byId.get(c.members[0]!.officerId)!.endsAt);
    const members = c.members.map((m) => ({
      officerId: m.officerId,
      // A crew of one deploys alone; a partner carries nothing.
      role: (c.members.length === 1 ? 'solo' : m.role) as CrewRole,
      deviceId: m.role === 'partner' ? null : m.deviceId,
    }));
    return { callSign: c.callSign.trim(), londonDate: d.period.londonDate, startsAt: d.period.startsAt, endsAt, members };
  });
  const taserCrews = newCrews.filter((c) => crewFlags(c.members, byId, d.policy).taser).length;
  return change(svc, actor, async (trx, audit) => {
    await repo.lockBorough(trx, svc.database.kind, d.borough.id);
    const current = await repo.periodCrews(trx, d.forceId, d.period);
    const currentRevision = current.length ? Math.max(...current.map((c) => c.revision)) : null;
    if (currentRevision !== input.revision) throw new CrewsChangedError();
    // Another briefing of this start may have taken an officer, a device or a call sign meanwhile.
    const late = clashesElsewhere(input.crews, await repo.crewedElsewhere(trx, d.forceId, d.period), { who, serial, borough: d.borough.name, late: true });
    if (late.length) throw new ValidationError(late);
    const revision = (currentRevision ?? -1) + 1;
    // The devices are checked again inside the transaction: one signed out meanwhile is not free.
    const now = await repo.devicesByIds(trx, d.forceId, wantedDevices);
    for (const [id, device] of now) {
      const was = devices.get(id);
      if (was && was.state !== device.state)
        throw new ValidationError([{ field: `device-${deviceUse.get(id) ?? ''}`, message: `Device ${device.serial} was signed out or moved a moment ago: choose another` }]);
    }
    await repo.replacePeriodCrews(trx, d.forceId, d.period, newCrews, revision, actor.label, at);
    await audit({
      action: 'crews.save',
      entityType: 'crew',
      entityId: d.borough.id,
      summary: {
        borough: d.borough.name,
        team: d.team?.name ?? null,
        startsAt: d.period.startsAt,
        before: current.length,
        taserCrews,
        crews: newCrews.map((c) => ({
          callSign: c.callSign,
          members: c.members.map((m) => ({ collarNumber: byId.get(m.officerId)!.officer.collarNumber, role: m.role, device: serial(m.deviceId) })),
        })),
      },
    });
    return { revision, crews: newCrews.length, taserCrews };
  });
}
