import { describe, expect, it } from 'vitest';
import { SECTIONS, type SectionKey } from '../../../src/domain/report/content.js';
import { BODY_MAP } from '../../../src/domain/report/vocabulary.js';
import type { FieldError } from '../../../src/domain/errors.js';
import { fieldErrorsFromZod } from '../../../src/domain/validation.js';
import { firedReport } from '../../support/report-fixtures.js';

/** Each section of the complete fired report, as the API takes it. */
type Section = Record<string, unknown>;
const base = firedReport('b-lx') as Record<SectionKey, Section>;
const section = (key: SectionKey, patch: Section = {}): Section => ({ ...structuredClone(base[key]), ...patch });

function parse(key: SectionKey, input: unknown): { ok: true; data: Section } | { ok: false; errors: FieldError[] } {
  const r = SECTIONS[key].schema.safeParse(input);
  return r.success ? { ok: true, data: r.data as Section } : { ok: false, errors: fieldErrorsFromZod(r.error) };
}
function accepted(key: SectionKey, input: unknown): Section {
  const r = parse(key, input);
  if (!r.ok) throw new Error(`${key} rejected: ${JSON.stringify(r.errors)}`);
  return r.data;
}
function rejected(key: SectionKey, input: unknown): FieldError[] {
  const r = parse(key, input);
  if (r.ok) throw new Error(`${key} accepted: ${JSON.stringify(r.data)}`);
  return r.errors;
}

interface Reject {
  name: string;
  input: Section;
  field: string;
  message: string;
}
const expectRejected = (key: SectionKey, { input, field, message }: Reject) => {
  const errors = rejected(key, input);
  expect(errors).toContainEqual({ field, message: expect.stringContaining(message) });
};

describe('every section of the complete fired report is valid', () => {
  it.each(Object.keys(SECTIONS) as SectionKey[])('%s', (key) => {
    expect(parse(key, base[key]).ok).toBe(true);
  });
});

describe('incident section', () => {
  it.each<{ name: string; input: Section; out: Section }>([
    { name: 'the fixture as it is', input: section('incident'), out: { reference: 'CAD 1234/28NOV', date: '2026-11-20', time: '22:15', locations: ['street', 'dwelling'] } },
    { name: 'a lower-case reference is upper-cased', input: section('incident', { reference: 'cad 1234/28nov' }), out: { reference: 'CAD 1234/28NOV' } },
    { name: 'a reference is trimmed', input: section('incident', { reference: '  4321-a  ' }), out: { reference: '4321-A' } },
    { name: 'a reference of 30 characters', input: section('incident', { reference: 'A'.repeat(30) }), out: { reference: 'A'.repeat(30) } },
    { name: 'a leap day', input: section('incident', { date: '2028-02-29' }), out: { date: '2028-02-29' } },
    { name: 'midnight', input: section('incident', { time: '00:00' }), out: { time: '00:00' } },
    { name: 'one minute to midnight', input: section('incident', { time: '23:59' }), out: { time: '23:59' } },
    { name: 'a repeated location is kept once', input: section('incident', { locations: ['street', 'street', 'retail'] }), out: { locations: ['street', 'retail'] } },
  ])('accepts $name', ({ input, out }) => {
    expect(accepted('incident', input)).toMatchObject(out);
  });

  it.each<Reject>([
    { name: 'a missing reference', input: section('incident', { reference: undefined }), field: 'reference', message: 'Enter the incident (CAD) reference' },
    { name: 'a blank reference', input: section('incident', { reference: '   ' }), field: 'reference', message: 'Enter the incident (CAD) reference' },
    { name: 'a reference of 31 characters', input: section('incident', { reference: 'A'.repeat(31) }), field: 'reference', message: '30 characters or fewer' },
    { name: 'a reference with other punctuation', input: section('incident', { reference: 'CAD#1234' }), field: 'reference', message: 'only letters, numbers, spaces, hyphens and slashes' },
    { name: 'a reference starting with a slash', input: section('incident', { reference: '/1234' }), field: 'reference', message: 'only letters, numbers, spaces, hyphens and slashes' },
    { name: 'an impossible date (30 February)', input: section('incident', { date: '2026-02-30' }), field: 'date', message: 'Enter a real date' },
    { name: 'an impossible date (29 February, not a leap year)', input: section('incident', { date: '2026-02-29' }), field: 'date', message: 'Enter a real date' },
    { name: 'an impossible date (month 13)', input: section('incident', { date: '2026-13-01' }), field: 'date', message: 'Enter a real date' },
    { name: 'a UK-style date', input: section('incident', { date: '20/11/2026' }), field: 'date', message: 'YYYY-MM-DD' },
    { name: 'a time of 24:00', input: section('incident', { time: '24:00' }), field: 'time', message: 'HH:MM on the 24-hour clock' },
    { name: 'a time without the leading zero', input: section('incident', { time: '9:30' }), field: 'time', message: 'HH:MM on the 24-hour clock' },
    { name: 'a time with seconds', input: section('incident', { time: '09:30:00' }), field: 'time', message: 'HH:MM on the 24-hour clock' },
    { name: 'a time of 12:60', input: section('incident', { time: '12:60' }), field: 'time', message: 'HH:MM on the 24-hour clock' },
    { name: 'a 12-hour time', input: section('incident', { time: '2:30pm' }), field: 'time', message: 'HH:MM on the 24-hour clock' },
    { name: 'a missing time', input: section('incident', { time: undefined }), field: 'time', message: 'Enter the time' },
    { name: 'a blank borough', input: section('incident', { boroughId: ' ' }), field: 'boroughId', message: 'Select the borough' },
    { name: 'no locations', input: section('incident', { locations: [] }), field: 'locations', message: 'Select at least one type of location' },
    { name: 'an unknown location', input: section('incident', { locations: ['street', 'moon'] }), field: 'locations.1', message: 'Select a location type from the list' },
  ])('rejects $name', (row) => expectRejected('incident', row));
});

