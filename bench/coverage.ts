import { performance } from 'node:perf_hooks';
import { addDays, londonDate } from '../src/domain/calendar.js';
import type { Services } from '../src/services/context.js';
import { coverageBetween } from '../src/services/coverage.js';

/*
 * Coverage's bench (issue 14): the whole force's coverage for a month (33 boroughs × about 720
 * hours) over whatever the bench database holds — the demo's month of shifts and its sign-outs.
 * Target: under 1 s on SQLite. The first run reads the force's authority (training's cache, kept
 * while the `authority` change counter stands); the later runs show the cached figure.
 */

export interface CoverageBench {
  from: string;
  to: string;
  boroughs: number;
  rows: number;
  /** Hours with fewer Taser-equipped crews than the minimum, over every borough. */
  hoursBelow: number;
  /** The first run (authority read and worked out) and the median of the runs after it, ms. */
  firstMs: number;
  medianMs: number;
  runs: number;
}

/** Times `coverageBetween` for the whole force over the 30 London days to today (or `from`–`to`). */
export async function benchCoverage(svc: Services, opts: { from?: string; to?: string; runs?: number } = {}): Promise<CoverageBench> {
  const to = opts.to ?? londonDate(svc.now());
  const from = opts.from ?? addDays(to, -29);
  const runs = Math.max(1, opts.runs ?? 5);
  const times: number[] = [];
  let result: Awaited<ReturnType<typeof coverageBetween>> | null = null;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    result = await coverageBetween(svc, { all: true }, { from, to });
    times.push(performance.now() - t0);
  }
  const later = times.slice(1).sort((a, b) => a - b);
  return {
    from,
    to,
    boroughs: result!.boroughs.length,
    rows: result!.rows.length,
    hoursBelow: result!.rows.filter((r) => r.taserCrews < r.minimum).length,
    firstMs: Math.round(times[0]!),
    medianMs: Math.round(later[Math.floor(later.length / 2)]!),
    runs,
  };
}
