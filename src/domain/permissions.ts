/**
 * Who may do what. One table of (role, action, resource), checked in one place.
 * Every route declares one permission from here (or `public` / `signed-in`).
 */
export const ROLES = ['officer', 'supervisor', 'borough_commander', 'programme_lead', 'armourer', 'analyst', 'professional_standards', 'administrator'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  officer: 'Officer',
  supervisor: 'Supervisor (sergeant)',
  borough_commander: 'Borough commander',
  programme_lead: 'Programme lead or trainer',
  armourer: 'Armourer (device manager)',
  analyst: 'Analyst',
  professional_standards: 'Professional standards',
  administrator: 'Administrator',
};

export const ACTIONS = ['read', 'create', 'update', 'manage', 'import', 'review', 'sign_off', 'publish'] as const;
export type Action = (typeof ACTIONS)[number];

export const RESOURCES = ['officer', 'team', 'borough', 'account', 'audit', 'report', 'statistics', 'release', 'training', 'authority', 'uplift', 'referral', 'device', 'shift'] as const;
export type Resource = (typeof RESOURCES)[number];

export type Permission = `${Action}:${Resource}`;

/** Roles whose grants may be limited to one borough. */
export const BOROUGH_SCOPABLE_ROLES: readonly Role[] = ['supervisor', 'borough_commander', 'officer'];

/** The table itself: each row is one (role, action, resource). */
export const PERMISSION_TABLE: ReadonlyArray<readonly [Role, Action, Resource]> = [
  // Use-of-force reports: officers record their own (create covers reading and amending
  // their own); supervisors review in their borough; borough commanders sign off.
  ['officer', 'create', 'report'],
  ['supervisor', 'create', 'report'],
  ['supervisor', 'read', 'report'],
  ['supervisor', 'review', 'report'],
  ['borough_commander', 'read', 'report'],
  ['borough_commander', 'sign_off', 'report'],
  ['professional_standards', 'read', 'report'],
  // Reports referred to professional standards: they record the outcome of each referral.
  ['professional_standards', 'review', 'referral'],
  // Aggregate statistics and the Home Office return: counts only, no identities.
  ['analyst', 'read', 'statistics'],
  ['programme_lead', 'read', 'statistics'],
  // Monthly releases for the public pages: analysts prepare (create) and publish them.
  ['analyst', 'read', 'release'],
  ['analyst', 'create', 'release'],
  ['analyst', 'publish', 'release'],
  ['programme_lead', 'read', 'release'],
  // Training (issue 5). Programme leads and trainers run courses, sessions and results
  // (manage) and enrol officers (create); supervisors see sessions and lapsing lists for
  // their borough and enrol their officers. Authority is suspended and reinstated by
  // supervisors (their borough) and professional standards.
  ['programme_lead', 'read', 'training'],
  ['programme_lead', 'create', 'training'],
  ['programme_lead', 'manage', 'training'],
  ['programme_lead', 'import', 'training'],
  ['supervisor', 'read', 'training'],
  ['supervisor', 'create', 'training'],
  ['borough_commander', 'read', 'training'],
  ['professional_standards', 'read', 'training'],
  ['administrator', 'read', 'training'],
  ['administrator', 'import', 'training'],
  ['supervisor', 'update', 'authority'],
  ['professional_standards', 'update', 'authority'],
  // The uplift plan: the programme lead sets its targets; commanders follow their borough.
  ['programme_lead', 'read', 'uplift'],
  ['programme_lead', 'manage', 'uplift'],
  ['borough_commander', 'read', 'uplift'],
  ['analyst', 'read', 'uplift'],
  ['supervisor', 'read', 'officer'],
  ['supervisor', 'read', 'team'],
  ['borough_commander', 'read', 'officer'],
  ['borough_commander', 'read', 'team'],
  ['programme_lead', 'read', 'officer'],
  ['programme_lead', 'create', 'officer'],
  ['programme_lead', 'update', 'officer'],
  ['programme_lead', 'read', 'team'],
  ['armourer', 'read', 'officer'],
  ['armourer', 'read', 'team'],
  ['analyst', 'read', 'team'],
  ['professional_standards', 'read', 'officer'],
  ['professional_standards', 'read', 'team'],
  ['professional_standards', 'read', 'audit'],
  ['administrator', 'read', 'officer'],
  ['administrator', 'create', 'officer'],
  ['administrator', 'update', 'officer'],
  ['administrator', 'import', 'officer'],
  ['administrator', 'read', 'team'],
  ['administrator', 'create', 'team'],
  ['administrator', 'update', 'team'],
  ['administrator', 'create', 'borough'],
  ['administrator', 'manage', 'account'],
  ['administrator', 'read', 'audit'],
  // Devices (issue 12): armourers keep the fleet and issue devices; sergeants issue and take
  // back their borough's devices at the start and end of a shift; professional standards
  // quarantine and release; the programme lead and commanders follow the fleet.
  ['armourer', 'read', 'device'],
  ['armourer', 'create', 'device'],
  ['armourer', 'update', 'device'],
  ['supervisor', 'read', 'device'],
  ['supervisor', 'create', 'device'],
  ['professional_standards', 'read', 'device'],
  ['professional_standards', 'update', 'device'],
  ['programme_lead', 'read', 'device'],
  // Models and the gate's policy are configuration, kept by the programme lead and armourers.
  ['programme_lead', 'manage', 'device'],
  ['armourer', 'manage', 'device'],
  ['borough_commander', 'read', 'device'],
  // Device logs reconciled with reports (issue 13): armourers and professional standards run
  // the reconciliation and resolve what it finds, with an outcome and a reason.
  ['armourer', 'review', 'device'],
  ['professional_standards', 'review', 'device'],
  // Duty rosters and crewing (issue 14): the programme lead and administrators import shifts
  // (so does a duty-rostering system, through a token); the programme lead keeps the crewing
  // policy; sergeants and commanders see their borough's shifts and crews.
  ['programme_lead', 'import', 'shift'],
  ['administrator', 'import', 'shift'],
  ['programme_lead', 'manage', 'shift'],
  ['programme_lead', 'read', 'shift'],
  ['supervisor', 'read', 'shift'],
  // Sergeants save their shift's crews on the briefing page (their borough).
  ['supervisor', 'create', 'shift'],
  ['borough_commander', 'read', 'shift'],
];

