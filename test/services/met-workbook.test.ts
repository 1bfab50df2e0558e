import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workbookArchiveProblem, type ArchiveLimits } from '../../src/domain/met/archive.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { mulberry32, randomInt } from '../../src/demo/random.js';
import { importMetFile, type MetImportResult } from '../../src/services/met-import.js';
import { ensureForce } from '../../src/services/setup.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { readZip, writeZip, type ZipEntry } from '../support/zip.js';

/*
 * Issue 10: a corrupt .xlsx made `cedar import met-uof` exit 13 with nothing printed (32 of
 * 2,000 fuzzed files): the workbook reader waited for ever on a damaged archive. Every damaged
 * variant of the sample workbook below must be refused with a sentence saying what is wrong,
 * promptly, storing nothing.
 */

const SAMPLE = readFileSync(new URL('../fixtures/met/met-use-of-force-sample.xlsx', import.meta.url));
const PARTS = readZip(SAMPLE);
const SHEET = 'xl/worksheets/sheet1.xml';

const rebuilt = (change: (parts: ZipEntry[]) => ZipEntry[]) => writeZip(change(PARTS.map((p) => ({ ...p }))));
const withPart = (name: string, data: (d: Buffer) => Buffer) => rebuilt((parts) => parts.map((p) => (p.name === name ? { ...p, data: data(p.data) } : p)));
const without = (name: string) => rebuilt((parts) => parts.filter((p) => p.name !== name));

/** A few dozen damaged workbooks: cut short, bytes changed at random (seeded), parts broken, missing, lying or huge. */
function damagedWorkbooks(): { name: string; bytes: Buffer }[] {
  const out: { name: string; bytes: Buffer }[] = [];
  for (const fraction of [0.0005, 0.01, 0.1, 0.3, 0.5, 0.8, 0.95, 0.999]) out.push({ name: `cut to ${fraction * 100}%`, bytes: SAMPLE.subarray(0, Math.floor(SAMPLE.length * fraction)) });
  const random = mulberry32(2026);
  for (let i = 0; i < 20; i++) {
    const bytes = Buffer.from(SAMPLE);
    const changes = randomInt(random, 1, 30);
    for (let k = 0; k < changes; k++) bytes[randomInt(random, 0, bytes.length - 1)] = randomInt(random, 0, 255);
    out.push({ name: `${changes} random bytes changed (${i})`, bytes });
  }
  out.push(
    { name: 'the sheet cut in half inside a whole archive', bytes: withPart(SHEET, (d) => d.subarray(0, d.length >> 1)) },
    { name: 'the sheet not XML at all', bytes: withPart(SHEET, () => Buffer.from('not xml <<<')) },
    { name: 'the shared strings not XML', bytes: withPart('xl/sharedStrings.xml', () => Buffer.from('<sst><si><t>never closed')) },
    { name: 'the workbook not XML', bytes: withPart('xl/workbook.xml', () => Buffer.from('<<<')) },
    {
      name: 'an XML entity bomb',
      bytes: withPart('xl/sharedStrings.xml', (d) =>
        Buffer.from(
          `<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${d
            .toString('utf8')
            .replace(/^<\?xml[^>]*>/, '')
            .replace('<t>', '<t>&b;')}`,
        ),
      ),
    },
    { name: 'no worksheet', bytes: without(SHEET) },
    { name: 'no workbook part', bytes: without('xl/workbook.xml') },
    { name: 'a zip of a text file', bytes: writeZip([{ name: 'notes.txt', data: Buffer.from('not a workbook') }]) },
    { name: 'an empty zip', bytes: writeZip([]) },
    {
      name: 'a zip bomb: the sheet says 1 KB and unpacks to 50 MB',
      bytes: rebuilt((parts) => parts.map((p) => (p.name === SHEET ? { ...p, data: Buffer.alloc(50 * 1024 * 1024, 0x20), claimedSize: 1024 } : p))),
    },
    {
      name: 'a part with a wrong checksum',
      bytes: (() => {
        const b = Buffer.from(SAMPLE);
        const central = b.lastIndexOf(Buffer.from(SHEET));
        b.writeUInt32LE((b.readUInt32LE(central - 46 + 16) ^ 1) >>> 0, central - 46 + 16);
        return b;
      })(),
    },
    { name: 'junk after the first bytes of a zip', bytes: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(5000, 0x41)]) },
  );
  return out;
}

