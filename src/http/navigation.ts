import { can, type Permission } from '../domain/permissions.js';
import type { Identity } from './types.js';

interface NavItem {
  text: string;
  href: string;
  permission: Permission | 'signed-in';
}

const ITEMS: NavItem[] = [
  { text: 'Home', href: '/', permission: 'signed-in' },
  { text: 'My reports', href: '/reports', permission: 'create:report' },
  { text: 'Reviews', href: '/reviews', permission: 'read:report' },
  { text: 'Referrals', href: '/referrals', permission: 'review:referral' },
  { text: 'My training', href: '/my-training', permission: 'create:report' },
  { text: 'Training', href: '/training', permission: 'read:training' },
  { text: 'Uplift', href: '/uplift', permission: 'read:uplift' },
  { text: 'Coverage', href: '/coverage', permission: 'read:shift' },
  { text: 'Statistics', href: '/statistics', permission: 'read:statistics' },
  { text: 'Devices', href: '/devices', permission: 'read:device' },
  { text: 'Officers', href: '/officers', permission: 'read:officer' },
  { text: 'Armoury', href: '/armoury', permission: 'read:device' },
  { text: 'Briefing', href: '/briefing', permission: 'read:shift' },
  { text: 'Teams', href: '/teams', permission: 'read:team' },
  { text: 'Accounts', href: '/admin/accounts', permission: 'manage:account' },
  { text: 'Audit log', href: '/audit', permission: 'read:audit' },
];

/** Service navigation for a person: only the areas their roles can open. */
export function navigationFor(identity: Identity | null, currentPath: string) {
  if (!identity || identity.account.mustChangePassword) return [];
  return ITEMS.filter((i) => i.permission === 'signed-in' || can(identity.account.roles, i.permission)).map((i) => ({
    text: i.text,
    href: i.href,
    active: i.href === '/' ? currentPath === '/' : currentPath === i.href || currentPath.startsWith(`${i.href}/`),
  }));
}
