import fs from 'node:fs/promises';
import { workbookArchiveProblem } from '../domain/met/archive.js';

/**
 * What is wrong with a workbook file as an archive (domain/met/archive.ts), or null when it
 * is whole: checked before the workbook reader opens it, which on a damaged archive could
 * wait for ever. A file on disk is read a piece at a time.
 */
export async function workbookFileProblem(input: { bytes: Uint8Array } | { path: string }): Promise<string | null> {
  if ('bytes' in input) {
    const bytes = input.bytes;
    return workbookArchiveProblem(async (at, length) => bytes.subarray(at, at + length), bytes.length);
  }
  const handle = await fs.open(input.path, 'r');
  try {
    const { size } = await handle.stat();
    return await workbookArchiveProblem(async (at, length) => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - at)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
      return buffer.subarray(0, bytesRead);
    }, size);
  } finally {
    await handle.close();
  }
}
