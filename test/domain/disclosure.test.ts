import { describe, expect, it } from 'vitest';
import { metRowProblems, publicColumnDictionary, publicMetRow, snapshotProblems, textProblems } from '../../src/domain/disclosure.js';
import { MET_COLUMN_INDEX, MET_COLUMNS } from '../../src/domain/met/layout.js';
import { countsFromLevels } from '../../src/domain/stats/counting.js';
import type { ReleaseSnapshot } from '../../src/domain/stats/release.js';

const BOROUGHS = new Set(['Lambeth', 'Camden']);
const row = (set: Record<string, string>) => {
  const values = MET_COLUMNS.map(() => '');
  for (const [k, v] of Object.entries(set)) values[MET_COLUMN_INDEX[k as keyof typeof MET_COLUMN_INDEX]] = v;
  return values;
};
const good = {
  IncidentDate: '2026-05-01',
  IncidentTime: '22:00:00',
  Borough: 'Lambeth',
  'CED Used': 'Yes',
  'CED Fired': 'Yes',
  'Tactic 1': 'CED (Taser) Fired',
  SubjectAge: '18-34',
  SubjectEthnicity: 'Not reported',
  'CED Fired Total Number Of Cycles': '2',
  'CED Fired Cartridge Number': '1',
};

describe('public rows in the Met layout', () => {
  it('withholds the serial, the free text and cartridge serials, and keeps the time to the hour', () => {
    const out = publicMetRow(
      row({
        ...good,
        IncidentTime: '22:47:13',
        'CED Device Serial No': 'X29001234',
        SubjectNatureOfInjury: 'Probe wound to the chest',
        'CED Fired Cartridge Number': 'C1234567',
        'CED2 Fired Cartridge Number': '2',
      }),
    );
    expect(out[MET_COLUMN_INDEX.IncidentTime]).toBe('22:00:00');
    expect(out[MET_COLUMN_INDEX['CED Device Serial No']]).toBe('');
    expect(out[MET_COLUMN_INDEX.SubjectNatureOfInjury]).toBe('');
    expect(out[MET_COLUMN_INDEX['CED Fired Cartridge Number']]).toBe('');
    expect(out[MET_COLUMN_INDEX['CED2 Fired Cartridge Number']]).toBe('2');
    expect(metRowProblems(out, 2, BOROUGHS)).toEqual([]);
    expect(publicMetRow(row({ IncidentTime: '7:05' }))[MET_COLUMN_INDEX.IncidentTime]).toBe('07:00:00');
  });

  it('passes a well-formed public row', () => {
    expect(metRowProblems(row(good), 2, BOROUGHS)).toEqual([]);
  });

  it.each([
    ['CED Device Serial No', 'X29001234', 'is withheld from publication but has a value'],
    ['SubjectNatureOfInjury', 'Bruising', 'is withheld from publication but has a value'],
    ['IncidentTime', '22:15:00', '"22:15:00" is not a time to the hour'],
    ['IncidentDate', '01/05/2026', 'is not a date in the form YYYY-MM-DD'],
    ['Borough', 'Flat 3, 12 High Street', "is not one of the force's boroughs"],
    ['SubjectAge', 'about 30', 'is not one of the published categories'],
    ['Tactic 2', 'PC Patel restrained him', 'is not one of the published tactics'],
    ['CED Fired Cartridge Number', 'C1234567', 'is not a small whole number'],
    ['Impact Factor: Crowd', 'lots of people', 'is not Yes, No or blank'],
  ])('flags %s = %j, naming line and column', (column, value, message) => {
    const problems = metRowProblems(row({ ...good, [column]: value }), 7, BOROUGHS);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.where).toBe(`uses.csv line 7, column ${column}`);
    expect(problems[0]!.message).toContain(message);
  });

  it('flags a row of the wrong width', () => {
    expect(metRowProblems(['2026-05-01'], 3, BOROUGHS)[0]!.message).toMatch(/has 1 columns, not 271/);
  });

  it('describes every column for the data dictionary', () => {
    const d = publicColumnDictionary();
    expect(d).toHaveLength(271);
    expect(d.find((c) => c.column === 'CED Device Serial No')!.values).toMatch(/withheld/);
    expect(d.find((c) => c.column === 'IncidentTime')!.values).toMatch(/hour/);
  });
});

describe('aggregates and text', () => {
  const snapshot = (label: string): ReleaseSnapshot => ({
    format: 1,
    force: { name: 'Test', region: 'London' },
    month: '2026-05',
    financialYear: '2026-27',
    from: '2026-04-01',
    to: '2026-05-31',
    label: 'April to May 2026',
    countedOn: '2026-11-28',
    totals: countsFromLevels({ fired: 1 }),
    months: [{ key: '2026-04', label: 'April 2026', counts: countsFromLevels({ fired: 1 }) }],
    breakdowns: [{ dimension: 'borough', title: 'Borough', multiValued: false, rows: [{ label, counts: countsFromLevels({ fired: 1 }) }], total: countsFromLevels({ fired: 1 }) }],
  });

  it('passes categories and boroughs, flags anything else', () => {
    expect(snapshotProblems(snapshot('Lambeth'), BOROUGHS)).toEqual([]);
    expect(snapshotProblems(snapshot('Not recorded'), BOROUGHS)).toEqual([]);
    expect(snapshotProblems(snapshot('1234LX'), BOROUGHS)).toEqual([{ where: 'aggregates: Borough row "1234LX"', message: 'is not a published category' }]);
  });

  it('flags counts that are not whole numbers', () => {
    const s = snapshot('Lambeth');
    s.totals.fired = 0.5;
    expect(snapshotProblems(s, BOROUGHS)[0]).toEqual({ where: 'aggregates: totals', message: 'fired is 0.5, not a whole number' });
  });

  it('finds sensitive values in text, ignoring case and very short values', () => {
    const found = textProblems(
      '<p>Officer ASHA PATEL used device x29001234</p> 12',
      [
        { kind: 'officer name', value: 'Asha Patel' },
        { kind: 'device serial', value: 'X29001234' },
        { kind: 'collar number', value: '12' },
        { kind: 'incident reference', value: 'CAD 1/1' },
      ],
      'page /transparency',
    );
    expect(found.map((p) => p.message)).toEqual(['contains a officer name ("Asha Patel")', 'contains a device serial ("X29001234")']);
    expect(found[0]!.where).toBe('page /transparency');
  });
});
