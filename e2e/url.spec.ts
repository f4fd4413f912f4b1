import { expect, test } from '@playwright/test';
import { gotoApp, queryOf, trackPageErrors } from './helpers';

test('an invalid link shows what was ignored and the page still works', async ({ page }) => {
  const errors = trackPageErrors(page);
  await gotoApp(page, 'lr=abc&bogus=1&batch=0&cosine=1');
  const notice = page.getByTestId('ignored-notice');
  await expect(notice).toBeVisible();
  await expect(notice).toHaveAttribute('role', 'alert');
  await expect(notice).toContainText('Ignored');
  for (const text of [
    'lr',
    'abc',
    'is not a number',
    'bogus',
    'unknown parameter',
    'batch',
    'must be at least 1',
  ]) {
    await expect(notice).toContainText(text);
  }
  // Defaults replace the bad values; the good one is kept.
  await expect(page.getByLabel('Learning rate', { exact: true })).toHaveValue('0.1');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('128');
  await expect(page.getByLabel('Cosine learning rate decay', { exact: true })).toBeChecked();
  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();

  // Still interactive; the first change rewrites the URL without the bad keys.
  await page.getByLabel('Mixup', { exact: true }).fill('0.2');
  await expect.poll(() => page.url()).toMatch(/\?cosine=1&mixup=0\.2$/);
  expect(queryOf(page).has('bogus')).toBe(false);
  expect(errors).toEqual([]);
});

test('link parameters are shown as text, never as HTML', async ({ page }) => {
  const errors = trackPageErrors(page);
  const key = '<img src=x onerror="window.__xss=1">';
  await gotoApp(page, `${encodeURIComponent(key)}=1&distill=${encodeURIComponent('<b>x</b>')}`);
  const notice = page.getByTestId('ignored-notice');
  await expect(notice).toContainText(key);
  await expect(notice).toContainText('<b>x</b>');
  await expect(notice.locator('img, b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  expect(errors).toEqual([]);
});

test('inconsistent settings are reset with a reason', async ({ page }) => {
  await gotoApp(page, 'warmup=20&epochs=5&label_smoothing=0.95');
  const notice = page.getByTestId('ignored-notice');
  await expect(notice).toContainText('warmup');
  await expect(notice).toContainText('label_smoothing');
  await expect(page.getByLabel('Learning rate warmup', { exact: true })).toHaveValue('0');
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('5');
});
