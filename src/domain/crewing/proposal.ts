/**
 * The crew proposal of the shift briefing page (issue 14). Pure and deterministic: the same
 * officers, devices and policy give the same crews.
 *
 * Given the officers on duty for a shift (the models each is authorised on, their rank, the last
 * day their authority runs to), the devices the armoury has free, and the crewing policy, it
 * proposes crews that give the most Taser-equipped crews the devices allow:
 *  1. carriers: each authorised officer is matched to a free device of a model they are
 *     authorised on, as many as possible (a maximum bipartite matching, augmenting paths), taking
 *     officers in order of preference: those who may deploy alone first (a solo carrier is a crew
 *     on one officer), then those whose authority lasts the whole shift, then by collar number;
 *     devices by model then serial. A device already signed out to an officer goes to them or
 *     to no one (they keep it, or hand it back if they do not carry).
 *  2. crews: a carrier who may deploy alone is a solo crew. With one carrier per crew, every
 *     other carrier is paired with a partner who does not carry; when partners run out, the
 *     remaining carriers are paired with each other and the second of each pair hands back the
 *     device (one carrier per crew). With both carrying, carriers are paired with each other, and
 *     an odd one out hands back the device.
 *  3. everyone else: officers who may deploy alone go alone; the rest are paired (crews without a
 *     Taser); an odd one out joins the last crew formed as a third member, or, when there is no
 *     crew (one officer on duty who may not deploy alone), is left out of every crew: the sergeant
 *     crews them with another team's officers.
 * A Taser crew whose carrier's authority ends before the shift ends is flagged (`lapses`).
 */
import { londonInstant, nextDay } from '../calendar.js';
import type { Rank } from '../organisation.js';
import { mayDeployAlone, type CrewingPolicy } from './policy.js';

export interface ProposalOfficer {
  id: string;
  collarNumber: string;
  rank: Rank;
  /** The models the officer is authorised to carry at the shift's start. */
  authorisedModels: readonly string[];
  /** The last London day their authority runs to (inclusive), or null when not authorised or with no end. */
  authorisedUntil: string | null;
}

export interface FreeDevice {
  id: string;
  serial: string;
  model: string;
  /** The officer it is signed out to already, if any: it goes to them or to no one. */
  heldBy?: string;
}

export type CrewRole = 'carrier' | 'partner' | 'solo';

export interface ProposedMember {
  officerId: string;
  role: CrewRole;
  /** The device proposed for a carrier (or a solo officer who carries). */
  deviceId: string | null;
}

export interface ProposedCrew {
  members: ProposedMember[];
  /** Has the carriers the policy asks for. */
  taser: boolean;
  /** A carrier's authority ends before the shift ends. */
  lapses: boolean;
}

export interface CrewProposal {
  crews: ProposedCrew[];
  taserCrews: number;
  /** Free devices left unassigned. */
  spareDeviceIds: string[];
}

