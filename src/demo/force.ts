import { dateOf, dayNumber, pick, randomInt, shuffle, type Random } from './random.js';
import type { DemoForcePlan, DemoOfficer, DemoTeam } from './plan.js';
import { RANKS, type Rank, type TeamType } from '../domain/organisation.js';
import { ValidationError } from '../domain/errors.js';

/*
 * The demo force: the Metropolitan Police Service with its 32 London boroughs and
 * Heathrow, their teams and a few thousand officers, as plain data (src/demo/plan.ts).
 *
 * `generateDemoForce` is pure (no I/O, no clock, no global randomness): the same random
 * source gives the same force. src/demo/index.ts stores it.
 */

/** The seed the demo uses unless told otherwise (1 April 2017: every use of force recorded from then). */
export const DEFAULT_DEMO_SEED = 20170401;
/** Enough officers for the uplift's starting position: about 4,300 authorised and 1,867 more to train (src/demo/training.ts). */
export const DEFAULT_DEMO_OFFICERS = 10_000;
export const MIN_DEMO_OFFICERS = 2;
export const MAX_DEMO_OFFICERS = 100_000;

// The force ------------------------------------------------------------------------

export const DEMO_FORCE = { name: 'Metropolitan Police Service', homeOfficeRegion: 'London', homeOfficeName: 'Metropolitan' } as const;

interface DemoBoroughSpec {
  name: string;
  /** The Met's two-letter borough (BCU) code, used as the collar number suffix. */
  code: string;
  /** Whether the borough runs a custody suite. */
  custody: boolean;
}

/** The 32 London boroughs (the City of London has its own force) and Heathrow, with Met codes. */
export const DEMO_BOROUGHS: readonly DemoBoroughSpec[] = [
  { name: 'Barking and Dagenham', code: 'KG', custody: true },
  { name: 'Barnet', code: 'SX', custody: true },
  { name: 'Bexley', code: 'RY', custody: false },
  { name: 'Brent', code: 'QK', custody: true },
  { name: 'Bromley', code: 'PY', custody: true },
  { name: 'Camden', code: 'CN', custody: true },
  { name: 'Croydon', code: 'ZD', custody: true },
  { name: 'Ealing', code: 'XD', custody: true },
  { name: 'Enfield', code: 'YE', custody: false },
  { name: 'Greenwich', code: 'RG', custody: false },
  { name: 'Hackney', code: 'GD', custody: true },
  { name: 'Hammersmith and Fulham', code: 'FH', custody: true },
  { name: 'Haringey', code: 'YR', custody: true },
  { name: 'Harrow', code: 'QA', custody: false },
  { name: 'Havering', code: 'KD', custody: false },
  { name: 'Hillingdon', code: 'XH', custody: false },
  { name: 'Hounslow', code: 'TX', custody: false },
  { name: 'Islington', code: 'NI', custody: true },
  { name: 'Kensington and Chelsea', code: 'BS', custody: false },
  { name: 'Kingston upon Thames', code: 'VK', custody: false },
  { name: 'Lambeth', code: 'LX', custody: true },
  { name: 'Lewisham', code: 'PL', custody: true },
  { name: 'Merton', code: 'VW', custody: false },
  { name: 'Newham', code: 'KF', custody: true },
  { name: 'Redbridge', code: 'JI', custody: false },
  { name: 'Richmond upon Thames', code: 'TW', custody: false },
  { name: 'Southwark', code: 'MD', custody: true },
  { name: 'Sutton', code: 'ZT', custody: false },
  { name: 'Tower Hamlets', code: 'HT', custody: true },
  { name: 'Waltham Forest', code: 'JC', custody: false },
  { name: 'Wandsworth', code: 'WW', custody: true },
  { name: 'Westminster', code: 'CW', custody: true },
  { name: 'Heathrow', code: 'HA', custody: true },
];

/** The borough the demo accounts with a borough scope (officer, supervisor, borough commander) work in. */
export const DEMO_HOME_BOROUGH = 'Lambeth';

