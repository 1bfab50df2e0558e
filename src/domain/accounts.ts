import { z } from 'zod';
import { ROLES, type RoleGrant } from './permissions.js';

export const email = z.string({ error: 'Enter an email address' }).trim().toLowerCase().min(1, 'Enter an email address').email('Enter an email address in the correct format, like name@example.org');

/** NCSC guidance: length over complexity; reject the obvious. */
export const MIN_PASSWORD_LENGTH = 12;
const COMMON = new Set(['password1234', 'passwordpassword', '123456789012', 'qwertyuiopas', 'letmeinletmein', 'cedarcedarcedar']);

export const newPassword = z
  .string({ error: 'Enter a password' })
  .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, 'Password must be 256 characters or fewer')
  .refine((p) => !COMMON.has(p.toLowerCase()), 'Choose a password that is harder to guess')
  .refine((p) => new Set(p).size >= 4, 'Choose a password that is harder to guess');

export const roleGrantInput = z.object({
  role: z.enum(ROLES, { error: 'Select a role' }),
  boroughId: z
    .string()
    .trim()
    .nullable()
    .optional()
    .transform((v) => (v ? v : null)),
});

export const accountInput = z.object({
  email,
  displayName: z.string({ error: 'Enter a name' }).trim().min(1, 'Enter a name').max(100, 'Name must be 100 characters or fewer'),
  roles: z.array(roleGrantInput).min(1, 'Select at least one role'),
  officerId: z
    .string()
    .trim()
    .nullable()
    .optional()
    .transform((v) => (v ? v : null)),
  disabled: z.boolean().default(false),
});
export type AccountInput = z.infer<typeof accountInput>;

export interface Account {
  id: string;
  email: string;
  displayName: string;
  mustChangePassword: boolean;
  disabled: boolean;
  officerId: string | null;
  roles: RoleGrant[];
  failedSignIns: number;
  lockedUntil: string | null;
  lastSignInAt: string | null;
  createdAt: string;
}

/** After a failed sign-in: the new failure count and, once the limit is reached, when the lock ends. */
export function afterFailedSignIn(failedSoFar: number, now: Date, policy: { attempts: number; minutes: number }): { failedSignIns: number; lockedUntil: string | null } {
  const failedSignIns = failedSoFar + 1;
  if (failedSignIns >= policy.attempts) {
    return { failedSignIns, lockedUntil: new Date(now.getTime() + policy.minutes * 60_000).toISOString() };
  }
  return { failedSignIns, lockedUntil: null };
}

export function isLocked(lockedUntil: string | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil > now.toISOString();
}
