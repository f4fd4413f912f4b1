import * as tf from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../data/dataset';
import { logitGap } from '../tricks';
import type { EvalResult } from '../run/events';
import { evaluateSegmentation } from './evaluate-segmentation';
import type { ResNetModel } from './model';
import { gatherImages, preprocessBatch, validationAugmentation } from './preprocess';

/** Validation metrics of a whole split, in eval mode with the validation transform. */

export type EvalMetrics = Omit<EvalResult, 'epoch' | 'step'>;

/** Rank of the true class among the logits (0 = top-1). */
function rankOfLabel(logits: Float32Array, offset: number, classes: number, label: number): number {
  const target = logits[offset + label]!;
  let rank = 0;
  for (let k = 0; k < classes; k++) {
    const v = logits[offset + k]!;
    if (v > target || (v === target && k < label)) rank++;
  }
  return rank;
}

function argmaxAt(logits: Float32Array, offset: number, classes: number): number {
  let best = 0;
  for (let k = 1; k < classes; k++) if (logits[offset + k]! > logits[offset + best]!) best = k;
  return best;
}

function logSoftmaxAt(
  logits: Float32Array,
  offset: number,
  classes: number,
  index: number,
): number {
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, logits[offset + k]!);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(logits[offset + k]! - max);
  return logits[offset + index]! - max - Math.log(sum);
}

/**
 * Every batch has `batchSize` images (the last one padded with repeats, ignored in the metrics),
 * so the GPU programs compile once.
 */
export async function evaluate(
  model: ResNetModel,
  split: ImageSplit,
  height: number,
  width: number,
  batchSize: number,
): Promise<EvalMetrics> {
  if (split.masks) return evaluateSegmentation(model, split, height, width, batchSize);
  const classes = model.classes;
  const imageSize = height * width * 3;
  const augmentation = validationAugmentation(batchSize, height, width);
  let lossSum = 0;
  let top1 = 0;
  let top5 = 0;
  const gaps: number[] = [];
  const predictions: number[] = [];
  const confidences: number[] = [];
  const labels: number[] = [];
  for (let start = 0; start < split.count; start += batchSize) {
    const real = Math.min(batchSize, split.count - start);
    const indices = Array.from({ length: batchSize }, (_, i) => start + (i < real ? i : 0));
    const pixels = gatherImages(split, indices, imageSize);
    const logitsTensor = tf.tidy(() =>
      model.predict(preprocessBatch(pixels, batchSize, height, width, augmentation, model.input)),
    );
    const logits = (await logitsTensor.data()) as Float32Array;
    logitsTensor.dispose();
    for (let i = 0; i < real; i++) {
      const offset = i * classes;
      const label = split.labels[start + i]!;
      lossSum -= logSoftmaxAt(logits, offset, classes, label);
      const rank = rankOfLabel(logits, offset, classes, label);
      if (rank < 1) top1++;
      if (rank < 5) top5++;
      gaps.push(logitGap(logits.subarray(offset, offset + classes)));
      const predicted = argmaxAt(logits, offset, classes);
      predictions.push(predicted);
      confidences.push(Math.exp(logSoftmaxAt(logits, offset, classes, predicted)));
      labels.push(label);
    }
  }
  const n = split.count;
  return {
    valLoss: lossSum / n,
    top1: top1 / n,
    top5: classes > 5 ? top5 / n : null,
    gaps,
    meanGap: gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length),
    predictions,
    confidences,
    labels,
  };
}
