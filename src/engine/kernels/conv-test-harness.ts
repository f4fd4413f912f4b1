import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { ConvOp } from '../../tuning-plan/plan';
import { isPacked } from '../packed/registry';
import { convGeometry, type ConvGeometry } from './conv-geometry';
import { packF16, roundToF16, unpackF16 } from './packed-test-utils';
import {
  allF16,
  conv2dFilterGradReference,
  conv2dInputGradReference,
  conv2dReference,
  f16ErrorRatio,
  f32ErrorRatio,
  randomValues,
  type Reference,
} from './reference';

/**
 * The harness of the convolution kernel tests (tests only): a case's random operands and their
 * float64 forward, input gradient and filter gradient (reference.ts), a kernel's three ops run on
 * them as f32 or packed f16 tensors, and each output held to its error bound.
 */

/** NHWC input n×h×w×ci, k×k filters to co channels, stride s, padding p. */
export interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  p: number;
}

export const CONV_OPS: readonly ConvOp[] = ['forward', 'inputGrad', 'filterGrad'];

/**
 * The sweep every kernel runs: ResNet shapes (3×3 and 1×1, stride 1 and 2), widths that are not
 * multiples of the 4 pixels a direct invocation computes, non-square inputs, 7×7/2 with padding 3,
 * no padding, and a long reduction (n16, split rows).
 */
export const BASE_CASES: readonly ConvCase[] = [
  { n: 1, h: 5, w: 5, ci: 4, co: 4, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 8, co: 4, k: 3, s: 2, p: 1 },
  { n: 3, h: 8, w: 8, ci: 4, co: 12, k: 1, s: 1, p: 0 },
  { n: 2, h: 9, w: 9, ci: 8, co: 16, k: 1, s: 2, p: 0 },
  { n: 2, h: 15, w: 13, ci: 4, co: 8, k: 7, s: 2, p: 3 },
  { n: 1, h: 6, w: 6, ci: 20, co: 32, k: 3, s: 1, p: 1 },
  { n: 1, h: 7, w: 6, ci: 4, co: 4, k: 3, s: 1, p: 0 },
  { n: 16, h: 16, w: 16, ci: 8, co: 8, k: 3, s: 1, p: 1 },
];

