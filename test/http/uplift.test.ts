import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.js';
import * as officersRepo from '../../src/db/repositories/officers.js';
import * as trainingRepo from '../../src/db/repositories/training.js';
import { officerInput } from '../../src/domain/organisation.js';
import { parseInput } from '../../src/domain/validation.js';
import { londonDate } from '../../src/domain/calendar.js';
import { SYSTEM_ACTOR, fixedClock } from '../../src/services/context.js';
import { seedNationalCourseTypes } from '../../src/services/training.js';
import { makeAccount, openTestApp, signInAs, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';

/** The pages count from the services' clock, stopped here: 00:30 in London on 1 April, the first day of a month and of a financial year. */
const NOW = '2026-03-31T23:30:00Z';
const today = () => londonDate(new Date(NOW));

/** A day `n` days from today (negative: before). */
function daysFromToday(n: number): string {
  const d = new Date(`${today()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
const firstOfMonth = (monthsFromNow: number) => {
  const d = new Date(`${today().slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + monthsFromNow);
  return d.toISOString().slice(0, 10);
};
const parts = (day: string) => ({ day: String(Number(day.slice(8, 10))), month: String(Number(day.slice(5, 7))), year: day.slice(0, 4) });

/** The settings form as a person fills it in. */
function planForm(over: Record<string, string> = {}) {
  const starts = parts(firstOfMonth(-2));
  const deadline = parts(daysFromToday(700));
  return {
    'startsOn-day': starts.day,
    'startsOn-month': starts.month,
    'startsOn-year': starts.year,
    'deadline-day': deadline.day,
    'deadline-month': deadline.month,
    'deadline-year': deadline.year,
    baselineAuthorised: '2',
    targetAuthorised: '20',
    targetDevices: '10',
    boroughMinimum: '2',
    emergencyResponsePercent: '93',
    trainers: '1',
    trainersPerSession: '1',
    trainingDaysPerTrainerPerMonth: '6',
    initialSeatsPerSession: '2',
    refresherSeatsPerSession: '4',
    initialCourseDays: '3',
    refresherCourseDays: '1',
    initialPassRatePercent: '100',
    refresherPassRatePercent: '100',
    annualAttritionPercent: '0',
    plannedInitialSessionsPerMonth: '1',
    ...over,
  };
}

/** The text of the cells of the table row headed `label`. */
function row(html: string, label: string): string[] {
  const m = new RegExp(`<th scope="row" class="govuk-table__header">${label}</th>([\\s\\S]*?)</tr>`).exec(html);
  return [...(m?.[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((x) =>
    x[1]!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

/** The value of the text input called `name`. */
function inputValue(html: string, name: string): string | undefined {
  const input = [...html.matchAll(/<input\b[^>]*>/g)].map((m) => m[0].replace(/\s+/g, ' ')).find((i) => i.includes(` name="${name}"`));
  return input ? /value="([^"]*)"/.exec(input)?.[1] : undefined;
}

const authorisedNow = (html: string) => Number(/<span class="cedar-stat" id="authorised-now">([\d,]+)<\/span>/.exec(html)?.[1]?.replace(/,/g, '') ?? NaN);

describe.each(testDatabases())('uplift pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  const id: Record<string, string> = {};
  let course: Map<string, string>;

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: fixedClock(NOW) });
    f = await smallForce(t.svc);
    const db = t.svc.database.db;
    const people: [string, string | null, string][] = [
      ['trained', f.boroughs.lambeth.id, f.teams.lambethResponse.id],
      ['recruit', f.boroughs.lambeth.id, f.teams.lambethResponse.id],
      ['camden', f.boroughs.camden.id, f.teams.camdenResponse.id],
      ['tsg', null, f.teams.tsg.id],
    ];
    await officersRepo.insertOfficers(
      db,
      f.force.id,
      people.map(([name, boroughId, teamId], i) =>
        parseInput(officerInput, { collarNumber: `${200 + i}ZZ`, firstName: 'Test', lastName: name, rank: 'Police Constable', boroughId, teamId, status: 'active', joinedOn: '2015-01-01' }),
      ),
      t.svc.now().toISOString(),
    );
    const stored = await officersRepo.findOfficersByCollars(
      db,
      f.force.id,
      people.map((_, i) => `${200 + i}ZZ`),
    );
    people.forEach(([name], i) => (id[name] = stored.get(`${200 + i}ZZ`)!.id));
    await seedNationalCourseTypes(t.svc, SYSTEM_ACTOR);
    course = new Map((await trainingRepo.listCourseTypes(db, f.force.id)).map((c) => [c.code, c.id]));
    await trainingRepo.insertTrainingRecords(
      db,
      f.force.id,
      'test',
      [
        { officerId: id.trained!, courseTypeId: course.get('initial-x2')!, completedOn: daysFromToday(-200), result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: null },
        { officerId: id.tsg!, courseTypeId: course.get('initial-x2')!, completedOn: daysFromToday(-100), result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: null },
      ],
      t.svc.now().toISOString(),
    );
    await makeAccount(t, 'lead@test.police.uk', [{ role: 'programme_lead', boroughId: null }]);
    await makeAccount(t, 'analyst@test.police.uk', [{ role: 'analyst', boroughId: null }]);
    await makeAccount(t, 'commander@test.police.uk', [{ role: 'borough_commander', boroughId: f.boroughs.lambeth.id }]);
    await makeAccount(t, 'pc@test.police.uk', [{ role: 'officer', boroughId: null }]);
  });
  afterAll(() => t.close());

  it('is for those who may read the uplift; settings only for the programme lead', async () => {
    const pc = await signInAs(t.app, 'pc@test.police.uk');
    expect((await pc.get('/uplift')).statusCode).toBe(403);
    expect((await pc.get('/uplift/planner')).statusCode).toBe(403);
    const analyst = await signInAs(t.app, 'analyst@test.police.uk');
    expect((await analyst.get('/uplift')).statusCode).toBe(200);
    expect((await analyst.get('/uplift/settings')).statusCode).toBe(403);
    expect((await analyst.post('/uplift/settings', planForm())).statusCode).toBe(403);
  });

  it('says when no plan is set, with a link for the programme lead only', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const page = await lead.get('/uplift');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No uplift plan has been set yet');
    expect(page.body).toContain('href="/uplift/settings"');
    expect(page.body).toContain('<span class="cedar-stat">2</span>officers authorised to carry Taser today');
    const analyst = await signInAs(t.app, 'analyst@test.police.uk');
    const seen = await analyst.get('/uplift');
    expect(seen.body).toContain('The programme lead sets the plan.');
    expect(seen.body).not.toContain('href="/uplift/settings"');
    const planner = await analyst.get('/uplift/planner');
    expect(planner.statusCode).toBe(200);
    expect(planner.body).toContain('No uplift plan has been set yet');
  });

  it('the settings form: errors name the fields and link to them; saving is audited', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const form = await lead.get('/uplift/settings');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Set the uplift plan');
    expect(inputValue(form.body, 'baselineAuthorised')).toBe('2');
    expect(inputValue(form.body, 'trainers')).toBe('10');
    const bad = await lead.post('/uplift/settings', planForm({ 'deadline-day': '31', 'deadline-month': '2', trainers: 'two', emergencyResponsePercent: '' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('<a href="#deadline">The deadline must be a real date</a>');
    expect(bad.body).toContain('<a href="#trainers">Enter the number of trainers as a number, like 12</a>');
    expect(bad.body).toContain('<a href="#emergencyResponsePercent">Enter the share of new officers from emergency response teams</a>');
    expect(inputValue(bad.body, 'trainers')).toBe('two'); // what was typed is kept
    expect(inputValue(bad.body, 'deadline-day')).toBe('31');
    const saved = await lead.post('/uplift/settings', planForm());
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/uplift?notice=plan-saved');
    const { entries } = await listAudit(t.svc.database.db, { action: 'uplift.update' }, { offset: 0, limit: 5 });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actorLabel).toBe('lead@test.police.uk');
    const again = await lead.get('/uplift/settings');
    expect(again.body).toContain('Change the uplift plan');
    expect(inputValue(again.body, 'targetAuthorised')).toBe('20');
  });

  it('shows progress: headline, the trend chart with its table, boroughs against the minimum, team types', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const page = await lead.get('/uplift?notice=plan-saved');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The uplift plan has been saved.');
    expect(authorisedNow(page.body)).toBe(2);
    expect(page.body).toContain('<span class="cedar-stat">18</span>more officers to authorise');
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('Authorised officers at the end of each month against the plan');
    expect(page.body).toContain('Authorised officers at the end of each month, and the plan</caption>');
    expect(row(page.body, 'Lambeth')).toEqual(['2', '1', '50.0%', '2', '1 officer short']);
    expect(row(page.body, 'Camden')).toEqual(['1', '0', '0.0%', '2', '2 officers short']);
    expect(row(page.body, 'Force-wide units \\(no borough\\)')).toEqual(['1', '1', '100.0%', 'Not set for force-wide units', '']);
    expect(row(page.body, 'Emergency response')).toEqual(['3', '1', '33.3%', '0']);
    expect(page.body).toContain('No officer has been authorised for the first time since the plan started');
  });

  it('the uplift page moves when a training record makes an officer authorised', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const before = authorisedNow((await lead.get('/uplift')).body);
    await trainingRepo.insertTrainingRecords(
      t.svc.database.db,
      f.force.id,
      'test',
      [{ officerId: id.recruit!, courseTypeId: course.get('initial-x2')!, completedOn: today(), result: 'pass', reason: null, sessionId: null, source: 'import', sourceKey: null }],
      t.svc.now().toISOString(),
    );
    const after = await lead.get('/uplift');
    expect(authorisedNow(after.body)).toBe(before + 1);
    expect(row(after.body, 'Lambeth')).toEqual(['2', '2', '100.0%', '2', 'Minimum met']);
    // The recruit is the first newly authorised since the plan started: from emergency response.
    expect(after.body).toContain('Of the 1 serving officer first authorised since the plan started');
    expect(row(after.body, 'Emergency response')).toEqual(['3', '2', '66.7%', '1']);
  });

  it('a borough commander sees their borough and the force headline', async () => {
    const commander = await signInAs(t.app, 'commander@test.police.uk');
    const page = await commander.get('/uplift');
    expect(page.statusCode).toBe(200);
    expect(authorisedNow(page.body)).toBe(3);
    expect(row(page.body, 'Lambeth')[1]).toBe('2');
    expect(row(page.body, 'Camden')).toEqual([]);
    expect(page.body).not.toContain('Force-wide units');
    expect(page.body).toContain('Officers and authority by team type, in your borough');
    expect(page.body).not.toContain('href="/uplift/settings"');
  });

  it('the planner: the projection, the proposal, a chart and the month-by-month table', async () => {
    const analyst = await signInAs(t.app, 'analyst@test.police.uk');
    const page = await analyst.get('/uplift/planner');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('At 1 initial course a month, the force would have');
    expect(page.body).toContain('Proposed schedule');
    expect(page.body).toContain('Authorised officers projected at the end of each month against the target');
    expect(page.body).toContain('Month by month at 1 initial course a month (6 trainer days available each month)</caption>');
    // One trainer, 6 days: 2 initial courses of 2 at most, and only 1 officer left to train.
    expect(page.body).toContain('No schedule within the trainers&#39; capacity meets the target.');
    expect(page.body).toMatch(/No number of courses meets the target: there (is only 1 officer|are only \d officers) who could be trained/);
    expect(inputValue(page.body, 'trainers')).toBe('1');
  });

  it('the planner: trying other assumptions without saving, and errors shown', async () => {
    const lead = await signInAs(t.app, 'lead@test.police.uk');
    const tried = await lead.get('/uplift/planner?trainers=4&plannedInitialSessionsPerMonth=2&initialPassRatePercent=');
    expect(tried.statusCode).toBe(200);
    expect(tried.body).toContain('These figures use assumptions you are trying: trainers, initial courses planned a month. Nothing is saved.');
    expect(inputValue(tried.body, 'trainers')).toBe('4');
    expect(tried.body).toContain('At 2 initial courses a month');
    const bad = await lead.get('/uplift/planner?trainers=lots&refresherPassRatePercent=150');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<a href="#trainers">Enter the number of trainers as a number, like 12</a>');
    expect(bad.body).toContain('<a href="#refresherPassRatePercent">The refresher pass rate must be between 0 and 100</a>');
    expect(inputValue(bad.body, 'trainers')).toBe('lots');
    expect(bad.body).toContain('At 1 initial course a month'); // the plan's own figures stand
    const { entries } = await listAudit(t.svc.database.db, { action: 'uplift.update' }, { offset: 0, limit: 5 });
    expect(entries).toHaveLength(1);
  });
});
