import { addDays } from '../../src/domain/calendar.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import type { Services } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { importShifts } from '../../src/services/shifts.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from './fixtures.js';
import { DEFAULT_CREWING_POLICY } from '../../src/domain/crewing/policy.js';
import { updateCrewingPolicy } from '../../src/services/crewing-policy.js';

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

export const ROSTER_PLAN = {
  startsOn: '2026-09-01',
  deadline: '2027-08-31',
  baselineAuthorised: '2',
  targetAuthorised: '8',
  targetDevices: '8',
  boroughMinimum: '1',
  emergencyResponsePercent: '50',
  trainers: '1',
  trainersPerSession: '1',
  trainingDaysPerTrainerPerMonth: '4',
  initialSeatsPerSession: '2',
  refresherSeatsPerSession: '4',
  initialCourseDays: '3',
  refresherCourseDays: '1',
  initialPassRatePercent: '100',
  refresherPassRatePercent: '100',
  annualAttritionPercent: '0',
  plannedInitialSessionsPerMonth: '1',
};

/**
 * Lambeth: an authorised constable and a candidate on earlies (07:00–15:00), an authorised
 * sergeant (may deploy alone) and a candidate on lates (15:00–23:00), nobody on nights. Camden:
 * two candidates on days (07:00–19:00) and two on nights (19:00–07:00). The force-wide minimum is
 * one Taser-equipped crew.
 */
export async function rosterScenario(svc: Services): Promise<SmallForce> {
  const f = await smallForce(svc);
  const ids = await rosterOfficers(svc, f, [
    { collar: '1001LX', borough: 'lambeth' },
    { collar: '1002LX', borough: 'lambeth' },
    { collar: '1003LX', borough: 'lambeth', rank: 'Sergeant' },
    { collar: '1004LX', borough: 'lambeth' },
    { collar: '2001CN', borough: 'camden' },
    { collar: '2002CN', borough: 'camden' },
    { collar: '2003CN', borough: 'camden' },
    { collar: '2004CN', borough: 'camden' },
  ]);
  await authorise(svc, [ids['1001LX']!, ids['1003LX']!], '2026-06-01');
  await updateCrewingPolicy(svc, SYSTEM_ACTOR, { boroughId: null, revision: null, policy: { ...DEFAULT_CREWING_POLICY, minimumCrews: 1 } });
  await importDailyShifts(svc, '2026-11-01', '2026-12-06', [
    ['1001LX', 'Lambeth', '07:00', '15:00'],
    ['1002LX', 'Lambeth', '07:00', '15:00'],
    ['1003LX', 'Lambeth', '15:00', '23:00'],
    ['1004LX', 'Lambeth', '15:00', '23:00'],
    ['2001CN', 'Camden', '07:00', '19:00'],
    ['2002CN', 'Camden', '07:00', '19:00'],
    ['2003CN', 'Camden', '19:00', '07:00'],
    ['2004CN', 'Camden', '19:00', '07:00'],
  ]);
  return f;
}
