import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ParameterSpec } from '../../architecture';
import { createRng, nagStep, type NagState } from '../../tricks';
import { initNodeBackend } from '../backend-node';
import { countDispatches } from '../benchmark/dispatch-counter';
import { makeVariable } from '../model';
import { createNagOptimizer } from '../optimizer';
import { maxAbsDiff, vectorParameter } from '../test-utils';
import {
  groupForInPlace,
  readCurrentValues,
  storageBuffersPerDispatch,
  writableInPlace,
} from './dispatch';
import { nagParametersPerDispatch } from './fused-nag';
import { runningStatsLayersPerDispatch, updateRunningStatsInPlace } from './running-stats';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

describe('group sizes from the device limit', () => {
  it('the engine tests run at WebGPU default of 8 storage buffers: 2 parameters, 2 BN layers', () => {
    expect(storageBuffersPerDispatch()).toBe(8);
    // NAG: 3 buffers per parameter (w, v, g), +2 with loss scaling: ⌊8/3⌋ = ⌊6/3⌋ = 2.
    expect(nagParametersPerDispatch(false)).toBe(2);
    expect(nagParametersPerDispatch(true)).toBe(2);
    // Running statistics: 4 per layer: ⌊8/4⌋ = 2.
    expect(runningStatsLayersPerDispatch()).toBe(2);
  });
});

describe('groupForInPlace', () => {
  it('groups by the size given, keeps order, and sends shared or repeated tensors apart', () => {
    const a = tf.zeros([2]);
    const b = tf.zeros([2]);
    const c = tf.zeros([2]);
    const d = tf.zeros([2]);
    const e = tf.zeros([2]);
    const shared = tf.zeros([2]);
    const clone = tf.clone(shared); // shares its storage: not writable in place
    const items = [
      { name: 'a', target: a, input: b },
      { name: 'shared', target: shared, input: b },
      { name: 'c', target: c, input: b }, // binds b, which 'a' binds: starts a new group
      { name: 'd', target: d, input: d }, // binds one tensor twice
      { name: 'e', target: e, input: a },
    ];
    expect(writableInPlace(a)).toBe(true);
    expect(writableInPlace(shared)).toBe(false);
    const { groups, others } = groupForInPlace(
      items,
      2,
      (i) => [i.target],
      (i) => [i.input],
    );
    expect(groups.map((g) => g.map((i) => i.name))).toEqual([['a'], ['c', 'e']]);
    expect(others.map((i) => i.name)).toEqual(['shared', 'd']);
    tf.dispose([a, b, c, d, e, shared, clone]);
  });
});

