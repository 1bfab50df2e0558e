import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/permissions.js';
import { fixedClock, SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { getIssue, issueDevice, receiveCartridges, registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { type Client, makeAccount, openTestApp, pageText, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';
import { dischargeNaming, recordReport } from '../support/report-fixtures.js';

/* Issue 12: the armoury pages, the daily sign-out at the counter, on both databases. */
const NOW = '2027-04-01T06:30:00Z'; // 07:30 in London
describe.each(testDatabases())('the armoury pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const c: Record<string, Client> = {};
  const officerIds: Record<string, string> = {};
  let lambethKey = '';
  let camdenKey = '';
  let reportId = '';
  let overdueIssueId = '';

  const text = (html: string) => pageText(html, '’');
  const deviceIdOf = async (serial: string) => (await t.svc.database.db.selectFrom('device').select('id').where('serial', '=', serial).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    lambethKey = `borough:${f.boroughs.lambeth.id}`;
    camdenKey = `borough:${f.boroughs.camden.id}`;
    const officers: [string, string, string, string, string][] = [
      // collar, first, last, rank, X2 pass
      ['501LX', 'Asha', 'Patel', 'Police Constable', '2026-10-01'],
      ['502LX', 'Ben', 'Okafor', 'Police Constable', '2026-01-15'],
      ['503LX', 'Cara', 'Doyle', 'Police Constable', '2026-11-01'],
      ['504LX', 'Dev', 'Shah', 'Police Constable', '2026-12-01'],
      ['505LX', 'Eve', 'Lund', 'Police Constable', '2026-12-01'],
      ['900LX', 'Ian', 'Spector', 'Inspector', '2026-12-01'],
      ['800LX', 'Sam', 'Sergeant', 'Sergeant', '2026-12-01'],
    ];
    for (const [collar, firstName, lastName, rank, passedOn] of officers) {
      const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, firstName, lastName, rank, boroughId: f.boroughs.lambeth.id }));
      officerIds[collar] = o.id;
      await recordPasses(t.svc, [{ officerId: o.id, course: 'initial-x2', on: passedOn }]);
    }
    const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
    const camden = { boroughId: f.boroughs.camden.id, teamId: null };
    await registerDevices(t.svc, SYSTEM_ACTOR, [
      { serial: 'X2L0001', model: 'X2', armoury: lambeth },
      { serial: 'X2L0002', model: 'X2', armoury: lambeth },
      { serial: 'X2L0003', model: 'X2', armoury: lambeth },
      { serial: 'X2L0004', model: 'X2', armoury: lambeth },
      { serial: 'X2C0001', model: 'X2', armoury: camden },
      { serial: 'X2C0002', model: 'X2', armoury: camden },
      { serial: 'X2Z0001', model: 'X2', armoury: { boroughId: null, teamId: null } },
    ]);
    await receiveCartridges(t.svc, SYSTEM_ACTOR, [
      { serial: 'CL0001', type: 'Smart 25 ft', lot: 'L1', expiresOn: '2028-01-31', armoury: lambeth },
      { serial: 'CL0002', type: 'Smart 25 ft', lot: 'L1', expiresOn: '2028-01-31', armoury: lambeth },
    ]);
    const people: [string, Role, string | null, string | undefined][] = [
      ['armourer', 'armourer', null, undefined],
      ['inspector', 'armourer', null, officerIds['900LX']],
      ['sgt', 'supervisor', f.boroughs.lambeth.id, officerIds['800LX']],
      ['commander', 'borough_commander', f.boroughs.lambeth.id, undefined],
      ['camdencommander', 'borough_commander', f.boroughs.camden.id, undefined],
      ['constable', 'officer', null, officerIds['505LX']],
    ];
    for (const [who, role, borough, officerId] of people) {
      await makeAccount(t, `${who}@test.police.uk`, [{ role, boroughId: borough }], { officerId });
      c[who] = await signInAs(t.app, `${who}@test.police.uk`);
    }
    // Asha Patel's report of last night's discharge, naming the device and cartridge she is about to be issued.
    const pcAccount = await makeAccount(t, 'asha@test.police.uk', [{ role: 'officer', boroughId: null }], { officerId: officerIds['501LX'] });
    const pc: Actor = { userId: pcAccount.id, label: pcAccount.email, grants: pcAccount.roles };
    reportId = await recordReport(
      t.svc,
      pc,
      dischargeNaming(f.boroughs.lambeth.id, { deviceSerial: 'X2L0001', cartridge: 'CL0001', reference: 'CAD 0042/01APR', date: '2027-04-01', time: '05:10' }),
      new Date(NOW),
    );
    // A device still out 3½ hours after its shift ended: issued the evening before (the clock set back for it) for a shift to 04:00.
    const now = t.svc.now;
    t.svc.now = fixedClock('2027-03-31T18:00:00Z');
    overdueIssueId = (await issueDevice(t.svc, SYSTEM_ACTOR, { all: true }, { deviceSerial: 'X2L0004', collarNumber: '504LX', cartridges: [], shiftEndsAt: '2027-04-01T03:00:00.000Z' })).id;
    t.svc.now = now;
  });
  afterAll(() => t.close());

  it('shows a store: the central one by default to the armourer, the borough’s to its sergeant, and no other to them', async () => {
    const central = await c.armourer!.get('/armoury');
    expect(central.statusCode).toBe(200);
    expect(central.body).toContain('<h1 class="govuk-heading-l">Central store</h1>');
    expect(central.body).toContain('X2Z0001');
    expect(central.body).toContain('No devices from this store are out with officers.');
    expect(central.body).toMatch(/<option value="borough:[^"]+"[^>]*>Camden armoury<\/option>/);
    expect(central.body).toMatch(/<a class="govuk-service-navigation__link" href="\/armoury" aria-current="true">/); // the navigation

    const sgt = await c.sgt!.get('/armoury');
    expect(sgt.statusCode).toBe(200);
    expect(sgt.body).toContain('<h1 class="govuk-heading-l">Lambeth armoury</h1>');
    expect(sgt.body).toContain(`href="/devices/${await deviceIdOf('X2L0001')}"`);
    expect(sgt.body).not.toContain('X2C0001');
    expect(sgt.body).not.toContain('name="store" id="store"'); // one store: no choice
    expect(sgt.body).toContain('Issue a device');
    expect((await c.sgt!.get(`/armoury?store=${camdenKey}`)).statusCode).toBe(404);
    expect((await c.sgt!.get('/armoury?store=central')).statusCode).toBe(404);
    expect((await c.armourer!.get('/armoury?store=nonsense')).statusCode).toBe(404);
  });

  it('issues a device through the form: find the officer, then the device, cartridges and shift end', async () => {
    const found = await c.sgt!.get(`/armoury/officer?store=${lambethKey}&collar=501lx`);
    expect(found.statusCode).toBe(200);
    expect(text(found.body)).toContain('Police Constable Asha Patel');
    expect(text(found.body)).toContain('Authorised to carry the X2');

    const missing = await c.sgt!.get(`/armoury/officer?store=${lambethKey}&collar=999ZZ`);
    expect(text(missing.body)).toContain('No officer has the collar number 999ZZ');

    const res = await c.sgt!.post('/armoury/issue', { store: lambethKey, collar: '501LX', deviceSerial: 'x2l0001', cartridges: 'CL0001;\r\nCL0002', shiftEnd: '17:00' });
    expect(res.statusCode, res.body).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(new RegExp(`^/armoury\\?store=${encodeURIComponent(lambethKey)}&issued=`));
    const page = await c.sgt!.get(location);
    expect(text(page.body)).toContain('Device X2L0001 issued to PC 501LX Asha Patel');
    expect(text(page.body)).toMatch(/X2L0001 X2 PC 501LX Asha Patel .* CL0001, CL0002 Return/);
    const issue = await getIssue(t.svc, { all: true }, new URL(location, 'http://x').searchParams.get('issued')!);
    expect(issue.shiftEndsAt).toBe('2027-04-01T16:00:00.000Z'); // 17:00 BST

    const earlier = await c.sgt!.post('/armoury/issue', { store: lambethKey, collar: '503LX', deviceSerial: 'X2L0002', cartridges: '', shiftEnd: '07:00' });
    expect(earlier.statusCode, earlier.body).toBe(303);
    const night = await getIssue(t.svc, { all: true }, new URL(earlier.headers.location as string, 'http://x').searchParams.get('issued')!);
    expect(night.shiftEndsAt).toBe('2027-04-02T06:00:00.000Z'); // 07:00 has passed today: tomorrow's

    const blank = await c.sgt!.post('/armoury/issue', { store: lambethKey, collar: '505LX', deviceSerial: '', cartridges: '', shiftEnd: '25:00' });
    expect(blank.statusCode).toBe(400);
    expect(text(blank.body)).toContain('Enter the device’s serial number, or scan it');
    expect(text(blank.body)).toContain('Enter the time the shift ends as hours and minutes on the 24-hour clock');
  });

  it('lists every reason the gate refuses, and offers no override for reasons no one may override', async () => {
    const res = await c.sgt!.post('/armoury/issue', { store: lambethKey, collar: '502LX', deviceSerial: 'X2L0001', cartridges: 'NOPE1', shiftEnd: '19:00' });
    expect(res.statusCode).toBe(409);
    const body = text(res.body);
    expect(res.body).toContain('govuk-error-summary');
    expect(body).toContain('Officer 502LX has no current authority on the X2');
    expect(body).toContain('Device X2L0001 is not available: it is issued.');
    expect(body).toContain('No cartridge has the serial NOPE1.');
    expect(res.body).toContain('href="#officer-details"');
    expect(res.body).not.toContain('name="overrideCodes"');
    expect(res.body).toMatch(/<textarea[^>]*name="cartridges"[^>]*>NOPE1<\/textarea>/); // what was typed is kept
  });

  it('offers the override to an inspector only, and only when every reason is one policy lets them override', async () => {
    const wrong = { store: lambethKey, collar: '505LX', deviceSerial: 'X2C0001', cartridges: '', shiftEnd: '19:00' };
    const armourer = await c.armourer!.post('/armoury/issue', wrong);
    expect(armourer.statusCode).toBe(409);
    expect(text(armourer.body)).toContain('Device X2C0001 belongs to Camden armoury, not Lambeth armoury.');
    expect(armourer.body).not.toContain('name="overrideCodes"');
    expect(text(armourer.body)).toContain('An inspector may override this reason');

    const inspector = await c.inspector!.post('/armoury/issue', wrong);
    expect(inspector.statusCode).toBe(409);
    expect(inspector.body).toContain('name="overrideCodes"');
    expect(inspector.body).toContain('value="wrong_armoury"');

    const mixed = await c.inspector!.post('/armoury/issue', { ...wrong, collar: '502LX' });
    expect(text(mixed.body)).toContain('Officer 502LX has no current authority');
    expect(mixed.body).not.toContain('name="overrideCodes"');

    const noReason = await c.inspector!.post('/armoury/issue', { ...wrong, overrideCodes: 'wrong_armoury', overrideReason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(text(noReason.body)).toContain('Give the reason for the override');

    const overridden = await c.inspector!.post('/armoury/issue', { ...wrong, overrideCodes: 'wrong_armoury', overrideReason: 'Lambeth store empty this morning' });
    expect(overridden.statusCode, overridden.body).toBe(303);
    const issue = await getIssue(t.svc, { all: true }, new URL(overridden.headers.location as string, 'http://x').searchParams.get('issued')!);
    expect(issue).toMatchObject({ deviceSerial: 'X2C0001', overrideCodes: ['wrong_armoury'], overrideReason: 'Lambeth store empty this morning' });
  });

  it('takes a device back with one cartridge expended and linked to the officer’s report', async () => {
    const open = await t.svc.database.db
      .selectFrom('device_issue as i')
      .innerJoin('device as d', 'd.id', 'i.device_id')
      .select('i.id')
      .where('d.serial', '=', 'X2L0001')
      .where('i.returned_at', 'is', null)
      .executeTakeFirstOrThrow();
    const page = await c.sgt!.get(`/armoury/issues/${open.id}/return`);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Cartridge CL0001 (Smart 25 ft)');
    // The report naming CL0001 is chosen for it; for CL0002 nothing is.
    expect(page.body).toMatch(new RegExp(`<select[^>]*name="report-0"[^>]*>\\s*<option value=""\\s*>Not known yet</option>\\s*<option value="${reportId}" selected>CAD 0042/01APR`));
    expect(page.body).toMatch(/<select[^>]*name="report-1"[^>]*>\s*<option value="" selected>Not known yet/);

    const incomplete = await c.sgt!.post(`/armoury/issues/${open.id}/return`, { 'outcome-0': 'expended', 'report-0': reportId });
    expect(incomplete.statusCode).toBe(400);
    expect(text(incomplete.body)).toContain('Say what became of cartridge CL0002: back in store, expended or lost');
    expect(incomplete.body).toContain('href="#outcome-1"');

    const stranger = await c.sgt!.post(`/armoury/issues/${open.id}/return`, { 'outcome-0': 'expended', 'report-0': 'not-a-report', 'outcome-1': 'in_store' });
    expect(stranger.statusCode).toBe(400);

    const done = await c.sgt!.post(`/armoury/issues/${open.id}/return`, { 'outcome-0': 'expended', 'report-0': reportId, 'outcome-1': 'in_store' });
    expect(done.statusCode, done.body).toBe(303);
    expect(text((await c.sgt!.get(done.headers.location as string)).body)).toContain('Device X2L0001 returned by PC 501LX Asha Patel');
    const issue = await getIssue(t.svc, { all: true }, open.id);
    expect(issue.returnedAt).toBe(new Date(NOW).toISOString());
    expect(issue.cartridges).toEqual([
      expect.objectContaining({ serial: 'CL0001', outcome: 'expended', reportId }),
      expect.objectContaining({ serial: 'CL0002', outcome: 'in_store', reportId: null }),
    ]);
    const cartridge = await t.svc.database.db.selectFrom('cartridge').select(['state', 'report_id']).where('serial', '=', 'CL0001').executeTakeFirstOrThrow();
    expect(cartridge).toEqual({ state: 'expended', report_id: reportId });
    // Once back, the return page goes to the store.
    expect((await c.sgt!.get(`/armoury/issues/${open.id}/return`)).statusCode).toBe(303);
  });

  it('lists overdue devices first on the store page and on the borough commander’s home page, within their borough', async () => {
    const store = await c.sgt!.get('/armoury');
    const body = text(store.body);
    expect(store.body).toContain('<h2 class="govuk-heading-m" id="overdue">Overdue</h2>');
    expect(body.indexOf('X2L0004')).toBeGreaterThan(-1);
    expect(body.indexOf('X2L0004')).toBeLessThan(body.indexOf('Out now'));
    expect(store.body).toContain('govuk-tag--red');
    expect(store.body).toContain(`/armoury/issues/${overdueIssueId}/return`);

    const home = await c.commander!.get('/');
    expect(home.statusCode).toBe(200);
    expect(text(home.body)).toContain('Devices overdue for return');
    expect(text(home.body)).toMatch(/X2L0004 Overdue PC 504LX Dev Shah/);
    expect(home.body).toContain(`href="/armoury?store=${encodeURIComponent(lambethKey)}#overdue"`);
    const armourerHome = await c.armourer!.get('/');
    expect(text(armourerHome.body)).toContain('X2L0004');

    const camden = await c.camdencommander!.get('/');
    expect(text(camden.body)).toContain('No devices are overdue for return');
    expect(camden.body).not.toContain('X2L0004');
    const sgtHome = await c.sgt!.get('/');
    expect(sgtHome.body).not.toContain('Devices overdue for return');

    // The commander reads the store page but cannot issue or take back.
    const commanderStore = await c.commander!.get('/armoury');
    expect(commanderStore.statusCode).toBe(200);
    expect(commanderStore.body).not.toContain('Find officer');
    expect(commanderStore.body).not.toContain('/return"');
    expect((await c.commander!.post('/armoury/issue', { store: lambethKey, collar: '505LX', deviceSerial: 'X2L0003', shiftEnd: '19:00' })).statusCode).toBe(403);
  });

  it('refuses a constable, and a form without its CSRF token', async () => {
    expect((await c.constable!.get('/armoury')).statusCode).toBe(403);
    expect((await c.constable!.get(`/armoury/issues/${overdueIssueId}/return`)).statusCode).toBe(403);
    expect((await c.constable!.post('/armoury/issue', { store: lambethKey, collar: '505LX', deviceSerial: 'X2L0003', shiftEnd: '19:00' })).statusCode).toBe(403);
    const noCsrf = await t.app.inject({
      method: 'POST',
      url: '/armoury/issue',
      headers: { cookie: c.armourer!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ store: lambethKey, collar: '505LX', deviceSerial: 'X2L0003', shiftEnd: '19:00' }).toString(),
    });
    expect(noCsrf.statusCode).toBe(403);
    const stillIn = await t.svc.database.db.selectFrom('device').select('state').where('serial', '=', 'X2L0003').executeTakeFirstOrThrow();
    expect(stillIn.state).toBe('in_store');
  });
});
