import { describe, expect, it } from 'vitest';
import {
  mean,
  meanBand,
  pairedInterval,
  sampleStd,
  studentTCdf,
  studentTQuantile,
} from './statistics';

describe('mean and sample standard deviation', () => {
  it('match values worked by hand', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    // Σ(x − 2.5)² = 2.25 + 0.25 + 0.25 + 2.25 = 5, over n − 1 = 3.
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(sampleStd([76.2, 76.4])).toBeCloseTo(0.141421, 5);
  });

  it('have nothing to say about too few values', () => {
    expect(mean([])).toBeNull();
    expect(sampleStd([])).toBeNull();
    expect(sampleStd([3])).toBeNull();
  });
});

describe('Student t', () => {
  it('two-sided 95% quantiles match the printed table', () => {
    // t_{0.975, df} from any statistics table, three decimals.
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [9, 2.262],
      [30, 2.042],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it('other levels and the normal limit', () => {
    expect(studentTQuantile(0.95, 10)).toBeCloseTo(1.812, 3);
    expect(studentTQuantile(0.995, 5)).toBeCloseTo(4.032, 3);
    expect(studentTQuantile(0.975, 100000)).toBeCloseTo(1.96, 2);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776, 3);
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });

  it('the CDF: symmetric, and Cauchy for one degree of freedom', () => {
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12);
    // df = 1 is the Cauchy distribution: P(T ≤ 1) = 1/2 + arctan(1)/π = 3/4.
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 10);
    // df = 2: P(T ≤ t) = 1/2 + t / (2√(2 + t²)); t = 2 gives 1/2 + 2/(2√6).
    expect(studentTCdf(2, 2)).toBeCloseTo(0.5 + 1 / Math.sqrt(6), 10);
    expect(studentTCdf(-1.5, 6) + studentTCdf(1.5, 6)).toBeCloseTo(1, 12);
  });

  it('refuses impossible arguments', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, 0)).toThrow(RangeError);
  });
});

describe('95% interval of paired differences', () => {
  it('a difference clear of the noise', () => {
    // d = 0.5, 0.7, 0.6, 0.8, 0.4: d̄ = 0.6, s = √(0.1/4) = 0.158114, s/√5 = 0.0707107,
    // t_{0.975,4} = 2.776445, half-width 0.196324.
    const ci = pairedInterval([0.5, 0.7, 0.6, 0.8, 0.4])!;
    expect(ci.n).toBe(5);
    expect(ci.mean).toBeCloseTo(0.6, 12);
    expect(ci.std).toBeCloseTo(0.158114, 6);
    expect(ci.low).toBeCloseTo(0.403676, 5);
    expect(ci.high).toBeCloseTo(0.796324, 5);
    expect(ci.withinNoise).toBe(false);
  });

  it('a difference within the noise', () => {
    // d = 1, 2, 3: d̄ = 2, s = 1, t_{0.975,2} = 4.302653, half-width 4.302653/√3 = 2.484138.
    const ci = pairedInterval([1, 2, 3])!;
    expect(ci.low).toBeCloseTo(-0.484138, 5);
    expect(ci.high).toBeCloseTo(4.484138, 5);
    expect(ci.withinNoise).toBe(true);
  });

  it('pairing removes the seed-to-seed spread both rows share', () => {
    // Rows 70/75/80 and 69/74/79 overlap completely, yet every seed is 1 point better.
    const ci = pairedInterval([70 - 69, 75 - 74, 80 - 79])!;
    expect(ci.low).toBe(1);
    expect(ci.high).toBe(1);
    expect(ci.withinNoise).toBe(false);
  });

  it('no interval from a single pair', () => {
    expect(pairedInterval([0.3])).toBeNull();
    expect(pairedInterval([])).toBeNull();
  });
});

describe('mean curve with min–max band', () => {
  it('averages at the x values every curve has', () => {
    const band = meanBand([
      [
        { x: 1, y: 1 },
        { x: 2, y: 4 },
        { x: 3, y: null },
      ],
      [
        { x: 1, y: 3 },
        { x: 2, y: 2 },
        { x: 3, y: 5 },
        { x: 4, y: 6 },
      ],
    ]);
    expect(band).toEqual([
      { x: 1, mean: 2, min: 1, max: 3 },
      { x: 2, mean: 3, min: 2, max: 4 },
    ]);
    expect(meanBand([])).toEqual([]);
  });
});
