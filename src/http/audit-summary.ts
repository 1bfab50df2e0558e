import type { AuditEntry } from '../domain/audit.js';
import { officerDisplayName, RANK_ABBREVIATIONS, TEAM_TYPE_LABELS } from '../domain/organisation.js';
import { ROLE_LABELS, isRole, type Permission } from '../domain/permissions.js';
import { SECTIONS, type SectionKey } from '../domain/report/content.js';
import { HIGHEST_LEVEL_LABELS, type HighestLevel } from '../domain/report/levels.js';
import { REFERRAL_OUTCOME_LABELS, REPORT_STATUS_LABELS, type ReferralOutcome, type ReportStatus } from '../domain/report/workflow.js';
import type { TrainingResult } from '../domain/training/authority.js';
import { COURSE_KIND_LABELS, TRAINING_RESULT_LABELS } from '../domain/training/courses.js';
import type { AuditRecords, OfficerName, ReportName } from '../services/audit-records.js';
import { answerText, fieldLabel } from './report-view.js';
import { formatDate, formatDateTime, formatNumber, plural } from './views.js';
import { GATE_REASON_LABELS } from './device-view.js';
import type { GateReasonCode } from '../domain/devices/gate.js';
import { RESOLUTION_OUTCOME_LABELS, type ResolutionOutcome } from '../services/reconciliation.js';
import { exceptionKindLabel } from './reconciliation-view.js';

const outcomeText = (o: unknown) => (typeof o === 'string' ? (RESOLUTION_OUTCOME_LABELS[o as ResolutionOutcome] ?? o).toLowerCase() : 'not recorded');

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
  homeOfficeName: 'Name in the Home Office tables',
  kind: 'Kind',
  qualifiesFor: 'Qualifies for',
  minHours: 'Minimum hours',
  days: 'Days',
  active: 'In use',
  courseTypeId: 'Course',
  startsOn: 'Starts',
  endsOn: 'Ends',
  location: 'Location',
  capacity: 'Places',
  trainerIds: 'Trainers',
  deadline: 'Deadline',
  baselineAuthorised: 'Authorised officers at the start',
  targetAuthorised: 'Target: authorised officers',
  targetDevices: 'Target: devices',
  boroughMinimum: 'Minimum authorised officers in each borough',
  emergencyResponsePercent: 'Share from emergency response (%)',
  comment: 'Comment',
  file: 'File',
  endsAt: 'Ends',
  callSign: 'Call sign',
  carriersPerCrew: 'Officers of a crew who carry',
  soloRanks: 'Ranks that may deploy alone',
  minimumCrews: 'Minimum Taser-equipped crews',
  briefingBeforeMinutes: 'Briefing starts (minutes before the shift)',
  briefingAfterMinutes: 'Briefing ends (minutes after the start)',
};

/** A field with no label of its own: its name in words ("initialPassRate" → "Initial pass rate"). */
const words = (key: string) => {
  const w = key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return w.charAt(0).toUpperCase() + w.slice(1);
};
const label = (k: string) => FIELD_LABELS[k] ?? words(k);

/** Values that have a name people use (team types, course kinds). */
const VALUE_WORDS: Record<string, Record<string, string>> = { teamType: TEAM_TYPE_LABELS, kind: COURSE_KIND_LABELS, status: { active: 'Serving', left: 'Left the force' } };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One value as text: ids by the names in `names`, role grants by role and borough, yes/no for booleans. */
function showValue(v: unknown, names: ReadonlyMap<string, string>, field?: string): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) return v.length ? v.map((x) => showValue(x, names, field)).join(', ') : '—';
  if (isRecord(v)) {
    if (typeof v.role === 'string' && isRole(v.role)) return ROLE_LABELS[v.role] + (v.boroughId ? ` (${showValue(v.boroughId, names)})` : '');
    return Object.entries(v)
      .map(([k, x]) => `${label(k).toLowerCase()} ${showValue(x, names, k)}`)
      .join(', ');
  }
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return formatDate(s);
  return names.get(s) ?? (field ? VALUE_WORDS[field]?.[s] : undefined) ?? s;
}

/**
 * An audit entry's JSON summary as short readable lines, for the audit log and record histories.
 * `names` turns ids (boroughs, teams, officers…) into the names people know them by.
 */
export function auditSummaryLines(summary: string, names: ReadonlyMap<string, string> = new Map()): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(summary);
  } catch {
    return [summary];
  }
  if (!isRecord(parsed)) return [String(parsed)];
  return summaryObjectLines(parsed, names);
}

function summaryObjectLines(s: Record<string, unknown>, names: ReadonlyMap<string, string>, skip: readonly string[] = []): string[] {
  const show = (v: unknown, field?: string) => showValue(v, names, field);
  const lines: string[] = [];
  if (isRecord(s.changes)) {
    for (const [k, v] of Object.entries(s.changes)) {
      const c = isRecord(v) ? v : {};
      lines.push(`${label(k)}: ${show(c.from, k)} → ${show(c.to, k)}`);
    }
  } else if (isRecord(s.before) && isRecord(s.after)) {
    const before = s.before;
    for (const [k, v] of Object.entries(s.after)) {
      if (JSON.stringify(before[k]) !== JSON.stringify(v)) lines.push(`${label(k)}: ${show(before[k], k)} → ${show(v, k)}`);
    }
    if (lines.length === 0) lines.push('No fields changed');
  } else if (isRecord(s.after)) {
    // What a new record was created with: the fields given.
    for (const [k, v] of Object.entries(s.after)) if (v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) lines.push(`${label(k)}: ${show(v, k)}`);
  }
  for (const [k, v] of Object.entries(s)) if (!['changes', 'before', 'after', ...skip].includes(k)) lines.push(`${label(k)}: ${show(v, k)}`);
  return lines;
}

