import type { FastifyRequest } from 'fastify';
import type { FieldError } from '../domain/errors.js';

export type FormBody = Record<string, string | string[] | undefined>;

export function formBody(request: FastifyRequest): FormBody {
  const body = request.body;
  return body && typeof body === 'object' ? (body as FormBody) : {};
}

/** The single value of a form field (the first, if it was repeated). */
export function field(body: FormBody, name: string): string {
  const v = body[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

export function fieldList(body: FormBody, name: string): string[] {
  const v = body[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Error summary list and per-field messages, the shape GOV.UK macros take. `ids` maps a field to its input's id. */
export function errorView(errors: FieldError[], ids: Record<string, string> = {}) {
  const byField: Record<string, { text: string }> = {};
  for (const e of errors) byField[e.field] ??= { text: e.message };
  return {
    errorList: errors.map((e) => ({ text: e.message, href: `#${ids[e.field] ?? e.field.replace(/\./g, '-')}` })),
    errors: byField,
  };
}

export interface Paging {
  page: number;
  pageSize: number;
}

/** Page number from `?page=`, defaulting to 1; nonsense becomes 1. */
export function pageFrom(query: Record<string, unknown>, pageSize = 50): Paging {
  const n = Number(query.page);
  return { page: Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1, pageSize };
}

/** govukPagination items for a result, keeping the other query parameters. */
export function paginationView(basePath: string, query: Record<string, unknown>, page: number, pages: number) {
  if (pages <= 1) return null;
  const href = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (k !== 'page' && typeof v === 'string' && v !== '') params.set(k, v);
    params.set('page', String(p));
    return `${basePath}?${params}`;
  };
  const numbers = new Set([1, pages, page - 1, page, page + 1].filter((p) => p >= 1 && p <= pages));
  const sorted = [...numbers].sort((a, b) => a - b);
  const items: { number?: number; href?: string; current?: boolean; ellipsis?: boolean }[] = [];
  let prev = 0;
  for (const p of sorted) {
    if (p - prev > 1) items.push({ ellipsis: true });
    items.push({ number: p, href: href(p), current: p === page });
    prev = p;
  }
  return {
    items,
    previous: page > 1 ? { href: href(page - 1) } : undefined,
    next: page < pages ? { href: href(page + 1) } : undefined,
  };
}

const NEXT_BASE = 'http://cedar.invalid';

/**
 * Where to go after sign-in: a path on this site, or Home. The value is resolved the way a
 * browser would (tabs and newlines dropped, backslashes read as slashes, dot segments
 * resolved) against a dummy origin; only a result on that same origin, whose path still
 * starts with a single slash, is kept, as its normalised, percent-encoded path and query.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, NEXT_BASE);
  } catch {
    return '/';
  }
  if (url.origin !== NEXT_BASE) return '/';
  const path = `${url.pathname}${url.search}`;
  return /^\/(?![/\\])/.test(path) ? path : '/';
}

const NOTICES: Record<string, string> = {
  'password-changed': 'Your password has been changed.',
  'officer-created': 'Officer added.',
  'officer-updated': 'Officer record updated.',
  'team-created': 'Team added.',
  'team-updated': 'Team updated.',
  'borough-created': 'Borough added.',
  'account-updated': 'Account updated.',
  'report-saved': 'Your answers have been saved.',
  'report-amended': 'Amendment saved. The version you submitted before is kept, and the report goes back for review.',
  'report-approved': 'Report approved.',
  'report-returned': 'Report returned to the officer with your comment.',
  'report-referred': 'Report referred to professional standards.',
  'report-signed-off': 'Report signed off.',
  'release-prepared': 'Release prepared. Check the figures below, then publish it or discard it.',
  'release-published': 'Release published. It is now on the public pages and will never change.',
  'release-discarded': 'Draft release discarded.',
};

/** Success messages after a redirect (`?notice=officer-updated`): fixed texts, never echoed input. */
export function noticeFrom(query: unknown): string | undefined {
  const key = (query as Record<string, unknown> | undefined)?.notice;
  return typeof key === 'string' ? NOTICES[key] : undefined;
}

/** GOV.UK date input (`name-day`, `name-month`, `name-year`) to `YYYY-MM-DD`; '' when all blank. */
export function dateFromParts(body: FormBody, name: string): string {
  const day = field(body, `${name}-day`).trim();
  const month = field(body, `${name}-month`).trim();
  const year = field(body, `${name}-year`).trim();
  if (!day && !month && !year) return '';
  return `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** `YYYY-MM-DD` back to the three parts a date input shows. */
export function dateParts(date: string | null | undefined): { day: string; month: string; year: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  return m ? { year: m[1]!, month: String(Number(m[2])), day: String(Number(m[3])) } : { day: '', month: '', year: '' };
}

/** Items for govukDateInput with values and error styling. */
export function dateItems(name: string, parts: { day: string; month: string; year: string }, hasError: boolean) {
  const cls = (w: number) => `govuk-input--width-${w}${hasError ? ' govuk-input--error' : ''}`;
  return [
    { id: `${name}`, name: `${name}-day`, label: 'Day', classes: cls(2), value: parts.day },
    { id: `${name}-month`, name: `${name}-month`, label: 'Month', classes: cls(2), value: parts.month },
    { id: `${name}-year`, name: `${name}-year`, label: 'Year', classes: cls(4), value: parts.year },
  ];
}
