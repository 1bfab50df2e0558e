/**
 * The crewing policy (issue 14): how Taser crews are made up and how many a borough must have.
 * Configuration, kept by the programme lead, force-wide with an override per borough. Pure.
 *
 *  - carriersPerCrew: 1 — a pair in which one officer carries (the default); 2 — both carry.
 *  - soloRanks: the ranks that may deploy alone (default: sergeants and above). A solo officer
 *    who carries is a Taser-equipped crew on their own.
 *  - minimumCrews: the Taser-equipped crews a borough must have on duty at every hour (default
 *    2). Force-wide units (teams with no borough) are counted apart: never towards a borough's
 *    minimum.
 *  - briefing: a shift's briefing runs from `briefingBeforeMinutes` before it starts to
 *    `briefingAfterMinutes` after (default 30 before to 60 after): the hours in which the
 *    sergeant's briefing page offers that shift.
 */
import { z } from 'zod';
import { RANKS, type Rank } from '../organisation.js';

export interface CrewingPolicy {
  carriersPerCrew: 1 | 2;
  soloRanks: readonly Rank[];
  minimumCrews: number;
  briefingBeforeMinutes: number;
  briefingAfterMinutes: number;
}

/** Sergeant and every rank above it. */
export const SERGEANT_AND_ABOVE: readonly Rank[] = RANKS.slice(RANKS.indexOf('Sergeant'));

export const DEFAULT_CREWING_POLICY: CrewingPolicy = {
  carriersPerCrew: 1,
  soloRanks: SERGEANT_AND_ABOVE,
  minimumCrews: 2,
  briefingBeforeMinutes: 30,
  briefingAfterMinutes: 60,
};

/** The most crews a minimum may ask for, and the longest briefing window either side of a start (12 hours). */
export const MAX_MINIMUM_CREWS = 500;
export const MAX_BRIEFING_MINUTES = 720;

const minutes = (what: string) =>
  z.coerce
    .number({ error: `Enter the minutes ${what} as a whole number` })
    .int(`Enter the minutes ${what} as a whole number`)
    .min(0, `The minutes ${what} cannot be negative`)
    .max(MAX_BRIEFING_MINUTES, `The minutes ${what} must be ${MAX_BRIEFING_MINUTES} (12 hours) or fewer`);

/** A policy as entered (a form or the API); errors by field. */
export const crewingPolicyInput = z.object({
  carriersPerCrew: z.coerce
    .number({ error: 'Select how many officers of a crew carry' })
    .refine((n) => n === 1 || n === 2, 'Select how many officers of a crew carry: 1 (a pair in which one carries) or 2 (both carry)')
    .transform((n) => n as 1 | 2),
  soloRanks: z
    .array(z.enum(RANKS, { error: `Select ranks from: ${RANKS.join(', ')}` }))
    .default([])
    .transform((ranks) => RANKS.filter((r) => ranks.includes(r))),
  minimumCrews: z.coerce
    .number({ error: 'Enter the minimum Taser-equipped crews as a whole number' })
    .int('Enter the minimum Taser-equipped crews as a whole number')
    .min(0, 'The minimum Taser-equipped crews cannot be negative')
    .max(MAX_MINIMUM_CREWS, `The minimum Taser-equipped crews must be ${MAX_MINIMUM_CREWS} or fewer`),
  briefingBeforeMinutes: minutes('before the start'),
  briefingAfterMinutes: minutes('after the start'),
});
export type CrewingPolicyInput = z.input<typeof crewingPolicyInput>;

/** Whether an officer of this rank may deploy alone under the policy. */
export function mayDeployAlone(policy: Pick<CrewingPolicy, 'soloRanks'>, rank: Rank): boolean {
  return policy.soloRanks.includes(rank);
}

/** The policy for a borough: its override, else the force-wide policy, else the defaults. */
export function effectivePolicy(forceWide: CrewingPolicy | null, borough: CrewingPolicy | null = null): CrewingPolicy {
  return borough ?? forceWide ?? DEFAULT_CREWING_POLICY;
}

/** Whether two policies say the same. */
export function samePolicy(a: CrewingPolicy, b: CrewingPolicy): boolean {
  return (
    a.carriersPerCrew === b.carriersPerCrew &&
    a.minimumCrews === b.minimumCrews &&
    a.briefingBeforeMinutes === b.briefingBeforeMinutes &&
    a.briefingAfterMinutes === b.briefingAfterMinutes &&
    a.soloRanks.length === b.soloRanks.length &&
    a.soloRanks.every((r) => b.soloRanks.includes(r))
  );
}

/**
 * The most Taser-equipped crews a set of on-duty officers can form (coverage's count): `carriers`
 * officers hold a device, `soloCarriers` of them may deploy alone, `officers` are on duty in
 * all. A solo carrier is a crew; with one carrier per crew each other carrier needs a partner
 * (a non-carrier, or failing that another carrier); with both carrying, two carriers make a crew.
 */
export function taserCrewsPossible(policy: Pick<CrewingPolicy, 'carriersPerCrew'>, officers: number, carriers: number, soloCarriers: number): number {
  const paired = carriers - soloCarriers;
  if (policy.carriersPerCrew === 2) return soloCarriers + Math.floor(paired / 2);
  const partners = officers - carriers;
  const withPartner = Math.min(paired, partners);
  return soloCarriers + withPartner + Math.floor((paired - withPartner) / 2);
}
