import { describe, expect, it } from 'vitest';
import type { TrainingResult } from '../../../src/domain/training/authority.js';
import { planTrainingImport, readTrainingCsv, readTrainingRecords, rejectedRowCount, trainingResult, trainingSourceKey, type TrainingReferences } from '../../../src/domain/training/import.js';

const TODAY = '2025-06-01';
const HEADER = 'collar_number,course_code,completed_on,result,reason';
const csv = (...lines: string[]) => new TextEncoder().encode(lines.join('\n') + '\n');
const read = (...lines: string[]) => readTrainingCsv(csv(...lines), TODAY);

describe('reading a training CSV', () => {
  it('reads a good row into a record', () => {
    const r = read(HEADER, '1234lx,Initial-X2,2024-03-14,pass,');
    expect(r).toMatchObject({ source: 'csv', encoding: 'utf-8', headerLine: 1, count: 1, errors: [], fatal: false });
    expect(r.rows).toEqual([{ line: 2, record: { collarNumber: '1234LX', courseCode: 'initial-x2', completedOn: '2024-03-14', result: 'pass', reason: null } }]);
  });

  it.each([
    ['upper-case names', 'COLLAR_NUMBER,COURSE_CODE,COMPLETED_ON,RESULT,REASON', '1,refresher,2024-01-02,pass,'],
    ['spaces and hyphens for underscores', 'Collar Number,course-code,Completed On,Result,Reason', '1,refresher,2024-01-02,pass,'],
    ['any order', 'result,reason,completed_on,collar_number,course_code', 'pass,,2024-01-02,1,refresher'],
    ['no reason column when every row is a pass', 'collar_number,course_code,completed_on,result', '1,refresher,2024-01-02,pass'],
    ['an empty unnamed column from a spreadsheet', `${HEADER},`, '1,refresher,2024-01-02,pass,,'],
  ])('accepts a header with %s', (_what, header, row) => {
    const r = read(header, row);
    expect(r.errors).toEqual([]);
    expect(r.rows[0]!.record).toMatchObject({ collarNumber: '1', courseCode: 'refresher', completedOn: '2024-01-02', result: 'pass' });
  });

  it.each([
    ['a row value', '1,refresher,02/01/2024,pass,', { completedOn: '2024-01-02' }],
    ['a day and month of one digit', '1,refresher,2/1/2024,pass,', { completedOn: '2024-01-02' }],
    ['a result in capitals', '1,refresher,2024-01-02,PASS,', { result: 'pass' }],
    ['"did not finish" in words', '1,refresher,2024-01-02,Did Not Finish,Sprained ankle', { result: 'did_not_finish', reason: 'Sprained ankle' }],
    ['did-not-finish with hyphens', '1,refresher,2024-01-02,did-not-finish,Unwell', { result: 'did_not_finish' }],
    ['a reason with a quoted comma', '1,refresher,2024-01-02,fail,"Missed the target, twice"', { result: 'fail', reason: 'Missed the target, twice' }],
    ['a reason on a pass', '1,refresher,2024-01-02,pass,Resit after a fail', { reason: 'Resit after a fail' }],
    ['today', `1,refresher,${TODAY},pass,`, { completedOn: TODAY }],
  ])('reads %s', (_what, row, expected) => {
    const r = read(HEADER, row);
    expect(r.errors).toEqual([]);
    expect(r.rows[0]!.record).toMatchObject(expected);
  });

  it.each([
    ['a missing collar number', ',refresher,2024-01-02,pass,', 'collar_number', 'Enter a collar number'],
    ['a missing course code', '1,,2024-01-02,pass,', 'course_code', 'Enter a code'],
    ['a course code with spaces', '1,initial x2,2024-01-02,pass,', 'course_code', 'lower-case letters and numbers joined by hyphens'],
    ['a missing date', '1,refresher,,pass,', 'completed_on', 'Enter the day the course ended'],
    ['a date in words', '1,refresher,2 Jan 2024,pass,', 'completed_on', 'not "2 Jan 2024"'],
    ['a date that does not exist', '1,refresher,2024-02-30,pass,', 'completed_on', 'There is no day 2024-02-30: check the day and the month'],
    ['a day-first date that does not exist', '1,refresher,31/04/2024,pass,', 'completed_on', 'There is no day 31/04/2024'],
    ['a date after today', '1,refresher,2025-06-02,pass,', 'completed_on', 'cannot have ended after today (2025-06-01)'],
    ['a missing result', '1,refresher,2024-01-02,,', 'result', 'Enter the result'],
    ['an unknown result', '1,refresher,2024-01-02,passed,', 'result', 'not "passed"'],
    ['a fail without a reason', '1,refresher,2024-01-02,fail,', 'reason', 'Give the reason the officer did not pass'],
    ['a did_not_finish with a blank reason', '1,refresher,2024-01-02,did_not_finish,   ', 'reason', 'Give the reason the officer did not pass'],
    ['a reason over 500 characters', `1,refresher,2024-01-02,fail,${'x'.repeat(501)}`, 'reason', '500 characters or fewer'],
  ])('rejects %s, naming line and column', (_what, row, column, message) => {
    const r = read(HEADER, '9,refresher,2024-01-01,pass,', row);
    expect(r.errors).toEqual([{ line: 3, column, message: expect.stringContaining(message) }]);
    expect(r.rows.map((x) => x.line)).toEqual([2]);
    expect(rejectedRowCount(r.errors, r.headerLine)).toBe(1);
  });

  it('lists every problem of a row, in column order', () => {
    const r = read(HEADER, ',,2024-13-45,maybe,');
    expect(r.errors.map((e) => e.column)).toEqual(['collar_number', 'course_code', 'completed_on', 'result']);
    const failing = read(HEADER, '1,refresher,not a date,fail,');
    expect(failing.errors.map((e) => e.column)).toEqual(['completed_on', 'reason']);
  });

  it('asks for a reason column when a row did not pass and there is none', () => {
    const r = read('collar_number,course_code,completed_on,result', '1,refresher,2024-01-02,fail');
    expect(r.errors).toEqual([{ line: 2, column: 'reason', message: expect.stringContaining('the file has no reason column') }]);
  });

  it('names a row with too few or too many values, and a broken quote, then goes on', () => {
    const r = read(HEADER, '1,refresher,2024-01-02,pass', '2,refresher,2024-01-02,pass,,extra', '3,refresher,2024-01-02,fail,"never closed', '');
    expect(r.errors.map((e) => [e.line, e.column])).toEqual([
      [2, null],
      [3, null],
      [4, null],
    ]);
    expect(r.errors[0]!.message).toContain('has 4 values but the header has 5 columns');
    expect(r.count).toBe(3);
  });

  it.each([
    [
      'unknown and missing columns',
      'collar,course_code,date,result,notes',
      [
        [1, 'collar', 'Unknown column "collar"'],
        [1, 'notes', 'Unknown column "notes"'],
        [1, 'date', 'Unknown column "date"'],
        [1, 'collar_number', 'The collar_number column is missing'],
        [1, 'completed_on', 'The completed_on column is missing'],
      ],
    ],
    ['a repeated column', `${HEADER},result`, [[1, 'result', 'appears more than once']]],
    ['semicolons', HEADER.replace(/,/g, ';'), [[1, null, 'not separated by commas']]],
  ])('refuses a header with %s, checking no row', (_what, header, expected) => {
    const r = read(header as string, '1,refresher,2024-01-02,pass,');
    expect(r.fatal).toBe(true);
    expect(r.rows).toEqual([]);
    expect(r.errors).toHaveLength((expected as unknown[]).length);
    for (const [line, column, message] of expected as [number, string | null, string][]) expect(r.errors).toContainEqual({ line, column, message: expect.stringContaining(message) });
    expect(rejectedRowCount(r.errors, r.headerLine)).toBe(0);
  });

  it('refuses a named-less column with values, an empty file, a header alone and UTF-16', () => {
    expect(read(`${HEADER},`, '1,refresher,2024-01-02,pass,,surprise').errors[0]!.message).toContain('Column 6 has values but no name');
    expect(readTrainingCsv(new Uint8Array(), TODAY).errors[0]!.message).toContain('The file is empty');
    expect(read(HEADER).errors[0]).toMatchObject({ line: 1, message: expect.stringContaining('no training records') });
    expect(readTrainingCsv(new Uint8Array([0xff, 0xfe, 0x41, 0]), TODAY).errors[0]!.message).toContain('UTF-16');
  });

  it('reads Windows-1252 and a byte order mark', () => {
    const cp1252 = new Uint8Array([...new TextEncoder().encode(`${HEADER}\n1,refresher,2024-01-02,fail,Caf`), 0xe9, 0x0a]);
    const r = readTrainingCsv(cp1252, TODAY);
    expect(r.encoding).toBe('windows-1252');
    expect(r.rows[0]!.record.reason).toBe('Café');
    const bom = readTrainingCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...csv(HEADER, '1,refresher,2024-01-02,pass,')]), TODAY);
    expect(bom.errors).toEqual([]);
  });

  it('counts lines as a person does: blank lines skipped, Windows line endings', () => {
    const r = readTrainingCsv(new TextEncoder().encode(`${HEADER}\r\n\r\n1,refresher,2024-01-02,pass,\r\n1,refresher,bad,pass,\r\n`), TODAY);
    expect(r.count).toBe(2);
    expect(r.errors).toEqual([{ line: 4, column: 'completed_on', message: expect.any(String) }]);
  });
});