const RESPONSE_TEAM_LETTERS = ['A', 'B', 'C', 'D', 'E'] as const;
/** Heathrow is an airport command: fewer response teams, a security team instead of neighbourhood policing. */
const HEATHROW_RESPONSE_TEAM_LETTERS = ['A', 'B', 'C'] as const;
const TSG_UNITS = 6;

/** Force-wide units and the collar number suffix their officers carry. */
const FORCE_WIDE_UNITS: readonly { name: string; teamType: TeamType; collarSuffix: string; weight: number }[] = [
  // About a third of the force serves in force-wide commands, where most Taser officers were
  // before the uplift (the boroughs had about 40 each).
  ...Array.from({ length: TSG_UNITS }, (_, i) => ({ name: `Territorial Support Group ${i + 1}`, teamType: 'territorial_support' as const, collarSuffix: 'U', weight: 45 })),
  { name: 'Roads and Transport Policing Command', teamType: 'roads_policing', collarSuffix: 'TD', weight: 240 },
  { name: 'Specialist Firearms Command', teamType: 'other', collarSuffix: 'SC', weight: 160 },
  { name: 'Royal and Specialist Protection', teamType: 'other', collarSuffix: 'RP', weight: 160 },
  { name: 'Parliamentary and Diplomatic Protection', teamType: 'other', collarSuffix: 'PD', weight: 160 },
  { name: 'Violent Crime Taskforce', teamType: 'other', collarSuffix: 'VC', weight: 100 },
  { name: 'Taser Training Unit', teamType: 'training', collarSuffix: 'TT', weight: 8 },
  { name: 'Dog Support Unit', teamType: 'other', collarSuffix: 'DS', weight: 20 },
  { name: 'Marine Policing Unit', teamType: 'other', collarSuffix: 'MP', weight: 6 },
];

/** Relative share of officers a borough team of each kind gets: most officers are in emergency response. */
const BOROUGH_TEAM_WEIGHT: Partial<Record<TeamType, number>> = {
  emergency_response: 10,
  neighbourhood: 10,
  cid: 7,
  safer_transport: 4,
  custody: 4,
  other: 3,
};

// People ---------------------------------------------------------------------------

/** Shares of each rank, roughly the Met's establishment (constables about three quarters). */
const RANK_SHARES: Record<Rank, number> = {
  'Police Constable': 0.75,
  Sergeant: 0.15,
  Inspector: 0.06,
  'Chief Inspector': 0.022,
  Superintendent: 0.011,
  'Chief Superintendent': 0.005,
  Commander: 0.0012,
  'Deputy Assistant Commissioner': 0.0005,
  'Assistant Commissioner': 0.0003,
};

/** Years of service before reaching each rank, so senior officers joined earlier. */
const MIN_SERVICE_YEARS: Record<Rank, number> = {
  'Police Constable': 0,
  Sergeant: 3,
  Inspector: 6,
  'Chief Inspector': 9,
  Superintendent: 12,
  'Chief Superintendent': 14,
  Commander: 17,
  'Deputy Assistant Commissioner': 20,
  'Assistant Commissioner': 22,
};

/** Superintendent and above: no team. Commander and above: no borough either. */
const BOROUGH_SENIOR_RANKS: readonly Rank[] = ['Superintendent', 'Chief Superintendent'];
const FORCE_SENIOR_RANKS: readonly Rank[] = ['Commander', 'Deputy Assistant Commissioner', 'Assistant Commissioner'];
/** In the Met, inspectors and above have no shoulder number: they are known by their six-digit warrant number. */
const WARRANT_NUMBER_RANKS: readonly Rank[] = RANKS.filter((r) => r !== 'Police Constable' && r !== 'Sergeant');

export const DEMO_FIRST_JOINED = '1995-01-01';
/** The demo's "today" for dates: fixed so the data does not depend on the clock. */
export const DEMO_AS_OF = '2025-12-31';
const LEAVER_SHARE = 0.03;

