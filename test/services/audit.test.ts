import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import { insertBoroughs, listBoroughs } from '../../src/db/repositories/organisation.js';
import { verifyAuditLog } from '../../src/services/audit.js';
import { change, SYSTEM_ACTOR } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

describe.each(testDatabases())('audited changes on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    f = await smallForce(svc);
  });
  afterAll(() => svc.cleanup());

  it('a failed transaction leaves neither the change nor its entry', async () => {
    const entriesBefore = (await listAudit(svc.database.db, {}, { offset: 0, limit: 1 })).total;
    await expect(
      change(svc, SYSTEM_ACTOR, async (trx, audit) => {
        await insertBoroughs(trx, f.force.id, [{ name: 'Doomed', code: 'DD' }], svc.now().toISOString());
        await audit({ action: 'borough.create', entityType: 'borough', entityId: null, summary: {} });
        throw new Error('something failed after the audit entry was written');
      }),
    ).rejects.toThrow('something failed');
    expect((await listBoroughs(svc.database.db, f.force.id)).map((b) => b.name)).not.toContain('Doomed');
    expect((await listAudit(svc.database.db, {}, { offset: 0, limit: 1 })).total).toBe(entriesBefore);
  });

  it('concurrent changes still form one unbroken chain', async () => {
    await Promise.all(Array.from({ length: 24 }, (_, i) => createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ collarNumber: `${500 + i}CN`, boroughId: f.boroughs.camden.id }))));
    const result = await verifyAuditLog(svc);
    expect(result.ok).toBe(true);
    const { entries, total } = await listAudit(svc.database.db, {}, { offset: 0, limit: 1000 });
    expect(result.checked).toBe(total);
    expect(new Set(entries.map((e) => e.seq)).size).toBe(total);
  });

  it('chains many entries written in one call, in order', async () => {
    const before = (await listAudit(svc.database.db, {}, { offset: 0, limit: 1 })).total;
    await change(svc, SYSTEM_ACTOR, (_trx, audit) => audit(Array.from({ length: 1200 }, (_, i) => ({ action: 'test.bulk', entityType: 'test', entityId: String(i), summary: { i } }))));
    const { entries } = await listAudit(svc.database.db, { action: 'test.bulk' }, { offset: 0, limit: 2000 });
    expect(entries).toHaveLength(1200);
    expect(entries.map((e) => e.seq).sort((a, b) => a - b)[0]).toBe(before + 1);
    expect(entries.find((e) => e.entityId === '0')!.seq).toBe(before + 1);
    expect(entries.find((e) => e.entityId === '1199')!.seq).toBe(before + 1200);
    expect((await verifyAuditLog(svc)).ok).toBe(true);
  });

  it('verifies across page boundaries', async () => {
    const result = await verifyAuditLog(svc, { pageSize: 5 });
    expect(result.ok).toBe(true);
  });
});
