import { describe, expect, it } from 'vitest';
import { clockTime, planShiftImport, readShiftsCsv, shiftInstants, type ShiftReferences, type StoredShift } from '../../../src/domain/crewing/shifts.js';

const HEADER = 'collar_number,date,start,end,borough,team,call_sign';
const csv = (...lines: string[]) => new TextEncoder().encode(lines.join('\n') + '\n');
const refs: ShiftReferences = {
  officers: new Map([
    ['100LX', { id: 'o1' }],
    ['200LX', { id: 'o2' }],
  ]),
  boroughs: [
    { id: 'b1', forceId: 'f', name: 'Lambeth', code: 'LX' },
    { id: 'b2', forceId: 'f', name: 'Camden', code: 'EK' },
  ],
  teams: [
    { id: 't1', forceId: 'f', boroughId: 'b1', name: 'Lambeth ERT A', teamType: 'emergency_response' },
    { id: 't2', forceId: 'f', boroughId: 'b2', name: 'Camden ERT A', teamType: 'emergency_response' },
    { id: 't3', forceId: 'f', boroughId: null, name: 'TSG', teamType: 'territorial_support' },
  ],
};
const read = (...rows: string[]) => readShiftsCsv(csv(HEADER, ...rows), refs);

describe('shift times', () => {
  it.each([
    ['a day shift in winter (GMT)', '2026-01-10', '07:00', '15:00', '2026-01-10T07:00:00.000Z', '2026-01-10T15:00:00.000Z', 8],
    ['a day shift in summer (BST)', '2026-06-01', '07:00', '15:00', '2026-06-01T06:00:00.000Z', '2026-06-01T14:00:00.000Z', 8],
    ['a night shift across midnight', '2026-01-10', '22:00', '07:00', '2026-01-10T22:00:00.000Z', '2026-01-11T07:00:00.000Z', 9],
    ['a night across the 31st of the month', '2026-01-31', '22:00', '06:00', '2026-01-31T22:00:00.000Z', '2026-02-01T06:00:00.000Z', 8],
    ['the night the clocks go forward (7 real hours)', '2026-03-28', '22:00', '06:00', '2026-03-28T22:00:00.000Z', '2026-03-29T05:00:00.000Z', 7],
    ['the night the clocks go back (9 real hours)', '2026-10-24', '22:00', '06:00', '2026-10-24T21:00:00.000Z', '2026-10-25T06:00:00.000Z', 9],
    ['a start in the skipped hour, read as after the jump (02:30 BST)', '2026-03-29', '01:30', '09:00', '2026-03-29T01:30:00.000Z', '2026-03-29T08:00:00.000Z', 6.5],
    ['a start in the hour that happens twice, read as its GMT occurrence', '2026-10-25', '01:30', '09:00', '2026-10-25T01:30:00.000Z', '2026-10-25T09:00:00.000Z', 7.5],
  ])('%s', (_what, date, start, end, startsAt, endsAt, hours) => {
    const t = shiftInstants(date, start, end)!;
    expect(t).toEqual({ startsAt, endsAt });
    expect((Date.parse(t.endsAt) - Date.parse(t.startsAt)) / 3_600_000).toBe(hours);
  });

  it('has no shift when the start and end are the same time, or meet once the clocks change', () => {
    expect(shiftInstants('2026-01-10', '07:00', '07:00')).toBeNull();
    // 01:15 and 01:45 on the spring day both fall in the skipped hour: 02:15 and 02:45 BST, fine.
    expect(shiftInstants('2026-03-29', '01:15', '01:45')).not.toBeNull();
  });

  it.each([
    ['07:00', '07:00'],
    ['7:05', '07:05'],
    ['23:59', '23:59'],
    ['24:00', undefined],
    ['07:60', undefined],
    ['0700', undefined],
    ['7', undefined],
  ])('reads the clock time %s', (text, expected) => {
    expect(clockTime(text)).toBe(expected);
  });
});

