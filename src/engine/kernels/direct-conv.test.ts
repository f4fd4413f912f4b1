import * as tf from '@tensorflow/tfjs-core';
import { F32, formatKey, numberFormat, type NumberFormat } from '../../config/number-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../tricks';
import { initNodeBackend } from '../backend-node';
import { F32_OPS, STOCK_F32_OPS } from '../heavy-ops';
import {
  conv2dDirect,
  conv2dFilterGradDirect,
  conv2dInputGradDirect,
  filterGradSplits,
} from './direct-conv';
import { BASE_CASES, checkConvOps, overflowCase } from './conv-test-harness';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  // The CI adapter (lavapipe) has shader-f16: the 'f16' variant must really be tested.
  expect(info.shaderF16).toBe(true);
});

const FORMATS: NumberFormat[] = [F32, numberFormat('f32', 'f16'), numberFormat('f32', 'emulated')];
// Each run carries its case (`c`: the fixture cache's key) and the case's fields (for the title).
const RUNS = FORMATS.flatMap((format) =>
  BASE_CASES.map((c) => ({ ...c, c, format, key: formatKey(format) })),
);

describe('direct convolution kernels against float64 references', () => {
  // f32: summation error only; f16 and emulated: the f16 GEMM kernels' bound, outputs f16 values.
  it.each(RUNS)(
    '$key: forward, input and filter gradients: n$n $h×$w×$ci → $co, $k×$k /$s pad $p',
    async ({ format, c }) => {
      await checkConvOps(
        c,
        {
          forward: (x, w) => conv2dDirect(x, w, c.s, c.p, format),
          inputGrad: (dy, w) =>
            conv2dInputGradDirect(dy, w, [c.n, c.h, c.w, c.ci], c.s, c.p, format),
          filterGrad: (x, dy) =>
            conv2dFilterGradDirect(x, dy, [c.k, c.k, c.ci, c.co], c.s, c.p, format),
        },
        {
          storage: 'f32',
          bound: () => (format === F32 ? 'f32' : 'f16'),
          f16Values: format === F32 ? [] : ['forward', 'inputGrad', 'filterGrad'],
        },
      );
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
    'f32 storage, %s arithmetic: a value beyond the f16 range becomes ±Inf, not a clamped or undefined number',
    async (arithmetic) => {
      const format = numberFormat('f32', arithmetic);
      const o = overflowCase(4, 4);
      const x = tf.tensor4d(o.xv, o.xShape);
      const w = tf.tensor4d(o.wv, o.wShape);
      const y = conv2dDirect(x, w, 1, 0, format);
      expect(Array.from(await y.data())).toEqual(o.expected);
      tf.dispose([x, w, y]);
    },
  );
});
