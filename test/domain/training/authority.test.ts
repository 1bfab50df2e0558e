import { describe, expect, it } from 'vitest';
import { authorityOn, lapsesOn, type Interval, type TrainingRecord } from '../../../src/domain/training/authority.js';

const initial = (completedOn: string, result: TrainingRecord['result'] = 'pass'): TrainingRecord => ({ kind: 'initial', qualifiesFor: ['X26'], completedOn, result });
const refresher = (completedOn: string, result: TrainingRecord['result'] = 'pass'): TrainingRecord => ({ kind: 'refresher', qualifiesFor: [], completedOn, result });
const conversion = (completedOn: string, result: TrainingRecord['result'] = 'pass'): TrainingRecord => ({ kind: 'conversion', qualifiesFor: ['X2'], completedOn, result });
const suspension = (from: string, to: string | null = null): Interval => ({ from, to, reason: 'unintentional discharge under review' });

describe('authority to carry, derived from training', () => {
  it.each<[string, string, string, TrainingRecord[], Interval[], Interval[], string, string | null]>([
    ['a pass authorises for its model', 'X26', '2026-05-10', [initial('2026-05-10')], [], [], 'authorised', '2027-05-09'],
    ['but not for another model', 'X2', '2026-05-10', [initial('2026-05-10')], [], [], 'not_qualified', null],
    ['not before the course ends', 'X26', '2026-05-09', [initial('2026-05-10')], [], [], 'not_qualified', null],
    ['the last day of the 12 months', 'X26', '2027-05-09', [initial('2026-05-10')], [], [], 'authorised', '2027-05-09'],
    ['lapses at exactly 12 months', 'X26', '2027-05-10', [initial('2026-05-10')], [], [], 'lapsed', null],
    ['a refresher restarts the 12 months', 'X26', '2027-09-01', [initial('2026-05-10'), refresher('2027-05-01')], [], [], 'authorised', '2028-04-30'],
    ['a late refresher restores a lapsed authority', 'X26', '2027-07-01', [initial('2026-05-10'), refresher('2027-06-20')], [], [], 'authorised', '2028-06-19'],
    ['a conversion qualifies for the new model', 'X2', '2026-08-01', [initial('2026-05-10'), conversion('2026-07-15')], [], [], 'authorised', '2027-05-09'],
    ['a conversion does not restart the 12 months', 'X2', '2027-05-10', [initial('2026-05-10'), conversion('2026-07-15')], [], [], 'lapsed', null],
    ['a failed conversion does not qualify', 'X2', '2026-08-01', [initial('2026-05-10'), conversion('2026-07-15', 'fail')], [], [], 'not_qualified', null],
    ['a fail after a pass stops authority', 'X26', '2027-04-02', [initial('2026-05-10'), refresher('2027-04-01', 'fail')], [], [], 'failed', null],
    ['a course not finished after a pass stops it too', 'X26', '2027-04-02', [initial('2026-05-10'), refresher('2027-04-01', 'did_not_finish')], [], [], 'failed', null],
    ['a pass after the fail restores it', 'X26', '2027-04-20', [initial('2026-05-10'), refresher('2027-04-01', 'fail'), refresher('2027-04-15')], [], [], 'authorised', '2028-04-14'],
    ['a failed initial course never authorises', 'X26', '2026-05-11', [initial('2026-05-10', 'fail')], [], [], 'not_qualified', null],
    ['suspended from its first day', 'X26', '2026-06-01', [initial('2026-05-10')], [suspension('2026-06-01')], [], 'suspended', '2027-05-09'],
    ['reinstated on the day the suspension ends', 'X26', '2026-06-15', [initial('2026-05-10')], [suspension('2026-06-01', '2026-06-15')], [], 'authorised', '2027-05-09'],
    ['withdrawn by choice', 'X26', '2026-07-01', [initial('2026-05-10')], [], [{ from: '2026-06-20', to: null, reason: 'no longer wishes to carry' }], 'withdrawn', '2027-05-09'],
    ['lapse outranks suspension', 'X26', '2027-06-01', [initial('2026-05-10')], [suspension('2026-06-01')], [], 'lapsed', null],
  ])('%s', (_name, model, on, records, suspensions, withdrawals, status, expiresOn) => {
    const a = authorityOn(model, on, records, suspensions, withdrawals);
    expect(a.status).toBe(status);
    expect(a.authorised).toBe(status === 'authorised');
    expect(a.expiresOn).toBe(expiresOn);
    expect(a.reason.length).toBeGreaterThan(10);
  });

  it('counts 12 months from 29 February to 1 March', () => {
    expect(lapsesOn('2028-02-29')).toBe('2029-03-01');
    expect(lapsesOn('2027-02-28')).toBe('2028-02-28');
    expect(authorityOn('X26', '2029-02-28', [initial('2028-02-29')]).status).toBe('authorised');
    expect(authorityOn('X26', '2029-03-01', [initial('2028-02-29')]).status).toBe('lapsed');
  });
});