// The audit log page ---------------------------------------------------------------------

/** What each action is, in a few words: the filter's options, and the start of each entry's sentence. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'force.create': 'Force set up',
  'account.create': 'Account created',
  'account.update': 'Account updated',
  'account.password_reset': 'Password reset',
  'account.password_change': 'Password changed',
  'auth.sign_in': 'Signed in',
  'auth.sign_in_failed': 'Sign-in failed',
  'auth.locked': 'Account locked',
  'auth.sign_out': 'Signed out',
  'api_token.create': 'API token created',
  'api_token.revoke': 'API token revoked',
  'demo.seed': 'Demo force created',
  'demo.training': 'Demo training added',
  'demo.devices': 'Demo sign-out history added',
  'uplift.update': 'Uplift plan updated',
  'officer.create': 'Officer record created',
  'officer.update': 'Officer record updated',
  'officer.import': 'Roster imported',
  'met.import': 'Met-format file imported',
  'course_type.create': 'Course type added',
  'course_type.update': 'Course type updated',
  'session.create': 'Training session scheduled',
  'session.update': 'Training session updated',
  'session.cancel': 'Training session cancelled',
  'session.enrol': 'Officer enrolled on a session',
  'session.wait': 'Officer put on a waiting list',
  'session.unenrol': 'Officer taken off a session',
  'session.results': 'Session results recorded',
  'session.result_corrected': 'Session result corrected',
  'training.import': 'Training records imported',
  'authority.suspend': 'Authority to carry suspended',
  'authority.reinstate': 'Authority to carry reinstated',
  'authority.withdraw': 'Withdrew from carrying Taser',
  'authority.resume': 'Returned to carrying Taser',
  'home_office.import': 'Home Office table loaded',
  'report.create': 'Report started',
  'report.save_section': 'Report section saved',
  'report.submit': 'Report submitted',
  'report.amend': 'Report amended',
  'report.amendment_staged': 'Amendment started',
  'report.amendment_discarded': 'Amendment discarded',
  'report.approved': 'Report approved',
  'report.returned': 'Report returned to the officer',
  'report.referred': 'Report referred to professional standards',
  'report.sign_off': 'Report signed off',
  'report.referral_outcome': 'Referral outcome recorded',
  'report.discard': 'Draft discarded',
  'release.prepare': 'Draft release prepared',
  'release.publish': 'Release published',
  'release.discard': 'Draft release discarded',
  'release.supersede': 'Correction of a release prepared',
  'audit.keyed': 'Audit log keyed',
  'team.create': 'Team added',
  'team.update': 'Team updated',
  'borough.create': 'Borough added',
  'device_model.create': 'Device model added',
  'device_model.update': 'Device model changed',
  'device.register': 'Device registered',
  'device.issue': 'Device issued',
  'device.return': 'Device returned',
  'device.send_for_repair': 'Device sent for repair',
  'device.repaired': 'Device back from repair',
  'device.quarantine': 'Device quarantined',
  'device.release': 'Device released from quarantine',
  'device.withdraw': 'Device withdrawn',
  'cartridge.receive': 'Cartridges received',
  'device.import': 'Fleet register imported',
  'cartridge.import': 'Cartridges imported',
  'device_issue.import': 'Sign-out history imported',
  'device_log.import': 'Device event logs imported',
  'cartridge.link_report': 'Cartridge linked to a report',
  'device_policy.update': 'Sign-out gate policy updated',
  'device_quarantine.propose': 'Device quarantine proposed',
  'device_quarantine.decide': 'Device quarantine decided',
  'reconciliation.run': 'Device logs reconciled with reports',
  'reconciliation_exception.resolve': 'Reconciliation exception resolved',
  'shift.import': 'Shifts imported',
  'shift.replace': 'Shift replaced',
  'shift.remove': 'Shift taken away',
  'crewing_policy.update': 'Crewing policy set',
  'crewing_policy.remove': "Borough's crewing policy removed",
  'crews.save': 'Crews saved for a shift',
};

/** An action code in words; a code Cedar has no words for yet is spelt out ("report.archive" → "Report: archive"). */
export function auditActionLabel(action: string): string {
  const known = AUDIT_ACTION_LABELS[action];
  if (known) return known;
  const [area = '', verb = ''] = action.split('.');
  return verb ? `${words(area)}: ${words(verb).toLowerCase()}` : words(area);
}

/** The kinds of record entries are about, as the filter offers them. */
export const AUDIT_ENTITY_TYPE_LABELS: Record<string, string> = {
  report: 'Use-of-force report',
  officer: 'Officer',
  team: 'Team',
  borough: 'Borough',
  account: 'Account',
  api_token: 'API token',
  training_session: 'Training session',
  course_type: 'Course type',
  training_record: 'Training records',
  release: 'Release',
  home_office_table: 'Home Office table',
  imported_report: 'Imported reports',
  uplift_plan: 'Uplift plan',
  force: 'Force',
  device: 'Device',
  device_model: 'Device model',
  device_issue: 'Device issue',
  cartridge: 'Cartridge',
  device_quarantine_proposal: 'Device quarantine proposal',
  reconciliation_run: 'Reconciliation of device logs',
  reconciliation_exception: 'Reconciliation exception',
  shift: 'Shift',
  crewing_policy: 'Crewing policy',
  crew: 'Crews',
};

