import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupedReports } from '../../src/db/repositories/reports.js';
import { writeMetCsv } from '../../src/domain/met/write.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { importMetFile } from '../../src/services/met-import.js';
import { amendReport, saveSection, startReport, submitReport } from '../../src/services/reports.js';
import { countedReports, homeOfficeReturn, statistics } from '../../src/services/statistics.js';
import { breakdown, countCed, DIMENSION_KEYS, MULTI_VALUED_DIMENSIONS, NOT_RECORDED } from '../../src/domain/stats/counting.js';
import { parsePeriod } from '../../src/domain/stats/periods.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport, recordingOfficer, recordReport } from '../support/report-fixtures.js';

describe.each(testDatabases())('statistics and the Home Office return on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let pc: Actor;

  async function recorded(over: Partial<Record<SectionKey, unknown>>, submit = true) {
    const r = await startReport(svc, pc);
    for (const [k, v] of Object.entries(firedReport(f.boroughs.lambeth.id, over))) if (v !== undefined) await saveSection(svc, pc, r.id, k as SectionKey, v);
    if (submit) await submitReport(svc, pc, r.id, new Date('2026-11-27T12:00:00Z'));
  }
  const incident = (date: string, time: string) => ({ incident: { reference: `CAD ${date}-${time.replace(':', '')}`, date, time, boroughId: f.boroughs.lambeth.id, locations: ['street'] } });
  const noTaser = { tactics: { tactics: [{ tactic: 'compliant_handcuffing', effective: true }], cedUsed: false, firearmsAimed: false, firearmsFired: false }, justification: undefined };
  const redDot = {
    tactics: { tactics: [{ tactic: 'ced_red_dotted', effective: true }], cedUsed: true, firearmsAimed: false, firearmsFired: false },
    ced: { deviceSerial: 'X1', applications: [{ levels: ['red_dotted'] }] },
    subject: { ageBand: '11-17', gender: 'female', ethnicity: 'black', physicalDisability: false, mentalDisability: false },
  };

  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
    pc = await recordingOfficer(svc, f.boroughs.lambeth.id);
    await recorded(incident('2025-05-10', '14:00')); // fired
    await recorded({ ...incident('2025-06-01', '09:00'), ...redDot }); // red-dot
    await recorded({ ...incident('2025-07-01', '09:00'), ...noTaser }); // no Taser: not counted
    await recorded(incident('2025-08-01', '09:00'), false); // a draft: not counted
    await recorded(incident('2026-03-31', '23:30')); // 22:30Z on 31 March: still 2025-26 in London
    await recorded(incident('2026-04-01', '00:30')); // 23:30Z on 31 March, but 1 April in London: 2026-27
  });
  afterAll(() => svc.cleanup());

  it('counts each recorded report once at its highest level, by London date', async () => {
    const r = await homeOfficeReturn(svc, '2025-26');
    expect(r.header.join(',')).toBe('Region,Police force,Total,Total non-discharge,Drawn,Aimed,Red-dot,Arced,Total discharge,Drive stun,Fired,Angled drive stun,Not stated');
    expect(r.row).toEqual(['London', 'Test Constabulary', '3', '1', '0', '0', '1', '0', '2', '0', '2', '0', '0']);
    expect((await homeOfficeReturn(svc, '2026-27')).counts).toMatchObject({ total: 1, fired: 1 });
    expect((await homeOfficeReturn(svc, { from: '2025-05-10', to: '2025-05-10' })).counts.total).toBe(1);
  });

  it('counts by the database exactly as counting every report one by one', async () => {
    const period = parsePeriod('2025-26');
    const { reports } = await countedReports(svc, period);
    const grouped = await statistics(svc, '2025-26', DIMENSION_KEYS, { unit: 'month' });
    for (const [i, d] of DIMENSION_KEYS.entries()) expect(grouped.breakdowns[i], d).toEqual(breakdown(reports, d, { period, unit: 'month' }));
    expect(grouped.counts).toEqual(countCed(reports));
  });

  it('breaks the uses down by the demographics the Home Office publishes', async () => {
    const r = await homeOfficeReturn(svc, '2025-26');
    const gender = r.breakdowns.find((b) => b.dimension === 'gender')!;
    expect(gender.rows.find((x) => x.key === 'female')!.counts.total).toBe(1);
    expect(gender.rows.find((x) => x.key === 'male')!.counts.total).toBe(2);
    const s = await statistics(svc, '2025-26', ['period'], { unit: 'month' });
    expect(s.breakdowns[0]!.rows).toHaveLength(12);
  });
});

