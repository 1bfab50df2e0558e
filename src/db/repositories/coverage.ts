import type { Executor } from '../database.js';
import { RANKS, type Rank } from '../../domain/organisation.js';

/*
 * Coverage's reads (issue 14): only the columns the hour-by-hour sweep needs, in one query per
 * table for the whole range (never a query per hour or per borough). Instants are ISO 8601 UTC
 * text, so they compare as text in both databases.
 */

/** The longest a shift can be (an end before the start is the next day; 25 hours on the day the clocks go back). */
const LONGEST_SHIFT_MS = 25 * 3_600_000;

export interface ShiftSpan {
  officerId: string;
  boroughId: string;
  startsAt: string;
  endsAt: string;
  /** The shift is a force-wide unit's (its team has no borough). */
  forceWide: boolean;
}

/**
 * Shifts on at some instant in [from, to), with whether their team is a force-wide unit's (one
 * read of the force's few hundred teams, rather than a join for each of the month's shifts). Unordered.
 */
export async function coverageShifts(db: Executor, forceId: string, from: string, to: string, boroughIds?: readonly string[]): Promise<ShiftSpan[]> {
  if (boroughIds && boroughIds.length === 0) return [];
  const earliest = new Date(Date.parse(from) - LONGEST_SHIFT_MS).toISOString();
  let q = db
    .selectFrom('shift')
    .select(['officer_id', 'borough_id', 'starts_at', 'ends_at', 'team_id'])
    .where('force_id', '=', forceId)
    .where('starts_at', '>=', earliest)
    .where('starts_at', '<', to)
    .where('ends_at', '>', from);
  if (boroughIds) q = q.where('borough_id', 'in', [...boroughIds]);
  const [rows, teams] = await Promise.all([q.execute(), db.selectFrom('team').select('id').where('force_id', '=', forceId).where('borough_id', 'is', null).execute()]);
  const forceWide = new Set(teams.map((t) => t.id));
  return rows.map((r) => ({ officerId: r.officer_id, boroughId: r.borough_id, startsAt: r.starts_at, endsAt: r.ends_at, forceWide: r.team_id !== null && forceWide.has(r.team_id) }));
}

/** Devices signed out at some instant in [from, to) (live or imported): who held them, from when to when. */
export async function coverageIssues(db: Executor, forceId: string, from: string, to: string): Promise<{ officerId: string; issuedAt: string; returnedAt: string | null }[]> {
  const rows = await db
    .selectFrom('device_issue')
    .select(['officer_id', 'issued_at', 'returned_at'])
    .where('force_id', '=', forceId)
    .where('issued_at', '<', to)
    .where((eb) => eb.or([eb('returned_at', 'is', null), eb('returned_at', '>', from)]))
    .execute();
  return rows.map((r) => ({ officerId: r.officer_id, issuedAt: r.issued_at, returnedAt: r.returned_at }));
}

const isRank = (s: string): s is Rank => (RANKS as readonly string[]).includes(s);

/** Every officer's rank (who may deploy alone). */
export async function officerRanks(db: Executor, forceId: string): Promise<Map<string, Rank>> {
  const rows = await db.selectFrom('officer').select(['id', 'rank']).where('force_id', '=', forceId).execute();
  const out = new Map<string, Rank>();
  for (const r of rows) if (isRank(r.rank)) out.set(r.id, r.rank);
  return out;
}
