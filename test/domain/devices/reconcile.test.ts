import { describe, expect, it } from 'vitest';
import {
  confirmationText,
  EXCEPTION_KINDS,
  isArcedOrHigher,
  isDischarge,
  iso,
  parseDeviceTime,
  METHODOLOGY,
  reconcileDevice,
  type DeviceInput,
  type Episode,
  type ExceptionKind,
  type IssueSpan,
  type LogEvent,
  type LogEventKind,
  type ReportClaim,
  type Window,
} from '../../../src/domain/devices/reconcile.js';
import type { CedLevel } from '../../../src/domain/report/levels.js';

/* Issue 13: a device's own log against the reports naming it. Every number here is worked by hand. */

const SERIAL = 'X26-0001';
const OPEN: Window = { from: '2020-01-01T00:00:00.000Z', to: '2030-01-01T00:00:00.000Z' };

function ev(sequence: number, deviceTime: string, event: LogEventKind = 'trigger', durationS: number | null = event === 'trigger' || event === 'arc' ? 5 : null): LogEvent {
  return { sequence, deviceTime, event, durationS, bay: event === 'trigger' ? 1 : null, cartridgeSerial: event === 'trigger' ? 'C0001' : null, trueTime: null };
}
function sync(sequence: number, deviceTime: string, trueTime: string): LogEvent {
  return { ...ev(sequence, deviceTime, 'time_sync'), trueTime };
}
/** Syncs with no error at both ends of 2026: events between are placed exactly at their device time. */
const BRACKETS = [sync(0, '2026-01-01 00:00:00', '2026-01-01T00:00:00.000Z'), sync(100_000, '2026-12-31 00:00:00', '2026-12-31T00:00:00.000Z')];
const HELD: IssueSpan = { officerId: 'officer-1', collarNumber: '1234AB', issuedAt: '2026-01-01T00:00:00.000Z', returnedAt: null };

function device(events: LogEvent[], reports: ReportClaim[] = [], over: Partial<DeviceInput> = {}): DeviceInput {
  return { serial: SERIAL, splitCycles: true, registered: true, events: [...BRACKETS, ...events], issues: [HELD], reports, ...over };
}
function report(id: string, occurredAt: string, levels: CedLevel[] = ['fired'], over: Partial<ReportClaim> = {}): ReportClaim {
  return { kind: 'report', id, ref: `REF-${id}`, occurredAt, levels, totalCycles: null, cycleExtended: null, ...over };
}
const placedAt = (input: DeviceInput, sequence: number) => reconcileDevice(input, OPEN).placed.find((p) => p.sequence === sequence)!;
const kinds = (input: DeviceInput, window: Window = OPEN) => reconcileDevice(input, window).exceptions.map((e) => e.kind);

