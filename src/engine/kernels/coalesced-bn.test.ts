import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { installPackedGradientAccumulation } from '../packed/accumulate';
import { batchNormTrainPacked } from '../packed/batch-norm';
import { roundedF16 } from '../packed/f16-reference';
import { fromPacked, packChannels, unpackChannels } from '../packed/pack';
import { expectWithin, U16 } from '../packed/testing';
import { bnGeometry } from './bn-geometry';
import { bnReference } from './bn-reference';
import { deviceHasSubgroups } from './dispatch';
import { fusedBatchNormTrain, trainingBnKernels, type BnKernels } from './fused-bn';
import { subgroupShuffleWidthOfDevice } from './subgroup-layout';
import { randomValues } from './reference';

/**
 * The coalesced BN kernels (and the per-channel baseline) against a float64 reference: odd row
 * counts, one row block and many, a column block wider than the channels and several blocks, a
 * mean far larger than the spread (plain Σx² in f32 loses the variance) and a first row far from
 * the mean (sums about the first value lose it).
 */

const EPS = 1e-5;

/**
 * Dawn on lavapipe has 'subgroups' (aligned, 8 wide: the shuffles engage for column blocks of at
 * most 4, the 1- and 3-column cases below); wgpu (Deno, as Firefox) does not: there the subgroup
 * kernels cannot run, and a test says so.
 */
const SUBGROUPS = !('Deno' in globalThis);
const KERNELS: BnKernels[] = [
  'coalesced',
  ...(SUBGROUPS ? (['coalesced-subgroups'] as const) : []),
  'per-channel',
];

describe('subgroups', () => {
  if (SUBGROUPS) {
    it("Dawn: the device has 'subgroups', the probe finds them aligned and 8 wide, and training shuffles", () => {
      expect(deviceHasSubgroups()).toBe(true);
      expect(subgroupShuffleWidthOfDevice()).toBe(8);
      expect(trainingBnKernels()).toBe('coalesced-subgroups');
    });
  } else {
    it("coalesced-subgroups NOT RUN: wgpu has no 'subgroups'; training runs the kernels without", () => {
      expect(deviceHasSubgroups()).toBe(false);
      expect(subgroupShuffleWidthOfDevice()).toBeNull();
      expect(trainingBnKernels()).toBe('coalesced');
    });
  }
});

describe('BN tiling', () => {
  it.each([
    [1, 1],
    [7, 3],
    [5000, 1],
    [969, 16],
    [131072, 16],
    [333, 70],
    [2048, 128],
    [524288, 8],
  ])('%i rows × %i columns: covers every row, few partials', (rows, cols) => {
    const g = bnGeometry(rows, cols);
    expect(g.width * g.lanes).toBe(256);
    expect(g.width).toBeGreaterThanOrEqual(Math.min(cols, 64));
    expect(g.colBlocks * g.width).toBeGreaterThanOrEqual(cols);
    expect(g.partialBlocks * g.blockRows).toBeGreaterThanOrEqual(rows);
    expect((g.partialBlocks - 1) * g.blockRows).toBeLessThan(rows);
    expect(g.partialBlocks).toBeLessThanOrEqual(8 * g.lanes);
    expect(g.applyBlocks * g.applyRows).toBeGreaterThanOrEqual(rows);
    expect((g.applyBlocks - 1) * g.applyRows).toBeLessThan(rows);
  });
});

interface Case {
  shape: [number, number, number, number];
  /** Added to the inputs: a large one tests the variance's numerics. */
  mean: number;
  /** The first row's value: far from the mean, it defeats sums about the first value. */
  firstRow?: number;
}

/** [rows, channels]: rows odd throughout; partial blocks noted for the default geometry. */
const F32_CASES: Case[] = [
  { shape: [1, 7, 1, 1], mean: 0.5 }, // 1 block
  { shape: [1, 5000, 1, 1], mean: 0.5 }, // 2 blocks
  { shape: [3, 5, 5, 3], mean: 0.5 }, // 1 block, column block 4 wide
  { shape: [1, 3001, 1, 3], mean: 0.5 }, // 3 blocks
  { shape: [3, 17, 19, 16], mean: 0.5 }, // 4 blocks, the last short
  { shape: [3, 1, 1, 70], mean: 0.5 }, // 2 column blocks
  { shape: [1, 333, 1, 70], mean: 0.5 }, // 6 blocks × 2 column blocks
  { shape: [1, 2001, 1, 16], mean: 1e4 }, // |mean| ≫ std
  { shape: [1, 20001, 1, 16], mean: 0.5, firstRow: 300 }, // 128 blocks (the most)
];

function inputs(c: Case, seed: number, round: (v: Float32Array) => Float32Array) {
  const size = tf.util.sizeFromShape(c.shape);
  const channels = c.shape[3];
  return {
    x: round(
      randomValues(seed, size).map((v, i) =>
        c.firstRow !== undefined && i < channels ? c.firstRow : 3 * v + c.mean,
      ),
    ),
    gamma: randomValues(seed + 1, channels).map((v) => 1 + 0.5 * v),
    beta: randomValues(seed + 2, channels).map((v) => 0.3 * v),
    dy: round(randomValues(seed + 3, size)),
  };
}

