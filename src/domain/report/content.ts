import { z } from 'zod';
import type { FieldError } from '../errors.js';
import { fieldErrorsFromZod } from '../validation.js';
import { isoDate } from '../organisation.js';
import { londonInstant, londonOffsetMinutes } from '../calendar.js';
import { CED_LEVELS, highestLevel, isDischarge, LEVEL_OF_CED_TACTIC, type HighestLevel } from './levels.js';
import { AGE_BANDS, BODY_MAP, codes, ETHNICITIES, GENDERS, IMPACT_FACTORS, INJURY_LEVELS, LOCATION_TYPES, MAIN_DUTIES, OUTCOMES, PRIMARY_CONDUCT, REASONS_FOR_FORCE, TACTICS } from './vocabulary.js';

/**
 * The use-of-force report's content, section by section. Each section is saved on its own
 * (a draft is the sections saved so far); submission needs every section that applies.
 */
const yesNo = (question: string) => z.boolean({ error: `Select yes or no: ${question}` });
const choice = <V extends Record<string, string>>(v: V, message: string) => z.enum(codes(v), { error: message });
const choices = <V extends Record<string, string>>(v: V, message: string, atLeastOne?: string) =>
  z
    .array(z.enum(codes(v), { error: message }))
    .refine((a) => !atLeastOne || a.length > 0, atLeastOne ?? '')
    .transform((a) => [...new Set(a)]);
/** A length limit in words: "must be 20,000 characters or fewer". */
const atMost = (what: string, max: number) => `${what} must be ${max.toLocaleString('en-GB')} characters or fewer`;
const text = (what: string, max: number) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(max, atMost(`${what[0]!.toUpperCase()}${what.slice(1)}`, max));
const optionalText = (what: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, atMost(what, max))
    .nullish()
    .transform((v) => (v ? v : null));

export const incidentSection = z.object({
  reference: z
    .string({ error: 'Enter the incident (CAD) reference' })
    .trim()
    .toUpperCase()
    .min(1, 'Enter the incident (CAD) reference')
    .max(30, 'The incident reference must be 30 characters or fewer')
    .regex(/^[A-Z0-9][A-Z0-9/ -]*$/, 'The incident reference must contain only letters, numbers, spaces, hyphens and slashes'),
  date: isoDate,
  time: z
    .string({ error: 'Enter the time of the incident' })
    .trim()
    .min(1, 'Enter the time of the incident')
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter the time as HH:MM on the 24-hour clock, for example 22:15'),
  // Ids are UUIDs: anything longer is not one of the force's boroughs.
  boroughId: z.string({ error: 'Select the borough' }).trim().min(1, 'Select the borough').max(64, 'Select the borough from the list'),
  locations: choices(LOCATION_TYPES, 'Select a location type from the list', 'Select at least one type of location'),
});

export const dutySection = z.object({
  mainDuty: choice(MAIN_DUTIES, 'Select your main duty'),
  singleCrewed: yesNo('were you single crewed?'),
  /** Not asked: Cedar answers it from the officer's authority on the incident day (any value sent is replaced). */
  cedTrained: yesNo('are you Taser (CED) trained?').optional(),
  carryingCed: yesNo('were you carrying a Taser?'),
});

export const subjectSection = z.object({
  ageBand: choice(AGE_BANDS, 'Select the age band you perceived'),
  gender: choice(GENDERS, 'Select the gender'),
  ethnicity: choice(ETHNICITIES, 'Select the ethnicity you perceived'),
  physicalDisability: yesNo('did the subject appear to have a physical disability?'),
  mentalDisability: yesNo('did the subject appear to have a mental health condition or disability?'),
});

export const reasonsSection = z.object({
  primaryConduct: choice(PRIMARY_CONDUCT, "Select the subject's main conduct"),
  assaultedBySubject: yesNo('were you assaulted by the subject?'),
  threatenedWithWeapon: yesNo('were you threatened with a weapon?'),
  assaultedWithWeapon: yesNo('were you assaulted with a weapon?'),
  impactFactors: choices(IMPACT_FACTORS, 'Select an impact factor from the list'),
  reasons: choices(REASONS_FOR_FORCE, 'Select a reason from the list', 'Select at least one reason for using force'),
});

