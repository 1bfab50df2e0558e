import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Role } from '../../src/domain/permissions.js';
import { createApiToken } from '../../src/services/accounts.js';
import { fixedClock, SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { makeAccount, openTestApp, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

/* Issue 14: a duty-rostering system sends shifts, POST /api/v1/shifts (CSV), on both databases. */
const HEADER = 'collar_number,date,start,end,borough,team,call_sign';
describe.each(testDatabases())('the shifts API on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const tokens: Record<string, string> = {};
  const post = (who: string, body: string, opts: { type?: string; query?: string } = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/shifts${opts.query ?? ''}`,
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': opts.type ?? 'text/csv; charset=utf-8' },
      payload: body,
    });
  const csv = (...rows: string[]) => [HEADER, ...rows].join('\r\n') + '\r\n';
  const shifts = async () =>
    Number(
      (
        await t.svc.database.db
          .selectFrom('shift')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock('2026-11-20T09:00:00Z') });
    f = await smallForce(t.svc);
    for (const collar of ['100LX', '200LX']) await createOfficer(t.svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: collar, boroughId: f.boroughs.lambeth.id }));
    const people: [string, Role, string[] | undefined][] = [
      ['roster', 'administrator', ['shifts:write']],
      ['reader', 'administrator', ['officers:read']],
      ['sgt', 'supervisor', undefined],
    ];
    for (const [who, role, scopes] of people) {
      await makeAccount(t, `${who}@test.police.uk`, [{ role, boroughId: null }]);
      tokens[who] = (await createApiToken(t.svc, SYSTEM_ACTOR, `${who}@test.police.uk`, who, scopes ? { scopes } : {})).token;
    }
  });
  afterAll(() => t.close());

  it('stores a roster with 201 and its summary, and changes nothing when it is sent again', async () => {
    const body = csv('100LX,2026-11-21,07:00,15:00,Lambeth,Lambeth Emergency Response A,LX21', '200LX,2026-11-21,22:00,07:00,LX,,');
    const dry = await post('roster', body, { query: '?dryRun=true' });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toEqual({ dryRun: true, read: 2, inserted: 2, replaced: 0, removed: 0, unchanged: 0 });
    expect(await shifts()).toBe(0);

    const r = await post('roster', body);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toEqual({ dryRun: false, read: 2, inserted: 2, replaced: 0, removed: 0, unchanged: 0 });
    expect(await shifts()).toBe(2);
    const again = await post('roster', body);
    expect(again.json()).toEqual({ dryRun: false, read: 2, inserted: 0, replaced: 0, removed: 0, unchanged: 2 });

    const changed = await post('roster', csv('100LX,2026-11-21,07:00,16:00,Lambeth,,LX21'));
    expect(changed.json()).toMatchObject({ replaced: 1 });
    const audit = await t.svc.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('action', 'like', 'shift.%').orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['shift.import', 'shift.import', 'shift.replace', 'shift.import']);
  });

  it('refuses a roster with problems with 422, every problem by line and column, storing nothing', async () => {
    const before = await shifts();
    const r = await post('roster', csv('100LX,2026-11-22,07:00,15:00,Lambeth,,', '999ZZ,2026-11-22,07:00,15:00,Lambeth,,', '200LX,2026-11-22,7am,15:00,Lambeth,Nowhere Team,'));
    expect(r.statusCode, r.body).toBe(422);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json().detail).toBe('2 of 3 rows have errors; nothing was imported.');
    expect(r.json().errors.map((e: { line: number; column: string }) => [e.line, e.column])).toEqual([
      [3, 'collar_number'],
      [4, 'start'],
      [4, 'team'],
    ]);
    expect(await shifts()).toBe(before);
  });

  it('leaves a NUL in the CSV body to the reader, which names its line and column, and never walks the bytes one by one', async () => {
    const before = await shifts();
    const entries = vi.spyOn(Object, 'entries');
    try {
      const r = await post('roster', csv('100LX,2026-11-24,07:00,15:00,Lambeth,,', '200LX,2026-11-24,07:00,15:00,Lam\0beth,,'));
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json().errors).toEqual([expect.objectContaining({ line: 3, column: 'borough' })]);
      expect(r.json().errors[0].message).toContain('NUL');
      // The NUL check at the edge walks parsed bodies (forms, JSON), not bytes: a 14 MB roster
      // walked as an object was 14 million [index, byte] pairs (2.4 GB, 40 s).
      expect(entries.mock.calls.filter(([v]) => ArrayBuffer.isView(v))).toEqual([]);
    } finally {
      entries.mockRestore();
    }
    expect(await shifts()).toBe(before);
  });

  it('needs the CSV content type, the scope shifts:write and the permission', async () => {
    const body = csv('100LX,2026-11-23,07:00,15:00,Lambeth,,');
    expect((await post('roster', JSON.stringify([{ collar_number: '100LX' }]), { type: 'application/json' })).statusCode).toBe(422);
    const noScope = await post('reader', body);
    expect(noScope.statusCode).toBe(403);
    expect(noScope.json().detail).toContain('shifts:write');
    expect((await post('sgt', body)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/shifts', headers: { 'content-type': 'text/csv' }, payload: body })).statusCode).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths['/api/v1/shifts'].post.requestBody.content)).toEqual(['text/csv']);
    expect(doc.paths['/api/v1/shifts'].post.responses['422']).toBeDefined();
    expect(doc.components.schemas.ShiftImportSummary.required).toEqual(['dryRun', 'read', 'inserted', 'replaced', 'removed', 'unchanged']);
  });
});
