/**
 * Checks that a file that starts like a zip archive is a whole, readable Excel workbook
 * before a workbook reader is let loose on it (issue 10: a corrupt .xlsx made
 * `cedar import met-uof` stop with nothing printed, the reader waiting for ever on a damaged
 * piece of the archive).
 *
 * An .xlsx file is a zip archive of XML parts. Its table of contents (the central directory)
 * is at the end; each part is also announced by a local header in front of its data, and a
 * streaming reader walks those headers from the start. So the check reads the table of
 * contents, then walks every part as the streaming reader will — header by header, with no
 * gap and nothing unaccounted for — and inflates each one to check its length and checksum,
 * stopping as soon as a part is longer than it says (a zip bomb) or the whole would be larger
 * than a workbook Cedar reads. It reads the file once, a piece at a time, holding only one
 * piece. Pure: the bytes come from `read`, which the caller backs with a file or a buffer.
 *
 * Every problem is a sentence a person can act on: what is wrong with the file, and to open it
 * in Excel and save it again.
 */
import { crc32, createInflateRaw } from 'node:zlib';

/** Reads `length` bytes from `position` (fewer only at the end of the file). */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

export interface ArchiveLimits {
  /** The most the workbook's parts may hold once inflated, together. */
  maxInflatedBytes: number;
  /** The most parts an archive may have. */
  maxParts: number;
}

/** Enough for a year's uses of force (150,000 rows of 271 columns) several times over; far less than a zip bomb gives. */
export const WORKBOOK_LIMITS: ArchiveLimits = { maxInflatedBytes: 2 * 1024 ** 3, maxParts: 10_000 };

const SAVE_AGAIN = 'open it in Excel and save it again as .xlsx (Excel Workbook) or as CSV, then import it again';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const DESCRIPTOR = 0x08074b50;

interface Part {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

class Damaged extends Error {}

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
const mb = (n: number) => `${Math.round(n / 1024 ** 2).toLocaleString('en-GB')} MB`;

async function readExactly(read: ReadAt, position: number, length: number, what: string): Promise<Uint8Array> {
  const b = length === 0 ? new Uint8Array(0) : await read(position, length);
  if (b.length < length) throw new Damaged(`the file is cut short: it ends inside ${what}`);
  return b;
}

/** The end-of-archive record: where the table of contents is and how many parts it lists. */
async function findEnd(read: ReadAt, size: number): Promise<{ at: number; parts: number; directorySize: number; directoryAt: number }> {
  // The record is 22 bytes, followed by a comment of up to 65,535 bytes.
  const span = Math.min(size, 22 + 0xffff);
  const tail = await read(size - span, span);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) !== END) continue;
    if (i + 22 + u16(tail, i + 20) !== tail.length) continue; // a comment that does not reach the end: not the record
    const at = size - span + i;
    if (i >= 20 && u32(tail, i - 20) === ZIP64_END_LOCATOR) throw new Damaged('it is a zip archive of the 64-bit kind, used only for files far larger than a workbook of uses of force');
    if (u16(tail, i + 4) !== 0 || u16(tail, i + 6) !== 0) throw new Damaged('it is one part of an archive split over several files');
    return { at, parts: u16(tail, i + 10), directorySize: u32(tail, i + 12), directoryAt: u32(tail, i + 16) };
  }
  throw new Damaged('the file is cut short or damaged: the list of what the archive holds, at its end, is missing');
}

function readDirectory(b: Uint8Array, count: number): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > b.length || u32(b, at) !== CENTRAL) throw new Damaged('the list of what the archive holds is damaged');
    const nameLength = u16(b, at + 28);
    if (nameLength > 1000) throw new Damaged('the list of what the archive holds is damaged');
    const end = at + 46 + nameLength + u16(b, at + 30) + u16(b, at + 32);
    if (end > b.length) throw new Damaged('the list of what the archive holds is damaged');
    parts.push({
      flags: u16(b, at + 8),
      method: u16(b, at + 10),
      crc: u32(b, at + 16),
      compressedSize: u32(b, at + 20),
      size: u32(b, at + 24),
      offset: u32(b, at + 42),
      name: text(b.subarray(at + 46, at + 46 + nameLength)),
    });
    at = end;
  }
  if (at !== b.length) throw new Damaged('the list of what the archive holds is damaged');
  return parts;
}

/**
 * The element a part's XML must end with: a part cut short inside a whole archive (a writer
 * that stopped part-way) would otherwise read as a sheet with fewer rows.
 */
function expectedRoot(name: string): string | null {
  if (/^xl\/worksheets\/[^/]+\.xml$/.test(name)) return 'worksheet';
  if (name === 'xl/sharedStrings.xml') return 'sst';
  if (name === 'xl/workbook.xml') return 'workbook';
  return null;
}

const endsWithRoot = (tail: string, root: string) => new RegExp(`</(?:[\\w.-]+:)?${root}>\\s*$`).test(tail);

