import { describe, expect, it } from 'vitest';
import { MET_COLUMNS, type MetColumn } from '../../../src/domain/met/layout.js';
import { cedarContentToImported, metRowToReport, reportToMetRow, type ImportedReport, type MetRowResult } from '../../../src/domain/met/rows.js';
import type { RowError } from '../../../src/domain/csv.js';
import { levelOf, readContent } from '../../../src/domain/report/content.js';
import type { HighestLevel } from '../../../src/domain/report/levels.js';
import { firedReport } from '../../support/report-fixtures.js';

type Row = Partial<Record<MetColumn, string>>;

/** A row with only a date: everything else not recorded. */
const bare: Row = { IncidentDate: '2019-04-08' };

/** A full row with no Taser: every Yes/No group answered. */
const plain: Row = {
  IncidentDate: '2019-04-08',
  IncidentTime: '03:41:00',
  'Incident Location: Street/Highway': 'Yes',
  Borough: 'Lambeth',
  PrimaryConduct: 'Active resistance',
  AssaultedBySubject: 'No',
  'Impact Factor: Possesion of a weapon': 'Yes',
  'Reason for Force: Protect self': 'Yes',
  MainDuty: 'Response',
  SingleCrewed: 'No',
  TrainedCED: 'Yes',
  CarryingCED: 'Yes',
  'Tactic 1': 'Tactical Communications',
  'Effective 1': 'No',
  'Tactic 2': 'Compliant Handcuffing',
  'Effective 2': 'Yes',
  'CED Used': 'No',
  'Firearms Aimed': 'No',
  'Firearms Fired': 'No',
  SubjectAge: '18-34',
  SubjectGender: 'Male',
  SubjectEthnicity: 'White',
  PhysicalDisability: 'No',
  MentalDisability: 'No',
  StaffInjured: 'No',
  SubjectInjured: 'No',
  'Outcome: Arrested': 'Yes',
};
// The rest of each Yes/No group is No, as the Met publishes it.
for (const c of MET_COLUMNS) {
  if (/^(Incident Location|Impact Factor|Reason for Force|Outcome):/.test(c)) plain[c] ??= 'No';
}

const ok = (r: MetRowResult): ImportedReport => {
  if (!r.ok) throw new Error(`Expected the row to be read: ${JSON.stringify(r.errors)}`);
  return r.report;
};
const read = (over: Row, base: Row = plain) => metRowToReport({ ...base, ...over }, 7);
const errorsOf = (over: Row, base: Row = plain): RowError[] => {
  const r = read(over, base);
  if (r.ok) throw new Error('Expected the row to be rejected');
  return r.errors;
};
const roundTrip = (row: Row) => reportToMetRow(ok(metRowToReport(row, 2)).content);
const asRow = (values: string[]): Row => Object.fromEntries(MET_COLUMNS.map((c, i) => [c, values[i]!]));

