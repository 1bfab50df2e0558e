import type { CoverageRow } from '../domain/crewing/coverage.js';
import { addDays, dayLabel, shortMonthLabel } from '../domain/calendar.js';
import type { BoroughCoverageWeek, ForceCoverageWeek } from '../services/coverage.js';
import { columns } from './charts.js';
import { escapeHtml } from './escape.js';
import { formatNumber } from './views.js';

/*
 * The coverage pages' views (issue 14): the week-by-hour heat map of Taser-equipped crews
 * against the minimum (SVG drawn on the server, with the same figures as a table), the hours
 * below the minimum and the trend by month.
 */

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** A London date as "Mon 19 Oct". */
export function shortDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/** An hour's start (`2026-10-25T01:00:00+01:00`) as "Sun 25 Oct 2026, 01:00 BST". */
export function hourLabel(hourStart: string): string {
  const zone = hourStart.endsWith('+01:00') ? 'BST' : 'GMT';
  return `${shortDay(hourStart.slice(0, 10))} ${hourStart.slice(0, 4)}, ${hourStart.slice(11, 16)} ${zone}`;
}

/** A cell's colour and words: met, short, or none at all (each cell also shows its number). */
const MET = '#00703c';
const SHORT = '#ffdd00';
const NONE = '#d4351c';
const NO_HOUR = '#f3f2f1';
function shade(r: CoverageRow | null): { fill: string; ink: string } {
  if (!r) return { fill: NO_HOUR, ink: '#505a5f' };
  if (r.taserCrews >= r.minimum) return { fill: MET, ink: '#ffffff' };
  if (r.taserCrews > 0) return { fill: SHORT, ink: '#0b0c0c' };
  return { fill: NONE, ink: '#ffffff' };
}

/** The week-by-hour heat map: 7 rows (days) × 24 columns (clock hours), each cell its Taser-equipped crews. */
export function heatMap(week: BoroughCoverageWeek): string {
  const cell = 28;
  const rowHeight = 26;
  const left = 96;
  const top = 40;
  const legendHeight = 30;
  const width = left + 24 * cell + 8;
  const height = top + 7 * rowHeight + legendHeight + 10;
  const parts: string[] = [];
  for (let h = 0; h < 24; h += 1) parts.push(`<text x="${left + h * cell + cell / 2}" y="${top - 8}" text-anchor="middle" font-size="11" fill="#505a5f">${two(h)}</text>`);
  week.grid.forEach((day, d) => {
    const y = top + d * rowHeight;
    parts.push(`<text x="${left - 8}" y="${y + rowHeight / 2 + 4}" text-anchor="end" font-size="13" fill="#0b0c0c">${escapeHtml(shortDay(day[0]!.day))}</text>`);
    for (const c of day) {
      const x = left + c.hour * cell;
      const { fill, ink } = shade(c.row);
      parts.push(`<rect x="${x}" y="${y}" width="${cell - 2}" height="${rowHeight - 2}" fill="${fill}"></rect>`);
      parts.push(`<text x="${x + (cell - 2) / 2}" y="${y + rowHeight / 2 + 4}" text-anchor="middle" font-size="12" fill="${ink}">${c.row ? formatNumber(c.row.taserCrews) : '–'}</text>`);
    }
  });
  const legendY = top + 7 * rowHeight + 10;
  const legend: [string, string][] = [
    [MET, 'at or above the minimum'],
    [SHORT, 'below the minimum'],
    [NONE, 'no Taser-equipped crew'],
  ];
  legend.forEach(([fill, text], i) => {
    const x = left + i * 220;
    parts.push(`<rect x="${x}" y="${legendY}" width="14" height="14" fill="${fill}"></rect><text x="${x + 20}" y="${legendY + 12}" font-size="13" fill="#0b0c0c">${text}</text>`);
  });
  const below = week.hoursBelow.length;
  const title = `Taser-equipped crews on duty in ${week.borough.name}, hour by hour, ${dayLabel(week.week)} to ${dayLabel(week.weekEnd)}`;
  const desc = `${formatNumber(below)} of ${formatNumber(week.rows.length)} hours below the minimum. ${week.grid
    .map((day) => `${shortDay(day[0]!.day)}: ${day.filter((c) => c.row && c.row.taserCrews < c.row.minimum).length} hours below`)
    .join('; ')}. The table after the map gives every hour's figure.`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="cedar-chart" font-family="arial, sans-serif" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="coverage-map-title coverage-map-desc"><title id="coverage-map-title">${escapeHtml(title)}</title><desc id="coverage-map-desc">${escapeHtml(desc)}</desc>${parts.join('')}</svg>`;
}

/** The heat map's figures as a table: a row per day, a column per clock hour; "crews / minimum". */
export function heatTable(week: BoroughCoverageWeek) {
  return {
    caption: `Taser-equipped crews on duty against the minimum, ${week.borough.name}, by day and hour (a dash: no such hour, the clocks went forward)`,
    header: ['Day', ...Array.from({ length: 24 }, (_, h) => `${two(h)}:00`)],
    rows: week.grid.map((day) => [shortDay(day[0]!.day), ...day.map((c) => (c.row ? `${formatNumber(c.row.taserCrews)} / ${formatNumber(c.row.minimum)}` : '–'))]),
  };
}

/** The hours below the minimum, listed. */
export function belowRows(rows: readonly CoverageRow[]) {
  return rows.map((r) => ({ hour: hourLabel(r.hourStart), onDuty: r.onDuty, authorised: r.authorisedOnDuty, carriers: r.carriers, crews: r.taserCrews, minimum: r.minimum }));
}

/** The trend by month: hours below the minimum each month, chart and table. */
export function trendView(week: BoroughCoverageWeek) {
  const title = `Hours below the minimum in ${week.borough.name}, by month`;
  return {
    caption: title,
    header: ['Month', 'Hours', 'Hours below the minimum'],
    rows: week.trend.map((t) => [shortMonthLabel(t.month), formatNumber(t.hours), formatNumber(t.hoursBelow)]),
    chart: columns(
      title,
      week.trend.map((t) => ({ label: shortMonthLabel(t.month), value: t.hoursBelow })),
      { colour: '#d4351c' },
    ),
  };
}

/** The force view's rows. */
export function forceRows(view: ForceCoverageWeek) {
  return view.boroughs.map((b) => ({
    id: b.borough.id,
    name: b.borough.name,
    hours: b.hours,
    hoursBelow: b.hoursBelow,
    worst: b.worst ? `${hourLabel(b.worst.hourStart)}: ${formatNumber(b.worst.taserCrews)} of ${formatNumber(b.worst.minimum)}` : '',
    staffed: b.staffedHours > 0,
  }));
}

/** The week before and after. */
export const weekLinks = (week: string) => ({ previous: addDays(week, -7), next: addDays(week, 7) });
