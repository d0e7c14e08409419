import { defineConfig } from '@playwright/test';

// The dashboard in Debian's Chromium against a real `poshpool serve` (started by each spec).
// Never `npx playwright install`: the browser comes from the system (apt-get install chromium).
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    headless: true,
    screenshot: 'off',
    launchOptions: {
      executablePath: process.env.POSHPOOL_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
