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

type Kind = 'fired' | 'red_dotted' | 'drive_stun' | 'none';

/**
 * The demo reports' incidents: how many hours before `now` each happened and the level of use.
 * The demo fleet (devices.ts) gives the demo constable a shift with a device covering each one
 * where a Taser was carried (every kind but `none`), so each report names the device, and the
 * cartridge it fired, that were issued to the constable at the time.
 */
export const DEMO_REPORT_INCIDENTS = {
  signedOff: { ref: 'CAD 4411/21NOV', hours: 6 * 24, kind: 'fired' },
  returned: { ref: 'CAD 2207/24NOV', hours: 3 * 24, kind: 'red_dotted' },
  amended: { ref: 'CAD 3150/25NOV', hours: 2 * 24, kind: 'drive_stun' },
  approved: { ref: 'CAD 1902/26NOV', hours: 30, kind: 'none' },
  dueSoon: { ref: 'CAD 0815/27NOV', hours: 14, kind: 'fired' },
  overdue: { ref: 'CAD 0042/22NOV', hours: 5 * 24, kind: 'none' },
} as const satisfies Record<string, { ref: string; hours: number; kind: Kind }>;

/** What the demo constable carried at an incident: the device and, if fired, the cartridge expended. */
export interface DemoCarried {
  deviceSerial: string;
  expendedCartridge: string | null;
}

/** The placeholder serial of a report whose incident has no issue in the demo fleet (not expected). */
const UNKNOWN_DEVICE: DemoCarried = { deviceSerial: 'X29000417', expendedCartridge: 'C7720015' };

function demoSections(boroughId: string, ref: string, when: { date: string; time: string }, kind: Kind, carried: DemoCarried): Sections {
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
            deviceSerial: carried.deviceSerial,
            applications: [
              kind === 'fired'
                ? {
                    levels: ['red_dotted', 'fired'],
                    fired: {
                      cartridgeNumber: carried.expendedCartridge ?? UNKNOWN_DEVICE.expendedCartridge!,
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
 * hours and days before `now`, so the drafts are due soon and overdue on any day. `carried`
 * says what the constable carried at each incident (by its hours before `now`); the result
 * names each fired cartridge with its report, to link them.
 */
export async function seedDemoReports(
  svc: Services,
  accounts: { officer: string; supervisor: string; boroughCommander: string },
  boroughId: string,
  now: Date,
  carried: ReadonlyMap<number, DemoCarried> = new Map(),
): Promise<{ reports: number; fired: { cartridgeSerial: string; reportId: string }[] }> {
  const pc = await actorFor(svc, 'officer', accounts.officer);
  const sgt = await actorFor(svc, 'supervisor', accounts.supervisor);
  const bc = await actorFor(svc, 'borough_commander', accounts.boroughCommander);
  const scope = { all: false as const, boroughIds: [boroughId] };
  const fired: { cartridgeSerial: string; reportId: string }[] = [];
  const draft = async (incident: (typeof DEMO_REPORT_INCIDENTS)[keyof typeof DEMO_REPORT_INCIDENTS], only?: SectionKey[]) => {
    const r = await startReport(svc, pc);
    const held = carried.get(incident.hours) ?? UNKNOWN_DEVICE;
    const sections = demoSections(boroughId, incident.ref, hoursAgo(now, incident.hours), incident.kind, held);
    for (const [key, value] of Object.entries(sections)) {
      if (!only || only.includes(key as SectionKey)) await saveSection(svc, pc, r.id, key as SectionKey, value);
    }
    if (incident.kind === 'fired' && held.expendedCartridge && (!only || only.includes('ced'))) fired.push({ cartridgeSerial: held.expendedCartridge, reportId: r.id });
    return r.id;
  };
  const submitted = async (incident: (typeof DEMO_REPORT_INCIDENTS)[keyof typeof DEMO_REPORT_INCIDENTS]) => {
    const id = await draft(incident);
    await submitReport(svc, pc, id, now);
    return id;
  };
  const I = DEMO_REPORT_INCIDENTS;

  const signedOff = await submitted(I.signedOff);
  await reviewReport(svc, sgt, scope, signedOff, { outcome: 'approve', comment: 'Proportionate and well recorded.' });
  await signOffReport(svc, bc, scope, signedOff, { comment: 'Reviewed the footage: use justified.' });

  const returned = await submitted(I.returned);
  await reviewReport(svc, sgt, scope, returned, { outcome: 'return', comment: 'Say what warnings you gave before red-dotting, and how the subject responded.' });

  const amended = await submitted(I.amended);
  await reviewReport(svc, sgt, scope, amended, { outcome: 'return', comment: 'The subject was detained under the Mental Health Act, not arrested.' });
  await amendReport(svc, pc, amended, { sections: { outcomes: { outcomes: ['detained_mha'] } }, reason: 'Corrected the outcome after the review' }, now);

  const approved = await submitted(I.approved);
  await reviewReport(svc, sgt, scope, approved, { outcome: 'approve' });

  await draft(I.dueSoon, ['incident', 'duty', 'tactics']);
  await draft(I.overdue, ['incident']);
  return { reports: 6, fired };
}