const tactic = (code: string, effective = true) => ({ tactic: code, effective });

describe('tactics section', () => {
  it.each<{ name: string; input: Section; out: Section }>([
    { name: 'the fixture as it is', input: section('tactics'), out: { cedUsed: true } },
    { name: 'no CED, no CED tactic', input: section('tactics', { tactics: [tactic('tactical_communications')], cedUsed: false }), out: { cedUsed: false } },
    { name: 'CED used with no CED tactic listed', input: section('tactics', { tactics: [tactic('ground_restraint')], cedUsed: true }), out: { cedUsed: true } },
    { name: 'firearms aimed and fired', input: section('tactics', { firearmsAimed: true, firearmsFired: true }), out: { firearmsAimed: true, firearmsFired: true } },
    { name: 'firearms aimed, not fired', input: section('tactics', { firearmsAimed: true, firearmsFired: false }), out: { firearmsAimed: true } },
    { name: 'exactly 20 tactics', input: section('tactics', { tactics: Array.from({ length: 20 }, () => tactic('ced_drawn')) }), out: { cedUsed: true } },
  ])('accepts $name', ({ input, out }) => {
    expect(accepted('tactics', input)).toMatchObject(out);
  });

  it.each<Reject>([
    ...['ced_drawn', 'ced_aimed', 'ced_red_dotted', 'ced_arced', 'ced_drive_stun', 'ced_angle_drive_stun', 'ced_fired'].map((code) => ({
      name: `the CED tactic ${code} with cedUsed=false`,
      input: section('tactics', { tactics: [tactic('tactical_communications'), tactic(code)], cedUsed: false }),
      field: 'cedUsed',
      message: 'You listed a Taser tactic: answer yes to using a Taser, or remove the Taser tactic',
    })),
    { name: 'firearms fired but not aimed', input: section('tactics', { firearmsAimed: false, firearmsFired: true }), field: 'firearmsAimed', message: 'A firearm that was fired was also aimed' },
    { name: '21 tactics', input: section('tactics', { tactics: Array.from({ length: 21 }, () => tactic('shield')) }), field: 'tactics', message: 'Record at most 20 tactics' },
    { name: 'no tactics', input: section('tactics', { tactics: [] }), field: 'tactics', message: 'Add at least one tactic you used' },
    { name: 'an unknown tactic', input: section('tactics', { tactics: [tactic('water_cannon')] }), field: 'tactics.0.tactic', message: 'Select a tactic from the list' },
    { name: 'a tactic without its effectiveness', input: section('tactics', { tactics: [{ tactic: 'shield' }] }), field: 'tactics.0.effective', message: 'was the tactic effective?' },
    { name: 'cedUsed not answered', input: section('tactics', { cedUsed: undefined }), field: 'cedUsed', message: 'Select yes or no: did you use a Taser (CED)?' },
    { name: 'cedUsed as the string "yes"', input: section('tactics', { cedUsed: 'yes' }), field: 'cedUsed', message: 'Select yes or no' },
  ])('rejects $name', (row) => expectRejected('tactics', row));
});

