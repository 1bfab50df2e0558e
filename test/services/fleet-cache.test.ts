import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOfficerByCollar } from '../../src/db/repositories/officers.js';
import * as trainingRepo from '../../src/db/repositories/training.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { registerDevices } from '../../src/services/devices.js';
import { dayStandings, fleetOverview } from '../../src/services/fleet.js';
import { createOfficer } from '../../src/services/officers.js';
import { listCourseTypes, restrictAuthority, seedNationalCourseTypes } from '../../src/services/training.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

/*
 * Issue 12 (speed): the fleet page's figures are kept between requests, keyed by the London day
 * and migration 0022's change counters. A change of training, restrictions, officers or devices
 * — through a service or written straight to the tables, even at the same instant as the last —
 * is seen by the very next request, and a new day is worked out afresh. Both databases.
 */

const ALL = { all: true } as const;
const PAGE = { page: 1, pageSize: 50 };

describe.each(testDatabases())('the fleet page’s cache on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  // The clock stands still (every write at the same instant) until a test moves it.
  let now = new Date('2027-03-31T10:00:00Z');
  const course: Record<string, string> = {};
  const officer: Record<string, string> = {};

  const record = (who: string, code: string, completedOn: string, key: string) =>
    trainingRepo.insertTrainingRecords(
      svc.database.db,
      f.force.id,
      'test',
      [{ officerId: officer[who]!, courseTypeId: course[code]!, completedOn, result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: key }],
      now.toISOString(),
    );
  const overview = () => fleetOverview(svc, SYSTEM_ACTOR, ALL, PAGE);
  const lambeth = async () => (await overview()).boroughs.find((b) => b.boroughName === 'Lambeth')!;

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => now });
    f = await smallForce(svc);
    await seedNationalCourseTypes(svc, SYSTEM_ACTOR);
    for (const c of await listCourseTypes(svc)) course[c.code] = c.id;
    for (const [collarNumber, lastName] of [
      ['601LX', 'Xtwo'],
      ['602LX', 'Older'],
    ] as const) {
      await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber, firstName: 'Pat', lastName, boroughId: f.boroughs.lambeth.id }));
      officer[lastName] = (await findOfficerByCollar(svc.database.db, f.force.id, collarNumber))!.id;
    }
    // Xtwo passed the X2 initial on 1 April 2026: authorised up to and including 31 March 2027.
    await record('Xtwo', 'initial-x2', '2026-04-01', 'x2');
    await record('Older', 'initial-x26', '2026-10-01', 'x26');
    await registerDevices(svc, SYSTEM_ACTOR, [{ serial: 'X2CACHE1', model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null }, inServiceOn: '2026-01-01' }]);
  });
  afterAll(async () => svc.cleanup());

  it('answers from the cache while nothing changes', async () => {
    expect(await lambeth()).toMatchObject({ authorisedOnNew: 1, oldOnly: 1, devices: 1 });
    const first = await dayStandings(svc, f.force.id, '2027-03-31');
    expect(await dayStandings(svc, f.force.id, '2027-03-31')).toBe(first);
    expect((await overview()).conversion.officers.map((o) => o.name)).toEqual(['Pat Older']);
  });

  it('sees a training record at once, even one written straight to the table at the same instant', async () => {
    await record('Older', 'conversion-x26-x2', '2027-03-30', 'conv');
    expect(await lambeth()).toMatchObject({ authorisedOnNew: 2, oldOnly: 0 });
    expect((await overview()).conversion.total).toBe(0);
  });

  it('sees a corrected result (an update in place) and a suspension at once', async () => {
    const conversion = await svc.database.db.selectFrom('training_record').select('id').where('source_key', '=', 'conv').executeTakeFirstOrThrow();
    await trainingRepo.correctRecord(
      svc.database.db,
      conversion.id,
      { result: 'fail', reason: 'Keyed wrongly', previousResult: 'pass', correctionReason: 'Typed as a pass', by: 'test' },
      now.toISOString(),
    );
    expect(await lambeth()).toMatchObject({ authorisedOnNew: 1, oldOnly: 1 });
    await restrictAuthority(svc, SYSTEM_ACTOR, ALL, officer.Xtwo!, 'suspension', { fromOn: '2027-03-31', reason: 'Complaint under investigation' });
    expect(await lambeth()).toMatchObject({ authorisedOnNew: 0, oldOnly: 1 });
  });

  it('sees a new device at once', async () => {
    await registerDevices(svc, SYSTEM_ACTOR, [{ serial: 'X2CACHE2', model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null }, inServiceOn: '2026-01-01' }]);
    expect((await lambeth()).devices).toBe(2);
    expect((await overview()).table.total).toBe(2);
  });

  it('works a new day out afresh: authority lapses on its anniversary with no change to the data', async () => {
    // Older's X26 initial (1 October 2026) stands; Xtwo's suspension is lifted by taking the
    // record of it away, and the day moves to 1 April 2027, when Xtwo's pass lapses.
    await svc.database.db.deleteFrom('authority_restriction').where('officer_id', '=', officer.Xtwo!).execute();
    expect(await lambeth()).toMatchObject({ authorisedOnNew: 1, oldOnly: 1 });
    now = new Date('2027-04-01T10:00:00Z');
    expect(await lambeth()).toMatchObject({ authorisedOnNew: 0, oldOnly: 1 });
    expect((await overview()).today).toBe('2027-04-01');
  });
});