export const tacticsSection = z
  .object({
    tactics: z
      .array(z.object({ tactic: choice(TACTICS, 'Select a tactic from the list'), effective: yesNo('was the tactic effective?') }))
      .min(1, 'Add at least one tactic you used')
      .max(20, 'Record at most 20 tactics'),
    cedUsed: yesNo('did you use a Taser (CED)?'),
    firearmsAimed: yesNo('were firearms aimed?'),
    firearmsFired: yesNo('were firearms fired?'),
  })
  .superRefine((s, ctx) => {
    if (!s.cedUsed && s.tactics.some((t) => LEVEL_OF_CED_TACTIC[t.tactic])) {
      ctx.addIssue({ code: 'custom', path: ['cedUsed'], message: 'You listed a Taser tactic: answer yes to using a Taser, or remove the Taser tactic' });
    }
    if (s.firearmsFired && !s.firearmsAimed) ctx.addIssue({ code: 'custom', path: ['firearmsAimed'], message: 'A firearm that was fired was also aimed: answer yes' });
  });

export const firedDetails = z.object({
  cartridgeNumber: z
    .string({ error: 'Enter the cartridge serial number' })
    .trim()
    .toUpperCase()
    .min(1, 'Enter the cartridge serial number')
    .max(30, 'The cartridge number must be 30 characters or fewer')
    .regex(/^[A-Z0-9-]+$/, 'The cartridge number must contain only letters, numbers and hyphens'),
  totalCycles: z.preprocess(
    (v) => (v === null || (typeof v === 'string' && v.trim() === '') ? undefined : typeof v === 'string' ? Number(v.trim()) : v),
    z.number({ error: 'Enter the total number of cycles as a number' }).int('Enter a whole number of cycles').min(1, 'Enter at least 1 cycle').max(50, 'Enter 50 cycles or fewer'),
  ),
  cycleInterrupted: yesNo('was the 5-second cycle interrupted?'),
  cycleExtended: yesNo('was a cycle extended beyond 5 seconds?'),
  repeatCycleSameCartridge: yesNo('was there a repeat cycle on the same cartridge?'),
  missOneProbe: yesNo('did one probe miss?'),
  missBothProbes: yesNo('did both probes miss?'),
  probeLocations: z.array(z.enum(BODY_MAP as [string, ...string[]], { error: 'Select probe locations from the body map' })).transform((a) => [...new Set(a)]),
});

export const cedApplication = z
  .object({
    levels: z
      .array(z.enum(CED_LEVELS, { error: 'Select a level of use from the list' }))
      .min(1, 'Select at least one level of use for this application')
      .transform((a) => [...new Set(a)]),
    fired: firedDetails.nullish().transform((v) => v ?? null),
  })
  .superRefine((a, ctx) => {
    const fired = a.levels.includes('fired');
    if (fired && !a.fired) ctx.addIssue({ code: 'custom', path: ['fired'], message: 'Give the details of the firing' });
    if (!fired && a.fired) ctx.addIssue({ code: 'custom', path: ['fired'], message: 'Fired details are only for an application that was fired' });
    if (a.fired && a.fired.missBothProbes && a.fired.probeLocations.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['fired', 'probeLocations'], message: 'Both probes missed, so no probe strike locations can be marked' });
    }
    if (a.fired && a.fired.missOneProbe && a.fired.probeLocations.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['fired', 'probeLocations'], message: 'One probe missed, so mark at most one probe strike location' });
    }
    if (a.fired && a.fired.missBothProbes && a.fired.missOneProbe)
      ctx.addIssue({ code: 'custom', path: ['fired', 'missOneProbe'], message: 'Answer either one probe missed or both probes missed, not both' });
  });
export type CedApplication = z.infer<typeof cedApplication>;

export const cedSection = z.object({
  deviceSerial: z
    .string({ error: 'Enter the Taser serial number' })
    .trim()
    .toUpperCase()
    .min(1, 'Enter the Taser serial number')
    .max(30, 'The serial number must be 30 characters or fewer')
    .regex(/^[A-Z0-9-]+$/, 'The serial number must contain only letters, numbers and hyphens'),
  applications: z.array(cedApplication).min(1, 'Record at least one application of the Taser').max(4, 'Record at most 4 applications'),
});