/** The sample's rows in the Met's published layout, and a way to make variants of them. */
const METFILE = parse(readFileSync(new URL('../fixtures/met/met-use-of-force-sample.csv', import.meta.url), 'utf8').replace(/^\uFEFF/, '')) as string[][];
const metColumn = (name: string) => {
  const i = METFILE[0]!.indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return i;
};
const metVariant = (row: readonly string[], set: Record<string, string>) => {
  const out = [...row];
  for (const [name, value] of Object.entries(set)) out[metColumn(name)] = value;
  return out;
};
/** Every column whose name starts with one of these, set to the value. */
const allOf = (prefixes: string[], value: string) => Object.fromEntries(METFILE[0]!.filter((c) => prefixes.some((p) => c.startsWith(p))).map((c) => [c, value]));
/** A row whose CED use has no level: no CED block or CED tactic says what was done. */
const withoutLevel = (row: readonly string[]) => {
  const out = metVariant(row, allOf(['CED Drawn', 'CED Aimed', 'CED Arced', 'CED Red-Dotted', 'CED Drive Stun', 'CED Angle Drive Stun', 'CED Fired', 'CED2 ', 'CED3 ', 'CED4 '], ''));
  METFILE[0]!.forEach((c, i) => {
    const n = /^Tactic (\d+)$/.exec(c)?.[1];
    if (n === undefined || !out[i]!.startsWith('CED')) return;
    out[i] = '';
    out[METFILE[0]!.findIndex((e) => e === `Effective ${n}` || e === `Tactic Effective ${n}`)] = '';
  });
  return out;
};

