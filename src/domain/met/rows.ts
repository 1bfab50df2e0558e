/**
 * One row of the Met's use-of-force file, both ways: a row read as Cedar's report content,
 * and a report (imported, or Cedar's own) written as a row. Pure.
 *
 * Published rows are not Cedar submissions. They have no incident reference, no
 * justification, no body-worn video and no post-use procedure, and any answer may be blank
 * ("not recorded"). So a row is not forced through the submission schema: it becomes an
 * `ImportedContent`, which has Cedar's sections and field names where the Met has the
 * answer, `null` where the row left it blank, and nothing for what the Met never publishes.
 *
 * | Cedar section.field               | Met column(s)                                      | In ImportedContent                                        |
 * |-----------------------------------|----------------------------------------------------|-----------------------------------------------------------|
 * | incident.reference                | —                                                  | null (the caller may give one)                            |
 * | incident.date                     | IncidentDate (YYYY-MM-DD or DD/MM/YYYY)            | YYYY-MM-DD; a row without a date is rejected              |
 * | incident.time                     | IncidentTime (HH:MM or HH:MM:SS)                   | HH:MM, or null                                            |
 * | incident.boroughId                | Borough                                            | `borough`: the NAME (City of Westminster → Westminster);  |
 * |                                   |                                                    | the caller resolves it to a borough id                    |
 * | incident.locations                | Incident Location: … (15, Yes/No)                  | codes answered Yes; blanks in `locationsNotRecorded`      |
 * | duty.mainDuty                     | MainDuty                                           | MAIN_DUTIES code, or null                                 |
 * | duty.singleCrewed / cedTrained /  | SingleCrewed / TrainedCED / CarryingCED            | boolean or null                                           |
 * |   carryingCed                     |                                                    |                                                           |
 * | subject.ageBand / gender /        | SubjectAge / SubjectGender / SubjectEthnicity      | codes, or null                                            |
 * |   ethnicity                       |                                                    |                                                           |
 * | subject.physicalDisability /      | PhysicalDisability / MentalDisability              | boolean or null                                           |
 * |   mentalDisability                |                                                    |                                                           |
 * | reasons.primaryConduct            | PrimaryConduct                                     | code, or null                                             |
 * | reasons.assaultedBySubject, …     | AssaultedBySubject, ThreatenedWithWeapon,          | boolean or null                                           |
 * |                                   | AssaultedWithWeapon                                |                                                           |
 * | reasons.impactFactors             | Impact Factor: … (9; "Possesion" as published)     | codes answered Yes; blanks in `impactFactorsNotRecorded`  |
 * | reasons.reasons                   | Reason for Force: … (13)                           | codes answered Yes; blanks in `reasonsNotRecorded`        |
 * | tactics.tactics                   | Tactic 1..20 / Effective 1..19, Tactic Effective 20| [{ tactic, effective: boolean or null }] in column order  |
 * | tactics.cedUsed                   | CED Used                                           | boolean or null                                           |
 * | tactics.firearmsAimed / Fired     | Firearms Aimed / Firearms Fired                    | boolean or null                                           |
 * | ced.deviceSerial                  | CED Device Serial No                               | as published (not upper-cased), or null                   |
 * | ced.applications[i].levels        | CED… / CED2..CED4 Drawn, Aimed, Arced (ArCEDn),    | levels answered Yes; blanks in `levelsNotRecorded`; a     |
 * |                                   | Red-Dotted, Drive Stun, Drive Stun Repeat          | block counts as an application when any of its 40 cells   |
 * |                                   | Application, Angle Drive Stun, Fired               | is filled in                                              |
 * | ced.applications[i].fired         | … Fired Cartridge Number, 5 Secs Cycle Interrupted,| null when every detail and body-map cell is blank; else   |
 * |                                   | Repeat Cycle Same Cartridge, Total Number Of       | each detail or null (cartridge number as published,       |
 * |                                   | Cycles, Cycle Extended Beyond 5 Secs, Miss With One| cycles a whole number)                                    |
 * |                                   | Probe, Miss With Both Probes                       |                                                           |
 * | …fired.probeLocations             | … Front 1..15, Back A..K (no I)                    | body-map codes (F1.., BA..) of the cells answered Yes     |
 * | injuries.staffInjured, …          | StaffInjured, StaffInjuryIntentional,              | boolean or null; StaffInjuryLevel as an INJURY_LEVELS code|
 * |                                   | StaffInjuryLevel, StaffMedProvided                 |                                                           |
 * | injuries.subjectInjured, …        | SubjectInjured, SubjectNatureOfInjury (free text), | boolean or null; text as published, or null               |
 * |                                   | SubjectMedOffered, SubjectMedProvided              |                                                           |
 * | injuries.subjectInjuryLevel       | —                                                  | null (not published)                                      |
 * | outcomes.outcomes                 | Outcome: … (6)                                     | codes answered Yes; blanks in `outcomesNotRecorded`       |
 * | justification, bwv, postUse       | —                                                  | absent: the Met does not publish them                     |
 *
 * The highest level of use follows the published counting rule (levels.ts): the most severe
 * level across every CED block and every CED tactic column; `CED Used = Yes` with no level
 * anywhere is "not stated". A row is counted even when `CED Used` is blank or No but a
 * level is marked.
 *
 * A row is rejected (with line and column) only for a value that cannot be read: a Yes/No
 * that is neither, a date or time in neither form (or not a real one), a word that is not in
 * the Met's list, a number of cycles that is not a whole number, an "Effective n" answer
 * with no "Tactic n", and a row without a date. Answers that do not fit together (a Taser
 * tactic with `CED Used = No`) are published that way and are kept as published.
 *
 * Round trip: `reportToMetRow(metRowToReport(row).report.content)` gives back the row's
 * values, except for these normalisations (no column is dropped: Cedar keeps every one):
 *  - IncidentDate DD/MM/YYYY → YYYY-MM-DD; IncidentTime HH:MM → HH:MM:SS. Seconds other
 *    than :00 become :00, as Cedar records the time to the minute.
 *  - Borough "City of Westminster" → "Westminster".
 *  - Words are written as the Met spells them: "yes" → "Yes", "tactical  communications"
 *    → "Tactical Communications", an en dash in a list word → "-". Spaces around any value
 *    are dropped. A number of cycles is written without leading zeros ("02" → "2").
 *  - Gaps close up: a row with Tactic 1 and Tactic 3 but no Tactic 2 is written with its
 *    tactics in Tactic 1 and 2; CED blocks likewise (CED and CED3 → CED and CED2). Cedar's
 *    tactics and applications are lists, not numbered slots.
 *  - A body-map cell published as "No" is written blank: the body map marks where probes
 *    struck, and the Met leaves unmarked locations blank.
 *  - The header's slips are accepted in either spelling and written as published.
 */
