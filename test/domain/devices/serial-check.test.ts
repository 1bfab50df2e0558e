import { describe, expect, it } from 'vitest';
import { quarantineReason, serialWarnings, spanCovers, type IssueSpan } from '../../../src/domain/devices/serial-check.js';
import type { ReportContent } from '../../../src/domain/report/content.js';
import { firedReport } from '../../support/report-fixtures.js';

/* Issue 12: the report's Taser serial against the register, and when a device is proposed for quarantine. */

const AT = new Date('2026-11-20T22:15:00Z'); // 22:15 in London (GMT)
const DEVICE = { id: 'd1', serial: 'X29001234' };
const span = (officerId: string, issuedAt: string, returnedAt: string | null): IssueSpan => ({ officerId, issuedAt, returnedAt });
const check = (spans: IssueSpan[], device: typeof DEVICE | null = DEVICE, officerId = 'o1') => serialWarnings({ serial: 'x29001234', officerId, incidentAt: AT, device, spans });

describe('the Taser serial against the register', () => {
  it('warns of a serial the force has no device with', () => {
    expect(check([], null)).toEqual([{ code: 'unknown_serial', message: "Taser serial number X29001234 is not in the force's register of devices. Check the serial number on the device's label." }]);
  });

  it.each([
    ['out to the officer, not yet returned', [span('o1', '2026-11-20T18:00:00Z', null)]],
    ['out to the officer, returned after', [span('o1', '2026-11-20T18:00:00Z', '2026-11-21T04:00:00Z')]],
    ['issued at the very instant of the incident', [span('o1', '2026-11-20T22:15:00Z', null)]],
    [
      'among earlier and later issues to others',
      [span('o2', '2026-11-19T18:00:00Z', '2026-11-20T04:00:00Z'), span('o1', '2026-11-20T18:00:00Z', '2026-11-21T04:00:00Z'), span('o3', '2026-11-21T18:00:00Z', null)],
    ],
  ])('says nothing when the device was %s', (_, spans) => {
    expect(check(spans)).toEqual([]);
  });

  it.each([
    ['never issued', [], 'not issued to anyone then'],
    ['returned at the very instant of the incident', [span('o1', '2026-11-20T18:00:00Z', '2026-11-20T22:15:00Z')], 'not issued to anyone then'],
    ['issued to the officer only after the incident', [span('o1', '2026-11-20T22:16:00Z', null)], 'not issued to anyone then'],
    ['out to another officer', [span('o2', '2026-11-20T18:00:00Z', null)], 'issued to another officer then'],
  ])('warns when the device was %s', (_, spans, words) => {
    const warnings = check(spans);
    expect(warnings.map((w) => w.code)).toEqual(['not_issued_to_officer']);
    expect(warnings[0]!.message).toBe(
      `Taser X29001234 was not issued to the officer who wrote this report at the time of the incident (22:15 on 20 November 2026): the register shows it was ${words}.`,
    );
  });

  it('gives the incident time as a London clock showed it in summer', () => {
    const [w] = serialWarnings({ serial: 'X29001234', officerId: 'o1', incidentAt: new Date('2026-07-01T21:15:00Z'), device: DEVICE, spans: [] });
    expect(w!.message).toContain('(22:15 on 1 July 2026)');
  });

  it('counts a span from its issue, up to but not including its return', () => {
    expect(spanCovers(span('o1', '2026-11-20T22:15:00Z', '2026-11-20T22:16:00Z'), AT)).toBe(true);
    expect(spanCovers(span('o1', '2026-11-20T22:14:00Z', '2026-11-20T22:15:00Z'), AT)).toBe(false);
  });
});

describe('the quarantine proposal', () => {
  const content = (over: Record<string, unknown> = {}) => firedReport('b1', over as never) as unknown as ReportContent;
  const injuries = (subjectInjuryLevel: string | null, staffInjuryLevel: string | null = null) => ({
    injuries: {
      staffInjured: staffInjuryLevel !== null,
      staffInjuryIntentional: staffInjuryLevel ? false : null,
      staffInjuryLevel,
      staffMedicalProvided: staffInjuryLevel ? true : null,
      subjectInjured: subjectInjuryLevel !== null,
      subjectInjuryNature: subjectInjuryLevel ? 'Head injury from the fall' : null,
      subjectInjuryLevel,
      subjectMedicalOffered: true,
      subjectMedicalProvided: true,
    },
  });
  const ced = (levels: string[]) => ({ ced: { deviceSerial: 'X29001234', applications: [{ levels, fired: null }] } });
  const tactics = (tactic: string) => ({ tactics: { tactics: [{ tactic, effective: true }], cedUsed: true, firearmsAimed: false, firearmsFired: false } });

  it('proposes it for a discharge with a serious injury or a death', () => {
    expect(quarantineReason(content(injuries('severe')))).toBe('Taser fired; a serious injury was recorded');
    expect(quarantineReason(content(injuries('death')))).toBe('Taser fired; a death was recorded');
    expect(quarantineReason(content({ outcomes: { outcomes: ['fatality'] } }))).toBe('Taser fired; a death was recorded');
    expect(quarantineReason(content({ ...injuries('minor', 'death') }))).toBe('Taser fired; a death was recorded');
    expect(quarantineReason(content({ ...injuries('severe'), ...ced(['drive_stun']), ...tactics('ced_drive_stun') }))).toBe('Taser used in drive stun; a serious injury was recorded');
    expect(quarantineReason(content({ ...injuries('severe'), ...ced(['drive_stun_repeat']), ...tactics('ced_drive_stun') }))).toBe('Taser used in drive stun; a serious injury was recorded');
    expect(quarantineReason(content({ ...injuries('severe'), ...ced(['angle_drive_stun']), ...tactics('ced_angle_drive_stun') }))).toBe(
      'Taser used in angle drive stun; a serious injury was recorded',
    );
  });

  it('does not propose it for a discharge with minor or no injury, nor for a use short of a discharge', () => {
    expect(quarantineReason(content())).toBeNull();
    expect(quarantineReason(content(injuries(null)))).toBeNull();
    expect(quarantineReason(content({ ...injuries('severe'), ...ced(['red_dotted', 'arced']), ...tactics('ced_arced') }))).toBeNull();
    expect(quarantineReason(content({ ...injuries('severe'), ced: undefined }))).toBeNull();
  });
});
