/**
 * The answers statistics count, taken from a report's content (Cedar's own or an imported
 * row: both use the same section and field names), in the form they are stored beside it.
 */
export interface Facts {
  ageBand: string | null;
  gender: string | null;
  ethnicity: string | null;
  mainDuty: string | null;
  singleCrewed: boolean | null;
  reasons: readonly string[] | null;
  impactFactors: readonly string[] | null;
  locations: readonly string[] | null;
  outcomes: readonly string[] | null;
}

interface FactSource {
  incident?: { locations?: readonly string[] | null } | null;
  duty?: { mainDuty?: string | null; singleCrewed?: boolean | null } | null;
  subject?: { ageBand?: string | null; gender?: string | null; ethnicity?: string | null } | null;
  reasons?: { reasons?: readonly string[] | null; impactFactors?: readonly string[] | null } | null;
  outcomes?: { outcomes?: readonly string[] | null } | null;
}

export function factsOf(c: FactSource): Facts {
  return {
    ageBand: c.subject?.ageBand ?? null,
    gender: c.subject?.gender ?? null,
    ethnicity: c.subject?.ethnicity ?? null,
    mainDuty: c.duty?.mainDuty ?? null,
    singleCrewed: c.duty?.singleCrewed ?? null,
    reasons: c.reasons?.reasons ?? null,
    impactFactors: c.reasons?.impactFactors ?? null,
    locations: c.incident?.locations ?? null,
    outcomes: c.outcomes?.outcomes ?? null,
  };
}

/** `['a','b']` as `,a,b,`, so one code can be matched with LIKE '%,a,%'; null when not recorded. */
export const joinCodes = (codes: readonly string[] | null): string | null => (codes === null ? null : `,${codes.join(',')},`);

export const splitCodes = (text: string | null): string[] | null => (text === null ? null : text.split(',').filter(Boolean));
