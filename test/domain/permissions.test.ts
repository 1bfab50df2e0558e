import { describe, expect, it } from 'vitest';
import { PERMISSION_TABLE, ROLES, allPermissions, can, roleAllows, scopeFor, scopeIncludes, type Permission, type Role } from '../../src/domain/permissions.js';

describe('permission table', () => {
  it.each<[Role, Permission, boolean]>([
    ['administrator', 'manage:account', true],
    ['administrator', 'read:audit', true],
    ['professional_standards', 'read:audit', true],
    ['professional_standards', 'update:officer', false],
    ['supervisor', 'read:officer', true],
    ['supervisor', 'update:officer', false],
    ['borough_commander', 'read:officer', true],
    ['programme_lead', 'create:officer', true],
    ['analyst', 'read:officer', false],
    ['armourer', 'read:audit', false],
    ['officer', 'read:officer', false],
    ['officer', 'read:team', false],
    // Issue 13: armourers and professional standards resolve the reconciliation's exceptions.
    ['armourer', 'review:device', true],
    ['professional_standards', 'review:device', true],
    ['supervisor', 'review:device', false],
    ['borough_commander', 'review:device', false],
    ['officer', 'review:device', false],
    ['programme_lead', 'import:shift', true],
    ['programme_lead', 'manage:shift', true],
    ['supervisor', 'read:shift', true],
    ['supervisor', 'import:shift', false],
    ['armourer', 'read:shift', false],
    ['supervisor', 'create:shift', true],
    ['borough_commander', 'create:shift', false],
    ['officer', 'create:shift', false],
    ['supervisor', 'manage:shift', false],
  ])('%s may %s: %s', (role, permission, expected) => {
    expect(roleAllows(role, permission)).toBe(expected);
  });

  it('only names known roles and has no duplicate rows', () => {
    const keys = PERMISSION_TABLE.map((r) => r.join('/'));
    expect(new Set(keys).size).toBe(keys.length);
    for (const [role] of PERMISSION_TABLE) expect(ROLES).toContain(role);
    expect(allPermissions()).toContain('read:officer');
  });

  const lambeth = 'b-lambeth';
  const camden = 'b-camden';
  it.each([
    { name: 'no grant', grants: [], expected: null },
    { name: 'unscoped grant', grants: [{ role: 'supervisor' as const, boroughId: null }], expected: { all: true } },
    { name: 'one borough', grants: [{ role: 'supervisor' as const, boroughId: lambeth }], expected: { all: false, boroughIds: [lambeth] } },
    {
      name: 'union of boroughs',
      grants: [
        { role: 'supervisor' as const, boroughId: lambeth },
        { role: 'borough_commander' as const, boroughId: camden },
      ],
      expected: { all: false, boroughIds: [lambeth, camden] },
    },
    {
      name: 'an unscoped grant wins over scoped ones',
      grants: [
        { role: 'supervisor' as const, boroughId: lambeth },
        { role: 'administrator' as const, boroughId: null },
      ],
      expected: { all: true },
    },
    { name: 'a grant that does not allow it adds nothing', grants: [{ role: 'analyst' as const, boroughId: null }], expected: null },
  ])('scope for read:officer with $name', ({ grants, expected }) => {
    expect(scopeFor(grants, 'read:officer')).toEqual(expected);
    expect(can(grants, 'read:officer')).toBe(expected !== null);
  });

  it('records with no borough need an unscoped grant', () => {
    expect(scopeIncludes({ all: true }, null)).toBe(true);
    expect(scopeIncludes({ all: false, boroughIds: [lambeth] }, null)).toBe(false);
    expect(scopeIncludes({ all: false, boroughIds: [lambeth] }, lambeth)).toBe(true);
    expect(scopeIncludes({ all: false, boroughIds: [lambeth] }, camden)).toBe(false);
  });
});
