import { describe, expect, it } from 'vitest';
import { blockingReasons, DEFAULT_GATE_POLICY, gateReasons, type GateFacts, type GateReasonCode } from '../../../src/domain/devices/gate.js';
import { SEED_DEVICE_MODELS } from '../../../src/domain/devices/models.js';

const X2 = SEED_DEVICE_MODELS.find((m) => m.name === 'X2')!;
const X26 = SEED_DEVICE_MODELS.find((m) => m.name === 'X26')!;
const LAMBETH = { id: 'arm-lambeth', name: 'Lambeth armoury' };

/** An issue that passes the gate; each test spoils one fact or several. */
function good(): GateFacts {
  return {
    today: '2027-04-01',
    officer: { collarNumber: '1234AB', authority: { status: 'authorised', reason: 'Authorised until 2027-09-30' }, holds: null },
    device: { serial: 'X2-0001', state: 'in_store', model: X2, armouryId: LAMBETH.id, armouryName: LAMBETH.name },
    armoury: LAMBETH,
    cartridges: [
      { serial: 'C1', found: { state: 'in_store', type: 'Smart 25 ft', expiresOn: '2028-01-31', armouryId: LAMBETH.id } },
      { serial: 'C2', found: { state: 'in_store', type: 'Smart 15 ft', expiresOn: '2027-04-01', armouryId: LAMBETH.id } },
    ],
    policy: DEFAULT_GATE_POLICY,
  };
}

const codes = (f: GateFacts) => gateReasons(f).map((r) => r.code);

describe('the sign-out gate', () => {
  it('lets an authorised officer take a serviceable device with compatible, unexpired cartridges', () => {
    expect(gateReasons(good())).toEqual([]);
  });

  const alone: Array<[GateReasonCode, (f: GateFacts) => void, RegExp]> = [
    [
      'not_authorised',
      (f) => (f.officer.authority = { status: 'lapsed', reason: 'Lapsed on 2027-03-01: the last refresher pass (2026-03-01) is 12 months old' }),
      /^Officer 1234AB has no current authority on the X2: Lapsed on 2027-03-01/,
    ],
    [
      'not_authorised',
      (f) => (f.officer.authority = { status: 'not_qualified', reason: 'No pass on a course that qualifies for the X2' }),
      /no current authority on the X2: No pass on a course that qualifies/,
    ],
    ['not_authorised', (f) => (f.officer.authority = { status: 'failed', reason: 'The refresher course on 2027-03-01 was not passed' }), /no current authority/],
    ['suspended', (f) => (f.officer.authority = { status: 'suspended', reason: 'Suspended from 2027-03-20: under investigation' }), /^Officer 1234AB may not carry: Suspended from 2027-03-20/],
    ['suspended', (f) => (f.officer.authority = { status: 'withdrawn', reason: 'Withdrew from carrying on 2027-03-20: personal' }), /may not carry: Withdrew/],
    ['device_not_available', (f) => (f.device.state = 'issued'), /^Device X2-0001 is not available: it is issued\.$/],
    ['device_not_available', (f) => (f.device.state = 'in_repair'), /it is in repair/],
    ['device_not_available', (f) => (f.device.state = 'quarantined'), /it is quarantined/],
    ['device_not_available', (f) => (f.device.state = 'withdrawn'), /it is withdrawn/],
    ['device_not_available', (f) => (f.device.model = { ...X2, stopsIssuingOn: '2027-04-01' }), /the force stopped issuing the X2 on 2027-04-01/],
    ['officer_holds_device', (f) => (f.officer.holds = 'X2-0099'), /^Officer 1234AB already holds device X2-0099: it must be returned first\.$/],
    ['cartridge_not_available', (f) => (f.cartridges = [{ serial: 'C9', found: null }]), /^No cartridge has the serial C9\.$/],
    [
      'cartridge_not_available',
      (f) => (f.cartridges = [{ serial: 'C1', found: { state: 'issued', type: 'Smart 25 ft', expiresOn: '2028-01-31', armouryId: LAMBETH.id } }]),
      /Cartridge C1 is not available: it is issued\./,
    ],
    ['cartridge_not_available', (f) => (f.cartridges = [f.cartridges[0]!, f.cartridges[0]!]), /Cartridge C1 is listed twice\./],
    ['cartridge_expired', (f) => (f.today = '2027-04-02'), /^Cartridge C2 expired on 2027-04-01\.$/],
    [
      'cartridge_incompatible',
      (f) => (f.cartridges = [{ serial: 'C3', found: { state: 'in_store', type: 'X26 25 ft', expiresOn: '2028-01-31', armouryId: LAMBETH.id } }]),
      /Cartridge C3 \(X26 25 ft\) does not fit the X2, which takes Smart 15 ft or Smart 25 ft\./,
    ],
    [
      'too_many_cartridges',
      (f) => (f.cartridges = ['C1', 'C2', 'C4', 'C5'].map((serial) => ({ serial, found: { state: 'in_store', type: 'Smart 25 ft', expiresOn: '2028-01-31', armouryId: LAMBETH.id } }))),
      /4 cartridges is more than the X2's 2 bays and 1 spare allow \(3\)\./,
    ],
    ['wrong_armoury', (f) => (f.armoury = { id: 'arm-southwark', name: 'Southwark armoury' }), /^Device X2-0001 belongs to Lambeth armoury, not Southwark armoury\.$/],
    ['wrong_armoury', (f) => (f.armoury = { id: null, name: 'the central store' }), /belongs to Lambeth armoury, not the central store/],
  ];

  it.each(alone)('refuses with %s alone', (code, spoil, message) => {
    const f = good();
    spoil(f);
    const reasons = gateReasons(f);
    expect(reasons.map((r) => r.code)).toEqual([code]);
    expect(reasons[0]!.message).toMatch(message);
  });

  it('lists every reason at once, in a stable order', () => {
    const f = good();
    f.officer.authority = { status: 'lapsed', reason: 'Lapsed' };
    f.officer.holds = 'X2-0099';
    f.device.state = 'in_repair';
    f.armoury = { id: 'arm-southwark', name: 'Southwark armoury' };
    f.today = '2027-05-01';
    expect(codes(f)).toEqual(['not_authorised', 'device_not_available', 'officer_holds_device', 'cartridge_expired', 'wrong_armoury']);
  });

  it('an officer authorised on the X26 only may not take an X2', () => {
    const f = good();
    f.officer.authority = { status: 'not_qualified', reason: 'No pass on a course that qualifies for the X2' };
    expect(codes(f)).toEqual(['not_authorised']);
    f.device.model = X26;
    f.cartridges = [{ serial: 'C7', found: { state: 'in_store', type: 'X26 21 ft', expiresOn: '2028-01-31', armouryId: LAMBETH.id } }];
    f.officer.authority = { status: 'authorised', reason: 'Authorised' };
    expect(codes(f)).toEqual([]);
  });

  it('returning the same device the officer holds is not "holds a device"', () => {
    const f = good();
    f.officer.holds = 'X2-0001';
    expect(codes(f)).toEqual([]);
  });
});

