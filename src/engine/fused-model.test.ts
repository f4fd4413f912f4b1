import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildResNetSpec } from '../architecture';
import { createRng } from '../tricks';
import { initNodeBackend } from './backend-node';
import { softCrossEntropy } from './loss';
import { createResNetModel } from './model';
import { maxAbsDiff } from './test-utils';

beforeAll(async () => {
  await initNodeBackend();
});

describe('ResNet training step with fused BatchNorm+ReLU', () => {
  it('gives the loss, gradients and batch moments of the unfused tfjs ops', async () => {
    const spec = buildResNetSpec({
      model: 'resnet26',
      width: 0.0625,
      input: 32,
      stem: 'auto',
      tweakB: false,
      tweakC: false,
      tweakD: true,
      zeroGamma: false,
      classes: 10,
    });
    const fused = createResNetModel(spec, 32, createRng(5), undefined, true);
    const plain = createResNetModel(spec, 32, createRng(5), undefined, false);
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const targets = tf.cast(
      tf.oneHot(tf.tensor1d([1, 3, 5, 7], 'int32'), 10),
      'float32',
    ) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const run = (model: typeof fused) =>
      tf.tidy(() => {
        let moments: tf.Tensor[] = [];
        const { value, grads } = tf.variableGrads(
          () => {
            const out = model.forward(x, true);
            moments = out.moments.flatMap((m) => [tf.keep(m.mean), tf.keep(m.variance)]);
            return softCrossEntropy(targets, out.logits);
          },
          model.parameters.map((p) => p.variable),
        );
        return { value, grads: model.parameters.map((p) => grads[p.variable.name]!), moments };
      });
    const a = run(fused);
    const b = run(plain);
    expect(Math.abs((await a.value.data())[0]! - (await b.value.data())[0]!)).toBeLessThan(1e-4);
    let worst = 0;
    for (let i = 0; i < a.grads.length; i++) {
      const ga = await a.grads[i]!.data();
      const gb = await b.grads[i]!.data();
      // Relative L2 error: f32 sums in a different order, amplified through 26 BN layers.
      let diff = 0;
      let norm = 0;
      for (let k = 0; k < gb.length; k++) {
        diff += (ga[k]! - gb[k]!) ** 2;
        norm += gb[k]! ** 2;
      }
      worst = Math.max(worst, Math.sqrt(diff / Math.max(norm, 1e-12)));
      expect(Math.sqrt(diff / Math.max(norm, 1e-12)), fused.parameters[i]!.spec.name).toBeLessThan(
        1e-2,
      );
    }
    console.log(`worst relative L2 gradient error ${worst.toExponential(2)}`);
    for (let i = 0; i < a.moments.length; i++) {
      expect(maxAbsDiff(await a.moments[i]!.data(), await b.moments[i]!.data())).toBeLessThan(1e-3);
    }
    tf.dispose([a.value, ...a.grads, ...a.moments, b.value, ...b.grads, ...b.moments]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, targets]);
    fused.dispose();
    plain.dispose();
  });
});
