/** Plain formatting helpers for the UI. Pure; unit-tested. */

/** 703_000 → "0.70 M", 25_560_000 → "25.56 M", 4_100_000_000 → "4.10 G", 3_300 → "3.3 k". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (Math.abs(n) >= 1e5) return `${(n / 1e6).toFixed(2)} M`;
  if (Math.abs(n) >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

/** Multiply-adds with one decimal in M below 1 G: "35.6 M", "4.35 G". */
export function formatMacs(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

/** Seconds as "42 s", "3 min 05 s", "1 h 02 min"; "—" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(s / 3600);
  return `${h} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A fraction in [0, 1] as a percentage, e.g. 0.8125 → "81.3%". */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A segmentation evaluation's scores in a table cell: "pixel acc. 85.0% · mIoU 41.3%". */
export function formatSegmentationScores(
  result: { pixelAccuracy?: number; mIoU?: number } | undefined,
): string {
  return `pixel acc. ${formatPercent(result?.pixelAccuracy)} · mIoU ${formatPercent(result?.mIoU)}`;
}

/** Compact number for chart ticks and readouts: 0.1, 0.00039, 1.2e-7. */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e4 || abs < 1e-4) return x.toExponential(Math.max(0, digits - 1));
  return String(Number(x.toPrecision(digits)));
}

/** Exponential moving average with bias correction (as TensorBoard's smoothing). */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  const out: number[] = [];
  let last = 0;
  let debias = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(out.length > 0 ? out[out.length - 1]! : NaN);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    out.push(last / debias);
  }
  return out;
}

/** Every n-th element so that at most maxPoints remain; always keeps the last one. */
export function decimate<T>(items: readonly T[], maxPoints: number): T[] {
  if (items.length <= maxPoints) return [...items];
  const stride = Math.ceil(items.length / maxPoints);
  const out: T[] = [];
  for (let i = 0; i < items.length; i += stride) out.push(items[i]!);
  if (out[out.length - 1] !== items[items.length - 1]) out.push(items[items.length - 1]!);
  return out;
}

export interface HistogramBin {
  /** Center of the bin. */
  x: number;
  from: number;
  to: number;
  count: number;
}

/** Equal-width histogram of finite values. */
export function histogram(values: readonly number[], bins = 30): HistogramBin[] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [];
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / bins;
  const out: HistogramBin[] = Array.from({ length: bins }, (_, i) => ({
    x: min + (i + 0.5) * width,
    from: min + i * width,
    to: min + (i + 1) * width,
    count: 0,
  }));
  for (const v of finite) {
    const i = Math.min(bins - 1, Math.floor((v - min) / width));
    out[i]!.count++;
  }
  return out;
}
