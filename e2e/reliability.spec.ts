import { expect, test, type Page } from '@playwright/test';
import { gotoApp, screenshot, TINY_RUN, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

/** The checkpoint step the page's saved copy of run `id` records in IndexedDB; null when none. */
function storedCheckpointStep(page: Page, id: string): Promise<number | null> {
  return page.evaluate(
    (runId) =>
      new Promise<number | null>((resolve, reject) => {
        const open = indexedDB.open('tricks-playground');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction('runs').objectStore('runs').get(runId);
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            db.close();
            const run = get.result as { checkpoint?: { step: number } | null } | undefined;
            resolve(run?.checkpoint?.step ?? null);
          };
        };
      }),
    id,
  );
}

/** The figures of the pre-flight memory line, in MB, each with half its last displayed digit. */
function memoryFigures(text: string | null) {
  const m =
    /Training needs ≈ ([\d.]+) MB of GPU memory: ([\d.]+) MB for weights.*, ([\d.]+) MB of (f32|f16) activations at batch (\d+)\./.exec(
      text ?? '',
    );
  if (!m) throw new Error(`not the memory line: ${text}`);
  const figure = (s: string) => ({ mb: Number(s), within: s.includes('.') ? 0.05 : 0.5 });
  return {
    total: figure(m[1]!),
    parameters: figure(m[2]!),
    activations: figure(m[3]!),
    stored: m[4],
    batch: Number(m[5]),
  };
}

