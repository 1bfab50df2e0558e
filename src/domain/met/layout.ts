/**
 * The Metropolitan Police's published use-of-force layout: 271 columns, one row per officer's
 * use of force on one subject. Pure: names, the order and the header check. What each column
 * means for Cedar is in rows.ts; reading and writing files is in read.ts and write.ts.
 */
import { quoteValue } from '../csv.js';

/**
 * The columns in order, spelled exactly as the Met publishes them, slips included
 * (`Impact Factor: Possesion of a weapon`, `Tactic Effective 20`, `CED2 ArCED2`..`CED4 ArCED4`).
 * These published spellings are the canonical keys everywhere in Cedar's Met code.
 */
export const MET_COLUMNS = [
  // The incident
  'IncidentDate',
  'IncidentTime',
  'Incident Location: Street/Highway',
  'Incident Location: Public Transport',
  'Incident Location: Retail Premises',
  'Incident Location: Open ground (e.g. park, car park, field)',
  'Incident Location: Licensed Premises',
  'Incident Location: Sports or Event Stadia',
  'Incident Location: Hospital/A&E (non-mental-health setting)',
  'Incident Location: Mental Health Setting',
  'Incident Location: Police vehicle with prisoner handling cage',
  'Incident Location: Police vehicle without prisoner handling cage',
  'Incident Location: Dwelling',
  'Incident Location: Police station (excluding custody block)',
  'Incident Location: Custody Block',
  'Incident Location: Ambulance',
  'Incident Location: Other',
  'Borough',
  // The subject's conduct, impact factors and reasons for force
  'PrimaryConduct',
  'AssaultedBySubject',
  'ThreatenedWithWeapon',
  'AssaultedWithWeapon',
  'Impact Factor: Possesion of a weapon',
  'Impact Factor: Alcohol',
  'Impact Factor: Drugs',
  'Impact Factor: Mental Health',
  'Impact Factor: Prior Knowledge',
  'Impact Factor: Size/Gender/Build',
  'Impact Factor: Acute Behavioural Disorder',
  'Impact Factor: Crowd',
  'Impact Factor: Other',
  'Reason for Force: Protect self',
  'Reason for Force: Protect Public',
  'Reason for Force: Protect Subject',
  'Reason for Force: Protect Other Officers',
  'Reason for Force: Prevent Offence',
  'Reason for Force: Secure Evidence',
  'Reason for Force: Effect Search',
  'Reason for Force: Effect Arrest',
  'Reason for Force: Method of Entry',
  'Reason for Force: Remove Handcuffs',
  'Reason for Force: Prevent Harm',
  'Reason for Force: Prevent Escape',
  'Reason for Force: Other',
  // The officer's duty
  'MainDuty',
  'SingleCrewed',
  'TrainedCED',
  'CarryingCED',
  // Tactics 1-20 and whether each was effective (the last is published as 'Tactic Effective 20')
  'Tactic 1',
  'Effective 1',
  'Tactic 2',
  'Effective 2',
  'Tactic 3',
  'Effective 3',
  'Tactic 4',
  'Effective 4',
  'Tactic 5',
  'Effective 5',
  'Tactic 6',
  'Effective 6',
  'Tactic 7',
  'Effective 7',
  'Tactic 8',
  'Effective 8',
  'Tactic 9',
  'Effective 9',
  'Tactic 10',
  'Effective 10',
  'Tactic 11',
  'Effective 11',
  'Tactic 12',
  'Effective 12',
  'Tactic 13',
  'Effective 13',
  'Tactic 14',
  'Effective 14',
  'Tactic 15',
  'Effective 15',
  'Tactic 16',
  'Effective 16',
  'Tactic 17',
  'Effective 17',
  'Tactic 18',
  'Effective 18',
  'Tactic 19',
  'Effective 19',
  'Tactic 20',
  'Tactic Effective 20',
  // Taser use and the device: once per row
  'CED Used',
  'CED Device Serial No',
  // CED block 1: levels, fired details, body map
  'CED Drawn',
  'CED Aimed',
  'CED Arced',
  'CED Red-Dotted',
  'CED Drive Stun',
  'CED Drive Stun Repeat Application',
  'CED Angle Drive Stun',
  'CED Fired',
  'CED Fired Cartridge Number',
  'CED Fired 5 Secs Cycle Interrupted',
  'CED Fired Repeat Cycle Same Cartridge',
  'CED Fired Total Number Of Cycles',
  'CED Fired Cycle Extended Beyond 5 Secs',
  'CED Fired Miss With One Probe',
  'CED Fired Miss With Both Probes',
  'CED Front 1',
  'CED Front 2',
  'CED Front 3',
  'CED Front 4',
  'CED Front 5',
  'CED Front 6',
  'CED Front 7',
  'CED Front 8',
  'CED Front 9',
  'CED Front 10',
  'CED Front 11',
  'CED Front 12',
  'CED Front 13',
  'CED Front 14',
  'CED Front 15',
  'CED Back A',
  'CED Back B',
  'CED Back C',
  'CED Back D',
  'CED Back E',
  'CED Back F',
  'CED Back G',
  'CED Back H',
  'CED Back J',
  'CED Back K',
  // CED block 2: levels, fired details, body map (the arced column is published as 'CED2 ArCED2')
  'CED2 Drawn',
  'CED2 Aimed',
  'CED2 ArCED2',
  'CED2 Red-Dotted',
  'CED2 Drive Stun',
  'CED2 Drive Stun Repeat Application',
  'CED2 Angle Drive Stun',
  'CED2 Fired',
  'CED2 Fired Cartridge Number',
  'CED2 Fired 5 Secs Cycle Interrupted',
  'CED2 Fired Repeat Cycle Same Cartridge',
  'CED2 Fired Total Number Of Cycles',
  'CED2 Fired Cycle Extended Beyond 5 Secs',
  'CED2 Fired Miss With One Probe',
  'CED2 Fired Miss With Both Probes',
  'CED2 Front 1',
  'CED2 Front 2',
  'CED2 Front 3',
  'CED2 Front 4',
  'CED2 Front 5',
  'CED2 Front 6',
  'CED2 Front 7',
  'CED2 Front 8',
  'CED2 Front 9',
  'CED2 Front 10',
  'CED2 Front 11',
  'CED2 Front 12',
  'CED2 Front 13',
  'CED2 Front 14',
  'CED2 Front 15',
  'CED2 Back A',
  'CED2 Back B',
  'CED2 Back C',
  'CED2 Back D',
  'CED2 Back E',
  'CED2 Back F',
  'CED2 Back G',
  'CED2 Back H',
  'CED2 Back J',
  'CED2 Back K',
  // CED block 3: levels, fired details, body map (the arced column is published as 'CED3 ArCED3')
  'CED3 Drawn',
  'CED3 Aimed',
  'CED3 ArCED3',
  'CED3 Red-Dotted',
  'CED3 Drive Stun',
  'CED3 Drive Stun Repeat Application',
  'CED3 Angle Drive Stun',
  'CED3 Fired',
  'CED3 Fired Cartridge Number',
  'CED3 Fired 5 Secs Cycle Interrupted',
  'CED3 Fired Repeat Cycle Same Cartridge',
  'CED3 Fired Total Number Of Cycles',
  'CED3 Fired Cycle Extended Beyond 5 Secs',
  'CED3 Fired Miss With One Probe',
  'CED3 Fired Miss With Both Probes',
  'CED3 Front 1',
  'CED3 Front 2',
  'CED3 Front 3',
  'CED3 Front 4',
  'CED3 Front 5',
  'CED3 Front 6',
  'CED3 Front 7',
  'CED3 Front 8',
  'CED3 Front 9',
  'CED3 Front 10',
  'CED3 Front 11',
  'CED3 Front 12',
  'CED3 Front 13',
  'CED3 Front 14',
  'CED3 Front 15',
  'CED3 Back A',
  'CED3 Back B',
  'CED3 Back C',
  'CED3 Back D',
  'CED3 Back E',
  'CED3 Back F',
  'CED3 Back G',
  'CED3 Back H',
  'CED3 Back J',
  'CED3 Back K',
  // CED block 4: levels, fired details, body map (the arced column is published as 'CED4 ArCED4')
  'CED4 Drawn',
  'CED4 Aimed',
  'CED4 ArCED4',
  'CED4 Red-Dotted',
  'CED4 Drive Stun',
  'CED4 Drive Stun Repeat Application',
  'CED4 Angle Drive Stun',
  'CED4 Fired',
  'CED4 Fired Cartridge Number',
  'CED4 Fired 5 Secs Cycle Interrupted',
  'CED4 Fired Repeat Cycle Same Cartridge',
  'CED4 Fired Total Number Of Cycles',
  'CED4 Fired Cycle Extended Beyond 5 Secs',
  'CED4 Fired Miss With One Probe',
  'CED4 Fired Miss With Both Probes',
  'CED4 Front 1',
  'CED4 Front 2',
  'CED4 Front 3',
  'CED4 Front 4',
  'CED4 Front 5',
  'CED4 Front 6',
  'CED4 Front 7',
  'CED4 Front 8',
  'CED4 Front 9',
  'CED4 Front 10',
  'CED4 Front 11',
  'CED4 Front 12',
  'CED4 Front 13',
  'CED4 Front 14',
  'CED4 Front 15',
  'CED4 Back A',
  'CED4 Back B',
  'CED4 Back C',
  'CED4 Back D',
  'CED4 Back E',
  'CED4 Back F',
  'CED4 Back G',
  'CED4 Back H',
  'CED4 Back J',
  'CED4 Back K',
  // Firearms
  'Firearms Aimed',
  'Firearms Fired',
  // The subject
  'SubjectAge',
  'SubjectGender',
  'SubjectEthnicity',
  'PhysicalDisability',
  'MentalDisability',
  // Injuries and medical assistance
  'StaffInjured',
  'StaffInjuryIntentional',
  'StaffInjuryLevel',
  'StaffMedProvided',
  'SubjectInjured',
  'SubjectNatureOfInjury',
  'SubjectMedOffered',
  'SubjectMedProvided',
  // Outcomes
  'Outcome: Made off/escaped',
  'Outcome: Arrested',
  'Outcome: Hospitalised',
  'Outcome: Detained - Mental Health Act',
  'Outcome: Fatality',
  'Outcome: Other',
] as const;