describe('f32 BN kernels against float64', () => {
  for (const kernels of KERNELS) {
    for (const c of F32_CASES) {
      for (const relu of [true, false]) {
        it(`${kernels}, ${c.shape.join('×')}, mean ${c.mean}, relu=${relu}`, async () => {
          const channels = c.shape[3];
          const v = inputs(c, tf.util.sizeFromShape(c.shape) + channels, (a) => a);
          const ref = bnReference(v.x, v.gamma, v.beta, v.dy, channels, relu, EPS);
          const x = tf.tensor4d(v.x, c.shape);
          const g = tf.tensor1d(v.gamma);
          const b = tf.tensor1d(v.beta);
          const r = tf.tensor4d(v.dy, c.shape);
          const before = tf.memory().numTensors;
          const out = fusedBatchNormTrain(x, g, b, EPS, relu, kernels);
          expectWithin('y', await out.y.data(), ref.y, ref.yScale, 1e-5);
          expectWithin('mean', await out.mean.data(), ref.mean, ref.meanScale, 1e-6);
          expectWithin('var', await out.variance.data(), ref.variance, ref.variance, 1e-4);
          tf.dispose([out.y, out.mean, out.variance]);
          const [dx, dg, db] = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
            const o = fusedBatchNormTrain(xx as tf.Tensor4D, gg, bb, EPS, relu, kernels);
            tf.dispose([o.mean, o.variance]);
            return tf.sum(tf.mul(o.y, r));
          })([x, g, b]);
          expectWithin('dx', await dx!.data(), ref.dx, ref.dxScale, 1e-5);
          expectWithin('dγ', await dg!.data(), ref.dGamma, ref.sumsScale, 1e-5);
          expectWithin('dβ', await db!.data(), ref.dBeta, ref.sumsScale, 1e-5);
          tf.dispose([dx!, dg!, db!]);
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose([x, g, b, r]);
        });
      }
    }
  }
});

/** Even channel counts: 1, 3, 8 and 16 words. */
const PACKED_CASES: Case[] = [
  { shape: [1, 7, 1, 2], mean: 0.5 },
  { shape: [1, 5001, 1, 2], mean: 0.5 }, // 2 blocks (width 1)
  { shape: [3, 5, 5, 6], mean: 0.5 },
  { shape: [3, 17, 19, 16], mean: 0.5 }, // 4 blocks
  { shape: [1, 777, 1, 32], mean: 0.5 }, // 7 blocks
  { shape: [1, 2001, 1, 16], mean: 200 }, // |mean| ≫ std
  { shape: [1, 20001, 1, 4], mean: 0.5, firstRow: 300 },
];

describe('packed BN kernels against float64', () => {
  beforeAll(() => installPackedGradientAccumulation());
  for (const kernels of KERNELS) {
    for (const c of PACKED_CASES) {
      for (const relu of [true, false]) {
        it(`${kernels}, ${c.shape.join('×')}, mean ${c.mean}, relu=${relu}`, async () => {
          const channels = c.shape[3];
          const v = inputs(c, tf.util.sizeFromShape(c.shape) + channels + 7, roundedF16);
          const ref = bnReference(v.x, v.gamma, v.beta, v.dy, channels, relu, EPS);
          const xp = packChannels(tf.tensor4d(v.x, c.shape)) as tf.Tensor4D;
          const g = tf.tensor1d(v.gamma);
          const b = tf.tensor1d(v.beta);
          const r = tf.tensor4d(v.dy, c.shape);
          const before = tf.memory().numTensors;
          const out = batchNormTrainPacked(xp, g, b, EPS, relu, kernels);
          const y = unpackChannels(out.y, channels);
          expectWithin('y', await y.data(), ref.y, ref.yScale, 2 * U16);
          expectWithin('mean', await out.mean.data(), ref.mean, ref.meanScale, 1e-6);
          expectWithin('var', await out.variance.data(), ref.variance, ref.variance, 1e-4);
          tf.dispose([out.y, out.mean, out.variance, y]);
          const [dxp, dg, db] = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
            const o = batchNormTrainPacked(xx as tf.Tensor4D, gg, bb, EPS, relu, kernels);
            tf.dispose([o.mean, o.variance]);
            return tf.sum(tf.mul(fromPacked(o.y, channels), r));
          })([xp, g, b]);
          const dx = unpackChannels(dxp!, channels);
          expectWithin('dx', await dx.data(), ref.dx, ref.dxScale, 4 * U16);
          expectWithin('dγ', await dg!.data(), ref.dGamma, ref.sumsScale, 1e-5);
          expectWithin('dβ', await db!.data(), ref.dBeta, ref.sumsScale, 1e-5);
          tf.dispose([dxp!, dg!, db!, dx]);
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose([xp, g, b, r]);
        });
      }
    }
  }
});

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});
