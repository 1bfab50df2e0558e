import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { fixedClock, type Services } from '../../src/services/context.js';
import { shiftEndFrom } from '../../src/services/armoury.js';

/* The sign-out page's "shift ends at HH:MM" (London time) as an instant, across both clock changes. Needs no database. */
const at = (now: string) => ({ now: fixedClock(now) }) as unknown as Services;

describe('the end of the shift an armoury page is told', () => {
  it.each([
    ['later today', '2027-06-01T08:00:00Z', '19:00', '2027-06-01T18:00:00.000Z'],
    ['earlier than now: tomorrow', '2027-06-01T20:00:00Z', '07:00', '2027-06-02T06:00:00.000Z'],
    ['exactly now: tomorrow', '2027-06-01T18:00:00Z', '19:00', '2027-06-02T18:00:00.000Z'],
    ['a night shift ending after the clocks go forward (28 March 2027)', '2027-03-27T21:00:00Z', '07:00', '2027-03-28T06:00:00.000Z'],
    ['an hour the clocks skip (02:30 on 28 March 2027) is read as after the jump', '2027-03-28T00:30:00Z', '02:30', '2027-03-28T01:30:00.000Z'],
    ['a night shift ending after the clocks go back (31 October 2027)', '2027-10-30T20:00:00Z', '07:00', '2027-10-31T07:00:00.000Z'],
    ['an hour that happens twice (01:30 on 31 October 2027) is the later one', '2027-10-30T23:30:00Z', '01:30', '2027-10-31T01:30:00.000Z'],
    ['the 1st of the month, across midnight', '2027-04-30T22:00:00Z', '06:00', '2027-05-01T05:00:00.000Z'],
  ])('%s', (_what, now, hhmm, expected) => {
    expect(shiftEndFrom(at(now), hhmm)).toBe(expected);
  });

  it.each([
    ['', 'Enter the time the officer’s shift ends, for example 19:00'],
    ['24:00', 'Enter the time the shift ends as hours and minutes on the 24-hour clock, for example 19:00'],
    ['7pm', 'Enter the time the shift ends as hours and minutes on the 24-hour clock, for example 19:00'],
  ])('refuses %j, saying what to enter', (hhmm, message) => {
    const err = (() => {
      try {
        shiftEndFrom(at('2027-06-01T08:00:00Z'), hhmm);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors).toEqual([{ field: 'shiftEnd', message }]);
  });
});
