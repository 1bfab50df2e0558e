/**
 * Charts drawn on the server as SVG, so they work without JavaScript. Each chart is a
 * picture of a table that sits beside it; the SVG carries a title and a text alternative.
 * Only presentation attributes are used (no style attributes), which the CSP allows.
 */
import { escapeHtml } from './escape.js';

export interface Bar {
  label: string;
  value: number;
}

const fmt = new Intl.NumberFormat('en-GB');

/** A horizontal bar chart, for categories (levels, boroughs, age bands). */
export function horizontalBars(title: string, bars: readonly Bar[], opts: { width?: number; colour?: string } = {}): string {
  const width = opts.width ?? 640;
  const labelWidth = 230;
  const barHeight = 22;
  const gap = 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plot = width - labelWidth - 70;
  const height = bars.length * (barHeight + gap) + gap;
  const rows = bars.map((b, i) => {
    const y = gap + i * (barHeight + gap);
    const w = Math.round((b.value / max) * plot);
    return (
      `<text x="${labelWidth - 8}" y="${y + barHeight / 2 + 5}" text-anchor="end" font-size="14" fill="#0b0c0c">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight}" fill="${opts.colour ?? '#1d70b8'}"></rect>` +
      `<text x="${labelWidth + w + 6}" y="${y + barHeight / 2 + 5}" font-size="14" fill="#0b0c0c">${fmt.format(b.value)}</text>`
    );
  });
  const summary = bars.map((b) => `${b.label}: ${fmt.format(b.value)}`).join('; ');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="cedar-chart" font-family="arial, sans-serif" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${idOf(title)}"><title id="${idOf(title)}">${escapeHtml(`${title}. ${summary}`)}</title>${rows.join('')}</svg>`;
}

/** A vertical bar chart, for a series over time (months, years). */
export function columns(title: string, bars: readonly Bar[], opts: { height?: number; colour?: string } = {}): string {
  const height = opts.height ?? 260;
  const colWidth = 36;
  const gap = 12;
  const top = 24;
  const bottom = 84;
  const left = 64; // room for the first rotated label
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plot = height - top - bottom;
  const width = Math.max(320, left + bars.length * (colWidth + gap) + gap);
  const cols = bars.map((b, i) => {
    const x = left + i * (colWidth + gap);
    const h = Math.round((b.value / max) * plot);
    const y = top + plot - h;
    return (
      `<rect x="${x}" y="${y}" width="${colWidth}" height="${h}" fill="${opts.colour ?? '#1d70b8'}"></rect>` +
      `<text x="${x + colWidth / 2}" y="${y - 6}" text-anchor="middle" font-size="13" fill="#0b0c0c">${fmt.format(b.value)}</text>` +
      `<text x="${x + colWidth / 2}" y="${top + plot + 16}" text-anchor="end" font-size="12" fill="#505a5f" transform="rotate(-40 ${x + colWidth / 2} ${top + plot + 16})">${escapeHtml(b.label)}</text>`
    );
  });
  const summary = bars.map((b) => `${b.label}: ${fmt.format(b.value)}`).join('; ');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="cedar-chart" font-family="arial, sans-serif" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${idOf(title)}"><title id="${idOf(title)}">${escapeHtml(`${title}. ${summary}`)}</title><line x1="0" y1="${top + plot}" x2="${width}" y2="${top + plot}" stroke="#b1b4b6"></line>${cols.join('')}</svg>`;
}

const idOf = (title: string) =>
  `chart-${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;

/** One series of a grouped bar chart (the force, its region, England and Wales). */
export interface Series {
  name: string;
  colour?: string;
}

/** One group of bars: a value per series, in series order, with the text shown beside each bar. */
export interface BarGroup {
  label: string;
  values: readonly { value: number; text: string }[];
}

/** GOV.UK blue, orange and dark grey: told apart by people with the common colour deficiencies, and each bar is labelled. */
const SERIES_COLOURS = ['#1d70b8', '#f47738', '#505a5f', '#00703c'];

/**
 * A horizontal grouped bar chart: for each group (a level of use), one bar per series (the
 * force, its region, England and Wales), with a legend. Values share one scale (`max`, or
 * the largest value), so bars of different groups compare too.
 */
export function groupedBars(title: string, series: readonly Series[], groups: readonly BarGroup[], opts: { width?: number; max?: number } = {}): string {
  // Drawn at about the size it is shown in half a page's width, so its text reads at 14px.
  const width = opts.width ?? 460;
  const labelWidth = 136;
  const barHeight = 16;
  const groupGap = 14;
  const legendHeight = series.length * 22 + 6;
  const plot = width - labelWidth - 52;
  const max = opts.max ?? Math.max(1e-9, ...groups.flatMap((g) => g.values.map((v) => v.value)));
  const colour = (i: number) => series[i]?.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length]!;
  const groupHeight = series.length * barHeight;
  const height = legendHeight + groups.length * (groupHeight + groupGap) + groupGap;

  const legend = series.map((s, i) => {
    const y = 4 + i * 22;
    return `<rect x="${labelWidth}" y="${y}" width="14" height="14" fill="${colour(i)}"></rect><text x="${labelWidth + 20}" y="${y + 12}" font-size="14" fill="#0b0c0c">${escapeHtml(s.name)}</text>`;
  });
  const bars = groups.map((g, gi) => {
    const top = legendHeight + groupGap + gi * (groupHeight + groupGap);
    const label = `<text x="${labelWidth - 8}" y="${top + groupHeight / 2 + 5}" text-anchor="end" font-size="14" fill="#0b0c0c">${escapeHtml(g.label)}</text>`;
    return (
      label +
      g.values
        .map((v, i) => {
          const y = top + i * barHeight;
          const w = Math.max(0, Math.round((v.value / max) * plot));
          return (
            `<rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight - 2}" fill="${colour(i)}"></rect>` +
            `<text x="${labelWidth + w + 6}" y="${y + barHeight - 4}" font-size="12" fill="#0b0c0c">${escapeHtml(v.text)}</text>`
          );
        })
        .join('')
    );
  });
  const summary = groups.map((g) => `${g.label}: ${g.values.map((v, i) => `${series[i]?.name ?? ''} ${v.text}`).join(', ')}`).join('; ');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="cedar-chart" font-family="arial, sans-serif" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${idOf(title)}"><title id="${idOf(title)}">${escapeHtml(`${title}. ${summary}`)}</title>${legend.join('')}<line x1="${labelWidth}" y1="${legendHeight}" x2="${labelWidth}" y2="${height}" stroke="#b1b4b6"></line>${bars.join('')}</svg>`;
}

