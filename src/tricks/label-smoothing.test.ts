import { describe, expect, it } from 'vitest';
import {
  logitGap,
  smoothedTarget,
  smoothingValues,
  theoreticalLogitGap,
  uniformSmoothingLogitGap,
} from './label-smoothing';

describe('label smoothing (paper Eq. 4–5)', () => {
  it('puts 1 − ε on the true class and ε/(K − 1) on the others', () => {
    const t = smoothedTarget(2, 10, 0.1);
    expect(t[2]).toBeCloseTo(0.9, 15);
    expect(t[0]).toBeCloseTo(0.1 / 9, 15);
    expect(t.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(smoothingValues(10, 0)).toEqual({ on: 1, off: 0 });
  });

  it('gives the theoretical gap of Eq. 5', () => {
    expect(theoreticalLogitGap(1000, 0.1)).toBeCloseTo(9.104, 3); // the paper's "around 9.1"
    expect(theoreticalLogitGap(10, 0.1)).toBeCloseTo(Math.log(81), 12); // 4.394
    expect(theoreticalLogitGap(10, 0)).toBe(Infinity);
    expect(theoreticalLogitGap(10, 0.9)).toBeCloseTo(0, 12); // ε = (K − 1)/K: all logits equal
  });

  it('documents the ε/K variant of other libraries', () => {
    expect(uniformSmoothingLogitGap(10, 0.1)).toBeCloseTo(Math.log(91), 12); // 4.51
  });

  it('measures the empirical gap as max minus mean of the rest', () => {
    expect(logitGap([1, 2, 3, 6])).toBe(4);
    expect(logitGap([6, 1, 2, 3])).toBe(4);
    expect(logitGap([-1, -1])).toBe(0);
  });
});
