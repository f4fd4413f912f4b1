import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countDispatches } from '../benchmark/dispatch-counter';
import { gradientDispatches } from '../dispatch-phases';
import { initNodeBackend } from '../backend-node';
import { randomValues } from '../kernels/reference';
import { avgPool2x2Ceil } from '../pooling';
import { installPackedGradientAccumulation } from './accumulate';
import { roundedF16 } from './f16-reference';
import { fromPacked, packChannels, unpackChannels } from './pack';
import { avgPool2x2CeilPacked, globalAvgPoolPacked, maxPool3x3s2Packed } from './pooling';
import { isPacked } from './registry';
import { bump, expectWithin, U16 } from './testing';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  installPackedGradientAccumulation();
});

type Shape = [number, number, number, number];
const at = (s: Shape, n: number, h: number, w: number, c: number) =>
  ((n * s[1] + h) * s[2] + w) * s[3] + c;

/** A window pool's float64 forward and gathered backward: windows(oh, ow) lists its taps. */
function poolReference(
  x: Float32Array,
  dy: Float32Array,
  s: Shape,
  out: [number, number],
  windows: (oh: number, ow: number) => [number, number][],
  reduce: 'avg' | 'max',
) {
  const [n, , , c] = s;
  const o: Shape = [n, out[0], out[1], c];
  const y = new Float64Array(n * out[0] * out[1] * c);
  const dx = new Float64Array(x.length);
  const dxScale = new Float64Array(x.length);
  for (let b = 0; b < n; b++)
    for (let oh = 0; oh < out[0]; oh++)
      for (let ow = 0; ow < out[1]; ow++)
        for (let ch = 0; ch < c; ch++) {
          const taps = windows(oh, ow);
          const oi = at(o, b, oh, ow, ch);
          if (reduce === 'avg') {
            for (const [h, w] of taps) {
              bump(y, oi, x[at(s, b, h, w, ch)]! / taps.length);
              bump(dx, at(s, b, h, w, ch), dy[oi]! / taps.length);
              bump(dxScale, at(s, b, h, w, ch), Math.abs(dy[oi]!) / taps.length);
            }
          } else {
            let best = -Infinity;
            let arg = -1;
            for (const [h, w] of taps) {
              const v = x[at(s, b, h, w, ch)]!;
              if (arg < 0 || v > best) [best, arg] = [v, at(s, b, h, w, ch)];
            }
            y[oi] = best;
            bump(dx, arg, dy[oi]!);
            bump(dxScale, arg, Math.abs(dy[oi]!));
          }
        }
  return { y, dx, dxScale };
}