export const entityTypeLabel = (type: string) => AUDIT_ENTITY_TYPE_LABELS[type] ?? words(type);

export interface AuditEntryView {
  seq: number;
  occurredAt: string;
  /** Who acted: the account's name, and its email on a second line. */
  who: { name: string; email: string | null };
  /** What happened, as a sentence. */
  what: string;
  /** More about it: one line each. */
  details: string[];
  /** The record, by name, with a link when the reader may open it, and the link to its entries. */
  record: { text: string; href: string | null; entriesHref: string | null } | null;
}

const monthName = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' });
/** '2026-10' → 'October 2026'. */
export function formatMonth(month: unknown): string {
  if (typeof month !== 'string' || !/^\d{4}-\d{2}$/.test(month)) return String(month ?? '');
  return monthName.format(new Date(`${month}-01T00:00:00Z`));
}

const officerText = (o: OfficerName) => officerDisplayName(o);

function reportText(r: ReportName): string {
  const by = r.officer ? officerText(r.officer) : 'an officer';
  return r.incidentReference ? `Incident ${r.incidentReference}: ${by}` : `Report by ${by}, started ${formatDate(r.createdAt.slice(0, 10))}`;
}

function sessionDates(startsOn: string, endsOn: string): string {
  return startsOn === endsOn ? formatDate(startsOn) : `${formatDate(startsOn)} to ${formatDate(endsOn)}`;
}

/** Every id the records know, to its name: for values inside summaries. */
function flatNames(r: AuditRecords): Map<string, string> {
  const m = new Map<string, string>();
  for (const [id, a] of r.accounts) m.set(id, `${a.displayName} (${a.email})`);
  for (const [id, o] of r.officers) m.set(id, officerText(o));
  for (const [id, x] of r.reports) m.set(id, reportText(x));
  for (const [id, s] of r.sessions) m.set(id, `${s.courseName}, ${sessionDates(s.startsOn, s.endsOn)}`);
  for (const map of [r.boroughs, r.teams, r.courseTypes, r.homeOfficeTables]) for (const [id, n] of map) m.set(id, n);
  return m;
}

interface Ctx {
  e: Pick<AuditEntry, 'action' | 'entityType' | 'entityId' | 'actorUserId'>;
  s: Record<string, unknown>;
  names: ReadonlyMap<string, string>;
  /** A value as text (ids by name). */
  show(v: unknown, field?: string): string;
  /** The generic lines for the summary, leaving out the fields the sentence already says. */
  rest(...skip: string[]): string[];
  num(v: unknown): string;
}

type Describe = (c: Ctx) => { what: string; details?: string[] };

const count = (v: unknown) => (typeof v === 'number' ? v : 0);
const withReason = (c: Ctx, key = 'reason') => (c.s[key] ? [`${label(key)}: ${c.show(c.s[key])}`] : []);
const version = (c: Ctx) => (typeof c.s.version === 'number' ? ` (version ${c.s.version})` : '');
const section = (k: unknown) => (typeof k === 'string' && k in SECTIONS ? SECTIONS[k as SectionKey].title : String(k));
const resultText = (r: unknown) => (typeof r === 'string' ? (TRAINING_RESULT_LABELS[r as TrainingResult] ?? r) : 'not recorded');
/** "rank Police Constable → Sergeant; team A → B" */
const inlineChanges = (c: Ctx) =>
  isRecord(c.s.changes)
    ? Object.entries(c.s.changes)
        .map(([k, v]) => `${label(k).toLowerCase()} ${c.show(isRecord(v) ? v.from : null, k)} → ${c.show(isRecord(v) ? v.to : null, k)}`)
        .join('; ')
    : '';
/** The fields a before/after summary changed, by name: "roles, name". */
const changedFields = (c: Ctx) => {
  const before = isRecord(c.s.before) ? c.s.before : {};
  const after = isRecord(c.s.after) ? c.s.after : {};
  return Object.keys(after)
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => label(k).toLowerCase());
};
const after = (c: Ctx) => (isRecord(c.s.after) ? c.s.after : {});
const promoted = (c: Ctx) => (Array.isArray(c.s.promotedFromWaitingList) && c.s.promotedFromWaitingList.length ? [`Moved up from the waiting list: ${c.show(c.s.promotedFromWaitingList)}`] : []);
const reviewDetails = (c: Ctx) => [...withReason(c, 'comment'), ...(typeof c.s.status === 'string' ? [`Now: ${REPORT_STATUS_LABELS[c.s.status as ReportStatus] ?? c.s.status}`] : [])];