import { csvDate, type RowError } from '../csv.js';
import type { ReportContent } from '../report/content.js';
import { CED_LEVELS, highestLevel, type CedLevel, type HighestLevel } from '../report/levels.js';
import {
  AGE_BANDS,
  BODY_MAP,
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
} from '../report/vocabulary.js';
import { arcedColumn, CED_BLOCK_PREFIXES, MET_COLUMN_INDEX, MET_COLUMNS, metColumn, metColumnNamed, type MetColumn } from './layout.js';

type Code<V> = keyof V & string;
export type LocationCode = Code<typeof LOCATION_TYPES>;
export type ImpactFactorCode = Code<typeof IMPACT_FACTORS>;
export type ReasonCode = Code<typeof REASONS_FOR_FORCE>;
export type OutcomeCode = Code<typeof OUTCOMES>;
export type TacticCode = Code<typeof TACTICS>;

// ---------------------------------------------------------------------------------------
// What a row becomes

/** Marks content that came from a published Met file rather than from an officer's report. */
export const MET_SOURCE = 'met-uof';

export interface ImportedFired {
  /** As published: the Met's "cartridge number" is which cartridge (1, 2), not a serial. */
  cartridgeNumber: string | null;
  totalCycles: number | null;
  cycleInterrupted: boolean | null;
  cycleExtended: boolean | null;
  repeatCycleSameCartridge: boolean | null;
  missOneProbe: boolean | null;
  missBothProbes: boolean | null;
  /** Body-map codes (F1..F15, BA..BK) marked Yes. */
  probeLocations: string[];
}

export interface ImportedCedApplication {
  /** Levels answered Yes, in Cedar's order. */
  levels: CedLevel[];
  /** Levels whose column was blank (the rest were answered No). */
  levelsNotRecorded: CedLevel[];
  fired: ImportedFired | null;
}

/**
 * A published row as Cedar's report content: Cedar's sections and field names, `null` for an
 * answer the row left blank, and no justification, body-worn video or post-use sections.
 * Not valid for the submission schema, and not meant to be: it is a historical record.
 */
export interface ImportedContent {
  source: typeof MET_SOURCE;
  incident: {
    /** The Met publishes no incident reference; null unless the caller gives one. */
    reference: string | null;
    /** YYYY-MM-DD. Always set by metRowToReport (a row without a date is rejected); null only for Cedar content without an incident section. */
    date: string | null;
    /** HH:MM. */
    time: string | null;
    /** The borough's NAME as published (City of Westminster read as Westminster); the caller resolves it to an id. */
    borough: string | null;
    locations: LocationCode[];
    locationsNotRecorded: LocationCode[];
  };
  duty: {
    mainDuty: Code<typeof MAIN_DUTIES> | null;
    singleCrewed: boolean | null;
    cedTrained: boolean | null;
    carryingCed: boolean | null;
  };
  subject: {
    ageBand: Code<typeof AGE_BANDS> | null;
    gender: Code<typeof GENDERS> | null;
    ethnicity: Code<typeof ETHNICITIES> | null;
    physicalDisability: boolean | null;
    mentalDisability: boolean | null;
  };
  reasons: {
    primaryConduct: Code<typeof PRIMARY_CONDUCT> | null;
    assaultedBySubject: boolean | null;
    threatenedWithWeapon: boolean | null;
    assaultedWithWeapon: boolean | null;
    impactFactors: ImpactFactorCode[];
    impactFactorsNotRecorded: ImpactFactorCode[];
    reasons: ReasonCode[];
    reasonsNotRecorded: ReasonCode[];
  };
  tactics: {
    tactics: { tactic: TacticCode; effective: boolean | null }[];
    cedUsed: boolean | null;
    firearmsAimed: boolean | null;
    firearmsFired: boolean | null;
  };
  /** Null when the row has no device serial and every CED block is blank. */
  ced: { deviceSerial: string | null; applications: ImportedCedApplication[] } | null;
  injuries: {
    staffInjured: boolean | null;
    staffInjuryIntentional: boolean | null;
    staffInjuryLevel: Code<typeof INJURY_LEVELS> | null;
    staffMedicalProvided: boolean | null;
    subjectInjured: boolean | null;
    subjectInjuryNature: string | null;
    /** Not published by the Met. */
    subjectInjuryLevel: null;
    subjectMedicalOffered: boolean | null;
    subjectMedicalProvided: boolean | null;
  };
  outcomes: {
    outcomes: OutcomeCode[];
    outcomesNotRecorded: OutcomeCode[];
  };
}

