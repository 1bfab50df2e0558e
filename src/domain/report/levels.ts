/**
 * Levels of CED (Taser) use and the rule that counts one level per report.
 *
 * The Met's published ranking, most severe first, which the Home Office table also counts:
 *   angle drive stun > fired > drive stun > arced > red-dotted > aimed > drawn.
 * A report counts once, at its highest level across every CED application and every CED
 * tactic listed. A report with CED used but no level anywhere counts as "not stated".
 */
export const CED_LEVELS = ['drawn', 'aimed', 'red_dotted', 'arced', 'drive_stun', 'drive_stun_repeat', 'angle_drive_stun', 'fired'] as const;
export type CedLevel = (typeof CED_LEVELS)[number];

export const CED_LEVEL_LABELS: Record<CedLevel, string> = {
  drawn: 'Drawn',
  aimed: 'Aimed',
  red_dotted: 'Red-dotted',
  arced: 'Arced',
  drive_stun: 'Drive stun',
  drive_stun_repeat: 'Drive stun (repeat application)',
  angle_drive_stun: 'Angle drive stun',
  fired: 'Fired',
};

/** The levels that are counted, most severe first. A repeat drive stun counts as a drive stun. */
export const COUNTED_LEVELS = ['angle_drive_stun', 'fired', 'drive_stun', 'arced', 'red_dotted', 'aimed', 'drawn'] as const;
export type CountedLevel = (typeof COUNTED_LEVELS)[number];
export type HighestLevel = CountedLevel | 'not_stated';
/** Every level a report can count at, most severe first, then not stated: the ranking lists and sorts follow. */
export const HIGHEST_LEVELS = [...COUNTED_LEVELS, 'not_stated'] as const satisfies readonly HighestLevel[];

export const HIGHEST_LEVEL_LABELS: Record<HighestLevel, string> = {
  angle_drive_stun: 'Angle drive stun',
  fired: 'Fired',
  drive_stun: 'Drive stun',
  arced: 'Arced',
  red_dotted: 'Red-dotted',
  aimed: 'Aimed',
  drawn: 'Drawn',
  not_stated: 'Not stated',
};

/** Discharges: the probes or the device touched the subject. The rest are non-discharge uses. */
export const DISCHARGE_LEVELS: readonly CountedLevel[] = ['angle_drive_stun', 'fired', 'drive_stun'];

const COUNTED_OF: Record<CedLevel, CountedLevel> = {
  drawn: 'drawn',
  aimed: 'aimed',
  red_dotted: 'red_dotted',
  arced: 'arced',
  drive_stun: 'drive_stun',
  drive_stun_repeat: 'drive_stun',
  angle_drive_stun: 'angle_drive_stun',
  fired: 'fired',
};

/** The level each CED tactic in the tactics list stands for. */
export const LEVEL_OF_CED_TACTIC: Record<string, CountedLevel> = {
  ced_drawn: 'drawn',
  ced_aimed: 'aimed',
  ced_red_dotted: 'red_dotted',
  ced_arced: 'arced',
  ced_drive_stun: 'drive_stun',
  ced_angle_drive_stun: 'angle_drive_stun',
  ced_fired: 'fired',
};

export interface LevelEvidence {
  cedUsed?: boolean | null;
  /** Levels recorded in each CED application. */
  applications?: readonly { levels?: readonly CedLevel[] | null }[] | null;
  /** Tactic codes, in order. */
  tactics?: readonly string[] | null;
}

/**
 * The one level a report counts at, or null when no CED was used at all.
 */
export function highestLevel(e: LevelEvidence): HighestLevel | null {
  const found = new Set<CountedLevel>();
  for (const app of e.applications ?? []) for (const l of app.levels ?? []) found.add(COUNTED_OF[l]);
  for (const t of e.tactics ?? []) {
    const l = LEVEL_OF_CED_TACTIC[t];
    if (l) found.add(l);
  }
  const top = COUNTED_LEVELS.find((l) => found.has(l));
  if (top) return top;
  return e.cedUsed ? 'not_stated' : null;
}

export function isDischarge(level: HighestLevel | null): boolean {
  return level !== null && level !== 'not_stated' && DISCHARGE_LEVELS.includes(level);
}

/** Whether any of an application's CED levels is a discharge (a repeated drive stun counts as a drive stun). */
export function anyDischarge(levels: readonly CedLevel[]): boolean {
  return levels.some((l) => isDischarge(COUNTED_OF[l]));
}