/** The sentence and details for each action. */
const DESCRIBE: Record<string, Describe> = {
  'force.create': (c) => ({ what: `Force set up: ${c.show(after(c).name)}`, details: c.rest() }),
  'account.create': (c) => ({ what: `Account created for ${c.show(after(c).displayName)} (${c.show(after(c).email)})`, details: c.rest() }),
  'account.update': (c) => {
    const fields = changedFields(c);
    return { what: fields.length ? `Account updated: ${fields.join(', ')}` : 'Account saved with no changes', details: fields.length ? c.rest() : [] };
  },
  'account.password_reset': () => ({ what: 'Password reset: a one-time password was issued' }),
  'account.password_change': () => ({ what: 'Password changed' }),
  'auth.sign_in': (c) => ({ what: 'Signed in', details: c.rest() }),
  'auth.sign_in_failed': (c) =>
    c.s.reason === 'unknown email'
      ? { what: `Sign-in failed: no account for ${c.show(c.s.email)}`, details: c.rest('reason', 'email') }
      : {
          what: `Sign-in failed: wrong password${typeof c.s.failedSignIns === 'number' ? ` (${plural(c.s.failedSignIns, 'failed attempt')} in a row)` : ''}`,
          details: c.rest('failedSignIns', 'lockedUntil'),
        },
  'auth.locked': (c) => ({
    what: `Account locked after ${plural(count(c.s.failedSignIns), 'failed sign-in')}${typeof c.s.lockedUntil === 'string' ? `, until ${formatDateTime(c.s.lockedUntil)}` : ''}`,
    details: c.rest('failedSignIns', 'lockedUntil'),
  }),
  'auth.sign_out': () => ({ what: 'Signed out' }),
  'api_token.create': (c) => ({ what: `API token “${c.show(c.s.name)}” created for ${c.show(c.s.user)}`, details: c.rest('name', 'user') }),
  'api_token.revoke': (c) => ({ what: `API token “${c.show(c.s.name)}” of ${c.show(c.s.user)} revoked`, details: c.rest('name', 'user') }),
  'demo.seed': (c) => ({
    what: `Demo force created: ${plural(count(c.s.boroughs), 'borough')}, ${plural(count(c.s.teams), 'team')}, ${plural(count(c.s.officers), 'officer')} and ${plural(count(c.s.accounts), 'account')}`,
  }),
  'demo.training': (c) => ({
    what: `Demo training added: ${plural(count(c.s.records), 'training record')}, ${plural(count(c.s.sessions), 'session')}, ${plural(count(c.s.enrolments), 'enrolment')}`,
    details: c.rest('records', 'sessions', 'enrolments'),
  }),
  'demo.devices': (c) => ({
    what: `Demo sign-out history added: ${plural(count(c.s.issues), 'issue')}, ${formatNumber(count(c.s.open))} still out`,
    details: c.rest('issues', 'open'),
  }),
  'uplift.update': (c) => {
    // The assumptions sit in their own object: compare them field by field with the targets.
    const flat = (x: unknown) => (isRecord(x) ? { ...x, assumptions: undefined, ...(isRecord(x.assumptions) ? x.assumptions : {}) } : {});
    const lines = summaryObjectLines({ before: flat(c.s.before), after: flat(c.s.after) }, c.names).filter((l) => !l.startsWith('Assumptions:'));
    return { what: c.s.before ? 'Uplift plan updated' : 'Uplift plan set', details: lines };
  },
  'officer.create': (c) => {
    const o = after(c);
    const rank = typeof o.rank === 'string' && o.rank in RANK_ABBREVIATIONS ? `${RANK_ABBREVIATIONS[o.rank as keyof typeof RANK_ABBREVIATIONS]} ` : '';
    return { what: `Officer record created: ${rank}${c.show(o.firstName)} ${c.show(o.lastName)} (${c.show(o.collarNumber)})`, details: c.rest() };
  },
  'officer.update': (c) => ({
    what: `Officer record updated: ${inlineChanges(c) || 'no fields changed'}`,
    details: typeof c.s.file === 'string' ? [`From the roster file ${c.s.file}`] : [],
  }),
  'officer.import': (c) => ({
    what: `Roster ${c.show(c.s.file)} imported: ${plural(count(c.s.created), 'officer')} added, ${formatNumber(count(c.s.updated))} updated, ${formatNumber(count(c.s.unchanged))} unchanged`,
  }),
  'met.import': (c) => ({
    what: `Met-format file ${c.show(c.s.file)} imported: ${plural(count(c.s.read), 'row')} read, ${formatNumber(count(c.s.imported))} imported, ${formatNumber(count(c.s.alreadyPresent))} already present, ${formatNumber(count(c.s.rejected))} rejected`,
    details: c.rest('file', 'read', 'imported', 'alreadyPresent', 'rejected'),
  }),
  'course_type.create': (c) => ({ what: `Course type added: ${c.show(after(c).name)}`, details: c.rest() }),
  'course_type.update': (c) => ({ what: `Course type updated: ${c.show(after(c).name)}`, details: c.rest() }),
  'session.create': (c) => {
    const s = after(c);
    return { what: `Training session scheduled: ${c.show(s.courseTypeId, 'courseTypeId')}, ${sessionDates(String(s.startsOn), String(s.endsOn))}`, details: c.rest() };
  },
  'session.update': (c) => ({ what: 'Training session updated', details: [...summaryObjectLines({ after: after(c) }, c.names), ...promoted(c)] }),
  'session.cancel': (c) => ({ what: `Training session cancelled: ${c.show(c.s.reason)}`, details: [`Places and waiting list cancelled: ${formatNumber(count(c.s.enrolmentsCancelled))}`] }),
  'session.enrol': (c) => ({ what: `${c.show(c.s.officerId)} enrolled` }),
  'session.wait': (c) => ({ what: `${c.show(c.s.officerId)} put on the waiting list` }),
  'session.unenrol': (c) => ({ what: `${c.show(c.s.officerId)} taken off the session`, details: promoted(c) }),
  'session.results': (c) => ({
    what: `Results recorded: ${formatNumber(count(c.s.passed))} passed, ${formatNumber(count(c.s.failed))} failed or did not finish, ${formatNumber(count(c.s.absent))} did not attend`,
    details: (Array.isArray(c.s.results) ? c.s.results : [])
      .filter(isRecord)
      .map((r) => `${c.show(r.officerId)}: ${r.attended === false ? 'did not attend' : resultText(r.result)}${r.reason ? ` (${c.show(r.reason)})` : ''}`),
  }),
  'session.result_corrected': (c) => {
    const from = isRecord(c.s.from) ? c.s.from : {};
    const to = isRecord(c.s.to) ? c.s.to : {};
    return {
      what: `Result corrected for ${c.show(c.s.officerId)}: ${from.attended === false ? 'did not attend' : resultText(from.result)} → ${resultText(to.result)}`,
      details: [...(to.reason ? [`Reason for the result: ${c.show(to.reason)}`] : []), ...withReason(c, 'correctionReason')],
    };
  },
  'training.import': (c) => ({
    what: `Training records imported from ${c.s.source === 'api' ? 'the API' : c.show(c.s.file)}: ${plural(count(c.s.inserted), 'record')} added for ${plural(count(c.s.officers), 'officer')}, ${formatNumber(count(c.s.alreadyPresent))} already present`,
  }),
  'authority.suspend': (c) => ({ what: `Authority to carry suspended from ${formatDate(String(c.s.fromOn))}`, details: withReason(c) }),
  'authority.reinstate': (c) => ({ what: `Authority to carry reinstated from ${formatDate(String(c.s.toOn))}`, details: withReason(c) }),
  'authority.withdraw': (c) => ({ what: `Withdrew from carrying Taser from ${formatDate(String(c.s.fromOn))}`, details: withReason(c) }),
  'authority.resume': (c) => ({ what: `Returned to carrying Taser from ${formatDate(String(c.s.toOn))}`, details: withReason(c) }),
  'home_office.import': (c) => {
    const replaced = isRecord(c.s.replaced) ? ` (it replaced ${c.show(c.s.replaced.file)})` : '';
    const what =
      c.s.outcome === 'unchanged'
        ? `Home Office table for ${c.show(c.s.period)} loaded again from ${c.show(c.s.file)}: unchanged`
        : `Home Office table for ${c.show(c.s.period)} loaded from ${c.show(c.s.file)}${replaced}`;
    return { what, details: [`Forces: ${c.num(c.s.forces)}, regions: ${c.num(c.s.regions)}`, `This force is in the table: ${c.show(c.s.forceInTable)}`] };
  },
  'report.create': (c) => ({ what: c.s.officerId ? `Report started for ${c.show(c.s.officerId)}` : 'Report started' }),
  'report.save_section': (c) => ({ what: `Report section saved: ${section(c.s.section)}` }),
  'report.submit': (c) => ({
    what: `Report submitted${version(c)}`,
    details: typeof c.s.highestLevel === 'string' ? [`Highest level of Taser use: ${HIGHEST_LEVEL_LABELS[c.s.highestLevel as HighestLevel] ?? c.s.highestLevel}`] : [],
  }),
  'report.amend': (c) => ({
    what: `Report amended${version(c)}`,
    details: [
      ...withReason(c),
      ...Object.entries(isRecord(c.s.changes) ? c.s.changes : {}).map(([path, v]) => {
        const ctx = { boroughName: (id: string) => c.names.get(id) };
        return `${fieldLabel(path)}: ${answerText(path, isRecord(v) ? v.from : null, ctx)} → ${answerText(path, isRecord(v) ? v.to : null, ctx)}`;
      }),
    ],
  }),
  'report.amendment_staged': (c) => ({ what: `Amendment started: ${section(c.s.section)}` }),
  'report.amendment_discarded': (c) => ({ what: `Amendment discarded${Array.isArray(c.s.sections) && c.s.sections.length ? `: ${c.s.sections.map(section).join(', ')}` : ''}` }),
  'report.approved': (c) => ({ what: `Report approved${version(c)}`, details: reviewDetails(c) }),
  'report.returned': (c) => ({ what: `Report returned to the officer${version(c)}`, details: reviewDetails(c) }),
  'report.referred': (c) => ({ what: `Report referred to professional standards${version(c)}`, details: reviewDetails(c) }),
  'report.sign_off': (c) => ({ what: `Report signed off${version(c)}`, details: withReason(c, 'comment') }),
  'release.prepare': (c) => ({
    what: `Draft release prepared: figures to ${formatMonth(c.s.month)}`,
    details: [`Uses: ${c.num(c.s.uses)}`, `Rows in the download: ${c.num(c.s.rows)}`, ...(c.s.replacedDraft ? ['It replaced the previous draft'] : [])],
  }),
  'release.publish': (c) => ({
    what: `Release ${c.show(c.s.number)} published: figures to ${formatMonth(c.s.month)}`,
    details: [`Uses: ${c.num(c.s.uses)}`, ...(Array.isArray(c.s.revisions) ? c.s.revisions.map((r) => `Revision: ${c.show(r)}`) : [])],
  }),
  'release.discard': () => ({ what: 'Draft release discarded' }),
  'release.supersede': (c) => ({
    what: `Correction of release ${c.show(c.s.supersedes)} prepared: figures to ${formatMonth(c.s.month)}`,
    details: [...withReason(c), `Uses: ${c.num(c.s.uses)}`, ...(c.s.replacedDraft ? ['It replaced the previous draft'] : [])],
  }),
  'report.referral_outcome': (c) => ({
    what: `Referral outcome recorded${version(c)}: ${typeof c.s.outcome === 'string' ? (REFERRAL_OUTCOME_LABELS[c.s.outcome as ReferralOutcome] ?? c.s.outcome) : 'not stated'}`,
    details: [...(c.s.iopcReference ? [`IOPC reference: ${c.show(c.s.iopcReference)}`] : []), ...withReason(c), ...reviewDetails({ ...c, s: { status: c.s.status } })],
  }),
  'report.discard': (c) => ({
    what: 'Draft discarded (never submitted)',
    details: [
      ...(c.s.incidentReference ? [`Incident: ${c.show(c.s.incidentReference)}`] : []),
      ...(Array.isArray(c.s.sections) && c.s.sections.length ? [`Sections answered: ${c.s.sections.map(section).join(', ')}`] : []),
    ],
  }),
  'audit.keyed': (c) => ({ what: `Audit log keyed from entry ${c.show(c.s.keyedFrom)}`, details: [`Entries before the key: ${c.num(c.s.unkeyedEntries)}`] }),
  'team.create': (c) => ({ what: `Team added: ${c.show(after(c).name)}`, details: c.rest() }),
  'team.update': (c) => ({ what: `Team updated: ${inlineChanges(c) || 'no fields changed'}` }),
  'borough.create': (c) => ({ what: `Borough added: ${c.show(after(c).name)} (${c.show(after(c).code)})` }),
  'device_model.create': (c) => ({ what: `Device model added: ${c.show(after(c).name)}`, details: c.rest() }),
  'device_model.update': (c) => ({ what: `Device model changed: ${c.show(after(c).name)} (${changedFields(c).join(', ') || 'no fields changed'})`, details: c.rest() }),
  'device.register': (c) => ({ what: `Device ${c.show(after(c).serial)} registered (${c.show(after(c).model)})`, details: c.rest() }),
  'device.issue': (c) => ({ what: `Device ${c.show(c.s.device)} issued to officer ${c.show(c.s.officer)}`, details: c.rest('device', 'officer') }),
  'device.return': (c) => ({ what: `Device ${c.show(c.s.device)} returned by officer ${c.show(c.s.officer)}`, details: c.rest('device', 'officer') }),
  'device.send_for_repair': (c) => ({ what: `Device ${c.show(c.s.serial)} sent for repair: ${c.show(after(c).note)}` }),
  'device.repaired': (c) => ({ what: `Device ${c.show(c.s.serial)} back from repair` }),
  'device.quarantine': (c) => ({ what: `Device ${c.show(c.s.serial)} quarantined: ${c.show(after(c).note)}` }),
  'device.release': (c) => ({ what: `Device ${c.show(c.s.serial)} released from quarantine: ${c.show(after(c).note)}` }),
  'device.withdraw': (c) => ({ what: `Device ${c.show(c.s.serial)} withdrawn (${c.show(after(c).withdrawalReason)}): ${c.show(after(c).note)}` }),
  'device.import': (c) => ({
    what: `Fleet register ${c.show(c.s.file)} imported: ${plural(count(c.s.read), 'row')} read, ${formatNumber(count(c.s.imported))} imported, ${formatNumber(count(c.s.updated))} updated, ${formatNumber(count(c.s.alreadyPresent))} already present`,
  }),
  'cartridge.import': (c) => ({
    what: `Cartridges ${c.show(c.s.file)} imported: ${plural(count(c.s.read), 'row')} read, ${formatNumber(count(c.s.imported))} imported, ${formatNumber(count(c.s.updated))} updated, ${formatNumber(count(c.s.alreadyPresent))} already present`,
  }),
  'device_issue.import': (c) => ({
    what: `Sign-out history ${c.show(c.s.file)} imported: ${plural(count(c.s.read), 'row')} read, ${formatNumber(count(c.s.imported))} imported, ${formatNumber(count(c.s.alreadyPresent))} already present`,
  }),
  'device_log.import': (c) => ({
    what: `Device event log ${c.show(c.s.file)} imported (${c.show(c.s.source)}): ${plural(count(c.s.read), 'row')} read, ${formatNumber(count(c.s.added))} added, ${formatNumber(count(c.s.alreadyPresent))} already present, ${plural(count(c.s.devices), 'device')}${count(c.s.unknownSerials) ? `, ${plural(count(c.s.unknownSerials), 'serial')} not in the register` : ''}`,
  }),
  'cartridge.receive': (c) => ({ what: `${plural(count(c.s.count), 'cartridge')} received`, details: c.rest('count') }),
  'cartridge.link_report': (c) => ({
    what: `Cartridge ${c.show(c.s.serial)} linked to the report of its discharge${typeof c.s.incidentReference === 'string' ? ` (incident ${c.s.incidentReference})` : ''}`,
  }),
  'device_policy.update': (c) => {
    const before = isRecord(c.s.before) ? c.s.before : {};
    const now = after(c);
    const reasons = (x: unknown) => (Array.isArray(x) && x.length ? x.map((r) => GATE_REASON_LABELS[r as GateReasonCode] ?? String(r)).join('; ') : 'none');
    return {
      what: 'Sign-out gate policy updated',
      details: [
        `Spare cartridges: ${c.show(before.spareCartridges)} → ${c.show(now.spareCartridges)}`,
        `Reasons an inspector may override: ${reasons(before.overridable)} → ${reasons(now.overridable)}`,
      ],
    };
  },
  'device_quarantine.propose': (c) => ({ what: `Quarantine of device ${c.show(c.s.serial)} proposed after a report`, details: [`Reason: ${c.show(c.s.reason)}`] }),
  'device_quarantine.decide': (c) => ({
    what: c.s.decision === 'quarantined' ? `Device ${c.show(c.s.serial)} to be quarantined: proposal accepted` : `Quarantine of device ${c.show(c.s.serial)} declined`,
    details: c.s.note ? [`${c.s.decision === 'declined' ? 'Reason' : 'Note'}: ${c.show(c.s.note)}`] : [],
  }),
  'reconciliation.run': (c) => {
    const kinds = isRecord(c.s.exceptionsByKind) ? Object.entries(c.s.exceptionsByKind).filter(([, n]) => count(n) > 0) : [];
    const found = kinds.reduce((sum, [, n]) => sum + count(n), 0);
    const dates = c.s.from === c.s.to ? formatDate(String(c.s.from)) : `${formatDate(String(c.s.from))} to ${formatDate(String(c.s.to))}`;
    return {
      what: `Device logs reconciled with reports for ${dates}: ${plural(found, 'exception')} found`,
      details: [
        `${formatNumber(count(c.s.eventsRead))} log events read from ${plural(count(c.s.devices), 'device')}; ${plural(count(c.s.functionTests), 'function test')}; ${plural(count(c.s.episodes), 'episode')}; ${plural(count(c.s.reportsMatched), 'report')} confirmed`,
        ...kinds.map(([k, n]) => `${exceptionKindLabel(k)}: ${formatNumber(count(n))}`),
        `New: ${formatNumber(count(c.s.opened))}; reopened: ${formatNumber(count(c.s.reopened))}; cleared: ${formatNumber(count(c.s.cleared))}`,
        ...(Array.isArray(c.s.reopenedExceptions)
          ? c.s.reopenedExceptions.filter(isRecord).map((r) => `Reopened on new evidence, was resolved as ${outcomeText(r.outcome)}${r.reason ? `: ${c.show(r.reason)}` : ''}`)
          : []),
      ],
    };
  },
  'reconciliation_exception.resolve': (c) => ({
    what: `${exceptionKindLabel(String(c.s.kind))} on device ${c.show(c.s.serial)} resolved: ${outcomeText(c.s.outcome)}`,
    details: [`Reason: ${c.show(c.s.reason)}`],
  }),
  'shift.import': (c) => ({
    what: `Shifts imported from ${c.s.source === 'api' ? 'the API' : c.show(c.s.file)}: ${plural(count(c.s.inserted), 'shift')} added, ${formatNumber(count(c.s.replaced))} replaced, ${formatNumber(count(c.s.removed))} taken away, ${formatNumber(count(c.s.unchanged))} unchanged, for ${plural(count(c.s.officers), 'officer')}`,
  }),
  'shift.replace': (c) => {
    const before = isRecord(c.s.before) ? c.s.before : {};
    const now = after(c);
    const shown = (k: string, v: unknown) => (k === 'endsAt' && typeof v === 'string' ? formatDateTime(v) : c.show(v, k));
    const changed = Array.isArray(c.s.changed) ? c.s.changed.map(String) : [];
    return {
      what: `Shift of officer ${c.show(c.s.collarNumber)} starting ${typeof c.s.startsAt === 'string' ? formatDateTime(c.s.startsAt) : '—'} replaced by the roster`,
      details: [...changed.map((k) => `${label(k)}: ${shown(k, before[k])} → ${shown(k, now[k])}`), ...(c.s.file ? [`From ${c.show(c.s.file)}, line ${c.num(c.s.line)}`] : [])],
    };
  },
  'shift.remove': (c) => {
    const before = isRecord(c.s.before) ? c.s.before : {};
    return {
      what: `Shift of officer ${c.show(c.s.collarNumber)} starting ${typeof c.s.startsAt === 'string' ? formatDateTime(c.s.startsAt) : '—'} taken away: the roster moved it`,
      details: [
        `Ended: ${typeof before.endsAt === 'string' ? formatDateTime(before.endsAt) : '—'}`,
        `Borough: ${c.show(before.boroughId, 'boroughId')}`,
        ...(c.s.file ? [`Overlapped by the shift on line ${c.num(c.s.line)} of ${c.show(c.s.file)}`] : []),
      ],
    };
  },
  'crewing_policy.update': (c) => ({
    what: `Crewing policy ${c.s.scope === 'force' ? 'for the force' : `for ${c.show(c.s.borough)}`} ${isRecord(c.s.before) ? 'changed' : 'set'}`,
    details: summaryObjectLines({ before: c.s.before, after: c.s.after }, c.names),
  }),
  'crewing_policy.remove': (c) => ({ what: `Crewing policy for ${c.show(c.s.borough)} removed: the force's policy applies there again`, details: summaryObjectLines({ after: c.s.before }, c.names) }),
  'crews.save': (c) => {
    const crews = Array.isArray(c.s.crews) ? c.s.crews.filter(isRecord) : [];
    const member = (m: unknown) => {
      if (!isRecord(m)) return '—';
      const device = typeof m.device === 'string' ? ` with ${m.device}` : '';
      return `${c.show(m.collarNumber)} (${c.show(m.role)}${device})`;
    };
    return {
      what: `Crews for ${c.show(c.s.borough)}${typeof c.s.team === 'string' ? `, ${c.s.team}` : ''}, shift starting ${typeof c.s.startsAt === 'string' ? formatDateTime(c.s.startsAt) : '—'}: ${plural(crews.length, 'crew')}, ${c.num(c.s.taserCrews)} with a Taser`,
      details: [
        ...crews.map((crew) => `${c.show(crew.callSign)}: ${(Array.isArray(crew.members) ? crew.members : []).map(member).join(', ')}`),
        ...(typeof c.s.before === 'number' && c.s.before > 0 ? [`Replaced ${plural(c.s.before, 'crew')} saved before`] : []),
      ],
    };
  },
};