test('the pre-flight memory estimate: activations double with the batch, weights stay; FP16 halves the stored activations and adds f16 weight copies', async ({
  page,
}) => {
  await gotoApp(page, 'model=resnet18&width=0.25&batch=64');
  const memory = page.getByTestId('arch-memory');
  await expect(memory).toContainText('at batch 64');
  const at64 = memoryFigures(await memory.textContent());
  await page.getByLabel('Batch size', { exact: true }).fill('128');
  await expect(memory).toContainText('at batch 128');
  const at128 = memoryFigures(await memory.textContent());
  // ResNet-18 at width 1/4, 10 classes: 701,466 parameters (stem 464, stages 9,344 + 33,088 +
  // 131,712 + 525,568, fc 1,290), each with a weight, a gradient and a momentum in f32: 12 bytes.
  const parametersMb = (701_466 * 12) / 2 ** 20;
  for (const figures of [at64, at128]) {
    expect(figures.stored).toBe('f32');
    expect(Math.abs(figures.parameters.mb - parametersMb)).toBeLessThanOrEqual(
      figures.parameters.within,
    );
    // The total is the two parts (each shown rounded).
    const parts = figures.parameters.mb + figures.activations.mb;
    const rounding = figures.total.within + figures.parameters.within + figures.activations.within;
    expect(Math.abs(figures.total.mb - parts)).toBeLessThanOrEqual(rounding);
  }
  // Activations and the batch itself are per image: twice the images, twice the bytes.
  expect(Math.abs(at128.activations.mb - 2 * at64.activations.mb)).toBeLessThanOrEqual(
    at128.activations.within + 2 * at64.activations.within,
  );

  // FP16 stores the layers' activations as f16, half their bytes; the input batch (raw and
  // preprocessed) stays f32, so the activations shrink to a little more than half. Each weight
  // gains an f16 copy: 12 + 2 bytes.
  await page.getByLabel('FP16 (mixed precision)', { exact: true }).check();
  await expect(memory).toContainText('f16 activations at batch 128');
  const f16 = memoryFigures(await memory.textContent());
  expect(Math.abs(f16.parameters.mb - (701_466 * 14) / 2 ** 20)).toBeLessThanOrEqual(
    f16.parameters.within,
  );
  expect(f16.activations.mb).toBeGreaterThan(0.5 * at128.activations.mb);
  expect(f16.activations.mb).toBeLessThan(0.6 * at128.activations.mb);
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

/** A run that blows up: lr 10 with the largest weight decay and no warmup. */
const DIVERGING_RUN =
  'model=resnet10&width=0.0625&batch=16&train_size=64&val_size=32&epochs=3&lr=10&wd=0.1&warmup=0';

test('a diverging run pauses at its last checkpoint, names the cause and marks the loss chart', async ({
  page,
}) => {
  test.setTimeout(TRAINING_TIMEOUT + 60_000);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${DIVERGING_RUN}&autorun=1`);
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'paused', { timeout: TRAINING_TIMEOUT });
  const message = page.getByTestId('divergence');
  await expect(message).toContainText(/Diverged at step \d+/);
  await expect(message).toContainText(
    'learning rate 10 without warmup is likely too high; try warmup or a lower lr',
  );
  await expect(message).toContainText('Resume continues from there, Stop ends the run.');
  const step = Number(/Diverged at step (\d+)/.exec((await message.textContent())!)![1]);
  await expect(page.getByTestId('divergence-markers')).toHaveText(` · diverged at step ${step}`);
  await expect(
    page.locator('svg text').filter({ hasText: `diverged at step ${step}` }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeEnabled();
  await screenshot(page, 'diverged');
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(phase).toHaveAttribute('data-phase', 'stopped', { timeout: 60_000 });
  await expect(page.locator('tr[data-run="r1"]')).toContainText('stopped');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  expect(errors).toEqual([]);
});

test('a lost GPU device is re-created and the run resumes from its checkpoint', async ({
  page,
}) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  // Long enough (400 steps) that the run is still training when the device goes away; the first
  // checkpoints can come faster than the page shows them, so any one will do.
  await gotoApp(page, TINY_RUN.replace('epochs=1', 'epochs=100'));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const stats = page.locator('[data-checkpoint-step]');
  await expect(stats).toHaveAttribute('data-checkpoint-step', /^[1-9]\d?$/, {
    timeout: TRAINING_TIMEOUT,
  });
  expect(await page.evaluate(() => window.__tricksPlayground!.simulateDeviceLoss())).toBe(true);
  const notices = page.getByTestId('run-notices');
  await expect(notices).toContainText('The GPU device was lost', { timeout: 60_000 });
  await expect(notices).toContainText('resuming from the checkpoint of step');
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  await expect(page.getByTestId('step')).toHaveText('400 / 400');
  await expect(page.getByTestId('last-loss')).toHaveAttribute('data-points', '400');
  await expect(page.getByTestId('backend-banner')).toHaveAttribute('data-backend', 'webgpu');
  await screenshot(page, 'device-lost-recovered');
  expect(errors).toEqual([]);
});

test('a crashed worker fails its run, the page stays usable and a new run trains', async ({
  page,
}) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  await gotoApp(page, TINY_RUN.replace('epochs=1', 'epochs=50'));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'training', { timeout: TRAINING_TIMEOUT });
  await page.evaluate(() => window.__tricksPlayground!.crashWorker());
  const alert = page.getByRole('alert').filter({ hasText: 'The training worker crashed' }).first();
  await expect(alert).toBeVisible({ timeout: 30_000 });
  await expect(alert).toContainText('Simulated worker crash');
  await expect(phase).toHaveAttribute('data-phase', 'failed');
  await expect(page.locator('tr[data-run="r1"]')).toContainText('failed');
  // The settings unlock and a new worker trains the next run.
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeEnabled({ timeout: 60_000 });
  await train.click();
  await expect(page.locator('tr[data-run="r2"]')).toBeVisible();
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  await screenshot(page, 'worker-crash-recovered');
  expect(errors).toEqual([]);
});

test('a run cut off by a reload shows as interrupted and resumes from its checkpoint', async ({
  page,
}) => {
  test.setTimeout(3 * TRAINING_TIMEOUT);
  // 60 epochs of 4 steps: long enough that the reload lands mid-run (any checkpoint below 100).
  await gotoApp(page, TINY_RUN.replace('epochs=1', 'epochs=60'));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.locator('[data-checkpoint-step]')).toHaveAttribute(
    'data-checkpoint-step',
    /^[1-9]\d?$/,
    { timeout: TRAINING_TIMEOUT },
  );
  // The saved run (IndexedDB 'runs') records the checkpoint once the worker has stored it: wait
  // for that record, which the reload reads, instead of a fixed time.
  await expect
    .poll(async () => (await storedCheckpointStep(page, 'r1')) ?? 0, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(4);
  await page.reload();
  const row = page.locator('tr[data-run="r1"]');
  await expect(row).toHaveAttribute('data-status', 'interrupted', { timeout: 30_000 });
  const resume = row.getByRole('button', { name: /^Resume r1 from its checkpoint of step \d+$/ });
  await expect(resume).toBeEnabled({ timeout: 60_000 });
  const label = (await resume.getAttribute('aria-label'))!;
  const checkpointStep = Number(/step (\d+)$/.exec(label)![1]);
  expect(checkpointStep % 4).toBe(0);
  expect(checkpointStep).toBeGreaterThanOrEqual(4);
  expect(checkpointStep).toBeLessThan(240);
  await expect(page.getByTestId('interrupted-notice')).toContainText(
    `its checkpoint of step ${checkpointStep} is stored`,
  );
  await screenshot(page, 'interrupted');
  await resume.click();
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  await expect(page.getByTestId('step')).toHaveText('240 / 240');
  await expect(page.getByTestId('epoch')).toHaveText('60 / 60');
  // One run, with its curve continued: every step once.
  await expect(page.locator('tr[data-run]')).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'finished');
  await expect(page.getByTestId('last-loss')).toHaveAttribute('data-points', '240');
  await expect(page.getByTestId('val-top1')).toHaveText(/^\d+\.\d%$/);
});
