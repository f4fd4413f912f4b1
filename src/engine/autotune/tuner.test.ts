import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildResNetSpec } from '../../architecture';
import {
  CONV_FAMILIES,
  MAX_RUNS_PER_SAMPLE,
  MIN_SAMPLE_MS,
  type KernelSetting,
} from '../../tuning-plan/plan';
import { NO_FAILPOINTS, parseFailpoints } from '../../config/failpoints';
import { createRng, NAG_MOMENTUM } from '../../tricks';
import { initNodeBackend, recreateNodeBackend } from '../backend-node';
import { f16Ops, f32Ops, type HeavyOps } from '../heavy-ops';
import { convKernelById } from '../kernels/conv-registry';
import { gpuTimeMs } from '../kernels/dispatch';
import { setFailpoints } from '../faults/failpoints';
import { softCrossEntropy } from '../loss';
import { createResNetModel } from '../model';
import { createNagOptimizer } from '../optimizer';
import { compileTrainingShaders } from '../precompile';
import { tuneConvolutions, type TuningCacheStore } from './tuner';
import { memoryTuningCache, TEST_ADAPTER, tinyResNetOptions } from '../test-utils';

beforeAll(async () => {
  const info = await initNodeBackend();
  // lavapipe writes timestamps: the GPU-timer path is the one under test.
  expect(info.timestampQuery).toBe(true);
});

// Small enough to tune in seconds on lavapipe; the RGB stem (padded to 4), 3×3/1, 3×3/2, 1×1/2.
const OPTIONS = tinyResNetOptions({ input: 16 });
const SPEC = buildResNetSpec(OPTIONS);
const BATCH = 4;

const tune = (ops: HeavyOps, cache: TuningCacheStore | null) =>
  tuneConvolutions({
    spec: SPEC,
    input: OPTIONS.input,
    batch: BATCH,
    ops,
    adapter: TEST_ADAPTER,
    cache,
  });

