import { beforeAll, describe, expect, it } from 'vitest';
import type { AdapterIdentity } from '../../tuning-plan/plan';
import {
  computeRatios,
  type BenchRow,
  type LargestConv,
  type LayerTuning,
  type RooflinePeaks,
} from '../../benchmark-report/report';
import { MIN_DISPATCH_MS } from '../../benchmark-report/dispatch-span';
import type { TuningCacheStore } from '../autotune/tuner';
import { initNodeBackend } from '../backend-node';
import { backendDevice } from '../kernels/dispatch';
import { copyBytes, fmaShape } from './peaks';
import { RESNET18_STYLE, runBenchmarkSuite, type SuiteOptions } from './suite';

const ADAPTER: AdapterIdentity = {
  vendor: 'test',
  architecture: 'suite.test',
  device: '',
  description: 'test adapter',
  software: 'test',
};

/** The smallest run: ResNet-18-style at width 1/16, batch 2, no warm-up, 1 timed step (×2). */
const SMALLEST: SuiteOptions = {
  models: [RESNET18_STYLE],
  batches: [2],
  warmupSteps: 0,
  timedSteps: 1,
  leakStep: 3,
  f16: false,
  adapter: ADAPTER,
};

function memoryCache(): TuningCacheStore & { saves: number; stored: string | undefined } {
  const cache = {
    saves: 0,
    stored: undefined as string | undefined,
    load: () => Promise.resolve(cache.stored),
    save: (json: string) => {
      cache.saves++;
      cache.stored = json;
      return Promise.resolve();
    },
  };
  return cache;
}

beforeAll(async () => {
  await initNodeBackend();
});

