import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../tricks';
import { initNodeBackend } from '../backend-node';
import { F32_OPS, STOCK_F32_OPS } from '../heavy-ops';
import { convGeometry } from './conv-geometry';
import {
  conv2dDirect,
  conv2dFilterGradDirect,
  conv2dInputGradDirect,
  filterGradSplits,
  type ConvPrecision,
} from './direct-conv';
import {
  allF16,
  conv2dFilterGradReference,
  conv2dInputGradReference,
  conv2dReference,
  f16ErrorRatio,
  f32ErrorRatio,
  randomValues,
  type Reference,
} from './reference';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  // The CI adapter (lavapipe) has shader-f16: the 'f16' variant must really be tested.
  expect(info.shaderF16).toBe(true);
});

// ResNet shapes (3×3 and 1×1, stride 1 and 2), widths that are not multiples of the 4 pixels an
// invocation computes, non-square inputs, 7×7/2 with padding 3, and a long reduction (split rows).
const CASES = [
  { n: 1, h: 5, w: 5, ci: 4, co: 4, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 8, co: 4, k: 3, s: 2, p: 1 },
  { n: 3, h: 8, w: 8, ci: 4, co: 12, k: 1, s: 1, p: 0 },
  { n: 2, h: 9, w: 9, ci: 8, co: 16, k: 1, s: 2, p: 0 },
  { n: 2, h: 15, w: 13, ci: 4, co: 8, k: 7, s: 2, p: 3 },
  { n: 1, h: 6, w: 6, ci: 20, co: 32, k: 3, s: 1, p: 1 },
  { n: 1, h: 7, w: 6, ci: 4, co: 4, k: 3, s: 1, p: 0 },
  { n: 16, h: 16, w: 16, ci: 8, co: 8, k: 3, s: 1, p: 1 },
];

/** f32: summation error only; f16 and emulated: the f16 GEMM kernels' bound, outputs f16 values. */
function errorRatio(precision: ConvPrecision, got: Float32Array, ref: Reference): number {
  return precision === 'f32' ? f32ErrorRatio(got, ref) : f16ErrorRatio(got, ref);
}

const PRECISIONS: ConvPrecision[] = ['f32', 'f16', 'emulated'];
const RUNS = PRECISIONS.flatMap((precision) => CASES.map((c) => ({ ...c, precision })));

describe('direct convolution kernels against float64 references', () => {
  it.each(RUNS)(
    '$precision: forward, input and filter gradients: n$n $h×$w×$ci → $co, $k×$k /$s pad $p',
    async ({ precision, ...c }) => {
      const g = convGeometry([c.n, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.s, c.p);
      const xv = randomValues(1, c.n * c.h * c.w * c.ci);
      const wv = randomValues(2, c.k * c.k * c.ci * c.co);
      const dyv = randomValues(3, c.n * g.outHeight * g.outWidth * c.co);
      const x = tf.tensor4d(xv, [c.n, c.h, c.w, c.ci]);
      const w = tf.tensor4d(wv, [c.k, c.k, c.ci, c.co]);
      const dy = tf.tensor4d(dyv, [c.n, g.outHeight, g.outWidth, c.co]);
      const y = conv2dDirect(x, w, c.s, c.p, precision);
      const dx = conv2dInputGradDirect(dy, w, [c.n, c.h, c.w, c.ci], c.s, c.p, precision);
      const dw = conv2dFilterGradDirect(x, dy, [c.k, c.k, c.ci, c.co], c.s, c.p, precision);
      expect(y.shape).toEqual([c.n, g.outHeight, g.outWidth, c.co]);
      expect(dx.shape).toEqual([c.n, c.h, c.w, c.ci]);
      expect(dw.shape).toEqual([c.k, c.k, c.ci, c.co]);
      const [yv, dxv, dwv] = (await Promise.all([
        y.data(),
        dx.data(),
        dw.data(),
      ])) as Float32Array[];
      expect(errorRatio(precision, yv!, conv2dReference(g, xv, wv))).toBeLessThanOrEqual(1);
      expect(errorRatio(precision, dxv!, conv2dInputGradReference(g, dyv, wv))).toBeLessThanOrEqual(
        1,
      );
      expect(
        errorRatio(precision, dwv!, conv2dFilterGradReference(g, xv, dyv)),
      ).toBeLessThanOrEqual(1);
      if (precision !== 'f32') expect(allF16(yv!) && allF16(dxv!) && allF16(dwv!)).toBe(true);
      tf.dispose([x, w, dy, y, dx, dw]);
    },
  );

  it('the long reduction of the last case is really split', () => {
    const rows = 16 * 16 * 16;
    expect(filterGradSplits(9 * 2 * 2, rows)).toBe(16);
    expect(filterGradSplits(100_000, rows)).toBe(1);
  });

  it('F32_OPS gives the same values and gradients as stock tfjs, 3-channel stem included', async () => {
    const rng = createRng(9);
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 8 * 8 * 3 }, () => rng.uniform(-1, 1)),
      [2, 8, 8, 3],
    );
    const w = tf.variable(
      tf.tensor4d(
        Float32Array.from({ length: 9 * 3 * 8 }, () => rng.uniform(-1, 1)),
        [3, 3, 3, 8],
      ),
    );
    const w2 = tf.variable(
      tf.tensor4d(
        Float32Array.from({ length: 9 * 8 * 8 }, () => rng.uniform(-1, 1)),
        [3, 3, 8, 8],
      ),
    );
    const run = (ops: typeof F32_OPS) =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const h = tf.relu(ops.conv2d(x, w, 1, 1));
          return tf.sum(tf.square(ops.conv2d(h, w2, 2, 1)));
        }, [w, w2]);
        return [value, grads[w.name]!, grads[w2.name]!];
      });
    const ours = await Promise.all(run(F32_OPS).map((t) => t.data()));
    const stock = await Promise.all(run(STOCK_F32_OPS).map((t) => t.data()));
    for (let i = 0; i < 3; i++) {
      const scale = Math.max(...Array.from(stock[i]!, Math.abs));
      for (let j = 0; j < stock[i]!.length; j++) {
        expect(Math.abs(ours[i]![j]! - stock[i]![j]!)).toBeLessThanOrEqual(1e-4 * scale);
      }
    }
    tf.dispose([x, w, w2]);
  });

  it.each(['f16', 'emulated'] as const)(
    '%s: a value beyond the f16 range becomes ±Inf, not a clamped or undefined number',
    async (precision) => {
      // One 1×1 conv: 300 · 300 = 90000 > 65504.
      const x = tf.tensor4d([300, 0, 0, 0, -300, 0, 0, 0], [1, 1, 2, 4]);
      const w = tf.tensor4d([300, 0, 0, 0, ...new Array<number>(12).fill(0)], [1, 1, 4, 4]);
      const y = conv2dDirect(x, w, 1, 0, precision);
      expect(Array.from(await y.data())).toEqual([Infinity, 0, 0, 0, -Infinity, 0, 0, 0]);
      tf.dispose([x, w, y]);
    },
  );
});
