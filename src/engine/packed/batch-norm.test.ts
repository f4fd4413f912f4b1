import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countDispatches } from '../benchmark/dispatch-counter';
import { gradientDispatches } from '../dispatch-phases';
import { initNodeBackend } from '../backend-node';
import { randomValues } from '../kernels/reference';
import { installPackedGradientAccumulation } from './accumulate';
import { batchNormTrainPacked } from './batch-norm';
import { roundedF16 } from './f16-reference';
import { addPacked, residualReluPacked } from './elementwise';
import { fromPacked, packChannels, toPacked, unpackChannels } from './pack';
import { globalAvgPoolPacked } from './pooling';
import { isPacked } from './registry';
import { bump, expectWithin, U16 } from './testing';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  installPackedGradientAccumulation();
});

const EPS = 1e-5;

/** Float64 training BN (+ReLU) forward and backward on row-major [rows, C] data. */
function bnReference(
  x: Float32Array,
  g: Float32Array,
  b: Float32Array,
  dy: Float32Array,
  c: number,
  relu: boolean,
) {
  const rows = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) bump(mean, i % c, x[i]! / rows);
  for (let i = 0; i < x.length; i++) bump(variance, i % c, (x[i]! - mean[i % c]!) ** 2 / rows);
  const invstd = Float64Array.from(variance, (v) => 1 / Math.sqrt(v + EPS));
  const y = new Float64Array(x.length);
  const yScale = new Float64Array(x.length);
  const dz = new Float64Array(x.length);
  const xhat = new Float64Array(x.length);
  const dBeta = new Float64Array(c);
  const dGamma = new Float64Array(c);
  const sumsScale = new Float64Array(c);
  for (let i = 0; i < x.length; i++) {
    const ch = i % c;
    xhat[i] = (x[i]! - mean[ch]!) * invstd[ch]!;
    const pre = xhat[i]! * g[ch]! + b[ch]!;
    y[i] = relu ? Math.max(pre, 0) : pre;
    yScale[i] = Math.abs(xhat[i]! * g[ch]!) + Math.abs(b[ch]!);
    dz[i] = relu && !(pre > 0) ? 0 : dy[i]!;
    bump(dBeta, ch, dz[i]!);
    bump(dGamma, ch, dz[i]! * xhat[i]!);
    bump(sumsScale, ch, Math.abs(dz[i]!) * (1 + Math.abs(xhat[i]!)));
  }
  const dx = new Float64Array(x.length);
  const dxScale = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const ch = i % c;
    const k = g[ch]! * invstd[ch]!;
    dx[i] = k * (dz[i]! - dBeta[ch]! / rows - (xhat[i]! * dGamma[ch]!) / rows);
    dxScale[i] =
      Math.abs(k) * (Math.abs(dz[i]!) + (sumsScale[ch]! * (1 + Math.abs(xhat[i]!))) / rows);
  }
  return { mean, variance, y, yScale, dBeta, dGamma, sumsScale, dx, dxScale };
}

