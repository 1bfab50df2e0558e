/**
 * Publishing releases the public can trust: only months from the force's first recorded use
 * to the last month that has ended; identical figures only with a confirmation; a wrong
 * release corrected in the open by one that supersedes it; the audit log's head published
 * with each release; formulas neutralised in aggregates.csv; and every release write safe
 * when two happen at once. Both databases, at a fixed date.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertBoroughs } from '../../src/db/repositories/organisation.js';
import { MET_COLUMN_INDEX } from '../../src/domain/met/layout.js';
import { PeriodError } from '../../src/domain/stats/periods.js';
import { ValidationError, WorkflowError } from '../../src/domain/errors.js';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { currentAuditHead, verifyAuditLog } from '../../src/services/audit.js';
import { fixedClock, SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { importMetFile } from '../../src/services/met-import.js';
import {
  currentRelease,
  discardDraft,
  draftRelease,
  IdenticalFiguresError,
  prepareRelease,
  publicationPreview,
  publishedRelease,
  publishedReleases,
  publishRelease,
  releaseFile,
  releaseFiles,
  releaseMonths,
  supersedeRelease,
} from '../../src/services/releases.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { createOfficer } from '../../src/services/officers.js';

const NOW = '2026-11-28T10:00:00Z';
const analyst: Actor = { userId: null, label: 'analyst@test', grants: [{ role: 'analyst', boroughId: null }] };
const SAMPLE = parse(readFileSync(new URL('../fixtures/met/met-use-of-force-sample.csv', import.meta.url), 'utf8'), { bom: true }) as string[][];

/** The sample's rows in which a Taser was used (drawn and aimed, fired, red-dotted). */
const TASER_ROWS = [12, 14, 29, 30].map((i) => SAMPLE[i]!);

/** Imports one historical use of Taser per date, in the given borough (each at its own time, so none is a duplicate). */
let imported = 0;
async function importUses(svc: TestServices, dates: string[], borough = 'Lambeth'): Promise<void> {
  const rows = dates.map((date) => {
    const n = imported++;
    const row = [...TASER_ROWS[n % TASER_ROWS.length]!];
    row[MET_COLUMN_INDEX.IncidentDate] = date;
    row[MET_COLUMN_INDEX.IncidentTime] = `${String(n % 24).padStart(2, '0')}:${String(Math.floor(n / 24) % 60).padStart(2, '0')}`;
    row[MET_COLUMN_INDEX.Borough] = borough;
    return row;
  });
  const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: `uses-${imported}.csv`, bytes: Buffer.from(writeMetCsv(rows)) });
  expect(r.rejected, JSON.stringify(r.rejects)).toBe(0);
}

