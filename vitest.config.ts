import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    env: { TZ: 'UTC', CEDAR_LOG_LEVEL: 'silent' },
    pool: 'forks',
    // Each file in a fresh process, one worker on a 2-core machine (Vitest's default: cores - 1).
    // Tried and measured on the fresh-clone CI: keeping modules between files (isolate: false)
    // made the SQLite suite 900 s against 694 s (what earlier files leave running slows the later
    // ones), and two workers beside Chromium, PostgreSQL and the CLI's child processes ran the
    // machine at a load of 6 and everything two to four times slower.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