const FIRST_NAMES = [
  'Oliver',
  'Amelia',
  'James',
  'Olivia',
  'Mohammed',
  'Aisha',
  'Daniel',
  'Grace',
  'Kwame',
  'Chloe',
  'Priya',
  'Thomas',
  'Sophie',
  'Adebayo',
  'Emily',
  'Arjun',
  'Hannah',
  'Liam',
  'Zainab',
  'Jack',
  'Jessica',
  'Tariq',
  'Lucy',
  'Chidi',
  'Megan',
  'Ravi',
  'Charlotte',
  'Connor',
  'Amara',
  'Harry',
  'Ella',
  'Yusuf',
  'Sarah',
  'Kofi',
  'Rebecca',
  'Samuel',
  'Leah',
  'Marcus',
  'Nadia',
  'Ben',
  'Katie',
  'Zoë',
  'Siobhán',
  'Seán',
  'Aoife',
  'Niamh',
  'Ciarán',
  'Mateusz',
  'Agnieszka',
  'Łukasz',
  'Tomasz',
  'Ioana',
  'Andrei',
  'Mehmet',
  'Elif',
  'Hamza',
  'Ayesha',
  'Imran',
  'Sunita',
  'Rajesh',
  'Nkechi',
  'Oluwaseun',
  'Tunde',
  'Folake',
  'Abdi',
  'Hodan',
  'Wei',
  'Mei',
  'Minh',
  'Luca',
  'Giulia',
  'Sofia',
  'Mateo',
  'Diego',
  'Ana',
  'Gabriel',
  'Anthony',
  'Michael',
  'David',
  'Paul',
  'Mark',
  'Stephen',
  'Claire',
  'Nicola',
  'Joanne',
  'Lisa',
  'Gary',
  'Darren',
  'Kelly',
  'Emma',
  'Laura',
  'Jade',
  'Reece',
  'Kieran',
  'Jamal',
  'Tyrone',
  'Shanice',
  'Keisha',
  'Andre',
  'Nathan',
  'Ryan',
  'Georgia',
  'Freya',
  'Isla',
  'Alfie',
  'Theo',
  'Kai',
  'Isaac',
  'Noah',
  'Ibrahim',
  'Omar',
  'Maryam',
  'Hassan',
  'Deepa',
  'Vikram',
  'Anjali',
  'Harpreet',
  'Gurpreet',
  'Jaspreet',
  'Rosa',
] as const;

const LAST_NAMES = [
  'Smith',
  'Jones',
  'Williams',
  'Brown',
  'Taylor',
  'Davies',
  'Evans',
  'Wilson',
  'Thomas',
  'Johnson',
  'Roberts',
  'Robinson',
  'Thompson',
  'Wright',
  'Walker',
  'White',
  'Edwards',
  'Hughes',
  'Green',
  'Hall',
  'Lewis',
  'Harris',
  'Clarke',
  'Jackson',
  'Wood',
  'Turner',
  'Martin',
  'Cooper',
  'Hill',
  'Ward',
  'Morris',
  'Moore',
  'King',
  'Baker',
  'Harrison',
  'Morgan',
  'Allen',
  'Scott',
  'Phillips',
  'Watson',
  'Parker',
  'Price',
  'Bennett',
  'Young',
  'Mitchell',
  'Kelly',
  'Carter',
  'Richardson',
  'Bailey',
  'Campbell',
  'Patel',
  'Khan',
  'Singh',
  'Begum',
  'Ali',
  'Ahmed',
  'Hussain',
  'Shah',
  'Rahman',
  'Islam',
  'Miah',
  'Uddin',
  'Chowdhury',
  'Sharma',
  'Kaur',
  'Gill',
  'Sandhu',
  'Kumar',
  'Mistry',
  'Joshi',
  'Okafor',
  'Adeyemi',
  'Okonkwo',
  'Mensah',
  'Owusu',
  'Boateng',
  'Asante',
  'Adebayo',
  'Oyelaran',
  'Eze',
  'Mohamed',
  'Abdi',
  'Farah',
  'Yilmaz',
  'Demir',
  'Kaya',
  'Nowak',
  'Kowalski',
  'Wiśniewski',
  'Lewandowski',
  'Popescu',
  'Ionescu',
  'Santos',
  'Silva',
  'Ferreira',
  'Rodrigues',
  "O'Brien",
  "O'Connor",
  "O'Sullivan",
  'Murphy',
  'McCarthy',
  'Byrne',
  'Stewart',
  'MacDonald',
  'Chen',
  'Wong',
  'Li',
  'Nguyen',
  'Tran',
  'Kim',
  'Rossi',
  'Russo',
  'Georgiou',
  'Papadopoulos',
  'Constantinou',
  'Da Costa',
  'Johnson-Smith',
  'Francis',
  'Grant',
  'Campbell-Brown',
] as const;

