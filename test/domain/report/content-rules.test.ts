import { describe, expect, it } from 'vitest';
import {
  earliestIncidentInstant,
  EXCLUSIVE_OUTCOMES,
  readContent,
  RECORDS_BEGIN,
  sectionSchema,
  submissionProblems,
  type SectionKey,
  type SectionRules,
  type StoredContent,
} from '../../../src/domain/report/content.js';
import { OUTCOMES } from '../../../src/domain/report/vocabulary.js';
import type { FieldError } from '../../../src/domain/errors.js';
import { fieldErrorsFromZod } from '../../../src/domain/validation.js';
import { firedReport } from '../../support/report-fixtures.js';

/*
 * The rules a new answer must meet on top of each section's stored shape: the incident's
 * date between the day the force's records begin and now (a London clock, across midnight
 * and the clock changes), serial formats, length limits, and outcomes that cannot go together.
 */

type Section = Record<string, unknown>;
const base = firedReport('b-lx') as Record<SectionKey, Section>;
const section = (key: SectionKey, patch: Section = {}): Section => ({ ...structuredClone(base[key]), ...patch });

/** The problems with a section as a new answer at `now`, or [] when it is accepted. */
function problems(key: SectionKey, input: unknown, rules: SectionRules): FieldError[] {
  const r = sectionSchema(key, rules).safeParse(input);
  return r.success ? [] : fieldErrorsFromZod(r.error);
}

const at = (iso: string): SectionRules => ({ now: new Date(iso) });
const incident = (date: string, time: string) => section('incident', { date, time });