const FIRED = (base.ced.applications as { fired: Section | null }[])[1]!.fired!;
const cedWith = (...applications: unknown[]): Section => ({ deviceSerial: 'X29001234', applications });
const fired = (patch: Section = {}) => ({ levels: ['fired'], fired: { ...FIRED, ...patch } });

describe('ced section', () => {
  it.each<{ name: string; input: Section; out: Section }>([
    { name: 'the fixture as it is', input: section('ced'), out: { deviceSerial: 'X29001234' } },
    { name: 'fired details left out become null', input: cedWith({ levels: ['drawn'] }), out: { applications: [{ levels: ['drawn'], fired: null }] } },
    {
      name: 'a non-discharge application with fired: null',
      input: cedWith({ levels: ['aimed', 'red_dotted'], fired: null }),
      out: { applications: [{ levels: ['aimed', 'red_dotted'], fired: null }] },
    },
    { name: 'a drive stun needs no fired details', input: cedWith({ levels: ['drive_stun', 'drive_stun_repeat'] }), out: { applications: [{ levels: ['drive_stun', 'drive_stun_repeat'] }] } },
    { name: 'a repeated level is kept once', input: cedWith({ levels: ['drawn', 'drawn'] }), out: { applications: [{ levels: ['drawn'] }] } },
    {
      name: 'one probe missed, one location',
      input: cedWith(fired({ missOneProbe: true, probeLocations: ['BK'] })),
      out: { applications: [{ fired: { missOneProbe: true, probeLocations: ['BK'] } }] },
    },
    { name: 'both probes missed, no locations', input: cedWith(fired({ missBothProbes: true, probeLocations: [] })), out: { applications: [{ fired: { missBothProbes: true, probeLocations: [] } }] } },
    { name: '1 cycle', input: cedWith(fired({ totalCycles: 1 })), out: { applications: [{ fired: { totalCycles: 1 } }] } },
    { name: '50 cycles', input: cedWith(fired({ totalCycles: 50 })), out: { applications: [{ fired: { totalCycles: 50 } }] } },
    { name: 'cycles as a form string "3"', input: cedWith(fired({ totalCycles: '3' })), out: { applications: [{ fired: { totalCycles: 3 } }] } },
    { name: 'a lower-case cartridge number is upper-cased', input: cedWith(fired({ cartridgeNumber: 'c-99' })), out: { applications: [{ fired: { cartridgeNumber: 'C-99' } }] } },
    { name: 'a repeated probe location is kept once', input: cedWith(fired({ probeLocations: ['F1', 'F1'] })), out: { applications: [{ fired: { probeLocations: ['F1'] } }] } },
    { name: '4 applications', input: cedWith({ levels: ['drawn'] }, { levels: ['aimed'] }, { levels: ['arced'] }, fired()), out: { deviceSerial: 'X29001234' } },
  ])('accepts $name', ({ input, out }) => {
    const data = accepted('ced', input);
    expect(data).toMatchObject(out);
  });

  it('upper-cases the device serial', () => {
    expect(accepted('ced', { deviceSerial: ' x2-abc ', applications: [{ levels: ['drawn'] }] })).toMatchObject({ deviceSerial: 'X2-ABC' });
  });

  it.each<Reject>([
    { name: 'a fired level without fired details', input: cedWith({ levels: ['fired'] }), field: 'applications.0.fired', message: 'Give the details of the firing' },
    { name: 'a fired level with fired: null', input: cedWith({ levels: ['red_dotted', 'fired'], fired: null }), field: 'applications.0.fired', message: 'Give the details of the firing' },
    ...(['drawn', 'aimed', 'red_dotted', 'arced', 'drive_stun', 'drive_stun_repeat', 'angle_drive_stun'] as const).map((level) => ({
      name: `fired details on a ${level} application`,
      input: cedWith({ levels: [level], fired: FIRED }),
      field: 'applications.0.fired',
      message: 'Fired details are only for an application that was fired',
    })),
    {
      name: 'fired details on the second application only',
      input: cedWith(fired(), { levels: ['arced'], fired: FIRED }),
      field: 'applications.1.fired',
      message: 'Fired details are only for an application that was fired',
    },
    {
      name: 'both probes missed with probe locations',
      input: cedWith(fired({ missBothProbes: true, probeLocations: ['F7'] })),
      field: 'applications.0.fired.probeLocations',
      message: 'Both probes missed, so no probe strike locations can be marked',
    },
    {
      name: 'one and both probes missed',
      input: cedWith(fired({ missOneProbe: true, missBothProbes: true, probeLocations: [] })),
      field: 'applications.0.fired.missOneProbe',
      message: 'Answer either one probe missed or both probes missed, not both',
    },
    { name: '0 cycles', input: cedWith(fired({ totalCycles: 0 })), field: 'applications.0.fired.totalCycles', message: 'Enter at least 1 cycle' },
    { name: '-1 cycles', input: cedWith(fired({ totalCycles: -1 })), field: 'applications.0.fired.totalCycles', message: 'Enter at least 1 cycle' },
    { name: '51 cycles', input: cedWith(fired({ totalCycles: 51 })), field: 'applications.0.fired.totalCycles', message: 'Enter 50 cycles or fewer' },
    { name: '1.5 cycles', input: cedWith(fired({ totalCycles: 1.5 })), field: 'applications.0.fired.totalCycles', message: 'Enter a whole number of cycles' },
    { name: 'cycles not a number', input: cedWith(fired({ totalCycles: 'three' })), field: 'applications.0.fired.totalCycles', message: 'Enter the total number of cycles' },
    { name: 'cycles missing', input: cedWith(fired({ totalCycles: undefined })), field: 'applications.0.fired.totalCycles', message: 'Enter the total number of cycles' },
    { name: 'a blank cartridge number', input: cedWith(fired({ cartridgeNumber: ' ' })), field: 'applications.0.fired.cartridgeNumber', message: 'Enter the cartridge serial number' },
    { name: 'a cartridge number with a slash', input: cedWith(fired({ cartridgeNumber: 'C/1' })), field: 'applications.0.fired.cartridgeNumber', message: 'only letters, numbers and hyphens' },
    { name: 'a missing yes/no on the firing', input: cedWith(fired({ cycleExtended: undefined })), field: 'applications.0.fired.cycleExtended', message: 'was a cycle extended beyond 5 seconds?' },
    ...['BI', 'F0', 'F16', 'B1', 'f1', 'bk', 'Front 1', 'BL', ''].map((code) => ({
      name: `the body map code ${JSON.stringify(code)}`,
      input: cedWith(fired({ probeLocations: ['F1', code] })),
      field: 'applications.0.fired.probeLocations.1',
      message: 'Select probe locations from the body map',
    })),
    { name: 'an application with no levels', input: cedWith({ levels: [] }), field: 'applications.0.levels', message: 'Select at least one level of use for this application' },
    { name: 'an unknown level', input: cedWith({ levels: ['tickled'] }), field: 'applications.0.levels.0', message: 'Select a level of use from the list' },
    { name: 'no applications', input: cedWith(), field: 'applications', message: 'Record at least one application of the Taser' },
    { name: '5 applications', input: cedWith(...Array.from({ length: 5 }, () => ({ levels: ['drawn'] }))), field: 'applications', message: 'Record at most 4 applications' },
    { name: 'a blank device serial', input: { deviceSerial: '', applications: [{ levels: ['drawn'] }] }, field: 'deviceSerial', message: 'Enter the Taser serial number' },
    { name: 'a device serial with a space', input: { deviceSerial: 'X2 001', applications: [{ levels: ['drawn'] }] }, field: 'deviceSerial', message: 'only letters, numbers and hyphens' },
  ])('rejects $name', (row) => expectRejected('ced', row));

  it.each(BODY_MAP)('accepts the body map code %s', (code) => {
    expect(parse('ced', cedWith(fired({ probeLocations: [code] }))).ok).toBe(true);
  });

  it('the body map is front 1-15 and back A-K without I: 25 codes', () => {
    expect(BODY_MAP).toHaveLength(25);
    expect(BODY_MAP).not.toContain('BI');
  });
});