describe('rule 1: true time', () => {
  const A = sync(1, '2026-03-01 00:00:00', '2026-03-01T00:00:00.000Z');
  // Device 100 s fast when synced ten days later: the span is 10 days + 100 s of device time.
  const B = sync(3, '2026-03-11 00:01:40', '2026-03-11T00:00:00.000Z');
  it.each([
    ['half way: 50 s of the 100 s', [A, ev(2, '2026-03-06 00:00:50', 'armed'), B], '2026-03-06T00:00:00.000Z', 50, 0],
    ['a quarter of the way: 25 s', [A, ev(2, '2026-03-03 12:00:25', 'armed'), B], '2026-03-03T12:00:00.000Z', 25, 0],
    ['a slow clock: half of -100 s', [A, ev(2, '2026-03-06 00:00:00', 'armed'), sync(3, '2026-03-11 00:00:00', '2026-03-11T00:01:40.000Z')], '2026-03-06T00:00:50.000Z', -50, 0],
    [
      'across the March clock change: UTC throughout, half of 200 s',
      [sync(1, '2026-03-20 00:00:00', '2026-03-20T00:00:00.000Z'), ev(2, '2026-03-30 00:01:40', 'armed'), sync(3, '2026-04-09 00:03:20', '2026-04-09T00:00:00.000Z')],
      '2026-03-30T00:00:00.000Z',
      100,
      0,
    ],
    [
      'across the October clock change: half of 200 s',
      [sync(1, '2026-10-15 00:00:00', '2026-10-15T00:00:00.000Z'), ev(2, '2026-10-25 00:01:40', 'armed'), sync(3, '2026-11-04 00:03:20', '2026-11-04T00:00:00.000Z')],
      '2026-10-25T00:00:00.000Z',
      100,
      0,
    ],
    [
      'in the hour London repeats: 867,700 / 1,728,200 of 200 s = 100.417 s',
      [sync(1, '2026-10-15 00:00:00', '2026-10-15T00:00:00.000Z'), ev(2, '2026-10-25 01:01:40', 'armed'), sync(3, '2026-11-04 00:03:20', '2026-11-04T00:00:00.000Z')],
      '2026-10-25T00:59:59.583Z',
      100.417,
      0,
    ],
    ['before the first sync: the first sync’s whole 100 s', [ev(2, '2026-02-20 10:00:00', 'armed'), B], '2026-02-20T09:58:20.000Z', 100, 0],
    ['after the last sync, 15 days: offset 0, 2 minutes wider', [A, ev(2, '2026-03-16 00:00:00', 'armed')], '2026-03-16T00:00:00.000Z', 0, 120],
    ['after the last sync, 30 days: 4 minutes', [A, ev(2, '2026-03-31 00:00:00', 'armed')], '2026-03-31T00:00:00.000Z', 0, 240],
    ['after the last sync, 60 days: 8 minutes', [A, ev(2, '2026-04-30 00:00:00', 'armed')], '2026-04-30T00:00:00.000Z', 0, 480],
    ['after the last sync, 450 days: 60 minutes', [A, ev(2, '2027-05-25 00:00:00', 'armed')], '2027-05-25T00:00:00.000Z', 0, 3600],
    ['after the last sync, 500 days: still 60 minutes', [A, ev(2, '2027-07-14 00:00:00', 'armed')], '2027-07-14T00:00:00.000Z', 0, 3600],
    ['never synced: offset 0, the full 60 minutes', [ev(2, '2026-03-16 00:00:00', 'armed')], '2026-03-16T00:00:00.000Z', 0, 3600],
  ])('%s', (_name, events, at, offsetS, widenS) => {
    const placed = placedAt({ ...device([]), events }, 2);
    expect(placed).toMatchObject({ at, offsetS, widenS, functionTest: false });
  });

  it('places a sync at its true time with the error it measured, and sorts the log by sequence', () => {
    const r = reconcileDevice({ ...device([]), events: [B, ev(2, '2026-03-06 00:00:50', 'armed'), A] }, OPEN);
    expect(r.eventsRead).toBe(3);
    expect(r.placed.map((p) => [p.sequence, p.at, p.offsetS])).toEqual([
      [1, '2026-03-01T00:00:00.000Z', 0],
      [2, '2026-03-06T00:00:00.000Z', 50],
      [3, '2026-03-11T00:00:00.000Z', 100],
    ]);
  });

  it('names the row and field of a device time it cannot read', () => {
    expect(() => reconcileDevice({ ...device([]), events: [ev(7, '2026-03-06T00:00:50', 'armed')] }, OPEN)).toThrow(/Log event 7, deviceTime: 2026-03-06T00:00:50 is not a device time/);
  });
});

