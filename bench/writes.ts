import type { Request as CannonRequest } from 'autocannon';
import { versusBare, type Versus } from './cannon.js';
import type { Executor } from '../src/db/database.js';
import { londonDate } from '../src/domain/calendar.js';
import { createAccount, createApiToken } from '../src/services/accounts.js';
import { SYSTEM_ACTOR, type Services } from '../src/services/context.js';
import { firedReport } from '../test/support/report-fixtures.js';

/*
 * The write path's bench (issue 15, item 3): a busy night's reports through the API. Each of 20
 * connections creates a whole report (all eleven sections, POST /api/v1/reports) and submits it
 * (POST …/submit), again and again, each report by the next of 20 officers (their own API tokens)
 * and on its own incident. Measured with autocannon against the bare Fastify route's JSON writes
 * of bench/server.js (the same bodies, sent and parsed, nothing stored), interleaved rounds. The
 * targets: ≥ 200 reports a second on SQLite, p99 < 250 ms, no errors.
 */

export interface WritesBenchOptions {
  /** The bench database's services (the server process writes the same database). */
  svc: Services;
  /** Cedar's base URL and the bare server's, e.g. http://127.0.0.1:1234. */
  cedar: string;
  bare: string;
  seconds?: number;
  connections?: number;
  officers?: number;
  /** The wall clock's day (the bench is the edge): incidents are a week before it. */
  now: Date;
}

export interface WritesBench {
  officers: number;
  sections: number;
  /** Each report is two requests: reports a second are half the requests a second. */
  versus: Versus;
  target: { reportsPerSecond: 200; p99Ms: 250 };
}

const PASSWORD = 'bench passphrase that is long';

/** Up to `count` serving officers of a borough with no account yet, by id. */
export async function officersWithoutAccount(db: Executor, count: number): Promise<{ id: string; boroughId: string }[]> {
  const rows = await db
    .selectFrom('officer as o')
    .leftJoin('app_user as u', 'u.officer_id', 'o.id')
    .select(['o.id', 'o.borough_id'])
    .where('u.id', 'is', null)
    .where('o.borough_id', 'is not', null)
    .where('o.status', '=', 'active')
    .orderBy('o.id')
    .limit(count)
    .execute();
  return rows.map((r) => ({ id: r.id, boroughId: r.borough_id! }));
}

/** `officers` serving officers without an account get one, each with an API token that may write reports. */
export async function writers(svc: Services, officers: number): Promise<{ tokens: string[]; boroughId: string }> {
  const rows = await officersWithoutAccount(svc.database.db, officers);
  const out: string[] = [];
  for (const [k, o] of rows.entries()) {
    const email = `bench-writer-${k}@cedar.local`;
    await createAccount(svc, SYSTEM_ACTOR, { email, displayName: `Bench writer ${k}`, roles: [{ role: 'officer', boroughId: null }], officerId: o.id }, PASSWORD);
    out.push((await createApiToken(svc, SYSTEM_ACTOR, email, 'bench writes', { scopes: ['reports:read', 'reports:write'] })).token);
  }
  return { tokens: out, boroughId: rows[0]!.boroughId };
}

/** The create-and-submit sequence, against Cedar's API or the bare routes (`base` is the path prefix). */
export function sequence(base: string, tokens: readonly string[], body: (k: number) => string): CannonRequest[] {
  let next = 0;
  return [
    {
      method: 'POST',
      path: base,
      setupRequest: (req, context) => {
        const k = next++;
        context.token = tokens[k % tokens.length];
        return { ...req, headers: { authorization: `Bearer ${String(context.token)}`, 'content-type': 'application/json' }, body: body(k) };
      },
      onResponse: (status, text, context) => {
        context.id = status === 201 ? (JSON.parse(text) as { id: string }).id : undefined;
      },
    },
    {
      method: 'POST',
      // No id (the create failed, and counts as such): start the sequence again.
      setupRequest: (req, context) =>
        context.id ? { ...req, path: `${base}/${String(context.id)}/submit`, headers: { authorization: `Bearer ${String(context.token)}` } } : (undefined as unknown as CannonRequest),
    },
  ];
}

export async function benchWrites(o: WritesBenchOptions): Promise<WritesBench> {
  const { tokens: list, boroughId } = await writers(o.svc, o.officers ?? 20);
  const lastWeek = londonDate(new Date(o.now.getTime() - 7 * 86_400_000));
  const sections = firedReport(boroughId);
  const body = (k: number) => JSON.stringify({ sections: { ...sections, incident: { ...(sections.incident as object), reference: `BENCH ${k}/${lastWeek}`, date: lastWeek } } });
  const opts = { seconds: o.seconds ?? 5, connections: o.connections ?? 20 };
  const versus = await versusBare(`${o.cedar}/api/v1/reports`, `${o.bare}/json`, { ...opts, requests: sequence('/api/v1/reports', list, body) }, { ...opts, requests: sequence('/json', list, body) });
  return { officers: list.length, sections: Object.keys(sections).length, versus, target: { reportsPerSecond: 200, p99Ms: 250 } };
}
