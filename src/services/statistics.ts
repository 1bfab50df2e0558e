import * as repo from '../db/repositories/reports.js';
import type { Force } from '../domain/organisation.js';
import { breakdown, countsFromLevels, type Breakdown, type CedCounts, type CountedReport, type Dimension, type BreakdownOptions } from '../domain/stats/counting.js';
import { HOME_OFFICE_CED_COLUMNS, homeOfficeRow } from '../domain/stats/home-office.js';
import { parsePeriod, type Period } from '../domain/stats/periods.js';
import type { Services } from './context.js';
import { getForce } from './organisation.js';

/** The force's recorded and imported uses in a period, one row each: the reference the database-grouped counts are tested against. */
export async function countedReports(svc: Services, period: Period): Promise<{ force: Force; reports: CountedReport[] }> {
  const force = await getForce(svc);
  const reports: CountedReport[] = [];
  for await (const page of repo.countedReports(svc.database.db, force.id, period.from, period.toExclusive)) for (const r of page) reports.push(r);
  return { force, reports };
}

export interface HomeOfficeReturn {
  period: Period;
  force: Force;
  counts: CedCounts;
  header: readonly string[];
  row: string[];
  /** The other breakdowns the Home Office publishes for CED use. */
  breakdowns: Breakdown[];
}

export const RETURN_BREAKDOWNS: readonly Dimension[] = ['ageBand', 'gender', 'ethnicity'];

/** The force's Taser return for a period, in the Home Office table layout, with the demographic breakdowns. */
export async function homeOfficeReturn(svc: Services, periodInput: string | { from: string; to: string }, opts: { breakdowns?: boolean } = {}): Promise<HomeOfficeReturn> {
  const period = parsePeriod(periodInput);
  const force = await getForce(svc);
  // The table's figures come from the database's own count; the breakdowns need the rows.
  const counts = countsFromLevels(await repo.levelCounts(svc.database.db, force.id, period.from, period.toExclusive));
  const grouped = opts.breakdowns === false ? [] : await Promise.all(RETURN_BREAKDOWNS.map((d) => repo.groupedReports(svc.database.db, force.id, period.from, period.toExclusive, d)));
  return {
    period,
    force,
    counts,
    header: HOME_OFFICE_CED_COLUMNS,
    row: homeOfficeRow(force.homeOfficeRegion, force.homeOfficeName, counts),
    breakdowns: grouped.map((rows, i) => breakdown(rows, RETURN_BREAKDOWNS[i]!, { period })),
  };
}

/** Breakdowns of a period's uses for the analysts' page. */
export async function statistics(svc: Services, periodInput: string | { from: string; to: string }, dimensions: readonly Dimension[], options: Omit<BreakdownOptions, 'period'> = {}) {
  const period = parsePeriod(periodInput);
  const force = await getForce(svc);
  const db = svc.database.db;
  // The database counts by each dimension and level; the pure breakdown lays the counts out.
  const [levels, ...grouped] = await Promise.all([repo.levelCounts(db, force.id, period.from, period.toExclusive), ...dimensions.map((d) => repo.groupedReports(db, force.id, period.from, period.toExclusive, d))]);
  return { period, force, counts: countsFromLevels(levels), breakdowns: grouped.map((rows, i) => breakdown(rows, dimensions[i]!, { ...options, period })) };
}