describe('rule 2: clock resets', () => {
  const log = [
    sync(1, '2026-03-01 08:00:00', '2026-03-01T08:00:00.000Z'),
    ev(2, '2026-03-02 10:00:00', 'armed'),
    ev(3, '2000-01-01 00:00:05', 'armed'),
    ev(4, '2000-01-01 00:10:00', 'trigger'),
    ev(5, '2000-01-01 00:10:30', 'safe'),
    sync(6, '2000-01-03 22:00:00', '2026-03-05T08:00:00.000Z'),
    ev(7, '2026-03-05 09:00:00', 'trigger'),
  ];
  const input = { ...device([]), events: log };

  it('cannot place events from the reset to the next sync, and places those after the sync', () => {
    const r = reconcileDevice(input, OPEN);
    expect(r.placed.map((p) => [p.sequence, p.at, p.offsetS, p.widenS])).toEqual([
      [1, '2026-03-01T08:00:00.000Z', 0, 0],
      // Its next sync was read off a reset clock: treated as after the last sync, 26 hours on (93,600 / 10,800 s).
      [2, '2026-03-02T10:00:00.000Z', 0, 8.667],
      [3, null, null, 0],
      [4, null, null, 0],
      [5, null, null, 0],
      [6, '2026-03-05T08:00:00.000Z', null, 0],
      // An hour after the last sync: 3,600 / 10,800 s.
      [7, '2026-03-05T09:00:00.000Z', 0, 0.333],
    ]);
  });

  it('makes one exception per run, bracketed by the last placed event and the sync, and never matches the run', () => {
    const r = reconcileDevice(input, OPEN);
    expect(r.exceptions.filter((e) => e.kind === 'clock_reset')).toEqual([
      expect.objectContaining({
        startsAt: '2026-03-02T10:00:00.000Z',
        endsAt: '2026-03-05T08:00:00.000Z',
        detail: '3 events between 2026-03-02 10:00 and the sync at 2026-03-05 08:00 could not be placed: the clock was reset.',
        key: `clock_reset:${SERIAL}:3`,
        officerCollar: null,
      }),
    ]);
    expect(r.episodes.flatMap((e) => e.sequences)).toEqual([7]);
  });

  it.each([
    [
      'two resets, two syncs: two runs',
      [...log, ev(8, '2000-01-01 00:00:01', 'armed'), sync(9, '2000-01-02 00:00:00', '2026-03-07T08:00:00.000Z')],
      ['clock_reset:X26-0001:3', 'clock_reset:X26-0001:8'],
    ],
    ['a reset never synced since', [...log, ev(8, '2000-01-01 00:00:01', 'armed'), ev(9, '2000-01-01 00:00:09', 'safe')], ['clock_reset:X26-0001:3', 'clock_reset:X26-0001:8']],
    ['a reset seen only in the sync itself: nothing unplaced, no exception', [log[0]!, log[1]!, log[5]!, log[6]!], []],
  ])('%s', (_name, events, keys) => {
    const r = reconcileDevice({ ...device([]), events }, OPEN);
    expect(r.exceptions.filter((e) => e.kind === 'clock_reset').map((e) => e.key)).toEqual(keys);
  });

  it('says so when the run has no sync after it', () => {
    const r = reconcileDevice({ ...device([]), events: [...log, ev(8, '2000-01-01 00:00:01', 'armed')] }, OPEN);
    expect(r.exceptions.find((e) => e.key.endsWith(':8'))).toMatchObject({
      startsAt: '2026-03-05T09:00:00.000Z',
      endsAt: '2026-03-05T09:00:00.000Z',
      detail: '1 event after 2026-03-05 09:00 could not be placed: the clock was reset and has not been synced since.',
    });
  });
});

describe('rule 3: function tests', () => {
  const issued: IssueSpan = { officerId: 'officer-2', collarNumber: '5678CD', issuedAt: '2026-03-02T07:00:00.000Z', returnedAt: '2026-03-02T17:00:00.000Z' };
  it.each([
    ['9 min 59 s after issue: the spark test', '2026-03-02 07:09:59', 'trigger', true],
    ['exactly 10 minutes after issue: still the spark test', '2026-03-02 07:10:00', 'arc', true],
    ['10 min 1 s after issue: use', '2026-03-02 07:10:01', 'trigger', false],
    ['an arc at 10 min 1 s: use', '2026-03-02 07:10:01', 'arc', false],
    ['before it was issued: not issued to anyone', '2026-03-02 06:59:59', 'trigger', true],
    ['at the moment it was returned: not issued', '2026-03-02 17:00:00', 'trigger', true],
    ['a second before it was returned: use', '2026-03-02 16:59:59', 'trigger', false],
  ] as const)('%s', (_name, time, kind, test) => {
    const r = reconcileDevice(device([ev(1, time, kind)], [], { issues: [issued] }), OPEN);
    expect(r.placed.find((p) => p.sequence === 1)!.functionTest).toBe(test);
    expect(r.functionTests).toBe(test ? 1 : 0);
    expect(r.episodes).toHaveLength(test ? 0 : 1);
    expect(r.exceptions).toHaveLength(test ? 0 : 1);
  });

  it('is never an exception, with no issue records at all', () => {
    const r = reconcileDevice(device([ev(1, '2026-03-02 12:00:00'), ev(2, '2026-03-02 12:00:10', 'arc')], [], { issues: [] }), OPEN);
    expect([r.functionTests, r.episodes.length, r.exceptions.length]).toEqual([2, 0, 0]);
  });
});

