import { describe, expect, it } from 'vitest';
import { createRng } from './random';
import { mixupPartner, mixVectors, sampleMixupLambda } from './mixup';

function stats(xs: number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, variance };
}

describe('seeded random numbers', () => {
  it('is reproducible from the seed and differs between seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws normals with the right moments', () => {
    const rng = createRng(1);
    const { mean, variance } = stats(Array.from({ length: 40000 }, () => rng.normal(2, 3)));
    expect(mean).toBeCloseTo(2, 1);
    expect(Math.sqrt(variance)).toBeCloseTo(3, 1);
  });

  it('draws Beta(α, β) with mean α/(α+β) and variance αβ/((α+β)²(α+β+1))', () => {
    const rng = createRng(3);
    const mixup = stats(Array.from({ length: 40000 }, () => rng.beta(0.2, 0.2)));
    expect(mixup.mean).toBeCloseTo(0.5, 2);
    expect(mixup.variance).toBeCloseTo(0.04 / (0.16 * 1.4), 2); // 0.1786
    const skewed = stats(Array.from({ length: 40000 }, () => rng.beta(2, 5)));
    expect(skewed.mean).toBeCloseTo(2 / 7, 2);
    expect(skewed.variance).toBeCloseTo(10 / (49 * 8), 3); // 0.0255
  });

  it('makes permutations', () => {
    const p = createRng(5).permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('mixup (paper Eq. 7–8)', () => {
  it('λ = 1 (no mixing) when α = 0, and λ in [0, 1] otherwise', () => {
    const rng = createRng(9);
    expect(sampleMixupLambda(rng, 0)).toBe(1);
    for (let i = 0; i < 1000; i++) {
      const l = sampleMixupLambda(rng, 0.2);
      expect(l >= 0 && l <= 1).toBe(true);
    }
  });

  it('mixes vectors linearly and pairs each example with the reversed batch', () => {
    expect([...mixVectors([1, 0], [0, 1], 0.7)]).toEqual([0.7, 0.30000000000000004]);
    expect([0, 1, 2, 3].map((i) => mixupPartner(i, 4))).toEqual([3, 2, 1, 0]);
  });
});
