import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { findOfficerByCollar } from '../../src/db/repositories/officers.js';
import { insertTrainingRecords, listOfficerRecords } from '../../src/db/repositories/training.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { importOfficers } from '../../src/services/import-officers.js';
import { importTraining, NoCourseTypesError } from '../../src/services/import-training.js';
import { listCourseTypes, officerAuthority, seedNationalCourseTypes } from '../../src/services/training.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'training');
const fixture = (name: string) => ({ fileName: path.join(FIXTURES, name), bytes: fs.readFileSync(path.join(FIXTURES, name)) });
/** The fixtures' dates are in 2023-2025: "today" for these tests. */
const NOW = new Date('2025-06-01T12:00:00Z');
const ALL = { all: true } as const;

describe.each(testDatabases())('importing training records on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
    expect(await importOfficers(svc, SYSTEM_ACTOR, { fileName: 'officers.csv', bytes: fs.readFileSync(path.join(FIXTURES, 'officers.csv')) })).toMatchObject({ ok: true, created: 4 });
  });
  afterAll(() => svc.cleanup());

  const db = () => svc.database.db;
  const auditTotal = async () => (await listAudit(db(), {}, { offset: 0, limit: 1 })).total;
  const recordCount = async () =>
    Number(
      (
        await db()
          .selectFrom('training_record')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const officerId = async (collar: string) => (await findOfficerByCollar(db(), f.force.id, collar))!.id;

  it('says plainly when the force has no course types, storing nothing', async () => {
    const before = await auditTotal();
    await expect(importTraining(svc, SYSTEM_ACTOR, fixture('good.csv'), { now: NOW })).rejects.toThrow(NoCourseTypesError);
    await expect(importTraining(svc, SYSTEM_ACTOR, fixture('good.csv'), { now: NOW })).rejects.toThrow(/no course types yet.*--add-national-courses/);
    expect(await recordCount()).toBe(0);
    expect(await auditTotal()).toBe(before);
    expect(await seedNationalCourseTypes(svc, SYSTEM_ACTOR)).toBe(5);
  });

  it('checks a file without writing anything on a dry run', async () => {
    const before = await auditTotal();
    const r = await importTraining(svc, SYSTEM_ACTOR, fixture('good.csv'), { dryRun: true, now: NOW });
    expect(r).toEqual({ ok: true, dryRun: true, read: 8, inserted: 8, alreadyPresent: 0, rejectedRows: 0, rejected: [], encoding: 'utf-8' });
    expect(await recordCount()).toBe(0);
    expect(await auditTotal()).toBe(before);
  });

  it('stores every record of a good file, with one audit entry for the import', async () => {
    const progress: number[] = [];
    const r = await importTraining(svc, SYSTEM_ACTOR, fixture('good.csv'), { now: NOW, onProgress: (done) => progress.push(done) });
    expect(r).toEqual({ ok: true, dryRun: false, read: 8, inserted: 8, alreadyPresent: 0, rejectedRows: 0, rejected: [], encoding: 'utf-8' });
    expect(progress.at(-1)).toBe(8);
    expect(await recordCount()).toBe(8);

    const ben = await listOfficerRecords(db(), await officerId('302LX'));
    expect(ben.map((x) => [x.completedOn, x.courseName, x.result, x.reason, x.source, x.createdBy])).toEqual([
      ['2023-05-12', 'Initial CED course (X26)', 'pass', null, 'import', 'system'],
      ['2023-11-02', 'X26 to X2 conversion', 'pass', null, 'import', 'system'],
      ['2024-05-20', 'Annual CED refresher', 'fail', 'Did not meet the standard in the scenario assessment', 'import', 'system'],
      ['2024-06-03', 'Annual CED refresher', 'pass', null, 'import', 'system'],
    ]);
    const cara = await listOfficerRecords(db(), await officerId('303CN'));
    expect(cara).toMatchObject([{ result: 'did_not_finish', reason: 'Injured on day 2, to be rebooked' }]);

    const { entries } = await listAudit(db(), { action: 'training.import' }, { offset: 0, limit: 10 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entityType: 'training_record', entityId: null, actorLabel: 'system' });
    expect(JSON.parse(entries[0]!.summary)).toEqual({ source: 'csv', file: 'good.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), read: 8, inserted: 8, alreadyPresent: 0, officers: 4 });
  });

  it('adds nothing when the same file is imported again', async () => {
    const r = await importTraining(svc, SYSTEM_ACTOR, fixture('good.csv'), { now: NOW });
    expect(r).toMatchObject({ ok: true, read: 8, inserted: 0, alreadyPresent: 8 });
    expect(await recordCount()).toBe(8);
    const { entries } = await listAudit(db(), { action: 'training.import' }, { offset: 0, limit: 1 });
    expect(JSON.parse(entries[0]!.summary)).toMatchObject({ inserted: 0, alreadyPresent: 8 });
  });

  it('derives authority to carry from the imported records', async () => {
    const authority = async (collar: string) => {
      const a = await officerAuthority(svc, ALL, await officerId(collar), NOW);
      return Object.fromEntries(a.authorities.map((x) => [x.model, [x.status, x.expiresOn]]));
    };
    // Initial X2 course 2024-03-14, refresher 2025-03-10: a year from the refresher.
    expect(await authority('301LX')).toEqual({ X2: ['authorised', '2026-03-09'] });
    // X26 then converted to X2; a failed refresher, then passed two weeks later.
    expect(await authority('302LX')).toEqual({ X26: ['authorised', '2025-06-02'], X2: ['authorised', '2025-06-02'] });
    // Did not finish the initial course: not qualified for anything.
    const cara = await officerAuthority(svc, ALL, await officerId('303CN'), NOW);
    expect(cara.authorised).toBe(false);
    expect(cara.authorities.every((x) => !x.authorised)).toBe(true);
    // A year on, 302LX's refresher has lapsed.
    const later = await officerAuthority(svc, ALL, await officerId('302LX'), new Date('2025-06-03T12:00:00Z'));
    expect(later.authorities.find((x) => x.model === 'X2')).toMatchObject({ status: 'lapsed', authorised: false });
  });

  it('stores nothing when any row is bad, naming each line and column', async () => {
    const [records, audit] = [await recordCount(), await auditTotal()];
    const r = await importTraining(svc, SYSTEM_ACTOR, fixture('bad-rows.csv'), { now: NOW });
    expect(r).toMatchObject({ ok: false, read: 6, inserted: 0, alreadyPresent: 0, rejectedRows: 5 });
    expect(r.rejected).toEqual([
      { line: 3, column: 'collar_number', message: 'No officer with collar number 999ZZ in Cedar: check the number, or import the officer first' },
      {
        line: 4,
        column: 'course_code',
        message: expect.stringMatching(/^No course with the code initial-x3 in Cedar: the codes are conversion-taser7, conversion-x26-x2, initial-x2, initial-x26, refresher$/),
      },
      { line: 5, column: 'completed_on', message: 'There is no day 2024-02-30: check the day and the month' },
      { line: 6, column: 'reason', message: 'Give the reason the officer did not pass' },
      { line: 7, column: 'collar_number', message: 'The same record is on line 2: list each course an officer completed once' },
    ]);
    expect(await recordCount()).toBe(records);
    expect(await auditTotal()).toBe(audit);
  });

  it('rejects a value with a NUL character by line and column, storing nothing (PostgreSQL cannot hold one in text)', async () => {
    const [records, audit] = [await recordCount(), await auditTotal()];
    const csv = 'collar_number,course_code,completed_on,result,reason\n301LX,initial-x2,2024-03-14,fail,Did not\u0000 pass\n';
    const r = await importTraining(svc, SYSTEM_ACTOR, { fileName: 'nul.csv', bytes: new TextEncoder().encode(csv) }, { now: NOW });
    expect(r).toMatchObject({ ok: false, read: 1, inserted: 0, rejectedRows: 1 });
    expect(r.rejected).toEqual([{ line: 2, column: 'reason', message: expect.stringContaining('There is a NUL character (U+0000) at character 8 of this value') }]);
    expect(await recordCount()).toBe(records);
    expect(await auditTotal()).toBe(audit);
  });

  it('refuses a file in another layout at once, naming the columns', async () => {
    const r = await importTraining(svc, SYSTEM_ACTOR, fixture('wrong-header.csv'), { now: NOW });
    expect(r).toMatchObject({ ok: false, read: 1, rejectedRows: 0 });
    expect(r.rejected.map((e) => [e.line, e.column])).toEqual([
      [1, 'collar_number'],
      [1, 'completed_on'],
      [1, 'collar'],
      [1, 'date'],
      [1, 'notes'],
    ]);
  });

  it('takes records as JSON with the same checks, naming index and field', async () => {
    const records = [
      { collarNumber: '301lx', courseCode: 'initial-x2', completedOn: '2024-03-14', result: 'pass' },
      { collarNumber: '304CN', courseCode: 'refresher', completedOn: '2025-05-30', result: 'pass' },
      { collarNumber: '301LX', courseCode: 'refresher', completedOn: '2025-03-10', result: 'fail', reason: 'Typed wrongly' },
      { collarNumber: '404', courseCode: 'refresher', completedOn: '2025-07-01', result: 'pass' },
    ];
    const bad = await importTraining(svc, SYSTEM_ACTOR, { records }, { now: NOW });
    expect(bad).toMatchObject({ ok: false, read: 4, rejectedRows: 2, encoding: null });
    expect(bad.rejected).toEqual([
      { line: 2, column: 'result', message: 'Cedar already records pass for 301LX on refresher on 2025-03-10: a record is never overwritten, so correct this record or leave it out' },
      { line: 3, column: 'completedOn', message: expect.stringContaining('after today (2025-06-01)') },
    ]);
    expect(await recordCount()).toBe(8);

    const good = await importTraining(svc, SYSTEM_ACTOR, { records: records.slice(0, 2) }, { now: NOW });
    expect(good).toMatchObject({ ok: true, read: 2, inserted: 1, alreadyPresent: 1 });
    const { entries } = await listAudit(db(), { action: 'training.import' }, { offset: 0, limit: 1 });
    expect(JSON.parse(entries[0]!.summary)).toEqual({ source: 'api', read: 2, inserted: 1, alreadyPresent: 1, officers: 1 });
  });

  it('counts a result recorded from a session as already present', async () => {
    const cara = await officerId('303CN');
    const refresher = (await listCourseTypes(svc)).find((c) => c.code === 'refresher')!;
    await insertTrainingRecords(
      db(),
      f.force.id,
      'trainer',
      [{ officerId: cara, courseTypeId: refresher.id, completedOn: '2025-02-01', result: 'fail', reason: 'Session result', sessionId: null, source: 'session', sourceKey: null }],
      svc.now().toISOString(),
    );
    const same = await importTraining(
      svc,
      SYSTEM_ACTOR,
      { records: [{ collarNumber: '303CN', courseCode: 'refresher', completedOn: '2025-02-01', result: 'fail', reason: 'From the old system' }] },
      { now: NOW },
    );
    expect(same).toMatchObject({ ok: true, inserted: 0, alreadyPresent: 1 });
    const other = await importTraining(svc, SYSTEM_ACTOR, { records: [{ collarNumber: '303CN', courseCode: 'refresher', completedOn: '2025-02-01', result: 'pass' }] }, { now: NOW });
    expect(other.rejected).toEqual([{ line: 0, column: 'result', message: expect.stringContaining('Cedar already records fail for 303CN') }]);
  });

  it('reads a large file with a few batched look-ups, all or nothing', async () => {
    // 3,000 rows for the 4 officers: one bad row at the end stops them all.
    const lines = ['collar_number,course_code,completed_on,result,reason'];
    const start = Date.parse('2010-01-01T00:00:00Z');
    for (let i = 0; i < 3000; i++) lines.push(`${['301LX', '302LX', '303CN', '304CN'][i % 4]},refresher,${new Date(start + Math.floor(i / 4) * 86_400_000).toISOString().slice(0, 10)},pass,`);
    const before = await recordCount();
    const bad = await importTraining(svc, SYSTEM_ACTOR, { fileName: 'big.csv', bytes: Buffer.from([...lines, '301LX,refresher,2011-13-01,pass,'].join('\n')) }, { now: NOW });
    expect(bad).toMatchObject({ ok: false, read: 3001, rejectedRows: 1, rejected: [{ line: 3002, column: 'completed_on' }] });
    expect(await recordCount()).toBe(before);
    const good = await importTraining(svc, SYSTEM_ACTOR, { fileName: 'big.csv', bytes: Buffer.from(lines.join('\n')) }, { now: NOW });
    expect(good).toMatchObject({ ok: true, read: 3000, inserted: 3000, alreadyPresent: 0 });
    expect(await recordCount()).toBe(before + 3000);
  });
});
