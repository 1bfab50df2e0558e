import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import type { RoleGrant } from '../../src/domain/permissions.js';
import { buildApp } from '../../src/http/app.js';
import { createAccount } from '../../src/services/accounts.js';
import { SYSTEM_ACTOR } from '../../src/services/context.js';
import { openTestServices, TEST_POLICY, type TestServices } from './databases.js';
import type { DatabaseKind } from '../../src/db/database.js';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: FastifyInstance;
  svc: TestServices;
  config: Config;
  close(): Promise<void>;
}

export async function openTestApp(kind: DatabaseKind, env: Record<string, string> = {}, opts: { clock?: () => Date } = {}): Promise<TestApp> {
  const svc = await openTestServices(kind, opts);
  const config = loadConfig({
    CEDAR_LOG_LEVEL: 'silent',
    CEDAR_LOCKOUT_ATTEMPTS: String(TEST_POLICY.lockoutAttempts),
    CEDAR_SIGNIN_RATE_LIMIT: '1000',
    CEDAR_SIGNIN_RATE_LIMIT_PER_ADDRESS: '1000',
    ...env,
  });
  const app = await buildApp({ services: svc, config });
  await app.ready();
  return {
    app,
    svc,
    config,
    async close() {
      await app.close();
      await svc.cleanup();
    },
  };
}

/** A signed-in browser-like client: keeps cookies and the CSRF token. */
export interface Client {
  cookie: string;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, form: Record<string, string | string[]>): Promise<LightMyRequestResponse>;
}

function cookiesFrom(res: LightMyRequestResponse): string {
  return res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

/**
 * A page's words without its markup, for matching sentences in tests: tags become spaces, runs of
 * white space one space, and the entities Nunjucks writes are decoded (an apostrophe, `&#39;` or
 * `&rsquo;`, as `apostrophe`).
 */
export function pageText(html: string, apostrophe: "'" | '’' = "'"): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;/g, apostrophe)
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('No CSRF token in page');
  return m[1]!;
}

export function formEncode(form: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

export async function signInAs(app: FastifyInstance, email: string, password = TEST_PASSWORD): Promise<Client> {
  const page = await app.inject({ method: 'GET', url: '/sign-in' });
  const preCookie = cookiesFrom(page);
  const res = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { cookie: preCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: formEncode({ _csrf: csrfFrom(page.body), email, password }),
  });
  if (res.statusCode !== 303) throw new Error(`Sign-in failed for ${email}: ${res.statusCode}`);
  const session = res.cookies.find((c) => c.name === 'cedar_session');
  if (!session) throw new Error('No session cookie');
  const cookie = `cedar_session=${session.value}`;
  const home = await app.inject({ method: 'GET', url: '/account/password', headers: { cookie } });
  const client: Client = {
    cookie,
    csrf: csrfFrom(home.body),
    get: (url) => app.inject({ method: 'GET', url, headers: { cookie } }),
    post: (url, form) => app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: formEncode({ _csrf: client.csrf, ...form }) }),
  };
  return client;
}

export async function makeAccount(t: TestApp, email: string, roles: RoleGrant[], extra: { officerId?: string } = {}) {
  const { account } = await createAccount(t.svc, SYSTEM_ACTOR, { email, displayName: email.split('@')[0], roles, officerId: extra.officerId ?? null }, TEST_PASSWORD);
  return account;
}
