import type { Breakdown } from './counting.js';

/** A breakdown as rows of text for a CSV file or an HTML table: header first, whole numbers, rates as percentages. */
export function breakdownTable(b: Breakdown): string[][] {
  const header = [
    b.title,
    'Total',
    'Total non-discharge',
    'Drawn',
    'Aimed',
    'Red-dot',
    'Arced',
    'Total discharge',
    'Drive stun',
    'Fired',
    'Angled drive stun',
    'Not stated',
    'Discharge rate',
    'Fired rate',
  ];
  const line = (label: string, r: Pick<Breakdown['rows'][number], 'counts' | 'dischargeRate' | 'firedRate'>) => {
    const c = r.counts;
    return [label, c.total, c.nonDischarge, c.drawn, c.aimed, c.redDot, c.arced, c.discharge, c.driveStun, c.fired, c.angledDriveStun, c.notStated]
      .map(String)
      .concat([r.dischargeRate.percent, r.firedRate.percent]);
  };
  return [
    header,
    ...b.rows.map((r) => line(r.label, r)),
    line(b.multiValued ? 'All uses (each counted once)' : 'All uses', { counts: b.total, dischargeRate: b.dischargeRate, firedRate: b.firedRate }),
  ];
}