/** The action codes the log can put in words (the rest are spelt out from the code). */
export const DESCRIBED_ACTIONS: readonly string[] = Object.keys(DESCRIBE);

/** Who acted, in words: an account by name and email; Cedar itself; the command line; someone not signed in. */
function whoActed(e: Pick<AuditEntry, 'actorUserId' | 'actorLabel'>, records: AuditRecords): AuditEntryView['who'] {
  const account = e.actorUserId ? records.accounts.get(e.actorUserId) : undefined;
  if (account) return { name: account.displayName, email: account.email };
  if (e.actorLabel === 'system') return { name: 'Cedar (automatic)', email: null };
  if (e.actorLabel.startsWith('cli:')) return { name: `Command line (${e.actorLabel.slice(4)})`, email: null };
  if (e.actorLabel.startsWith('anonymous@')) return { name: `Not signed in (${e.actorLabel.slice('anonymous@'.length)})`, email: null };
  return { name: e.actorLabel, email: null };
}

/** The record an entry is about, by name, linked when the reader's roles open its page. */
function recordOf(e: Pick<AuditEntry, 'entityType' | 'entityId'>, r: AuditRecords, canOpen: (p: Permission) => boolean): AuditEntryView['record'] {
  const id = e.entityId;
  const entriesHref = id ? `/audit?entityType=${encodeURIComponent(e.entityType)}&entityId=${encodeURIComponent(id)}` : null;
  const at = (text: string, href: string | null, permission?: Permission) => ({ text, href: href && (!permission || canOpen(permission)) ? href : null, entriesHref });
  const gone = () => at(`${entityTypeLabel(e.entityType)} (no longer held)`, null);
  if (!id) return { text: entityTypeLabel(e.entityType), href: null, entriesHref: null };
  switch (e.entityType) {
    case 'officer': {
      const o = r.officers.get(id);
      return o ? at(officerText(o), `/officers/${id}`, 'read:officer') : gone();
    }
    case 'report': {
      const x = r.reports.get(id);
      return x ? at(reportText(x), `/reports/${id}`, 'read:report') : gone();
    }
    case 'account': {
      const a = r.accounts.get(id);
      return a ? at(`${a.displayName} (${a.email})`, `/admin/accounts/${id}`, 'manage:account') : gone();
    }
    case 'training_session': {
      const s = r.sessions.get(id);
      return s ? at(`${s.courseName}, ${sessionDates(s.startsOn, s.endsOn)}`, `/training/sessions/${id}`, 'read:training') : gone();
    }
    case 'course_type': {
      const n = r.courseTypes.get(id);
      return n ? at(n, '/training/courses', 'read:training') : gone();
    }
    case 'team': {
      const n = r.teams.get(id);
      return n ? at(n, `/teams/${id}`, 'read:team') : gone();
    }
    case 'borough': {
      const n = r.boroughs.get(id);
      return n ? at(n, '/teams', 'read:team') : gone();
    }
    case 'release': {
      const x = r.releases.get(id);
      if (!x) return gone();
      // A published release is public; a draft opens for those who prepare releases.
      return x.number !== null && x.status === 'published'
        ? at(`Release ${x.number}: figures to ${formatMonth(x.month)}`, `/transparency/releases/${x.number}`)
        : at(`Draft release: figures to ${formatMonth(x.month)}`, `/statistics/releases/${id}`, 'read:release');
    }
    case 'home_office_table': {
      const n = r.homeOfficeTables.get(id);
      return n ? at(`Home Office table, ${n}`, '/transparency/national') : gone();
    }
    case 'api_token': {
      const t = r.tokens.get(id);
      return t ? at(`API token “${t.name}”${t.email ? ` of ${t.email}` : ''}`, null) : gone();
    }
    case 'reconciliation_exception':
      return at('Reconciliation exception', `/devices/reconciliation/${id}`, 'read:device');
    case 'uplift_plan':
      return at('The uplift plan', '/uplift', 'read:uplift');
    case 'force': {
      const n = r.forces.get(id);
      return n ? at(n, null) : gone();
    }
    default:
      return at(entityTypeLabel(e.entityType), null);
  }
}

