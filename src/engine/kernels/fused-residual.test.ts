import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countDispatches } from '../benchmark/dispatch-counter';
import { gradientDispatches } from '../dispatch-phases';
import { initNodeBackend } from '../backend-node';
import { maxAbsDiff } from '../test-utils';
import { fusedResidualRelu } from './fused-residual';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

describe('fused residual relu(a + b), against tf.relu(tf.add(a, b))', () => {
  it.each([
    [2, 5, 5, 3],
    [4, 8, 8, 16],
  ])('shape %i×%i×%i×%i: output and both gradients, no leak', async (...shape) => {
    const a = tf.randomNormal(shape, 0, 1, 'float32', 1);
    const b = tf.randomNormal(shape, 0, 1, 'float32', 2);
    const r = tf.randomNormal(shape, 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const fused = fusedResidualRelu(a, b);
    const plain = tf.tidy(() => tf.relu(tf.add(a, b)));
    expect(maxAbsDiff(await fused.data(), await plain.data())).toBe(0);
    const lossOf = (run: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(run(x, y), r)))([a, b]);
    const gf = lossOf((x, y) => fusedResidualRelu(x, y));
    const gp = lossOf((x, y) => tf.relu(tf.add(x, y)));
    for (let i = 0; i < 2; i++) {
      expect(maxAbsDiff(await gf[i]!.data(), await gp[i]!.data())).toBe(0);
    }
    tf.dispose([fused, plain, ...gf, ...gp]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, r]);
  });

  it('takes one dispatch forward and one backward', () => {
    const a = tf.randomNormal([2, 4, 4, 8]);
    const b = tf.randomNormal([2, 4, 4, 8]);
    const forward = countDispatches()!;
    tf.dispose(fusedResidualRelu(a, b));
    expect(forward.stop()).toBe(1);
    const counted = gradientDispatches((x, y) => tf.sum(fusedResidualRelu(x!, y!)), [a, b]);
    tf.dispose([...counted.grads, a, b]);
    // The loss: forward 1 + the sum 1. The backward: 1 (the second gradient is a clone; the seed
    // and the sum's gradient are under 1000 elements: tfjs's CPU hand-off computes them on the
    // CPU and uploads them).
    expect(counted.untilLoss).toBe(2);
    expect(counted.backward).toBe(1);
  });

  it('refuses tensors of different shapes', () => {
    const a = tf.zeros([2, 2]);
    const b = tf.zeros([2, 3]);
    expect(() => fusedResidualRelu(a, b)).toThrow(/shapes differ/);
    tf.dispose([a, b]);
  });
});
