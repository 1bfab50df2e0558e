/**
 * The words of the use-of-force record, as the Home Office and the Met publish them.
 * Stored values are short codes; labels are what people and the published files read.
 */
const entries = <K extends string>(o: Record<K, string>) => o;

export const LOCATION_TYPES = entries({
  street: 'Street/Highway',
  public_transport: 'Public Transport',
  retail: 'Retail Premises',
  open_ground: 'Open ground (e.g. park, car park, field)',
  licensed: 'Licensed Premises',
  stadium: 'Sports or Event Stadia',
  hospital: 'Hospital/A&E (non-mental-health setting)',
  mental_health: 'Mental Health Setting',
  vehicle_caged: 'Police vehicle with prisoner handling cage',
  vehicle_uncaged: 'Police vehicle without prisoner handling cage',
  dwelling: 'Dwelling',
  police_station: 'Police station (excluding custody block)',
  custody: 'Custody Block',
  ambulance: 'Ambulance',
  other: 'Other',
});

export const PRIMARY_CONDUCT = entries({
  compliant: 'Compliant',
  passive: 'Passive resistance',
  verbal: 'Verbal resistance/gestures',
  active: 'Active resistance',
  aggressive: 'Aggressive resistance',
  serious: 'Serious or aggravated resistance',
});

export const IMPACT_FACTORS = entries({
  weapon: 'Possession of a weapon',
  alcohol: 'Alcohol',
  drugs: 'Drugs',
  mental_health: 'Mental Health',
  prior_knowledge: 'Prior Knowledge',
  size_gender_build: 'Size/Gender/Build',
  abd: 'Acute Behavioural Disorder',
  crowd: 'Crowd',
  other: 'Other',
});

export const REASONS_FOR_FORCE = entries({
  protect_self: 'Protect self',
  protect_public: 'Protect Public',
  protect_subject: 'Protect Subject',
  protect_officers: 'Protect Other Officers',
  prevent_offence: 'Prevent Offence',
  secure_evidence: 'Secure Evidence',
  effect_search: 'Effect Search',
  effect_arrest: 'Effect Arrest',
  method_of_entry: 'Method of Entry',
  remove_handcuffs: 'Remove Handcuffs',
  prevent_harm: 'Prevent Harm',
  prevent_escape: 'Prevent Escape',
  other: 'Other',
});

export const MAIN_DUTIES = entries({
  response: 'Response',
  neighbourhood: 'Neighbourhood',
  tsg: 'TSG',
  cid: 'CID',
  dog_handler: 'Dog handler duty',
  safer_transport: 'Safer Transport',
  roads_policing: 'Roads Policing',
  custody: 'Custody',
  other: 'Other',
});

/** The CED tactics, in the Met's words, with the level of use each stands for. */
export const CED_TACTICS = entries({
  ced_drawn: 'CED (Taser) Drawn',
  ced_aimed: 'CED (Taser) Aimed',
  ced_red_dotted: 'CED (Taser) Red-Dotted',
  ced_arced: 'CED (Taser) Arced',
  ced_drive_stun: 'CED (Taser) Drive Stun',
  ced_angle_drive_stun: 'CED (Taser) Angle Drive Stun',
  ced_fired: 'CED (Taser) Fired',
});

export const TACTICS = entries({
  tactical_communications: 'Tactical Communications',
  compliant_handcuffing: 'Compliant Handcuffing',
  non_compliant_handcuffing: 'Non-Compliant Handcuffing',
  unarmed_skills: 'Unarmed Skills (including pressure points, strikes, restraints and take-downs)',
  ground_restraint: 'Ground Restraint',
  limb_body_restraints: 'Limb/Body Restraints',
  spit_guard: 'Spit Guard',
  shield: 'Shield',
  dog_deployed: 'Dog Deployed',
  dog_bite: 'Dog Bite',
  other_improvised: 'Other/Improvised',
  cs_drawn: 'Irritant Spray - CS Drawn',
  pava_drawn: 'Irritant Spray - PAVA Drawn',
  cs_used: 'Irritant Spray - CS Used',
  pava_used: 'Irritant Spray - PAVA Used',
  baton_drawn: 'Baton Drawn',
  baton_used: 'Baton Used',
  aep_aimed: 'AEP Aimed',
  firearm_aimed: 'Firearm Aimed',
  firearm_fired: 'Firearm Fired',
  ...CED_TACTICS,
});

export const AGE_BANDS = entries({ '0-10': '0-10', '11-17': '11-17', '18-34': '18-34', '35-49': '35-49', '50-64': '50-64', '65+': '65 and over' });

export const GENDERS = entries({ male: 'Male', female: 'Female', other: 'Other', not_known: 'Not known' });

/** Officer-perceived ethnicity, as published. */
export const ETHNICITIES = entries({
  white: 'White',
  black: 'Black (or Black British)',
  asian: 'Asian (or Asian British)',
  mixed: 'Mixed',
  other: 'Other',
  not_reported: 'Not reported',
});

export const INJURY_LEVELS = entries({ minor: 'Minor', severe: 'Severe', death: 'Death' });

export const OUTCOMES = entries({
  made_off: 'Made off/escaped',
  arrested: 'Arrested',
  hospitalised: 'Hospitalised',
  detained_mha: 'Detained - Mental Health Act',
  fatality: 'Fatality',
  other: 'Other',
});

/** Probe strike locations: the body map's front 1-15 and back A-K (there is no I). */
export const BODY_MAP_FRONT = Array.from({ length: 15 }, (_, i) => `F${i + 1}`);
export const BODY_MAP_BACK = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K'].map((l) => `B${l}`);
export const BODY_MAP = [...BODY_MAP_FRONT, ...BODY_MAP_BACK];

export const bodyMapLabel = (code: string) => (code.startsWith('F') ? `Front ${code.slice(1)}` : `Back ${code.slice(1)}`);

/**
 * The part of the body each zone covers, as Cedar's body map draws it. Left and right are
 * the subject's: the front is seen facing the subject (their right on the viewer's left),
 * the back from behind. Numbered and lettered top to bottom, then as the viewer reads.
 * (The Met publishes only the zone columns, not its form's drawing: a force whose form
 * divides the body differently changes these words and the drawing in http/body-map.ts.)
 */
export const BODY_MAP_AREAS: Record<string, string> = {
  F1: 'head and face',
  F2: 'neck',
  F3: 'right upper arm',
  F4: 'right chest',
  F5: 'left chest',
  F6: 'left upper arm',
  F7: 'right forearm and hand',
  F8: 'right abdomen',
  F9: 'left abdomen',
  F10: 'left forearm and hand',
  F11: 'groin',
  F12: 'right thigh',
  F13: 'left thigh',
  F14: 'right lower leg and foot',
  F15: 'left lower leg and foot',
  BA: 'head and neck',
  BB: 'left arm',
  BC: 'left upper back',
  BD: 'right upper back',
  BE: 'right arm',
  BF: 'left lower back',
  BG: 'right lower back',
  BH: 'buttocks',
  BJ: 'left leg',
  BK: 'right leg',
};

/** A zone with the part of the body it covers: "Front 4 (right chest)". */
export const bodyMapZone = (code: string) => (BODY_MAP_AREAS[code] ? `${bodyMapLabel(code)} (${BODY_MAP_AREAS[code]})` : bodyMapLabel(code));

export type Vocabulary = Record<string, string>;
export const codes = <V extends Vocabulary>(v: V) => Object.keys(v) as [keyof V & string, ...(keyof V & string)[]];