describe('bwv section', () => {
  const bwv = (patch: Section) => ({ worn: true, switchedOn: null, notOnReason: null, cameraId: null, footageRefs: [], ...patch });

  it.each<{ name: string; input: Section; out: Section }>([
    { name: 'the fixture as it is', input: section('bwv'), out: { worn: true, switchedOn: 'before' } },
    { name: 'not worn, nothing else', input: { worn: false }, out: { worn: false, switchedOn: null, notOnReason: null, cameraId: null, footageRefs: [] } },
    { name: 'not worn, follow-ups left null', input: bwv({ worn: false }), out: { worn: false } },
    {
      name: 'worn, switched on during, camera and footage',
      input: bwv({ switchedOn: 'during', cameraId: 'BWV-1', footageRefs: ['E1', 'E1', ' '] }),
      out: { switchedOn: 'during', footageRefs: ['E1'] },
    },
    {
      name: 'worn, not switched on, a reason and the camera (no footage needed)',
      input: bwv({ switchedOn: 'not_on', notOnReason: 'Battery flat', cameraId: 'BWV-1' }),
      out: { switchedOn: 'not_on', footageRefs: [] },
    },
  ])('accepts $name', ({ input, out }) => {
    expect(accepted('bwv', input)).toMatchObject(out);
  });

  it.each<Reject>([
    { name: 'worn, not switched on, no reason', input: bwv({ switchedOn: 'not_on', cameraId: 'BWV-1' }), field: 'notOnReason', message: 'Explain why the camera was not switched on' },
    {
      name: 'worn, not switched on, a blank reason',
      input: bwv({ switchedOn: 'not_on', notOnReason: '   ', cameraId: 'BWV-1' }),
      field: 'notOnReason',
      message: 'Explain why the camera was not switched on',
    },
    { name: 'worn, switched on before, no footage reference', input: bwv({ switchedOn: 'before', cameraId: 'BWV-1' }), field: 'footageRefs', message: 'Enter at least one footage reference' },
    {
      name: 'worn, switched on during, only blank footage references',
      input: bwv({ switchedOn: 'during', cameraId: 'BWV-1', footageRefs: ['', '  '] }),
      field: 'footageRefs',
      message: 'Enter at least one footage reference',
    },
    { name: 'worn, switched on, no camera id', input: bwv({ switchedOn: 'before', footageRefs: ['E1'] }), field: 'cameraId', message: 'Enter the camera identifier' },
    { name: 'worn, no switched-on answer', input: bwv({ cameraId: 'BWV-1' }), field: 'switchedOn', message: 'Select when the camera was switched on' },
    { name: 'worn, an unknown switched-on answer', input: bwv({ switchedOn: 'after', cameraId: 'BWV-1' }), field: 'switchedOn', message: 'Select when the camera was switched on' },
    { name: 'worn not answered', input: { switchedOn: 'before' }, field: 'worn', message: 'Select yes or no: were you wearing body-worn video?' },
    {
      name: 'a camera id over 50 characters',
      input: bwv({ switchedOn: 'before', cameraId: 'C'.repeat(51), footageRefs: ['E1'] }),
      field: 'cameraId',
      message: 'The camera identifier must be 50 characters or fewer',
    },
  ])('rejects $name', (row) => expectRejected('bwv', row));

  it('worn and switched on with neither camera id nor footage reports both', () => {
    expect(
      rejected('bwv', bwv({ switchedOn: 'before' }))
        .map((e) => e.field)
        .sort(),
    ).toEqual(['cameraId', 'footageRefs']);
  });
});

