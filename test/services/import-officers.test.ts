import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { countOfficers, findOfficerByCollar } from '../../src/db/repositories/officers.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { importOfficers } from '../../src/services/import-officers.js';
import { openTestServices, plannerHasStatistics, testDatabases, type TestServices } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const fixture = (name: string) => ({ fileName: path.join(FIXTURES, name), bytes: fs.readFileSync(path.join(FIXTURES, name)) });

describe.each(testDatabases())('importing officers on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
  });
  afterAll(() => svc.cleanup());

  const db = () => svc.database.db;
  const auditTotal = async () => (await listAudit(db(), {}, { offset: 0, limit: 1 })).total;
  const officerCount = () => countOfficers(db(), f.force.id);

  it('rejects a joining date in the future or before 1950 by line and column, storing nothing (issue 10)', async () => {
    const bytes = Buffer.from(['collar_number,first_name,last_name,rank,joined_on', '7001,Jo,Future,PC,2099-01-01', '7002,Al,Old,PC,01/01/1900', '7003,Ok,Fine,PC,2015-09-01'].join('\n'));
    const r = await importOfficers(svc, SYSTEM_ACTOR, { fileName: 'dates.csv', bytes });
    expect(r).toMatchObject({
      ok: false,
      rejected: 2,
      errors: [
        { line: 2, column: 'joined_on', message: expect.stringContaining('The joining date must be today or in the past') },
        { line: 3, column: 'joined_on', message: expect.stringContaining('The joining date must be on or after 1 January 1950') },
      ],
    });
    expect(await officerCount()).toBe(0);
  });

  it('checks a file without writing anything on a dry run', async () => {
    const before = await auditTotal();
    const r = await importOfficers(svc, SYSTEM_ACTOR, fixture('roster-good.csv'), { dryRun: true });
    expect(r).toMatchObject({ ok: true, rows: 5, created: 5, updated: 0, unchanged: 0 });
    expect(await officerCount()).toBe(0);
    expect(await auditTotal()).toBe(before);
  });

  it('creates the officers in a good file, with one audit entry for the import', async () => {
    const progress: number[] = [];
    const r = await importOfficers(svc, SYSTEM_ACTOR, fixture('roster-good.csv'), { onProgress: (done) => progress.push(done) });
    expect(r).toEqual({ ok: true, rows: 5, created: 5, updated: 0, unchanged: 0, encoding: 'utf-8' });
    expect(progress.at(-1)).toBe(5);
    expect(await officerCount()).toBe(5);

    expect(await findOfficerByCollar(db(), f.force.id, '102lx')).toMatchObject({
      firstName: 'Seán',
      lastName: "O'Brien",
      rank: 'Sergeant',
      boroughId: f.boroughs.lambeth.id,
      teamId: f.teams.tsg.id,
      status: 'active',
      joinedOn: '2012-04-01',
      leftOn: null,
    });
    expect(await findOfficerByCollar(db(), f.force.id, '104CN')).toMatchObject({ boroughId: f.boroughs.camden.id, teamId: null, status: 'left', leftOn: '2022-12-31' });

    const { entries } = await listAudit(db(), { action: 'officer.import' }, { offset: 0, limit: 10 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entityType: 'officer', entityId: null, actorLabel: 'system' });
    expect(JSON.parse(entries[0]!.summary)).toEqual({ file: 'roster-good.csv', created: 5, updated: 0, unchanged: 0 });
  });

  it('changes nothing when the same file is imported again', async () => {
    const r = await importOfficers(svc, SYSTEM_ACTOR, fixture('roster-good.csv'));
    expect(r).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: 5 });
    expect(await officerCount()).toBe(5);
    expect((await listAudit(db(), { action: 'officer.update' }, { offset: 0, limit: 10 })).total).toBe(0);
  });

  it('updates only the officers an edited file changes, auditing the changed fields', async () => {
    const r = await importOfficers(svc, SYSTEM_ACTOR, fixture('roster-edited.csv'));
    expect(r).toMatchObject({ ok: true, rows: 5, created: 0, updated: 2, unchanged: 3 });
    const asha = await findOfficerByCollar(db(), f.force.id, '101LX');
    const mei = await findOfficerByCollar(db(), f.force.id, '105');
    expect(asha?.rank).toBe('Sergeant');
    expect(mei).toMatchObject({ status: 'left', leftOn: '2024-03-31' });

    const { entries } = await listAudit(db(), { action: 'officer.update' }, { offset: 0, limit: 10 });
    const changes = new Map(entries.map((e) => [e.entityId, JSON.parse(e.summary).changes]));
    expect(changes).toEqual(
      new Map([
        [asha!.id, { rank: { from: 'Police Constable', to: 'Sergeant' } }],
        [mei!.id, { status: { from: 'active', to: 'left' }, leftOn: { from: null, to: '2024-03-31' } }],
      ]),
    );
    const imports = await listAudit(db(), { action: 'officer.import' }, { offset: 0, limit: 1 });
    expect(JSON.parse(imports.entries[0]!.summary)).toEqual({ file: 'roster-edited.csv', created: 0, updated: 2, unchanged: 3 });
  });

  it('writes nothing when one row is bad, and names its line and column', async () => {
    const [officers, audit] = [await officerCount(), await auditTotal()];
    const r = await importOfficers(svc, SYSTEM_ACTOR, fixture('roster-bad-row.csv'));
    expect(r).toMatchObject({ ok: false, rows: 4, rejected: 1 });
    expect(r.ok ? [] : r.errors).toEqual([{ line: 4, column: 'rank', message: expect.stringContaining('Select a rank') }]);
    expect(await officerCount()).toBe(officers);
    expect(await auditTotal()).toBe(audit);
  });

  it('rejects a value with a NUL character by line and column, writing nothing (PostgreSQL cannot hold one in text)', async () => {
    const [officers, audit] = [await officerCount(), await auditTotal()];
    const csv = 'collar_number,first_name,last_name,rank,joined_on\n401,Ada,Love\u0000lace,PC,2018-01-02\n';
    const r = await importOfficers(svc, SYSTEM_ACTOR, { fileName: 'roster-nul.csv', bytes: Buffer.from(csv) });
    expect(r.ok ? [] : r.errors).toEqual([{ line: 2, column: 'last_name', message: expect.stringContaining('There is a NUL character (U+0000) at character 5 of this value') }]);
    expect(await officerCount()).toBe(officers);
    expect(await auditTotal()).toBe(audit);
  });

  it('reports boroughs and teams that are unknown or do not fit together', async () => {
    const r = await importOfficers(svc, SYSTEM_ACTOR, fixture('roster-references.csv'));
    expect(r.ok ? [] : r.errors).toEqual([
      { line: 3, column: 'borough', message: expect.stringContaining('No borough called "Lamberth"') },
      { line: 4, column: 'team', message: expect.stringContaining('No team called "Camden Response Z"') },
      { line: 5, column: 'team', message: 'Lambeth Emergency Response A is not a team in Camden: choose a team in Camden or a force-wide team' },
      { line: 6, column: 'team', message: expect.stringContaining('is a team in Camden: enter Camden in the borough column') },
    ]);
    expect(await findOfficerByCollar(db(), f.force.id, '301')).toBeUndefined();
  });
});

describe.each(testDatabases())('a bulk import of officers on %s', (kind) => {
  let svc: TestServices;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    await smallForce(svc);
  });
  afterAll(() => svc.cleanup());

  it('refreshes the planner statistics of the officers after a bulk import (10,000 officers or more), not before', async () => {
    const roster = (from: number, n: number) => ({
      fileName: 'bulk.csv',
      bytes: Buffer.from(['collar_number,first_name,last_name,rank,joined_on', ...Array.from({ length: n }, (_, i) => `B${from + i},Bulk,Officer,PC,2015-09-01`)].join('\n')),
    });
    expect(await importOfficers(svc, SYSTEM_ACTOR, roster(0, 9_999))).toMatchObject({ ok: true, created: 9_999 });
    expect(await plannerHasStatistics(svc.database.db, kind, 'officer')).toBe(false);
    expect(await importOfficers(svc, SYSTEM_ACTOR, roster(9_999, 10_000))).toMatchObject({ ok: true, created: 10_000 });
    expect(await plannerHasStatistics(svc.database.db, kind, 'officer')).toBe(true);
  });
});
