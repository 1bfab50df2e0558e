/**
 * The disclosure check: what may leave Cedar for the public. Pure.
 *
 * Public output never carries an officer's identity or collar number, a device serial, an
 * incident reference, free text, or a time finer than the hour. Rather than hunting for
 * those, the check says what each public value MAY be, and anything else is a problem:
 *
 * - a row in the Met layout: each column holds only its published categories (the
 *   vocabulary's words, the force's borough names), Yes / No / blank, a small whole number
 *   where the layout counts something (cycles; which cartridge), the incident date, and the
 *   hour (`HH:00:00`). The device serial and the subject's injury description (the layout's
 *   only free text) are always blank; a cartridge's serial number is blanked.
 * - aggregates: category labels from the same lists, and whole numbers.
 * - any text (a page, a download): none of a list of known sensitive values appears in it
 *   (used by the tests with marker values planted in every sensitive field, and at publish
 *   time with the period's references and serials and the force's officers).
 */
import { HIGHEST_LEVEL_LABELS } from './report/levels.js';
import { AGE_BANDS, ETHNICITIES, GENDERS, IMPACT_FACTORS, INJURY_LEVELS, LOCATION_TYPES, MAIN_DUTIES, OUTCOMES, PRIMARY_CONDUCT, REASONS_FOR_FORCE, TACTICS } from './report/vocabulary.js';
import { MET_COLUMN_INDEX, MET_COLUMNS, type MetColumn } from './met/layout.js';
import { DISCHARGE_GROUPS, NOT_RECORDED, SINGLE_CREWED } from './stats/counting.js';
import type { ReleaseSnapshot } from './stats/release.js';

export interface DisclosureProblem {
  /** Where: `uses.csv line 12, column CED Device Serial No`, `aggregates: Borough row "…"`, `page /transparency`. */
  where: string;
  message: string;
}

/** Columns that are never published: the device's serial and the one free-text answer. */
export const WITHHELD_COLUMNS: readonly MetColumn[] = ['CED Device Serial No', 'SubjectNatureOfInjury'];

const OUT_OF_FORCE = 'Out of force';
const labels = (v: Record<string, string>) => new Set(Object.values(v));
const CATEGORY_COLUMNS = new Map<number, Set<string>>([
  [MET_COLUMN_INDEX.PrimaryConduct, labels(PRIMARY_CONDUCT)],
  [MET_COLUMN_INDEX.MainDuty, labels(MAIN_DUTIES)],
  [MET_COLUMN_INDEX.SubjectAge, labels(AGE_BANDS)],
  [MET_COLUMN_INDEX.SubjectGender, labels(GENDERS)],
  [MET_COLUMN_INDEX.SubjectEthnicity, labels(ETHNICITIES)],
  [MET_COLUMN_INDEX.StaffInjuryLevel, labels(INJURY_LEVELS)],
]);
const TACTIC_LABELS = labels(TACTICS);
const TIME = MET_COLUMN_INDEX.IncidentTime;
const DATE = MET_COLUMN_INDEX.IncidentDate;
const BOROUGH = MET_COLUMN_INDEX.Borough;
const WITHHELD = new Set(WITHHELD_COLUMNS.map((c) => MET_COLUMN_INDEX[c]));
const TACTIC_COLUMNS = new Set(MET_COLUMNS.flatMap((c, i) => (/^Tactic \d+$/.test(c) ? [i] : [])));
/** Counts in the layout: which cartridge, how many cycles. */
const NUMBER_COLUMNS = new Set(MET_COLUMNS.flatMap((c, i) => (/Fired (Cartridge Number|Total Number Of Cycles)$/.test(c) ? [i] : [])));

/**
 * Cedar records a fired cartridge's serial number where the Met publishes which cartridge
 * (1 or 2): a serial identifies a device's cartridge and is withheld, a small number is kept.
 */
const CARTRIDGE_COLUMNS = MET_COLUMNS.flatMap((c, i) => (/Fired Cartridge Number$/.test(c) ? [i] : []));

/** A row in the Met layout as the public may see it: withheld columns blank, cartridge serials blank, the time to the hour. */
export function publicMetRow(values: readonly string[]): string[] {
  const out = values.slice();
  for (const i of WITHHELD) out[i] = '';
  for (const i of CARTRIDGE_COLUMNS) if (!/^\d{1,2}$/.test(out[i] ?? '')) out[i] = '';
  const t = out[TIME] ?? '';
  const m = /^(\d{1,2}):\d{2}/.exec(t);
  out[TIME] = m ? `${m[1]!.padStart(2, '0')}:00:00` : '';
  return out;
}

