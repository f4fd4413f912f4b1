import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, nagStep, type NagState } from '../tricks';
import { initNodeBackend } from './backend-node';
import { makeVariable, type ModelParameter } from './model';
import { countDispatches } from './benchmark/dispatch-counter';
import { createNagOptimizer, type NagOptimizer } from './optimizer';
import { maxAbsDiff, vectorParameter } from './test-utils';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

describe('NAG optimizer', () => {
  for (const noBiasDecay of [false, true]) {
    it(`matches nagStep over 3 steps (no_bias_decay=${noBiasDecay})`, async () => {
      const rng = createRng(7);
      const random = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
      const params = [
        vectorParameter('w', 'conv-weight', random(6)),
        vectorParameter('b', 'bn-beta', random(4)),
      ];
      const wd = 0.05;
      const optimizer = createNagOptimizer(params, wd, noBiasDecay);
      const reference: NagState[] = params.map((p) => ({
        weights: Float64Array.from(p.variable.dataSync()),
        velocity: new Float64Array(p.variable.size),
      }));
      const lrs = [0.1, 0.05, 0.2];
      for (const lr of lrs) {
        const grads = params.map((p) => random(p.variable.size));
        const gradTensors = Object.fromEntries(
          params.map((p, i) => [p.variable.name, tf.tensor1d(grads[i]!)]),
        );
        optimizer.applyGradients(gradTensors, lr);
        Object.values(gradTensors).forEach((t) => t.dispose());
        params.forEach((p, i) => {
          const decay = p.spec.role === 'bn-beta' && noBiasDecay ? 0 : wd;
          reference[i] = nagStep(reference[i]!, grads[i]!, lr, decay);
        });
      }
      for (let i = 0; i < params.length; i++) {
        const got = await params[i]!.variable.data();
        expect(maxAbsDiff(got, reference[i]!.weights)).toBeLessThan(1e-5);
      }
      // Decay on the bias makes a difference, so the test really tells the two modes apart.
      optimizer.dispose();
      params.forEach((p) => p.variable.dispose());
    });
  }

  it('fused WGSL update matches the unfused tfjs ops (3 steps, 4-D weights, odd size)', async () => {
    const rng = createRng(11);
    const random = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const shape = [3, 3, 7, 13];
    const size = 3 * 3 * 7 * 13;
    const init = [random(size), random(5)];
    const build = () =>
      [
        {
          spec: {
            name: 'c',
            shape,
            role: 'conv-weight' as const,
            init: { kind: 'constant' as const, value: 0 },
          },
          variable: makeVariable(tf.tensor(init[0]!, shape), true),
        },
        vectorParameter('g', 'bn-gamma', init[1]!),
      ] satisfies ModelParameter[];
    const fusedParams = build();
    const plainParams = build();
    const fused = createNagOptimizer(fusedParams, 1e-3, true, 0.9, true);
    const plain = createNagOptimizer(plainParams, 1e-3, true, 0.9, false);
    const before = tf.memory().numTensors;
    for (const lr of [0.1, 0.4, 0.02]) {
      const grads = [random(size), random(5)];
      const named = (ps: ModelParameter[]) =>
        Object.fromEntries(
          ps.map((p, i) => [p.variable.name, tf.tensor(grads[i]!, p.variable.shape)]),
        );
      const gf = named(fusedParams);
      const gp = named(plainParams);
      fused.applyGradients(gf, lr);
      plain.applyGradients(gp, lr);
      tf.dispose([...Object.values(gf), ...Object.values(gp)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 2; i++) {
      const a = await fusedParams[i]!.variable.data();
      const b = await plainParams[i]!.variable.data();
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    }
    fused.dispose();
    plain.dispose();
    [...fusedParams, ...plainParams].forEach((p) => p.variable.dispose());
  });

  // Values, decay, momentum and learning rate are multiples of powers of two small enough that
  // every product and sum is exact in float32: the fused kernel and the tfjs ops must agree to
  // the bit whatever order or fusing (FMA) a GPU compiler picks, and the expected values can be
  // worked out by hand.
  // With a loss scale S (a power of two, as the loss scaler's always is), both paths divide the
  // scaled gradient by S first: the same values as the unscaled gradient, to the bit.
  it('fused update with a loss scale and a skip flag on the GPU: one dispatch for both parameters, exact values', async () => {
    const decay = 0.25;
    const momentum = 0.5;
    const lr = 0.5;
    const build = () => [
      vectorParameter('w', 'conv-weight', Float32Array.from([1, -2, 0.5, 3, 0])),
      vectorParameter('b', 'bn-beta', Float32Array.from([4, -1])),
    ];
    const fusedParams = build();
    const plainParams = build();
    const fused = createNagOptimizer(fusedParams, decay, true, momentum, true);
    const plain = createNagOptimizer(plainParams, decay, true, momentum, false);
    // As the loss scaler makes it: a bool computed on the GPU.
    const flag = (apply: boolean) =>
      tf.tidy(() => tf.equal(tf.scalar(apply ? 0 : 1), 0) as tf.Scalar);
    // `grads` unscaled; the optimizers get them multiplied by `scale` (exact), and the scale.
    const step = (grads: number[][], apply: boolean, scale?: number) => {
      const applyFlag = flag(apply);
      expect(applyFlag.dtype).toBe('bool');
      const lossScale = scale === undefined ? undefined : tf.scalar(scale);
      const named = (ps: ModelParameter[]) =>
        Object.fromEntries(
          ps.map((p, i) => [p.variable.name, tf.tensor1d(grads[i]!.map((g) => g * (scale ?? 1)))]),
        );
      const gf = named(fusedParams);
      const gp = named(plainParams);
      const counter = countDispatches()!;
      fused.applyGradients(gf, lr, applyFlag, lossScale);
      // Both in place in one dispatch (2 per dispatch with loss scaling at the default limits).
      expect(counter.stop()).toBe(1);
      plain.applyGradients(gp, lr, applyFlag, lossScale);
      tf.dispose([applyFlag, ...Object.values(gf), ...Object.values(gp)]);
      lossScale?.dispose();
    };
    const values = async (ps: ModelParameter[]) =>
      Promise.all(ps.map(async (p) => Array.from(await p.variable.data())));
    const velocities = async (o: NagOptimizer) =>
      Promise.all(o.namedVelocities().map(async (v) => Array.from(await v.variable.data())));
    const before = tf.memory().numTensors;

    // Applied. w: g = grad + 0.25·w, v = g, w' = w − 0.5·(g + 0.5·v) = w − 0.75·g.
    //   w = [1, -2, 0.5, 3, 0], grad [1, 0.5, -2, 0.25, 4] → g [1.25, 0, -1.875, 1, 4].
    // b (no decay, no_bias_decay): g = grad = [2, -1] → v = [2, -1], w' = [4 − 1.5, −1 + 0.75].
    step(
      [
        [1, 0.5, -2, 0.25, 4],
        [2, -1],
      ],
      true,
      1024,
    );
    const applied = [
      [0.0625, -2, 1.90625, 2.25, -3],
      [2.5, -0.25],
    ];
    const appliedVelocity = [
      [1.25, 0, -1.875, 1, 4],
      [2, -1],
    ];
    expect(await values(fusedParams)).toEqual(applied);
    expect(await values(plainParams)).toEqual(applied);
    expect(await velocities(fused)).toEqual(appliedVelocity);
    expect(await velocities(plain)).toEqual(appliedVelocity);

    // Skipped, as after an overflow: Inf and NaN gradients leave weights and velocities as they were.
    step(
      [
        [Infinity, NaN, 1, -Infinity, 2],
        [NaN, 3],
      ],
      false,
      65536,
    );
    expect(await values(fusedParams)).toEqual(applied);
    expect(await values(plainParams)).toEqual(applied);
    expect(await velocities(fused)).toEqual(appliedVelocity);
    expect(await velocities(plain)).toEqual(appliedVelocity);

    // Applied again, from the kept velocity, with no loss scale (the skip flag alone): both
    // paths still agree to the bit.
    step(
      [
        [0.5, -1, 0.25, 2, -0.5],
        [1, 0.125],
      ],
      true,
    );
    expect(await values(fusedParams)).toEqual(await values(plainParams));
    expect(await velocities(fused)).toEqual(await velocities(plain));
    // b: v = 0.5·[2, -1] + [1, 0.125] = [2, -0.375]; w = [2.5, -0.25] − 0.5·([1, 0.125] + [1, -0.1875]).
    expect((await values(fusedParams))[1]).toEqual([1.5, -0.21875]);

    expect(tf.memory().numTensors).toBe(before);
    fused.dispose();
    plain.dispose();
    [...fusedParams, ...plainParams].forEach((p) => p.variable.dispose());
  });

  for (const fused of [true, false]) {
    it(`a parameter's learning-rate multiple scales its update (hand values, ${fused ? 'fused' : 'tfjs ops'})`, async () => {
      // w = 1, g = 0.5, no decay, μ = 0.9, η = 0.1, from zero velocity: v = 0.5 and
      // w ← 1 − η·s·(0.5 + 0.9·0.5) = 1 − 0.095·s: 0.905 at s = 1, 0.9905 at s = 0.1, 1 at s = 0.
      const params = [
        vectorParameter('fc.weight', 'fc-weight', new Float32Array([1])),
        vectorParameter('conv.weight', 'conv-weight', new Float32Array([1])),
        vectorParameter('bn.gamma', 'bn-gamma', new Float32Array([1])),
      ];
      const scale: Record<string, number> = { 'fc.weight': 1, 'conv.weight': 0.1, 'bn.gamma': 0 };
      const optimizer = createNagOptimizer(
        params,
        0,
        false,
        0.9,
        fused,
        (p) => scale[p.spec.name]!,
      );
      const grads = Object.fromEntries(params.map((p) => [p.variable.name, tf.tensor1d([0.5])]));
      optimizer.applyGradients(grads, 0.1);
      const values = await Promise.all(params.map(async (p) => (await p.variable.data())[0]!));
      expect(values[0]).toBeCloseTo(0.905, 6);
      expect(values[1]).toBeCloseTo(0.9905, 6);
      expect(values[2]).toBe(1);
      tf.dispose(Object.values(grads));
      optimizer.dispose();
      for (const p of params) p.variable.dispose();
    });
  }
});
