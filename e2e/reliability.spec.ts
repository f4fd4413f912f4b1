import { expect, test } from '@playwright/test';
import { gotoApp } from './helpers';

test('the pre-flight memory estimate follows the batch size', async ({ page }) => {
  await gotoApp(page, 'model=resnet18&width=0.25&batch=64');
  const memory = page.getByTestId('arch-memory');
  await expect(memory).toContainText('Training needs ≈');
  await expect(memory).toContainText('at batch 64');
  const before = await memory.textContent();
  await page.getByLabel('Batch size', { exact: true }).fill('128');
  await expect(memory).toContainText('at batch 128');
  expect(await memory.textContent()).not.toBe(before);
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
