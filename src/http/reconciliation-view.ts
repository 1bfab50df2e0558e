/* Words for the reconciliation's pages and audit entries (issue 13). */

export { EXCEPTION_KIND_LABELS, exceptionKindLabel } from '../domain/devices/log-findings.js';

export const EXCEPTION_STATE_TAGS: Record<string, { text: string; classes: string }> = {
  open: { text: 'Open', classes: 'govuk-tag--red' },
  resolved: { text: 'Resolved', classes: 'govuk-tag--green' },
  cleared: { text: 'Cleared', classes: 'govuk-tag--grey' },
};
