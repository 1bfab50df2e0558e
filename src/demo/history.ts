/**
 * The demo force's Taser use so far this financial year (in April, the year just ended), and
 * its monthly releases: so the public transparency pages, the statistics and the release
 * history have something real to show. Uses are made up (seeded, so the same every time), in the shape of the Met's:
 * about 170 a month, most of them red-dotted or drawn, about one in eight fired.
 *
 * They go in as the force would bring in its history, through the Met-format import (marked
 * as imported), a month at a time; after each month a release is prepared and published. A
 * few uses of each month arrive a month late, so later releases state their revisions.
 */
import { MET_COLUMN_INDEX, MET_COLUMNS, type MetColumn } from '../domain/met/layout.js';
import { writeMetCsv } from '../domain/met/write.js';
import { AGE_BANDS, ETHNICITIES, GENDERS, IMPACT_FACTORS, LOCATION_TYPES, MAIN_DUTIES, OUTCOMES, PRIMARY_CONDUCT, REASONS_FOR_FORCE, TACTICS } from '../domain/report/vocabulary.js';
import { daysInMonth, londonDate } from '../domain/calendar.js';
import { lastCompleteMonth, monthsBetween, releasePeriod } from '../domain/stats/release.js';
import type { Actor, Services } from '../services/context.js';
import { importMetFile } from '../services/met-import.js';
import { listBoroughs } from '../services/organisation.js';
import { prepareRelease, publishRelease } from '../services/releases.js';

type Random = () => number;

/** Weighted choice: entries of [value, weight]. */
function pick<T>(random: Random, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [v, w] of table) if ((r -= w) < 0) return v;
  return table[table.length - 1]![0];
}

// Levels of use, most of them not discharges (the Met, 2017-18: fired in about one in eight).
const LEVELS = [
  ['Drawn', 24],
  ['Aimed', 6],
  ['Red-Dotted', 50],
  ['Arced', 2],
  ['Drive Stun', 3],
  ['Fired', 13],
  ['Angle Drive Stun', 1],
  ['', 1], // Taser use recorded, no level: counts as not stated
] as const;
const AGES = [
  ['11-17', 5],
  ['18-34', 58],
  ['35-49', 28],
  ['50-64', 7],
  ['65+', 1],
  ['0-10', 0.1],
] as const;
const GENDER = [
  ['male', 88],
  ['female', 10],
  ['not_known', 2],
] as const;
const ETHNICITY = [
  ['white', 40],
  ['black', 34],
  ['asian', 11],
  ['mixed', 4],
  ['other', 4],
  ['not_reported', 7],
] as const;
const CONDUCT = [
  ['aggressive', 45],
  ['active', 25],
  ['serious', 20],
  ['verbal', 8],
  ['passive', 2],
] as const;
const DUTY = [
  ['response', 70],
  ['tsg', 12],
  ['neighbourhood', 8],
  ['dog_handler', 3],
  ['other', 7],
] as const;
const LOCATION = [
  ['street', 45],
  ['dwelling', 35],
  ['retail', 5],
  ['open_ground', 5],
  ['licensed', 4],
  ['public_transport', 3],
  ['other', 3],
] as const;
const OUTCOME = [
  ['arrested', 78],
  ['hospitalised', 6],
  ['detained_mha', 8],
  ['made_off', 3],
  ['other', 5],
] as const;
// Evenings and nights are busiest.
const HOURS = Array.from({ length: 24 }, (_, h) => [h, h >= 18 || h <= 2 ? 3 : h >= 3 && h <= 8 ? 1 : 2] as const);

export const LEVEL_TACTIC: Record<string, keyof typeof TACTICS> = {
  Drawn: 'ced_drawn',
  Aimed: 'ced_aimed',
  'Red-Dotted': 'ced_red_dotted',
  Arced: 'ced_arced',
  'Drive Stun': 'ced_drive_stun',
  Fired: 'ced_fired',
  'Angle Drive Stun': 'ced_angle_drive_stun',
};

export const MET_LEVEL_COLUMN: Record<string, MetColumn> = {
  Drawn: 'CED Drawn',
  Aimed: 'CED Aimed',
  'Red-Dotted': 'CED Red-Dotted',
  Arced: 'CED Arced',
  'Drive Stun': 'CED Drive Stun',
  Fired: 'CED Fired',
  'Angle Drive Stun': 'CED Angle Drive Stun',
};

