import { SYSTEM_ACTOR, type Services } from '../src/services/context.js';
import { runReconciliation, type ReconciliationResult } from '../src/services/reconciliation.js';

/*
 * The reconciliation's bench (issue 13): times one run over whatever the bench database holds —
 * every device's log one device at a time, matched with the reports — for the London dates given
 * (by default the year up to yesterday), and the peak memory it took. The target: a year of logs
 * for 2,500 devices (about 2.5 million entries) in under 30 s on SQLite.
 */

export interface ReconcileBench {
  from: string;
  to: string;
  ms: number;
  /** Peak RSS of the process so far, MB (the process's high-water mark, not just the run's). */
  peakRssMb: number;
  /** RSS after the run above before it, MB. */
  rssGrowthMb: number;
  /** Log entries read a second. */
  eventsPerSecond: number;
  result: Omit<ReconciliationResult, 'exceptions'> & { exceptions: number };
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Runs the reconciliation once and says how long it took. `from`/`to` are London dates; by default the 365 days to yesterday. */
export async function benchReconcile(svc: Services, opts: { from?: string; to?: string; onProgress?: (devices: number) => void } = {}): Promise<ReconcileBench> {
  const now = svc.now().getTime();
  const to = opts.to ?? day(new Date(now - 86_400_000));
  const from = opts.from ?? day(new Date(Date.parse(`${to}T00:00:00Z`) - 364 * 86_400_000));
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const result = await runReconciliation(svc, SYSTEM_ACTOR, { from, to, onProgress: opts.onProgress });
  const ms = performance.now() - t0;
  const { exceptions, ...rest } = result;
  return {
    from,
    to,
    ms,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    rssGrowthMb: (process.memoryUsage().rss - rss0) / 1048576,
    eventsPerSecond: ms > 0 ? Math.round(result.eventsRead / (ms / 1000)) : 0,
    result: { ...rest, exceptions: exceptions.length },
  };
}
