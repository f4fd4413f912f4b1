import { existsSync } from 'node:fs';
import { defineConfig, devices, type LaunchOptions } from '@playwright/test';
import { CHROMIUM_ARGS, FORCE_SWIFTSHADER, WEBGPU_DEVELOPER_FEATURES } from './e2e/chromium-args';

/**
 * End-to-end tests against the production build (`npm run test:e2e` builds first), in Chromium
 * with real WebGPU.
 * - Without a GPU (CI): scripts/webgpu-ci/setup.sh exports CHROMIUM_PATH, a Chromium whose WebGPU
 *   runs on Mesa lavapipe, and CHROMIUM_NO_F16_PATH. CI must never silently skip WebGPU, so CI
 *   without CHROMIUM_PATH is an error.
 * - On a developer's machine with a GPU, CHROMIUM_PATH unset: Playwright's own Chromium
 *   (`npx playwright install chromium` once). Channel 'chromium' is its full browser in the new
 *   headless mode, whose WebGPU uses the GPU like a normal Chrome.
 */
const chromiumPath = process.env.CHROMIUM_PATH || undefined;
if (!chromiumPath && process.env.CI) {
  throw new Error(
    'CHROMIUM_PATH is not set: CI needs the WebGPU-capable Chromium of scripts/webgpu-ci/setup.sh.',
  );
}

function chromiumAt(executablePath: string | undefined, args: string[]) {
  const launchOptions: LaunchOptions = { executablePath, args };
  return executablePath ? { launchOptions } : { channel: 'chromium', launchOptions };
}

/**
 * A WebGPU adapter without shader-f16: Chromium's SwiftShader. Debian's /usr/bin/chromium (where
 * setup.sh points CHROMIUM_NO_F16_PATH) has no other adapter without a GPU; FORCE_SWIFTSHADER
 * also makes Playwright's Chromium pick it on a machine with a GPU.
 */
const noF16Path =
  process.env.CHROMIUM_NO_F16_PATH ??
  (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

// E2E_PORT lets several checkouts run their e2e suites side by side; MOCK_HUB_PORT likewise.
const PORT = Number(process.env.E2E_PORT ?? 4173);
const MOCK_HUB_PORT = Number(process.env.MOCK_HUB_PORT ?? 4290);

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
        ...chromiumAt(chromiumPath, [...CHROMIUM_ARGS, WEBGPU_DEVELOPER_FEATURES]),
      },
    },
    {
      // An adapter without shader-f16 (FP16 is emulated there): see noF16Path.
      name: 'chromium-no-shader-f16',
      testMatch: /no-shader-f16\.spec\.ts/,
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1440, height: 1000 },
        ...chromiumAt(noF16Path, [...CHROMIUM_ARGS, FORCE_SWIFTSHADER]),
      },
    },
  ],
  webServer: [
    {
      command: `npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      // A stand-in for the Hugging Face Hub (e2e/hub.spec.ts): tests never reach the network.
      command: `npx tsx scripts/mock-hub.ts`,
      url: `http://127.0.0.1:${MOCK_HUB_PORT}/`,
      env: { MOCK_HUB_PORT: String(MOCK_HUB_PORT) },
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
  ],
});
