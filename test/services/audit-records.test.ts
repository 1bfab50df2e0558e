import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { createAccount } from '../../src/services/accounts.js';
import { auditRecordsFor, idsNamedBy } from '../../src/services/audit-records.js';
import { SYSTEM_ACTOR, type Actor, type Services } from '../../src/services/context.js';
import { createOfficer, updateOfficer } from '../../src/services/officers.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { firedReport, recordingOfficer, recordReport } from '../support/report-fixtures.js';

/** The services with every query counted. */
function counting(svc: Services): { svc: Services; queries: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { svc: { ...svc, database: { ...svc.database, db: svc.database.db.withPlugin(plugin) } }, queries: () => n };
}

describe.each(testDatabases())('the names a page of audit entries needs, on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let admin: Actor;
  let reportId: string;

  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
    const { account } = await createAccount(
      svc,
      SYSTEM_ACTOR,
      { email: 'admin@test.police.uk', displayName: 'Alex Admin', roles: [{ role: 'administrator', boroughId: null }], officerId: null },
      'a long enough passphrase',
    );
    admin = { userId: account.id, label: account.email, grants: account.roles };
    const pc = await recordingOfficer(svc, f.boroughs.lambeth.id, { collarNumber: '2001LX', firstName: 'Ben', lastName: 'Okafor' });
    reportId = await recordReport(svc, pc, firedReport(f.boroughs.lambeth.id), new Date('2026-11-21T09:00:00Z'));
  });
  afterAll(() => svc.cleanup());

  it('finds the ids in the entry, its actor and known fields of its summary (changes, lists, role grants)', () => {
    const ids = idsNamedBy([
      { actorUserId: 'u1', entityType: 'officer', entityId: 'o1', summary: JSON.stringify({ changes: { teamId: { from: 't1', to: 't2' }, boroughId: { from: null, to: 'b1' } } }) },
      { actorUserId: null, entityType: 'training_session', entityId: 's1', summary: JSON.stringify({ after: { courseTypeId: 'c1', trainerIds: ['o2', 'o3'] }, results: [{ officerId: 'o4' }] }) },
      { actorUserId: null, entityType: 'account', entityId: 'u2', summary: JSON.stringify({ after: { roles: [{ role: 'supervisor', boroughId: 'b2' }], officerId: 'o5' } }) },
      { actorUserId: null, entityType: 'report', entityId: 'r1', summary: 'not json' },
    ]);
    expect([...ids.accounts].sort()).toEqual(['u1', 'u2']);
    expect([...ids.officers].sort()).toEqual(['o1', 'o2', 'o3', 'o4', 'o5']);
    expect([...ids.teams].sort()).toEqual(['t1', 't2']);
    expect([...ids.boroughs].sort()).toEqual(['b1', 'b2']);
    expect([...ids.courseTypes]).toEqual(['c1']);
    expect([...ids.sessions]).toEqual(['s1']);
    expect([...ids.reports]).toEqual(['r1']);
  });

  it('looks names up in bulk: one query per kind of record, however many entries the page has', async () => {
    const entriesNow = async () => (await listAudit(svc.database.db, {}, { offset: 0, limit: 500 })).entries;
    const before = await entriesNow();
    const first = counting(svc);
    const few = await auditRecordsFor(first.svc, before);
    // Twenty more officers, each created and then moved to a team by the administrator.
    const lastNames = Array.from({ length: 20 }, (_, i) => `Officer ${'abcdefghijklmnopqrst'[i]}`);
    for (const [i, lastName] of lastNames.entries()) {
      const o = await createOfficer(svc, admin, { all: true }, officerFixture({ collarNumber: `${3000 + i}LX`, lastName, boroughId: f.boroughs.lambeth.id }));
      await updateOfficer(svc, admin, { all: true }, o.id, officerFixture({ collarNumber: `${3000 + i}LX`, lastName, boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }));
    }
    const after = await entriesNow();
    expect(after.length).toBeGreaterThan(before.length + 39);
    const second = counting(svc);
    const many = await auditRecordsFor(second.svc, after);
    // One query for each kind of record the entries name (officers, accounts, teams…), not one per entry.
    const kindsNamed = (entries: typeof after) => Object.values(idsNamedBy(entries)).filter((ids) => ids.size > 0).length;
    expect(first.queries()).toBe(kindsNamed(before));
    expect(second.queries()).toBe(kindsNamed(after));
    expect(second.queries()).toBeLessThanOrEqual(6);
    expect(many.officers.size).toBe(few.officers.size + 20);
    expect([...many.officers.values()].map((o) => o.lastName)).toEqual(expect.arrayContaining(['Okafor', 'Officer a', 'Officer t']));
    expect(many.accounts.get(admin.userId!)).toEqual({ id: admin.userId, displayName: 'Alex Admin', email: 'admin@test.police.uk' });
    expect(many.teams.get(f.teams.lambethResponse.id)).toBe('Lambeth Emergency Response A');
    expect(many.boroughs.get(f.boroughs.lambeth.id)).toBe('Lambeth');
    expect(many.reports.get(reportId)).toMatchObject({ incidentReference: 'CAD 1234/28NOV', officer: { firstName: 'Ben', lastName: 'Okafor', collarNumber: '2001LX', rank: 'Police Constable' } });
    expect(many.forces.get(f.force.id)).toBe('Test Constabulary');
  });

  it('asks nothing of the database for a page with no entries', async () => {
    const c = counting(svc);
    const r = await auditRecordsFor(c.svc, []);
    expect(c.queries()).toBe(0);
    expect(r.officers.size).toBe(0);
  });
});
