import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/permissions.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { importShifts } from '../../src/services/shifts.js';
import { type Client, makeAccount, openTestApp, pageText, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';

/* Issue 14: the shift briefing pages on both databases — proposal, saving with one change, errors, a stale form, the lapse flag, the pre-filled gate, who may. */
const NOW = '2027-03-31T20:45:00Z'; // 21:45 in London: the 22:00 night shift's briefing is on

/** The values a form sends as the page shows it: inputs by value, selects by their selected option. */
export function formValues(html: string): Record<string, string> {
  const form = /<form method="post" action="\/briefing\/[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    if (name && name !== '_csrf') out[name] = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
  }
  for (const m of form.matchAll(/<select\b[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)"[^>]*selected/.exec(m[2]!);
    out[m[1]!] = selected?.[1] ?? /<option value="([^"]*)"/.exec(m[2]!)?.[1] ?? '';
  }
  return out;
}

describe.each(testDatabases())('the shift briefing pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const c: Record<string, Client> = {};
  const ids: Record<string, string> = {};
  const devices: Record<string, string> = {};
  let url = '';

  const text = (html: string) => pageText(html, '’');

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    const officers: [string, string, string, string | null][] = [
      ['800LX', 'Sergeant', 'Stone', '2026-12-01'],
      ['501LX', 'Police Constable', 'Adams', '2026-10-01'],
      ['502LX', 'Police Constable', 'Bell', '2026-04-01'], // lapses on 1 April 2027, mid-shift
      ['503LX', 'Police Constable', 'Cole', null],
      ['504LX', 'Police Constable', 'Dunn', null],
    ];
    for (const [collar, rank, lastName, passed] of officers) {
      const o = await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, rank, lastName, boroughId: f.boroughs.lambeth.id }));
      ids[collar] = o.id;
      if (passed) await recordPasses(t.svc, [{ officerId: o.id, course: 'initial-x2', on: passed }]);
    }
    const made = await registerDevices(t.svc, SYSTEM_ACTOR, [
      { serial: 'X2L0001', model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null } },
      { serial: 'X2L0002', model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null } },
    ]);
    for (const [serial, id] of made) devices[serial] = id;
    const rows = Object.keys(ids).map((collar) => `${collar},2027-03-31,22:00,07:00,Lambeth,Lambeth Emergency Response A,`);
    await importShifts(t.svc, SYSTEM_ACTOR, { fileName: 'shifts.csv', bytes: new TextEncoder().encode(['collar_number,date,start,end,borough,team,call_sign', ...rows].join('\n')), source: 'cli' });
    const people: [string, Role, string | null][] = [
      ['sgt', 'supervisor', f.boroughs.lambeth.id],
      ['camdensgt', 'supervisor', f.boroughs.camden.id],
      ['commander', 'borough_commander', f.boroughs.lambeth.id],
      ['armourer', 'armourer', null],
    ];
    for (const [who, role, borough] of people) {
      await makeAccount(t, `${who}@test.police.uk`, [{ role, boroughId: borough }]);
      c[who] = await signInAs(t.app, `${who}@test.police.uk`);
    }
    url = `/briefing/${f.boroughs.lambeth.id}/2027-03-31/2200?team=${f.teams.lambethResponse.id}`;
  });
  afterAll(() => t.close());

  it('opens on the sergeant’s shift whose briefing is on now', async () => {
    const res = await c.sgt!.get('/briefing');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="${url.replace(/&/g, '&amp;')}"`);
    expect(text(res.body)).toContain('Your team’s shift: Lambeth, Lambeth Emergency Response A');
    expect(res.body).toMatch(/<a class="govuk-service-navigation__link" href="\/briefing" aria-current="true">/);
  });

  it('shows who is on duty, their authority and the lapse, the free devices and the proposed crews', async () => {
    const res = await c.sgt!.get(url);
    expect(res.statusCode).toBe(200);
    const body = text(res.body);
    expect(body).toContain('Proposed crews (not saved yet): 3 crews, 2 with a Taser');
    expect(body).toMatch(/PC Asha Bell Police Constable, collar 502LX[^]*X2: authorised until 31 March 2027 Lapses before the shift ends/);
    expect(body).toContain('PS Asha Stone Sergeant, collar 800LX');
    expect(body).toContain('503LX; until');
    expect(res.body).toMatch(/<td class="govuk-table__cell">X2L0001<\/td><td class="govuk-table__cell">X2<\/td>/);
    const form = formValues(res.body);
    expect(form[`crew-${ids['800LX']}`]).toBe('1');
    expect(form[`role-${ids['800LX']}`]).toBe('solo');
    expect(form[`device-${ids['800LX']}`]).toBe(devices.X2L0001);
    expect(form[`crew-${ids['501LX']}`]).toBe('2');
    expect(form[`device-${ids['501LX']}`]).toBe(devices.X2L0002);
    expect(form['callSign-0']).toBe('LX1');
    expect(form.revision).toBe('');
    expect(res.body).toContain('Save crews');
    expect(res.body).not.toContain('/armoury/officer?'); // no sign-out until the crews are saved
  });

  it('names each problem in the error summary and keeps what was sent', async () => {
    const form = formValues((await c.sgt!.get(url)).body);
    form['callSign-3'] = 'LX9';
    form[`crew-${ids['504LX']}`] = '4'; // a constable alone
    form['callSign-1'] = '';
    const res = await c.sgt!.post(url.split('?')[0]!, form);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('There is a problem');
    expect(res.body).toContain(`href="#role-${ids['504LX']}"`);
    expect(res.body).toContain('href="#callSign-1"');
    expect(text(res.body)).toContain('may not deploy alone under the crewing policy');
    expect(formValues(res.body)[`crew-${ids['504LX']}`]).toBe('4');
  });

  it('saves the proposal with one change, flags the crew whose carrier lapses, and offers the gate pre-filled', async () => {
    const form = formValues((await c.sgt!.get(url)).body);
    // The change: Bell (502LX) carries in crew 2 instead of Adams (501LX), who partners her.
    form[`crew-${ids['502LX']}`] = '2';
    form[`role-${ids['502LX']}`] = 'carrier';
    form[`device-${ids['502LX']}`] = devices.X2L0002!;
    form[`role-${ids['501LX']}`] = 'partner';
    form[`device-${ids['501LX']}`] = '';
    form[`crew-${ids['503LX']}`] = '3';
    const res = await c.sgt!.post(url.split('?')[0]!, form);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${url}&saved=1`);
    const page = await c.sgt!.get(res.headers.location as string);
    const body = text(page.body);
    expect(body).toContain('Crews saved: 3 crews, 2 with a Taser');
    expect(body).toContain('Crews saved by sgt@test.police.uk');
    expect(body).toMatch(/Crew 2 Taser Carrier’s authority lapses during the shift/);
    expect(body).not.toMatch(/Crew 1 Taser Carrier’s/);
    expect(body).toContain('1 crew has a carrier whose authority lapses before the shift ends: flagged below.');
    const gate = /href="(\/armoury\/officer\?[^"]*collar=502LX[^"]*)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    expect(gate).toBe(`/armoury/officer?store=${encodeURIComponent(`borough:${f.boroughs.lambeth.id}`)}&collar=502LX&device=X2L0002&shiftEnd=0700`);
    expect(page.body).toContain('collar=800LX&amp;device=X2L0001');
    expect(formValues(page.body).revision).toBe('0');

    // The gate opens on the officer with the device and the shift's end filled in.
    const counter = await c.sgt!.get(gate!);
    expect(counter.statusCode).toBe(200);
    const input = (name: string) => new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(counter.body)?.[0].replace(/\s+/g, ' ');
    expect(input('deviceSerial')).toContain('value="X2L0002"');
    expect(input('shiftEnd')).toContain('value="07:00"');
    expect(input('collar')).toContain('value="502LX"');
  });

  it('tells a sergeant whose form is stale, keeping the other’s crews', async () => {
    const form = formValues((await c.sgt!.get(url)).body);
    form.revision = ''; // as opened before the crews were saved
    form['callSign-0'] = 'LX77';
    const res = await c.sgt!.post(url.split('?')[0]!, form);
    expect(res.statusCode).toBe(409);
    expect(text(res.body)).toContain('Someone else saved the crews for this shift a moment ago: nothing you sent was saved.');
    expect(formValues(res.body)['callSign-0']).toBe('LX1');
  });

  it('lets a commander read but not save, keeps other boroughs’ sergeants out, and the armourer away', async () => {
    const read = await c.commander!.get(url);
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain('Save crews');
    expect((await c.commander!.post(url.split('?')[0]!, formValues(read.body))).statusCode).toBe(403);
    expect((await c.camdensgt!.get(url)).statusCode).toBe(404);
    expect((await c.armourer!.get('/briefing')).statusCode).toBe(403);
    expect((await c.sgt!.get(`/briefing/${f.boroughs.lambeth.id}/2027-03-31/2500`)).statusCode).toBe(404);
  });
});