describe('plausible training dates (issue 10)', () => {
  it('refuses a course that ended before 2003 or after today', () => {
    const r = read(HEADER, '1,refresher,1999-04-01,pass,', '2,refresher,2003-01-01,pass,', '3,refresher,2025-06-02,pass,');
    expect(r.errors).toEqual([
      { line: 2, column: 'completed_on', message: 'The course cannot have ended before 2003, when forces first trained officers on Taser: check the year of 1999-04-01' },
      { line: 4, column: 'completed_on', message: 'The course cannot have ended after today (2025-06-01): check the date 2025-06-02' },
    ]);
  });
});

describe('long values in a training file (issue 10)', () => {
  it('quotes at most 100 characters of a bad value, and holds the reason to 500 characters', () => {
    const r = read(HEADER, `1,refresher,${'9'.repeat(5000)},${'x'.repeat(300)},`, `2,refresher,2024-01-02,fail,${'r'.repeat(501)}`);
    expect(r.errors).toEqual([
      { line: 2, column: 'completed_on', message: `Enter the day the course ended as YYYY-MM-DD or DD/MM/YYYY, for example 2019-04-01 or 01/04/2019, not "${'9'.repeat(100)}…" (5,000 characters)` },
      { line: 2, column: 'result', message: `The result must be pass, fail or did_not_finish, not "${'x'.repeat(100)}…" (300 characters)` },
      { line: 3, column: 'reason', message: 'The reason must be 500 characters or fewer' },
    ]);
  });
});

