import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { matMulF16, matMulFilterGradF16, matMulInputGradF16 } from './f16-kernels';
import type { F16Arithmetic } from './gemm-wgsl';
import { f16ErrorRatio, matMulReference, randomValues } from './reference';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  // The CI adapter (lavapipe) has shader-f16: the 'f16' variant must really be tested.
  expect(info.shaderF16).toBe(true);
});

const ARITHMETICS: F16Arithmetic[] = ['f16', 'emulated'];

describe.each(ARITHMETICS)('%s kernels against float64 references', (arithmetic) => {
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
      matMulF16(x, w, arithmetic),
      matMulInputGradF16(dy, w, arithmetic),
      matMulFilterGradF16(x, dy, arithmetic),
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
    const y = matMulF16(x, w, arithmetic);
    expect(Array.from(await y.data())).toEqual([Infinity, -300, -Infinity, 0]);
    tf.dispose([x, w, y]);
  });
});
