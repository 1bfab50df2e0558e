/**
 * The demo fleet's device event logs (issue 13): a year of each device's own log, ending at its
 * last download, in Cedar's canonical CSV, and the reports that name the devices, so the
 * reconciliation has something real to show.
 *
 * `generateDemoDeviceLogs` is pure (no I/O, no clock, no global randomness): the same random
 * source, fleet and instant give the same logs. The rows are made a device at a time as they
 * are read (`lines()`, `chunks()`), so millions of them never sit in memory.
 *
 * What each log holds:
 *  - A time sync at each download, every one to three months, the last one in the days before
 *    the demo's instant (after the device came back from its last shift); between syncs the
 *    clock drifts at its own steady rate (an X2 a fraction of a second to a second and a half a
 *    day, an X26 up to three), so a sync finds it a few seconds to a couple of minutes out.
 *  - A spark test (armed, a short arc, safe) a few minutes after each sign-out in the fleet's
 *    shift history (the last month), and on some days before it (no sign-out on record:
 *    the reconciliation counts those as function tests too); now and then an armed and safe
 *    mid-shift (drawn, aimed or red-dotted).
 *  - At each report's incident, the triggers and arcs it describes, a few minutes from the
 *    report's time, with the cycles it states. On an X26 some cycles are logged in pieces (a
 *    battery disconnect) that add up to about five seconds.
 *  - A few clock resets (battery out: the clock restarts at 2000-01-01) followed by a sync.
 *
 * The reports: the demo constable's (reports.ts) where they name a device, and about forty
 * more as imported Met-format rows (`CED Device Serial No`) of uses during other officers'
 * shifts, so most discharges are confirmed by a log. And a handful of each exception the
 * reconciliation finds, planted on purpose: a discharge and an arc nobody reported, reports
 * whose device logged nothing, a report stating the wrong number of cycles, a seven-second cycle
 * not reported as extended, clock resets and a report naming a serial not in the register.
 * `planted` counts them by kind.
 */
import { addDays, londonDate } from '../domain/calendar.js';
import { MET_COLUMN_INDEX, type MetColumn } from '../domain/met/layout.js';
import type { CedLevel } from '../domain/report/levels.js';
import { TACTICS } from '../domain/report/vocabulary.js';
import type { DemoDevice, DemoIssue } from './devices.js';
import { LEVEL_TACTIC, MET_LEVEL_COLUMN, demoUse } from './history.js';
import { mulberry32, randomInt, shuffle, type Random } from './random.js';
import { DEMO_REPORT_INCIDENTS, type DemoCarried } from './reports.js';

/** The canonical device log header (issue 13), exactly. */
export const DEVICE_LOG_HEADER = 'device_serial,sequence,device_time,event,duration_s,bay,cartridge_serial,battery_pct,temperature_c,true_time';

/** The exceptions the reconciliation finds (the domain's EXCEPTION_KINDS), each planted a few times. */
export const PLANTED_KINDS = [
  'discharge_without_report',
  'arc_without_report',
  'report_without_log_event',
  'cycle_count_mismatch',
  'extended_cycle_unreported',
  'clock_reset',
  'report_device_unknown',
] as const;
export type PlantedKind = (typeof PLANTED_KINDS)[number];

/** How many of each exception are planted, and how many reports the logs confirm. */
const HANDFUL: Record<PlantedKind, number> = {
  discharge_without_report: 3,
  arc_without_report: 3,
  report_without_log_event: 3,
  cycle_count_mismatch: 3,
  extended_cycle_unreported: 3,
  clock_reset: 4,
  report_device_unknown: 2,
};
/** Imported uses that the logs confirm, cycle for cycle: fired, drive stun and arced. */
const CONFIRMED_REPORTS = 40;

/**
 * The share of days before the shift history (a month) on which a device was out and
 * logged its spark test. The fleet is out about 0.7 shifts a device a day; the demo seed logs
 * fewer of the earlier days (one in twenty), so a year for 2,500 devices is about 300,000 rows
 * rather than 2 million and the seed stays quick; `activity: 0.7` gives the whole year.
 */
export const DEMO_LOG_ACTIVITY = 0.05;