describe.each(testDatabases())('publishing releases on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock(NOW) });
    f = await smallForce(svc);
    await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id })); // Asha Patel, 1234LX
  });
  afterAll(() => svc.cleanup());

  it('releases nothing while no use of force is recorded, and says so', async () => {
    expect(await releaseMonths(svc)).toBeNull();
    const err = await prepareRelease(svc, analyst, '2026-10').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeriodError);
    expect((err as Error).message).toMatch(/No uses of force are recorded yet, so there is nothing to release/);
    expect(await draftRelease(svc)).toBeUndefined();
  });

  it('refuses April 1999 and months that have not ended, naming the months that may be released, and stores nothing', async () => {
    await importUses(svc, ['2026-04-03', '2026-04-20', '2026-05-09']);
    expect(await releaseMonths(svc)).toEqual({ first: '2026-04', last: '2026-10' });
    const cases: [string, RegExp][] = [
      ['1999-04', /^April 1999 is before the force's first recorded use of force \(April 2026\)\. Choose a month from April 2026 to October 2026$/],
      ['2026-03', /^March 2026 is before the force's first recorded use of force/],
      ['2026-11', /^November 2026 has not ended yet: a release covers whole months\. Choose a month from April 2026 to October 2026$/],
    ];
    for (const [month, message] of cases) {
      const err = await prepareRelease(svc, analyst, month).catch((e: unknown) => e);
      expect(err, month).toBeInstanceOf(PeriodError);
      expect((err as Error).message, month).toMatch(message);
    }
    expect(await draftRelease(svc)).toBeUndefined();
    expect(await publishedReleases(svc)).toEqual([]);
  });

  it('asks for a confirmation before publishing figures identical to a release already published for the month', async () => {
    const first = await publishRelease(svc, analyst, (await prepareRelease(svc, analyst, '2026-05')).id);
    expect(first.number).toBe(1);

    const again = await prepareRelease(svc, analyst, '2026-05');
    const preview = await publicationPreview(svc, again.id);
    expect(preview).toMatchObject({ number: 2, identicalTo: 1, previous: { number: 1 }, problem: null });
    const err = await publishRelease(svc, analyst, again.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdenticalFiguresError);
    expect((err as Error).message).toMatch(/same figures as release 1 \(April to May 2026\)/);
    expect((await draftRelease(svc))!.id).toBe(again.id); // still a draft: nothing published
    expect((await publishedReleases(svc)).map((r) => r.number)).toEqual([1]);

    const confirmed = await publishRelease(svc, analyst, again.id, { confirmIdentical: true });
    expect(confirmed.number).toBe(2);
    const entry = await svc.database.db.selectFrom('audit_log').select('summary').where('entity_id', '=', again.id).where('action', '=', 'release.publish').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.summary)).toMatchObject({ number: 2, sameFiguresAs: 1, confirmed: true });

    // A later month is not "the same figures", even with no new uses in it.
    const june = await prepareRelease(svc, analyst, '2026-06');
    expect((await publicationPreview(svc, june.id)).identicalTo).toBeNull();
    expect((await publishRelease(svc, analyst, june.id)).number).toBe(3);
  });

  it('publishes the audit log’s head with each release, in the record and in aggregates.json', async () => {
    const draft = await prepareRelease(svc, analyst, '2026-07');
    const before = await currentAuditHead(svc);
    const r = await publishRelease(svc, analyst, draft.id);
    expect(r.auditHead).toEqual(before);
    expect(r.auditHead!.hash).toMatch(/^[0-9a-f]{64}$/);
    const json = JSON.parse((await releaseFile(svc, r.id, 'aggregates.json')).text());
    expect(json.auditHead).toMatchObject(before);
    const check = await verifyAuditLog(svc);
    expect(check.ok).toBe(true);
    expect(check.heads.map((h) => h.source)).toEqual(['release 1', 'release 2', 'release 3', 'release 4']);
  });

  it('corrects a published release in the open: a new release supersedes it with the reason, and nothing is deleted', async () => {
    const wrong = await publishedRelease(svc, 4);
    const wrongFiles = await releaseFiles(svc, wrong.id);
    await importUses(svc, ['2026-07-14', '2026-07-15']); // the uses the July release missed

    await expect(supersedeRelease(svc, analyst, 4, 'wrong')).rejects.toThrow(ValidationError);
    const named = await supersedeRelease(svc, analyst, 4, 'PC Asha Patel recorded two uses late').catch((e: unknown) => e);
    expect(named).toBeInstanceOf(ValidationError);
    expect((named as ValidationError).errors[0]).toMatchObject({ field: 'reason', message: expect.stringMatching(/write it without naming anyone.*officer name/) });
    await expect(supersedeRelease(svc, analyst, 99, 'Two uses in July were left out')).rejects.toThrow(/not found/);

    const draft = await supersedeRelease(svc, analyst, 4, '  Two uses of force in July were left out ');
    expect(draft).toMatchObject({ status: 'draft', month: '2026-07', supersedes: { number: 4, reason: 'Two uses of force in July were left out' } });
    expect((await currentRelease(svc))!.number).toBe(4); // nothing changes for the public until it is published
    const preview = await publicationPreview(svc, draft.id);
    expect(preview.previous).toMatchObject({ number: 4 });
    expect(preview.revisions.months.map((m) => m.text)).toEqual(['July 2026: +2 late reports']);

    // Another prepare does not silently replace a correction.
    await expect(prepareRelease(svc, analyst, '2026-08')).rejects.toThrow(/corrects release 4 .*publish it or discard it/);

    const fixed = await publishRelease(svc, analyst, draft.id);
    expect(fixed).toMatchObject({ number: 5, supersedes: { number: 4, reason: 'Two uses of force in July were left out' }, supersededBy: null });
    expect(fixed.revisions!.previous).toEqual({ number: 4, month: '2026-07' });
    const old = await publishedRelease(svc, 4);
    expect(old.supersededBy).toEqual({ number: 5, reason: 'Two uses of force in July were left out' });
    expect(old.snapshot).toEqual(wrong.snapshot);
    expect(await releaseFiles(svc, wrong.id)).toEqual(wrongFiles);
    expect((await currentRelease(svc))!.number).toBe(5);
    expect((await publishedReleases(svc)).map((r) => r.number)).toEqual([5, 4, 3, 2, 1]);
    const json = JSON.parse((await releaseFile(svc, fixed.id, 'aggregates.json')).text());
    expect(json.supersedes).toEqual({ number: 4, reason: 'Two uses of force in July were left out' });

    await expect(supersedeRelease(svc, analyst, 4, 'Another reason for a correction')).rejects.toThrow(/already corrected by release 5/);
  });

  it('never makes a superseded release, or an earlier month, the current release', async () => {
    // Correct release 3 (June) while release 5 (July) is current: the correction is published, July stays current.
    await importUses(svc, ['2026-06-30']);
    const june = await publishRelease(svc, analyst, (await supersedeRelease(svc, analyst, 3, 'A use of force in June was left out')).id);
    expect(june.number).toBe(6);
    expect((await currentRelease(svc))!.number).toBe(5);
    expect((await publishedRelease(svc, 3)).supersededBy).toMatchObject({ number: 6 });
  });

  it('neutralises formulas in aggregates.csv', async () => {
    const [evil] = await insertBoroughs(svc.database.db, f.force.id, [{ name: '=HYPERLINK("http://evil.example","x")', code: 'EV' }], svc.now().toISOString());
    await importUses(svc, ['2026-08-02'], evil!.name);
    const r = await publishRelease(svc, analyst, (await prepareRelease(svc, analyst, '2026-08')).id);
    const csv = (await releaseFile(svc, r.id, 'aggregates.csv')).text();
    const rows = parse(csv) as string[][];
    const borough = rows.find((row) => row[1]!.includes('HYPERLINK'))!;
    expect(borough[1]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(rows.every((row) => !/^[=+\-@\t\r]/.test(row[0]!) && !/^[=+\-@\t\r]/.test(row[1]!))).toBe(true);
  });

  it('refuses to publish a draft outside the months that may be released (one stored before the check existed)', async () => {
    const d = await prepareRelease(svc, analyst, '2026-09');
    await svc.database.db.updateTable('release').set({ month: '1999-04' }).where('id', '=', d.id).execute();
    await expect(publishRelease(svc, analyst, d.id)).rejects.toThrow(/April 1999, which cannot be released/);
    await discardDraft(svc, analyst);
  });

  it('leaves the audit log intact through all of it', async () => {
    expect((await verifyAuditLog(svc)).ok).toBe(true);
  });
});