/** Why a public row's cells could disclose something; empty when it passes. `line` is the file line (header = 1). */
export function metRowProblems(values: readonly string[], line: number, boroughs: ReadonlySet<string>, file = 'uses.csv'): DisclosureProblem[] {
  const problems: DisclosureProblem[] = [];
  const bad = (i: number, message: string) => problems.push({ where: `${file} line ${line}, column ${MET_COLUMNS[i]}`, message });
  if (values.length !== MET_COLUMNS.length) bad(0, `has ${values.length} columns, not ${MET_COLUMNS.length}`);
  for (let i = 0; i < MET_COLUMNS.length; i++) {
    const v = values[i] ?? '';
    if (v === '') continue;
    if (WITHHELD.has(i)) bad(i, 'is withheld from publication but has a value');
    else if (i === DATE) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) bad(i, `"${v}" is not a date in the form YYYY-MM-DD`);
    } else if (i === TIME) {
      if (!/^\d{2}:00(:00)?$/.test(v)) bad(i, `"${v}" is not a time to the hour`);
    } else if (i === BOROUGH) {
      if (!boroughs.has(v) && v !== OUT_OF_FORCE) bad(i, `"${v}" is not one of the force's boroughs`);
    } else if (CATEGORY_COLUMNS.has(i)) {
      if (!CATEGORY_COLUMNS.get(i)!.has(v)) bad(i, `"${v}" is not one of the published categories`);
    } else if (TACTIC_COLUMNS.has(i)) {
      if (!TACTIC_LABELS.has(v)) bad(i, `"${v}" is not one of the published tactics`);
    } else if (NUMBER_COLUMNS.has(i)) {
      if (!/^\d{1,2}$/.test(v)) bad(i, `"${v}" is not a small whole number`);
    } else if (v !== 'Yes' && v !== 'No') bad(i, `"${v}" is not Yes, No or blank`);
  }
  return problems;
}

/** Every category label an aggregate may carry, besides the force's borough names. */
const AGGREGATE_LABELS = new Set<string>([
  NOT_RECORDED,
  ...Object.values(HIGHEST_LEVEL_LABELS),
  ...Object.values(DISCHARGE_GROUPS),
  ...Object.values(SINGLE_CREWED),
  ...[AGE_BANDS, GENDERS, ETHNICITIES, IMPACT_FACTORS, LOCATION_TYPES, MAIN_DUTIES, OUTCOMES, REASONS_FOR_FORCE].flatMap((v) => Object.values(v)),
]);

/** Why a release's aggregates could disclose something: a label that is not a category, a count that is not a whole number. */
export function snapshotProblems(s: ReleaseSnapshot, boroughs: ReadonlySet<string>): DisclosureProblem[] {
  const problems: DisclosureProblem[] = [];
  const counts = (where: string, c: Record<string, number>) => {
    for (const [k, n] of Object.entries(c)) if (!Number.isSafeInteger(n) || n < 0) problems.push({ where, message: `${k} is ${String(n)}, not a whole number` });
  };
  counts('aggregates: totals', { ...s.totals });
  if (s.deviceLogs) counts('aggregates: discharges confirmed by device logs', { ...s.deviceLogs });
  for (const m of s.months) {
    if (!/^\d{4}-\d{2}$/.test(m.key)) problems.push({ where: `aggregates: month ${m.key}`, message: 'is not a month' });
    counts(`aggregates: ${m.label}`, { ...m.counts });
  }
  for (const b of s.breakdowns) {
    for (const r of b.rows) {
      const where = `aggregates: ${b.title} row "${r.label}"`;
      if (!AGGREGATE_LABELS.has(r.label) && !boroughs.has(r.label) && r.label !== OUT_OF_FORCE) problems.push({ where, message: 'is not a published category' });
      counts(where, { ...r.counts });
    }
  }
  return problems;
}

/** A value that must never be published, and what it is (for the message). */
export interface Sensitive {
  kind: 'officer name' | 'collar number' | 'device serial' | 'incident reference' | 'free text' | 'account';
  value: string;
}

/**
 * Which sensitive values appear in a text. Values shorter than 4 characters are not
 * searched for (a collar number of "12" would match every count); the structural checks
 * above keep those out instead. Case-insensitive.
 */
export function textProblems(text: string, sensitive: Iterable<Sensitive>, where: string): DisclosureProblem[] {
  const haystack = text.toLowerCase();
  const problems: DisclosureProblem[] = [];
  const seen = new Set<string>();
  for (const s of sensitive) {
    const needle = s.value.trim().toLowerCase();
    if (needle.length < 4 || seen.has(needle)) continue;
    seen.add(needle);
    if (haystack.includes(needle)) problems.push({ where, message: `contains a ${s.kind} ("${s.value}")` });
  }
  return problems;
}

/** What each column of the public uses-of-force file may hold, in words: the data dictionary, from the same rules the check applies. */
export function publicColumnDictionary(): { column: string; values: string }[] {
  return MET_COLUMNS.map((column, i) => {
    let values: string;
    if (WITHHELD.has(i)) values = 'Always blank: withheld from publication';
    else if (i === DATE) values = 'The date of the incident, YYYY-MM-DD';
    else if (i === TIME) values = 'The hour of the incident, HH:00:00 (minutes are not published)';
    else if (i === BOROUGH) values = `The borough, or ${OUT_OF_FORCE}`;
    else if (CATEGORY_COLUMNS.has(i)) values = [...CATEGORY_COLUMNS.get(i)!].join(' / ');
    else if (TACTIC_COLUMNS.has(i)) values = 'One of the published tactics (see the list above), or blank';
    else if (NUMBER_COLUMNS.has(i)) values = 'A small whole number (which cartridge; how many cycles), or blank. Cartridge serial numbers are withheld';
    else values = 'Yes / No / blank (not recorded)';
    return { column, values };
  });
}
