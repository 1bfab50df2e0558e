import path from 'node:path';
import { z } from 'zod';
import { parseAuditKey } from './domain/audit.js';

/** Every setting Cedar reads from the environment, validated once at start. */
const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  CEDAR_DB: z.string().min(1).default('./data/cedar.db'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CEDAR_DEMO: flag,
  CEDAR_SECURE_COOKIES: flag,
  CEDAR_TRUST_PROXY: flag,
  CEDAR_SESSION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  CEDAR_SIGNIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  CEDAR_SIGNIN_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().optional(),
  CEDAR_LOCKOUT_ATTEMPTS: z.coerce.number().int().positive().default(5),
  CEDAR_LOCKOUT_MINUTES: z.coerce.number().positive().default(15),
  CEDAR_FORCE_NAME: z.string().trim().min(1).max(100).default('Metropolitan Police Service'),
  CEDAR_FORCE_REGION: z.string().trim().min(1).max(100).default('London'),
  CEDAR_FORCE_HOME_OFFICE_NAME: z.string().trim().min(1).max(100).default('Metropolitan'),
  CEDAR_ADMIN_EMAIL: z.string().email().default('admin@cedar.local'),
  CEDAR_REPORT_DUE_HOURS_DISCHARGE: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  CEDAR_REPORT_DUE_HOURS_OTHER: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(72),
  CEDAR_DISCHARGE_SIGN_OFF: z
    .enum(['0', '1', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  CEDAR_RECORDS_BEGIN: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written as YYYY-MM-DD')
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'must be a real date')
    .default('2017-04-01'),
  CEDAR_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CEDAR_AUDIT_KEY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v?.trim()) return null;
      try {
        return parseAuditKey(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
});

export interface Config {
  port: number;
  host: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  demo: boolean;
  secureCookies: boolean;
  trustProxy: boolean;
  sessionHours: number;
  /** Sign-in attempts allowed per account (the email tried, known or not) per minute. */
  signInRateLimit: number;
  /** Sign-in attempts allowed per client address per minute: many people may share one. */
  signInRateLimitPerAddress: number;
  lockoutAttempts: number;
  lockoutMinutes: number;
  adminEmail: string;
  force: { name: string; homeOfficeRegion: string; homeOfficeName: string };
  report: { dueHoursDischarge: number; dueHoursOther: number; dischargeNeedsSignOff: boolean; recordsBegin: string };
  logLevel: z.infer<typeof envSchema>['CEDAR_LOG_LEVEL'];
  /** The audit key (HMAC), or null: then a SQLite database keeps one in `audit.key` beside it (services/audit.ts). */
  auditKey: Buffer | null;
}

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.join('.')}: ${i.message} (${i.path[0] === 'CEDAR_AUDIT_KEY' ? 'its value is a secret and not shown' : `got ${JSON.stringify(env[String(i.path[0])])}`})`,
    );
    throw new ConfigError(`Cedar cannot start: invalid settings\n${lines.join('\n')}\nSee README.md, "Settings".`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'sqlite', file: path.resolve(e.CEDAR_DB) },
    demo: e.CEDAR_DEMO,
    secureCookies: e.CEDAR_SECURE_COOKIES,
    trustProxy: e.CEDAR_TRUST_PROXY,
    sessionHours: e.CEDAR_SESSION_HOURS,
    signInRateLimit: e.CEDAR_SIGNIN_RATE_LIMIT,
    // Officers at a station share its address; behind a trusted proxy the address it reports
    // is often a force gateway shared by several stations, so the default is higher there.
    signInRateLimitPerAddress: e.CEDAR_SIGNIN_RATE_LIMIT_PER_ADDRESS ?? (e.CEDAR_TRUST_PROXY ? 300 : 100),
    lockoutAttempts: e.CEDAR_LOCKOUT_ATTEMPTS,
    lockoutMinutes: e.CEDAR_LOCKOUT_MINUTES,
    adminEmail: e.CEDAR_ADMIN_EMAIL,
    force: { name: e.CEDAR_FORCE_NAME, homeOfficeRegion: e.CEDAR_FORCE_REGION, homeOfficeName: e.CEDAR_FORCE_HOME_OFFICE_NAME },
    report: {
      dueHoursDischarge: e.CEDAR_REPORT_DUE_HOURS_DISCHARGE,
      dueHoursOther: e.CEDAR_REPORT_DUE_HOURS_OTHER,
      dischargeNeedsSignOff: e.CEDAR_DISCHARGE_SIGN_OFF,
      recordsBegin: e.CEDAR_RECORDS_BEGIN,
    },
    logLevel: e.CEDAR_LOG_LEVEL,
    auditKey: e.CEDAR_AUDIT_KEY,
  };
}
