import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  cyclicLabels,
  makeCifarBatch,
  makeImageFolder,
  makeMnistFiles,
} from '../src/data/fixtures';
import { gotoApp, queryOf, screenshot, trackPageErrors } from './helpers';

/** Fixtures written by the test itself, loaded through the page's real file inputs. */
function writeFixtures(): { cifar: string[]; broken: string; mnist: string[]; folder: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tricks-datasets-'));
  const write = (name: string, data: Uint8Array) => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
    return path;
  };
  const cifar = [
    write('data_batch_1.bin', makeCifarBatch('cifar10', cyclicLabels(40, 10))),
    write('test_batch.bin', makeCifarBatch('cifar10', cyclicLabels(10, 10), 40)),
  ];
  const broken = write(
    'data_batch_9.bin',
    makeCifarBatch('cifar10', cyclicLabels(3, 10)).subarray(0, 5000),
  );
  const mnist = Object.entries(makeMnistFiles(30, 10, true)).map(([name, data]) =>
    write(`mnist/${name}`, data),
  );
  for (const [name, data] of Object.entries(makeImageFolder('pets', ['cat', 'dog', 'fox'], 6)))
    write(name, data);
  return { cifar, broken, mnist, folder: join(dir, 'pets') };
}

async function previewGrid(page: Page, expected: number): Promise<void> {
  await page.getByRole('button', { name: /Preview one batch|New batch/ }).click();
  const grid = page.getByTestId('preview-grid');
  await expect(grid).toHaveAttribute('data-count', String(expected), { timeout: 120_000 });
  // The tiles hold real, varied pixels.
  const stats = await grid
    .locator('canvas')
    .first()
    .evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const values = new Set<number>();
      for (let i = 0; i < data.length; i += 4) values.add(data[i]!);
      return { distinct: values.size, width: canvas.width };
    });
  expect(stats.width).toBe(32);
  expect(stats.distinct).toBeGreaterThan(4);
}

test.describe('datasets from files', () => {
  const fixtures = writeFixtures();

  test('CIFAR-10 batches through the file input, preview, bad file keeps the dataset, cache', async ({
    page,
  }) => {
    const errors = trackPageErrors(page);
    await gotoApp(page);
    await page.getByLabel('Choose dataset files').setInputFiles(fixtures.cifar);
    const summary = page.getByTestId('dataset-summary');
    await expect(summary).toContainText('CIFAR-10: 10 classes, 40 training / 10 validation images');
    expect(queryOf(page).get('dataset')).toBe('cifar10');
    await expect(page.getByLabel('Dataset', { exact: true })).toHaveValue('cifar10');

    await previewGrid(page, 40);
    await expect(page.getByRole('img', { name: 'airplane' }).first()).toBeVisible();

    // A truncated batch: a clear message naming the file; the loaded dataset stays.
    await page.getByLabel('Choose dataset files').setInputFiles(fixtures.broken);
    const alert = page.getByRole('alert').filter({ hasText: 'data_batch_9.bin' });
    await expect(alert).toContainText('not a whole number of 3073-byte CIFAR-10 records');
    await expect(alert).toContainText('still loaded and usable');
    await expect(summary).toContainText('40 training / 10 validation images');
    await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();

    // Each §2.1 step is its own labelled switch.
    for (const label of [
      'Random-resized-crop',
      'Horizontal flip',
      'Colour jitter',
      'PCA lighting noise',
    ]) {
      await expect(page.getByLabel(label, { exact: true })).toBeChecked();
    }
    await page.getByLabel('Random-resized-crop', { exact: true }).uncheck();
    expect(queryOf(page).get('crop')).toBe('0');
    await previewGrid(page, 40);
    await screenshot(page, 'dataset-cifar-preview');

    // A reload reads the dataset from the browser cache; one click removes it.
    await page.reload();
    await expect(summary).toContainText('40 training / 10 validation images');
    await expect(summary).toContainText('(cached)');
    await page.getByRole('button', { name: /Remove .* from the browser cache/ }).click();
    await expect(page.getByText('Cached in this browser:')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('Fashion-MNIST IDX (gzipped) and an image folder', async ({ page }) => {
    const errors = trackPageErrors(page);
    await gotoApp(page, 'dataset=fashion-mnist');
    await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
    await page.getByLabel('Choose dataset files').setInputFiles(fixtures.mnist);
    const summary = page.getByTestId('dataset-summary');
    await expect(summary).toContainText(
      'Fashion-MNIST: 10 classes, 30 training / 10 validation images',
    );
    await expect(summary).toContainText('28×28 px');
    await previewGrid(page, 30);
    await expect(page.getByRole('img', { name: 'Ankle boot' }).first()).toBeVisible();

    await page.getByLabel('Choose a dataset folder').setInputFiles(fixtures.folder);
    await expect(summary).toContainText('pets: 3 classes, 15 training / 3 validation images');
    await expect(summary).toContainText('10% of each class is held out');
    expect(queryOf(page).get('dataset')).toBe('folder');
    await previewGrid(page, 15);
    expect(errors).toEqual([]);
  });

  test('a URL that cannot be downloaded is explained', async ({ page }) => {
    await gotoApp(page, 'dataset=cifar10');
    await page.getByLabel('Download from a URL').fill('http://127.0.0.1:9/cifar-10-binary.tar.gz');
    await page.getByRole('button', { name: 'Download' }).click();
    await expect(
      page.getByRole('alert').filter({ hasText: 'cifar-10-binary.tar.gz' }),
    ).toContainText(/network is down, or the server does not allow other web sites/);
  });
});
