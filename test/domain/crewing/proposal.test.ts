import { describe, expect, it } from 'vitest';
import { DEFAULT_CREWING_POLICY, crewingPolicyInput, effectivePolicy, mayDeployAlone, SERGEANT_AND_ABOVE } from '../../../src/domain/crewing/policy.js';
import { lapsesBefore, proposeCrews, type FreeDevice, type ProposalOfficer } from '../../../src/domain/crewing/proposal.js';
import type { Rank } from '../../../src/domain/organisation.js';

const pc = (collar: string, models: string[] = ['X2'], until: string | null = '2027-01-01'): ProposalOfficer => ({
  id: collar,
  collarNumber: collar,
  rank: 'Police Constable',
  authorisedModels: models,
  authorisedUntil: models.length ? until : null,
});
const rank = (r: Rank, collar: string, models: string[] = ['X2']): ProposalOfficer => ({ ...pc(collar, models), rank: r });
const x2 = (serial: string): FreeDevice => ({ id: `d-${serial}`, serial, model: 'X2' });
const x26 = (serial: string): FreeDevice => ({ id: `d-${serial}`, serial, model: 'X26' });
const ENDS = '2026-06-01T14:00:00.000Z';

/** Crews as `C:collar/device` for a carrier, `S:collar/device` solo, `P:collar` partner, with `*` on a Taser crew. */
function shape(officers: ProposalOfficer[], devices: FreeDevice[], policy = DEFAULT_CREWING_POLICY) {
  const p = proposeCrews({ officers, devices, policy, shiftEndsAt: ENDS });
  return {
    crews: p.crews.map(
      (c) => (c.taser ? '*' : '') + c.members.map((m) => `${m.role[0]!.toUpperCase()}:${m.officerId}${m.deviceId ? `/${m.deviceId.slice(2)}` : ''}`).join(' ') + (c.lapses ? ' (lapses)' : ''),
    ),
    taserCrews: p.taserCrews,
    spare: p.spareDeviceIds,
  };
}

describe('proposing crews (hand-checked)', () => {
  it('more carriers than devices: one Taser crew per device, the other authorised officers as partners', () => {
    expect(shape([pc('1'), pc('2'), pc('3'), pc('4')], [x2('A')])).toEqual({ crews: ['*C:1/A P:2', 'P:3 P:4'], taserCrews: 1, spare: [] });
  });

  it('as many Taser crews as devices when there are partners enough', () => {
    expect(shape([pc('1'), pc('2'), pc('3'), pc('4', [])], [x2('A'), x2('B')])).toEqual({ crews: ['*C:1/A P:3', '*C:2/B P:4'], taserCrews: 2, spare: [] });
  });

  it('a solo sergeant carries alone, so two devices give two Taser crews from three officers', () => {
    expect(shape([pc('1'), pc('2'), rank('Sergeant', '9')], [x2('A'), x2('B')])).toEqual({ crews: ['*S:9/A', '*C:1/B P:2'], taserCrews: 2, spare: [] });
  });

  it('a sergeant without a device goes alone, without a Taser', () => {
    expect(shape([pc('1'), pc('2'), rank('Sergeant', '9', [])], [x2('A')])).toEqual({ crews: ['*C:1/A P:2', 'S:9'], taserCrews: 1, spare: [] });
  });

  it('an odd number of officers: the odd one joins the last crew as a third member', () => {
    expect(shape([pc('1'), pc('2'), pc('3')], [x2('A')])).toEqual({ crews: ['*C:1/A P:2 P:3'], taserCrews: 1, spare: [] });
    expect(shape([pc('1'), pc('2'), pc('3', []), pc('4', []), pc('5', [])], [x2('A')])).toEqual({ crews: ['*C:1/A P:2', 'P:3 P:4 P:5'], taserCrews: 1, spare: [] });
  });

  it('one constable on duty alone is in no crew: the policy does not let them deploy alone', () => {
    expect(shape([pc('1')], [x2('A')])).toEqual({ crews: [], taserCrews: 0, spare: ['d-A'] });
    expect(shape([pc('1', [])], [])).toEqual({ crews: [], taserCrews: 0, spare: [] });
  });

  it('three carriers and three devices but no one else: one pair carries, the other hands the device back', () => {
    expect(shape([pc('1'), pc('2'), pc('3')], [x2('A'), x2('B'), x2('C')])).toEqual({ crews: ['*C:1/A P:2 P:3'], taserCrews: 1, spare: ['d-B', 'd-C'] });
  });

  it('matches models: an officer authorised on both gives the only X2 to the one authorised on the X2 alone', () => {
    expect(shape([pc('1', ['X2', 'X26']), pc('2', ['X2']), pc('3', []), pc('4', [])], [x2('A'), x26('B')])).toEqual({ crews: ['*C:1/B P:3', '*C:2/A P:4'], taserCrews: 2, spare: [] });
  });

  it('gives a device already signed out to an officer to them or to no one', () => {
    const held = (serial: string, by: string): FreeDevice => ({ ...x2(serial), heldBy: by });
    // Officer 1 comes first, but the only device is 2's: 2 carries it.
    expect(shape([pc('1'), pc('2'), pc('3', []), pc('4', [])], [held('A', '2')])).toEqual({ crews: ['*C:2/A P:1', 'P:3 P:4'], taserCrews: 1, spare: [] });
    // Its holder may not carry it (authorised on another model only): it is no one's.
    expect(shape([pc('1'), pc('2', ['X26']), pc('3', [])], [held('A', '2')])).toEqual({ crews: ['P:1 P:2 P:3'], taserCrews: 0, spare: ['d-A'] });
  });

  it('gives no device of a model the officer is not authorised on', () => {
    expect(shape([pc('1', ['X26']), pc('2', [])], [x2('A')])).toEqual({ crews: ['P:1 P:2'], taserCrews: 0, spare: ['d-A'] });
  });

  it('prefers carriers whose authority lasts the shift, and flags a crew whose carrier’s authority lapses before it ends', () => {
    const lapsing = pc('1', ['X2'], '2026-05-31');
    expect(shape([lapsing, pc('2'), pc('3', [])], [x2('A')])).toEqual({ crews: ['*C:2/A P:3 P:1'], taserCrews: 1, spare: [] });
    expect(shape([lapsing, pc('3', [])], [x2('A')])).toEqual({ crews: ['*C:1/A P:3 (lapses)'], taserCrews: 1, spare: [] });
  });

  it('when both must carry, pairs carriers, and the odd carrier hands the device back', () => {
    const both = { ...DEFAULT_CREWING_POLICY, carriersPerCrew: 2 as const };
    expect(shape([pc('1'), pc('2'), pc('3'), pc('4', [])], [x2('A'), x2('B'), x2('C')], both)).toEqual({ crews: ['*C:1/A C:2/B', 'P:3 P:4'], taserCrews: 1, spare: ['d-C'] });
  });

  it('is the same whatever order officers and devices come in', () => {
    const officers = [pc('1'), pc('2'), rank('Inspector', '7'), pc('3', []), pc('4', ['X26'])];
    const devices = [x2('A'), x26('B'), x2('C')];
    expect(shape([...officers].reverse(), [...devices].reverse())).toEqual(shape(officers, devices));
  });

  it('proposes nothing for no one', () => {
    expect(shape([], [x2('A')])).toEqual({ crews: [], taserCrews: 0, spare: ['d-A'] });
  });
});