/** One made-up Taser use in the Met's layout (the device logs' reports start from one too: device-logs.ts). */
export function demoUse(random: Random, month: string, boroughs: readonly (readonly [string, number])[]): string[] {
  const row = MET_COLUMNS.map(() => '');
  const set = (c: MetColumn, v: string) => (row[MET_COLUMN_INDEX[c]] = v);
  const yesNo = (c: MetColumn, p: number) => set(c, random() < p ? 'Yes' : 'No');
  const [y, m] = month.split('-').map(Number) as [number, number];
  const day = 1 + Math.floor(random() * daysInMonth(y, m));
  set('IncidentDate', `${month}-${String(day).padStart(2, '0')}`);
  set('IncidentTime', `${String(pick(random, HOURS)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00`);
  set('Borough', pick(random, boroughs));
  const location = pick(random, LOCATION);
  for (const [code, label] of Object.entries(LOCATION_TYPES)) set(`Incident Location: ${label}` as MetColumn, code === location ? 'Yes' : 'No');
  set('PrimaryConduct', PRIMARY_CONDUCT[pick(random, CONDUCT)]);
  yesNo('AssaultedBySubject', 0.2);
  yesNo('ThreatenedWithWeapon', 0.35);
  yesNo('AssaultedWithWeapon', 0.05);
  for (const [code, label] of Object.entries(IMPACT_FACTORS)) {
    const column = (code === 'weapon' ? 'Impact Factor: Possesion of a weapon' : `Impact Factor: ${label}`) as MetColumn;
    set(column, random() < ({ weapon: 0.4, alcohol: 0.35, drugs: 0.25, mental_health: 0.2, size_gender_build: 0.15 }[code] ?? 0.03) ? 'Yes' : 'No');
  }
  for (const [code, label] of Object.entries(REASONS_FOR_FORCE)) {
    set(
      `Reason for Force: ${label}` as MetColumn,
      random() < ({ protect_self: 0.8, protect_public: 0.6, effect_arrest: 0.5, protect_officers: 0.4, prevent_harm: 0.3, protect_subject: 0.2 }[code] ?? 0.03) ? 'Yes' : 'No',
    );
  }
  set('MainDuty', MAIN_DUTIES[pick(random, DUTY)]);
  yesNo('SingleCrewed', 0.12);
  set('TrainedCED', 'Yes');
  set('CarryingCED', 'Yes');
  const level = pick(random, LEVELS);
  set('Tactic 1', TACTICS.tactical_communications);
  set('Effective 1', 'No');
  if (level) {
    set('Tactic 2', TACTICS[LEVEL_TACTIC[level]!]);
    set('Effective 2', random() < 0.85 ? 'Yes' : 'No');
    set(MET_LEVEL_COLUMN[level]!, 'Yes');
  }
  set('Tactic 3', TACTICS.non_compliant_handcuffing);
  set('Effective 3', 'Yes');
  set('CED Used', 'Yes');
  set('Firearms Aimed', 'No');
  set('Firearms Fired', 'No');
  set('SubjectAge', AGE_BANDS[pick(random, AGES)]);
  set('SubjectGender', GENDERS[pick(random, GENDER)]);
  set('SubjectEthnicity', ETHNICITIES[pick(random, ETHNICITY)]);
  yesNo('PhysicalDisability', 0.03);
  yesNo('MentalDisability', 0.12);
  yesNo('StaffInjured', 0.08);
  yesNo('SubjectInjured', level === 'Fired' || level === 'Drive Stun' || level === 'Angle Drive Stun' ? 0.7 : 0.05);
  const outcome = pick(random, OUTCOME);
  for (const [code, label] of Object.entries(OUTCOMES)) set(`Outcome: ${label}` as MetColumn, code === outcome ? 'Yes' : 'No');
  return row;
}

export interface DemoHistory {
  /**
   * The financial year the history covers (`2026-27`): the one the last complete month is in,
   * so in April, before any month of the new year has ended, the year just ended. Null when
   * no history was seeded.
   */
  financialYear: string | null;
  /** The period the latest release covers, like "April to November 2026" (null: none seeded). */
  label: string | null;
  /** Made-up uses imported (as the force would bring in its history). */
  uses: number;
  releases: number;
  /**
   * Uses the latest release counts: every use recorded by then in its months, so the imported
   * history and the demo's own reports (src/demo/reports.ts) that fall in those months
   * (seeded just before `now`, a few of them land in the last month released).
   */
  latestReleaseUses: number;
}

export const NO_DEMO_HISTORY: DemoHistory = { financialYear: null, label: null, uses: 0, releases: 0, latestReleaseUses: 0 };

/**
 * Imports the made-up uses from 1 April to the end of the last complete month before `now`
 * (in London), a month at a time, publishing a release after each. Each release counts every
 * use recorded by then, so the demo's reports recorded in Cedar are counted with the history
 * when they fall in its months. In April no month of the new financial year has ended yet, so
 * the history is the whole year just ended.
 */
export async function seedDemoHistory(svc: Services, actor: Actor, random: Random, now: Date): Promise<DemoHistory> {
  const last = lastCompleteMonth(londonDate(now));
  const period = releasePeriod(last);
  const months = monthsBetween(period.from, period.toExclusive);
  const boroughs = (await listBoroughs(svc)).map((b) => [b.name, 0.5 + random()] as const);
  let late: string[][] = [];
  let uses = 0;
  let latestReleaseUses = 0;
  for (const month of months) {
    const rows = Array.from({ length: 150 + Math.floor(random() * 40) }, () => demoUse(random, month, boroughs));
    // About one in fifteen of a month's uses is reported after that month's release.
    const onTime = rows.filter(() => random() >= 1 / 15);
    const arriving = [...late, ...onTime];
    late = rows.filter((r) => !onTime.includes(r));
    const result = await importMetFile(svc, actor, { fileName: `demo-history-${month}.csv`, bytes: Buffer.from(writeMetCsv(arriving)) });
    uses += result.imported;
    const draft = await prepareRelease(svc, actor, month, now);
    latestReleaseUses = draft.snapshot.totals.total;
    await publishRelease(svc, actor, draft.id);
  }
  return { financialYear: period.financialYear, label: period.label, uses, releases: months.length, latestReleaseUses };
}
