import type { ConvOp, ConvShape } from './plan';

/**
 * Checking a convolution kernel on the user's own GPU before the tuner may choose it (drivers have
 * shipped wrong results for valid programs): its output on the tuning operands, at a few sampled
 * positions, against a float64 reference computed here on the CPU from the same operands, a
 * route that shares nothing with any GPU kernel. Pure: the tuner (src/engine/autotune) uploads
 * the operands, runs the candidates and reads the samples back.
 */

/** Outputs compared per op: enough to catch a wrong index or a wrong tile, cheap on the CPU. */
export const VERIFY_SAMPLES = 32;

export interface ConvOperands {
  /** x [n, h, w, cin], w [kh, kw, cin, cout], dy [n, oh, ow, cout], NHWC, logical values. */
  x: Float32Array;
  w: Float32Array;
  dy: Float32Array;
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

/** A fast seeded generator (xorshift32) for the tuning operands: millions of values per layer. */
function xorshift(seed: number): () => number {
  let state = (seed >>> 0 || 0x9e3779b9) >>> 0;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** Uniform values in [−1, 1), from `seed`. */
export function uniformOperand(size: number, seed: number): Float32Array {
  const next = xorshift(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = next() / 2 ** 31 - 1;
  return out;
}

/**
 * Values exactly representable in f16, of magnitude in [2⁻⁴, 1) (normal numbers: no subnormal
 * that an implementation may flush), with their f16 bits: the operands of the packed kernels.
 */
export function f16Operand(
  size: number,
  seed: number,
): { values: Float32Array; bits: Uint16Array } {
  const next = xorshift(seed);
  const values = new Float32Array(size);
  const bits = new Uint16Array(size);
  for (let i = 0; i < size; i++) {
    const r = next();
    const sign = r & 1;
    const exponent = 11 + ((r >>> 1) & 3);
    const mantissa = (r >>> 3) & 0x3ff;
    bits[i] = (sign << 15) | (exponent << 10) | mantissa;
    values[i] = (sign ? -1 : 1) * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return { values, bits };
}

/** f16 bits packed two per 32-bit word along the last axis (packed/layout.ts), an even count. */
export function packWords(bits: Uint16Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bits.length / 2));
  for (let k = 0; k < words.length; k++) {
    words[k] = (bits[2 * k]! | ((bits[2 * k + 1] ?? 0) << 16)) >>> 0;
  }
  return words;
}

/** `count` distinct output positions spread over [0, size), the first and the last included. */
export function sampleIndices(size: number, count = VERIFY_SAMPLES, seed = 7): number[] {
  if (size <= count) return Array.from({ length: size }, (_, i) => i);
  const picked = new Set<number>([0, size - 1]);
  const next = xorshift(seed);
  while (picked.size < count) picked.add(next() % size);
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
    operands.x[((n * s.inHeight + h) * s.inWidth + w) * ci + c]!;
  const wAt = (kh: number, kw: number, c: number, o: number) =>
    operands.w[((kh * s.kernelWidth + kw) * ci + c) * co + o]!;
  const dyAt = (n: number, h: number, w: number, o: number) =>
    operands.dy[((n * oh + h) * ow + w) * co + o]!;
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