describe('reading a shifts CSV', () => {
  it('reads good rows: collar numbers in any case, borough by code, optional team and call sign', () => {
    const r = read('100lx,2026-06-01,07:00,15:00,Lambeth,Lambeth ERT A,LX21', '200LX,01/06/2026,22:00,07:00,ek,,', '100LX,2026-06-02,07:00,15:00,Camden,TSG,');
    expect(r.errors).toEqual([]);
    expect(r.count).toBe(3);
    expect(r.rows).toEqual([
      {
        line: 2,
        officerId: 'o1',
        collarNumber: '100LX',
        londonDate: '2026-06-01',
        startsAt: '2026-06-01T06:00:00.000Z',
        endsAt: '2026-06-01T14:00:00.000Z',
        boroughId: 'b1',
        teamId: 't1',
        callSign: 'LX21',
      },
      {
        line: 3,
        officerId: 'o2',
        collarNumber: '200LX',
        londonDate: '2026-06-01',
        startsAt: '2026-06-01T21:00:00.000Z',
        endsAt: '2026-06-02T06:00:00.000Z',
        boroughId: 'b2',
        teamId: null,
        callSign: null,
      },
      {
        line: 4,
        officerId: 'o1',
        collarNumber: '100LX',
        londonDate: '2026-06-02',
        startsAt: '2026-06-02T06:00:00.000Z',
        endsAt: '2026-06-02T14:00:00.000Z',
        boroughId: 'b2',
        teamId: 't3',
        callSign: null,
      },
    ]);
  });

  it('reads a file without the optional columns', () => {
    const r = readShiftsCsv(csv('collar_number,date,start,end,borough', '100LX,2026-06-01,07:00,15:00,LX'), refs);
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ teamId: null, callSign: null });
  });

  it.each([
    ['an unknown collar number', '999LX,2026-06-01,07:00,15:00,Lambeth,,', 'collar_number', /No officer with collar number "999LX"/],
    ['no collar number', ',2026-06-01,07:00,15:00,Lambeth,,', 'collar_number', /Enter the officer's collar number/],
    ['a day that does not exist', '100LX,2026-02-30,07:00,15:00,Lambeth,,', 'date', /real day/],
    ['a date in another form', '100LX,June 1st,07:00,15:00,Lambeth,,', 'date', /"June 1st"/],
    ['a start of 24:00', '100LX,2026-06-01,24:00,15:00,Lambeth,,', 'start', /from 00:00 to 23:59/],
    ['no end', '100LX,2026-06-01,07:00,,Lambeth,,', 'end', /Enter the time the shift ends/],
    ['an end equal to the start', '100LX,2026-06-01,07:00,07:00,Lambeth,,', 'end', /ends when it starts/],
    ['an unknown borough', '100LX,2026-06-01,07:00,15:00,Hackney,,', 'borough', /No borough called "Hackney"/],
    ['an unknown team', '100LX,2026-06-01,07:00,15:00,Lambeth,Team Z,', 'team', /No team called "Team Z"/],
    ['a team of another borough', '100LX,2026-06-01,07:00,15:00,Lambeth,Camden ERT A,', 'team', /Camden ERT A is a team in Camden, not Lambeth/],
    ['a call sign too long', `100LX,2026-06-01,07:00,15:00,Lambeth,,${'X'.repeat(21)}`, 'call_sign', /20 characters or fewer/],
  ])('names the line and column of %s', (_what, row, column, message) => {
    const r = read('200LX,2026-06-01,07:00,15:00,Lambeth,,', row);
    expect(r.rows).toHaveLength(1);
    expect(r.errors).toEqual([{ line: 3, column, message: expect.stringMatching(message) }]);
  });

  it('lists every problem of a row, in column order', () => {
    const r = read('999LX,2026-13-01,07:00,07:00,Nowhere,,');
    expect(r.errors.map((e) => [e.line, e.column])).toEqual([
      [2, 'collar_number'],
      [2, 'date'],
      [2, 'end'],
      [2, 'borough'],
    ]);
  });

  it('names a shift that appears twice, and shifts of one officer that overlap, on the later line', () => {
    const r = read('100LX,2026-06-01,07:00,15:00,Lambeth,,', '200LX,2026-06-01,07:00,15:00,Lambeth,,', '100LX,2026-06-01,07:00,16:00,Lambeth,,', '200LX,2026-06-01,14:00,22:00,Lambeth,,');
    expect(r.errors).toEqual([
      { line: 4, column: 'start', message: expect.stringContaining('also on line 2') },
      { line: 5, column: 'start', message: expect.stringContaining("overlaps the same officer's shift on line 3") },
    ]);
  });

  it('reports a missing column on the header and reads no row', () => {
    const r = readShiftsCsv(csv('collar_number,date,start,borough', '100LX,2026-06-01,07:00,Lambeth'), refs);
    expect(r.fatal).toBe(true);
    expect(r.rows).toEqual([]);
    expect(r.errors).toEqual([{ line: 1, column: 'end', message: expect.stringContaining('The end column is missing') }]);
  });

  it('reports a row with too many values by line', () => {
    const r = read('100LX,2026-06-01,07:00,15:00,Lambeth,,,extra');
    expect(r.errors).toEqual([{ line: 2, column: null, message: expect.stringContaining('8 values but the header has 7 columns') }]);
  });

  it('reports an empty file and a header with no shifts', () => {
    expect(readShiftsCsv(new Uint8Array(), refs).errors[0]!.message).toMatch(/The file is empty/);
    expect(read().errors[0]!.message).toMatch(/no shifts/);
  });
});

