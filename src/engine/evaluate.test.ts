import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSplit } from '../data/dataset';
import { initNodeBackend } from './backend-node';
import { evaluate } from './evaluate';
import type { ResNetModel } from './model';

beforeAll(async () => {
  await initNodeBackend();
});

const CLASSES = 6;
const SIZE = 8;

/**
 * A model whose logits are given by hand: the n-th call to predict returns the n-th batch of
 * `rows` (evaluate predicts batch after batch, in order); rows past the end pad the last batch.
 */
function scriptedModel(rows: number[][], batchSize: number): ResNetModel {
  let call = 0;
  const predict = (): tf.Tensor2D => {
    const batch = Array.from(
      { length: batchSize },
      (_, i) => rows[call * batchSize + i] ?? Array<number>(CLASSES).fill(100),
    );
    call++;
    return tf.tensor2d(batch, [batchSize, CLASSES]);
  };
  return { classes: CLASSES, input: SIZE, predict } as unknown as ResNetModel;
}

function split(labels: number[]): ImageSplit {
  return {
    images: new Uint8Array(labels.length * SIZE * SIZE * 3).fill(128),
    labels: Int32Array.from(labels),
    count: labels.length,
  };
}

describe('evaluate on hand-made logits', () => {
  it('top-1, top-5, validation loss, logit gap, predictions and confidences', async () => {
    const logits = [
      [0, 1, 5, 2, 0, 0], // label 2: the largest, top-1
      [1, 4, 3, 2, 0.5, 0], // label 0: 4th largest, top-5 only
      [6, 5, 4, 3, 2, 1], // label 5: the smallest of six, neither
    ];
    // Batch 2: the second batch holds one image and one padding row, which must not count.
    const metrics = await evaluate(scriptedModel(logits, 2), split([2, 0, 5]), SIZE, SIZE, 2);
    expect(metrics.top1).toBeCloseTo(1 / 3, 12);
    expect(metrics.top5).toBeCloseTo(2 / 3, 12);
    // −log softmax of the label: 0.084632, 3.470950, 5.456193; mean 3.003925.
    expect(metrics.valLoss).toBeCloseTo(3.003925, 5);
    // Max logit minus the mean of the other five: 5 − 0.6, 4 − 1.3, 6 − 3.
    expect(metrics.gaps).toHaveLength(3);
    expect(metrics.gaps[0]).toBeCloseTo(4.4, 5);
    expect(metrics.gaps[1]).toBeCloseTo(2.7, 5);
    expect(metrics.gaps[2]).toBeCloseTo(3, 5);
    expect(metrics.meanGap).toBeCloseTo(10.1 / 3, 5);
    expect(metrics.predictions).toEqual([2, 1, 0]);
    expect(metrics.labels).toEqual([2, 0, 5]);
    // Softmax probability of the predicted class: 0.918850, 0.624409, 0.633691.
    expect(metrics.confidences![0]).toBeCloseTo(0.91885, 5);
    expect(metrics.confidences![1]).toBeCloseTo(0.624409, 5);
    expect(metrics.confidences![2]).toBeCloseTo(0.633691, 5);
  });

  it('has no top-5 with five classes or fewer', async () => {
    const fiveClasses = {
      classes: 5,
      input: SIZE,
      predict: () => tf.tensor2d([[0, 1, 2, 3, 4]], [1, 5]),
    } as unknown as ResNetModel;
    const metrics = await evaluate(fiveClasses, split([4]), SIZE, SIZE, 1);
    expect(metrics.top1).toBe(1);
    expect(metrics.top5).toBeNull();
  });
});
