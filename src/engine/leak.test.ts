import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildResNetSpec, resnetOptionsFromConfig } from '../architecture';
import { parseQuery } from '../config';
import { createRng, sampleAugmentationBatch, sampleMixupLambda } from '../tricks';
import { initNodeBackend } from './backend-node';
import { createResNetModel } from './model';
import { createNagOptimizer } from './optimizer';
import { gatherImages, gatherLabels } from './preprocess';
import { trainStep, type StepContext } from './step';
import { randomDataset } from './test-utils';

/**
 * No tensor may leak across training steps: the count after step 1 equals the count after step N.
 * N = ENGINE_LEAK_STEPS (default 200: ~75 s on lavapipe with 2 cores, ~0.37 s per step).
 */
const STEPS = Number(process.env.ENGINE_LEAK_STEPS ?? 200);

beforeAll(async () => {
  await initNodeBackend();
});

describe('training step', () => {
  it(`leaks no tensor over ${STEPS} steps (augmentation, smoothing, mixup, distillation)`, async () => {
    const { config } = parseQuery(
      'model=resnet10&width=0.0625&batch=8&label_smoothing=0.1&mixup=0.2',
    );
    const dataset = randomDataset(1, 32, 8);
    const spec = buildResNetSpec(resnetOptionsFromConfig(config, 10));
    const model = createResNetModel(spec, config.input, createRng(1));
    const teacher = createResNetModel(spec, config.input, createRng(2));
    const optimizer = createNagOptimizer(model.parameters, config.wd, true);
    const ctx: StepContext = {
      model,
      optimizer,
      teacher,
      classes: 10,
      labelSmoothing: config.label_smoothing,
      temperature: 20,
      height: 32,
      width: 32,
    };
    const rng = createRng(3);
    const counts: number[] = [];
    const started = performance.now();
    for (let step = 0; step < STEPS; step++) {
      const indices = rng.permutation(32).subarray(0, config.batch);
      const loss = trainStep(
        ctx,
        {
          pixels: gatherImages(dataset.train, indices, 32 * 32 * 3),
          labels: gatherLabels(dataset.train, indices),
          count: config.batch,
          augmentation: sampleAugmentationBatch(rng, config.batch, 32, 32, {
            crop: true,
            flip: true,
            jitter: true,
            pca: true,
          }),
          mixupLambda: sampleMixupLambda(rng, config.mixup),
        },
        0.05,
      );
      expect(Number.isFinite((await loss.data())[0])).toBe(true);
      loss.dispose();
      counts.push(tf.memory().numTensors);
    }
    const perStep = (performance.now() - started) / STEPS;
    console.log(`leak test: ${STEPS} steps, ${perStep.toFixed(0)} ms/step incl. warm-up`);
    expect(counts.at(-1)).toBe(counts[0]);
    expect(new Set(counts).size).toBe(1);
    optimizer.dispose();
    model.dispose();
    teacher.dispose();
  });
});
