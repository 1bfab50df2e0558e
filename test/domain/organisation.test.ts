import { describe, expect, it } from 'vitest';
import { afterFailedSignIn, isLocked, newPassword } from '../../src/domain/accounts.js';
import { changedFields, isoDate, officerDateProblems, officerInput, officerInputOn, teamFitsBorough } from '../../src/domain/organisation.js';
import { fieldErrorsFromZod } from '../../src/domain/validation.js';

const valid = { collarNumber: ' 1234lx ', firstName: 'Siobhán', lastName: "O'Neill-Smith", rank: 'Sergeant', joinedOn: '2015-09-01' };

describe('officer input', () => {
  it('normalises a valid officer', () => {
    expect(officerInput.parse(valid)).toEqual({ ...valid, collarNumber: '1234LX', boroughId: null, teamId: null, status: 'active', leftOn: null });
  });

  it.each([
    [{ collarNumber: '' }, 'collarNumber', 'Enter a collar number'],
    [{ collarNumber: '12-34' }, 'collarNumber', 'only letters and numbers'],
    [{ collarNumber: '1234567890123' }, 'collarNumber', '12 characters or fewer'],
    [{ firstName: '  ' }, 'firstName', 'Enter the first name'],
    [{ lastName: 'Sm1th' }, 'lastName', 'only letters'],
    [{ rank: 'Captain' }, 'rank', 'Select a rank'],
    [{ joinedOn: '01/09/2015' }, 'joinedOn', 'YYYY-MM-DD'],
    [{ joinedOn: '2023-02-29' }, 'joinedOn', 'Enter a real date'],
    [{ status: 'left' }, 'leftOn', 'Enter the date the officer left'],
    [{ status: 'active', leftOn: '2020-01-01' }, 'leftOn', 'An active officer has no leaving date'],
    [{ status: 'left', leftOn: '2010-01-01' }, 'leftOn', 'on or after the joining date'],
  ])('rejects %j on %s', (change, field, message) => {
    const r = officerInput.safeParse({ ...valid, ...change });
    expect(r.success).toBe(false);
    if (!r.success) expect(fieldErrorsFromZod(r.error)).toContainEqual({ field, message: expect.stringContaining(message) });
  });

  it('accepts 29 February in a leap year, and a date across the clock change', () => {
    expect(isoDate.safeParse('2024-02-29').success).toBe(true);
    expect(isoDate.safeParse('2026-03-29').success).toBe(true); // BST starts in the UK
    expect(isoDate.safeParse('2026-10-25').success).toBe(true); // BST ends
  });

  it('a team fits its own borough or, when force-wide, any', () => {
    expect(teamFitsBorough({ boroughId: null }, 'x')).toBe(true);
    expect(teamFitsBorough({ boroughId: 'x' }, 'x')).toBe(true);
    expect(teamFitsBorough({ boroughId: 'x' }, 'y')).toBe(false);
    expect(teamFitsBorough({ boroughId: 'x' }, null)).toBe(false);
  });

  it('lists only the fields that changed', () => {
    expect(changedFields({ a: 1, b: 'x', c: null }, { a: 1, b: 'y', c: null })).toEqual({ b: { from: 'x', to: 'y' } });
  });
});

describe('sign-in lockout', () => {
  const policy = { attempts: 3, minutes: 15 };
  const now = new Date('2026-11-28T10:00:00Z');
  it.each([
    [0, { failedSignIns: 1, lockedUntil: null }],
    [1, { failedSignIns: 2, lockedUntil: null }],
    [2, { failedSignIns: 3, lockedUntil: '2026-11-28T10:15:00.000Z' }],
  ])('after %i earlier failures', (before, expected) => {
    expect(afterFailedSignIn(before, now, policy)).toEqual(expected);
  });
  it('a lock holds until its time, then lapses', () => {
    expect(isLocked('2026-11-28T10:15:00.000Z', now)).toBe(true);
    expect(isLocked('2026-11-28T09:59:59.999Z', now)).toBe(false);
    expect(isLocked(null, now)).toBe(false);
  });
  it.each(['short', 'password1234', 'aaaaaaaaaaaaaaa'])('rejects the weak password %s', (p) => {
    expect(newPassword.safeParse(p).success).toBe(false);
  });
  it('accepts a long passphrase', () => expect(newPassword.safeParse('correct horse battery staple').success).toBe(true));
});

describe('plausible officer dates (issue 10)', () => {
  const TODAY = '2026-12-06';
  it.each([
    [{ joinedOn: '2026-12-06', leftOn: null }, []],
    [{ joinedOn: '1950-01-01', leftOn: '1990-06-30' }, []],
    [{ joinedOn: '2099-01-01', leftOn: null }, [['joinedOn', 'The joining date must be today or in the past']]],
    [{ joinedOn: '2026-12-07', leftOn: null }, [['joinedOn', 'The joining date must be today or in the past']]],
    [{ joinedOn: '1900-01-01', leftOn: null }, [['joinedOn', 'The joining date must be on or after 1 January 1950']]],
    [{ joinedOn: '2015-09-01', leftOn: '2027-01-01' }, [['leftOn', 'The leaving date must be today or in the past']]],
  ] as const)('%j on 6 December 2026', (dates, expected) => {
    expect(officerDateProblems(dates, TODAY).map((p) => [p.field, p.message.split(':')[0]])).toEqual(expected);
  });

  it('are checked by the input schema for a day, alongside every other problem', () => {
    const r = officerInputOn('2026-12-06').safeParse({ ...valid, lastName: 'Sm1th', joinedOn: '2099-01-01' });
    expect(r.success).toBe(false);
    if (!r.success) expect(fieldErrorsFromZod(r.error).map((e) => e.field)).toEqual(['lastName', 'joinedOn']);
    expect(officerInputOn('2026-12-06').safeParse(valid).success).toBe(true);
  });
});
