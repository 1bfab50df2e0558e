import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, fixedClock } from '../../src/services/context.js';
import { savePlan } from '../../src/services/uplift.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';
import { ROSTER_PLAN, rosterScenario } from '../support/roster-fixtures.js';

/** A Monday: the roster's 4 weeks are 9 November to 6 December 2026. */
const NOW = '2026-12-07T12:00:00Z';

/** The text of the cells of the row headed `label` in the table with the id given. */
function row(html: string, tableId: string, label: string): string[] {
  const table = new RegExp(`<table[^>]*id="${tableId}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  const m = new RegExp(`<th scope="row" class="govuk-table__header">${label}</th>([\\s\\S]*?)</tr>`).exec(table);
  return [...(m?.[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((x) =>
    x[1]!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

describe.each(testDatabases())('the coverage projection on the uplift page on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await rosterScenario(t.svc);
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
    await makeAccount(t, 'commander@test.police.uk', [{ role: 'borough_commander', boroughId: f.boroughs.camden.id }]);
  });
  afterAll(() => t.close());

  it('has no projection without a plan', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const page = await lead.get('/uplift');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Taser coverage as the plan goes');
  });

  it('shows each borough: the minimum, hours below it now and at the end of the plan, and when the gaps end', async () => {
    await savePlan(t.svc, SYSTEM_ACTOR, ROSTER_PLAN);
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const page = await lead.get('/uplift');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Taser coverage as the plan goes');
    expect(page.body).toContain('shifts from 9 November 2026 to 6 December 2026 (the last 4 weeks)');
    expect(row(page.body, 'coverage-boroughs', 'Lambeth')).toEqual(['1', '56 hours', '56 hours', 'Not within the plan']);
    const camden = row(page.body, 'coverage-boroughs', 'Camden');
    expect(camden.slice(0, 3)).toEqual(['1', '168 hours', 'None']);
    expect(camden[3]).toMatch(/^From [A-Z][a-z]+ 202[67]$/);
    // The hours below the minimum now, as runs.
    expect(page.body).toContain('<li>Monday 23:00 to Tuesday 07:00</li>');
    expect(page.body).toContain('<li>Sunday 23:00 to Monday 07:00</li>');
    expect(page.body).not.toContain('<li>Monday 00:00 to');
    expect(page.body).toContain('<li>Every hour of the week</li>');
    expect(page.body).toContain('Hours a week below the minimum at the end of each month of the plan, by borough');
  });

  it('shows a borough commander their borough only', async () => {
    const commander = await signInAs(t.app, 'commander@test.police.uk');
    const page = await commander.get('/uplift');
    expect(page.statusCode).toBe(200);
    expect(row(page.body, 'coverage-boroughs', 'Camden')[1]).toBe('168 hours');
    expect(row(page.body, 'coverage-boroughs', 'Lambeth')).toEqual([]);
  });
});

describe.each(testDatabases())('the uplift page with a plan and no shifts on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    await smallForce(t.svc);
    await savePlan(t.svc, SYSTEM_ACTOR, ROSTER_PLAN);
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
  });
  afterAll(() => t.close());

  it('says there is no roster to project from', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const page = await lead.get('/uplift');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No shifts are stored yet, so there is no roster to project coverage from.');
    expect(page.body).not.toContain('id="coverage-boroughs"');
  });
});
