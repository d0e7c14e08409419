import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// The dashboard in Chromium against a real `poshpool serve` (started by each spec).
// The browser: POSHPOOL_CHROMIUM if set, else the system's /usr/bin/chromium (this project's Linux CI
// machine: apt-get install chromium; never `npx playwright install` there), else Playwright's own
// Chromium (GitHub Actions installs it with `npx playwright install --with-deps chromium`).
const systemChromium = '/usr/bin/chromium';
const executablePath = process.env.POSHPOOL_CHROMIUM || (existsSync(systemChromium) ? systemChromium : undefined);

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
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