/** A role held by an account, optionally limited to one borough. */
export interface RoleGrant {
  role: Role;
  boroughId: string | null;
}

/** What a permission check allows: everything, or only records in these boroughs. */
export type Scope = { all: true } | { all: false; boroughIds: string[] };

/** A scope as a short stable string (a cache key): `*`, or its boroughs' ids, sorted. */
export function scopeKey(scope: Scope): string {
  return scope.all ? '*' : [...scope.boroughIds].sort().join(',');
}

export function roleAllows(role: Role, permission: Permission): boolean {
  const [action, resource] = permission.split(':') as [Action, Resource];
  return PERMISSION_TABLE.some(([r, a, res]) => r === role && a === action && res === resource);
}

/**
 * The scope a set of grants gives for one permission, or null when none of them allows it.
 * An unscoped grant gives everything; scoped grants give the union of their boroughs.
 */
export function scopeFor(grants: readonly RoleGrant[], permission: Permission): Scope | null {
  const allowing = grants.filter((g) => roleAllows(g.role, permission));
  if (allowing.length === 0) return null;
  if (allowing.some((g) => g.boroughId === null)) return { all: true };
  return { all: false, boroughIds: [...new Set(allowing.map((g) => g.boroughId as string))] };
}

/** The combined scope of any of several permissions: what at least one of them allows. */
export function scopeForAny(grants: readonly RoleGrant[], permissions: readonly Permission[]): Scope | null {
  const scopes = permissions.map((p) => scopeFor(grants, p)).filter((s): s is Scope => s !== null);
  if (scopes.length === 0) return null;
  if (scopes.some((s) => s.all)) return { all: true };
  return { all: false, boroughIds: [...new Set(scopes.flatMap((s) => (s.all ? [] : s.boroughIds)))] };
}

export function can(grants: readonly RoleGrant[], permission: Permission): boolean {
  return scopeFor(grants, permission) !== null;
}

/** Whether a record in `boroughId` falls inside the scope. Records with no borough need an unscoped grant. */
export function scopeIncludes(scope: Scope, boroughId: string | null): boolean {
  return scope.all || (boroughId !== null && scope.boroughIds.includes(boroughId));
}

export function allPermissions(): Permission[] {
  const seen = new Set<Permission>();
  for (const [, a, r] of PERMISSION_TABLE) seen.add(`${a}:${r}`);
  return [...seen];
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
