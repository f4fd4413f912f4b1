import { expect, test } from '@playwright/test';
import { gotoApp, screenshot, TINY_RUN, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

test('the pre-flight memory estimate follows the batch size', async ({ page }) => {
  await gotoApp(page, 'model=resnet18&width=0.25&batch=64');
  const memory = page.getByTestId('arch-memory');
  await expect(memory).toContainText('Training needs ≈');
  await expect(memory).toContainText('at batch 64');
  const before = await memory.textContent();
  await page.getByLabel('Batch size', { exact: true }).fill('128');
  await expect(memory).toContainText('at batch 128');
  expect(await memory.textContent()).not.toBe(before);
  // FP16 stores activations as f16: half their bytes.
  const megabytes = (text: string | null, what: string) =>
    Number(new RegExp(`([\\d.]+) MB of ${what} activations`).exec(text ?? '')?.[1]);
  const f32 = megabytes(await memory.textContent(), 'f32');
  await page.getByLabel('FP16 (mixed precision)', { exact: true }).check();
  await expect(memory).toContainText('f16 activations at batch 128');
  const f16 = megabytes(await memory.textContent(), 'f16');
  expect(f16).toBeGreaterThan(0);
  expect(f16).toBeLessThan(0.6 * f32);
});

test('a network too large for the GPU buffer limit is refused before training', async ({
  page,
}) => {
  await gotoApp(page, 'model=resnet50&width=4&input=512&batch=1024&train_size=5000');
  await expect(page.getByText(/exceeds this GPU's buffer limit/).first()).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
});

/** A run that blows up: lr 10 with the largest weight decay and no warmup. */
const DIVERGING_RUN =
  'model=resnet10&width=0.0625&batch=16&train_size=64&val_size=32&epochs=3&lr=10&wd=0.1&warmup=0';

test('a diverging run pauses at its last checkpoint, names the cause and marks the loss chart', async ({
  page,
}) => {
  test.setTimeout(TRAINING_TIMEOUT + 60_000);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${DIVERGING_RUN}&autorun=1`);
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'paused', { timeout: TRAINING_TIMEOUT });
  const message = page.getByTestId('divergence');
  await expect(message).toContainText(/Diverged at step \d+/);
  await expect(message).toContainText(
    'learning rate 10 without warmup is likely too high; try warmup or a lower lr',
  );
  await expect(message).toContainText('Resume continues from there, Stop ends the run.');
  const step = Number(/Diverged at step (\d+)/.exec((await message.textContent())!)![1]);
  await expect(page.getByTestId('divergence-markers')).toHaveText(` · diverged at step ${step}`);
  await expect(
    page.locator('svg text').filter({ hasText: `diverged at step ${step}` }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeEnabled();
  await screenshot(page, 'diverged');
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(phase).toHaveAttribute('data-phase', 'stopped', { timeout: 60_000 });
  await expect(page.locator('tr[data-run="r1"]')).toContainText('stopped');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  expect(errors).toEqual([]);
});

test('a lost GPU device is re-created and the run resumes from its checkpoint', async ({
  page,
}) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  // Long enough (400 steps) that the run is still training when the device goes away; the first
  // checkpoints can come faster than the page shows them, so any one will do.
  await gotoApp(page, TINY_RUN.replace('epochs=1', 'epochs=100'));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const stats = page.locator('[data-checkpoint-step]');
  await expect(stats).toHaveAttribute('data-checkpoint-step', /^[1-9]\d?$/, {
    timeout: TRAINING_TIMEOUT,
  });
  expect(await page.evaluate(() => window.__tricksPlayground!.simulateDeviceLoss())).toBe(true);
  const notices = page.getByTestId('run-notices');
  await expect(notices).toContainText('The GPU device was lost', { timeout: 60_000 });
  await expect(notices).toContainText('resuming from the checkpoint of step');
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  await expect(page.getByTestId('step')).toHaveText('400 / 400');
  await expect(page.getByTestId('last-loss')).toHaveAttribute('data-points', '400');
  await expect(page.getByTestId('backend-banner')).toHaveAttribute('data-backend', 'webgpu');
  await screenshot(page, 'device-lost-recovered');
  expect(errors).toEqual([]);
});

test('a crashed worker fails its run, the page stays usable and a new run trains', async ({
  page,
}) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  await gotoApp(page, TINY_RUN.replace('epochs=1', 'epochs=50'));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'training', { timeout: TRAINING_TIMEOUT });
  await page.evaluate(() => window.__tricksPlayground!.crashWorker());
  const alert = page.getByRole('alert').filter({ hasText: 'The training worker crashed' }).first();
  await expect(alert).toBeVisible({ timeout: 30_000 });
  await expect(alert).toContainText('Simulated worker crash');
  await expect(phase).toHaveAttribute('data-phase', 'failed');
  await expect(page.locator('tr[data-run="r1"]')).toContainText('failed');
  // The settings unlock and a new worker trains the next run.
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeEnabled({ timeout: 60_000 });
  await train.click();
  await expect(page.locator('tr[data-run="r2"]')).toBeVisible();
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  await screenshot(page, 'worker-crash-recovered');
  expect(errors).toEqual([]);
});

test('a run cut off by a reload shows as interrupted and resumes from its checkpoint', async ({
  page,
}) => {
  test.setTimeout(3 * TRAINING_TIMEOUT);
  // 60 epochs of 4 steps: long enough that the reload lands mid-run (any checkpoint below 100).
  await gotoApp(page, TINY_RUN.replace('epochs=1', 'epochs=60'));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.locator('[data-checkpoint-step]')).toHaveAttribute(
    'data-checkpoint-step',
    /^[1-9]\d?$/,
    { timeout: TRAINING_TIMEOUT },
  );
  // The saved run records the checkpoint right after the worker stored it.
  await page.waitForTimeout(300);
  await page.reload();
  const row = page.locator('tr[data-run="r1"]');
  await expect(row).toHaveAttribute('data-status', 'interrupted', { timeout: 30_000 });
  const resume = row.getByRole('button', { name: /^Resume r1 from its checkpoint of step \d+$/ });
  await expect(resume).toBeEnabled({ timeout: 60_000 });
  const label = (await resume.getAttribute('aria-label'))!;
  const checkpointStep = Number(/step (\d+)$/.exec(label)![1]);
  expect(checkpointStep % 4).toBe(0);
  expect(checkpointStep).toBeGreaterThanOrEqual(4);
  expect(checkpointStep).toBeLessThan(240);
  await expect(page.getByTestId('interrupted-notice')).toContainText(
    `its checkpoint of step ${checkpointStep} is stored`,
  );
  await screenshot(page, 'interrupted');
  await resume.click();
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  await expect(page.getByTestId('step')).toHaveText('240 / 240');
  await expect(page.getByTestId('epoch')).toHaveText('60 / 60');
  // One run, with its curve continued: every step once.
  await expect(page.locator('tr[data-run]')).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'finished');
  await expect(page.getByTestId('last-loss')).toHaveAttribute('data-points', '240');
  await expect(page.getByTestId('val-top1')).toHaveText(/^\d+\.\d%$/);
});
