/**
 * The demo force's fleet (issue 12): devices in the boroughs' and force-wide commands' stores,
 * their cartridges, and the last few weeks of shift sign-outs, so the armoury, device, fleet and
 * officer pages have a realistic force to show.
 *
 * `generateDemoFleet` is pure (no I/O, no clock, no global randomness): the same random source,
 * force, training and instant give the same fleet. `seedDemoFleet` stores it through services.
 *
 * The figures are for a force of 10,000 officers (the demo's default) and scale with it, as the
 * training does:
 *  - About 2,500 devices (DESIGN §1): each store's share follows the officers authorised in it
 *    now and its share of the uplift to come (93% of it in the boroughs' emergency response),
 *    a few new ones in the central store. Mostly X2; about one in eight an X26, older, being
 *    retired: the force stops issuing the X26 about six months after the demo's day.
 *  - Two to three cartridges a device, of the types its model takes, from lots whose expiry
 *    dates run from a few weeks ago (a few expired, still in store to be disposed of) through
 *    the next few weeks (near expiry) to four years on.
 *  - The last month of shifts (earlies, lates and nights on a four-on four-off rota) for
 *    the constables and sergeants authorised on the day: each takes a device of a model they
 *    are authorised on, with a cartridge per bay, from their own store, and brings it back at
 *    the end of the shift; a handful of cartridges were fired (expended, no report linked yet)
 *    and one or two lost. Shifts under way now are still out, and a couple of devices are
 *    overdue. The demo constable (account `officer`) carried a device at each of the demo
 *    reports' incidents (reports.ts), and fired a cartridge at the fired ones.
 *  - Some devices in repair, one quarantined (held for professional standards), a few X26
 *    withdrawn at the end of their life.
 */
import { CENTRAL_STORE, type Armoury } from '../domain/devices/register.js';
import type { CartridgeReturn } from '../domain/devices/cartridges.js';
import { addDays, londonDate, londonInstant } from '../domain/calendar.js';
import { authorityOn, type Restriction, type TrainingRecord } from '../domain/training/authority.js';
import { NATIONAL_COURSE_TYPES } from '../domain/training/courses.js';
import { findAccountByEmail } from '../services/accounts.js';
import type { Actor, Services } from '../services/context.js';
import { getDeviceBySerial, listDeviceModels, moveDevice, receiveCartridges, registerDevices } from '../services/devices.js';
import { linkCartridgeToReport } from '../services/device-register.js';
import { saveDeviceModel } from '../services/device-models.js';
import { cartridgeIdsBySerial, loadDeviceHistory } from '../services/devices-load.js';
import { listBoroughs, listTeams } from '../services/organisation.js';
import type { DemoForcePlan } from './plan.js';
import { dateOf, dayNumber, pick, randomInt, shuffle, type Random } from './random.js';
import { DEMO_REPORT_INCIDENTS, type DemoCarried } from './reports.js';
import { DEMO_TRAINING_SCALE, type DemoTraining } from './training.js';

/** Devices in a force of DEMO_TRAINING_SCALE officers (DESIGN §1). */
export const DEMO_FLEET_DEVICES = 2_500;
/** Days of sign-outs to the demo's day (that day included): the duty roster's month (shifts.ts), so every rostered day has its carriers. */
export const DEMO_ISSUE_DAYS = 30;
/** Months after the demo's day that the force stops issuing the X26. */
const X26_RETIRES_AFTER_MONTHS = 6;

type ModelName = 'X2' | 'X26';
const BAYS: Record<ModelName, number> = { X2: 2, X26: 1 };
const CARTRIDGE_TYPES: Record<ModelName, readonly { type: string; weight: number; prefix: string }[]> = {
  X2: [
    { type: 'Smart 25 ft', weight: 0.85, prefix: 'SM25' },
    { type: 'Smart 15 ft', weight: 0.15, prefix: 'SM15' },
  ],
  X26: [
    { type: 'X26 25 ft', weight: 0.7, prefix: 'XC25' },
    { type: 'X26 21 ft', weight: 0.3, prefix: 'XC21' },
  ],
};
const FIRMWARE: Record<ModelName, readonly string[]> = { X2: ['04.036', '04.036', '04.036', '04.031', '04.023'], X26: ['X26E 21.01', 'X26E 21.01', 'X26E 19.04'] };

