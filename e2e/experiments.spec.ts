import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { gotoApp, screenshot, TINY_RUN, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

/** A run row of the saved-runs table. */
const row = (page: Page, id: string) => page.locator(`.run-list tr[data-run="${id}"]`);

async function waitFinished(page: Page, id: string): Promise<void> {
  await expect(row(page, id)).toHaveAttribute('data-status', 'finished', {
    timeout: TRAINING_TIMEOUT,
  });
}

/** The stored record of a run, read straight from IndexedDB. */
async function storedRun(page: Page, id: string) {
  return page.evaluate(
    (runId) =>
      new Promise<{
        final: { top1: number; top5: number | null; trainLoss: number } | null;
        points: unknown[];
      }>((resolve, reject) => {
        const open = indexedDB.open('tricks-playground');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('runs').objectStore('runs').get(runId);
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
      }),
    id,
  );
}

test('runs are saved, survive a reload, overlay, table, share and round-trip as JSON', async ({
  page,
  browser,
}) => {
  test.setTimeout(3 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${TINY_RUN}&autorun=1`);
  await waitFinished(page, 'r1');
  await page.getByLabel('Cosine learning rate decay', { exact: true }).check();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitFinished(page, 'r2');
  // The model weights were copied from the worker.
  await expect(
    page.getByRole('button', { name: 'Download model r2 (TensorFlow.js)' }),
  ).toBeEnabled();

  await page.reload();
  await expect(row(page, 'r1')).toHaveAttribute('data-status', 'finished');
  await expect(row(page, 'r2')).toHaveAttribute('data-status', 'finished');

  // Overlay: show r2, compare r1 and r2 → r1 is drawn on the loss chart with its own legend entry.
  await page.getByRole('checkbox', { name: 'Compare r1' }).check();
  await page.getByRole('checkbox', { name: 'Compare r2' }).check();
  await page.getByRole('button', { name: 'Show r2 in the charts' }).click();
  const lossCard = page.locator('section.chart-card', { has: page.locator('#loss-chart-title') });
  await expect(lossCard.locator('.recharts-legend-item')).toHaveCount(3);
  await expect(lossCard.locator('.recharts-legend-item', { hasText: 'r1:' })).toHaveCount(1);
  const accuracyCard = page.locator('section.chart-card', {
    has: page.locator('#accuracy-chart-title'),
  });
  await expect(accuracyCard.locator('.recharts-legend-item', { hasText: 'r1:' })).toHaveCount(1);

  // The table holds the stored metrics.
  const table = page.getByTestId('ablation-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  for (const id of ['r1', 'r2']) {
    const stored = await storedRun(page, id);
    const cells = table.locator(`tr[data-run="${id}"]`);
    await expect(cells.locator('[data-col="Top-1 (%)"]')).toHaveText(
      (stored.final!.top1 * 100).toFixed(2),
    );
    await expect(cells.locator('[data-col="Final loss"]')).toHaveText(
      stored.final!.trainLoss.toFixed(4),
    );
  }
  await expect(table.locator('tr[data-run="r2"] [data-col="Tricks vs. first row"]')).toHaveText(
    'cosine decay',
  );
  await screenshot(page, 'compared-runs');

  // Share results: a fresh browser context sees r1's curves without training.
  await page.getByRole('button', { name: 'Share results of r1' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toContain('#results=');
  const r1 = await storedRun(page, 'r1');
  const receiver = await browser.newContext();
  const other = await receiver.newPage();
  await other.goto(link);
  await expect(other.getByTestId('runs-message')).toContainText('Showing shared results');
  await expect(other.getByTestId('last-loss')).toHaveAttribute(
    'data-points',
    String(r1.points.length),
  );
  await expect(other.getByTestId('val-top1')).toHaveText(`${(r1.final!.top1 * 100).toFixed(1)}%`);
  await expect(other.locator('.run-list tr[data-run="r1"] .badge')).toHaveText('shared');

  // Export the two compared runs; importing them elsewhere and exporting again gives the same JSON.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export 2 compared as JSON' }).click(),
  ]);
  const exported = readFileSync((await download.path())!, 'utf8');
  const importer = await (await browser.newContext()).newPage();
  await gotoApp(importer);
  await importer.getByLabel('Import runs from a JSON file').setInputFiles({
    name: 'runs.json',
    mimeType: 'application/json',
    buffer: Buffer.from(exported),
  });
  await expect(importer.getByTestId('runs-message')).toContainText('Imported 2 runs');
  const [again] = await Promise.all([
    importer.waitForEvent('download'),
    importer.getByRole('button', { name: 'Export all as JSON' }).click(),
  ]);
  expect(readFileSync((await again.path())!, 'utf8')).toBe(exported);

  // A damaged file is refused with a reason, and nothing is lost.
  await importer.getByLabel('Import runs from a JSON file').setInputFiles({
    name: 'bad.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"tricks-playground-runs","version":1,"runs":[{"id":"x"}]}'),
  });
  await expect(importer.getByTestId('runs-message')).toContainText('runs.0.id');
  await expect(importer.locator('.run-list tbody tr')).toHaveCount(2);
  await receiver.close();
  expect(errors).toEqual([]);
});

test('a run that was training when the page closed is listed as interrupted', async ({ page }) => {
  test.setTimeout(TRAINING_TIMEOUT);
  await gotoApp(page, `${TINY_RUN.replace('epochs=1', 'epochs=200')}&autorun=1`);
  await expect(row(page, 'r1')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await page.reload();
  await expect(row(page, 'r1')).toHaveAttribute('data-status', 'interrupted');
});

test('presets set their documented values, also as links', async ({ page }) => {
  await gotoApp(page);
  await page.getByRole('button', { name: '§3 Efficient', exact: true }).click();
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('1024');
  await expect(page.getByLabel('Linear scaling learning rate', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Learning rate warmup', { exact: true })).toHaveValue('1');
  await expect(page.getByLabel('Zero γ', { exact: true })).toBeChecked();
  await expect(page.getByLabel('No bias decay', { exact: true })).toBeChecked();
  await expect(page.getByLabel('FP16 (mixed precision)', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('resnet50');

  await page.getByRole('link', { name: 'Link to the Full stack preset' }).click();
  await expect(page.getByLabel('ResNet-D', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Cosine learning rate decay', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Label smoothing', { exact: true })).toHaveValue('0.1');
  await expect(page.getByLabel('Mixup', { exact: true })).toHaveValue('0.2');
});

test('explanation cards typeset equations; presentation mode lists the shortcuts', async ({
  page,
}) => {
  await gotoApp(page, 'present=1');
  await expect(page.getByRole('button', { name: 'Show settings' })).toBeVisible();
  // Charts are drawn large in presentation mode (420 px instead of 220 px).
  const lrChartHeight = async () =>
    (await page.getByTestId('lr-chart').locator('.recharts-responsive-container').boundingBox())
      ?.height ?? 0;
  expect(await lrChartHeight()).toBeGreaterThanOrEqual(400);
  await expect(page.getByLabel('Keyboard shortcuts')).toContainText('Space');
  await page.getByRole('button', { name: 'Show settings' }).click();
  const card = page.getByTestId('explain-cosine');
  await card.locator('summary').click();
  await expect(card.locator('.katex')).toBeVisible();
  await expect(card.getByTestId('figure-schedules')).toBeVisible();
  await screenshot(page, 'presentation-mode');
});

test('a malformed results link says what is wrong', async ({ page }) => {
  await gotoApp(page, `${TINY_RUN}#results=%%%`);
  await expect(page.getByTestId('runs-message')).toContainText('damaged');
});
