import type { Borough } from '../domain/organisation.js';
import { BWV_SWITCHED_ON, IMPLANT_CHECK, MEDICAL_ASSESSMENTS, PROBE_REMOVERS, type SectionKey } from '../domain/report/content.js';
import { CED_LEVEL_LABELS, CED_LEVELS, LEVEL_OF_CED_TACTIC } from '../domain/report/levels.js';
import {
  AGE_BANDS,
  BODY_MAP_BACK,
  BODY_MAP_AREAS,
  BODY_MAP_FRONT,
  bodyMapLabel,
  ETHNICITIES,
  GENDERS,
  IMPACT_FACTORS,
  INJURY_LEVELS,
  LOCATION_TYPES,
  MAIN_DUTIES,
  OUTCOMES,
  PRIMARY_CONDUCT,
  REASONS_FOR_FORCE,
  TACTICS,
  type Vocabulary,
} from '../domain/report/vocabulary.js';
import type { FieldError } from '../domain/errors.js';
import { bodyMapSvg } from './body-map.js';
import { dateFromParts, dateParts, field, fieldList, type FormBody } from './forms.js';
import { BWV_SWITCHED_ON_LABELS } from './report-view.js';

/*
 * The question pages' forms: GOV.UK inputs to each section's input (radios "yes"/"no" to
 * booleans, checkboxes to lists, date parts to YYYY-MM-DD, repeated rows to ordered lists),
 * stored sections back to what the inputs show, and error paths (`tactics.2.tactic`) to the
 * ids of the inputs they are about (`tactics-2-tactic`).
 *
 * Inputs are named after the path of the value they hold, with dashes for dots, so an
 * error's path is its input's id; rows left blank are dropped, so row numbers are mapped.
 */

/** What each input shows, by input name: one value, or the ticked values of a checkbox group. */
export type FormValues = Record<string, string | string[]>;

/** For each repeated list, the form row each kept entry came from. */
export type RowMap = Partial<Record<'tactics' | 'applications' | 'footageRefs', number[]>>;

export interface ParsedSection {
  input: Record<string, unknown>;
  rows: RowMap;
}

/** How many rows of each repeated list the page shows. */
export interface FormLayout {
  tacticRows: number;
  applications: number;
  footageRows: number;
}

export const MAX_TACTIC_ROWS = 20;
export const DEFAULT_TACTIC_ROWS = 8;
export const CED_APPLICATIONS = 4;
export const DEFAULT_FOOTAGE_ROWS = 3;

type Kind = 'text' | 'yesNo' | 'choice' | 'list';

/** The plain questions of each section (the rest are handled below). */
const PLAIN: Record<SectionKey, Record<string, Kind>> = {
  incident: { reference: 'text', time: 'text', boroughId: 'choice', locations: 'list' },
  // cedTrained is not asked: Cedar answers it from the officer's authority on the incident day.
  duty: { mainDuty: 'choice', singleCrewed: 'yesNo', carryingCed: 'yesNo' },
  subject: { ageBand: 'choice', gender: 'choice', ethnicity: 'choice', physicalDisability: 'yesNo', mentalDisability: 'yesNo' },
  reasons: { primaryConduct: 'choice', assaultedBySubject: 'yesNo', threatenedWithWeapon: 'yesNo', assaultedWithWeapon: 'yesNo', impactFactors: 'list', reasons: 'list' },
  tactics: { cedUsed: 'yesNo', firearmsAimed: 'yesNo', firearmsFired: 'yesNo' },
  ced: { deviceSerial: 'text' },
  justification: { text: 'text' },
  bwv: { worn: 'yesNo', switchedOn: 'choice', notOnReason: 'text', cameraId: 'text' },
  injuries: {
    staffInjured: 'yesNo',
    staffInjuryIntentional: 'yesNo',
    staffInjuryLevel: 'choice',
    staffMedicalProvided: 'yesNo',
    subjectInjured: 'yesNo',
    subjectInjuryNature: 'text',
    subjectInjuryLevel: 'choice',
    subjectMedicalOffered: 'yesNo',
    subjectMedicalProvided: 'yesNo',
  },
  outcomes: { outcomes: 'list' },
  postUse: {
    aftercareGiven: 'yesNo',
    medicalAssessment: 'choice',
    probesRemovedBy: 'choice',
    cartridgesRetained: 'yesNo',
    afidTagsRetained: 'yesNo',
    deviceDownloadRequested: 'yesNo',
    implantCheck: 'choice',
    iopcReferralConsidered: 'yesNo',
    iopcNotes: 'text',
  },
};

