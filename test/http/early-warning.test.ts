import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/services/context.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';
import { EW_NOW, earlyWarningScenario } from '../support/early-warning-fixtures.js';

/** The text of each row of the table with the id given, cells trimmed. */
function rows(html: string, tableId: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${tableId}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  const body = /<tbody[\s\S]*?<\/tbody>/.exec(table)?.[0] ?? '';
  return [...body.matchAll(/<tr[\s\S]*?<\/tr>/g)].map((r) =>
    [...r[0].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) =>
      c[1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
}

describe.each(testDatabases())('the early warning pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let ids: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(EW_NOW.toISOString()) });
    ({ f, ids } = await earlyWarningScenario(t.svc));
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
    await makeAccount(t, 'psd@test.police.uk', [{ role: 'professional_standards', boroughId: null }]);
    await makeAccount(t, 'commander@test.police.uk', [{ role: 'borough_commander', boroughId: f.boroughs.camden.id }]);
    await makeAccount(t, 'armourer@test.police.uk', [{ role: 'armourer', boroughId: null }]);
    await makeAccount(t, 'admin@test.police.uk', [{ role: 'administrator', boroughId: null }]);
  }, 60_000);
  afterAll(() => t.close());

  it('lists officers by uses per 100 shifts beside their borough median, too few shifts last', async () => {
    const psd = await signInAs(t.app, 'psd@test.police.uk');
    const page = await psd.get('/officers/early-warning');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('from 8 December 2025 to 7 December 2026');
    const table = rows(page.body, 'early-warning').map((r) => [r[1], r[3], r[4], r[5], r[6]]);
    expect(table).toEqual([
      ['1001LX', '40', '4', '10.0 (above the borough median)', '5.0'],
      ['1002LX', '20', '1', '5.0', '5.0'],
      ['2001CN', '25', '1', '4.0', '4.0'],
      ['1003LX', '40', '0', '0.0', '5.0'],
      ['1004LX', '10', '2', 'Too few shifts to compare', '5.0'],
    ]);
    expect(page.body).toContain(`href="/officers/${ids['1001LX']}"`);
    expect(page.body).toContain('Each borough&#39;s median uses per 100 shifts');
  });

  it('counts the period asked for, and names a bad field', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const june = await lead.get('/officers/early-warning?from=2026-06-01&to=2026-06-30');
    expect(june.statusCode).toBe(200);
    expect(rows(june.body, 'early-warning')[0]!.slice(1, 6)).toEqual(['1001LX', 'Lambeth', '30', '3', '10.0 (above the borough median)']);
    const bad = await lead.get('/officers/early-warning?from=2026-13-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('href="#from"');
    expect(bad.body).toContain('Enter the first day as a real day');
    const none = await lead.get('/officers/early-warning?from=2020-01-01&to=2020-12-31');
    expect(none.body).toContain('id="early-warning-empty"');
    expect(none.body).not.toContain('id="early-warning"');
  });

  it('shows a borough commander their borough only', async () => {
    const commander = await signInAs(t.app, 'commander@test.police.uk');
    const page = await commander.get('/officers/early-warning');
    expect(page.statusCode).toBe(200);
    expect(rows(page.body, 'early-warning').map((r) => r[1])).toEqual(['2001CN']);
  });

  it('is not for armourers, administrators or anyone signed out', async () => {
    for (const who of ['armourer@test.police.uk', 'admin@test.police.uk']) {
      const c = await signInAs(t.app, who);
      expect((await c.get('/officers/early-warning')).statusCode).toBe(403);
      expect((await c.get('/officers')).body).not.toContain('href="/officers/early-warning"');
      expect((await c.get(`/officers/${ids['1001LX']}`)).body).not.toContain('id="early-warning"');
    }
    expect((await t.app.inject({ method: 'GET', url: '/officers/early-warning' })).statusCode).toBe(303);
  });

  it("shows the officer's own figure and the borough median on their profile, and links the page from the list", async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    expect((await lead.get('/officers')).body).toContain('href="/officers/early-warning"');
    const profile = await lead.get(`/officers/${ids['1001LX']}`);
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain('id="early-warning"');
    const text = profile.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Shifts 40');
    expect(text).toContain('Taser uses 4');
    expect(text).toContain('Uses per 100 shifts 10.0');
    expect(text).toContain('Median of the borough 5.0');
    const few = (await lead.get(`/officers/${ids['1004LX']}`)).body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(few).toContain('Too few shifts to compare (fewer than 20)');
  });
});

describe.each(testDatabases())('the early warning page without shifts on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(EW_NOW.toISOString()) });
    await smallForce(t.svc);
    await makeAccount(t, 'psd@test.police.uk', [{ role: 'professional_standards', boroughId: null }]);
  });
  afterAll(() => t.close());

  it('says there are no officers to show', async () => {
    const psd = await signInAs(t.app, 'psd@test.police.uk');
    const page = await psd.get('/officers/early-warning');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No officers to show');
  });
});
