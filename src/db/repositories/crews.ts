import { sql } from 'kysely';
import { forceIdUnindexed } from '../plans.js';
import type { DatabaseKind, Executor } from '../database.js';
import { newId } from '../ids.js';
import type { CrewRole } from '../../domain/crewing/proposal.js';

/*
 * The crews a sergeant saves on the briefing page (issue 14), and what the page reads beside
 * them: the shift periods of a borough, the devices its store has free, and which on-duty officer
 * holds a device now. A period is a borough (and optionally a team) and the instant its shifts
 * start; every crew of a period is saved together and carries the period's revision.
 */

export interface Period {
  boroughId: string;
  /** null: every shift of the borough starting then, whatever its team. */
  teamId: string | null;
  /** ISO 8601 UTC. */
  startsAt: string;
}

export interface StoredCrewMember {
  officerId: string;
  role: CrewRole;
  deviceId: string | null;
}

export interface StoredCrew {
  id: string;
  callSign: string;
  londonDate: string;
  startsAt: string;
  endsAt: string;
  savedBy: string;
  savedAt: string;
  revision: number;
  members: StoredCrewMember[];
}

const ROLES: readonly CrewRole[] = ['carrier', 'partner', 'solo'];
const asRole = (r: string): CrewRole => (ROLES.includes(r as CrewRole) ? (r as CrewRole) : 'partner');

