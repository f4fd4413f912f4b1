import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { maxAbsDiff } from '../test-utils';
import { countDispatches } from '../benchmark/dispatch-counter';
import { gradientDispatches } from '../dispatch-phases';
import { fusedBatchNormTrain } from './fused-bn';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

const EPS = 1e-5;

function unfused(x: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor, relu: boolean) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.batchNorm(x, mean, variance, b, g, EPS);
  return { y: relu ? tf.relu(y) : y, mean, variance };
}

describe('fused BatchNorm (+ReLU), against the unfused tfjs ops', () => {
  for (const relu of [true, false]) {
    for (const shape of [
      [2, 5, 5, 3],
      [4, 8, 8, 16],
      [3, 1, 1, 70],
    ] as [number, number, number, number][]) {
      it(`shape ${shape.join('×')}, relu=${relu}: output, statistics and gradients`, async () => {
        const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 1), 3), 0.5) as tf.Tensor4D;
        const c = shape[3];
        const g = tf.randomUniform([c], 0.5, 1.5, 'float32', 2);
        const b = tf.randomNormal([c], 0, 0.3, 'float32', 3);
        const r = tf.randomNormal(shape, 0, 1, 'float32', 4);
        const before = tf.memory().numTensors;
        const fused = fusedBatchNormTrain(x, g, b, EPS, relu);
        const plain = tf.tidy(() => unfused(x, g, b, relu));
        expect(maxAbsDiff(await fused.y.data(), await plain.y.data())).toBeLessThan(1e-4);
        expect(maxAbsDiff(await fused.mean.data(), await plain.mean.data())).toBeLessThan(1e-5);
        expect(maxAbsDiff(await fused.variance.data(), await plain.variance.data())).toBeLessThan(
          1e-4,
        );
        tf.dispose([fused.y, fused.mean, fused.variance, plain.y, plain.mean, plain.variance]);
        const lossOf = (run: (xx: tf.Tensor4D, gg: tf.Tensor, bb: tf.Tensor) => tf.Tensor) =>
          tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
            tf.sum(tf.mul(run(xx as tf.Tensor4D, gg, bb), r)),
          );
        const gf = lossOf((xx, gg, bb) => {
          const out = fusedBatchNormTrain(xx, gg, bb, EPS, relu);
          tf.dispose([out.mean, out.variance]);
          return out.y;
        })([x, g, b]);
        const gp = lossOf((xx, gg, bb) => unfused(xx, gg, bb, relu).y)([x, g, b]);
        for (let i = 0; i < 3; i++) {
          const a = await gf[i]!.data();
          const e = await gp[i]!.data();
          const scale = Math.max(1, ...Array.from(e, Math.abs));
          expect(maxAbsDiff(a, e) / scale).toBeLessThan(1e-4);
        }
        tf.dispose([...gf, ...gp]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, g, b, r]);
      });
    }
  }

  it('takes two dispatches forward and two backward', () => {
    const x = tf.randomNormal([2, 4, 4, 8]) as tf.Tensor4D;
    const g = tf.ones([8]);
    const b = tf.zeros([8]);
    const forward = countDispatches()!;
    const out = fusedBatchNormTrain(x, g, b, EPS, true);
    expect(forward.stop()).toBe(2);
    tf.dispose([out.y, out.mean, out.variance]);
    const counted = gradientDispatches(
      (xx, gg, bb) => {
        const o = fusedBatchNormTrain(xx as tf.Tensor4D, gg!, bb!, EPS, true);
        tf.dispose([o.mean, o.variance]);
        return tf.sum(o.y);
      },
      [x, g, b],
    );
    tf.dispose([...counted.grads, x, g, b]);
    // The loss: BN's forward 2 + the sum 1. The backward: BN's 2 and nothing else (the seed
    // dL/dL = 1 and the sum's gradient, a broadcast of it, are under 1000 elements: tfjs's CPU
    // hand-off computes them on the CPU and uploads them).
    expect(counted.untilLoss).toBe(3);
    expect(counted.backward).toBe(2);
  });
});