const FIRED_PLAIN: Record<string, Kind> = {
  cartridgeNumber: 'text',
  totalCycles: 'choice',
  cycleInterrupted: 'yesNo',
  cycleExtended: 'yesNo',
  repeatCycleSameCartridge: 'yesNo',
  missOneProbe: 'yesNo',
  missBothProbes: 'yesNo',
  probeLocations: 'list',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function read(body: FormBody, name: string, kind: Kind): unknown {
  const v = field(body, name);
  switch (kind) {
    case 'text':
      return v;
    case 'yesNo':
      return v === 'yes' ? true : v === 'no' ? false : undefined;
    case 'choice':
      return v.trim() === '' ? undefined : v;
    case 'list':
      return fieldList(body, name);
  }
}

function shown(value: unknown, kind: Kind): string | string[] {
  switch (kind) {
    case 'yesNo':
      return value === true ? 'yes' : value === false ? 'no' : '';
    case 'list':
      return Array.isArray(value) ? value.map(String) : [];
    default:
      return value === null || value === undefined ? '' : String(value);
  }
}

function readPlain(body: FormBody, spec: Record<string, Kind>, prefix = ''): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).map(([name, kind]) => [name, read(body, prefix + name, kind)]));
}

function showPlain(stored: Record<string, unknown>, spec: Record<string, Kind>, prefix = ''): FormValues {
  return Object.fromEntries(Object.entries(spec).map(([name, kind]) => [prefix + name, shown(stored[name], kind)]));
}

const blank = (v: string | string[]) => (Array.isArray(v) ? v.length === 0 : v.trim() === '');

