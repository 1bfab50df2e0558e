import { z } from 'zod';
import { CARTRIDGE_STATE_LABELS, type CartridgeReturn, type CartridgeState } from '../domain/devices/cartridges.js';
import { GATE_REASON_CODES, type GateReasonCode } from '../domain/devices/gate.js';
import { DEVICE_MOVE_LABELS, DEVICE_STATE_LABELS, WITHDRAWAL_REASON_LABELS, type DeviceState } from '../domain/devices/lifecycle.js';
import { can, type RoleGrant } from '../domain/permissions.js';
import type { DeviceHistory } from '../services/device-register.js';
import { queryChoice } from './query.js';
import { formatDateTime } from './views.js';

/*
 * Page-shaping for the register pages (issue 12): tags, the sub-navigation, the notices after
 * a change and a device's history as one list, newest first.
 */

export type Tag = { text: string; classes: string };

export const DEVICE_STATE_TAGS: Record<DeviceState, Tag> = {
  in_store: { text: DEVICE_STATE_LABELS.in_store, classes: 'govuk-tag--green' },
  issued: { text: DEVICE_STATE_LABELS.issued, classes: 'govuk-tag--blue' },
  in_repair: { text: DEVICE_STATE_LABELS.in_repair, classes: 'govuk-tag--yellow' },
  quarantined: { text: DEVICE_STATE_LABELS.quarantined, classes: 'govuk-tag--red' },
  withdrawn: { text: DEVICE_STATE_LABELS.withdrawn, classes: 'govuk-tag--grey' },
};

export const CARTRIDGE_STATE_TAGS: Record<CartridgeState, Tag> = {
  in_store: { text: CARTRIDGE_STATE_LABELS.in_store, classes: 'govuk-tag--green' },
  issued: { text: CARTRIDGE_STATE_LABELS.issued, classes: 'govuk-tag--blue' },
  expended: { text: CARTRIDGE_STATE_LABELS.expended, classes: 'govuk-tag--orange' },
  expired: { text: CARTRIDGE_STATE_LABELS.expired, classes: 'govuk-tag--red' },
  destroyed: { text: CARTRIDGE_STATE_LABELS.destroyed, classes: 'govuk-tag--grey' },
};

/** The gate's reasons in words, for the policy page. */
export const GATE_REASON_LABELS: Record<GateReasonCode, string> = {
  not_authorised: 'No current authority on the model (training lapsed or never passed)',
  suspended: 'Suspended, or withdrawn from carrying',
  device_not_available: 'Device not available (issued, in repair, quarantined or withdrawn)',
  officer_holds_device: 'Officer already holds a device',
  cartridge_not_available: 'Cartridge not available',
  cartridge_expired: 'Cartridge past its expiry date',
  cartridge_incompatible: 'Cartridge does not fit the model',
  too_many_cartridges: 'More cartridges than the model’s bays and the spare allowance',
  wrong_armoury: 'Device from another armoury',
};
export const ALL_GATE_REASONS = GATE_REASON_CODES;

const RETURN_WORDS: Record<CartridgeReturn, string> = { in_store: 'back in store', expended: 'expended', lost: 'lost' };

/** The sub-navigation shared by the register, cartridges, fleet and policy pages. */
export function deviceSubNav(current: 'register' | 'cartridges' | 'fleet' | 'policy' | 'logs' | 'reconciliation', roles: readonly RoleGrant[]) {
  const items = [
    { key: 'register', text: 'Register', href: '/devices' },
    { key: 'cartridges', text: 'Cartridges', href: '/devices/cartridges' },
    { key: 'fleet', text: 'Fleet and X2 migration', href: '/fleet' },
    { key: 'logs', text: 'Log downloads', href: '/devices/logs' },
    { key: 'reconciliation', text: 'Log reconciliation', href: '/devices/reconciliation' },
    ...(can(roles, 'manage:device') ? [{ key: 'policy', text: 'Gate policy', href: '/devices/policy' }] : []),
  ];
  return items.map((i) => ({ text: i.text, href: i.href, active: i.key === current }));
}

