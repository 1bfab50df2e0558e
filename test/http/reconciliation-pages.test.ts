import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { findOfficerByCollar } from '../../src/db/repositories/officers.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { issueDevice, registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { type Client, makeAccount, openTestApp, pageText, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce } from '../support/fixtures.js';
import { insertLogEntries, syncAt, triggerAt } from '../support/reconciliation.js';

/* Issue 13: the reconciliation pages: the list by borough and kind, running it, an exception's timeline, resolving it (errors, a stale form, success) and who may not. */

describe.each(testDatabases())('reconciliation pages on %s', (kind) => {
  let t: TestApp;
  let now = new Date('2026-11-20T18:00:00Z');
  const as: Record<string, Client> = {};
  let exceptionId = '';

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: () => now });
    const f = await smallForce(t.svc);
    await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: '601LX', boroughId: f.boroughs.lambeth.id }));
    const officer = (await findOfficerByCollar(t.svc.database.db, f.force.id, '601LX'))!;
    await recordPasses(t.svc, [{ officerId: officer.id, course: 'initial-x2', on: '2026-10-01' }]);
    await registerDevices(t.svc, SYSTEM_ACTOR, [{ serial: 'XPAGE0001', model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null }, inServiceOn: '2026-01-01' }]);
    await issueDevice(t.svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'XPAGE0001', collarNumber: '601LX', cartridges: [] });
    // Issued at 18:00: a spark test at 18:03, then a discharge at 20:00 that no report records.
    await insertLogEntries(t.svc, 'XPAGE0001', [syncAt(1, '2026-11-20T17:00:00Z'), triggerAt(2, '2026-11-20T18:03:00Z'), triggerAt(3, '2026-11-20T20:00:00Z', 6.2), syncAt(4, '2026-11-21T09:00:00Z')]);
    now = new Date('2026-11-22T10:00:00Z');
    await makeAccount(t, 'armourer@test.police.uk', [{ role: 'armourer', boroughId: null }]);
    await makeAccount(t, 'psd@test.police.uk', [{ role: 'professional_standards', boroughId: null }]);
    await makeAccount(t, 'sgt.lambeth@test.police.uk', [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }]);
    await makeAccount(t, 'sgt.camden@test.police.uk', [{ role: 'supervisor', boroughId: f.boroughs.camden.id }]);
    await makeAccount(t, 'pc@test.police.uk', [{ role: 'officer', boroughId: null }], { officerId: officer.id });
    for (const [k, email] of Object.entries({
      armourer: 'armourer@test.police.uk',
      psd: 'psd@test.police.uk',
      sgt: 'sgt.lambeth@test.police.uk',
      camden: 'sgt.camden@test.police.uk',
      pc: 'pc@test.police.uk',
    }))
      as[k] = await signInAs(t.app, email);
  });
  afterAll(() => t.close());

  it('refuses an officer the pages and the forms', async () => {
    expect((await as.pc!.get('/devices/reconciliation')).statusCode).toBe(403);
    expect((await as.pc!.get('/devices/reconciliation/methodology')).statusCode).toBe(403);
    expect((await as.pc!.post('/devices/reconciliation/run', { from: '2026-11-20', to: '2026-11-20' })).statusCode).toBe(403);
  });

  it('shows the empty list before any run, and refuses a run with bad dates, naming the fields', async () => {
    const empty = await as.armourer!.get('/devices/reconciliation');
    expect(empty.statusCode).toBe(200);
    expect(pageText(empty.body)).toContain('The reconciliation has not run yet.');
    expect(pageText(empty.body)).toContain('No exceptions match');
    expect(empty.body).toContain('Run reconciliation');
    // A sergeant reads the list but may not run it.
    expect((await as.sgt!.get('/devices/reconciliation')).body).not.toContain('action="/devices/reconciliation/run"');
    expect((await as.sgt!.post('/devices/reconciliation/run', { from: '2026-11-20', to: '2026-11-20' })).statusCode).toBe(403);
    const bad = await as.armourer!.post('/devices/reconciliation/run', { from: '20/11/2026', to: '' });
    expect(bad.statusCode).toBe(400);
    const body = pageText(bad.body);
    expect(body).toContain('There is a problem');
    expect(bad.body).toContain('href="#from"');
    expect(body).toContain('The first date must be a real date in the form YYYY-MM-DD');
    expect(body).toContain('Enter the last date');
    // A year waits too long for a page: the CLI does that.
    const year = await as.armourer!.post('/devices/reconciliation/run', { from: '2025-11-21', to: '2026-11-20' });
    expect(year.statusCode).toBe(400);
    expect(pageText(year.body)).toContain('Run at most 92 days here (you asked for 365): for longer, run cedar reconcile --from 2025-11-21 --to 2026-11-20 --out FILE');
  });

  it('runs the reconciliation from the page and lists what it found by borough and kind', async () => {
    const ran = await as.armourer!.post('/devices/reconciliation/run', { from: '2026-11-20', to: '2026-11-20' });
    expect(ran.statusCode).toBe(303);
    expect(ran.headers.location).toBe('/devices/reconciliation?notice=ran');
    const list = await as.armourer!.get('/devices/reconciliation?notice=ran');
    const body = pageText(list.body);
    expect(body).toContain('The reconciliation has run');
    expect(body).toMatch(/Lambeth 1 1 All 1 1/);
    expect(body).toContain('Discharge without a report on device XPAGE0001');
    expect(body).toContain('601LX');
    exceptionId = /href="\/devices\/reconciliation\/([0-9a-f-]{36})"/.exec(list.body)![1]!;
    // Camden's sergeant sees none of Lambeth's.
    const camden = await as.camden!.get('/devices/reconciliation');
    expect(pageText(camden.body)).toContain('0 exceptions');
    expect((await as.camden!.get(`/devices/reconciliation/${exceptionId}`)).statusCode).toBe(404);
    // Filters: another kind shows none.
    expect(pageText((await as.armourer!.get('/devices/reconciliation?kind=clock_reset')).body)).toContain('No exceptions match');
  });

  it('opens the timeline: the log in true time with device time and offset, the spark test marked, the issue record', async () => {
    const page = await as.psd!.get(`/devices/reconciliation/${exceptionId}`);
    expect(page.statusCode).toBe(200);
    const body = pageText(page.body);
    expect(body).toContain('Discharge without a report: device XPAGE0001');
    expect(body).toContain('2026-11-20 20:00:00');
    expect(body).toContain('20 November 2026 at 20:00');
    expect(body).toContain('Spark or function test');
    expect(body).toContain('6.2 s');
    expect(body).toContain('601LX');
    expect(body).toContain('No report names this device at this time.');
    expect(page.body).toContain('name="outcome"');
    // A sergeant sees it, without the form.
    const sgt = await as.sgt!.get(`/devices/reconciliation/${exceptionId}`);
    expect(sgt.statusCode).toBe(200);
    expect(sgt.body).not.toContain('name="outcome"');
  });

  it('refuses a resolution without an outcome or a reason, or from a stale form, then resolves it', async () => {
    const url = `/devices/reconciliation/${exceptionId}/resolve`;
    expect((await as.sgt!.post(url, { outcome: 'other', reason: 'x', revision: '0' })).statusCode).toBe(403);
    const missing = await as.armourer!.post(url, { outcome: '', reason: ' ', revision: '0' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('href="#outcome"');
    expect(missing.body).toContain('href="#reason"');
    expect(pageText(missing.body)).toContain('Select the outcome');
    const stale = await as.armourer!.post(url, { outcome: 'log_fault', reason: 'Battery fault', revision: '7' });
    expect(stale.statusCode).toBe(409);
    expect(pageText(stale.body)).toContain('Someone changed this exception while you were looking at it');
    expect(stale.body).toContain('Battery fault');
    const done = await as.armourer!.post(url, { outcome: 'accidental_discharge_recorded', reason: 'Accidental discharge in the armoury, recorded', revision: '0' });
    expect(done.statusCode).toBe(303);
    const page = pageText((await as.armourer!.get(done.headers.location as string)).body);
    expect(page).toContain('The exception has been resolved.');
    expect(page).toContain('Accidental discharge, now recorded');
    expect(page).toContain('Accidental discharge in the armoury, recorded');
    const audit = (await listAudit(t.svc.database.db, { action: 'reconciliation_exception.resolve' }, { offset: 0, limit: 10 })).entries;
    expect(audit).toHaveLength(1);
    // Resolved, it leaves the open list.
    expect(pageText((await as.armourer!.get('/devices/reconciliation')).body)).toContain('0 exceptions');
    expect(pageText((await as.armourer!.get('/devices/reconciliation?state=resolved')).body)).toContain('1 exception');
  });

  it('explains the rules on the methodology page, linked from the list', async () => {
    expect((await as.sgt!.get('/devices/reconciliation')).body).toContain('href="/devices/reconciliation/methodology"');
    const page = await as.sgt!.get('/devices/reconciliation/methodology');
    expect(page.statusCode).toBe(200);
    const body = pageText(page.body);
    for (const rule of ['True time', 'Clock resets', 'Function tests', 'Cycles', 'Episodes', 'Matching', 'Exceptions']) expect(body).toContain(rule);
    expect(body).toContain('4 minutes for every 30 days');
  });
});
