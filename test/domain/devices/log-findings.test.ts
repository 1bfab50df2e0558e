import { describe, expect, it } from 'vitest';
import { confirmationText, findingLabel, londonTimeOfDay } from '../../../src/domain/devices/log-findings.js';

describe('what a device log confirms, in words', () => {
  it.each([
    [{ startsAt: '2026-07-01T13:02:10.000Z', arcs: 0, cycles: [5, 7.14] }, undefined, 'device log: 2 cycles, 5.0 s and 7.1 s; 14:02 true time'],
    [{ startsAt: '2026-12-01T14:02:59.000Z', arcs: 0, cycles: [5.04] }, undefined, 'device log: 1 cycle, 5.0 s; 14:02 true time'],
    [{ startsAt: '2026-12-01T14:02:00.000Z', arcs: 0, cycles: [5, 5.2, 7.1] }, undefined, 'device log: 3 cycles, 5.0 s, 5.2 s and 7.1 s; 14:02 true time'],
    [{ startsAt: '2026-12-01T14:02:00.000Z', arcs: 3, cycles: [] }, undefined, 'device log: 3 arcs; 14:02 true time'],
    [{ startsAt: '2026-12-01T14:02:00.000Z', arcs: 1, cycles: [] }, undefined, 'device log: 1 arc; 14:02 true time'],
    // 23:30 UTC on 31 March is 00:30 on 1 April in London (BST)
    [{ startsAt: '2026-03-31T23:30:00.000Z', arcs: 1, cycles: [] }, '2026-03-31', 'device log: 1 arc; 00:30 on 2026-04-01 true time'],
    [{ startsAt: '2026-03-31T23:30:00.000Z', arcs: 1, cycles: [] }, '2026-04-01', 'device log: 1 arc; 00:30 true time'],
  ])('%j → %s', (episode, onDay, text) => {
    expect(confirmationText(episode, onDay)).toBe(text);
  });

  it('gives London clock time on both sides of the clock changes', () => {
    expect(londonTimeOfDay('2026-03-29T00:59:00Z')).toBe('00:59');
    expect(londonTimeOfDay('2026-03-29T01:00:00Z')).toBe('02:00');
    expect(londonTimeOfDay('2026-10-25T00:30:00Z')).toBe('01:30');
    expect(londonTimeOfDay('2026-10-25T01:30:00Z')).toBe('01:30');
  });

  it('names every exception kind, and an unknown one readably', () => {
    expect(findingLabel('discharge_without_report')).toBe('Discharge without a report');
    expect(findingLabel('something_new')).toBe('something new');
  });
});
