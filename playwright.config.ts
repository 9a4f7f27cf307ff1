import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/support/chromium';

// E2E_PORT lets a second checkout run its tests beside a running dev server.
const PORT = Number(process.env.E2E_PORT ?? 5173);
const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'e2e',
  // SwiftShader (WebGPU/WebGL on the CPU) is slow: shader compilation alone can take minutes.
  timeout: 600_000,
  expect: { timeout: 120_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  // One folder per port, so test runs of two checkouts (or ports) do not delete each other's traces.
  outputDir: process.env.E2E_PORT ? `test-results/port-${PORT}` : 'test-results',
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    launchOptions: chromiumLaunchOptions(),
    viewport: { width: 1440, height: 900 },
    actionTimeout: 60_000,
    navigationTimeout: 120_000,
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `STUDIO_E2E=1 npx vite --port ${PORT} --strictPort --host 127.0.0.1`,
    url: BASE_URL,
    // In CI always start this checkout's own server; locally reuse a running one.
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
