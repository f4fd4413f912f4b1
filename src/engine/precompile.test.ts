import * as tf from '@tensorflow/tfjs-core';
import { F32 } from '../config/number-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildResNetSpec, type ResNetOptions } from '../architecture';
import { createRng, NAG_MOMENTUM } from '../tricks';
import { initNodeBackend } from './backend-node';
import { F32_OPS, f16Ops, packedOps, type HeavyOps } from './heavy-ops';
import { compiledPipelineCount } from './kernels/dispatch';
import { softCrossEntropy } from './loss';
import { createResNetModel, type BatchMoments } from './model';
import { createNagOptimizer } from './optimizer';
import { installPackedGradientAccumulation } from './packed';
import {
  compileAheadSettled,
  compileTfjsShadersAhead,
  compileTrainingShaders,
  trainingShaders,
} from './precompile';
import { tinyResNetOptions } from './test-utils';
import { subgroupShuffleWidthOfDevice } from './kernels/subgroup-layout';

beforeAll(async () => {
  await initNodeBackend();
});

const BASE = tinyResNetOptions({ model: 'resnet18' });

describe('compiling our shaders ahead of the first step', () => {
  // The CIFAR stem; bottlenecks with tweaks B, C (three 3×3 stem convs) and D (pooled shortcut);
  // ResNet-A's 7×7/2 stem on 3 channels (zero-padded to 4).
  const firstStepNeedsNoOtherPipeline = async (options: ResNetOptions, ops: HeavyOps) => {
    const spec = buildResNetSpec(options);
    let reported = { done: -1, total: -1 };
    await compileTrainingShaders(spec, ops, options.input, 2, (done, total) => {
      reported = { done, total };
    });
    expect(reported.done).toBe(reported.total);
    const compiled = compiledPipelineCount();
    const model = createResNetModel(spec, options.input, createRng(1), ops);
    const optimizer = createNagOptimizer(model.parameters, 1e-4, true, NAG_MOMENTUM);
    const x = tf.randomNormal([2, options.input, options.input, 3]) as tf.Tensor4D;
    const targets = tf.cast(tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10), 'float32') as tf.Tensor2D;
    let moments: BatchMoments[] = [];
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => {
          const out = model.forward(x, true);
          moments = out.moments.map((m) => ({
            ...m,
            mean: tf.keep(m.mean),
            variance: tf.keep(m.variance),
          }));
          return softCrossEntropy(targets, out.logits);
        },
        model.parameters.map((p) => p.variable),
      );
      // FP16 steps go through the loss scaler, whose update can be skipped (a bool on the GPU).
      const apply = ops.format === F32 ? undefined : (tf.equal(tf.scalar(0), 0) as tf.Scalar);
      optimizer.applyGradients(grads, 0.01, apply);
      return value;
    });
    model.updateRunningStats(moments);
    tf.dispose(moments.flatMap((m) => [m.mean, m.variance]));
    expect(Number.isFinite((await loss.data())[0])).toBe(true);
    // Evaluation too (with packed storage it runs f32-storage kernels of its own).
    const logits = model.predict(x);
    await logits.data();
    expect(compiledPipelineCount()).toBe(compiled);
    tf.dispose([x, targets, loss, logits]);
    optimizer.dispose();
    model.dispose();
  };

  // The CIFAR stem; bottlenecks with tweaks B, C (three 3×3 stem convs) and D (pooled shortcut);
  // ResNet-A's 7×7/2 stem on 3 channels (zero-padded to 4).
  it.each([
    { ...BASE },
    { ...BASE, model: 'resnet26', input: 64, tweakB: true, tweakC: true, tweakD: true } as const,
    { ...BASE, model: 'resnet50', input: 64 } as const,
  ])('$model at $input px: the first step needs no other pipeline of ours', (options) =>
    firstStepNeedsNoOtherPipeline(options, F32_OPS),
  );

  // FP16 adds the FC layer's GEMM kernels; width 6/64 gives 6-channel convolutions, which the
  // direct kernels cannot take (tiled kernels with scalar loads run them).
  it.each(['f16', 'emulated'] as const)(
    'FP16 (%s): the first step needs no other pipeline of ours, FC and tiled convs included',
    (precision) => firstStepNeedsNoOtherPipeline({ ...BASE, width: 0.09375 }, f16Ops(precision)),
  );

  // FP16 storage: packed activations, the packed layout's kernels, both arithmetics.
  it.each(['f16', 'f32'] as const)(
    'f16 storage, %s arithmetic: the first step needs no other pipeline of ours',
    (arithmetic) => {
      installPackedGradientAccumulation();
      return firstStepNeedsNoOtherPipeline({ ...BASE, width: 0.09375 }, packedOps(arithmetic));
    },
  );

  it('one pipeline per kernel size, stride and padding, not per layer', () => {
    const spec = buildResNetSpec(BASE);
    const unique = new Set(trainingShaders(spec, F32_OPS, BASE.input, 2).map((s) => s.code));
    // Fused BN (4, and 4 with subgroup shuffles where the device has them), residual (2), NAG (in place, 1 and 2 parameters per dispatch at the default
    // limits, and out of place: 3), BN running statistics (likewise 3), colour and normalization
    // (2: normalized, and raw for the preview), cross-entropy (3: forward, backward, and the sum
    // of a spread-out forward), sum of split filter gradients (1), and 3 kernels × {3×3/1, 3×3/2,
    // 1×1/2}.
    const bn = subgroupShuffleWidthOfDevice() === null ? 4 : 8;
    expect(unique.size).toBe(bn + 2 + 3 + 3 + 2 + 3 + 1 + 3 * 3);
  });

  it('a compile-only dry run changes no weight and leaves tfjs ready for the real step', async () => {
    const spec = buildResNetSpec({ ...BASE, model: 'resnet10', classes: 10 });
    const model = createResNetModel(spec, 32, createRng(3), F32_OPS);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const targets = tf.cast(tf.oneHot(tf.tensor1d([4, 7], 'int32'), 10), 'float32') as tf.Tensor2D;
    const lossOf = () => tf.tidy(() => softCrossEntropy(targets, model.forward(x, true).logits));
    const before = await Promise.all(model.parameters.map((p) => p.variable.data()));
    const tensors = tf.memory().numTensors;
    const compiling = compileTfjsShadersAhead(() => {
      tf.tidy(() => {
        tf.variableGrads(
          lossOf,
          model.parameters.map((p) => p.variable),
        );
      });
    });
    // Whoever waits for the pass (the worker's preview does) finds every tfjs pipeline built.
    await compileAheadSettled();
    const cache = (tf.backend() as unknown as { pipelineCache: Record<string, unknown> })
      .pipelineCache;
    expect(Object.values(cache).some((p) => p instanceof Promise)).toBe(false);
    await compiling;
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await Promise.all(model.parameters.map((p) => p.variable.data()));
    expect(after).toEqual(before);
    expect(tf.env().getBool('WEBGPU_ENGINE_COMPILE_ONLY')).toBe(false);
    const loss = lossOf();
    const value = (await loss.data())[0]!;
    expect(Number.isFinite(value) && value > 0).toBe(true);
    tf.dispose([x, targets, loss]);
    model.dispose();
  });
});
