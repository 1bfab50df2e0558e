import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { briefing, briefingPeriods, CrewsChangedError, londonClock, periodStart, saveCrews, type CrewsInput } from '../../src/services/crews.js';
import { registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { importShifts } from '../../src/services/shifts.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';

/* Issue 14: the shift briefing's service — the proposal, saving crews, their checks and two sergeants at once. */
const NOW = '2027-03-31T20:45:00Z'; // 21:45 in London (BST): the night shift’s briefing (from 30 minutes before its start) is on
const START = '2027-03-31T21:00:00.000Z'; // 22:00 BST
const SGT: Actor = { userId: null, label: 'sgt@test.police.uk', grants: [{ role: 'supervisor', boroughId: null }] };

describe.each(testDatabases())('the shift briefing on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  const ids: Record<string, string> = {};
  const devices: Record<string, string> = {};
  let scope: { all: false; boroughIds: string[] };

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => new Date(NOW) });
    f = await smallForce(svc);
    scope = { all: false, boroughIds: [f.boroughs.lambeth.id] };
    const officers: [string, string, string, string | null][] = [
      ['800LX', 'Sergeant', 'Stone', '2026-12-01'],
      ['501LX', 'Police Constable', 'Adams', '2026-10-01'],
      ['502LX', 'Police Constable', 'Bell', '2026-04-01'], // lapses on 1 April 2027, mid-shift
      ['503LX', 'Police Constable', 'Cole', null],
      ['504LX', 'Police Constable', 'Dunn', null],
    ];
    for (const [collar, rank, lastName, passed] of officers) {
      const o = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, rank, boroughId: f.boroughs.lambeth.id, lastName }));
      ids[collar] = o.id;
      if (passed) await recordPasses(svc, [{ officerId: o.id, course: 'initial-x2', on: passed }]);
    }
    const made = await registerDevices(svc, SYSTEM_ACTOR, [
      { serial: 'X2L0001', model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null } },
      { serial: 'X2L0002', model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null } },
      { serial: 'X2C0001', model: 'X2', armoury: { boroughId: f.boroughs.camden.id, teamId: null } },
    ]);
    for (const [serial, id] of made) devices[serial] = id;
    const rows = ['800LX', '501LX', '502LX', '503LX', '504LX'].map((c) => `${c},2027-03-31,22:00,07:00,Lambeth,Lambeth Emergency Response A,`);
    const r = await importShifts(svc, SYSTEM_ACTOR, {
      fileName: 'shifts.csv',
      bytes: new TextEncoder().encode(['collar_number,date,start,end,borough,team,call_sign', ...rows].join('\n')),
      source: 'cli',
    });
    expect(r.ok).toBe(true);
  });
  afterAll(() => svc.cleanup());

  const q = () => ({ boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id, startsAt: START });
  const collars = (members: { officerId: string }[]) => members.map((m) => Object.entries(ids).find(([, id]) => id === m.officerId)![0]);

  it('reads a period from its London date and start time, and back', () => {
    expect(periodStart('2027-03-31', '22:00')).toBe(START);
    expect(londonClock(START)).toBe('22:00');
    expect(() => periodStart('31/03/2027', '25:00')).toThrow(ValidationError);
  });

  it('offers the shift whose briefing is on now', async () => {
    const { current, periods } = await briefingPeriods(svc, scope);
    expect(periods).toHaveLength(1);
    expect(current).toMatchObject({ boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id, startsAt: START, officers: 5, londonDate: '2027-03-31' });
  });

  it('proposes crews when none are saved: the solo sergeant carries, a pair with one carrier, the rest paired without a Taser', async () => {
    const b = await briefing(svc, scope, q());
    expect(b.saved).toBe(false);
    expect(b.revision).toBeNull();
    expect(b.period.key).toEqual({ date: '2027-03-31', time: '22:00' });
    expect(b.officers.map((o) => [o.officer.collarNumber, o.authorisedModels, o.lapses, o.mayDeployAlone])).toEqual([
      ['501LX', ['X2'], false, false],
      ['502LX', ['X2'], true, false],
      ['503LX', [], false, false],
      ['504LX', [], false, false],
      ['800LX', ['X2'], false, true],
    ]);
    expect(b.freeDevices.map((d) => d.serial)).toEqual(['X2L0001', 'X2L0002']);
    expect(b.crews.map((c) => [c.callSign, collars(c.members), c.members.map((m) => m.role), c.taser, c.lapses])).toEqual([
      ['LX1', ['800LX'], ['solo'], true, false],
      ['LX2', ['501LX', '503LX'], ['carrier', 'partner'], true, false],
      ['LX3', ['504LX', '502LX'], ['partner', 'partner'], false, false],
    ]);
    expect(b.taserCrews).toBe(2);
  });

  const crewsWith502Carrying = (revision: number | null): CrewsInput => ({
    ...q(),
    revision,
    crews: [
      { callSign: 'LX21', members: [{ officerId: ids['800LX']!, role: 'solo', deviceId: devices.X2L0001! }] },
      {
        callSign: 'LX22',
        members: [
          { officerId: ids['502LX']!, role: 'carrier', deviceId: devices.X2L0002! },
          { officerId: ids['503LX']!, role: 'partner', deviceId: null },
        ],
      },
      {
        callSign: 'LX23',
        members: [
          { officerId: ids['501LX']!, role: 'partner', deviceId: null },
          { officerId: ids['504LX']!, role: 'partner', deviceId: null },
        ],
      },
    ],
  });

  it('refuses crews with problems, naming each field, and stores nothing', async () => {
    const err = await saveCrews(svc, SGT, scope, {
      ...q(),
      revision: null,
      crews: [
        { callSign: 'LX21', members: [{ officerId: ids['504LX']!, role: 'solo', deviceId: null }] },
        {
          callSign: 'lx21',
          members: [
            { officerId: ids['503LX']!, role: 'carrier', deviceId: devices.X2L0001! },
            { officerId: ids['501LX']!, role: 'carrier', deviceId: devices.X2C0001! },
          ],
        },
        { callSign: '', members: [{ officerId: ids['501LX']!, role: 'partner', deviceId: null }] },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const fields = (err as ValidationError).errors.map((e) => e.field);
    expect(fields).toEqual([`role-${ids['504LX']}`, 'callSign-1', `device-${ids['503LX']}`, `device-${ids['501LX']}`, 'callSign-2', `crew-${ids['501LX']}`]);
    const messages = (err as ValidationError).errors.map((e) => e.message);
    expect(messages[0]).toContain('may not deploy alone under the crewing policy');
    expect(messages[1]).toBe('Crew 1 already has the call sign lx21: give each crew its own');
    expect(messages[2]).toContain('is not authorised to carry the X2 on 2027-03-31');
    expect(messages[3]).toBe('Device X2C0001 is not free in this armoury: choose a device in store');
    expect(messages[5]).toContain('is in crew 2 and crew 3: an officer is in one crew');
    expect((await briefing(svc, scope, q())).saved).toBe(false);
  });

  it('saves crews with one change from the proposal, audited, and shows them saved with the lapse flagged', async () => {
    const before = (await listAudit(svc.database.db, {}, { offset: 0, limit: 1 })).total;
    expect(await saveCrews(svc, SGT, scope, crewsWith502Carrying(null))).toEqual({ revision: 0, crews: 3, taserCrews: 2 });
    const b = await briefing(svc, scope, q());
    expect(b.saved).toBe(true);
    expect(b.revision).toBe(0);
    expect(b.savedBy).toBe('sgt@test.police.uk');
    expect(b.crews.map((c) => [c.callSign, collars(c.members), c.taser, c.lapses])).toEqual([
      ['LX21', ['800LX'], true, false],
      ['LX22', ['502LX', '503LX'], true, true],
      ['LX23', ['501LX', '504LX'], false, false],
    ]);
    const audit = await listAudit(svc.database.db, {}, { offset: 0, limit: 1 });
    expect(audit.total).toBe(before + 1);
    expect(audit.entries[0]).toMatchObject({ action: 'crews.save', entityType: 'crew', actorLabel: 'sgt@test.police.uk' });
  });

  it('lets one of two sergeants saving the same period at once win; the other is told and nothing of theirs is stored', async () => {
    const one = crewsWith502Carrying(0);
    const two = crewsWith502Carrying(0);
    two.crews[0]!.callSign = 'LX99';
    const results = await Promise.allSettled([saveCrews(svc, SGT, scope, one), saveCrews(svc, SGT, scope, two)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(CrewsChangedError);
    const b = await briefing(svc, scope, q());
    expect(b.revision).toBe(1);
    const won = results[0]!.status === 'fulfilled' ? 'LX21' : 'LX99';
    expect(b.crews.map((c) => c.callSign)).toContain(won);
    // A stale revision is refused afterwards too.
    await expect(saveCrews(svc, SGT, scope, crewsWith502Carrying(0))).rejects.toBeInstanceOf(CrewsChangedError);
  });

  it('refuses an officer already crewed on another team’s briefing of the same shift', async () => {
    // The whole borough's briefing of the same start: the officers are in the team's saved crews.
    const err = await saveCrews(svc, SGT, scope, { ...crewsWith502Carrying(null), teamId: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const errors = (err as ValidationError).errors;
    expect(errors.find((e) => e.field === `crew-${ids['800LX']}`)?.message).toMatch(/is already in crew LX(21|99), saved on another team's briefing of this shift/);
    // Its call signs are the team's crews' too: unique in the borough for the shift.
    expect(errors.find((e) => e.field === 'callSign-1')?.message).toBe("Another team's crew in Lambeth has the call sign LX22 for this shift: choose another");
  });

  it('lets one of two briefings of the same start (the team’s and the whole borough’s) saving the same officer and device at once win; the other is told, naming them', async () => {
    const next = '2027-04-01T21:00:00.000Z'; // the next night, 22:00 BST: nothing saved yet
    const r = await importShifts(svc, SYSTEM_ACTOR, {
      fileName: 'next.csv',
      bytes: new TextEncoder().encode(['collar_number,date,start,end,borough,team,call_sign', '800LX,2027-04-01,22:00,07:00,Lambeth,Lambeth Emergency Response A,'].join('\n')),
      source: 'cli',
    });
    expect(r.ok).toBe(true);
    const save = (teamId: string | null, callSign: string) =>
      saveCrews(svc, SGT, scope, {
        boroughId: f.boroughs.lambeth.id,
        teamId,
        startsAt: next,
        revision: null,
        crews: [{ callSign, members: [{ officerId: ids['800LX']!, role: 'solo', deviceId: devices.X2L0001! }] }],
      });
    const results = await Promise.allSettled([save(f.teams.lambethResponse.id, 'LX31'), save(null, 'LX32')]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    // Not a database error from the unique keys: both were checked, the loser again inside its transaction.
    expect(lost.reason).toBeInstanceOf(ValidationError);
    const won = results[0]!.status === 'fulfilled' ? 'LX31' : 'LX32';
    expect((lost.reason as ValidationError).errors).toEqual([
      {
        field: `crew-${ids['800LX']}`,
        message: expect.stringMatching(new RegExp(`^PS Asha Stone \\(800LX\\) is already in crew ${won}, saved (a moment ago )?on another team's briefing of this shift`)),
      },
    ]);
    const stored = await svc.database.db.selectFrom('crew_member').select(['officer_id', 'device_id']).where('starts_at', '=', next).execute();
    expect(stored).toEqual([{ officer_id: ids['800LX'], device_id: devices.X2L0001 }]);
  });

  it('leaves out of the whole borough’s proposal the officers and devices the team’s saved crews already have', async () => {
    const team = await briefing(svc, scope, q());
    const given = team.crews.flatMap((c) => c.members.map((m) => m.deviceId)).filter((x): x is string => x !== null);
    expect(given.length).toBeGreaterThan(0);
    const borough = await briefing(svc, scope, { ...q(), teamId: null });
    expect(borough.saved).toBe(false);
    expect(borough.officers.map((o) => [o.officer.collarNumber, o.crewedElsewhere])).toEqual(
      team.officers.map((o) => [o.officer.collarNumber, team.crews.find((c) => c.members.some((m) => m.officerId === o.officer.id))?.callSign ?? null]),
    );
    const proposed = new Set(borough.crews.flatMap((c) => c.members.map((m) => m.officerId)));
    for (const o of borough.officers) if (o.crewedElsewhere) expect(proposed.has(o.officer.id)).toBe(false);
    expect(borough.freeDevices.map((d) => d.id).filter((id) => given.includes(id))).toEqual([]);
  });

  it('keeps another borough’s sergeant out', async () => {
    await expect(briefing(svc, { all: false, boroughIds: [f.boroughs.camden.id] }, q())).rejects.toBeInstanceOf(NotFoundError);
    await expect(briefing(svc, scope, { ...q(), startsAt: '2027-03-31T05:00:00.000Z' })).rejects.toBeInstanceOf(NotFoundError);
  });
});

/*
 * The briefing list's window: shifts starting from a day before now to two days after it. The
 * periods are kept for a minute's requests from the next whole minute, which must select exactly
 * what a window from the instant itself would (shifts start on whole minutes).
 */
describe.each(testDatabases())('the briefing list’s window on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let now = new Date('2027-03-31T20:30:30Z'); // 21:30:30 BST
  const starts = async () => (await briefingPeriods(svc, { all: true })).periods.map((p) => p.startsAt);
  const shifts = (rows: string[]) =>
    importShifts(svc, SYSTEM_ACTOR, { fileName: 'shifts.csv', bytes: new TextEncoder().encode(['collar_number,date,start,end,borough,team,call_sign', ...rows].join('\n')), source: 'cli' });

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => now });
    f = await smallForce(svc);
    for (const collar of ['601LX', '602LX']) await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, boroughId: f.boroughs.lambeth.id }));
    const r = await shifts(['601LX,2027-03-30,21:30', '602LX,2027-03-30,21:31', '601LX,2027-04-02,21:30', '602LX,2027-04-02,21:31'].map((s) => `${s},23:00,Lambeth,,`));
    expect(r.ok).toBe(true);
  });
  afterAll(() => svc.cleanup());

  it('holds what starts from a day before the instant to two days after it, the same within a minute, and a new shift at once', async () => {
    // From 20:30:30Z on the 30th to 20:30:30Z on 2 April: 21:31 BST on the 30th and 21:30 BST on the 2nd.
    expect(await starts()).toEqual(['2027-03-30T20:31:00.000Z', '2027-04-02T20:30:00.000Z']);
    now = new Date('2027-03-31T20:31:00Z');
    expect(await starts()).toEqual(['2027-03-30T20:31:00.000Z', '2027-04-02T20:30:00.000Z']);
    now = new Date('2027-03-31T20:31:00.001Z');
    expect(await starts()).toEqual(['2027-04-02T20:30:00.000Z', '2027-04-02T20:31:00.000Z']);
    expect((await shifts(['601LX,2027-04-01,07:00,15:00,Lambeth,,'])).ok).toBe(true);
    expect(await starts()).toEqual(['2027-04-01T06:00:00.000Z', '2027-04-02T20:30:00.000Z', '2027-04-02T20:31:00.000Z']);
  });
});