export interface ProposalInput {
  officers: readonly ProposalOfficer[];
  devices: readonly FreeDevice[];
  policy: Pick<CrewingPolicy, 'carriersPerCrew' | 'soloRanks'>;
  /** The shift's end, ISO 8601 UTC, for the lapse flag. */
  shiftEndsAt: string;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Whether authority running to `until` (a London day, inclusive) ends before the instant `endsAt`. */
export function lapsesBefore(until: string | null, endsAt: string): boolean {
  if (until === null) return false;
  return londonInstant(nextDay(until), '00:00').getTime() < Date.parse(endsAt);
}

/** Carrier → device, a maximum matching preferring officers in the order given (Kuhn's augmenting paths). */
function matchDevices(officers: readonly ProposalOfficer[], devices: readonly FreeDevice[]): Map<string, FreeDevice> {
  const deviceOwner = new Map<number, number>(); // device index → officer index
  const fits = officers.map((o) => devices.map((d, i) => (o.authorisedModels.includes(d.model) && (d.heldBy === undefined || d.heldBy === o.id) ? i : -1)).filter((i) => i >= 0));
  const tryOfficer = (oi: number, seen: Set<number>): boolean => {
    // A free device first, so earlier officers keep the devices they were given where they can.
    const free = fits[oi]!.find((di) => !deviceOwner.has(di));
    if (free !== undefined) {
      deviceOwner.set(free, oi);
      return true;
    }
    for (const di of fits[oi]!) {
      if (seen.has(di)) continue;
      seen.add(di);
      const owner = deviceOwner.get(di);
      if (owner === undefined || tryOfficer(owner, seen)) {
        deviceOwner.set(di, oi);
        return true;
      }
    }
    return false;
  };
  officers.forEach((_, oi) => {
    if (fits[oi]!.length) tryOfficer(oi, new Set());
  });
  const out = new Map<string, FreeDevice>();
  for (const [di, oi] of deviceOwner) out.set(officers[oi]!.id, devices[di]!);
  return out;
}

/** Proposes crews for one shift (see the header for how). */
export function proposeCrews(input: ProposalInput): CrewProposal {
  const { policy, shiftEndsAt } = input;
  const solo = (o: ProposalOfficer) => mayDeployAlone(policy, o.rank);
  const lapses = (o: ProposalOfficer) => lapsesBefore(o.authorisedUntil, shiftEndsAt);
  const officers = [...input.officers].sort((a, b) => Number(solo(b)) - Number(solo(a)) || Number(lapses(a)) - Number(lapses(b)) || byText(a.collarNumber, b.collarNumber) || byText(a.id, b.id));
  const devices = [...input.devices].sort((a, b) => byText(a.model, b.model) || byText(a.serial, b.serial) || byText(a.id, b.id));
  const matched = matchDevices(
    officers.filter((o) => o.authorisedModels.length > 0),
    devices,
  );

  const crews: ProposedCrew[] = [];
  const carrierCrew = (members: { officer: ProposalOfficer; role: CrewRole; carries: boolean }[]): ProposedCrew => ({
    members: members.map((m) => ({ officerId: m.officer.id, role: m.role, deviceId: m.carries ? matched.get(m.officer.id)!.id : null })),
    taser: true,
    lapses: members.some((m) => m.carries && lapses(m.officer)),
  });

  const carriers = officers.filter((o) => matched.has(o.id));
  const others = officers.filter((o) => !matched.has(o.id));
  const soloCarriers = carriers.filter(solo);
  const pairedCarriers = carriers.filter((o) => !solo(o));
  for (const o of soloCarriers) crews.push(carrierCrew([{ officer: o, role: 'solo', carries: true }]));

  // Partners: officers who may not go alone first, so those who may are left to go alone.
  const partners = [...others.filter((o) => !solo(o)), ...others.filter(solo)];
  if (policy.carriersPerCrew === 1) {
    let k = 0;
    for (; k < pairedCarriers.length && partners.length; k++) {
      crews.push(
        carrierCrew([
          { officer: pairedCarriers[k]!, role: 'carrier', carries: true },
          { officer: partners.shift()!, role: 'partner', carries: false },
        ]),
      );
    }
    for (; k + 1 < pairedCarriers.length; k += 2) {
      crews.push(
        carrierCrew([
          { officer: pairedCarriers[k]!, role: 'carrier', carries: true },
          { officer: pairedCarriers[k + 1]!, role: 'partner', carries: false },
        ]),
      );
    }
    if (k < pairedCarriers.length) {
      partners.push(pairedCarriers[k]!);
    }
  } else {
    let k = 0;
    for (; k + 1 < pairedCarriers.length; k += 2) {
      crews.push(
        carrierCrew([
          { officer: pairedCarriers[k]!, role: 'carrier', carries: true },
          { officer: pairedCarriers[k + 1]!, role: 'carrier', carries: true },
        ]),
      );
    }
    if (k < pairedCarriers.length) {
      partners.unshift(pairedCarriers[k]!);
    }
  }

  // Everyone else: alone if they may, else in pairs; an odd one out joins the last crew (if any).
  const rest = partners.filter((o) => !solo(o));
  for (const o of partners.filter(solo)) crews.push({ members: [{ officerId: o.id, role: 'solo', deviceId: null }], taser: false, lapses: false });
  for (let k = 0; k + 1 < rest.length; k += 2) {
    crews.push({
      members: [
        { officerId: rest[k]!.id, role: 'partner', deviceId: null },
        { officerId: rest[k + 1]!.id, role: 'partner', deviceId: null },
      ],
      taser: false,
      lapses: false,
    });
  }
  if (rest.length % 2 === 1) {
    const odd = rest[rest.length - 1]!;
    const lastCrew = crews[crews.length - 1];
    if (lastCrew) {
      // A solo officer joined by another is crewed now: a carrier if they carry.
      for (const m of lastCrew.members) if (m.role === 'solo') m.role = m.deviceId ? 'carrier' : 'partner';
      lastCrew.members.push({ officerId: odd.id, role: 'partner', deviceId: null });
    }
    // No crew to join: alone they may not deploy, so no crew is proposed for them.
  }

  const used = new Set(crews.flatMap((c) => c.members.map((m) => m.deviceId)).filter((d): d is string => d !== null));
  return { crews, taserCrews: crews.filter((c) => c.taser).length, spareDeviceIds: devices.filter((d) => !used.has(d.id)).map((d) => d.id) };
}