/** The number of rows a form posted (a hidden field), kept within bounds. */
function postedRows(body: FormBody, name: string, fallback: number, max: number): number {
  const n = Number(field(body, name));
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

/** The section's input from a posted form. Questions hidden by an earlier answer are dropped. */
export function parseSectionForm(key: SectionKey, body: FormBody): ParsedSection {
  const input = readPlain(body, PLAIN[key]);
  const rows: RowMap = {};
  switch (key) {
    case 'incident':
      input.date = dateFromParts(body, 'date');
      break;
    case 'tactics': {
      const list: Record<string, unknown>[] = [];
      rows.tactics = [];
      for (let i = 0; i < postedRows(body, 'tacticRows', DEFAULT_TACTIC_ROWS, MAX_TACTIC_ROWS); i++) {
        const tactic = field(body, `tactics-${i}-tactic`);
        const effective = field(body, `tactics-${i}-effective`);
        if (blank(tactic) && blank(effective)) continue;
        list.push({ tactic: read(body, `tactics-${i}-tactic`, 'choice'), effective: read(body, `tactics-${i}-effective`, 'yesNo') });
        rows.tactics.push(i);
      }
      input.tactics = list;
      break;
    }
    case 'ced': {
      const list: Record<string, unknown>[] = [];
      rows.applications = [];
      for (let i = 0; i < CED_APPLICATIONS; i++) {
        const prefix = `applications-${i}-`;
        const levels = fieldList(body, `${prefix}levels`);
        const firedTyped = Object.keys(FIRED_PLAIN).some((n) => !blank(body[`${prefix}fired-${n}`] ?? ''));
        if (levels.length === 0 && !firedTyped) continue; // an application left blank is not one
        list.push({ levels, fired: levels.includes('fired') ? readPlain(body, FIRED_PLAIN, `${prefix}fired-`) : null });
        rows.applications.push(i);
      }
      input.applications = list;
      break;
    }
    case 'bwv': {
      const refs: string[] = [];
      rows.footageRefs = [];
      for (let i = 0; i < postedRows(body, 'footageRows', DEFAULT_FOOTAGE_ROWS, 20); i++) {
        const ref = field(body, `footageRefs-${i}`);
        if (blank(ref)) continue;
        refs.push(ref);
        rows.footageRefs.push(i);
      }
      input.footageRefs = refs;
      if (input.worn === false) Object.assign(input, { switchedOn: null, notOnReason: null, cameraId: null, footageRefs: [] });
      if (input.switchedOn !== 'not_on') input.notOnReason = null;
      break;
    }
    case 'injuries':
      if (input.staffInjured === false) Object.assign(input, { staffInjuryIntentional: null, staffInjuryLevel: null, staffMedicalProvided: null });
      if (input.subjectInjured === false) Object.assign(input, { subjectInjuryNature: null, subjectInjuryLevel: null });
      break;
    default:
      break;
  }
  return { input, rows };
}

/**
 * The Taser levels the tactics list names (drawn, aimed, fired…), in the order the Taser
 * questions ask them: what application 1 starts from, so the officer does not enter them twice.
 */
export function cedLevelsFromTactics(tactics: unknown): string[] {
  const list = isRecord(tactics) && Array.isArray(tactics.tactics) ? tactics.tactics : [];
  const named = new Set<string | undefined>(list.map((t) => (isRecord(t) && typeof t.tactic === 'string' ? LEVEL_OF_CED_TACTIC[t.tactic] : undefined)));
  return CED_LEVELS.filter((l) => named.has(l));
}

/**
 * What the inputs show for a stored section, or the defaults for one not yet answered: the
 * officer's borough and duty, and for the Taser section application 1 from the Taser tactics
 * answered (`tactics`, the tactics section as stored or as amended).
 */
export function sectionFormValues(key: SectionKey, stored: unknown, defaults: { boroughId?: string | null; mainDuty?: string; tactics?: unknown } = {}): FormValues {
  const s = isRecord(stored) ? stored : {};
  const values = showPlain(s, PLAIN[key]);
  switch (key) {
    case 'incident': {
      const parts = dateParts(typeof s.date === 'string' ? s.date : '');
      Object.assign(values, { 'date-day': parts.day, 'date-month': parts.month, 'date-year': parts.year });
      if (!isRecord(stored) && defaults.boroughId) values.boroughId = defaults.boroughId;
      break;
    }
    case 'duty':
      if (!isRecord(stored) && defaults.mainDuty) values.mainDuty = defaults.mainDuty;
      break;
    case 'tactics':
      (Array.isArray(s.tactics) ? s.tactics : []).forEach((t, i) => {
        const r = isRecord(t) ? t : {};
        values[`tactics-${i}-tactic`] = shown(r.tactic, 'choice');
        values[`tactics-${i}-effective`] = shown(r.effective, 'yesNo');
      });
      break;
    case 'ced':
      if (!isRecord(stored)) {
        const levels = cedLevelsFromTactics(defaults.tactics);
        if (levels.length) values['applications-0-levels'] = levels;
      }
      (Array.isArray(s.applications) ? s.applications : []).forEach((a, i) => {
        const r = isRecord(a) ? a : {};
        values[`applications-${i}-levels`] = shown(r.levels, 'list');
        if (isRecord(r.fired)) Object.assign(values, showPlain(r.fired, FIRED_PLAIN, `applications-${i}-fired-`));
      });
      break;
    case 'bwv':
      (Array.isArray(s.footageRefs) ? s.footageRefs : []).forEach((ref, i) => (values[`footageRefs-${i}`] = String(ref)));
      break;
    default:
      break;
  }
  return values;
}

const LIST_INPUT = /^(locations|impactFactors|reasons|outcomes)$|^applications-\d+-(levels|fired-probeLocations)$/;

/** A posted form as the inputs should show it again: checkbox groups as lists, the rest as typed. */
export function typedFormValues(body: FormBody): FormValues {
  const values: FormValues = {};
  for (const name of Object.keys(body)) {
    if (name === '_csrf') continue;
    values[name] = LIST_INPUT.test(name) ? fieldList(body, name) : field(body, name);
  }
  return values;
}

/** How many rows of each list to show: at least the defaults, and room for what is there. */
export function formLayout(values: FormValues, requested: Partial<FormLayout> = {}): FormLayout {
  const count = (re: RegExp) => Object.keys(values).reduce((n, k) => Math.max(n, Number(re.exec(k)?.[1] ?? -1) + 1), 0);
  return {
    tacticRows: Math.min(MAX_TACTIC_ROWS, Math.max(requested.tacticRows ?? DEFAULT_TACTIC_ROWS, count(/^tactics-(\d+)-/) + (requested.tacticRows ? 0 : 2), DEFAULT_TACTIC_ROWS)),
    applications: CED_APPLICATIONS,
    footageRows: Math.min(20, Math.max(requested.footageRows ?? DEFAULT_FOOTAGE_ROWS, count(/^footageRefs-(\d+)$/) + (requested.footageRows ? 0 : 1))),
  };
}

/**
 * The id of the input an error is about. `path` is relative to the section, as the section's
 * schema reports it (`applications.1.fired.cartridgeNumber`); `rows` maps list positions back
 * to the form rows they came from.
 */
export function inputId(path: string, rows: RowMap = {}): string {
  const segs = path.split('.');
  for (let i = 0; i < segs.length - 1; i++) {
    const map = rows[segs[i] as keyof RowMap];
    const at = segs[i + 1]!;
    if (map && /^\d+$/.test(at)) segs[i + 1] = String(map[Number(at)] ?? at);
  }
  let p = segs.join('.').replace(/(^|\.)(locations|impactFactors|reasons|outcomes|levels|probeLocations)\.\d+$/, '$1$2');
  if (p === 'tactics') p = 'tactics.0.tactic';
  else if (/^tactics\.\d+$/.test(p)) p += '.tactic';
  else if (p === 'applications') p = 'applications.0.levels';
  else if (/^applications\.\d+(\.fired)?$/.test(p)) p = `${p.replace(/\.fired$/, '')}.levels`;
  else if (p === 'footageRefs') p = 'footageRefs.0';
  return p.replace(/\./g, '-');
}

/** The first input of each section's page, for errors about the section as a whole. */
export const FIRST_INPUT: Record<SectionKey, string> = {
  incident: 'reference',
  duty: 'mainDuty',
  subject: 'ageBand',
  reasons: 'primaryConduct',
  tactics: 'tactics-0-tactic',
  ced: 'deviceSerial',
  justification: 'text',
  bwv: 'worn',
  injuries: 'staffInjured',
  outcomes: 'outcomes',
  postUse: 'aftercareGiven',
};

/**
 * Error summary and inline messages for a question page. `errors` are about this section
 * (paths within it), or, from an amendment, about the whole report (`section.path`, the
 * reason, or problems elsewhere in the report, which link to `elsewhere`).
 */
export function sectionErrorView(key: SectionKey, errors: FieldError[], rows: RowMap, opts: { wholeReport: boolean; elsewhere: (field: string) => string }) {
  const byId: Record<string, { text: string }> = {};
  const errorList = errors.map((e) => {
    let id: string | null;
    if (e.field === 'sections' || e.field === '(input)') id = FIRST_INPUT[key];
    else if (!opts.wholeReport) id = inputId(e.field, rows);
    else if (e.field === 'reason') id = 'reason';
    else if (e.field.startsWith(`${key}.`)) id = inputId(e.field.slice(key.length + 1), rows);
    else id = null;
    if (id === null) return { text: e.message, href: opts.elsewhere(e.field) };
    const text = `${rowLabel(id)}${e.message}`;
    byId[id] ??= { text };
    return { text, href: `#${id}` };
  });
  return { errorList, errors: byId };
}

/** Which repeated row an input is in, so the same question in different rows reads differently. */
function rowLabel(id: string): string {
  const m = /^(tactics|applications)-(\d+)-/.exec(id);
  if (!m) return '';
  return `${m[1] === 'tactics' ? 'Tactic' : 'Application'} ${Number(m[2]) + 1}: `;
}

/** Where a problem with a whole report is fixed: the question page, at the input. */
export function problemHref(reportId: string, fieldPath: string): string {
  const [key, ...rest] = fieldPath.split('.');
  const page = `/reports/${reportId}/sections/${key}`;
  return rest.length ? `${page}#${inputId(rest.join('.'))}` : page;
}

// Options ----------------------------------------------------------------------------------

export interface Option {
  value: string;
  text: string;
  hint?: string;
}

const options = (v: Vocabulary): Option[] => Object.entries(v).map(([value, text]) => ({ value, text }));

/** The choices each question offers, from the same vocabulary the report is read in. */
export function formOptions(boroughs: Borough[]) {
  return {
    boroughs: boroughs.map((b) => ({ value: b.id, text: b.name })),
    locations: options(LOCATION_TYPES),
    mainDuties: options(MAIN_DUTIES),
    ageBands: options(AGE_BANDS),
    genders: options(GENDERS),
    ethnicities: options(ETHNICITIES),
    primaryConduct: options(PRIMARY_CONDUCT),
    impactFactors: options(IMPACT_FACTORS),
    reasons: options(REASONS_FOR_FORCE),
    tactics: options(TACTICS),
    cedLevels: CED_LEVELS.map((l) => ({ value: l, text: CED_LEVEL_LABELS[l] })),
    probesFront: BODY_MAP_FRONT.map((c) => ({ value: c, text: `${bodyMapLabel(c)}: ${BODY_MAP_AREAS[c]}` })),
    probesBack: BODY_MAP_BACK.map((c) => ({ value: c, text: `${bodyMapLabel(c)}: ${BODY_MAP_AREAS[c]}` })),
    /** The body map as a key beside the probe questions (nothing marked: the checkboxes are the answer). */
    bodyMap: bodyMapSvg(null),
    bwvSwitchedOn: BWV_SWITCHED_ON.map((v) => ({ value: v, text: BWV_SWITCHED_ON_LABELS[v]! })),
    injuryLevels: options(INJURY_LEVELS),
    outcomes: options(OUTCOMES),
    medicalAssessments: options(MEDICAL_ASSESSMENTS),
    probeRemovers: options(PROBE_REMOVERS),
    implantChecks: options(IMPLANT_CHECK),
  };
}

/**
 * Messages for a GOV.UK date input: the domain's date messages speak of YYYY-MM-DD, which
 * the person never typed; say which part is missing instead.
 */
export function dateInputError(body: FormBody, name: string, what: string): string | undefined {
  const parts = { day: field(body, `${name}-day`).trim(), month: field(body, `${name}-month`).trim(), year: field(body, `${name}-year`).trim() };
  const missing = (Object.keys(parts) as (keyof typeof parts)[]).filter((k) => parts[k] === '');
  if (missing.length === 3) return `Enter the ${what}`;
  if (missing.length) return `The ${what} must include a ${missing.join(' and a ')}`;
  if (!/^\d{4}$/.test(parts.year)) return 'Enter the year as 4 digits, for example 2026';
  return undefined;
}
