import * as repo from '../db/repositories/reports.js';
import type { Force } from '../domain/organisation.js';
import {
  breakdown,
  countCed,
  countsFromLevels,
  usesPerThousandAuthorised,
  type Breakdown,
  type CedCounts,
  type CountedReport,
  type Dimension,
  type BreakdownOptions,
} from '../domain/stats/counting.js';
import { HOME_OFFICE_CED_COLUMNS, homeOfficeRow } from '../domain/stats/home-office.js';
import { londonDate } from '../domain/calendar.js';
import { monthEndsIn, parsePeriod, type Period } from '../domain/stats/periods.js';
import type { Services } from './context.js';
import { getForce } from './organisation.js';
import { authorisedCounts } from './training.js';

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
  const db = svc.database.db;
  // The table alone needs only the database's count by level; with the breakdowns, one
  // grouped read of the period's uses gives both the figures and the breakdowns.
  const grouped = opts.breakdowns === false ? null : await repo.groupedReports(db, force.id, period.from, period.toExclusive);
  const counts = grouped ? countCed(grouped) : countsFromLevels(await repo.levelCounts(db, force.id, period.from, period.toExclusive));
  return {
    period,
    force,
    counts,
    header: HOME_OFFICE_CED_COLUMNS,
    row: homeOfficeRow(force.homeOfficeRegion, force.homeOfficeName, counts),
    breakdowns: grouped ? RETURN_BREAKDOWNS.map((d) => breakdown(grouped, d, { period })) : [],
  };
}

/** Breakdowns of a period's uses for the analysts' page. */
export async function statistics(svc: Services, periodInput: string | { from: string; to: string }, dimensions: readonly Dimension[], options: Omit<BreakdownOptions, 'period'> = {}) {
  const period = parsePeriod(periodInput);
  const force = await getForce(svc);
  const db = svc.database.db;
  // The database reads the period's uses once, grouped by every column the breakdowns count
  // by; the pure breakdowns lay those counts out by each dimension.
  const grouped = dimensions.length ? await repo.groupedReports(db, force.id, period.from, period.toExclusive) : null;
  const counts = grouped ? countCed(grouped) : countsFromLevels(await repo.levelCounts(db, force.id, period.from, period.toExclusive));
  return { period, force, counts, breakdowns: grouped ? dimensions.map((d) => breakdown(grouped, d, { ...options, period })) : [] };
}

/**
 * Uses per 1,000 officers authorised to carry in a period: the uses over the average number
 * authorised at each month end of the period (today for a month not over).
 */
export async function usesPerThousandOfficers(svc: Services, period: Period, uses: number, now: Date = svc.now()) {
  const force = await getForce(svc);
  const days = monthEndsIn(period, londonDate(now));
  const counts = await authorisedCounts(svc.database.db, force.id, days);
  return { ...usesPerThousandAuthorised(uses, counts), days, counts };
}
