import { describe, expect, it } from 'vitest';
import { neutraliseCell, neutraliseRow } from '../../src/domain/csv.js';

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

  it.each(['', 'Lambeth', '12', 'a=b', ' =1', "'=already"])('leaves an ordinary cell alone: %j', (cell) => {
    expect(neutraliseCell(cell)).toBe(cell);
  });

  it('does a row at a time', () => {
    expect(neutraliseRow(['ok', '=1'])).toEqual(['ok', "'=1"]);
  });
});
