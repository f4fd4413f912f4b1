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

describe('evaluate on a split with masks (segmentation)', () => {
  it('pixel accuracy, mIoU, per-pixel loss and gap, and the predicted masks, from hand-made logits', async () => {
    // One 4×4 scene, 3 classes. The validation centre box (87.5%) samples source rows and
    // columns 0.19, 1.06, 1.94, 2.81: the mask itself.
    const truth = [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 0, 0, 2, 2, 0, 0];
    // Right everywhere but pixel 2 (truth 1, predicted 0) and pixel 15 (truth 0, predicted 2).
    const predicted = [...truth];
    predicted[2] = 0;
    predicted[15] = 2;
    const size = 4;
    const rows = predicted.map((p) => [0, 1, 2].map((k) => (k === p ? 5 : 0)));
    const batchSize = 2;
    const model = {
      classes: 3,
      input: size,
      // The second image of the batch is padding: logits 100 everywhere, left out.
      predict: () =>
        tf.tensor2d([...rows, ...rows.map(() => [100, 100, 100])], [batchSize * 16, 3]),
    } as unknown as ResNetModel;
    const scenes: ImageSplit = {
      images: new Uint8Array(16 * 3).fill(128),
      labels: Int32Array.of(1),
      masks: Uint8Array.from(truth),
      count: 1,
    };
    const m = await evaluate(model, scenes, size, size, batchSize);
    // Confusion (truth × predicted): [[7, 0, 1], [1, 3, 0], [0, 0, 4]].
    expect(m.pixelAccuracy).toBeCloseTo(14 / 16, 6);
    expect(m.top1).toBe(m.pixelAccuracy);
    expect(m.top5).toBeNull();
    // IoU: 7 / (8 + 8 − 7), 3 / (4 + 3 − 3), 4 / (4 + 5 − 4).
    expect(m.mIoU).toBeCloseTo((7 / 9 + 3 / 4 + 4 / 5) / 3, 6);
    // −log softmax of the truth: log(1 + 2e⁻⁵) where right, log(e⁵ + 2) where wrong.
    const loss = (14 * Math.log(1 + 2 * Math.exp(-5)) + 2 * Math.log(Math.exp(5) + 2)) / 16;
    expect(m.valLoss).toBeCloseTo(loss, 5);
    // Max 5, the others 0: a gap of 5 at every pixel.
    expect(m.meanGap).toBeCloseTo(5, 5);
    expect(m.gaps).toEqual([5]);
    expect(m.predictedMasks).toEqual([predicted]);
  });
});
