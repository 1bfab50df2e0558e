import type { HighestLevel } from '../../../src/domain/report/levels.js';
import type { CountedReport } from '../../../src/domain/stats/counting.js';

/** A counted report with CED drawn; override what the test is about. */
export function report(over: Partial<CountedReport> = {}): CountedReport {
  return {
    occurredOn: '2019-06-15',
    boroughId: 'b-lx',
    boroughName: 'Lambeth',
    highestLevel: 'drawn',
    ageBand: '18-34',
    gender: 'male',
    ethnicity: 'white',
    mainDuty: 'response',
    singleCrewed: false,
    reasons: ['protect_self'],
    impactFactors: ['weapon'],
    locations: ['street'],
    outcomes: ['arrested'],
    ...over,
  };
}

/** mulberry32: a small seeded PRNG, so "random" tests fail the same way every time. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ANY_LEVEL: readonly (HighestLevel | null)[] = ['angle_drive_stun', 'fired', 'drive_stun', 'arced', 'red_dotted', 'aimed', 'drawn', 'not_stated', null];

/** Random reports over 2018-2021, with missing values and multi-valued fields of 0-3 values (repeats included). */
export function randomReports(random: () => number, n: number): CountedReport[] {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;
  const some = (a: readonly string[]) => Array.from({ length: Math.floor(random() * 4) }, () => pick(a));
  const day = () => {
    const y = 2018 + Math.floor(random() * 4);
    const m = 1 + Math.floor(random() * 12);
    const d = 1 + Math.floor(random() * 28);
    return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  };
  return Array.from({ length: n }, () => {
    const borough = pick([
      ['b-lx', 'Lambeth'],
      ['b-sk', 'Southwark'],
      ['b-hk', 'Hackney'],
      [null, null],
    ] as const);
    return {
      occurredOn: day(),
      boroughId: borough[0],
      boroughName: borough[1],
      highestLevel: pick(ANY_LEVEL),
      ageBand: pick(['0-10', '11-17', '18-34', '35-49', '50-64', '65+', null]),
      gender: pick(['male', 'female', 'other', 'not_known', null]),
      ethnicity: pick(['white', 'black', 'asian', 'mixed', 'other', 'not_reported', null]),
      mainDuty: pick(['response', 'neighbourhood', 'tsg', null]),
      singleCrewed: pick([true, false, null]),
      reasons: pick([some(['protect_self', 'protect_public', 'effect_arrest', 'prevent_harm']), null]),
      impactFactors: some(['weapon', 'alcohol', 'drugs', 'mental_health']),
      locations: some(['street', 'dwelling', 'retail']),
      outcomes: some(['arrested', 'hospitalised', 'other']),
    };
  });
}
