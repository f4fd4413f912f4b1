import { expect, test, type Page } from '@playwright/test';

/** A run small enough for lavapipe: 4 steps of a width-1/16 ResNet-10. */
export const TINY_RUN = 'model=resnet10&width=0.0625&batch=16&train_size=64&val_size=32&epochs=1';

/** First training step in Chromium on lavapipe compiles every shader: allow minutes. */
export const TRAINING_TIMEOUT = 180_000;

/** CI (CI, or WEBGPU_CI=1 where scripts/webgpu-ci/setup.sh installed lavapipe). */
export const IN_CI = process.env.WEBGPU_CI === '1' || !!process.env.CI;

/**
 * E2E_ALLOW_FALLBACK=1 says that a fallback is being tested on purpose: the page may train on
 * TensorFlow.js's WebGL or CPU backend (a browser without WebGPU). Without it, a page whose
 * backend is not WebGPU fails every test that opens the app, on a developer's machine as in CI.
 * CI ignores the flag: there a missing adapter is always a failure, never a skip.
 */
export const ALLOW_FALLBACK = process.env.E2E_ALLOW_FALLBACK === '1' && !IN_CI;

/**
 * Waits for the backend banner to name the backend the worker started, and fails unless it is
 * WebGPU (any of the three under E2E_ALLOW_FALLBACK=1). Returns it.
 */
export async function expectWebGpuBackend(page: Page): Promise<string> {
  const banner = page.getByTestId('backend-banner');
  // Until the worker has started TensorFlow.js the attribute is empty (lavapipe: seconds).
  await expect(banner).toHaveAttribute('data-backend', /.+/, { timeout: 60_000 });
  const backend = (await banner.getAttribute('data-backend'))!;
  const allowed = ALLOW_FALLBACK ? ['webgpu', 'webgl', 'cpu'] : ['webgpu'];
  expect(allowed, `backend ${backend}: ${await banner.textContent()}`).toContain(backend);
  return backend;
}

/** Opens the app (with `query`) and waits until its backend has started: WebGPU, see above. */
export async function gotoApp(page: Page, query = ''): Promise<void> {
  await page.goto(query ? `./?${query}` : './');
  await expect(page.getByRole('heading', { name: 'Tricks Playground', level: 1 })).toBeVisible();
  await expectWebGpuBackend(page);
}

export function queryOf(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

export async function lrChartData(page: Page): Promise<Record<string, string | null>> {
  const chart = page.getByTestId('lr-chart');
  const names = [
    'peak-lr',
    'points',
    'first-lr',
    'last-lr',
    'warmup-steps',
    'total-steps',
    'decay',
  ];
  const out: Record<string, string | null> = {};
  for (const n of names) out[n] = await chart.getAttribute(`data-${n}`);
  return out;
}

/** Collects uncaught page errors so each test can assert there were none. */
export function trackPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Attaches a full-page screenshot to the report; also writes it to $SCREENSHOT_DIR when set. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  const image = await page.screenshot({
    fullPage: true,
    ...(dir ? { path: `${dir}/${name}.png` } : {}),
  });
  await test.info().attach(name, { body: image, contentType: 'image/png' });
}
