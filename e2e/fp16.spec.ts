import { expect, test } from '@playwright/test';
import { gotoApp, screenshot, TINY_RUN, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

/**
 * Chromium on lavapipe ($CHROMIUM_PATH) exposes shader-f16: FP16 runs f16 storage and f16
 * arithmetic.
 */
test('FP16 on an adapter with shader-f16: f16 storage and arithmetic, loss scale charted', async ({
  page,
}) => {
  test.setTimeout(TRAINING_TIMEOUT + 60_000);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${TINY_RUN}&fp16=1&autorun=1`);
  const fp16 = page.getByLabel('FP16 (mixed precision)', { exact: true });
  await expect(fp16).toBeChecked();
  const note = page.getByTestId('fp16-note');
  await expect(note).toHaveAttribute('data-mode', 'f16-storage/f16', { timeout: 60_000 });
  await expect(note).toHaveText(/^f16 storage and f16 arithmetic on \S/);

  await expect(page.getByTestId('run-phase')).toHaveAttribute('data-phase', 'finished', {
    timeout: TRAINING_TIMEOUT,
  });
  await expect(page.getByTestId('last-loss')).toHaveAttribute('data-points', '4');
  expect(Number(await page.getByTestId('last-loss').textContent())).toBeGreaterThan(0);
  const chart = page.getByRole('region', { name: 'FP16 loss scale' });
  await expect(chart).toBeVisible();
  // Dynamic loss scaling starts at 2^16 and halves at every overflow, which skips that step
  // (no growth within 4 steps), so the charted scale is 2^(16 − skipped).
  const skippedText = (await page.getByTestId('skipped-steps').textContent()) ?? '';
  const skipped = Number(/^(\d+) of 4$/.exec(skippedText)?.[1]);
  expect(skipped).toBeGreaterThanOrEqual(0);
  expect(skipped).toBeLessThan(4);
  const scale = 2 ** (16 - skipped);
  await expect(page.getByTestId('loss-scale')).toHaveAttribute('data-value', String(scale));
  await expect(page.getByTestId('loss-scale')).toHaveText(
    `2^${16 - skipped} = ${scale.toLocaleString('en-US')}`,
  );
  await note.scrollIntoViewIfNeeded();
  await screenshot(page, 'fp16-run');
  expect(errors).toEqual([]);
});

test('without FP16 there is no loss-scale chart', async ({ page }) => {
  await gotoApp(page);
  await expect(page.getByLabel('FP16 (mixed precision)', { exact: true })).not.toBeChecked();
  await expect(page.getByRole('region', { name: 'FP16 loss scale' })).toHaveCount(0);
});