/** The crews saved for a period, in call-sign order, with their members. */
export async function periodCrews(db: Executor, forceId: string, p: Period): Promise<StoredCrew[]> {
  const rows = await db
    .selectFrom('crew')
    .selectAll()
    .where('force_id', '=', forceId)
    .where('borough_id', '=', p.boroughId)
    .where('starts_at', '=', p.startsAt)
    .where((eb) => (p.teamId === null ? eb('team_id', 'is', null) : eb('team_id', '=', p.teamId)))
    .orderBy('call_sign')
    .execute();
  if (rows.length === 0) return [];
  const members = await db
    .selectFrom('crew_member')
    .select(['crew_id', 'officer_id', 'role', 'device_id'])
    .where(
      'crew_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const byCrew = new Map<string, StoredCrewMember[]>();
  for (const m of members) {
    const list = byCrew.get(m.crew_id) ?? [];
    list.push({ officerId: m.officer_id, role: asRole(m.role), deviceId: m.device_id });
    byCrew.set(m.crew_id, list);
  }
  const order = (m: StoredCrewMember) => ROLES.indexOf(m.role);
  return rows.map((r) => ({
    id: r.id,
    callSign: r.call_sign,
    londonDate: r.london_date,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    savedBy: r.saved_by,
    savedAt: r.saved_at,
    revision: Number(r.revision),
    members: (byCrew.get(r.id) ?? []).sort((a, b) => order(a) - order(b)),
  }));
}

export interface CrewedElsewhere {
  officerId: string;
  callSign: string;
  deviceId: string | null;
  /** The crew is in the period's borough (its call sign is then taken for this period). */
  sameBorough: boolean;
}

/**
 * The members of crews saved for the other briefings of the same start (another team's, or the
 * whole borough's, anywhere in the force): an officer is in one crew, a device goes to one
 * carrier, and a call sign is one crew's in its borough. Every saved crew has members.
 */
export async function crewedElsewhere(db: Executor, forceId: string, p: Period): Promise<CrewedElsewhere[]> {
  const rows = await db
    .selectFrom('crew_member as m')
    .innerJoin('crew as c', 'c.id', 'm.crew_id')
    .select(['m.officer_id', 'm.device_id', 'c.call_sign', 'c.borough_id', 'c.team_id'])
    .where('m.force_id', '=', forceId)
    .where('m.starts_at', '=', p.startsAt)
    .execute();
  return rows
    .filter((r) => r.borough_id !== p.boroughId || r.team_id !== p.teamId)
    .map((r) => ({ officerId: r.officer_id, callSign: r.call_sign, deviceId: r.device_id, sameBorough: r.borough_id === p.boroughId }));
}

/** Makes savers of one borough's crews wait for each other (PostgreSQL; SQLite's writes are one at a time already). */
export async function lockBorough(db: Executor, kind: DatabaseKind, boroughId: string): Promise<void> {
  if (kind === 'postgres') await sql`select id from borough where id = ${boroughId} for update`.execute(db);
}

export interface NewCrew {
  callSign: string;
  londonDate: string;
  startsAt: string;
  endsAt: string;
  members: StoredCrewMember[];
}

/** Replaces the period's crews with these, at `revision`. */
export async function replacePeriodCrews(db: Executor, forceId: string, p: Period, crews: readonly NewCrew[], revision: number, by: string, at: string): Promise<void> {
  const old = await db
    .selectFrom('crew')
    .select('id')
    .where('force_id', '=', forceId)
    .where('borough_id', '=', p.boroughId)
    .where('starts_at', '=', p.startsAt)
    .where((eb) => (p.teamId === null ? eb('team_id', 'is', null) : eb('team_id', '=', p.teamId)))
    .execute();
  if (old.length) {
    const ids = old.map((r) => r.id);
    await db.deleteFrom('crew_member').where('crew_id', 'in', ids).execute();
    await db.deleteFrom('crew').where('id', 'in', ids).execute();
  }
  for (const c of crews) {
    const id = newId();
    await db
      .insertInto('crew')
      .values({
        id,
        force_id: forceId,
        borough_id: p.boroughId,
        team_id: p.teamId,
        call_sign: c.callSign,
        london_date: c.londonDate,
        starts_at: c.startsAt,
        ends_at: c.endsAt,
        saved_by: by,
        saved_at: at,
        revision,
      })
      .execute();
    await db
      .insertInto('crew_member')
      .values(c.members.map((m) => ({ crew_id: id, force_id: forceId, officer_id: m.officerId, starts_at: c.startsAt, role: m.role, device_id: m.deviceId })))
      .execute();
  }
}

export interface StoreDevice {
  id: string;
  serial: string;
  model: string;
  state: string;
  boroughId: string | null;
  teamId: string | null;
}

/** Devices in store at an armoury (a borough's, or a force-wide unit's), by model then serial. */
export async function devicesInStore(db: Executor, forceId: string, armoury: { boroughId: string | null; teamId: string | null }): Promise<StoreDevice[]> {
  let q = db
    .selectFrom('device as d')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .select(['d.id', 'd.serial', 'm.name as model', 'd.state', 'd.armoury_borough_id', 'd.armoury_team_id'])
    .where('d.force_id', '=', forceId)
    .where('d.state', '=', 'in_store');
  q = armoury.boroughId ? q.where('d.armoury_borough_id', '=', armoury.boroughId) : q.where('d.armoury_borough_id', 'is', null);
  q = armoury.teamId ? q.where('d.armoury_team_id', '=', armoury.teamId) : q.where('d.armoury_team_id', 'is', null);
  const rows = await q.orderBy('m.name').orderBy('d.serial').execute();
  return rows.map((r) => ({ id: r.id, serial: r.serial, model: r.model, state: r.state, boroughId: r.armoury_borough_id, teamId: r.armoury_team_id }));
}

/** Devices by id (of this force), with their model and where they are kept. */
export async function devicesByIds(db: Executor, forceId: string, ids: readonly string[]): Promise<Map<string, StoreDevice>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('device as d')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .select(['d.id', 'd.serial', 'm.name as model', 'd.state', 'd.armoury_borough_id', 'd.armoury_team_id'])
    .where('d.force_id', '=', forceId)
    .where('d.id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, serial: r.serial, model: r.model, state: r.state, boroughId: r.armoury_borough_id, teamId: r.armoury_team_id }]));
}

/** The device each of these officers holds now (an open issue), by officer. */
export async function devicesHeld(db: Executor, forceId: string, officerIds: readonly string[]): Promise<Map<string, { deviceId: string; serial: string; model: string }>> {
  if (officerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('device_issue as i')
    .innerJoin('device as d', 'd.id', 'i.device_id')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .select(['i.officer_id', 'd.id', 'd.serial', 'm.name as model'])
    .where(forceIdUnindexed('i.force_id'), '=', forceId)
    .where('i.returned_at', 'is', null)
    .where('i.officer_id', 'in', [...officerIds])
    .execute();
  return new Map(rows.map((r) => [r.officer_id, { deviceId: r.id, serial: r.serial, model: r.model }]));
}

export interface PeriodSummary extends Period {
  londonDate: string;
  /** The latest end of the period's shifts. */
  endsAt: string;
  officers: number;
}

/** The shift periods (borough, team, start) of these boroughs starting in [from, to), by start. */
export async function periodsBetween(db: Executor, forceId: string, boroughIds: readonly string[] | null, from: string, to: string): Promise<PeriodSummary[]> {
  if (boroughIds && boroughIds.length === 0) return [];
  let q = db
    .selectFrom('shift')
    .select(['borough_id', 'team_id', 'starts_at', (eb) => eb.fn.min('london_date').as('london_date'), (eb) => eb.fn.max('ends_at').as('ends_at'), (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('force_id', '=', forceId)
    .where('starts_at', '>=', from)
    .where('starts_at', '<', to);
  if (boroughIds) q = q.where('borough_id', 'in', [...boroughIds]);
  const rows = await q.groupBy(['borough_id', 'team_id', 'starts_at']).orderBy('starts_at').orderBy('borough_id').execute();
  return rows.map((r) => ({ boroughId: r.borough_id, teamId: r.team_id, startsAt: r.starts_at, londonDate: String(r.london_date), endsAt: String(r.ends_at), officers: Number(r.n) }));
}

/** The shifts of one period: on-duty officers with their shift's end and call sign. */
export async function periodShifts(db: Executor, forceId: string, p: Period): Promise<{ officerId: string; teamId: string | null; endsAt: string; callSign: string | null; londonDate: string }[]> {
  let q = db
    .selectFrom('shift')
    .select(['officer_id', 'team_id', 'ends_at', 'call_sign', 'london_date'])
    .where('force_id', '=', forceId)
    .where('borough_id', '=', p.boroughId)
    .where('starts_at', '=', p.startsAt);
  if (p.teamId !== null) q = q.where('team_id', '=', p.teamId);
  const rows = await q.execute();
  return rows.map((r) => ({ officerId: r.officer_id, teamId: r.team_id, endsAt: r.ends_at, callSign: r.call_sign, londonDate: r.london_date }));
}
