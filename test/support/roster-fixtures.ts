import { addDays } from '../../src/domain/calendar.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import type { Services } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { importShifts } from '../../src/services/shifts.js';
import { officerFixture, recordPasses, type SmallForce } from './fixtures.js';

const HEADER = 'collar_number,date,start,end,borough,team,call_sign';

/** Officers created in a small force's borough: collar number → id. */
export async function rosterOfficers(
  svc: Services,
  f: SmallForce,
  people: readonly { collar: string; borough: 'lambeth' | 'camden'; rank?: string; joinedOn?: string }[],
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const p of people) {
    const o = await createOfficer(
      svc,
      SYSTEM_ACTOR,
      { all: true },
      officerFixture({ collarNumber: p.collar, boroughId: f.boroughs[p.borough].id, rank: p.rank ?? 'Police Constable', joinedOn: p.joinedOn ?? '2015-09-01' }),
    );
    ids[p.collar] = o.id;
  }
  return ids;
}

/** Authorises officers with an initial course passed on `on`. */
export const authorise = (svc: Services, ids: readonly string[], on: string) =>
  recordPasses(
    svc,
    ids.map((officerId) => ({ officerId, course: 'initial-x2', on })),
  );

/**
 * Imports, for each London date from `from` to `to` (both included), a shift for each officer
 * listed: `[collar, borough name, start, end]`.
 */
export async function importDailyShifts(svc: Services, from: string, to: string, pattern: readonly [string, string, string, string][]): Promise<void> {
  const rows: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) for (const [collar, borough, start, end] of pattern) rows.push(`${collar},${d},${start},${end},${borough},,`);
  const r = await importShifts(svc, SYSTEM_ACTOR, { fileName: 'roster.csv', bytes: new TextEncoder().encode([HEADER, ...rows].join('\n') + '\n'), source: 'cli' });
  if (!r.ok) throw new Error(`The roster did not import: ${JSON.stringify(r.rejected.slice(0, 3))}`);
}