const DEFECTS = [
  'Arc display flickers and the trigger sometimes does not respond',
  'Battery pack will not hold a charge through a shift',
  'Cracked housing by the left cartridge bay after a fall',
  'Laser sight misaligned: red dot is several inches off at 3 metres',
  'Fails the spark test intermittently',
  'Central information display blank after the last download',
  'Safety switch stiff and does not always engage',
] as const;

/** A store as plain data: a borough's (by code), a force-wide unit's (by team name), or the central store. */
export interface DemoStore {
  boroughCode: string | null;
  teamName: string | null;
}

export interface DemoDevice {
  serial: string;
  model: ModelName;
  store: DemoStore;
  firmware: string;
  inServiceOn: string;
}

export interface DemoCartridge {
  serial: string;
  type: string;
  lot: string;
  expiresOn: string;
  store: DemoStore;
}

export interface DemoIssue {
  deviceSerial: string;
  collar: string;
  issuedAt: string;
  shiftEndsAt: string;
  /** null: still out at the demo's instant. */
  returnedAt: string | null;
  /** Issued in the demo's home borough: by the demo sergeant's account. */
  home: boolean;
  cartridges: { serial: string; outcome: CartridgeReturn | null }[];
}

export interface DemoFleet {
  devices: DemoDevice[];
  cartridges: DemoCartridge[];
  issues: DemoIssue[];
  repairs: { serial: string; defect: string }[];
  quarantine: { serial: string; reason: string };
  withdrawn: string[];
  /** The first day the force no longer issues the X26. */
  x26StopsIssuingOn: string;
  /** What the demo constable carried at each demo report's incident, by its hours before the demo's instant. */
  carried: Map<number, DemoCarried>;
}

const storeKey = (s: DemoStore) => (s.boroughCode ? `borough:${s.boroughCode}` : s.teamName ? `team:${s.teamName}` : 'central');

/** Splits `total` across weights by largest remainder, so the counts add up exactly. */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0) || 1;
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((s, n) => s + n, 0);
  for (const i of exact.map((v, i) => ({ i, r: v - Math.floor(v) })).sort((a, b) => b.r - a.r || a.i - b.i)) {
    if (left-- <= 0) break;
    out[i.i]! += 1;
  }
  return out;
}

/** The day `months` calendar months after `day` (the 1st of that month: a plain retirement date). */
function monthsAfter(day: string, months: number): string {
  const m = Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1 + months;
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
}

/**
 * A device or cartridge in a pool: out until `until` (shifts are handed out in time order, so
 * the last return is all that matters), and the demo constable's shifts, handed out first.
 */
interface Slot {
  until: number;
  reserved: [number, number][];
  uses: number;
}
const free = (slot: Slot, from: number, to: number) => slot.until <= from && slot.reserved.every(([a, b]) => b <= from || to <= a);

/**
 * The demo fleet as plain data. Pure: the same random source, force, training and instant give
 * the same fleet.
 */
