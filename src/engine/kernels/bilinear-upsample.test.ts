import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../tricks';
import { initNodeBackend } from '../backend-node';
import { countDispatches } from '../benchmark/dispatch-counter';
import { gradientDispatches } from '../dispatch-phases';
import { maxAbsDiff } from '../test-utils';
import { bilinearUpsample } from './bilinear-upsample';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

type Shape = [number, number, number, number];

/** PyTorch's taps along one axis (align_corners=False): [i0, i1, l0, l1] of output dst. */
function axisTaps(dst: number, inSize: number, outSize: number): [number, number, number, number] {
  const src = Math.max((inSize / outSize) * (dst + 0.5) - 0.5, 0);
  const i0 = Math.floor(src);
  const i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
  const l1 = src - i0;
  return [i0, i1, 1 - l1, l1];
}

/** Calls f(outIndex, inIndex, weight) for each of the 4 taps of every output element. */
function forEachTap(
  [n, h, w, c]: Shape,
  H: number,
  W: number,
  f: (o: number, i: number, weight: number) => void,
): void {
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < H; oy++) {
      const [y0, y1, wy0, wy1] = axisTaps(oy, h, H);
      for (let ox = 0; ox < W; ox++) {
        const [x0, x1, wx0, wx1] = axisTaps(ox, w, W);
        const taps: [number, number, number][] = [
          [y0, x0, wy0 * wx0],
          [y0, x1, wy0 * wx1],
          [y1, x0, wy1 * wx0],
          [y1, x1, wy1 * wx1],
        ];
        for (const [iy, ix, weight] of taps)
          for (let ch = 0; ch < c; ch++) {
            f(((b * H + oy) * W + ox) * c + ch, ((b * h + iy) * w + ix) * c + ch, weight);
          }
      }
    }
}

/** y [n, H, W, c] in float64. */
function bilinearUpsampleReference(
  x: ArrayLike<number>,
  shape: Shape,
  H: number,
  W: number,
): Float64Array {
  const y = new Float64Array(shape[0] * H * W * shape[3]);
  forEachTap(shape, H, W, (o, i, weight) => {
    y[o] = y[o]! + weight * x[i]!;
  });
  return y;
}

/** The adjoint: dx [n, h, w, c] from dy [n, H, W, c], in float64. */
function bilinearUpsampleGradReference(
  dy: ArrayLike<number>,
  inShape: Shape,
  H: number,
  W: number,
): Float64Array {
  const dx = new Float64Array(inShape.reduce((a, b) => a * b));
  forEachTap(inShape, H, W, (o, i, weight) => {
    dx[i] = dx[i]! + weight * dy[o]!;
  });
  return dx;
}

function randomTensor(shape: Shape, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b);
  return tf.tensor4d(
    Float32Array.from({ length: size }, () => rng.normal()),
    shape,
  );
}

/**
 * |got − want| per element within 1e-5 of its scale: Σ|weight·value| over its terms (the
 * reference on |values|, the weights being non-negative) plus 1 (the data are ~N(0, 1)), which
 * covers f32 rounding and the f32 scale's shift of the taps.
 */
function expectClose(got: ArrayLike<number>, want: Float64Array, magnitude: Float64Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (magnitude[i]! + 1));
  }
  expect(worst).toBeLessThan(1e-5);
}

const abs = (values: ArrayLike<number>) => Array.from(values, Math.abs);

interface Case {
  name: string;
  shape: Shape;
  height: number;
  width: number;
}

const CASES: Case[] = [
  { name: '2× with 11 channels, batch 2', shape: [2, 4, 4, 11], height: 8, width: 8 },
  { name: 'non-integer ratios (3→7, 5→12)', shape: [1, 3, 5, 3], height: 7, width: 12 },
  { name: 'downsizing (6→3, 6→4)', shape: [1, 6, 6, 5], height: 3, width: 4 },
  { name: '8× with 11 channels', shape: [1, 3, 4, 11], height: 24, width: 32 },
];

/** Value and gradient of sum(upsample(x)·r), read back. */
async function valueAndGradient(
  x: tf.Tensor4D,
  r: tf.Tensor,
  height: number,
  width: number,
): Promise<{ y: Float32Array; dx: Float32Array }> {
  const y = bilinearUpsample(x, height, width);
  const [dx] = tf.grads((xIn: tf.Tensor) =>
    tf.sum(tf.mul(bilinearUpsample(xIn as tf.Tensor4D, height, width), r)),
  )([x]);
  const result = { y: (await y.data()) as Float32Array, dx: (await dx!.data()) as Float32Array };
  tf.dispose([y, dx!]);
  return result;
}

/**
 * Value and gradient of case `c` on random x and readout r (seeds `seed`, `seed` + 1) against the
 * float64 references, on the active backend, with no tensor left behind.
 */
