import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/services/accounts.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { registerDevices } from '../../src/services/devices.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { entries, logCsv } from '../support/device-logs.js';
import { smallForce } from '../support/fixtures.js';

/* Issue 13: POST /api/v1/device-logs for a download station, and the armourers' page at /devices/logs, on both databases. */
const NOW = '2027-04-01T06:30:00Z';

/** A multipart/form-data body: the CSRF field, and the file when given. */
function multipart(csrf: string | null, file: { name: string; text: string } | null) {
  const boundary = '----cedar-test-boundary';
  let body = '';
  if (csrf !== null) body += `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`;
  if (file) body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.text}\r\n`;
  body += `--${boundary}--\r\n`;
  return { payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe.each(testDatabases())('device logs through the API and the page on %s', (kind) => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let armourer: Client;
  let commander: Client;
  const count = async () =>
    Number(
      (
        await t.svc.database.db
          .selectFrom('device_log_entry')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    const f = await smallForce(t.svc);
    const lambeth = { boroughId: f.boroughs.lambeth.id, teamId: null };
    await registerDevices(t.svc, SYSTEM_ACTOR, [
      { serial: 'X2L0001', model: 'X2', armoury: lambeth, inServiceOn: '2025-01-01' },
      { serial: 'X2L0002', model: 'X2', armoury: lambeth, inServiceOn: '2027-01-01' },
      { serial: 'X2L0003', model: 'X2', armoury: lambeth, inServiceOn: '2025-06-01' },
    ]);
    await makeAccount(t, 'armourer@test.police.uk', [{ role: 'armourer', boroughId: null }]);
    await makeAccount(t, 'commander@test.police.uk', [{ role: 'borough_commander', boroughId: f.boroughs.lambeth.id }]);
    tokens.write = (await createApiToken(t.svc, SYSTEM_ACTOR, 'armourer@test.police.uk', 'dock', { scopes: ['devices:read', 'devices:write'] })).token;
    tokens.read = (await createApiToken(t.svc, SYSTEM_ACTOR, 'armourer@test.police.uk', 'viewer', { scopes: ['devices:read'] })).token;
    armourer = await signInAs(t.app, 'armourer@test.police.uk');
    commander = await signInAs(t.app, 'commander@test.police.uk');
  });
  afterAll(() => t.close());

  const send = (token: string, body: string, type = 'text/csv') =>
    t.app.inject({ method: 'POST', url: '/api/v1/device-logs', headers: { authorization: `Bearer ${token}`, 'content-type': type, 'x-file-name': 'dock-7.csv' }, payload: body });

  it('imports a log sent by a station: 201 with the summary, and nothing new when sent again', async () => {
    const body = logCsv([...entries('X2L0001', 1, 6), ...entries('X2Z9999', 1, 2)]);
    const res = await send(tokens.write!, body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ read: 8, added: 8, alreadyPresent: 0, devices: 2, unknownSerials: ['X2Z9999'] });
    const again = await send(tokens.write!, body);
    expect(again.json()).toMatchObject({ added: 0, alreadyPresent: 8 });
    const download = await t.svc.database.db.selectFrom('device_log_download').selectAll().where('device_serial', '=', 'X2L0001').executeTakeFirstOrThrow();
    expect([download.source, download.file_name]).toEqual(['api', 'dock-7.csv']);
  });

  it('refuses a log with problems: 422 with each line and column, and stores nothing', async () => {
    const before = await count();
    const res = await send(
      tokens.write!,
      logCsv([...entries('X2L0001', 10, 11), { device_serial: 'X2L0001', sequence: 12, device_time: 'yesterday' }, { device_serial: 'X2L0001', sequence: 13, event: 'time_sync', duration_s: '' }]),
    );
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toEqual([
      { line: 4, column: 'device_time', message: expect.stringContaining('"yesterday" is not a date and time') },
      { line: 5, column: 'true_time', message: expect.stringContaining('needs the true time') },
    ]);
    expect(await count()).toBe(before);
  });

  it('refuses a token without devices:write, and a body that is not CSV', async () => {
    const res = await send(tokens.read!, logCsv(entries('X2L0001', 20, 20)));
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('devices:write');
    expect((await send(tokens.write!, '{"a":1}', 'application/json')).statusCode).toBe(415);
  });

  it('documents the endpoint in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths['/api/v1/device-logs'].post.responses)).toEqual(expect.arrayContaining(['201', '422', '403']));
    expect(doc.paths['/api/v1/device-logs'].post.requestBody.content['text/csv']).toBeDefined();
  });

  it('lists the devices overdue for a download, with why, and the recent downloads', async () => {
    const res = await armourer.get('/devices/logs');
    expect(res.statusCode).toBe(200);
    // X2L0001 was downloaded today and X2L0002 went into service on 1 January 2027: neither is due. X2L0003 has been in service since June 2025.
    expect(res.body).toContain('1 device is overdue');
    expect(res.body).toMatch(/X2L0003<\/a>[\s\S]*Never downloaded: due 12 months after 1 June 2025, on 1 June 2026/);
    expect(res.body).not.toMatch(/X2L0002<\/a>/);
    expect(res.body).toContain('dock-7.csv');
    expect(res.body).toContain('href="/devices/logs"');
    const view = await commander.get('/devices/logs');
    expect(view.statusCode).toBe(200);
    expect(view.body).not.toContain('Upload and import');
  });

  it('uploads a good file and shows what was imported', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/devices/logs', ...withCookie(armourer, multipart(armourer.csrf, { name: 'dock-8.csv', text: logCsv(entries('X2L0002', 1, 5)) })) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('dock-8.csv imported');
    expect(res.body).toMatch(/5 rows read: 5 added, 0 already held, from 1 device\./);
  });

  it('refuses a bad file with an error summary naming each line and column, storing nothing', async () => {
    const before = await count();
    const bad = logCsv([...entries('X2L0002', 6, 7), { device_serial: 'X2L0002', sequence: 8, battery_pct: 140 }]);
    const res = await t.app.inject({ method: 'POST', url: '/devices/logs', ...withCookie(armourer, multipart(armourer.csrf, { name: 'bad.csv', text: bad })) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    expect(res.body).toContain('Line 4, column battery_pct: &quot;140&quot; is not a battery percentage');
    expect(res.body).toContain('href="#file"');
    expect(await count()).toBe(before);
    const none = await t.app.inject({ method: 'POST', url: '/devices/logs', ...withCookie(armourer, multipart(armourer.csrf, null)) });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Select the device log file (CSV) to upload');
  });

  it('checks the form token on an upload, and refuses one from an account that cannot change devices', async () => {
    const forged = await t.app.inject({ method: 'POST', url: '/devices/logs', ...withCookie(armourer, multipart('not-the-token', { name: 'x.csv', text: logCsv(entries('X2L0002', 30, 30)) })) });
    expect(forged.statusCode).toBe(403);
    const missing = await t.app.inject({ method: 'POST', url: '/devices/logs', ...withCookie(armourer, multipart(null, { name: 'x.csv', text: logCsv(entries('X2L0002', 30, 30)) })) });
    expect(missing.statusCode).toBe(403);
    const commanderTry = await t.app.inject({ method: 'POST', url: '/devices/logs', ...withCookie(commander, multipart(commander.csrf, { name: 'x.csv', text: logCsv(entries('X2L0002', 30, 30)) })) });
    expect(commanderTry.statusCode).toBe(403);
    expect(await t.svc.database.db.selectFrom('device_log_entry').select('sequence').where('sequence', '=', 30).execute()).toEqual([]);
  });
});

function withCookie(c: Client, m: { payload: string; headers: Record<string, string> }) {
  return { payload: m.payload, headers: { ...m.headers, cookie: c.cookie } };
}
