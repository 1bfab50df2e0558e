import type { ExceptionKind } from './reconcile.js';

/* The reconciliation's exceptions in words (issue 13), as its pages, the report page, the home page and the audit log say them. Pure. */

/** Each kind of exception in words. */
export const EXCEPTION_KIND_LABELS: Record<ExceptionKind, string> = {
  discharge_without_report: 'Discharge without a report',
  arc_without_report: 'Arc without a report',
  report_without_log_event: 'Report without a log event',
  cycle_count_mismatch: 'Cycle count does not match',
  extended_cycle_unreported: 'Extended cycle not reported',
  clock_reset: 'Clock reset',
  report_device_unknown: 'Report names an unknown device',
};

/** A kind in words; one Cedar does not know (yet) readably. */
export const exceptionKindLabel = (kind: string): string => EXCEPTION_KIND_LABELS[kind as ExceptionKind] ?? kind.replaceAll('_', ' ');
