import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { shiftsBetween } from '../../src/db/repositories/shifts.js';
import { DEFAULT_CREWING_POLICY } from '../../src/domain/crewing/policy.js';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { CrewingPolicyChangedError, getCrewingPolicies, removeBoroughCrewingPolicy, updateCrewingPolicy } from '../../src/services/crewing-policy.js';
import { createOfficer } from '../../src/services/officers.js';
import { countShifts, importShifts } from '../../src/services/shifts.js';
import { openTestServices, plannerHasStatistics, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

const HEADER = 'collar_number,date,start,end,borough,team,call_sign';
const file = (...rows: string[]) => ({ fileName: '/tmp/roster/shifts.csv', bytes: new TextEncoder().encode([HEADER, ...rows].join('\n') + '\n'), source: 'cli' as const });
/** An audit entry's summary, stored as JSON text. */
const summaryOf = (e: { summary: unknown }) => JSON.parse(e.summary as string) as Record<string, unknown>;
const LEAD: Actor = { userId: null, label: 'lead@test.police.uk', grants: [{ role: 'programme_lead', boroughId: null }] };

describe.each(testDatabases())('importing shifts on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => new Date('2026-10-01T09:00:00Z') });
    f = await smallForce(svc);
    for (const collar of ['100LX', '200LX', '300CN']) await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, boroughId: f.boroughs.lambeth.id }));
  });
  afterAll(() => svc.cleanup());

  const db = () => svc.database.db;
  const auditTotal = async () => (await listAudit(db(), {}, { offset: 0, limit: 1 })).total;
  const all = () => shiftsBetween(db(), f.force.id, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z');

  const good = ['100LX,2026-10-24,22:00,06:00,Lambeth,Lambeth Emergency Response A,LX21', '200lx,24/10/2026,22:00,06:00,LX,,LX22', '300CN,2026-10-25,07:00,15:00,Camden,Territorial Support Group 1,'];

  it('checks a file on a dry run, storing nothing', async () => {
    const before = await auditTotal();
    expect(await importShifts(svc, SYSTEM_ACTOR, file(...good), { dryRun: true })).toEqual({
      ok: true,
      dryRun: true,
      read: 3,
      inserted: 3,
      replaced: 0,
      removed: 0,
      unchanged: 0,
      rejectedRows: 0,
      rejected: [],
      encoding: 'utf-8',
    });
    expect(await countShifts(svc)).toBe(0);
    expect(await auditTotal()).toBe(before);
  });

  it('stores a good file with its real instants (the night the clocks go back is 9 hours), with one audit entry', async () => {
    const progress: number[] = [];
    const r = await importShifts(svc, SYSTEM_ACTOR, file(...good), { onProgress: (done) => progress.push(done) });
    expect(r).toMatchObject({ ok: true, read: 3, inserted: 3, replaced: 0, unchanged: 0 });
    expect(progress.at(-1)).toBe(3);
    const shifts = await all();
    expect(shifts.map((s) => [s.startsAt, s.endsAt, s.boroughId, s.callSign, s.londonDate])).toEqual([
      ['2026-10-24T21:00:00.000Z', '2026-10-25T06:00:00.000Z', f.boroughs.lambeth.id, 'LX21', '2026-10-24'],
      ['2026-10-24T21:00:00.000Z', '2026-10-25T06:00:00.000Z', f.boroughs.lambeth.id, 'LX22', '2026-10-24'],
      ['2026-10-25T07:00:00.000Z', '2026-10-25T15:00:00.000Z', f.boroughs.camden.id, null, '2026-10-25'],
    ]);
    expect(shifts[2]!.teamId).toBe(f.teams.tsg.id);
    const { entries } = await listAudit(db(), { action: 'shift.import' }, { offset: 0, limit: 5 });
    expect(entries).toHaveLength(1);
    expect(summaryOf(entries[0]!)).toMatchObject({ source: 'cli', file: 'shifts.csv', read: 3, inserted: 3, replaced: 0, removed: 0, unchanged: 0, officers: 3 });
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await auditTotal();
    expect(await importShifts(svc, SYSTEM_ACTOR, file(...good))).toMatchObject({ ok: true, inserted: 0, replaced: 0, unchanged: 3 });
    expect(await all()).toHaveLength(3);
    expect(await auditTotal()).toBe(before + 1);
  });

  it('replaces a changed shift (same officer and start), audited with what it was', async () => {
    const [first] = await all();
    const r = await importShifts(svc, SYSTEM_ACTOR, file('100LX,2026-10-24,22:00,07:00,Camden,,CN5', good[1]!));
    expect(r).toMatchObject({ ok: true, inserted: 0, replaced: 1, unchanged: 1 });
    const changed = (await all()).find((s) => s.id === first!.id)!;
    expect(changed).toMatchObject({ endsAt: '2026-10-25T07:00:00.000Z', boroughId: f.boroughs.camden.id, teamId: null, callSign: 'CN5' });
    const { entries } = await listAudit(db(), { action: 'shift.replace' }, { offset: 0, limit: 5 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entityType: 'shift', entityId: first!.id });
    expect(summaryOf(entries[0]!)).toMatchObject({
      collarNumber: '100LX',
      changed: ['endsAt', 'boroughId', 'teamId', 'callSign'],
      before: { endsAt: '2026-10-25T06:00:00.000Z', boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id, callSign: 'LX21' },
      after: { endsAt: '2026-10-25T07:00:00.000Z', boroughId: f.boroughs.camden.id, teamId: null, callSign: 'CN5' },
      line: 2,
    });
  });

  it('takes away a stored shift of the officer that a row overlaps without matching (the roster moved it), audited', async () => {
    const moved = (await all()).find((s) => s.callSign === 'LX22')!;
    const r = await importShifts(svc, SYSTEM_ACTOR, file('200LX,2026-10-24,21:00,05:00,LX,,LX22'));
    expect(r).toMatchObject({ ok: true, inserted: 1, replaced: 0, removed: 1, unchanged: 0 });
    const now = (await all()).filter((s) => s.callSign === 'LX22');
    expect(now.map((s) => [s.startsAt, s.endsAt])).toEqual([['2026-10-24T20:00:00.000Z', '2026-10-25T05:00:00.000Z']]);
    const { entries } = await listAudit(db(), { action: 'shift.remove' }, { offset: 0, limit: 5 });
    expect(entries.map((e) => [e.entityId, summaryOf(e).startsAt, summaryOf(e).line])).toEqual([[moved.id, '2026-10-24T21:00:00.000Z', 2]]);
  });

  it('rejects a file with problems, naming each line and column, and stores nothing of it', async () => {
    const before = await auditTotal();
    const stored = await all();
    const r = await importShifts(
      svc,
      SYSTEM_ACTOR,
      file(
        '100LX,2026-11-01,07:00,15:00,Lambeth,,',
        '999XX,2026-11-01,07:00,15:00,Lambeth,,',
        '200LX,2026-11-01,07:00,15:00,Hackney,,',
        '300CN,2026-11-01,07:00,15:00,Lambeth,Night Team,',
        '200LX,2026-11-02,07:00,07:00,Lambeth,,',
      ),
    );
    expect(r).toMatchObject({ ok: false, read: 5, inserted: 0, replaced: 0, rejectedRows: 4 });
    expect(r.rejected.map((e) => [e.line, e.column])).toEqual([
      [3, 'collar_number'],
      [4, 'borough'],
      [5, 'team'],
      [6, 'end'],
    ]);
    expect(r.rejected[0]!.message).toContain('No officer with collar number "999XX"');
    expect(await all()).toEqual(stored);
    expect(await auditTotal()).toBe(before);
  });

  it('rejects a value with a NUL character by line and column, storing nothing (PostgreSQL cannot hold one in text)', async () => {
    const stored = await all();
    const r = await importShifts(svc, SYSTEM_ACTOR, file('100LX,2026-11-03,07:00,15:00,Lambeth,,LX\u000021'));
    expect(r).toMatchObject({ ok: false, read: 1, inserted: 0, rejectedRows: 1 });
    expect(r.rejected).toEqual([{ line: 2, column: 'call_sign', message: expect.stringContaining('There is a NUL character (U+0000) at character 3 of this value') }]);
    expect(await all()).toEqual(stored);
  });

  it('reads a file that arrives as a stream', async () => {
    const bytes = file('100LX,2026-11-03,07:00,15:00,Lambeth,,').bytes;
    async function* stream() {
      yield bytes.subarray(0, 20);
      yield bytes.subarray(20);
    }
    expect(await importShifts(svc, SYSTEM_ACTOR, { fileName: 'upload.csv', stream: stream(), source: 'api' })).toMatchObject({ ok: true, inserted: 1 });
  });

  it('refreshes the planner statistics of the shifts after a bulk import (10,000 rows or more), not before', async () => {
    const analysed = () => plannerHasStatistics(db(), kind, 'shift');
    const days = (from: number, n: number) => Array.from({ length: n }, (_, i) => `300CN,${new Date(Date.UTC(1950, 0, 1) + (from + i) * 86_400_000).toISOString().slice(0, 10)},07:00,15:00,Camden,,`);
    expect(await importShifts(svc, SYSTEM_ACTOR, file(...days(0, 9_999)))).toMatchObject({ ok: true, inserted: 9_999 });
    expect(await analysed()).toBe(false);
    expect(await importShifts(svc, SYSTEM_ACTOR, file(...days(9_999, 10_000)))).toMatchObject({ ok: true, inserted: 10_000 });
    expect(await analysed()).toBe(true);
  });
});

