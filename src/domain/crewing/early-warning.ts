/**
 * Early warning (issue 14): Taser uses per 100 shifts of each officer, beside the median of
 * their borough, to support early-intervention work. Not public. Pure.
 *
 *  - A use is a recorded use-of-force report (not a draft, not discarded) of the officer in which
 *    a Taser was used (`ced_used`), with its incident's London date in the period. Imported rows
 *    name no officer and are not counted.
 *  - Shifts are the officer's stored shifts whose London date (the day the shift starts) is in
 *    the period, in any borough.
 *  - The rate is uses × 100 / shifts. Officers with fewer than `MIN_SHIFTS` shifts have too few to
 *    compare: no rate, and not in their borough's median.
 *  - A borough's median is the median of the rates of its officers with enough shifts (their
 *    home borough; officers of force-wide units together). The mean of the two middle rates when
 *    there is an even number.
 *  - Order: officers with a rate first, highest rate first (then more uses, then more shifts);
 *    then those with too few shifts, most uses first (then more shifts). Ties keep the order
 *    given.
 */

/** Fewer shifts than this and an officer's rate is not compared. */
export const MIN_SHIFTS = 20;

export interface OfficerActivity {
  officerId: string;
  /** The officer's home borough; null for force-wide units. */
  boroughId: string | null;
  shifts: number;
  uses: number;
}

export interface EarlyWarningRow extends OfficerActivity {
  /** Uses per 100 shifts; null with too few shifts to compare. */
  rate: number | null;
  /** The median rate of the officer's borough; null when no officer of it has enough shifts. */
  boroughMedian: number | null;
}

/** The median of some numbers; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Uses per 100 shifts, or null with fewer than `minShifts` shifts. */
export function usesPer100Shifts(uses: number, shifts: number, minShifts = MIN_SHIFTS): number | null {
  return shifts < Math.max(1, minShifts) ? null : (uses * 100) / shifts;
}

const boroughKey = (id: string | null) => id ?? '';

/** Each borough's median rate (key: the borough's id, '' for force-wide units). */
export function boroughMedians(officers: readonly OfficerActivity[], minShifts = MIN_SHIFTS): Map<string, number | null> {
  const rates = new Map<string, number[]>();
  for (const o of officers) {
    const key = boroughKey(o.boroughId);
    const list = rates.get(key) ?? [];
    const rate = usesPer100Shifts(o.uses, o.shifts, minShifts);
    if (rate !== null) list.push(rate);
    rates.set(key, list);
  }
  return new Map([...rates].map(([k, list]) => [k, median(list)]));
}

/** The officers' rates beside their borough's median, in order (see the header). */
export function earlyWarning<T extends OfficerActivity>(officers: readonly T[], minShifts = MIN_SHIFTS): (T & EarlyWarningRow)[] {
  const medians = boroughMedians(officers, minShifts);
  const rows = officers.map((o) => ({ ...o, rate: usesPer100Shifts(o.uses, o.shifts, minShifts), boroughMedian: medians.get(boroughKey(o.boroughId)) ?? null }));
  return rows.sort((a, b) => {
    if (a.rate !== null && b.rate !== null) return b.rate - a.rate || b.uses - a.uses || b.shifts - a.shifts;
    if (a.rate !== null) return -1;
    if (b.rate !== null) return 1;
    return b.uses - a.uses || b.shifts - a.shifts;
  });
}