describe('NAG, several parameters per dispatch, in place', () => {
  it('5 parameters of odd sizes, 3 learning-rate multiples: float64 nagStep over 3 steps, ⌈5/2⌉ dispatches each', async () => {
    const rng = createRng(5);
    const random = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const sizes = [1, 70, 5, 129, 3];
    const roles: ParameterSpec['role'][] = [
      'bn-gamma',
      'conv-weight',
      'bn-beta',
      'conv-weight',
      'fc-bias',
    ];
    const params = sizes.map((n, i) => vectorParameter(`p${i}`, roles[i]!, random(n)));
    const scales = [1, 0.1, 1, 0.5, 2];
    const wd = 0.01;
    const optimizer = createNagOptimizer(params, wd, true, 0.9, true, (p) => {
      return scales[Number(p.spec.name.slice(1))]!;
    });
    const reference: NagState[] = params.map((p) => ({
      weights: Float64Array.from(p.variable.dataSync()),
      velocity: new Float64Array(p.variable.size),
    }));
    const ids = params.map((p) => p.variable.dataId);
    const before = tf.memory().numTensors;
    for (const lr of [0.1, 0.3, 0.05]) {
      const grads = params.map((p) => random(p.variable.size));
      const named = Object.fromEntries(
        params.map((p, i) => [p.variable.name, tf.tensor1d(grads[i]!)]),
      );
      const counter = countDispatches()!;
      optimizer.applyGradients(named, lr);
      expect(counter.stop()).toBe(3);
      tf.dispose(Object.values(named));
      params.forEach((_, i) => {
        const decay = roles[i] === 'conv-weight' ? wd : 0;
        reference[i] = nagStep(reference[i]!, grads[i]!, lr * scales[i]!, decay);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    // In place: every weight kept its storage.
    expect(params.map((p) => p.variable.dataId)).toEqual(ids);
    for (let i = 0; i < params.length; i++) {
      // Float32 arithmetic against float64: a few ulps of values up to ~3.
      expect(maxAbsDiff(await params[i]!.variable.data(), reference[i]!.weights)).toBeLessThan(
        1e-5,
      );
      const velocity = await optimizer.namedVelocities()[i]!.variable.data();
      expect(maxAbsDiff(velocity, reference[i]!.velocity)).toBeLessThan(1e-5);
    }
    optimizer.dispose();
    params.forEach((p) => p.variable.dispose());
  });

  it('a weight another tensor shares is updated into a new tensor: the clone keeps the old values', async () => {
    // w = 1, g = 0.5, no decay, μ = 0.9, η = 0.1: v = 0.5, w ← 1 − 0.1·(0.5 + 0.45) = 0.905.
    const params = [0, 1, 2].map((i) =>
      vectorParameter(`p${i}`, 'conv-weight', new Float32Array([1, 1])),
    );
    const optimizer = createNagOptimizer(params, 0, false, 0.9);
    const held = tf.clone(params[1]!.variable);
    const grads = Object.fromEntries(params.map((p) => [p.variable.name, tf.tensor1d([0.5, 0.5])]));
    const counter = countDispatches()!;
    optimizer.applyGradients(grads, 0.1);
    // p0 and p2 in place in one dispatch; p1 out of place in its own.
    expect(counter.stop()).toBe(2);
    expect(Array.from(await held.data())).toEqual([1, 1]);
    for (const p of params) {
      const values = await p.variable.data();
      expect(maxAbsDiff(values, [0.905, 0.905])).toBeLessThan(1e-7);
    }
    // Its new tensor is its own: the next step is in place for all three.
    const next = countDispatches()!;
    optimizer.applyGradients(grads, 0.1);
    expect(next.stop()).toBe(2);
    expect(Array.from(await held.data())).toEqual([1, 1]);
    tf.dispose([held, ...Object.values(grads)]);
    optimizer.dispose();
    params.forEach((p) => p.variable.dispose());
  });

  it('a read cached before or during an in-place update: data() may return the cache, readCurrentValues the update', async () => {
    // w = 2, g = 1, no decay, μ = 0.5, η = 0.5: v = 1, w ← 2 − 0.5·(1 + 0.5) = 1.25 (exact).
    const params = [vectorParameter('w', 'conv-weight', new Float32Array([2]))];
    const optimizer = createNagOptimizer(params, 0, false, 0.5);
    const w = params[0]!.variable;
    expect(Array.from(await w.data())).toEqual([2]); // tfjs caches this read on the CPU
    const grads = { [w.name]: tf.tensor1d([1]) };
    optimizer.applyGradients(grads, 0.5);
    // The update drops that cache: a plain read sees the new value.
    expect(Array.from(await w.data())).toEqual([1.25]);
    // A read in flight while the next update is recorded caches the value it copied (1.25)
    // once it settles, after the update: only readCurrentValues reads the GPU again.
    // v = 0.5·1 + 1 = 1.5, w ← 1.25 − 0.5·(1 + 0.75) = 0.375.
    const inFlight = w.data();
    optimizer.applyGradients(grads, 0.5);
    expect(Array.from(await inFlight)).toEqual([1.25]);
    expect(Array.from(await readCurrentValues(w))).toEqual([0.375]);
    tf.dispose(Object.values(grads));
    optimizer.dispose();
    w.dispose();
  });
});

describe('BN running statistics, several layers per dispatch, in place', () => {
  it('3 layers of 5, 70 and 1 channels in ⌈3/2⌉ dispatches: hand-computed values', async () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    // μ = 0.9: running ← 0.9·running + 0.1·batch.
    const layers = [
      {
        running: { mean: [0, 1, 2, -4, 10], variance: [1, 2, 0.5, 3, 0] },
        batch: { mean: [10, 1, -2, 6, 0], variance: [1, 12, 5.5, 0, 4] },
        expected: { mean: [1, 1, 1.6, -3, 9], variance: [1, 3, 1, 2.7, 0.4] },
      },
      {
        running: { mean: range(70), variance: range(70).map(() => 1) },
        batch: { mean: range(70).map((i) => i + 10), variance: range(70) },
        // 0.9·i + 0.1·(i + 10) = i + 1;  0.9·1 + 0.1·i.
        expected: {
          mean: range(70).map((i) => i + 1),
          variance: range(70).map((i) => 0.9 + i / 10),
        },
      },
      {
        running: { mean: [3], variance: [2] },
        batch: { mean: [-7], variance: [0.5] },
        expected: { mean: [2], variance: [1.85] },
      },
    ];
    const tensors = layers.map((l) => ({
      running: {
        mean: makeVariable(tf.tensor1d(l.running.mean), false),
        variance: makeVariable(tf.tensor1d(l.running.variance), false),
      },
      batch: { mean: tf.tensor1d(l.batch.mean), variance: tf.tensor1d(l.batch.variance) },
    }));
    const { groups, others } = groupForInPlace(
      tensors,
      runningStatsLayersPerDispatch(),
      (l) => [l.running.mean, l.running.variance],
      (l) => [l.batch.mean, l.batch.variance],
    );
    expect(others).toEqual([]);
    const before = tf.memory().numTensors;
    const counter = countDispatches()!;
    for (const group of groups) updateRunningStatsInPlace(group, 0.9);
    expect(counter.stop()).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, l] of layers.entries()) {
      const t = tensors[i]!;
      expect(maxAbsDiff(await t.running.mean.data(), l.expected.mean)).toBeLessThan(2e-5);
      expect(maxAbsDiff(await t.running.variance.data(), l.expected.variance)).toBeLessThan(2e-6);
      // The batch moments are read, not written.
      expect(Array.from(await t.batch.mean.data())).toEqual(l.batch.mean);
    }
    tf.dispose(tensors.flatMap((t) => [t.running.mean, t.running.variance, t.batch.mean]));
    tf.dispose(tensors.map((t) => t.batch.variance));
  });
});
