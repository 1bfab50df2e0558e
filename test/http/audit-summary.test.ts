import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/audit.js';
import type { Permission } from '../../src/domain/permissions.js';
import { auditActionLabel, auditSummaryLines, DESCRIBED_ACTIONS, describeAuditEntry } from '../../src/http/audit-summary.js';
import type { AuditRecords, OfficerName } from '../../src/services/audit-records.js';

describe('audit summaries for people', () => {
  const names = new Map([['b1', 'Lambeth']]);
  it.each([
    [{ changes: { rank: { from: 'Police Constable', to: 'Sergeant' } } }, ['Rank: Police Constable → Sergeant']],
    [{ after: { name: 'Lambeth ER A', boroughId: 'b1' } }, ['Name: Lambeth ER A', 'Borough: Lambeth']],
    [{ before: { roles: [{ role: 'analyst', boroughId: null }] }, after: { roles: [{ role: 'supervisor', boroughId: 'b1' }] } }, ['Roles: Analyst → Supervisor (sergeant) (Lambeth)']],
    [{ before: { email: 'a@b.org' }, after: { email: 'a@b.org' } }, ['No fields changed']],
    [{ failedSignIns: 2, lockedUntil: null }, ['Failed attempts: 2', 'Locked until: —']],
    [{ changes: { status: { from: 'active', to: 'left' }, leftOn: { from: null, to: '2026-03-31' } } }, ['Status: Serving → Left the force', 'Left: — → 31 March 2026']],
    [{ after: { name: 'TSG 1', teamType: 'territorial_support', boroughId: null } }, ['Name: TSG 1', 'Type: Territorial Support Group']],
    [{ before: { disabled: false }, after: { disabled: true } }, ['Disabled: No → Yes']],
    [{ initialPassRate: 90 }, ['Initial pass rate: 90']],
    [{}, []],
  ])('%j', (summary, lines) => {
    expect(auditSummaryLines(JSON.stringify(summary), names)).toEqual(lines);
  });
  it('shows text that is not JSON as it is', () => expect(auditSummaryLines('not json')).toEqual(['not json']));
});

const asha: OfficerName = { id: 'o1', rank: 'Police Constable', firstName: 'Asha', lastName: 'Patel', collarNumber: '1234LX' };
const ben: OfficerName = { id: 'o2', rank: 'Sergeant', firstName: 'Ben', lastName: 'Okafor', collarNumber: '2001LX' };
const records: AuditRecords = {
  accounts: new Map([['u1', { id: 'u1', displayName: 'Priya Shah', email: 'ps@test.police.uk' }]]),
  officers: new Map([
    ['o1', asha],
    ['o2', ben],
  ]),
  reports: new Map([
    ['r1', { id: 'r1', incidentReference: 'CAD 1234/28NOV', createdAt: '2026-11-20T10:00:00Z', officer: asha }],
    ['r2', { id: 'r2', incidentReference: null, createdAt: '2026-11-21T10:00:00Z', officer: asha }],
  ]),
  sessions: new Map([['s1', { id: 's1', courseName: 'Initial CED course (X2)', startsOn: '2026-12-01', endsOn: '2026-12-03' }]]),
  releases: new Map([
    ['rel1', { id: 'rel1', number: 3, month: '2026-10', status: 'published' }],
    ['rel2', { id: 'rel2', number: null, month: '2026-11', status: 'draft' }],
  ]),
  tokens: new Map([['t1', { id: 't1', name: 'roster-sync', email: 'admin@test.police.uk' }]]),
  boroughs: new Map([['b1', 'Lambeth']]),
  teams: new Map([['tm1', 'Lambeth Emergency Response A']]),
  courseTypes: new Map([['c1', 'Initial CED course (X2)']]),
  homeOfficeTables: new Map([['h1', '2018-19']]),
  forces: new Map([['f1', 'Test Constabulary']]),
};

const entry = (action: string, entityType: string, entityId: string | null, summary: unknown, over: Partial<AuditEntry> = {}): AuditEntry => ({
  seq: 7,
  id: 'e7',
  occurredAt: '2026-11-21T10:00:00.000Z',
  actorUserId: 'u1',
  actorLabel: 'ps@test.police.uk',
  action,
  entityType,
  entityId,
  summary: typeof summary === 'string' ? summary : JSON.stringify(summary),
  prevHash: '0',
  hash: '1',
  keyed: true,
  ...over,
});
const all = () => true;

