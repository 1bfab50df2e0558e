import { describe, expect, it } from 'vitest';
import { CANONICAL_COLUMNS, pickLayout, readDeviceLog, type DeviceLogBatch, type LogLayout } from '../../../src/domain/devices/log-formats/index.js';

const HEADER = CANONICAL_COLUMNS.join(',');

async function readAll(text: string | string[], batchRows = 1000) {
  const batches: DeviceLogBatch[] = [];
  for await (const b of readDeviceLog(Array.isArray(text) ? text : [text], { batchRows })) batches.push(b);
  const last = batches.at(-1)!;
  return { rows: batches.flatMap((b) => b.rows), errors: batches.flatMap((b) => b.errors), read: last.read, rejectedRows: last.rejectedRows, layout: last.layout, batches: batches.length };
}

/** A canonical row with some values changed. */
function row(values: Partial<Record<(typeof CANONICAL_COLUMNS)[number], string>> = {}): string {
  const base: Record<string, string> = {
    device_serial: 'x2-0001',
    sequence: '1',
    device_time: '2026-03-01 10:00:00',
    event: 'trigger',
    duration_s: '5',
    bay: '1',
    cartridge_serial: 'c-1',
    battery_pct: '80',
    temperature_c: '12.5',
    true_time: '',
  };
  return CANONICAL_COLUMNS.map((c) => values[c] ?? base[c]).join(',');
}

