import { describe, expect, it } from 'vitest';
import { CED_LEVELS, COUNTED_LEVELS, highestLevel, isDischarge, type CedLevel, type CountedLevel, type HighestLevel, type LevelEvidence } from '../../../src/domain/report/levels.js';
import { CED_TACTICS, TACTICS } from '../../../src/domain/report/vocabulary.js';

/**
 * The Met's published ranking, most severe first (DESIGN.md §1, reference/README.md), written
 * out here rather than imported so that the tests check the module against the rule.
 */
const RANKING: CountedLevel[] = ['angle_drive_stun', 'fired', 'drive_stun', 'arced', 'red_dotted', 'aimed', 'drawn'];
const DISCHARGES: CountedLevel[] = ['angle_drive_stun', 'fired', 'drive_stun'];

/** The tactic code that stands for a level: `ced_fired`, `ced_red_dotted`, ... */
const tacticOf = (l: CountedLevel) => `ced_${l}`;

/** Every unordered pair of counted levels, the more severe first: 7 × 6 / 2 = 21 pairs. */
const PAIRS: { severe: CountedLevel; lesser: CountedLevel }[] = RANKING.flatMap((severe, i) => RANKING.slice(i + 1).map((lesser) => ({ severe, lesser })));

/** The ways two levels can reach a report: in which CED block or tactic column each is recorded. */
type Placing = (first: CedLevel, second: CedLevel) => LevelEvidence;
const asCounted = (l: CedLevel): CountedLevel => (l === 'drive_stun_repeat' ? 'drive_stun' : l);
const PLACINGS: { source: string; place: Placing }[] = [
  { source: 'one application, both levels', place: (a, b) => ({ cedUsed: true, applications: [{ levels: [a, b] }] }) },
  { source: 'two applications', place: (a, b) => ({ cedUsed: true, applications: [{ levels: [a] }, { levels: [b] }] }) },
  { source: 'first in an application, second in a tactic column', place: (a, b) => ({ cedUsed: true, applications: [{ levels: [a] }], tactics: [tacticOf(asCounted(b))] }) },
  { source: 'first in a tactic column, second in an application', place: (a, b) => ({ cedUsed: true, applications: [{ levels: [b] }], tactics: [tacticOf(asCounted(a))] }) },
  { source: 'both in tactic columns', place: (a, b) => ({ cedUsed: true, tactics: [tacticOf(asCounted(a)), tacticOf(asCounted(b))] }) },
  { source: 'both in applications, CED Used not answered', place: (a, b) => ({ applications: [{ levels: [a] }, { levels: [b] }] }) },
];

describe('the ranking of levels', () => {
  it('is the published ranking: angle drive stun > fired > drive stun > arced > red-dotted > aimed > drawn', () => {
    expect([...COUNTED_LEVELS]).toEqual(RANKING);
  });

  it('has one tactic for each counted level', () => {
    expect(Object.keys(CED_TACTICS).sort()).toEqual(RANKING.map(tacticOf).sort());
  });

  it('generates all 21 pairs', () => {
    expect(PAIRS).toHaveLength(21);
  });
});

describe('highestLevel: each level alone', () => {
  it.each(RANKING)('%s recorded in an application counts as itself', (level) => {
    expect(highestLevel({ cedUsed: true, applications: [{ levels: [level] }] })).toBe(level);
  });

  it.each(RANKING)('%s recorded only as a tactic counts as itself', (level) => {
    expect(highestLevel({ cedUsed: true, tactics: [tacticOf(level)] })).toBe(level);
  });

  it.each(RANKING)('%s recorded in both an application and a tactic counts once, as itself', (level) => {
    expect(highestLevel({ cedUsed: true, applications: [{ levels: [level] }], tactics: [tacticOf(level)] })).toBe(level);
  });

  it.each(RANKING)('%s recorded with CED Used not answered still counts (any level marked means CED was used)', (level) => {
    expect(highestLevel({ applications: [{ levels: [level] }] })).toBe(level);
    expect(highestLevel({ cedUsed: null, tactics: [tacticOf(level)] })).toBe(level);
  });
});

describe.each(PLACINGS)('highestLevel: the more severe of a pair wins ($source)', ({ place }) => {
  it.each(PAIRS)('$severe beats $lesser (severe first)', ({ severe, lesser }) => {
    expect(highestLevel(place(severe, lesser))).toBe(severe);
  });

  it.each(PAIRS)('$severe beats $lesser (lesser first)', ({ severe, lesser }) => {
    expect(highestLevel(place(lesser, severe))).toBe(severe);
  });
});

describe('highestLevel: a repeat drive stun counts as a drive stun', () => {
  it('alone', () => {
    expect(highestLevel({ cedUsed: true, applications: [{ levels: ['drive_stun_repeat'] }] })).toBe('drive_stun');
  });

  it.each(RANKING.map((other) => ({ other, expected: RANKING.indexOf(other) < RANKING.indexOf('drive_stun') ? other : 'drive_stun' })))('with $other → $expected', ({ other, expected }) => {
    expect(highestLevel({ cedUsed: true, applications: [{ levels: ['drive_stun_repeat'] }, { levels: [other] }] })).toBe(expected);
    expect(highestLevel({ cedUsed: true, applications: [{ levels: [other] }, { levels: ['drive_stun_repeat'] }] })).toBe(expected);
    expect(highestLevel({ cedUsed: true, applications: [{ levels: ['drive_stun_repeat'] }], tactics: [tacticOf(other)] })).toBe(expected);
  });

  it('is never reported as a level of its own', () => {
    const all = CED_LEVELS.map((l) => highestLevel({ cedUsed: true, applications: [{ levels: [l] }] }));
    expect(all).not.toContain('drive_stun_repeat');
    expect(new Set(all)).toEqual(new Set(RANKING));
  });
});

