import { z } from 'zod';

/** Ranks in order of seniority (constable first). Forces use the same ranks in England and Wales. */
export const RANKS = [
  'Police Constable',
  'Sergeant',
  'Inspector',
  'Chief Inspector',
  'Superintendent',
  'Chief Superintendent',
  'Commander',
  'Deputy Assistant Commissioner',
  'Assistant Commissioner',
] as const;
export type Rank = (typeof RANKS)[number];

export const RANK_ABBREVIATIONS: Record<Rank, string> = {
  'Police Constable': 'PC',
  Sergeant: 'PS',
  Inspector: 'Insp',
  'Chief Inspector': 'CI',
  Superintendent: 'Supt',
  'Chief Superintendent': 'Ch Supt',
  Commander: 'Cdr',
  'Deputy Assistant Commissioner': 'DAC',
  'Assistant Commissioner': 'AC',
};

export const TEAM_TYPES = ['emergency_response', 'neighbourhood', 'safer_transport', 'territorial_support', 'cid', 'roads_policing', 'custody', 'training', 'other'] as const;
export type TeamType = (typeof TEAM_TYPES)[number];

export const TEAM_TYPE_LABELS: Record<TeamType, string> = {
  emergency_response: 'Emergency response',
  neighbourhood: 'Neighbourhood',
  safer_transport: 'Safer transport',
  territorial_support: 'Territorial Support Group',
  cid: 'CID',
  roads_policing: 'Roads and transport policing',
  custody: 'Custody',
  training: 'Training',
  other: 'Other',
};

export const OFFICER_STATUSES = ['active', 'left'] as const;
export type OfficerStatus = (typeof OFFICER_STATUSES)[number];

/** Home Office police force regions (England and Wales), as used in the published tables. */
export const HOME_OFFICE_REGIONS = ['North East', 'North West', 'Yorkshire and The Humber', 'East Midlands', 'West Midlands', 'East', 'London', 'South East', 'South West', 'Wales'] as const;

export interface Force {
  id: string;
  name: string;
  homeOfficeRegion: string;
  /** The force as the Home Office tables name it, e.g. "Metropolitan". */
  homeOfficeName: string;
}

export interface Borough {
  id: string;
  forceId: string;
  name: string;
  code: string;
}

export interface Team {
  id: string;
  forceId: string;
  boroughId: string | null;
  name: string;
  teamType: TeamType;
}

export interface Officer {
  id: string;
  forceId: string;
  collarNumber: string;
  firstName: string;
  lastName: string;
  rank: Rank;
  boroughId: string | null;
  teamId: string | null;
  status: OfficerStatus;
  joinedOn: string;
  leftOn: string | null;
  createdAt: string;
  updatedAt: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date as `YYYY-MM-DD`, rejecting impossible days such as 2023-02-30. */
export const isoDate = z
  .string()
  .trim()
  .regex(ISO_DATE, 'Enter a date as YYYY-MM-DD, for example 2019-04-01')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'Enter a real date');

const optionalId = z
  .string()
  .trim()
  .transform((s) => (s === '' ? null : s))
  .nullable()
  .optional()
  .transform((v) => v ?? null);

/** Collar (shoulder) or warrant number: letters and digits, unique within the force. */
export const collarNumber = z
  .string({ error: 'Enter a collar number' })
  .trim()
  .toUpperCase()
  .min(1, 'Enter a collar number')
  .max(12, 'Collar number must be 12 characters or fewer')
  .regex(/^[A-Z0-9]+$/, 'Collar number must contain only letters and numbers');

