import { describe, expect, it } from 'vitest';
import { fieldErrorsFromZod } from '../../../src/domain/validation.js';
import { capacityProblem, courseTypeInput, placeFor, promotions, resultInput, sessionDateProblems, sessionInput, sessionSpanDays, type Seat } from '../../../src/domain/training/courses.js';

const errors = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, v: unknown) => {
  const r = schema.safeParse(v);
  return r.success ? [] : fieldErrorsFromZod(r.error as never);
};

describe('enrolment and the waiting list', () => {
  it.each([
    [0, 12, 'enrolled'],
    [11, 12, 'enrolled'],
    [12, 12, 'waiting'],
    [13, 12, 'waiting'],
  ] as const)('%i places taken of %i → %s', (taken, capacity, place) => expect(placeFor(taken, capacity)).toBe(place));

  const seat = (id: string, status: Seat['status'], requestedAt: string): Seat => ({ id, status, requestedAt });
  it.each([
    ['one place free: the longest waiting moves up', [seat('a', 'enrolled', '1'), seat('w2', 'waiting', '3'), seat('w1', 'waiting', '2')], 2, ['w1']],
    ['no place free: nobody moves', [seat('a', 'enrolled', '1'), seat('b', 'enrolled', '2'), seat('w', 'waiting', '3')], 2, []],
    ['capacity raised by two', [seat('a', 'enrolled', '1'), seat('w1', 'waiting', '2'), seat('w2', 'waiting', '3'), seat('w3', 'waiting', '4')], 3, ['w1', 'w2']],
    ['cancelled places do not count', [seat('a', 'cancelled', '1'), seat('w', 'waiting', '2')], 1, ['w']],
    ['over-full (capacity was lowered elsewhere): nobody moves', [seat('a', 'enrolled', '1'), seat('b', 'enrolled', '2'), seat('w', 'waiting', '3')], 1, []],
  ])('%s', (_name, seats, capacity, moved) => expect(promotions(seats, capacity)).toEqual(moved));

  it.each([
    [12, 12, null],
    [12, 13, '13 officers already have places: the capacity cannot be less than 13'],
  ])('capacity %i with %i enrolled', (capacity, enrolled, problem) => expect(capacityProblem(capacity, enrolled)).toBe(problem));
});

describe('session dates', () => {
  it.each([
    ['2026-12-07', '2026-12-09', 3],
    ['2026-12-07', '2026-12-07', 1],
    ['2027-03-27', '2027-03-29', 3], // across the clock change
  ])('%s to %s spans %i days', (a, b, n) => expect(sessionSpanDays(a, b)).toBe(n));

  it.each([
    [3, '2026-12-07', '2026-12-09', []],
    [3, '2026-12-07', '2026-12-08', ['Initial takes 3 days: the session runs 2']],
    [1, '2026-12-07', '2026-12-07', []],
    [1, '2026-12-01', '2026-12-31', ['Initial takes 1 days: a session over 31 days is too long']],
  ])('a %i-day course from %s to %s', (days, a, b, problems) => expect(sessionDateProblems({ name: 'Initial', days }, a, b)).toEqual(problems));

  it('names each bad field of a session', () => {
    expect(errors(sessionInput, { courseTypeId: '', startsOn: '2026-12-09', endsOn: '2026-12-07', location: '', capacity: '0', trainerIds: [] }).map((e) => e.field).sort()).toEqual(['capacity', 'courseTypeId', 'endsOn', 'location', 'trainerIds']);
    expect(errors(sessionInput, { courseTypeId: 'c', startsOn: '2026-12-09', endsOn: '2026-12-07', location: 'Hendon', capacity: '12', trainerIds: ['t', 't'] })).toEqual([
      { field: 'endsOn', message: 'The last day must be on or after the first day' },
      { field: 'trainerIds', message: 'Each trainer is listed once' },
    ]);
  });
});

describe('results', () => {
  it.each([
    [{ attended: 'yes', result: 'pass' }, []],
    [{ attended: 'yes', result: 'fail', reason: 'Missed the target' }, []],
    [{ attended: 'yes', result: 'fail' }, [{ field: 'reason', message: 'Give the reason the officer did not pass' }]],
    [{ attended: 'yes', result: 'did_not_finish', reason: ' ' }, [{ field: 'reason', message: 'Give the reason the officer did not pass' }]],
    [{ attended: 'yes', result: '' }, [{ field: 'result', message: 'Select pass, fail or did not finish' }]],
    [{ attended: 'no', result: '', reason: 'Sick' }, []],
    [{ attended: 'no', result: '' }, [{ field: 'reason', message: 'Give the reason the officer did not attend' }]],
    [{ attended: 'no', result: 'pass', reason: 'x' }, [{ field: 'result', message: 'An officer who did not attend has no result' }]],
    [{ attended: '', result: 'pass' }, [{ field: 'attended', message: 'Select yes if they attended, or no' }]],
  ])('%o', (line, expected) => expect(errors(resultInput, { enrolmentId: 'e', ...line })).toEqual(expected));
});

describe('course types', () => {
  it('a refresher qualifies for no model; other kinds must name theirs; minimum hours by kind', () => {
    expect(errors(courseTypeInput, { code: 'refresher-b', name: 'Refresher', kind: 'refresher', minHours: 6, days: 1 })).toEqual([]);
    expect(errors(courseTypeInput, { code: 'Bad Code', name: 'X', kind: 'conversion', qualifiesFor: 'X3', minHours: 12, days: 2 }).map((e) => e.field).sort()).toEqual(['code', 'qualifiesFor.0']);
    expect(errors(courseTypeInput, { code: 'r', name: 'R', kind: 'refresher', minHours: 4, days: 1 })).toEqual([{ field: 'minHours', message: 'A refresher is at least 6 hours' }]);
    expect(courseTypeInput.parse({ code: 'conv', name: 'C', kind: 'conversion', qualifiesFor: 'TASER 7', minHours: '12', days: '2' })).toMatchObject({ qualifiesFor: ['TASER 7'], minHours: 12, days: 2, active: true });
  });
});
