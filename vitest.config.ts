import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // e2e/ holds Playwright specs, run by Playwright, not vitest.
    include: ['main/**/*.test.ts', 'common/**/*.test.ts', 'preload/**/*.test.ts', 'bench/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx', 'assets/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // pwsh sessions are heavy on a 2-core machine: a few test files at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