describe.each(testDatabases())('the crewing policy on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => new Date('2026-10-01T09:00:00Z') });
    f = await smallForce(svc);
  });
  afterAll(() => svc.cleanup());

  it('uses the defaults until the programme lead sets a policy', async () => {
    const p = await getCrewingPolicies(svc);
    expect(p.forceWide).toBeNull();
    expect(p.forBorough(f.boroughs.lambeth.id)).toEqual(DEFAULT_CREWING_POLICY);
  });

  it('sets the force-wide policy and a borough’s override, each audited with what it was, and refuses a stale revision', async () => {
    const forceWide = await updateCrewingPolicy(svc, LEAD, { boroughId: null, revision: null, policy: { ...DEFAULT_CREWING_POLICY, minimumCrews: 3 } });
    expect(forceWide).toMatchObject({ boroughId: null, minimumCrews: 3, revision: 0, updatedBy: 'lead@test.police.uk', updatedAt: '2026-10-01T09:00:00.000Z' });
    await expect(updateCrewingPolicy(svc, LEAD, { boroughId: null, revision: null, policy: DEFAULT_CREWING_POLICY })).rejects.toThrow(CrewingPolicyChangedError);
    const again = await updateCrewingPolicy(svc, LEAD, { boroughId: null, revision: 0, policy: { ...DEFAULT_CREWING_POLICY, minimumCrews: 4, soloRanks: ['Inspector'] } });
    expect(again).toMatchObject({ minimumCrews: 4, soloRanks: ['Inspector'], revision: 1 });
    await expect(updateCrewingPolicy(svc, LEAD, { boroughId: null, revision: 0, policy: DEFAULT_CREWING_POLICY })).rejects.toThrow(/changed by someone else/);

    await updateCrewingPolicy(svc, LEAD, { boroughId: f.boroughs.camden.id, revision: null, policy: { ...DEFAULT_CREWING_POLICY, carriersPerCrew: 2 } });
    const p = await getCrewingPolicies(svc);
    expect(p.forBorough(f.boroughs.lambeth.id)).toMatchObject({ minimumCrews: 4, carriersPerCrew: 1 });
    expect(p.forBorough(f.boroughs.camden.id)).toMatchObject({ minimumCrews: 2, carriersPerCrew: 2 });

    const { entries } = await listAudit(svc.database.db, { action: 'crewing_policy.update' }, { offset: 0, limit: 10 });
    expect(entries.map((e) => [e.entityId, (summaryOf(e).before as { minimumCrews: number } | null)?.minimumCrews ?? null])).toEqual([
      [f.boroughs.camden.id, null],
      [null, 3],
      [null, null],
    ]);

    await removeBoroughCrewingPolicy(svc, LEAD, f.boroughs.camden.id, 0);
    expect((await getCrewingPolicies(svc)).forBorough(f.boroughs.camden.id)).toMatchObject({ minimumCrews: 4, carriersPerCrew: 1 });
    expect((await listAudit(svc.database.db, { action: 'crewing_policy.remove' }, { offset: 0, limit: 10 })).total).toBe(1);
  });

  it('names the field of a wrong policy and an unknown borough, storing nothing', async () => {
    const err = await updateCrewingPolicy(svc, LEAD, { boroughId: null, revision: 1, policy: { ...DEFAULT_CREWING_POLICY, carriersPerCrew: 3, minimumCrews: -1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors.map((e) => e.field)).toEqual(['carriersPerCrew', 'minimumCrews']);
    await expect(updateCrewingPolicy(svc, LEAD, { boroughId: 'no-such-borough', revision: null, policy: DEFAULT_CREWING_POLICY })).rejects.toThrow(NotFoundError);
    expect((await getCrewingPolicies(svc)).forceWide).toMatchObject({ revision: 1, minimumCrews: 4 });
  });
});