describe('rule 4: cycles', () => {
  // First piece 14:02:00 lasting d1 s, second piece 14:02:05: the gap is 5 - d1 s.
  it.each([
    ['X26, 1.9 s gap: one cycle of two pieces', true, 3.1, [{ lengthS: 5.1, pieces: 2 }]],
    ['X26, exactly 2 s gap: one cycle', true, 3, [{ lengthS: 5, pieces: 2 }]],
    [
      'X26, 2.1 s gap: two cycles',
      true,
      2.9,
      [
        { lengthS: 2.9, pieces: 1 },
        { lengthS: 2, pieces: 1 },
      ],
    ],
    [
      'X2, 1.9 s gap: never joined',
      false,
      3.1,
      [
        { lengthS: 3.1, pieces: 1 },
        { lengthS: 2, pieces: 1 },
      ],
    ],
  ])('%s', (_name, splitCycles, d1, cycles) => {
    const r = reconcileDevice(device([ev(1, '2026-03-02 14:02:00', 'trigger', d1), ev(2, '2026-03-02 14:02:05', 'trigger', 2)], [], { splitCycles }), OPEN);
    expect(r.episodes[0]!.cycles.map(({ lengthS, pieces }) => ({ lengthS, pieces }))).toEqual(cycles);
  });

  it('joins three pieces and starts the cycle at the first; arcs are not cycles', () => {
    const r = reconcileDevice(
      device([ev(1, '2026-03-02 14:02:00', 'trigger', 2), ev(2, '2026-03-02 14:02:03', 'trigger', 2), ev(3, '2026-03-02 14:02:06', 'trigger', 1.5), ev(4, '2026-03-02 14:02:20', 'arc', 1)]),
      OPEN,
    );
    expect(r.episodes[0]!.cycles).toEqual([{ startsAt: '2026-03-02T14:02:00.000Z', lengthS: 5.5, pieces: 3 }]);
    expect(r.episodes[0]!).toMatchObject({ triggers: 3, arcs: 1 });
  });
});

describe('rule 5: episodes', () => {
  it.each([
    ['exactly 30 minutes apart: one episode', ['2026-03-02 14:00:00', '2026-03-02 14:30:00'], [[1, 2]]],
    ['30 min 1 s apart: two', ['2026-03-02 14:00:00', '2026-03-02 14:30:01'], [[1], [2]]],
    ['chained, each within 30 minutes of the previous: one', ['2026-03-02 14:00:00', '2026-03-02 14:25:00', '2026-03-02 14:50:00', '2026-03-02 15:15:00'], [[1, 2, 3, 4]]],
  ])('%s', (_name, times, groups) => {
    const r = reconcileDevice(device(times.map((t, i) => ev(i + 1, t, 'trigger'))), OPEN);
    expect(r.episodes.map((e) => e.sequences)).toEqual(groups);
  });

  it('ends at the last event’s start plus its duration, and names who held the device', () => {
    const r = reconcileDevice(device([ev(1, '2026-03-02 14:00:00', 'trigger', 5), ev(2, '2026-03-02 14:10:00', 'arc', 2.5)]), OPEN);
    expect(r.episodes[0]).toMatchObject({ startsAt: '2026-03-02T14:00:00.000Z', endsAt: '2026-03-02T14:10:02.500Z', officerId: 'officer-1', collarNumber: '1234AB', widenS: 0 });
  });

  it('leaves out function tests between uses', () => {
    const issues: IssueSpan[] = [
      { ...HELD, issuedAt: '2026-03-02T07:00:00.000Z', returnedAt: '2026-03-02T14:20:00.000Z' },
      { ...HELD, officerId: 'officer-3', collarNumber: '9999ZZ', issuedAt: '2026-03-02T14:25:00.000Z', returnedAt: null },
    ];
    const r = reconcileDevice(device([ev(1, '2026-03-02 14:10:00'), ev(2, '2026-03-02 14:30:00'), ev(3, '2026-03-02 14:41:00')], [], { issues }), OPEN);
    expect(r.episodes.map((e) => [e.sequences, e.collarNumber])).toEqual([
      [[1], '1234AB'],
      [[3], '9999ZZ'],
    ]);
    expect(r.functionTests).toBe(1);
  });
});

