/**
 * The statistics of repeated runs: mean and sample standard deviation over seeds, Student-t
 * quantiles, the 95% interval of paired differences (the same seeds in two rows), and the mean
 * curve of repeats with its min–max band. Pure; no dependency, since a t quantile needs only the
 * regularized incomplete beta function.
 */

export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (divisor n − 1); null below two values. */
export function sampleStd(xs: readonly number[]): number | null {
  const m = mean(xs);
  if (m === null || xs.length < 2) return null;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  // The fraction converges fast only below the mean a/(a + b); above it, use the symmetry.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The p-quantile of Student's t with `df` degrees of freedom: bisection on the CDF inside a bracket
 * that doubles until it holds the quantile, to 1e-12 relative (about 40 CDF evaluations).
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`df must be positive, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let low = 0;
  let high = 1;
  while (studentTCdf(high, df) < p) {
    low = high;
    high *= 2;
  }
  for (let i = 0; i < 100 && high - low > 1e-12 * high; i++) {
    const mid = (low + high) / 2;
    if (studentTCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

export interface PairedInterval {
  /** Number of pairs. */
  n: number;
  /** Mean of the differences. */
  mean: number;
  /** Sample standard deviation of the differences. */
  std: number;
  low: number;
  high: number;
  /** The interval holds 0: the difference is within the seed-to-seed noise. */
  withinNoise: boolean;
}

/**
 * The `level` confidence interval of the mean of paired differences dᵢ = xᵢ − yᵢ:
 * d̄ ± t_{(1+level)/2, n−1} · s_d / √n. Null below two pairs (no spread to estimate).
 */
export function pairedInterval(
  differences: readonly number[],
  level = 0.95,
): PairedInterval | null {
  const n = differences.length;
  const m = mean(differences);
  const s = sampleStd(differences);
  if (m === null || s === null || n < 2) return null;
  const half = studentTQuantile((1 + level) / 2, n - 1) * (s / Math.sqrt(n));
  const low = m - half;
  const high = m + half;
  return { n, mean: m, std: s, low, high, withinNoise: low <= 0 && high >= 0 };
}

export interface BandPoint {
  x: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * The mean curve of several runs with its min–max band, at the x values every curve has (repeats
 * of one setting share their steps and epochs). Points whose y is null in any curve are skipped.
 */
export function meanBand(curves: readonly { x: number; y: number | null }[][]): BandPoint[] {
  if (curves.length === 0) return [];
  const byX = curves.map((curve) => new Map(curve.map((p) => [p.x, p.y])));
  const out: BandPoint[] = [];
  for (const { x } of curves[0]!) {
    const ys = byX.map((m) => m.get(x));
    if (ys.some((y) => y === undefined || y === null || !Number.isFinite(y))) continue;
    const values = ys as number[];
    out.push({
      x,
      mean: values.reduce((a, b) => a + b, 0) / values.length,
      min: Math.min(...values),
      max: Math.max(...values),
    });
  }
  return out;
}