/** One line of a line chart: a value per label (null where there is none), drawn solid or dashed. */
export interface LineSeries {
  name: string;
  values: readonly (number | null)[];
  colour?: string;
  dashed?: boolean;
}

/** Tick step of 1, 2, 2.5 or 5 × a power of ten giving about `count` intervals over `range`. */
function niceStep(range: number, count: number): number {
  const raw = Math.max(range, 1) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/**
 * A line chart of series over the same labels (months), with a legend, a y axis with grid
 * lines and every few x labels. The y axis starts at `min` when given, else just below the
 * lowest value (stated on the axis), so change over time shows; gaps (null) break a line.
 */
export function lineChart(title: string, labels: readonly string[], series: readonly LineSeries[], opts: { width?: number; height?: number; min?: number } = {}): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 340;
  const left = 64;
  const right = 40;
  const legendHeight = series.length * 22 + 8;
  const top = legendHeight + 12;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const colour = (i: number) => series[i]?.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length]!;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const dataMin = values.length ? Math.min(...values) : 0;
  const dataMax = values.length ? Math.max(...values) : 1;
  const step = niceStep(dataMax - Math.min(dataMin, opts.min ?? dataMin), 5);
  const lo = opts.min ?? Math.floor(dataMin / step) * step - (dataMin === dataMax ? step : 0);
  const hi = Math.max(lo + step, Math.ceil(dataMax / step) * step);
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const x = (i: number) => (labels.length <= 1 ? left + plotW / 2 : left + (i * plotW) / (labels.length - 1));
  const r1 = (n: number) => Math.round(n * 10) / 10;

  const grid: string[] = [];
  for (let v = lo; v <= hi + step / 1000; v += step) {
    grid.push(
      `<line x1="${left}" y1="${r1(y(v))}" x2="${width - right}" y2="${r1(y(v))}" stroke="${v === lo ? '#505a5f' : '#e1e1e1'}"></line>` +
        `<text x="${left - 8}" y="${r1(y(v)) + 5}" text-anchor="end" font-size="13" fill="#505a5f">${fmt.format(v)}</text>`,
    );
  }
  // At most about 8 x labels, always the first and the last.
  const every = Math.max(1, Math.ceil(labels.length / 8));
  const last = labels.length - 1;
  // The last label always; the others every few, but not crowding the last.
  const shown = (i: number) => i === last || (i % every === 0 && last - i >= every * 0.75);
  const xLabels = labels.map((l, i) =>
    shown(i)
      ? `<line x1="${r1(x(i))}" y1="${top + plotH}" x2="${r1(x(i))}" y2="${top + plotH + 5}" stroke="#505a5f"></line><text x="${r1(x(i))}" y="${top + plotH + 22}" text-anchor="middle" font-size="13" fill="#505a5f">${escapeHtml(l)}</text>`
      : '',
  );
  const lines = series.map((s, si) => {
    const runs: string[][] = [];
    let run: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        if (run.length) runs.push(run);
        run = [];
      } else run.push(`${r1(x(i))},${r1(y(v))}`);
    });
    if (run.length) runs.push(run);
    const dash = s.dashed ? ' stroke-dasharray="8 6"' : '';
    const path = runs.map((pts) => `<polyline points="${pts.join(' ')}" fill="none" stroke="${colour(si)}" stroke-width="3"${dash}></polyline>`).join('');
    const dots = s.dashed ? '' : s.values.map((v, i) => (v === null ? '' : `<circle cx="${r1(x(i))}" cy="${r1(y(v))}" r="3.5" fill="${colour(si)}"></circle>`)).join('');
    return path + dots;
  });
  const legend = series.map((s, i) => {
    const ly = 6 + i * 22;
    return `<line x1="${left}" y1="${ly + 7}" x2="${left + 28}" y2="${ly + 7}" stroke="${colour(i)}" stroke-width="3"${s.dashed ? ' stroke-dasharray="8 6"' : ''}></line><text x="${left + 36}" y="${ly + 12}" font-size="14" fill="#0b0c0c">${escapeHtml(s.name)}</text>`;
  });
  const summary = series
    .map((s) => {
      const points = s.values.map((v, i) => ({ v, l: labels[i] })).filter((p) => p.v !== null);
      if (!points.length) return `${s.name}: no figures`;
      const a = points[0]!;
      const b = points[points.length - 1]!;
      return points.length === 1 ? `${s.name}: ${fmt.format(a.v!)} in ${a.l}` : `${s.name}: ${fmt.format(a.v!)} in ${a.l} to ${fmt.format(b.v!)} in ${b.l}`;
    })
    .join('; ');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="cedar-chart" font-family="arial, sans-serif" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${idOf(title)}"><title id="${idOf(title)}">${escapeHtml(`${title}. ${summary}`)}</title>${legend.join('')}${grid.join('')}${xLabels.join('')}${lines.join('')}</svg>`;
}
