/*
 * The names of the reconciliation's exceptions (issue 13), as pages and the home page show them. Pure.
 */

export const FINDING_LABELS: Record<string, string> = {
  discharge_without_report: 'Discharge without a report',
  arc_without_report: 'Arc without a report',
  report_without_log_event: 'Report without a log event',
  cycle_count_mismatch: 'Cycle count differs',
  extended_cycle_unreported: 'Extended cycle not reported',
  clock_reset: 'Clock reset',
  report_device_unknown: 'Device not in the register',
};

export const findingLabel = (kind: string): string => FINDING_LABELS[kind] ?? kind.replaceAll('_', ' ');
