import { createRng } from '../../tricks';
import type { ConvGeometry } from './conv-geometry';

/**
 * Plain-JavaScript float64 references for the f16 kernels (tests only). Each also returns, per
 * output, Σ|a·b| over its terms: the scale against which f16 rounding error is judged.
 */

export interface Reference {
  values: Float64Array;
  /** Σ|term| per output element. */
  magnitude: Float64Array;
}

function xIndex(g: ConvGeometry, n: number, ih: number, iw: number, ci: number): number {
  return ((n * g.inHeight + ih) * g.inWidth + iw) * g.inChannels + ci;
}
function wIndex(g: ConvGeometry, kh: number, kw: number, ci: number, co: number): number {
  return ((kh * g.kernelWidth + kw) * g.inChannels + ci) * g.outChannels + co;
}
function yIndex(g: ConvGeometry, n: number, oh: number, ow: number, co: number): number {
  return ((n * g.outHeight + oh) * g.outWidth + ow) * g.outChannels + co;
}

/**
 * A convolution's geometry for the references, optionally dilated (taps `dilation` pixels apart;
 * outHeight and outWidth then count the dilated kernel's extent).
 */
export type ReferenceGeometry = ConvGeometry & { dilation?: number };

/** Calls f(n, oh, ow, kh, kw, ih, iw) for every tap that lands inside the input. */
function forEachTap(
  g: ReferenceGeometry,
  f: (n: number, oh: number, ow: number, kh: number, kw: number, ih: number, iw: number) => void,
): void {
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < g.outHeight; oh++)
      for (let ow = 0; ow < g.outWidth; ow++)
        for (let kh = 0; kh < g.kernelHeight; kh++) {
          const ih = oh * g.stride + kh * (g.dilation ?? 1) - g.pad;
          if (ih < 0 || ih >= g.inHeight) continue;
          for (let kw = 0; kw < g.kernelWidth; kw++) {
            const iw = ow * g.stride + kw * (g.dilation ?? 1) - g.pad;
            if (iw < 0 || iw >= g.inWidth) continue;
            f(n, oh, ow, kh, kw, ih, iw);
          }
        }
}

export function conv2dReference(
  g: ReferenceGeometry,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
): Reference {
  const size = g.batch * g.outHeight * g.outWidth * g.outChannels;
  const values = new Float64Array(size);
  const magnitude = new Float64Array(size);
  forEachTap(g, (n, oh, ow, kh, kw, ih, iw) => {
    for (let ci = 0; ci < g.inChannels; ci++) {
      const xv = x[xIndex(g, n, ih, iw, ci)]!;
      for (let co = 0; co < g.outChannels; co++) {
        const t = xv * w[wIndex(g, kh, kw, ci, co)]!;
        const o = yIndex(g, n, oh, ow, co);
        values[o] = values[o]! + t;
        magnitude[o] = magnitude[o]! + Math.abs(t);
      }
    }
  });
  return { values, magnitude };
}

export function conv2dInputGradReference(
  g: ReferenceGeometry,
  dy: ArrayLike<number>,
  w: ArrayLike<number>,
): Reference {
  const size = g.batch * g.inHeight * g.inWidth * g.inChannels;
  const values = new Float64Array(size);
  const magnitude = new Float64Array(size);
  forEachTap(g, (n, oh, ow, kh, kw, ih, iw) => {
    for (let co = 0; co < g.outChannels; co++) {
      const d = dy[yIndex(g, n, oh, ow, co)]!;
      for (let ci = 0; ci < g.inChannels; ci++) {
        const t = d * w[wIndex(g, kh, kw, ci, co)]!;
        const o = xIndex(g, n, ih, iw, ci);
        values[o] = values[o]! + t;
        magnitude[o] = magnitude[o]! + Math.abs(t);
      }
    }
  });
  return { values, magnitude };
}

export function conv2dFilterGradReference(
  g: ReferenceGeometry,
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
): Reference {
  const size = g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels;
  const values = new Float64Array(size);
  const magnitude = new Float64Array(size);
  forEachTap(g, (n, oh, ow, kh, kw, ih, iw) => {
    for (let ci = 0; ci < g.inChannels; ci++) {
      const xv = x[xIndex(g, n, ih, iw, ci)]!;
      for (let co = 0; co < g.outChannels; co++) {
        const t = xv * dy[yIndex(g, n, oh, ow, co)]!;
        const o = wIndex(g, kh, kw, ci, co);
        values[o] = values[o]! + t;
        magnitude[o] = magnitude[o]! + Math.abs(t);
      }
    }
  });
  return { values, magnitude };
}

/** C [m, n] = A [m, k] · B [k, n]; transposes are applied by the caller's index functions. */
export function matMulReference(
  m: number,
  n: number,
  k: number,
  a: (i: number, kk: number) => number,
  b: (kk: number, j: number) => number,
): Reference {
  const values = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let kk = 0; kk < k; kk++) {
        const t = a(i, kk) * b(kk, j);
        values[i * n + j] = values[i * n + j]! + t;
        magnitude[i * n + j] = magnitude[i * n + j]! + Math.abs(t);
      }
  return { values, magnitude };
}

/** f16 unit roundoff 2^-11. */
export const F16_EPSILON = 2 ** -11;

/** Largest |got − ref| / (relative·Σ|terms| + absolute) over all elements (NaN counts as ∞). */
function errorRatio(
  got: ArrayLike<number>,
  ref: Reference,
  relative: number,
  absolute: number,
): number {
  let worst = 0;
  for (let i = 0; i < ref.values.length; i++) {
    const bound = relative * ref.magnitude[i]! + absolute;
    const err = Math.abs(got[i]! - ref.values[i]!);
    worst = Math.max(worst, Number.isFinite(err) ? err / bound : Infinity);
  }
  return worst;
}

/**
 * Largest |got − ref| / (c·ε16·Σ|terms| + tiny) over all elements: ≤ 1 passes. Inputs rounded to
 * f16 (2ε), f16 products and 4-term dot products (≈3ε), output rounding (ε): c = 8 leaves margin.
 */
export function f16ErrorRatio(got: ArrayLike<number>, ref: Reference, c = 8): number {
  return errorRatio(got, ref, c * F16_EPSILON, 1e-7);
}

/** Largest |got − ref| / (64·2⁻²⁴·Σ|terms| + 1e-6): f32 summation error, with margin; ≤ 1 passes. */
export function f32ErrorRatio(got: ArrayLike<number>, ref: Reference): number {
  return errorRatio(got, ref, 64 * 2 ** -24, 1e-6);
}

/** Uniform values in [−1, 1) from a seeded generator. */
export function randomValues(seed: number, size: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => rng.uniform(-1, 1));
}

/** True when every value is exactly representable in f16 (or ±Inf). */
export function allF16(values: Float32Array): boolean {
  for (const v of values) {
    if (!Number.isFinite(v) || v === 0) continue;
    const e = Math.floor(Math.log2(Math.abs(v)));
    const ulp = 2 ** (Math.max(e, -14) - 10);
    if (Math.abs(v / ulp - Math.round(v / ulp)) > 1e-6) return false;
  }
  return true;
}