/** A report naming a device, as the reconciliation reads it. */
export interface DemoLogReport {
  /** `report`: one of the demo constable's (reports.ts); `imported`: a Met-format row this module makes. */
  kind: 'report' | 'imported';
  /** The incident reference. */
  ref: string;
  deviceSerial: string;
  /** The incident time (ISO 8601 UTC, to the minute, as a London date and time converts). */
  occurredAt: string;
  levels: CedLevel[];
  /** Fired cycles stated, or null. */
  totalCycles: number | null;
  cycleExtended: boolean | null;
  /** What the log does at the incident, planted or not. */
  plants: PlantedKind | 'confirmed' | 'none';
}

export interface DemoDeviceLogs {
  /** The devices with a log, in register order. */
  devices: number;
  /** The demo constable's reports that name a device, and the Met-format rows to import. */
  reports: DemoLogReport[];
  /** The Met-format rows (in MET_COLUMNS order) of the `imported` reports. */
  metRows: string[][];
  /** Exceptions planted, by kind (the due-soon draft's discharge, with no device named yet, among them). */
  planted: Record<PlantedKind, number>;
  /** Reports the logs confirm. */
  confirmed: number;
  /** The log rows, header first, a device at a time. */
  lines(): Generator<string>;
  /** The same rows as text chunks of about 64 KB, for an import's input. */
  chunks(): AsyncGenerator<string>;
}