export function generateDemoFleet(random: Random, force: DemoForcePlan, training: Pick<DemoTraining, 'records' | 'restrictions'>, now: Date): DemoFleet {
  const today = londonDate(now);
  const nowMs = now.getTime();
  const scale = force.officers.length / DEMO_TRAINING_SCALE;
  const scaled = (n: number, min = 0) => Math.max(min, Math.round(n * scale));

  // Who is authorised on which model, on any day.
  const course = new Map(NATIONAL_COURSE_TYPES.map((c) => [c.code, c]));
  const records = new Map<string, TrainingRecord[]>();
  for (const r of training.records) {
    const c = course.get(r.code)!;
    const list = records.get(r.collar) ?? [];
    list.push({ kind: c.kind, qualifiesFor: c.qualifiesFor, completedOn: r.completedOn, result: r.result });
    records.set(r.collar, list);
  }
  const restrictions = new Map<string, Restriction[]>();
  for (const r of training.restrictions) restrictions.set(r.collar, [...(restrictions.get(r.collar) ?? []), { kind: r.kind, from: r.from, to: r.to, reason: r.reason }]);
  const authorityOnDay = (collar: string, model: ModelName, day: string) => {
    const rs = records.get(collar);
    if (!rs) return false;
    const rr = restrictions.get(collar) ?? [];
    return authorityOn(
      model,
      day,
      rs,
      rr.filter((x) => x.kind === 'suspension'),
      rr.filter((x) => x.kind === 'withdrawal'),
    ).authorised;
  };
  // The history's days: the same authority on its first and last day, and nothing recorded
  // between, means the same every day (worked out per day only for the few with a change).
  const firstDay = addDays(today, -(DEMO_ISSUE_DAYS - 1));
  const steady = new Map<string, boolean | null>();
  const authorisedOn = (collar: string, model: ModelName, day: string): boolean => {
    const key = `${collar}|${model}`;
    if (!steady.has(key)) {
      const within = (d: string | null) => d !== null && d >= firstDay && d <= today;
      const changes = (records.get(collar) ?? []).some((r) => within(r.completedOn)) || (restrictions.get(collar) ?? []).some((r) => within(r.from) || within(r.to));
      const first = authorityOnDay(collar, model, firstDay);
      steady.set(key, !changes && first === authorityOnDay(collar, model, today) ? first : null);
    }
    return steady.get(key) ?? authorityOnDay(collar, model, day);
  };

  // Stores: every borough's, every force-wide unit's, and the central store.
  const forceWide = new Set(force.teams.filter((t) => t.boroughCode === null).map((t) => t.name));
  const stores: DemoStore[] = [...force.boroughs.map((b) => ({ boroughCode: b.code, teamName: null })), ...[...forceWide].map((name) => ({ boroughCode: null, teamName: name }))];
  const storeOf = (o: DemoForcePlan['officers'][number]): DemoStore | null =>
    o.teamName && forceWide.has(o.teamName) ? { boroughCode: null, teamName: o.teamName } : o.boroughCode ? { boroughCode: o.boroughCode, teamName: null } : null;
  const teamType = new Map(force.teams.map((t) => [t.name, t.teamType]));
  const carriers = force.officers.filter((o) => o.status === 'active' && (o.rank === 'Police Constable' || o.rank === 'Sergeant') && storeOf(o) !== null && records.has(o.collarNumber));

  // How many devices each store holds: its officers authorised now and its share of the uplift.
  const authorisedNow = new Map<string, number>();
  const x26Only = new Map<string, number>();
  for (const o of carriers) {
    const key = storeKey(storeOf(o)!);
    const x2 = authorisedOn(o.collarNumber, 'X2', today);
    const x26 = authorisedOn(o.collarNumber, 'X26', today);
    if (x2 || x26) authorisedNow.set(key, (authorisedNow.get(key) ?? 0) + 1);
    if (x26 && !x2) x26Only.set(key, (x26Only.get(key) ?? 0) + 1);
  }
  const responders = new Map<string, number>();
  const unitSize = new Map<string, number>();
  for (const o of force.officers) {
    if (o.status !== 'active') continue;
    const s = storeOf(o);
    if (!s) continue;
    if (s.boroughCode && o.teamName && teamType.get(o.teamName) === 'emergency_response') responders.set(s.boroughCode, (responders.get(s.boroughCode) ?? 0) + 1);
    if (s.teamName) unitSize.set(s.teamName, (unitSize.get(s.teamName) ?? 0) + 1);
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0) || 1;
  const uplift = 1_867 * scale;
  const weights = stores.map((s) => {
    const planned = s.boroughCode ? (0.93 * uplift * (responders.get(s.boroughCode) ?? 0)) / sum(responders) : (0.07 * uplift * (unitSize.get(s.teamName!) ?? 0)) / sum(unitSize);
    return (authorisedNow.get(storeKey(s)) ?? 0) + planned;
  });
  const central = scaled(25, 1);
  const counts = apportion(Math.max(0, scaled(DEMO_FLEET_DEVICES, 1) - central), weights);
  // Every store with an officer authorised now has a device; the home borough at least two.
  const home = force.officers.find((o) => o.collarNumber === force.accountOfficers.officer)!;
  stores.forEach((s, i) => {
    if ((authorisedNow.get(storeKey(s)) ?? 0) > 0) counts[i] = Math.max(counts[i]!, 1);
    if (s.boroughCode === home.boroughCode) counts[i] = Math.max(counts[i]!, 2);
  });

  // The devices: X26 for about one in eight (more in the force-wide units, which had Taser first).
  let x2Serial = 100_000 + randomInt(random, 0, 99) * 1000;
  let x26Serial = 300_000 + randomInt(random, 0, 99) * 1000;
  const devices: DemoDevice[] = [];
  const firstX2 = dayNumber('2017-04-01');
  const lastX2 = dayNumber(addDays(today, -45));
  const x2Day = () => dateOf(firstX2 + Math.floor((lastX2 - firstX2) * random() ** 0.7));
  const x26Day = () => dateOf(dayNumber('2011-06-01') + Math.floor((dayNumber('2017-03-31') - dayNumber('2011-06-01')) * random()));
  const addDevice = (model: ModelName, store: DemoStore, inServiceOn: string) =>
    devices.push({
      serial: model === 'X2' ? `X29${String(x2Serial++).padStart(6, '0')}` : `X00${String(x26Serial++).padStart(6, '0')}`,
      model,
      store,
      firmware: pick(random, FIRMWARE[model]),
      inServiceOn,
    });
  stores.forEach((s, i) => {
    const n = counts[i]!;
    const share = s.teamName ? 0.18 : 0.09;
    const x26 = n < 2 ? 0 : Math.min(n - 1, Math.max(Math.round(n * share), Math.ceil((x26Only.get(storeKey(s)) ?? 0) / 2)));
    for (let k = 0; k < n; k++) addDevice(k < x26 ? 'X26' : 'X2', s, k < x26 ? x26Day() : x2Day());
  });
  const centralStore: DemoStore = { boroughCode: null, teamName: null };
  for (let k = 0; k < central; k++) addDevice('X2', centralStore, addDays(today, -randomInt(random, 7, 60)));

  // Cartridge lots: expiry from a few weeks ago to four years on; some near expiry.
  const lots = (['X2', 'X26'] as const).flatMap((model) =>
    CARTRIDGE_TYPES[model].flatMap((t) => {
      const offsets = [-randomInt(random, 5, 40), randomInt(random, 10, 45), ...Array.from({ length: 6 }, () => randomInt(random, 120, 1460))];
      return offsets.map((days, n) => ({
        model,
        type: t.type,
        weight: t.weight * (n === 0 ? 0.012 : n === 1 ? 0.06 : 0.155),
        lot: `${t.prefix}-${addDays(today, days - 1826)
          .slice(2, 7)
          .replace('-', '')}-${String.fromCharCode(65 + n)}`,
        expiresOn: addDays(today, days),
      }));
    }),
  );
  const pickLot = (model: ModelName) => {
    const options = lots.filter((l) => l.model === model);
    let r = random() * options.reduce((s, l) => s + l.weight, 0);
    for (const l of options) if ((r -= l.weight) < 0) return l;
    return options[options.length - 1]!;
  };
  let cartridgeSerial = randomInt(random, 1000, 9999) * 1000;
  const cartridges: DemoCartridge[] = [];
  for (const d of devices) {
    for (let k = 0, n = random() < 0.5 ? 2 : 3; k < n; k++) {
      const lot = pickLot(d.model);
      cartridges.push({ serial: `C${d.model === 'X2' ? '77' : '26'}${String(cartridgeSerial++).padStart(7, '0')}`, type: lot.type, lot: lot.lot, expiresOn: lot.expiresOn, store: d.store });
    }
  }

  // The pools shifts draw from, per store and model: each device and cartridge and when it is back.
  const pool = <T>(list: readonly T[], key: (x: T) => string) => {
    const m = new Map<string, (T & Slot)[]>();
    for (const x of list) {
      const k = key(x);
      if (!m.has(k)) m.set(k, []);
      m.get(k)!.push({ ...x, until: 0, reserved: [], uses: 0 });
    }
    return m;
  };
  const deviceSlots = pool(devices, (d) => `${storeKey(d.store)}|${d.model}`);
  // Cartridges in expiry order: armourers hand out the oldest first.
  const cartridgeSlots = pool(
    [...cartridges].sort((a, b) => (a.expiresOn < b.expiresOn ? -1 : a.expiresOn > b.expiresOn ? 1 : 0)),
    (c) => `${storeKey(c.store)}|${c.type.startsWith('Smart') ? 'X2' : 'X26'}`,
  );

  const issues: DemoIssue[] = [];
  const officerBusy = new Map<string, [number, number][]>();
  const take = (shift: { collar: string; store: DemoStore; models: ModelName[]; day: string; from: number; to: number; returned: number; fire?: boolean }, reserve = false): DemoIssue | null => {
    const key = storeKey(shift.store);
    for (const model of shift.models) {
      // The device used least so far.
      let device: (DemoDevice & Slot) | undefined;
      for (const d of deviceSlots.get(`${key}|${model}`) ?? []) if (free(d, shift.from, shift.returned) && (device === undefined || d.uses < device.uses)) device = d;
      if (!device) continue;
      const taken: (DemoCartridge & Slot)[] = [];
      for (const c of cartridgeSlots.get(`${key}|${model}`) ?? []) {
        if (taken.length === BAYS[model]) break;
        if (c.expiresOn >= shift.day && free(c, shift.from, shift.returned)) taken.push(c);
      }
      if (taken.length < BAYS[model]) continue;
      const out = shift.returned > nowMs;
      const hold = (slot: Slot, until: number) => (reserve ? slot.reserved.push([shift.from, until]) : (slot.until = until));
      hold(device, shift.returned);
      device.uses++;
      const fired = shift.fire === true || (shift.fire === undefined && !out && random() < 0.0007);
      const lost = !fired && !out && shift.fire === undefined && random() < 0.00005;
      const issue: DemoIssue = {
        deviceSerial: device.serial,
        collar: shift.collar,
        issuedAt: new Date(shift.from).toISOString(),
        shiftEndsAt: new Date(shift.to).toISOString(),
        returnedAt: out ? null : new Date(shift.returned).toISOString(),
        home: shift.store.boroughCode === home.boroughCode,
        cartridges: taken.map((c, n) => ({ serial: c.serial, outcome: out ? null : n === 0 && fired ? 'expended' : n === 0 && lost ? 'lost' : 'in_store' })),
      };
      // A cartridge fired or lost is gone for good; the others are back in store at the return.
      taken.forEach((c, n) => {
        hold(c, n === 0 && (fired || lost) ? Number.MAX_SAFE_INTEGER : shift.returned);
        c.uses++;
      });
      officerBusy.set(shift.collar, [...(officerBusy.get(shift.collar) ?? []), [shift.from, shift.returned]]);
      issues.push(issue);
      return issue;
    }
    return null;
  };

  // The demo constable's shifts first: one around each demo report's incident where a Taser was carried.
  const carried = new Map<number, DemoCarried>();
  const pcStore = storeOf(home)!;
  const incidents = Object.values(DEMO_REPORT_INCIDENTS).map((i) => ({ ...i, at: nowMs - i.hours * 3_600_000 }));
  for (const incident of incidents.filter((i) => i.kind !== 'none').sort((a, b) => a.at - b.at)) {
    const from = incident.at - (4 * 60 + randomInt(random, 0, 50)) * 60_000;
    const to = from + 10 * 3_600_000;
    const day = londonDate(new Date(from));
    const models = (['X2', 'X26'] as const).filter((m) => authorisedOn(home.collarNumber, m, day));
    const issue = take({ collar: home.collarNumber, store: pcStore, models, day, from, to, returned: to + randomInt(random, 10, 40) * 60_000, fire: incident.kind === 'fired' }, true);
    if (issue) carried.set(incident.hours, { deviceSerial: issue.deviceSerial, expendedCartridge: issue.cartridges.find((c) => c.outcome === 'expended')?.serial ?? null });
  }
  const pcQuiet = (from: number, to: number) => incidents.every((i) => to + 12 * 3_600_000 <= i.at || i.at + 12 * 3_600_000 <= from);

  // Everyone's rota: four on, four off; a block of earlies, lates or nights; most shifts with a device.
  // The duty roster's shifts (shifts.ts): earlies 07:00–15:00, lates 15:00–23:00, nights 23:00–07:00.
  const SHIFTS = [
    { start: '07:00', hours: 8 },
    { start: '15:00', hours: 8 },
    { start: '23:00', hours: 8 },
  ] as const;
  const wanted: { collar: string; store: DemoStore; models: ModelName[]; day: string; from: number; to: number; returned: number }[] = [];
  for (const o of carriers) {
    const phase = randomInt(random, 0, 7);
    const block = randomInt(random, 0, 2);
    for (let d = dayNumber(firstDay); d <= dayNumber(today); d++) {
      const cycle = d + phase;
      if (cycle % 8 >= 4 || random() < 0.12) continue;
      const day = dateOf(d);
      const models = (['X2', 'X26'] as const).filter((m) => authorisedOn(o.collarNumber, m, day));
      if (!models.length) continue;
      const shift = SHIFTS[(Math.floor(cycle / 8) + block) % 3]!;
      const start = londonInstant(day, shift.start).getTime();
      const from = start - randomInt(random, 5, 35) * 60_000;
      const to = start + shift.hours * 3_600_000;
      if (from > nowMs) continue;
      if (o.collarNumber === home.collarNumber && !pcQuiet(from, to)) continue;
      wanted.push({ collar: o.collarNumber, store: storeOf(o)!, models: [...models], day, from, to, returned: to + randomInt(random, 5, 50) * 60_000 });
    }
  }
  wanted.sort((a, b) => a.from - b.from || (a.collar < b.collar ? -1 : a.collar > b.collar ? 1 : 0));
  for (const w of wanted) if ((officerBusy.get(w.collar) ?? []).every(([a, b]) => b <= w.from || w.returned <= a)) take(w);

  // A couple still out two hours and more after their shift ended: overdue.
  const lastOf = (list: DemoIssue[], key: (i: DemoIssue) => string) => {
    const m = new Map<string, DemoIssue>();
    for (const i of list) if (!m.has(key(i)) || m.get(key(i))!.issuedAt < i.issuedAt) m.set(key(i), i);
    return m;
  };
  const lastByDevice = lastOf(issues, (i) => i.deviceSerial);
  const lastByOfficer = lastOf(issues, (i) => i.collar);
  const lastUse = new Map<string, string>();
  for (const i of issues) for (const c of i.cartridges) if ((lastUse.get(c.serial) ?? '') < i.issuedAt) lastUse.set(c.serial, i.issuedAt);
  const overdue = issues.filter(
    (i) =>
      i.returnedAt !== null &&
      i.collar !== home.collarNumber &&
      Date.parse(i.shiftEndsAt) < nowMs - 3 * 3_600_000 &&
      Date.parse(i.shiftEndsAt) > nowMs - 20 * 3_600_000 &&
      lastByDevice.get(i.deviceSerial) === i &&
      lastByOfficer.get(i.collar) === i &&
      i.cartridges.every((c) => c.outcome === 'in_store' && lastUse.get(c.serial) === i.issuedAt),
  );
  for (const i of shuffle(random, overdue).slice(0, scaled(2, 1))) {
    i.returnedAt = null;
    for (const c of i.cartridges) c.outcome = null;
  }

  // In repair, quarantined, withdrawn: devices in store now, none the constable carried at a report's incident.
  const outNow = new Set(issues.filter((i) => i.returnedAt === null).map((i) => i.deviceSerial));
  const reported = new Set([...carried.values()].map((c) => c.deviceSerial));
  const inStore = shuffle(
    random,
    devices.filter((d) => d.store.boroughCode !== null || d.store.teamName !== null).filter((d) => !outNow.has(d.serial) && !reported.has(d.serial)),
  );
  const quarantined = inStore.find((d) => d.model === 'X2')!;
  const rest = inStore.filter((d) => d !== quarantined);
  const withdrawn = rest.filter((d) => d.model === 'X26').slice(0, scaled(12, 1));
  const repairs = rest
    .filter((d) => !withdrawn.includes(d))
    .slice(0, scaled(38, 1))
    .map((d) => ({ serial: d.serial, defect: pick(random, DEFECTS) }));

  return {
    devices,
    cartridges,
    issues,
    repairs,
    quarantine: {
      serial: quarantined.serial,
      reason: 'Held as evidence at the request of professional standards: a complaint about a discharge is under investigation',
    },
    withdrawn: withdrawn.map((d) => d.serial),
    x26StopsIssuingOn: monthsAfter(today, X26_RETIRES_AFTER_MONTHS),
    carried,
  };
}

