import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import {
  BENCHMARK_TIMEOUT,
  openBenchmarkPanel,
  smallestBenchmarkSettings,
} from './benchmark-panel';
import { gotoApp, queryOf, screenshot, TINY_RUN, trackPageErrors } from './helpers';

/**
 * The Benchmark panel runs the engine benchmark suite in the training worker on the page's own
 * WebGPU adapter (lavapipe here). Settings are the smallest the panel allows so a full run stays
 * within a minute on a 2-core CPU adapter: one network, batch 4, width 1/16, 1 timed step.
 */

const VARIANTS = ['tf.layers', 'engine f32', 'engine f16-storage/f16', 'engine f16-storage/f32'];

/** |a − b| ≤ 1e-9 of their size: two doubles of one definition, computed in another order. */
function expectSame(got: number | null | undefined, want: number, what: string): void {
  expect(got, what).not.toBeNull();
  expect(Math.abs(got! - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(
    1e-9 * Math.abs(want),
  );
}

/** The seconds a shown duration stands for: "42 s", "3 min 07 s" (to the second), "2 h 05 min". */
function durationBounds(text: string): [number, number] {
  let m = /^(\d+) s$/.exec(text);
  if (m) return [Number(m[1]) - 0.5, Number(m[1]) + 0.5];
  m = /^(\d+) min (\d\d) s$/.exec(text);
  if (m) {
    const s = 60 * Number(m[1]) + Number(m[2]);
    return [s - 0.5, s + 0.5];
  }
  m = /^(\d+) h (\d\d) min$/.exec(text);
  if (m) {
    const s = 3600 * Number(m[1]) + 60 * Number(m[2]);
    return [s - 0.5, s + 60.5];
  }
  throw new Error(`not a duration: ${text}`);
}

/** `text` is a duration within which `seconds` falls. */
function expectDuration(text: string | null, seconds: number, what: string): void {
  const [low, high] = durationBounds((text ?? '').trim());
  expect(seconds, `${what}: ${text}`).toBeGreaterThanOrEqual(low);
  expect(seconds, `${what}: ${text}`).toBeLessThanOrEqual(high);
}

/** "×1.23": a ratio to two decimals. */
function expectTimes(text: string | null, ratio: number, what: string): void {
  const shown = Number(/^×(\d+\.\d\d)$/.exec((text ?? '').trim())?.[1]);
  expect(Math.abs(shown - ratio), `${what}: ${text} vs ${ratio}`).toBeLessThanOrEqual(0.005 + 1e-9);
}

/** Multiply-adds of a tuned op from its shape label: "3×3/1 p1, 4→4 @32×32, batch 128". */
function macsOf(shape: string): number {
  const m = /^(\d+)×(\d+)\/(\d+) p(\d+), (\d+)→(\d+) @(\d+)×(\d+), batch (\d+)$/.exec(shape);
  if (!m) throw new Error(`not a shape label: ${shape}`);
  const [kh, kw, stride, pad, ci, co, h, w, n] = m.slice(1).map(Number) as number[];
  const oh = Math.floor((h! + 2 * pad! - kh!) / stride!) + 1;
  const ow = Math.floor((w! + 2 * pad! - kw!) / stride!) + 1;
  return n! * oh * ow * co! * kh! * kw! * ci!;
}

interface ReportRow {
  name: string;
  imgPerSec: number;
  imgPerSecSync: number;
  firstStepMs: number;
  peakGpuBytes: number;
  dispatchesPerStep: number;
  stepProfile: {
    kernels: { kernel: string; dispatches: number; ms: number }[];
    dispatches: number;
    gpuMs: number;
    stepMs: number;
  } | null;
}

test('runs the benchmark: rows for tf.layers, engine f32 and both FP16 rows, adapter, peak, ratios, time per epoch', async ({
  page,
}) => {
  test.setTimeout(BENCHMARK_TIMEOUT + 60_000);
  const errors = trackPageErrors(page);
  await gotoApp(page);
  await openBenchmarkPanel(page);
  const panel = page.getByTestId('benchmark-panel');

  // Bad input is named and blocks the run; fixing it unblocks.
  await panel.getByLabel('Other batch size').fill('513');
  await expect(panel.getByRole('status', { name: 'Benchmark settings to fix' })).toContainText(
    'Other batch size must be a whole number from 1 to 512.',
  );
  await expect(panel.getByRole('button', { name: 'Run benchmark' })).toBeDisabled();

  await smallestBenchmarkSettings(page, 1);
  // lavapipe has shader-f16 (emulated by LLVM, slow, but batch 4 is small): both FP16 rows, f16
  // arithmetic and f16 storage with f32 arithmetic.
  await panel.getByLabel('Engine FP16 rows').check();
  await panel.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(panel.getByRole('progressbar', { name: 'Benchmark progress' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Train' })).toBeDisabled();

  const results = panel.getByTestId('benchmark-results');
  await expect(results).toHaveAttribute('data-status', 'finished', {
    timeout: BENCHMARK_TIMEOUT,
  });
  await expect(panel.getByTestId('benchmark-adapter')).toHaveText(/\S/);
  const table = panel.getByTestId('benchmark-table');
  for (const variant of VARIANTS) {
    const row = table.locator(`tr[data-variant="${variant}"]`);
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('ResNet-18-style');
    // Each figure is shown as measured (checked against the JSON report below), rounded.
    for (const col of ['imgPerSec', 'peakGpuBytes', 'dispatchesPerStep']) {
      const value = Number(await row.locator(`[data-col="${col}"]`).getAttribute('data-value'));
      expect(value, `${variant} ${col}`).toBeGreaterThan(0);
      const shown =
        col === 'imgPerSec'
          ? value.toFixed(1)
          : col === 'peakGpuBytes'
            ? (value / 2 ** 20).toFixed(1)
            : String(value);
      await expect(row.locator(`[data-col="${col}"]`)).toHaveText(shown);
    }
    // FP16 rows train with dynamic loss scaling and show where it ended.
    await expect(row.locator('[data-col="lossScale"]')).toHaveText(
      variant.startsWith('engine f16-storage') ? /^\d+(\.\d+)? \(\d+ skipped\)$/ : '-',
    );
  }
  // Both roofline peaks, each with the length of the one dispatch it was timed on (≥ 20 ms).
  await expect(panel.getByTestId('benchmark-peak')).toContainText(
    /FMA peak \d+\.\d GFLOP\/s \(one (\d+\.\d+|\d{3,}) ms dispatch\); memory bandwidth peak \d+\.\d GB\/s/,
  );

  // Each engine row's step profiled by kernel (Chromium offers timestamp-query on lavapipe).
  const profiles = panel.getByTestId('benchmark-step-profiles');
  await expect(profiles.locator('details')).toHaveCount(VARIANTS.length - 1);
  await expect(profiles.locator('details[data-variant="engine f32"] summary')).toHaveText(
    /^engine f32, ResNet-18-style batch 4: \d+ dispatches, \d+\.\d\d ms of GPU work in a \d+\.\d ms step \(GPU work ÷ step: \d+%\)$/,
  );

  const targets = panel.getByTestId('benchmark-targets');
  await expect(targets).toContainText('Ratios for ResNet-18-style at batch 4');
  const RATIO_KEYS = [
    'engineVsLayers',
    'firstStepVsLayers',
    'convFractionOfPeak',
    'f16VsF32',
    'fp16PeakVsF32',
  ];
  const shownRatios: Record<string, number> = {};
  for (const key of RATIO_KEYS) {
    const row = targets.locator(`tr[data-key="${key}"]`);
    shownRatios[key] = Number(await row.locator('td.num').first().getAttribute('data-value'));
    await expect(row).toHaveAttribute('data-met', /^(true|false)$/);
  }
  await expect(targets.locator('tr[data-key="noGrowth"]')).toHaveAttribute(
    'data-met',
    /^(true|false)$/,
  );

  // Download JSON: the report in the shape of `npm run bench -- --json`, ratios at batch 4.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Download JSON' }).click(),
  ]);
  const report = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
    adapter: string;
    rows: ReportRow[];
    peakGflops: number;
    peakGBps: number;
    peakFmaDispatchMs: number;
    peakCopyDispatchMs: number;
    convGflops: number;
    ratios: Record<string, number | null>;
  };
  expect(Object.keys(report)).toEqual([
    'adapter',
    'kernels',
    'rows',
    'peakGflops',
    'peakGBps',
    'peakFmaDispatchMs',
    'peakCopyDispatchMs',
    'convGflops',
    'layers',
    'tuningMs',
    'tuningTimer',
    'ratios',
    'complete',
  ]);
  expect(report.adapter).toBe(await panel.getByTestId('benchmark-adapter').textContent());
  expect(report.rows.map((r) => r.name)).toEqual(VARIANTS);
  // The table shows the report's figures.
  for (const r of report.rows) {
    const row = table.locator(`tr[data-variant="${r.name}"]`);
    for (const col of ['imgPerSec', 'peakGpuBytes', 'dispatchesPerStep'] as const) {
      const shown = Number(await row.locator(`[data-col="${col}"]`).getAttribute('data-value'));
      expect(shown, `${r.name} ${col}`).toBe(r[col]);
    }
  }
  expect(report.peakFmaDispatchMs).toBeGreaterThanOrEqual(20);
  expect(report.peakCopyDispatchMs).toBeGreaterThanOrEqual(20);
  // Each ratio by its definition, from the rows and peaks of the same report, and as shown.
  const [layers, f32, f16] = report.rows as [ReportRow, ReportRow, ReportRow];
  const ratios: Record<string, number> = {
    engineVsLayers: f32.imgPerSec / layers.imgPerSec,
    firstStepVsLayers: f32.firstStepMs / layers.firstStepMs,
    convFractionOfPeak: report.convGflops / report.peakGflops,
    f16VsF32: f16.imgPerSec / f32.imgPerSec,
    fp16PeakVsF32: f16.peakGpuBytes / f32.peakGpuBytes,
  };
  for (const key of RATIO_KEYS) {
    expectSame(report.ratios[key], ratios[key]!, `ratio ${key}`);
    expectSame(shownRatios[key], ratios[key]!, `shown ratio ${key}`);
  }
  // The peak line: both peaks, and the largest convolution as a percentage of the FMA peak.
  const peakLine = panel.getByTestId('benchmark-peak');
  await expect(peakLine).toContainText(`FMA peak ${report.peakGflops.toFixed(1)} GFLOP/s`);
  await expect(peakLine).toContainText(`memory bandwidth peak ${report.peakGBps.toFixed(1)} GB/s`);
  await expect(peakLine).toContainText(
    `${report.convGflops.toFixed(1)} GFLOP/s = ${((report.convGflops / report.peakGflops) * 100).toFixed(1)}% of the FMA peak.`,
  );
  // Each step profile: its totals are the sums of its kernels, and the share is GPU ms ÷ step ms.
  for (const r of report.rows.slice(1)) {
    const p = r.stepProfile!;
    expect(p, `${r.name} step profile`).not.toBeNull();
    expect(p.dispatches).toBe(p.kernels.reduce((n, k) => n + k.dispatches, 0));
    expectSame(
      p.kernels.reduce((ms, k) => ms + k.ms, 0),
      p.gpuMs,
      `${r.name} GPU ms`,
    );
    const details = profiles.locator(`details[data-variant="${r.name}"]`);
    await expect(details.locator('summary')).toHaveText(
      `${r.name}, ResNet-18-style batch 4: ${p.dispatches} dispatches, ${p.gpuMs.toFixed(2)} ms ` +
        `of GPU work in a ${p.stepMs.toFixed(1)} ms step (GPU work ÷ step: ` +
        `${((p.gpuMs / p.stepMs) * 100).toFixed(0)}%)`,
    );
    const kernelRows = details.locator('tbody tr');
    await expect(kernelRows).toHaveCount(p.kernels.length);
    for (const [i, k] of p.kernels.entries()) {
      await expect(kernelRows.nth(i).locator('td')).toHaveText([
        k.kernel,
        String(k.dispatches),
        k.ms.toFixed(3),
        p.gpuMs > 0 ? `${((k.ms / p.gpuMs) * 100).toFixed(0)}%` : '—',
      ]);
    }
  }

  const table3 = panel.getByTestId('benchmark-table3');
  // The efficient column is whichever engine row ran fastest here (f16 can win on lavapipe).
  const fasterEngine = report.rows
    .slice(1)
    .reduce((a, b) => (b.imgPerSec > a.imgPerSec ? b : a)).name;
  await expect(table3.locator('tr[data-model="resnet18-style"]')).toContainText(
    new RegExp(`tf\\.layers, batch 4.*${fasterEngine}, batch 4`),
  );
  // An epoch time says what it is made of: the timed training steps only.
  await expect(table3.locator('caption')).toContainText(
    'training steps only, not measured epochs: no decoding, no evaluation, no smaller last batch',
  );
  // The epoch size is an input; bad values are named.
  await panel.getByLabel('Images per epoch').fill('0');
  await expect(panel.getByText('Images per epoch must be a whole number')).toBeVisible();
  await panel.getByLabel('Images per epoch').fill('50000');
  // Time per epoch = images per epoch ÷ images/s, for every row; speed-up = tf.layers' time ÷
  // the fastest engine row's.
  const perBatch = panel.getByRole('table', { name: 'Time per epoch per batch' });
  const epochCells = perBatch.locator('tbody tr').first().locator('td');
  await expect(perBatch.locator('tbody tr')).toHaveCount(1);
  await expect(epochCells.nth(1)).toHaveText('4');
  for (const [i, r] of report.rows.entries()) {
    expectDuration(await epochCells.nth(2 + i).textContent(), 50_000 / r.imgPerSec, r.name);
  }
  const fastest = Math.max(...report.rows.slice(1).map((r) => r.imgPerSec));
  expectTimes(await epochCells.nth(6).textContent(), fastest / layers.imgPerSec, 'speed-up');
  const table3Cells = table3.locator('tr[data-model="resnet18-style"] td');
  const baselineText = (await table3Cells.nth(1).textContent())!;
  expect(baselineText).toMatch(/ \(tf\.layers, batch 4\)$/);
  expectDuration(
    baselineText.replace(/ \(.*\)$/, ''),
    50_000 / layers.imgPerSec,
    'Table 3 baseline',
  );
  const efficientText = (await table3Cells.nth(2).textContent())!;
  expect(efficientText.endsWith(` (${fasterEngine}, batch 4)`)).toBe(true);
  expectDuration(efficientText.replace(/ \(.*\)$/, ''), 50_000 / fastest, 'Table 3 efficient');
  expectTimes(
    await table3Cells.nth(3).textContent(),
    fastest / layers.imgPerSec,
    'Table 3 speed-up',
  );

  await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, 'benchmark-results');
  expect(errors).toEqual([]);
});

test('a Quick run lists every convolution op with each kernel’s time and the chosen one; engine rows show both images/s figures', async ({
  page,
}) => {
  // Quick: ResNet-18-style at width 1/16, batches 32 and 128, 1 + 5 steps; f16 off (emulated on
  // lavapipe, and slow). About 2–4 minutes here, most of it timing every kernel per layer.
  test.setTimeout(420_000);
  const errors = trackPageErrors(page);
  await gotoApp(page);
  await openBenchmarkPanel(page);
  const panel = page.getByTestId('benchmark-panel');
  await panel.getByRole('button', { name: 'Quick' }).click();
  await panel.getByLabel('Engine FP16 rows').uncheck();
  const kernels = panel.getByLabel('Convolution kernels');
  await expect(kernels).toHaveValue('auto');
  await panel.getByRole('button', { name: 'Run benchmark' }).click();

  // The per-layer table comes before any row, while the run goes on.
  const layers = panel.getByRole('table', { name: 'Per-layer convolution kernels' });
  await expect(layers).toBeVisible({ timeout: 300_000 });
  await expect(panel.getByTestId('benchmark-results')).toHaveAttribute('data-status', 'finished', {
    timeout: 360_000,
  });
  await expect(layers.locator('caption')).toContainText('ResNet-18-style at batch 128');
  await expect(layers.getByRole('columnheader', { name: 'Chosen' })).toBeVisible();

  for (const id of ['direct', 'tiled-64x64', 'tfjs']) {
    await expect(layers.getByRole('columnheader', { name: id, exact: true })).toBeVisible();
  }
  const ops = layers.locator('tbody tr');
  const count = await ops.count();
  // Each distinct shape has its three ops; ResNet-18-style has several distinct shapes.
  expect(count).toBeGreaterThanOrEqual(9);
  expect(count % 3).toBe(0);
  for (let i = 0; i < count; i++) {
    const op = ops.nth(i);
    const chosenId = await op.getAttribute('data-chosen');
    // The Chosen column names it; exactly one kernel cell is marked, and it is the fastest timed.
    await expect(op.locator('[data-col="chosen"]')).toHaveText(chosenId!);
    const chosen = op.locator('td[data-chosen="true"]');
    await expect(chosen).toHaveCount(1);
    await expect(chosen).toHaveAttribute('data-kernel', chosenId!);
    await expect(chosen).toContainText('✓');
    const times = (
      await op
        .locator('td[data-kernel]')
        .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-value')))
    )
      .filter((v): v is string => v !== null && v !== '')
      .map(Number);
    expect(times.length).toBeGreaterThanOrEqual(1);
    expect(Number(await chosen.getAttribute('data-value'))).toBe(Math.min(...times));
  }

  const table = panel.getByTestId('benchmark-table');
  const engine128 = table.locator('tr[data-variant="engine f32"][data-batch="128"]');
  await expect(engine128.locator('[data-col="kernels"]')).toHaveText('auto');
  // Batch 128 was tuned before the rows: its first step found every choice in IndexedDB.
  await expect(engine128.locator('[data-col="firstStepTuning"]')).toHaveAttribute(
    'data-value',
    'cached',
  );
  for (const variant of ['tf.layers', 'engine f32']) {
    for (const row of await table.locator(`tr[data-variant="${variant}"]`).all()) {
      const async = Number(await row.locator('[data-col="imgPerSec"]').getAttribute('data-value'));
      const sync = Number(
        await row.locator('[data-col="imgPerSecSync"]').getAttribute('data-value'),
      );
      // Medians and totals of timed steps: no definition to check them against here but their
      // own display, and tf.layers' two being one figure.
      expect(async).toBeGreaterThan(0);
      expect(sync).toBeGreaterThan(0);
      await expect(row.locator('[data-col="imgPerSec"]')).toHaveText(async.toFixed(1));
      if (variant === 'tf.layers') {
        expect(sync).toBe(async);
        await expect(row.locator('[data-col="imgPerSecSync"]')).toContainText('(same)');
      }
    }
  }

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Download JSON' }).click(),
  ]);
  // Kept with the test's output (test-results/), for reading the figures of this run.
  await download.saveAs(test.info().outputPath('benchmark-quick.json'));
  const report = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
    kernels: string;
    rows: { name: string; kernels: string; imgPerSec: number; imgPerSecSync: number }[];
    peakGflops: number;
    layers: {
      op: string;
      shape: string;
      candidates: { id: string; family: string; ms: number | null; gflops: number | null }[];
      chosen: string;
    }[];
    tuningMs: number;
    tuningTimer: string;
  };
  expect(report.kernels).toBe('auto');
  expect(report.rows.map((r) => r.kernels)).toEqual(['tfjs', 'auto', 'tfjs', 'auto']);
  expect(report.layers).toHaveLength(count);
  for (const [i, layer] of report.layers.entries()) {
    expect(layer.candidates.map((c) => c.id)).toContain(layer.chosen);
    // GFLOP/s = 2 × multiply-adds of the op's shape ÷ its ms (the same count for the three ops of
    // a shape), and as the table shows it, with its share of the FMA peak.
    const flops = 2 * macsOf(layer.shape);
    const op = ops.nth(i);
    await expect(op).toHaveAttribute('data-shape', layer.shape);
    for (const c of layer.candidates.filter((c) => c.ms !== null)) {
      expectSame(c.gflops, flops / (c.ms! / 1000) / 1e9, `${layer.op} ${layer.shape} ${c.id}`);
      const cell = op.locator(`td[data-kernel="${c.id}"]`);
      await expect(cell).toHaveAttribute('data-value', String(c.ms));
      await expect(cell).toContainText(`${c.gflops!.toFixed(1)} GFLOP/s`);
      await expect(cell).toContainText(
        `${((c.gflops! / report.peakGflops) * 100).toFixed(0)}% FMA`,
      );
    }
  }
  // The caption gives the tuning's timer and wall time, as the report has them.
  await expect(layers.locator('caption')).toContainText(
    `(${report.tuningTimer}, ${(report.tuningMs / 1000).toFixed(1)} s in all)`,
  );
  await layers.scrollIntoViewIfNeeded();
  await screenshot(page, 'benchmark-layers');
  expect(errors).toEqual([]);
});

