/**
 * "The report knows the device" (issue 12): the Taser serial a report names, checked against
 * the fleet register and its sign-out history. Pure: the caller finds the device and its issue
 * spans. The results are warnings, never errors: the report still saves and submits, and the
 * officer and the reviewer see them.
 */

import { dayLabel, londonDate, londonOffsetMinutes } from '../calendar.js';
import { isDischarge } from '../report/levels.js';
import { levelOf, seriousOutcome, type ReportContent } from '../report/content.js';

export const SERIAL_WARNING_CODES = ['unknown_serial', 'not_issued_to_officer'] as const;
export type SerialWarningCode = (typeof SERIAL_WARNING_CODES)[number];

export interface SerialWarning {
  code: SerialWarningCode;
  message: string;
}

/** One sign-out of the device: from `issuedAt` until `returnedAt` (null: still out). ISO-8601 instants. */
export interface IssueSpan {
  officerId: string;
  issuedAt: string;
  returnedAt: string | null;
}

export interface SerialCheckInput {
  /** The serial as the report gives it. */
  serial: string;
  /** The officer the report is by. */
  officerId: string;
  /** When the incident happened. */
  incidentAt: Date;
  /** The device with that serial in the force's register, or null when there is none. */
  device: { id: string; serial: string } | null;
  /** The device's issue history (any order). */
  spans: readonly IssueSpan[];
}

/** Whether a span covers an instant: issued at or before it, and not yet returned (returned strictly after). */
export const spanCovers = (span: IssueSpan, at: Date): boolean => Date.parse(span.issuedAt) <= at.getTime() && (span.returnedAt === null || at.getTime() < Date.parse(span.returnedAt));

/** 22:15 on 20 November 2026 (London time). */
function londonWhen(at: Date): string {
  const local = new Date(at.getTime() + londonOffsetMinutes(at) * 60_000).toISOString();
  return `${local.slice(11, 16)} on ${dayLabel(londonDate(at))}`;
}

/** The warnings for a report's Taser serial: none when the register shows the device out to this officer at the incident. */
export function serialWarnings(input: SerialCheckInput): SerialWarning[] {
  const serial = input.serial.trim().toUpperCase();
  if (!input.device) {
    return [
      {
        code: 'unknown_serial',
        message: `Taser serial number ${serial} is not in the force's register of devices. Check the serial number on the device's label.`,
      },
    ];
  }
  const covering = input.spans.filter((s) => spanCovers(s, input.incidentAt));
  if (covering.some((s) => s.officerId === input.officerId)) return [];
  const when = londonWhen(input.incidentAt);
  const where = covering.length ? 'the register shows it was issued to another officer then' : 'the register shows it was not issued to anyone then';
  return [
    {
      code: 'not_issued_to_officer',
      message: `Taser ${input.device.serial} was not issued to the officer who wrote this report at the time of the incident (${when}): ${where}.`,
    },
  ];
}

/**
 * Why Cedar proposes quarantining the device a report names, or null: a discharge (fired,
 * drive stun or angle drive stun) with death or serious injury.
 */
export function quarantineReason(content: ReportContent): string | null {
  if (!content.ced || content.tactics?.cedUsed === false) return null;
  const level = levelOf(content);
  if (!isDischarge(level) || !seriousOutcome(content)) return null;
  const death = Boolean(content.outcomes?.outcomes.includes('fatality')) || content.injuries?.subjectInjuryLevel === 'death' || content.injuries?.staffInjuryLevel === 'death';
  const use = level === 'fired' ? 'fired' : level === 'drive_stun' ? 'used in drive stun' : 'used in angle drive stun';
  return `Taser ${use}; ${death ? 'a death was recorded' : 'a serious injury was recorded'}`;
}