describe('injuries section', () => {
  const none = { staffInjured: false, subjectInjured: false, subjectMedicalOffered: false, subjectMedicalProvided: false };
  const staffHurt = { ...none, staffInjured: true, staffInjuryIntentional: true, staffInjuryLevel: 'minor', staffMedicalProvided: false };
  const subjectHurt = { ...none, subjectInjured: true, subjectInjuryNature: 'Graze to the knee', subjectInjuryLevel: 'minor' };

  it.each<{ name: string; input: Section; out: Section }>([
    {
      name: 'nobody injured, follow-ups omitted',
      input: none,
      out: { staffInjuryIntentional: null, staffInjuryLevel: null, staffMedicalProvided: null, subjectInjuryNature: null, subjectInjuryLevel: null },
    },
    { name: 'the officer injured, all follow-ups answered', input: staffHurt, out: { staffInjuryLevel: 'minor' } },
    {
      name: 'the officer injured intentionally=false and medical=false (false is an answer)',
      input: { ...staffHurt, staffInjuryIntentional: false },
      out: { staffInjuryIntentional: false, staffMedicalProvided: false },
    },
    { name: 'the subject injured, nature and level given', input: subjectHurt, out: { subjectInjuryNature: 'Graze to the knee' } },
    { name: 'medical offered, not provided', input: { ...none, subjectMedicalOffered: true }, out: { subjectMedicalOffered: true } },
    { name: 'medical offered and provided', input: { ...none, subjectMedicalOffered: true, subjectMedicalProvided: true }, out: { subjectMedicalProvided: true } },
  ])('accepts $name', ({ input, out }) => {
    expect(accepted('injuries', input)).toMatchObject(out);
  });

  it.each<Reject>([
    { name: 'the officer injured, intentional not answered', input: { ...staffHurt, staffInjuryIntentional: null }, field: 'staffInjuryIntentional', message: 'was your injury caused intentionally?' },
    { name: 'the officer injured, level not answered', input: { ...staffHurt, staffInjuryLevel: undefined }, field: 'staffInjuryLevel', message: 'Select how serious your injury was' },
    { name: 'the officer injured, medical not answered', input: { ...staffHurt, staffMedicalProvided: undefined }, field: 'staffMedicalProvided', message: 'were you given medical assistance?' },
    { name: 'the subject injured, no nature', input: { ...subjectHurt, subjectInjuryNature: ' ' }, field: 'subjectInjuryNature', message: "Describe the subject's injury" },
    { name: 'the subject injured, no level', input: { ...subjectHurt, subjectInjuryLevel: null }, field: 'subjectInjuryLevel', message: "Select how serious the subject's injury was" },
    {
      name: 'medical provided but not offered',
      input: { ...none, subjectMedicalProvided: true },
      field: 'subjectMedicalOffered',
      message: 'Medical assistance that was provided was also offered: answer yes',
    },
    { name: 'staffInjured not answered', input: { ...none, staffInjured: undefined }, field: 'staffInjured', message: 'Select yes or no: were you injured?' },
    { name: 'an injury nature over 500 characters', input: { ...subjectHurt, subjectInjuryNature: 'x'.repeat(501) }, field: 'subjectInjuryNature', message: '500 characters or fewer' },
  ])('rejects $name', (row) => expectRejected('injuries', row));

  it('an injured officer with no follow-ups reports all three', () => {
    expect(rejected('injuries', { ...none, staffInjured: true }).map((e) => e.field)).toEqual(['staffInjuryIntentional', 'staffInjuryLevel', 'staffMedicalProvided']);
  });
});

