/**
 * The two segmentation metrics of the paper's Table 9, pixel accuracy and mean IoU, from a
 * confusion matrix. The matrix is summed over the whole evaluation set before either metric is
 * taken (as PSPNet's and Zhang et al.'s evaluation code do), so a large image weighs more than a
 * small one and a class's IoU is not an average of per-image IoUs.
 */

export interface Confusion {
  classes: number;
  /** classes × classes counts, row = truth, column = prediction. */
  counts: Float64Array;
}

export interface ConfusionOptions {
  /** Truth label of unlabelled pixels; they are not counted (ADE20K's "other" in the paper). */
  ignoreLabel?: number;
}

export function emptyConfusion(classes: number): Confusion {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new RangeError(`classes must be a positive integer, got ${classes}`);
  }
  return { classes, counts: new Float64Array(classes * classes) };
}

/** Adds one label map pair to `confusion` in place; returns it. */
export function accumulateConfusion(
  confusion: Confusion,
  predicted: Uint8Array,
  truth: Uint8Array,
  { ignoreLabel }: ConfusionOptions = {},
): Confusion {
  const { classes, counts } = confusion;
  if (predicted.length !== truth.length) {
    throw new RangeError(`predicted has ${predicted.length} pixels, truth ${truth.length}`);
  }
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    if (t === ignoreLabel) continue;
    const p = predicted[i]!;
    if (t >= classes || p >= classes) {
      throw new RangeError(`pixel ${i}: label ${t >= classes ? t : p} is not below ${classes}`);
    }
    counts[t * classes + p]!++;
  }
  return confusion;
}

export function confusionOf(
  predicted: Uint8Array,
  truth: Uint8Array,
  classes: number,
  options: ConfusionOptions = {},
): Confusion {
  return accumulateConfusion(emptyConfusion(classes), predicted, truth, options);
}

/** Σ diagonal / Σ all: the fraction of counted pixels labelled right. NaN with no pixels. */
export function pixelAccuracy({ classes, counts }: Confusion): number {
  let correct = 0;
  let total = 0;
  for (let t = 0; t < classes; t++) {
    for (let p = 0; p < classes; p++) total += counts[t * classes + p]!;
    correct += counts[t * classes + t]!;
  }
  return correct / total;
}

/** TP / (TP + FP + FN) of each class; NaN for a class absent from both truth and prediction. */
export function classIoU({ classes, counts }: Confusion): number[] {
  const iou: number[] = [];
  for (let k = 0; k < classes; k++) {
    let truthK = 0;
    let predictedK = 0;
    for (let j = 0; j < classes; j++) {
      truthK += counts[k * classes + j]!;
      predictedK += counts[j * classes + k]!;
    }
    const tp = counts[k * classes + k]!;
    const union = truthK + predictedK - tp;
    iou.push(union === 0 ? NaN : tp / union);
  }
  return iou;
}

/**
 * Mean of classIoU over the classes present in truth or prediction; every class counts,
 * background included (here it is a real class the model must predict, as in PASCAL VOC's 21).
 * A class absent from both has IoU 0/0 and is left out rather than scored 0: on a small set
 * (one scene, a few batches) most of the 11 classes are absent and scoring them 0 would measure
 * the sample, not the model. Zhang et al.'s code divides by union + ε, which scores such a class
 * 0, but on the full ADE20K validation set every class occurs, so the two agree there.
 * NaN when no class is present.
 */
export function meanIoU(confusion: Confusion): number {
  let sum = 0;
  let present = 0;
  for (const iou of classIoU(confusion)) {
    if (Number.isNaN(iou)) continue;
    sum += iou;
    present++;
  }
  return sum / present;
}