export type MetColumn = (typeof MET_COLUMNS)[number];

/** Position of each column in MET_COLUMNS. */
export const MET_COLUMN_INDEX: Readonly<Record<MetColumn, number>> = Object.fromEntries(MET_COLUMNS.map((c, i) => [c, i])) as Record<MetColumn, number>;

export const isMetColumn = (name: string): name is MetColumn => Object.hasOwn(MET_COLUMN_INDEX, name);

/** Narrows a column name built from parts (block prefixes, numbers) and fails loudly if the layout has no such column. */
export function metColumn(name: string): MetColumn {
  if (!isMetColumn(name)) throw new Error(`Not a Met use-of-force column: ${name}`);
  return name;
}

/** The CED blocks' column prefixes: the first application is `CED`, further ones `CED2`..`CED4`. */
export const CED_BLOCK_PREFIXES = ['CED', 'CED2', 'CED3', 'CED4'] as const;

/** The arced column of a block: `CED Arced` in the first, `CED2 ArCED2` (as published) in the others. */
export const arcedColumn = (prefix: string): MetColumn => metColumn(prefix === 'CED' ? 'CED Arced' : `${prefix} Ar${prefix}`);

/**
 * Corrected spellings of the Met's slips, accepted leniently in a header and read as the
 * published column. A file is written back with the published spelling.
 */
