import { rate, type CedCounts, type CedCountField, type Rate } from './counting.js';
import type { Period } from './periods.js';

/**
 * The national comparison: the force against its region and England and Wales, from a
 * published Home Office table of Taser use by force (see home-office.ts), for one period.
 *
 * For each of the three: the share of uses at each level of use (the level's count over
 * all uses, not stated included) and the discharge rate (drive stun + fired + angled drive
 * stun over all uses), each with its count. Shares use `rate` (one decimal, halves up), so
 * they read exactly as the statistics page's rates.
 *
 * Where the force's figures come from:
 * - the force's own row in the published table, whenever the table has one. It is the
 *   default because it is what was published, and it is counted the same way as the region
 *   and England and Wales totals beside it;
 * - otherwise, Cedar's own count for the period (recorded and imported reports, counted the
 *   Home Office way) when it has any uses, marked as such: the region and England and
 *   Wales totals do not include them;
 * - otherwise there are no force figures, and the comparison says the force is not in the table.
 * Cedar's own count is kept beside the published row either way (`cedar`), so an analyst
 * can check one against the other.
 */

/** The published table as the comparison reads it: `parseHomeOfficeTable`'s result, or a stored table. */
export interface PublishedTable {
  forces: readonly { region: string; force: string; counts: CedCounts }[];
  /** Region name as published -> the region's total row. */
  regionTotals: ReadonlyMap<string, { name: string; counts: CedCounts }>;
  englandAndWales: { name: string; counts: CedCounts } | null;
}

/** The force as the comparison needs it (organisation's `Force` fits). */
export interface ComparedForce {
  name: string;
  /** The force's name in the Home Office tables, e.g. `Metropolitan`. */
  homeOfficeName: string;
  /** Its Home Office region, e.g. `London`. */
  homeOfficeRegion: string;
}

/** The levels of use, in the table's order, with the table's column names. */
export const COMPARED_LEVELS = [
  { field: 'drawn', label: 'Drawn' },
  { field: 'aimed', label: 'Aimed' },
  { field: 'redDot', label: 'Red-dot' },
  { field: 'arced', label: 'Arced' },
  { field: 'driveStun', label: 'Drive stun' },
  { field: 'fired', label: 'Fired' },
  { field: 'angledDriveStun', label: 'Angled drive stun' },
  { field: 'notStated', label: 'Not stated' },
] as const satisfies readonly { field: CedCountField; label: string }[];
export type ComparedLevel = (typeof COMPARED_LEVELS)[number]['field'];

export type AreaKey = 'force' | 'region' | 'englandAndWales';
/** `published`: the table's row. `cedar`: Cedar's own count for the period (the force has no row in the table). */
export type FiguresSource = 'published' | 'cedar';

/** One of the three compared: the force, its region, England and Wales. */
export interface ComparisonArea {
  key: AreaKey;
  /** `Metropolitan`, `London`, `England and Wales`. */
  label: string;
  source: FiguresSource;
  counts: CedCounts;
  /** Each level's share of all uses. */
  shares: Record<ComparedLevel, Rate>;
  /** Discharges over all uses. */
  dischargeRate: Rate;
}

/** A row of the comparison table: one cell per area, in `areas` order. */
export interface ComparisonLine {
  key: ComparedLevel | 'discharge';
  label: string;
  cells: { count: number; rate: Rate }[];
}

export interface Comparison {
  /** The force as the tables name it. */
  forceName: string;
  /** The force's region (as the table spells it when the table has it). */
  regionName: string;
  /** Whether the published table has the force's own row. */
  forceInTable: boolean;
  /** Where the force's figures come from; null when there are none (not in the table, nothing in Cedar). */
  forceSource: FiguresSource | null;
  /** Whether the table has the region's total row. */
  regionInTable: boolean;
  /** Whether the table has the England and Wales total row. */
  englandAndWalesInTable: boolean;
  /** Force (when it has figures), region (when the table has its total), England and Wales (when the table has it). */
  areas: ComparisonArea[];
  /** Share of uses at each level, then the discharge rate. */
  levels: ComparisonLine[];
  discharge: ComparisonLine;
  /** Uses counted, per area. */
  totals: number[];
  /** Cedar's own count for the period, when it was given: a check on the published row. */
  cedar: CedCounts | null;
  /** Sentences for people: what is missing, where the force's figures come from. */
  notes: string[];
}

/** Names compared the way people read them: case, spacing and `&`/`and` do not matter. */
export const sameName = (a: string, b: string) => normaliseName(a) === normaliseName(b);
const normaliseName = (s: string) => s.trim().toLowerCase().replace(/&/g, ' and ').replace(/\s+/g, ' ').trim();

