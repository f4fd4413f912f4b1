import { expect, test } from '@playwright/test';
import {
  BENCHMARK_TIMEOUT,
  openBenchmarkPanel,
  smallestBenchmarkSettings,
} from './benchmark-panel';
import { gotoApp, screenshot, TINY_RUN, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

/**
 * Runs in the 'chromium-no-shader-f16' project: Debian's Chromium on its own SwiftShader adapter,
 * which has WebGPU but no shader-f16. FP16 there is f16 storage with f32 arithmetic, and the
 * FP16 toggle must say so.
 */
test('FP16 on an adapter without shader-f16: f16 storage with f32 arithmetic, and a short run trains', async ({
  page,
}) => {
  test.setTimeout(TRAINING_TIMEOUT + 60_000);
  const errors = trackPageErrors(page);
  // One step of the tiny network: SwiftShader is slow, the point is that the packed-storage
  // shaders with f32 arithmetic (pack2x16float is core WGSL) compile and run where 'enable f16'
  // would not.
  const oneStep = TINY_RUN.replace('train_size=64', 'train_size=16');
  await gotoApp(page, `${oneStep}&fp16=1&autorun=1`);
  const banner = page.getByTestId('backend-banner');
  await expect(banner).toHaveAttribute('data-backend', 'webgpu', { timeout: 60_000 });
  await expect(banner).toContainText('shader-f16: not available');
  const note = page.getByTestId('fp16-note');
  await expect(note).toHaveAttribute('data-mode', 'f16-storage/f32');
  await expect(note).toContainText('f16 storage with f32 arithmetic');
  await expect(note).toContainText('has no shader-f16');
  await note.scrollIntoViewIfNeeded();
  await expect(page.getByTestId('run-phase')).toHaveAttribute('data-phase', 'finished', {
    timeout: TRAINING_TIMEOUT,
  });
  await expect(page.getByTestId('loss-scale')).toHaveAttribute('data-value', '65536');
  expect(Number(await page.getByTestId('last-loss').textContent())).toBeGreaterThan(0);
  await screenshot(page, 'fp16-storage-note');
  expect(errors).toEqual([]);
});

test('the Benchmark panel runs without shader-f16 and offers the f16-storage row only', async ({
  page,
}) => {
  // Without shader-f16 the FP16 row tunes its f16-storage convolutions in its first step (the
  // per-layer table tunes f32 only): on a 2-core CPU adapter the run took 2.3 to over 2.5 minutes.
  const benchmarkTimeout = 2 * BENCHMARK_TIMEOUT;
  test.setTimeout(benchmarkTimeout + 60_000);
  const errors = trackPageErrors(page);
  await gotoApp(page);
  await openBenchmarkPanel(page);
  const panel = page.getByTestId('benchmark-panel');
  await expect(panel.getByTestId('benchmark-f16-note')).toHaveText(
    'engine f16-storage/f32 only (f32 arithmetic): this adapter has no shader-f16',
  );
  // SwiftShader is slower than lavapipe: the smallest run still ends within a minute or so.
  await smallestBenchmarkSettings(page, 1);
  await expect(panel.getByLabel('Engine FP16 rows')).toBeEnabled();
  await panel.getByLabel('Engine FP16 rows').check();
  await panel.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(panel.getByTestId('benchmark-results')).toHaveAttribute('data-status', 'finished', {
    timeout: benchmarkTimeout,
  });
  const variants = await panel
    .getByTestId('benchmark-table')
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-variant')));
  expect(variants).toEqual(['tf.layers', 'engine f32', 'engine f16-storage/f32']);
  const targets = panel.getByTestId('benchmark-targets');
  // No f16 arithmetic here: the speed ratio is not measured; the memory ratio is.
  await expect(targets.locator('tr[data-key="f16VsF32"]')).toHaveAttribute('data-met', 'null');
  await expect(targets.locator('tr[data-key="fp16PeakVsF32"]')).toHaveAttribute(
    'data-met',
    /^(true|false)$/,
  );
  await expect(panel.getByTestId('benchmark-cpu-note')).toBeVisible();
  expect(errors).toEqual([]);
});