describe('planning a shifts import', () => {
  const row = read('100LX,2026-06-01,07:00,15:00,Lambeth,Lambeth ERT A,LX21').rows[0]!;
  const stored = (over: Partial<StoredShift>): StoredShift => ({
    id: 's1',
    officerId: 'o1',
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    boroughId: 'b1',
    teamId: 't1',
    callSign: 'LX21',
    revision: 0,
    ...over,
  });
  it.each([
    ['a new shift is inserted', [], { insert: 1, replace: 0, remove: 0, unchanged: 0 }, []],
    ['the same shift again is unchanged', [stored({})], { insert: 0, replace: 0, remove: 0, unchanged: 1 }, []],
    ['a changed end replaces it', [stored({ endsAt: '2026-06-01T15:00:00.000Z' })], { insert: 0, replace: 1, remove: 0, unchanged: 0 }, ['endsAt']],
    [
      'a changed borough, team and call sign replace it',
      [stored({ boroughId: 'b2', teamId: null, callSign: 'EK1' })],
      { insert: 0, replace: 1, remove: 0, unchanged: 0 },
      ['boroughId', 'teamId', 'callSign'],
    ],
    ['another officer’s shift at the same time is left alone', [stored({ officerId: 'o2' })], { insert: 1, replace: 0, remove: 0, unchanged: 0 }, []],
    [
      'the officer’s shift the day before is left alone',
      [stored({ startsAt: '2026-05-31T06:00:00.000Z', endsAt: '2026-05-31T14:00:00.000Z' })],
      { insert: 1, replace: 0, remove: 0, unchanged: 0 },
      [],
    ],
    ['a shift that ends as this one starts is left alone', [stored({ startsAt: '2026-05-31T22:00:00.000Z', endsAt: row.startsAt })], { insert: 1, replace: 0, remove: 0, unchanged: 0 }, []],
    [
      'a shift of the officer moved to another start is taken away',
      [stored({ startsAt: '2026-06-01T05:00:00.000Z', endsAt: '2026-06-01T13:00:00.000Z' })],
      { insert: 1, replace: 0, remove: 1, unchanged: 0 },
      [],
    ],
  ])('%s', (_what, existing: StoredShift[], counts, changed) => {
    const p = planShiftImport([row], existing);
    expect({ insert: p.insert.length, replace: p.replace.length, remove: p.remove.length, unchanged: p.unchanged }).toEqual(counts);
    expect(p.replace[0]?.changed ?? []).toEqual(changed);
    if (counts.remove) expect(p.remove[0]).toEqual({ stored: existing[0], line: 2 });
  });

  it("does not take away a stored shift that a row replaces, though the row's old version overlapped another row", () => {
    const rows = read('100LX,2026-06-01,07:00,10:00,Lambeth,,', '100LX,2026-06-01,11:00,15:00,Lambeth,,').rows;
    const p = planShiftImport(rows, [stored({ teamId: null, callSign: null })]);
    expect({ insert: p.insert.length, replace: p.replace.length, remove: p.remove.length }).toEqual({ insert: 1, replace: 1, remove: 0 });
  });
});
