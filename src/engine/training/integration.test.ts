import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildResNetSpec } from '../../architecture';
import { parseQuery } from '../../config';
import { generateSyntheticDataset } from '../../data/synthetic';
import { createRng, epochStreams, sampleAugmentationBatch } from '../../tricks';
import type { TrainerEvent } from '../../run/events';
import { initNodeBackend } from '../backend-node';
import { createResNetModel, type ResNetModel } from '../model';
import { createNagOptimizer } from '../optimizer';
import { preprocessBatch } from '../preprocess';
import { trainStep } from '../step';
import { createTrainer } from '../trainer';
import { tinyResNetOptions } from '../test-utils';

/** The trainer and the step wired together: what reaches the optimizer and the teacher. */

beforeAll(async () => {
  await initNodeBackend();
});

describe('the learning rate the trainer applies', () => {
  it('follows warmup then step decay, per batch (hand values)', async () => {
    // 32 images at batch 8: 4 steps per epoch; 1 warmup epoch = 4 steps; 4 epochs = 16 steps.
    // Warmup: η·i/4 for i = 1..4 (η = 0.1, no linear scaling); then step decay ÷10 at ¼, ½, ¾ of
    // the 16 steps (steps 4, 8, 12, counted from 0).
    const { config } = parseQuery(
      'model=resnet10&width=0.0625&batch=8&train_size=32&val_size=8&epochs=4&warmup=1&lr=0.1&kernels=direct',
    );
    const dataset = generateSyntheticDataset({ seed: 1, trainSize: 32, valSize: 8 });
    const events: TrainerEvent[] = [];
    const result = await createTrainer({ config, dataset, onEvent: (e) => events.push(e) }).run();
    const lrs = events.flatMap((e) => (e.type === 'train-points' ? e.points.map((p) => p.lr) : []));
    const expected = [
      0.025, 0.05, 0.075, 0.1, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001, 0.0001, 0.0001,
      0.0001, 0.0001,
    ];
    expect(lrs.length).toBe(16);
    lrs.forEach((lr, i) => expect(lr).toBeCloseTo(expected[i]!, 10));
    result!.dispose();
  });
});

/** `model` with its inputs kept (forward in training, predict for a teacher). */
function recording(model: ResNetModel, inputs: tf.Tensor[]): ResNetModel {
  return {
    ...model,
    forward: (x, training) => {
      inputs.push(tf.keep(tf.clone(x)));
      return model.forward(x, training);
    },
    predict: (x) => {
      inputs.push(tf.keep(tf.clone(x)));
      return model.predict(x);
    },
  };
}

describe('distillation', () => {
  it('the teacher sees exactly the augmented, mixed batch the student trains on', async () => {
    const dataset = generateSyntheticDataset({ seed: 3, trainSize: 8, valSize: 8 });
    const spec = buildResNetSpec(tinyResNetOptions());
    const studentInputs: tf.Tensor[] = [];
    const teacherInputs: tf.Tensor[] = [];
    const studentModel = createResNetModel(spec, 32, createRng(1));
    const teacherModel = createResNetModel(spec, 32, createRng(2));
    const student = recording(studentModel, studentInputs);
    const teacher = recording(teacherModel, teacherInputs);
    const optimizer = createNagOptimizer(student.parameters, 1e-4, true);
    const switches = { crop: true, flip: true, jitter: true, pca: true };
    const augmentation = sampleAugmentationBatch(epochStreams(1, 1).augment, 8, 32, 32, switches);
    const pixels = new Float32Array(dataset.train.images);
    const batch = {
      pixels,
      labels: dataset.train.labels,
      count: 8,
      augmentation,
      mixupLambda: 0.7,
    };
    const ctx = {
      model: student,
      optimizer,
      teacher,
      classes: 10,
      labelSmoothing: 0.1,
      temperature: 20,
      height: 32,
      width: 32,
    };
    tf.dispose(trainStep(ctx, batch, 0.01));
    expect(teacherInputs.length).toBe(1);
    expect(studentInputs.length).toBe(1);
    const seen = (await teacherInputs[0]!.data()) as Float32Array;
    expect(Array.from(seen)).toEqual(Array.from(await studentInputs[0]!.data()));
    // Augmented: not the plain centre crop; mixed: image 0 is 0.7·a₀ + 0.3·a₇ of the augmented a.
    const augmented = tf.tidy(() => preprocessBatch(pixels, 8, 32, 32, augmentation, 32));
    const a = await augmented.data();
    const size = 32 * 32 * 3;
    for (const k of [0, 100, size - 1]) {
      expect(seen[k]!).toBeCloseTo(0.7 * a[k]! + 0.3 * a[7 * size + k]!, 4);
    }
    const plain = tf.tidy(() =>
      preprocessBatch(
        pixels,
        8,
        32,
        32,
        sampleAugmentationBatch(epochStreams(1, 1).augment, 8, 32, 32, {
          crop: false,
          flip: false,
          jitter: false,
          pca: false,
        }),
        32,
      ),
    );
    expect(Array.from(a)).not.toEqual(Array.from(await plain.data()));
    tf.dispose([augmented, plain, ...teacherInputs, ...studentInputs]);
    optimizer.dispose();
    studentModel.dispose();
    teacherModel.dispose();
  });
});

describe('the last batch of an epoch', () => {
  it('a remainder of one image joins the batch before it: 17 images at batch 8 train in 2 steps (8 and 9), all 17 seen', async () => {
    const { config } = parseQuery(
      'model=resnet10&width=0.0625&batch=8&train_size=17&val_size=8&epochs=1&kernels=direct',
    );
    const dataset = generateSyntheticDataset({ seed: 1, trainSize: 17, valSize: 8 });
    const events: TrainerEvent[] = [];
    const result = await createTrainer({ config, dataset, onEvent: (e) => events.push(e) }).run();
    const steps = events.flatMap((e) => (e.type === 'train-points' ? e.points : []));
    expect(steps.map((p) => p.step)).toEqual([1, 2]);
    const evals = events.flatMap((e) => (e.type === 'eval' ? [e.result] : []));
    expect(evals.at(-1)!.imagesSeen).toBe(17);
    expect(result!.outcome).toBe('finished');
    result!.dispose();
  });
});