// Storing it ---------------------------------------------------------------------------

export interface DemoFleetSummary {
  devices: number;
  x2: number;
  x26: number;
  cartridges: number;
  issues: number;
  /** Still out now (overdue ones included). */
  out: number;
  inRepair: number;
  quarantined: number;
  withdrawn: number;
  x26StopsIssuingOn: string;
}

/**
 * Stores the demo fleet: the devices (`registerDevices`, a `device.register` entry each) and
 * cartridges (`receiveCartridges`) in their stores, the X26's retirement date, the shift history
 * in one transaction (`loadDeviceHistory`, one `demo.devices` entry), then the devices sent for
 * repair (by the demo armourer), the one quarantined (by professional standards) and the X26
 * withdrawn, each through `moveDevice`. Returns what the demo constable carried at each report's
 * incident, for the reports, and the fleet as plain data, for the device logs (device-logs.ts).
 * The X26's retirement goes in through the models' configuration (`saveDeviceModel`).
 */
export async function seedDemoFleet(
  svc: Services,
  actor: Actor,
  force: DemoForcePlan,
  training: Pick<DemoTraining, 'records' | 'restrictions'>,
  random: Random,
  now: Date,
  emails: { armourer: string; professionalStandards: string; supervisor: string },
): Promise<{ summary: DemoFleetSummary; carried: Map<number, DemoCarried>; fleet: DemoFleet }> {
  const fleet = generateDemoFleet(random, force, training, now);
  const boroughs = new Map((await listBoroughs(svc)).map((b) => [b.code, b.id]));
  const teams = new Map((await listTeams(svc, { all: true })).filter((t) => t.boroughId === null).map((t) => [t.name, t.id]));
  const armoury = (s: DemoStore): Armoury =>
    s.boroughCode ? { boroughId: boroughs.get(s.boroughCode)!, teamId: null } : s.teamName ? { boroughId: null, teamId: teams.get(s.teamName)! } : CENTRAL_STORE;

  for (let i = 0; i < fleet.devices.length; i += 500) {
    await registerDevices(
      svc,
      actor,
      fleet.devices.slice(i, i + 500).map((d) => ({ serial: d.serial, model: d.model, armoury: armoury(d.store), firmware: d.firmware, inServiceOn: d.inServiceOn })),
    );
  }
  for (let i = 0; i < fleet.cartridges.length; i += 2_500) {
    await receiveCartridges(
      svc,
      actor,
      fleet.cartridges.slice(i, i + 2_500).map((c) => ({ serial: c.serial, type: c.type, lot: c.lot, expiresOn: c.expiresOn, armoury: armoury(c.store) })),
    );
  }
  // The X26's retirement, in the models' configuration.
  const { id: x26, ...model } = (await listDeviceModels(svc, actor)).find((m) => m.name === 'X26')!;
  await saveDeviceModel(svc, actor, x26, { ...model, stopsIssuingOn: fleet.x26StopsIssuingOn });
  await loadDeviceHistory(
    svc,
    actor,
    {
      issues: fleet.issues.map((i) => ({
        deviceSerial: i.deviceSerial,
        collarNumber: i.collar,
        issuedAt: i.issuedAt,
        shiftEndsAt: i.shiftEndsAt,
        returnedAt: i.returnedAt,
        issuedBy: i.home ? emails.supervisor : null,
        cartridges: i.cartridges,
      })),
    },
    { audit: { action: 'demo.devices' } },
  );

  const as = async (email: string): Promise<Actor> => {
    const account = (await findAccountByEmail(svc, email))!;
    return { userId: account.id, label: account.email, grants: account.roles };
  };
  const armourer = await as(emails.armourer);
  const psd = await as(emails.professionalStandards);
  const all = { all: true } as const;
  const ids = (serials: string[]) => Promise.all(serials.map(async (s) => (await getDeviceBySerial(svc, s)).id));
  for (const [n, id] of (await ids(fleet.repairs.map((r) => r.serial))).entries()) await moveDevice(svc, armourer, all, id, { move: 'send_for_repair', note: fleet.repairs[n]!.defect });
  const [quarantined] = await ids([fleet.quarantine.serial]);
  await moveDevice(svc, psd, all, quarantined!, { move: 'quarantine', note: fleet.quarantine.reason });
  for (const id of await ids(fleet.withdrawn))
    await moveDevice(svc, armourer, all, id, { move: 'withdraw', withdrawalReason: 'end_of_life', note: 'X26 at the end of its service life: replaced by an X2' });

  return {
    summary: {
      devices: fleet.devices.length,
      x2: fleet.devices.filter((d) => d.model === 'X2').length,
      x26: fleet.devices.filter((d) => d.model === 'X26').length,
      cartridges: fleet.cartridges.length,
      issues: fleet.issues.length,
      out: fleet.issues.filter((i) => i.returnedAt === null).length,
      inRepair: fleet.repairs.length,
      quarantined: 1,
      withdrawn: fleet.withdrawn.length,
      x26StopsIssuingOn: fleet.x26StopsIssuingOn,
    },
    carried: fleet.carried,
    fleet,
  };
}

/** Links the cartridges the demo constable fired to the reports of those discharges (by the armourer, as at a return). */
export async function linkDemoCartridges(svc: Services, armourerEmail: string, fired: readonly { cartridgeSerial: string; reportId: string }[]): Promise<number> {
  const account = (await findAccountByEmail(svc, armourerEmail))!;
  const armourer: Actor = { userId: account.id, label: account.email, grants: account.roles };
  const ids = await cartridgeIdsBySerial(
    svc,
    fired.map((f) => f.cartridgeSerial),
  );
  for (const f of fired) await linkCartridgeToReport(svc, armourer, { all: true }, ids.get(f.cartridgeSerial)!, f.reportId);
  return fired.length;
}
