import { sql } from 'kysely';
import type { Officer, OfficerInput, OfficerSort, OfficerStatus, Rank, TeamType } from '../../domain/organisation.js';
import type { Executor } from '../database.js';
import { newId } from '../ids.js';
import type { OfficerTable } from '../schema.js';

const COLUMNS = ['id', 'force_id', 'collar_number', 'first_name', 'last_name', 'rank', 'borough_id', 'team_id', 'status', 'joined_on', 'left_on', 'created_at', 'updated_at'] as const;

type Row = Pick<OfficerTable, (typeof COLUMNS)[number]>;

function toOfficer(r: Row): Officer {
  return {
    id: r.id,
    forceId: r.force_id,
    collarNumber: r.collar_number,
    firstName: r.first_name,
    lastName: r.last_name,
    rank: r.rank as Rank,
    boroughId: r.borough_id,
    teamId: r.team_id,
    status: r.status as OfficerStatus,
    joinedOn: r.joined_on,
    leftOn: r.left_on,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const searchText = (o: Pick<OfficerInput, 'firstName' | 'lastName' | 'collarNumber'>) => `${o.firstName} ${o.lastName} ${o.collarNumber}`.toLowerCase();

export function toRow(forceId: string, input: OfficerInput, id: string, at: string): OfficerTable {
  return {
    id,
    force_id: forceId,
    collar_number: input.collarNumber,
    first_name: input.firstName,
    last_name: input.lastName,
    search_text: searchText(input),
    rank: input.rank,
    borough_id: input.boroughId,
    team_id: input.teamId,
    status: input.status,
    joined_on: input.joinedOn,
    left_on: input.leftOn,
    created_at: at,
    updated_at: at,
  };
}

export async function insertOfficer(db: Executor, forceId: string, input: OfficerInput, at: string): Promise<Officer> {
  const row = toRow(forceId, input, newId(), at);
  await db.insertInto('officer').values(row).execute();
  return toOfficer(row);
}

/** Inserts many officers in chunks (bind-parameter limits differ between engines). */
export async function insertOfficers(db: Executor, forceId: string, inputs: OfficerInput[], at: string): Promise<void> {
  const rows = inputs.map((i) => toRow(forceId, i, newId(), at));
  for (let i = 0; i < rows.length; i += 400)
    await db
      .insertInto('officer')
      .values(rows.slice(i, i + 400))
      .execute();
}

export async function updateOfficer(db: Executor, id: string, input: OfficerInput, at: string): Promise<void> {
  await db
    .updateTable('officer')
    .set({
      collar_number: input.collarNumber,
      first_name: input.firstName,
      last_name: input.lastName,
      search_text: searchText(input),
      rank: input.rank,
      borough_id: input.boroughId,
      team_id: input.teamId,
      status: input.status,
      joined_on: input.joinedOn,
      left_on: input.leftOn,
      updated_at: at,
    })
    .where('id', '=', id)
    .execute();
}

export async function findOfficer(db: Executor, id: string): Promise<Officer | undefined> {
  const row = await db.selectFrom('officer').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && toOfficer(row);
}

export async function findOfficerByCollar(db: Executor, forceId: string, collarNumber: string): Promise<Officer | undefined> {
  const row = await db.selectFrom('officer').select(COLUMNS).where('force_id', '=', forceId).where('collar_number', '=', collarNumber.toUpperCase()).executeTakeFirst();
  return row && toOfficer(row);
}

/** The officers with these ids, in one query a few hundred at a time; ids not found are left out. */
export async function findOfficersByIds(db: Executor, ids: readonly string[]): Promise<Map<string, Officer>> {
  const out = new Map<string, Officer>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('officer').select(COLUMNS).where('id', 'in', chunk).execute();
    for (const r of rows) out.set(r.id, toOfficer(r));
  }
  return out;
}

export async function findOfficersByCollars(db: Executor, forceId: string, collarNumbers: string[]): Promise<Map<string, Officer>> {
  const out = new Map<string, Officer>();
  for (let i = 0; i < collarNumbers.length; i += 500) {
    const chunk = collarNumbers.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('officer').select(COLUMNS).where('force_id', '=', forceId).where('collar_number', 'in', chunk).execute();
    for (const r of rows) out.set(r.collar_number, toOfficer(r));
  }
  return out;
}

/** Every officer of the force: collar number to id (bulk loads name officers by collar number). */
export async function officerIdsByCollar(db: Executor, forceId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('officer').select(['id', 'collar_number']).where('force_id', '=', forceId).execute();
  return new Map(rows.map((o) => [o.collar_number, o.id]));
}

export interface OfficerFilter {
  forceId: string;
  /** Matches any part of first name, last name or collar number. */
  q?: string;
  boroughIds?: string[];
  teamId?: string;
  rank?: Rank;
  status?: OfficerStatus;
}

function filtered(db: Executor, f: OfficerFilter) {
  let q = db.selectFrom('officer').where('force_id', '=', f.forceId);
  if (f.q) {
    for (const word of f.q.toLowerCase().split(/\s+/).filter(Boolean)) {
      const escaped = word.replace(/[\\%_]/g, (c) => `\\${c}`);
      q = q.where(sql<boolean>`search_text like ${`%${escaped}%`} escape '\\'`);
    }
  }
  if (f.boroughIds) q = f.boroughIds.length ? q.where('borough_id', 'in', f.boroughIds) : q.where('borough_id', '=', '\u0000none');
  if (f.teamId) q = q.where('team_id', '=', f.teamId);
  if (f.rank) q = q.where('rank', '=', f.rank);
  if (f.status) q = q.where('status', '=', f.status);
  return q;
}

/** How many officers the filter matches. */
export async function countMatching(db: Executor, f: OfficerFilter): Promise<number> {
  const row = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A page of the officers the filter matches, and how many it matches (`total`: already counted, or counted here). */
export async function listOfficers(
  db: Executor,
  f: OfficerFilter,
  page: { offset: number; limit: number; sort?: OfficerSort; descending?: boolean },
  total?: number,
): Promise<{ officers: Officer[]; total: number }> {
  const counted = total ?? (await countMatching(db, f));
  const dir = page.descending ? 'desc' : 'asc';
  let q = filtered(db, f).select(COLUMNS);
  switch (page.sort ?? 'name') {
    case 'collar':
      q = q.orderBy('collar_number', dir);
      break;
    case 'rank':
      q = q.orderBy('rank', dir).orderBy('last_name').orderBy('first_name');
      break;
    case 'joined':
      q = q.orderBy('joined_on', dir).orderBy('last_name');
      break;
    default:
      q = q.orderBy('last_name', dir).orderBy('first_name', dir);
  }
  const rows = await q.orderBy('id').offset(page.offset).limit(page.limit).execute();
  return { officers: rows.map(toOfficer), total: counted };
}

export async function countOfficers(db: Executor, forceId: string): Promise<number> {
  const r = await db
    .selectFrom('officer')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('force_id', '=', forceId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Every officer of the force, by name and collar number only. */
export async function listOfficerNames(db: Executor, forceId: string): Promise<{ firstName: string; lastName: string; collarNumber: string }[]> {
  const rows = await db.selectFrom('officer').select(['first_name', 'last_name', 'collar_number']).where('force_id', '=', forceId).execute();
  return rows.map((o) => ({ firstName: o.first_name, lastName: o.last_name, collarNumber: o.collar_number }));
}

/** An officer as counts need them: who, where (borough, team and its type), and when they served. */
export interface OfficerSpan {
  id: string;
  collarNumber: string;
  firstName: string;
  lastName: string;
  boroughId: string | null;
  teamId: string | null;
  teamType: TeamType | null;
  status: OfficerStatus;
  joinedOn: string;
  leftOn: string | null;
}

/** Every officer of the force (or the active ones, or those in some boroughs), narrow rows for counting. */
export async function listOfficerSpans(db: Executor, forceId: string, filter: { activeOnly?: boolean; boroughIds?: readonly string[] } = {}): Promise<OfficerSpan[]> {
  let q = db
    .selectFrom('officer')
    .leftJoin('team', 'team.id', 'officer.team_id')
    .select([
      'officer.id',
      'officer.collar_number',
      'officer.first_name',
      'officer.last_name',
      'officer.borough_id',
      'officer.team_id',
      'team.team_type',
      'officer.status',
      'officer.joined_on',
      'officer.left_on',
    ])
    .where('officer.force_id', '=', forceId);
  if (filter.activeOnly) q = q.where('officer.status', '=', 'active');
  if (filter.boroughIds) {
    if (filter.boroughIds.length === 0) return [];
    q = q.where('officer.borough_id', 'in', [...filter.boroughIds]);
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    collarNumber: r.collar_number,
    firstName: r.first_name,
    lastName: r.last_name,
    boroughId: r.borough_id,
    teamId: r.team_id,
    teamType: (r.team_type ?? null) as TeamType | null,
    status: r.status as OfficerStatus,
    joinedOn: r.joined_on,
    leftOn: r.left_on,
  }));
}
