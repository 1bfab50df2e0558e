import { londonDate, londonOffsetMinutes } from '../calendar.js';

/*
 * How Cedar words what a device's log says about a report (issue 13): the confirmation on the
 * report page ("device log: 2 cycles, 5.0 s and 7.1 s; 14:02 true time") and the names of the
 * reconciliation's exceptions. Pure.
 */

export const FINDING_LABELS: Record<string, string> = {
  discharge_without_report: 'Discharge without a report',
  arc_without_report: 'Arc without a report',
  report_without_log_event: 'Report without a log event',
  cycle_count_mismatch: 'Cycle count differs',
  extended_cycle_unreported: 'Extended cycle not reported',
  clock_reset: 'Clock reset',
  report_device_unknown: 'Device not in the register',
};

export const findingLabel = (kind: string): string => FINDING_LABELS[kind] ?? kind.replaceAll('_', ' ');

/** `14:02`: the London clock time of a UTC instant. */
export function londonTimeOfDay(instant: string): string {
  const at = new Date(instant);
  return new Date(at.getTime() + londonOffsetMinutes(at) * 60_000).toISOString().slice(11, 16);
}

const seconds = (s: number) => `${s.toFixed(1)} s`;

/** `5.0 s`, `5.0 s and 7.1 s`, `5.0 s, 5.2 s and 7.1 s`. */
function listOf(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export interface ConfirmingEpisode {
  startsAt: string;
  arcs: number;
  /** Each cycle's length in seconds. */
  cycles: readonly number[];
}

/**
 * What the log confirms, in one line: `device log: 2 cycles, 5.0 s and 7.1 s; 14:02 true time`
 * (an episode of arcs only: `device log: 3 arcs; 14:02 true time`). The time is London's, with
 * the day when `onDay` (the incident's London day) is not the episode's.
 */
export function confirmationText(e: ConfirmingEpisode, onDay?: string): string {
  const what = e.cycles.length > 0 ? `${e.cycles.length} ${e.cycles.length === 1 ? 'cycle' : 'cycles'}, ${listOf(e.cycles.map(seconds))}` : `${e.arcs} ${e.arcs === 1 ? 'arc' : 'arcs'}`;
  const day = londonDate(e.startsAt);
  return `device log: ${what}; ${londonTimeOfDay(e.startsAt)}${onDay && onDay !== day ? ` on ${day}` : ''} true time`;
}
