import { expect, test, type Page } from '@playwright/test';
import { gotoApp, queryOf, TINY_RUN, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

const row = (page: Page, id: string) => page.locator(`.run-list tr[data-run="${id}"]`);

test('fine-tune from a finished run: pick it as the backbone, train, the new run names its backbone', async ({
  page,
}) => {
  test.setTimeout(3 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${TINY_RUN}&autorun=1`);
  await expect(row(page, 'r1')).toHaveAttribute('data-status', 'finished', {
    timeout: TRAINING_TIMEOUT,
  });
  await page.getByLabel('Backbone', { exact: true }).selectOption('r1');
  await page.getByLabel('Backbone learning-rate multiplier', { exact: true }).fill('0.2');
  await page.getByLabel('Seed', { exact: true }).fill('2');
  await expect.poll(() => queryOf(page).get('backbone')).toBe('r1');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(row(page, 'r2')).toHaveAttribute('data-status', 'finished', {
    timeout: TRAINING_TIMEOUT,
  });
  await expect(row(page, 'r2').getByTestId('run-name')).toContainText(
    'fine-tuned from r1 (backbone lr ×0.2)',
  );
  expect(errors).toEqual([]);
});

test('a backbone of another width is refused with the reason', async ({ page }) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${TINY_RUN}&autorun=1`);
  await expect(row(page, 'r1')).toHaveAttribute('data-status', 'finished', {
    timeout: TRAINING_TIMEOUT,
  });
  await page.getByLabel('Backbone', { exact: true }).selectOption('r1');
  await page.getByLabel('Width multiplier', { exact: true }).fill('0.125');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(row(page, 'r2')).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'Backbone r1' })).toContainText(
    /Backbone r1's \S+ is \[[\d, ]+\], this run's \[[\d, ]+\]: another width or depth/,
  );
  expect(errors).toEqual([]);
});
