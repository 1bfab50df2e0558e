import * as org from '../../src/db/repositories/organisation.js';
import * as trainingRepo from '../../src/db/repositories/training.js';
import type { Borough, Force, Team } from '../../src/domain/organisation.js';
import { SYSTEM_ACTOR, type Services } from '../../src/services/context.js';
import { getForce } from '../../src/services/organisation.js';
import { ensureForce } from '../../src/services/setup.js';
import { listCourseTypes, seedNationalCourseTypes } from '../../src/services/training.js';

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

/**
 * Courses passed, stored as imported training records — what makes an officer authorised in a
 * test. The national course types are seeded first (adding none that are there); `course` is a
 * course type's code, such as `initial-x2`.
 */
export async function recordPasses(svc: Services, passes: readonly { officerId: string; course: string; on: string }[]): Promise<void> {
  await seedNationalCourseTypes(svc, SYSTEM_ACTOR);
  const force = await getForce(svc);
  const ids = new Map((await listCourseTypes(svc)).map((c) => [c.code, c.id]));
  await trainingRepo.insertTrainingRecords(
    svc.database.db,
    force.id,
    'test',
    passes.map((p) => {
      const courseTypeId = ids.get(p.course);
      if (!courseTypeId) throw new Error(`No course type ${p.course}`);
      return {
        officerId: p.officerId,
        courseTypeId,
        completedOn: p.on,
        result: 'pass' as const,
        reason: null,
        sessionId: null,
        source: 'import' as const,
        sourceKey: `test:${p.officerId}:${p.course}:${p.on}`,
      };
    }),
    svc.now().toISOString(),
  );
}
