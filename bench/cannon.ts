import autocannon, { type Request as CannonRequest, type Result as CannonResult } from 'autocannon';

/*
 * HTTP load for the bench (issue 15): autocannon, a real load generator (its own HTTP/1.1 client
 * and connection pool), at 20 connections by default, and every page measured beside the bare
 * Fastify route of bench/server.js in the same run, interleaved round by round (page, bare, page,
 * bare, …) so both see the same machine. A Node fetch loop tops out near 2,700 req/s here, which
 * flatters every ratio; autocannon does not.
 */

export interface CannonFigures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface CannonOptions {
  seconds: number;
  connections?: number;
  headers?: Record<string, string>;
  /** A sequence of requests each client sends in turn, again and again (instead of GET url). */
  requests?: CannonRequest[];
}

/** One autocannon run against a URL. */
export function cannon(url: string, opts: CannonOptions): Promise<CannonFigures> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: opts.connections ?? 20, duration: opts.seconds, headers: opts.headers ?? {}, ...(opts.requests ? { requests: opts.requests } : {}) }, (err, r: CannonResult) =>
      err ? reject(err) : resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts }),
    );
  });
}

export interface Rounds {
  rounds: CannonFigures[];
  /** The round with the lowest and the median rate. */
  min: CannonFigures;
  median: CannonFigures;
}

export interface Versus {
  page: Rounds;
  bare: Rounds;
  /** page.median.rps / bare.median.rps. */
  ratio: number;
}

const byRate = (rounds: CannonFigures[]): Rounds => {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  return { rounds, min: sorted[0]!, median: sorted[Math.floor((sorted.length - 1) / 2)]! };
};

/**
 * A page and the bare route, `rounds` rounds each (at least 3), interleaved; a second's warm-up of
 * the page first. The bare route gets the page's options without its headers, or `bareOpts`.
 */
export async function versusBare(pageUrl: string, bareUrl: string, opts: CannonOptions & { rounds?: number }, bareOpts: CannonOptions = { ...opts, headers: {} }): Promise<Versus> {
  const rounds = Math.max(3, opts.rounds ?? 3);
  await cannon(pageUrl, { ...opts, seconds: 1 });
  const page: CannonFigures[] = [];
  const bare: CannonFigures[] = [];
  for (let i = 0; i < rounds; i++) {
    page.push(await cannon(pageUrl, opts));
    bare.push(await cannon(bareUrl, bareOpts));
  }
  const p = byRate(page);
  const b = byRate(bare);
  return { page: p, bare: b, ratio: p.median.rps / b.median.rps };
}

const num = (x: number, digits = 0) => x.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** `1,234 req/s` and the notes for the bench's table: ratio, target, bare, latency and any failure. */
export function describeVersus(v: Versus, target?: number): { figure: string; notes: string } {
  const { median, min } = v.page;
  const failures = v.page.rounds.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0);
  const worstP99 = Math.max(...v.page.rounds.map((r) => r.p99));
  return {
    figure: `${num(median.rps)} req/s`,
    notes:
      `${num(v.ratio * 100, 1)}% of bare${target === undefined ? '' : ` (target ≥ ${num(target * 100)}%)`}; median of ${v.page.rounds.length} rounds, min ${num(min.rps)} req/s; ` +
      `bare median ${num(v.bare.median.rps)} req/s; p50 ${num(median.p50)} ms, p99 ${num(median.p99)} ms (worst round ${num(worstP99)} ms)` +
      (failures ? `; ${failures} non-2xx, errors or timeouts` : '; no errors'),
  };
}