describe.each(testDatabases())('release writes at the same time on %s', (kind) => {
  let svc: TestServices;

  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: fixedClock(NOW) });
    await smallForce(svc);
    await importUses(svc, ['2026-04-05', '2026-05-06', '2026-06-07']);
  });
  afterAll(() => svc.cleanup());

  const files = async (id: string) => (await releaseFiles(svc, id)).map((x) => x.name).sort();

  it('publishes a draft once when two people publish it at once: the other is told', async () => {
    const draft = await prepareRelease(svc, analyst, '2026-04');
    const results = await Promise.allSettled([publishRelease(svc, analyst, draft.id), publishRelease(svc, analyst, draft.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(WorkflowError);
    expect(String(lost.reason.message)).toMatch(/already published|published or discarded by someone else/);
    expect((await publishedReleases(svc)).map((r) => r.number)).toEqual([1]);
    expect(await files(draft.id)).toEqual(['aggregates.csv', 'aggregates.json', 'uses.csv', 'uses.json']);
    const entries = await svc.database.db.selectFrom('audit_log').select('id').where('action', '=', 'release.publish').execute();
    expect(entries).toHaveLength(1);
  });

  it('loses nothing when a release is prepared while the draft is being published', async () => {
    for (let round = 0; round < 3; round++) {
      const draft = await prepareRelease(svc, analyst, '2026-05');
      const [published, prepared] = await Promise.allSettled([publishRelease(svc, analyst, draft.id, { confirmIdentical: true }), prepareRelease(svc, analyst, '2026-06')]);
      expect(prepared.status).toBe('fulfilled');
      if (published.status === 'fulfilled') {
        // Published first: the release keeps every file, and the new draft is separate.
        expect(await files(draft.id)).toEqual(['aggregates.csv', 'aggregates.json', 'uses.csv', 'uses.json']);
        expect((await draftRelease(svc))!.id).not.toBe(draft.id);
      } else {
        // Replaced first: the publisher is told, nothing was published.
        expect(published.reason).toBeInstanceOf(WorkflowError);
        expect(String((published.reason as Error).message)).toMatch(/replaced or discarded/);
      }
      await discardDraft(svc, analyst);
    }
    for (const r of await publishedReleases(svc)) expect(await files(r.id), `release ${r.number}`).toEqual(['aggregates.csv', 'aggregates.json', 'uses.csv', 'uses.json']);
  });

  it.runIf(kind === 'postgres')('keeps the published release whole when a prepare waits on the same draft (PostgreSQL, forced interleaving)', async () => {
    // Hold the draft's row so the publish waits on it; then start a prepare and let both go.
    // Without a lock around release changes the prepare deleted the draft's uses files
    // while the publish was under way, and the published release lost them.
    const draft = await prepareRelease(svc, analyst, '2026-05');
    const db = svc.database.db;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const holder = db.transaction().execute(async (trx) => {
      await trx.selectFrom('release').select('id').where('id', '=', draft.id).forUpdate().execute();
      await held;
    });
    const waiting = async (n: number) => {
      for (let i = 0; i < 200; i++) {
        const r = await db
          .selectFrom('pg_locks' as never)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('granted' as never, '=', false as never)
          .executeTakeFirstOrThrow();
        if (Number((r as { n: number }).n) >= n) return;
        await new Promise((res) => setTimeout(res, 25));
      }
    };
    const publishing = publishRelease(svc, analyst, draft.id, { confirmIdentical: true });
    await waiting(1);
    const preparing = prepareRelease(svc, analyst, '2026-06');
    await new Promise((res) => setTimeout(res, 300)); // the prepare counts, then waits on its lock
    await waiting(2);
    release();
    await holder;
    const [published, prepared] = await Promise.allSettled([publishing, preparing]);
    expect(published.status).toBe('fulfilled');
    expect(prepared.status).toBe('fulfilled');
    expect(await files(draft.id)).toEqual(['aggregates.csv', 'aggregates.json', 'uses.csv', 'uses.json']);
    await discardDraft(svc, analyst);
  });

  it('lets only one of two people supersede the same release at once: the other is told', async () => {
    const target = (await publishedReleases(svc))[0]!;
    const results = await Promise.allSettled([
      supersedeRelease(svc, analyst, target.number!, 'The first analyst found a miscount'),
      supersedeRelease(svc, analyst, target.number!, 'The second analyst found a miscount'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(WorkflowError);
    expect(String(lost.reason.message)).toMatch(new RegExp(`Release ${target.number} is already being corrected`));
    const draft = (await draftRelease(svc))!;
    expect(draft.supersedes!.number).toBe(target.number);
    const rows = await svc.database.db.selectFrom('release').select('id').where('supersedes', '=', target.number).execute();
    expect(rows).toHaveLength(1);
    expect((await verifyAuditLog(svc)).ok).toBe(true);
  });
});
