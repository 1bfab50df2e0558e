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

/** Instants are stored in UTC and shown in Europe/London. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : londonDateTime.format(d).replace(',', ' at');
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
  return env;
}
