import { SECTION_KEYS, type StoredContent } from './content.js';
import { ConcurrentChangeError, type FieldError } from '../errors.js';

/**
 * A report's life: drafted, submitted, reviewed (approved, returned to the officer, or
 * referred to professional standards), signed off by the borough commander where needed,
 * and amended with a reason whenever it changes after submission. Professional standards
 * conclude a referral by recording its outcome. A draft that was never submitted may be
 * discarded by its author: it is kept, marked discarded, and left out of every list and count.
 */
export const REPORT_STATUSES = ['draft', 'submitted', 'returned', 'awaiting_sign_off', 'approved', 'signed_off', 'referred', 'referral_concluded', 'discarded'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REPORT_STATUS_LABELS: Record<ReportStatus, string> = {
  draft: 'Draft',
  submitted: 'Awaiting review',
  returned: 'Returned to officer',
  awaiting_sign_off: 'Awaiting sign-off',
  approved: 'Approved',
  signed_off: 'Signed off',
  referred: 'Referred to professional standards',
  referral_concluded: 'Referral concluded',
  discarded: 'Discarded draft',
};

/** Statuses of a record of use: submitted at least once and not discarded (what lists and statistics count). */
export const RECORDED_STATUSES = REPORT_STATUSES.filter((s) => s !== 'draft' && s !== 'discarded');

export function isRecorded(status: ReportStatus): boolean {
  return status !== 'draft' && status !== 'discarded';
}

export const REVIEW_OUTCOMES = ['approve', 'return', 'refer'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export type ReportEventKind = 'created' | 'submitted' | 'amended' | 'approved' | 'returned' | 'referred' | 'signed_off' | 'referral_outcome' | 'discarded';

/** Refuses a write when the person says which revision they opened and it is no longer the current one. */
export function checkRevision(current: number, opened: number | undefined): void {
  if (opened !== undefined && opened !== current) throw new ConcurrentChangeError();
}

export interface ReportPolicy {
  /** Hours from the incident to submit a report with a discharge, and any other. */
  dueHoursDischarge: number;
  dueHoursOther: number;
  /** Whether discharges need the borough commander's sign-off after review. */
  dischargeNeedsSignOff: boolean;
  /** The first day the force's records of use of force cover (`YYYY-MM-DD`); RECORDS_BEGIN in content.ts if not set. */
  recordsBegin?: string;
}

export const DEFAULT_REPORT_POLICY: ReportPolicy = { dueHoursDischarge: 24, dueHoursOther: 72, dischargeNeedsSignOff: true };

/** When the report is due: 24 hours after the incident for a discharge, 72 otherwise (configurable). */
export function dueAt(incidentAt: Date, discharge: boolean, policy: ReportPolicy): Date {
  return new Date(incidentAt.getTime() + (discharge ? policy.dueHoursDischarge : policy.dueHoursOther) * 3_600_000);
}

export type Deadline = 'overdue' | 'due_soon' | 'on_time';

/** A draft past its due time is overdue; within 12 hours of it, due soon. */
export function deadlineState(due: Date | null, now: Date, dueSoonHours = 12): Deadline {
  if (!due) return 'on_time';
  if (now.getTime() > due.getTime()) return 'overdue';
  if (due.getTime() - now.getTime() <= dueSoonHours * 3_600_000) return 'due_soon';
  return 'on_time';
}

export function canEditDraft(status: ReportStatus): boolean {
  return status === 'draft';
}

export function canSubmit(status: ReportStatus): boolean {
  return status === 'draft';
}

/**
 * After submission a change is an amendment (with a reason), never an overwrite. Not while
 * professional standards hold a referral; after its outcome, a correction goes back for review.
 */
export function canAmend(status: ReportStatus): boolean {
  return status === 'submitted' || status === 'returned' || status === 'approved' || status === 'awaiting_sign_off' || status === 'signed_off' || status === 'referral_concluded';
}

export function canReview(status: ReportStatus): boolean {
  return status === 'submitted';
}

export function canSignOff(status: ReportStatus): boolean {
  return status === 'awaiting_sign_off';
}

/** Only a draft that was never submitted (version 0) may be discarded; a record of use never is. */
export function canDiscard(status: ReportStatus, version: number): boolean {
  return status === 'draft' && version === 0;
}

export function canRecordReferralOutcome(status: ReportStatus): boolean {
  return status === 'referred';
}

/** The status a review outcome leads to. */
export function afterReview(outcome: ReviewOutcome, discharge: boolean, policy: ReportPolicy): ReportStatus {
  if (outcome === 'return') return 'returned';
  if (outcome === 'refer') return 'referred';
  return discharge && policy.dischargeNeedsSignOff ? 'awaiting_sign_off' : 'approved';
}

/** Field-level differences between two versions of the content, as `section.field` paths. */
export function contentChanges(before: StoredContent, after: StoredContent): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of SECTION_KEYS) {
    const a = (before[key] ?? {}) as Record<string, unknown>;
    const b = (after[key] ?? {}) as Record<string, unknown>;
    for (const f of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (JSON.stringify(a[f] ?? null) !== JSON.stringify(b[f] ?? null)) out[`${key}.${f}`] = { from: a[f] ?? null, to: b[f] ?? null };
    }
  }
  return out;
}

