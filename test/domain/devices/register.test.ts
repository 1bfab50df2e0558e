import { describe, expect, it } from 'vitest';
import { armouryKey, CENTRAL_STORE, isOverdue, parseArmouryKey, shiftEnd } from '../../../src/domain/devices/register.js';

const AT = new Date('2027-10-30T22:00:00Z'); // 23:00 in London, the night before the clocks go back

describe('the shift a device is issued for', () => {
  it.each([
    [undefined, { endsAt: '2027-10-31T08:00:00.000Z' }],
    [null, { endsAt: '2027-10-31T08:00:00.000Z' }],
    ['2027-10-31T07:00:00+00:00', { endsAt: '2027-10-31T07:00:00.000Z' }],
    ['2027-10-31T00:30:00+01:00', { endsAt: '2027-10-30T23:30:00.000Z' }],
    ['2027-10-30T22:00:00Z', { problem: 'The shift must end after the device is issued' }],
    ['2027-10-31T22:00:01Z', { problem: 'The shift must end within 24 hours of the device being issued' }],
    ['tomorrow', { problem: 'Give the end of the shift as a date and time' }],
  ])('%s gives %j', (given, expected) => {
    expect(shiftEnd(AT, given)).toEqual(expected);
  });

  it('is overdue 2 hours after the shift ends, not before, and never once returned', () => {
    const out = { returnedAt: null, shiftEndsAt: '2027-10-31T08:00:00.000Z' };
    expect(isOverdue(out, new Date('2027-10-31T09:59:59Z'))).toBe(false);
    expect(isOverdue(out, new Date('2027-10-31T10:00:00Z'))).toBe(true);
    expect(isOverdue({ ...out, returnedAt: '2027-10-31T09:00:00Z' }, new Date('2027-11-01T00:00:00Z'))).toBe(false);
    expect(isOverdue({ returnedAt: null, shiftEndsAt: null }, new Date('2030-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('armoury keys', () => {
  it('round-trips a borough, a unit and the central store, and refuses anything else', () => {
    const borough = { boroughId: '0190a5c2-0000-7000-8000-000000000001', teamId: null };
    const team = { boroughId: null, teamId: '0190a5c2-0000-7000-8000-000000000002' };
    for (const a of [borough, team, CENTRAL_STORE]) expect(parseArmouryKey(armouryKey(a))).toEqual(a);
    expect(parseArmouryKey('borough:nope')).toBeNull();
    expect(parseArmouryKey('')).toBeNull();
  });
});
