import type { ConvOp, ConvShape } from './plan';

/**
 * Checking a convolution kernel on the user's own GPU before the tuner may choose it (drivers have
 * shipped wrong results for valid programs): its output on the tuning operands, at a few sampled
 * positions, against a float64 reference computed here on the CPU from the same operands, a
 * route that shares nothing with any GPU kernel. Pure: the tuner (src/engine/autotune) makes the
 * operands on the GPU, runs the candidates and reads the samples back.
 */

/** Outputs compared per op: enough to catch a wrong index or a wrong tile, cheap on the CPU. */
export const VERIFY_SAMPLES = 32;

/** An operand element by its flat NHWC (or HWIO) index. */
export type Operand = (index: number) => number;

export interface ConvOperands {
  /** x [n, h, w, cin], w [kh, kw, cin, cout], dy [n, oh, ow, cout], NHWC, logical values. */
  x: Operand;
  w: Operand;
  dy: Operand;
}

/** Output height and width of a convolution. */
function outSize(s: ConvShape): [number, number] {
  return [
    Math.floor((s.inHeight + 2 * s.pad - s.kernelHeight) / s.stride) + 1,
    Math.floor((s.inWidth + 2 * s.pad - s.kernelWidth) / s.stride) + 1,
  ];
}

/** Elements of the op's output: y for forward, dx for inputGrad, dw for filterGrad. */
export function outputSize(op: ConvOp, s: ConvShape): number {
  const [oh, ow] = outSize(s);
  if (op === 'forward') return s.batch * oh * ow * s.outChannels;
  if (op === 'inputGrad') return s.batch * s.inHeight * s.inWidth * s.inChannels;
  return s.kernelHeight * s.kernelWidth * s.inChannels * s.outChannels;
}

/**
 * The tuning operands are made on the GPU from an integer hash of (seed, index), and the CPU
 * reference reads the same hash at the few taps it needs: no operand is ever built or uploaded
 * from the CPU (a ResNet-50 layer's input is hundreds of MB). TUNING_OPERAND_WGSL is the same
 * hash in WGSL; an engine test checks that both agree on every element.
 *
 * The hash is PCG's output permutation (RXS-M-XS) of one LCG step of seed·2³¹ + index.
 */
