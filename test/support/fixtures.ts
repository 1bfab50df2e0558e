import * as org from '../../src/db/repositories/organisation.js';
import type { Borough, Force, Team } from '../../src/domain/organisation.js';
import { SYSTEM_ACTOR, type Services } from '../../src/services/context.js';
import { ensureForce } from '../../src/services/setup.js';

export interface SmallForce {
  force: Force;
  boroughs: { lambeth: Borough; camden: Borough };
  teams: { lambethResponse: Team; camdenResponse: Team; tsg: Team };
}

/** A force with two boroughs, a response team in each and one force-wide team. */
export async function smallForce(svc: Services): Promise<SmallForce> {
  const force = await ensureForce(svc, SYSTEM_ACTOR, { name: 'Test Constabulary', homeOfficeRegion: 'London' });
  const db = svc.database.db;
  const [lambeth, camden] = await org.insertBoroughs(
    db,
    force.id,
    [
      { name: 'Lambeth', code: 'LX' },
      { name: 'Camden', code: 'CN' },
    ],
    svc.now().toISOString(),
  );
  const [lambethResponse, camdenResponse, tsg] = await org.insertTeams(
    db,
    force.id,
    [
      { name: 'Lambeth Emergency Response A', teamType: 'emergency_response', boroughId: lambeth!.id },
      { name: 'Camden Emergency Response A', teamType: 'emergency_response', boroughId: camden!.id },
      { name: 'Territorial Support Group 1', teamType: 'territorial_support', boroughId: null },
    ],
    svc.now().toISOString(),
  );
  return { force, boroughs: { lambeth: lambeth!, camden: camden! }, teams: { lambethResponse: lambethResponse!, camdenResponse: camdenResponse!, tsg: tsg! } };
}

export const officerFixture = (over: Record<string, unknown> = {}) => ({
  collarNumber: '1234LX',
  firstName: 'Asha',
  lastName: 'Patel',
  rank: 'Police Constable',
  status: 'active',
  joinedOn: '2015-09-01',
  ...over,
});