const forceKey = (s: string) =>
  normaliseName(s)
    .replace(/\b(police|constabulary|service|force)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Regions Cedar's list (organisation.ts) and the published tables spell differently. */
const REGION_ALIASES: Record<string, string> = { east: 'east of england' };
const regionKey = (s: string) => {
  const n = normaliseName(s);
  return REGION_ALIASES[n] ?? n;
};

function area(key: AreaKey, label: string, source: FiguresSource, counts: CedCounts): ComparisonArea {
  const shares = Object.fromEntries(COMPARED_LEVELS.map((l) => [l.field, rate(counts[l.field], counts.total)])) as Record<ComparedLevel, Rate>;
  return { key, label, source, counts, shares, dischargeRate: rate(counts.discharge, counts.total) };
}

/**
 * The force against its region and England and Wales in one published table.
 * `cedar`: the force's own count for the table's period, when known (used only when the
 * table has no row for the force; always kept as a check).
 */
export function compareForce(table: PublishedTable, force: ComparedForce, cedar: CedCounts | null = null): Comparison {
  const notes: string[] = [];
  // The Home Office name; then the force's own name, also without "Police", "Constabulary"
  // ("Kent Police" is Kent, "Devon and Cornwall Police" is Devon & Cornwall).
  const row =
    table.forces.find((f) => sameName(f.force, force.homeOfficeName)) ??
    table.forces.find((f) => sameName(f.force, force.name)) ??
    table.forces.find((f) => {
      const k = forceKey(f.force);
      return k !== '' && (k === forceKey(force.homeOfficeName) || k === forceKey(force.name));
    });
  const forceName = row?.force ?? force.homeOfficeName;

  // The region the table puts the force in; the force's own setting when it is not in the table.
  const wanted = regionKey(row?.region ?? force.homeOfficeRegion);
  const regionEntry = [...table.regionTotals].find(([region]) => regionKey(region) === wanted);
  const regionName = regionEntry?.[0] ?? row?.region ?? force.homeOfficeRegion;

  const areas: ComparisonArea[] = [];
  let forceSource: FiguresSource | null = null;
  if (row) {
    forceSource = 'published';
    areas.push(area('force', forceName, 'published', row.counts));
  } else if (cedar && cedar.total > 0) {
    forceSource = 'cedar';
    areas.push(area('force', forceName, 'cedar', cedar));
    notes.push(
      `${forceName} is not in this table. Its figures here are Cedar's own count for the period (recorded and imported uses), which the ${regionName} and England and Wales totals do not include.`,
    );
  } else {
    notes.push(`${forceName} is not in this table, so only ${regionEntry ? `${regionName} and ` : ''}England and Wales are shown. Check the force's Home Office name (CEDAR_FORCE_HOME_OFFICE_NAME).`);
  }
  if (regionEntry) areas.push(area('region', regionName, 'published', regionEntry[1].counts));
  else notes.push(`The table has no total for the region ${regionName}.`);
  if (table.englandAndWales) areas.push(area('englandAndWales', 'England and Wales', 'published', table.englandAndWales.counts));
  else notes.push('The table has no England and Wales total.');

  return {
    forceName,
    regionName,
    forceInTable: row !== undefined,
    forceSource,
    regionInTable: regionEntry !== undefined,
    englandAndWalesInTable: table.englandAndWales !== null,
    areas,
    levels: COMPARED_LEVELS.map((l) => ({ key: l.field, label: l.label, cells: areas.map((a) => ({ count: a.counts[l.field], rate: a.shares[l.field] })) })),
    discharge: { key: 'discharge', label: 'Discharge rate', cells: areas.map((a) => ({ count: a.counts.discharge, rate: a.dischargeRate })) },
    totals: areas.map((a) => a.counts.total),
    cedar,
    notes,
  };
}

/** The Home Office first published Taser use by force for 2004: no table is older. */
export const FIRST_HOME_OFFICE_YEAR = 2004;

/**
 * Whether a period (a calendar or financial year, as parsePeriod reads it) is one a published
 * Home Office table can be for: from 2004 (or 2004-05), and not in the future (it has begun by
 * `today`, a London `YYYY-MM-DD`). A message saying what to enter instead, or null.
 */
export function homeOfficeTablePeriodProblem(period: Pick<Period, 'label' | 'from'>, today: string): string | null {
  const year = Number(period.from.slice(0, 4));
  if (year < FIRST_HOME_OFFICE_YEAR) {
    return `${period.label} is before the Home Office first published Taser use by force (${FIRST_HOME_OFFICE_YEAR}): enter the year the table covers, like 2018-19 or 2016`;
  }
  if (period.from > today) return `${period.label} has not begun yet: enter the year the table covers, like 2018-19 or 2016`;
  return null;
}
