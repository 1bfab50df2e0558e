import { describe, expect, it } from 'vitest';
import { fieldErrorsFromZod } from '../../../src/domain/validation.js';
import {
  capacityProblem,
  courseTypeInput,
  liftInput,
  sessionWindowProblem,
  placeFor,
  promotions,
  restrictionEndProblem,
  restrictionInput,
  restrictionStartProblem,
  resultInput,
  sessionDateProblems,
  sessionInput,
  sessionSpanDays,
  type Seat,
} from '../../../src/domain/training/courses.js';

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
    expect(
      errors(sessionInput, { courseTypeId: '', startsOn: '2026-12-09', endsOn: '2026-12-07', location: '', capacity: '0', trainerIds: [] })
        .map((e) => e.field)
        .sort(),
    ).toEqual(['capacity', 'courseTypeId', 'endsOn', 'location', 'trainerIds']);
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
    expect(
      errors(courseTypeInput, { code: 'Bad Code', name: 'X', kind: 'conversion', qualifiesFor: 'X3', minHours: 12, days: 2 })
        .map((e) => e.field)
        .sort(),
    ).toEqual(['code', 'qualifiesFor.0']);
    expect(errors(courseTypeInput, { code: 'r', name: 'R', kind: 'refresher', minHours: 4, days: 1 })).toEqual([{ field: 'minHours', message: 'A refresher is at least 6 hours' }]);
    expect(courseTypeInput.parse({ code: 'conv', name: 'C', kind: 'conversion', qualifiesFor: 'TASER 7', minHours: '12', days: '2' })).toMatchObject({
      qualifiesFor: ['TASER 7'],
      minHours: 12,
      days: 2,
      active: true,
    });
  });
});

describe('suspensions and withdrawals: dates and reasons (issue 10)', () => {
  const TODAY = '2026-12-06';
  const officer = { today: TODAY, joinedOn: '2015-09-01', lastEndedOn: null };

  it.each([
    ['2026-12-06', officer, null],
    ['2015-09-01', officer, null],
    ['2026-12-07', officer, 'The date must be today or in the past'],
    ['1900-01-01', officer, 'The date must be on or after 2015-09-01, when the officer joined'],
    ['2026-01-01', { ...officer, lastEndedOn: '2026-03-01' }, 'The date must be on or after 2026-03-01, when the last suspension ended'],
    ['2026-03-01', { ...officer, lastEndedOn: '2026-03-01' }, null],
  ] as const)('a suspension from %s: %j → %s', (fromOn, ctx, problem) => {
    expect(restrictionStartProblem('suspension', fromOn, ctx)).toBe(problem);
  });

  it.each([
    // Same-day: a withdrawal recorded today can be taken back today (it was never in force).
    ['2026-12-06', '2026-12-06', null],
    ['2026-12-07', '2026-12-06', null],
    ['2026-12-08', '2026-12-06', 'The date must be today, tomorrow or in the past'],
    ['2026-12-05', '2026-12-06', 'The date must be on or after 2026-12-06, when the withdrawal began'],
  ] as const)('a withdrawal that began on %2$s may end on %1$s: %3$s', (toOn, from, problem) => {
    expect(restrictionEndProblem('withdrawal', toOn, { today: TODAY, from })).toBe(problem);
  });

  it.each([
    ['suspension', 'x', false],
    ['suspension', 'Complaint', false],
    ['suspension', 'Under investigation', true],
    ['suspension', 'a b c', false],
    ['suspension', 'Under investigation after a complaint', true],
    ['withdrawal', 'x', false],
    ['withdrawal', 'Personal', false],
    ['withdrawal', 'Personal reasons', true],
    ['withdrawal', 'a b', false],
  ] as const)('a %s reason %j is enough: %s', (kind, reason, ok) => {
    expect(restrictionInput(kind).safeParse({ fromOn: TODAY, reason }).success).toBe(ok);
    expect(liftInput(kind).safeParse({ toOn: TODAY, reason }).success).toBe(ok);
  });
});

describe('plausible session dates (issue 10)', () => {
  it.each([
    ['2026-12-07', null],
    ['2028-12-05', null],
    ['2028-12-06', 'The first day must be within two years from today (by 2028-12-05)'],
    ['2099-01-01', 'The first day must be within two years from today (by 2028-12-05)'],
    ['2025-12-06', null],
    ['2025-12-05', 'The first day must be within the last year (on or after 2025-12-06): a session held before then is recorded by importing its results'],
    ['1900-01-01', 'The first day must be within the last year (on or after 2025-12-06): a session held before then is recorded by importing its results'],
  ] as const)('a session from %s, on 6 December 2026: %s', (startsOn, problem) => {
    expect(sessionWindowProblem(startsOn, '2026-12-06')).toBe(problem);
  });
});
