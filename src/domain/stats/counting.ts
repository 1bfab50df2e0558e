import type { Facts } from './facts.js';
import { HIGHEST_LEVEL_LABELS, HIGHEST_LEVELS, type HighestLevel } from '../report/levels.js';
import { AGE_BANDS, ETHNICITIES, GENDERS, IMPACT_FACTORS, LOCATION_TYPES, MAIN_DUTIES, OUTCOMES, REASONS_FOR_FORCE, type Vocabulary } from '../report/vocabulary.js';
import { bucketIndex, bucketIndexesOf, bucketOfIndex, PERIOD_UNIT_LABELS, type Period, type PeriodUnit } from './periods.js';

/**
 * Counting CED (Taser) use the Home Office way (reference/README.md): one count per report
 * in which a CED was used, at that report's highest level; "not stated" when CED use is
 * recorded without a level. Reports without CED use (`highestLevel === null`) are not counted.
 *
 *   Total non-discharge = Drawn + Aimed + Red-dot + Arced
 *   Total discharge     = Drive stun + Fired + Angled drive stun
 *   Total               = Total non-discharge + Total discharge + Not stated
 *
 * Everything here is a single pass over the reports with integer counters, so a year of a
 * national force's reports (or a million) counts in well under a second.
 */

/** One stored report, as the statistics need it. Codes are the vocabulary codes of `report/vocabulary.ts`. */
export interface CountedReport extends Facts {
  /** The London date of the incident, `YYYY-MM-DD`. */
  occurredOn: string;
  boroughId: string | null;
  boroughName: string | null;
  /** The report's highest level of use, `not_stated`, or null when no CED was used. */
  highestLevel: HighestLevel | null;
  /** How many reports this stands for: 1 unless given (counts already made by the database). */
  weight?: number;
}

/** The Home Office table's figures, in its column order. */
export interface CedCounts {
  total: number;
  nonDischarge: number;
  drawn: number;
  aimed: number;
  redDot: number;
  arced: number;
  discharge: number;
  driveStun: number;
  fired: number;
  angledDriveStun: number;
  notStated: number;
}

export const CED_COUNT_FIELDS = ['total', 'nonDischarge', 'drawn', 'aimed', 'redDot', 'arced', 'discharge', 'driveStun', 'fired', 'angledDriveStun', 'notStated'] as const;
export type CedCountField = (typeof CED_COUNT_FIELDS)[number];

/** The levels a report is counted at, most severe first, then not stated: the slot order of every counter array here. */
export const LEVEL_SLOTS = HIGHEST_LEVELS;
const SLOTS = LEVEL_SLOTS.length;
const SLOT_OF: Record<HighestLevel, number> = Object.fromEntries(LEVEL_SLOTS.map((l, i) => [l, i])) as Record<HighestLevel, number>;
/** The count field for each level. */
export const FIELD_OF_LEVEL: Record<HighestLevel, Exclude<CedCountField, 'total' | 'nonDischarge' | 'discharge'>> = {
  angle_drive_stun: 'angledDriveStun',
  fired: 'fired',
  drive_stun: 'driveStun',
  arced: 'arced',
  red_dotted: 'redDot',
  aimed: 'aimed',
  drawn: 'drawn',
  not_stated: 'notStated',
};

export const emptyCounts = (): CedCounts => ({ total: 0, nonDischarge: 0, drawn: 0, aimed: 0, redDot: 0, arced: 0, discharge: 0, driveStun: 0, fired: 0, angledDriveStun: 0, notStated: 0 });

/** The table's figures from a count per level (in `LEVEL_SLOTS` order from `offset`). */
function countsFromSlots(slots: ArrayLike<number>, offset = 0): CedCounts {
  const c = emptyCounts();
  for (let i = 0; i < SLOTS; i++) c[FIELD_OF_LEVEL[LEVEL_SLOTS[i]!]] = slots[offset + i]!;
  c.nonDischarge = c.drawn + c.aimed + c.redDot + c.arced;
  c.discharge = c.driveStun + c.fired + c.angledDriveStun;
  c.total = c.nonDischarge + c.discharge + c.notStated;
  return c;
}

