import * as tf from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../data/dataset';
import { cropMasks, gatherMasks } from '../data/mask-crop';
import {
  accumulateConfusion,
  emptyConfusion,
  meanIoU,
  pixelAccuracy,
} from '../experiments/segmentation-metrics';
import type { EvalResult } from '../run/events';
import type { ResNetModel } from './model';
import { gatherImages, preprocessBatch, validationAugmentation } from './preprocess';

/** Validation metrics of an FCN (model.spec.head) on a split with masks: Table 9's, per pixel. */

type EvalMetrics = Omit<EvalResult, 'epoch' | 'step'>;

/** Predicted masks kept for the page's previews: the first validation images'. */
export const PREVIEW_MASKS = 4;

/**
 * Per pixel on the GPU: the predicted class, −log softmax of the true class and the logit gap
 * (max − mean of the others, Fig. 4b's measure), so that three numbers per pixel come back instead
 * of the K logits.
 */
function perPixel(logits: tf.Tensor2D, truth: Int32Array, classes: number) {
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits);
    const oneHot = tf.oneHot(tf.tensor1d(truth, 'int32'), classes);
    const nll = tf.neg(tf.sum(tf.mul(logProbabilities, oneHot), 1));
    const max = tf.max(logits, 1);
    const gap = tf.sub(max, tf.div(tf.sub(tf.sum(logits, 1), max), classes - 1));
    return { predicted: tf.argMax(logits, 1), nll, gap };
  });
}

export async function evaluateSegmentation(
  model: ResNetModel,
  split: ImageSplit,
  height: number,
  width: number,
  batchSize: number,
): Promise<EvalMetrics> {
  const { masks } = split;
  if (!masks) throw new Error('segmentation needs a split with masks');
  const classes = model.classes;
  const size = model.input;
  const pixels = size * size;
  const augmentation = validationAugmentation(batchSize, height, width);
  const confusion = emptyConfusion(classes);
  let lossSum = 0;
  let gapSum = 0;
  const gaps: number[] = [];
  const predictedMasks: number[][] = [];
  for (let start = 0; start < split.count; start += batchSize) {
    const real = Math.min(batchSize, split.count - start);
    // Every batch full (the last padded with repeats, left out below): one compiled shape.
    const indices = Array.from({ length: batchSize }, (_, i) => start + (i < real ? i : 0));
    const truth = cropMasks(
      gatherMasks(masks, indices, height * width),
      augmentation.boxes,
      batchSize,
      height,
      width,
      size,
    );
    const images = gatherImages(split, indices, height * width * 3);
    const out = tf.tidy(() =>
      perPixel(
        model.predict(preprocessBatch(images, batchSize, height, width, augmentation, size)),
        truth,
        classes,
      ),
    );
    const [predicted, nll, gap] = (await Promise.all([
      out.predicted.data(),
      out.nll.data(),
      out.gap.data(),
    ])) as [Int32Array, Float32Array, Float32Array];
    tf.dispose([out.predicted, out.nll, out.gap]);
    const counted = real * pixels;
    accumulateConfusion(
      confusion,
      Uint8Array.from(predicted.subarray(0, counted)),
      Uint8Array.from(truth.subarray(0, counted)),
    );
    for (let i = 0; i < counted; i++) lossSum += nll[i]!;
    for (let image = 0; image < real; image++) {
      let sum = 0;
      for (let p = image * pixels; p < (image + 1) * pixels; p++) sum += gap[p]!;
      gaps.push(sum / pixels);
      gapSum += sum;
      if (start + image < PREVIEW_MASKS) {
        predictedMasks.push(Array.from(predicted.subarray(image * pixels, (image + 1) * pixels)));
      }
    }
  }
  const counted = split.count * pixels;
  const accuracy = pixelAccuracy(confusion);
  return {
    valLoss: lossSum / counted,
    top1: accuracy,
    top5: null,
    gaps,
    meanGap: gapSum / counted,
    pixelAccuracy: accuracy,
    mIoU: meanIoU(confusion),
    predictedMasks,
  };
}