describe('the incident date: not before the records begin, not in the future', () => {
  it('records begin on 1 April 2017 unless the force says otherwise', () => {
    expect(RECORDS_BEGIN).toBe('2017-04-01');
  });

  it.each<{ name: string; now: string; date: string; time: string; recordsBegin?: string; problem: FieldError | null }>([
    // The examples: both were accepted.
    {
      name: 'an incident in 1899',
      now: '2026-04-01T00:30:00Z',
      date: '1899-12-31',
      time: '12:00',
      problem: { field: 'date', message: "The date of the incident must be on or after 1 April 2017, when the force's records of use of force begin" },
    },
    {
      name: 'an incident in 2030',
      now: '2026-04-01T00:30:00Z',
      date: '2030-01-01',
      time: '12:00',
      problem: { field: 'date', message: 'The date of the incident must be today or in the past (today is 1 April 2026)' },
    },
    // The first and last day of the range.
    {
      name: 'the day before records begin',
      now: '2026-04-01T00:30:00Z',
      date: '2017-03-31',
      time: '23:59',
      problem: { field: 'date', message: "The date of the incident must be on or after 1 April 2017, when the force's records of use of force begin" },
    },
    { name: 'the first minute of the records', now: '2026-04-01T00:30:00Z', date: '2017-04-01', time: '00:00', problem: null },
    { name: 'a force whose records begin in October 2016: its first day', now: '2026-04-01T00:30:00Z', date: '2016-10-01', time: '09:00', recordsBegin: '2016-10-01', problem: null },
    {
      name: 'a force whose records begin in October 2016: the day before',
      now: '2026-04-01T00:30:00Z',
      date: '2016-09-30',
      time: '09:00',
      recordsBegin: '2016-10-01',
      problem: { field: 'date', message: "The date of the incident must be on or after 1 October 2016, when the force's records of use of force begin" },
    },
    // Just after midnight on 1 April in BST: 00:30 in London is 23:30 UTC on 31 March.
    { name: 'at 00:30 BST on 1 April, an incident at 00:15 that day', now: '2026-03-31T23:30:00Z', date: '2026-04-01', time: '00:15', problem: null },
    { name: 'at 00:30 BST on 1 April, an incident at 00:30 that day', now: '2026-03-31T23:30:00Z', date: '2026-04-01', time: '00:30', problem: null },
    {
      name: 'at 00:30 BST on 1 April, an incident at 00:45 that day',
      now: '2026-03-31T23:30:00Z',
      date: '2026-04-01',
      time: '00:45',
      problem: { field: 'time', message: 'The time of the incident must be in the past (it is 00:30 now)' },
    },
    {
      name: 'at 00:30 BST on 1 April, an incident on 2 April',
      now: '2026-03-31T23:30:00Z',
      date: '2026-04-02',
      time: '00:01',
      problem: { field: 'date', message: 'The date of the incident must be today or in the past (today is 1 April 2026)' },
    },
    { name: 'at 00:30 BST on 1 April, an incident at 23:59 on 31 March', now: '2026-03-31T23:30:00Z', date: '2026-03-31', time: '23:59', problem: null },
    // Just after midnight in GMT: the London and UTC dates agree.
    { name: 'at 00:05 GMT on 1 January, an incident at 23:50 on 31 December', now: '2027-01-01T00:05:00Z', date: '2026-12-31', time: '23:50', problem: null },
    {
      name: 'at 00:05 GMT on 1 January, an incident at 00:10 that day',
      now: '2027-01-01T00:05:00Z',
      date: '2027-01-01',
      time: '00:10',
      problem: { field: 'time', message: 'The time of the incident must be in the past (it is 00:05 now)' },
    },
    // The clocks go back on 25 October 2026: 01:00-01:59 happens first in BST (00:00-00:59Z), then in GMT.
    { name: 'at 01:45 BST on 25 October (the first 01:45), an incident at 01:30', now: '2026-10-25T00:45:00Z', date: '2026-10-25', time: '01:30', problem: null },
    {
      name: 'at 01:45 BST on 25 October (the first 01:45), an incident at 01:50',
      now: '2026-10-25T00:45:00Z',
      date: '2026-10-25',
      time: '01:50',
      problem: { field: 'time', message: 'The time of the incident must be in the past (it is 01:45 now)' },
    },
    { name: 'at 01:10 GMT on 25 October (the second 01:10), an incident at 01:50: the first 01:50 has passed', now: '2026-10-25T01:10:00Z', date: '2026-10-25', time: '01:50', problem: null },
    {
      name: 'at 01:10 GMT on 25 October (the second 01:10), an incident at 02:00',
      now: '2026-10-25T01:10:00Z',
      date: '2026-10-25',
      time: '02:00',
      problem: { field: 'time', message: 'The time of the incident must be in the past (it is 01:10 now)' },
    },
    // The clocks go forward on 29 March 2026: 01:00 GMT becomes 02:00 BST.
    { name: 'at 02:05 BST on 29 March, an incident at 00:59 (GMT)', now: '2026-03-29T01:05:00Z', date: '2026-03-29', time: '00:59', problem: null },
    { name: 'at 02:05 BST on 29 March, an incident at 02:00 (BST)', now: '2026-03-29T01:05:00Z', date: '2026-03-29', time: '02:00', problem: null },
    {
      name: 'at 02:05 BST on 29 March, an incident at 02:10 (BST)',
      now: '2026-03-29T01:05:00Z',
      date: '2026-03-29',
      time: '02:10',
      problem: { field: 'time', message: 'The time of the incident must be in the past (it is 02:05 now)' },
    },
  ])('$name', ({ now, date, time, recordsBegin, problem }) => {
    expect(problems('incident', incident(date, time), { now: new Date(now), recordsBegin })).toEqual(problem ? [problem] : []);
  });

  it('a date the shape refuses is not also checked for its range', () => {
    expect(problems('incident', incident('2030-02-30', '12:00'), at('2026-04-01T00:30:00Z'))).toEqual([{ field: 'date', message: 'Enter a real date' }]);
  });

  it.each([
    { date: '2026-10-25', time: '00:30', utc: '2026-10-24T23:30:00.000Z' },
    { date: '2026-10-25', time: '01:30', utc: '2026-10-25T00:30:00.000Z' }, // the first (BST) 01:30
    { date: '2026-10-25', time: '02:30', utc: '2026-10-25T02:30:00.000Z' },
    { date: '2026-03-29', time: '00:30', utc: '2026-03-29T00:30:00.000Z' },
    { date: '2026-03-29', time: '01:30', utc: '2026-03-29T01:30:00.000Z' }, // does not exist: read as 02:30 BST
    { date: '2026-03-29', time: '02:30', utc: '2026-03-29T01:30:00.000Z' },
    { date: '2026-07-01', time: '12:00', utc: '2026-07-01T11:00:00.000Z' },
    { date: '2026-01-15', time: '12:00', utc: '2026-01-15T12:00:00.000Z' },
  ])('the earliest instant $date $time can mean is $utc', ({ date, time, utc }) => {
    expect(earliestIncidentInstant(date, time).toISOString()).toBe(utc);
  });
});