describe('rule 6: matching', () => {
  // One trigger 14:02:00 to 14:02:05, exactly placed: a report matches from 13:47:00 to 14:17:05.
  const use = [ev(1, '2026-03-02 14:02:00', 'trigger', 5)];
  it.each([
    ['15 minutes before the start', '2026-03-02T13:47:00.000Z', true],
    ['a second more', '2026-03-02T13:46:59.000Z', false],
    ['15 minutes after the end', '2026-03-02T14:17:05.000Z', true],
    ['a second more', '2026-03-02T14:17:06.000Z', false],
  ])('%s', (_name, occurredAt, matched) => {
    const r = reconcileDevice(device(use, [report('r1', occurredAt)]), OPEN);
    expect(r.matches.map((m) => m.reportId)).toEqual(matched ? ['r1'] : []);
    expect(r.episodes[0]!.reportIds).toEqual(matched ? ['r1'] : []);
  });

  // Synced 30 days before the trigger: widened by 4 more minutes, 13:43:00 to 14:21:05.
  const drifting = [sync(1, '2026-02-01 14:02:00', '2026-02-01T14:02:00.000Z'), ev(2, '2026-03-03 14:02:00', 'trigger', 5)];
  it.each([
    ['19 minutes before', '2026-03-03T13:43:00.000Z', true],
    ['19 min 1 s before', '2026-03-03T13:42:59.000Z', false],
    ['19 minutes after the end', '2026-03-03T14:21:05.000Z', true],
    ['19 min 1 s after the end', '2026-03-03T14:21:06.000Z', false],
  ])('after the last sync, widened: %s', (_name, occurredAt, matched) => {
    const r = reconcileDevice({ ...device([]), events: drifting, reports: [report('r1', occurredAt)] }, OPEN);
    expect(r.episodes[0]!.widenS).toBe(240);
    expect(r.matches.map((m) => m.reportId)).toEqual(matched ? ['r1'] : []);
  });

  const arcs = [ev(1, '2026-03-02 14:02:00', 'arc', 1), ev(2, '2026-03-02 14:02:10', 'arc', 1)];
  it.each([
    ['a trigger, report fired', use, ['fired'], true],
    ['a trigger, report drive stun', use, ['drive_stun'], true],
    ['a trigger, report repeat drive stun', use, ['drive_stun_repeat'], true],
    ['a trigger, report angle drive stun', use, ['angle_drive_stun'], true],
    ['a trigger, report arced only', use, ['arced', 'aimed'], false],
    ['arcs only, report arced', arcs, ['arced'], true],
    ['arcs only, report fired', arcs, ['fired'], true],
    ['arcs only, report red-dotted', arcs, ['red_dotted', 'drawn'], false],
  ] as const)('%s: %s', (_name, events, levels, matched) => {
    const r = reconcileDevice(device([...events], [report('r1', '2026-03-02T14:00:00.000Z', [...levels])]), OPEN);
    expect(r.matches.length).toBe(matched ? 1 : 0);
  });

  it('matches an episode to every report whose time it holds, and keeps the report’s kind', () => {
    const r = reconcileDevice(device(use, [report('r1', '2026-03-02T14:00:00.000Z'), report('i1', '2026-03-02T14:05:00.000Z', ['fired'], { kind: 'imported' })]), OPEN);
    expect(r.matches.map((m) => [m.reportId, m.reportKind])).toEqual([
      ['r1', 'report'],
      ['i1', 'imported'],
    ]);
    expect(r.episodes[0]!.reportIds).toEqual(['r1', 'i1']);
  });

  it.each([
    [['fired'], true, true],
    [['drive_stun_repeat'], true, true],
    [['arced'], false, true],
    [['red_dotted', 'aimed', 'drawn'], false, false],
    [[], false, false],
  ] as const)('levels %o: discharge %s, arced or higher %s', (levels, discharge, arced) => {
    expect([isDischarge(levels), isArcedOrHigher(levels)]).toEqual([discharge, arced]);
  });
});

