import * as officersRepo from '../../src/db/repositories/officers.js';
import type { Actor, Services } from '../../src/services/context.js';
import { startReport } from '../../src/services/reports.js';
import { smallForce, type SmallForce } from './fixtures.js';
import { firedReport, recordingOfficer, recordReport } from './report-fixtures.js';
import { importDailyShifts, rosterOfficers } from './roster-fixtures.js';

/** The default period is 8 December 2025 to 7 December 2026. */
export const EW_NOW = new Date('2026-12-07T12:00:00Z');

/**
 * Lambeth: 1001LX 40 shifts and 4 Taser uses (10 per 100 shifts), 1002LX 20 and 1 (5), 1003LX 40
 * and none (0), 1004LX 10 and 2 (too few shifts); Camden: 2001CN 25 and 1 (4). Outside the
 * period: a shift of 1003LX and a use of 1002LX; 1003LX has a draft report (not counted).
 * 3001LX has neither.
 */
export async function earlyWarningScenario(svc: Services): Promise<{ f: SmallForce; ids: Record<string, string> }> {
  const f = await smallForce(svc);
  const lx = f.boroughs.lambeth.id;
  const cn = f.boroughs.camden.id;
  const pcs: Record<string, Actor> = {};
  for (const [collar, borough] of [
    ['1001LX', lx],
    ['1002LX', lx],
    ['1003LX', lx],
    ['1004LX', lx],
    ['2001CN', cn],
  ] as const)
    pcs[collar] = await recordingOfficer(svc, borough, { collarNumber: collar }, `${collar.toLowerCase()}@test.police.uk`);
  const ids = await rosterOfficers(svc, f, [{ collar: '3001LX', borough: 'lambeth' }]);
  const shift = (collar: string): [string, string, string, string] => [collar, collar.endsWith('CN') ? 'Camden' : 'Lambeth', '07:00', '15:00'];
  await importDailyShifts(svc, '2026-06-01', '2026-06-10', [shift('1001LX'), shift('1002LX'), shift('1003LX'), shift('1004LX'), shift('2001CN')]);
  await importDailyShifts(svc, '2026-06-11', '2026-06-20', [shift('1001LX'), shift('1002LX'), shift('1003LX'), shift('2001CN')]);
  await importDailyShifts(svc, '2026-06-21', '2026-06-25', [shift('1001LX'), shift('1003LX'), shift('2001CN')]);
  await importDailyShifts(svc, '2026-06-26', '2026-07-10', [shift('1001LX'), shift('1003LX')]);
  await importDailyShifts(svc, '2025-12-01', '2025-12-01', [shift('1003LX')]);
  let n = 0;
  const use = async (collar: string, date: string) => {
    const borough = collar.endsWith('CN') ? cn : lx;
    const base = firedReport(borough);
    await recordReport(svc, pcs[collar]!, { ...base, incident: { ...(base.incident as object), reference: `CAD ${++n}/EW`, date } }, new Date(`${date}T23:00:00Z`));
  };
  for (const d of ['2026-06-02', '2026-06-05', '2026-06-20', '2026-07-01']) await use('1001LX', d);
  await use('1002LX', '2026-06-03');
  await use('1002LX', '2025-11-30');
  await use('1004LX', '2026-06-04');
  await use('1004LX', '2026-06-08');
  await use('2001CN', '2026-06-06');
  await startReport(svc, pcs['1003LX']!);
  const stored = await officersRepo.findOfficersByCollars(svc.database.db, f.force.id, Object.keys(pcs));
  for (const collar of Object.keys(pcs)) ids[collar] = stored.get(collar)!.id;
  return { f, ids };
}