async function check(
  label: string,
  shape: Shape,
  outHW: [number, number],
  windows: (oh: number, ow: number) => [number, number][],
  reduce: 'avg' | 'max',
  op: (p: tf.Tensor4D) => tf.Tensor4D,
  xv: Float32Array,
): Promise<Float32Array> {
  const c = shape[3];
  const outShape: Shape = [shape[0], outHW[0], outHW[1], c];
  const dyv = roundedF16(randomValues(xv.length + 5, tf.util.sizeFromShape(outShape)));
  const ref = poolReference(xv, dyv, shape, outHW, windows, reduce);
  const xp = packChannels(tf.tensor4d(xv, shape)) as tf.Tensor4D;
  const r = tf.tensor4d(dyv, outShape);
  const before = tf.memory().numTensors;
  const y = op(xp);
  expect(isPacked(y)).toBe(true);
  expect(y.shape).toEqual([...outShape.slice(0, 3), c / 2]);
  const yu = unpackChannels(y, c);
  const got = (await yu.data()) as Float32Array;
  expectWithin(`${label} y`, got, ref.y, ref.y.map(Math.abs), U16);
  const [dxp] = tf.grads((xx: tf.Tensor) =>
    tf.sum(tf.mul(fromPacked(op(xx as tf.Tensor4D), c), r)),
  )([xp]);
  expect(isPacked(dxp!)).toBe(true);
  const dx = unpackChannels(dxp!, c);
  expectWithin(`${label} dx`, await dx.data(), ref.dx, ref.dxScale, 2 * U16);
  tf.dispose([y, yu, dxp!, dx]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([xp, r]);
  return got;
}

const SHAPES: Shape[] = [
  [1, 5, 7, 6],
  [2, 4, 4, 2],
  [1, 1, 1, 10],
  [2, 3, 6, 4],
  [1, 9, 8, 2],
];

describe('packed global average pool', () => {
  for (const shape of SHAPES) {
    it(`${shape.join('×')}: mean over H, W (f32 [N, C]) and its packed gradient`, async () => {
      const [n, h, w, c] = shape;
      const xv = roundedF16(randomValues(n * h * w + c, n * h * w * c));
      const rv = randomValues(c + 3, n * c);
      const xp = packChannels(tf.tensor4d(xv, shape)) as tf.Tensor4D;
      const r = tf.tensor2d(rv, [n, c]);
      const before = tf.memory().numTensors;
      const want = new Float64Array(n * c);
      const scale = new Float64Array(n * c);
      for (let i = 0; i < xv.length; i++) {
        const o = Math.floor(i / (h * w * c)) * c + (i % c);
        bump(want, o, xv[i]! / (h * w));
        bump(scale, o, Math.abs(xv[i]!) / (h * w));
      }
      const y = globalAvgPoolPacked(xp, c);
      expect(y.shape).toEqual([n, c]);
      expectWithin('y', await y.data(), want, scale, 1e-6);
      const [dxp] = tf.grads((xx: tf.Tensor) =>
        tf.sum(tf.mul(globalAvgPoolPacked(xx as tf.Tensor4D, c), r)),
      )([xp]);
      expect(isPacked(dxp!)).toBe(true);
      const dx = unpackChannels(dxp!, c);
      const dWant = Float64Array.from(
        xv,
        (_, i) => rv[Math.floor(i / (h * w * c)) * c + (i % c)]! / (h * w),
      );
      expectWithin('dx', await dx.data(), dWant, dWant.map(Math.abs), U16);
      tf.dispose([y, dxp!, dx]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([xp, r]);
    });
  }
});

describe('packed 2×2 average pool, ceil mode, padding not counted', () => {
  for (const shape of SHAPES) {
    it(`${shape.join('×')}: forward equals avgPool2x2Ceil, true gradient at odd edges`, async () => {
      const [, h, w] = shape;
      const xv = roundedF16(
        randomValues(tf.util.sizeFromShape(shape), tf.util.sizeFromShape(shape)),
      );
      const windows = (oh: number, ow: number) => {
        const taps: [number, number][] = [];
        for (let i = 2 * oh; i < Math.min(2 * oh + 2, h); i++)
          for (let j = 2 * ow; j < Math.min(2 * ow + 2, w); j++) taps.push([i, j]);
        return taps;
      };
      const got = await check(
        'avg',
        shape,
        [Math.ceil(h / 2), Math.ceil(w / 2)],
        windows,
        'avg',
        avgPool2x2CeilPacked,
        xv,
      );
      const f32 = avgPool2x2Ceil(tf.tensor4d(xv, shape));
      expectWithin('vs avgPool2x2Ceil', got, await f32.data(), got.map(Math.abs), U16);
      f32.dispose();
    });
  }
});

describe('packed 3×3 max pool, stride 2, padding 1', () => {
  const windowsOf = (h: number, w: number) => (oh: number, ow: number) => {
    const taps: [number, number][] = [];
    for (let i = 2 * oh - 1; i <= 2 * oh + 1; i++)
      for (let j = 2 * ow - 1; j <= 2 * ow + 1; j++)
        if (i >= 0 && i < h && j >= 0 && j < w) taps.push([i, j]);
    return taps;
  };
  const outOf = (h: number, w: number): [number, number] => [
    Math.floor((h - 1) / 2) + 1,
    Math.floor((w - 1) / 2) + 1,
  ];
  for (const shape of [...SHAPES, [1, 2, 2, 2] as Shape, [2, 8, 9, 6] as Shape]) {
    it(`${shape.join('×')}: forward equals tf.maxPool(x, 3, 2, 1), gradient to the max`, async () => {
      const [, h, w] = shape;
      const xv = roundedF16(
        randomValues(tf.util.sizeFromShape(shape) + 1, tf.util.sizeFromShape(shape)),
      );
      const got = await check(
        'max',
        shape,
        outOf(h, w),
        windowsOf(h, w),
        'max',
        maxPool3x3s2Packed,
        xv,
      );
      const stock = tf.maxPool(tf.tensor4d(xv, shape), 3, 2, 1);
      expect(Array.from(got)).toEqual(Array.from(await stock.data()));
      stock.dispose();
    });
  }

  it('ties: the gradient goes to the first maximum in row-major window order', async () => {
    const shape: Shape = [1, 5, 6, 4];
    // Few distinct values: most windows hold their maximum several times.
    const xv = Float32Array.from(randomValues(77, 120), (v) => Math.round(v * 2) / 2);
    const [h, w] = [5, 6];
    await check('max ties', shape, outOf(h, w), windowsOf(h, w), 'max', maxPool3x3s2Packed, xv);
  });
});

describe('packed pools: one dispatch forward and one backward each', () => {
  const ops: [string, (p: tf.Tensor4D) => tf.Tensor][] = [
    ['global average', (p) => globalAvgPoolPacked(p, 6)],
    ['2×2 average', avgPool2x2CeilPacked],
    ['3×3 max', maxPool3x3s2Packed],
  ];
  for (const [name, op] of ops) {
    it(name, () => {
      const xp = packChannels(tf.randomNormal([2, 5, 5, 6])) as tf.Tensor4D;
      const forward = countDispatches()!;
      tf.dispose(op(xp));
      expect(forward.stop()).toBe(1);
      const counted = gradientDispatches((xx) => tf.sum(op(xx as tf.Tensor4D)), [xp]);
      tf.dispose([...counted.grads, xp]);
      // The loss: forward 1 + the sum 1. The backward: 1 (the seed and the sum's gradient are
      // under 1000 elements: tfjs's CPU hand-off computes them on the CPU and uploads them).
      expect(counted.untilLoss).toBe(2);
      expect(counted.backward).toBe(1);
    });
  }

  it('refuses a tensor that is not [N, H, W, C/2]', () => {
    const p = packChannels(tf.zeros([4, 6]));
    expect(() => globalAvgPoolPacked(p as tf.Tensor4D, 6)).toThrow(/\[N, H, W, C\/2\]/);
    const q = packChannels(tf.zeros([1, 2, 2, 6])) as tf.Tensor4D;
    expect(() => globalAvgPoolPacked(q, 4)).toThrow(/3 words/);
    tf.dispose([p, q]);
  });
});