/** The table's figures from a count per level; levels left out are 0. */
export function countsFromLevels(byLevel: Partial<Record<HighestLevel, number>>): CedCounts {
  return countsFromSlots(LEVEL_SLOTS.map((l) => byLevel[l] ?? 0));
}

export function addCounts(a: CedCounts, b: CedCounts): CedCounts {
  const c = emptyCounts();
  for (const f of CED_COUNT_FIELDS) c[f] = a[f] + b[f];
  return c;
}

/** The sums that do not add up, in words a person can check against the table. Empty when consistent. */
export function countProblems(c: CedCounts): { field: CedCountField; message: string }[] {
  const problems: { field: CedCountField; message: string }[] = [];
  const nd = c.drawn + c.aimed + c.redDot + c.arced;
  const d = c.driveStun + c.fired + c.angledDriveStun;
  const t = c.nonDischarge + c.discharge + c.notStated;
  if (c.nonDischarge !== nd) problems.push({ field: 'nonDischarge', message: `Total non-discharge is ${c.nonDischarge} but Drawn + Aimed + Red-dot + Arced is ${nd}` });
  if (c.discharge !== d) problems.push({ field: 'discharge', message: `Total discharge is ${c.discharge} but Drive stun + Fired + Angled drive stun is ${d}` });
  if (c.total !== t) problems.push({ field: 'total', message: `Total is ${c.total} but Total non-discharge + Total discharge + Not stated is ${t}` });
  return problems;
}

export interface CountOptions {
  /** Count only reports whose London date falls in this period. */
  period?: Period;
}

/**
 * The counter slot a report counts in, or -1 when it is not counted here (no CED use, or
 * outside the period). Shared by every counting loop; allocates nothing.
 */
function slotOf(r: CountedReport, from: string | undefined, to: string | undefined): number {
  const level = r.highestLevel;
  if (level === null || level === undefined) return -1;
  if (from !== undefined && (r.occurredOn < from || r.occurredOn >= to!)) return -1;
  const slot = SLOT_OF[level];
  if (slot === undefined) throw unknownLevel(r);
  return slot;
}

/** The Home Office figures for these reports: one count per report with CED use, at its highest level. */
export function countCed(reports: Iterable<CountedReport>, options: CountOptions = {}): CedCounts {
  const slots = new Array<number>(SLOTS).fill(0);
  const from = options.period?.from;
  const to = options.period?.toExclusive;
  for (const r of reports) {
    const w = r.weight ?? 1;
    const slot = slotOf(r, from, to);
    if (slot < 0) continue;
    slots[slot]! += w;
  }
  return countsFromSlots(slots);
}

// ---------------------------------------------------------------------------------------
// Rates

export interface Rate {
  /** numerator / denominator, or null when there is nothing to divide by. */
  value: number | null;
  /** One decimal place, like `10.5%`; `-` when there is nothing to divide by. */
  percent: string;
}

/** A share as a number and a percentage with one decimal (halves rounded up). */
export function rate(numerator: number, denominator: number): Rate {
  if (denominator === 0) return { value: null, percent: '-' };
  const tenths = Math.round((numerator * 1000) / denominator);
  return { value: numerator / denominator, percent: `${(tenths / 10).toFixed(1)}%` };
}

/**
 * Uses per 1,000 officers authorised to carry, over the period: the uses divided by the
 * average number authorised at the end of each month of the period (so far), times 1,000.
 * One decimal place; `-` when nobody was authorised.
 */
export function usesPerThousandAuthorised(uses: number, authorisedAtMonthEnds: readonly number[]): { value: number | null; text: string; averageAuthorised: number } {
  const n = authorisedAtMonthEnds.length;
  const average = n ? authorisedAtMonthEnds.reduce((a, b) => a + b, 0) / n : 0;
  if (average === 0) return { value: null, text: '-', averageAuthorised: 0 };
  const value = (uses * 1000) / average;
  return { value, text: (Math.round(value * 10) / 10).toFixed(1), averageAuthorised: Math.round(average) };
}

