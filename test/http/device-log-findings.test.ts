import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOfficerByCollar } from '../../src/db/repositories/officers.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { issueDevice, registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { runReconciliation } from '../../src/services/reconciliation.js';
import { prepareRelease, publishRelease } from '../../src/services/releases.js';
import { type Client, makeAccount, openTestApp, pageText, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce } from '../support/fixtures.js';
import { insertLogEntries, syncAt, triggerAt } from '../support/reconciliation.js';
import { dischargeNaming, recordReport } from '../support/report-fixtures.js';

/*
 * Issue 13: what the reconciliation of device logs found, where people other than the
 * armourer see it: the report page says what the log confirms and shows the exceptions naming
 * the report (its supervisor sees them before approving); a borough commander's home page
 * lists the discharges no report accounts for; a release publishes how many discharges the
 * logs confirmed, a count and nothing else.
 */

const text = (html: string) => pageText(html).replace(/’/g, "'");

describe.each(testDatabases())('device log findings beyond the reconciliation pages on %s', (kind) => {
  let t: TestApp;
  let now = new Date('2026-11-20T18:00:00Z');
  const as: Record<string, Client> = {};
  let confirmedId = '';
  let mismatchId = '';

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: () => now });
    const f = await smallForce(t.svc);
    const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
    const pcs: Actor[] = [];
    for (const collar of ['701LX', '702LX']) {
      await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, boroughId: f.boroughs.lambeth.id }));
      const officer = (await findOfficerByCollar(t.svc.database.db, f.force.id, collar))!;
      await recordPasses(t.svc, [{ officerId: officer.id, course: 'initial-x2', on: '2026-10-01' }]);
      const account = await makeAccount(t, `${collar}@test.police.uk`, [{ role: 'officer', boroughId: null }], { officerId: officer.id });
      pcs.push({ userId: account.id, label: account.email, grants: account.roles });
    }
    await registerDevices(t.svc, SYSTEM_ACTOR, [
      { serial: 'XFIND0001', model: 'X2', armoury: lambeth, inServiceOn: '2026-01-01' },
      { serial: 'XFIND0002', model: 'X2', armoury: lambeth, inServiceOn: '2026-01-01' },
    ]);
    // Both devices out at 18:00 for the night.
    await issueDevice(t.svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'XFIND0001', collarNumber: '701LX', cartridges: [] });
    await issueDevice(t.svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'XFIND0002', collarNumber: '702LX', cartridges: [] });
    now = new Date('2026-11-20T23:00:00Z');
    // Each officer reports one fired application of one cycle at 20:00 London (GMT in November).
    confirmedId = await recordReport(
      t.svc,
      pcs[0]!,
      dischargeNaming(f.boroughs.lambeth.id, { deviceSerial: 'XFIND0001', cartridge: 'CF0001', reference: 'CAD 0101/20NOV', date: '2026-11-20', time: '20:00' }),
      new Date('2026-11-20T23:00:00Z'),
    );
    mismatchId = await recordReport(
      t.svc,
      pcs[1]!,
      dischargeNaming(f.boroughs.lambeth.id, { deviceSerial: 'XFIND0002', cartridge: 'CF0002', reference: 'CAD 0102/20NOV', date: '2026-11-20', time: '20:00' }),
      new Date('2026-11-20T23:00:00Z'),
    );
    // XFIND0001: a spark test after issue, the reported cycle at 20:01, and at 23:30 a discharge no report records.
    await insertLogEntries(t.svc, 'XFIND0001', [
      syncAt(1, '2026-11-20T17:00:00Z'),
      triggerAt(2, '2026-11-20T18:03:00Z'),
      triggerAt(3, '2026-11-20T20:01:00Z', 5),
      triggerAt(4, '2026-11-20T23:30:00Z', 5),
      syncAt(5, '2026-11-21T09:00:00Z'),
    ]);
    // XFIND0002: two cycles at 20:02 where the report states one.
    await insertLogEntries(t.svc, 'XFIND0002', [
      syncAt(1, '2026-11-20T17:00:00Z'),
      triggerAt(2, '2026-11-20T20:02:00Z', 5),
      triggerAt(3, '2026-11-20T20:02:30Z', 7.1),
      syncAt(4, '2026-11-21T09:00:00Z'),
    ]);
    now = new Date('2026-12-02T10:00:00Z');
    await runReconciliation(t.svc, SYSTEM_ACTOR, { from: '2026-11-01', to: '2026-11-30' });
    await makeAccount(t, 'sgt@test.police.uk', [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }]);
    await makeAccount(t, 'bc.lambeth@test.police.uk', [{ role: 'borough_commander', boroughId: f.boroughs.lambeth.id }]);
    await makeAccount(t, 'bc.camden@test.police.uk', [{ role: 'borough_commander', boroughId: f.boroughs.camden.id }]);
    for (const k of ['sgt', 'bc.lambeth', 'bc.camden']) as[k] = await signInAs(t.app, `${k}@test.police.uk`);
    as.pc = await signInAs(t.app, '701LX@test.police.uk');
  });
  afterAll(() => t.close());

  it('says on the report what the device log confirms', async () => {
    const page = await as.sgt!.get(`/reports/${confirmedId}`);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Confirmed by the event log of device XFIND0001: device log: 1 cycle, 5.0 s; 20:01 true time.');
    expect(page.body).not.toContain('data-log-exception');
    // The officer who wrote it sees the same.
    expect(text((await as.pc!.get(`/reports/${confirmedId}`)).body)).toContain('device log: 1 cycle, 5.0 s; 20:01 true time');
  });

  it('shows the supervisor an exception on the report before they approve it, linked to its timeline', async () => {
    const page = await as.sgt!.get(`/reports/${mismatchId}`);
    const body = text(page.body);
    expect(body).toContain('This report is waiting for your review');
    expect(page.body).toContain('data-log-exception="cycle_count_mismatch"');
    expect(body).toContain('Device log, cycle count does not match:');
    expect(page.body).toMatch(/href="\/devices\/reconciliation\/[0-9a-f-]{36}">See the device's timeline and resolve it/);
    expect(body).toContain('device log: 2 cycles, 5.0 s and 7.1 s; 20:02 true time');
    // The exception comes before the decision form.
    expect(page.body.indexOf('data-log-exception')).toBeLessThan(page.body.indexOf('id="review"'));
  });

  it("lists the discharge no report accounts for on the borough commander's home page, and only in their borough", async () => {
    const home = text((await as['bc.lambeth']!.get('/')).body);
    expect(home).toContain('Taser uses with no report');
    expect(home).toContain('Device logs show 1 discharge or arc that no report accounts for');
    expect(home).toMatch(/Discharge without a report XFIND0001 .*20 November 2026.* 701LX/);
    expect(text((await as['bc.camden']!.get('/')).body)).not.toContain('Taser uses with no report');
  });

  it('publishes how many discharges the logs confirmed, as a count with nothing identifying', async () => {
    const analyst = await makeAccount(t, 'analyst@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    const actor: Actor = { userId: analyst.id, label: analyst.email, grants: analyst.roles };
    const draft = await prepareRelease(t.svc, actor, '2026-11');
    // Two discharges in the period; one episode confirms each report (the mismatch is still a match).
    expect(draft.snapshot.deviceLogs).toEqual({ discharges: 2, confirmed: 2 });
    await publishRelease(t.svc, actor, draft.id);
    const page = await t.app.inject({ method: 'GET', url: '/transparency' });
    const body = text(page.body);
    expect(body).toContain("Of the 2 discharges in this period, 2 were confirmed by the device's own log when the figures were counted.");
    expect(page.body).not.toContain('XFIND');
    const method = text((await t.app.inject({ method: 'GET', url: '/transparency/methodology' })).body);
    expect(method).toContain("Checking reports against the devices' own logs");
  });
});
