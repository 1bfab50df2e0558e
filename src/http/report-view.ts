import { officerDisplayName, type Officer } from '../domain/organisation.js';
import { can, type RoleGrant } from '../domain/permissions.js';
import { IMPLANT_CHECK, MEDICAL_ASSESSMENTS, PROBE_REMOVERS, SECTION_KEYS, SECTIONS, type SectionKey, type SectionStatus, type StoredContent } from '../domain/report/content.js';
import { CED_LEVEL_LABELS, DISCHARGE_LEVELS, HIGHEST_LEVEL_LABELS, type HighestLevel } from '../domain/report/levels.js';
import {
  AGE_BANDS,
  bodyMapZone,
  ETHNICITIES,
  GENDERS,
  IMPACT_FACTORS,
  INJURY_LEVELS,
  LOCATION_TYPES,
  MAIN_DUTIES,
  OUTCOMES,
  PRIMARY_CONDUCT,
  REASONS_FOR_FORCE,
  TACTICS,
  type Vocabulary,
} from '../domain/report/vocabulary.js';
import { REPORT_STATUS_LABELS, type Deadline, type ReportEventKind, type ReportStatus } from '../domain/report/workflow.js';
import type { ReportEvent, ReportVersion } from '../domain/report/records.js';
import { bodyMapSvg } from './body-map.js';
import { formatDate } from './views.js';

/*
 * How a use-of-force report reads to a person: the one mapping from stored values to words,
 * used by the task list, the question pages' options, "check your answers", the report
 * itself, the amendment history and the lists.
 */

/** When the body-worn camera was switched on. */
export const BWV_SWITCHED_ON_LABELS: Vocabulary = { before: 'Before the use of force', during: 'During the use of force', not_on: 'It was not switched on' };

/** Lookups the words need: names of boroughs, and who is reading. */
export interface DisplayContext {
  boroughName(id: string): string | undefined;
  /**
   * The report's author reads "Your duty"; anyone else (a supervisor, the borough commander,
   * professional standards) reads "Duty". The author's words unless said otherwise.
   */
  reader?: Reader;
}

export type Reader = 'author' | 'other';

/** Section titles as someone other than the author reads them; the rest read the same to everyone. */
const OTHER_READER_TITLES: Partial<Record<SectionKey, string>> = {
  duty: 'Duty',
  reasons: 'Why the officer used force',
  tactics: 'Tactics the officer used',
  justification: "The officer's justification",
};

/** A section's title for its reader. */
export function sectionTitle(key: SectionKey, reader: Reader = 'author'): string {
  return (reader === 'other' ? OTHER_READER_TITLES[key] : undefined) ?? SECTIONS[key].title;
}

/** Answer labels written to the officer ("You were injured"), as anyone else reads them. */
const OTHER_READER_LABELS: Record<string, string> = {
  'injuries.staffInjured': 'The officer was injured',
  'injuries.staffInjuryIntentional': "The officer's injury was caused intentionally",
  'injuries.staffInjuryLevel': "How serious the officer's injury was",
  'injuries.staffMedicalProvided': 'The officer was given medical assistance',
};

const labelFor = (key: SectionKey, d: FieldDisplay, reader: Reader = 'author') => (reader === 'other' ? OTHER_READER_LABELS[`${key}.${d.field}`] : undefined) ?? d.label;

/** Lines of text for one answer, or null when there is no answer to show. */
type Show = (value: unknown, ctx: DisplayContext) => string[] | null;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const yesNo: Show = (v) => (typeof v === 'boolean' ? [v ? 'Yes' : 'No'] : null);
const text: Show = (v) => (typeof v === 'string' && v.trim() !== '' ? [v] : typeof v === 'number' ? [String(v)] : null);
const word =
  (vocab: Vocabulary): Show =>
  (v) =>
    typeof v === 'string' && v !== '' ? [vocab[v] ?? v] : null;
/** A list of choices, one a line; an empty list reads "None". */
const words =
  (vocab: Vocabulary): Show =>
  (v) =>
    Array.isArray(v) ? (v.length ? v.map((x) => vocab[String(x)] ?? String(x)) : ['None']) : null;
const date: Show = (v) => (typeof v === 'string' && v ? [formatDate(v)] : null);
const borough: Show = (v, ctx) => (typeof v === 'string' && v ? [ctx.boroughName(v) ?? 'Unknown borough'] : null);

