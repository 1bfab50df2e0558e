import { describe, expect, it } from 'vitest';
import type { Borough, Officer, Team } from '../../src/domain/organisation.js';
import { csvDate, decodeCsv, type RowError } from '../../src/domain/csv.js';
import { parseRoster, planRosterImport, rosterRank, type RosterReferences } from '../../src/domain/roster.js';

const lambeth: Borough = { id: 'b-lx', forceId: 'f', name: 'Lambeth', code: 'LX' };
const camden: Borough = { id: 'b-cn', forceId: 'f', name: 'Camden', code: 'CN' };
const lambethResponse: Team = { id: 't-lx', forceId: 'f', boroughId: lambeth.id, name: 'Response, Lambeth', teamType: 'emergency_response' };
const tsg: Team = { id: 't-tsg', forceId: 'f', boroughId: null, name: 'TSG 1', teamType: 'territorial_support' };
const refs: RosterReferences = { boroughs: [lambeth, camden], teams: [lambethResponse, tsg] };

const HEADER = 'collar_number,first_name,last_name,rank,borough,team,status,joined_on,left_on';
const csv = (...lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');
const parseText = (...lines: string[]) => parseRoster(csv(...lines), refs);
/** Windows-1252 bytes: every character of `s` is below U+0100, except those given as raw bytes. */
const cp1252 = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('reading a roster file', () => {
  it.each([
    {
      name: 'UTF-8 with a byte order mark',
      bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv(HEADER, '1,Zoë,Smith,PC,,,,2015-09-01,')]),
      encoding: 'utf-8',
      officer: { collarNumber: '1', firstName: 'Zoë' },
    },
    {
      name: 'UTF-8 without a byte order mark',
      bytes: csv(HEADER, '1,Zoë,Smith,PC,,,,2015-09-01,'),
      encoding: 'utf-8',
      officer: { firstName: 'Zoë' },
    },
    {
      name: 'Windows-1252 (ë is 0xEB, ’ is 0x92)',
      bytes: cp1252(HEADER, '\r\n1,Zo', [0xeb], ',O', [0x92], 'Neill,PC,,,,2015-09-01,\r\n'),
      encoding: 'windows-1252',
      officer: { firstName: 'Zoë', lastName: "O'Neill" },
    },
    {
      name: 'quoted fields, one with a comma',
      bytes: csv(HEADER, '"1","Asha","Patel","PC","Lambeth","Response, Lambeth","","2015-09-01",""'),
      encoding: 'utf-8',
      officer: { firstName: 'Asha', boroughId: lambeth.id, teamId: lambethResponse.id },
    },
    {
      name: 'a date as DD/MM/YYYY',
      bytes: csv(HEADER, '1,Asha,Patel,PC,,,left,1/9/2015,31/12/2022'),
      encoding: 'utf-8',
      officer: { joinedOn: '2015-09-01', leftOn: '2022-12-31', status: 'left' },
    },
    {
      name: 'columns in another order and case, optional ones left out',
      bytes: csv('Joined_On,RANK,Last_Name,first_name,Collar_Number', '2015-09-01,insp,Patel,Asha,ab12'),
      encoding: 'utf-8',
      officer: { collarNumber: 'AB12', rank: 'Inspector', status: 'active', boroughId: null, teamId: null, leftOn: null },
    },
    {
      name: 'borough by code, force-wide team, trailing blank lines',
      bytes: csv(HEADER, '1,Asha,Patel,Ch Supt,cn,tsg 1,Active,2015-09-01,', '', ',,,,,,,,', '', ''),
      encoding: 'utf-8',
      officer: { rank: 'Chief Superintendent', boroughId: camden.id, teamId: tsg.id, status: 'active' },
    },
  ])('reads $name', ({ bytes, encoding, officer }) => {
    const r = parseRoster(bytes, refs);
    expect(r.errors).toEqual([]);
    expect(r.encoding).toBe(encoding);
    expect(r.rowCount).toBe(1);
    expect(r.rows).toEqual([{ line: 2, officer: expect.objectContaining(officer) }]);
  });

  it.each<{ name: string; lines: string[]; errors: Partial<RowError>[] }>([
    { name: 'an empty file', lines: [''], errors: [{ line: 1, column: null, message: expect.stringContaining('The file is empty') }] },
    { name: 'a header with no rows', lines: [HEADER, ''], errors: [{ line: 1, column: null, message: expect.stringContaining('no officers') }] },
    {
      name: 'an unknown column (rows are still checked)',
      lines: [`${HEADER},Grade,notes`, '1,Asha,Patel,Captain,,,,2015-09-01,,x,y'],
      errors: [
        { line: 1, column: 'Grade', message: expect.stringMatching(/^Unknown column "Grade": the columns are collar_number, /) },
        { line: 1, column: 'notes', message: expect.stringContaining('Unknown column "notes"') },
        { line: 2, column: 'rank', message: expect.stringContaining('Select a rank') },
      ],
    },
    {
      name: 'a missing required column (reported once, on the header)',
      lines: ['collar_number,first_name,last_name,joined_on', '1,Asha,Patel,2015-09-01', '2,Ben,Jones,2015-09-01'],
      errors: [
        {
          line: 1,
          column: 'rank',
          message: 'The rank column is missing: add it to the header row (the columns are collar_number, first_name, last_name, rank, borough, team, status, joined_on, left_on)',
        },
      ],
    },
    {
      name: 'a collar number twice (the later line is reported)',
      lines: [HEADER, '1AB,Asha,Patel,PC,,,,2015-09-01,', '2,Ben,Jones,PC,,,,2015-09-01,', '1ab,Asha,Patel,PC,,,,2015-09-01,'],
      errors: [{ line: 4, column: 'collar_number', message: 'Collar number 1AB is also on line 2: each officer can appear only once' }],
    },
    {
      name: 'every problem in every row, with physical line numbers',
      lines: [
        HEADER,
        '1,"Asha\nMulti",Patel,PC,,,,2015-09-01,', // lines 2-3: one record over two lines
        '2,Ben,Jones,Sgt,Nowhere,,,2015-02-30,', // line 4
        '',
        '3,Cat,Smith,PC,Camden,"Response, Lambeth",,01-09-2015,', // line 6
        '4,Dan,Brown,PC,,"Response, Lambeth",retired,2015-09-01,', // line 7
        '5,Eve,Green,PC,,,left,2015-09-01,2014-01-01', // line 8
        '6,Fay,Hill,PC,,,,2015-09-01', // line 9: too few values
        '7,"Gus,Ivy,PC,,,,2015-09-01,', // line 10: quote never closed
        '8,Hal,King,PC,,,,2015-09-01,', // line 11: fine
      ],
      errors: [
        { line: 2, column: 'first_name' },
        { line: 4, column: 'rank' },
        { line: 4, column: 'borough', message: expect.stringContaining('No borough called "Nowhere"') },
        { line: 4, column: 'joined_on', message: 'Enter a real date' },
        { line: 6, column: 'team', message: 'Response, Lambeth is not a team in Camden: choose a team in Camden or a force-wide team' },
        { line: 6, column: 'joined_on', message: expect.stringContaining('YYYY-MM-DD or DD/MM/YYYY') },
        { line: 7, column: 'team', message: expect.stringContaining('is a team in Lambeth: enter Lambeth in the borough column') },
        { line: 7, column: 'status', message: 'Select active or left' },
        { line: 8, column: 'left_on', message: 'The leaving date must be on or after the joining date' },
        { line: 9, column: null, message: expect.stringContaining('8 values but the header has 9 columns') },
        { line: 10, column: null, message: expect.stringContaining('never closed') },
      ],
    },
    {
      name: 'a row with the required values left empty',
      lines: [HEADER, ',,,,,,active,,'],
      errors: [
        { line: 2, column: 'collar_number', message: 'Enter a collar number' },
        { line: 2, column: 'first_name', message: 'Enter the first name' },
        { line: 2, column: 'last_name', message: 'Enter the last name' },
        { line: 2, column: 'rank', message: 'Select a rank' },
        { line: 2, column: 'joined_on', message: 'Enter the date the officer joined, as YYYY-MM-DD or DD/MM/YYYY' },
      ],
    },
    {
      name: 'a team unknown to the force',
      lines: [HEADER, '1,Asha,Patel,PC,Lambeth,Response B,,2015-09-01,'],
      errors: [{ line: 2, column: 'team', message: expect.stringContaining('No team called "Response B"') }],
    },
  ])('rejects $name', ({ lines, errors }) => {
    const r = parseText(...lines);
    expect(r.errors).toEqual(errors.map((e) => expect.objectContaining(e)));
  });

  it('counts rejected rows apart from header problems', () => {
    const r = parseText(`${HEADER},extra`, '1,Asha,Patel,PC,,,,2015-09-01,,', '2,Ben,Jones,XX,,,,2015-09-01,,', '3,Cat,Smith,XX,,,,bad,,');
    expect({ rowCount: r.rowCount, rejectedRows: r.rejectedRows }).toEqual({ rowCount: 3, rejectedRows: 2 });
  });

  it('refuses UTF-16 and semicolon-separated files with a way to fix them', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\r\n`, 'utf16le')]);
    expect(parseRoster(utf16, refs).errors).toEqual([{ line: 1, column: null, message: expect.stringContaining('CSV UTF-8') }]);
    expect(parseText(HEADER.replaceAll(',', ';'), '1;Asha;Patel;PC;;;;2015-09-01;').errors).toEqual([{ line: 1, column: null, message: expect.stringContaining('not separated by commas') }]);
  });
});

describe('roster values', () => {
  it.each([
    ['PC', 'Police Constable'],
    ['pc', 'Police Constable'],
    ['P.C.', 'Police Constable'],
    ['Sergeant', 'Sergeant'],
    ['ps', 'Sergeant'],
    ['INSP', 'Inspector'],
    ['chief  inspector', 'Chief Inspector'],
    ['Ch. Supt.', 'Chief Superintendent'],
    ['dac', 'Deputy Assistant Commissioner'],
    ['Captain', undefined],
    ['', undefined],
  ])('rank %j is %s', (text, rank) => expect(rosterRank(text)).toBe(rank));

  it.each([
    ['2019-04-01', '2019-04-01'],
    ['01/04/2019', '2019-04-01'],
    ['1/4/2019', '2019-04-01'],
    ['2019/04/01', undefined],
    ['04-01-2019', undefined],
    ['1 April 2019', undefined],
  ])('date %j is %s', (text, iso) => expect(csvDate(text)).toBe(iso));

  it('decodes Windows-1252 punctuation that Latin-1 would get wrong', () => {
    expect(decodeCsv(Buffer.from([0x80, 0x20, 0x93, 0x61, 0x94, 0x20, 0xe9]))).toEqual({ text: '€ “a” é', encoding: 'windows-1252' });
  });
});

describe('planning an import', () => {
  const stored: Officer = {
    id: 'o1',
    forceId: 'f',
    collarNumber: '1',
    firstName: 'Asha',
    lastName: 'Patel',
    rank: 'Police Constable',
    boroughId: null,
    teamId: null,
    status: 'active',
    joinedOn: '2015-09-01',
    leftOn: null,
    createdAt: '2020-01-01T00:00:00.000Z',
    updatedAt: '2020-01-01T00:00:00.000Z',
  };

  it('creates new officers, updates changed ones with only the changed fields, and skips the rest', () => {
    const { rows } = parseText(HEADER, '1,Asha,Patel,PS,,,,2015-09-01,', '2,Ben,Jones,PC,,,,2016-01-01,');
    const plan = planRosterImport(rows, new Map([['1', stored]]));
    expect(plan.create.map((o) => o.collarNumber)).toEqual(['2']);
    expect(plan.update).toEqual([expect.objectContaining({ officer: stored, changes: { rank: { from: 'Police Constable', to: 'Sergeant' } } })]);
    expect(plan.unchanged).toBe(0);
    const again = planRosterImport(parseText(HEADER, '1,Asha,Patel,PC,,,,01/09/2015,').rows, new Map([['1', stored]]));
    expect(again).toEqual({ create: [], update: [], unchanged: 1 });
  });
});

describe('long values in a roster (issue 10)', () => {
  it('quotes at most 100 characters of a bad value, with its length', () => {
    // (A row is at most 10,000 characters: a longer one is refused as a whole.)
    const rank = 'Captain'.repeat(1000).slice(0, 7000);
    const r = parseText(HEADER, `1,Asha,Patel,${rank},${'Nowhere'.repeat(300)},,,2015-09-01,`);
    expect(r.errors).toEqual([
      { line: 2, column: 'rank', message: `Select a rank: "${rank.slice(0, 100)}…" (7,000 characters) is not one. Use a rank's name or abbreviation (PC, PS, Insp, CI, Supt, Ch Supt, Cdr, DAC, AC)` },
      { line: 2, column: 'borough', message: expect.stringMatching(/^No borough called "(Nowhere){14}No…" \(2,100 characters\): /) },
    ]);
  });

  it('holds each field to its length: names to 100 characters, collar numbers to 12', () => {
    const r = parseText(HEADER, `1234567890123,${'A'.repeat(101)},Patel,PC,,,,2015-09-01,`);
    expect(r.errors.map((e) => [e.column, e.message])).toEqual([
      ['collar_number', 'Collar number must be 12 characters or fewer'],
      ['first_name', 'The first name must be 100 characters or fewer'],
    ]);
  });
});