describe('outcomes that cannot go together', () => {
  const codes = Object.keys(OUTCOMES) as (keyof typeof OUTCOMES)[];
  const excluded = (a: string, b: string) => EXCLUSIVE_OUTCOMES.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  const pairs = codes.flatMap((a, i) => codes.slice(i + 1).map((b) => ({ a, b, together: !excluded(a, b) })));

  it('made off/escaped excludes arrested, detained, hospitalised and fatality; nothing else is excluded', () => {
    expect(pairs.filter((p) => !p.together).map((p) => [p.a, p.b].sort().join('+'))).toEqual(
      ['arrested+made_off', 'hospitalised+made_off', 'detained_mha+made_off', 'fatality+made_off'].map((s) => s.split('+').sort().join('+')),
    );
  });

  it.each(pairs)('$a with $b: may be recorded together = $together', ({ a, b, together }) => {
    const found = problems('outcomes', { outcomes: [a, b] }, at('2026-04-01T00:30:00Z'));
    if (together) expect(found).toEqual([]);
    else expect(found).toEqual([{ field: 'outcomes', message: expect.stringMatching(/^Made off\/escaped cannot be recorded with .+: it means the subject got away/) }]);
  });

  it('names every outcome that clashes: the issue’s "Made off" with "Fatality" and "Arrested"', () => {
    expect(problems('outcomes', { outcomes: ['made_off', 'fatality', 'arrested'] }, at('2026-04-01T00:30:00Z'))).toEqual([
      { field: 'outcomes', message: 'Made off/escaped cannot be recorded with Arrested or Fatality: it means the subject got away. Select only what happened to the subject in the end' },
    ]);
  });

  it.each(codes)('%s on its own is accepted', (code) => {
    expect(problems('outcomes', { outcomes: [code] }, at('2026-04-01T00:30:00Z'))).toEqual([]);
  });
});

describe('length limits: a 10 MB answer is refused, naming the limit', () => {
  const huge = 'A'.repeat(10 * 1024 * 1024);
  const fired = (patch: Section) => {
    const ced = section('ced');
    const apps = structuredClone(ced.applications) as { fired: Section | null }[];
    apps[1]!.fired = { ...apps[1]!.fired, ...patch };
    return { ...ced, applications: apps };
  };
  const worn = (patch: Section) => section('bwv', patch);

  it.each<{ key: SectionKey; input: Section; field: string; message: string }>([
    { key: 'incident', input: section('incident', { reference: huge }), field: 'reference', message: 'The incident reference must be 30 characters or fewer' },
    { key: 'incident', input: section('incident', { boroughId: huge }), field: 'boroughId', message: 'Select the borough from the list' },
    { key: 'ced', input: section('ced', { deviceSerial: huge }), field: 'deviceSerial', message: 'The serial number must be 30 characters or fewer' },
    { key: 'ced', input: fired({ cartridgeNumber: huge }), field: 'applications.1.fired.cartridgeNumber', message: 'The cartridge number must be 30 characters or fewer' },
    { key: 'justification', input: { text: huge }, field: 'text', message: 'Your justification for the force you used must be 20,000 characters or fewer' },
    { key: 'bwv', input: worn({ cameraId: huge }), field: 'cameraId', message: 'The camera identifier must be 50 characters or fewer' },
    { key: 'bwv', input: worn({ switchedOn: 'not_on', notOnReason: huge, footageRefs: [] }), field: 'notOnReason', message: 'The reason must be 2,000 characters or fewer' },
    { key: 'bwv', input: worn({ footageRefs: [huge] }), field: 'footageRefs.0', message: 'A footage reference must be 100 characters or fewer' },
    { key: 'bwv', input: worn({ footageRefs: Array.from({ length: 21 }, (_, i) => `EVID-${i}`) }), field: 'footageRefs', message: 'Record at most 20 footage references' },
    { key: 'injuries', input: section('injuries', { subjectInjuryNature: huge }), field: 'subjectInjuryNature', message: 'The nature of the injury must be 500 characters or fewer' },
    { key: 'postUse', input: section('postUse', { iopcNotes: huge }), field: 'iopcNotes', message: 'The IOPC referral notes must be 2,000 characters or fewer' },
  ])('$key.$field', ({ key, input, field, message }) => {
    expect(problems(key, input, at('2026-11-21T10:00:00Z'))).toContainEqual({ field, message });
  });

  it('20 footage references are accepted', () => {
    expect(problems('bwv', worn({ footageRefs: Array.from({ length: 20 }, (_, i) => `EVID-${i}`) }), at('2026-11-21T10:00:00Z'))).toEqual([]);
  });
});

