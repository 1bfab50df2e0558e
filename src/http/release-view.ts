import type { Release, ReleaseFileInfo } from '../services/releases.js';
import { RELEASE_FILES, type ReleaseFileName } from '../services/releases.js';
import { dischargeRate, firedRate, rate, type CedCounts, type Dimension } from '../domain/stats/counting.js';
import { HOME_OFFICE_CED_COLUMNS } from '../domain/stats/home-office.js';
import { londonDate, monthLabel } from '../domain/calendar.js';
import type { ReleaseBreakdown } from '../domain/stats/release.js';
import { columns, horizontalBars } from './charts.js';
import { formatDate } from './views.js';

/** The Home Office table's count columns (without region and force). */
export const COUNT_HEADERS = HOME_OFFICE_CED_COLUMNS.slice(2);

const fmt = new Intl.NumberFormat('en-GB');
const pct = (n: number, of: number) => rate(n, of).percent;
/**
 * A row of a public table: uses, how many were and were not discharges, and the discharge
 * rate. Every level's count is in the release's downloads; on the page the level of use has
 * its own table, which keeps each page light to read and to load.
 */
const SUMMARY_HEADERS = ['Uses', 'Share of uses', 'Non-discharge', 'Discharge', 'Not stated', 'Discharge rate'];
const summary = (c: CedCounts, all: number) => [fmt.format(c.total), pct(c.total, all), fmt.format(c.nonDischarge), fmt.format(c.discharge), fmt.format(c.notStated), pct(c.discharge, c.total)];

export interface DataTable {
  id: string;
  title: string;
  caption: string;
  header: string[];
  rows: string[][];
  /** The last row is a total. */
  totals: boolean;
  chart: string | null;
  note: string | null;
}

/** The breakdowns shown with a chart, in page order; the rest are tables under "More breakdowns". */
const CHARTED: readonly Dimension[] = ['level', 'borough', 'ageBand', 'gender', 'ethnicity'];

function breakdownTable(b: ReleaseBreakdown, label: string): DataTable {
  const bars = b.rows.filter((r) => r.counts.total > 0 || b.dimension !== 'borough').map((r) => ({ label: r.label, value: r.counts.total }));
  return {
    id: b.dimension,
    title: b.title,
    caption: `${b.title}, ${label}`,
    header: b.dimension === 'level' ? [b.title, 'Uses', 'Share of uses'] : [b.title, ...SUMMARY_HEADERS],
    rows: [
      ...b.rows.map((r) => [r.label, ...(b.dimension === 'level' ? [fmt.format(r.counts.total), pct(r.counts.total, b.total.total)] : summary(r.counts, b.total.total))]),
      [b.multiValued ? 'All uses (each counted once)' : 'All uses', ...(b.dimension === 'level' ? [fmt.format(b.total.total), pct(b.total.total, b.total.total)] : summary(b.total, b.total.total))],
    ],
    totals: true,
    chart: CHARTED.includes(b.dimension) ? horizontalBars(`Uses of Taser by ${b.title.toLowerCase()}, ${label}`, bars) : null,
    note: b.multiValued ? `A report can give more than one ${b.title.toLowerCase()}, so these rows add up to more than the number of uses.` : null,
  };
}

export interface ReleaseFileLink extends ReleaseFileInfo {
  href: string;
  title: string;
  description: string;
  size: string;
}

const sizeOf = (bytes: number) => (bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** Everything the release page shows, from the release alone. */
export function releaseView(r: Release, files: ReleaseFileInfo[], hrefOf: (name: string) => string) {
  const s = r.snapshot;
  const byMonth: DataTable = {
    id: 'month',
    title: 'Month',
    caption: `Uses of Taser by month, ${s.label}`,
    header: ['Month', ...SUMMARY_HEADERS],
    rows: [...s.months.map((m) => [m.label, ...summary(m.counts, s.totals.total)]), ['All months', ...summary(s.totals, s.totals.total)]],
    totals: true,
    chart: columns(
      `Uses of Taser by month, ${s.label}`,
      s.months.map((m) => ({ label: m.label, value: m.counts.total })),
    ),
    note: null,
  };
  const tables = s.breakdowns.map((b) => breakdownTable(b, s.label));
  const order = (d: Dimension) => tables.find((t) => t.id === d);
  return {
    number: r.number,
    status: r.status,
    month: r.month,
    monthLabel: monthLabel(r.month),
    to: formatDate(s.to),
    label: s.label,
    financialYear: s.financialYear,
    forceName: s.force.name,
    countedOn: formatDate(s.countedOn),
    publishedOn: r.publishedAt ? formatDate(londonDate(r.publishedAt)) : null,
    deviceLogs: s.deviceLogs ? { discharges: fmt.format(s.deviceLogs.discharges), confirmed: fmt.format(s.deviceLogs.confirmed), all: s.deviceLogs.discharges } : null,
    headline: {
      uses: fmt.format(s.totals.total),
      discharges: fmt.format(s.totals.discharge),
      dischargeRate: dischargeRate(s.totals).percent,
      firedRate: firedRate(s.totals).percent,
    },
    revisions: r.revisions,
    supersedes: r.supersedes,
    supersededBy: r.supersededBy,
    auditHead: r.auditHead && { seq: fmt.format(r.auditHead.seq), hash: r.auditHead.hash },
    byMonth,
    level: order('level')!,
    borough: order('borough')!,
    demographics: (['ageBand', 'gender', 'ethnicity'] as const).map(order).filter((t): t is DataTable => Boolean(t)),
    more: tables.filter((t) => !CHARTED.includes(t.id as Dimension)),
    rowsCount: r.rowsCount,
    files: (Object.keys(RELEASE_FILES) as ReleaseFileName[]).flatMap((name) => {
      const f = files.find((x) => x.name === name);
      return f ? [{ ...f, href: hrefOf(name), title: RELEASE_FILES[name].title, description: RELEASE_FILES[name].description, size: sizeOf(f.bytes) }] : [];
    }),
  };
}

export type ReleaseView = ReturnType<typeof releaseView>;
