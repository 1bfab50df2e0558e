import { describe, expect, it } from 'vitest';
import { applyMove, DEVICE_MOVES, DEVICE_STATES, movesFrom, type DeviceMove, type DeviceState, type MoveRequest } from '../../../src/domain/devices/lifecycle.js';

/** Every allowed move, with what it needs; any (state, move) pair not here is refused. */
const ALLOWED: Array<[DeviceState, DeviceMove, DeviceState]> = [
  ['in_store', 'issue', 'issued'],
  ['issued', 'return', 'in_store'],
  ['in_store', 'send_for_repair', 'in_repair'],
  ['in_repair', 'repaired', 'in_store'],
  ['in_store', 'quarantine', 'quarantined'],
  ['issued', 'quarantine', 'quarantined'],
  ['in_repair', 'quarantine', 'quarantined'],
  ['quarantined', 'release', 'in_store'],
  ['in_store', 'withdraw', 'withdrawn'],
  ['issued', 'withdraw', 'withdrawn'],
  ['in_repair', 'withdraw', 'withdrawn'],
  ['quarantined', 'withdraw', 'withdrawn'],
];

const complete = (move: DeviceMove): MoveRequest => ({ move, note: 'Cracked housing near the bay', withdrawalReason: 'end_of_life', byProfessionalStandards: true });

describe('device lifecycle', () => {
  const pairs = DEVICE_STATES.flatMap((s) => DEVICE_MOVES.map((m) => [s, m] as const));

  it.each(pairs)('from %s, %s', (state, move) => {
    const allowed = ALLOWED.find(([s, m]) => s === state && m === move);
    const result = applyMove(state, complete(move));
    if (allowed) {
      expect(result).toEqual({ ok: true, to: allowed[2] });
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem).toMatch(/^The device cannot be /);
    }
  });

  it('says why a move is refused in words an armourer can act on', () => {
    expect(applyMove('issued', { move: 'send_for_repair', note: 'Trigger sticks' })).toEqual({
      ok: false,
      problem: 'The device cannot be sent for repair: it is issued to an officer: it must be returned first.',
    });
    expect(applyMove('withdrawn', { move: 'issue' })).toEqual({ ok: false, problem: 'The device cannot be issued: it has been withdrawn, which is final.' });
    expect(applyMove('quarantined', { move: 'issue' })).toEqual({ ok: false, problem: 'The device cannot be issued: it is quarantined as evidence: only professional standards can release it.' });
    expect(applyMove('issued', { move: 'issue' })).toEqual({ ok: false, problem: 'The device cannot be issued: it is already issued.' });
  });

  it('needs a defect to repair, a reason to quarantine, professional standards to release and a reason to withdraw', () => {
    expect(applyMove('in_store', { move: 'send_for_repair', note: ' ' })).toEqual({ ok: false, problem: 'Describe the defect (at least 5 characters) to send the device for repair.' });
    expect(applyMove('in_store', { move: 'quarantine' })).toEqual({ ok: false, problem: 'Give the reason for quarantine (at least 5 characters).' });
    expect(applyMove('quarantined', { move: 'release', note: 'Case closed by PSD', byProfessionalStandards: false })).toEqual({
      ok: false,
      problem: 'Only professional standards can release a quarantined device.',
    });
    expect(applyMove('in_store', { move: 'withdraw', note: 'Dropped in the Thames' })).toEqual({ ok: false, problem: 'Say why the device is withdrawn: end of life, lost or destroyed.' });
    expect(applyMove('in_store', { move: 'withdraw', withdrawalReason: 'lost', note: '' })).toEqual({ ok: false, problem: 'Describe the withdrawal (at least 5 characters): it is final.' });
  });

  it('offers the moves each state allows', () => {
    for (const state of DEVICE_STATES)
      expect(movesFrom(state).sort()).toEqual(
        ALLOWED.filter(([s]) => s === state)
          .map(([, m]) => m)
          .sort(),
      );
    expect(movesFrom('withdrawn')).toEqual([]);
  });
});