export const justificationSection = z.object({
  text: text('your justification for the force you used', 20_000),
});

export const BWV_SWITCHED_ON = ['before', 'during', 'not_on'] as const;

export const bwvSection = z
  .object({
    worn: yesNo('were you wearing body-worn video?'),
    switchedOn: z
      .enum(BWV_SWITCHED_ON, { error: 'Select when the camera was switched on' })
      .nullish()
      .transform((v) => v ?? null),
    notOnReason: optionalText('The reason', 2000),
    cameraId: optionalText('The camera identifier', 50),
    footageRefs: z
      .array(z.string().trim().max(100, atMost('A footage reference', 100)))
      .default([])
      .transform((a) => [...new Set(a.filter(Boolean))]),
  })
  .superRefine((b, ctx) => {
    if (!b.worn) return;
    if (!b.switchedOn) ctx.addIssue({ code: 'custom', path: ['switchedOn'], message: 'Select when the camera was switched on' });
    if (b.switchedOn === 'not_on' && !b.notOnReason) ctx.addIssue({ code: 'custom', path: ['notOnReason'], message: 'Explain why the camera was not switched on' });
    if (!b.cameraId) ctx.addIssue({ code: 'custom', path: ['cameraId'], message: 'Enter the camera identifier' });
    if (b.switchedOn && b.switchedOn !== 'not_on' && b.footageRefs.length === 0) ctx.addIssue({ code: 'custom', path: ['footageRefs'], message: 'Enter at least one footage reference' });
  });

export const injuriesSection = z
  .object({
    staffInjured: yesNo('were you injured?'),
    staffInjuryIntentional: z
      .boolean()
      .nullish()
      .transform((v) => v ?? null),
    staffInjuryLevel: z
      .enum(codes(INJURY_LEVELS))
      .nullish()
      .transform((v) => v ?? null),
    staffMedicalProvided: z
      .boolean()
      .nullish()
      .transform((v) => v ?? null),
    subjectInjured: yesNo('was the subject injured?'),
    subjectInjuryNature: optionalText('The nature of the injury', 500),
    subjectInjuryLevel: z
      .enum(codes(INJURY_LEVELS))
      .nullish()
      .transform((v) => v ?? null),
    subjectMedicalOffered: yesNo('was medical assistance offered to the subject?'),
    subjectMedicalProvided: yesNo('was medical assistance provided to the subject?'),
  })
  .superRefine((s, ctx) => {
    if (s.staffInjured) {
      if (s.staffInjuryIntentional === null) ctx.addIssue({ code: 'custom', path: ['staffInjuryIntentional'], message: 'Select yes or no: was your injury caused intentionally?' });
      if (!s.staffInjuryLevel) ctx.addIssue({ code: 'custom', path: ['staffInjuryLevel'], message: 'Select how serious your injury was' });
      if (s.staffMedicalProvided === null) ctx.addIssue({ code: 'custom', path: ['staffMedicalProvided'], message: 'Select yes or no: were you given medical assistance?' });
    }
    if (s.subjectInjured) {
      if (!s.subjectInjuryNature) ctx.addIssue({ code: 'custom', path: ['subjectInjuryNature'], message: "Describe the subject's injury" });
      if (!s.subjectInjuryLevel) ctx.addIssue({ code: 'custom', path: ['subjectInjuryLevel'], message: "Select how serious the subject's injury was" });
    }
    if (s.subjectMedicalProvided && !s.subjectMedicalOffered)
      ctx.addIssue({ code: 'custom', path: ['subjectMedicalOffered'], message: 'Medical assistance that was provided was also offered: answer yes' });
  });

export const outcomesSection = z.object({
  outcomes: choices(OUTCOMES, 'Select an outcome from the list', 'Select at least one outcome'),
});

