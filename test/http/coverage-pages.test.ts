import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTRAL_STORE } from '../../src/domain/devices/register.js';
import { SYSTEM_ACTOR, fixedClock } from '../../src/services/context.js';
import { registerDevices } from '../../src/services/devices.js';
import { importDeviceIssues } from '../../src/services/import-devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { importShifts } from '../../src/services/shifts.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, recordPasses, smallForce, type SmallForce } from '../support/fixtures.js';

/** Thursday 22 October 2026, 12:00 BST: the week is Monday 19 to Sunday 25 October (the clocks go back on the Sunday). */
const NOW = '2026-10-22T11:00:00Z';
const bytes = (text: string) => new TextEncoder().encode(text);

/** The text of the cells of the table row headed by `label` (a link or plain text). */
function row(html: string, label: string): string[] {
  const m = new RegExp(`<th scope="row" class="govuk-table__header">(?:<a [^>]*>)?${label}(?:</a>)?</th>([\\s\\S]*?)</tr>`).exec(html);
  return [...(m?.[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((x) =>
    x[1]!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

describe.each(testDatabases())('coverage pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    const lambeth = f.boroughs.lambeth.id;
    const ids: string[] = [];
    for (const collar of ['1LX', '2LX', '3LX', '4LX']) ids.push((await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, boroughId: lambeth }))).id);
    await recordPasses(
      t.svc,
      ids.map((officerId) => ({ officerId, course: 'initial-x2', on: '2026-02-01' })),
    );
    // Tuesday 20 October, 07:00 to 15:00: four officers, two carrying — two crews, the minimum met.
    const shifts = ['1LX', '2LX', '3LX', '4LX'].map((c) => `${c},2026-10-20,07:00,15:00,Lambeth,,`);
    expect(
      (await importShifts(t.svc, SYSTEM_ACTOR, { fileName: 's.csv', bytes: bytes(['collar_number,date,start,end,borough,team,call_sign', ...shifts].join('\n') + '\n'), source: 'cli' })).rejected,
    ).toEqual([]);
    await registerDevices(
      t.svc,
      SYSTEM_ACTOR,
      ['PG-1', 'PG-2'].map((serial) => ({ serial, model: 'X2', armoury: CENTRAL_STORE })),
    );
    const issues = ['PG-1,1LX,2026-10-20T05:45:00Z,2026-10-20T14:10:00Z', 'PG-2,2LX,2026-10-20T05:45:00Z,2026-10-20T09:30:00Z'];
    expect((await importDeviceIssues(t.svc, SYSTEM_ACTOR, { fileName: 'i.csv', bytes: bytes(['device_serial,collar_number,issued_at,returned_at', ...issues].join('\n') + '\n') })).rejected).toEqual(
      [],
    );
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
    await makeAccount(t, 'commander@test.police.uk', [{ role: 'borough_commander', boroughId: f.boroughs.camden.id }]);
    await makeAccount(t, 'pc@test.police.uk', [{ role: 'officer', boroughId: null }]);
  });
  afterAll(() => t.close());

  it('is for those who may read shifts, linked from their navigation only', async () => {
    const pc = await signInAs(t.app, 'pc@test.police.uk');
    expect((await pc.get('/coverage')).statusCode).toBe(403);
    expect((await pc.get(`/coverage/boroughs/${f.boroughs.lambeth.id}`)).statusCode).toBe(403);
    expect((await pc.get('/')).body).not.toContain('href="/coverage"');
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    expect((await lead.get('/')).body).toContain('href="/coverage"');
  });

  it('shows the force view for the week: hours below the minimum and the worst hour per borough', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const res = await lead.get('/coverage');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Operational: not for publication');
    // 169 real hours (the clocks go back on the Sunday); Lambeth meets the minimum at 07:00, 08:00, 09:00 and 10:00 BST on the Tuesday (PG-2 back at 10:30).
    expect(row(res.body, 'Lambeth')).toEqual(['165', '169', 'Mon 19 Oct 2026, 00:00 BST: 0 of 2']);
    expect(row(res.body, 'Camden')).toEqual(['169', '169', 'No shifts recorded']);
    expect(res.body).toContain(`href="/coverage/boroughs/${f.boroughs.lambeth.id}?week=2026-10-19"`);
    expect(res.body).not.toContain('id="no-shifts"');
    // Another week: no shifts, and how to import them.
    const empty = await lead.get('/coverage?week=2026-11-04');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('id="no-shifts"');
    expect(empty.body).toContain('cedar import shifts FILE');
    expect(empty.body).toContain('?week=2026-10-26');
  });

  it('refuses a week that is not a date', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const res = await lead.get('/coverage?week=2026-13-01');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Enter the week as a date');
  });

  it('shows a borough’s week as an accessible heat map with its table, the hours below the minimum and the trend by month', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const res = await lead.get(`/coverage/boroughs/${f.boroughs.lambeth.id}?week=2026-10-21`);
    expect(res.statusCode).toBe(200);
    const svg = /<svg[^>]*aria-labelledby="coverage-map-title coverage-map-desc"[\s\S]*?<\/svg>/.exec(res.body)?.[0] ?? '';
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="coverage-map-title">Taser-equipped crews on duty in Lambeth, hour by hour');
    expect(svg).toContain('<desc id="coverage-map-desc">165 of 169 hours below the minimum.');
    expect(svg.match(/<rect [^>]*width="26" height="24"/g)).toHaveLength(7 * 24);
    // The table beside it: Tuesday 07:00 to 10:00 two crews, 11:00 one (PG-2 back); off duty at 15:00.
    const tuesday = row(res.body, 'Tue 20 Oct');
    expect(tuesday).toHaveLength(24);
    expect(tuesday.slice(6, 16)).toEqual(['0 / 2', '2 / 2', '2 / 2', '2 / 2', '2 / 2', '1 / 2', '1 / 2', '1 / 2', '1 / 2', '0 / 2']);
    expect(row(res.body, 'Sun 25 Oct')[1]).toBe('0 / 2');
    expect(res.body).toContain('Hours below the minimum (165)');
    expect(row(res.body, 'Tue 20 Oct 2026, 11:00 BST')).toEqual(['4', '4', '1', '1', '2']);
    expect(row(res.body, 'Oct 2026')).toEqual(['745', '741']);
    expect(row(res.body, 'May 2026')).toEqual(['744', '744']);
  });

  it('shows a borough commander their borough only', async () => {
    const commander = await signInAs(t.app, 'commander@test.police.uk');
    const res = await commander.get('/coverage');
    expect(res.statusCode).toBe(200);
    expect(row(res.body, 'Camden')).toHaveLength(3);
    expect(res.body).not.toContain('Lambeth</a>');
    expect((await commander.get(`/coverage/boroughs/${f.boroughs.lambeth.id}`)).statusCode).toBe(404);
    expect((await commander.get(`/coverage/boroughs/${f.boroughs.camden.id}`)).statusCode).toBe(200);
  });
});
