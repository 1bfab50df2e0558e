import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import type { Executor } from '../db/database.js';
import { officerInput, teamInput, type Force, type OfficerInput, type OfficerStatus, type Rank, type TeamType } from '../domain/organisation.js';
import { ValidationError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import { change, type Actor, type Services } from './context.js';
import { boroughInput } from './organisation.js';

/*
 * A force's whole organisation at once (boroughs, teams, officers), for a new installation:
 * the demo force (src/demo) fills an empty database this way. Bulk: officers go in batches,
 * in one transaction with one audit entry.
 */

/** The organisation named by natural keys: boroughs by code, teams by name, officers by collar number. */
export interface OrganisationLoad {
  boroughs: readonly { name: string; code: string }[];
  teams: readonly { name: string; teamType: TeamType; boroughCode: string | null }[];
  officers: readonly {
    collarNumber: string;
    firstName: string;
    lastName: string;
    rank: Rank;
    boroughCode: string | null;
    teamName: string | null;
    status: OfficerStatus;
    joinedOn: string;
    leftOn: string | null;
  }[];
}

export interface OrganisationLoadOptions {
  /** The audit entry the load is recorded as (e.g. `demo.seed`); its summary has the counts, then `summary`. */
  audit: { action: string; summary?: Record<string, unknown> };
  /** Called after each batch of officers is stored, with how many are stored so far. */
  onProgress?: (officersDone: number) => void;
}

/** The force already has boroughs or officers: a whole organisation is only loaded into an empty one. */
export class OrganisationNotEmptyError extends Error {
  constructor(
    readonly force: Force,
    readonly boroughs: number,
    readonly officers: number,
  ) {
    super(`${force.name} has ${boroughs} borough(s) and ${officers} officer(s)`);
    this.name = 'OrganisationNotEmptyError';
  }
}

const OFFICER_BATCH = 500;

async function refuseUnlessEmpty(db: Executor, force: Force): Promise<void> {
  const [boroughs, officers] = await Promise.all([org.listBoroughs(db, force.id), officersRepo.countOfficers(db, force.id)]);
  if (boroughs.length > 0 || officers > 0) throw new OrganisationNotEmptyError(force, boroughs.length, officers);
}

/** The force, if one is set up, once it is known to have no boroughs or officers yet (else OrganisationNotEmptyError). */
export async function emptyForce(svc: Services): Promise<Force | undefined> {
  const force = await org.findForce(svc.database.db);
  if (force) await refuseUnlessEmpty(svc.database.db, force);
  return force;
}

/**
 * Stores a whole organisation in the force (which must exist and be empty): boroughs, teams
 * and officers, in one transaction with one audit entry. Each borough, team and officer is
 * checked as a form would; a team or officer naming a borough or team not in the load is an
 * error. Refuses, changing nothing, with OrganisationNotEmptyError when the force has boroughs
 * or officers.
 */
export async function loadOrganisation(svc: Services, actor: Actor, load: OrganisationLoad, opts: OrganisationLoadOptions): Promise<{ boroughs: number; teams: number; officers: number }> {
  const force = await org.findForce(svc.database.db);
  if (!force) throw new ValidationError([{ field: 'force', message: 'Set up the force before loading its organisation' }]);
  const boroughInputs = load.boroughs.map((b) => parseInput(boroughInput, b));
  return change(svc, actor, async (trx, audit) => {
    const at = svc.now().toISOString();
    await refuseUnlessEmpty(trx, force);
    const boroughs = await org.insertBoroughs(trx, force.id, boroughInputs, at);
    const boroughId = new Map(boroughs.map((b) => [b.code, b.id]));
    const idOfBorough = (code: string | null, of: string) => {
      if (code === null) return null;
      const id = boroughId.get(code);
      if (id === undefined) throw new ValidationError([{ field: 'boroughCode', message: `${of} names the borough ${code}, which is not in the load` }]);
      return id;
    };
    const teams = await org.insertTeams(
      trx,
      force.id,
      load.teams.map((t) => parseInput(teamInput, { name: t.name, teamType: t.teamType, boroughId: idOfBorough(t.boroughCode, `The team ${t.name}`) })),
      at,
    );
    const teamId = new Map(teams.map((t) => [t.name, t.id]));
    const idOfTeam = (name: string | null, of: string) => {
      if (name === null) return null;
      const id = teamId.get(name);
      if (id === undefined) throw new ValidationError([{ field: 'teamName', message: `${of} names the team ${name}, which is not in the load` }]);
      return id;
    };
    const inputs: OfficerInput[] = load.officers.map(({ boroughCode, teamName, ...o }) =>
      parseInput(officerInput, { ...o, boroughId: idOfBorough(boroughCode, `Officer ${o.collarNumber}`), teamId: idOfTeam(teamName, `Officer ${o.collarNumber}`) }),
    );
    for (let i = 0; i < inputs.length; i += OFFICER_BATCH) {
      const batch = inputs.slice(i, i + OFFICER_BATCH);
      await officersRepo.insertOfficers(trx, force.id, batch, at);
      opts.onProgress?.(i + batch.length);
    }
    const counts = { boroughs: boroughs.length, teams: teams.length, officers: inputs.length };
    await audit({ action: opts.audit.action, entityType: 'force', entityId: force.id, summary: { ...counts, ...opts.audit.summary } });
    return counts;
  });
}
