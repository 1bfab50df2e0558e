import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SectionKey } from '../../src/domain/report/content.js';
import { MET_COLUMN_INDEX } from '../../src/domain/met/layout.js';
import { PeriodError } from '../../src/domain/stats/periods.js';
import { WorkflowError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/services/context.js';
import { DisclosureError, discardDraft, draftRelease, prepareRelease, publishedRelease, publishedReleases, publishRelease, releaseFile } from '../../src/services/releases.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport, recordingOfficer, recordReport } from '../support/report-fixtures.js';
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { importMetFile } from '../../src/services/met-import.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';

/** Values planted in every field that must never be published. */
const MARKERS = {
  reference: 'CAD 9911/MARKER',
  serial: 'X2MARKER77',
  cartridge: 'CMARKER55',
  justification: 'Marker-justification-text about the man',
  injury: 'Marker injury wound text',
  camera: 'BWV-MARKER-1',
  footage: 'EVID-MARKER-9',
};
const NOW = new Date('2026-11-28T10:00:00Z');

describe.each(testDatabases())('monthly releases on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let pc: Actor;
  const analyst: Actor = { userId: null, label: 'analyst@test', grants: [{ role: 'analyst', boroughId: null }] };

  async function recorded(date: string, time: string, over: Partial<Record<SectionKey, unknown>> = {}) {
    const base = firedReport(f.boroughs.lambeth.id, over);
    await recordReport(svc, pc, { ...base, incident: { ...(base.incident as object), date, time, reference: MARKERS.reference } }, new Date(`${date}T23:00:00Z`));
  }
  const marked = {
    ced: {
      deviceSerial: MARKERS.serial,
      applications: [
        {
          levels: ['fired'],
          fired: {
            cartridgeNumber: MARKERS.cartridge,
            totalCycles: 1,
            cycleInterrupted: false,
            cycleExtended: false,
            repeatCycleSameCartridge: false,
            missOneProbe: false,
            missBothProbes: false,
            probeLocations: ['F7'],
          },
        },
      ],
    },
    justification: { text: MARKERS.justification },
    bwv: { worn: true, switchedOn: 'before', notOnReason: null, cameraId: MARKERS.camera, footageRefs: [MARKERS.footage] },
  };

  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
    pc = await recordingOfficer(svc, f.boroughs.lambeth.id, { firstName: 'Zebedee', lastName: 'Markerton', collarNumber: '9876LX' });
    await recorded('2026-04-10', '14:37', marked);
    await recorded('2026-05-02', '09:05', { injuries: { ...(firedReport('x').injuries as object), subjectInjuryNature: MARKERS.injury } });
  });
  afterAll(() => svc.cleanup());

  it('refuses a month that has not ended, or is not a month, storing nothing', async () => {
    await expect(prepareRelease(svc, analyst, '2026-11', NOW)).rejects.toThrow(PeriodError);
    await expect(prepareRelease(svc, analyst, 'last month', NOW)).rejects.toThrow(/YYYY-MM/);
    expect(await draftRelease(svc)).toBeUndefined();
  });

  it('prepares a draft that the public cannot see, and publishes it as release 1', async () => {
    const draft = await prepareRelease(svc, analyst, '2026-05', NOW);
    expect(draft).toMatchObject({ status: 'draft', number: null, month: '2026-05', financialYear: '2026-27', rowsCount: 2 });
    expect(draft.snapshot.label).toBe('April to May 2026');
    expect(draft.snapshot.totals).toMatchObject({ total: 2, fired: 2, discharge: 2 });
    expect(draft.snapshot.months.map((m) => [m.key, m.counts.total])).toEqual([
      ['2026-04', 1],
      ['2026-05', 1],
    ]);
    expect(draft.snapshot.breakdowns.find((b) => b.dimension === 'borough')!.rows.find((r) => r.label === 'Lambeth')!.counts.total).toBe(2);
    expect(await publishedReleases(svc)).toEqual([]);

    const published = await publishRelease(svc, analyst, draft.id);
    expect(published).toMatchObject({ status: 'published', number: 1 });
    expect(published.revisions!.summary).toMatch(/first release/);
    await expect(publishRelease(svc, analyst, draft.id)).rejects.toThrow(WorkflowError);
    expect((await publishedRelease(svc, 1)).id).toBe(draft.id);
  });

  it('publishes nothing that identifies an officer, a device, an incident or a subject, and times only to the hour', async () => {
    const r = await publishedRelease(svc, 1);
    const texts: string[] = [];
    for (const name of ['uses.csv', 'uses.json', 'aggregates.csv', 'aggregates.json']) {
      const file = await releaseFile(svc, r.id, name);
      expect(gunzipSync(file.gzip).toString('utf8')).toBe(file.text());
      texts.push(file.text());
    }
    const all = texts.join('\n');
    for (const value of [...Object.values(MARKERS), 'Zebedee', 'Markerton', '9876LX', '14:37']) expect(all).not.toContain(value);
    const rows = parse(texts[0]!, { bom: true }) as string[][];
    expect(rows).toHaveLength(3);
    expect(rows.slice(1).map((row) => row[MET_COLUMN_INDEX.IncidentTime])).toEqual(['14:00:00', '09:00:00']);
    expect(rows[1]![MET_COLUMN_INDEX['CED Fired']]).toBe('Yes');
    expect(JSON.parse(texts[1]!).rows).toEqual(rows.slice(1));
  });

  it('keeps a published release as it was, and states the next release’s revisions', async () => {
    const first = await publishedRelease(svc, 1);
    const before = (await releaseFile(svc, first.id, 'aggregates.csv')).sha256;
    await recorded('2026-04-20', '10:00'); // a late report for April
    await recorded('2026-06-15', '18:30');

    const draft = await prepareRelease(svc, analyst, '2026-06', NOW);
    const second = await publishRelease(svc, analyst, draft.id);
    expect(second.number).toBe(2);
    expect(second.revisions!.months.map((m) => m.text)).toEqual(['April 2026: +1 late report']);
    expect(second.revisions!.summary).toBe('Revised since release 1 (May 2026): April 2026: +1 late report.');
    expect(second.snapshot.totals.total).toBe(4);

    const again = await publishedRelease(svc, 1);
    expect(again.snapshot).toEqual(first.snapshot);
    expect((await releaseFile(svc, first.id, 'aggregates.csv')).sha256).toBe(before);
    expect((await publishedReleases(svc)).map((r) => r.number)).toEqual([2, 1]);
    const json = JSON.parse((await releaseFile(svc, second.id, 'aggregates.json')).text());
    expect(json.release).toMatchObject({ number: 2, month: '2026-06', financialYear: '2026-27' });
    expect(json.revisions.months[0].text).toBe('April 2026: +1 late report');
  });

  it('replaces a draft when prepared again, and discards it', async () => {
    const a = await prepareRelease(svc, analyst, '2026-07', NOW);
    const b = await prepareRelease(svc, analyst, '2026-08', NOW);
    expect((await draftRelease(svc))!.id).toBe(b.id);
    expect(a.id).not.toBe(b.id);
    await discardDraft(svc, analyst);
    expect(await draftRelease(svc)).toBeUndefined();
    await expect(discardDraft(svc, analyst)).rejects.toThrow(/no draft/);
    await expect(publishedRelease(svc, 3)).rejects.toThrow(/not found/);
  });

  it('refuses to prepare a release that would publish a value outside the published categories, storing nothing', async () => {
    const [header, first] = parse(readFileSync(new URL('../fixtures/met/met-use-of-force-sample.csv', import.meta.url), 'utf8'), { bom: true }) as string[][];
    const row = [...first!];
    row[MET_COLUMN_INDEX.IncidentDate] = '2026-09-14';
    row[MET_COLUMN_INDEX.Borough] = 'Flat 2, 9 Acacia Road';
    const imported = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'odd-borough.csv', bytes: Buffer.from(writeMetCsv([row])) });
    expect(header![MET_COLUMN_INDEX.Borough]).toBe('Borough');
    expect(imported.imported).toBe(1);
    const before = await draftRelease(svc);
    const err = await prepareRelease(svc, analyst, '2026-09', NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DisclosureError);
    expect((err as DisclosureError).problems).toContainEqual({
      where: expect.stringMatching(/^uses\.csv line \d+, column Borough$/),
      message: '"Flat 2, 9 Acacia Road" is not one of the force\'s boroughs',
    });
    expect(await draftRelease(svc)).toEqual(before);
  });

  it('writes every change to the audit log', async () => {
    const actions = (await svc.database.db.selectFrom('audit_log').select('action').where('action', 'like', 'release.%').execute()).map((r) => r.action);
    expect(actions.filter((a) => a === 'release.publish')).toHaveLength(2);
    expect(actions).toContain('release.prepare');
    expect(actions).toContain('release.discard');
  });
});