describe('reading records sent as JSON', () => {
  it('names each problem by index and field', () => {
    const r = readTrainingRecords(
      [
        { collarNumber: '1', courseCode: 'refresher', completedOn: '2024-01-02', result: 'pass' },
        { collarNumber: '2', courseCode: 'refresher', completedOn: '02/01/2024', result: 'fail' },
        { collarNumber: '3', courseCode: 'refresher', completedOn: '2024-01-02', result: 'pass', shoeSize: 9 },
        'not an object',
      ],
      TODAY,
    );
    expect(r).toMatchObject({ source: 'json', count: 4, encoding: null, headerLine: null });
    expect(r.rows.map((x) => x.line)).toEqual([0]);
    expect(r.errors).toEqual([
      { line: 1, column: 'completedOn', message: expect.stringContaining('YYYY-MM-DD') },
      { line: 1, column: 'reason', message: 'Give the reason the officer did not pass' },
      { line: 2, column: 'shoeSize', message: expect.stringContaining('Unknown field') },
      { line: 3, column: null, message: expect.stringContaining('Send each record as an object') },
    ]);
  });

  it('takes only the stored words for a result', () => {
    const r = readTrainingRecords([{ collarNumber: '1', courseCode: 'refresher', completedOn: '2024-01-02', result: 'Pass' }], TODAY);
    expect(r.errors).toEqual([{ line: 0, column: 'result', message: 'Result must be pass, fail or did_not_finish' }]);
  });
});