const tactics: Show = (v) =>
  Array.isArray(v)
    ? v.map((t, i) => {
        const r = isRecord(t) ? t : {};
        const name = typeof r.tactic === 'string' ? (TACTICS[r.tactic as keyof typeof TACTICS] ?? r.tactic) : 'Tactic not given';
        const effective = r.effective === true ? 'effective' : r.effective === false ? 'not effective' : 'effectiveness not given';
        return `${i + 1}. ${name} (${effective})`;
      })
    : null;

/** The questions about a firing, in the order they are asked. */
export const FIRED_FIELDS: [field: string, label: string][] = [
  ['cartridgeNumber', 'Cartridge serial number'],
  ['totalCycles', 'Total number of cycles'],
  ['cycleInterrupted', '5-second cycle interrupted'],
  ['cycleExtended', 'Cycle extended beyond 5 seconds'],
  ['repeatCycleSameCartridge', 'Repeat cycle on the same cartridge'],
  ['missOneProbe', 'One probe missed'],
  ['missBothProbes', 'Both probes missed'],
];

/** One CED application as lines: the levels, then the details of any firing. */
function applicationLines(app: unknown): string[] {
  const a = isRecord(app) ? app : {};
  const levels = Array.isArray(a.levels) ? a.levels.map((l) => CED_LEVEL_LABELS[l as keyof typeof CED_LEVEL_LABELS] ?? String(l)) : [];
  const lines = [levels.length ? levels.join(', ') : 'No level given'];
  if (isRecord(a.fired)) {
    const fired = a.fired;
    for (const [field, label] of FIRED_FIELDS) {
      const shown = (field === 'cartridgeNumber' || field === 'totalCycles' ? text : yesNo)(fired[field], NO_CONTEXT);
      if (shown) lines.push(`${label}: ${shown.join(', ')}`);
    }
    const probes = Array.isArray(fired.probeLocations) ? fired.probeLocations.map((c) => bodyMapZone(String(c))) : [];
    lines.push(`Probe strike locations: ${probes.length ? probes.join(', ') : 'None marked'}`);
  }
  return lines;
}
const applications: Show = (v) => (Array.isArray(v) ? v.flatMap((a, i) => [`Application ${i + 1}: ${applicationLines(a).join('; ')}`]) : null);

const NO_CONTEXT: DisplayContext = { boroughName: () => undefined };

interface FieldDisplay {
  field: string;
  label: string;
  show: Show;
  /** Free text kept as written, line breaks and all. */
  long?: boolean;
}
const f = (field: string, label: string, show: Show, long = false): FieldDisplay => ({ field, label, show, long });