export const MEDICAL_ASSESSMENTS = {
  paramedic: 'Paramedic at the scene',
  hospital: 'Taken to hospital',
  custody_healthcare: 'Custody healthcare professional',
  declined: 'Offered and declined',
  none: 'None',
} as const;
export const PROBE_REMOVERS = { trained_officer: 'A trained officer', medical_staff: 'Medical staff', not_applicable: 'Not applicable (no probes attached)' } as const;
export const IMPLANT_CHECK = { yes: 'Yes, checked', no: 'No', not_known: 'Could not check' } as const;

export const postUseSection = z.object({
  aftercareGiven: yesNo('was aftercare given?'),
  medicalAssessment: choice(MEDICAL_ASSESSMENTS, 'Select the medical assessment'),
  probesRemovedBy: choice(PROBE_REMOVERS, 'Select who removed the probes'),
  cartridgesRetained: yesNo('were the cartridges retained as evidence?'),
  afidTagsRetained: yesNo('were the AFID tags retained as evidence?'),
  deviceDownloadRequested: yesNo('was a download of the device log requested?'),
  implantCheck: choice(IMPLANT_CHECK, 'Select whether a pacemaker or implant check was made'),
  iopcReferralConsidered: yesNo('was a referral to the IOPC considered?'),
  iopcNotes: optionalText('The IOPC referral notes', 2000),
});

export const SECTIONS = {
  incident: { title: 'Incident details', schema: incidentSection },
  duty: { title: 'Your duty', schema: dutySection },
  subject: { title: 'The subject', schema: subjectSection },
  reasons: { title: 'Why you used force', schema: reasonsSection },
  tactics: { title: 'Tactics you used', schema: tacticsSection },
  ced: { title: 'Taser use', schema: cedSection },
  justification: { title: 'Your justification', schema: justificationSection },
  bwv: { title: 'Body-worn video', schema: bwvSection },
  injuries: { title: 'Injuries and medical assistance', schema: injuriesSection },
  outcomes: { title: 'Outcome', schema: outcomesSection },
  postUse: { title: 'After a discharge', schema: postUseSection },
} as const;

export type SectionKey = keyof typeof SECTIONS;
export const SECTION_KEYS = Object.keys(SECTIONS) as SectionKey[];

export type ReportContent = { [K in SectionKey]?: z.infer<(typeof SECTIONS)[K]['schema']> };

/** Content as stored: sections as saved, not yet trusted (drafts, old versions). */
export type StoredContent = Partial<Record<SectionKey, unknown>>;

// The rules a new answer must meet --------------------------------------------------------

/**
 * 1 April 2017: from that day every use of force in England and Wales is recorded (the Home
 * Office's Annual Data Requirement; the Met's published data start then). An incident before
 * the day the force's records begin cannot be recorded. A force whose own records go back
 * further (some recorded from October 2016) configures an earlier day
 * (`CEDAR_RECORDS_BEGIN`): the day is set, not worked out from the earliest report stored,
 * so one mistyped date in the records cannot widen the range for everyone after it.
 */
export const RECORDS_BEGIN = '2017-04-01';

/** What the rules for a new answer depend on: the present instant, and when the force's records begin. */
export interface SectionRules {
  now: Date;
  /** `YYYY-MM-DD`; RECORDS_BEGIN unless the force configures another day. */
  recordsBegin?: string;
}

/**
 * Outcomes that cannot both be recorded for one use of force. "Made off/escaped" means the
 * subject got away from the officer: the Met's and the Home Office's outcome list asks what
 * happened to the subject, and a subject who got away was not then arrested, detained under
 * the Mental Health Act, taken to hospital, or dead (a fatality is recorded from the subject's
 * injury: they died of it). Every other pair happens — arrested and then taken to hospital,
 * detained and then died — and "Other" goes with anything.
 */
export const EXCLUSIVE_OUTCOMES: readonly (readonly [keyof typeof OUTCOMES, keyof typeof OUTCOMES])[] = [
  ['made_off', 'arrested'],
  ['made_off', 'detained_mha'],
  ['made_off', 'hospitalised'],
  ['made_off', 'fatality'],
];

