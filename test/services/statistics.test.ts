import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SectionKey } from '../../src/domain/report/content.js';
import { createAccount } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { saveSection, startReport, submitReport } from '../../src/services/reports.js';
import { countedReports, homeOfficeReturn, statistics } from '../../src/services/statistics.js';
import { breakdown, countCed, DIMENSION_KEYS } from '../../src/domain/stats/counting.js';
import { parsePeriod } from '../../src/domain/stats/periods.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport } from '../support/report-fixtures.js';

describe.each(testDatabases())('statistics and the Home Office return on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let pc: Actor;

  async function recorded(over: Partial<Record<SectionKey, unknown>>, submit = true) {
    const r = await startReport(svc, pc);
    for (const [k, v] of Object.entries(firedReport(f.boroughs.lambeth.id, over))) if (v !== undefined) await saveSection(svc, pc, r.id, k as SectionKey, v);
    if (submit) await submitReport(svc, pc, r.id, new Date('2026-11-27T12:00:00Z'));
  }
  const incident = (date: string, time: string) => ({ incident: { reference: `CAD ${date}-${time.replace(":", "")}`, date, time, boroughId: f.boroughs.lambeth.id, locations: ['street'] } });
  const noTaser = { tactics: { tactics: [{ tactic: 'compliant_handcuffing', effective: true }], cedUsed: false, firearmsAimed: false, firearmsFired: false }, justification: undefined };
  const redDot = {
    tactics: { tactics: [{ tactic: 'ced_red_dotted', effective: true }], cedUsed: true, firearmsAimed: false, firearmsFired: false },
    ced: { deviceSerial: 'X1', applications: [{ levels: ['red_dotted'] }] },
    subject: { ageBand: '11-17', gender: 'female', ethnicity: 'black', physicalDisability: false, mentalDisability: false },
  };

  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
    const o = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId: f.boroughs.lambeth.id }));
    const { account } = await createAccount(svc, SYSTEM_ACTOR, { email: 'pc@test.police.uk', displayName: 'PC', roles: [{ role: 'officer', boroughId: null }], officerId: o.id }, 'a long enough passphrase');
    pc = { userId: account.id, label: account.email, grants: account.roles };
    await recorded(incident('2025-05-10', '14:00')); // fired
    await recorded({ ...incident('2025-06-01', '09:00'), ...redDot }); // red-dot
    await recorded({ ...incident('2025-07-01', '09:00'), ...noTaser }); // no Taser: not counted
    await recorded(incident('2025-08-01', '09:00'), false); // a draft: not counted
    await recorded(incident('2026-03-31', '23:30')); // 22:30Z on 31 March: still 2025-26 in London
    await recorded(incident('2026-04-01', '00:30')); // 23:30Z on 31 March, but 1 April in London: 2026-27
  });
  afterAll(() => svc.cleanup());

  it('counts each recorded report once at its highest level, by London date', async () => {
    const r = await homeOfficeReturn(svc, '2025-26');
    expect(r.header.join(',')).toBe('Region,Police force,Total,Total non-discharge,Drawn,Aimed,Red-dot,Arced,Total discharge,Drive stun,Fired,Angled drive stun,Not stated');
    expect(r.row).toEqual(['London', 'Test Constabulary', '3', '1', '0', '0', '1', '0', '2', '0', '2', '0', '0']);
    expect((await homeOfficeReturn(svc, '2026-27')).counts).toMatchObject({ total: 1, fired: 1 });
    expect((await homeOfficeReturn(svc, { from: '2025-05-10', to: '2025-05-10' })).counts.total).toBe(1);
  });

  it('counts by the database exactly as counting every report one by one', async () => {
    const period = parsePeriod('2025-26');
    const { reports } = await countedReports(svc, period);
    const grouped = await statistics(svc, '2025-26', DIMENSION_KEYS, { unit: 'month' });
    for (const [i, d] of DIMENSION_KEYS.entries()) expect(grouped.breakdowns[i], d).toEqual(breakdown(reports, d, { period, unit: 'month' }));
    expect(grouped.counts).toEqual(countCed(reports));
  });

  it('breaks the uses down by the demographics the Home Office publishes', async () => {
    const r = await homeOfficeReturn(svc, '2025-26');
    const gender = r.breakdowns.find((b) => b.dimension === 'gender')!;
    expect(gender.rows.find((x) => x.key === 'female')!.counts.total).toBe(1);
    expect(gender.rows.find((x) => x.key === 'male')!.counts.total).toBe(2);
    const s = await statistics(svc, '2025-26', ['period'], { unit: 'month' });
    expect(s.breakdowns[0]!.rows).toHaveLength(12);
  });
});
