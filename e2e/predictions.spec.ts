import { expect, test } from '@playwright/test';
import { TINY_RUN, TRAINING_TIMEOUT, gotoApp, trackPageErrors } from './helpers';

test('a finished run shows sample predictions, per-class accuracy and its confusion matrix', async ({
  page,
}) => {
  test.setTimeout(TRAINING_TIMEOUT + 60_000);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${TINY_RUN}&autorun=1`);
  await expect(page.getByTestId('run-phase')).toHaveAttribute('data-phase', 'finished', {
    timeout: TRAINING_TIMEOUT,
  });
  const panel = page.getByRole('region', { name: 'Predictions on validation images' });
  await expect(panel.getByTestId('prediction-samples').getByRole('img')).toHaveCount(16);
  await expect(panel.getByTestId('prediction-samples').getByRole('img').first()).toHaveAttribute(
    'aria-label',
    /^\w+ → \w+ \(\d+(\.\d)?%\)$/,
  );
  await expect(panel.getByTestId('per-class-accuracy').locator('tbody tr')).toHaveCount(10);
  // Every one of the 32 validation images is counted once in the matrix.
  const cells = await panel.getByTestId('confusion-matrix').locator('tbody td').allTextContents();
  expect(cells).toHaveLength(100);
  expect(cells.reduce((sum, c) => sum + Number(c), 0)).toBe(32);
  // The diagonal agrees with the top-1 accuracy shown for the run.
  const diagonal = await panel.locator('td.diagonal').allTextContents();
  const correct = diagonal.reduce((sum, c) => sum + Number(c), 0);
  await expect(page.getByTestId('val-top1')).toContainText(`${((100 * correct) / 32).toFixed(1)}%`);
  expect(errors).toEqual([]);
});
