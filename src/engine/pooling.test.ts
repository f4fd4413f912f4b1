import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './backend-node';
import { avgPool2x2Ceil } from './pooling';

beforeAll(async () => {
  await initNodeBackend();
});

describe("ResNet-D's 2×2 ceil-mode average pool", () => {
  it('averages only the values a window holds (3×3 input)', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    // (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1.
    expect(Array.from(await avgPool2x2Ceil(x).data())).toEqual([3, 4.5, 7.5, 9]);
    x.dispose();
  });

  it('gives each input 1/count of its window: ¼ inside, ½ and 1 on the odd edges', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const dx = tf.grad((t) => tf.sum(avgPool2x2Ceil(t as tf.Tensor4D)))(x);
    expect(Array.from(await dx.data())).toEqual([0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1]);
    tf.dispose([x, dx]);
  });

  it('weights each window by its upstream gradient, per channel (batch 2, 5×4, 2 channels)', async () => {
    const x = tf.randomNormal([2, 5, 4, 2]) as tf.Tensor4D;
    // Upstream gradient r over the 3×2 output: dL/dx = r[i/2, j/2, c] / count.
    const r = tf.tensor4d(
      Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i + 1),
      [2, 3, 2, 2],
    );
    const dx = tf.grad((t) => tf.sum(tf.mul(avgPool2x2Ceil(t as tf.Tensor4D), r)))(x);
    const rv = await r.data();
    const expected: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 4; j++)
          for (let c = 0; c < 2; c++) {
            const oi = i >> 1;
            const oj = j >> 1;
            const count = (oi === 2 ? 1 : 2) * 2;
            expected.push(rv[((n * 3 + oi) * 2 + oj) * 2 + c]! / count);
          }
    const got = Array.from(await dx.data());
    got.forEach((g, k) => expect(g).toBeCloseTo(expected[k]!, 5));
    tf.dispose([x, r, dx]);
  });

  it('on even sizes matches tf.avgPool and its gradient exactly', async () => {
    const x = tf.randomNormal([2, 6, 4, 3]) as tf.Tensor4D;
    const ours = tf.grad((t) => tf.sum(tf.square(avgPool2x2Ceil(t as tf.Tensor4D))))(x);
    const stock = tf.grad((t) => tf.sum(tf.square(tf.avgPool(t as tf.Tensor4D, 2, 2, 'same'))))(x);
    const [a, b] = await Promise.all([ours.data(), stock.data()]);
    Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
    tf.dispose([x, ours, stock]);
  });
});
