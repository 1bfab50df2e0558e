import { ROLE_LABELS, isRole } from '../domain/permissions.js';

/** How the fields of Cedar's records read to a person. */
const FIELD_LABELS: Record<string, string> = {
  collarNumber: 'Collar number',
  firstName: 'First name',
  lastName: 'Last name',
  rank: 'Rank',
  boroughId: 'Borough',
  teamId: 'Team',
  status: 'Status',
  joinedOn: 'Joined',
  leftOn: 'Left',
  teamType: 'Type',
  name: 'Name',
  code: 'Code',
  email: 'Email',
  displayName: 'Name',
  roles: 'Roles',
  officerId: 'Officer',
  disabled: 'Disabled',
  failedSignIns: 'Failed attempts',
  lockedUntil: 'Locked until',
  ip: 'IP address',
  reason: 'Reason',
  homeOfficeRegion: 'Home Office region',
};

/**
 * An audit entry's JSON summary as short readable lines, for the audit log and record histories.
 * `names` turns ids (boroughs, teams) into the names people know them by.
 */
export function auditSummaryLines(summary: string, names: ReadonlyMap<string, string> = new Map()): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(summary);
  } catch {
    return [summary];
  }
  if (!parsed || typeof parsed !== 'object') return [String(parsed)];
  const show = (v: unknown): string => {
    if (v === null || v === undefined || v === '') return '—';
    if (Array.isArray(v)) return v.length ? v.map(show).join(', ') : '—';
    if (typeof v === 'object') {
      const grant = v as { role?: unknown; boroughId?: unknown };
      if (typeof grant.role === 'string' && isRole(grant.role)) return ROLE_LABELS[grant.role] + (grant.boroughId ? ` (${show(grant.boroughId)})` : '');
      return JSON.stringify(v);
    }
    return names.get(String(v)) ?? String(v);
  };
  const label = (k: string) => FIELD_LABELS[k] ?? k;
  const s = parsed as Record<string, unknown>;
  const lines: string[] = [];
  if (s.changes && typeof s.changes === 'object') {
    for (const [k, v] of Object.entries(s.changes as Record<string, { from: unknown; to: unknown }>)) lines.push(`${label(k)}: ${show(v.from)} → ${show(v.to)}`);
  } else if (s.before && s.after && typeof s.before === 'object' && typeof s.after === 'object') {
    const before = s.before as Record<string, unknown>;
    for (const [k, v] of Object.entries(s.after as Record<string, unknown>)) {
      if (JSON.stringify(before[k]) !== JSON.stringify(v)) lines.push(`${label(k)}: ${show(before[k])} → ${show(v)}`);
    }
    if (lines.length === 0) lines.push('No fields changed');
  } else if (s.after && typeof s.after === 'object') {
    for (const [k, v] of Object.entries(s.after as Record<string, unknown>)) lines.push(`${label(k)}: ${show(v)}`);
  }
  for (const [k, v] of Object.entries(s)) if (!['changes', 'before', 'after'].includes(k)) lines.push(`${label(k)}: ${show(v)}`);
  return lines;
}
