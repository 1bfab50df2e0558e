import type { Borough, Force, Team, TeamType } from '../../domain/organisation.js';
import type { Executor } from '../database.js';
import { newId } from '../ids.js';

type ForceRow = { id: string; name: string; home_office_region: string; home_office_name: string | null };
type BoroughRow = { id: string; force_id: string; name: string; code: string };
type TeamRow = { id: string; force_id: string; borough_id: string | null; name: string; team_type: string };

const toForce = (r: ForceRow): Force => ({ id: r.id, name: r.name, homeOfficeRegion: r.home_office_region, homeOfficeName: r.home_office_name ?? r.name });
const toBorough = (r: BoroughRow): Borough => ({ id: r.id, forceId: r.force_id, name: r.name, code: r.code });
const toTeam = (r: TeamRow): Team => ({ id: r.id, forceId: r.force_id, boroughId: r.borough_id, name: r.name, teamType: r.team_type as TeamType });

/** Cedar serves one force per installation; the first force row is it. */
export async function findForce(db: Executor): Promise<Force | undefined> {
  const row = await db.selectFrom('force').select(['id', 'name', 'home_office_region', 'home_office_name']).orderBy('created_at').limit(1).executeTakeFirst();
  return row && toForce(row);
}

export async function insertForce(db: Executor, f: { name: string; homeOfficeRegion: string; homeOfficeName?: string }, at: string): Promise<Force> {
  const row = { id: newId(), name: f.name, home_office_region: f.homeOfficeRegion, home_office_name: f.homeOfficeName ?? f.name, created_at: at };
  await db.insertInto('force').values(row).execute();
  return toForce(row);
}

export async function listBoroughs(db: Executor, forceId: string): Promise<Borough[]> {
  const rows = await db.selectFrom('borough').select(['id', 'force_id', 'name', 'code']).where('force_id', '=', forceId).orderBy('name').execute();
  return rows.map(toBorough);
}

export async function findBorough(db: Executor, id: string): Promise<Borough | undefined> {
  const row = await db.selectFrom('borough').select(['id', 'force_id', 'name', 'code']).where('id', '=', id).executeTakeFirst();
  return row && toBorough(row);
}

export async function insertBoroughs(db: Executor, forceId: string, boroughs: { name: string; code: string }[], at: string): Promise<Borough[]> {
  if (boroughs.length === 0) return [];
  const rows = boroughs.map((b) => ({ id: newId(), force_id: forceId, name: b.name, code: b.code, created_at: at }));
  await db.insertInto('borough').values(rows).execute();
  return rows.map(toBorough);
}

export async function listTeams(db: Executor, forceId: string, filter: { boroughIds?: string[] } = {}): Promise<Team[]> {
  let q = db.selectFrom('team').select(['id', 'force_id', 'borough_id', 'name', 'team_type']).where('force_id', '=', forceId);
  if (filter.boroughIds) {
    const ids = filter.boroughIds;
    q = ids.length ? q.where((eb) => eb.or([eb('borough_id', 'in', ids), eb('borough_id', 'is', null)])) : q.where('borough_id', 'is', null);
  }
  const rows = await q.orderBy('name').execute();
  return rows.map(toTeam);
}

export async function findTeam(db: Executor, id: string): Promise<Team | undefined> {
  const row = await db.selectFrom('team').select(['id', 'force_id', 'borough_id', 'name', 'team_type']).where('id', '=', id).executeTakeFirst();
  return row && toTeam(row);
}

export async function findTeamByName(db: Executor, forceId: string, name: string): Promise<Team | undefined> {
  const row = await db.selectFrom('team').select(['id', 'force_id', 'borough_id', 'name', 'team_type']).where('force_id', '=', forceId).where('name', '=', name).executeTakeFirst();
  return row && toTeam(row);
}

export async function insertTeams(db: Executor, forceId: string, teams: { name: string; teamType: TeamType; boroughId: string | null }[], at: string): Promise<Team[]> {
  if (teams.length === 0) return [];
  const rows = teams.map((t) => ({ id: newId(), force_id: forceId, borough_id: t.boroughId, name: t.name, team_type: t.teamType, created_at: at, updated_at: at }));
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('team')
      .values(rows.slice(i, i + 500))
      .execute();
  return rows.map(toTeam);
}

export async function updateTeam(db: Executor, id: string, t: { name: string; teamType: TeamType; boroughId: string | null }, at: string): Promise<void> {
  await db.updateTable('team').set({ name: t.name, team_type: t.teamType, borough_id: t.boroughId, updated_at: at }).where('id', '=', id).execute();
}

export async function countOfficersByTeam(db: Executor, forceId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('officer')
    .select((eb) => ['team_id', eb.fn.countAll<number>().as('n')])
    .where('force_id', '=', forceId)
    .where('status', '=', 'active')
    .where('team_id', 'is not', null)
    .groupBy('team_id')
    .execute();
  return new Map(rows.map((r) => [r.team_id as string, Number(r.n)]));
}
