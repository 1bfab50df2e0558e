import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    env: { TZ: 'UTC', CEDAR_LOG_LEVEL: 'silent' },
    pool: 'forks',
    // Each worker keeps the modules it has loaded from one test file to the next rather than
    // loading Cedar afresh for every file: the suite's files share no state but their databases
    // (each opens its own). Without isolation Vitest would run one worker on a 2-core machine,
    // so the worker count is set: one per core.
    isolate: false,
    maxWorkers: availableParallelism(),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
