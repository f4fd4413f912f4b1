import { expect, test, type Locator } from '@playwright/test';
import { gotoApp, screenshot, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

/** Two epochs of an FCN on 64 synthetic scenes (4 steps each), scored on 16 validation scenes. */
const TINY_SEGMENTATION =
  'task=segment&model=resnet10&width=0.0625&train_size=64&val_size=16&epochs=2&batch=16&kernels=direct';

/** The colours a canvas shows, as "rgb(r, g, b)", and how many of its pixels are transparent. */
async function canvasColors(canvas: Locator): Promise<{ colors: string[]; transparent: number }> {
  return canvas.evaluate((element: HTMLCanvasElement) => {
    const { data } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
    const colors = new Set<string>();
    let transparent = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) transparent++;
      else colors.add(`rgb(${data[i]}, ${data[i + 1]}, ${data[i + 2]})`);
    }
    return { colors: [...colors], transparent };
  });
}

/** A percentage readout ("41.3%") as a number. */
function percentOf(text: string | null): number {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text?.trim() ?? '');
  expect(match, `a percentage, got "${text}"`).not.toBeNull();
  return Number(match![1]);
}

test('a finished segmentation run reads pixel accuracy and mIoU (chart, readout, runs table) instead of top-1, and shows the first 4 validation scenes’ image, true mask and predicted mask, each 32×32 (masks in the legend’s colours) instead of the classification predictions', async ({
  page,
}) => {
  test.setTimeout(TRAINING_TIMEOUT + 60_000);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${TINY_SEGMENTATION}&autorun=1`);
  await expect(page.getByTestId('run-phase')).toHaveAttribute('data-phase', 'finished', {
    timeout: TRAINING_TIMEOUT,
  });
  const row = page.locator('.run-list tr[data-run="r1"]');
  await expect(row).toHaveAttribute('data-status', 'finished');

  // The accuracy chart names the task's scores, with a line for each.
  const chart = page.getByRole('region', { name: 'Validation pixel accuracy and mIoU' });
  await expect(chart).toContainText('Pixel accuracy:');
  await expect(chart).not.toContainText('Top-1');
  const legendItems = chart.locator('.recharts-legend-item');
  await expect(legendItems).toHaveCount(2);
  expect((await legendItems.allTextContents()).sort()).toEqual(['mIoU', 'pixel accuracy']);
  const pixelAccuracy = percentOf(await chart.getByTestId('val-pixel-accuracy').textContent());
  const mIoU = percentOf(await chart.getByTestId('val-miou').textContent());
  expect(pixelAccuracy).toBeGreaterThan(0);
  expect(pixelAccuracy).toBeLessThanOrEqual(100);
  expect(mIoU).toBeGreaterThanOrEqual(0);
  expect(mIoU).toBeLessThanOrEqual(100);
  // The runs table says the same numbers by their names.
  await expect(row.getByTestId('run-accuracy')).toHaveText(
    `pixel acc. ${pixelAccuracy.toFixed(1)}% · mIoU ${mIoU.toFixed(1)}%`,
  );

  // The predictions panel replaces the classification one.
  await expect(page.getByRole('region', { name: 'Predictions on validation images' })).toHaveCount(
    0,
  );
  const panel = page.getByRole('region', { name: 'Segmentation predictions' });
  await expect(panel.getByRole('heading', { name: 'Segmentation predictions' })).toBeVisible();
  await expect(panel).toContainText('evaluation after epoch 2');
  const legend = panel.getByRole('list', { name: 'Mask colours' });
  await expect(legend.getByRole('listitem')).toHaveCount(11);
  await expect(legend.getByRole('listitem').first()).toHaveText('background');
  const legendColors = await legend
    .locator('.mask-swatch')
    .evaluateAll((swatches) => swatches.map((s) => getComputedStyle(s).backgroundColor));

  for (let scene = 1; scene <= 4; scene++) {
    const image = panel.getByRole('img', { name: `validation scene ${scene}: image` });
    const truth = panel.getByRole('img', { name: `validation scene ${scene}: true mask` });
    const predicted = panel.getByRole('img', { name: `validation scene ${scene}: predicted mask` });
    for (const canvas of [image, truth, predicted]) {
      await expect(canvas).toBeVisible();
      // Drawn at the model's input size (the image and true mask cut to the validation crop).
      expect(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([
        32, 32,
      ]);
    }
    for (const mask of [truth, predicted]) {
      const { colors, transparent } = await canvasColors(mask);
      expect(transparent, 'every pixel of a mask is drawn').toBe(0);
      expect(colors.length).toBeGreaterThan(0);
      for (const color of colors) expect(legendColors).toContain(color);
    }
    // The image is drawn too; a scene has a background and at least one shape.
    expect((await canvasColors(image)).transparent).toBe(0);
    expect((await canvasColors(truth)).colors.length).toBeGreaterThanOrEqual(2);
  }
  await expect(panel.getByRole('img')).toHaveCount(12);
  await screenshot(page, 'segmentation-run');
  expect(errors).toEqual([]);
});

test('the settings choose the panels: a classification page shows top-1 and its predictions panel, Task = segment switches to pixel accuracy, mIoU and the segmentation panel', async ({
  page,
}) => {
  const errors = trackPageErrors(page);
  await gotoApp(page, 'model=resnet10&width=0.0625');
  await expect(page.getByRole('region', { name: 'Validation accuracy' })).toContainText('Top-1:');
  await expect(
    page.getByRole('region', { name: 'Predictions on validation images' }),
  ).toBeVisible();
  await expect(page.getByRole('region', { name: 'Segmentation predictions' })).toHaveCount(0);

  await page.getByLabel('Task', { exact: true }).selectOption('segment');
  const chart = page.getByRole('region', { name: 'Validation pixel accuracy and mIoU' });
  await expect(chart).toContainText('Pixel accuracy: —');
  await expect(chart).toContainText('mIoU: —');
  await expect(page.getByRole('region', { name: 'Segmentation predictions' })).toContainText(
    "appear after the shown run's first evaluation",
  );
  await expect(page.getByRole('region', { name: 'Predictions on validation images' })).toHaveCount(
    0,
  );
  expect(errors).toEqual([]);
});