export function operandHash(seed: number, index: number): number {
  const state = (Math.imul(index + Math.imul(seed, 0x9e3779b1), 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Uniform in [−1, 1), exactly an f32: 24 bits of the hash over 2²³, less 1. */
export function uniformOperand(seed: number): Operand {
  return (index) => (operandHash(seed, index) >>> 8) / 2 ** 23 - 1;
}

/**
 * The f16 bits of a normal f16 number of magnitude in [2⁻⁴, 1) (no subnormal an implementation
 * may flush; exponents ≤ 14 keep a word of two of them a finite, normal f32).
 */
export function f16OperandBits(seed: number, index: number): number {
  const h = operandHash(seed, index);
  return ((h & 1) << 15) | ((11 + ((h >>> 1) & 3)) << 10) | ((h >>> 3) & 0x3ff);
}

/** The value of f16OperandBits: the operands under f16 storage. */
export function f16Operand(seed: number): Operand {
  return (index) => {
    const bits = f16OperandBits(seed, index);
    const exponent = (bits >> 10) & 0x1f;
    return (bits & 0x8000 ? -1 : 1) * (1 + (bits & 0x3ff) / 1024) * 2 ** (exponent - 15);
  };
}

/**
 * WGSL of operandHash, uniformValue and f16Bits: the GPU side of the tuning operands (the engine's
 * fill kernel includes it).
 */
export const TUNING_OPERAND_WGSL = /* wgsl */ `
fn operandHash(seed: u32, index: u32) -> u32 {
  let state = (index + seed * 0x9e3779b1u) * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}
fn uniformValue(seed: u32, index: u32) -> f32 {
  return f32(operandHash(seed, index) >> 8u) / 8388608.0 - 1.0;
}
fn f16OperandBits(seed: u32, index: u32) -> u32 {
  let h = operandHash(seed, index);
  return ((h & 1u) << 15u) | ((11u + ((h >> 1u) & 3u)) << 10u) | ((h >> 3u) & 0x3ffu);
}`;

/** `count` distinct output positions spread over [0, size), the first and the last included. */
export function sampleIndices(size: number, count = VERIFY_SAMPLES, seed = 7): number[] {
  if (size <= count) return Array.from({ length: size }, (_, i) => i);
  const picked = new Set<number>([0, size - 1]);
  for (let k = 0; picked.size < count; k++) picked.add(operandHash(seed, k) % size);
  return [...picked].sort((a, b) => a - b);
}

export interface SampledReference {
  indices: number[];
  values: Float64Array;
  /** Σ|term| per sample: the scale rounding error is judged against. */
  magnitude: Float64Array;
}

/** The op's output at `indices` (flat NHWC or HWIO positions), in float64. */
export function sampledConvReference(
  op: ConvOp,
  s: ConvShape,
  operands: ConvOperands,
  indices: readonly number[],
): SampledReference {
  const [oh, ow] = outSize(s);
  const ci = s.inChannels;
  const co = s.outChannels;
  const xAt = (n: number, h: number, w: number, c: number) =>
    operands.x(((n * s.inHeight + h) * s.inWidth + w) * ci + c);
  const wAt = (kh: number, kw: number, c: number, o: number) =>
    operands.w(((kh * s.kernelWidth + kw) * ci + c) * co + o);
  const dyAt = (n: number, h: number, w: number, o: number) =>
    operands.dy(((n * oh + h) * ow + w) * co + o);
  const values = new Float64Array(indices.length);
  const magnitude = new Float64Array(indices.length);
  indices.forEach((index, i) => {
    let sum = 0;
    let abs = 0;
    const add = (t: number) => {
      sum += t;
      abs += Math.abs(t);
    };
    if (op === 'forward') {
      const o = index % co;
      const [n, h, w] = unflatten(Math.floor(index / co), [s.batch, oh, ow]);
      for (let kh = 0; kh < s.kernelHeight; kh++) {
        const ih = h * s.stride + kh - s.pad;
        if (ih < 0 || ih >= s.inHeight) continue;
        for (let kw = 0; kw < s.kernelWidth; kw++) {
          const iw = w * s.stride + kw - s.pad;
          if (iw < 0 || iw >= s.inWidth) continue;
          for (let c = 0; c < ci; c++) add(xAt(n, ih, iw, c) * wAt(kh, kw, c, o));
        }
      }
    } else if (op === 'inputGrad') {
      const c = index % ci;
      const [n, ih, iw] = unflatten(Math.floor(index / ci), [s.batch, s.inHeight, s.inWidth]);
      for (let kh = 0; kh < s.kernelHeight; kh++) {
        const hs = ih + s.pad - kh;
        if (hs < 0 || hs % s.stride !== 0 || hs / s.stride >= oh) continue;
        for (let kw = 0; kw < s.kernelWidth; kw++) {
          const ws = iw + s.pad - kw;
          if (ws < 0 || ws % s.stride !== 0 || ws / s.stride >= ow) continue;
          for (let o = 0; o < co; o++)
            add(dyAt(n, hs / s.stride, ws / s.stride, o) * wAt(kh, kw, c, o));
        }
      }
    } else {
      const o = index % co;
      const [kh, kw, c] = unflatten(Math.floor(index / co), [s.kernelHeight, s.kernelWidth, ci]);
      for (let n = 0; n < s.batch; n++)
        for (let h = 0; h < oh; h++) {
          const ih = h * s.stride + kh - s.pad;
          if (ih < 0 || ih >= s.inHeight) continue;
          for (let w = 0; w < ow; w++) {
            const iw = w * s.stride + kw - s.pad;
            if (iw < 0 || iw >= s.inWidth) continue;
            add(xAt(n, ih, iw, c) * dyAt(n, h, w, o));
          }
        }
    }
    values[i] = sum;
    magnitude[i] = abs;
  });
  return { indices: [...indices], values, magnitude };
}

/** [a, b, c] of a flat index over dims [A, B, C] (row-major). */
function unflatten(flat: number, dims: [number, number, number]): [number, number, number] {
  const c = flat % dims[2];
  const rest = Math.floor(flat / dims[2]);
  return [Math.floor(rest / dims[1]), rest % dims[1], c];
}

/** How closely a kernel must agree: |got − ref| ≤ relative·Σ|terms| + absolute. */
export interface Tolerance {
  relative: number;
  absolute: number;
}

/**
 * f32 arithmetic: summation error, with a wide margin (256 ulps of the terms' magnitude). f16
 * arithmetic or storage: f16 inputs and products (2–3 roundings of 2⁻¹¹) and the rounded output,
 * with margin, as the kernel tests' own bound (c = 8).
 */
export const F32_TOLERANCE: Tolerance = { relative: 2 ** -16, absolute: 1e-6 };
export const F16_TOLERANCE: Tolerance = { relative: 8 * 2 ** -11, absolute: 1e-6 };

export interface Mismatch {
  /** Samples outside the tolerance (a NaN or an infinity counts). */
  bad: number;
  samples: number;
  /** The worst |got − ref| / bound; > 1 fails. */
  worst: number;
}

/** Compares sampled outputs with the reference; null when every sample is within tolerance. */
export function mismatchOf(
  got: ArrayLike<number>,
  ref: SampledReference,
  tolerance: Tolerance,
): Mismatch | null {
  let bad = 0;
  let worst = 0;
  for (let i = 0; i < ref.values.length; i++) {
    const bound = tolerance.relative * ref.magnitude[i]! + tolerance.absolute;
    const error = Math.abs(got[i]! - ref.values[i]!);
    const ratio = Number.isFinite(error) ? error / bound : Number.POSITIVE_INFINITY;
    worst = Math.max(worst, ratio);
    if (!(ratio <= 1)) bad++;
  }
  return bad === 0 ? null : { bad, samples: ref.values.length, worst };
}