describe('authority lapsing before the shift ends', () => {
  it.each([
    ['authority to the day before a shift ending at 14:00', '2026-05-31', '2026-06-01T13:00:00.000Z', true],
    ['authority to the day the shift ends', '2026-06-01', '2026-06-01T13:00:00.000Z', false],
    ['a night shift ending the next morning, authority to the first day', '2026-06-01', '2026-06-02T05:00:00.000Z', true],
    ['a shift ending at London midnight', '2026-06-01', '2026-06-01T23:00:00.000Z', false],
    ['no end to authority', null, '2026-06-02T05:00:00.000Z', false],
  ])('%s', (_what, until, endsAt, lapses) => {
    expect(lapsesBefore(until, endsAt)).toBe(lapses);
  });
});

describe('the crewing policy', () => {
  it('defaults to a pair with one carrier, sergeants and above alone, two crews per borough', () => {
    expect(DEFAULT_CREWING_POLICY).toMatchObject({ carriersPerCrew: 1, minimumCrews: 2 });
    expect(SERGEANT_AND_ABOVE[0]).toBe('Sergeant');
    expect(mayDeployAlone(DEFAULT_CREWING_POLICY, 'Sergeant')).toBe(true);
    expect(mayDeployAlone(DEFAULT_CREWING_POLICY, 'Police Constable')).toBe(false);
    const borough = { ...DEFAULT_CREWING_POLICY, minimumCrews: 3 };
    expect(effectivePolicy(null)).toBe(DEFAULT_CREWING_POLICY);
    expect(effectivePolicy({ ...DEFAULT_CREWING_POLICY, minimumCrews: 1 }, borough)).toBe(borough);
    expect(effectivePolicy(borough, null)).toBe(borough);
  });

  it.each([
    ['carriersPerCrew', { carriersPerCrew: 3 }, /1 \(a pair in which one carries\) or 2/],
    ['soloRanks', { soloRanks: ['Constable'] }, /Select ranks from/],
    ['minimumCrews', { minimumCrews: -1 }, /cannot be negative/],
    ['minimumCrews', { minimumCrews: 1.5 }, /whole number/],
    ['briefingBeforeMinutes', { briefingBeforeMinutes: 800 }, /720 \(12 hours\) or fewer/],
  ])('names the field %s when it is wrong', (field, over, message) => {
    const r = crewingPolicyInput.safeParse({ ...DEFAULT_CREWING_POLICY, ...over });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path[0]).toBe(field);
    expect(r.error!.issues[0]!.message).toMatch(message);
  });

  it('keeps solo ranks in rank order, once each', () => {
    expect(crewingPolicyInput.parse({ ...DEFAULT_CREWING_POLICY, soloRanks: ['Inspector', 'Sergeant', 'Inspector'] }).soloRanks).toEqual(['Sergeant', 'Inspector']);
  });
});