/**
 * One audit entry as a person reads it: who (by name), what happened (a sentence for every
 * action, with what changed), and on which record (by name, linked when the reader may open it).
 * `records` are the names looked up in bulk for the page (services/audit-records.ts).
 */
export function describeAuditEntry(e: AuditEntry, records: AuditRecords, canOpen: (p: Permission) => boolean): AuditEntryView {
  const names = flatNames(records);
  return describeWith(e, records, names, canOpen);
}

/** Many entries, sharing one table of names. */
export function describeAuditEntries(entries: readonly AuditEntry[], records: AuditRecords, canOpen: (p: Permission) => boolean): AuditEntryView[] {
  const names = flatNames(records);
  return entries.map((e) => describeWith(e, records, names, canOpen));
}

function describeWith(e: AuditEntry, records: AuditRecords, names: ReadonlyMap<string, string>, canOpen: (p: Permission) => boolean): AuditEntryView {
  let s: Record<string, unknown> = {};
  let unreadable = false;
  try {
    const parsed: unknown = JSON.parse(e.summary);
    if (isRecord(parsed)) s = parsed;
  } catch {
    unreadable = true;
  }
  const ctx: Ctx = {
    e,
    s,
    names,
    show: (v, field) => showValue(v, names, field),
    rest: (...skip) => summaryObjectLines(s, names, skip),
    num: (v) => (typeof v === 'number' ? formatNumber(v) : '—'),
  };
  const describe = DESCRIBE[e.action];
  const said = describe ? describe(ctx) : { what: auditActionLabel(e.action), details: unreadable ? [e.summary] : summaryObjectLines(s, names) };
  return { seq: e.seq, occurredAt: e.occurredAt, who: whoActed(e, records), what: said.what, details: said.details ?? [], record: recordOf(e, records, canOpen) };
}