const personName = (what: string) =>
  z
    .string({ error: `Enter the ${what}` })
    .trim()
    .min(1, `Enter the ${what}`)
    .max(100, `The ${what} must be 100 characters or fewer`)
    .regex(/^[\p{L}][\p{L}\p{M}' .-]*$/u, `The ${what} must contain only letters, spaces, hyphens and apostrophes`);

/** Input for creating or editing an officer; the same schema serves forms, the API and CSV imports. */
export const officerInput = z
  .object({
    collarNumber,
    firstName: personName('first name'),
    lastName: personName('last name'),
    rank: z.enum(RANKS, { error: 'Select a rank' }),
    boroughId: optionalId,
    teamId: optionalId,
    status: z.enum(OFFICER_STATUSES, { error: 'Select active or left' }).default('active'),
    joinedOn: isoDate,
    leftOn: z
      .union([isoDate, z.literal('')])
      .nullable()
      .optional()
      .transform((v) => (v ? v : null)),
  })
  .superRefine((o, ctx) => {
    if (o.status === 'left' && !o.leftOn) ctx.addIssue({ code: 'custom', path: ['leftOn'], message: 'Enter the date the officer left' });
    if (o.status === 'active' && o.leftOn) ctx.addIssue({ code: 'custom', path: ['leftOn'], message: 'An active officer has no leaving date: clear it or set the status to left' });
    if (o.leftOn && o.leftOn < o.joinedOn) ctx.addIssue({ code: 'custom', path: ['leftOn'], message: 'The leaving date must be on or after the joining date' });
  });
export type OfficerInput = z.infer<typeof officerInput>;

/**
 * The earliest joining date Cedar takes: nobody serving, or leaving, in Cedar's time joined
 * before 1950. An earlier date is a slip (1900 for 2000, a default of a spreadsheet).
 */
export const EARLIEST_JOINING = '1950-01-01';

/**
 * Whether an officer's dates are plausible on `today` (a London `YYYY-MM-DD`): joined not in
 * the future and not before 1950, and left (if they have) not in the future. An officer
 * "joined 1 January 2099" would otherwise be listed as serving. Pure.
 */
export function officerDateProblems(o: Pick<OfficerInput, 'joinedOn' | 'leftOn'>, today: string): { field: 'joinedOn' | 'leftOn'; message: string }[] {
  const problems: { field: 'joinedOn' | 'leftOn'; message: string }[] = [];
  if (o.joinedOn > today) problems.push({ field: 'joinedOn', message: 'The joining date must be today or in the past: add an officer once they have joined' });
  else if (o.joinedOn < EARLIEST_JOINING) problems.push({ field: 'joinedOn', message: 'The joining date must be on or after 1 January 1950: check the year' });
  if (o.leftOn && o.leftOn > today) problems.push({ field: 'leftOn', message: 'The leaving date must be today or in the past: record that an officer has left once they have' });
  return problems;
}

/** officerInput, with the dates checked against `today` (officerDateProblems): what forms, the API and roster imports take. */
export const officerInputOn = (today: string) =>
  officerInput.superRefine((o, ctx) => {
    if (!o.joinedOn) return;
    for (const p of officerDateProblems(o, today)) ctx.addIssue({ code: 'custom', path: [p.field], message: p.message });
  });

export const teamInput = z.object({
  name: z.string({ error: 'Enter a team name' }).trim().min(1, 'Enter a team name').max(100, 'Team name must be 100 characters or fewer'),
  teamType: z.enum(TEAM_TYPES, { error: 'Select a team type' }),
  boroughId: optionalId,
});
export type TeamInput = z.infer<typeof teamInput>;

/** A team belongs to one borough or to the whole force; an officer's team must fit their borough. */
export function teamFitsBorough(team: Pick<Team, 'boroughId'>, boroughId: string | null): boolean {
  return team.boroughId === null || team.boroughId === boroughId;
}

export function officerDisplayName(o: Pick<Officer, 'rank' | 'firstName' | 'lastName' | 'collarNumber'>): string {
  return `${RANK_ABBREVIATIONS[o.rank]} ${o.firstName} ${o.lastName} (${o.collarNumber})`;
}

/** The editable fields of a stored officer, in the shape of the input schema (to compare with new input). */
export function officerFields(o: Officer): OfficerInput {
  return {
    collarNumber: o.collarNumber,
    firstName: o.firstName,
    lastName: o.lastName,
    rank: o.rank,
    boroughId: o.boroughId,
    teamId: o.teamId,
    status: o.status,
    joinedOn: o.joinedOn,
    leftOn: o.leftOn,
  };
}

/** The fields that differ between two versions of a record, for the audit summary. */
export function changedFields<T extends object>(before: T, after: T): Partial<Record<keyof T, { from: unknown; to: unknown }>> {
  const out: Partial<Record<keyof T, { from: unknown; to: unknown }>> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (before[key] !== after[key]) out[key] = { from: before[key], to: after[key] };
  }
  return out;
}

/** The orders a list of officers can be sorted in. */
export const OFFICER_SORTS = ['name', 'collar', 'rank', 'joined'] as const;
export type OfficerSort = (typeof OFFICER_SORTS)[number];