/** A serial number: letters and digits, with single hyphens between groups, and at least one digit. */
const SERIAL = /^(?=.*\d)[A-Z0-9]+(-[A-Z0-9]+)*$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const realDate = (s: string) => DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
const longDate = (s: string) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${s}T00:00:00Z`));
const orList = (words: string[]) => (words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? ''));

type Section<K extends SectionKey> = z.infer<(typeof SECTIONS)[K]['schema']>;
type RuleCheck<K extends SectionKey> = (value: Section<K>, ctx: z.RefinementCtx, rules: SectionRules) => void;
const issue = (ctx: z.RefinementCtx, path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

/**
 * Rules added to each section's stored shape for a new answer: ranges that depend on the
 * date, formats and combinations. They apply when an answer is saved, amended or submitted;
 * a section stored before a rule existed still reads (statistics and exports keep counting
 * it), and is corrected with the next amendment.
 */
const RULES: { [K in SectionKey]?: RuleCheck<K> } = {
  incident: (s, ctx, rules) => {
    if (!realDate(s.date) || !TIME.test(s.time)) return; // the shape has said what is wrong
    const begins = rules.recordsBegin ?? RECORDS_BEGIN;
    const here = londonClock(rules.now);
    if (s.date < begins) issue(ctx, ['date'], `The date of the incident must be on or after ${longDate(begins)}, when the force's records of use of force begin`);
    else if (s.date > here.date) issue(ctx, ['date'], `The date of the incident must be today or in the past (today is ${longDate(here.date)})`);
    else if (earliestIncidentInstant(s.date, s.time).getTime() > rules.now.getTime()) issue(ctx, ['time'], `The time of the incident must be in the past (it is ${here.time} now)`);
  },
  ced: (s, ctx) => {
    if (!SERIAL.test(s.deviceSerial)) issue(ctx, ['deviceSerial'], 'Enter the Taser serial number as on its label: letters and numbers, with single hyphens between them, for example X29001234');
    s.applications.forEach((a, i) => {
      if (a.fired && !SERIAL.test(a.fired.cartridgeNumber)) {
        issue(
          ctx,
          ['applications', i, 'fired', 'cartridgeNumber'],
          'Enter the cartridge serial number as on the cartridge: letters and numbers, with single hyphens between them, for example C1234567',
        );
      }
    });
  },
  bwv: (s, ctx) => {
    if (s.footageRefs.length > 20) issue(ctx, ['footageRefs'], 'Record at most 20 footage references');
  },
  outcomes: (s, ctx) => {
    for (const a of new Set(EXCLUSIVE_OUTCOMES.map(([x]) => x))) {
      if (!s.outcomes.includes(a)) continue;
      const clash = EXCLUSIVE_OUTCOMES.filter(([x, y]) => x === a && s.outcomes.includes(y)).map(([, y]) => OUTCOMES[y]);
      if (clash.length) {
        issue(ctx, ['outcomes'], `${OUTCOMES[a]} cannot be recorded with ${orList(clash)}: it means the subject got away. Select only what happened to the subject in the end`);
      }
    }
  },
};

/** Parses a section's answer: `safeParse` as a zod schema has it. */
export interface SectionParser<K extends SectionKey> {
  safeParse(input: unknown): z.ZodSafeParseResult<Section<K>>;
}

/**
 * A section's parser for a new answer: its stored shape and the rules above, given the present
 * instant. Each section's refined schema is made once: `superRefine` per call would make a new
 * schema every time, and zod compiles each new schema on its first parse (0.25–0.4 ms a report
 * against 0.035 ms, several times a request). The rules reach the refinement through `current`,
 * set for the length of one parse: zod's parse is synchronous here (no async refinements), so no
 * other parse can run in between.
 */
export function sectionSchema<K extends SectionKey>(key: K, rules: SectionRules): SectionParser<K> {
  const schema = REFINED[key] as unknown as z.ZodType<Section<K>, unknown>;
  if (!RULES[key]) return schema;
  return {
    safeParse(input) {
      const outer = current;
      current = rules;
      try {
        return schema.safeParse(input);
      } finally {
        current = outer;
      }
    },
  };
}

let current: SectionRules | null = null;
const REFINED = Object.fromEntries(
  SECTION_KEYS.map((key) => {
    const shape = SECTIONS[key].schema as unknown as z.ZodType<unknown, unknown>;
    const check = RULES[key] as RuleCheck<SectionKey> | undefined;
    return [key, check ? shape.superRefine((value, ctx) => check(value as never, ctx, current!)) : shape];
  }),
) as Record<SectionKey, z.ZodType<unknown, unknown>>;