describe('postUse section', () => {
  it.each<{ field: string; values: string[]; message: string }>([
    { field: 'medicalAssessment', values: ['paramedic', 'hospital', 'custody_healthcare', 'declined', 'none'], message: 'Select the medical assessment' },
    { field: 'probesRemovedBy', values: ['trained_officer', 'medical_staff', 'not_applicable'], message: 'Select who removed the probes' },
    { field: 'implantCheck', values: ['yes', 'no', 'not_known'], message: 'Select whether a pacemaker or implant check was made' },
  ])('$field accepts each of $values and nothing else', ({ field, values, message }) => {
    for (const v of values) expect(accepted('postUse', section('postUse', { [field]: v }))[field]).toBe(v);
    for (const v of ['', 'other', 'Paramedic at the scene', undefined, null]) {
      expect(rejected('postUse', section('postUse', { [field]: v }))).toContainEqual({ field, message });
    }
  });

  it.each([
    ['aftercareGiven', 'was aftercare given?'],
    ['cartridgesRetained', 'were the cartridges retained as evidence?'],
    ['afidTagsRetained', 'were the AFID tags retained as evidence?'],
    ['deviceDownloadRequested', 'was a download of the device log requested?'],
    ['iopcReferralConsidered', 'was a referral to the IOPC considered?'],
  ])('%s must be answered yes or no', (field, question) => {
    expect(rejected('postUse', section('postUse', { [field]: undefined }))).toContainEqual({ field, message: `Select yes or no: ${question}` });
    expect(rejected('postUse', section('postUse', { [field]: 'no' }))).toContainEqual({ field, message: `Select yes or no: ${question}` });
  });

  it.each([
    { iopcNotes: undefined, out: null },
    { iopcNotes: '', out: null },
    { iopcNotes: '  ', out: null },
    { iopcNotes: ' Discussed with the duty inspector ', out: 'Discussed with the duty inspector' },
  ])('IOPC notes $iopcNotes → $out', ({ iopcNotes, out }) => {
    expect(accepted('postUse', section('postUse', { iopcNotes })).iopcNotes).toBe(out);
  });

  it('IOPC notes over 2000 characters are rejected', () => {
    expect(rejected('postUse', section('postUse', { iopcNotes: 'x'.repeat(2001) }))).toContainEqual({ field: 'iopcNotes', message: 'The IOPC referral notes must be 2,000 characters or fewer' });
  });
});

