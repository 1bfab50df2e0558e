import { describe, expect, it } from 'vitest';
import { exceptionKindLabel } from '../../../src/domain/devices/log-findings.js';
import { EXCEPTION_KINDS } from '../../../src/domain/devices/reconcile.js';

describe('the names of the reconciliation exceptions', () => {
  it('names every exception kind, and an unknown one readably', () => {
    for (const kind of EXCEPTION_KINDS) expect(exceptionKindLabel(kind)).not.toContain('_');
    expect(exceptionKindLabel('discharge_without_report')).toBe('Discharge without a report');
    expect(exceptionKindLabel('something_new')).toBe('something new');
  });
});
