import { describe, expect, it } from 'vitest';
import { neutraliseCell, neutraliseRow, quoteValue, readCsvHeader, restoreCell, rowValues } from '../../src/domain/csv.js';

describe('neutraliseCell', () => {
  it.each([
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
  ])('prefixes a cell that a spreadsheet would run: %j', (cell, expected) => {
    expect(neutraliseCell(cell)).toBe(expected);
  });

  it.each(['', 'Lambeth', '12', 'a=b', ' =1', "'=already", '-'])('leaves an ordinary cell alone: %j', (cell) => {
    expect(neutraliseCell(cell)).toBe(cell);
  });

  it('does a row at a time', () => {
    expect(neutraliseRow(['ok', '=1'])).toEqual(['ok', "'=1"]);
  });
});

describe('restoreCell', () => {
  it.each([
    ["'=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"],
    ["'-2+3", '-2+3'],
    ["'@SUM(A1)", '@SUM(A1)'],
    ["'O'Brien", "'O'Brien"],
    ["'", "'"],
    ['Lambeth', 'Lambeth'],
  ])('reads back what neutraliseCell wrote: %j', (cell, expected) => {
    expect(restoreCell(cell)).toBe(expected);
  });

  it('undoes neutraliseCell for any cell', () => {
    for (const cell of ['=1', '+1', '-1', '@x', '\t1', '\r1', 'plain', "'quoted", '']) expect(restoreCell(neutraliseCell(cell))).toBe(cell);
  });
});

describe('quoteValue', () => {
  it('quotes a short value whole', () => {
    expect(quoteValue('Captain')).toBe('"Captain"');
  });

  it('cuts a long value to 100 characters and says how long it was', () => {
    const quoted = quoteValue('x'.repeat(10 * 1024 * 1024));
    expect(quoted).toBe(`"${'x'.repeat(100)}…" (10,485,760 characters)`);
  });
});

describe('rowValues', () => {
  const head = readCsvHeader({ line: 1, fields: ['name', 'note'] }, [], ['name', 'note'], ['name']).header;

  it('gives the trimmed values by column', () => {
    expect(rowValues({ line: 2, fields: [' Ada ', 'x'] }, head)).toEqual({
      values: new Map([
        ['name', 'Ada'],
        ['note', 'x'],
      ]),
    });
  });

  it('names the line and column of a value with a NUL character, and where in the value it is', () => {
    expect(rowValues({ line: 7, fields: ['Ada', 'ab\u0000c'] }, head)).toEqual({
      error: { line: 7, column: 'note', message: 'There is a NUL character (U+0000) at character 3 of this value: the file is damaged there; correct the value and import the file again' },
    });
  });

  it('names a row with more or fewer values than the header', () => {
    expect(rowValues({ line: 3, fields: ['Ada'] }, head)).toEqual({ error: { line: 3, column: null, message: expect.stringContaining('This row has 1 values but the header has 2 columns') } });
  });
});