/** Inflates (or copies) a part's data, checking its length and checksum as it goes. */
async function checkData(read: ReadAt, part: Part, from: number, budget: { left: number }): Promise<void> {
  const PIECE = 1 << 20;
  let crc = 0;
  let size = 0;
  let tail = Buffer.alloc(0);
  const take = (chunk: Uint8Array) => {
    tail = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - 64))]).subarray(-64);
    size += chunk.length;
    if (size > part.size) throw new Damaged(`its part ${part.name} holds more than it says it does (a damaged or deliberately inflated archive)`);
    budget.left -= chunk.length;
    if (budget.left < 0) throw new Damaged(`it would be larger than ${mb(WORKBOOK_LIMITS.maxInflatedBytes)} once unpacked, far more than any workbook of uses of force`);
    crc = crc32(chunk, crc);
  };
  if (part.method === 0) {
    for (let at = 0; at < part.compressedSize; at += PIECE) take(await readExactly(read, from + at, Math.min(PIECE, part.compressedSize - at), `the part ${part.name}`));
  } else {
    const inflate = createInflateRaw();
    const failed = new Promise<never>((_, reject) => inflate.once('error', (err) => reject(new Damaged(`its part ${part.name} cannot be unpacked (${err.message})`))));
    failed.catch(() => {});
    const drained = (async () => {
      for await (const chunk of inflate) take(chunk as Buffer);
    })();
    drained.catch(() => {}); // awaited below; handled here so a failure while reading is not reported as unhandled
    try {
      for (let at = 0; at < part.compressedSize; at += PIECE) {
        const piece = await readExactly(read, from + at, Math.min(PIECE, part.compressedSize - at), `the part ${part.name}`);
        if (!inflate.write(piece)) await Promise.race([new Promise((r) => inflate.once('drain', r)), failed, drained]);
      }
      inflate.end();
      await Promise.race([drained, failed]);
    } finally {
      inflate.destroy();
    }
  }
  if (size !== part.size || crc !== part.crc) throw new Damaged(`its part ${part.name} is damaged (it does not match its checksum)`);
  const root = expectedRoot(part.name);
  if (root && !endsWithRoot(tail.toString('latin1'), root)) throw new Damaged(`its part ${part.name} is cut short (the ${root} never ends)`);
}

/**
 * What is wrong with the archive as a workbook, or null when it is whole. `size` is the
 * file's length in bytes.
 */
export async function workbookArchiveProblem(read: ReadAt, size: number, limits: ArchiveLimits = WORKBOOK_LIMITS): Promise<string | null> {
  try {
    if (size < 22) throw new Damaged('the file is cut short: it is too small to be a workbook');
    const end = await findEnd(read, size);
    if (end.parts === 0) throw new Damaged('the archive is empty');
    if (end.parts > limits.maxParts) throw new Damaged(`the archive holds ${end.parts.toLocaleString('en-GB')} parts, far more than a workbook`);
    if (end.directoryAt + end.directorySize !== end.at) throw new Damaged('the file is damaged: the list of what the archive holds is not where the archive says it is');
    const parts = readDirectory(await readExactly(read, end.directoryAt, end.directorySize, 'the list of what the archive holds'), end.parts);

    const names = new Set(parts.map((p) => p.name));
    const declared = parts.reduce((n, p) => n + p.size, 0);
    if (declared > limits.maxInflatedBytes) throw new Damaged(`it would be ${mb(declared)} once unpacked, more than the ${mb(limits.maxInflatedBytes)} a workbook Cedar reads may be`);
    if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml') || ![...names].some((n) => /^xl\/worksheets\/[^/]+\.xml$/.test(n))) {
      throw new Damaged('it is a zip archive, but not an Excel workbook: it has no workbook or no worksheet in it');
    }

    // Walk the parts as a streaming reader does: each local header right after the last part's data.
    const budget = { left: limits.maxInflatedBytes };
    let next = 0;
    for (const part of [...parts].sort((a, b) => a.offset - b.offset)) {
      if (part.offset !== next) throw new Damaged(`the file is damaged: there are ${part.offset > next ? 'unexpected bytes before' : 'overlapping parts at'} the part ${part.name}`);
      if (part.flags & 0x1) throw new Damaged('the workbook is protected with a password: remove the password in Excel');
      if (part.method !== 0 && part.method !== 8) throw new Damaged(`its part ${part.name} is packed in a way workbooks are not (method ${part.method})`);
      const head = await readExactly(read, part.offset, 30, `the part ${part.name}`);
      if (u32(head, 0) !== LOCAL) throw new Damaged(`the file is damaged: the part ${part.name} is not where the archive says it is`);
      const nameLength = u16(head, 26);
      const extraLength = u16(head, 28);
      const localName = text(await readExactly(read, part.offset + 30, nameLength, `the part ${part.name}`));
      const flags = u16(head, 6);
      const descriptor = (flags & 0x8) !== 0;
      if (localName !== part.name || u16(head, 8) !== part.method || descriptor !== ((part.flags & 0x8) !== 0)) {
        throw new Damaged(`the file is damaged: the part ${part.name} is described in two different ways`);
      }
      if (!descriptor && (u32(head, 14) !== part.crc || u32(head, 18) !== part.compressedSize || u32(head, 22) !== part.size)) {
        throw new Damaged(`the file is damaged: the part ${part.name} is described in two different ways`);
      }
      const dataAt = part.offset + 30 + nameLength + extraLength;
      await checkData(read, part, dataAt, budget);
      next = dataAt + part.compressedSize;
      if (descriptor) {
        // Optional signature, then CRC, compressed and full size.
        const d = await readExactly(read, next, 16, `the part ${part.name}`);
        const at = u32(d, 0) === DESCRIPTOR ? 4 : 0;
        if (u32(d, at) !== part.crc || u32(d, at + 4) !== part.compressedSize || u32(d, at + 8) !== part.size) {
          throw new Damaged(`the file is damaged: the part ${part.name} is described in two different ways`);
        }
        next += at + 12;
      }
    }
    if (next !== end.directoryAt) throw new Damaged('the file is damaged: there are unexpected bytes after its last part');
    return null;
  } catch (err) {
    if (!(err instanceof Damaged)) throw err;
    // Part names come from the file: shown without control characters or bytes that are not text.
    // eslint-disable-next-line no-control-regex -- control characters are what it removes
    const what = err.message.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
    return `The file looks like an Excel workbook (.xlsx) but cannot be read: ${what}. To import it, ${SAVE_AGAIN}.`;
  }
}
