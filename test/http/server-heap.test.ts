import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { testDatabases } from '../support/databases.js';

/*
 * The server's heap (src/http/server-heap.ts): after a busy spell of garbage beside ~45 MB of live objects,
 * V8 left to itself keeps about twice the old space that the server's setting lets it keep.
 * Each case runs in a process of its own (a V8 flag is the whole process's), with plain node
 * and the run's compiled build, as the server runs (test/support/global-setup.ts).
 */

const run = promisify(execFile);

/** The largest total heap (MB) while keeping ~300,000 small objects and churning through 2,000,000 more. */
async function peakHeap(tuned: boolean): Promise<number> {
  const heap = pathToFileURL(path.join(inject('compiled'), 'http', 'server-heap.js')).href;
  const program = `
    import v8 from 'node:v8';
    import { tuneHeapForServer } from ${JSON.stringify(heap)};
    if (${tuned}) tuneHeapForServer();
    const live = [];
    for (let i = 0; i < 300_000; i++) live.push({ i, s: 'x'.repeat(50) + i });
    const recent = [];
    let peak = 0;
    for (let r = 0; r < 400; r++) {
      const batch = [];
      for (let i = 0; i < 5_000; i++) batch.push({ r, i, s: 'y'.repeat(40) + i });
      recent.push(batch);
      if (recent.length > 20) recent.shift();
      peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
    }
    console.log(JSON.stringify({ peak: peak / 1048576, live: live.length }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program]);
  const out = JSON.parse(stdout) as { peak: number; live: number };
  expect(out.live).toBe(300_000);
  return out.peak;
}

describe.runIf(testDatabases().includes('sqlite'))("the server's heap", () => {
  it('grows to much less past its live objects than V8 left to itself', { timeout: 60_000 }, async () => {
    const own = await peakHeap(false);
    const tuned = await peakHeap(true);
    // Measured: 271–319 MB left to itself, 122–157 MB tuned.
    expect(tuned).toBeLessThan(own * 0.7);
  });
});