describe('the other sections', () => {
  it.each<Reject & { key: SectionKey }>([
    { key: 'duty', name: 'an unknown main duty', input: section('duty', { mainDuty: 'astronaut' }), field: 'mainDuty', message: 'Select your main duty' },
    { key: 'duty', name: 'single crewed not answered', input: section('duty', { singleCrewed: undefined }), field: 'singleCrewed', message: 'were you single crewed?' },
    { key: 'subject', name: 'an unknown age band', input: section('subject', { ageBand: '18-30' }), field: 'ageBand', message: 'Select the age band you perceived' },
    { key: 'subject', name: 'an unknown ethnicity', input: section('subject', { ethnicity: 'Black' }), field: 'ethnicity', message: 'Select the ethnicity you perceived' },
    { key: 'reasons', name: 'no reasons', input: section('reasons', { reasons: [] }), field: 'reasons', message: 'Select at least one reason for using force' },
    { key: 'reasons', name: 'an unknown impact factor', input: section('reasons', { impactFactors: ['weather'] }), field: 'impactFactors.0', message: 'Select an impact factor from the list' },
    { key: 'justification', name: 'a blank justification', input: { text: '   ' }, field: 'text', message: 'Enter your justification for the force you used' },
    {
      key: 'justification',
      name: 'a justification over 20,000 characters',
      input: { text: 'x'.repeat(20_001) },
      field: 'text',
      message: 'Your justification for the force you used must be 20,000 characters or fewer',
    },
    { key: 'outcomes', name: 'no outcomes', input: { outcomes: [] }, field: 'outcomes', message: 'Select at least one outcome' },
    { key: 'outcomes', name: 'an unknown outcome', input: { outcomes: ['released'] }, field: 'outcomes.0', message: 'Select an outcome from the list' },
  ])('$key rejects $name', ({ key, ...row }) => expectRejected(key, row));

  it('reasons may have no impact factors', () => {
    expect(accepted('reasons', section('reasons', { impactFactors: [] })).impactFactors).toEqual([]);
  });
});
