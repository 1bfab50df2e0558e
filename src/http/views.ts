import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { RANK_ABBREVIATIONS, TEAM_TYPE_LABELS } from '../domain/organisation.js';
import { ROLE_LABELS } from '../domain/permissions.js';

/** The package root, from src/http/ or the compiled dist/http/ alike: views, public/ and node_modules/ are read from there. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const NODE_MODULES = path.join(ROOT, 'node_modules');

const londonDateTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
const londonDate = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

/** Instants already formatted: Intl's formatting costs ~10 µs, and a long list shows the same few instants again and again. */
const formattedInstants = new Map<string, string>();

/** Instants are stored in UTC and shown in Europe/London. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  let text = formattedInstants.get(iso);
  if (text === undefined) {
    const d = new Date(iso);
    text = Number.isNaN(d.getTime()) ? iso : londonDateTime.format(d).replace(',', ' at');
    if (formattedInstants.size >= 5000) formattedInstants.clear();
    formattedInstants.set(iso, text);
  }
  return text;
}

/** Dates (`YYYY-MM-DD`) have no time zone: shown as written. */
const wholeNumber = new Intl.NumberFormat('en-GB');
/** '1,234', as the `number` filter writes it. */
export const formatNumber = (n: number) => wholeNumber.format(n);
/** '1 place', '3 places', '1,019 officers'. */
export const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;

export function formatDate(date: string | null | undefined): string {
  if (!date) return '';
  const d = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? date : londonDate.format(d);
}

/*
 * A macro file imported without context (`{% from "govuk/components/button/macro.njk" import
 * govukButton %}`, and each GOV.UK component's own import of its attribute macros) gives the same
 * macros every time: it is run with a fresh, empty context. Nunjucks runs it again on every
 * import, which was a quarter of a page's CPU; the macros it exports are kept per compiled
 * template (a template recompiled in development is a new one). An import with context runs as
 * before.
 */
type Exported = Record<string, unknown>;
type ExportCallback = (err: Error | null, exported: Exported | null) => void;
const exportedOnce = new WeakMap<object, Exported>();
const templateProto = nunjucks.Template.prototype as unknown as { getExported: (...args: unknown[]) => void; keepsExports?: boolean };
if (!templateProto.keepsExports) {
  const getExported = templateProto.getExported;
  templateProto.getExported = function (this: object, ...args: unknown[]) {
    if (args.length !== 1 || typeof args[0] !== 'function') return getExported.apply(this, args);
    const cb = args[0] as ExportCallback;
    const kept = exportedOnce.get(this);
    if (kept) return cb(null, kept);
    return getExported.call(this, (err: Error | null, exported: Exported | null) => {
      if (!err && exported) exportedOnce.set(this, exported);
      cb(err, exported);
    });
  };
  templateProto.keepsExports = true;
}

export function createViews(): nunjucks.Environment {
  const env = nunjucks.configure([path.join(ROOT, 'src/http/views'), path.join(NODE_MODULES, 'govuk-frontend/dist'), path.join(NODE_MODULES, '@ministryofjustice/frontend')], {
    autoescape: true,
    throwOnUndefined: false,
    noCache: process.env.NODE_ENV === 'development',
  });
  env.addFilter('dateTime', formatDateTime);
  env.addFilter('date', formatDate);
  env.addFilter('number', (n: number) => (typeof n === 'number' ? formatNumber(n) : n)); // one formatter: toLocaleString builds one per call
  env.addFilter('roleLabel', (r: keyof typeof ROLE_LABELS) => ROLE_LABELS[r] ?? r);
  env.addFilter('teamTypeLabel', (t: keyof typeof TEAM_TYPE_LABELS) => TEAM_TYPE_LABELS[t] ?? t);
  env.addFilter('rankShort', (r: keyof typeof RANK_ABBREVIATIONS) => RANK_ABBREVIATIONS[r] ?? r);
  // The MOJ timeline formats its dates with `mojDate`; ours shows them in Europe/London.
  env.addFilter('mojDate', (iso: string, type: string) => (type === 'date' || type === 'shortdate' ? formatDate(iso.slice(0, 10)) : formatDateTime(iso)));
  // File names are kebab-case: a section key `postUse` is drawn by `post-use.njk`.
  env.addFilter('kebab', (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  env.addFilter('json', (v: unknown) => JSON.stringify(v, null, 2));
  // GOV.UK's macros trim every block they render; Nunjucks' own trim is the regex /^\s*|\s*$/g,
  // which scans a long block's every run of spaces to the end (a fifth of a page's CPU). Same
  // result, kept safe (HTML already escaped stays unescaped) as Nunjucks' does.
  const { copySafeness } = nunjucks.runtime as unknown as { copySafeness: (from: unknown, to: string) => unknown };
  env.addFilter('trim', (s: unknown) => copySafeness(s, String(s).trim()));
  // GOV.UK's components import their macros by relative name ("../../macros/attributes.njk"),
  // which Nunjucks resolves with path.resolve on every import of every render (2.5% of the
  // lapsing page's CPU under load). The same two absolute names always give the same file, and
  // there are as many pairs as imports in the templates: each answer is kept.
  for (const loader of (env as unknown as { loaders: { resolve?: (from: string, to: string) => string }[] }).loaders) {
    const resolve = loader.resolve?.bind(loader);
    if (!resolve) continue;
    const resolved = new Map<string, string>();
    loader.resolve = (from, to) => {
      const key = `${from}\0${to}`;
      let name = resolved.get(key);
      if (name === undefined) resolved.set(key, (name = resolve(from, to)));
      return name;
    };
  }
  return env;
}
