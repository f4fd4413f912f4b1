import { expect, test, type Page } from '@playwright/test';
import {
  ALLOW_FALLBACK,
  expectWebGpuBackend,
  gotoApp,
  IN_CI,
  screenshot,
  TINY_RUN,
  TRAINING_TIMEOUT,
  trackPageErrors,
} from './helpers';

/**
 * WebGPU, on a named adapter, unless E2E_ALLOW_FALLBACK=1 (helpers.ts) allows a fallback outside
 * CI. CI's adapter (lavapipe) has shader-f16; a developer's GPU need not.
 */
async function expectBackend(page: Page): Promise<void> {
  const banner = page.getByTestId('backend-banner');
  const backend = await expectWebGpuBackend(page);
  if (backend !== 'webgpu') {
    await expect(banner).toContainText(/Backend: (WebGL|CPU)/);
    await expect(banner).toContainText('Not WebGPU because:');
    return;
  }
  await expect(banner).toContainText('Backend: WebGPU');
  await expect(banner).toContainText(/Adapter: (?!unknown)\S/);
  if (IN_CI) await expect(banner).toContainText('shader-f16: available');
}

test(`the backend banner reports WebGPU${ALLOW_FALLBACK ? ' (or, under E2E_ALLOW_FALLBACK=1, WebGL or CPU and why)' : ''}`, async ({
  page,
}) => {
  await gotoApp(page);
  await expectBackend(page);
});

test('a tiny run from an autorun link finishes with loss, accuracy and logit gap', async ({
  page,
}) => {
  test.setTimeout(TRAINING_TIMEOUT + 60_000);
  const errors = trackPageErrors(page);
  const started = Date.now();
  await gotoApp(page, `${TINY_RUN}&label_smoothing=0.1&autorun=1`);
  await expectBackend(page);

  const phase = page.getByTestId('run-phase');
  await expect(phase).toBeVisible({ timeout: 30_000 });
  // Settings are locked while the run is active.
  await expect(phase).toHaveAttribute('data-phase', /preparing|warmup|training|finished/);
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  console.log(`tiny run finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const loss = page.getByTestId('last-loss');
  await expect(loss).toHaveAttribute('data-points', '4');
  expect(Number(await loss.textContent())).toBeGreaterThan(0);
  await expect(page.getByTestId('step')).toHaveText('4 / 4');
  await expect(page.getByTestId('epoch')).toHaveText('1 / 1');

  await expect(page.getByTestId('val-top1')).toHaveText(/^\d+\.\d%$/);
  const gap = Number(await page.getByTestId('mean-gap').textContent());
  expect(Number.isFinite(gap)).toBe(true);
  await expect(page.getByTestId('theory-gap')).toContainText(
    'Theory (paper Eq. 5): log((K − 1)(1 − ε)/ε) = 4.39',
  );
  await expect(page.getByTestId('warmup-time')).toHaveText(/\d/);

  // The run is listed and becomes a distillation teacher; controls are unlocked again.
  await expect(page.locator('tr[data-run="r1"]')).toContainText('finished');
  const distill = page.getByLabel('Knowledge distillation', { exact: true });
  await expect(distill).toBeEnabled();
  await expect(distill.locator('option[value="r1"]')).toHaveCount(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await screenshot(page, 'finished-run');
  expect(errors).toEqual([]);
});

test('pause, single step, resume and stop; then distill from a finished run', async ({ page }) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  // 64 images / batch 16 = 4 steps per epoch, 100 epochs = 400 steps: long enough to pause.
  await gotoApp(page, TINY_RUN.replace('epochs=1', 'epochs=100'));
  await expectBackend(page);
  await page.getByRole('button', { name: 'Train' }).click();
  const phase = page.getByTestId('run-phase');
  await expect(page.getByLabel('Mixup', { exact: true })).toBeDisabled();

  await expect(phase).toHaveAttribute('data-phase', 'training', { timeout: TRAINING_TIMEOUT });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(phase).toHaveAttribute('data-phase', 'paused', { timeout: 60_000 });
  const stepText = page.getByTestId('step');
  await expect(stepText).toHaveText(/^\d+ \/ 400$/);
  const pausedAt = Number((await stepText.textContent())!.split(' / ')[0]);

  await page.getByRole('button', { name: 'Step' }).click();
  await expect(stepText).toHaveText(`${pausedAt + 1} / 400`, { timeout: 60_000 });
  await expect(phase).toHaveAttribute('data-phase', 'paused');
  await screenshot(page, 'paused');

  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(phase).toHaveAttribute('data-phase', 'training');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(phase).toHaveAttribute('data-phase', 'stopped', { timeout: 60_000 });
  await expect(page.getByLabel('Mixup', { exact: true })).toBeEnabled();
  // A stopped run is no teacher.
  const distill = page.getByLabel('Knowledge distillation', { exact: true });
  await expect(distill.locator('option[value="r1"]')).toHaveCount(0);

  // Train a teacher (r2), then a student that distills from it (r3).
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  await distill.selectOption('r2');
  await expect(page).toHaveURL(/distill=r2/);
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.locator('tr[data-run="r3"]')).toBeVisible();
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  await expect(page.locator('tr[data-run="r3"]')).toContainText('KD r2');
  await expect(page.getByTestId('mean-gap')).toHaveText(/\d/);
  expect(errors).toEqual([]);
});

test('a missing distillation teacher fails with a clear message', async ({ page }) => {
  test.setTimeout(TRAINING_TIMEOUT);
  await gotoApp(page, `${TINY_RUN}&distill=r7&autorun=1`);
  const alert = page.getByRole('alert').filter({ hasText: 'r7' });
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(alert).toContainText('teacher run "r7" is not available');
  await expect(page.getByTestId('run-phase')).toHaveAttribute('data-phase', 'failed');
  // The page keeps working.
  await page.getByLabel('Knowledge distillation', { exact: true }).selectOption('');
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();
});