/** The teams of the demo force: per borough response, neighbourhood, CID, safer transport (and custody for some); then force-wide units. */
export function demoTeams(): DemoTeam[] {
  const teams: DemoTeam[] = [];
  for (const b of DEMO_BOROUGHS) {
    const add = (suffix: string, teamType: TeamType) => teams.push({ name: `${b.name} ${suffix}`, teamType, boroughCode: b.code });
    if (b.name === 'Heathrow') {
      for (const letter of HEATHROW_RESPONSE_TEAM_LETTERS) add(`Emergency Response ${letter}`, 'emergency_response');
      add('Airport Security', 'other');
      add('CID', 'cid');
    } else {
      for (const letter of RESPONSE_TEAM_LETTERS) add(`Emergency Response ${letter}`, 'emergency_response');
      add('Neighbourhood', 'neighbourhood');
      add('CID', 'cid');
      add('Safer Transport', 'safer_transport');
    }
    if (b.custody) add('Custody', 'custody');
  }
  for (const u of FORCE_WIDE_UNITS) teams.push({ name: u.name, teamType: u.teamType, boroughCode: null });
  return teams;
}

/** Splits `total` across shares by largest remainder, so the counts add up exactly. */
function apportion<K extends string>(total: number, shares: Record<K, number>): Record<K, number> {
  const keys = Object.keys(shares) as K[];
  const sum = keys.reduce((s, k) => s + shares[k], 0);
  const exact = keys.map((k) => ({ k, v: (total * shares[k]) / sum }));
  const out = Object.fromEntries(exact.map(({ k, v }) => [k, Math.floor(v)])) as Record<K, number>;
  let left = total - keys.reduce((s, k) => s + out[k], 0);
  for (const { k } of [...exact].sort((a, b) => b.v - Math.floor(b.v) - (a.v - Math.floor(a.v)))) {
    if (left-- <= 0) break;
    out[k] += 1;
  }
  return out;
}

/** Hands out unique collar numbers: random within a range, else the next free number above it. */
class CollarNumbers {
  private readonly used = new Set<string>();

  constructor(private readonly random: Random) {}

  take(min: number, max: number, suffix: string): string {
    let n = randomInt(this.random, min, max);
    for (let tries = 0; tries < 20 && this.used.has(`${n}${suffix}`); tries++) n = randomInt(this.random, min, max);
    while (this.used.has(`${n}${suffix}`)) n++;
    const collar = `${n}${suffix}`;
    this.used.add(collar);
    return collar;
  }
}

/**
 * The whole demo force as plain data. Pure: the same random source and officer count give
 * the same force. Two officers come first: an active constable and an active sergeant on
 * the home borough's response team A, for the demo officer and supervisor accounts.
 */
