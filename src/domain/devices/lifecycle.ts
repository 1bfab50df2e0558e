/**
 * A device's lifecycle (issue 12): named states and the moves allowed between them. Pure.
 *
 *   in store ──issue──▶ issued ──return──▶ in store
 *   in store ──send for repair (defect)──▶ in repair ──repaired──▶ in store
 *   any but withdrawn ──quarantine (reason)──▶ quarantined ──release (professional standards)──▶ in store
 *   any but withdrawn ──withdraw (end of life, lost, destroyed; reason)──▶ withdrawn   (final)
 *
 * Quarantine holds a device as evidence (after a discharge with serious injury, or on
 * professional standards' request); only professional standards release it.
 */

export const DEVICE_STATES = ['in_store', 'issued', 'in_repair', 'quarantined', 'withdrawn'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

export const DEVICE_STATE_LABELS: Record<DeviceState, string> = {
  in_store: 'In store',
  issued: 'Issued',
  in_repair: 'In repair',
  quarantined: 'Quarantined',
  withdrawn: 'Withdrawn',
};

export const WITHDRAWAL_REASONS = ['end_of_life', 'lost', 'destroyed'] as const;
export type WithdrawalReason = (typeof WITHDRAWAL_REASONS)[number];
export const WITHDRAWAL_REASON_LABELS: Record<WithdrawalReason, string> = { end_of_life: 'End of life', lost: 'Lost', destroyed: 'Destroyed' };

export const DEVICE_MOVES = ['issue', 'return', 'send_for_repair', 'repaired', 'quarantine', 'release', 'withdraw'] as const;
export type DeviceMove = (typeof DEVICE_MOVES)[number];

export const DEVICE_MOVE_LABELS: Record<DeviceMove, string> = {
  issue: 'Issue',
  return: 'Return',
  send_for_repair: 'Send for repair',
  repaired: 'Back from repair',
  quarantine: 'Quarantine',
  release: 'Release from quarantine',
  withdraw: 'Withdraw',
};

/** Where each move may start from, and where it leads. */
const MOVES: Record<DeviceMove, { from: readonly DeviceState[]; to: DeviceState }> = {
  issue: { from: ['in_store'], to: 'issued' },
  return: { from: ['issued'], to: 'in_store' },
  send_for_repair: { from: ['in_store'], to: 'in_repair' },
  repaired: { from: ['in_repair'], to: 'in_store' },
  quarantine: { from: ['in_store', 'issued', 'in_repair'], to: 'quarantined' },
  release: { from: ['quarantined'], to: 'in_store' },
  withdraw: { from: ['in_store', 'issued', 'in_repair', 'quarantined'], to: 'withdrawn' },
};

/** Why a device in a state cannot make a move: words an armourer can act on. */
const REFUSALS: Record<DeviceState, string> = {
  in_store: 'it is in store',
  issued: 'it is issued to an officer: it must be returned first',
  in_repair: 'it is in repair: it must come back from repair first',
  quarantined: 'it is quarantined as evidence: only professional standards can release it',
  withdrawn: 'it has been withdrawn, which is final',
};

export interface MoveRequest {
  move: DeviceMove;
  /** The defect (send for repair), the reason (quarantine, release, withdraw). */
  note?: string | null;
  withdrawalReason?: WithdrawalReason | null;
  /** Whether the person moving it acts for professional standards (release). */
  byProfessionalStandards?: boolean;
}

/** The state a move leads to, or why it is refused. */
export function applyMove(state: DeviceState, request: MoveRequest): { ok: true; to: DeviceState } | { ok: false; problem: string } {
  const rule = MOVES[request.move];
  if (!rule.from.includes(state)) {
    if (state === rule.to && state !== 'in_store') return { ok: false, problem: `The device cannot be ${pastTense(request.move)}: it is already ${DEVICE_STATE_LABELS[state].toLowerCase()}.` };
    return { ok: false, problem: `The device cannot be ${pastTense(request.move)}: ${REFUSALS[state]}.` };
  }
  const note = request.note?.trim() ?? '';
  if (request.move === 'send_for_repair' && note.length < 5) return { ok: false, problem: 'Describe the defect (at least 5 characters) to send the device for repair.' };
  if (request.move === 'quarantine' && note.length < 5) return { ok: false, problem: 'Give the reason for quarantine (at least 5 characters).' };
  if (request.move === 'release' && !request.byProfessionalStandards) return { ok: false, problem: 'Only professional standards can release a quarantined device.' };
  if (request.move === 'withdraw') {
    if (!request.withdrawalReason) return { ok: false, problem: 'Say why the device is withdrawn: end of life, lost or destroyed.' };
    if (note.length < 5) return { ok: false, problem: 'Describe the withdrawal (at least 5 characters): it is final.' };
  }
  return { ok: true, to: rule.to };
}

function pastTense(move: DeviceMove): string {
  switch (move) {
    case 'issue':
      return 'issued';
    case 'return':
      return 'returned';
    case 'send_for_repair':
      return 'sent for repair';
    case 'repaired':
      return 'taken back from repair';
    case 'quarantine':
      return 'quarantined';
    case 'release':
      return 'released from quarantine';
    case 'withdraw':
      return 'withdrawn';
  }
}

/** The moves a device in a state can make (for the buttons a page offers). */
export const movesFrom = (state: DeviceState): DeviceMove[] => DEVICE_MOVES.filter((m) => MOVES[m].from.includes(state));

/** The state an imported `status` names: `in service` is in store (the sign-out history says what is out). */
export const IMPORT_STATUSES: Record<string, DeviceState> = {
  'in service': 'in_store',
  'in repair': 'in_repair',
  quarantined: 'quarantined',
  withdrawn: 'withdrawn',
};