// Referrals to professional standards -------------------------------------------------------

/**
 * What professional standards conclude about a referred report. Misconduct means proceedings
 * (a meeting or hearing) follow; an IOPC referral is recorded with the IOPC's reference.
 */
export const REFERRAL_OUTCOMES = ['no_case_to_answer', 'management_action', 'misconduct', 'iopc_referral'] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];

export const REFERRAL_OUTCOME_LABELS: Record<ReferralOutcome, string> = {
  no_case_to_answer: 'No case to answer',
  management_action: 'Management action',
  misconduct: 'Misconduct proceedings',
  iopc_referral: 'Referred to the IOPC',
};

/** Every outcome concludes the referral; a later amendment sends the report back for review. */
export function afterReferralOutcome(_outcome: ReferralOutcome): ReportStatus {
  return 'referral_concluded';
}

/** The IOPC's case reference: the year it was opened, a slash and six digits, e.g. 2026/012345. */
const IOPC_REFERENCE = /^(\d{4})\/(\d{6})$/;
/** The IOPC began on 8 January 2018 (the IPCC before it, from 2004, used the same form). */
const IOPC_FIRST_YEAR = 2004;

export interface ReferralOutcomeInput {
  outcome: ReferralOutcome;
  /** Only for an IOPC referral, and then required. */
  iopcReference: string | null;
  reason: string;
}

/**
 * Checks an outcome's parts that depend on each other, given the time: the IOPC reference is
 * needed for an IOPC referral (and only then), in the IOPC's form, from a year that has begun.
 */
export function referralOutcomeProblems(input: { outcome: ReferralOutcome; iopcReference: string | null }, now: Date): FieldError[] {
  const ref = input.iopcReference?.trim() || null;
  if (input.outcome !== 'iopc_referral') return ref ? [{ field: 'iopcReference', message: 'Give an IOPC reference only when the outcome is a referral to the IOPC' }] : [];
  if (!ref) return [{ field: 'iopcReference', message: 'Enter the IOPC reference' }];
  const m = IOPC_REFERENCE.exec(ref);
  if (!m) return [{ field: 'iopcReference', message: 'Enter the IOPC reference as the year, a slash and 6 digits, for example 2026/012345' }];
  const year = Number(m[1]);
  if (year < IOPC_FIRST_YEAR || year > now.getUTCFullYear())
    return [{ field: 'iopcReference', message: `The year of the IOPC reference must be between ${IOPC_FIRST_YEAR} and ${now.getUTCFullYear()}` }];
  return [];
}