describe.each(testDatabases())('every breakdown over recorded and imported uses of every kind on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let pc: Actor;
  const period = parsePeriod('2025-26');

  const recorded = (over: Partial<Record<SectionKey, unknown>>) => recordReport(svc, pc, firedReport(f.boroughs.lambeth.id, over), new Date('2026-11-27T12:00:00Z'));
  const incident = (date: string, time: string, boroughId: string, locations: string[]) => ({ incident: { reference: `CAD ${date}-${time.replace(':', '')}`, date, time, boroughId, locations } });

  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
    pc = await recordingOfficer(svc, f.boroughs.lambeth.id);

    // Recorded: several values in each multi-valued answer, two boroughs, midnight in London at both ends of the year.
    await recorded(incident('2025-04-01', '00:15', f.boroughs.lambeth.id, ['street', 'dwelling', 'retail'])); // 23:15Z on 31 March: 2025-26 in London
    await recorded(incident('2025-03-31', '23:45', f.boroughs.lambeth.id, ['street'])); // 22:45Z, 2024-25
    await recorded({
      ...incident('2025-10-26', '01:30', f.boroughs.camden.id, ['open_ground', 'street']),
      duty: { mainDuty: 'tsg', singleCrewed: true, cedTrained: true, carryingCed: true },
      subject: { ageBand: '35-49', gender: 'female', ethnicity: 'white', physicalDisability: false, mentalDisability: true },
      outcomes: { outcomes: ['arrested', 'hospitalised', 'detained_mha'] },
    });
    const amended = await recorded(incident('2025-12-24', '18:00', f.boroughs.camden.id, ['licensed']));
    await amendReport(svc, pc, amended, {
      sections: { subject: { ageBand: '50-64', gender: 'male', ethnicity: 'asian', physicalDisability: false, mentalDisability: false }, outcomes: { outcomes: ['made_off'] } },
      reason: 'Subject details corrected after the custody record',
    });

    // Imported: the sample's four rows with CED use, moved into the year and varied.
    const ced = METFILE.slice(1).filter((r) => r[metColumn('CED Used')] === 'Yes');
    const noCed = METFILE.slice(1).find((r) => r[metColumn('CED Used')] === 'No')!;
    const on = (row: readonly string[], date: string, borough: string, more: Record<string, string> = {}) => metVariant(row, { IncidentDate: date, Borough: borough, ...more });
    const rows = [
      on(ced[0]!, '2025-04-01', 'Lambeth'), // the year's first day
      on(ced[0]!, '2025-03-31', 'Lambeth'), // the year before
      on(ced[1]!, '2025-09-09', 'Camden'),
      on(ced[2]!, '2026-03-31', 'Nowhere Vale'), // the year's last day; a borough the force does not have
      on(ced[3]!, '2026-04-01', 'Camden'), // the next year
      on(ced[1]!, '2025-12-01', ''), // no borough, twice: one group of two
      on(ced[1]!, '2025-12-01', ''),
      withoutLevel(on(ced[2]!, '2025-07-07', 'Lambeth')), // CED used, level not stated
      on(ced[3]!, '2025-08-08', 'Lambeth', { ...allOf(['Reason for Force: '], ''), ...allOf(['Outcome: '], 'No'), SubjectAge: '', SubjectGender: '', MainDuty: '', SingleCrewed: '' }), // answers not recorded
      on(noCed, '2025-06-06', 'Lambeth'), // no CED: not counted
    ];
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'varied.csv', bytes: Buffer.from(writeMetCsv(rows)) });
    expect(r.rejects).toEqual([]);
    expect(r).toMatchObject({ problem: null, read: rows.length, imported: rows.length, rejected: 0 });
  });
  afterAll(() => svc.cleanup());

  it('counts by the database exactly as counting every report one by one', async () => {
    const { reports } = await countedReports(svc, period);
    for (const unit of ['month', 'quarter'] as const) {
      const s = await statistics(svc, '2025-26', DIMENSION_KEYS, { unit });
      for (const [i, d] of DIMENSION_KEYS.entries()) expect(s.breakdowns[i], `${d} by ${unit}`).toEqual(breakdown(reports, d, { period, unit }));
      expect(s.counts).toEqual(countCed(reports));
    }
    // The cases above are all there.
    expect(reports.filter((x) => x.highestLevel !== null)).toHaveLength(10);
    expect(reports.some((x) => x.highestLevel === 'not_stated')).toBe(true);
    expect(reports.some((x) => x.boroughId === null && x.boroughName === 'Nowhere Vale')).toBe(true);
    expect(reports.some((x) => x.boroughId === null && x.boroughName === null && x.highestLevel !== null)).toBe(true);
    expect(reports.some((x) => x.highestLevel !== null && x.reasons?.length === 0)).toBe(true);
    expect(reports.some((x) => (x.outcomes?.length ?? 0) > 1 && (x.reasons?.length ?? 0) > 1 && (x.locations?.length ?? 0) > 1)).toBe(true);
  });

  it('counts each use once at its highest level, and once in each value of a multi-valued answer', async () => {
    const s = await statistics(svc, '2025-26', DIMENSION_KEYS);
    const by = (d: string) => s.breakdowns.find((b) => b.dimension === d)!;
    expect(s.counts).toMatchObject({ total: 10, notStated: 1 });
    expect(by('level').rows.find((r) => r.key === 'not_stated')!.counts.total).toBe(1);
    // Recorded on 1 April 00:15 London and imported for 1 April 2025 and 31 March 2026 count; 31 March 2025 and 1 April 2026 do not.
    expect(by('period').rows.map((r) => r.counts.total)).toEqual([2, 0, 0, 1, 1, 1, 1, 0, 3, 0, 0, 1]);
    const borough = by('borough');
    expect(borough.rows.map((r) => [r.label, r.counts.total])).toEqual([
      ['Camden', 3],
      ['Lambeth', 4],
      ['Nowhere Vale', 1],
      [NOT_RECORDED, 2],
    ]);
    for (const d of MULTI_VALUED_DIMENSIONS)
      expect(
        by(d).rows.reduce((n, r) => n + r.counts.total, 0),
        d,
      ).toBeGreaterThan(10);
    expect(by('reason').rows.find((r) => r.key === null)!.counts.total).toBe(1);
    expect(by('outcome').rows.find((r) => r.key === null)!.counts.total).toBe(1);
    // The amended report counts with its amended answers only.
    expect(by('ageBand').rows.find((r) => r.key === '50-64')!.counts.total).toBe(1);
    expect(by('outcome').rows.find((r) => r.key === 'made_off')!.counts.total).toBeGreaterThanOrEqual(1);
  });

  it('reads the period once, as a group per distinct combination with its weight', async () => {
    const grouped = await groupedReports(svc.database.db, f.force.id, period.from, period.toExclusive);
    expect(grouped.reduce((n, r) => n + (r.weight ?? 1), 0)).toBe(10);
    expect(grouped.some((r) => r.weight === 2)).toBe(true);
    expect(grouped.every((r) => r.occurredOn >= period.from && r.occurredOn < period.toExclusive)).toBe(true);
  });

  it('gives the same figures with and without the breakdowns', async () => {
    const withBreakdowns = await homeOfficeReturn(svc, '2025-26');
    const without = await homeOfficeReturn(svc, '2025-26', { breakdowns: false });
    expect(without.breakdowns).toEqual([]);
    expect(withBreakdowns.counts).toEqual(without.counts);
    expect(withBreakdowns.row).toEqual(without.row);
    expect((await statistics(svc, '2025-26', [])).counts).toEqual(without.counts);
    for (const p of ['2025-04', '2025-Q3', '2026-03', '2026-27']) expect((await statistics(svc, p, ['level'])).counts, p).toEqual((await homeOfficeReturn(svc, p, { breakdowns: false })).counts);
  });
});