describe('highestLevel: several applications and columns', () => {
  it.each<{ name: string; evidence: LevelEvidence; expected: HighestLevel | null }>([
    {
      name: 'four applications, the fired one third',
      evidence: { cedUsed: true, applications: [{ levels: ['drawn'] }, { levels: ['aimed', 'red_dotted'] }, { levels: ['fired'] }, { levels: ['arced'] }] },
      expected: 'fired',
    },
    {
      name: 'angle drive stun in the last application beats fired in the first',
      evidence: { cedUsed: true, applications: [{ levels: ['fired'] }, { levels: ['drawn'] }, { levels: ['angle_drive_stun'] }] },
      expected: 'angle_drive_stun',
    },
    { name: 'every level in one application', evidence: { cedUsed: true, applications: [{ levels: [...CED_LEVELS] }] }, expected: 'angle_drive_stun' },
    { name: 'the same level in every application', evidence: { cedUsed: true, applications: [{ levels: ['aimed'] }, { levels: ['aimed'] }, { levels: ['aimed'] }] }, expected: 'aimed' },
    { name: 'an application with no levels beside one with a level', evidence: { cedUsed: true, applications: [{ levels: [] }, { levels: null }, {}, { levels: ['arced'] }] }, expected: 'arced' },
    { name: 'applications red-dotted, a fired tactic', evidence: { cedUsed: true, applications: [{ levels: ['red_dotted'] }], tactics: ['tactical_communications', 'ced_fired'] }, expected: 'fired' },
    { name: 'application fired, tactics drawn and aimed', evidence: { cedUsed: true, applications: [{ levels: ['fired'] }], tactics: ['ced_drawn', 'ced_aimed'] }, expected: 'fired' },
    { name: 'every CED tactic, no applications', evidence: { cedUsed: true, tactics: Object.keys(CED_TACTICS) }, expected: 'angle_drive_stun' },
  ])('$name → $expected', ({ evidence, expected }) => {
    expect(highestLevel(evidence)).toBe(expected);
  });
});

describe('highestLevel: no level recorded anywhere', () => {
  it.each<{ name: string; evidence: LevelEvidence; expected: HighestLevel | null }>([
    { name: 'CED used, nothing else', evidence: { cedUsed: true }, expected: 'not_stated' },
    { name: 'CED used, empty lists', evidence: { cedUsed: true, applications: [], tactics: [] }, expected: 'not_stated' },
    { name: 'CED used, null lists', evidence: { cedUsed: true, applications: null, tactics: null }, expected: 'not_stated' },
    { name: 'CED used, applications without levels', evidence: { cedUsed: true, applications: [{ levels: [] }, { levels: null }, {}] }, expected: 'not_stated' },
    { name: 'CED used, only non-CED tactics', evidence: { cedUsed: true, tactics: ['baton_drawn', 'firearm_fired'] }, expected: 'not_stated' },
    { name: 'CED not used', evidence: { cedUsed: false }, expected: null },
    { name: 'CED not used, empty lists', evidence: { cedUsed: false, applications: [], tactics: [] }, expected: null },
    { name: 'CED Used not answered (undefined)', evidence: {}, expected: null },
    { name: 'CED Used not answered (null)', evidence: { cedUsed: null, applications: null, tactics: null }, expected: null },
    { name: 'CED not used, only non-CED tactics', evidence: { cedUsed: false, tactics: ['tactical_communications', 'compliant_handcuffing'] }, expected: null },
  ])('$name → $expected', ({ evidence, expected }) => {
    expect(highestLevel(evidence)).toBe(expected);
  });
});

describe('highestLevel: tactics other than CED are ignored', () => {
  const nonCed = Object.keys(TACTICS).filter((t) => !(t in CED_TACTICS));

  it('there are 20 non-CED tactics', () => {
    expect(nonCed).toHaveLength(20);
  });

  it.each(nonCed)('%s alone gives no level', (tactic) => {
    expect(highestLevel({ cedUsed: false, tactics: [tactic] })).toBeNull();
    expect(highestLevel({ cedUsed: true, tactics: [tactic] })).toBe('not_stated');
  });

  it.each(nonCed)('%s does not change a recorded level', (tactic) => {
    expect(highestLevel({ cedUsed: true, tactics: [tactic, 'ced_aimed', tactic] })).toBe('aimed');
  });

  it.each(['firearm_fired', 'aep_aimed', 'baton_drawn', 'cs_drawn', 'fired', 'drawn', 'CED_FIRED', 'ced_drive_stun_repeat', ''])('the look-alike code %j is not a CED tactic', (tactic) => {
    expect(highestLevel({ cedUsed: true, tactics: [tactic] })).toBe('not_stated');
  });
});

describe('isDischarge', () => {
  it.each<{ level: HighestLevel | null; discharge: boolean }>([
    { level: 'angle_drive_stun', discharge: true },
    { level: 'fired', discharge: true },
    { level: 'drive_stun', discharge: true },
    { level: 'arced', discharge: false },
    { level: 'red_dotted', discharge: false },
    { level: 'aimed', discharge: false },
    { level: 'drawn', discharge: false },
    { level: 'not_stated', discharge: false },
    { level: null, discharge: false },
  ])('$level → $discharge', ({ level, discharge }) => {
    expect(isDischarge(level)).toBe(discharge);
  });

  it('agrees with the published split: discharge = fired, drive stun, angled drive stun', () => {
    expect(RANKING.filter(isDischarge)).toEqual(DISCHARGES);
  });

  it('a repeat drive stun is a discharge (through highestLevel)', () => {
    expect(isDischarge(highestLevel({ cedUsed: true, applications: [{ levels: ['drive_stun_repeat'] }] }))).toBe(true);
  });
});