/** Every field of every section, in the order the questions are asked, with how its answer reads. */
export const FIELD_DISPLAY: Record<SectionKey, FieldDisplay[]> = {
  incident: [
    f('reference', 'Incident (CAD) reference', text),
    f('date', 'Date', date),
    f('time', 'Time', text),
    f('boroughId', 'Borough', borough),
    f('locations', 'Type of location', words(LOCATION_TYPES)),
  ],
  duty: [f('mainDuty', 'Main duty', word(MAIN_DUTIES)), f('singleCrewed', 'Single crewed', yesNo), f('cedTrained', 'Taser (CED) trained', yesNo), f('carryingCed', 'Carrying a Taser', yesNo)],
  subject: [
    f('ageBand', 'Perceived age', word(AGE_BANDS)),
    f('gender', 'Gender', word(GENDERS)),
    f('ethnicity', 'Perceived ethnicity', word(ETHNICITIES)),
    f('physicalDisability', 'Appeared to have a physical disability', yesNo),
    f('mentalDisability', 'Appeared to have a mental health condition or disability', yesNo),
  ],
  reasons: [
    f('primaryConduct', "Subject's main conduct", word(PRIMARY_CONDUCT)),
    f('assaultedBySubject', 'Assaulted by the subject', yesNo),
    f('threatenedWithWeapon', 'Threatened with a weapon', yesNo),
    f('assaultedWithWeapon', 'Assaulted with a weapon', yesNo),
    f('impactFactors', 'Impact factors', words(IMPACT_FACTORS)),
    f('reasons', 'Reasons for using force', words(REASONS_FOR_FORCE)),
  ],
  tactics: [f('tactics', 'Tactics, in the order used', tactics), f('cedUsed', 'Taser (CED) used', yesNo), f('firearmsAimed', 'Firearms aimed', yesNo), f('firearmsFired', 'Firearms fired', yesNo)],
  ced: [f('deviceSerial', 'Taser serial number', text), f('applications', 'Applications', applications)],
  justification: [f('text', 'Justification', text, true)],
  bwv: [
    f('worn', 'Wearing body-worn video', yesNo),
    f('switchedOn', 'Camera switched on', word(BWV_SWITCHED_ON_LABELS)),
    f('notOnReason', 'Why the camera was not switched on', text, true),
    f('cameraId', 'Camera identifier', text),
    f('footageRefs', 'Footage references', (v) => (Array.isArray(v) && v.length ? v.map(String) : null)),
  ],
  injuries: [
    f('staffInjured', 'You were injured', yesNo),
    f('staffInjuryIntentional', 'Your injury was caused intentionally', yesNo),
    f('staffInjuryLevel', 'How serious your injury was', word(INJURY_LEVELS)),
    f('staffMedicalProvided', 'You were given medical assistance', yesNo),
    f('subjectInjured', 'The subject was injured', yesNo),
    f('subjectInjuryNature', "Nature of the subject's injury", text, true),
    f('subjectInjuryLevel', "How serious the subject's injury was", word(INJURY_LEVELS)),
    f('subjectMedicalOffered', 'Medical assistance offered to the subject', yesNo),
    f('subjectMedicalProvided', 'Medical assistance provided to the subject', yesNo),
  ],
  outcomes: [f('outcomes', 'Outcome', words(OUTCOMES))],
  postUse: [
    f('aftercareGiven', 'Aftercare given', yesNo),
    f('medicalAssessment', 'Medical assessment', word(MEDICAL_ASSESSMENTS)),
    f('probesRemovedBy', 'Probes removed by', word(PROBE_REMOVERS)),
    f('cartridgesRetained', 'Cartridges retained as evidence', yesNo),
    f('afidTagsRetained', 'AFID tags retained as evidence', yesNo),
    f('deviceDownloadRequested', 'Download of the device log requested', yesNo),
    f('implantCheck', 'Pacemaker or implant check', word(IMPLANT_CHECK)),
    f('iopcReferralConsidered', 'Referral to the IOPC considered', yesNo),
    f('iopcNotes', 'IOPC referral notes', text, true),
  ],
};

export interface SummaryRow {
  label: string;
  lines: string[];
  long: boolean;
  /** A picture drawn under the lines (the body map of a firing): SVG markup built by Cedar, never from input. */
  figure?: string;
}

export interface SummaryCard {
  key: SectionKey;
  title: string;
  rows: SummaryRow[];
  /** Where "Change" goes, when the viewer may change this section. */
  changeHref?: string;
}

/**
 * The rows of one section's summary: each answered question, and one row per Taser
 * application, with the body map of where the probes struck under an application that was fired.
 */
export function sectionRows(key: SectionKey, section: unknown, ctx: DisplayContext): SummaryRow[] {
  const s = isRecord(section) ? section : {};
  const rows: SummaryRow[] = [];
  for (const d of FIELD_DISPLAY[key]) {
    if (key === 'ced' && d.field === 'applications' && Array.isArray(s.applications)) {
      s.applications.forEach((a, i) => {
        const fired = isRecord(a) && isRecord(a.fired) ? a.fired : null;
        const struck = fired && Array.isArray(fired.probeLocations) ? fired.probeLocations.map(String) : [];
        rows.push({ label: `Application ${i + 1}`, lines: applicationLines(a), long: false, figure: fired ? bodyMapSvg(struck) : undefined });
      });
      continue;
    }
    const lines = d.show(s[d.field], ctx);
    if (lines) rows.push({ label: labelFor(key, d, ctx.reader), lines, long: Boolean(d.long) });
  }
  return rows;
}

/** Summary cards for the sections present in the content, in order. */
export function summaryCards(content: StoredContent, ctx: DisplayContext, keys: readonly SectionKey[], changeHref?: (key: SectionKey) => string): SummaryCard[] {
  return SECTION_KEYS.filter((k) => keys.includes(k) && content[k] !== undefined && content[k] !== null).map((key) => ({
    key,
    title: sectionTitle(key, ctx.reader),
    rows: sectionRows(key, content[key], ctx),
    changeHref: changeHref?.(key),
  }));
}

