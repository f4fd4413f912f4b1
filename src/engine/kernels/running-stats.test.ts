import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { countDispatches } from '../benchmark/dispatch-counter';
import { maxAbsDiff } from '../test-utils';
import { updatedRunningStats } from './running-stats';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

interface Case {
  name: string;
  running: { mean: number[]; variance: number[] };
  batch: { mean: number[]; variance: number[] };
  /** Worked out by hand with μ = 0.9: 0.9 · running + 0.1 · batch. */
  expected: { mean: number[]; variance: number[] };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const CASES: Case[] = [
  {
    name: '5 channels (not a multiple of 4)',
    running: { mean: [0, 1, 2, -4, 10], variance: [1, 2, 0.5, 3, 0] },
    batch: { mean: [10, 1, -2, 6, 0], variance: [1, 12, 5.5, 0, 4] },
    expected: { mean: [1, 1, 1.6, -3, 9], variance: [1, 3, 1, 2.7, 0.4] },
  },
  {
    name: '1 channel',
    running: { mean: [3], variance: [2] },
    batch: { mean: [-7], variance: [0.5] },
    expected: { mean: [2], variance: [1.85] },
  },
  {
    // Two workgroups of 64, the second one partly idle.
    name: '70 channels',
    running: { mean: range(70), variance: range(70).map(() => 1) },
    batch: { mean: range(70).map((i) => i + 10), variance: range(70) },
    // 0.9 · i + 0.1 · (i + 10) = i + 1;  0.9 · 1 + 0.1 · i = 0.9 + 0.1 · i.
    expected: { mean: range(70).map((i) => i + 1), variance: range(70).map((i) => 0.9 + 0.1 * i) },
  },
];

describe('BN running statistics in one dispatch', () => {
  for (const c of CASES) {
    it(`${c.name}: mean and variance against hand-computed values`, async () => {
      const running = {
        mean: tf.tensor1d(c.running.mean),
        variance: tf.tensor1d(c.running.variance),
      };
      const batch = { mean: tf.tensor1d(c.batch.mean), variance: tf.tensor1d(c.batch.variance) };
      const before = tf.memory().numTensors;
      const counter = countDispatches()!;
      const [mean, variance] = updatedRunningStats(running, batch, 0.9);
      expect(counter.stop()).toBe(1);
      expect(mean.shape).toEqual([c.expected.mean.length]);
      expect(variance.shape).toEqual([c.expected.variance.length]);
      // Float32 rounding of 0.9, 0.1 and the products: a few ulps of values up to ~70.
      expect(maxAbsDiff(await mean.data(), c.expected.mean)).toBeLessThan(2e-5);
      expect(maxAbsDiff(await variance.data(), c.expected.variance)).toBeLessThan(2e-6);
      // The inputs are read, not written.
      expect(Array.from(await running.mean.data())).toEqual(c.running.mean);
      expect(Array.from(await batch.variance.data())).toEqual(c.batch.variance);
      tf.dispose([mean, variance]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([running.mean, running.variance, batch.mean, batch.variance]);
    });
  }

  it('rejects statistics of different sizes', () => {
    const three = tf.zeros([3]);
    const four = tf.zeros([4]);
    expect(() =>
      updatedRunningStats({ mean: three, variance: three }, { mean: four, variance: three }, 0.9),
    ).toThrow(/sizes differ/);
    tf.dispose([three, four]);
  });
});
