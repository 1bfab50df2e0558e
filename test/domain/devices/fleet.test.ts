import { describe, expect, it } from 'vitest';
import { boroughMigration, compositionByMonth, fleetTable, inServiceAt, migrationStanding, monthsEndingWith, ratioText, trainedPerDevice, type FleetSpan } from '../../../src/domain/devices/fleet.js';

/* Issue 12: the fleet page's pure figures. */

describe('months for the composition chart', () => {
  it('counts back across a year end, oldest first', () => {
    expect(monthsEndingWith('2027-02', 4)).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthsEndingWith('2027-04', 24)).toHaveLength(24);
    expect(monthsEndingWith('2027-04', 24)[0]).toBe('2025-05');
  });
});

describe('in service at the end of a day', () => {
  const span = (inServiceOn: string | null, withdrawnOn: string | null): FleetSpan => ({ modelName: 'X2', inServiceOn, withdrawnOn });
  it.each([
    [span('2026-03-01', null), '2026-02-28', false],
    [span('2026-03-01', null), '2026-03-01', true],
    [span('2026-03-01', '2026-05-10'), '2026-05-09', true],
    [span('2026-03-01', '2026-05-10'), '2026-05-10', false],
    [span(null, null), '2000-01-01', true],
    [span(null, '2026-01-01'), '2026-01-31', false],
  ])('%o on %s: %s', (s, day, expected) => {
    expect(inServiceAt(s, day)).toBe(expected);
  });
});

describe('fleet composition by month', () => {
  const spans: FleetSpan[] = [
    { modelName: 'X26', inServiceOn: '2019-01-10', withdrawnOn: '2026-12-15' },
    { modelName: 'X26', inServiceOn: '2019-01-10', withdrawnOn: null },
    { modelName: 'X2', inServiceOn: '2026-11-30', withdrawnOn: null },
    { modelName: 'X2', inServiceOn: '2027-01-20', withdrawnOn: null },
    { modelName: 'X2', inServiceOn: null, withdrawnOn: null },
    { modelName: 'TASER 10', inServiceOn: '2026-01-01', withdrawnOn: null },
  ];
  it('counts each model at each month end; a month end before a withdrawal still counts the device', () => {
    const months = compositionByMonth(spans, ['X26', 'X2'], ['2026-11', '2026-12', '2027-01'], '2027-03-01');
    expect(months).toEqual([
      { month: '2026-11', counts: [2, 2], total: 4 },
      { month: '2026-12', counts: [1, 2], total: 3 },
      { month: '2027-01', counts: [1, 3], total: 4 },
    ]);
  });
  it('counts the month still running on today, not its end', () => {
    const [m] = compositionByMonth(spans, ['X2'], ['2027-01'], '2027-01-10');
    expect(m).toEqual({ month: '2027-01', counts: [2], total: 2 });
  });
});

describe('the trained : device ratio', () => {
  it.each([
    [13, 5, 2.6, '2.6 : 1'],
    [2, 3, 0.7, '0.7 : 1'],
    [0, 4, 0, '0.0 : 1'],
    [7, 0, null, 'no devices'],
  ])('%i officers, %i devices: %s', (trained, devices, ratio, words) => {
    expect(trainedPerDevice(trained, devices)).toBe(ratio);
    expect(ratioText(trainedPerDevice(trained, devices))).toBe(words);
  });
});

describe('who needs the conversion course', () => {
  it('is authorised on the old model and not the new', () => {
    expect(migrationStanding(true, true)).toBe('new_model');
    expect(migrationStanding(true, false)).toBe('new_model');
    expect(migrationStanding(false, true)).toBe('old_only');
    expect(migrationStanding(false, false)).toBe('neither');
  });
  it('adds up officers and new-model devices per borough', () => {
    const officers = [
      { boroughId: 'a', standing: 'new_model' as const },
      { boroughId: 'a', standing: 'new_model' as const },
      { boroughId: 'a', standing: 'old_only' as const },
      { boroughId: 'b', standing: 'neither' as const },
      { boroughId: null, standing: 'new_model' as const },
    ];
    expect(boroughMigration(officers, new Map<string | null, number>([['a', 1]]), ['a', 'b', null])).toEqual([
      { boroughId: 'a', authorisedOnNew: 2, oldOnly: 1, devices: 1, ratio: 2 },
      { boroughId: 'b', authorisedOnNew: 0, oldOnly: 0, devices: 0, ratio: null },
      { boroughId: null, authorisedOnNew: 1, oldOnly: 0, devices: 0, ratio: null },
    ]);
  });
});

describe('devices by model and state per store', () => {
  it('has a column per model and state with devices, in lifecycle order, rows in the order given, and totals', () => {
    const t = fleetTable(
      [
        { store: 'borough:b', model: 'X2', state: 'issued', count: 2 },
        { store: 'borough:a', model: 'X2', state: 'in_store', count: 5 },
        { store: 'borough:a', model: 'X26', state: 'withdrawn', count: 1 },
        { store: 'central', model: 'X2', state: 'in_store', count: 3 },
        { store: 'central', model: 'TASER 7', state: 'in_repair', count: 0 },
        { store: 'team:unknown', model: 'X2', state: 'in_store', count: 9 },
      ],
      ['X2', 'X26', 'TASER 7'],
      ['borough:a', 'borough:b', 'central'],
    );
    expect(t.columns).toEqual([
      { model: 'X2', state: 'in_store' },
      { model: 'X2', state: 'issued' },
      { model: 'X26', state: 'withdrawn' },
    ]);
    expect(t.rows).toEqual([
      { store: 'borough:a', counts: [5, 0, 1], total: 6 },
      { store: 'borough:b', counts: [0, 2, 0], total: 2 },
      { store: 'central', counts: [3, 0, 0], total: 3 },
    ]);
    expect(t.totals).toEqual([8, 2, 1]);
    expect(t.total).toBe(11);
  });
});
