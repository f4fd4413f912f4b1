/**
 * Float64 training-mode BatchNorm (+ReLU), forward and backward, on row-major [rows, C] data, for
 * the BN kernels' tests (tests only). Each result comes with the scale its f32 rounding error is
 * proportional to (Σ|terms|, with |x| + |mean| standing for x − mean, whose rounding in f32 is
 * that of the larger operand), so that a test can bound every element by rel·scale.
 */

export interface BnReference {
  mean: Float64Array;
  variance: Float64Array;
  meanScale: Float64Array;
  y: Float64Array;
  yScale: Float64Array;
  dBeta: Float64Array;
  dGamma: Float64Array;
  sumsScale: Float64Array;
  dx: Float64Array;
  dxScale: Float64Array;
}

export function bnReference(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  dy: ArrayLike<number>,
  channels: number,
  relu: boolean,
  epsilon: number,
): BnReference {
  const size = x.length;
  const rows = size / channels;
  const perChannel = () => new Float64Array(channels);
  const mean = perChannel();
  const variance = perChannel();
  const meanScale = perChannel();
  const dBeta = perChannel();
  const dGamma = perChannel();
  const sumsScale = perChannel();
  const at = (a: ArrayLike<number>, i: number): number => a[i]!;
  const add = (a: Float64Array, i: number, v: number) => (a[i] = a[i]! + v);
  for (let i = 0; i < size; i++) add(mean, i % channels, at(x, i) / rows);
  for (let i = 0; i < size; i++)
    add(variance, i % channels, (at(x, i) - mean[i % channels]!) ** 2 / rows);
  const invstd = variance.map((v) => 1 / Math.sqrt(v + epsilon));
  for (let ch = 0; ch < channels; ch++)
    meanScale[ch] = Math.abs(mean[ch]!) + Math.sqrt(variance[ch]!);
  const y = new Float64Array(size);
  const yScale = new Float64Array(size);
  const dz = new Float64Array(size);
  const xhat = new Float64Array(size);
  const xhatScale = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const ch = i % channels;
    xhat[i] = (at(x, i) - mean[ch]!) * invstd[ch]!;
    xhatScale[i] = (Math.abs(at(x, i)) + Math.abs(mean[ch]!)) * invstd[ch]!;
    const pre = xhat[i]! * at(gamma, ch) + at(beta, ch);
    y[i] = relu ? Math.max(pre, 0) : pre;
    yScale[i] = xhatScale[i]! * Math.abs(at(gamma, ch)) + Math.abs(at(beta, ch));
    dz[i] = relu && !(pre > 0) ? 0 : at(dy, i);
    add(dBeta, ch, dz[i]!);
    add(dGamma, ch, dz[i]! * xhat[i]!);
    add(sumsScale, ch, Math.abs(dz[i]!) * (1 + xhatScale[i]!));
  }
  const dx = new Float64Array(size);
  const dxScale = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const ch = i % channels;
    const k = at(gamma, ch) * invstd[ch]!;
    dx[i] = k * (dz[i]! - dBeta[ch]! / rows - (xhat[i]! * dGamma[ch]!) / rows);
    dxScale[i] = Math.abs(k) * (Math.abs(dz[i]!) + (sumsScale[ch]! * (1 + xhatScale[i]!)) / rows);
  }
  return { mean, variance, meanScale, y, yScale, dBeta, dGamma, sumsScale, dx, dxScale };
}
