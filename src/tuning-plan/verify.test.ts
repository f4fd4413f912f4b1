import { describe, expect, it } from 'vitest';
import type { ConvShape } from './plan';
import {
  F32_TOLERANCE,
  f16Operand,
  f16OperandBits,
  mismatchOf,
  operandHash,
  outputSize,
  sampledConvReference,
  sampleIndices,
  uniformOperand,
  type Operand,
} from './verify';

/** An operand over fixed values. */
const of =
  (...values: number[]): Operand =>
  (i) =>
    values[i]!;
const ones: Operand = () => 1;
const none: Operand = () => Number.NaN;

/** A single-channel 3×3 image holding 1…9, row by row. */
const ONE_TO_NINE = Float32Array.from({ length: 9 }, (_, i) => i + 1);

const shape = (s: Partial<ConvShape>): ConvShape => ({
  batch: 1,
  inHeight: 3,
  inWidth: 3,
  inChannels: 1,
  outChannels: 1,
  kernelHeight: 3,
  kernelWidth: 3,
  stride: 1,
  pad: 1,
  ...s,
});

describe('sampled float64 references', () => {
  it('forward: a 3×3 box filter (pad 1) sums the neighbourhood', () => {
    const s = shape({});
    const ref = sampledConvReference(
      'forward',
      s,
      { x: (i) => ONE_TO_NINE[i]!, w: ones, dy: none },
      [0, 4, 8],
    );
    // Corner (0,0): 1+2+4+5; centre: 1+…+9; corner (2,2): 5+6+8+9.
    expect([...ref.values]).toEqual([12, 45, 28]);
    expect([...ref.magnitude]).toEqual([12, 45, 28]);
  });

  it('forward: magnitude is the sum of |terms|, not |sum|', () => {
    const s = shape({
      inHeight: 1,
      inWidth: 1,
      kernelHeight: 1,
      kernelWidth: 1,
      pad: 0,
      inChannels: 2,
    });
    const ref = sampledConvReference('forward', s, { x: of(3, 5), w: of(2, -1), dy: none }, [0]);
    // 3·2 + 5·(−1) = 1; |6| + |−5| = 11.
    expect(ref.values[0]).toBe(1);
    expect(ref.magnitude[0]).toBe(11);
  });

  it('inputGrad: stride 2 reaches each input from the outputs whose taps land on it', () => {
    // 3×3 input, 3×3 kernel of ones, stride 2, pad 1: a 2×2 output, dy = 1, 2, 3, 4.
    const s = shape({ stride: 2 });
    expect(outputSize('inputGrad', s)).toBe(9);
    const ref = sampledConvReference(
      'inputGrad',
      s,
      { x: none, w: ones, dy: of(1, 2, 3, 4) },
      [0, 1, 4],
    );
    // (0,0): only output (0,0) through tap (1,1). (0,1): outputs (0,0) and (0,1).
    // (1,1): all four outputs (taps (2,2), (2,0), (0,2), (0,0)).
    expect([...ref.values]).toEqual([1, 3, 10]);
  });

  it('filterGrad: a 1×1 kernel sums x·dy over the pixels, per channel pair', () => {
    // Two pixels, channels (a, b): x = (1, 10), (2, 20); dy = 3, 4 (one output channel).
    const s = shape({
      inHeight: 1,
      inWidth: 2,
      inChannels: 2,
      kernelHeight: 1,
      kernelWidth: 1,
      pad: 0,
    });
    const ref = sampledConvReference(
      'filterGrad',
      s,
      { x: of(1, 10, 2, 20), w: none, dy: of(3, 4) },
      [0, 1],
    );
    expect([...ref.values]).toEqual([1 * 3 + 2 * 4, 10 * 3 + 20 * 4]);
  });
});

describe('operands and samples', () => {
  it('sample indices are distinct, sorted, and include the first and the last output', () => {
    const picked = sampleIndices(10_000, 32);
    expect(picked).toHaveLength(32);
    expect(new Set(picked).size).toBe(32);
    expect(picked[0]).toBe(0);
    expect(picked.at(-1)).toBe(9_999);
    expect([...picked].sort((a, b) => a - b)).toEqual(picked);
    expect(sampleIndices(5, 32)).toEqual([0, 1, 2, 3, 4]);
  });

  it('the operand hash is PCG RXS-M-XS of one LCG step, as written out by hand', () => {
    // seed 0, index 0: state = 2891336453; word = ((state >>> 15) ^ state) · 277803737.
    const state = 2891336453;
    const word = Number(
      (BigInt(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0) * 277803737n) % 2n ** 32n,
    );
    expect(operandHash(0, 0)).toBe(((word >>> 22) ^ word) >>> 0);
    expect(operandHash(0, 1)).not.toBe(operandHash(0, 0));
    expect(operandHash(1, 0)).not.toBe(operandHash(0, 0));
  });

  it('uniform operands lie in [−1, 1), are exact f32 values and repeat for a seed', () => {
    const a = Array.from({ length: 10_000 }, (_, i) => uniformOperand(3)(i));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...a)).toBeLessThan(1);
    expect(Math.min(...a)).toBeLessThan(-0.99);
    expect(Math.max(...a)).toBeGreaterThan(0.99);
    for (const v of a) expect(Math.fround(v)).toBe(v);
    expect(uniformOperand(3)(17)).toBe(a[17]);
    expect(uniformOperand(4)(17)).not.toBe(a[17]);
  });

  it('f16 operands are normal f16 numbers of magnitude in [1/16, 1), their bits alongside', () => {
    for (let i = 0; i < 2_000; i++) {
      const v = f16Operand(5)(i);
      expect(Math.abs(v)).toBeGreaterThanOrEqual(1 / 16);
      expect(Math.abs(v)).toBeLessThan(1);
      const b = f16OperandBits(5, i);
      const exponent = (b >> 10) & 0x1f;
      expect(exponent).toBeGreaterThanOrEqual(11);
      expect(exponent).toBeLessThanOrEqual(14);
      expect(v).toBe((b & 0x8000 ? -1 : 1) * (1 + (b & 0x3ff) / 1024) * 2 ** (exponent - 15));
    }
  });
});

describe('mismatches', () => {
  const ref = {
    indices: [0, 1],
    values: Float64Array.of(1, 100),
    magnitude: Float64Array.of(1, 100),
  };

  it('within tolerance: none', () => {
    expect(mismatchOf([1 + 1e-6, 100 + 1e-4], ref, F32_TOLERANCE)).toBeNull();
  });

  it('counts samples off the bound, NaN included, with the worst ratio', () => {
    const bad = mismatchOf([Number.NaN, 100.5], ref, { relative: 0.001, absolute: 0 });
    expect(bad).toEqual({ bad: 2, samples: 2, worst: Number.POSITIVE_INFINITY });
    const one = mismatchOf([1, 100.2], ref, { relative: 0.001, absolute: 0 });
    expect(one?.bad).toBe(1);
    expect(one?.worst).toBeCloseTo(2, 6);
  });
});