test('Stop cancels the benchmark and keeps what was measured: peak, ratios, partial JSON; training waits for the benchmark', async ({
  page,
  context,
}) => {
  test.setTimeout(BENCHMARK_TIMEOUT);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const errors = trackPageErrors(page);
  await gotoApp(page);
  await openBenchmarkPanel(page);
  const panel = page.getByTestId('benchmark-panel');
  await smallestBenchmarkSettings(page, 200);
  await panel.getByRole('button', { name: 'Run benchmark' }).click();
  // Wait until a row is being trained, so Stop lands between two steps.
  await expect(panel.getByTestId('benchmark-progress')).toContainText('tf.layers', {
    timeout: 60_000,
  });
  await panel.getByRole('button', { name: 'Stop' }).click();
  const status = panel.getByTestId('benchmark-status');
  await expect(status).toHaveText(/^Stopped after [01] of 2 rows\./, { timeout: 60_000 });
  await expect(panel.getByTestId('benchmark-results')).toHaveAttribute('data-status', 'stopped');
  await expect(panel.getByRole('button', { name: 'Run benchmark' })).toBeEnabled();
  await expect(status).toContainText('the JSON report is marked partial');

  // The peak and largest convolution are measured before any row: a stopped run keeps them.
  await expect(panel.getByTestId('benchmark-peak')).toContainText(
    /FMA peak \d+\.\d GFLOP\/s .*; largest convolution .* \d+\.\d GFLOP\/s = [\d.]+% of the FMA peak\./,
  );
  // engine f32 was never measured (Stop landed in the tf.layers row): its ratios say so.
  const targets = panel.getByTestId('benchmark-targets');
  for (const key of ['engineVsLayers', 'firstStepVsLayers']) {
    await expect(targets.locator(`tr[data-key="${key}"]`)).toContainText('not measured');
  }
  await expect(targets.locator('tr[data-key="convFractionOfPeak"]')).toHaveAttribute(
    'data-met',
    /^(true|false)$/,
  );
  await expect(panel.getByTestId('benchmark-partial-json')).toHaveText(
    'The JSON report is partial ("complete": false): stopped by the user.',
  );
  await panel.getByRole('button', { name: 'Copy JSON' }).click();
  await expect(panel.getByText('Partial JSON report (stopped by the user) copied')).toBeVisible();
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as {
    peakGflops: number;
    convGflops: number;
    ratios: Record<string, number | null>;
    complete: boolean;
    reason: string;
  };
  expect(copied.complete).toBe(false);
  expect(copied.reason).toBe('stopped by the user');
  // The peaks and the largest convolution measured before Stop, as the panel shows them.
  await expect(panel.getByTestId('benchmark-peak')).toContainText(
    `FMA peak ${copied.peakGflops.toFixed(1)} GFLOP/s`,
  );
  await expect(panel.getByTestId('benchmark-peak')).toContainText(
    `${copied.convGflops.toFixed(1)} GFLOP/s = ${((copied.convGflops / copied.peakGflops) * 100).toFixed(1)}% of the FMA peak.`,
  );
  expectSame(
    copied.ratios.convFractionOfPeak,
    copied.convGflops / copied.peakGflops,
    'convFractionOfPeak',
  );
  expect(copied.ratios.engineVsLayers).toBeNull();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Download JSON' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('tricks-playground-benchmark-partial.json');
  const downloaded = JSON.parse(readFileSync((await download.path())!, 'utf8')) as unknown;
  expect(downloaded).toEqual(copied);
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, 'benchmark-stopped');

  // During training the benchmark cannot start, and says why.
  // 200 steps of the tiny network: long enough to still be training when checked.
  await page.goto(`./?${TINY_RUN.replace('epochs=1', 'epochs=50')}&autorun=1`);
  await openBenchmarkPanel(page);
  await expect(page.getByTestId('benchmark-unavailable')).toHaveText(/training run is in progress/);
  await expect(panel.getByRole('button', { name: 'Run benchmark' })).toBeDisabled();
  await page
    .getByRole('group', { name: 'Run controls' })
    .getByRole('button', { name: 'Stop' })
    .click();
  await expect(panel.getByRole('button', { name: 'Run benchmark' })).toBeEnabled({
    timeout: 60_000,
  });
  expect(errors).toEqual([]);
});

