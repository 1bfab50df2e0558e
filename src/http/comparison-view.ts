import type { NationalComparison, NationalComparisonPeriod } from '../services/national.js';
import { groupedBars } from './charts.js';

/** Who reads the national comparison: analysts see the files, load instructions and Cedar's own count; the public the figures. */
export type ComparisonAudience = 'analyst' | 'public';

export interface NationalComparisonPeriodView extends NationalComparisonPeriod {
  /** The grouped bar chart (SVG) of the table beside it. */
  chart: string;
  /** For analysts: Cedar's own count against the published row, in a sentence; null otherwise. */
  cedarCheck: string | null;
}

/** What `partials/national-comparison.njk` expects as `nationalComparison`. */
export interface NationalComparisonView {
  audience: ComparisonAudience;
  force: NationalComparison['force'];
  periods: NationalComparisonPeriodView[];
}

const whole = new Intl.NumberFormat('en-GB');

/** The national comparison laid out for the partial `partials/national-comparison.njk` (render it as `nationalComparison`). */
export function nationalComparisonView(model: NationalComparison, audience: ComparisonAudience = 'public'): NationalComparisonView {
  return {
    audience,
    force: model.force,
    periods: model.periods.map((p) => {
      const c = p.comparison;
      const series = c.areas.map((a) => ({ name: a.source === 'cedar' ? `${a.label} (Cedar)` : a.label }));
      const groups = [...c.levels, c.discharge].map((line) => ({
        label: line.label,
        values: line.cells.map((cell) => ({ value: cell.rate.value ?? 0, text: cell.rate.percent })),
      }));
      const chart = groupedBars(`Share of uses at each level of use and discharge rate, ${p.period.key}`, series, groups);
      let cedarCheck: string | null = null;
      // Only when Cedar holds uses for the period: before a force used Cedar there is nothing to check.
      if (audience === 'analyst' && c.cedar && c.cedar.total > 0 && c.forceSource === 'published') {
        const published = c.areas[0]!.counts;
        const uses = (n: number) => `${whole.format(n)} use${n === 1 ? '' : 's'}`;
        const discharges = (n: number) => `${whole.format(n)} discharge${n === 1 ? '' : 's'}`;
        cedarCheck = `Cedar holds ${uses(c.cedar.total)} of Taser by the force in ${p.period.key} (recorded and imported; ${discharges(c.cedar.discharge)}), against ${uses(published.total)} (${discharges(published.discharge)}) in the published table.`;
      }
      return { ...p, chart, cedarCheck };
    }),
  };
}
