import { describe, expect, it } from 'vitest';
import { monthsAfter, overdueReasons, type DownloadState } from '../../../src/domain/devices/log-downloads.js';

const base: DownloadState = { lastDownloadAt: null, inServiceOn: '2026-01-10', registeredAt: '2025-12-01T09:00:00.000Z', discharges: [] };
const kinds = (d: Partial<DownloadState>, now: string) => overdueReasons({ ...base, ...d }, new Date(now)).map((r) => `${r.kind} ${r.dueAt}`);

describe('when a device log is due for a download', () => {
  it.each([
    ['never downloaded: 12 months after going into service', {}, '2027-01-09T23:59:59Z', []],
    ['never downloaded: due on the day', {}, '2027-01-10T00:00:00Z', ['interval 2027-01-10T00:00:00.000Z']],
    ['no day in service: from its registration', { inServiceOn: null }, '2026-12-01T09:00:00Z', ['interval 2026-12-01T09:00:00.000Z']],
    ['downloaded: 12 months after the last download', { lastDownloadAt: '2026-06-15T10:00:00.000Z' }, '2027-06-15T10:00:00Z', ['interval 2027-06-15T10:00:00.000Z']],
    [
      'a discharge 7 days ago exactly is not yet overdue',
      { lastDownloadAt: '2026-06-15T10:00:00.000Z', discharges: [{ occurredAt: '2026-09-01T20:00:00.000Z', ref: 'CAD 1' }] },
      '2026-09-08T20:00:00Z',
      [],
    ],
    [
      'a discharge more than 7 days ago with no download since',
      { lastDownloadAt: '2026-06-15T10:00:00.000Z', discharges: [{ occurredAt: '2026-09-01T20:00:00.000Z', ref: 'CAD 1' }] },
      '2026-09-08T20:00:01Z',
      ['discharge 2026-09-08T20:00:00.000Z'],
    ],
    ['a download after the discharge clears it', { lastDownloadAt: '2026-09-02T08:00:00.000Z', discharges: [{ occurredAt: '2026-09-01T20:00:00.000Z', ref: 'CAD 1' }] }, '2026-10-01T00:00:00Z', []],
    [
      'a download before the discharge does not',
      { lastDownloadAt: '2026-09-01T19:00:00.000Z', discharges: [{ occurredAt: '2026-09-01T20:00:00.000Z', ref: 'CAD 1' }] },
      '2026-10-01T00:00:00Z',
      ['discharge 2026-09-08T20:00:00.000Z'],
    ],
  ] as const)('%s', (_, d, now, expected) => {
    expect(kinds(d as Partial<DownloadState>, now)).toEqual(expected);
  });

  it('counts calendar months (29 February goes to 1 March)', () => {
    expect(monthsAfter('2028-02-29T12:00:00.000Z', 12)).toBe('2029-03-01T12:00:00.000Z');
    expect(monthsAfter('2026-01-31', 12)).toBe('2027-01-31T00:00:00.000Z');
  });
});