describe('reading a value', () => {
  it.each<{ name: string; over: Row; pick: (r: ImportedReport) => unknown; expected: unknown }>([
    { name: 'Yes', over: { SingleCrewed: 'Yes' }, pick: (r) => r.content.duty.singleCrewed, expected: true },
    { name: 'No', over: { SingleCrewed: 'No' }, pick: (r) => r.content.duty.singleCrewed, expected: false },
    { name: 'blank (not recorded)', over: { SingleCrewed: '' }, pick: (r) => r.content.duty.singleCrewed, expected: null },
    { name: 'spaces only (not recorded)', over: { SingleCrewed: '   ' }, pick: (r) => r.content.duty.singleCrewed, expected: null },
    { name: 'yes in another case', over: { SingleCrewed: ' yES ' }, pick: (r) => r.content.duty.singleCrewed, expected: true },
    { name: 'a date as YYYY-MM-DD', over: { IncidentDate: '2020-02-29' }, pick: (r) => r.content.incident.date, expected: '2020-02-29' },
    { name: 'a date as DD/MM/YYYY', over: { IncidentDate: '29/02/2020' }, pick: (r) => r.content.incident.date, expected: '2020-02-29' },
    { name: 'a date as D/M/YYYY', over: { IncidentDate: '1/4/2019' }, pick: (r) => r.content.incident.date, expected: '2019-04-01' },
    { name: 'a time as HH:MM', over: { IncidentTime: '22:15' }, pick: (r) => r.content.incident.time, expected: '22:15' },
    { name: 'a time as HH:MM:SS', over: { IncidentTime: '22:15:00' }, pick: (r) => r.content.incident.time, expected: '22:15' },
    { name: 'a time with a one-digit hour', over: { IncidentTime: '7:05' }, pick: (r) => r.content.incident.time, expected: '07:05' },
    { name: 'midnight', over: { IncidentTime: '00:00:00' }, pick: (r) => r.content.incident.time, expected: '00:00' },
    { name: 'no time', over: { IncidentTime: '' }, pick: (r) => r.content.incident.time, expected: null },
    { name: 'City of Westminster', over: { Borough: 'City of Westminster' }, pick: (r) => r.content.incident.borough, expected: 'Westminster' },
    { name: 'a borough as published', over: { Borough: 'Out of force' }, pick: (r) => r.content.incident.borough, expected: 'Out of force' },
    { name: 'a main duty in the Met words', over: { MainDuty: 'Dog handler duty' }, pick: (r) => r.content.duty.mainDuty, expected: 'dog_handler' },
    { name: 'a list word in another case and spacing', over: { PrimaryConduct: 'serious  OR aggravated resistance' }, pick: (r) => r.content.reasons.primaryConduct, expected: 'serious' },
    { name: 'a list word with an en dash', over: { 'Tactic 1': 'Irritant Spray – PAVA Used' }, pick: (r) => r.content.tactics.tactics[0], expected: { tactic: 'pava_used', effective: false } },
    { name: 'the age band 65 and over', over: { SubjectAge: '65 and over' }, pick: (r) => r.content.subject.ageBand, expected: '65+' },
    { name: 'an ethnicity', over: { SubjectEthnicity: 'Black (or Black British)' }, pick: (r) => r.content.subject.ethnicity, expected: 'black' },
    { name: 'free text kept as written', over: { SubjectNatureOfInjury: 'Zoë: graze, café floor' }, pick: (r) => r.content.injuries.subjectInjuryNature, expected: 'Zoë: graze, café floor' },
    { name: 'a staff injury level', over: { StaffInjured: 'Yes', StaffInjuryLevel: 'Minor' }, pick: (r) => r.content.injuries.staffInjuryLevel, expected: 'minor' },
    { name: 'the misspelt weapon column', over: {}, pick: (r) => r.content.reasons.impactFactors, expected: ['weapon'] },
    {
      name: 'Tactic Effective 20',
      over: { 'Tactic 20': 'Spit Guard', 'Tactic Effective 20': 'Yes' },
      pick: (r) => r.content.tactics.tactics.at(-1),
      expected: { tactic: 'spit_guard', effective: true },
    },
    { name: 'a tactic with no answer for Effective', over: { 'Effective 2': '' }, pick: (r) => r.content.tactics.tactics[1], expected: { tactic: 'compliant_handcuffing', effective: null } },
  ])('reads $name', ({ over, pick, expected }) => {
    expect(pick(ok(read(over)))).toEqual(expected);
  });

  it.each<{ name: string; over: Row; column: MetColumn; message: string | RegExp }>([
    { name: 'a Yes/No that is neither', over: { SingleCrewed: 'Y' }, column: 'SingleCrewed', message: '"Y" is not Yes or No: write Yes or No, or leave it blank if it was not recorded' },
    { name: 'a Yes/No in a group', over: { 'Outcome: Arrested': 'TRUE' }, column: 'Outcome: Arrested', message: /"TRUE" is not Yes or No/ },
    { name: 'a date in another form', over: { IncidentDate: '2019/04/08' }, column: 'IncidentDate', message: /"2019\/04\/08" is not a date: write it as YYYY-MM-DD or DD\/MM\/YYYY/ },
    { name: 'a date with the month first', over: { IncidentDate: '04/13/2019' }, column: 'IncidentDate', message: /"04\/13\/2019" is not a date/ },
    { name: 'a date that does not exist', over: { IncidentDate: '2019-02-29' }, column: 'IncidentDate', message: /"2019-02-29" is not a date/ },
    { name: 'a DD/MM/YYYY date that does not exist', over: { IncidentDate: '31/04/2019' }, column: 'IncidentDate', message: /"31\/04\/2019" is not a date/ },
    { name: 'no date', over: { IncidentDate: '' }, column: 'IncidentDate', message: /The date of the incident is blank: every row needs one/ },
    { name: 'a time past midnight', over: { IncidentTime: '24:00' }, column: 'IncidentTime', message: /"24:00" is not a time of day: write it as HH:MM or HH:MM:SS/ },
    { name: 'a time with seconds past 59', over: { IncidentTime: '12:00:60' }, column: 'IncidentTime', message: /is not a time of day/ },
    { name: 'a time written with a dot', over: { IncidentTime: '12.30' }, column: 'IncidentTime', message: /is not a time of day/ },
    { name: 'a main duty not in the list', over: { MainDuty: 'Traffic' }, column: 'MainDuty', message: /"Traffic" is not a main duty in the Met's list: use one of "Response", "Neighbourhood"/ },
    { name: 'a tactic not in the list', over: { 'Tactic 3': 'Taser' }, column: 'Tactic 3', message: /"Taser" is not a tactic in the Met's list/ },
    { name: 'an age band not in the list', over: { SubjectAge: '18-24' }, column: 'SubjectAge', message: /"18-24" is not an age band/ },
    {
      name: 'an answer for Effective with no tactic',
      over: { 'Effective 5': 'Yes' },
      column: 'Effective 5',
      message: 'There is an answer in "Effective 5" but no tactic in "Tactic 5": add the tactic, or clear the answer',
    },
    {
      name: 'a number of cycles in words',
      over: { 'CED Used': 'Yes', 'CED Fired': 'Yes', 'CED Fired Total Number Of Cycles': 'two' },
      column: 'CED Fired Total Number Of Cycles',
      message: /"two" is not a number of cycles: write a whole number/,
    },
    {
      name: 'a fractional number of cycles',
      over: { 'CED Used': 'Yes', 'CED2 Fired Total Number Of Cycles': '1.5' },
      column: 'CED2 Fired Total Number Of Cycles',
      message: /"1.5" is not a number of cycles/,
    },
    { name: 'a body-map cell that is neither Yes nor No', over: { 'CED3 Back J': 'X' }, column: 'CED3 Back J', message: /"X" is not Yes or No/ },
  ])('rejects $name, naming the line and column', ({ over, column, message }) => {
    expect(errorsOf(over)).toEqual([{ line: 7, column, message: typeof message === 'string' ? message : expect.stringMatching(message) }]);
  });

  it('reports every problem in a row, in the order of the columns', () => {
    const errors = errorsOf({ SubjectAge: 'old', IncidentTime: 'noon', SingleCrewed: 'maybe', IncidentDate: 'yesterday', 'CED2 ArCED2': 'Si' });
    expect(errors.map((e) => e.column)).toEqual(['IncidentDate', 'IncidentTime', 'SingleCrewed', 'CED2 ArCED2', 'SubjectAge']);
    expect(errors.every((e) => e.line === 7)).toBe(true);
  });

  it('reads a row with nothing but a date: every answer not recorded, not an error', () => {
    const { content, highestLevel } = ok(metRowToReport(bare, 2));
    expect(highestLevel).toBeNull();
    expect(content.incident).toEqual({ reference: null, date: '2019-04-08', time: null, borough: null, locations: [], locationsNotRecorded: expect.arrayContaining(['street', 'other']) });
    expect(content.incident.locationsNotRecorded).toHaveLength(15);
    expect(content.duty).toEqual({ mainDuty: null, singleCrewed: null, cedTrained: null, carryingCed: null });
    expect(content.reasons.impactFactorsNotRecorded).toHaveLength(9);
    expect(content.tactics).toEqual({ tactics: [], cedUsed: null, firearmsAimed: null, firearmsFired: null });
    expect(content.ced).toBeNull();
    expect(content.injuries.subjectInjuryLevel).toBeNull();
    expect(content.outcomes).toEqual({ outcomes: [], outcomesNotRecorded: ['made_off', 'arrested', 'hospitalised', 'detained_mha', 'fatality', 'other'] });
    expect(content).not.toHaveProperty('justification');
    expect(content).not.toHaveProperty('bwv');
    expect(content).not.toHaveProperty('postUse');
  });

  it('reads a fired application with its details and body map', () => {
    const { content } = ok(
      read({
        'CED Used': 'Yes',
        'CED Device Serial No': 'X264892695',
        'CED Drawn': 'Yes',
        'CED Aimed': 'No',
        'CED Fired': 'Yes',
        'CED Fired Cartridge Number': '1',
        'CED Fired Total Number Of Cycles': '3',
        'CED Fired 5 Secs Cycle Interrupted': 'No',
        'CED Fired Miss With One Probe': 'Yes',
        'CED Front 15': 'Yes',
        'CED Back J': 'No',
        'CED2 Drive Stun Repeat Application': 'Yes',
      }),
    );
    expect(content.ced).toEqual({
      deviceSerial: 'X264892695',
      applications: [
        {
          levels: ['drawn', 'fired'],
          levelsNotRecorded: ['red_dotted', 'arced', 'drive_stun', 'drive_stun_repeat', 'angle_drive_stun'],
          fired: {
            cartridgeNumber: '1',
            totalCycles: 3,
            cycleInterrupted: false,
            cycleExtended: null,
            repeatCycleSameCartridge: null,
            missOneProbe: true,
            missBothProbes: null,
            probeLocations: ['F15'],
          },
        },
        { levels: ['drive_stun_repeat'], levelsNotRecorded: ['drawn', 'aimed', 'red_dotted', 'arced', 'drive_stun', 'angle_drive_stun', 'fired'], fired: null },
      ],
    });
  });
});

describe('the highest level of use (the published counting rule)', () => {
  const yes = (...columns: MetColumn[]): Row => Object.fromEntries(columns.map((c) => [c, 'Yes']));
  it.each<{ name: string; row: Row; level: HighestLevel | null }>([
    { name: 'no Taser at all', row: { 'CED Used': 'No' }, level: null },
    { name: 'nothing recorded about a Taser', row: {}, level: null },
    { name: 'CED Used = Yes and no level anywhere', row: { 'CED Used': 'Yes' }, level: 'not_stated' },
    { name: 'CED Used = Yes, every level answered No', row: { 'CED Used': 'Yes', 'CED Drawn': 'No', 'CED Aimed': 'No', 'CED Fired': 'No' }, level: 'not_stated' },
    { name: 'CED Used = Yes and a serial only', row: { 'CED Used': 'Yes', 'CED Device Serial No': 'X1' }, level: 'not_stated' },
    { name: 'drawn', row: { 'CED Used': 'Yes', ...yes('CED Drawn') }, level: 'drawn' },
    { name: 'aimed', row: { 'CED Used': 'Yes', ...yes('CED Aimed') }, level: 'aimed' },
    { name: 'red-dotted', row: { 'CED Used': 'Yes', ...yes('CED Red-Dotted') }, level: 'red_dotted' },
    { name: 'arced (CED Arced)', row: { 'CED Used': 'Yes', ...yes('CED Arced') }, level: 'arced' },
    { name: 'arced in a later block (CED2 ArCED2)', row: { 'CED Used': 'Yes', ...yes('CED2 ArCED2') }, level: 'arced' },
    { name: 'drive stun', row: { 'CED Used': 'Yes', ...yes('CED Drive Stun') }, level: 'drive_stun' },
    { name: 'a repeat drive stun counts as a drive stun', row: { 'CED Used': 'Yes', ...yes('CED Drive Stun Repeat Application') }, level: 'drive_stun' },
    { name: 'angle drive stun', row: { 'CED Used': 'Yes', ...yes('CED Angle Drive Stun') }, level: 'angle_drive_stun' },
    { name: 'fired', row: { 'CED Used': 'Yes', ...yes('CED Fired') }, level: 'fired' },
    {
      name: 'every level in one block: angle drive stun ranks first',
      row: { 'CED Used': 'Yes', ...yes('CED Drawn', 'CED Aimed', 'CED Red-Dotted', 'CED Arced', 'CED Drive Stun', 'CED Fired', 'CED Angle Drive Stun') },
      level: 'angle_drive_stun',
    },
    { name: 'fired ranks above drive stun, across blocks', row: { 'CED Used': 'Yes', ...yes('CED Drive Stun', 'CED3 Fired') }, level: 'fired' },
    { name: 'the highest of four applications', row: { 'CED Used': 'Yes', ...yes('CED Drawn', 'CED2 Aimed', 'CED3 Red-Dotted', 'CED4 ArCED4') }, level: 'arced' },
    { name: 'a later application lower than the first', row: { 'CED Used': 'Yes', ...yes('CED Fired', 'CED2 Drawn') }, level: 'fired' },
    { name: 'a level only in a tactic column', row: { 'CED Used': 'Yes', 'Tactic 3': 'CED (Taser) Aimed' }, level: 'aimed' },
    { name: 'a level only in a tactic column, CED Used blank', row: { 'Tactic 3': 'CED (Taser) Red-Dotted' }, level: 'red_dotted' },
    { name: 'a level only in a tactic column, CED Used = No (as published)', row: { 'CED Used': 'No', 'Tactic 20': 'CED (Taser) Drive Stun' }, level: 'drive_stun' },
    { name: 'a tactic column above the CED blocks', row: { 'CED Used': 'Yes', 'Tactic 3': 'CED (Taser) Angle Drive Stun', ...yes('CED Fired') }, level: 'angle_drive_stun' },
    { name: 'a CED block above the tactic columns', row: { 'CED Used': 'Yes', 'Tactic 3': 'CED (Taser) Drawn', 'Tactic 4': 'CED (Taser) Arced', ...yes('CED2 Fired') }, level: 'fired' },
    { name: 'a level in a block with CED Used blank', row: yes('CED2 Drawn'), level: 'drawn' },
    { name: 'other tactics are not levels', row: { 'CED Used': 'Yes', 'Tactic 3': 'Firearm Fired', 'Tactic 4': 'Baton Used' }, level: 'not_stated' },
  ])('$name → $level', ({ row, level }) => {
    expect(ok(metRowToReport({ ...plain, 'Tactic 3': '', 'Effective 3': '', ...row }, 2)).highestLevel).toBe(level);
  });
});

describe('writing a report as a row', () => {
  it('gives back the values of a full row', () => {
    const full: Row = {
      ...plain,
      'CED Used': 'Yes',
      'CED Device Serial No': 'x-12',
      'Tactic 3': 'CED (Taser) Fired',
      'Effective 3': 'Yes',
      'CED Drawn': 'Yes',
      'CED Aimed': 'No',
      'CED Arced': 'No',
      'CED Red-Dotted': 'No',
      'CED Drive Stun': 'No',
      'CED Angle Drive Stun': 'No',
      'CED Fired': 'Yes',
      'CED Fired Cartridge Number': '2',
      'CED Fired Total Number Of Cycles': '1',
      'CED Fired Miss With Both Probes': 'No',
      'CED Front 3': 'Yes',
      'CED Back K': 'Yes',
      'CED2 Fired': 'No',
      'CED2 ArCED2': 'Yes',
      ThreatenedWithWeapon: 'Yes',
      StaffInjured: 'Yes',
      StaffInjuryIntentional: 'Yes',
      StaffInjuryLevel: 'Severe',
      StaffMedProvided: 'No',
      SubjectNatureOfInjury: 'Probe wound, "minor"\nsecond line',
      SubjectMedOffered: 'Yes',
      SubjectMedProvided: 'No',
      'Incident Location: Ambulance': '',
      'Reason for Force: Other': '',
    };
    expect(roundTrip(full)).toEqual(MET_COLUMNS.map((c) => full[c] ?? ''));
  });

  it('gives back a bare row: blank stays blank', () => {
    expect(roundTrip(bare)).toEqual(MET_COLUMNS.map((c) => bare[c] ?? ''));
  });

  it.each<{ name: string; over: Row; expected: Row }>([
    { name: 'a DD/MM/YYYY date as YYYY-MM-DD', over: { IncidentDate: '08/04/2019' }, expected: { IncidentDate: '2019-04-08' } },
    { name: 'an HH:MM time as HH:MM:SS', over: { IncidentTime: '03:41' }, expected: { IncidentTime: '03:41:00' } },
    { name: 'seconds to the minute (Cedar keeps HH:MM)', over: { IncidentTime: '03:41:59' }, expected: { IncidentTime: '03:41:00' } },
    { name: 'City of Westminster as Westminster', over: { Borough: 'City of Westminster' }, expected: { Borough: 'Westminster' } },
    { name: 'yes/no as Yes/No', over: { SingleCrewed: 'yes', 'Outcome: Other': 'NO' }, expected: { SingleCrewed: 'Yes', 'Outcome: Other': 'No' } },
    {
      name: 'list words as the Met spells them',
      over: { MainDuty: 'dog HANDLER duty', 'Tactic 1': 'tactical communications' },
      expected: { MainDuty: 'Dog handler duty', 'Tactic 1': 'Tactical Communications' },
    },
    { name: 'spaces around values dropped', over: { Borough: ' Lambeth ', SubjectNatureOfInjury: ' graze ' }, expected: { Borough: 'Lambeth', SubjectNatureOfInjury: 'graze' } },
    { name: 'cycles without leading zeros', over: { 'CED Fired Total Number Of Cycles': '02' }, expected: { 'CED Fired Total Number Of Cycles': '2' } },
    { name: 'a body-map cell answered No as blank', over: { 'CED Front 2': 'No', 'CED Front 3': 'Yes' }, expected: { 'CED Front 2': '' } },
    {
      name: 'a gap in the tactics closed up',
      over: { 'Tactic 2': '', 'Effective 2': '', 'Tactic 4': 'Spit Guard', 'Effective 4': 'Yes' },
      expected: { 'Tactic 2': 'Spit Guard', 'Effective 2': 'Yes', 'Tactic 4': '', 'Effective 4': '' },
    },
    {
      name: 'a gap in the CED blocks closed up',
      over: { 'CED Used': 'Yes', 'CED Drawn': 'Yes', 'CED3 Aimed': 'Yes', 'CED3 Drawn': 'No' },
      expected: { 'CED2 Aimed': 'Yes', 'CED2 Drawn': 'No', 'CED3 Aimed': '', 'CED3 Drawn': '' },
    },
  ])('normalises $name', ({ over, expected }) => {
    const input = { ...plain, ...over };
    const output = asRow(roundTrip(input));
    const changed = MET_COLUMNS.filter((c) => (output[c] ?? '') !== (input[c] ?? ''));
    expect(Object.fromEntries(changed.map((c) => [c, output[c]]))).toEqual(expected);
  });

  it('writes values in MET_COLUMNS order, 271 of them', () => {
    const values = reportToMetRow(ok(metRowToReport(plain, 2)).content);
    expect(values).toHaveLength(271);
    expect(values[0]).toBe('2019-04-08');
    expect(values[1]).toBe('03:41:00');
  });
});

describe("writing Cedar's own report as a row", () => {
  const { content } = readContent(firedReport('b-lx'));
  const boroughName = (id: string) => (id === 'b-lx' ? 'Lambeth' : null);
  const row = asRow(reportToMetRow(content, { boroughName }));

  it.each<[MetColumn, string]>([
    ['IncidentDate', '2026-11-20'],
    ['IncidentTime', '22:15:00'],
    ['Borough', 'Lambeth'],
    ['Incident Location: Street/Highway', 'Yes'],
    ['Incident Location: Dwelling', 'Yes'],
    ['Incident Location: Ambulance', 'No'],
    ['Impact Factor: Possesion of a weapon', 'Yes'],
    ['Impact Factor: Crowd', 'No'],
    ['ThreatenedWithWeapon', 'Yes'],
    ['Tactic 2', 'CED (Taser) Red-Dotted'],
    ['Effective 3', 'Yes'],
    ['Tactic 5', ''],
    ['CED Used', 'Yes'],
    ['CED Device Serial No', 'X29001234'],
    ['CED Red-Dotted', 'Yes'],
    ['CED Drive Stun Repeat Application', 'No'],
    ['CED Fired', 'No'],
    ['CED Fired Cartridge Number', ''],
    ['CED2 Fired', 'Yes'],
    ['CED2 ArCED2', 'No'],
    ['CED2 Fired Cartridge Number', 'C1234567'],
    ['CED2 Fired Total Number Of Cycles', '1'],
    ['CED2 Front 7', 'Yes'],
    ['CED2 Front 8', ''],
    ['CED3 Drawn', ''],
    ['StaffInjuryIntentional', ''],
    ['SubjectNatureOfInjury', 'Probe puncture wounds'],
    ['Outcome: Arrested', 'Yes'],
    ['Outcome: Fatality', 'No'],
  ])('writes %s as "%s"', (column, value) => {
    expect(row[column]).toBe(value);
  });

  it('counts at the same level once written and read back', () => {
    const back = ok(metRowToReport(row, 2));
    expect(back.highestLevel).toBe(levelOf(content));
    expect(back.highestLevel).toBe('fired');
    expect(reportToMetRow(back.content)).toEqual(MET_COLUMNS.map((c) => row[c]));
  });

  it('leaves out a Taser section left over after answering "no Taser"', () => {
    const noTaser = readContent(
      firedReport('b-lx', { tactics: { tactics: [{ tactic: 'tactical_communications', effective: true }], cedUsed: false, firearmsAimed: false, firearmsFired: false } }),
    ).content;
    const values = asRow(reportToMetRow(noTaser, { boroughName }));
    expect(values['CED Used']).toBe('No');
    expect(values['CED Device Serial No']).toBe('');
    expect(values['CED Drawn']).toBe('');
    expect(cedarContentToImported(noTaser).ced).toBeNull();
  });

  it('leaves blank what a draft has not answered', () => {
    const values = asRow(reportToMetRow({ duty: { mainDuty: 'tsg', singleCrewed: true, cedTrained: false, carryingCed: false } }));
    expect(values.MainDuty).toBe('TSG');
    expect(values.IncidentDate).toBe('');
    expect(values['Outcome: Arrested']).toBe('');
    expect(values['Incident Location: Other']).toBe('');
  });
});