export interface ImportedReport {
  content: ImportedContent;
  /** The level the report counts at under the published rule; null when no CED was used. */
  highestLevel: HighestLevel | null;
}

export type MetRowResult = { ok: true; report: ImportedReport } | { ok: false; errors: RowError[] };

// ---------------------------------------------------------------------------------------
// Which column holds what

/** A column and its position, found once: a row is read by position. */
interface Col {
  name: MetColumn;
  at: number;
}
const col = (name: MetColumn): Col => ({ name, at: MET_COLUMN_INDEX[name] });
/** A column by a name built from parts, through the header's aliases (the Met's slips). */
const colNamed = (name: string): Col => col(metColumnNamed(name) ?? metColumn(name));

const yesNoGroup = <V extends Record<string, string>>(vocabulary: V, column: (label: string) => string) =>
  (Object.keys(vocabulary) as Code<V>[]).map((code) => ({ code, column: colNamed(column(vocabulary[code]!)) }));

const LOCATION_COLUMNS = yesNoGroup(LOCATION_TYPES, (l) => `Incident Location: ${l}`);
/** Found through the header's aliases: the Met spells the weapon column "Possesion". */
const IMPACT_COLUMNS = yesNoGroup(IMPACT_FACTORS, (l) => `Impact Factor: ${l}`);
const REASON_COLUMNS = yesNoGroup(REASONS_FOR_FORCE, (l) => `Reason for Force: ${l}`);
const OUTCOME_COLUMNS = yesNoGroup(OUTCOMES, (l) => `Outcome: ${l}`);

/** Tactic n and its Effective column (`Tactic Effective 20`, as published, for the last). */
const TACTIC_SLOTS = Array.from({ length: 20 }, (_, i) => ({ tactic: colNamed(`Tactic ${i + 1}`), effective: colNamed(`Effective ${i + 1}`) }));

const LEVEL_WORDS: Record<Exclude<CedLevel, 'arced'>, string> = {
  drawn: 'Drawn',
  aimed: 'Aimed',
  red_dotted: 'Red-Dotted',
  drive_stun: 'Drive Stun',
  drive_stun_repeat: 'Drive Stun Repeat Application',
  angle_drive_stun: 'Angle Drive Stun',
  fired: 'Fired',
};

interface CedBlock {
  levels: { code: CedLevel; column: Col }[];
  cartridgeNumber: Col;
  cycleInterrupted: Col;
  repeatCycleSameCartridge: Col;
  totalCycles: Col;
  cycleExtended: Col;
  missOneProbe: Col;
  missBothProbes: Col;
  bodyMap: { code: string; column: Col }[];
  /** Every column of the block, for "is anything recorded in this block". */
  all: Col[];
  /** The fired details and the body map, for "were fired details recorded". */
  firedDetails: Col[];
}

const CED_BLOCKS: CedBlock[] = CED_BLOCK_PREFIXES.map((p) => {
  const c = (rest: string) => colNamed(`${p} ${rest}`);
  const levels = CED_LEVELS.map((code) => ({ code, column: code === 'arced' ? col(arcedColumn(p)) : c(LEVEL_WORDS[code]) }));
  const block = {
    levels,
    cartridgeNumber: c('Fired Cartridge Number'),
    cycleInterrupted: c('Fired 5 Secs Cycle Interrupted'),
    repeatCycleSameCartridge: c('Fired Repeat Cycle Same Cartridge'),
    totalCycles: c('Fired Total Number Of Cycles'),
    cycleExtended: c('Fired Cycle Extended Beyond 5 Secs'),
    missOneProbe: c('Fired Miss With One Probe'),
    missBothProbes: c('Fired Miss With Both Probes'),
    bodyMap: BODY_MAP.map((code) => ({ code, column: c(bodyMapLabel(code)) })),
  };
  const details = [block.cartridgeNumber, block.cycleInterrupted, block.repeatCycleSameCartridge, block.totalCycles, block.cycleExtended, block.missOneProbe, block.missBothProbes];
  const firedDetails = [...details, ...block.bodyMap.map((b) => b.column)];
  return { ...block, all: [...levels.map((l) => l.column), ...firedDetails], firedDetails };
});

