import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import * as devicesRepo from '../../src/db/repositories/devices.js';
import { stagedReport } from '../../src/db/repositories/imported-reports.js';
import { findOfficerByCollar } from '../../src/db/repositories/officers.js';
import * as trainingRepo from '../../src/db/repositories/training.js';
import type { ImportedContent } from '../../src/domain/met/rows.js';
import type { Role } from '../../src/domain/permissions.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { gatePolicy, issueDevice, listDeviceModels, receiveCartridges, registerDevices, returnDevice } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { listCourseTypes, seedNationalCourseTypes } from '../../src/services/training.js';
import { type Client, makeAccount, openTestApp, pageText, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport, recordingOfficer, recordReport } from '../support/report-fixtures.js';

/* Issue 12: the register pages (the list, a device's history and moves, cartridges, the gate's policy) and the fleet page, on both databases. */

const NOW = '2027-04-01T06:30:00Z'; // 07:30 in London

describe.each(testDatabases())('device pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const as: Record<string, Client> = {};
  const ids: Record<string, string> = {};
  let reportId: string;
  let lambethKey: string;

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    const db = t.svc.database.db;
    await seedNationalCourseTypes(t.svc, SYSTEM_ACTOR);
    const course = Object.fromEntries((await listCourseTypes(t.svc)).map((c) => [c.code, c.id]));
    const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
    const camden = { boroughId: f.boroughs.camden.id, teamId: null };
    lambethKey = `borough:${f.boroughs.lambeth.id}`;

    // 501LX (Lambeth, X2) records reports; 502LX (Lambeth) is on the X26 only; 503LX (Camden, X2); 504LX (Camden) never trained.
    const pc = await recordingOfficer(t.svc, f.boroughs.lambeth.id, { collarNumber: '501LX', firstName: 'Asha', lastName: 'Patel' });
    const asha = (await findOfficerByCollar(db, f.force.id, '501LX'))!;
    const bo = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '502LX', firstName: 'Bo', lastName: 'Older', boroughId: f.boroughs.lambeth.id }));
    const cy = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '503LX', firstName: 'Cy', lastName: 'Camden', boroughId: f.boroughs.camden.id }));
    await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '504LX', firstName: 'Di', lastName: 'Untrained', boroughId: f.boroughs.camden.id }));
    ids.bo = bo.id;
    ids.asha = asha.id;
    await trainingRepo.insertTrainingRecords(
      db,
      f.force.id,
      'test',
      [
        { officerId: asha.id, courseTypeId: course['initial-x2']!, completedOn: '2026-10-01', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'a' },
        { officerId: bo.id, courseTypeId: course['initial-x26']!, completedOn: '2026-10-01', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'b' },
        { officerId: cy.id, courseTypeId: course['initial-x2']!, completedOn: '2026-06-01', result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: 'c' },
      ],
      t.svc.now().toISOString(),
    );

    const registered = await registerDevices(t.svc, SYSTEM_ACTOR, [
      { serial: 'X2L0001', model: 'X2', armoury: lambeth, firmware: '1.2.3', inServiceOn: '2025-06-15' },
      { serial: 'X2L0002', model: 'X2', armoury: lambeth, inServiceOn: '2026-02-01' },
      { serial: 'X2C0001', model: 'X2', armoury: camden, inServiceOn: '2026-02-01' },
      { serial: 'X26L0001', model: 'X26', armoury: lambeth, inServiceOn: '2019-01-10' },
      { serial: 'X26C0001', model: 'X26', armoury: camden, inServiceOn: '2019-01-10' },
      // 55 in the central store, for paging.
      ...Array.from({ length: 55 }, (_, i) => ({ serial: `X2Z${String(i).padStart(4, '0')}`, model: 'X2', armoury: { boroughId: null, teamId: null }, inServiceOn: '2027-03-10' })),
    ]);
    for (const s of ['X2L0001', 'X2L0002', 'X2C0001', 'X26L0001']) ids[s] = registered.get(s)!;
    const models = await listDeviceModels(t.svc, SYSTEM_ACTOR);
    const x26 = models.find((m) => m.name === 'X26')!;
    await devicesRepo.updateModel(db, x26.id, { ...x26, stopsIssuingOn: '2027-09-30' }, NOW);
    await receiveCartridges(t.svc, SYSTEM_ACTOR, [
      { serial: 'CL0001', type: 'Smart 25 ft', lot: 'L1', expiresOn: '2028-01-31', armoury: lambeth },
      { serial: 'CL0002', type: 'Smart 25 ft', lot: 'L1', expiresOn: '2027-04-20', armoury: lambeth },
      { serial: 'CC0001', type: 'Smart 15 ft', lot: 'L2', expiresOn: '2028-01-31', armoury: camden },
    ]);

    // A report naming X2L0001 (Asha fired it), an issue of it with a cartridge expended, and an imported Met row naming it.
    const report = firedReport(f.boroughs.lambeth.id) as Record<string, Record<string, unknown>>;
    reportId = await recordReport(t.svc, pc, { ...report, ced: { ...report.ced, deviceSerial: 'X2L0001' } }, new Date('2026-11-21T09:00:00Z'));
    const issue = await issueDevice(t.svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'X2L0001', collarNumber: '501LX', cartridges: ['CL0001'] });
    await returnDevice(t.svc, SYSTEM_ACTOR, { all: true }, issue.id, { cartridges: [{ serial: 'CL0001', outcome: 'expended' }] });
    const staged = stagedReport({
      forceId: f.force.id,
      sourceKey: 'met-row-1',
      sourceFile: 'met-2026.csv',
      sourceLine: 7,
      importedAt: t.svc.now().toISOString(),
      occurredAt: '2026-08-02T21:00:00.000Z',
      occurredOn: '2026-08-02',
      boroughId: f.boroughs.lambeth.id,
      boroughName: 'Lambeth',
      highestLevel: 'fired',
      discharge: true,
      cedUsed: true,
      facts: { ageBand: null, gender: null, ethnicity: null, mainDuty: null, singleCrewed: null, reasons: null, impactFactors: null, locations: null, outcomes: null },
      content: { ced: { deviceSerial: 'x2l0001', applications: [] } } as unknown as ImportedContent,
    });
    const { row, ...columns } = staged;
    await db.insertInto('imported_report').values(columns).execute();
    await db.insertInto('imported_report_row').values({ id: staged.id, row }).execute();

    const people: [string, Role, string | null][] = [
      ['armourer', 'armourer', null],
      ['sgt', 'supervisor', f.boroughs.lambeth.id],
      ['psd', 'professional_standards', null],
      ['lead', 'programme_lead', null],
      ['analyst', 'analyst', null],
    ];
    for (const [who, role, borough] of people) {
      await makeAccount(t, `${who}@test.police.uk`, [{ role, boroughId: borough }]);
      as[who] = await signInAs(t.app, `${who}@test.police.uk`);
    }
  });
  afterAll(() => t.close());

  it('lists the register with filters, counts and paging; a borough reader sees their borough’s store only', async () => {
    const all = await as.armourer!.get('/devices');
    expect(all.statusCode, all.body).toBe(200);
    expect(pageText(all.body)).toContain('60 devices, page 1 of 2');
    expect(pageText(all.body)).toContain('In store: 60');
    expect(pageText(all.body)).toContain('Issued: 0');
    expect(all.body).toContain(`href="/devices/${ids.X2L0001}"`);
    const page2 = await as.armourer!.get('/devices?page=2');
    expect(page2.body).toContain('X2Z0054');
    expect(page2.body).not.toContain('X2L0001');

    const prefix = pageText((await as.armourer!.get('/devices?serial=x2l')).body);
    expect(prefix).toContain('2 devices');
    expect(prefix).toContain('X2L0001');
    expect(prefix).not.toContain('X2C0001');
    const x26 = pageText((await as.armourer!.get('/devices?model=X26')).body);
    expect(x26).toContain('2 devices');
    expect(x26).toContain('X26C0001');
    const store = pageText((await as.armourer!.get(`/devices?store=${encodeURIComponent(lambethKey)}&state=in_store`)).body);
    expect(store).toContain('3 devices');
    expect(store).toContain('Lambeth armoury');
    expect(pageText((await as.armourer!.get('/devices?model=NOPE')).body)).toContain('No devices match');

    const sgt = await as.sgt!.get('/devices');
    expect(sgt.statusCode).toBe(200);
    expect(pageText(sgt.body)).toContain('3 devices');
    expect(sgt.body).not.toContain('X2C0001');
    expect(sgt.body).not.toContain('X2Z0000');
    expect((await as.sgt!.get(`/devices/${ids.X2C0001 ?? ''}`)).statusCode).toBe(404);
    expect((await as.analyst!.get('/devices')).statusCode).toBe(403);
    expect((await as.armourer!.get('/devices?state=lost')).statusCode).toBe(400);
  });

  it('shows a device’s whole history: the issue, the return, and the reports naming it', async () => {
    const page = await as.psd!.get(`/devices/${ids.X2L0001}`);
    expect(page.statusCode, page.body).toBe(200);
    const body = pageText(page.body);
    expect(body).toContain('X2 X2L0001');
    expect(body).toContain('1.2.3');
    expect(body).toContain('Lambeth armoury');
    expect(body).toContain('15 June 2025');
    expect(body).toContain('Registered (in store)');
    expect(body).toContain('Issued');
    expect(body).toContain('Cartridges: CL0001 (Smart 25 ft)');
    expect(body).toContain('Returned');
    expect(body).toContain('CL0001 expended (no report linked yet)');
    expect(page.body).toContain(`href="/officers/${ids.asha}"`);
    expect(body).toContain('Named in a use-of-force report (discharge)');
    expect(page.body).toContain(`href="/reports/${reportId}"`);
    expect(body).toContain('Named in an imported Met-format row (discharge)');
    expect(body).toContain('met-2026.csv, line 7');
    // Newest first: the issue (now) above the report (November 2026) above the imported row (August 2026).
    expect(body.indexOf('Returned')).toBeLessThan(body.indexOf('Named in a use-of-force report'));
    expect(body.indexOf('Named in a use-of-force report')).toBeLessThan(body.indexOf('Named in an imported'));
    // An armourer reads no reports: the report is named, not linked.
    const armourer = await as.armourer!.get(`/devices/${ids.X2L0001}`);
    expect(armourer.body).not.toContain(`href="/reports/${reportId}"`);
    expect(pageText(armourer.body)).toContain('Named in a use-of-force report');
    // The supervisor reads it but moves nothing.
    const sgt = await as.sgt!.get(`/devices/${ids.X2L0001}`);
    expect(sgt.statusCode).toBe(200);
    expect(sgt.body).not.toContain('/moves"');
    expect((await as.armourer!.get('/devices/no-such-device')).statusCode).toBe(404);
  });

  it('shows the fleet’s figures: stores, the X26 retirement, X2 ratios per borough, the conversion list and the composition', async () => {
    const page = await as.lead!.get('/fleet');
    expect(page.statusCode, page.body).toBe(200);
    const body = pageText(page.body);
    expect(body).toContain('The force stops issuing the X26 on 30 September 2027');
    expect(body).toMatch(/2 X26 devices still to withdraw: 2 in store/);
    expect(page.body).toContain('href="/devices?model=X26&amp;state=in_store"');
    // Lambeth: Asha on the X2 against 2 devices; Camden: Cy against 1; force-wide: 2 officers, 58 devices (55 central).
    expect(body).toMatch(/Lambeth 1 2 0\.5 : 1 1/);
    expect(body).toMatch(/Camden 1 1 1\.0 : 1 0/);
    expect(body).toMatch(/All 2 58 0\.0 : 1 1/);
    expect(body).toContain('1 officer is authorised on the X26 but not the X2');
    expect(page.body).toContain(`href="/officers/${ids.bo}"`);
    expect(page.body).toContain('href="/training"');
    expect(body).toMatch(/Lambeth armoury 2 1 3/);
    expect(body).toMatch(/Central store 55 0 55/);
    expect(body).toMatch(/Total 58 2 60/);
    expect(page.body).toContain('<svg');
    expect(body).toContain('Devices in service at the end of each month, by model');
    expect(body).toMatch(/April 2027 58 2 60/);
    expect(body).toMatch(/February 2027 3 2 5/);
    expect(body).toMatch(/May 2025 0 2 2/);
    // A Lambeth sergeant sees Lambeth only.
    const sgt = pageText((await as.sgt!.get('/fleet')).body);
    expect(sgt).toContain('Lambeth armoury');
    expect(sgt).not.toContain('Camden armoury');
    expect(sgt).not.toContain('Central store');
  });

  it('moves a device through the forms; a refused move says why; only professional standards release', async () => {
    const url = `/devices/${ids.X2L0002}`;
    const revision = async () => Number(/name="revision" value="(\d+)"/.exec((await as.armourer!.get(url)).body)![1]);
    let page = await as.armourer!.get(url);
    expect(page.body).toContain('Send for repair');
    expect(page.body).toContain('Withdrawing a device is final');
    expect(page.body).not.toContain('Release from quarantine');

    const short = await as.armourer!.post(`${url}/moves`, { move: 'send_for_repair', note: 'bad', revision: String(await revision()) });
    expect(short.statusCode).toBe(409);
    expect(pageText(short.body)).toContain('There is a problem');
    expect(pageText(short.body)).toContain('Describe the defect (at least 5 characters)');
    expect(short.body).toContain('href="#note-send_for_repair"');

    const stale = await as.armourer!.post(`${url}/moves`, { move: 'send_for_repair', note: 'Trigger sticks', revision: '99' });
    expect(stale.statusCode).toBe(409);
    expect(pageText(stale.body)).toContain('was changed by someone else a moment ago');

    const repair = await as.armourer!.post(`${url}/moves`, { move: 'send_for_repair', note: 'Trigger sticks', revision: String(await revision()) });
    expect(repair.statusCode, repair.body).toBe(303);
    page = await as.armourer!.get(`${url}?notice=moved`);
    expect(pageText(page.body)).toContain('The device has been moved.');
    expect(pageText(page.body)).toContain('In repair');
    expect(pageText(page.body)).toContain('Defect: Trigger sticks');
    const refused = await as.armourer!.post(`${url}/moves`, { move: 'send_for_repair', note: 'Again please', revision: String(await revision()) });
    expect(refused.statusCode).toBe(409);
    expect(pageText(refused.body)).toContain('The device cannot be sent for repair: it is already in repair.');
    expect((await as.armourer!.post(`${url}/moves`, { move: 'repaired', note: '', revision: String(await revision()) })).statusCode).toBe(303);
    expect(pageText((await as.armourer!.get(url)).body)).toContain('Back from repair');

    expect((await as.armourer!.post(`${url}/moves`, { move: 'quarantine', note: 'Held after a serious injury', revision: String(await revision()) })).statusCode).toBe(303);
    page = await as.armourer!.get(url);
    expect(pageText(page.body)).toContain('Only professional standards can release it');
    expect(page.body).not.toContain('value="release"');
    const notPsd = await as.armourer!.post(`${url}/moves`, { move: 'release', note: 'Case closed', revision: String(await revision()) });
    expect(notPsd.statusCode).toBe(409);
    expect(pageText(notPsd.body)).toContain('Only professional standards can release a quarantined device.');
    const psdPage = await as.psd!.get(url);
    expect(psdPage.body).toContain('value="release"');
    const psdRevision = Number(/name="revision" value="(\d+)"/.exec(psdPage.body)![1]);
    expect((await as.psd!.post(`${url}/moves`, { move: 'release', note: 'Case closed', revision: String(psdRevision) })).statusCode).toBe(303);

    const noReason = await as.armourer!.post(`${url}/moves`, { move: 'withdraw', note: 'Dropped in the Thames', revision: String(await revision()) });
    expect(noReason.statusCode).toBe(409);
    expect(pageText(noReason.body)).toContain('Say why the device is withdrawn');
    const badReason = await as.armourer!.post(`${url}/moves`, { move: 'withdraw', withdrawalReason: 'stolen', note: 'Dropped in the Thames', revision: String(await revision()) });
    expect(badReason.statusCode).toBe(400);
    expect(badReason.body).toContain('href="#withdrawalReason"');
    expect((await as.armourer!.post(`${url}/moves`, { move: 'withdraw', withdrawalReason: 'lost', note: 'Dropped in the Thames', revision: String(await revision()) })).statusCode).toBe(303);
    page = await as.armourer!.get(url);
    expect(pageText(page.body)).toContain('Withdrawal reason Lost');
    expect(pageText(page.body)).toContain('Withdrawn: lost');
    expect(page.body).not.toContain('/moves"');
    expect((await as.armourer!.post(`${url}/moves`, { move: 'issue', revision: '0' })).statusCode).toBe(400);
    expect((await as.sgt!.post(`${url}/moves`, { move: 'quarantine', note: 'Held as evidence' })).statusCode).toBe(403);
    const audit = await listAudit(t.svc.database.db, { entityType: 'device', entityId: ids.X2L0002 }, { offset: 0, limit: 20 });
    expect(audit.entries.map((e) => e.action)).toEqual(['device.withdraw', 'device.release', 'device.quarantine', 'device.repaired', 'device.send_for_repair', 'device.register']);
  });

  it('lists cartridges with filters and links an expended cartridge to its report', async () => {
    const all = pageText((await as.armourer!.get('/devices/cartridges')).body);
    expect(all).toContain('3 cartridges');
    expect(all).toContain('Expended, no report (1)');
    const expiring = pageText((await as.armourer!.get('/devices/cartridges?expiring=yes')).body);
    expect(expiring).toContain('1 cartridge');
    expect(expiring).toContain('CL0002');
    expect(expiring).toContain('Expiring soon');
    expect(pageText((await as.armourer!.get('/devices/cartridges?type=Smart+15+ft')).body)).toContain('CC0001');
    expect(pageText((await as.armourer!.get('/devices/cartridges?state=expended')).body)).toContain('1 cartridge');
    expect(pageText((await as.sgt!.get('/devices/cartridges')).body)).toContain('2 cartridges');

    const tab = await as.armourer!.get('/devices/cartridges?tab=unlinked');
    expect(pageText(tab.body)).toContain('CL0001');
    expect(pageText(tab.body)).toContain('501LX Asha Patel');
    const cartridgeId = /action="\/devices\/cartridges\/([^/]+)\/report"/.exec(tab.body)![1]!;
    const wrong = await as.armourer!.post(`/devices/cartridges/${cartridgeId}/report`, { report: 'CAD 9999/01JAN' });
    expect(wrong.statusCode).toBe(400);
    expect(pageText(wrong.body)).toContain('No report has the ID or incident reference “CAD 9999/01JAN”');
    expect(wrong.body).toContain(`href="#report-${cartridgeId}"`);
    expect(wrong.body).toContain('value="CAD 9999/01JAN"');
    expect((await as.sgt!.post(`/devices/cartridges/${cartridgeId}/report`, { report: 'CAD 1234/28NOV' })).statusCode).toBe(403);
    const linked = await as.armourer!.post(`/devices/cartridges/${cartridgeId}/report`, { report: 'CAD 1234/28NOV' });
    expect(linked.statusCode, linked.body).toBe(303);
    const after = pageText((await as.armourer!.get('/devices/cartridges?tab=unlinked&notice=linked')).body);
    expect(after).toContain('The cartridge is linked to the report.');
    expect(after).toContain('Every expended cartridge has its report');
    const again = await as.armourer!.post(`/devices/cartridges/${cartridgeId}/report`, { report: reportId });
    expect(again.statusCode).toBe(303);
    const audit = await listAudit(t.svc.database.db, { action: 'cartridge.link_report' }, { offset: 0, limit: 5 });
    expect(JSON.parse(audit.entries[0]!.summary)).toMatchObject({ serial: 'CL0001', reportId });
    expect(pageText((await as.psd!.get(`/devices/${ids.X2L0001}`)).body)).not.toContain('no report linked yet');
    // A cartridge in store is never linked.
    const inStore = /action="\/devices\/cartridges\/([^/]+)\/report"/.exec((await as.armourer!.get('/devices/cartridges')).body);
    expect(inStore).toBeNull();
  });

  it('edits the gate policy with an audit entry; authority and suspension are never overridable', async () => {
    const page = await as.armourer!.get('/devices/policy');
    expect(page.statusCode).toBe(200);
    expect(pageText(page.body)).toContain('never overridable');
    expect(pageText(page.body)).toContain('No current authority on the model');
    expect(page.body).not.toContain('value="not_authorised"');
    expect((await as.sgt!.get('/devices/policy')).statusCode).toBe(403);
    expect((await as.lead!.get('/devices/policy')).statusCode).toBe(200);
    expect((await as.armourer!.get('/devices')).body).toContain('href="/devices/policy"');
    expect((await as.sgt!.get('/devices')).body).not.toContain('href="/devices/policy"');

    const bad = await as.armourer!.post('/devices/policy', { spareCartridges: '9', overridable: ['wrong_armoury', 'not_authorised'] });
    expect(bad.statusCode).toBe(400);
    expect(pageText(bad.body)).toContain('from 0 to 4');
    expect(pageText(bad.body)).toContain('These reasons can never be overridden: not_authorised');
    const ok = await as.armourer!.post('/devices/policy', { spareCartridges: '2', overridable: ['wrong_armoury', 'cartridge_expired'] });
    expect(ok.statusCode).toBe(303);
    expect(await gatePolicy(t.svc)).toEqual({ spareCartridges: 2, overridable: ['wrong_armoury', 'cartridge_expired'] });
    const none = await as.lead!.post('/devices/policy', { spareCartridges: '0' });
    expect(none.statusCode).toBe(303);
    expect(await gatePolicy(t.svc)).toEqual({ spareCartridges: 0, overridable: [] });
    const audit = await listAudit(t.svc.database.db, { action: 'device_policy.update' }, { offset: 0, limit: 5 });
    expect(audit.entries.map((e) => JSON.parse(e.summary))).toEqual([
      { before: { spareCartridges: 2, overridable: ['wrong_armoury', 'cartridge_expired'] }, after: { spareCartridges: 0, overridable: [] } },
      { before: { spareCartridges: 1, overridable: ['wrong_armoury'] }, after: { spareCartridges: 2, overridable: ['wrong_armoury', 'cartridge_expired'] } },
    ]);
  });

  it('says who holds a device that is out, on its page and in the register', async () => {
    await issueDevice(t.svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'X2C0001', collarNumber: '503LX', cartridges: [] });
    const page = pageText((await as.armourer!.get(`/devices/${ids.X2C0001}`)).body);
    expect(page).toContain('Issued to 503LX Cy Camden since 1 April 2027 at 07:30');
    expect(pageText((await as.armourer!.get('/devices?state=issued')).body)).toContain('X2C0001 X2 Camden armoury Issued with 503LX Cy Camden');
  });

  it('puts Devices in the menu for those who read devices', async () => {
    expect((await as.armourer!.get('/devices')).body).toMatch(/href="\/devices"[^>]*aria-current|aria-current[^>]*href="\/devices"/);
    expect((await as.analyst!.get('/')).body).not.toContain('href="/devices"');
  });
});
