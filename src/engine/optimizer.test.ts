import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ParameterSpec } from '../architecture';
import { createRng, nagStep, type NagState } from '../tricks';
import { initNodeBackend } from './backend-node';
import { makeVariable, type ModelParameter } from './model';
import { createNagOptimizer } from './optimizer';
import { maxAbsDiff } from './test-utils';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

function param(name: string, role: ParameterSpec['role'], values: Float32Array): ModelParameter {
  return {
    spec: { name, shape: [values.length], role, init: { kind: 'constant', value: 0 } },
    variable: makeVariable(tf.tensor1d(values), true),
  };
}

describe('NAG optimizer', () => {
  for (const noBiasDecay of [false, true]) {
    it(`matches nagStep over 3 steps (no_bias_decay=${noBiasDecay})`, async () => {
      const rng = createRng(7);
      const random = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
      const params = [param('w', 'conv-weight', random(6)), param('b', 'bn-beta', random(4))];
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
        param('g', 'bn-gamma', init[1]!),
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
});