/** One field's answer on one line (for before → after lists). */
export function answerText(path: string, value: unknown, ctx: DisplayContext): string {
  const [key, field] = path.split('.') as [SectionKey, string];
  const d = FIELD_DISPLAY[key]?.find((x) => x.field === field);
  const lines = d ? d.show(value, ctx) : value === null || value === undefined ? null : [JSON.stringify(value)];
  return lines && lines.length ? lines.join('; ') : 'Not answered';
}

/** A field's name as people read it: "Body-worn video: camera identifier". */
export function fieldLabel(path: string, reader: Reader = 'author'): string {
  const [key, field] = path.split('.') as [SectionKey, string];
  const section = SECTIONS[key] ? sectionTitle(key, reader) : key;
  const d = FIELD_DISPLAY[key]?.find((x) => x.field === field);
  return d ? `${section}: ${labelFor(key, d, reader)}` : `${section}: ${field}`;
}

// Tags ---------------------------------------------------------------------------------

export interface Tag {
  text: string;
  classes: string;
}

const STATUS_TAG_CLASSES: Record<ReportStatus, string> = {
  draft: 'govuk-tag--grey',
  submitted: '',
  returned: 'govuk-tag--orange',
  awaiting_sign_off: 'govuk-tag--purple',
  approved: 'govuk-tag--green',
  signed_off: 'govuk-tag--green',
  referred: 'govuk-tag--red',
  referral_concluded: 'govuk-tag--turquoise',
  discarded: 'govuk-tag--grey',
};

export function statusTag(status: ReportStatus): Tag {
  return { text: REPORT_STATUS_LABELS[status], classes: STATUS_TAG_CLASSES[status] };
}

/** The highest level of use: discharges red, the rest by severity; no Taser use at all, grey. */
export function levelTag(level: HighestLevel | null): Tag {
  if (level === null) return { text: 'No Taser use', classes: 'govuk-tag--grey' };
  if (level === 'not_stated') return { text: HIGHEST_LEVEL_LABELS[level], classes: 'govuk-tag--grey' };
  if (DISCHARGE_LEVELS.includes(level)) return { text: HIGHEST_LEVEL_LABELS[level], classes: 'govuk-tag--red' };
  if (level === 'arced' || level === 'red_dotted') return { text: HIGHEST_LEVEL_LABELS[level], classes: 'govuk-tag--orange' };
  return { text: HIGHEST_LEVEL_LABELS[level], classes: 'govuk-tag--yellow' };
}

export function deadlineTag(state: Deadline): Tag | null {
  if (state === 'overdue') return { text: 'Overdue', classes: 'govuk-tag--red' };
  if (state === 'due_soon') return { text: 'Due soon', classes: 'govuk-tag--yellow' };
  return null;
}

// The task list ------------------------------------------------------------------------

/** The task list's parts, in the order an officer tells what happened. */
export const TASK_GROUPS: { heading: string; keys: SectionKey[] }[] = [
  { heading: 'What happened', keys: ['incident', 'duty', 'subject', 'reasons'] },
  { heading: 'The force you used', keys: ['tactics', 'ced', 'justification', 'bwv'] },
  { heading: 'Afterwards', keys: ['injuries', 'outcomes', 'postUse'] },
];

/** Why a section may be waiting, optional or not needed. */
const TASK_HINTS: Partial<Record<SectionKey, Partial<Record<SectionStatus, string>>>> = {
  ced: { cannot_start: 'Answer the questions about the tactics you used first', not_applicable: 'Only needed when you used a Taser' },
  justification: { optional: 'Required when you used a Taser: you may still explain the force you used' },
  postUse: { not_applicable: 'Only needed after a Taser discharge, or a death or serious injury' },
};