/**
 * The Cedar field each column fills, for the data dictionary and for checking that every
 * column is accounted for.
 */
export const MET_FIELD_OF: Readonly<Record<MetColumn, string>> = (() => {
  const f: Partial<Record<MetColumn, string>> = {
    IncidentDate: 'incident.date',
    IncidentTime: 'incident.time',
    Borough: 'incident.borough',
    PrimaryConduct: 'reasons.primaryConduct',
    AssaultedBySubject: 'reasons.assaultedBySubject',
    ThreatenedWithWeapon: 'reasons.threatenedWithWeapon',
    AssaultedWithWeapon: 'reasons.assaultedWithWeapon',
    MainDuty: 'duty.mainDuty',
    SingleCrewed: 'duty.singleCrewed',
    TrainedCED: 'duty.cedTrained',
    CarryingCED: 'duty.carryingCed',
    'CED Used': 'tactics.cedUsed',
    'CED Device Serial No': 'ced.deviceSerial',
    'Firearms Aimed': 'tactics.firearmsAimed',
    'Firearms Fired': 'tactics.firearmsFired',
    SubjectAge: 'subject.ageBand',
    SubjectGender: 'subject.gender',
    SubjectEthnicity: 'subject.ethnicity',
    PhysicalDisability: 'subject.physicalDisability',
    MentalDisability: 'subject.mentalDisability',
    StaffInjured: 'injuries.staffInjured',
    StaffInjuryIntentional: 'injuries.staffInjuryIntentional',
    StaffInjuryLevel: 'injuries.staffInjuryLevel',
    StaffMedProvided: 'injuries.staffMedicalProvided',
    SubjectInjured: 'injuries.subjectInjured',
    SubjectNatureOfInjury: 'injuries.subjectInjuryNature',
    SubjectMedOffered: 'injuries.subjectMedicalOffered',
    SubjectMedProvided: 'injuries.subjectMedicalProvided',
  };
  for (const { code, column } of LOCATION_COLUMNS) f[column.name] = `incident.locations: ${code}`;
  for (const { code, column } of IMPACT_COLUMNS) f[column.name] = `reasons.impactFactors: ${code}`;
  for (const { code, column } of REASON_COLUMNS) f[column.name] = `reasons.reasons: ${code}`;
  for (const { code, column } of OUTCOME_COLUMNS) f[column.name] = `outcomes.outcomes: ${code}`;
  TACTIC_SLOTS.forEach((s, i) => {
    f[s.tactic.name] = `tactics.tactics[${i}].tactic`;
    f[s.effective.name] = `tactics.tactics[${i}].effective`;
  });
  CED_BLOCKS.forEach((b, i) => {
    const at = `ced.applications[${i}]`;
    for (const { code, column } of b.levels) f[column.name] = `${at}.levels: ${code}`;
    f[b.cartridgeNumber.name] = `${at}.fired.cartridgeNumber`;
    f[b.cycleInterrupted.name] = `${at}.fired.cycleInterrupted`;
    f[b.repeatCycleSameCartridge.name] = `${at}.fired.repeatCycleSameCartridge`;
    f[b.totalCycles.name] = `${at}.fired.totalCycles`;
    f[b.cycleExtended.name] = `${at}.fired.cycleExtended`;
    f[b.missOneProbe.name] = `${at}.fired.missOneProbe`;
    f[b.missBothProbes.name] = `${at}.fired.missBothProbes`;
    for (const { code, column } of b.bodyMap) f[column.name] = `${at}.fired.probeLocations: ${code}`;
  });
  const missing = MET_COLUMNS.filter((c) => !f[c]);
  if (missing.length) throw new Error(`Met columns with no Cedar field: ${missing.join(', ')}`);
  return f as Record<MetColumn, string>;
})();

// ---------------------------------------------------------------------------------------
// Reading values

/** How list words are compared: case, spaces and the kind of dash do not matter. */
const wordKey = (s: string) =>
  s
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/**
 * A list of the Met's words, read once: each code by its label as published and by its
 * wordKey (so a value as published is found without working out its key), with what the
 * list is and the hint an error gives.
 */
interface Vocabulary<K extends string> {
  by: ReadonlyMap<string, K>;
  what: string;
  hint: string;
}
function vocabulary<V extends Record<string, string>>(v: V, what: string, hint?: string): Vocabulary<Code<V>> {
  const by = new Map<string, Code<V>>();
  for (const code of Object.keys(v) as Code<V>[]) {
    by.set(wordKey(v[code]!), code);
    if (!by.has(v[code]!)) by.set(v[code]!, code);
  }
  const list = Object.values(v)
    .map((l) => `"${l}"`)
    .join(', ');
  return { by, what, hint: hint ?? `one of ${list}` };
}
const MAIN_DUTY = vocabulary(MAIN_DUTIES, 'a main duty');
const AGE = vocabulary(AGE_BANDS, 'an age band');
const GENDER = vocabulary(GENDERS, 'a gender');
const ETHNICITY = vocabulary(ETHNICITIES, 'an ethnicity');
const CONDUCT = vocabulary(PRIMARY_CONDUCT, 'a kind of conduct');
const INJURY = vocabulary(INJURY_LEVELS, 'an injury level');
const TACTIC = vocabulary(TACTICS, 'a tactic', 'a tactic as the Met words it, for example "Tactical Communications" or "CED (Taser) Drawn"');

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const isRealDate = (iso: string) => {
  const m = YMD.exec(iso);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
};
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** IncidentDate in either published form as YYYY-MM-DD; undefined when it is not a real date in either form. */
export function metDate(value: string): string | undefined {
  const iso = csvDate(value.trim());
  return iso && isRealDate(iso) ? iso : undefined;
}