describe('device and cartridge serial numbers', () => {
  const cedWith = (deviceSerial: string, cartridgeNumber: string) => {
    const ced = section('ced', { deviceSerial });
    const apps = structuredClone(ced.applications) as { fired: Section | null }[];
    apps[1]!.fired = { ...apps[1]!.fired, cartridgeNumber };
    return { ...ced, applications: apps };
  };
  const deviceMessage = 'Enter the Taser serial number as on its label: letters and numbers, with single hyphens between them, for example X29001234';
  const cartridgeMessage = 'Enter the cartridge serial number as on the cartridge: letters and numbers, with single hyphens between them, for example C1234567';

  it.each(['X29001234', 'x29001234', 'X2-ABC1', 'T7-0042-11', 'X1', '12345'])('the serial %s is accepted, for a device and a cartridge', (serial) => {
    expect(problems('ced', cedWith(serial, serial), at('2026-11-21T10:00:00Z'))).toEqual([]);
  });

  it.each(['-', '---', '-X1', 'X1-', 'X--1', 'ABCDEF', 'TASER'])('the serial %s is refused, for a device and a cartridge', (serial) => {
    expect(problems('ced', cedWith(serial, serial), at('2026-11-21T10:00:00Z'))).toEqual([
      { field: 'deviceSerial', message: deviceMessage },
      { field: 'applications.1.fired.cartridgeNumber', message: cartridgeMessage },
    ]);
  });
});

describe('submission checks every section against the rules at the moment of submission', () => {
  const AFTER = new Date('2026-11-21T10:00:00Z');
  const report = (over: Partial<Record<SectionKey, Section>> = {}): StoredContent => ({ ...structuredClone(base), ...over });

  it('a draft saved before the rules existed is stopped, and still reads for the statistics', () => {
    const stored = report({ incident: section('incident', { date: '2030-01-04' }), outcomes: { outcomes: ['made_off', 'arrested'] } });
    expect(readContent(stored).invalid).toEqual({});
    expect(submissionProblems(stored, AFTER)).toEqual([
      { field: 'incident.date', message: 'The date of the incident must be today or in the past (today is 21 November 2026)' },
      { field: 'outcomes.outcomes', message: 'Made off/escaped cannot be recorded with Arrested: it means the subject got away. Select only what happened to the subject in the end' },
    ]);
  });

  it('the force’s own first day of records is used when given', () => {
    const stored = report({ incident: section('incident', { date: '2016-12-01' }) });
    expect(submissionProblems(stored, AFTER).map((p) => p.field)).toEqual(['incident.date']);
    expect(submissionProblems(stored, AFTER, '2016-10-01')).toEqual([]);
  });

  it.each<{ name: string; outcomes: string[]; injuries: Section; problems: FieldError[] }>([
    {
      name: 'a fatality with the subject not injured',
      outcomes: ['fatality'],
      injuries: section('injuries', { subjectInjured: false, subjectInjuryNature: null, subjectInjuryLevel: null }),
      problems: [
        { field: 'injuries.subjectInjuryLevel', message: "The outcome is a fatality: record the subject's injury as Death, or change the outcome" },
        { field: 'postUse.iopcReferralConsidered', message: 'A death or serious injury must be considered for referral to the IOPC' },
      ],
    },
    {
      name: 'a fatality with a minor injury',
      outcomes: ['arrested', 'fatality'],
      injuries: section('injuries'),
      problems: [
        { field: 'injuries.subjectInjuryLevel', message: "The outcome is a fatality: record the subject's injury as Death, or change the outcome" },
        { field: 'postUse.iopcReferralConsidered', message: 'A death or serious injury must be considered for referral to the IOPC' },
      ],
    },
    {
      name: 'an injury of death without the fatality outcome',
      outcomes: ['hospitalised'],
      injuries: section('injuries', { subjectInjuryLevel: 'death' }),
      problems: [
        { field: 'outcomes.outcomes', message: "The subject's injury is recorded as Death: select Fatality as an outcome, or change the injury" },
        { field: 'postUse.iopcReferralConsidered', message: 'A death or serious injury must be considered for referral to the IOPC' },
      ],
    },
    {
      name: 'a fatality with the injury recorded as death',
      outcomes: ['hospitalised', 'fatality'],
      injuries: section('injuries', { subjectInjuryLevel: 'death' }),
      problems: [{ field: 'postUse.iopcReferralConsidered', message: 'A death or serious injury must be considered for referral to the IOPC' }],
    },
  ])('$name', ({ outcomes, injuries, problems: expected }) => {
    expect(submissionProblems(report({ outcomes: { outcomes }, injuries }), AFTER)).toEqual(expected);
  });
});
