import { expect, test, type Page } from '@playwright/test';
import { gotoApp, queryOf, screenshot, trackPageErrors, TRAINING_TIMEOUT } from './helpers';

/**
 * Datasets from the Hugging Face Hub, served by the mock Hub of scripts/mock-hub.ts (a second
 * Playwright web server): the page is pointed at it through its test-only localStorage key.
 */

const MOCK_HUB = `http://127.0.0.1:${process.env.MOCK_HUB_PORT ?? 4290}`;
/** Nothing listens on port 9: every request fails as when offline or blocked. */
const UNREACHABLE = 'http://127.0.0.1:9';

async function useHub(page: Page, hubUrl: string): Promise<void> {
  await page.addInitScript((url) => {
    localStorage.setItem('tricks-playground.test-hub-url', url);
  }, hubUrl);
}

const TINY = 'model=resnet10&width=0.0625&batch=16&epochs=1';

test.describe('datasets from the Hugging Face Hub', () => {
  test('CIFAR- and MNIST-shaped datasets load in one click; a bad id keeps the dataset', async ({
    page,
  }) => {
    const errors = trackPageErrors(page);
    await useHub(page, MOCK_HUB);
    await gotoApp(page);
    await page.getByRole('button', { name: 'CIFAR-10 from the Hugging Face Hub' }).click();
    const summary = page.getByTestId('dataset-summary');
    await expect(summary).toContainText('CIFAR-10: 10 classes, 40 training / 10 validation images');
    await expect(summary).toContainText('Hugging Face Hub: uoft-cs/cifar10');
    expect(queryOf(page).get('dataset')).toBe('cifar10');
    expect(queryOf(page).get('source')).toBe('hub');
    await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();

    await page
      .getByRole('button', { name: 'MNIST from the Hugging Face Hub', exact: true })
      .click();
    await expect(summary).toContainText('MNIST: 10 classes, 30 training / 10 validation images');
    await expect(summary).toContainText('28×28 px');
    expect(queryOf(page).get('dataset')).toBe('mnist');
    await screenshot(page, 'dataset-hub');

    // A truncated Parquet file: a message naming it; MNIST stays in use.
    await page.getByLabel('Hugging Face dataset id', { exact: true }).fill('tests/truncated');
    await page
      .getByRole('button', { name: 'Hugging Face dataset tests/truncated from the Hub' })
      .click();
    const alert = page.getByRole('alert').filter({ hasText: 'tests/truncated' });
    await expect(alert).toContainText('truncated');
    await expect(alert).toContainText('MNIST (MNIST) is still loaded and usable');
    expect(queryOf(page).get('dataset')).toBe('mnist');
    await expect(summary).toContainText('MNIST: 10 classes');

    // A dataset without a class-label column.
    await page.getByLabel('Hugging Face dataset id', { exact: true }).fill('tests/no-labels');
    await page
      .getByRole('button', { name: 'Hugging Face dataset tests/no-labels from the Hub' })
      .click();
    await expect(page.getByRole('alert')).toContainText('has no class-label column');

    // Both are in the browser cache: a reload reads MNIST from there.
    await expect(page.getByText('Cached in this browser:')).toBeVisible();
    await page.reload();
    await expect(summary).toContainText('MNIST: 10 classes, 30 training / 10 validation images');
    await expect(summary).toContainText('(cached)');
    expect(errors).toEqual([]);
  });

  for (const [dataset, shown] of [
    ['cifar10', 'CIFAR-10: 10 classes, 40 training / 10 validation images'],
    ['mnist', 'MNIST: 10 classes, 30 training / 10 validation images'],
  ]) {
    test(`a link with dataset=${dataset}&source=hub&autorun=1 downloads, decodes and trains`, async ({
      page,
    }) => {
      test.setTimeout(2 * TRAINING_TIMEOUT);
      const errors = trackPageErrors(page);
      await useHub(page, MOCK_HUB);
      await gotoApp(page, `dataset=${dataset}&source=hub&autorun=1&${TINY}`);
      await expect(page.getByTestId('dataset-summary')).toContainText(shown!);
      await expect(page.locator('.run-list tr[data-run="r1"]')).toHaveAttribute(
        'data-status',
        'finished',
        { timeout: TRAINING_TIMEOUT },
      );
      expect(errors).toEqual([]);
    });
  }

  test('any dataset id through a link, hub=owner/name: class names from its metadata', async ({
    page,
  }) => {
    await useHub(page, MOCK_HUB);
    await gotoApp(page, 'hub=tests/shapes');
    const summary = page.getByTestId('dataset-summary');
    await expect(summary).toContainText('tests/shapes: 3 classes');
    await expect(summary).toContainText('10% of each class is held out');
    await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
    await expect(page.getByLabel('Dataset', { exact: true })).toHaveValue('hub');
  });

  test('images the browser cannot decode are skipped and listed', async ({ page }) => {
    await useHub(page, MOCK_HUB);
    await gotoApp(page, 'hub=tests/bad-images');
    const summary = page.getByTestId('dataset-summary');
    await expect(summary).toContainText('tests/bad-images: 3 classes');
    await summary.getByText(/remarks/).click();
    await expect(summary).toContainText('2 of 24 images could not be decoded and were skipped.');
    await expect(summary).toContainText('tests/bad-images train/0.parquet row 5');
  });

  test('a dataset id that does not exist is explained', async ({ page }) => {
    await useHub(page, MOCK_HUB);
    await gotoApp(page, 'dataset=hub&hub=nobody/nothing&autorun=1');
    await expect(page.getByRole('alert').filter({ hasText: 'nobody/nothing' })).toContainText(
      'no such dataset on the Hugging Face Hub, or it is private or gated: check the id',
    );
    await expect(page.getByText('Load the Hugging Face dataset nobody/nothing')).toBeVisible();
  });

  test('a network or CORS failure is explained', async ({ page }) => {
    await useHub(page, UNREACHABLE);
    await gotoApp(page);
    await page.getByRole('button', { name: 'Fashion-MNIST from the Hugging Face Hub' }).click();
    await expect(page.getByRole('alert')).toContainText(
      'could not reach the Hugging Face Hub (http://127.0.0.1:9): check the network connection',
    );
    expect(queryOf(page).get('dataset')).toBeNull();
  });
});