/** A govukTaskList item for one section. */
export function taskItem(reportId: string, s: { key: SectionKey; title: string; status: SectionStatus }) {
  const hint = TASK_HINTS[s.key]?.[s.status];
  const href = s.status === 'cannot_start' || s.status === 'not_applicable' ? undefined : `/reports/${reportId}/sections/${s.key}`;
  const status = (() => {
    switch (s.status) {
      case 'completed':
        return { text: 'Completed' };
      case 'not_started':
        return { tag: { text: 'Not yet started' } };
      case 'optional':
        return { tag: { text: 'Optional', classes: 'govuk-tag--grey' } };
      case 'in_error':
        return { tag: { text: 'There is a problem', classes: 'govuk-tag--red' } };
      case 'cannot_start':
        return { text: 'Cannot start yet', classes: 'govuk-task-list__status--cannot-start-yet' };
      case 'not_applicable':
        return { text: 'Not needed', classes: 'govuk-task-list__status--cannot-start-yet' };
    }
  })();
  return { title: { text: s.title }, href, hint: hint ? { text: hint } : undefined, status };
}

// The timeline -------------------------------------------------------------------------

const EVENT_TITLES: Record<ReportEventKind, string> = {
  created: 'Report started',
  submitted: 'Submitted for review',
  returned: 'Returned to the officer',
  amended: 'Amended',
  approved: 'Approved by a supervisor',
  referred: 'Referred to professional standards',
  signed_off: 'Signed off by the borough commander',
  referral_outcome: 'Referral outcome recorded by professional standards',
  discarded: 'Draft discarded',
};

export interface TimelineEvent {
  title: string;
  at: string;
  actor: string;
  /** The reviewer's comment, or the reason for an amendment. */
  comment: string | null;
  commentLabel: string;
  version: number | null;
  changes: { label: string; from: string; to: string }[];
}

/** Who did something: the account's name now, or the label stored with the event. */
export type ActorNames = ReadonlyMap<string, string>;
const actorOf = (e: ReportEvent, names: ActorNames) => (e.actorUserId ? names.get(e.actorUserId) : undefined) ?? e.actorLabel;

export function timelineEvents(events: ReportEvent[], ctx: DisplayContext, names: ActorNames = new Map()): TimelineEvent[] {
  return events.map((e) => ({
    title: e.kind === 'submitted' || e.kind === 'amended' ? `${EVENT_TITLES[e.kind]} (version ${e.version ?? '?'})` : EVENT_TITLES[e.kind],
    at: e.at,
    actor: actorOf(e, names),
    comment: e.comment,
    commentLabel: e.kind === 'amended' ? 'Reason' : 'Comment',
    version: e.version,
    changes: Object.entries(e.changes ?? {}).map(([path, c]) => ({ label: fieldLabel(path, ctx.reader), from: answerText(path, c.from, ctx), to: answerText(path, c.to, ctx) })),
  }));
}

/** The latest return to the officer, for the banner on a returned report. */
export function lastReturn(events: ReportEvent[], names: ActorNames = new Map()): { actor: string; at: string; comment: string | null } | undefined {
  const e = [...events].reverse().find((x) => x.kind === 'returned');
  return e && { actor: actorOf(e, names), at: e.at, comment: e.comment };
}

/** Each version, by whom (the person of the submission or amendment that made it) and why. */
export function versionRows(versions: ReportVersion[], events: ReportEvent[], names: ActorNames = new Map()) {
  return versions.map((v) => {
    const made = events.find((e) => (e.kind === 'submitted' || e.kind === 'amended') && e.version === v.version);
    return { version: v.version, at: shortDateTime(v.createdAt), by: made ? actorOf(made, names) : v.createdByLabel, reason: v.reason ?? 'First submission' };
  });
}

// The review queue -------------------------------------------------------------------------

/**
 * The tab the review queue opens on: the work waiting for this person. A borough commander
 * signs off and does not review, so theirs is "Awaiting sign-off"; anyone who reviews starts
 * at "Awaiting review".
 */
export function defaultReviewTab(grants: readonly RoleGrant[]): 'awaiting-review' | 'awaiting-sign-off' {
  return can(grants, 'sign_off:report') && !can(grants, 'review:report') ? 'awaiting-sign-off' : 'awaiting-review';
}

// Lists ------------------------------------------------------------------------------------

const londonShort = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

/** An instant, short enough for a table cell, in Europe/London: "26 Nov 2026, 00:44". */
export function shortDateTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : londonShort.format(d);
}

// People ---------------------------------------------------------------------------------

export function officerName(o: Officer | undefined): string {
  return o ? officerDisplayName(o) : 'Unknown officer';
}
