import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;

// Random bytes drawn 8 KiB at a time: asking the system for 16 bytes per id was a few
// percent of a large import.
const POOL = Buffer.alloc(8192);
let poolAt = POOL.length;
function random(n: number): Buffer {
  if (poolAt + n > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  poolAt += n;
  return POOL.subarray(poolAt - n, poolAt);
}

/** UUIDv7 (RFC 9562): time-ordered, so ids sort by creation and index well. */
export function newId(now: number = Date.now()): string {
  // A 12-bit counter keeps ids made within one millisecond in order.
  if (now === lastMs) counter = (counter + 1) & 0xfff;
  else {
    lastMs = now;
    counter = random(2).readUInt16BE(0) & 0x7ff;
  }
  const bytes = random(16); // used up here: the pool moves past these bytes
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