const WAIT_MS = 20_000;

/** The import, or "hung" when it has not finished in WAIT_MS (the reader waiting for ever, as in the issue). */
async function importOrHang(svc: TestServices, bytes: Buffer): Promise<MetImportResult | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), WAIT_MS);
  });
  try {
    return await Promise.race([importMetFile(svc, SYSTEM_ACTOR, { fileName: 'damaged.xlsx', bytes }), hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the archive check (pure)', () => {
  const check = (bytes: Buffer, limits?: ArchiveLimits) => workbookArchiveProblem(async (at, length) => bytes.subarray(at, at + length), bytes.length, limits);

  it('passes the sample workbook, and one rebuilt part by part', async () => {
    expect(await check(SAMPLE)).toBeNull();
    expect(await check(writeZip(PARTS))).toBeNull();
  });

  it('says what is wrong, in a sentence that ends with what to do', async () => {
    expect(await check(SAMPLE.subarray(0, 9000))).toBe(
      'The file looks like an Excel workbook (.xlsx) but cannot be read: the file is cut short or damaged: the list of what the archive holds, at its end, is missing. To import it, open it in Excel and save it again as .xlsx (Excel Workbook) or as CSV, then import it again.',
    );
    expect(await check(withPart(SHEET, (d) => d.subarray(0, 5000)))).toContain('its part xl/worksheets/sheet1.xml is cut short (the worksheet never ends)');
  });

  it('refuses a workbook larger unpacked than the limit without unpacking it', async () => {
    const big = writeZip(PARTS.map((p) => (p.name === SHEET ? { ...p, claimedSize: 3 * 1024 ** 3 } : p)));
    expect(await check(big)).toMatch(/would be 3,\d{3} MB once unpacked, more than the 2,048 MB/);
    expect(await check(SAMPLE, { maxInflatedBytes: 50_000, maxParts: 100 })).toMatch(/would be \d+ MB once unpacked|larger than/);
  });
});

describe.each(testDatabases())('a damaged workbook is refused with a reason, storing nothing, on %s', (kind) => {
  let svc: TestServices;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    await ensureForce(svc, SYSTEM_ACTOR, { name: 'Test Constabulary', homeOfficeRegion: 'London' });
  });
  afterAll(() => svc.cleanup());
  const count = async (table: 'imported_report' | 'audit_log') =>
    Number(
      (
        await svc.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses every damaged variant of the sample workbook promptly, saying what is wrong', async () => {
    const before = [await count('imported_report'), await count('audit_log')];
    const failures: string[] = [];
    const variants = damagedWorkbooks();
    expect(variants.length).toBeGreaterThanOrEqual(36);
    for (const v of variants) {
      const r = await importOrHang(svc, v.bytes);
      if (r === 'hung') failures.push(`${v.name}: no answer after ${WAIT_MS / 1000} s`);
      else if (!r.problem) failures.push(`${v.name}: accepted (${r.read} rows read, ${r.imported} imported)`);
      else if (!/cannot be read|not a file in the Met|has no worksheet|is empty/.test(r.problem)) failures.push(`${v.name}: unclear problem: ${r.problem}`);
      else if (r.imported !== 0) failures.push(`${v.name}: ${r.imported} stored`);
    }
    expect(failures).toEqual([]);
    expect([await count('imported_report'), await count('audit_log')]).toEqual(before);
  }, 600_000);

  it('still imports the sample workbook', async () => {
    const r = await importOrHang(svc, SAMPLE);
    expect(r).not.toBe('hung');
    expect(r).toMatchObject({ problem: null, read: 31, imported: 30, rejected: 1 });
  });
});