describe('runBenchmarkSuite', () => {
  it('measures the peak, the per-layer kernels and the largest convolution before any row, so a stop keeps them', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    let peak: RooflinePeaks | null = null;
    let conv: LargestConv | null = null;
    let tuning: LayerTuning | null = null;
    const rows: BenchRow[] = [];
    const run = runBenchmarkSuite(
      {
        ...SMALLEST,
        signal: controller.signal,
        onPeaks: (peaks) => {
          events.push('peak');
          peak = peaks;
        },
        onLayers: (t) => {
          events.push('layers');
          tuning = t;
        },
        onLargestConv: (c) => {
          events.push('conv');
          conv = c;
          // Stop as the user would, before the first row's first step.
          controller.abort(new Error('stopped'));
        },
        onRow: (row) => rows.push(row),
      },
      'test adapter',
    );
    await expect(run).rejects.toThrow('stopped');
    expect(events).toEqual(['peak', 'layers', 'conv']);
    expect(peak!.fmaDispatchMs).toBeGreaterThanOrEqual(MIN_DISPATCH_MS);
    expect(peak!.copyDispatchMs).toBeGreaterThanOrEqual(MIN_DISPATCH_MS);
    // Each peak is the work of one sized dispatch ÷ its time, the work doubling from the smallest
    // dispatch: the figure × the time is that work × a power of two.
    // Rounded: the figure × the time gives the work back only to float precision (−1.6e-16 seen).
    const doublings = (work: number, smallest: number) => {
      const d = Math.log2(work / smallest);
      expect(d).toBeCloseTo(Math.round(d), 6);
      return Math.round(d);
    };
    const flops = peak!.gflops * 1e9 * (peak!.fmaDispatchMs / 1000);
    const fmaDoublings = doublings(flops, fmaShape(1).flops);
    expect(fmaDoublings).toBeGreaterThanOrEqual(0);
    // One pass reads and writes the whole buffer once: 128 MiB within the test device's limits.
    const limits = backendDevice().limits;
    const vec4s =
      Math.min(128 * 2 ** 20, limits.maxStorageBufferBindingSize, limits.maxBufferSize) / 16;
    const bytes = peak!.gbps * 1e9 * (peak!.copyDispatchMs / 1000);
    const copyDoublings = doublings(bytes, copyBytes(Math.floor(vec4s), 1));
    expect(copyDoublings).toBeGreaterThanOrEqual(0);
    expect(conv!.gflops).toBeGreaterThan(0);
    expect(conv!.shape).toContain('batch 2');
    // Without a cache and under 'auto', the largest convolution runs its tuned kernel.
    const forward = tuning!.layers.find(
      (l) => l.op === 'forward' && l.shape.startsWith('3×3/1 p1, 4→4 @32×32'),
    );
    expect(conv!.kernel).toBe(forward!.chosen);
    expect(tuning!.ms).toBeGreaterThan(0);
    expect(rows).toEqual([]);
  });

  it('tunes every op with every candidate, saves the choices, and the engine row’s first step reads them', async () => {
    const cache = memoryCache();
    let live: LayerTuning | null = null;
    const result = await runBenchmarkSuite(
      // Every candidate timed to the end: the roofline check below needs two of them.
      { ...SMALLEST, tuningCache: cache, onLayers: (t) => (live = t), timeEveryCandidate: true },
      'test adapter',
    );
    const { report } = result;
    expect(result.layersOf).toEqual({ model: 'resnet18-style', batch: 2 });
    expect(report.kernels).toBe('auto');
    expect(report.tuningMs).toBe(live!.ms);
    expect(report.layers!.length).toBeGreaterThan(0);
    // Three ops per distinct shape; each lists the direct kernel, the tile shapes and tfjs.
    expect(new Set(report.layers!.map((l) => l.op))).toEqual(
      new Set(['forward', 'inputGrad', 'filterGrad']),
    );
    for (const layer of report.layers!) {
      const ids = layer.candidates.map((c) => c.id);
      expect(ids).toContain('direct');
      expect(ids).toContain('tfjs');
      expect(ids.some((id) => id.startsWith('tiled-'))).toBe(true);
      // 'auto' chooses the fastest of those timed to the end.
      const timed = layer.candidates.filter((c) => c.ms !== null);
      const fastest = timed.reduce((a, b) => (b.ms! < a.ms! ? b : a));
      expect(layer.chosen).toBe(fastest.id);
      expect(fastest.gflops).toBeGreaterThan(0);
    }
    expect(cache.saves).toBe(1);
    // The roofline figures of kernels with a known count, on the forward of 3×3/1 p1, 4→4
    // @32×32, batch 2. Flops: 2 · (2·32·32 outputs · 4 channels · 9 taps · 4 inputs). Bytes, by
    // hand from each kernel's loops, with 94 (output row, kernel row) pairs inside the image per
    // image (and as many along w):
    // - direct: the 4 blocks of 8 pixels load 9, 10, 10 and 9 of their 10-pixel input windows and
    //   3 × 4 weight vec4s per pair: (2·94·38 + 2·94·4·12) vec4 read, 2·32·32 vec4 written;
    // - tiled-128x16: the 2·94·94 real taps × 4 channels of x once (one column of tiles), the 144
    //   weights once per each of the 16 rows of tiles, 2048 × 4 outputs written; 4 B each.
    const forward = report.layers!.find(
      (l) => l.op === 'forward' && l.shape === '3×3/1 p1, 4→4 @32×32, batch 2',
    )!;
    const bytes: Record<string, number> = {
      direct: (7144 + 9024) * 16 + 32_768,
      'tiled-128x16': (70_688 + 144 * 16) * 4 + 2048 * 16,
    };
    const known = forward.candidates.filter((c) => c.id in bytes);
    expect(known.map((c) => c.id).sort()).toEqual(['direct', 'tiled-128x16']);
    for (const c of known) {
      const seconds = c.ms! / 1000;
      expect(c.gflops).toBeCloseTo(589_824 / seconds / 1e9, 9);
      expect(c.gbps).toBeCloseTo(bytes[c.id]! / seconds / 1e9, 9);
    }
    expect(forward.candidates.find((c) => c.id === 'tfjs')!.gbps).toBeNull();

    const [layers, engine] = report.rows;
    expect(layers).toMatchObject({ name: 'tf.layers', kernels: 'tfjs', firstStepTuning: 'none' });
    // trainOnBatch reads back every step: one figure for both.
    expect(layers!.imgPerSecSync).toBe(layers!.imgPerSec);
    expect(engine).toMatchObject({
      name: 'engine f32',
      kernels: 'auto',
      firstStepTuning: 'cached',
    });
    expect(engine!.imgPerSec).toBeGreaterThan(0);
    expect(engine!.imgPerSecSync).toBeGreaterThan(0);
    expect(engine!.firstStepTuningMs).toBeLessThan(engine!.firstStepMs);
    // Nothing new to save: the row found every shape in the cache.
    expect(cache.saves).toBe(1);
    // One more step with every dispatch timed: the step's dispatches (and its readback's few),
    // each kernel by its label, our fused kernels among them.
    const profile = engine!.stepProfile!;
    console.log(
      `step profile: ${profile.dispatches} dispatches (step counted ${engine!.dispatchesPerStep}), ` +
        `${profile.gpuMs.toFixed(2)} ms GPU of a ${profile.stepMs.toFixed(2)} ms step`,
    );
    expect(profile.dispatches).toBeGreaterThanOrEqual(engine!.dispatchesPerStep);
    expect(profile.dispatches).toBeLessThanOrEqual(engine!.dispatchesPerStep + 4);
    expect(profile.gpuMs).toBeGreaterThan(0);
    expect(profile.kernels.map((k) => k.kernel)).toEqual(
      expect.arrayContaining(['bn-stats', 'fused-nag-in-place-x2']),
    );
    expect(layers!.stepProfile).toBeNull();
    // No tensor or GPU byte left behind by the batched readback.
    for (const row of report.rows) {
      expect(row.tensorsAtLeakStep).toBe(row.tensorsAt1);
      expect(row.gpuBytesAtLeakStep).toBe(row.gpuBytesAt1);
    }
  });

  it('under a forced family, lists that family as chosen and tunes nothing in the first step', async () => {
    const result = await runBenchmarkSuite({ ...SMALLEST, kernels: 'direct' }, 'test adapter');
    const { report } = result;
    expect(report.kernels).toBe('direct');
    // Every layer of width 1/16 has channels in multiples of 4 (the stem padded): direct applies.
    expect(new Set(report.layers!.map((l) => l.chosen))).toEqual(new Set(['direct']));
    expect(result.largestConv.kernel).toBe('direct');
    expect(report.rows[1]).toMatchObject({
      name: 'engine f32',
      kernels: 'direct',
      firstStepTuning: 'none',
    });
  });

  it('without a tuning cache, the engine row times its candidates inside its first step', async () => {
    const { report } = await runBenchmarkSuite({ ...SMALLEST, tuningCache: null }, 'test adapter');
    const engine = report.rows[1]!;
    expect(engine.firstStepTuning).toBe('tuned');
    expect(engine.firstStepTuningMs).toBeGreaterThan(0);
    expect(engine.firstStepTuningMs).toBeLessThan(engine.firstStepMs);
  });

  it('runs the FP16 rows, named by arithmetic, each with the peak GPU memory of a step', async () => {
    // Batch 16: enough activations for FP16's packed storage to show in the peak.
    const { report } = await runBenchmarkSuite(
      { ...SMALLEST, batches: [16], f16: true, kernels: 'direct' },
      'test adapter',
    );
    // lavapipe has shader-f16: f16 arithmetic, then f16 storage with f32 arithmetic.
    expect(report.rows.map((r) => r.name)).toEqual([
      'tf.layers',
      'engine f32',
      'engine f16-storage/f16',
      'engine f16-storage/f32',
    ]);
    const peak = (name: string) => report.rows.find((r) => r.name === name)!.peakGpuBytes;
    console.log(
      `peak GPU bytes of a step, batch 16: ${report.rows.map((r) => `${r.name} ${r.peakGpuBytes}`).join(', ')}`,
    );
    for (const row of report.rows) {
      expect(row.imgPerSec).toBeGreaterThan(0);
      // At any moment of a step at least what is live after it: weights, momentum, the batch.
      expect(row.peakGpuBytes).toBeGreaterThanOrEqual(row.gpuBytesAt1);
      expect(row.tensorsAtLeakStep).toBe(row.tensorsAt1);
      expect(row.dispatchesPerStep).toBeGreaterThan(0);
    }
    // The FP16 rows ran dynamic loss scaling: 3 steps from 2^16, scale s halves at each of k
    // skipped steps and cannot have grown (growth needs 200 clean steps), so s · 2^k = 2^16.
    for (const name of ['engine f16-storage/f16', 'engine f16-storage/f32']) {
      const row = report.rows.find((r) => r.name === name)!;
      expect(row.skippedSteps).toBeGreaterThanOrEqual(0);
      expect(row.lossScale! * 2 ** row.skippedSteps!).toBe(2 ** 16);
    }
    for (const name of ['tf.layers', 'engine f32']) {
      expect(report.rows.find((r) => r.name === name)).toMatchObject({
        lossScale: null,
        skippedSteps: null,
      });
    }
    expect(peak('engine f16-storage/f16')).toBeLessThan(peak('engine f32'));
    expect(peak('engine f16-storage/f32')).toBeLessThan(peak('engine f32'));
    const ratios = computeRatios(report.rows, null, null, 'resnet18-style', 16);
    expect(ratios.fp16PeakVsF32).toBe(peak('engine f16-storage/f16') / peak('engine f32'));
  });

  it('with fewer timed steps than the readback interval, the timed window waits for the GPU: onSubmittedWorkDone held back 1 s gives at most 16 × 3 images / 1 s', async () => {
    // 3 timed steps < READBACK_STEPS: the batched window reads back once, after its last step,
    // then waits for the queue. Holding that wait back by 1 s puts a lower bound on the window a
    // clock that stopped at the last submit would not see (on lavapipe 3 such steps take ~0.1 s).
    // Timings alone cannot tell the two apart: pipelined steps without per-step readbacks run up
    // to about 2× the sync figure here, as fast as a window that stopped early read before.
    const HOLD_MS = 1000;
    const queue = backendDevice().queue;
    const original = queue.onSubmittedWorkDone.bind(queue);
    queue.onSubmittedWorkDone = async () => {
      await original();
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    };
    try {
      const { report } = await runBenchmarkSuite(
        { ...SMALLEST, batches: [16], timedSteps: 3, leakStep: 7, kernels: 'direct' },
        'test adapter',
      );
      const engine = report.rows.find((r) => r.name === 'engine f32')!;
      console.log(
        `engine f32, 3 timed steps, queue held 1 s: ${engine.imgPerSec.toFixed(1)} img/s`,
      );
      expect(engine.imgPerSec).toBeLessThanOrEqual((16 * 3 * 1000) / HOLD_MS);
    } finally {
      queue.onSubmittedWorkDone = original;
    }
  });
});