/** Share of uses that were discharges (drive stun, fired, angled drive stun), over all uses including not stated. */
export const dischargeRate = (c: CedCounts) => rate(c.discharge, c.total);
/** Share of uses in which the Taser was fired, over all uses including not stated. */
export const firedRate = (c: CedCounts) => rate(c.fired, c.total);

// ---------------------------------------------------------------------------------------
// Breakdowns

export const DIMENSIONS = {
  period: 'Period',
  borough: 'Borough',
  level: 'Highest level of use',
  discharge: 'Discharge or non-discharge',
  ageBand: 'Age band (perceived)',
  gender: 'Gender',
  ethnicity: 'Ethnicity (perceived)',
  reason: 'Reason for using force',
  impactFactor: 'Impact factor',
  location: 'Location type',
  mainDuty: 'Main duty',
  singleCrewed: 'Single crewed',
  outcome: 'Outcome',
} as const;
export type Dimension = keyof typeof DIMENSIONS;
export const DIMENSION_KEYS = Object.keys(DIMENSIONS) as Dimension[];

/** Dimensions in which one report can have several values: it counts once in each. */
export const MULTI_VALUED_DIMENSIONS: readonly Dimension[] = ['reason', 'impactFactor', 'location', 'outcome'];

export const NOT_RECORDED = 'Not recorded';
const MAX_FILLED_BUCKETS = 1200;

const unknownLevel = (r: CountedReport) => new RangeError(`Unknown level of use ${String(r.highestLevel)} in a report of ${r.occurredOn}`);

export const DISCHARGE_GROUPS = { discharge: 'Discharge', non_discharge: 'Non-discharge', not_stated: 'Not stated' } as const;
export const SINGLE_CREWED = { yes: 'Yes', no: 'No' } as const;
const LEVEL_VOCABULARY: Vocabulary = Object.fromEntries(LEVEL_SLOTS.map((l) => [l, HIGHEST_LEVEL_LABELS[l]]));
const GROUP_OF_SLOT = LEVEL_SLOTS.map((l) => (l === 'not_stated' ? 'not_stated' : l === 'fired' || l === 'drive_stun' || l === 'angle_drive_stun' ? 'discharge' : 'non_discharge'));

export interface BreakdownRow {
  /** The code (`18-34`, `street`), borough id, period key (`2019-04`, `2019-Q2`, `2019-20`, `2019`), or null for "Not recorded". */
  key: string | null;
  label: string;
  counts: CedCounts;
  dischargeRate: Rate;
  firedRate: Rate;
  /** This row's uses as a share of all uses. In a multi-valued dimension the shares add up to more than 100%. */
  share: Rate;
}

export interface Breakdown {
  dimension: Dimension;
  /** Heading for the rows, like `Age band (perceived)` or `Month`. */
  title: string;
  /** For the period dimension: the bucket. */
  unit: PeriodUnit | null;
  multiValued: boolean;
  rows: BreakdownRow[];
  /** Every report counted once: for a multi-valued dimension this is less than the sum of the rows. */
  total: CedCounts;
  dischargeRate: Rate;
  firedRate: Rate;
}

export interface BreakdownOptions extends CountOptions {
  /** The bucket for the period dimension; months unless given. */
  unit?: PeriodUnit;
}

/**
 * A growing table of rows of counters, one counter per level slot. Keys are strings or
 * bucket numbers; null is "Not recorded". Counting allocates only when a new key appears.
 */
class Rows<K extends string | number> {
  readonly keys: (K | null)[] = [];
  readonly counts: number[] = [];
  private readonly index = new Map<K, number>();
  private notRecorded = -1;
  constructor(seed: readonly K[] = []) {
    for (const k of seed) this.row(k);
  }
  row(key: K | null | undefined): number {
    if (key === null || key === undefined) {
      if (this.notRecorded < 0) this.notRecorded = this.add(null);
      return this.notRecorded;
    }
    const i = this.index.get(key);
    if (i !== undefined) return i;
    const n = this.add(key);
    this.index.set(key, n);
    return n;
  }
  private add(key: K | null): number {
    this.keys.push(key);
    for (let s = 0; s < SLOTS; s++) this.counts.push(0);
    return this.keys.length - 1;
  }
  has(key: K | null): boolean {
    return key === null ? this.notRecorded >= 0 : this.index.has(key);
  }
}