describe('the convolution autotuner on a real device', () => {
  it('times every candidate (GFLOP/s = 2 · multiply-adds ÷ its ms), installs the fastest, and a second run reads the cache', async () => {
    const cache = memoryTuningCache();
    const ops = f32Ops('auto');
    const first = await tune(ops, cache);
    expect(first.timer).toBe('gpu timestamps');
    expect(first.notices).toEqual([]);
    // resnet10: 4 distinct shapes (stem, 3×3/1, 3×3/2, 1×1/2 across stages) × 3 ops at least.
    expect(first.convs.length).toBeGreaterThanOrEqual(12);
    for (const conv of first.convs) {
      expect(conv.cached).toBe(false);
      const families = new Set(conv.candidates.map((c) => c.family));
      expect(families).toEqual(new Set(CONV_FAMILIES));
      const timed = conv.candidates.filter((c) => Number.isFinite(c.ms));
      expect(timed.length).toBeGreaterThan(0);
      // Multiply-adds of the shape: every output element sums kernel² · input-channel products.
      const g = conv.geometry;
      const outputs = g.batch * g.outHeight * g.outWidth * g.outChannels;
      const macs = outputs * g.kernelHeight * g.kernelWidth * g.inChannels;
      for (const c of timed) {
        expect(c.ms).toBeGreaterThan(0);
        const gflops = (2 * macs) / (c.ms / 1000) / 1e9;
        expect(Math.abs(c.gflops - gflops), `${conv.shape} ${c.id}`).toBeLessThanOrEqual(
          1e-9 * gflops,
        );
      }
      const best = Math.min(...timed.map((c) => c.ms));
      expect(conv.candidates.find((c) => c.id === conv.chosen)?.ms).toBe(best);
      expect(ops.kernels!.tuned.get(conv.key)).toBe(conv.chosen);
    }
    expect(cache.saved).toBeDefined();

    const again = f32Ops('auto');
    const second = await tune(again, cache);
    expect(second.timer).toBe('none');
    expect(second.convs.every((c) => c.cached)).toBe(true);
    expect(second.convs.map((c) => c.chosen)).toEqual(first.convs.map((c) => c.chosen));
    expect([...again.kernels!.tuned]).toEqual([...ops.kernels!.tuned]);
  });

  it('a corrupt cache is ignored with a notice and replaced', async () => {
    const cache = memoryTuningCache('{"version": 2, "adapters": {"x": 5}}');
    const result = await tune(f32Ops('auto'), cache);
    expect(result.notices).toEqual([expect.stringMatching(/corrupt/)]);
    expect(result.convs.every((c) => !c.cached)).toBe(true);
    expect(JSON.parse(cache.saved!)).toHaveProperty('adapters');
  });

  it('an unreadable cache is a notice too', async () => {
    const broken: TuningCacheStore = {
      load: () => Promise.reject(new Error('quota')),
      save: () => Promise.reject(new Error('quota')),
    };
    const result = await tune(f32Ops('auto'), broken);
    expect(result.notices).toEqual([
      expect.stringMatching(/could not be read \(Error: quota\)|could not be read \(quota\)/),
      expect.stringMatching(/could not be saved/),
    ]);
    expect(result.convs.length).toBeGreaterThan(0);
  });

  it.each(['direct', 'tiled', 'tfjs'] as const)(
    'a forced family (%s) times nothing and runs that family wherever it applies',
    async (family) => {
      const result = await tune(f32Ops(family), memoryTuningCache());
      expect(result.timer).toBe('none');
      for (const conv of result.convs) expect(convKernelById(conv.chosen)?.family).toBe(family);
    },
  );

  it('FP16 never picks stock tfjs, which has no f16', async () => {
    const result = await tune(f16Ops('emulated'), null);
    for (const conv of result.convs) {
      expect(conv.candidates.some((c) => c.family === 'tfjs')).toBe(false);
      expect(convKernelById(conv.chosen)?.family).not.toBe('tfjs');
    }
  });

  it('GPU timestamps time a queued convolution, within the wall-clock time around them', async () => {
    const x = tf.randomNormal([4, 16, 16, 8]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 8, 8]) as tf.Tensor4D;
    // Uploads end the compute pass (tfjs copies through a staging buffer): upload first.
    await Promise.all([x.data(), w.data()]);
    const outputs = [f32Ops('direct').conv2d(x, w, 1, 1)];
    await outputs[0]!.data();
    const start = performance.now();
    const ms = await gpuTimeMs(() => outputs.push(f32Ops('direct').conv2d(x, w, 1, 1)));
    const wall = performance.now() - start;
    // The pass ran between the call and the timestamps' readback: never longer than that.
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(wall);
    tf.dispose([x, w, ...outputs]);
  });

  it('each timed sample spans the timer minimum (GPU timestamps: 1 ms), or the most runs allowed', async () => {
    const result = await tune(f32Ops('auto'), null);
    expect(result.timer).toBe('gpu timestamps');
    for (const conv of result.convs) {
      for (const c of conv.candidates.filter((c) => Number.isFinite(c.ms))) {
        expect(c.runs).toBeGreaterThanOrEqual(1);
        if (c.runs! < MAX_RUNS_PER_SAMPLE)
          expect(c.ms * c.runs!).toBeGreaterThanOrEqual(MIN_SAMPLE_MS.gpu);
      }
    }
  });
});

