import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import type { Scope } from '../../src/domain/permissions.js';
import { ValidationError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer, getOfficer, listOfficers, updateOfficer } from '../../src/services/officers.js';
import { listTeamsWithCounts } from '../../src/services/organisation.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

const ALL = { all: true } as const;

describe.each(testDatabases())('officer services on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
  });
  afterAll(() => svc.cleanup());

  it('creates an officer and writes an audit entry in the same transaction', async () => {
    const o = await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }));
    expect(o.collarNumber).toBe('1234LX');
    const { entries } = await listAudit(svc.database.db, { entityId: o.id }, { offset: 0, limit: 10 });
    expect(entries.map((e) => e.action)).toEqual(['officer.create']);
  });

  it('rejects a duplicate collar number and stores nothing, audit included', async () => {
    const before = await listAudit(svc.database.db, {}, { offset: 0, limit: 1 });
    await expect(createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: '1234lx' }))).rejects.toMatchObject({
      errors: [{ field: 'collarNumber', message: expect.stringContaining('already used') }],
    });
    const after = await listAudit(svc.database.db, {}, { offset: 0, limit: 1 });
    expect(after.total).toBe(before.total);
  });

  it('names every invalid field', async () => {
    const err = await createOfficer(svc, SYSTEM_ACTOR, ALL, { collarNumber: '12 34', firstName: '', rank: 'Captain', joinedOn: '2023-02-30' }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors.map((e) => e.field).sort()).toEqual(['collarNumber', 'firstName', 'joinedOn', 'lastName', 'rank']);
  });

  it('refuses a team from another borough', async () => {
    const err = await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: '9', boroughId: f.boroughs.camden.id, teamId: f.teams.lambethResponse.id })).catch((e) => e);
    expect((err as ValidationError).errors).toEqual([{ field: 'teamId', message: expect.stringContaining('not a team in the officer') }]);
  });

  it('updates, recording only the fields that changed', async () => {
    const o = await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: '77CN', boroughId: f.boroughs.camden.id }));
    await updateOfficer(svc, SYSTEM_ACTOR, ALL, o.id, { ...officerFixture({ collarNumber: '77CN', boroughId: f.boroughs.camden.id }), rank: 'Sergeant' });
    expect((await getOfficer(svc, ALL, o.id)).rank).toBe('Sergeant');
    const { entries } = await listAudit(svc.database.db, { entityId: o.id, action: 'officer.update' }, { offset: 0, limit: 10 });
    expect(JSON.parse(entries[0]!.summary)).toEqual({ changes: { rank: { from: 'Police Constable', to: 'Sergeant' } } });
  });

  it('limits a borough-scoped reader to their borough', async () => {
    const scope: Scope = { all: false, boroughIds: [f.boroughs.lambeth.id] };
    const { officers } = await listOfficers(svc, scope, {}, { page: 1, pageSize: 50 });
    expect(officers.length).toBeGreaterThan(0);
    expect(officers.every((o) => o.boroughId === f.boroughs.lambeth.id)).toBe(true);
    const camden = (await listOfficers(svc, ALL, { boroughId: f.boroughs.camden.id }, { page: 1, pageSize: 50 })).officers[0]!;
    await expect(getOfficer(svc, scope, camden.id)).rejects.toThrow(/not found/);
  });

  it('searches by name or collar number, with wildcards taken literally', async () => {
    const r = await listOfficers(svc, ALL, { q: 'pat 1234' }, { page: 1, pageSize: 50 });
    expect(r.officers.map((o) => o.collarNumber)).toEqual(['1234LX']);
    expect((await listOfficers(svc, ALL, { q: '%' }, { page: 1, pageSize: 50 })).total).toBe(0);
  });

  it('counts what a filter matches afresh after any change to officers, even one written straight to the table', async () => {
    const active = async () => (await listOfficers(svc, ALL, { status: 'active' }, { page: 1, pageSize: 1 })).total;
    const before = await active();
    expect(await active()).toBe(before); // kept
    const o = await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: '7777LX', boroughId: f.boroughs.lambeth.id }));
    expect(await active()).toBe(before + 1);
    await svc.database.db.updateTable('officer').set({ status: 'left' }).where('id', '=', o.id).execute();
    expect(await active()).toBe(before);
  });

  it("counts a team's serving officers afresh after any change to officers, even one written straight to the table", async () => {
    const serving = async () => (await listTeamsWithCounts(svc, ALL)).find((t) => t.id === f.teams.lambethResponse.id)!.activeOfficers;
    const before = await serving();
    expect(await serving()).toBe(before); // kept
    const o = await createOfficer(svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber: '7778LX', boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }));
    expect(await serving()).toBe(before + 1);
    await svc.database.db.updateTable('officer').set({ team_id: null }).where('id', '=', o.id).execute();
    expect(await serving()).toBe(before);
  });
});
