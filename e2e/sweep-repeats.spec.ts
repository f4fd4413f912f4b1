import { expect, test, type Page } from '@playwright/test';
import { gotoApp, screenshot, trackPageErrors } from './helpers';

/**
 * Table 6 with two seeds per row on the smallest network lavapipe trains quickly: 2 teachers + 6
 * rows, twice = 16 runs of 2 steps each (the mixup rows and their teacher train 2 epochs).
 */
const TINY_TABLE6 =
  'model=resnet10&width=0.0625&input=16&batch=8&train_size=16&val_size=8&epochs=1&repeats=2';

const ROWS = [
  'Efficient',
  '+ cosine decay',
  '+ label smoothing',
  '+ distill w/o mixup',
  '+ mixup w/o distill',
  '+ distill w/ mixup',
];

async function storedTop1(page: Page, ids: string[]): Promise<number[]> {
  return page.evaluate(
    (runIds) =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('tricks-playground');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const store = open.result.transaction('runs').objectStore('runs');
          const out: number[] = [];
          for (const id of runIds) {
            const get = store.get(id);
            get.onsuccess = () => {
              out.push((get.result as { final: { top1: number } }).final.top1 * 100);
              if (out.length === runIds.length) resolve(out);
            };
            get.onerror = () => reject(get.error);
          }
        };
      }),
    ids,
  );
}

test('Reproduce Table 6 with 2 seeds: mean ± std per row, paired 95% intervals, noise marks', async ({
  page,
}) => {
  test.setTimeout(15 * 60_000);
  const errors = trackPageErrors(page);
  await gotoApp(page, TINY_TABLE6);
  await expect(page.getByLabel('Repeats (seeds)', { exact: true })).toHaveValue('2');
  const start = page.getByRole('button', { name: 'Reproduce Table 6' });
  await expect(start).toBeEnabled({ timeout: 60_000 });
  await start.click();
  await expect(page.getByTestId('sweep-status')).toContainText(/run \d+ of 16/);

  const table = page.getByTestId('ablation-table');
  const rows = table.locator('tbody tr');
  const seeds = table.locator('tbody [data-col="Seeds"]');
  // The queue ends once every run has finished: each row then has both seeds.
  await expect(page.getByTestId('sweep-status')).toHaveCount(0, { timeout: 14 * 60_000 });
  await expect(rows).toHaveCount(6);
  await expect(seeds).toHaveText(Array<string>(6).fill('1, 2'));
  await expect(table.locator('tbody [data-col="Tricks vs. first row"]')).toHaveText(ROWS);
  // The mixup rows train 200/120 as long: 2 epochs instead of 1.
  await expect(table.locator('tbody [data-col="Epochs"]')).toHaveText([
    '1',
    '1',
    '1',
    '1',
    '2',
    '2',
  ]);

  // Every row: mean ± sample std of its two seeds' top-1, as stored.
  for (let i = 0; i < 6; i++) {
    const row = rows.nth(i);
    const ids = ((await row.getAttribute('data-runs')) ?? '').split(' ');
    expect(ids).toHaveLength(2);
    const [a, b] = await storedTop1(page, ids);
    const mean = (a! + b!) / 2;
    const std = Math.abs(a! - b!) / Math.SQRT2;
    await expect(row.locator('[data-col="Top-1 (%)"]')).toHaveText(
      `${mean.toFixed(2)} ± ${std.toFixed(2)}`,
    );
    await expect(row.locator('[data-col="Top-5 (%)"]')).toHaveText(/^\d+\.\d\d ± \d+\.\d\d$/);
  }

  // Rows 2–6: a 95% interval from the paired differences, marked when it holds 0.
  const intervals = table.locator('tbody [data-col="Δ Top-1 95% CI"]');
  await expect(intervals.first()).toHaveText('');
  for (let i = 1; i < 6; i++) {
    const cell = intervals.nth(i);
    const noise = await cell.getAttribute('data-noise');
    expect(['within', 'clear']).toContain(noise);
    await expect(cell).toHaveText(
      noise === 'within'
        ? /^\[[+-]?\d+\.\d\d, [+-]?\d+\.\d\d\] within noise$/
        : /^\[[+-]?\d+\.\d\d, [+-]?\d+\.\d\d\]$/,
    );
  }
  await expect(page.getByTestId('interval-note')).toContainText('t(0.975, n − 1)');

  // The charts draw each row as the mean of its seeds with a min–max band.
  const lossCard = page.locator('section.chart-card', { has: page.locator('#loss-chart-title') });
  await expect(
    lossCard.locator('.recharts-legend-item', { hasText: ': mean of 2 seeds' }),
  ).toHaveCount(6);
  await expect(lossCard.locator('.recharts-area')).toHaveCount(6);
  await expect(lossCard).toContainText('shaded from the lowest to the highest seed');
  await screenshot(page, 'table6-repeats');
  expect(errors).toEqual([]);
});
