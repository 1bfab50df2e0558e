import { describe, expect, it } from 'vitest';
import type { StoredContent } from '../../../src/domain/report/content.js';
import { ConcurrentChangeError, WorkflowError } from '../../../src/domain/errors.js';
import {
  afterReferralOutcome,
  afterReview,
  canAmend,
  canDiscard,
  canRecordReferralOutcome,
  checkRevision,
  isRecorded,
  RECORDED_STATUSES,
  REFERRAL_OUTCOMES,
  referralOutcomeProblems,
  canEditDraft,
  canReview,
  canSignOff,
  canSubmit,
  contentChanges,
  deadlineState,
  DEFAULT_REPORT_POLICY,
  dueAt,
  REPORT_STATUSES,
  REVIEW_OUTCOMES,
  type Deadline,
  type ReportPolicy,
  type ReportStatus,
  type ReviewOutcome,
} from '../../../src/domain/report/workflow.js';
import { firedReport } from '../../support/report-fixtures.js';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const plusHours = (d: Date, h: number) => new Date(d.getTime() + h * HOUR);

describe('dueAt', () => {
  const incident = at('2026-11-20T22:15:00Z');

  it('the default policy is 24 hours for a discharge, 72 otherwise, discharges signed off', () => {
    expect(DEFAULT_REPORT_POLICY).toEqual({ dueHoursDischarge: 24, dueHoursOther: 72, dischargeNeedsSignOff: true });
  });

  it.each<{ name: string; discharge: boolean; policy: ReportPolicy; due: string }>([
    { name: 'a discharge, default policy: 24 h', discharge: true, policy: DEFAULT_REPORT_POLICY, due: '2026-11-21T22:15:00.000Z' },
    { name: 'any other use, default policy: 72 h', discharge: false, policy: DEFAULT_REPORT_POLICY, due: '2026-11-23T22:15:00.000Z' },
    { name: 'a discharge, custom policy 48 h', discharge: true, policy: { dueHoursDischarge: 48, dueHoursOther: 120, dischargeNeedsSignOff: false }, due: '2026-11-22T22:15:00.000Z' },
    { name: 'any other use, custom policy 120 h', discharge: false, policy: { dueHoursDischarge: 48, dueHoursOther: 120, dischargeNeedsSignOff: false }, due: '2026-11-25T22:15:00.000Z' },
    { name: 'a discharge, custom policy 1.5 h', discharge: true, policy: { dueHoursDischarge: 1.5, dueHoursOther: 2, dischargeNeedsSignOff: true }, due: '2026-11-20T23:45:00.000Z' },
    { name: 'a discharge, custom policy 0 h (due at once)', discharge: true, policy: { dueHoursDischarge: 0, dueHoursOther: 72, dischargeNeedsSignOff: true }, due: '2026-11-20T22:15:00.000Z' },
  ])('$name', ({ discharge, policy, due }) => {
    expect(dueAt(incident, discharge, policy).toISOString()).toBe(due);
  });

  it('counts elapsed hours across a clock change (24 h after 12:00 GMT on 28 March is 13:00 BST on 29 March)', () => {
    expect(dueAt(at('2026-03-28T12:00:00Z'), true, DEFAULT_REPORT_POLICY).toISOString()).toBe('2026-03-29T12:00:00.000Z');
  });

  it('does not change the incident time it is given', () => {
    const d = at('2026-11-20T22:15:00Z');
    dueAt(d, true, DEFAULT_REPORT_POLICY);
    expect(d.toISOString()).toBe('2026-11-20T22:15:00.000Z');
  });
});

describe('deadlineState', () => {
  const due = at('2026-11-21T22:15:00Z');

  it.each<{ name: string; now: Date; state: Deadline }>([
    { name: 'a week before', now: plusHours(due, -168), state: 'on_time' },
    { name: '12 h and 1 ms before', now: new Date(due.getTime() - 12 * HOUR - 1), state: 'on_time' },
    { name: 'exactly 12 h before', now: plusHours(due, -12), state: 'due_soon' },
    { name: '1 h before', now: plusHours(due, -1), state: 'due_soon' },
    { name: 'at the due time', now: due, state: 'due_soon' },
    { name: '1 ms after', now: new Date(due.getTime() + 1), state: 'overdue' },
    { name: 'a day after', now: plusHours(due, 24), state: 'overdue' },
  ])('$name → $state', ({ now, state }) => {
    expect(deadlineState(due, now)).toBe(state);
  });

  it.each<{ name: string; now: Date; hours: number; state: Deadline }>([
    { name: '2 h before, due soon within 1 h', now: plusHours(due, -2), hours: 1, state: 'on_time' },
    { name: '1 h before, due soon within 1 h', now: plusHours(due, -1), hours: 1, state: 'due_soon' },
    { name: '20 h before, due soon within 24 h', now: plusHours(due, -20), hours: 24, state: 'due_soon' },
    { name: 'after, due soon within 0 h', now: plusHours(due, 1), hours: 0, state: 'overdue' },
    { name: '1 min before, due soon within 0 h', now: new Date(due.getTime() - 60_000), hours: 0, state: 'on_time' },
  ])('custom window: $name → $state', ({ now, hours, state }) => {
    expect(deadlineState(due, now, hours)).toBe(state);
  });

  it.each([at('2000-01-01T00:00:00Z'), at('2026-11-21T22:15:00Z'), at('2100-01-01T00:00:00Z')])('no due time (incident not yet entered) is on time, at %s', (now) => {
    expect(deadlineState(null, now)).toBe('on_time');
  });
});

