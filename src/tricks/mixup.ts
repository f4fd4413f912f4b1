import type { Rng } from './random';

/** Mixup (§5.4, Eq. 7–8): x̂ = λx_i + (1 − λ)x_j, ŷ = λy_i + (1 − λ)y_j, λ ~ Beta(α, α). */

export function sampleMixupLambda(rng: Rng, alpha: number): number {
  if (alpha <= 0) return 1;
  return rng.beta(alpha, alpha);
}

export function mixVectors(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  lambda: number,
): Float64Array {
  if (a.length !== b.length) throw new RangeError('mixup: vectors differ in length');
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = lambda * a[i]! + (1 - lambda) * b[i]!;
  return out;
}

/**
 * The partner of each example in a mixed batch: the batch reversed (as GluonCV does), so every
 * example is mixed with another one of the same batch without a second gather.
 */
export function mixupPartner(index: number, batchSize: number): number {
  return batchSize - 1 - index;
}
