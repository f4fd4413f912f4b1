import { expect } from 'vitest';

/**
 * Assertions shared by the packed kernels' tests (tests only): every element within
 * rel·scale + abs of the float64 reference, scale being Σ|terms| of that element.
 */
export function expectWithin(
  label: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  scale: ArrayLike<number>,
  rel: number,
  abs = 1e-6,
): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const ratio = Math.abs(got[i]! - want[i]!) / (rel * scale[i]! + abs);
    if (!(ratio <= worst)) {
      worst = Number.isNaN(ratio) ? Infinity : ratio;
      at = i;
    }
  }
  if (worst > 1) {
    throw new Error(
      `${label}: element ${at} got ${got[at]}, want ${want[at]} (${worst.toFixed(2)}× the bound)`,
    );
  }
}

/** f16 unit roundoff. */
export const U16 = 2 ** -11;

/** values[i] += v (a reference's accumulation, strict-index friendly). */
export function bump(values: Float64Array, i: number, v: number): void {
  values[i] = values[i]! + v;
}
