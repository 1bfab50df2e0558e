import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trainingRepo from '../../src/db/repositories/training.js';
import type { RoleGrant } from '../../src/domain/permissions.js';
import type { SectionKey } from '../../src/domain/report/content.js';
import { createApiToken } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/context.js';
import { quarantineProposalsOfReport } from '../../src/services/device-reports.js';
import { getDevice, issueDevice, registerDevices } from '../../src/services/devices.js';
import { createOfficer } from '../../src/services/officers.js';
import { saveSection, stageAmendment, startReport, submitReport } from '../../src/services/reports.js';
import { listCourseTypes, seedNationalCourseTypes } from '../../src/services/training.js';
import { makeAccount, openTestApp, signInAs, type Client, type TestApp } from '../support/app.js';
import { testDatabases } from '../support/databases.js';
import { officerFixture, smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport } from '../support/report-fixtures.js';

/* Issue 12 in the pages: the officer and the reviewer see the serial's warning; professional standards decide on quarantine; the profile lists devices held. */

const SHIFT = new Date('2026-11-20T18:00:00Z');
const AFTER = new Date('2026-11-21T12:00:00Z');
const ALL = { all: true } as const;
const ARMOURER: Actor = { userId: null, label: 'armourer@test', grants: [{ role: 'armourer', boroughId: null }] };

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

const severe = {
  staffInjured: false,
  staffInjuryIntentional: null,
  staffInjuryLevel: null,
  staffMedicalProvided: null,
  subjectInjured: true,
  subjectInjuryNature: 'Head injury from the fall',
  subjectInjuryLevel: 'severe',
  subjectMedicalOffered: true,
  subjectMedicalProvided: true,
};

