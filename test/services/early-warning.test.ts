import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { defaultPeriod, earlyWarning, officerEarlyWarning } from '../../src/services/early-warning.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import type { SmallForce } from '../support/fixtures.js';
import { EW_NOW, earlyWarningScenario } from '../support/early-warning-fixtures.js';
import { firedReport, recordReport } from '../support/report-fixtures.js';
import { importDailyShifts } from '../support/roster-fixtures.js';
import { findAccountByEmail } from '../../src/db/repositories/accounts.js';

describe.each(testDatabases())('early warning on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let ids: Record<string, string>;
  beforeAll(async () => {
    svc = await openTestServices(kind, { clock: () => EW_NOW });
    ({ f, ids } = await earlyWarningScenario(svc));
  }, 60_000);
  afterAll(() => svc.cleanup());

  const table = (r: Awaited<ReturnType<typeof earlyWarning>>) => r.officers.map((o) => [o.collarNumber, o.shifts, o.uses, o.rate, o.boroughMedian]);

  it('takes the last 12 months to today by default (London dates)', () => {
    expect(defaultPeriod(EW_NOW)).toEqual({ from: '2025-12-08', to: '2026-12-07' });
    expect(defaultPeriod(new Date('2028-02-29T23:30:00Z'))).toEqual({ from: '2027-03-01', to: '2028-02-29' });
    expect(defaultPeriod(new Date('2026-06-30T23:30:00Z'))).toEqual({ from: '2025-07-02', to: '2026-07-01' });
  });

  it("lists officers by uses per 100 shifts beside their borough's median; too few shifts last", async () => {
    const r = await earlyWarning(svc, { all: true }, {}, EW_NOW);
    expect([r.from, r.to, r.minShifts, r.total, r.page, r.pages]).toEqual(['2025-12-08', '2026-12-07', 20, 5, 1, 1]);
    expect(table(r)).toEqual([
      ['1001LX', 40, 4, 10, 5],
      ['1002LX', 20, 1, 5, 5],
      ['2001CN', 25, 1, 4, 4],
      ['1003LX', 40, 0, 0, 5],
      ['1004LX', 10, 2, null, 5],
    ]);
    expect(r.boroughs).toEqual([
      { id: f.boroughs.camden.id, name: 'Camden', median: 4, officers: 1 },
      { id: f.boroughs.lambeth.id, name: 'Lambeth', median: 5, officers: 4 },
    ]);
  });

  it('shows a borough-scoped person their borough only', async () => {
    const r = await earlyWarning(svc, { all: false, boroughIds: [f.boroughs.camden.id] }, {}, EW_NOW);
    expect(table(r)).toEqual([['2001CN', 25, 1, 4, 4]]);
    expect(r.boroughs.map((b) => b.name)).toEqual(['Camden']);
  });

  it('pages the list', async () => {
    const r = await earlyWarning(svc, { all: true }, { page: 2, pageSize: 2 }, EW_NOW);
    expect([r.page, r.pages, r.total]).toEqual([2, 3, 5]);
    expect(r.officers.map((o) => o.collarNumber)).toEqual(['2001CN', '1003LX']);
    expect((await earlyWarning(svc, { all: true }, { page: 9, pageSize: 2 }, EW_NOW)).officers.map((o) => o.collarNumber)).toEqual(['1004LX']);
  });

  it('counts another period, and names the field of a bad one', async () => {
    const june = await earlyWarning(svc, { all: true }, { from: '2026-06-01', to: '2026-06-30' }, EW_NOW);
    expect(table(june)).toEqual([
      ['1001LX', 30, 3, 10, 5],
      ['1002LX', 20, 1, 5, 5],
      ['2001CN', 25, 1, 4, 4],
      ['1003LX', 30, 0, 0, 5],
      ['1004LX', 10, 2, null, 5],
    ]);
    expect((await earlyWarning(svc, { all: true }, { from: '2020-01-01', to: '2020-12-31' }, EW_NOW)).total).toBe(0);
    const bad = await earlyWarning(svc, { all: true }, { from: '2026-02-30', to: '2026-01-01' }, EW_NOW).catch((e: unknown) => e);
    expect((bad as ValidationError).errors).toEqual([{ field: 'from', message: 'Enter the first day as a real day, YYYY-MM-DD, for example 2026-01-31' }]);
    const backwards = await earlyWarning(svc, { all: true }, { from: '2026-02-01', to: '2026-01-01' }, EW_NOW).catch((e: unknown) => e);
    expect((backwards as ValidationError).errors).toEqual([{ field: 'to', message: 'The last day (2026-01-01) must not be before the first (2026-02-01)' }]);
  });

  it("gives one officer's figure beside their borough's median", async () => {
    expect(await officerEarlyWarning(svc, { id: ids['1001LX']!, boroughId: f.boroughs.lambeth.id }, EW_NOW)).toEqual({
      from: '2025-12-08',
      to: '2026-12-07',
      shifts: 40,
      uses: 4,
      rate: 10,
      boroughMedian: 5,
      minShifts: 20,
    });
    expect(await officerEarlyWarning(svc, { id: ids['1004LX']!, boroughId: f.boroughs.lambeth.id }, EW_NOW)).toMatchObject({ shifts: 10, uses: 2, rate: null, boroughMedian: 5 });
    expect(await officerEarlyWarning(svc, { id: ids['3001LX']!, boroughId: f.boroughs.lambeth.id }, EW_NOW)).toMatchObject({ shifts: 0, uses: 0, rate: null, boroughMedian: 5 });
  });

  // Last: it changes the scenario. The figures are kept between requests; each change is seen at once.
  it('sees a new shift, a new Taser use and an officer moved at once, even one written straight to the table', async () => {
    const row = async (collar: string) => (await earlyWarning(svc, { all: true }, {}, EW_NOW)).officers.find((o) => o.collarNumber === collar);
    expect(await row('1002LX')).toMatchObject({ shifts: 20, uses: 1, rate: 5 });
    await importDailyShifts(svc, '2026-07-01', '2026-07-05', [['1002LX', 'Lambeth', '07:00', '15:00']]);
    expect(await row('1002LX')).toMatchObject({ shifts: 25, uses: 1, rate: 4 });
    const account = (await findAccountByEmail(svc.database.db, '1002lx@test.police.uk'))!;
    const base = firedReport(f.boroughs.lambeth.id);
    await recordReport(
      svc,
      { userId: account.id, label: account.email, grants: account.roles },
      { ...base, incident: { ...(base.incident as object), reference: 'CAD 99/EW', date: '2026-07-02' } },
      new Date('2026-07-02T23:00:00Z'),
    );
    expect(await row('1002LX')).toMatchObject({ shifts: 25, uses: 2, rate: 8 });
    await svc.database.db.updateTable('officer').set({ borough_id: f.boroughs.camden.id }).where('id', '=', ids['1002LX']!).execute();
    const moved = await earlyWarning(svc, { all: true }, {}, EW_NOW);
    expect(moved.boroughs.map((b) => [b.name, b.officers])).toEqual([
      ['Camden', 2],
      ['Lambeth', 3],
    ]);
    expect(moved.officers.find((o) => o.collarNumber === '1002LX')!.boroughId).toBe(f.boroughs.camden.id);
  });
});
