import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { convGeometry } from './conv-geometry';
import {
  conv2dF16,
  conv2dFilterGradF16,
  conv2dInputGradF16,
  matMulF16,
  matMulFilterGradF16,
  matMulInputGradF16,
} from './f16-kernels';
import type { Precision } from './gemm-wgsl';
import {
  conv2dFilterGradReference,
  conv2dInputGradReference,
  allF16,
  conv2dReference,
  f16ErrorRatio,
  matMulReference,
  randomValues,
} from './reference';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  // The CI adapter (lavapipe) has shader-f16: the 'f16' variant must really be tested.
  expect(info.shaderF16).toBe(true);
});

interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  p: number;
}

// Batch 1 and more, odd and non-square sizes, stride 1/2, padding, 1×1/3×3/7×7, channels that are
// not multiples of 4, tiles that do not divide the sizes, and a split-K filter gradient (last).
const CONV_CASES: ConvCase[] = [
  { n: 1, h: 5, w: 5, ci: 3, co: 5, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 6, co: 7, k: 3, s: 2, p: 1 },
  { n: 3, h: 8, w: 8, ci: 5, co: 9, k: 1, s: 1, p: 0 },
  { n: 2, h: 9, w: 9, ci: 3, co: 6, k: 1, s: 2, p: 0 },
  { n: 2, h: 15, w: 13, ci: 3, co: 8, k: 7, s: 2, p: 3 },
  { n: 1, h: 6, w: 6, ci: 17, co: 33, k: 3, s: 1, p: 1 },
  { n: 1, h: 7, w: 7, ci: 2, co: 3, k: 3, s: 1, p: 0 },
  { n: 4, h: 16, w: 16, ci: 16, co: 16, k: 3, s: 1, p: 1 },
];

const PRECISIONS: Precision[] = ['f16', 'emulated'];

describe.each(PRECISIONS)('%s kernels against float64 references', (precision) => {
  it.each(CONV_CASES)(
    'conv2d forward, input and filter gradients: n$n $h×$w×$ci → $co, $k×$k /$s pad $p',
    async (c) => {
      const g = convGeometry([c.n, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.s, c.p);
      const xv = randomValues(1, c.n * c.h * c.w * c.ci);
      const wv = randomValues(2, c.k * c.k * c.ci * c.co);
      const dyv = randomValues(3, c.n * g.outHeight * g.outWidth * c.co);
      const x = tf.tensor4d(xv, [c.n, c.h, c.w, c.ci]);
      const w = tf.tensor4d(wv, [c.k, c.k, c.ci, c.co]);
      const dy = tf.tensor4d(dyv, [c.n, g.outHeight, g.outWidth, c.co]);
      const y = conv2dF16(x, w, c.s, c.p, precision);
      const dx = conv2dInputGradF16(dy, w, [c.n, c.h, c.w, c.ci], c.s, c.p, precision);
      const dw = conv2dFilterGradF16(x, dy, [c.k, c.k, c.ci, c.co], c.s, c.p, precision);
      expect(y.shape).toEqual([c.n, g.outHeight, g.outWidth, c.co]);
      const [yv, dxv, dwv] = (await Promise.all([
        y.data(),
        dx.data(),
        dw.data(),
      ])) as Float32Array[];
      const ratios = {
        forward: f16ErrorRatio(yv!, conv2dReference(g, xv, wv)),
        inputGrad: f16ErrorRatio(dxv!, conv2dInputGradReference(g, dyv, wv)),
        filterGrad: f16ErrorRatio(dwv!, conv2dFilterGradReference(g, xv, dyv)),
      };
      expect(ratios.forward).toBeLessThanOrEqual(1);
      expect(ratios.inputGrad).toBeLessThanOrEqual(1);
      expect(ratios.filterGrad).toBeLessThanOrEqual(1);
      expect(allF16(yv!) && allF16(dxv!) && allF16(dwv!)).toBe(true);
      tf.dispose([x, w, dy, y, dx, dw]);
    },
  );

  it.each([
    { b: 1, cin: 5, cout: 3 },
    { b: 7, cin: 33, cout: 10 },
    { b: 40, cin: 70, cout: 37 },
  ])('FC matmul and its gradients: $b × $cin → $cout', async ({ b, cin, cout }) => {
    const xv = randomValues(4, b * cin);
    const wv = randomValues(5, cin * cout);
    const dyv = randomValues(6, b * cout);
    const x = tf.tensor2d(xv, [b, cin]);
    const w = tf.tensor2d(wv, [cin, cout]);
    const dy = tf.tensor2d(dyv, [b, cout]);
    const outs = [
      matMulF16(x, w, precision),
      matMulInputGradF16(dy, w, precision),
      matMulFilterGradF16(x, dy, precision),
    ];
    const [yv, dxv, dwv] = (await Promise.all(outs.map((t) => t.data()))) as Float32Array[];
    const refY = matMulReference(
      b,
      cout,
      cin,
      (i, k) => xv[i * cin + k]!,
      (k, j) => wv[k * cout + j]!,
    );
    const refDx = matMulReference(
      b,
      cin,
      cout,
      (i, k) => dyv[i * cout + k]!,
      (k, j) => wv[j * cout + k]!,
    );
    const refDw = matMulReference(
      cin,
      cout,
      b,
      (i, k) => xv[k * cin + i]!,
      (k, j) => dyv[k * cout + j]!,
    );
    expect(f16ErrorRatio(yv!, refY)).toBeLessThanOrEqual(1);
    expect(f16ErrorRatio(dxv!, refDx)).toBeLessThanOrEqual(1);
    expect(f16ErrorRatio(dwv!, refDw)).toBeLessThanOrEqual(1);
    tf.dispose([x, w, dy, ...outs]);
  });

  it('values beyond the f16 range become ±Inf, not a clamped or undefined number', async () => {
    const x = tf.tensor2d([300, -300, -300, 0], [2, 2]);
    const w = tf.tensor2d([300, 0, 0, 1], [2, 2]);
    const y = matMulF16(x, w, precision);
    expect(Array.from(await y.data())).toEqual([Infinity, -300, -Infinity, 0]);
    tf.dispose([x, w, y]);
  });
});
