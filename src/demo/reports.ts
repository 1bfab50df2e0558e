import type { SectionKey } from '../domain/report/content.js';
import type { Role } from '../domain/permissions.js';
import { findAccountByEmail } from '../services/accounts.js';
import type { Actor, Services } from '../services/context.js';
import { amendReport, reviewReport, saveSection, signOffReport, startReport, submitReport } from '../services/reports.js';

const london = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** A London wall-clock date and time some hours before `now`. */
function hoursAgo(now: Date, hours: number): { date: string; time: string } {
  const parts = Object.fromEntries(london.formatToParts(new Date(now.getTime() - hours * 3_600_000)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}` };
}

type Sections = Partial<Record<SectionKey, unknown>>;

function demoSections(boroughId: string, ref: string, when: { date: string; time: string }, kind: 'fired' | 'red_dotted' | 'drive_stun' | 'none'): Sections {
  const ced = kind !== 'none';
  const discharge = kind === 'fired' || kind === 'drive_stun';
  const tactic = { fired: 'ced_fired', red_dotted: 'ced_red_dotted', drive_stun: 'ced_drive_stun', none: 'non_compliant_handcuffing' }[kind];
  return {
    incident: { reference: ref, ...when, boroughId, locations: kind === 'drive_stun' ? ['dwelling'] : ['street'] },
    duty: { mainDuty: 'response', singleCrewed: false, cedTrained: true, carryingCed: ced },
    subject: { ageBand: '18-34', gender: 'male', ethnicity: 'not_reported', physicalDisability: false, mentalDisability: kind === 'drive_stun' },
    reasons: {
      primaryConduct: ced ? 'aggressive' : 'active',
      assaultedBySubject: kind === 'drive_stun',
      threatenedWithWeapon: kind === 'fired',
      assaultedWithWeapon: false,
      impactFactors: kind === 'fired' ? ['weapon'] : ['alcohol'],
      reasons: ['protect_self', 'effect_arrest'],
    },
    tactics: {
      tactics: [
        { tactic: 'tactical_communications', effective: false },
        { tactic, effective: true },
      ],
      cedUsed: ced,
      firearmsAimed: false,
      firearmsFired: false,
    },
    ...(ced
      ? {
          ced: {
            deviceSerial: 'X29000417',
            applications: [
              kind === 'fired'
                ? {
                    levels: ['red_dotted', 'fired'],
                    fired: {
                      cartridgeNumber: 'C7720015',
                      totalCycles: 1,
                      cycleInterrupted: false,
                      cycleExtended: false,
                      repeatCycleSameCartridge: false,
                      missOneProbe: false,
                      missBothProbes: false,
                      probeLocations: ['F8', 'F12'],
                    },
                  }
                : { levels: [kind], fired: null },
            ],
          },
          justification: { text: 'The subject was violent and would not comply with verbal commands. I judged the Taser the least harmful way to stop the threat to myself and the public.' },
        }
      : {}),
    bwv: { worn: true, switchedOn: 'before', cameraId: 'BWV-20417', footageRefs: [`EVID-${ref.replace(/\W/g, '')}`], notOnReason: null },
    injuries: {
      staffInjured: false,
      subjectInjured: discharge,
      subjectInjuryNature: discharge ? 'Probe marks' : null,
      subjectInjuryLevel: discharge ? 'minor' : null,
      subjectMedicalOffered: discharge,
      subjectMedicalProvided: discharge,
    },
    outcomes: { outcomes: ['arrested'] },
    ...(discharge
      ? {
          postUse: {
            aftercareGiven: true,
            medicalAssessment: 'paramedic',
            probesRemovedBy: kind === 'fired' ? 'medical_staff' : 'not_applicable',
            cartridgesRetained: kind === 'fired',
            afidTagsRetained: kind === 'fired',
            deviceDownloadRequested: true,
            implantCheck: 'yes',
            iopcReferralConsidered: false,
            iopcNotes: null,
          },
        }
      : {}),
  };
}

async function actorFor(svc: Services, role: Role, email: string): Promise<Actor> {
  const acc = await findAccountByEmail(svc, email);
  if (!acc) throw new Error(`Demo account ${email} (${role}) is missing`);
  return { userId: acc.id, label: acc.email, grants: acc.roles };
}

/**
 * A handful of reports at every stage, so the demo's queues and timelines have something in
 * them: signed off, returned, amended and awaiting review, approved, a draft due soon and an
 * overdue draft. Made through the services, so every step is audited like real use. Dated
 * hours and days before `now`, so the drafts are due soon and overdue on any day.
 */
export async function seedDemoReports(svc: Services, accounts: { officer: string; supervisor: string; boroughCommander: string }, boroughId: string, now: Date): Promise<number> {
  const pc = await actorFor(svc, 'officer', accounts.officer);
  const sgt = await actorFor(svc, 'supervisor', accounts.supervisor);
  const bc = await actorFor(svc, 'borough_commander', accounts.boroughCommander);
  const scope = { all: false as const, boroughIds: [boroughId] };
  const draft = async (ref: string, hours: number, kind: Parameters<typeof demoSections>[3], only?: SectionKey[]) => {
    const r = await startReport(svc, pc);
    for (const [key, value] of Object.entries(demoSections(boroughId, ref, hoursAgo(now, hours), kind))) {
      if (!only || only.includes(key as SectionKey)) await saveSection(svc, pc, r.id, key as SectionKey, value);
    }
    return r.id;
  };
  const submitted = async (ref: string, hours: number, kind: Parameters<typeof demoSections>[3]) => {
    const id = await draft(ref, hours, kind);
    await submitReport(svc, pc, id, now);
    return id;
  };

  const signedOff = await submitted('CAD 4411/21NOV', 6 * 24, 'fired');
  await reviewReport(svc, sgt, scope, signedOff, { outcome: 'approve', comment: 'Proportionate and well recorded.' });
  await signOffReport(svc, bc, scope, signedOff, { comment: 'Reviewed the footage: use justified.' });

  const returned = await submitted('CAD 2207/24NOV', 3 * 24, 'red_dotted');
  await reviewReport(svc, sgt, scope, returned, { outcome: 'return', comment: 'Say what warnings you gave before red-dotting, and how the subject responded.' });

  const amended = await submitted('CAD 3150/25NOV', 2 * 24, 'drive_stun');
  await reviewReport(svc, sgt, scope, amended, { outcome: 'return', comment: 'The subject was detained under the Mental Health Act, not arrested.' });
  await amendReport(svc, pc, amended, { sections: { outcomes: { outcomes: ['detained_mha'] } }, reason: 'Corrected the outcome after the review' }, now);

  const approved = await submitted('CAD 1902/26NOV', 30, 'none');
  await reviewReport(svc, sgt, scope, approved, { outcome: 'approve' });

  await draft('CAD 0815/27NOV', 14, 'fired', ['incident', 'duty', 'tactics']);
  await draft('CAD 0042/22NOV', 5 * 24, 'none', ['incident']);
  return 6;
}