describe('packed BatchNorm (+ReLU), against a float64 reference', () => {
  for (const relu of [true, false]) {
    for (const shape of [
      [2, 5, 5, 6],
      [1, 3, 3, 2],
      [3, 1, 1, 10],
      [1, 7, 3, 4],
    ] as [number, number, number, number][]) {
      it(`${shape.join('×')}, relu=${relu}: y, statistics and the three gradients`, async () => {
        const c = shape[3];
        const size = tf.util.sizeFromShape(shape);
        const seed = size + c + (relu ? 1 : 0);
        const xv = roundedF16(randomValues(seed, size).map((v) => 3 * v + 0.5));
        const gv = randomValues(seed + 1, c).map((v) => 1 + 0.5 * v);
        const bv = randomValues(seed + 2, c).map((v) => 0.3 * v);
        const rv = roundedF16(randomValues(seed + 3, size));
        const ref = bnReference(xv, gv, bv, rv, c, relu);
        const xp = packChannels(tf.tensor4d(xv, shape)) as tf.Tensor4D;
        const g = tf.tensor1d(gv);
        const b = tf.tensor1d(bv);
        const r = tf.tensor4d(rv, shape);
        const before = tf.memory().numTensors;

        const out = batchNormTrainPacked(xp, g, b, EPS, relu);
        expect(isPacked(out.y)).toBe(true);
        expect(out.y.shape).toEqual(xp.shape);
        const y = unpackChannels(out.y, c);
        expectWithin('y', await y.data(), ref.y, ref.yScale, 2 * U16);
        expectWithin('mean', await out.mean.data(), ref.mean, ref.mean.map(Math.abs), 1e-5);
        expectWithin('var', await out.variance.data(), ref.variance, ref.variance, 1e-4);
        tf.dispose([out.y, out.mean, out.variance, y]);

        const [dxp, dg, db] = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
          const o = batchNormTrainPacked(xx as tf.Tensor4D, gg, bb, EPS, relu);
          tf.dispose([o.mean, o.variance]);
          return tf.sum(tf.mul(fromPacked(o.y, c), r));
        })([xp, g, b]);
        expect(isPacked(dxp!)).toBe(true);
        const dx = unpackChannels(dxp!, c);
        expectWithin('dx', await dx.data(), ref.dx, ref.dxScale, 4 * U16);
        expectWithin('dγ', await dg!.data(), ref.dGamma, ref.sumsScale, 1e-4);
        expectWithin('dβ', await db!.data(), ref.dBeta, ref.sumsScale, 1e-4);
        tf.dispose([dxp!, dg!, db!, dx]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([xp, g, b, r]);
      });
    }
  }

  it('takes two dispatches forward and two backward', () => {
    const xp = packChannels(tf.randomNormal([2, 4, 4, 8])) as tf.Tensor4D;
    const g = tf.ones([8]);
    const b = tf.zeros([8]);
    const forward = countDispatches()!;
    const out = batchNormTrainPacked(xp, g, b, EPS, true);
    expect(forward.stop()).toBe(2);
    tf.dispose([out.y, out.mean, out.variance]);
    const counted = gradientDispatches(
      (xx, gg, bb) => {
        const o = batchNormTrainPacked(xx as tf.Tensor4D, gg!, bb!, EPS, true);
        tf.dispose([o.mean, o.variance]);
        return tf.sum(o.y);
      },
      [xp, g, b],
    );
    tf.dispose([...counted.grads, xp, g, b]);
    // The loss: BN's forward 2 + the sum 1. The backward: BN's 2 and nothing else (the seed
    // dL/dL = 1 and the sum's gradient, a broadcast of it, are under 1000 elements: tfjs's CPU
    // hand-off computes them on the CPU and uploads them).
    expect(counted.untilLoss).toBe(3);
    expect(counted.backward).toBe(2);
  });

  it('refuses an odd channel count', () => {
    const xp = packChannels(tf.zeros([1, 2, 2, 3])) as tf.Tensor4D;
    expect(() => batchNormTrainPacked(xp, tf.ones([3]), tf.zeros([3]), EPS, true)).toThrow(
      /even channel count/,
    );
    tf.dispose(xp);
  });
});

