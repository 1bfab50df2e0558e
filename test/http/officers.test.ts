import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOfficers, findOfficerByCollar } from '../../src/db/repositories/officers.js';
import { createOfficer } from '../../src/services/officers.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { testDatabases } from '../support/databases.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';

describe.each(testDatabases())('officer and team pages on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let admin: Client;
  beforeAll(async () => {
    t = await openTestApp(kind);
    f = await smallForce(t.svc);
    for (let i = 0; i < 60; i++) {
      await createOfficer(
        t.svc,
        SYSTEM_ACTOR,
        { all: true },
        officerFixture({ collarNumber: `${100 + i}LX`, lastName: `Officer${String.fromCharCode(65 + (i % 26))}`, boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }),
      );
    }
    await makeAccount(t, 'admin@test.police.uk', [{ role: 'administrator', boroughId: null }]);
    admin = await signInAs(t.app, 'admin@test.police.uk');
  });
  afterAll(() => t.close());

  it('pages through officers, 50 to a page', async () => {
    const first = await admin.get('/officers');
    expect(first.body).toContain('60 officers, page 1 of 2');
    expect(first.body.match(/href="\/officers\/[0-9a-f-]{36}"/g)).toHaveLength(50);
    const second = await admin.get('/officers?page=2');
    expect(second.body.match(/href="\/officers\/[0-9a-f-]{36}"/g)).toHaveLength(10);
    // A page number that is not one is named, as a form field would be (issue 10).
    const nonsense = await admin.get('/officers?page=abc');
    expect(nonsense.statusCode).toBe(400);
    expect(nonsense.body).toContain('page must be a whole number');
  });

  it('searches and filters, and says so when nothing matches', async () => {
    const res = await admin.get('/officers?q=officerb');
    expect(res.body).toContain('OfficerB');
    expect(res.body).not.toContain('OfficerC');
    const none = await admin.get(`/officers?borough=${f.boroughs.camden.id}`);
    expect(none.body).toContain('No officers match');
  });

  it('adds an officer through the form, with a GOV.UK error summary first', async () => {
    const bad = await admin.post('/officers', {
      collarNumber: '',
      firstName: 'Jo',
      lastName: 'Bloggs',
      rank: '',
      'joinedOn-day': '31',
      'joinedOn-month': '2',
      'joinedOn-year': '2020',
      status: 'active',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('<a href="#collarNumber">Enter a collar number</a>');
    expect(bad.body).toContain('<a href="#rank">Select a rank</a>');
    expect(bad.body).toContain('<a href="#joinedOn">Enter a real date</a>');
    expect(bad.body).toContain('value="Bloggs"'); // what was typed is kept
    expect(bad.body).toMatch(/<title>Error: /);

    const ok = await admin.post('/officers', {
      collarNumber: '999cn',
      firstName: 'Jo',
      lastName: 'Bloggs',
      rank: 'Sergeant',
      boroughId: f.boroughs.camden.id,
      teamId: f.teams.camdenResponse.id,
      'joinedOn-day': '1',
      'joinedOn-month': '9',
      'joinedOn-year': '2015',
      status: 'active',
    });
    expect(ok.statusCode).toBe(303);
    const page = await admin.get(ok.headers.location as string);
    expect(page.body).toContain('Officer added.');
    expect(page.body).toContain('999CN');
    expect(page.body).toContain('1 September 2015');
  });

  it('refuses a joining date in the future or before 1950, and a leaving date in the future (issue 10)', async () => {
    const before = await countOfficers(t.svc.database.db, f.force.id);
    const form = { collarNumber: '2099LX', firstName: 'Jo', lastName: 'Future', rank: 'Sergeant', status: 'active' };
    const future = await admin.post('/officers', { ...form, 'joinedOn-day': '1', 'joinedOn-month': '1', 'joinedOn-year': '2099' });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('<a href="#joinedOn">The joining date must be today or in the past: add an officer once they have joined</a>');
    expect(future.body).toContain('value="2099"'); // what was typed is kept
    const old = await admin.post('/officers', { ...form, 'joinedOn-day': '1', 'joinedOn-month': '1', 'joinedOn-year': '1900' });
    expect(old.body).toContain('The joining date must be on or after 1 January 1950');
    const leaving = await admin.post('/officers', {
      ...form,
      status: 'left',
      'joinedOn-day': '1',
      'joinedOn-month': '1',
      'joinedOn-year': '2000',
      'leftOn-day': '1',
      'leftOn-month': '1',
      'leftOn-year': '2099',
    });
    expect(leaving.body).toContain('The leaving date must be today or in the past');
    expect(await countOfficers(t.svc.database.db, f.force.id)).toBe(before);
  });

  it('edits an officer and shows the change in their history', async () => {
    const o = (await findOfficerByCollar(t.svc.database.db, f.force.id, '999CN'))!;
    const res = await admin.post(`/officers/${o.id}`, {
      collarNumber: '999CN',
      firstName: 'Jo',
      lastName: 'Bloggs',
      rank: 'Inspector',
      boroughId: f.boroughs.camden.id,
      teamId: '',
      'joinedOn-day': '1',
      'joinedOn-month': '9',
      'joinedOn-year': '2015',
      status: 'left',
      'leftOn-day': '1',
      'leftOn-month': '1',
      'leftOn-year': '2014',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The leaving date must be on or after the joining date');
    const fixed = await admin.post(`/officers/${o.id}`, {
      collarNumber: '999CN',
      firstName: 'Jo',
      lastName: 'Bloggs',
      rank: 'Inspector',
      boroughId: f.boroughs.camden.id,
      teamId: '',
      'joinedOn-day': '1',
      'joinedOn-month': '9',
      'joinedOn-year': '2015',
      status: 'active',
    });
    expect(fixed.statusCode).toBe(303);
    const page = await admin.get(fixed.headers.location as string);
    expect(page.body).toContain('Officer record updated.');
    expect(page.body).toContain('Rank: Sergeant → Inspector');
  });

  it('creates and edits teams and boroughs with validation', async () => {
    const dup = await admin.post('/teams', { name: 'Territorial Support Group 1', teamType: 'territorial_support', boroughId: '' });
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain('already exists');
    const created = await admin.post('/teams', { name: 'Camden Neighbourhood', teamType: 'neighbourhood', boroughId: f.boroughs.camden.id });
    expect(created.statusCode).toBe(303);
    const teamUrl = created.headers.location as string;
    expect((await admin.get(teamUrl)).body).toContain('Team added.');
    const id = teamUrl.split('/')[2]!.split('?')[0]!;
    const edited = await admin.post(`/teams/${id}`, { name: 'Camden Neighbourhood North', teamType: 'neighbourhood', boroughId: f.boroughs.camden.id });
    expect(edited.statusCode).toBe(303);
    expect((await admin.get('/teams')).body).toContain('Camden Neighbourhood North');
    const badBorough = await admin.post('/boroughs', { name: 'Lambeth', code: 'lx1' });
    expect(badBorough.body).toContain('already exists');
    expect(badBorough.body).toContain('Enter a code of 1 to 4 letters');
    expect((await admin.post('/boroughs', { name: 'Southwark', code: 'md' })).statusCode).toBe(303);
  });

  it('leaves stored data untouched when a form is rejected', async () => {
    const before = await countOfficers(t.svc.database.db, f.force.id);
    await admin.post('/officers', {
      collarNumber: '100LX',
      firstName: 'Dup',
      lastName: 'Licate',
      rank: 'Sergeant',
      'joinedOn-day': '1',
      'joinedOn-month': '1',
      'joinedOn-year': '2020',
      status: 'active',
    });
    expect(await countOfficers(t.svc.database.db, f.force.id)).toBe(before);
  });
});
