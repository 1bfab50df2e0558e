import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { fixedClock, type Actor, type Services } from '../../src/services/context.js';
import { amendReport, getReport, saveSection, startReport } from '../../src/services/reports.js';
import { ValidationError } from '../../src/domain/errors.js';
import { openTestServices, testDatabases, type TestServices } from '../support/databases.js';
import { smallForce, type SmallForce } from '../support/fixtures.js';
import { firedReport, recordingOfficer, recordReport } from '../support/report-fixtures.js';

/*
 * The day the force's records begin is a setting (CEDAR_RECORDS_BEGIN, 1 April 2017 unless
 * set), and the services check a section against it and against their clock when it is
 * saved, amended or submitted.
 */

describe('CEDAR_RECORDS_BEGIN', () => {
  it('is 1 April 2017 unless set', () => {
    expect(loadConfig({}).report.recordsBegin).toBe('2017-04-01');
    expect(loadConfig({ CEDAR_RECORDS_BEGIN: '2016-10-01' }).report.recordsBegin).toBe('2016-10-01');
  });

  it.each(['2017-02-30', '01/04/2017', 'April 2017'])('refuses %s, naming the setting', (value) => {
    expect(() => loadConfig({ CEDAR_RECORDS_BEGIN: value })).toThrow(ConfigError);
    expect(() => loadConfig({ CEDAR_RECORDS_BEGIN: value })).toThrow(/CEDAR_RECORDS_BEGIN: must be a (real date|date written as YYYY-MM-DD)/);
  });
});

describe.each(testDatabases())('the services check a section against their clock and the force’s first day of records on %s', (kind) => {
  let svc: TestServices;
  let f: SmallForce;
  let pc: Actor;
  const incident = (date: string, time = '22:15') => ({ ...(firedReport(f.boroughs.lambeth.id).incident as object), date, time });
  /** The same services with the force's records beginning on another day. */
  const beginning = (day: string): Services => ({ ...svc, policy: { ...svc.policy, report: { ...svc.policy.report, recordsBegin: day } } });

  beforeAll(async () => {
    // 00:30 on 1 April 2026 in London (BST).
    svc = await openTestServices(kind, { clock: fixedClock('2026-03-31T23:30:00Z') });
    f = await smallForce(svc);
    pc = await recordingOfficer(svc, f.boroughs.lambeth.id);
  });
  afterAll(() => svc.cleanup());

  it('saves an incident a quarter of an hour ago and refuses one a quarter of an hour ahead, by the services’ clock', async () => {
    const r = await startReport(svc, pc);
    await expect(saveSection(svc, pc, r.id, 'incident', incident('2026-04-01', '00:45'))).rejects.toMatchObject({
      errors: [{ field: 'time', message: 'The time of the incident must be in the past (it is 00:30 now)' }],
    });
    const saved = await saveSection(svc, pc, r.id, 'incident', incident('2026-04-01', '00:15'));
    expect(saved.occurredAt).toBe('2026-03-31T23:15:00.000Z');
  });

  it('refuses an incident before the records begin, unless the force’s records begin earlier', async () => {
    const r = await startReport(svc, pc);
    const err = await saveSection(svc, pc, r.id, 'incident', incident('2016-12-01')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors).toEqual([{ field: 'date', message: "The date of the incident must be on or after 1 April 2017, when the force's records of use of force begin" }]);
    const earlier = beginning('2016-10-01');
    expect((await saveSection(earlier, pc, r.id, 'incident', incident('2016-12-01'))).occurredAt).toBe('2016-12-01T22:15:00.000Z');
    // What stops submission is worked out with the same day.
    expect((await getReport(earlier, pc, r.id)).problems.map((p) => p.field)).not.toContain('incident.date');
    expect((await getReport(svc, pc, r.id)).problems.map((p) => p.field)).toContain('incident.date');
  });

  it('refuses an amendment that moves the incident into the future, and changes nothing', async () => {
    const id = await recordReport(svc, pc, firedReport(f.boroughs.lambeth.id, { incident: incident('2026-03-30') }), new Date('2026-03-31T23:30:00Z'));
    const err = await amendReport(svc, pc, id, { sections: { incident: incident('2026-04-02') }, reason: 'Wrong day' }).catch((e: unknown) => e);
    expect((err as ValidationError).errors).toEqual([{ field: 'incident.date', message: 'The date of the incident must be today or in the past (today is 1 April 2026)' }]);
    expect((await getReport(svc, pc, id)).report.version).toBe(1);
  });
});
