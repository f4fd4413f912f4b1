/**
 * What a trained run gets right and wrong on the validation set, from the per-image predictions
 * of its last evaluation: the confusion matrix, per-class accuracy and a sample of images to show.
 */

export interface PredictionSet {
  labels: readonly number[];
  predictions: readonly number[];
  confidences: readonly number[];
}

/** matrix[true][predicted] = number of images. */
export function confusionMatrix(set: PredictionSet, classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  set.labels.forEach((label, i) => {
    const predicted = set.predictions[i]!;
    if (label < classes && predicted < classes) matrix[label]![predicted]!++;
  });
  return matrix;
}

/** Correct / total per true class; null for a class without validation images. */
export function perClassAccuracy(matrix: number[][]): (number | null)[] {
  return matrix.map((row, k) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? null : row[k]! / total;
  });
}

/** The most frequent confusions (true → predicted, off the diagonal), most first. */
export function topConfusions(
  matrix: number[][],
  count: number,
): { label: number; predicted: number; images: number }[] {
  const pairs: { label: number; predicted: number; images: number }[] = [];
  matrix.forEach((row, label) =>
    row.forEach((images, predicted) => {
      if (predicted !== label && images > 0) pairs.push({ label, predicted, images });
    }),
  );
  return pairs.sort((a, b) => b.images - a.images || a.label - b.label).slice(0, count);
}

/**
 * Up to `count` image indices to show: half the most confident mistakes (the instructive ones),
 * the rest correct predictions in validation order; deterministic for a given set.
 */
export function sampleIndices(set: PredictionSet, count: number): number[] {
  const wrong: number[] = [];
  const right: number[] = [];
  set.labels.forEach((label, i) => (set.predictions[i] === label ? right : wrong).push(i));
  wrong.sort((a, b) => set.confidences[b]! - set.confidences[a]! || a - b);
  const half = Math.ceil(count / 2);
  // When there are too few correct images, the remaining mistakes fill the rest.
  return [...wrong.slice(0, half), ...right, ...wrong.slice(half)].slice(0, count);
}