export const geometryOf = (c: ConvCase): ConvGeometry =>
  convGeometry([c.n, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.s, c.p);

export const describeCase = (c: ConvCase): string =>
  `n${c.n} ${c.h}×${c.w}×${c.ci} → ${c.co}, ${c.k}×${c.k} /${c.s} pad ${c.p}`;

/** A case's operands (x, w, dy: seeds 1, 2, 3, uniform in [−1, 1)) and their references. */
export interface ConvFixture {
  g: ConvGeometry;
  xv: Float32Array;
  wv: Float32Array;
  dyv: Float32Array;
  refs: Record<ConvOp, Reference>;
}

/**
 * 'f32': the uniform values as drawn; 'f16': the same rounded to f16, what packed operands hold
 * (the references are of the rounded values, so that only the kernel's own rounding is judged).
 */
export type OperandValues = 'f32' | 'f16';

const fixtures = new Map<ConvCase, Partial<Record<OperandValues, ConvFixture>>>();

/** A case's operands and float64 references, computed once per case and kind of values. */
export function convFixture(c: ConvCase, values: OperandValues = 'f32'): ConvFixture {
  const cached = fixtures.get(c) ?? {};
  let f = cached[values];
  if (!f) {
    const g = geometryOf(c);
    const draw = (seed: number, size: number) => {
      const v = randomValues(seed, size);
      return values === 'f16' ? roundToF16(v) : v;
    };
    const xv = draw(1, c.n * c.h * c.w * c.ci);
    const wv = draw(2, c.k * c.k * c.ci * c.co);
    const dyv = draw(3, c.n * g.outHeight * g.outWidth * c.co);
    const refs = {
      forward: conv2dReference(g, xv, wv),
      inputGrad: conv2dInputGradReference(g, dyv, wv),
      filterGrad: conv2dFilterGradReference(g, xv, dyv),
    };
    f = { g, xv, wv, dyv, refs };
    fixtures.set(c, { ...cached, [values]: f });
  }
  return f;
}

/** A kernel's three ops as the test calls them, on the case's tensors. */
export interface ConvOpsUnderTest {
  forward(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor;
  inputGrad(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor;
  filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor;
}

/** Which error bound an output is held to (reference.ts): f32 summation error, or f16's. */
export type ErrorBound = 'f32' | 'f16';

export interface ConvCheck {
  /**
   * 'f32': f32 tensors of the drawn values. 'packed': f16-rounded values packed in pairs (x and dy
   * along their channels, w along its output channels); y and dx come back packed, dW as f32.
   */
  storage: 'f32' | 'packed';
  /** The bound each op's output is held to. */
  bound: (op: ConvOp) => ErrorBound;
  /** The ops whose every output must be an f16 value (f16 arithmetic rounds its results). */
  f16Values?: readonly ConvOp[];
}

/** The largest |got − ref| over the op's bound (≤ 1 passes). */
export function errorRatioOf(bound: ErrorBound, got: Float32Array, ref: Reference): number {
  return bound === 'f32' ? f32ErrorRatio(got, ref) : f16ErrorRatio(got, ref);
}

/**
 * Runs the three ops of a kernel on case `c`'s operands and checks, for each, the output's shape
 * (packed or not) and its error against the float64 reference within its bound.
 */
export async function checkConvOps(
  c: ConvCase,
  ops: ConvOpsUnderTest,
  check: ConvCheck,
): Promise<void> {
  const packed = check.storage === 'packed';
  const { g, xv, wv, dyv, refs } = convFixture(c, packed ? 'f16' : 'f32');
  const words = (channels: number) => (packed ? channels / 2 : channels);
  const tensor = (v: Float32Array, shape: [number, number, number, number]) =>
    tf.tensor4d(packed ? packF16(v, shape[3]) : v, [shape[0], shape[1], shape[2], words(shape[3])]);
  const x = tensor(xv, [c.n, c.h, c.w, c.ci]);
  const w = tensor(wv, [c.k, c.k, c.ci, c.co]);
  const dy = tensor(dyv, [c.n, g.outHeight, g.outWidth, c.co]);
  const outputs: Record<ConvOp, tf.Tensor> = {
    forward: ops.forward(x, w),
    inputGrad: ops.inputGrad(dy, w),
    filterGrad: ops.filterGrad(x, dy),
  };
  try {
    expect(outputs.forward.shape).toEqual([c.n, g.outHeight, g.outWidth, words(c.co)]);
    expect(outputs.inputGrad.shape).toEqual([c.n, c.h, c.w, words(c.ci)]);
    expect(outputs.filterGrad.shape).toEqual([c.k, c.k, c.ci, c.co]);
    if (packed) {
      expect(CONV_OPS.map((op) => isPacked(outputs[op]))).toEqual([true, true, false]);
    }
    const data = (await Promise.all(CONV_OPS.map((op) => outputs[op].data()))) as Float32Array[];
    const channels: Record<ConvOp, number> = { forward: c.co, inputGrad: c.ci, filterGrad: 0 };
    for (const [i, op] of CONV_OPS.entries()) {
      const got = packed && op !== 'filterGrad' ? unpackF16(data[i]!, channels[op]) : data[i]!;
      expect(errorRatioOf(check.bound(op), got, refs[op]), op).toBeLessThanOrEqual(1);
      if (check.f16Values?.includes(op)) expect(allF16(got), `${op}: f16 values`).toBe(true);
    }
  } finally {
    tf.dispose([x, w, dy, ...Object.values(outputs)]);
  }
}

/**
 * A 1×1 convolution whose outputs overflow f16 (300 · 300 = 90000 > 65504): x is 2 pixels of `ci`
 * channels, 300 and −300 in their first channel; w maps channel 0 to output 0 with weight 300. The
 * first output of each pixel must be ±Inf and every other output 0.
 */
export function overflowCase(ci: number, co: number) {
  const xv = new Float32Array(2 * ci);
  xv[0] = 300;
  xv[ci] = -300;
  const wv = new Float32Array(ci * co);
  wv[0] = 300;
  const expected = new Array<number>(2 * co).fill(0);
  expected[0] = Infinity;
  expected[co] = -Infinity;
  return {
    g: convGeometry([1, 1, 2, ci], [1, 1, ci, co], 1, 0),
    xShape: [1, 1, 2, ci] as [number, number, number, number],
    wShape: [1, 1, ci, co] as [number, number, number, number],
    xv,
    wv,
    expected,
  };
}