describe.each(testDatabases())('the report knows the device, in the pages, on %s', (kind) => {
  let t: TestApp;
  let f: SmallForce;
  let now = AFTER;
  let collar = 5000;
  const actors: Record<string, Actor & { officerId: string; collarNumber: string }> = {};
  const clients: Record<string, Client> = {};
  let device: { serial: string; id: string };
  let warned: string; // a submitted report naming a device out to another officer
  let draftId: string;

  async function person(who: string, roles: RoleGrant[]) {
    const collarNumber = `${collar++}LX`;
    const officer = await createOfficer(t.svc, SYSTEM_ACTOR, ALL, officerFixture({ collarNumber, lastName: who, boroughId: f.boroughs.lambeth.id, teamId: f.teams.lambethResponse.id }));
    const account = await makeAccount(t, `${who}@test.police.uk`, roles, { officerId: officer.id });
    actors[who] = { userId: account.id, label: `${who}@test.police.uk`, grants: account.roles, officerId: officer.id, collarNumber };
    clients[who] = await signInAs(t.app, `${who}@test.police.uk`);
  }

  async function report(serial: string, over: Partial<Record<SectionKey, unknown>> = {}, submit = true) {
    const pc = actors.pc!;
    const sections = firedReport(f.boroughs.lambeth.id, { ced: { ...(firedReport('b').ced as object), deviceSerial: serial }, ...over });
    const r = await startReport(t.svc, pc);
    for (const [k, v] of Object.entries(sections)) if (v !== undefined) await saveSection(t.svc, pc, r.id, k as SectionKey, v);
    if (submit) await submitReport(t.svc, pc, r.id);
    return r.id;
  }

  beforeAll(async () => {
    t = await openTestApp(kind, {}, { clock: () => now });
    f = await smallForce(t.svc);
    await seedNationalCourseTypes(t.svc, SYSTEM_ACTOR);
    const x2 = (await listCourseTypes(t.svc)).find((c) => c.code === 'initial-x2')!.id;
    await person('pc', [{ role: 'officer', boroughId: null }]);
    await person('other', [{ role: 'officer', boroughId: null }]);
    await person('sgt', [{ role: 'supervisor', boroughId: f.boroughs.lambeth.id }]);
    await person('psd', [{ role: 'professional_standards', boroughId: null }]);
    await trainingRepo.insertTrainingRecords(
      t.svc.database.db,
      f.force.id,
      'test',
      ['pc', 'other'].map((w) => ({
        officerId: actors[w]!.officerId,
        courseTypeId: x2,
        completedOn: '2026-10-01',
        result: 'pass' as const,
        reason: null,
        sessionId: null,
        source: 'import' as const,
        sourceKey: `t-${w}`,
      })),
      t.svc.now().toISOString(),
    );
    device = { serial: `X${kind[0]!.toUpperCase()}7000001`, id: '' };
    device.id = (await registerDevices(t.svc, ARMOURER, [{ serial: device.serial, model: 'X2', armoury: { boroughId: f.boroughs.lambeth.id, teamId: null }, inServiceOn: '2026-01-01' }])).get(
      device.serial,
    )!;
    now = SHIFT;
    await issueDevice(t.svc, ARMOURER, ALL, { deviceSerial: device.serial, collarNumber: actors.other!.collarNumber, cartridges: [] });
    now = AFTER;
    draftId = await report(device.serial, {}, false);
    warned = await report(device.serial, { injuries: severe, postUse: { ...(firedReport('b').postUse as object), iopcReferralConsidered: true, iopcNotes: 'Referred at once' } });
  });
  afterAll(() => t?.close());

  const message = () =>
    `Taser ${device.serial} was not issued to the officer who wrote this report at the time of the incident (22:15 on 20 November 2026): the register shows it was issued to another officer then.`;

  it('shows the officer the warning on check answers and on the Taser section, and still lets them submit', async () => {
    const check = await clients.pc!.get(`/reports/${draftId}/check`);
    expect(check.statusCode).toBe(200);
    expect(decode(check.body)).toContain(message());
    expect(check.body).toContain('data-device-warning="not_issued_to_officer"');
    expect(check.body).toContain('Submit report');
    const section = await clients.pc!.get(`/reports/${draftId}/sections/ced`);
    expect(decode(section.body)).toContain(message());
    expect(section.body).not.toContain('Saved with a warning');
    // Saving the Taser section with a serial the register disagrees with: saved, and back to the section to read the warning.
    const form = {
      revision: /name="revision" value="(\d+)"/.exec(section.body)![1]!,
      deviceSerial: device.serial,
      'applications-0-levels': 'red_dotted',
      'applications-1-levels': 'fired',
      'applications-1-fired-cartridgeNumber': 'C1234567',
      'applications-1-fired-totalCycles': '1',
      'applications-1-fired-cycleInterrupted': 'no',
      'applications-1-fired-cycleExtended': 'no',
      'applications-1-fired-repeatCycleSameCartridge': 'no',
      'applications-1-fired-missOneProbe': 'no',
      'applications-1-fired-missBothProbes': 'no',
      'applications-1-fired-probeLocations': ['F7', 'F11'],
      action: 'continue',
    };
    const post = await clients.pc!.post(`/reports/${draftId}/sections/ced`, form);
    expect(post.statusCode, post.body.slice(0, 2000)).toBe(303);
    expect(post.headers.location).toBe(`/reports/${draftId}/sections/ced?saved=ced`);
    const fromCheck = await clients.pc!.post(`/reports/${draftId}/sections/ced`, { ...form, revision: String(Number(form.revision) + 1), from: 'check' });
    expect(fromCheck.headers.location).toBe(`/reports/${draftId}/sections/ced?saved=ced&from=check`);
    const saved = await clients.pc!.get(`/reports/${draftId}/sections/ced?saved=ced`);
    expect(saved.body).toContain('Saved with a warning');
    // Every section is answered, so going on leads back to the task list.
    expect(saved.body).toContain(`href="/reports/${draftId}?notice=report-saved"`);
  });

  it('shows the reviewer the warning on the report, and the proposal to quarantine', async () => {
    const page = await clients.sgt!.get(`/reports/${warned}`);
    expect(page.statusCode).toBe(200);
    expect(decode(page.body)).toContain(message());
    expect(page.body).toContain(`Cedar proposed quarantining device ${device.serial}: Taser fired; a serious injury was recorded.`);
  });

  it('warns on the amendment check page of a serial the amendment names that is not in the register', async () => {
    const id = await report(device.serial);
    await stageAmendment(t.svc, actors.pc!, id, 'ced', { ...(firedReport('b').ced as object), deviceSerial: 'X2NOPE0001' });
    const page = await clients.pc!.get(`/reports/${id}/amend`);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('data-device-warning="unknown_serial"');
    expect(page.body).toContain('You can still submit the amendment');
  });

  it('gives the warning in the reports API, with its code', async () => {
    const token = (await createApiToken(t.svc, SYSTEM_ACTOR, 'sgt@test.police.uk', 'warnings', { scopes: ['reports:read'] })).token;
    const res = await t.app.inject({ url: `/api/v1/reports/${warned}`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().deviceWarnings).toEqual([{ code: 'not_issued_to_officer', message: message() }]);
  });

  it('lists the proposal for professional standards, who decide; a reason is required to decline', async () => {
    const home = await clients.psd!.get('/');
    expect(home.body).toContain('href="/devices/quarantine"');
    expect((await clients.sgt!.get('/')).body).not.toContain('href="/devices/quarantine"');
    const list = await clients.psd!.get('/devices/quarantine');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`href="/devices/${device.id}">${device.serial}</a>`);
    expect(list.body).toContain('CAD 1234/28NOV');
    expect(list.body).toContain('20 November 2026');
    expect(list.body).toContain('Taser fired; a serious injury was recorded');
    const [p] = await quarantineProposalsOfReport(t.svc, warned);
    // A supervisor reads devices but does not decide.
    expect((await clients.sgt!.post(`/devices/quarantine/${p!.id}`, { decision: 'quarantine' })).statusCode).toBe(403);
    const noReason = await clients.psd!.post(`/devices/quarantine/${p!.id}`, { decision: 'decline', note: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain(`href="#note-${p!.id}"`);
    expect(noReason.body).toContain('Give the reason for declining (at least 5 characters)');
    const done = await clients.psd!.post(`/devices/quarantine/${p!.id}`, { decision: 'quarantine', note: 'Held for the IOPC' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/devices/quarantine?done=quarantined');
    expect((await getDevice(t.svc, device.id)).state).toBe('quarantined');
    const after = await clients.psd!.get('/devices/quarantine?done=quarantined');
    expect(after.body).toContain('The device has been quarantined.');
    expect(after.body).toContain('No devices are waiting for a quarantine decision.');
    const again = await clients.psd!.post(`/devices/quarantine/${p!.id}`, { decision: 'decline', note: 'Too late now' });
    expect(again.statusCode).toBe(409);
    const report = await clients.sgt!.get(`/reports/${warned}`);
    expect(report.body).toContain(`Device ${device.serial} was quarantined as evidence`);
  });

  it('shows the devices an officer has held on their profile', async () => {
    const page = await clients.psd!.get(`/officers/${actors.other!.officerId}`);
    expect(page.statusCode).toBe(200);
    const section = page.body.slice(page.body.indexOf('id="devices-held"'));
    expect(section).toContain(`href="/devices/${device.id}">${device.serial}</a>`);
    expect(section).toContain('1 sign-out, newest first');
    expect(section).toContain('X2');
    expect(section).toContain('Still out');
    const none = await clients.psd!.get(`/officers/${actors.pc!.officerId}`);
    expect(none.body).toContain('No devices have been issued to this officer.');
  });
});