export interface DemoDeviceLogInput {
  devices: readonly DemoDevice[];
  issues: readonly DemoIssue[];
  /** What the demo constable carried at each demo report's incident, by its hours before `now`. */
  carried: ReadonlyMap<number, DemoCarried>;
  /** Borough names by code, for the imported rows. */
  boroughs: readonly { code: string; name: string }[];
  now: Date;
  /** See DEMO_LOG_ACTIVITY (default: that). */
  activity?: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RESET_BASE = Date.parse('2000-01-01T00:00:00Z');

type EventKind = 'armed' | 'safe' | 'trigger' | 'arc' | 'time_sync' | 'other';
interface Planned {
  /** True time, ms. */
  t: number;
  event: EventKind;
  duration: number | null;
  bay: number | null;
  cartridge: string | null;
}

/** A use at an incident: what the log records there. */
interface Use {
  t: number;
  model: DemoDevice['model'];
  /** Trigger pieces: [offset from t in s, length]; each entry a cycle, or pieces of one on an X26. */
  triggers: { at: number; length: number }[];
  arcs: { at: number; length: number }[];
  cartridge: string | null;
}

const pad = (n: number) => String(n).padStart(2, '0');
function deviceTime(ms: number): string {
  const d = new Date(Math.floor(ms / SECOND) * SECOND);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
const oneDecimal = (n: number) => (Math.round(n * 10) / 10).toFixed(1);
const between = (random: Random, a: number, b: number) => a + (b - a) * random();

/** A small stable hash of a serial, to seed each device's own random source. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The cycles a use logs: one trigger a cycle, an X26's sometimes in pieces (within 2 s of each other) adding up to `length`. */
function cycles(random: Random, model: DemoDevice['model'], lengths: readonly number[], split: boolean): { at: number; length: number }[] {
  const out: { at: number; length: number }[] = [];
  let at = 0;
  for (const length of lengths) {
    if (split && model === 'X26') {
      const first = Math.round(between(random, 0.35, 0.55) * length * 10) / 10;
      out.push({ at, length: first });
      // The next piece starts within a second of the first's end (whole seconds on the device clock).
      const next = at + Math.ceil(first);
      out.push({ at: next, length: Math.round((length - first) * 10) / 10 });
      at = next + Math.ceil(length - first);
    } else {
      out.push({ at, length });
      at += Math.ceil(length);
    }
    at += randomInt(random, 20, 90);
  }
  return out;
}

/**
 * The demo fleet's logs and the reports naming its devices. Pure: the same random source, fleet
 * and instant give the same logs.
 */
export function generateDemoDeviceLogs(random: Random, input: DemoDeviceLogInput): DemoDeviceLogs {
  const nowMs = input.now.getTime();
  const yearStart = nowMs - 365 * DAY;
  const activity = input.activity ?? DEMO_LOG_ACTIVITY;
  const deviceBySerial = new Map(input.devices.map((d) => [d.serial, d]));
  const boroughName = new Map(input.boroughs.map((b) => [b.code, b.name]));
  const issuesOf = new Map<string, DemoIssue[]>();
  for (const i of input.issues) {
    const list = issuesOf.get(i.deviceSerial) ?? [];
    list.push(i);
    issuesOf.set(i.deviceSerial, list);
  }
  for (const list of issuesOf.values()) list.sort((a, b) => (a.issuedAt < b.issuedAt ? -1 : 1));
  const historyStarts = input.issues.reduce((m, i) => Math.min(m, Date.parse(i.issuedAt)), nowMs);

  // Each device's last download: after it came back from its last shift (in the last few days
  // when it has been in store), or just before the shift it is out on now.
  const lastDownload = new Map<string, number>();
  for (const d of input.devices) {
    const list = issuesOf.get(d.serial) ?? [];
    const out = list.find((i) => i.returnedAt === null);
    const returned = list.filter((i) => i.returnedAt !== null);
    const lastBack = returned.length ? Date.parse(returned[returned.length - 1]!.returnedAt!) : 0;
    let at: number;
    if (out) at = Math.max(lastBack + MINUTE, Date.parse(out.issuedAt) - randomInt(random, 1, 20) * MINUTE);
    else at = Math.min(nowMs - MINUTE, Math.max(lastBack + randomInt(random, 5, 60) * MINUTE, nowMs - randomInt(random, 0, 72 * 60) * MINUTE));
    lastDownload.set(d.serial, at);
  }

  // The reports, and what each device logs at them.
  const uses = new Map<string, Use[]>();
  const addUse = (serial: string, use: Use) => uses.set(serial, [...(uses.get(serial) ?? []), use]);
  const reports: DemoLogReport[] = [];
  const metRows: string[][] = [];
  const planted = Object.fromEntries(PLANTED_KINDS.map((k) => [k, 0])) as Record<PlantedKind, number>;
  let confirmed = 0;

  // The demo constable's: the device named and the minute of the incident (London and UTC minutes agree).
  for (const incident of Object.values(DEMO_REPORT_INCIDENTS)) {
    const held = input.carried.get(incident.hours);
    if (!held || incident.kind === 'none') continue;
    const at = Math.floor((nowMs - incident.hours * HOUR) / MINUTE) * MINUTE;
    const model = deviceBySerial.get(held.deviceSerial)?.model ?? 'X2';
    const t = at + randomInt(random, -4, 3) * MINUTE;
    // The due-soon report is a draft without its Taser section: it names no device yet, so the
    // log's discharge has no report until it is finished.
    const named = incident !== DEMO_REPORT_INCIDENTS.dueSoon;
    if (incident.kind === 'fired') {
      addUse(held.deviceSerial, { t, model, triggers: cycles(random, model, [5], false), arcs: [], cartridge: held.expendedCartridge });
      if (named) {
        reports.push({
          kind: 'report',
          ref: incident.ref,
          deviceSerial: held.deviceSerial,
          occurredAt: new Date(at).toISOString(),
          levels: ['red_dotted', 'fired'],
          totalCycles: 1,
          cycleExtended: false,
          plants: 'confirmed',
        });
        confirmed++;
      } else planted.discharge_without_report++;
    } else if (incident.kind === 'drive_stun') {
      addUse(held.deviceSerial, { t, model, triggers: cycles(random, model, [5], false), arcs: [], cartridge: null });
      reports.push({
        kind: 'report',
        ref: incident.ref,
        deviceSerial: held.deviceSerial,
        occurredAt: new Date(at).toISOString(),
        levels: ['drive_stun'],
        totalCycles: null,
        cycleExtended: null,
        plants: 'confirmed',
      });
      confirmed++;
    } else {
      // Red-dotted: armed and made safe, nothing discharged.
      addUse(held.deviceSerial, { t, model, triggers: [], arcs: [], cartridge: null });
      reports.push({
        kind: 'report',
        ref: incident.ref,
        deviceSerial: held.deviceSerial,
        occurredAt: new Date(at).toISOString(),
        levels: ['red_dotted'],
        totalCycles: null,
        cycleExtended: null,
        plants: 'none',
      });
    }
  }

  // Other officers' shifts that host the imported uses and the planted exceptions: returned,
  // long enough, downloaded since, and not the demo constable's.
  const reserved = new Set([...input.carried.values()].map((c) => c.deviceSerial));
  const hosts = shuffle(
    random,
    input.issues.filter(
      (i) =>
        i.returnedAt !== null &&
        !reserved.has(i.deviceSerial) &&
        Date.parse(i.returnedAt) - Date.parse(i.issuedAt) > 4 * HOUR &&
        Date.parse(i.returnedAt) < lastDownload.get(i.deviceSerial)! &&
        i.cartridges.length > 0,
    ),
  );
  const usedDevices = new Set<string>();
  const takeHost = (model?: DemoDevice['model']): DemoIssue | null => {
    // A device not used yet if there is one (a small force has few): uses on one device are shifts apart.
    const fits = (i: DemoIssue) => model === undefined || deviceBySerial.get(i.deviceSerial)!.model === model;
    let k = hosts.findIndex((i) => !usedDevices.has(i.deviceSerial) && fits(i));
    if (k < 0) k = hosts.findIndex(fits);
    if (k < 0) return null;
    const [host] = hosts.splice(k, 1);
    usedDevices.add(host!.deviceSerial);
    return host!;
  };
  let refNumber = randomInt(random, 1000, 5000);
  const metRef = (at: number) => {
    const d = new Date(at);
    return `CAD ${String(refNumber++ % 10_000).padStart(4, '0')}/${pad(d.getUTCDate())}${['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'][d.getUTCMonth()]}`;
  };
  const importRow = (r: Omit<DemoLogReport, 'kind' | 'ref'>, store: DemoDevice['store'] | null) => {
    const at = new Date(r.occurredAt);
    const date = londonDate(at);
    const time = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
    const name = store?.boroughCode ? boroughName.get(store.boroughCode) : undefined;
    const boroughs = name ? ([[name, 1]] as const) : input.boroughs.map((b) => [b.name, 1] as const);
    const row = demoUse(random, date.slice(0, 7), boroughs);
    const set = (c: MetColumn, v: string) => (row[MET_COLUMN_INDEX[c]] = v);
    set('IncidentDate', date);
    set('IncidentTime', `${time}:00`);
    for (const column of Object.values(MET_LEVEL_COLUMN)) set(column, '');
    const level = r.levels.includes('fired') ? 'Fired' : r.levels.includes('drive_stun') ? 'Drive Stun' : 'Arced';
    set('Tactic 2', TACTICS[LEVEL_TACTIC[level]!]);
    set('Effective 2', 'Yes');
    set(MET_LEVEL_COLUMN[level]!, 'Yes');
    set('CED Device Serial No', r.deviceSerial);
    if (level === 'Fired') {
      set('CED Fired 5 Secs Cycle Interrupted', 'No');
      set('CED Fired Repeat Cycle Same Cartridge', 'No');
      set('CED Fired Total Number Of Cycles', String(r.totalCycles));
      set('CED Fired Cycle Extended Beyond 5 Secs', r.cycleExtended ? 'Yes' : 'No');
    }
    set('SubjectInjured', level === 'Arced' ? 'No' : 'Yes');
    const report: DemoLogReport = { kind: 'imported', ref: metRef(at.getTime()), ...r };
    reports.push(report);
    metRows.push(row);
  };
  // An incident's time in a host shift: an hour after issue at the earliest, an hour before the return at the latest.
  const incidentIn = (host: DemoIssue) => {
    const from = Date.parse(host.issuedAt) + HOUR;
    const to = Date.parse(host.returnedAt!) - HOUR;
    return Math.floor((from + (to - from) * random()) / MINUTE) * MINUTE;
  };
  const report = (
    host: DemoIssue,
    plants: DemoLogReport['plants'],
    how: { levels: CedLevel[]; stated: number | null; extended: boolean | null; logged: number[] | null; arcs?: number[]; split?: boolean },
  ) => {
    const device = deviceBySerial.get(host.deviceSerial)!;
    const at = incidentIn(host);
    const t = at + randomInt(random, -4, 4) * MINUTE + randomInt(random, 0, 59) * SECOND;
    if (how.logged !== null)
      addUse(host.deviceSerial, {
        t,
        model: device.model,
        triggers: cycles(random, device.model, how.logged, how.split ?? false),
        arcs: (how.arcs ?? []).map((length, k) => ({ at: k * randomInt(random, 3, 20), length })),
        cartridge: how.levels.includes('fired') ? host.cartridges[0]!.serial : null,
      });
    importRow({ deviceSerial: host.deviceSerial, occurredAt: new Date(at).toISOString(), levels: how.levels, totalCycles: how.stated, cycleExtended: how.extended, plants }, device.store);
  };

  // The planted exceptions first, so a small force has each of them too.
  for (let n = 0; n < HANDFUL.cycle_count_mismatch; n++) {
    const host = takeHost();
    if (!host) break;
    // The report says one cycle; the device logged two (or the other way round).
    const two = n % 2 === 0;
    report(host, 'cycle_count_mismatch', { levels: ['red_dotted', 'fired'], stated: two ? 1 : 2, extended: false, logged: two ? [5, 5] : [5] });
    planted.cycle_count_mismatch++;
  }
  for (let n = 0; n < HANDFUL.extended_cycle_unreported; n++) {
    const x26 = n === 0;
    const host = (x26 ? takeHost('X26') : null) ?? takeHost();
    if (!host) break;
    report(host, 'extended_cycle_unreported', { levels: ['red_dotted', 'fired'], stated: 1, extended: false, logged: [Math.round(between(random, 6.5, 9) * 10) / 10], split: x26 });
    planted.extended_cycle_unreported++;
  }
  for (let n = 0; n < HANDFUL.report_without_log_event; n++) {
    const host = takeHost();
    if (!host) break;
    report(host, 'report_without_log_event', { levels: ['red_dotted', 'fired'], stated: 1, extended: false, logged: null });
    planted.report_without_log_event++;
  }
  for (let n = 0; n < HANDFUL.discharge_without_report; n++) {
    const host = takeHost();
    if (!host) break;
    const device = deviceBySerial.get(host.deviceSerial)!;
    addUse(host.deviceSerial, { t: incidentIn(host), model: device.model, triggers: cycles(random, device.model, [5], false), arcs: [], cartridge: host.cartridges[0]!.serial });
    planted.discharge_without_report++;
  }
  for (let n = 0; n < HANDFUL.arc_without_report; n++) {
    const host = takeHost();
    if (!host) break;
    const device = deviceBySerial.get(host.deviceSerial)!;
    addUse(host.deviceSerial, { t: incidentIn(host), model: device.model, triggers: [], arcs: [{ at: 0, length: Math.round(between(random, 1, 3) * 10) / 10 }], cartridge: null });
    planted.arc_without_report++;
  }
  for (let n = 0; n < HANDFUL.report_device_unknown; n++) {
    const host = takeHost();
    if (!host) break;
    // A serial not in the register (X2 serials are X291…): a digit dropped or mistyped.
    const serial = `X290${String(randomInt(random, 10_000, 99_999))}`;
    importRow(
      { deviceSerial: serial, occurredAt: new Date(incidentIn(host)).toISOString(), levels: ['red_dotted', 'fired'], totalCycles: 1, cycleExtended: false, plants: 'report_device_unknown' },
      deviceBySerial.get(host.deviceSerial)!.store,
    );
    planted.report_device_unknown++;
  }
  // Confirmed: mostly fired (one or two cycles), some drive stuns and arcs; X26 cycles in pieces.
  for (let n = 0; n < CONFIRMED_REPORTS; n++) {
    const x26 = n % 5 === 0;
    const host = takeHost(x26 ? 'X26' : undefined) ?? takeHost();
    if (!host) break;
    const kind = n % 8 === 3 ? 'drive_stun' : n % 8 === 6 ? 'arced' : 'fired';
    const count = kind === 'fired' && random() < 0.2 ? 2 : 1;
    const lengths = Array.from({ length: count }, () => Math.round(between(random, 4.9, 5.2) * 10) / 10);
    if (kind === 'fired') report(host, 'confirmed', { levels: ['red_dotted', 'fired'], stated: count, extended: false, logged: lengths, split: x26 });
    else if (kind === 'drive_stun') report(host, 'confirmed', { levels: ['drive_stun'], stated: null, extended: null, logged: lengths, split: x26 });
    else
      report(host, 'confirmed', {
        levels: ['arced'],
        stated: null,
        extended: null,
        logged: [],
        arcs: Array.from({ length: randomInt(random, 1, 3) }, () => Math.round(between(random, 0.8, 2.5) * 10) / 10),
      });
    confirmed++;
  }
  // Clock resets: devices in store well before the shift history, none with a report.
  const resets = new Set(
    shuffle(
      random,
      // In service before the year began, so the log has syncs well before the shift history to reset between.
      input.devices.filter((d) => !usedDevices.has(d.serial) && !reserved.has(d.serial) && Date.parse(`${d.inServiceOn}T09:00:00Z`) < yearStart),
    )
      .slice(0, HANDFUL.clock_reset)
      .map((d) => d.serial),
  );
  planted.clock_reset = resets.size;

  const seed = Math.floor(random() * 2 ** 32);
  function* deviceLines(d: DemoDevice): Generator<string> {
    const r = mulberry32(seed ^ hash(d.serial));
    const end = lastDownload.get(d.serial)!;
    const start = Math.max(yearStart, Date.parse(`${d.inServiceOn}T09:00:00Z`));
    if (start >= end) return;
    // Syncs: the last download, and one every one to three months before it.
    const syncs: number[] = [];
    for (let s = end; s > start; s -= randomInt(r, 30, 91) * DAY + randomInt(r, -300, 300) * MINUTE) syncs.unshift(s);
    syncs.unshift(start);
    const events: Planned[] = [];
    const add = (t: number, event: EventKind, duration: number | null = null, bay: number | null = null, cartridge: string | null = null) => {
      if (t > start && t < end) events.push({ t, event, duration, bay, cartridge });
    };
    const sparkTest = (t: number) => {
      add(t, 'armed');
      const length = Math.round(between(r, 0.8, 1.8) * 10) / 10;
      add(t + 3 * SECOND, 'arc', length);
      add(t + randomInt(r, 6, 15) * SECOND, 'safe', randomInt(r, 6, 15));
    };
    // Before the shift history: some days out, with the spark test after the sign-out.
    for (let day = start + DAY; day < Math.min(historyStarts, end); day += DAY) {
      if (r() >= activity) continue;
      const startOfDay = Math.floor(day / DAY) * DAY;
      const shift = [6, 13, 21][randomInt(r, 0, 2)]! * HOUR + randomInt(r, 20, 55) * MINUTE;
      sparkTest(startOfDay + shift + randomInt(r, 0, 50) * SECOND);
      if (r() < 0.1) {
        const drawn = startOfDay + shift + randomInt(r, 60, 500) * MINUTE;
        add(drawn, 'armed');
        add(drawn + randomInt(r, 20, 180) * SECOND, 'safe', randomInt(r, 20, 180));
      }
    }
    // The shift history: a spark test a few minutes after each sign-out.
    for (const issue of issuesOf.get(d.serial) ?? []) {
      const from = Date.parse(issue.issuedAt);
      sparkTest(from + randomInt(r, 60, 360) * SECOND);
      const back = issue.returnedAt ? Date.parse(issue.returnedAt) : end;
      if (r() < 0.1) {
        const drawn = from + randomInt(r, 90, Math.max(91, Math.floor((back - from) / MINUTE) - 60)) * MINUTE;
        add(drawn, 'armed');
        add(drawn + randomInt(r, 20, 180) * SECOND, 'safe', randomInt(r, 20, 180));
      }
    }
    // The incidents.
    for (const use of uses.get(d.serial) ?? []) {
      const pieces = [...use.triggers.map((p) => ({ ...p, event: 'trigger' as const })), ...use.arcs.map((p) => ({ ...p, event: 'arc' as const }))].sort((a, b) => a.at - b.at);
      const armedAt = use.t - randomInt(r, 30, 90) * SECOND;
      add(armedAt, 'armed');
      let last = use.t;
      for (const p of pieces) {
        const t = use.t + p.at * SECOND;
        add(t, p.event, p.length, p.event === 'trigger' && use.cartridge ? 1 : null, p.event === 'trigger' ? use.cartridge : null);
        last = t + Math.ceil(p.length) * SECOND;
      }
      const safeAt = last + randomInt(r, 30, 240) * SECOND;
      add(safeAt, 'safe', Math.round((safeAt - armedAt) / SECOND));
    }
    events.sort((a, b) => a.t - b.t);

    // A clock reset: the battery out between two syncs before the shift history, an
    // armourer's check after it, and the next download sets the clock right.
    let reset: { at: number; until: number } | null = null;
    if (resets.has(d.serial)) {
      const gaps = syncs
        .slice(0, -1)
        .map((s, k) => [s, syncs[k + 1]!] as const)
        .filter(([a, b]) => a > yearStart + 10 * DAY && b < historyStarts - DAY && b - a > 10 * DAY);
      const gap = gaps.length ? gaps[randomInt(r, 0, gaps.length - 1)]! : null;
      if (gap) {
        const at = gap[0] + Math.floor((gap[1] - gap[0]) * between(r, 0.3, 0.7));
        reset = { at, until: gap[1] };
        const check = at + randomInt(r, 10, 40) * MINUTE;
        events.push({ t: check, event: 'other', duration: null, bay: null, cartridge: null });
        events.push(
          { t: check + MINUTE, event: 'armed', duration: null, bay: null, cartridge: null },
          { t: check + MINUTE + 3 * SECOND, event: 'arc', duration: 1.2, bay: null, cartridge: null },
          { t: check + MINUTE + 9 * SECOND, event: 'safe', duration: 9, bay: null, cartridge: null },
        );
        events.sort((a, b) => a.t - b.t);
      }
    }

    // The clock: set right at each sync, drifting at the device's rate between them.
    const perDay = (d.model === 'X26' ? between(r, 0.5, 3) : between(r, 0.1, 1.5)) * (r() < 0.5 ? -1 : 1);
    let sequence = randomInt(r, 200, 9000);
    let battery = randomInt(r, 85, 100);
    const temperature = () => oneDecimal(between(r, 9, 27));
    const row = (dev: number, e: Planned, trueTime: number | null) =>
      `${d.serial},${sequence++},${deviceTime(dev)},${e.event},${e.duration === null ? '' : oneDecimal(e.duration)},${e.bay ?? ''},${e.cartridge ?? ''},${battery},${temperature()},${trueTime === null ? '' : new Date(trueTime).toISOString()}`;
    const clock = (t: number, lastSync: number, rate: number) => (reset && t >= reset.at && t < reset.until + SECOND ? RESET_BASE + (t - reset.at) : t + ((t - lastSync) * rate * SECOND) / DAY);
    let k = 0;
    for (let s = 0; s < syncs.length; s++) {
      const at = syncs[s]!;
      const prev = s === 0 ? at - randomInt(r, 30, 90) * DAY : syncs[s - 1]!;
      const rate = perDay * between(r, 0.8, 1.2);
      while (k < events.length && events[k]!.t < at) {
        const e = events[k++]!;
        if (e.event === 'armed' || e.event === 'trigger') battery = Math.max(20, battery - (r() < 0.05 ? 1 : 0));
        yield row(clock(e.t, prev, rate), e, null);
      }
      // The download: the clock read just before it is set right.
      yield row(clock(at, prev, rate), { t: at, event: 'time_sync', duration: null, bay: null, cartridge: null }, Math.floor(at / SECOND) * SECOND);
      if (r() < 0.5) battery = randomInt(r, 90, 100);
    }
  }

  function* lines(): Generator<string> {
    yield DEVICE_LOG_HEADER;
    for (const d of input.devices) yield* deviceLines(d);
  }
  return {
    devices: input.devices.filter((d) => Math.max(yearStart, Date.parse(`${d.inServiceOn}T09:00:00Z`)) < lastDownload.get(d.serial)!).length,
    reports,
    metRows,
    planted,
    confirmed,
    lines,
    async *chunks() {
      let buffer = '';
      for (const line of lines()) {
        buffer += `${line}\n`;
        if (buffer.length >= 65_536) {
          yield buffer;
          buffer = '';
        }
      }
      if (buffer) yield buffer;
    },
  };
}

/** The London dates a year of logs covers, ending on the demo's day: the reconciliation's window. */
export function demoLogWindow(now: Date): { from: string; to: string } {
  const to = londonDate(now);
  return { from: addDays(to, -364), to };
}