/** One example of every action Cedar writes: its summary as the service writes it, and the sentence and details a person reads. */
const CASES: [action: string, entityType: string, entityId: string | null, summary: unknown, what: string, details?: string[]][] = [
  ['force.create', 'force', 'f1', { after: { name: 'Test Constabulary', homeOfficeRegion: 'London' } }, 'Force set up: Test Constabulary', ['Name: Test Constabulary', 'Home Office region: London']],
  [
    'account.create',
    'account',
    'u1',
    { after: { email: 'ps@test.police.uk', displayName: 'Priya Shah', roles: [{ role: 'supervisor', boroughId: 'b1' }], officerId: 'o2' } },
    'Account created for Priya Shah (ps@test.police.uk)',
    ['Email: ps@test.police.uk', 'Name: Priya Shah', 'Roles: Supervisor (sergeant) (Lambeth)', 'Officer: PS Ben Okafor (2001LX)'],
  ],
  [
    'account.update',
    'account',
    'u1',
    {
      before: { email: 'ps@test.police.uk', displayName: 'Priya', roles: [{ role: 'analyst', boroughId: null }], disabled: false },
      after: { email: 'ps@test.police.uk', displayName: 'Priya Shah', roles: [{ role: 'analyst', boroughId: null }], disabled: true },
    },
    'Account updated: name, disabled',
    ['Name: Priya → Priya Shah', 'Disabled: No → Yes'],
  ],
  ['account.password_reset', 'account', 'u1', {}, 'Password reset: a one-time password was issued'],
  ['account.password_change', 'account', 'u1', {}, 'Password changed'],
  ['auth.sign_in', 'account', 'u1', { ip: '10.0.0.7' }, 'Signed in', ['IP address: 10.0.0.7']],
  ['auth.sign_in_failed', 'account', null, { email: 'nobody@test.police.uk', reason: 'unknown email' }, 'Sign-in failed: no account for nobody@test.police.uk'],
  ['auth.sign_in_failed', 'account', 'u1', { failedSignIns: 2, lockedUntil: null, ip: '10.0.0.7' }, 'Sign-in failed: wrong password (2 failed attempts in a row)', ['IP address: 10.0.0.7']],
  [
    'auth.locked',
    'account',
    'u1',
    { failedSignIns: 5, lockedUntil: '2026-11-21T10:15:00.000Z', ip: '10.0.0.7' },
    'Account locked after 5 failed sign-ins, until 21 November 2026 at 10:15',
    ['IP address: 10.0.0.7'],
  ],
  ['auth.sign_out', 'account', 'u1', {}, 'Signed out'],
  ['api_token.create', 'api_token', 't1', { user: 'admin@test.police.uk', name: 'roster-sync' }, 'API token “roster-sync” created for admin@test.police.uk'],
  [
    'api_token.revoke',
    'api_token',
    't1',
    { user: 'admin@test.police.uk', name: 'roster-sync', prefix: 'cedar_AbCdEf' },
    'API token “roster-sync” of admin@test.police.uk revoked',
    ['Prefix: cedar_AbCdEf'],
  ],
  ['demo.seed', 'force', 'f1', { boroughs: 33, teams: 294, officers: 10000, accounts: 8 }, 'Demo force created: 33 boroughs, 294 teams, 10,000 officers and 8 accounts'],
  [
    'demo.training',
    'force',
    'f1',
    { courseTypes: 5, records: 155, sessions: 22, enrolments: 24, restrictions: 3, baselineAuthorised: 26, planStartsOn: '2026-09-01' },
    'Demo training added: 155 training records, 22 sessions, 24 enrolments',
    ['Course types: 5', 'Restrictions: 3', 'Authorised officers at the start: 26', 'Plan starts on: 1 September 2026'],
  ],
  ['demo.devices', 'force', 'f1', { issues: 1200, open: 14, expended: 3, lost: 1 }, 'Demo sign-out history added: 1,200 issues, 14 still out', ['Expended: 3', 'Lost: 1']],
  [
    'uplift.update',
    'uplift_plan',
    'f1',
    {
      before: { targetAuthorised: 6000, deadline: '2028-08-31', assumptions: { initialPassRate: 90 } },
      after: { targetAuthorised: 6167, deadline: '2028-08-31', assumptions: { initialPassRate: 85 } },
    },
    'Uplift plan updated',
    ['Target: authorised officers: 6,000 → 6,167', 'Initial pass rate: 90 → 85'],
  ],
  [
    'officer.create',
    'officer',
    'o1',
    { after: { collarNumber: '1234LX', firstName: 'Asha', lastName: 'Patel', rank: 'Police Constable', boroughId: 'b1', teamId: null, status: 'active', joinedOn: '2015-09-01', leftOn: null } },
    'Officer record created: PC Asha Patel (1234LX)',
    ['Collar number: 1234LX', 'First name: Asha', 'Last name: Patel', 'Rank: Police Constable', 'Borough: Lambeth', 'Status: Serving', 'Joined: 1 September 2015'],
  ],
  ['officer.update', 'officer', 'o2', { changes: { rank: { from: 'Sergeant', to: 'Inspector' } } }, 'Officer record updated: rank Sergeant → Inspector', []],
  [
    'officer.update',
    'officer',
    'o2',
    { changes: { teamId: { from: null, to: 'tm1' }, status: { from: 'active', to: 'left' } }, file: 'roster.csv' },
    'Officer record updated: team — → Lambeth Emergency Response A; status Serving → Left the force',
    ['From the roster file roster.csv'],
  ],
  ['officer.import', 'officer', null, { file: 'roster.csv', created: 3, updated: 2, unchanged: 1200 }, 'Roster roster.csv imported: 3 officers added, 2 updated, 1,200 unchanged'],
  [
    'met.import',
    'imported_report',
    null,
    { file: 'uof-2026.csv', format: 'csv', read: 1500, imported: 1490, alreadyPresent: 6, rejected: 4 },
    'Met-format file uof-2026.csv imported: 1,500 rows read, 1,490 imported, 6 already present, 4 rejected',
    ['Format: csv'],
  ],
  [
    'course_type.create',
    'course_type',
    'c1',
    { after: { code: 'initial-x2', name: 'Initial CED course (X2)', kind: 'initial', qualifiesFor: ['X2'], minHours: 18, days: 3, active: true } },
    'Course type added: Initial CED course (X2)',
    ['Code: initial-x2', 'Name: Initial CED course (X2)', 'Kind: Initial course', 'Qualifies for: X2', 'Minimum hours: 18', 'Days: 3', 'In use: Yes'],
  ],
  [
    'course_type.update',
    'course_type',
    'c1',
    { before: { name: 'Initial CED course (X2)', days: 3 }, after: { name: 'Initial CED course (X2)', days: 4 } },
    'Course type updated: Initial CED course (X2)',
    ['Days: 3 → 4'],
  ],
  [
    'session.create',
    'training_session',
    's1',
    { after: { courseTypeId: 'c1', startsOn: '2026-12-01', endsOn: '2026-12-03', location: 'Training centre', boroughId: null, capacity: 12, trainerIds: ['o2'] } },
    'Training session scheduled: Initial CED course (X2), 1 December 2026 to 3 December 2026',
    ['Course: Initial CED course (X2)', 'Starts: 1 December 2026', 'Ends: 3 December 2026', 'Location: Training centre', 'Places: 12', 'Trainers: PS Ben Okafor (2001LX)'],
  ],
  [
    'session.update',
    'training_session',
    's1',
    { after: { capacity: 14 }, promotedFromWaitingList: ['o1'] },
    'Training session updated',
    ['Places: 14', 'Moved up from the waiting list: PC Asha Patel (1234LX)'],
  ],
  ['session.cancel', 'training_session', 's1', { reason: 'Trainer unwell', enrolmentsCancelled: 9 }, 'Training session cancelled: Trainer unwell', ['Places and waiting list cancelled: 9']],
  ['session.enrol', 'training_session', 's1', { enrolmentId: 'n1', officerId: 'o1' }, 'PC Asha Patel (1234LX) enrolled'],
  ['session.wait', 'training_session', 's1', { enrolmentId: 'n1', officerId: 'o1' }, 'PC Asha Patel (1234LX) put on the waiting list'],
  ['session.unenrol', 'training_session', 's1', { enrolmentId: 'n1', officerId: 'o1', promotedFromWaitingList: [] }, 'PC Asha Patel (1234LX) taken off the session', []],
  [
    'session.results',
    'training_session',
    's1',
    {
      passed: 1,
      failed: 0,
      absent: 1,
      results: [
        { officerId: 'o1', attended: true, result: 'pass', reason: null },
        { officerId: 'o2', attended: false, result: null },
      ],
    },
    'Results recorded: 1 passed, 0 failed or did not finish, 1 did not attend',
    ['PC Asha Patel (1234LX): Pass', 'PS Ben Okafor (2001LX): did not attend'],
  ],
  [
    'session.result_corrected',
    'training_session',
    's1',
    { officerId: 'o1', from: { result: 'fail', reason: 'Did not meet the standard' }, to: { result: 'pass', reason: null }, correctionReason: 'Recorded against the wrong officer' },
    'Result corrected for PC Asha Patel (1234LX): Fail → Pass',
    ['Correction reason: Recorded against the wrong officer'],
  ],
  [
    'training.import',
    'training_record',
    null,
    { source: 'csv', file: 'training.csv', sha256: 'ab', read: 40, inserted: 38, alreadyPresent: 2, officers: 30 },
    'Training records imported from training.csv: 38 records added for 30 officers, 2 already present',
  ],
  [
    'authority.suspend',
    'officer',
    'o1',
    { restrictionId: 'x1', fromOn: '2026-11-20', reason: 'Under investigation' },
    'Authority to carry suspended from 20 November 2026',
    ['Reason: Under investigation'],
  ],
  [
    'authority.reinstate',
    'officer',
    'o1',
    { restrictionId: 'x1', toOn: '2026-12-01', reason: 'Investigation closed' },
    'Authority to carry reinstated from 1 December 2026',
    ['Reason: Investigation closed'],
  ],
  [
    'authority.withdraw',
    'officer',
    'o1',
    { restrictionId: 'x2', fromOn: '2026-11-20', reason: 'Personal reasons' },
    'Withdrew from carrying Taser from 20 November 2026',
    ['Reason: Personal reasons'],
  ],
  [
    'authority.resume',
    'officer',
    'o1',
    { restrictionId: 'x2', toOn: '2026-12-01', reason: 'Ready to carry again' },
    'Returned to carrying Taser from 1 December 2026',
    ['Reason: Ready to carry again'],
  ],
  [
    'home_office.import',
    'home_office_table',
    'h1',
    {
      period: '2018-19',
      file: 'ced-2018-19.csv',
      sha256: 'ab',
      forces: 43,
      regions: 10,
      forceInTable: true,
      outcome: 'replaced',
      replaced: { id: 'h0', file: 'old.csv', sha256: 'cd', loadedAt: '2026-01-01T00:00:00Z' },
    },
    'Home Office table for 2018-19 loaded from ced-2018-19.csv (it replaced old.csv)',
    ['Forces: 43, regions: 10', 'This force is in the table: Yes'],
  ],
  ['report.create', 'report', 'r2', { officerId: 'o1' }, 'Report started for PC Asha Patel (1234LX)'],
  ['report.save_section', 'report', 'r1', { section: 'bwv' }, 'Report section saved: Body-worn video'],
  ['report.submit', 'report', 'r1', { version: 1, highestLevel: 'fired' }, 'Report submitted (version 1)', ['Highest level of Taser use: Fired']],
  [
    'report.amend',
    'report',
    'r1',
    { version: 2, reason: 'Corrected the outcome', changes: { 'outcomes.outcomes': { from: ['arrested'], to: ['detained_mha'] } } },
    'Report amended (version 2)',
    // The field and its answers as the report page words them (src/http/report-view.ts).
    ['Reason: Corrected the outcome', expect.stringMatching(/^Outcome: .+: Arrested → Detained .*Mental Health Act$/) as unknown as string],
  ],
  ['report.amendment_staged', 'report', 'r1', { section: 'outcomes' }, 'Amendment started: Outcome'],
  ['report.amendment_discarded', 'report', 'r1', { sections: ['outcomes', 'injuries'] }, 'Amendment discarded: Outcome, Injuries and medical assistance'],
  ['report.approved', 'report', 'r1', { version: 1, comment: 'Proportionate.', status: 'awaiting_sign_off' }, 'Report approved (version 1)', ['Comment: Proportionate.', 'Now: Awaiting sign-off']],
  [
    'report.returned',
    'report',
    'r1',
    { version: 1, comment: 'Say what warnings you gave.', status: 'returned' },
    'Report returned to the officer (version 1)',
    ['Comment: Say what warnings you gave.', 'Now: Returned to officer'],
  ],
  [
    'report.referred',
    'report',
    'r1',
    { version: 2, comment: 'Prolonged discharge.', status: 'referred' },
    'Report referred to professional standards (version 2)',
    ['Comment: Prolonged discharge.', 'Now: Referred to professional standards'],
  ],
  ['report.sign_off', 'report', 'r1', { version: 1, comment: null }, 'Report signed off (version 1)', []],
  [
    'release.prepare',
    'release',
    'rel2',
    { month: '2026-11', uses: 1344, rows: 1350, replacedDraft: true },
    'Draft release prepared: figures to November 2026',
    ['Uses: 1,344', 'Rows in the download: 1,350', 'It replaced the previous draft'],
  ],
  [
    'release.publish',
    'release',
    'rel1',
    { number: 3, month: '2026-10', uses: 1181, revisions: ['September 2026: +9 late reports'] },
    'Release 3 published: figures to October 2026',
    ['Uses: 1,181', 'Revision: September 2026: +9 late reports'],
  ],
  ['release.discard', 'release', 'gone', {}, 'Draft release discarded'],
  [
    'release.supersede',
    'release',
    'rel2',
    { supersedes: 3, reason: 'A use in May was left out', month: '2026-10', uses: 1182, rows: 1190, replacedDraft: false },
    'Correction of release 3 prepared: figures to October 2026',
    ['Reason: A use in May was left out', 'Uses: 1,182'],
  ],
  [
    'report.referral_outcome',
    'report',
    'r1',
    { version: 2, outcome: 'iopc_referral', iopcReference: '2026/012345', reason: 'Discharge on a 16-year-old.', status: 'referral_concluded' },
    'Referral outcome recorded (version 2): Referred to the IOPC',
    ['IOPC reference: 2026/012345', 'Reason: Discharge on a 16-year-old.', 'Now: Referral concluded'],
  ],
  [
    'report.discard',
    'report',
    'r1',
    { incidentReference: 'CAD 1234/28NOV', sections: ['incident', 'outcomes'] },
    'Draft discarded (never submitted)',
    ['Incident: CAD 1234/28NOV', 'Sections answered: Incident details, Outcome'],
  ],
  ['audit.keyed', 'audit_log', null, { keyedFrom: 238, unkeyedEntries: 237 }, 'Audit log keyed from entry 238', ['Entries before the key: 237']],
  [
    'team.create',
    'team',
    'tm1',
    { after: { name: 'Lambeth Emergency Response A', teamType: 'emergency_response', boroughId: 'b1' } },
    'Team added: Lambeth Emergency Response A',
    ['Name: Lambeth Emergency Response A', 'Type: Emergency response', 'Borough: Lambeth'],
  ],
  ['team.update', 'team', 'tm1', { changes: { name: { from: 'Lambeth ER A', to: 'Lambeth Emergency Response A' } } }, 'Team updated: name Lambeth ER A → Lambeth Emergency Response A'],
  ['borough.create', 'borough', 'b1', { after: { name: 'Lambeth', code: 'LX' } }, 'Borough added: Lambeth (LX)'],
  [
    'device_model.create',
    'device_model',
    'm1',
    { after: { name: 'X2', bays: 2, cartridgeTypes: ['Smart 15 ft', 'Smart 25 ft'], authorisedBy: 'X2', stopsIssuingOn: null } },
    'Device model added: X2',
    ['Name: X2', 'Bays: 2', 'Cartridge types: Smart 15 ft, Smart 25 ft', 'Authorised by: X2'],
  ],
  [
    'device_model.update',
    'device_model',
    'm1',
    {
      before: { name: 'X26', bays: 1, cartridgeTypes: ['X26 25 ft'], authorisedBy: 'X26', stopsIssuingOn: null },
      after: { name: 'X26', bays: 1, cartridgeTypes: ['X26 25 ft'], authorisedBy: 'X26', stopsIssuingOn: '2027-06-30' },
    },
    'Device model changed: X26 (stops issuing on)',
    ['Stops issuing on: — → 30 June 2027'],
  ],
  [
    'device.register',
    'device',
    'd1',
    { after: { serial: 'X29000123', model: 'X2', armoury: 'Lambeth armoury' } },
    'Device X29000123 registered (X2)',
    ['Serial: X29000123', 'Model: X2', 'Armoury: Lambeth armoury'],
  ],
  ['device.issue', 'device_issue', 'i1', { device: 'X29000123', officer: '1234LX', cartridges: ['C1', 'C2'] }, 'Device X29000123 issued to officer 1234LX', ['Cartridges: C1, C2']],
  [
    'device.return',
    'device_issue',
    'i1',
    { device: 'X29000123', officer: '1234LX', cartridges: ['C1 expended', 'C2 back in store'] },
    'Device X29000123 returned by officer 1234LX',
    ['Cartridges: C1 expended, C2 back in store'],
  ],
  [
    'device.send_for_repair',
    'device',
    'd1',
    { serial: 'X29000123', before: { state: 'in_store' }, after: { state: 'in_repair', note: 'Trigger sticks' } },
    'Device X29000123 sent for repair: Trigger sticks',
  ],
  ['device.repaired', 'device', 'd1', { serial: 'X29000123', before: { state: 'in_repair' }, after: { state: 'in_store', note: null } }, 'Device X29000123 back from repair'],
  [
    'device.quarantine',
    'device',
    'd1',
    { serial: 'X29000123', before: { state: 'in_store' }, after: { state: 'quarantined', note: 'Held as evidence' } },
    'Device X29000123 quarantined: Held as evidence',
  ],
  [
    'device.release',
    'device',
    'd1',
    { serial: 'X29000123', before: { state: 'quarantined' }, after: { state: 'in_store', note: 'Case closed' } },
    'Device X29000123 released from quarantine: Case closed',
  ],
  [
    'device.withdraw',
    'device',
    'd1',
    { serial: 'X29000123', before: { state: 'in_store' }, after: { state: 'withdrawn', note: 'Lost on patrol', withdrawalReason: 'lost' } },
    'Device X29000123 withdrawn (lost): Lost on patrol',
  ],
  [
    'device.import',
    'force',
    'f1',
    { file: 'fleet.csv', read: 3, imported: 2, updated: 1, alreadyPresent: 0 },
    'Fleet register fleet.csv imported: 3 rows read, 2 imported, 1 updated, 0 already present',
  ],
  ['cartridge.import', 'force', 'f1', { file: 'c.csv', read: 2, imported: 2, updated: 0, alreadyPresent: 0 }, 'Cartridges c.csv imported: 2 rows read, 2 imported, 0 updated, 0 already present'],
  ['device_issue.import', 'force', 'f1', { file: 'sign-outs.csv', read: 4, imported: 3, alreadyPresent: 1 }, 'Sign-out history sign-outs.csv imported: 4 rows read, 3 imported, 1 already present'],
  [
    'device_log.import',
    'force',
    'f1',
    { file: 'dock.csv', source: 'upload', read: 1200, added: 1000, alreadyPresent: 200, devices: 3, unknownSerials: 1 },
    'Device event log dock.csv imported (upload): 1,200 rows read, 1,000 added, 200 already present, 3 devices, 1 serial not in the register',
  ],
  ['cartridge.receive', 'force', 'f1', { count: 2, serials: ['C1', 'C2'] }, '2 cartridges received', ['Serials: C1, C2']],
  [
    'cartridge.link_report',
    'cartridge',
    'c9',
    { serial: 'CL0001', reportId: 'r1', incidentReference: 'CAD 1234/28NOV', before: { reportId: null }, after: { reportId: 'r1' } },
    'Cartridge CL0001 linked to the report of its discharge (incident CAD 1234/28NOV)',
  ],
  [
    'device_policy.update',
    'force',
    'f1',
    { before: { spareCartridges: 1, overridable: ['wrong_armoury'] }, after: { spareCartridges: 2, overridable: ['wrong_armoury', 'cartridge_expired'] } },
    'Sign-out gate policy updated',
    ['Spare cartridges: 1 → 2', 'Reasons an inspector may override: Device from another armoury → Device from another armoury; Cartridge past its expiry date'],
  ],
  [
    'device_quarantine.propose',
    'device_quarantine_proposal',
    'q1',
    { report: 'r1', serial: 'X29000123', device: 'd1', reason: 'Taser fired; a serious injury was recorded' },
    'Quarantine of device X29000123 proposed after a report',
    ['Reason: Taser fired; a serious injury was recorded'],
  ],
  [
    'device_quarantine.decide',
    'device_quarantine_proposal',
    'q1',
    { report: 'r1', serial: 'X29000123', decision: 'quarantined', note: 'Held for the IOPC' },
    'Device X29000123 to be quarantined: proposal accepted',
    ['Note: Held for the IOPC'],
  ],
  [
    'device_quarantine.decide',
    'device_quarantine_proposal',
    'q1',
    { report: 'r1', serial: 'X29000123', decision: 'declined', note: 'The device was downloaded and returned' },
    'Quarantine of device X29000123 declined',
    ['Reason: The device was downloaded and returned'],
  ],
  [
    'reconciliation.run',
    'reconciliation_run',
    'run1',
    {
      from: '2026-11-01',
      to: '2026-11-30',
      devices: 3,
      eventsRead: 12000,
      functionTests: 40,
      episodes: 5,
      reportsMatched: 4,
      exceptionsByKind: { discharge_without_report: 1, arc_without_report: 0, clock_reset: 2 },
      opened: 2,
      reopened: 1,
      cleared: 0,
      reopenedExceptions: [{ id: 'e1', key: 'k', outcome: 'log_fault', reason: 'Battery fault' }],
    },
    'Device logs reconciled with reports for 1 November 2026 to 30 November 2026: 3 exceptions found',
    [
      '12,000 log events read from 3 devices; 40 function tests; 5 episodes; 4 reports confirmed',
      'Discharge without a report: 1',
      'Clock reset: 2',
      'New: 2; reopened: 1; cleared: 0',
      'Reopened on new evidence, was resolved as a fault in the device or its log: Battery fault',
    ],
  ],
  [
    'reconciliation_exception.resolve',
    'reconciliation_exception',
    'e1',
    { kind: 'discharge_without_report', serial: 'X29000123', outcome: 'accidental_discharge_recorded', reason: 'Accidental discharge in the armoury, recorded' },
    'Discharge without a report on device X29000123 resolved: accidental discharge, now recorded',
    ['Reason: Accidental discharge in the armoury, recorded'],
  ],
  [
    'shift.import',
    'shift',
    null,
    { source: 'cli', file: 'shifts.csv', sha256: 'ab', read: 5, inserted: 3, replaced: 1, removed: 1, unchanged: 1, officers: 2 },
    'Shifts imported from shifts.csv: 3 shifts added, 1 replaced, 1 taken away, 1 unchanged, for 2 officers',
  ],
  [
    'shift.import',
    'shift',
    null,
    { source: 'api', file: 'request', read: 1, inserted: 1, replaced: 0, removed: 0, unchanged: 0, officers: 1 },
    'Shifts imported from the API: 1 shift added, 0 replaced, 0 taken away, 0 unchanged, for 1 officer',
  ],
  [
    'shift.replace',
    'shift',
    'sh1',
    {
      collarNumber: '1234LX',
      startsAt: '2026-10-24T21:00:00.000Z',
      changed: ['endsAt', 'boroughId', 'callSign'],
      before: { endsAt: '2026-10-25T06:00:00.000Z', boroughId: 'b1', teamId: null, callSign: 'LX21' },
      after: { endsAt: '2026-10-25T07:00:00.000Z', boroughId: 'b1', teamId: null, callSign: 'LX22' },
      file: 'shifts.csv',
      line: 4,
    },
    'Shift of officer 1234LX starting 24 October 2026 at 22:00 replaced by the roster',
    ['Ends: 25 October 2026 at 06:00 → 25 October 2026 at 07:00', 'Borough: Lambeth → Lambeth', 'Call sign: LX21 → LX22', 'From shifts.csv, line 4'],
  ],
  [
    'shift.remove',
    'shift',
    'sh2',
    { collarNumber: '1234LX', startsAt: '2026-10-24T21:00:00.000Z', before: { endsAt: '2026-10-25T06:00:00.000Z', boroughId: 'b1', teamId: null, callSign: null }, file: 'shifts.csv', line: 7 },
    'Shift of officer 1234LX starting 24 October 2026 at 22:00 taken away: the roster moved it',
    ['Ended: 25 October 2026 at 06:00', 'Borough: Lambeth', 'Overlapped by the shift on line 7 of shifts.csv'],
  ],
  [
    'crewing_policy.update',
    'crewing_policy',
    null,
    {
      scope: 'force',
      borough: null,
      before: { carriersPerCrew: 1, soloRanks: ['Sergeant'], minimumCrews: 2, briefingBeforeMinutes: 30, briefingAfterMinutes: 60 },
      after: { carriersPerCrew: 2, soloRanks: ['Sergeant'], minimumCrews: 3, briefingBeforeMinutes: 30, briefingAfterMinutes: 60 },
    },
    'Crewing policy for the force changed',
    ['Officers of a crew who carry: 1 → 2', 'Minimum Taser-equipped crews: 2 → 3'],
  ],
  [
    'crewing_policy.update',
    'crewing_policy',
    'b1',
    { scope: 'borough', borough: 'Lambeth', before: null, after: { carriersPerCrew: 1, soloRanks: ['Sergeant', 'Inspector'], minimumCrews: 4, briefingBeforeMinutes: 30, briefingAfterMinutes: 60 } },
    'Crewing policy for Lambeth set',
  ],
  [
    'crewing_policy.remove',
    'crewing_policy',
    'b1',
    { scope: 'borough', borough: 'Lambeth', before: { carriersPerCrew: 1, soloRanks: [], minimumCrews: 4, briefingBeforeMinutes: 30, briefingAfterMinutes: 60 } },
    "Crewing policy for Lambeth removed: the force's policy applies there again",
  ],
  [
    'crews.save',
    'crew',
    'b1',
    {
      borough: 'Lambeth',
      team: 'Lambeth Emergency Response A',
      startsAt: '2027-04-01T06:00:00.000Z',
      before: 2,
      taserCrews: 1,
      crews: [
        {
          callSign: 'LX21',
          members: [
            { collarNumber: '501LX', role: 'carrier', device: 'X2L0001' },
            { collarNumber: '502LX', role: 'partner', device: null },
          ],
        },
        { callSign: 'LX22', members: [{ collarNumber: '800LX', role: 'solo', device: null }] },
      ],
    },
    'Crews for Lambeth, Lambeth Emergency Response A, shift starting 1 April 2027 at 07:00: 2 crews, 1 with a Taser',
    ['LX21: 501LX (carrier with X2L0001), 502LX (partner)', 'LX22: 800LX (solo)', 'Replaced 2 crews saved before'],
  ],
];

