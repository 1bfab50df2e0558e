import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('settings', () => {
  it('has working defaults: SQLite at ./data/cedar.db on port 3000', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.database).toEqual({ kind: 'sqlite', file: path.resolve('data/cedar.db') });
    expect(c.demo).toBe(false);
    expect(c.force).toEqual({ name: 'Metropolitan Police Service', homeOfficeRegion: 'London', homeOfficeName: 'Metropolitan' });
  });

  it('PORT, HOST, CEDAR_DB and DATABASE_URL override them', () => {
    expect(loadConfig({ PORT: '8080', HOST: '0.0.0.0', CEDAR_DB: '/tmp/x.db' })).toMatchObject({ port: 8080, host: '0.0.0.0', database: { kind: 'sqlite', file: '/tmp/x.db' } });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db' }).database).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db' });
    expect(loadConfig({ CEDAR_DEMO: '1', CEDAR_SECURE_COOKIES: 'true' })).toMatchObject({ demo: true, secureCookies: true });
  });

  it('names every bad variable in one message', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', CEDAR_DEMO: 'yes' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL: must start with postgres://');
    expect(message).toContain('CEDAR_DEMO');
    expect(message).toContain('"eighty"');
  });

  it('limits sign-in per account (CEDAR_SIGNIN_RATE_LIMIT) and, higher, per address; higher still behind a trusted proxy', () => {
    expect(loadConfig({})).toMatchObject({ signInRateLimit: 10, signInRateLimitPerAddress: 100 });
    expect(loadConfig({ CEDAR_TRUST_PROXY: '1' })).toMatchObject({ signInRateLimit: 10, signInRateLimitPerAddress: 300 });
    expect(loadConfig({ CEDAR_TRUST_PROXY: '1', CEDAR_SIGNIN_RATE_LIMIT_PER_ADDRESS: '50', CEDAR_SIGNIN_RATE_LIMIT: '5' })).toMatchObject({ signInRateLimit: 5, signInRateLimitPerAddress: 50 });
    expect(() => loadConfig({ CEDAR_SIGNIN_RATE_LIMIT_PER_ADDRESS: 'lots' })).toThrow(/CEDAR_SIGNIN_RATE_LIMIT_PER_ADDRESS/);
  });
});
