import type { ExceptionKind } from '../domain/devices/reconcile.js';

/* Words for the reconciliation's pages and audit entries (issue 13). */

/** Each kind of exception in words, as the list, the timeline and the audit log say it. */
export const EXCEPTION_KIND_LABELS: Record<ExceptionKind, string> = {
  discharge_without_report: 'Discharge without a report',
  arc_without_report: 'Arc without a report',
  report_without_log_event: 'Report without a log event',
  cycle_count_mismatch: 'Cycle count does not match',
  extended_cycle_unreported: 'Extended cycle not reported',
  clock_reset: 'Clock reset',
  report_device_unknown: 'Report names an unknown device',
};

export const exceptionKindLabel = (kind: string) => EXCEPTION_KIND_LABELS[kind as ExceptionKind] ?? kind;

export const EXCEPTION_STATE_TAGS: Record<string, { text: string; classes: string }> = {
  open: { text: 'Open', classes: 'govuk-tag--red' },
  resolved: { text: 'Resolved', classes: 'govuk-tag--green' },
  cleared: { text: 'Cleared', classes: 'govuk-tag--grey' },
};