describe('what each status allows', () => {
  type Allowed = { editDraft: boolean; submit: boolean; amend: boolean; review: boolean; signOff: boolean; referralOutcome: boolean; recorded: boolean };
  const no: Allowed = { editDraft: false, submit: false, amend: false, review: false, signOff: false, referralOutcome: false, recorded: true };
  const TABLE: Record<ReportStatus, Allowed> = {
    draft: { ...no, editDraft: true, submit: true, recorded: false },
    submitted: { ...no, amend: true, review: true },
    returned: { ...no, amend: true },
    awaiting_sign_off: { ...no, amend: true, signOff: true },
    approved: { ...no, amend: true },
    signed_off: { ...no, amend: true },
    // Held by professional standards: nothing but their outcome; after it, a correction is an amendment again.
    referred: { ...no, referralOutcome: true },
    referral_concluded: { ...no, amend: true },
    // Discarded by its author: nothing more, and never counted.
    discarded: { ...no, recorded: false },
  };

  it('the table covers every status', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...REPORT_STATUSES].sort());
  });

  it.each(REPORT_STATUSES.map((status) => ({ status, ...TABLE[status] })))(
    '$status: edit draft $editDraft, submit $submit, amend $amend, review $review, sign off $signOff, referral outcome $referralOutcome, recorded $recorded',
    ({ status, ...allowed }) => {
      expect({
        editDraft: canEditDraft(status),
        submit: canSubmit(status),
        amend: canAmend(status),
        review: canReview(status),
        signOff: canSignOff(status),
        referralOutcome: canRecordReferralOutcome(status),
        recorded: isRecorded(status),
      }).toEqual(allowed);
    },
  );

  it('the recorded statuses are every status but draft and discarded', () => {
    expect([...RECORDED_STATUSES].sort()).toEqual(REPORT_STATUSES.filter((s) => TABLE[s].recorded).sort());
  });

  it.each(REPORT_STATUSES)('%s: a draft can be edited or amended, never both', (status) => {
    expect(canEditDraft(status) && canAmend(status)).toBe(false);
  });
});

describe('afterReview', () => {
  const signOff: ReportPolicy = { ...DEFAULT_REPORT_POLICY, dischargeNeedsSignOff: true };
  const noSignOff: ReportPolicy = { ...DEFAULT_REPORT_POLICY, dischargeNeedsSignOff: false };
  const expected = (outcome: ReviewOutcome, discharge: boolean, needsSignOff: boolean): ReportStatus =>
    outcome === 'return' ? 'returned' : outcome === 'refer' ? 'referred' : discharge && needsSignOff ? 'awaiting_sign_off' : 'approved';

  const rows = REVIEW_OUTCOMES.flatMap((outcome) =>
    [true, false].flatMap((discharge) => [true, false].map((needsSignOff) => ({ outcome, discharge, needsSignOff, status: expected(outcome, discharge, needsSignOff) }))),
  );

  it('covers 3 outcomes × discharge × sign-off policy = 12 rows', () => {
    expect(rows).toHaveLength(12);
  });

  it.each(rows)('$outcome, discharge $discharge, sign-off needed $needsSignOff → $status', ({ outcome, discharge, needsSignOff, status }) => {
    expect(afterReview(outcome, discharge, needsSignOff ? signOff : noSignOff)).toBe(status);
  });

  it.each([
    { outcome: 'approve' as const, discharge: true, status: 'awaiting_sign_off' },
    { outcome: 'approve' as const, discharge: false, status: 'approved' },
    { outcome: 'return' as const, discharge: true, status: 'returned' },
    { outcome: 'refer' as const, discharge: false, status: 'referred' },
  ])('spelled out: $outcome, discharge $discharge, default policy → $status', ({ outcome, discharge, status }) => {
    expect(afterReview(outcome, discharge, DEFAULT_REPORT_POLICY)).toBe(status);
  });

  it('only an approved discharge under a sign-off policy waits for the borough commander', () => {
    expect(rows.filter((r) => r.status === 'awaiting_sign_off')).toEqual([{ outcome: 'approve', discharge: true, needsSignOff: true, status: 'awaiting_sign_off' }]);
  });

  it.each(REVIEW_OUTCOMES)('after %s the report cannot be reviewed again or submitted as a draft', (outcome) => {
    const status = afterReview(outcome, true, signOff);
    expect(canReview(status)).toBe(false);
    expect(canSubmit(status)).toBe(false);
  });
});

