import type { SectionKey } from '../../src/domain/report/content.js';
import { createAccount } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR, type Actor, type Services } from '../../src/services/context.js';
import { createOfficer } from '../../src/services/officers.js';
import { saveSection, startReport, submitReport } from '../../src/services/reports.js';
import { officerFixture } from './fixtures.js';

/**
 * A complete report, section by section, as the API takes it: the officer red-dotted the
 * subject, then fired; body-worn video was on; aftercare followed.
 */
export function firedReport(boroughId: string, over: Partial<Record<SectionKey, unknown>> = {}): Record<SectionKey, unknown> {
  return {
    incident: { reference: 'CAD 1234/28NOV', date: '2026-11-20', time: '22:15', boroughId, locations: ['street', 'dwelling'] },
    duty: { mainDuty: 'response', singleCrewed: false, cedTrained: true, carryingCed: true },
    subject: { ageBand: '18-34', gender: 'male', ethnicity: 'not_reported', physicalDisability: false, mentalDisability: false },
    reasons: {
      primaryConduct: 'aggressive',
      assaultedBySubject: false,
      threatenedWithWeapon: true,
      assaultedWithWeapon: false,
      impactFactors: ['weapon', 'alcohol'],
      reasons: ['protect_self', 'protect_public', 'effect_arrest'],
    },
    tactics: {
      tactics: [
        { tactic: 'tactical_communications', effective: false },
        { tactic: 'ced_red_dotted', effective: false },
        { tactic: 'ced_fired', effective: true },
        { tactic: 'non_compliant_handcuffing', effective: true },
      ],
      cedUsed: true,
      firearmsAimed: false,
      firearmsFired: false,
    },
    ced: {
      deviceSerial: 'X29001234',
      applications: [
        { levels: ['red_dotted'], fired: null },
        {
          levels: ['fired'],
          fired: {
            cartridgeNumber: 'C1234567',
            totalCycles: 1,
            cycleInterrupted: false,
            cycleExtended: false,
            repeatCycleSameCartridge: false,
            missOneProbe: false,
            missBothProbes: false,
            probeLocations: ['F7', 'F11'],
          },
        },
      ],
    },
    justification: { text: 'The man held a knife and walked towards members of the public. Red-dotting did not stop him, so I fired to protect them.' },
    bwv: { worn: true, switchedOn: 'before', notOnReason: null, cameraId: 'BWV-88213', footageRefs: ['EVID-2026-11-20-0042'] },
    injuries: {
      staffInjured: false,
      staffInjuryIntentional: null,
      staffInjuryLevel: null,
      staffMedicalProvided: null,
      subjectInjured: true,
      subjectInjuryNature: 'Probe puncture wounds',
      subjectInjuryLevel: 'minor',
      subjectMedicalOffered: true,
      subjectMedicalProvided: true,
    },
    outcomes: { outcomes: ['arrested'] },
    postUse: {
      aftercareGiven: true,
      medicalAssessment: 'paramedic',
      probesRemovedBy: 'medical_staff',
      cartridgesRetained: true,
      afidTagsRetained: true,
      deviceDownloadRequested: true,
      implantCheck: 'yes',
      iopcReferralConsidered: false,
      iopcNotes: null,
    },
    ...over,
  };
}

/** The password of the account recordingOfficer makes. */
export const RECORDING_PASSWORD = 'a long enough passphrase';

/** An officer in a borough with an account linked to them, as the actor who records reports. */
export async function recordingOfficer(svc: Services, boroughId: string, officer: Record<string, unknown> = {}, email = 'pc@test.police.uk'): Promise<Actor> {
  const o = await createOfficer(svc, SYSTEM_ACTOR, { all: true }, officerFixture({ boroughId, ...officer }));
  const { account } = await createAccount(svc, SYSTEM_ACTOR, { email, displayName: 'PC', roles: [{ role: 'officer', boroughId: null }], officerId: o.id }, RECORDING_PASSWORD);
  return { userId: account.id, label: account.email, grants: account.roles };
}

/** Records a report section by section (sections given as undefined are left out) and submits it. */
export async function recordReport(svc: Services, pc: Actor, sections: Partial<Record<SectionKey, unknown>>, submittedAt: Date): Promise<string> {
  const r = await startReport(svc, pc);
  for (const [k, v] of Object.entries(sections)) if (v !== undefined) await saveSection(svc, pc, r.id, k as SectionKey, v);
  await submitReport(svc, pc, r.id, submittedAt);
  return r.id;
}

/**
 * A fired report whose second application fired the given cartridge from the given device, at a
 * London date and time: what an armoury return links an expended cartridge to.
 */
export function dischargeNaming(boroughId: string, d: { deviceSerial: string; cartridge: string; reference: string; date: string; time: string }): Record<SectionKey, unknown> {
  const base = firedReport(boroughId);
  const ced = base.ced as { applications: { fired: object | null }[] };
  return {
    ...base,
    incident: { ...(base.incident as object), reference: d.reference, date: d.date, time: d.time },
    ced: { deviceSerial: d.deviceSerial, applications: [ced.applications[0], { ...ced.applications[1], fired: { ...ced.applications[1]!.fired, cartridgeNumber: d.cartridge } }] },
  };
}
