import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites spawn servers and databases; two cores do not gain from more parallel files.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
