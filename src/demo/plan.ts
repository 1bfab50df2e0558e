/*
 * The demo force as plain data (src/demo/force.ts makes it; index.ts and training.ts use it):
 * boroughs and teams named by code and name, officers by collar number, no database ids.
 */
import type { OfficerStatus, Rank, TeamType } from '../domain/organisation.js';

export interface DemoTeam {
  name: string;
  teamType: TeamType;
  /** The borough's code, or null for a force-wide team. */
  boroughCode: string | null;
}

/** One officer as plain data: borough and team are named by code and name, not by id. */
export interface DemoOfficer {
  collarNumber: string;
  firstName: string;
  lastName: string;
  rank: Rank;
  boroughCode: string | null;
  teamName: string | null;
  status: OfficerStatus;
  joinedOn: string;
  leftOn: string | null;
}

export interface DemoForcePlan {
  boroughs: { name: string; code: string }[];
  teams: DemoTeam[];
  officers: DemoOfficer[];
  /** Collar numbers of the officers the demo accounts are linked to (active, in the home borough). */
  accountOfficers: { officer: string; supervisor: string };
}