export function generateDemoForce(random: Random, officerCount: number = DEFAULT_DEMO_OFFICERS): DemoForcePlan {
  if (!Number.isInteger(officerCount) || officerCount < MIN_DEMO_OFFICERS || officerCount > MAX_DEMO_OFFICERS) {
    throw new ValidationError([{ field: 'officers', message: `Enter a whole number of officers from ${MIN_DEMO_OFFICERS} to ${MAX_DEMO_OFFICERS.toLocaleString('en-GB')}` }]);
  }
  const boroughs = DEMO_BOROUGHS.map(({ name, code }) => ({ name, code }));
  const teams = demoTeams();
  const collars = new CollarNumbers(random);
  const suffixOf = new Map<string, string>(FORCE_WIDE_UNITS.map((u) => [u.name, u.collarSuffix]));

  // Weighted list of postings for constables, sergeants and inspectors.
  const postings = teams.map((t) => {
    const unit = FORCE_WIDE_UNITS.find((u) => u.name === t.name);
    return { team: t, weight: unit?.weight ?? BOROUGH_TEAM_WEIGHT[t.teamType] ?? 1 };
  });
  const totalWeight = postings.reduce((s, p) => s + p.weight, 0);
  const pickTeam = (): DemoTeam => {
    let r = random() * totalWeight;
    for (const p of postings) if ((r -= p.weight) < 0) return p.team;
    return postings[postings.length - 1]!.team;
  };

  const firstDay = dayNumber(DEMO_FIRST_JOINED);
  const lastDay = dayNumber(DEMO_AS_OF);
  const joinedOnFor = (rank: Rank): string => {
    const latest = Math.max(firstDay, lastDay - Math.round(MIN_SERVICE_YEARS[rank] * 365.25));
    // Constables skew recent (recruitment has grown); senior ranks spread evenly.
    const skew = rank === 'Police Constable' ? 0.6 : rank === 'Sergeant' ? 0.85 : 1;
    return dateOf(firstDay + Math.floor((latest - firstDay) * random() ** skew));
  };

  const collarFor = (rank: Rank, team: DemoTeam | null, boroughCode: string | null): string => {
    if (WARRANT_NUMBER_RANKS.includes(rank)) return collars.take(100000, 299999, '');
    const suffix = team?.boroughCode ?? (team ? suffixOf.get(team.name) : undefined) ?? boroughCode ?? 'HQ';
    return rank === 'Sergeant' ? collars.take(1, 199, suffix) : collars.take(100, 9999, suffix);
  };

  const person = () => ({ firstName: pick(random, FIRST_NAMES), lastName: pick(random, LAST_NAMES) });

  const officerAt = (rank: Rank, team: DemoTeam | null, boroughCode: string | null, mayLeave: boolean): DemoOfficer => {
    const joinedOn = joinedOnFor(rank);
    const left = mayLeave && random() < LEAVER_SHARE;
    // Left some time after joining, by the demo's "today" at the latest.
    const leftOn = left ? dateOf(dayNumber(joinedOn) + 1 + Math.floor((lastDay - dayNumber(joinedOn)) * random())) : null;
    return {
      collarNumber: collarFor(rank, team, boroughCode),
      ...person(),
      rank,
      boroughCode,
      teamName: team?.name ?? null,
      status: left ? 'left' : 'active',
      joinedOn,
      leftOn,
    };
  };

  const home = DEMO_BOROUGHS.find((b) => b.name === DEMO_HOME_BOROUGH)!;
  const homeResponse = teams.find((t) => t.boroughCode === home.code && t.teamType === 'emergency_response')!;
  const anchors = [officerAt('Police Constable', homeResponse, home.code, false), officerAt('Sergeant', homeResponse, home.code, false)];

  const counts = apportion(officerCount - anchors.length, RANK_SHARES);
  const ranks = shuffle(
    random,
    RANKS.flatMap((r) => Array.from({ length: counts[r] }, () => r)),
  );
  const officers = [...anchors];
  for (const rank of ranks) {
    if (FORCE_SENIOR_RANKS.includes(rank)) officers.push(officerAt(rank, null, null, true));
    else if (BOROUGH_SENIOR_RANKS.includes(rank)) officers.push(officerAt(rank, null, pick(random, DEMO_BOROUGHS).code, true));
    else {
      const team = pickTeam();
      officers.push(officerAt(rank, team, team.boroughCode, true));
    }
  }
  return { boroughs, teams, officers, accountOfficers: { officer: anchors[0]!.collarNumber, supervisor: anchors[1]!.collarNumber } };
}