describe('planning an import', () => {
  const refs = (existing: [string, TrainingResult[]][] = []): TrainingReferences => ({
    officers: new Map([
      ['1', { id: 'o1' }],
      ['2', { id: 'o2' }],
    ]),
    courses: new Map([
      ['initial-x2', { id: 'c-initial' }],
      ['refresher', { id: 'c-refresher' }],
    ]),
    existing: new Map(existing),
  });
  const key = (officerId: string, courseTypeId: string, completedOn: string) => trainingSourceKey({ officerId, courseTypeId, completedOn });

  it('stores each new record under a key of officer, course and day', () => {
    const p = planTrainingImport(read(HEADER, '1,initial-x2,2024-01-02,pass,', '2,refresher,2024-02-03,fail,Missed').rows, refs(), 'csv');
    expect(p.errors).toEqual([]);
    expect(p.insert).toEqual([
      { line: 2, officerId: 'o1', courseTypeId: 'c-initial', completedOn: '2024-01-02', result: 'pass', reason: null, sourceKey: 'training:o1:c-initial:2024-01-02' },
      { line: 3, officerId: 'o2', courseTypeId: 'c-refresher', completedOn: '2024-02-03', result: 'fail', reason: 'Missed', sourceKey: 'training:o2:c-refresher:2024-02-03' },
    ]);
  });

  it.each<[string, string[], [string, TrainingResult[]][], { insert: number; alreadyPresent: number; errors: [number, string | null, string][] }]>([
    ['an unknown collar number', ['9,refresher,2024-01-02,pass,'], [], { insert: 0, alreadyPresent: 0, errors: [[2, 'collar_number', 'No officer with collar number 9']] }],
    ['an unknown course, listing the codes', ['1,initial-x3,2024-01-02,pass,'], [], { insert: 0, alreadyPresent: 0, errors: [[2, 'course_code', 'the codes are initial-x2, refresher']] }],
    [
      'both',
      ['9,initial-x3,2024-01-02,pass,'],
      [],
      {
        insert: 0,
        alreadyPresent: 0,
        errors: [
          [2, 'collar_number', 'No officer'],
          [2, 'course_code', 'No course'],
        ],
      },
    ],
    ['the same record twice', ['1,refresher,2024-01-02,pass,', '1,refresher,2024-01-02,pass,'], [], { insert: 1, alreadyPresent: 0, errors: [[3, 'collar_number', 'The same record is on line 2']] }],
    [
      'two results for one course on one day',
      ['1,refresher,2024-01-02,pass,', '1,refresher,2024-01-02,fail,Missed'],
      [],
      { insert: 1, alreadyPresent: 0, errors: [[3, 'result', 'line 2 gives 1 pass on refresher on 2024-01-02']] },
    ],
    ['a record Cedar holds already', ['1,refresher,2024-01-02,pass,'], [[key('o1', 'c-refresher', '2024-01-02'), ['pass']]], { insert: 0, alreadyPresent: 1, errors: [] }],
    [
      'a different result for a day Cedar holds',
      ['1,refresher,2024-01-02,pass,'],
      [[key('o1', 'c-refresher', '2024-01-02'), ['fail']]],
      { insert: 0, alreadyPresent: 0, errors: [[2, 'result', 'Cedar already records fail for 1 on refresher on 2024-01-02']] },
    ],
    [
      'another day or course of the same officer',
      ['1,refresher,2024-01-03,pass,', '1,initial-x2,2024-01-02,pass,'],
      [[key('o1', 'c-refresher', '2024-01-02'), ['pass']]],
      { insert: 2, alreadyPresent: 0, errors: [] },
    ],
  ])('%s', (_what, lines, existing, expected) => {
    const p = planTrainingImport(read(HEADER, ...lines).rows, refs(existing), 'csv');
    expect(p.insert).toHaveLength(expected.insert);
    expect(p.alreadyPresent).toBe(expected.alreadyPresent);
    expect(p.errors).toHaveLength(expected.errors.length);
    expected.errors.forEach(([line, column, message], i) => expect(p.errors[i]).toEqual({ line, column, message: expect.stringContaining(message) }));
  });

  it('names JSON fields and record indexes', () => {
    const rows = readTrainingRecords(
      [
        { collarNumber: '1', courseCode: 'refresher', completedOn: '2024-01-02', result: 'pass' },
        { collarNumber: '1', courseCode: 'refresher', completedOn: '2024-01-02', result: 'pass' },
        { collarNumber: '9', courseCode: 'refresher', completedOn: '2024-01-02', result: 'pass' },
      ],
      TODAY,
    ).rows;
    expect(planTrainingImport(rows, refs(), 'json').errors).toEqual([
      { line: 1, column: 'collarNumber', message: expect.stringContaining('The same record is on record 0') },
      { line: 2, column: 'collarNumber', message: expect.stringContaining('No officer with collar number 9') },
    ]);
  });
});

describe('result words', () => {
  it.each([
    ['pass', 'pass'],
    [' Fail ', 'fail'],
    ['Did not finish', 'did_not_finish'],
    ['DID-NOT-FINISH', 'did_not_finish'],
  ])('%s → %s', (value, expected) => expect(trainingResult(value)).toBe(expected));
});
