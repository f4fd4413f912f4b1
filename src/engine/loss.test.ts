import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createRng,
  crossEntropy,
  reportedDistillationLoss,
  mixupPartner,
  mixVectors,
  smoothedTarget,
  softmax,
} from '../tricks';
import { initNodeBackend } from './backend-node';
import { mixBatch, targetDistribution, trainingLoss } from './loss';
import { maxAbsDiff } from './test-utils';

beforeAll(async () => {
  await initNodeBackend();
});

const n = 6;
const K = 7;
const rng = createRng(3);
const student = Float32Array.from({ length: n * K }, () => rng.normal(0, 3));
const teacher = Float32Array.from({ length: n * K }, () => rng.normal(0, 3));
const labels = Int32Array.from({ length: n }, () => rng.int(K));
const row = (a: Float32Array, i: number) => a.subarray(i * K, (i + 1) * K);

function referenceTargets(eps: number, lambda: number): Float64Array[] {
  return Array.from({ length: n }, (_, i) =>
    mixVectors(
      smoothedTarget(labels[i]!, K, eps),
      smoothedTarget(labels[mixupPartner(i, n)]!, K, eps),
      lambda,
    ),
  );
}

describe('training loss on the GPU', () => {
  it('targets: label smoothing (Eq. 4) mixed with the reversed batch', async () => {
    const t = targetDistribution(labels, K, 0.1, 0.3);
    const got = await t.data();
    t.dispose();
    expect(
      maxAbsDiff(
        got,
        referenceTargets(0.1, 0.3).flatMap((r) => [...r]),
      ),
    ).toBeLessThan(1e-6);
  });

  it('mixes images with the reversed batch', async () => {
    const x = tf.tensor2d(student, [n, K]);
    const mixed = mixBatch(x, 0.3);
    const got = await mixed.data();
    tf.dispose([x, mixed]);
    const expected = Array.from({ length: n }, (_, i) =>
      mixVectors(row(student, i), row(student, mixupPartner(i, n)), 0.3),
    );
    expect(
      maxAbsDiff(
        got,
        expected.flatMap((r) => [...r]),
      ),
    ).toBeLessThan(1e-5);
  });

  it('smoothing + mixup, no teacher: mean cross-entropy', async () => {
    const targets = referenceTargets(0.2, 0.6);
    const expected =
      targets.reduce((s, p, i) => s + crossEntropy(p, softmax(row(student, i))), 0) / n;
    const got = tf.tidy(() =>
      trainingLoss(targetDistribution(labels, K, 0.2, 0.6), tf.tensor2d(student, [n, K]), null, 1),
    );
    expect(Math.abs((await got.data())[0]! - expected)).toBeLessThan(1e-4);
    got.dispose();
  });

  it('smoothing + mixup + distillation equals Eq. 6 (less the teacher-only constant) on plain arrays', async () => {
    const T = 4;
    const targets = referenceTargets(0.1, 0.3);
    const expected =
      targets.reduce(
        (s, p, i) => s + reportedDistillationLoss(p, row(student, i), row(teacher, i), T),
        0,
      ) / n;
    const got = tf.tidy(() =>
      trainingLoss(
        targetDistribution(labels, K, 0.1, 0.3),
        tf.tensor2d(student, [n, K]),
        tf.tensor2d(teacher, [n, K]),
        T,
      ),
    );
    const value = (await got.data())[0]!;
    got.dispose();
    expect(Math.abs(value - expected) / expected).toBeLessThan(1e-4);
  });
});
