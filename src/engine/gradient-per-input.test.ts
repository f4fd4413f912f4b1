import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './backend-node';
import { countDispatches } from './benchmark/dispatch-counter';
import { customGradPerInput } from './gradient-per-input';
import { F32_OPS } from './heavy-ops';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

/** a·b with its gradients, counting the calls of each gradient function. */
function countedProduct(calls: { a: number; b: number }) {
  return (a: tf.Tensor, b: tf.Tensor) =>
    customGradPerInput(
      { a, b },
      (inputs, save) => {
        save([inputs.a, inputs.b]);
        return tf.mul(inputs.a, inputs.b);
      },
      (dy, [sa, sb]) => ({
        a: () => {
          calls.a++;
          return tf.mul(dy, sb!);
        },
        b: () => {
          calls.b++;
          return tf.mul(dy, sa!);
        },
      }),
    );
}

describe('customGradPerInput', () => {
  it('gives the gradient of every input differentiated, and calls no other', async () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([4, -5, 0.5]);
    const calls = { a: 0, b: 0 };
    const product = countedProduct(calls);
    const before = tf.memory().numTensors;

    // d/da sum(a·b·a) = 2·a·b; d/db = a².
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(product(x, y), x)))([
      a,
      b,
    ]);
    expect(Array.from(await da!.data())).toEqual([8, -20, 3]);
    expect(Array.from(await db!.data())).toEqual([1, 4, 9]);
    expect(calls).toEqual({ a: 1, b: 1 });
    tf.dispose([da!, db!]);

    // b only: a is a constant, as the image is to the stem convolution.
    const dbOnly = tf.grad((y: tf.Tensor) => tf.sum(product(a, y)))(b);
    expect(Array.from(await dbOnly.data())).toEqual([1, 2, 3]);
    expect(calls).toEqual({ a: 1, b: 2 });
    dbOnly.dispose();

    // No tape: nothing saved, nothing left behind.
    const value = product(a, b);
    expect(Array.from(await value.data())).toEqual([4, -10, 1.5]);
    value.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });

  it('a convolution whose input needs no gradient runs no input-gradient kernel', async () => {
    const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 8], 0, 1, 'float32', 2) as tf.Tensor4D;
    const loss = (xx: tf.Tensor, ww: tf.Tensor) =>
      tf.sum(F32_OPS.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 1));
    // Warm up (pipelines compiled, uploads done) so that both counts are of the same work.
    tf.dispose(tf.grads(loss)([x, w]));

    const both = countDispatches()!;
    const [dx, dwBoth] = tf.grads(loss)([x, w]);
    const withInputGradient = both.stop();
    const filterOnly = countDispatches()!;
    const dwOnly = tf.grad((ww: tf.Tensor) => loss(x, ww))(w);
    const withoutInputGradient = filterOnly.stop();

    expect(dx!.shape).toEqual(x.shape);
    expect(Array.from(await dwOnly.data())).toEqual(Array.from(await dwBoth!.data()));
    // The direct kernels take this shape: one input-gradient dispatch fewer.
    expect(withInputGradient - withoutInputGradient).toBe(1);
    tf.dispose([x, w, dx!, dwBoth!, dwOnly]);
  });
});