export const MET_COLUMN_ALIASES: Readonly<Record<string, MetColumn>> = {
  'Impact Factor: Possession of a weapon': 'Impact Factor: Possesion of a weapon',
  'Effective 20': 'Tactic Effective 20',
  'CED2 Arced': 'CED2 ArCED2',
  'CED3 Arced': 'CED3 ArCED3',
  'CED4 Arced': 'CED4 ArCED4',
};

/**
 * How header names are compared: case, runs of spaces (and line breaks, which a spreadsheet
 * can put in a long heading) and a stray byte order mark do not matter.
 */
export const headerKey = (name: string) =>
  name
    .replace(/\uFEFF/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

const COLUMN_BY_KEY: ReadonlyMap<string, MetColumn> = (() => {
  const m = new Map<string, MetColumn>();
  const add = (name: string, column: MetColumn) => {
    const key = headerKey(name);
    const seen = m.get(key);
    if (seen && seen !== column) throw new Error(`Met header names ${seen} and ${name} cannot be told apart`);
    m.set(key, column);
  };
  for (const c of MET_COLUMNS) add(c, c);
  for (const [alias, c] of Object.entries(MET_COLUMN_ALIASES)) add(alias, c);
  return m;
})();

/** The Met column a header name stands for (published spelling, corrected spelling, any case), if any. */
export const metColumnNamed = (name: string): MetColumn | undefined => COLUMN_BY_KEY.get(headerKey(name));

/** A header that fits the layout: for each position in a row, the column it holds (null: a column with no name). */
export interface MetHeaderOk {
  ok: true;
  positions: (MetColumn | null)[];
  /** The name each column has in this file (differs from the published one when the file uses a corrected spelling or another case). */
  nameInFile: ReadonlyMap<MetColumn, string>;
}

/** A header that does not fit: the file has the wrong layout, and nothing in it should be imported. */
export interface MetHeaderProblem {
  ok: false;
  /** Published columns the file does not have, in layout order. */
  missing: MetColumn[];
  /** Names in the file that are not columns of the layout, in file order. */
  unexpected: string[];
  /** Columns the file has more than once (under any spelling). */
  duplicated: MetColumn[];
  /** One sentence for the person importing, naming the columns. */
  message: string;
}

export type MetHeaderCheck = MetHeaderOk | MetHeaderProblem;

const listed = (names: readonly string[], max = 12) =>
  names.length <= max
    ? names.map((n) => quoteValue(n)).join(', ')
    : `${names
        .slice(0, max)
        .map((n) => quoteValue(n))
        .join(', ')} and ${names.length - max} more`;

/**
 * Checks a header row against the layout. Columns may come in any order (they are mapped by
 * name); every published column must be there once, and no other named column may be:
 * an extra column would be data that Cedar silently drops. Columns with an empty name (a
 * spreadsheet's trailing commas) are allowed; a value in one is the row's problem.
 */
export function checkMetHeader(fields: readonly string[]): MetHeaderCheck {
  const positions: (MetColumn | null)[] = [];
  const nameInFile = new Map<MetColumn, string>();
  const unexpected: string[] = [];
  const duplicated = new Set<MetColumn>();
  for (const raw of fields) {
    const name = raw.replace(/\uFEFF/g, '').trim();
    if (name === '') {
      positions.push(null);
      continue;
    }
    const column = metColumnNamed(name);
    if (!column) {
      unexpected.push(name);
      positions.push(null);
    } else if (nameInFile.has(column)) {
      duplicated.add(column);
      positions.push(null);
    } else {
      nameInFile.set(column, name);
      positions.push(column);
    }
  }
  const missing = MET_COLUMNS.filter((c) => !nameInFile.has(c));
  if (missing.length === 0 && unexpected.length === 0 && duplicated.size === 0) return { ok: true, positions, nameInFile };

  const parts: string[] = [];
  if (missing.length === MET_COLUMNS.length) parts.push(`none of the ${MET_COLUMNS.length} columns of the Met's use-of-force layout is in the header row`);
  else if (missing.length) parts.push(`${missing.length} ${missing.length === 1 ? 'column is' : 'columns are'} missing: ${listed(missing)}`);
  if (unexpected.length && missing.length < MET_COLUMNS.length) {
    parts.push(`${unexpected.length === 1 ? 'a column is' : `${unexpected.length} columns are`} not in the layout: ${listed(unexpected)}`);
  }
  if (duplicated.size) parts.push(`${duplicated.size === 1 ? 'a column appears' : 'columns appear'} more than once: ${listed([...duplicated])}`);
  const message = `This is not a file in the Met's use-of-force layout (${MET_COLUMNS.length} columns): ${parts.join('; ')}.`;
  return { ok: false, missing, unexpected, duplicated: [...duplicated], message };
}