describe('kernels checked on this GPU before the tuner may choose them', () => {
  afterEach(() => setFailpoints(NO_FAILPOINTS));

  it('a kernel with wrong outputs (failpoint wrong:tiled-64x64) is excluded everywhere, said, and remembered', async () => {
    setFailpoints(parseFailpoints('wrong:tiled-64x64').failpoints);
    const cache = memoryTuningCache();
    const first = await tune(f32Ops('auto'), cache);
    for (const conv of first.convs) {
      const wrong = conv.candidates.filter((c) => c.verdict !== undefined);
      expect(wrong.map((c) => [c.id, c.verdict])).toEqual([['tiled-64x64', 'wrong']]);
      expect(wrong[0]!.ms).toBeNaN();
      expect(conv.chosen).not.toBe('tiled-64x64');
    }
    expect(first.notices).toEqual([
      expect.stringMatching(
        /^tiled-64x64 gives wrong results on this GPU \(\w+ .*, and \d+ more: \d+ of \d+ sampled outputs off the CPU reference\); not used there\.$/,
      ),
    ]);
    // The next run on this adapter reads the verdict from the cache and says so again.
    setFailpoints(NO_FAILPOINTS);
    const second = await tune(f32Ops('auto'), cache);
    expect(second.timer).toBe('none');
    expect(second.notices).toEqual([
      expect.stringMatching(/^tiled-64x64 gives wrong results.*kept in the tuning cache\)\.$/),
    ]);
    expect(second.convs.every((c) => c.chosen !== 'tiled-64x64')).toBe(true);
  });

  it('a kernel that does not compile (failpoint compile:tiled-64x64) is dropped alone; the others are still checked and timed', async () => {
    // tiled-64x64 shares its split-K sum shader with the other tile shapes: they still compile.
    setFailpoints(parseFailpoints('compile:tiled-64x64').failpoints);
    const ops = f32Ops('auto');
    const result = await tune(ops, null);
    expect(result.notices).toEqual([
      expect.stringMatching(/^tiled-64x64 does not compile on this GPU \(/),
    ]);
    for (const conv of result.convs) {
      const excluded = conv.candidates.filter((c) => c.verdict !== undefined);
      expect(excluded.map((c) => [c.id, c.verdict])).toEqual([['tiled-64x64', 'compile']]);
      expect(conv.chosen).not.toBe('tiled-64x64');
      expect(conv.candidates.some((c) => c.verdict === undefined && Number.isFinite(c.ms))).toBe(
        true,
      );
    }
  });
});

/** Losses of `steps` NAG steps on one fixed batch, with the kernels of `setting`. */
async function lossesWith(setting: KernelSetting, steps: number): Promise<number[]> {
  const ops = f32Ops(setting);
  if (setting === 'auto') await tune(ops, null);
  await compileTrainingShaders(SPEC, ops, OPTIONS.input, BATCH);
  const model = createResNetModel(SPEC, OPTIONS.input, createRng(5), ops);
  const optimizer = createNagOptimizer(model.parameters, 1e-4, true, NAG_MOMENTUM);
  const x = tf.randomNormal([BATCH, OPTIONS.input, OPTIONS.input, 3], 0, 1, 'float32', 6);
  const targets = tf.cast(
    tf.oneHot(tf.tensor1d([1, 2, 3, 4], 'int32'), 10),
    'float32',
  ) as tf.Tensor2D;
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => softCrossEntropy(targets, model.forward(x as tf.Tensor4D, true).logits),
        model.parameters.map((p) => p.variable),
      );
      optimizer.applyGradients(grads, 0.05);
      return value;
    });
    losses.push((await loss.data())[0]!);
    loss.dispose();
  }
  tf.dispose([x, targets]);
  optimizer.dispose();
  model.dispose();
  return losses;
}

describe('training with each kernel family', () => {
  it('gives the same losses, step by step, within f32 summation tolerance', async () => {
    const reference = await lossesWith('tfjs', 4);
    // Learning must really happen, or equal losses would prove little.
    expect(reference[3]!).toBeLessThan(reference[0]!);
    for (const setting of ['direct', 'tiled', 'auto'] as const) {
      const losses = await lossesWith(setting, 4);
      for (let s = 0; s < losses.length; s++) {
        expect(Math.abs(losses[s]! - reference[s]!)).toBeLessThanOrEqual(1e-3 * reference[s]!);
      }
    }
  });
});

describe('without timestamp-query (as Firefox)', () => {
  afterAll(async () => {
    await recreateNodeBackend();
  });

  it('times by the clock, by the same rules: each sample spans 5 ms, or the most runs allowed', async () => {
    const info = await recreateNodeBackend({ withhold: ['timestamp-query'] });
    expect(info.timestampQuery).toBe(false);
    const result = await tune(f32Ops('auto'), null);
    expect(result.timer).toBe('wall clock');
    for (const conv of result.convs) {
      expect(Number.isFinite(conv.candidates.find((c) => c.id === conv.chosen)?.ms)).toBe(true);
      for (const c of conv.candidates.filter((c) => Number.isFinite(c.ms))) {
        if (c.runs! < MAX_RUNS_PER_SAMPLE) {
          expect(c.ms * c.runs!).toBeGreaterThanOrEqual(MIN_SAMPLE_MS.wall);
        }
      }
    }
  });
});
