import { expect, test, type Page } from '@playwright/test';
import { gotoApp, TINY_RUN, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

/** A run row of the saved-runs table. */
const row = (page: Page, id: string) => page.locator(`.run-list tr[data-run="${id}"]`);

/** The step a racer has reached, from the race's progress table. */
async function racerStep(page: Page, index: number): Promise<number> {
  const text = await page.getByTestId('racer-step').nth(index).textContent();
  return Number(/^(\d+)/.exec(text ?? '')?.[1] ?? 0);
}

test('race a trick from its toggle: both racers train live, both curves on the loss chart; Pause, Step and Resume hold and move the whole race; Stop ends it (no second seed) and saves both', async ({
  page,
}) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  // 4 steps per epoch, 300 epochs: long enough to be stopped mid-race; 2 seeds, one raced.
  await gotoApp(page, `${TINY_RUN.replace('epochs=1', 'epochs=300')}&repeats=2`);
  await page.getByRole('button', { name: 'Race with / without Label smoothing' }).click();
  const panel = page.getByTestId('race-panel');
  await expect(panel.getByTestId('racer')).toHaveText([
    'label smoothing 0.1',
    'no label smoothing',
  ]);
  await expect(panel.getByTestId('racer-progress')).toHaveCount(2);
  // Both racers' steps grow: they train at once, in turn.
  await expect
    .poll(async () => Math.min(await racerStep(page, 0), await racerStep(page, 1)), {
      timeout: TRAINING_TIMEOUT,
    })
    .toBeGreaterThanOrEqual(3);
  const lossCard = page.locator('section.chart-card', { has: page.locator('#loss-chart-title') });
  await expect(lossCard.locator('.recharts-legend-item')).toHaveText([
    'r1: label smoothing 0.1',
    'r2: no label smoothing',
  ]);
  // After the first evaluations: the accuracy and logit-gap charts draw both racers too.
  for (const title of ['#accuracy-chart-title', '#gap-chart-title']) {
    const card = page.locator('section.chart-card', { has: page.locator(title) });
    await expect(card.locator('.recharts-legend-item')).toHaveText(
      ['r1: label smoothing 0.1', 'r2: no label smoothing'],
      { timeout: 60_000 },
    );
  }
  // Pause holds the whole race: once a racer shows paused, no racer's step moves.
  const total = async () => (await racerStep(page, 0)) + (await racerStep(page, 1));
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(
    panel.locator('[data-testid="racer-progress"][data-phase="paused"]').first(),
  ).toBeVisible({
    timeout: 60_000,
  });
  await page.waitForTimeout(1000);
  const paused = await total();
  await page.waitForTimeout(2000);
  expect(await total()).toBe(paused);
  // Step: one more step for each racer, then held again.
  await page.getByRole('button', { name: 'Step' }).click();
  await expect.poll(total, { timeout: 60_000 }).toBeGreaterThan(paused);
  await page.waitForTimeout(2000);
  const stepped = await total();
  expect(stepped - paused).toBeLessThanOrEqual(4);
  await page.waitForTimeout(2000);
  expect(await total()).toBe(stepped);
  // Resume: both racers train on.
  const before = [await racerStep(page, 0), await racerStep(page, 1)];
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect
    .poll(
      async () =>
        Math.min((await racerStep(page, 0)) - before[0]!, (await racerStep(page, 1)) - before[1]!),
      { timeout: TRAINING_TIMEOUT },
    )
    .toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Stop' }).click();
  for (const id of ['r1', 'r2']) {
    await expect(row(page, id)).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
  }
  await expect(panel.getByTestId('race-progress')).toContainText('Race over.');
  // Stop ends the race: the second seed is not raced.
  await page.waitForTimeout(3000);
  await expect(row(page, 'r3')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a race link round-trips (Copy race link gives the same race); with 2 seeds it races them in turn and ends with the paired Δ', async ({
  page,
  context,
}) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await gotoApp(page, `${TINY_RUN}&repeats=2&race=cosine:1;cosine:0`);
  const panel = page.getByTestId('race-panel');
  await expect(panel.getByTestId('racer')).toHaveText(['cosine decay', 'no cosine decay']);
  await panel.getByRole('button', { name: 'Copy race link' }).click();
  const link = new URL(await page.evaluate(() => navigator.clipboard.readText()));
  expect(link.searchParams.get('race')).toBe('cosine:1;cosine:0');
  expect(link.searchParams.get('epochs')).toBe('1');
  expect(link.searchParams.get('repeats')).toBe('2');

  await gotoApp(page, link.search.slice(1));
  await expect(panel.getByTestId('racer')).toHaveText(['cosine decay', 'no cosine decay']);
  await panel.getByRole('button', { name: 'Start race' }).click();
  // Seed 1: r1 and r2; seed 2: r3 and r4.
  for (const id of ['r1', 'r2', 'r3', 'r4']) {
    await expect(row(page, id)).toHaveAttribute('data-status', 'finished', {
      timeout: TRAINING_TIMEOUT,
    });
  }
  await expect(panel.getByTestId('race-progress')).toContainText('Seed 2 of 2. Race over.');
  const result = panel.getByTestId('race-result');
  await expect(result).toContainText('Result against cosine decay');
  // Two seeds in common: a paired interval (which may or may not contain 0 at this scale).
  await expect(result).toContainText(
    /no cosine decay: Δ top-1 [+−-]?\d+\.\d\d points \[[^\]]+\].* \(2 seeds\)/,
  );
  expect(errors).toEqual([]);
});

test('a race too big for the GPU is refused with a message before training', async ({ page }) => {
  const errors = trackPageErrors(page);
  // Two ResNet-18s at width 1 and batch 256 (about 1.9 GB each): over the race's memory budget.
  await gotoApp(page, 'model=resnet18&width=1&batch=256&race=cosine:1;cosine:0');
  const panel = page.getByTestId('race-panel');
  await panel.getByRole('button', { name: 'Start race' }).click();
  await expect(panel.getByTestId('race-message')).toContainText(
    /This race needs about \d+ MB of GPU memory \(\d+ MB \+ \d+ MB\), more than the 2048 MB a race may use/,
  );
  await expect(panel.getByTestId('racer-progress')).toHaveCount(0);
  await expect(page.locator('.run-list tr[data-run]')).toHaveCount(0);
  expect(errors).toEqual([]);
});
