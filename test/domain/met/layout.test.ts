import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { checkMetHeader, MET_COLUMN_ALIASES, MET_COLUMNS, metColumnNamed, type MetColumn } from '../../../src/domain/met/layout.js';
import { MET_FIELD_OF } from '../../../src/domain/met/rows.js';
import { writeMetCsv } from '../../../src/domain/met/write.js';

const REFERENCE = new URL('../../fixtures/met/met-use-of-force-header.csv', import.meta.url);
const referenceText = readFileSync(REFERENCE, 'utf8');
const referenceHeader = (parse(referenceText, { bom: true }) as string[][])[0]!;

const withReplaced = (from: string, to: string) => MET_COLUMNS.map((c) => (c === from ? to : c));
const without = (...names: string[]) => MET_COLUMNS.filter((c) => !names.includes(c));

describe('the Met layout', () => {
  it('is the published header, column for column', () => {
    expect(referenceHeader).toHaveLength(271);
    expect([...MET_COLUMNS]).toEqual(referenceHeader);
  });

  it('is written back byte for byte as published (CRLF, the one quoted name quoted)', () => {
    expect(writeMetCsv([])).toBe(referenceText);
  });

  it('gives every column a Cedar field', () => {
    expect(Object.keys(MET_FIELD_OF)).toHaveLength(271);
    expect(MET_COLUMNS.filter((c) => !MET_FIELD_OF[c])).toEqual([]);
  });

  it.each([
    ['Impact Factor: Possesion of a weapon', 'reasons.impactFactors: weapon'],
    ['Tactic Effective 20', 'tactics.tactics[19].effective'],
    ['CED Arced', 'ced.applications[0].levels: arced'],
    ['CED3 ArCED3', 'ced.applications[2].levels: arced'],
    ['CED4 Back K', 'ced.applications[3].fired.probeLocations: BK'],
    ['Borough', 'incident.borough'],
  ] as [MetColumn, string][])('maps %s to %s', (column, field) => {
    expect(MET_FIELD_OF[column]).toBe(field);
  });
});

describe('checking a header', () => {
  it.each<{ name: string; header: readonly string[] }>([
    { name: 'the published header', header: MET_COLUMNS },
    { name: 'the impact factor spelled correctly', header: withReplaced('Impact Factor: Possesion of a weapon', 'Impact Factor: Possession of a weapon') },
    { name: '"Effective 20" for the last Effective column', header: withReplaced('Tactic Effective 20', 'Effective 20') },
    { name: '"CED2 Arced" for "CED2 ArCED2"', header: withReplaced('CED2 ArCED2', 'CED2 Arced') },
    { name: '"CED3 Arced" for "CED3 ArCED3"', header: withReplaced('CED3 ArCED3', 'CED3 Arced') },
    { name: '"CED4 Arced" for "CED4 ArCED4"', header: withReplaced('CED4 ArCED4', 'CED4 Arced') },
    { name: 'every slip corrected at once', header: MET_COLUMNS.map((c) => Object.entries(MET_COLUMN_ALIASES).find(([, to]) => to === c)?.[0] ?? c) },
    { name: 'columns in another order', header: [...MET_COLUMNS].reverse() },
    { name: 'another case and stray spaces', header: MET_COLUMNS.map((c, i) => (i % 2 ? c.toUpperCase() : `  ${c.replace(/ /g, '  ')} `)) },
    { name: 'a heading broken over two lines by a spreadsheet', header: withReplaced('CED Device Serial No', 'CED Device\nSerial No') },
    { name: 'trailing columns with no name', header: [...MET_COLUMNS, '', ' '] },
  ])('accepts $name', ({ header }) => {
    const check = checkMetHeader(header);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    // Every column is found once, at its position in the file.
    const found = check.positions.filter((p): p is MetColumn => p !== null);
    expect(new Set(found).size).toBe(271);
    header.forEach((name, i) => {
      if (name.trim() !== '') expect(check.positions[i]).toBe(metColumnNamed(name));
    });
  });

  it('remembers how the file spells a column, for error messages', () => {
    const check = checkMetHeader(withReplaced('CED2 ArCED2', 'CED2 Arced'));
    expect(check.ok && check.nameInFile.get('CED2 ArCED2')).toBe('CED2 Arced');
  });

  it.each<{ name: string; header: string[]; missing: string[]; unexpected?: string[]; duplicated?: string[]; message: RegExp }>([
    {
      name: 'two columns missing',
      header: without('Borough', 'CED Used'),
      missing: ['Borough', 'CED Used'],
      message: /2 columns are missing: "Borough", "CED Used"/,
    },
    {
      name: 'a column renamed beyond recognition',
      header: withReplaced('SubjectAge', 'Age of subject'),
      missing: ['SubjectAge'],
      unexpected: ['Age of subject'],
      message: /1 column is missing: "SubjectAge"; a column is not in the layout: "Age of subject"/,
    },
    {
      name: 'an extra column',
      header: [...MET_COLUMNS, 'Force'],
      missing: [],
      unexpected: ['Force'],
      message: /a column is not in the layout: "Force"/,
    },
    {
      name: 'a slip in both spellings',
      header: [...MET_COLUMNS, 'Effective 20'],
      missing: [],
      duplicated: ['Tactic Effective 20'],
      message: /appears more than once: "Tactic Effective 20"/,
    },
    {
      name: 'a different file altogether (the officer roster)',
      header: ['collar_number', 'first_name', 'last_name', 'rank', 'joined_on'],
      missing: [...MET_COLUMNS],
      unexpected: ['collar_number', 'first_name', 'last_name', 'rank', 'joined_on'],
      message: /none of the 271 columns of the Met's use-of-force layout is in the header row/,
    },
  ])('rejects $name, naming the columns', ({ header, missing, unexpected = [], duplicated = [], message }) => {
    const check = checkMetHeader(header);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.missing).toEqual(missing);
    expect(check.unexpected).toEqual(unexpected);
    expect(check.duplicated).toEqual(duplicated);
    expect(check.message).toMatch(/^This is not a file in the Met's use-of-force layout \(271 columns\): /);
    expect(check.message).toMatch(message);
  });

  it('names at most a dozen missing columns and counts the rest', () => {
    const check = checkMetHeader(MET_COLUMNS.slice(0, 200));
    expect(!check.ok && check.missing).toHaveLength(71);
    expect(!check.ok && check.message).toMatch(/71 columns are missing: "CED3 Back A", .* "CED4 Aimed" and 59 more\.$/);
  });
});
