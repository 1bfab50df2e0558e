import * as repo from '../db/repositories/audit-records.js';
import type { AuditEntry } from '../domain/audit.js';
import type { Services } from './context.js';

export type { AccountName, OfficerName, ReportName, SessionName, ReleaseName, TokenName } from '../db/repositories/audit-records.js';

/** The people and records a page of audit entries names, by id: so the log can say who and what in words. */
export interface AuditRecords {
  accounts: Map<string, repo.AccountName>;
  officers: Map<string, repo.OfficerName>;
  reports: Map<string, repo.ReportName>;
  sessions: Map<string, repo.SessionName>;
  releases: Map<string, repo.ReleaseName>;
  tokens: Map<string, repo.TokenName>;
  boroughs: Map<string, string>;
  teams: Map<string, string>;
  courseTypes: Map<string, string>;
  homeOfficeTables: Map<string, string>;
  forces: Map<string, string>;
}

type Kind = keyof AuditRecords;

/** The record an entry is about, by its entity type. */
const ENTITY_KINDS: Record<string, Kind> = {
  account: 'accounts',
  officer: 'officers',
  report: 'reports',
  training_session: 'sessions',
  release: 'releases',
  api_token: 'tokens',
  borough: 'boroughs',
  team: 'teams',
  course_type: 'courseTypes',
  home_office_table: 'homeOfficeTables',
  force: 'forces',
  uplift_plan: 'forces', // one plan per force, kept under the force's id
};

/** Ids inside a summary, by the name of the field that holds them. */
const FIELD_KINDS: Record<string, Kind> = {
  officerId: 'officers',
  trainerIds: 'officers',
  promotedFromWaitingList: 'officers',
  boroughId: 'boroughs',
  teamId: 'teams',
  courseTypeId: 'courseTypes',
};

/** Every id an entry names (its actor, its record, and ids in known fields of its summary), by kind. */
export function idsNamedBy(entries: readonly Pick<AuditEntry, 'actorUserId' | 'entityType' | 'entityId' | 'summary'>[]): Record<Kind, Set<string>> {
  const ids = {
    accounts: new Set(),
    officers: new Set(),
    reports: new Set(),
    sessions: new Set(),
    releases: new Set(),
    tokens: new Set(),
    boroughs: new Set(),
    teams: new Set(),
    courseTypes: new Set(),
    homeOfficeTables: new Set(),
    forces: new Set(),
  } as Record<Kind, Set<string>>;
  const walk = (value: unknown, field: string | null): void => {
    if (typeof value === 'string') {
      const kind = field ? FIELD_KINDS[field] : undefined;
      if (kind && value) ids[kind].add(value);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, field));
    else if (value && typeof value === 'object') {
      // A change is { field: { from, to } }: its values belong to the field above.
      for (const [k, v] of Object.entries(value)) walk(v, k === 'from' || k === 'to' ? field : k);
    }
  };
  for (const e of entries) {
    if (e.actorUserId) ids.accounts.add(e.actorUserId);
    const kind = ENTITY_KINDS[e.entityType];
    if (kind && e.entityId) ids[kind].add(e.entityId);
    try {
      walk(JSON.parse(e.summary), null);
    } catch {
      // a summary that is not JSON names nothing
    }
  }
  return ids;
}

/**
 * Looks up, in bulk, everything a page of audit entries names: one query per kind of record
 * for the whole page, not one per entry.
 */
export async function auditRecordsFor(svc: Services, entries: readonly AuditEntry[]): Promise<AuditRecords> {
  const db = svc.database.db;
  const ids = idsNamedBy(entries);
  const list = (k: Kind) => [...ids[k]];
  const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  const names = (rows: repo.IdName[]) => new Map(rows.map((r) => [r.id, r.name]));
  const [accounts, officers, reports, sessions, releases, tokens, boroughs, teams, courseTypes, homeOfficeTables, forces] = await Promise.all([
    repo.accountNames(db, list('accounts')),
    repo.officerNames(db, list('officers')),
    repo.reportNames(db, list('reports')),
    repo.sessionNames(db, list('sessions')),
    repo.releaseNames(db, list('releases')),
    repo.tokenNames(db, list('tokens')),
    repo.boroughNames(db, list('boroughs')),
    repo.teamNames(db, list('teams')),
    repo.courseTypeNames(db, list('courseTypes')),
    repo.homeOfficeTableNames(db, list('homeOfficeTables')),
    repo.forceNames(db, list('forces')),
  ]);
  return {
    accounts: byId(accounts),
    officers: byId(officers),
    reports: byId(reports),
    sessions: byId(sessions),
    releases: byId(releases),
    tokens: byId(tokens),
    boroughs: names(boroughs),
    teams: names(teams),
    courseTypes: names(courseTypes),
    homeOfficeTables: names(homeOfficeTables),
    forces: names(forces),
  };
}