describe('overriding the gate', () => {
  const f = good();
  f.armoury = { id: 'arm-southwark', name: 'Southwark armoury' };
  f.officer.authority = { status: 'suspended', reason: 'Suspended' };
  const reasons = gateReasons(f);

  it('an inspector overrides what policy allows, with a reason', () => {
    expect(blockingReasons(reasons, DEFAULT_GATE_POLICY, { codes: ['wrong_armoury', 'suspended'], reason: 'Borough store closed tonight' }, true).map((r) => r.code)).toEqual(['suspended']);
  });

  it('never overrides authority or suspension, even if policy lists them', () => {
    const policy = { ...DEFAULT_GATE_POLICY, overridable: ['wrong_armoury', 'suspended', 'not_authorised'] as never };
    expect(blockingReasons(reasons, policy, { codes: ['wrong_armoury', 'suspended'], reason: 'Borough store closed tonight' }, true).map((r) => r.code)).toEqual(['suspended']);
  });

  it('overrides nothing without an inspector, without a reason, or beyond policy', () => {
    const override = { codes: ['wrong_armoury'] as GateReasonCode[], reason: 'Borough store closed tonight' };
    expect(blockingReasons(reasons, DEFAULT_GATE_POLICY, override, false)).toHaveLength(2);
    expect(blockingReasons(reasons, DEFAULT_GATE_POLICY, { ...override, reason: ' ' }, true)).toHaveLength(2);
    expect(blockingReasons(reasons, { ...DEFAULT_GATE_POLICY, overridable: [] }, override, true)).toHaveLength(2);
  });
});
