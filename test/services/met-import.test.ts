import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { cedarMetRows, importedMetRows, importMetFile } from '../../src/services/metImport.js';
import { homeOfficeReturn } from '../../src/services/statistics.js';
import { ensureForce } from '../../src/services/setup.js';
import { insertBoroughs } from '../../src/db/repositories/organisation.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/met/${name}`, import.meta.url));
const SAMPLE = fixture('met-use-of-force-sample.csv');

describe.each(testDatabases())('importing and exporting the Met layout on %s', (kind) => {
  let svc: TestServices;
  beforeAll(async () => {
    svc = await openTestServices(kind);
    const force = await ensureForce(svc, SYSTEM_ACTOR, { name: 'Metropolitan Police Service', homeOfficeRegion: 'London', homeOfficeName: 'Metropolitan' });
    await insertBoroughs(svc.database.db, force.id, [{ name: 'Bexley', code: 'RY' }]);
  });
  afterAll(() => svc.cleanup());

  it('imports every readable row once, however often the file is imported', async () => {
    const first = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'sample.csv', bytes: SAMPLE });
    expect(first).toMatchObject({ problem: null, read: 30, imported: 30, alreadyPresent: 0, rejected: 0 });
    const again = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'sample.csv', bytes: SAMPLE });
    expect(again).toMatchObject({ read: 30, imported: 0, alreadyPresent: 30 });
    const rows = await svc.database.db.selectFrom('imported_report').select(['borough_id', 'borough_name']).execute();
    expect(rows).toHaveLength(30);
    expect(rows.filter((r) => r.borough_name === 'Bexley').every((r) => r.borough_id !== null)).toBe(true);
  });

  it('keeps identical rows apart: two officers at one incident can publish the same row', async () => {
    const [header, row] = parse(SAMPLE.toString('utf8').replace(/^\uFEFF/, ''), { to: 2 }) as string[][];
    const twice = Buffer.from(writeMetCsv([row!, row!], { header: false }).replace(/^/, `${writeMetCsv([], {}).trimEnd()}\r\n`));
    expect(header!.length).toBe(271);
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'twice.csv', bytes: twice });
    expect(r.read).toBe(2);
    expect(r.imported + r.alreadyPresent).toBe(2);
    expect(r.alreadyPresent).toBe(1); // the first copy is the sample's own row; the second is new
  });

  it('rejects unreadable rows with line and column, and imports the rest', async () => {
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'bad.csv', bytes: fixture('bad-rows.csv') });
    expect(r.read).toBe(r.imported + r.alreadyPresent + r.rejected);
    expect(r.rejected).toBeGreaterThan(0);
    expect(r.rejects[0]).toMatchObject({ line: expect.any(Number), message: expect.any(String) });
  });

  it('refuses a file of the wrong layout and stores nothing', async () => {
    const before = (await svc.database.db.selectFrom('imported_report').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const r = await importMetFile(svc, SYSTEM_ACTOR, { fileName: 'roster.csv', bytes: fixture('../roster-good.csv') });
    expect(r.problem).toMatch(/columns are missing: "IncidentDate"/);
    const after = (await svc.database.db.selectFrom('imported_report').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    expect(Number(after)).toBe(Number(before));
  });

  it('exports a period back in the same layout, the same rows order aside, and counts imported uses', async () => {
    const out: string[][] = [];
    for await (const page of importedMetRows(svc, '2000-01-01', '2031-01-01')) out.push(...page);
    for await (const page of cedarMetRows(svc, '2000-01-01', '2031-01-01')) out.push(...page);
    const original = (parse(SAMPLE.toString('utf8').replace(/^\uFEFF/, '')) as string[][]).slice(1);
    const key = (r: readonly string[]) => r.join('\u001f');
    const exported = new Set(out.map(key));
    expect(original.every((r) => exported.has(key(r)))).toBe(true);
    const r = await homeOfficeReturn(svc, { from: '2000-01-01', to: '2030-12-31' });
    expect(r.counts.total).toBeGreaterThan(0);
    expect(r.counts.total).toBe(r.counts.nonDischarge + r.counts.discharge + r.counts.notStated);
  });
});