describe('discarding a draft', () => {
  it.each(REPORT_STATUSES.flatMap((status) => [0, 1, 3].map((version) => ({ status, version, allowed: status === 'draft' && version === 0 }))))(
    '$status, version $version: may be discarded $allowed',
    ({ status, version, allowed }) => {
      expect(canDiscard(status, version)).toBe(allowed);
    },
  );
});

describe('checkRevision', () => {
  it.each<{ current: number; opened: number | undefined; conflict: boolean }>([
    { current: 0, opened: undefined, conflict: false },
    { current: 7, opened: undefined, conflict: false },
    { current: 0, opened: 0, conflict: false },
    { current: 7, opened: 7, conflict: false },
    { current: 8, opened: 7, conflict: true },
    { current: 7, opened: 8, conflict: true },
  ])('current $current, opened $opened → conflict $conflict', ({ current, opened, conflict }) => {
    if (!conflict) return expect(() => checkRevision(current, opened)).not.toThrow();
    const err = (() => {
      try {
        checkRevision(current, opened);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConcurrentChangeError);
    expect(err).toBeInstanceOf(WorkflowError);
    expect((err as Error).message).toMatch(/^This report changed since you opened it/);
  });
});

describe('referral outcomes', () => {
  const NOW = at('2026-11-21T12:00:00Z');

  it.each(REFERRAL_OUTCOMES)('%s concludes the referral', (outcome) => {
    expect(afterReferralOutcome(outcome)).toBe('referral_concluded');
    expect(canRecordReferralOutcome(afterReferralOutcome(outcome))).toBe(false);
  });

  it.each<{ name: string; outcome: (typeof REFERRAL_OUTCOMES)[number]; ref: string | null; problem: string | null }>([
    { name: 'an IOPC referral with its reference', outcome: 'iopc_referral', ref: '2026/012345', problem: null },
    { name: 'an IOPC referral with spaces around the reference', outcome: 'iopc_referral', ref: ' 2025/998877 ', problem: null },
    { name: 'the IPCC’s first year', outcome: 'iopc_referral', ref: '2004/000001', problem: null },
    { name: 'an IOPC referral without a reference', outcome: 'iopc_referral', ref: null, problem: 'Enter the IOPC reference' },
    { name: 'an IOPC referral with a blank reference', outcome: 'iopc_referral', ref: '  ', problem: 'Enter the IOPC reference' },
    { name: 'a reference with five digits', outcome: 'iopc_referral', ref: '2026/01234', problem: 'Enter the IOPC reference as the year, a slash and 6 digits, for example 2026/012345' },
    { name: 'a reference in another form', outcome: 'iopc_referral', ref: 'IOPC-12345', problem: 'Enter the IOPC reference as the year, a slash and 6 digits, for example 2026/012345' },
    { name: 'a reference with letters after it', outcome: 'iopc_referral', ref: '2026/012345x', problem: 'Enter the IOPC reference as the year, a slash and 6 digits, for example 2026/012345' },
    { name: 'a reference from next year', outcome: 'iopc_referral', ref: '2027/000001', problem: 'The year of the IOPC reference must be between 2004 and 2026' },
    { name: 'a reference from before the IPCC', outcome: 'iopc_referral', ref: '2003/000001', problem: 'The year of the IOPC reference must be between 2004 and 2026' },
    { name: 'no case to answer, no reference', outcome: 'no_case_to_answer', ref: null, problem: null },
    { name: 'management action, no reference', outcome: 'management_action', ref: null, problem: null },
    { name: 'misconduct, blank reference', outcome: 'misconduct', ref: '', problem: null },
    { name: 'misconduct with an IOPC reference', outcome: 'misconduct', ref: '2026/012345', problem: 'Give an IOPC reference only when the outcome is a referral to the IOPC' },
  ])('$name', ({ outcome, ref, problem }) => {
    expect(referralOutcomeProblems({ outcome, iopcReference: ref }, NOW)).toEqual(problem ? [{ field: 'iopcReference', message: problem }] : []);
  });
});

describe('contentChanges', () => {
  const v1 = (): StoredContent => structuredClone(firedReport('b-lx'));

  it.each<{ name: string; before: StoredContent; after: (b: StoredContent) => StoredContent; changes: Record<string, { from: unknown; to: unknown }> }>([
    { name: 'unchanged', before: v1(), after: (b) => structuredClone(b), changes: {} },
    { name: 'both empty', before: {}, after: () => ({}), changes: {} },
    {
      name: 'a top-level field changed',
      before: v1(),
      after: (b) => ({ ...b, incident: { ...(b.incident as object), time: '22:45' } }),
      changes: { 'incident.time': { from: '22:15', to: '22:45' } },
    },
    {
      name: 'two fields in two sections changed',
      before: v1(),
      after: (b) => ({ ...b, duty: { ...(b.duty as object), singleCrewed: true }, outcomes: { outcomes: ['arrested', 'hospitalised'] } }),
      changes: { 'duty.singleCrewed': { from: false, to: true }, 'outcomes.outcomes': { from: ['arrested'], to: ['arrested', 'hospitalised'] } },
    },
    {
      name: 'a section added',
      before: { duty: { mainDuty: 'response' } },
      after: (b) => ({ ...b, outcomes: { outcomes: ['arrested'] }, justification: { text: 'Why' } }),
      changes: { 'justification.text': { from: null, to: 'Why' }, 'outcomes.outcomes': { from: null, to: ['arrested'] } },
    },
    {
      name: 'a section removed',
      before: { tactics: { cedUsed: true, tactics: [{ tactic: 'ced_drawn', effective: true }] }, ced: { deviceSerial: 'X1', applications: [{ levels: ['drawn'], fired: null }] } },
      after: (b) => ({ tactics: b.tactics }),
      changes: { 'ced.deviceSerial': { from: 'X1', to: null }, 'ced.applications': { from: [{ levels: ['drawn'], fired: null }], to: null } },
    },
    {
      name: 'a section removed by setting it to null',
      before: { outcomes: { outcomes: ['arrested'] } },
      after: () => ({ outcomes: null }),
      changes: { 'outcomes.outcomes': { from: ['arrested'], to: null } },
    },
    {
      name: 'a field set to null where it was missing is no change',
      before: { postUse: { aftercareGiven: true } },
      after: () => ({ postUse: { aftercareGiven: true, iopcNotes: null } }),
      changes: {},
    },
    {
      name: 'a field cleared to null',
      before: { postUse: { iopcNotes: 'Considered' } },
      after: () => ({ postUse: { iopcNotes: null } }),
      changes: { 'postUse.iopcNotes': { from: 'Considered', to: null } },
    },
    {
      name: 'a field whose value becomes false (not null) is a change',
      before: { bwv: { worn: true } },
      after: () => ({ bwv: { worn: false } }),
      changes: { 'bwv.worn': { from: true, to: false } },
    },
    {
      name: 'the order of the tactics changed',
      before: {
        tactics: {
          tactics: [
            { tactic: 'shield', effective: true },
            { tactic: 'ced_drawn', effective: true },
          ],
        },
      },
      after: () => ({
        tactics: {
          tactics: [
            { tactic: 'ced_drawn', effective: true },
            { tactic: 'shield', effective: true },
          ],
        },
      }),
      changes: {
        'tactics.tactics': {
          from: [
            { tactic: 'shield', effective: true },
            { tactic: 'ced_drawn', effective: true },
          ],
          to: [
            { tactic: 'ced_drawn', effective: true },
            { tactic: 'shield', effective: true },
          ],
        },
      },
    },
  ])('$name', ({ before, after, changes }) => {
    expect(contentChanges(before, after(before))).toEqual(changes);
  });

  it('a nested change (the cycles of the second application) is reported at its section field, with the whole value before and after', () => {
    const before = v1();
    const after = structuredClone(before);
    const apps = (after.ced as { applications: { fired: { totalCycles: number } | null }[] }).applications;
    apps[1]!.fired!.totalCycles = 3;
    const changes = contentChanges(before, after);
    expect(Object.keys(changes)).toEqual(['ced.applications']);
    expect(changes['ced.applications']).toEqual({ from: (before.ced as { applications: unknown }).applications, to: apps });
    expect((changes['ced.applications']!.from as typeof apps)[1]!.fired!.totalCycles).toBe(1);
  });

  it('ignores keys that are not report sections', () => {
    expect(contentChanges({}, { surprise: { x: 1 } } as StoredContent)).toEqual({});
  });

  it('does not change its inputs', () => {
    const before = v1();
    const after = { ...v1(), outcomes: { outcomes: ['fatality'] } };
    const snapshot = JSON.stringify([before, after]);
    contentChanges(before, after);
    expect(JSON.stringify([before, after])).toBe(snapshot);
  });
});