describe('rule 7: exceptions', () => {
  const use = [ev(1, '2026-03-02 14:02:00', 'trigger', 5), ev(2, '2026-03-02 14:02:30', 'trigger', 7.1)];
  const at = '2026-03-02T14:00:00.000Z';
  it.each([
    ['discharge without report', use, [], ['discharge_without_report']],
    ['arc without report', [ev(1, '2026-03-02 14:02:00', 'arc', 1)], [], ['arc_without_report']],
    ['matched, stated 2 cycles, said extended: nothing', use, [report('r1', at, ['fired'], { totalCycles: 2, cycleExtended: true })], []],
    ['cycle count mismatch: 3 stated, 2 logged', use, [report('r1', at, ['fired'], { totalCycles: 3, cycleExtended: true })], ['cycle_count_mismatch']],
    ['cycles not stated: no mismatch', use, [report('r1', at, ['fired'], { cycleExtended: true })], []],
    ['extended cycle not reported (7.1 s, report says no)', use, [report('r1', at, ['fired'], { totalCycles: 2, cycleExtended: false })], ['extended_cycle_unreported']],
    ['extended cycle not reported (extension not stated)', use, [report('r1', at, ['fired'], { totalCycles: 2 })], ['extended_cycle_unreported']],
    ['a 5.5 s cycle is not extended', [ev(1, '2026-03-02 14:02:00', 'trigger', 5.5)], [report('r1', at, ['fired'], { totalCycles: 1 })], []],
    ['report without log event: fired, log covers the time', [], [report('r1', at)], ['report_without_log_event']],
    ['report without log event: arced', [], [report('r1', at, ['arced'])], ['report_without_log_event']],
    ['aimed only: nothing to find', [], [report('r1', at, ['aimed'])], []],
    ['arced report near a trigger: both sides are exceptions', use, [report('r1', at, ['arced'])], ['discharge_without_report', 'report_without_log_event']],
  ])('%s', (_name, events, reports, expected) => {
    expect(kinds(device(events, reports)).sort()).toEqual([...expected].sort());
  });

  it('fills in the discharge without report: officer, times, a sentence', () => {
    const [e] = reconcileDevice(device(use), OPEN).exceptions;
    expect(e).toEqual({
      kind: 'discharge_without_report',
      deviceSerial: SERIAL,
      startsAt: '2026-03-02T14:02:00.000Z',
      endsAt: '2026-03-02T14:02:37.100Z',
      reportIds: [],
      reportRefs: [],
      officerId: 'officer-1',
      officerCollar: '1234AB',
      detail: 'X26-0001 logged 2 triggers (2 cycles) from 2026-03-02 14:02 London time while issued to 1234AB, and no report of a discharge naming the device matches.',
      key: `discharge_without_report:${SERIAL}:1`,
      evidence: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('fills in the report exceptions with the report and the matched episode', () => {
    const r = reconcileDevice(device(use, [report('r1', at, ['fired'], { totalCycles: 3 })]), OPEN);
    expect(r.exceptions.map((e) => [e.kind, e.startsAt, e.endsAt, e.reportIds, e.reportRefs, e.officerCollar, e.key, e.detail])).toEqual([
      [
        'cycle_count_mismatch',
        '2026-03-02T14:02:00.000Z',
        '2026-03-02T14:02:37.100Z',
        ['r1'],
        ['REF-r1'],
        '1234AB',
        `cycle_count_mismatch:${SERIAL}:r1`,
        'Report REF-r1 states 3 fired cycles but X26-0001 logged 2 cycles (5.0 s and 7.1 s) from 2026-03-02 14:02 London time.',
      ],
      [
        'extended_cycle_unreported',
        '2026-03-02T14:02:00.000Z',
        '2026-03-02T14:02:37.100Z',
        ['r1'],
        ['REF-r1'],
        '1234AB',
        `extended_cycle_unreported:${SERIAL}:r1`,
        'X26-0001 logged a cycle of 7.1 s from 2026-03-02 14:02 London time, over 5.5 s, but report REF-r1 does not say a cycle was extended beyond 5 seconds.',
      ],
    ]);
  });

  it.each([
    ['before anything was logged', { ...device([]), events: [sync(5, '2026-03-03 00:00:00', '2026-03-03T00:00:00.000Z'), sync(6, '2026-03-04 00:00:00', '2026-03-04T00:00:00.000Z')] }],
    ['after the last event', { ...device([]), events: [sync(5, '2026-03-01 00:00:00', '2026-03-01T00:00:00.000Z')] }],
    [
      'where a clock reset left events unplaced',
      { ...device([]), events: [sync(5, '2026-03-01 00:00:00', '2026-03-01T00:00:00.000Z'), ev(6, '2000-01-01 00:00:00', 'trigger'), sync(7, '2000-01-05 00:00:00', '2026-03-05T00:00:00.000Z')] },
    ],
  ])('finds no missing log event when the log does not cover the time: %s', (_name, input) => {
    expect(kinds({ ...input, reports: [report('r1', at)] }).filter((k) => k === 'report_without_log_event')).toEqual([]);
  });

  it('flags every report on a device not in the register, and matches nothing else', () => {
    const r = reconcileDevice(device(use, [report('r1', at), report('r2', '2026-05-01T10:00:00.000Z')], { registered: false }), { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' });
    expect(r.matches).toEqual([]);
    expect(r.exceptions.map((e) => [e.kind, e.reportIds, e.key, e.detail])).toEqual([
      ['report_device_unknown', ['r1'], `report_device_unknown:${SERIAL}:r1`, 'Report REF-r1 names device X26-0001, which is not in the fleet register.'],
    ]);
  });

  it('has a test for every kind', () => {
    expect([...EXCEPTION_KINDS].sort()).toEqual(
      (
        [
          'discharge_without_report',
          'arc_without_report',
          'report_without_log_event',
          'cycle_count_mismatch',
          'extended_cycle_unreported',
          'clock_reset',
          'report_device_unknown',
        ] satisfies ExceptionKind[]
      ).sort(),
    );
  });
});

describe('stable keys and changing evidence', () => {
  const use = [ev(5, '2026-03-02 14:02:00', 'trigger', 5)];
  const one = (input: DeviceInput) => reconcileDevice(input, OPEN).exceptions[0]!;
  it('keeps key and evidence on a second run of the same facts', () => {
    expect(one(device(use))).toEqual(one(device(use)));
  });
  it('keeps the key and changes the evidence when a later upload adds to the episode', () => {
    const before = one(device(use));
    const after = one(device([...use, ev(6, '2026-03-02 14:03:00', 'trigger', 5)]));
    expect(after.key).toBe(before.key);
    expect(after.evidence).not.toBe(before.evidence);
  });
  it('keeps the key and changes the evidence when the report’s stated answer changes', () => {
    const stated = (n: number) => one(device(use, [report('r1', '2026-03-02T14:00:00.000Z', ['fired'], { totalCycles: n })]));
    expect(stated(2).key).toBe(stated(3).key);
    expect(stated(2).evidence).not.toBe(stated(3).evidence);
    expect(stated(2).kind).toBe('cycle_count_mismatch');
  });
  it('keys reports by id, not by position', () => {
    const a = report('r1', '2026-03-02T10:00:00.000Z');
    const b = report('r2', '2026-03-02T11:00:00.000Z');
    const keys = (reports: ReportClaim[]) => reconcileDevice(device(use, reports), OPEN).exceptions.map((e) => e.key);
    expect(keys([a, b])).toEqual(keys([b, a]));
  });
});

describe('window boundaries', () => {
  const window: Window = { from: '2026-03-02T14:00:00.000Z', to: '2026-03-03T14:00:00.000Z' };
  it.each([
    ['an episode starting at the window’s start counts', '2026-03-02 14:00:00', 1],
    ['a second before does not', '2026-03-02 13:59:59', 0],
    ['an episode starting at the window’s end does not', '2026-03-03 14:00:00', 0],
    ['a second before the end counts', '2026-03-03 13:59:59', 1],
  ])('%s', (_name, time, n) => {
    const r = reconcileDevice(device([ev(1, time)]), window);
    expect([r.episodes.length, r.exceptions.length]).toEqual([n, n]);
  });

  it.each([
    ['a report at the window’s start counts', '2026-03-02T14:00:00.000Z', 1],
    ['a report at its end does not', '2026-03-03T14:00:00.000Z', 0],
  ])('%s', (_name, occurredAt, n) => {
    expect(kinds(device([], [report('r1', occurredAt)]), window)).toHaveLength(n);
  });

  it('matches across the boundary: an episode just before the window and a report just inside make no exception', () => {
    const r = reconcileDevice(device([ev(1, '2026-03-02 13:55:00')], [report('r1', '2026-03-02T14:05:00.000Z')]), window);
    expect(r.exceptions).toEqual([]);
    expect(r.episodes).toEqual([]);
    expect(r.matches.map((m) => [m.reportId, m.episode.startsAt])).toEqual([['r1', '2026-03-02T13:55:00.000Z']]);
  });

  it('places events in the window from syncs outside it', () => {
    const events = [sync(1, '2026-02-01 00:00:00', '2026-02-01T00:00:00.000Z'), ev(2, '2026-03-02 15:00:30'), sync(3, '2026-04-01 00:01:00', '2026-04-01T00:00:00.000Z')];
    const r = reconcileDevice({ ...device([]), events }, window);
    // 29 days 15:00:30 of 59 days 00:01:00 = 2,559,630 / 5,097,660 of 60 s = 30.127 s.
    expect(r.episodes[0]!.startsAt).toBe('2026-03-02T14:59:59.873Z');
  });

  it('counts function tests and clock resets by where they start', () => {
    const issues: IssueSpan[] = [{ ...HELD, issuedAt: '2026-03-02T13:55:00.000Z' }];
    const r = reconcileDevice(device([ev(1, '2026-03-02 13:58:00'), ev(2, '2026-03-02 14:01:00'), ev(3, '2000-01-01 00:00:00', 'armed')], [], { issues }), window);
    expect(r.functionTests).toBe(1);
    expect(r.exceptions.map((e) => [e.kind, e.startsAt])).toEqual([['clock_reset', '2026-03-02T14:01:00.000Z']]);
  });
});

describe('the confirmation text and the methodology', () => {
  const episode = (over: Partial<Episode>): Episode => ({
    startsAt: '2026-03-02T14:02:00.000Z',
    endsAt: '2026-03-02T14:02:30.000Z',
    widenS: 0,
    triggers: 2,
    arcs: 0,
    cycles: [
      { startsAt: '2026-03-02T14:02:00.000Z', lengthS: 5, pieces: 1 },
      { startsAt: '2026-03-02T14:02:20.000Z', lengthS: 7.1, pieces: 2 },
    ],
    sequences: [1, 2, 3],
    officerId: null,
    collarNumber: null,
    reportIds: [],
    ...over,
  });
  it.each([
    ['two cycles in winter', episode({}), '2 cycles, 5.0 s and 7.1 s; 14:02 true time'],
    ['in summer, London time', episode({ startsAt: '2026-07-01T13:02:00.000Z' }), '2 cycles, 5.0 s and 7.1 s; 14:02 true time'],
    [
      'one cycle and an arc, widened',
      episode({ triggers: 1, arcs: 1, cycles: [{ startsAt: '2026-03-02T14:02:00.000Z', lengthS: 5, pieces: 1 }], widenS: 240 }),
      '1 cycle, 5.0 s, 1 arc; 14:02 true time, give or take 4 minutes',
    ],
    ['arcs only', episode({ triggers: 0, arcs: 3, cycles: [] }), 'no cycles, 3 arcs; 14:02 true time'],
  ])('%s', (_name, e, text) => {
    expect(confirmationText(e)).toBe(text);
  });

  it('states the seven rules in order', () => {
    expect(METHODOLOGY.map((m) => m.rule)).toEqual(['True time', 'Clock resets', 'Function tests', 'Cycles', 'Episodes', 'Matching', 'Exceptions']);
    expect(METHODOLOGY.find((m) => m.rule === 'Function tests')!.text).toMatch(/within 10 minutes after it was issued/);
  });
});

describe('reading device times and writing instants', () => {
  it.each([
    ['2026-03-29 01:30:00', '2026-03-29T01:30:00.000Z'],
    ['2024-02-29 23:59:59', '2024-02-29T23:59:59.000Z'],
    ['2000-01-01 00:00:00', '2000-01-01T00:00:00.000Z'],
    ['2026-02-29 00:00:00', null],
    ['2026-13-01 00:00:00', null],
    ['2026-03-02 24:00:00', null],
    ['2026-03-02T14:00:00', null],
    ['2026-03-02 14:00', null],
    ['2026-03-02 14:0a:00', null],
  ])('%s reads as %s (UTC, whatever the zone of the machine)', (text, expected) => {
    const ms = parseDeviceTime(text);
    expect(ms === null ? null : new Date(ms).toISOString()).toBe(expected);
  });

  it('writes instants exactly as toISOString does', () => {
    for (let ms = Date.parse('1999-12-31T23:59:59.999Z'); ms < Date.parse('2031-01-01T00:00:00.000Z'); ms += 86_399_987) expect(iso(ms)).toBe(new Date(ms).toISOString());
    expect(iso(Date.parse('2028-02-29T12:00:00.007Z'))).toBe('2028-02-29T12:00:00.007Z');
  });
});

describe('a full log', () => {
  it('reconciles 16,000 events quickly', () => {
    const events: LogEvent[] = [];
    const base = Date.parse('2026-01-02T00:00:00.000Z');
    for (let i = 1; i <= 16_000; i++) {
      const t = new Date(base + i * 37 * 60_000).toISOString().slice(0, 19).replace('T', ' ');
      events.push(i % 500 === 0 ? sync(i, t, `${t.replace(' ', 'T')}.000Z`) : ev(i, t, i % 4 === 0 ? 'trigger' : 'armed'));
    }
    const reports = Array.from({ length: 200 }, (_, i) => report(`r${i}`, new Date(base + i * 148 * 60_000 * 20).toISOString()));
    const started = performance.now();
    const r = reconcileDevice(device(events, reports), OPEN);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(r.eventsRead).toBe(16_002);
    expect(r.episodes).toHaveLength(3_968);
  });
});
