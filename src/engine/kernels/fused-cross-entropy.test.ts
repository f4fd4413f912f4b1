import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { countDispatches } from '../benchmark/dispatch-counter';
import { forwardWorkgroups, fusedSoftCrossEntropy } from './fused-cross-entropy';

beforeAll(async () => {
  await initNodeBackend();
});

/** Float64: L = −(1/B)·Σ_r Σ_i t·log softmax(z), and ∂L/∂z = (p·Σt − t)/B. */
function reference(z: number[][], t: number[][]) {
  const rows = z.length;
  let loss = 0;
  const grad = z.map((row, r) => {
    const top = Math.max(...row);
    const sumExp = row.reduce((s, v) => s + Math.exp(v - top), 0);
    const logSum = Math.log(sumExp) + top;
    const targetSum = t[r]!.reduce((s, v) => s + v, 0);
    row.forEach((v, i) => (loss -= t[r]![i]! * (v - logSum)));
    return row.map((v, i) => ((Math.exp(v - logSum) * targetSum - t[r]![i]!) * 1) / rows);
  });
  return { loss: loss / rows, grad };
}

describe('fusedSoftCrossEntropy', () => {
  // 3 rows × 5 classes: a one-hot row, a smoothed and mixed row, a row whose targets sum to 0.5
  // (the backward's Σt kept exact), and logits far from 0 (the max shift matters).
  const z = [
    [2, -1, 0.5, 3, 0],
    [40, 41, 39.5, 38, 40.2],
    [-3, -2.5, -4, -1, -2],
  ];
  const t = [
    [0, 0, 0, 1, 0],
    [0.05, 0.6, 0.05, 0.05, 0.25],
    [0.1, 0.1, 0.1, 0.1, 0.1],
  ];

  it('loss and logit gradient match the float64 reference, in one dispatch each way', async () => {
    const logits = tf.variable(tf.tensor2d(z), true, 'ce-logits');
    const targets = tf.tensor2d(t);
    const counter = countDispatches()!;
    const { value, grads } = tf.variableGrads(
      () => fusedSoftCrossEntropy(targets, logits as tf.Tensor2D),
      [logits],
    );
    expect(counter.stop()).toBe(2);
    const want = reference(z, t);
    expect(Math.abs((await value.data())[0]! - want.loss)).toBeLessThan(1e-5);
    const got = await grads['ce-logits']!.data();
    want.grad.flat().forEach((g, i) => expect(Math.abs(got[i]! - g)).toBeLessThan(1e-6));
    tf.dispose([logits, targets, value, ...Object.values(grads)]);
  });

  it('scales the gradient by the upstream gradient (a loss scale S)', async () => {
    const logits = tf.variable(tf.tensor2d(z), true, 'ce-scaled');
    const targets = tf.tensor2d(t);
    const { grads } = tf.variableGrads(
      () => tf.mul(fusedSoftCrossEntropy(targets, logits as tf.Tensor2D), 1024) as tf.Scalar,
      [logits],
    );
    const got = await grads['ce-scaled']!.data();
    reference(z, t)
      .grad.flat()
      .forEach((g, i) => expect(Math.abs(got[i]! - 1024 * g)).toBeLessThan(1e-3));
    tf.dispose([logits, targets, ...Object.values(grads)]);
  });

  it('reads one-hot targets cast from int32 (tfjs keeps their int32 data) as their values', async () => {
    const logits = tf.tensor2d(z);
    const cast = tf.cast(tf.oneHot(tf.tensor1d([3, 1, 0], 'int32'), 5), 'float32') as tf.Tensor2D;
    const loss = tf.tidy(() => fusedSoftCrossEntropy(cast, logits as tf.Tensor2D));
    const oneHot = [3, 1, 0].map((label) => [0, 1, 2, 3, 4].map((i) => (i === label ? 1 : 0)));
    expect(Math.abs((await loss.data())[0]! - reference(z, oneHot).loss)).toBeLessThan(1e-5);
    tf.dispose([logits, cast, loss]);
  });

  it('per pixel (FCN): 4 images × 32 × 32 pixels × 11 classes, loss and gradient against float64, the forward spread over 2 workgroups', async () => {
    // 4096 rows: 2 forward workgroups of 2048 rows and the sum of their sums, then the backward.
    const rows = 4 * 32 * 32;
    expect(forwardWorkgroups(rows)).toBe(2);
    const classes = 11;
    const zz = Array.from({ length: rows }, (_, r) =>
      Array.from({ length: classes }, (_, i) => 3 * Math.sin(r * 0.37 + i * 1.3)),
    );
    const tt = Array.from({ length: rows }, (_, r) =>
      Array.from({ length: classes }, (_, i) => (i === (r * 7) % classes ? 1 : 0)),
    );
    const logits = tf.variable(tf.tensor2d(zz), true, 'ce-pixels');
    const targets = tf.tensor2d(tt);
    const counter = countDispatches()!;
    const { value, grads } = tf.variableGrads(
      () => fusedSoftCrossEntropy(targets, logits as tf.Tensor2D),
      [logits],
    );
    expect(counter.stop()).toBe(3);
    const want = reference(zz, tt);
    expect(Math.abs((await value.data())[0]! - want.loss)).toBeLessThan(1e-5);
    const got = await grads['ce-pixels']!.data();
    let worst = 0;
    want.grad.flat().forEach((g, i) => (worst = Math.max(worst, Math.abs(got[i]! - g))));
    // Gradients are ~1/rows = 2.4e-4: f32 holds them to ~1e-11.
    expect(worst).toBeLessThan(1e-9);
    tf.dispose([logits, targets, value, ...Object.values(grads)]);
  });

  it('forward workgroups: 1 up to 2048 rows, one per 2048 rows beyond, at most 256', () => {
    expect([1, 512, 2048, 2049, 20001, 524288, 10 ** 7].map(forwardWorkgroups)).toEqual([
      1, 1, 1, 2, 10, 256, 256,
    ]);
  });

  it('20001 rows × 3 classes over 10 workgroups, the last one short: the loss against float64', async () => {
    const rows = 20001;
    const zz = Array.from({ length: rows }, (_, r) => [Math.sin(r), 2 * Math.cos(r * 0.1), -1]);
    const tt = Array.from({ length: rows }, (_, r) => [
      r % 3 === 0 ? 1 : 0,
      0.5,
      r % 3 === 0 ? 0 : 0.5,
    ]);
    const logits = tf.tensor2d(zz);
    const targets = tf.tensor2d(tt);
    const loss = tf.tidy(() => fusedSoftCrossEntropy(targets, logits));
    // A mean of ~1 over 20001 rows, summed in f32 in 2560 parts: a few ulps.
    expect(Math.abs((await loss.data())[0]! - reference(zz, tt).loss)).toBeLessThan(1e-5);
    tf.dispose([logits, targets, loss]);
  });

  it('leaves no tensor behind, with or without a gradient tape', async () => {
    const before = tf.memory().numTensors;
    const logits = tf.tensor2d(z);
    const targets = tf.tensor2d(t);
    const loss = tf.tidy(() => fusedSoftCrossEntropy(targets, logits as tf.Tensor2D));
    await loss.data();
    tf.dispose([logits, targets, loss]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