type KeyOf = (r: CountedReport) => string | null;
type ValuesOf = (r: CountedReport) => readonly string[] | null;

interface Plan {
  title: string;
  vocabulary?: Vocabulary;
  single?: KeyOf;
  multi?: ValuesOf;
  /** Order for keys not in a vocabulary: by label (boroughs). */
  byLabel?: boolean;
  labelOf?: (key: string, r: CountedReport) => string;
}

const PLANS: Record<Exclude<Dimension, 'period' | 'level' | 'discharge'>, Plan> = {
  borough: { title: DIMENSIONS.borough, single: (r) => r.boroughId ?? r.boroughName, byLabel: true, labelOf: (key, r) => r.boroughName ?? key },
  ageBand: { title: DIMENSIONS.ageBand, vocabulary: AGE_BANDS, single: (r) => r.ageBand },
  gender: { title: DIMENSIONS.gender, vocabulary: GENDERS, single: (r) => r.gender },
  ethnicity: { title: DIMENSIONS.ethnicity, vocabulary: ETHNICITIES, single: (r) => r.ethnicity },
  mainDuty: { title: DIMENSIONS.mainDuty, vocabulary: MAIN_DUTIES, single: (r) => r.mainDuty },
  singleCrewed: { title: DIMENSIONS.singleCrewed, vocabulary: SINGLE_CREWED, single: (r) => (r.singleCrewed === null || r.singleCrewed === undefined ? null : r.singleCrewed ? 'yes' : 'no') },
  reason: { title: DIMENSIONS.reason, vocabulary: REASONS_FOR_FORCE, multi: (r) => r.reasons },
  impactFactor: { title: DIMENSIONS.impactFactor, vocabulary: IMPACT_FACTORS, multi: (r) => r.impactFactors },
  location: { title: DIMENSIONS.location, vocabulary: LOCATION_TYPES, multi: (r) => r.locations },
  outcome: { title: DIMENSIONS.outcome, vocabulary: OUTCOMES, multi: (r) => r.outcomes },
};

/**
 * Counts CED uses by one dimension. Each row carries the full Home Office figures and rates.
 * Rows: levels most severe first; vocabulary values in the vocabulary's order, all of them
 * (zeros included), then any unknown codes by code; boroughs by name; periods
 * chronologically with empty buckets filled in; "Not recorded" last, when there is any.
 */