test('a benchmark link opens the panel with its settings filled in and does not run it', async ({
  page,
  context,
}) => {
  const errors = trackPageErrors(page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await gotoApp(
    page,
    'mixup=0.2&bench_models=r18&bench_batches=32,4&bench_warmup=0&bench_steps=3&bench_leak=&bench_f16=0&bench_kernels=tiled&bench_width=9',
  );
  await expect(page.getByTestId('backend-banner')).toHaveAttribute('data-backend', 'webgpu', {
    timeout: 60_000,
  });
  const panel = page.getByTestId('benchmark-panel');
  // Open and scrolled to, without a click.
  await expect(panel.getByRole('button', { name: 'Run benchmark' })).toBeInViewport();
  await expect(panel.getByLabel('ResNet-18-style (32×32)')).toBeChecked();
  await expect(panel.getByLabel('ResNet-50-style (64×64)')).not.toBeChecked();
  await expect(panel.getByLabel('32', { exact: true })).toBeChecked();
  await expect(panel.getByLabel('128', { exact: true })).not.toBeChecked();
  await expect(panel.getByLabel('Other batch size')).toHaveValue('4');
  await expect(panel.getByLabel('Warm-up steps')).toHaveValue('0');
  await expect(panel.getByLabel('Timed steps')).toHaveValue('3');
  await expect(panel.getByLabel('Leak check after step')).toHaveValue('');
  // 1 + warm-up 0 + 2 × 3 timed steps.
  await expect(panel.getByLabel('Leak check after step')).toHaveAttribute('placeholder', '7');
  await expect(panel.getByLabel('Engine FP16 rows')).not.toBeChecked();
  await expect(panel.getByLabel('Convolution kernels')).toHaveValue('tiled');
  // The malformed width falls back to the default, and the panel says so.
  await expect(panel.getByLabel('Width multiplier (both networks)')).toHaveValue('0.25');
  const notice = panel.getByTestId('benchmark-ignored-notice');
  await expect(notice).toContainText('Ignored 1 benchmark link parameter');
  await expect(notice).toContainText('bench_width = 9: must be from 0.0625 to 4');
  // The experiment codec leaves the benchmark's keys alone.
  await expect(page.getByTestId('ignored-notice')).toHaveCount(0);
  await expect(page.getByLabel('Mixup', { exact: true })).toHaveValue('0.2');

  // Never started by the link: the user presses Run. Checked now, with the backend up (the
  // earliest a run could start), and again at the end, after the edits below have gone through.
  const notStarted = async () => {
    await expect(panel.getByRole('button', { name: 'Run benchmark' })).toBeEnabled();
    await expect(panel.getByTestId('benchmark-progress')).toHaveCount(0);
    await expect(panel.getByTestId('benchmark-results')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();
  };
  await notStarted();

  // A change is written back (without the bad key); the experiment's keys stay.
  await panel.getByLabel('Timed steps').fill('5');
  await expect.poll(() => queryOf(page).get('bench_steps')).toBe('5');
  expect(queryOf(page).get('mixup')).toBe('0.2');
  expect(queryOf(page).has('bench_width')).toBe(false);
  await page.getByLabel('Mixup', { exact: true }).fill('0.3');
  await expect.poll(() => queryOf(page).get('mixup')).toBe('0.3');
  expect(queryOf(page).get('bench_steps')).toBe('5');

  await panel.getByRole('button', { name: 'Copy benchmark link' }).click();
  await expect(panel.getByText('Link copied to the clipboard.')).toBeVisible();
  const link = new URL(await page.evaluate(() => navigator.clipboard.readText()));
  expect(link.search).toBe(
    '?bench=1&bench_models=r18&bench_batches=4%2C32&bench_warmup=0&bench_steps=5&bench_leak=&bench_f16=0&bench_kernels=tiled',
  );
  await notStarted();
  expect(errors).toEqual([]);
});