/** The London wall clock at an instant: its date and HH:MM. */
function londonClock(at: Date): { date: string; time: string } {
  const local = new Date(at.getTime() + londonOffsetMinutes(at) * 60_000).toISOString();
  return { date: local.slice(0, 10), time: local.slice(11, 16) };
}

/**
 * The earliest instant a London date and time can mean. On the day the clocks go back,
 * 01:00-01:59 happens twice; an incident at 01:30 is in the past once the first 01:30 has
 * passed. (A time that does not exist, in the hour skipped when the clocks go forward, is
 * read as londonInstant reads it.)
 */
export function earliestIncidentInstant(date: string, time: string): Date {
  const wall = Date.parse(`${date}T${time}:00Z`);
  const readings = [60, 0].map((offset) => new Date(wall - offset * 60_000)).filter((at, i) => londonOffsetMinutes(at) === [60, 0][i]);
  return readings[0] ?? londonInstant(date, time);
}

/** The whole report as a schema, for the API: every section optional, each validated. */
export const reportContentSchema = z
  .object(Object.fromEntries(SECTION_KEYS.map((k) => [k, SECTIONS[k].schema.optional()])) as { [K in SectionKey]: z.ZodOptional<(typeof SECTIONS)[K]['schema']> })
  .strict();

/** The report's highest level of use. A Taser section left over after answering "no Taser" does not count. */
export function levelOf(content: ReportContent): HighestLevel | null {
  return highestLevel({
    cedUsed: content.tactics?.cedUsed,
    applications: content.tactics?.cedUsed === false ? [] : content.ced?.applications,
    tactics: content.tactics?.tactics.map((t) => t.tactic),
  });
}

/** Death or serious injury: the post-use procedure is mandatory and the report is flagged. */
export function seriousOutcome(content: ReportContent): boolean {
  return Boolean(content.outcomes?.outcomes.includes('fatality')) || ['severe', 'death'].includes(content.injuries?.subjectInjuryLevel ?? '') || content.injuries?.staffInjuryLevel === 'death';
}

/**
 * Which sections apply to this report, from what has been answered so far: Taser sections
 * only when a Taser was used, the post-use procedure only for a discharge (or a death or
 * serious injury), the justification is required when a Taser was used.
 */
export function applicableSections(content: ReportContent): Record<SectionKey, 'required' | 'optional' | 'not_applicable'> {
  const ced = content.tactics?.cedUsed === true;
  const discharge = isDischarge(levelOf(content));
  return {
    incident: 'required',
    duty: 'required',
    subject: 'required',
    reasons: 'required',
    tactics: 'required',
    ced: ced ? 'required' : 'not_applicable',
    justification: ced ? 'required' : 'optional',
    bwv: 'required',
    injuries: 'required',
    outcomes: 'required',
    postUse: discharge || (ced && seriousOutcome(content)) ? 'required' : 'not_applicable',
  };
}

export type SectionStatus = 'completed' | 'not_started' | 'cannot_start' | 'optional' | 'in_error' | 'not_applicable';

export interface ReadContent {
  readonly content: ReportContent;
  readonly invalid: Partial<Record<SectionKey, FieldError[]>>;
}

/*
 * What each stored content gave, by object: a report's create and submit read the same stored
 * sections again and again (its derived columns, its task list, what stops its submission, its
 * Taser serial, its audit summary): 12.2 readings of all eleven sections a report under the
 * bench's write load, 7 of them again on an object already read (5.1 with this). Stored content
 * is never changed once built (a change makes a new object, as a section's save or an
 * amendment does), and what is read from it is only read, never changed.
 */
const readOnce = new WeakMap<StoredContent, ReadContent>();

/** Parses the stored sections; a section that no longer validates is reported, not dropped. */
export function readContent(stored: StoredContent): ReadContent {
  let read = readOnce.get(stored);
  if (!read) readOnce.set(stored, (read = parseContent(stored)));
  return read;
}