export function breakdown(reports: Iterable<CountedReport>, dimension: Dimension, options: BreakdownOptions = {}): Breakdown {
  const from = options.period?.from;
  const to = options.period?.toExclusive;
  const total = new Array<number>(SLOTS).fill(0);
  const multiValued = MULTI_VALUED_DIMENSIONS.includes(dimension);
  let rows: { key: string | null; label: string; slots: ArrayLike<number>; offset: number }[];
  let unit: PeriodUnit | null = null;
  let title: string;

  if (dimension === 'period') {
    const u = options.unit ?? 'month';
    unit = u;
    title = PERIOD_UNIT_LABELS[u];
    const table = new Rows<number>();
    for (const r of reports) {
      const w = r.weight ?? 1;
      const slot = slotOf(r, from, to);
      if (slot < 0) continue;
      total[slot]! += w;
      const on = r.occurredOn;
      const b = on ? bucketIndex(on, u) : -1;
      table.counts[table.row(b < 0 ? null : b) * SLOTS + slot]! += w;
    }
    const seen = table.keys.filter((k): k is number => k !== null);
    let first = seen.length ? Math.min(...seen) : Infinity;
    let last = seen.length ? Math.max(...seen) : -Infinity;
    if (options.period) {
      const span = bucketIndexesOf(options.period, u);
      first = Math.min(first, span.first);
      last = Math.max(last, span.last);
    }
    // Empty buckets between the first and last are filled in, unless a stray date would make thousands of them.
    const buckets = last - first <= MAX_FILLED_BUCKETS ? Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i) : seen.sort((a, b) => a - b);
    rows = buckets.map((b) => {
      const { key, label } = bucketOfIndex(b, u);
      return table.has(b) ? { key, label, slots: table.counts, offset: table.row(b) * SLOTS } : { key, label, slots: new Array<number>(SLOTS).fill(0), offset: 0 };
    });
    if (table.has(null)) rows.push({ key: null, label: NOT_RECORDED, slots: table.counts, offset: table.row(null) * SLOTS });
  } else if (dimension === 'level' || dimension === 'discharge') {
    title = DIMENSIONS[dimension];
    for (const r of reports) {
      const w = r.weight ?? 1;
      const slot = slotOf(r, from, to);
      if (slot < 0) continue;
      total[slot]! += w;
    }
    if (dimension === 'level') {
      rows = LEVEL_SLOTS.map((l, i) => {
        const slots = new Array<number>(SLOTS).fill(0);
        slots[i] = total[i]!;
        return { key: l, label: LEVEL_VOCABULARY[l]!, slots, offset: 0 };
      });
    } else {
      rows = (Object.keys(DISCHARGE_GROUPS) as (keyof typeof DISCHARGE_GROUPS)[]).map((g) => {
        const slots = total.map((n, i) => (GROUP_OF_SLOT[i] === g ? n : 0));
        return { key: g, label: DISCHARGE_GROUPS[g], slots, offset: 0 };
      });
    }
  } else {
    const plan = PLANS[dimension];
    title = plan.title;
    const vocabularyKeys = plan.vocabulary ? Object.keys(plan.vocabulary) : [];
    const table = new Rows<string>(vocabularyKeys);
    const labels = new Map<string, string>();
    const counts = table.counts;
    if (plan.single) {
      const keyOf = plan.single;
      const labelOf = plan.labelOf;
      for (const r of reports) {
        const w = r.weight ?? 1;
        const slot = slotOf(r, from, to);
        if (slot < 0) continue;
        total[slot]! += w;
        const key = keyOf(r);
        if (labelOf && key !== null && !labels.has(key)) labels.set(key, labelOf(key, r));
        counts[table.row(key) * SLOTS + slot]! += w;
      }
    } else {
      const valuesOf = plan.multi!;
      for (const r of reports) {
        const w = r.weight ?? 1;
        const slot = slotOf(r, from, to);
        if (slot < 0) continue;
        total[slot]! += w;
        const values = valuesOf(r);
        const n = values ? values.length : 0;
        let counted = 0;
        for (let i = 0; i < n; i++) {
          const v = values![i];
          if (v === null || v === undefined || v === '') continue;
          let repeat = false;
          for (let j = 0; j < i; j++) if (values![j] === v) repeat = true;
          if (repeat) continue;
          counts[table.row(v) * SLOTS + slot]! += w;
          counted++;
        }
        if (counted === 0) counts[table.row(null) * SLOTS + slot]! += w;
      }
    }
    const known = new Set(vocabularyKeys);
    const labelFor = (k: string) => plan.vocabulary?.[k] ?? labels.get(k) ?? k;
    const others = table.keys.filter((k): k is string => k !== null && !known.has(k));
    if (plan.byLabel) others.sort((a, b) => labelFor(a).localeCompare(labelFor(b), 'en-GB') || (a < b ? -1 : a > b ? 1 : 0));
    else others.sort();
    const ordered: (string | null)[] = [...vocabularyKeys, ...others];
    if (table.has(null)) ordered.push(null);
    rows = ordered.map((k) => ({ key: k, label: k === null ? NOT_RECORDED : labelFor(k), slots: counts, offset: table.row(k) * SLOTS }));
  }

  const all = countsFromSlots(total);
  return {
    dimension,
    title,
    unit,
    multiValued,
    rows: rows.map(({ key, label, slots, offset }) => {
      const c = countsFromSlots(slots, offset);
      return { key, label, counts: c, dischargeRate: dischargeRate(c), firedRate: firedRate(c), share: rate(c.total, all.total) };
    }),
    total: all,
    dischargeRate: dischargeRate(all),
    firedRate: firedRate(all),
  };
}
