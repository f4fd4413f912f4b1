import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end tests against the production build (`npm run test:e2e` builds first), in Chromium
 * with real WebGPU. Without a GPU, WebGPU runs on Mesa lavapipe through shared/webgpu-ci:
 * CHROMIUM_PATH points at that Chromium. CI must never silently skip WebGPU.
 */

const executablePath = process.env.CHROMIUM_PATH || undefined;
if (!executablePath && process.env.CI) {
  throw new Error(
    'CHROMIUM_PATH is not set: CI needs the WebGPU-capable Chromium of shared/webgpu-ci (run its setup.sh).',
  );
}

// E2E_PORT lets several checkouts run their e2e suites side by side.
const PORT = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // lavapipe: the first training step compiles every shader on the CPU (10–60 s).
  timeout: 240_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1440, height: 1000 },
  },
  projects: [
    {
      name: 'chromium-webgpu',
      testIgnore: /no-shader-f16\.spec\.ts/,
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1440, height: 1000 },
        launchOptions: {
          executablePath,
          args: [
            '--headless',
            '--no-sandbox',
            '--enable-unsafe-webgpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--enable-webgpu-developer-features',
          ],
        },
      },
    },
    {
      // An adapter without shader-f16: plain Chromium's own SwiftShader (FP16 is emulated there).
      name: 'chromium-no-shader-f16',
      testMatch: /no-shader-f16\.spec\.ts/,
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1440, height: 1000 },
        launchOptions: {
          executablePath: process.env.CHROMIUM_NO_F16_PATH ?? '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--enable-unsafe-webgpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
