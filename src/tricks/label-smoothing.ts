/** Label smoothing as the paper defines it (§5.2, Eq. 4 and 5). */

/** Eq. 4: the true class gets 1 − ε, each of the other K − 1 classes ε/(K − 1). */
export function smoothingValues(classes: number, epsilon: number): { on: number; off: number } {
  if (classes < 2) return { on: 1, off: 0 };
  return { on: 1 - epsilon, off: epsilon / (classes - 1) };
}

export function smoothedTarget(label: number, classes: number, epsilon: number): Float64Array {
  const { on, off } = smoothingValues(classes, epsilon);
  const target = new Float64Array(classes).fill(off);
  target[label] = on;
  return target;
}

/** Eq. 5: the optimal gap log((K − 1)(1 − ε)/ε) between the true logit and the others; ∞ at ε = 0. */
export function theoreticalLogitGap(classes: number, epsilon: number): number {
  if (epsilon <= 0) return Infinity;
  return Math.log(((classes - 1) * (1 - epsilon)) / epsilon);
}

export const THEORETICAL_GAP_FORMULA = 'log((K − 1)(1 − ε)/ε)';

/**
 * The gap for the variant of GluonCV, timm and fastai, which put ε/K on every class (the true one
 * gets 1 − ε + ε/K): log(K(1 − ε)/ε + 1). Shown only for comparison.
 */
export function uniformSmoothingLogitGap(classes: number, epsilon: number): number {
  if (epsilon <= 0) return Infinity;
  return Math.log((classes * (1 - epsilon)) / epsilon + 1);
}

/** The empirical gap of one image (Fig. 4b): max logit minus the mean of the other logits. */
export function logitGap(logits: ArrayLike<number>): number {
  const n = logits.length;
  if (n < 2) return 0;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = logits[i]!;
    sum += v;
    if (v > max) max = v;
  }
  return max - (sum - max) / (n - 1);
}