/** IncidentTime (HH:MM or HH:MM:SS, the hour may have one digit) as HH:MM; undefined when it is not a time of day. */
export function metTime(value: string): string | undefined {
  const m = TIME.exec(value.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) return undefined;
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

/** Borough as published, with the Met's one known variant read as Cedar's name. */
export function metBorough(value: string): string | null {
  const name = value.replace(/\s+/g, ' ').trim();
  if (name === '') return null;
  return /^city of westminster$/i.test(name) ? 'Westminster' : name;
}

/** Reads one row's values; collects every problem rather than stopping at the first. */
class RowReader {
  readonly errors: RowError[] = [];
  constructor(
    private readonly values: readonly string[],
    private readonly line: number,
    /** A column's name as the file spells it. */
    readonly nameOfColumn: (c: MetColumn) => string,
  ) {}

  text(c: MetColumn | Col): string {
    return (this.values[typeof c === 'string' ? MET_COLUMN_INDEX[c] : c.at] ?? '').trim();
  }
  textOrNull(c: MetColumn | Col): string | null {
    const v = this.text(c);
    return v === '' ? null : v;
  }
  blank(c: MetColumn | Col): boolean {
    return this.text(c) === '';
  }
  problem(c: MetColumn | Col, message: string): void {
    this.errors.push({ line: this.line, column: this.name(c), message });
  }
  name(c: MetColumn | Col): string {
    return this.nameOfColumn(typeof c === 'string' ? c : c.name);
  }

  yesNo(c: MetColumn | Col): boolean | null {
    const v = this.text(c);
    if (v === '') return null;
    if (v === 'Yes') return true;
    if (v === 'No') return false;
    const k = v.toLowerCase();
    if (k === 'yes') return true;
    if (k === 'no') return false;
    this.problem(c, `"${v}" is not Yes or No: write Yes or No, or leave it blank if it was not recorded`);
    return null;
  }

  choice<K extends string>(c: MetColumn | Col, { by, what, hint }: Vocabulary<K>): K | null {
    const v = this.text(c);
    if (v === '') return null;
    const code = by.get(v) ?? by.get(wordKey(v));
    if (code === undefined) this.problem(c, `"${v}" is not ${what} in the Met's list: use ${hint}, or leave it blank`);
    return code ?? null;
  }

  /** A group of Yes/No columns: the codes answered Yes and those left blank. */
  group<K extends string>(columns: readonly { code: K; column: Col }[]): { yes: K[]; blank: K[] } {
    const yes: K[] = [];
    const blank: K[] = [];
    for (const { code, column } of columns) {
      const v = this.yesNo(column);
      if (v === true) yes.push(code);
      else if (v === null && this.blank(column)) blank.push(code);
    }
    return { yes, blank };
  }

  wholeNumber(c: MetColumn | Col): number | null {
    const v = this.text(c);
    if (v === '') return null;
    if (/^\d{1,4}$/.test(v)) return Number(v);
    this.problem(c, `"${v}" is not a number of cycles: write a whole number, for example 1, or leave it blank`);
    return null;
  }
}

// ---------------------------------------------------------------------------------------
// Row → report

/** The values of a row keyed by column, in MET_COLUMNS order; a column not given is blank. */
export function metRowValues(row: Readonly<Partial<Record<MetColumn, string>>>): string[] {
  return MET_COLUMNS.map((c) => row[c] ?? '');
}

/**
 * Reads one published row. `line` is the row's physical line in the file (for errors).
 * Every problem in the row is reported; a row with a problem gives no report.
 */
export function metRowToReport(row: Readonly<Partial<Record<MetColumn, string>>>, line: number): MetRowResult {
  return metValuesToReport(metRowValues(row), line);
}

/**
 * As metRowToReport, for values in MET_COLUMNS order. `nameOf` gives a column's name as the
 * file spells it, so that errors name the column the person can find in their file.
 */
export function metValuesToReport(values: readonly string[], line: number, nameOf: (c: MetColumn) => string = (c) => c): MetRowResult {
  const r = new RowReader(values, line, nameOf);

  const dateText = r.text('IncidentDate');
  const date = dateText === '' ? null : metDate(dateText);
  if (dateText === '') r.problem('IncidentDate', 'The date of the incident is blank: every row needs one, as YYYY-MM-DD or DD/MM/YYYY');
  else if (!date) r.problem('IncidentDate', `"${dateText}" is not a date: write it as YYYY-MM-DD or DD/MM/YYYY, for example 2019-04-01 or 01/04/2019`);
  const timeText = r.text('IncidentTime');
  const time = timeText === '' ? null : metTime(timeText);
  if (timeText !== '' && !time) r.problem('IncidentTime', `"${timeText}" is not a time of day: write it as HH:MM or HH:MM:SS on the 24-hour clock, for example 22:15`);
  const locations = r.group(LOCATION_COLUMNS);

  const duty: ImportedContent['duty'] = {
    mainDuty: r.choice('MainDuty', MAIN_DUTY),
    singleCrewed: r.yesNo('SingleCrewed'),
    cedTrained: r.yesNo('TrainedCED'),
    carryingCed: r.yesNo('CarryingCED'),
  };
  const subject: ImportedContent['subject'] = {
    ageBand: r.choice('SubjectAge', AGE),
    gender: r.choice('SubjectGender', GENDER),
    ethnicity: r.choice('SubjectEthnicity', ETHNICITY),
    physicalDisability: r.yesNo('PhysicalDisability'),
    mentalDisability: r.yesNo('MentalDisability'),
  };
  const impact = r.group(IMPACT_COLUMNS);
  const reasonList = r.group(REASON_COLUMNS);
  const reasons: ImportedContent['reasons'] = {
    primaryConduct: r.choice('PrimaryConduct', CONDUCT),
    assaultedBySubject: r.yesNo('AssaultedBySubject'),
    threatenedWithWeapon: r.yesNo('ThreatenedWithWeapon'),
    assaultedWithWeapon: r.yesNo('AssaultedWithWeapon'),
    impactFactors: impact.yes,
    impactFactorsNotRecorded: impact.blank,
    reasons: reasonList.yes,
    reasonsNotRecorded: reasonList.blank,
  };

  const tactics: ImportedContent['tactics']['tactics'] = [];
  for (const slot of TACTIC_SLOTS) {
    const tactic = r.choice(slot.tactic, TACTIC);
    const effective = r.yesNo(slot.effective);
    if (tactic) tactics.push({ tactic, effective });
    else if (r.blank(slot.tactic) && !r.blank(slot.effective)) {
      r.problem(slot.effective, `There is an answer in "${r.name(slot.effective)}" but no tactic in "${r.name(slot.tactic)}": add the tactic, or clear the answer`);
    }
  }

  const applications: ImportedCedApplication[] = [];
  for (const block of CED_BLOCKS) {
    if (block.all.every((c) => r.blank(c))) continue;
    const levels = r.group(block.levels);
    let fired: ImportedFired | null = null;
    if (!block.firedDetails.every((c) => r.blank(c))) {
      const probeLocations: string[] = [];
      for (const { code, column } of block.bodyMap) if (r.yesNo(column)) probeLocations.push(code);
      fired = {
        cartridgeNumber: r.textOrNull(block.cartridgeNumber),
        totalCycles: r.wholeNumber(block.totalCycles),
        cycleInterrupted: r.yesNo(block.cycleInterrupted),
        cycleExtended: r.yesNo(block.cycleExtended),
        repeatCycleSameCartridge: r.yesNo(block.repeatCycleSameCartridge),
        missOneProbe: r.yesNo(block.missOneProbe),
        missBothProbes: r.yesNo(block.missBothProbes),
        probeLocations,
      };
    }
    applications.push({ levels: levels.yes, levelsNotRecorded: levels.blank, fired });
  }
  const deviceSerial = r.textOrNull('CED Device Serial No');

  const injuries: ImportedContent['injuries'] = {
    staffInjured: r.yesNo('StaffInjured'),
    staffInjuryIntentional: r.yesNo('StaffInjuryIntentional'),
    staffInjuryLevel: r.choice('StaffInjuryLevel', INJURY),
    staffMedicalProvided: r.yesNo('StaffMedProvided'),
    subjectInjured: r.yesNo('SubjectInjured'),
    subjectInjuryNature: r.textOrNull('SubjectNatureOfInjury'),
    subjectInjuryLevel: null,
    subjectMedicalOffered: r.yesNo('SubjectMedOffered'),
    subjectMedicalProvided: r.yesNo('SubjectMedProvided'),
  };
  const outcomes = r.group(OUTCOME_COLUMNS);

  const content: ImportedContent = {
    source: MET_SOURCE,
    incident: { reference: null, date: date ?? null, time: time ?? null, borough: metBorough(r.text('Borough')), locations: locations.yes, locationsNotRecorded: locations.blank },
    duty,
    subject,
    reasons,
    tactics: { tactics, cedUsed: r.yesNo('CED Used'), firearmsAimed: r.yesNo('Firearms Aimed'), firearmsFired: r.yesNo('Firearms Fired') },
    ced: deviceSerial === null && applications.length === 0 ? null : { deviceSerial, applications },
    injuries,
    outcomes: { outcomes: outcomes.yes, outcomesNotRecorded: outcomes.blank },
  };
  if (r.errors.length) return { ok: false, errors: sortByColumn(r.errors) };
  return { ok: true, report: { content, highestLevel: importedLevel(content) } };
}

/** Errors in the order of the columns in the layout. */
function sortByColumn(errors: RowError[]): RowError[] {
  const at = (e: RowError) => {
    const c = e.column === null ? undefined : metColumnNamed(e.column);
    return c === undefined ? -1 : MET_COLUMN_INDEX[c];
  };
  return errors.sort((a, b) => a.line - b.line || at(a) - at(b));
}

/** The published counting rule over imported content: every CED block and every CED tactic column. */
export function importedLevel(content: Pick<ImportedContent, 'tactics' | 'ced'>): HighestLevel | null {
  return highestLevel({
    cedUsed: content.tactics.cedUsed,
    applications: content.ced?.applications ?? [],
    tactics: content.tactics.tactics.map((t) => t.tactic),
  });
}

// ---------------------------------------------------------------------------------------
// Report → row

export const isImportedContent = (content: ImportedContent | ReportContent): content is ImportedContent => (content as { source?: unknown }).source === MET_SOURCE;

export interface CedarToMetOptions {
  /** The borough's name for a Cedar borough id (Cedar's own reports store the id). */
  boroughName?: (boroughId: string) => string | null | undefined;
}

const allCodes = <V extends Record<string, string>>(v: V) => Object.keys(v) as Code<V>[];

/**
 * Cedar's own report content in the imported shape, so that one writer serves both. Every
 * answer Cedar has is known, so nothing is "not recorded" except in a missing section.
 * What the Met does not publish is left out: the incident reference is kept on the
 * content but not written; justification, body-worn video, the post-use procedure and the
 * subject's injury level have no column. A Taser section left over after answering
 * "no Taser" is not part of the record (as in levelOf).
 */
export function cedarContentToImported(content: ReportContent, options: CedarToMetOptions = {}): ImportedContent {
  const { incident, duty, subject, reasons, tactics, ced, injuries, outcomes } = content;
  const cedApplies = tactics?.cedUsed !== false;
  return {
    source: MET_SOURCE,
    incident: {
      reference: incident?.reference ?? null,
      date: incident?.date ?? null,
      time: incident?.time ?? null,
      borough: incident ? (options.boroughName?.(incident.boroughId) ?? null) : null,
      locations: incident?.locations ?? [],
      locationsNotRecorded: incident ? [] : allCodes(LOCATION_TYPES),
    },
    duty: {
      mainDuty: duty?.mainDuty ?? null,
      singleCrewed: duty?.singleCrewed ?? null,
      cedTrained: duty?.cedTrained ?? null,
      carryingCed: duty?.carryingCed ?? null,
    },
    subject: {
      ageBand: subject?.ageBand ?? null,
      gender: subject?.gender ?? null,
      ethnicity: subject?.ethnicity ?? null,
      physicalDisability: subject?.physicalDisability ?? null,
      mentalDisability: subject?.mentalDisability ?? null,
    },
    reasons: {
      primaryConduct: reasons?.primaryConduct ?? null,
      assaultedBySubject: reasons?.assaultedBySubject ?? null,
      threatenedWithWeapon: reasons?.threatenedWithWeapon ?? null,
      assaultedWithWeapon: reasons?.assaultedWithWeapon ?? null,
      impactFactors: reasons?.impactFactors ?? [],
      impactFactorsNotRecorded: reasons ? [] : allCodes(IMPACT_FACTORS),
      reasons: reasons?.reasons ?? [],
      reasonsNotRecorded: reasons ? [] : allCodes(REASONS_FOR_FORCE),
    },
    tactics: {
      tactics: tactics?.tactics.map((t) => ({ tactic: t.tactic, effective: t.effective })) ?? [],
      cedUsed: tactics?.cedUsed ?? null,
      firearmsAimed: tactics?.firearmsAimed ?? null,
      firearmsFired: tactics?.firearmsFired ?? null,
    },
    ced:
      ced && cedApplies
        ? {
            deviceSerial: ced.deviceSerial,
            applications: ced.applications.map((a) => ({
              levels: [...a.levels],
              levelsNotRecorded: [],
              fired: a.fired ? { ...a.fired, probeLocations: [...a.fired.probeLocations] } : null,
            })),
          }
        : null,
    injuries: {
      staffInjured: injuries?.staffInjured ?? null,
      staffInjuryIntentional: injuries?.staffInjuryIntentional ?? null,
      staffInjuryLevel: injuries?.staffInjuryLevel ?? null,
      staffMedicalProvided: injuries?.staffMedicalProvided ?? null,
      subjectInjured: injuries?.subjectInjured ?? null,
      subjectInjuryNature: injuries?.subjectInjuryNature ?? null,
      subjectInjuryLevel: null,
      subjectMedicalOffered: injuries?.subjectMedicalOffered ?? null,
      subjectMedicalProvided: injuries?.subjectMedicalProvided ?? null,
    },
    outcomes: { outcomes: outcomes?.outcomes ?? [], outcomesNotRecorded: outcomes ? [] : allCodes(OUTCOMES) },
  };
}

const yn = (b: boolean | null | undefined) => (b === null || b === undefined ? '' : b ? 'Yes' : 'No');
const label = <V extends Record<string, string>>(v: V, code: string | null) => (code === null ? '' : (v[code] ?? ''));

/**
 * A report as the 271 values of a row, in MET_COLUMNS order: Yes/No, dates YYYY-MM-DD,
 * times HH:MM:SS, words as the Met spells them, blank for what was not recorded. Takes
 * imported content as it is, and Cedar's own content through cedarContentToImported.
 */
export function reportToMetRow(content: ImportedContent | ReportContent, options: CedarToMetOptions = {}): string[] {
  const c = isImportedContent(content) ? content : cedarContentToImported(content, options);
  const out: string[] = new Array<string>(MET_COLUMNS.length).fill('');
  const set = (c: MetColumn | Col, value: string) => {
    out[typeof c === 'string' ? MET_COLUMN_INDEX[c] : c.at] = value;
  };
  const group = <K extends string>(columns: readonly { code: K; column: Col }[], yes: readonly K[], blank: readonly K[]) => {
    for (const { code, column } of columns) set(column, yes.includes(code) ? 'Yes' : blank.includes(code) ? '' : 'No');
  };

  set('IncidentDate', c.incident.date ?? '');
  set('IncidentTime', c.incident.time ? `${c.incident.time}:00` : '');
  group(LOCATION_COLUMNS, c.incident.locations, c.incident.locationsNotRecorded);
  set('Borough', c.incident.borough ?? '');

  set('PrimaryConduct', label(PRIMARY_CONDUCT, c.reasons.primaryConduct));
  set('AssaultedBySubject', yn(c.reasons.assaultedBySubject));
  set('ThreatenedWithWeapon', yn(c.reasons.threatenedWithWeapon));
  set('AssaultedWithWeapon', yn(c.reasons.assaultedWithWeapon));
  group(IMPACT_COLUMNS, c.reasons.impactFactors, c.reasons.impactFactorsNotRecorded);
  group(REASON_COLUMNS, c.reasons.reasons, c.reasons.reasonsNotRecorded);

  set('MainDuty', label(MAIN_DUTIES, c.duty.mainDuty));
  set('SingleCrewed', yn(c.duty.singleCrewed));
  set('TrainedCED', yn(c.duty.cedTrained));
  set('CarryingCED', yn(c.duty.carryingCed));

  if (c.tactics.tactics.length > TACTIC_SLOTS.length) throw new Error(`The Met layout has room for ${TACTIC_SLOTS.length} tactics, not ${c.tactics.tactics.length}`);
  c.tactics.tactics.forEach((t, i) => {
    set(TACTIC_SLOTS[i]!.tactic, label(TACTICS, t.tactic));
    set(TACTIC_SLOTS[i]!.effective, yn(t.effective));
  });
  set('CED Used', yn(c.tactics.cedUsed));
  set('Firearms Aimed', yn(c.tactics.firearmsAimed));
  set('Firearms Fired', yn(c.tactics.firearmsFired));

  if (c.ced) {
    set('CED Device Serial No', c.ced.deviceSerial ?? '');
    if (c.ced.applications.length > CED_BLOCKS.length) throw new Error(`The Met layout has room for ${CED_BLOCKS.length} Taser applications, not ${c.ced.applications.length}`);
    c.ced.applications.forEach((a, i) => {
      const block = CED_BLOCKS[i]!;
      group(block.levels, a.levels, a.levelsNotRecorded);
      const f = a.fired;
      if (!f) return;
      set(block.cartridgeNumber, f.cartridgeNumber ?? '');
      set(block.cycleInterrupted, yn(f.cycleInterrupted));
      set(block.repeatCycleSameCartridge, yn(f.repeatCycleSameCartridge));
      set(block.totalCycles, f.totalCycles === null ? '' : String(f.totalCycles));
      set(block.cycleExtended, yn(f.cycleExtended));
      set(block.missOneProbe, yn(f.missOneProbe));
      set(block.missBothProbes, yn(f.missBothProbes));
      for (const { code, column } of block.bodyMap) if (f.probeLocations.includes(code)) set(column, 'Yes');
    });
  }

  set('SubjectAge', label(AGE_BANDS, c.subject.ageBand));
  set('SubjectGender', label(GENDERS, c.subject.gender));
  set('SubjectEthnicity', label(ETHNICITIES, c.subject.ethnicity));
  set('PhysicalDisability', yn(c.subject.physicalDisability));
  set('MentalDisability', yn(c.subject.mentalDisability));

  set('StaffInjured', yn(c.injuries.staffInjured));
  set('StaffInjuryIntentional', yn(c.injuries.staffInjuryIntentional));
  set('StaffInjuryLevel', label(INJURY_LEVELS, c.injuries.staffInjuryLevel));
  set('StaffMedProvided', yn(c.injuries.staffMedicalProvided));
  set('SubjectInjured', yn(c.injuries.subjectInjured));
  set('SubjectNatureOfInjury', c.injuries.subjectInjuryNature ?? '');
  set('SubjectMedOffered', yn(c.injuries.subjectMedicalOffered));
  set('SubjectMedProvided', yn(c.injuries.subjectMedicalProvided));

  group(OUTCOME_COLUMNS, c.outcomes.outcomes, c.outcomes.outcomesNotRecorded);
  return out;
}