describe('reading a canonical device log', () => {
  it('reads every value, upper-casing serials', async () => {
    const r = await readAll(`${HEADER}\n${row()}\n${row({ sequence: '2', event: 'time_sync', duration_s: '', bay: '', cartridge_serial: '', true_time: '2026-03-01T10:01:00Z' })}\n`);
    expect(r.errors).toEqual([]);
    expect(r.layout).toBe('canonical');
    expect(r.rows).toEqual([
      {
        line: 2,
        deviceSerial: 'X2-0001',
        sequence: 1,
        deviceTime: '2026-03-01 10:00:00',
        event: 'trigger',
        durationS: 5,
        bay: 1,
        cartridgeSerial: 'C-1',
        batteryPct: 80,
        temperatureC: 12.5,
        trueTime: null,
      },
      {
        line: 3,
        deviceSerial: 'X2-0001',
        sequence: 2,
        deviceTime: '2026-03-01 10:00:00',
        event: 'time_sync',
        durationS: null,
        bay: null,
        cartridgeSerial: null,
        batteryPct: 80,
        temperatureC: 12.5,
        trueTime: '2026-03-01T10:01:00.000Z',
      },
    ]);
  });

  it('takes the columns in any order and case, CRLF line endings and a byte order mark', async () => {
    const cols = [...CANONICAL_COLUMNS].reverse();
    const line = (seq: string) => cols.map((c) => ({ sequence: seq, device_serial: 'T7-9', device_time: '2000-01-01 00:00:05', event: 'ARMED' })[c as string] ?? '').join(',');
    const r = await readAll(`\uFEFF${cols.map((c) => c.toUpperCase()).join(',')}\r\n${line('7')}\r\n\r\n${line('8')}\r\n`);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.line, x.sequence, x.event, x.deviceTime])).toEqual([
      [2, 7, 'armed', '2000-01-01 00:00:05'],
      [4, 8, 'armed', '2000-01-01 00:00:05'],
    ]);
  });

  it('reads a file arriving in pieces cut anywhere, in batches', async () => {
    const text = `${HEADER}\n${Array.from({ length: 25 }, (_, i) => row({ sequence: String(i + 1) })).join('\n')}\n`;
    const pieces = text.match(/[\s\S]{1,7}/g)!;
    const r = await readAll(pieces, 10);
    expect(r.rows.map((x) => x.sequence)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(r.read).toBe(25);
    expect(r.batches).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['device_serial', { device_serial: '' }, 'Enter the device serial'],
    ['device_serial', { device_serial: 'X2 0001' }, 'is not a device serial'],
    ['device_serial', { device_serial: 'A'.repeat(31) }, 'up to 30'],
    ['sequence', { sequence: '0' }, 'is not a sequence number'],
    ['sequence', { sequence: '1.5' }, 'is not a sequence number'],
    ['sequence', { sequence: '-3' }, 'is not a sequence number'],
    ['sequence', { sequence: '' }, 'Enter the entry'],
    ['device_time', { device_time: '2026-02-30 10:00:00' }, 'is not a date and time'],
    ['device_time', { device_time: '2026-03-01T10:00:00Z' }, 'is not a date and time'],
    ['device_time', { device_time: '2026-03-01 24:00:00' }, 'is not a date and time'],
    ['device_time', { device_time: '2026-03-01 10:00' }, 'is not a date and time'],
    ['event', { event: 'fired' }, 'is not an event'],
    ['duration_s', { duration_s: '' }, "Enter the trigger's duration"],
    ['duration_s', { event: 'arc', duration_s: '' }, "Enter the arc's duration"],
    ['duration_s', { duration_s: '-1' }, 'is not a duration'],
    ['duration_s', { duration_s: '601' }, 'is not a duration'],
    ['duration_s', { event: 'armed' }, 'has no duration'],
    ['bay', { bay: '0' }, 'is not a bay'],
    ['battery_pct', { battery_pct: '101' }, 'is not a battery percentage'],
    ['temperature_c', { temperature_c: '150' }, 'is not a temperature'],
    ['cartridge_serial', { cartridge_serial: 'c 1' }, 'is not a cartridge serial'],
    ['true_time', { true_time: '2026-03-01T10:00:00Z' }, 'Only a time_sync entry'],
    ['true_time', { event: 'time_sync', duration_s: '', true_time: '' }, 'needs the true time'],
    ['true_time', { event: 'time_sync', duration_s: '', true_time: '2026-03-01T10:00:00+01:00' }, 'is not a true time'],
    ['true_time', { event: 'time_sync', duration_s: '', true_time: '2000-01-01 00:00:00' }, 'before 2001'],
  ] as const)('refuses a bad %s (%j) naming line and column', async (column, values, message) => {
    const r = await readAll(`${HEADER}\n${row({ sequence: '9' })}\n${row(values)}\n`);
    expect(r.rows.map((x) => x.line)).toEqual([2]);
    expect(r.errors).toEqual([{ line: 3, column, message: expect.stringContaining(message) }]);
    expect(r.rejectedRows).toBe(1);
  });

  it.each([
    ['safe with how long it was armed', { event: 'safe', duration_s: '3600' }, 3600],
    ['safe without', { event: 'safe', duration_s: '' }, null],
    ['a zero-length trigger', { duration_s: '0' }, 0],
  ] as const)('accepts %s', async (_, values, duration) => {
    const r = await readAll(`${HEADER}\n${row(values)}\n`);
    expect(r.errors).toEqual([]);
    expect(r.rows[0]!.durationS).toBe(duration);
  });

  it('accepts a clock reset (a device time before 2001) and a true time without a zone as UTC', async () => {
    const r = await readAll(`${HEADER}\n${row({ device_time: '2000-01-01 00:03:00', event: 'time_sync', duration_s: '', true_time: '2026-03-29 01:30:00' })}\n`);
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ deviceTime: '2000-01-01 00:03:00', trueTime: '2026-03-29T01:30:00.000Z' });
  });

  it('reads a repeated entry once, and names both lines when the values differ', async () => {
    const r = await readAll(`${HEADER}\n${row()}\n${row({ sequence: '2' })}\n${row()}\n${row({ sequence: '2', duration_s: '7' })}\n${row({ device_serial: 'X2-0002' })}\n`);
    expect(r.rows.map((x) => [x.line, x.deviceSerial, x.sequence, x.repeatOf])).toEqual([
      [2, 'X2-0001', 1, undefined],
      [3, 'X2-0001', 2, undefined],
      [4, 'X2-0001', 1, 2],
      [6, 'X2-0002', 1, undefined],
    ]);
    expect(r.errors).toEqual([{ line: 5, column: 'sequence', message: expect.stringContaining('also on line 3 with different values') }]);
  });

  it('spots a repeat however the sequence numbers come: descending, far apart, after the arrays grow', async () => {
    const seqs = [5000, 3, 1_000_000, 4000, ...Array.from({ length: 300 }, (_, i) => 6000 - i), 2_000_000_000];
    const repeats = [3, 1_000_000, 5000, 5801, 2_000_000_000];
    const lines = [...seqs, ...repeats].map((s) => row({ sequence: String(s) }));
    lines.push(row({ sequence: '4000', duration_s: '6' }));
    const r = await readAll(`${HEADER}\n${lines.join('\n')}\n`);
    const line = (s: number) => seqs.indexOf(s) + 2;
    expect(r.rows.filter((x) => x.repeatOf !== undefined).map((x) => [x.sequence, x.repeatOf])).toEqual(repeats.map((s) => [s, line(s)]));
    expect(r.errors).toEqual([{ line: seqs.length + repeats.length + 2, column: 'sequence', message: expect.stringContaining(`also on line ${line(4000)}`) }]);
  });

  it.each([
    ['a missing column', CANONICAL_COLUMNS.filter((c) => c !== 'bay').join(','), [{ line: 1, column: 'bay', message: expect.stringContaining('The bay column is missing') }]],
    ['an unknown column', `${HEADER},colour`, [{ line: 1, column: 'colour', message: expect.stringContaining('Unknown column "colour"') }]],
    ['a repeated column', `${HEADER},bay`, [{ line: 1, column: 'bay', message: expect.stringContaining('more than once') }]],
  ])('refuses a header with %s, reading no rows', async (_, header, errors) => {
    const r = await readAll(`${header}\n${row()}\n`);
    expect(r.errors).toEqual(errors);
    expect(r.rows).toEqual([]);
  });

  it('names a row with too few values, an empty file, and a broken quote', async () => {
    expect((await readAll(`${HEADER}\nX2-1,1\n`)).errors).toEqual([{ line: 2, column: null, message: expect.stringContaining('2 values but the header has 10') }]);
    expect((await readAll('')).errors).toEqual([{ line: 1, column: null, message: expect.stringContaining('The file is empty') }]);
    const broken = await readAll(`${HEADER}\n${row()}\n${row({ sequence: '2', cartridge_serial: '"C-1' })}\n`);
    expect(broken.errors).toEqual([{ line: 3, column: null, message: expect.stringContaining('never closed') }]);
  });

  it('picks the first layout that recognises the header, and the canonical one when none does', () => {
    const vendor: LogLayout = { name: 'vendor', columns: ['Serial', 'Entry'], recognises: (keys) => keys.includes('entry'), open: () => ({ reader: null, errors: [] }) };
    const layouts = [pickLayout(['device_serial', 'sequence']), pickLayout(['Serial', 'Entry'], [pickLayout([]), vendor]), pickLayout(['what'])].map((l) => l.name);
    expect(layouts).toEqual(['canonical', 'vendor', 'canonical']);
  });
});
