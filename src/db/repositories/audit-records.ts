import type { Rank } from '../../domain/organisation.js';
import type { Executor } from '../database.js';

/*
 * The records audit entries name, looked up by id in bulk: one query per kind of record for
 * a whole page of entries, never one per entry. Each returns only what a person needs to
 * recognise the record (a name, a collar number, a reference, a date).
 */

export interface AccountName {
  id: string;
  displayName: string;
  email: string;
}

export interface OfficerName {
  id: string;
  rank: Rank;
  firstName: string;
  lastName: string;
  collarNumber: string;
}

export interface ReportName {
  id: string;
  incidentReference: string | null;
  createdAt: string;
  officer: OfficerName | null;
}

export interface SessionName {
  id: string;
  courseName: string;
  startsOn: string;
  endsOn: string;
}

export interface ReleaseName {
  id: string;
  number: number | null;
  month: string;
  status: string;
}

export interface TokenName {
  id: string;
  name: string;
  email: string | null;
}

export interface IdName {
  id: string;
  name: string;
}

const none = <T>(ids: readonly string[], run: () => Promise<T[]>): Promise<T[]> => (ids.length === 0 ? Promise.resolve([]) : run());

export function accountNames(db: Executor, ids: readonly string[]): Promise<AccountName[]> {
  return none(ids, () =>
    db
      .selectFrom('app_user')
      .select(['id', 'display_name as displayName', 'email'])
      .where('id', 'in', [...ids])
      .execute(),
  );
}

export async function officerNames(db: Executor, ids: readonly string[]): Promise<OfficerName[]> {
  const rows = await none(ids, () =>
    db
      .selectFrom('officer')
      .select(['id', 'rank', 'first_name', 'last_name', 'collar_number'])
      .where('id', 'in', [...ids])
      .execute(),
  );
  return rows.map((r) => ({ id: r.id, rank: r.rank as Rank, firstName: r.first_name, lastName: r.last_name, collarNumber: r.collar_number }));
}

export async function reportNames(db: Executor, ids: readonly string[]): Promise<ReportName[]> {
  const rows = await none(ids, () =>
    db
      .selectFrom('uof_report as r')
      .leftJoin('incident as i', 'i.id', 'r.incident_id')
      .leftJoin('officer as o', 'o.id', 'r.officer_id')
      .select(['r.id', 'r.created_at', 'i.reference', 'o.id as officer_id', 'o.rank', 'o.first_name', 'o.last_name', 'o.collar_number'])
      .where('r.id', 'in', [...ids])
      .execute(),
  );
  return rows.map((r) => ({
    id: r.id,
    incidentReference: r.reference,
    createdAt: r.created_at,
    officer: r.officer_id ? { id: r.officer_id, rank: r.rank as Rank, firstName: r.first_name!, lastName: r.last_name!, collarNumber: r.collar_number! } : null,
  }));
}

export function sessionNames(db: Executor, ids: readonly string[]): Promise<SessionName[]> {
  return none(ids, () =>
    db
      .selectFrom('training_session as s')
      .innerJoin('course_type as c', 'c.id', 's.course_type_id')
      .select(['s.id', 'c.name as courseName', 's.starts_on as startsOn', 's.ends_on as endsOn'])
      .where('s.id', 'in', [...ids])
      .execute(),
  );
}

export async function releaseNames(db: Executor, ids: readonly string[]): Promise<ReleaseName[]> {
  const rows = await none(ids, () =>
    db
      .selectFrom('release')
      .select(['id', 'number', 'month', 'status'])
      .where('id', 'in', [...ids])
      .execute(),
  );
  return rows.map((r) => ({ id: r.id, number: r.number === null ? null : Number(r.number), month: r.month, status: r.status }));
}

export function tokenNames(db: Executor, ids: readonly string[]): Promise<TokenName[]> {
  return none(ids, () =>
    db
      .selectFrom('api_token as t')
      .leftJoin('app_user as u', 'u.id', 't.user_id')
      .select(['t.id', 't.name', 'u.email'])
      .where('t.id', 'in', [...ids])
      .execute(),
  );
}

export function boroughNames(db: Executor, ids: readonly string[]): Promise<IdName[]> {
  return none(ids, () =>
    db
      .selectFrom('borough')
      .select(['id', 'name'])
      .where('id', 'in', [...ids])
      .execute(),
  );
}

export function teamNames(db: Executor, ids: readonly string[]): Promise<IdName[]> {
  return none(ids, () =>
    db
      .selectFrom('team')
      .select(['id', 'name'])
      .where('id', 'in', [...ids])
      .execute(),
  );
}

export function courseTypeNames(db: Executor, ids: readonly string[]): Promise<IdName[]> {
  return none(ids, () =>
    db
      .selectFrom('course_type')
      .select(['id', 'name'])
      .where('id', 'in', [...ids])
      .execute(),
  );
}

export function homeOfficeTableNames(db: Executor, ids: readonly string[]): Promise<IdName[]> {
  return none(ids, () =>
    db
      .selectFrom('home_office_table')
      .select(['id', 'period_label as name'])
      .where('id', 'in', [...ids])
      .execute(),
  );
}

export function forceNames(db: Executor, ids: readonly string[]): Promise<IdName[]> {
  return none(ids, () =>
    db
      .selectFrom('force')
      .select(['id', 'name'])
      .where('id', 'in', [...ids])
      .execute(),
  );
}