async function checkCase(c: Case, seed: number): Promise<void> {
  const x = randomTensor(c.shape, seed);
  const outShape: Shape = [c.shape[0], c.height, c.width, c.shape[3]];
  const r = randomTensor(outShape, seed + 1);
  const xData = await x.data();
  const rData = await r.data();
  const before = tf.memory().numTensors;
  const { y, dx } = await valueAndGradient(x, r, c.height, c.width);
  expect(tf.memory().numTensors).toBe(before);
  expectClose(
    y,
    bilinearUpsampleReference(xData, c.shape, c.height, c.width),
    bilinearUpsampleReference(abs(xData), c.shape, c.height, c.width),
  );
  expectClose(
    dx,
    bilinearUpsampleGradReference(rData, c.shape, c.height, c.width),
    bilinearUpsampleGradReference(abs(rData), c.shape, c.height, c.width),
  );
  tf.dispose([x, r]);
}

describe('bilinear upsample (half-pixel centres) against the float64 reference', () => {
  it.each(CASES)('$name: $shape → $height×$width, value and gradient, no leak', async (c) => {
    await checkCase(c, 1);
  });

  it('at the input size returns x itself: no dispatch, the gradient passes through', async () => {
    const x = randomTensor([2, 8, 8, 4], 3);
    const r = randomTensor([2, 8, 8, 4], 4);
    const counter = countDispatches()!;
    const y = bilinearUpsample(x, 8, 8);
    expect(counter.stop()).toBe(0);
    expect(y).toBe(x);
    const [dx] = tf.grads((xIn: tf.Tensor) =>
      tf.sum(tf.mul(bilinearUpsample(xIn as tf.Tensor4D, 8, 8), r)),
    )([x]);
    expect(maxAbsDiff(await dx!.data(), await r.data())).toBe(0);
    tf.dispose([x, r, dx!]);
  });

  it('2×2 → 4×4: hand-computed values and gradient', async () => {
    // Per axis, scale 1/2: src = max((dst + 0.5)/2 − 0.5, 0) = 0, 0.25, 0.75, 1.25 → the weights
    // of inputs (0, 1) are (1, 0), (0.75, 0.25), (0.25, 0.75) and (0, 1) (i1 clamped to i0 = 1).
    // Rows of x blended: [1, 2], [1.5, 2.5], [2.5, 3.5], [3, 4]; then each along the columns.
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const y = bilinearUpsample(x, 4, 4);
    expect(y.shape).toEqual([1, 4, 4, 1]);
    expect(Array.from(await y.data())).toEqual([
      ...[1, 1.25, 1.75, 2],
      ...[1.5, 1.75, 2.25, 2.5],
      ...[2.5, 2.75, 3.25, 3.5],
      ...[3, 3.25, 3.75, 4],
    ]);
    // d sum(y) / dx: each input's weights sum to 1 + 0.75 + 0.25 + 0 = 2 per axis, 2·2 = 4.
    const [dx] = tf.grads((xIn: tf.Tensor) => tf.sum(bilinearUpsample(xIn as tf.Tensor4D, 4, 4)))([
      x,
    ]);
    expect(Array.from(await dx!.data())).toEqual([4, 4, 4, 4]);
    tf.dispose([x, y, dx!]);
  });

  it('the gradient is the adjoint: <upsample(x), r> = <x, grad>', async () => {
    const shape: Shape = [2, 5, 3, 11];
    const x = randomTensor(shape, 5);
    const r = randomTensor([2, 17, 10, 11], 6);
    const { y, dx } = await valueAndGradient(x, r, 17, 10);
    const rData = await r.data();
    const xData = await x.data();
    let left = 0;
    let leftScale = 0;
    y.forEach((v, i) => {
      left += v * rData[i]!;
      leftScale += Math.abs(v * rData[i]!);
    });
    let right = 0;
    let rightScale = 0;
    dx.forEach((g, i) => {
      right += xData[i]! * g;
      rightScale += Math.abs(xData[i]! * g);
    });
    // Both are sums of the same products rounded differently in f32: a few ulps of Σ|term|.
    expect(Math.abs(left - right)).toBeLessThan(1e-5 * Math.max(leftScale, rightScale));
    tf.dispose([x, r]);
  });

  it('takes one dispatch forward and one backward', () => {
    const x = randomTensor([1, 4, 4, 3], 7);
    const forward = countDispatches()!;
    tf.dispose(bilinearUpsample(x, 8, 8));
    expect(forward.stop()).toBe(1);
    const counted = gradientDispatches(
      (xIn) => tf.sum(bilinearUpsample(xIn as tf.Tensor4D, 8, 8)),
      [x],
    );
    tf.dispose([...counted.grads, x]);
    // The loss: forward 1 + the sum 1. The backward: 1 (the seed and the sum's gradient, 192
    // elements, are under tfjs's CPU hand-off threshold: computed on the CPU and uploaded).
    expect(counted.untilLoss).toBe(2);
    expect(counted.backward).toBe(1);
  });

  it('on the CPU backend, the tf-ops fallback matches the reference in value and gradient', async () => {
    await tf.setBackend('cpu');
    try {
      for (const c of CASES) {
        await checkCase(c, 8);
      }
    } finally {
      await tf.setBackend('webgpu');
    }
  });

  it('refuses sizes that are not positive integers', () => {
    const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    expect(() => bilinearUpsample(x, 0, 4)).toThrow(/height must be a positive integer/);
    expect(() => bilinearUpsample(x, 4, 2.5)).toThrow(/width must be a positive integer/);
    tf.dispose(x);
  });
});