describe('a packed residual block, end to end', () => {
  it('x → BN+ReLU → relu(· + x) → global pool: all gradients equal the f32 graph', async () => {
    // x feeds both the BN and the residual: the tape accumulates its two packed gradients.
    const shape: [number, number, number, number] = [2, 3, 5, 6];
    const size = tf.util.sizeFromShape(shape);
    const x = tf.tensor4d(roundedF16(randomValues(21, size)), shape);
    const g = tf.tensor1d(randomValues(22, 6).map((v) => 1 + 0.5 * v));
    const b = tf.tensor1d(randomValues(23, 6).map((v) => 0.3 * v));
    const r = tf.tensor2d(randomValues(24, 12), [2, 6]);
    const before = tf.memory().numTensors;
    const packed = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
      const p = toPacked(xx as tf.Tensor4D);
      const o = batchNormTrainPacked(p, gg, bb, EPS, true);
      tf.dispose([o.mean, o.variance]);
      return tf.sum(tf.mul(globalAvgPoolPacked(residualReluPacked(o.y, p), 6), r));
    })([x, g, b]);
    const plain = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      const y = tf.relu(tf.batchNorm(xx as tf.Tensor4D, mean, variance, bb, gg, EPS));
      return tf.sum(tf.mul(tf.mean(tf.relu(tf.add(y, xx)), [1, 2]), r));
    })([x, g, b]);
    for (let i = 0; i < 3; i++) {
      const want = await plain[i]!.data();
      const top = Math.max(...Array.from(want, Math.abs));
      expectWithin(
        `gradient ${i}`,
        await packed[i]!.data(),
        want,
        want.map(() => top),
        8 * U16,
      );
    }
    tf.dispose([...packed, ...plain]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b, r]);
  });
});

describe('packed residual relu(a + b)', () => {
  it.each([
    [2, 5, 5, 6],
    [1, 3, 1, 2],
    [1, 4, 7, 10],
  ])('%i×%i×%i×%i: output and both gradients, no leak', async (...shape) => {
    const size = tf.util.sizeFromShape(shape);
    const c = shape[3]!;
    const av = roundedF16(randomValues(31 + size, size));
    const bv = roundedF16(randomValues(32 + size, size));
    const rv = roundedF16(randomValues(33 + size, size));
    const ap = packChannels(tf.tensor(av, shape));
    const bp = packChannels(tf.tensor(bv, shape));
    const r = tf.tensor(rv, shape);
    const before = tf.memory().numTensors;
    const y = residualReluPacked(ap, bp);
    expect(isPacked(y)).toBe(true);
    const yu = unpackChannels(y, c);
    const want = av.map((v, i) => Math.max(v + bv[i]!, 0));
    expectWithin('y', await yu.data(), want, want, U16);
    const [da, db] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(fromPacked(residualReluPacked(a, b), c), r)),
    )([ap, bp]);
    const dWant = rv.map((v, i) => (av[i]! + bv[i]! > 0 ? v : 0));
    for (const d of [da!, db!]) {
      expect(isPacked(d)).toBe(true);
      const du = unpackChannels(d, c);
      expect(Array.from(await du.data())).toEqual(Array.from(dWant));
      du.dispose();
    }
    tf.dispose([y, yu, da!, db!]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ap, bp, r]);
  });
});

describe('packed residual: dispatches and shapes', () => {
  it('takes one dispatch forward and one backward', () => {
    const a = packChannels(tf.randomNormal([2, 4, 4, 8]));
    const b = packChannels(tf.randomNormal([2, 4, 4, 8]));
    const forward = countDispatches()!;
    tf.dispose(residualReluPacked(a, b));
    expect(forward.stop()).toBe(1);
    const counted = gradientDispatches((x, y) => tf.sum(residualReluPacked(x!, y!)), [a, b]);
    tf.dispose([...counted.grads, a, b]);
    // The loss: forward 1 + the sum 1. The backward: 1 (the second gradient is a clone; the seed
    // and the sum's gradient are under 1000 elements: tfjs's CPU hand-off computes them on the
    // CPU and uploads them).
    expect(counted.untilLoss).toBe(2);
    expect(counted.backward).toBe(1);
  });

  it('refuses tensors of different shapes', () => {
    const a = packChannels(tf.zeros([2, 4]));
    const b = packChannels(tf.zeros([2, 6]));
    expect(() => residualReluPacked(a, b)).toThrow(/shapes differ/);
    expect(() => addPacked(a, b)).toThrow(/shapes differ/);
    tf.dispose([a, b]);
  });
});
