import { versusBare, type Versus } from './cannon.js';
import * as org from '../src/db/repositories/organisation.js';
import { londonDate } from '../src/domain/calendar.js';
import { createAccount } from '../src/services/accounts.js';
import { SYSTEM_ACTOR, type Services } from '../src/services/context.js';
import { briefing, londonClock } from '../src/services/crews.js';
import { importShifts } from '../src/services/shifts.js';

/*
 * The shift briefing page's bench (issue 14): the page a sergeant opens at the start of a shift —
 * who is on duty, their authority by model, the free devices and the proposed crews — measured
 * with autocannon against the bare Fastify route (HTML) of bench/server.js, interleaved rounds at
 * the same connections (bench/cannon.ts). The target: the page at 25% or more of the bare route's rate.
 *
 * `benchBriefing` prepares what it measures in the bench database: tonight's night shift (22:00
 * to 07:00 London) for up to `officers` serving officers of the borough with the most, and a
 * sergeant's account for that borough. Nothing is saved, so the page shows the proposal, as on a
 * shift's first look; the briefing is worked out on the first request and then cached until
 * something it reads changes (services/crews.ts), so the measure is mostly the page's rendering.
 */

export interface BriefingBenchOptions {
  /** The bench database's services (the server process reads the same database). */
  svc: Services;
  /** Cedar's base URL, e.g. http://127.0.0.1:1234. */
  cedar: string;
  /** The bare route answering HTML, e.g. http://127.0.0.1:5678/. */
  bare: string;
  /** Signs in through the pages and returns the `cedar_session=…` cookie. */
  signIn(email: string, password: string): Promise<string>;
  password: string;
  /** Seconds per measurement (default 5) and connections (default 20). */
  seconds?: number;
  connections?: number;
  /** Officers on the shift (default 24: a response team's night). */
  officers?: number;
  /** Has the bare server serve these bytes; the URL it serves them at. */
  holdBytes?(body: string): Promise<string>;
}

export interface BriefingBench {
  url: string;
  onDuty: number;
  freeDevices: number;
  crews: number;
  taserCrews: number;
  /** One page's bytes. */
  bytes: number;
  /** The page against the bare route, interleaved rounds (bench/cannon.ts). */
  versus: Versus;
  /** The page against its own bytes served by the bare server (when `holdBytes` is given). */
  sameBytes: Versus | null;
  target: 0.25;
}

const SERGEANT = 'bench-sergeant@cedar.local';

/** Tonight's night shift and a sergeant for it, in the borough with the most serving officers; the page's path. */
async function prepare(svc: Services, password: string, wanted: number): Promise<{ path: string; boroughId: string; startsAt: string }> {
  const db = svc.database.db;
  const force = (await org.findForce(db))!;
  const counts = await db
    .selectFrom('officer')
    .select(['borough_id', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('force_id', '=', force.id)
    .where('status', '=', 'active')
    .where('borough_id', 'is not', null)
    .groupBy('borough_id')
    .execute();
  const busiest = counts.sort((a, b) => Number(b.n) - Number(a.n))[0];
  if (!busiest?.borough_id) throw new Error('bench briefing: the bench force has no serving officers in a borough');
  const borough = (await org.findBorough(db, busiest.borough_id))!;
  const officers = await db
    .selectFrom('officer')
    .select('collar_number')
    .where('force_id', '=', force.id)
    .where('borough_id', '=', borough.id)
    .where('status', '=', 'active')
    .orderBy('collar_number')
    .limit(wanted)
    .execute();
  const tonight = londonDate(svc.now());
  const roster = ['collar_number,date,start,end,borough,team,call_sign', ...officers.map((o) => `${o.collar_number},${tonight},22:00,07:00,${borough.code},,`)].join('\n');
  const imported = await importShifts(svc, SYSTEM_ACTOR, { fileName: 'bench-briefing.csv', bytes: new TextEncoder().encode(roster), source: 'cli' });
  if (!imported.ok) throw new Error(`bench briefing: the shifts were refused: ${JSON.stringify(imported.rejected.slice(0, 3))}`);
  const existing = await db.selectFrom('app_user').select('id').where('email', '=', SERGEANT).executeTakeFirst();
  if (!existing) await createAccount(svc, SYSTEM_ACTOR, { email: SERGEANT, displayName: 'Bench sergeant', roles: [{ role: 'supervisor', boroughId: borough.id }] }, password);
  const startsAt = (await db.selectFrom('shift').select('starts_at').where('borough_id', '=', borough.id).where('london_date', '=', tonight).where('team_id', 'is', null).executeTakeFirstOrThrow())
    .starts_at;
  return { path: `/briefing/${borough.id}/${tonight}/${londonClock(startsAt).replace(':', '')}`, boroughId: borough.id, startsAt };
}

/** Prepares tonight's shift and measures its briefing page against the bare route. */
export async function benchBriefing(opts: BriefingBenchOptions): Promise<BriefingBench> {
  const seconds = opts.seconds ?? 5;
  const connections = opts.connections ?? 20;
  const { path, boroughId, startsAt } = await prepare(opts.svc, opts.password, opts.officers ?? 24);
  const b = await briefing(opts.svc, { all: true }, { boroughId, startsAt });
  const cookie = await opts.signIn(SERGEANT, opts.password);
  const url = `${opts.cedar}${path}`;
  const first = await fetch(url, { headers: { cookie } });
  const body = await first.text();
  if (first.status !== 200) throw new Error(`bench briefing: ${path} answered ${first.status}`);
  const versus = await versusBare(url, opts.bare, { seconds, connections, headers: { cookie } });
  const held = opts.holdBytes ? await opts.holdBytes(body) : null;
  const sameBytes = held ? await versusBare(url, held, { seconds, connections, headers: { cookie } }) : null;
  return {
    url: path,
    onDuty: b.officers.length,
    freeDevices: b.freeDevices.length,
    crews: b.crews.length,
    taserCrews: b.taserCrews,
    bytes: Buffer.byteLength(body),
    versus,
    sameBytes,
    target: 0.25,
  };
}
