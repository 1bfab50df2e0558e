import { SECTION_KEYS, type StoredContent } from './content.js';

/**
 * A report's life: drafted, submitted, reviewed (approved, returned to the officer, or
 * referred to professional standards), signed off by the borough commander where needed,
 * and amended with a reason whenever it changes after submission.
 */
export const REPORT_STATUSES = ['draft', 'submitted', 'returned', 'awaiting_sign_off', 'approved', 'signed_off', 'referred'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REPORT_STATUS_LABELS: Record<ReportStatus, string> = {
  draft: 'Draft',
  submitted: 'Awaiting review',
  returned: 'Returned to officer',
  awaiting_sign_off: 'Awaiting sign-off',
  approved: 'Approved',
  signed_off: 'Signed off',
  referred: 'Referred to professional standards',
};

export const REVIEW_OUTCOMES = ['approve', 'return', 'refer'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export type ReportEventKind = 'created' | 'submitted' | 'amended' | 'approved' | 'returned' | 'referred' | 'signed_off';

export { WorkflowError } from '../validation.js';

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

/** After submission a change is an amendment (with a reason), never an overwrite. */
export function canAmend(status: ReportStatus): boolean {
  return status === 'submitted' || status === 'returned' || status === 'approved' || status === 'awaiting_sign_off' || status === 'signed_off';
}

export function canReview(status: ReportStatus): boolean {
  return status === 'submitted';
}

export function canSignOff(status: ReportStatus): boolean {
  return status === 'awaiting_sign_off';
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