function parseContent(stored: StoredContent): ReadContent {
  const content: ReportContent = {};
  const invalid: Partial<Record<SectionKey, FieldError[]>> = {};
  for (const key of SECTION_KEYS) {
    if (stored[key] === undefined || stored[key] === null) continue;
    const r = SECTIONS[key].schema.safeParse(stored[key]);
    if (r.success) (content as Record<string, unknown>)[key] = r.data;
    else invalid[key] = fieldErrorsFromZod(r.error);
  }
  return { content, invalid };
}

/** The task list: each section's status, in order. */
export function sectionStatuses(stored: StoredContent): { key: SectionKey; title: string; status: SectionStatus }[] {
  const { content, invalid } = readContent(stored);
  const applies = applicableSections(content);
  return SECTION_KEYS.map((key) => {
    const title = SECTIONS[key].title;
    if (invalid[key] && applies[key] !== 'not_applicable') return { key, title, status: 'in_error' as const };
    if (applies[key] === 'not_applicable') {
      // Taser sections wait on the tactics answer; post-use waits on a discharge being recorded.
      const waiting = key === 'ced' ? content.tactics === undefined : false;
      return { key, title, status: waiting ? ('cannot_start' as const) : ('not_applicable' as const) };
    }
    if (content[key] !== undefined) return { key, title, status: 'completed' as const };
    return { key, title, status: applies[key] === 'optional' ? ('optional' as const) : ('not_started' as const) };
  });
}

/**
 * Every problem that stops the report being submitted: sections that apply but are missing,
 * or do not meet the rules for a new answer at `now` (so a draft saved before a rule existed
 * is checked again), and answers that do not fit together across sections.
 */
export function submissionProblems(stored: StoredContent, now: Date, recordsBegin: string = RECORDS_BEGIN): FieldError[] {
  const { content } = readContent(stored);
  const applies = applicableSections(content);
  const rules: SectionRules = { now, recordsBegin };
  const problems: FieldError[] = [];
  for (const key of SECTION_KEYS) {
    if (applies[key] === 'not_applicable') continue; // left over from an earlier answer; not part of the record
    if (stored[key] === undefined || stored[key] === null) {
      if (applies[key] === 'required') problems.push({ field: key, message: `Complete the section: ${SECTIONS[key].title}` });
      continue;
    }
    const r = sectionSchema(key, rules).safeParse(stored[key]);
    if (!r.success) problems.push(...fieldErrorsFromZod(r.error).map((e) => ({ field: `${key}.${e.field}`, message: e.message })));
  }
  if (content.tactics?.cedUsed && content.duty && !content.duty.carryingCed) {
    problems.push({ field: 'duty.carryingCed', message: 'You used a Taser, so you were carrying one: answer yes, or change your answer about using a Taser' });
  }
  if (content.ced && content.tactics?.cedUsed) {
    const level = levelOf(content);
    const firedTactic = content.tactics.tactics.some((t) => t.tactic === 'ced_fired');
    if (firedTactic && !content.ced.applications.some((a) => a.levels.includes('fired'))) {
      problems.push({ field: 'ced.applications', message: 'You listed the Taser as fired: record the application in which it was fired' });
    }
    if (level === 'not_stated') problems.push({ field: 'ced.applications', message: 'Record the level of use of each Taser application' });
  }
  // A fatality is the subject's death from their injury: the two answers say the same thing.
  if (content.outcomes && content.injuries) {
    const fatality = content.outcomes.outcomes.includes('fatality');
    const died = content.injuries.subjectInjured && content.injuries.subjectInjuryLevel === 'death';
    if (fatality && !died) problems.push({ field: 'injuries.subjectInjuryLevel', message: "The outcome is a fatality: record the subject's injury as Death, or change the outcome" });
    if (died && !fatality) problems.push({ field: 'outcomes.outcomes', message: "The subject's injury is recorded as Death: select Fatality as an outcome, or change the injury" });
  }
  if (seriousOutcome(content) && content.postUse && !content.postUse.iopcReferralConsidered) {
    problems.push({ field: 'postUse.iopcReferralConsidered', message: 'A death or serious injury must be considered for referral to the IOPC' });
  }
  return problems;
}
