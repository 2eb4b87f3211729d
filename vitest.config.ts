import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.live.test.ts', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The default output, plus the file and test still running when one takes minutes (test/stall-reporter.ts).
    reporters: ['default', './test/stall-reporter.ts'],
  },
});