describe('the audit log in words: a sentence for each action', () => {
  it.each(CASES)('%s', (action, entityType, entityId, summary, what, details) => {
    const view = describeAuditEntry(entry(action, entityType, entityId, summary), records, all);
    expect(view.what).toBe(what);
    if (details) expect(view.details).toEqual(details);
    // Nothing a person reads is a code or an id the records know.
    for (const text of [view.what, ...view.details, view.record?.text ?? '']) {
      expect(text).not.toContain(action);
      for (const id of ['o1', 'o2', 'b1', 'tm1', 'c1', 'u1', 's1', 'r1', 'r2']) expect(text.split(/[\s(),:]+/)).not.toContain(id);
    }
  });

  it('has an example for every action it describes', () => {
    expect(new Set(CASES.map((c) => c[0]))).toEqual(new Set(DESCRIBED_ACTIONS));
  });

  it('has words for every action code the services write (grep `action:` in src/services)', () => {
    const dir = fileURLToPath(new URL('../../src/services/', import.meta.url));
    const written = new Set<string>();
    const templates: string[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const line of source.split('\n')) {
        // `action: 'x.y'`, `action: cond ? 'x.y' : 'x.z'`, and the restriction words' `start: 'x.y'`, `end: 'x.y'`.
        if (/\baction:|\b(start|end): '/.test(line)) for (const m of line.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) written.add(m[1]!);
        for (const m of line.matchAll(/\baction: `([^`]*)`/g)) templates.push(m[1]!);
      }
    }
    // The codes written from templates: `report.${kind}` after a review.
    const TEMPLATES: Record<string, string[]> = {
      'report.${kind}': ['report.approved', 'report.returned', 'report.referred'],
      'device.${input.move}': ['device.send_for_repair', 'device.repaired', 'device.quarantine', 'device.release', 'device.withdraw'],
    };
    expect(
      templates.filter((x) => !TEMPLATES[x]),
      'an action code built from a template: list what it expands to in TEMPLATES',
    ).toEqual([]);
    for (const x of templates) for (const code of TEMPLATES[x]!) written.add(code);
    expect(written.size).toBeGreaterThan(40);
    expect([...written].filter((code) => !DESCRIBED_ACTIONS.includes(code)).sort(), 'action codes with no sentence in src/http/audit-summary.ts').toEqual([]);
  });

  it('spells out an action it has no words for, and shows its summary', () => {
    expect(auditActionLabel('report.archive')).toBe('Report: archive');
    const view = describeAuditEntry(entry('report.archive', 'report', 'r2', { reason: 'Started by mistake' }), records, all);
    expect(view.what).toBe('Report: archive');
    expect(view.details).toEqual(['Reason: Started by mistake']);
  });
});

describe('who acted, and on which record', () => {
  it.each([
    [
      { actorUserId: 'u1', actorLabel: 'ps@test.police.uk' },
      { name: 'Priya Shah', email: 'ps@test.police.uk' },
    ],
    [
      { actorUserId: null, actorLabel: 'system' },
      { name: 'Cedar (automatic)', email: null },
    ],
    [
      { actorUserId: null, actorLabel: 'cli:deploy' },
      { name: 'Command line (deploy)', email: null },
    ],
    [
      { actorUserId: null, actorLabel: 'anonymous@10.0.0.7' },
      { name: 'Not signed in (10.0.0.7)', email: null },
    ],
  ])('%j', (actor, who) => {
    expect(describeAuditEntry(entry('auth.sign_out', 'account', 'u1', {}, actor), records, all).who).toEqual(who);
  });

  const only =
    (...ps: Permission[]) =>
    (p: Permission) =>
      ps.includes(p);
  it.each([
    ['officer', 'o1', 'read:officer', 'PC Asha Patel (1234LX)', '/officers/o1'],
    ['report', 'r1', 'read:report', 'Incident CAD 1234/28NOV: PC Asha Patel (1234LX)', '/reports/r1'],
    ['report', 'r2', 'read:report', 'Report by PC Asha Patel (1234LX), started 21 November 2026', '/reports/r2'],
    ['account', 'u1', 'manage:account', 'Priya Shah (ps@test.police.uk)', '/admin/accounts/u1'],
    ['training_session', 's1', 'read:training', 'Initial CED course (X2), 1 December 2026 to 3 December 2026', '/training/sessions/s1'],
    ['course_type', 'c1', 'read:training', 'Initial CED course (X2)', '/training/courses'],
    ['team', 'tm1', 'read:team', 'Lambeth Emergency Response A', '/teams/tm1'],
    ['release', 'rel2', 'read:release', 'Draft release: figures to November 2026', '/statistics/releases/rel2'],
    ['uplift_plan', 'f1', 'read:uplift', 'The uplift plan', '/uplift'],
  ] as const)('%s: named, and linked only for a reader with %s', (type, id, permission, text, href) => {
    const e = entry('x.y', type, id, {});
    expect(describeAuditEntry(e, records, only(permission)).record).toEqual({ text, href, entriesHref: `/audit?entityType=${type}&entityId=${id}` });
    expect(describeAuditEntry(e, records, only()).record?.href).toBeNull();
  });

  it('links a published release to its public page, for anyone', () => {
    expect(describeAuditEntry(entry('release.publish', 'release', 'rel1', {}), records, only()).record).toMatchObject({ text: 'Release 3: figures to October 2026', href: '/transparency/releases/3' });
  });

  it('says when a record is no longer held, and names a record type without an id', () => {
    expect(describeAuditEntry(entry('release.discard', 'release', 'gone', {}), records, all).record).toMatchObject({ text: 'Release (no longer held)', href: null });
    expect(describeAuditEntry(entry('officer.import', 'officer', null, {}), records, all).record).toEqual({ text: 'Officer', href: null, entriesHref: null });
  });
});