const NOTICES = {
  moved: 'The device has been moved.',
  linked: 'The cartridge is linked to the report.',
  'policy-saved': 'The gate policy has been saved.',
} as const;
export type DeviceNotice = keyof typeof NOTICES;
export const deviceNoticeQuery = queryChoice('notice', Object.keys(NOTICES) as [DeviceNotice, ...DeviceNotice[]]);
export const deviceNotice = (key: DeviceNotice | undefined) => (key ? NOTICES[key] : undefined);
export const noticeOnly = z.object({ notice: deviceNoticeQuery });

export interface HistoryItem {
  at: string;
  when: string;
  title: string;
  /** Plain lines under the title. */
  lines: string[];
  /** A link under the title. */
  links: { text: string; href: string }[];
  by: string | null;
}

/** A device's whole history as one list, newest first: its moves, sign-outs and returns, and the reports that name it. */
export function historyItems(h: DeviceHistory, opts: { canReadReports: boolean }): HistoryItem[] {
  const items: HistoryItem[] = [];
  for (const e of h.events) {
    // Sign-outs and returns are told from the issues, which say who and what.
    if (e.move === 'issue' || e.move === 'return') continue;
    const title =
      e.move === 'registered'
        ? `Registered (${DEVICE_STATE_LABELS[e.toState].toLowerCase()})`
        : e.move === 'imported'
          ? `State set by an import: ${DEVICE_STATE_LABELS[e.toState].toLowerCase()}`
          : e.move === 'withdraw' && h.device.withdrawalReason && h.device.state === 'withdrawn'
            ? `Withdrawn: ${WITHDRAWAL_REASON_LABELS[h.device.withdrawalReason].toLowerCase()}`
            : DEVICE_MOVE_LABELS[e.move];
    const lines = e.note ? [e.move === 'send_for_repair' ? `Defect: ${e.note}` : e.note] : [];
    items.push({ at: e.at, when: formatDateTime(e.at), title, lines, links: [], by: e.actorLabel });
  }
  for (const i of h.issues) {
    const officer = { text: `${i.collarNumber} ${i.officerName}`, href: `/officers/${i.officerId}` };
    const issued = i.cartridges.length ? [`Cartridges: ${i.cartridges.map((c) => `${c.serial} (${c.type})`).join(', ')}`] : ['No cartridges'];
    if (i.overrideCodes.length)
      issued.push(`Overridden: ${i.overrideCodes.map((c) => GATE_REASON_LABELS[c as GateReasonCode] ?? c).join('; ')}${i.overrideReason ? `. Reason: ${i.overrideReason}` : ''}`);
    if (i.shiftEndsAt) issued.push(`Shift ends ${formatDateTime(i.shiftEndsAt)}`);
    items.push({ at: i.issuedAt, when: formatDateTime(i.issuedAt), title: 'Issued', lines: issued, links: [officer], by: null });
    if (i.returnedAt) {
      const outcomes = i.cartridges.map((c) => `${c.serial} ${c.outcome ? RETURN_WORDS[c.outcome] : 'not told'}${c.outcome === 'expended' && !c.reportId ? ' (no report linked yet)' : ''}`);
      const links = [officer, ...i.cartridges.filter((c) => c.reportId && opts.canReadReports).map((c) => ({ text: `Report of cartridge ${c.serial}`, href: `/reports/${c.reportId}` }))];
      items.push({ at: i.returnedAt, when: formatDateTime(i.returnedAt), title: 'Returned', lines: outcomes.length ? [`Cartridges: ${outcomes.join(', ')}`] : [], links, by: null });
    }
  }
  for (const r of h.reports) {
    const at = r.occurredAt ?? '';
    items.push({
      at,
      when: at ? formatDateTime(at) : 'Date not recorded',
      title: `Named in a use-of-force report${r.discharge ? ' (discharge)' : ''}`,
      lines: [`Officer ${r.collarNumber} ${r.officerName}`, ...(r.incidentReference ? [`Incident ${r.incidentReference}`] : [])],
      links: opts.canReadReports ? [{ text: `Report ${r.incidentReference ?? ''}`.trim(), href: `/reports/${r.id}` }] : [],
      by: null,
    });
  }
  for (const r of h.importedRows) {
    items.push({
      at: r.occurredAt,
      when: formatDateTime(r.occurredAt),
      title: `Named in an imported Met-format row${r.discharge ? ' (discharge)' : ''}`,
      lines: [`${r.sourceFile}, line ${r.sourceLine}${r.boroughName ? `, ${r.boroughName}` : ''}`],
      links: [],
      by: null,
    });
  }
  return items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
