import { describe, expect, it } from 'vitest';
import { auditSummaryLines } from '../../src/http/audit-summary.js';

describe('audit summaries for people', () => {
  const names = new Map([['b1', 'Lambeth']]);
  it.each([
    [{ changes: { rank: { from: 'Police Constable', to: 'Sergeant' } } }, ['Rank: Police Constable → Sergeant']],
    [{ after: { name: 'Lambeth ER A', boroughId: 'b1' } }, ['Name: Lambeth ER A', 'Borough: Lambeth']],
    [{ before: { roles: [{ role: 'analyst', boroughId: null }] }, after: { roles: [{ role: 'supervisor', boroughId: 'b1' }] } }, ['Roles: Analyst → Supervisor (sergeant) (Lambeth)']],
    [{ before: { email: 'a@b.org' }, after: { email: 'a@b.org' } }, ['No fields changed']],
    [{ failedSignIns: 2, lockedUntil: null }, ['Failed attempts: 2', 'Locked until: —']],
    [{}, []],
  ])('%j', (summary, lines) => {
    expect(auditSummaryLines(JSON.stringify(summary), names)).toEqual(lines);
  });
  it('shows text that is not JSON as it is', () => expect(auditSummaryLines('not json')).toEqual(['not json']));
});
