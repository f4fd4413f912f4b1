/**
 * Pure parts of the engine benchmark (npm run bench, and the page's Benchmark panel): statistics,
 * the JSON report of issue 5 and the printed table. No tfjs here; the runner lives in
 * src/engine/benchmark.
 */

export type BenchVariant = 'tf.layers' | 'engine f32' | 'engine f16';
export type BenchModel = 'resnet18-style' | 'resnet50-style';

/** One variant × model × batch, as measured. */
export interface BenchRow {
  name: BenchVariant;
  model: BenchModel;
  batch: number;
  /** Median images/s over the timed steps. */
  imgPerSec: number;
  /** First step, shader compilation included. */
  firstStepMs: number;
  tensorsAt1: number;
  /** Live tensors after the last step (step `leakStep` of the report). */
  tensorsAt200: number;
  gpuBytesAt1: number;
  gpuBytesAt200: number;
}

export interface BenchRatios {
  /** engine f32 images/s ÷ tf.layers images/s. */
  engineVsLayers: number | null;
  /** engine f16 images/s ÷ engine f32 images/s; null without an f16 row. */
  f16VsF32: number | null;
  /** engine f32 first step ÷ tf.layers first step. */
  firstStepVsLayers: number | null;
  /** convGflops ÷ peakGflops. */
  convFractionOfPeak: number | null;
}

/** The largest convolution of the ratio network, as the suite timed it. */
export interface LargestConv {
  name: string;
  shape: string;
  gflops: number;
}

export interface BenchReport {
  adapter: string;
  rows: BenchRow[];
  /** FMA micro-benchmark on the same adapter, in the same run; null when a partial run ended first. */
  peakGflops: number | null;
  /** The largest convolution of the ResNet-18-style network at the ratio batch, as the f32 engine runs it. */
  convGflops: number | null;
  ratios: BenchRatios;
  /** false: the run was stopped or failed, and `reason` says why; rows and figures are those measured. */
  complete: boolean;
  reason?: string;
}

/** Median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Images/s of each step from its duration in milliseconds. */
export function imagesPerSecond(batch: number, stepMs: readonly number[]): number[] {
  return stepMs.map((ms) => (ms > 0 ? (batch * 1000) / ms : Number.POSITIVE_INFINITY));
}

/** a ÷ b, or null when either is missing or b is not a positive finite number. */
export function ratio(a: number | undefined | null, b: number | undefined | null): number | null {
  if (a === undefined || a === null || b === undefined || b === null) return null;
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

/** The model and batch the ratios are computed for (the choice). */
export const RATIO_MODEL: BenchModel = 'resnet18-style';
export const RATIO_BATCH = 128;

/** The network ratios fall back to when RATIO_MODEL is not among `models` (non-empty): the first. */
export function basisModel(models: readonly BenchModel[]): BenchModel {
  return models.includes(RATIO_MODEL) ? RATIO_MODEL : models[0]!;
}

/** The batch ratios fall back to when RATIO_BATCH is not among `batches` (non-empty): the largest. */
export function basisBatch(batches: readonly number[]): number {
  return batches.includes(RATIO_BATCH) ? RATIO_BATCH : Math.max(...batches);
}

function find(rows: readonly BenchRow[], name: BenchVariant, model: BenchModel, batch: number) {
  return rows.find((r) => r.name === name && r.model === model && r.batch === batch);
}

/** The ratios for `model` at `batch` (defaults: ResNet-18-style at 128). */
export function computeRatios(
  rows: readonly BenchRow[],
  peakGflops: number | null,
  convGflops: number | null,
  model: BenchModel = RATIO_MODEL,
  batch: number = RATIO_BATCH,
): BenchRatios {
  const layers = find(rows, 'tf.layers', model, batch);
  const f32 = find(rows, 'engine f32', model, batch);
  const f16 = find(rows, 'engine f16', model, batch);
  return {
    engineVsLayers: ratio(f32?.imgPerSec, layers?.imgPerSec),
    f16VsF32: ratio(f16?.imgPerSec, f32?.imgPerSec),
    firstStepVsLayers: ratio(f32?.firstStepMs, layers?.firstStepMs),
    convFractionOfPeak: ratio(convGflops, peakGflops),
  };
}

const copyRow = (r: BenchRow): BenchRow => ({
  name: r.name,
  model: r.model,
  batch: r.batch,
  imgPerSec: r.imgPerSec,
  firstStepMs: r.firstStepMs,
  tensorsAt1: r.tensorsAt1,
  tensorsAt200: r.tensorsAt200,
  gpuBytesAt1: r.gpuBytesAt1,
  gpuBytesAt200: r.gpuBytesAt200,
});

/** The report in exactly the JSON shape (key order included), plus `complete: true`. */
export function assembleReport(
  adapter: string,
  rows: readonly BenchRow[],
  peakGflops: number,
  convGflops: number,
  ratioBatch: number = RATIO_BATCH,
): BenchReport {
  return {
    adapter,
    rows: rows.map(copyRow),
    peakGflops,
    convGflops,
    ratios: computeRatios(rows, peakGflops, convGflops, RATIO_MODEL, ratioBatch),
    complete: true,
  };
}

/** What a stopped or failed run had measured, and why it ended. */
export interface PartialMeasurements {
  adapter: string;
  rows: readonly BenchRow[];
  peakGflops: number | null;
  convGflops: number | null;
  /** "stopped by the user", or the failure in words. */
  reason: string;
}

/**
 * The report of a run that ended early: the same shape with `complete: false` and `reason`.
 * Ratios are those a complete run would give (`model` at `batch`); each one whose inputs were
 * not measured is null.
 */
export function assemblePartialReport(
  measured: PartialMeasurements,
  model: BenchModel,
  batch: number,
): BenchReport {
  const { adapter, rows, peakGflops, convGflops, reason } = measured;
  return {
    adapter,
    rows: rows.map(copyRow),
    peakGflops,
    convGflops,
    ratios: computeRatios(rows, peakGflops, convGflops, model, batch),
    complete: false,
    reason,
  };
}

/** Seconds per epoch of `epochImages` images at `imgPerSec` (the paper's Table 3 unit). */
export function epochSeconds(imgPerSec: number, epochImages: number): number {
  return imgPerSec > 0 ? epochImages / imgPerSec : Number.POSITIVE_INFINITY;
}

const fmt = (v: number | null, digits = 2) => (v === null ? 'n/a' : v.toFixed(digits));

/** The report as a fixed-width text table, one line per row, then peak, conv and ratios. */
export function formatReportTable(report: BenchReport, leakStep: number): string {
  const head = [
    'variant'.padEnd(11),
    'model'.padEnd(15),
    'batch'.padStart(5),
    'img/s'.padStart(9),
    'first ms'.padStart(9),
    'tensors@1'.padStart(10),
    `@${leakStep}`.padStart(7),
    'GPU MB@1'.padStart(9),
    `@${leakStep}`.padStart(8),
  ].join(' ');
  const lines = [head, '-'.repeat(head.length)];
  for (const r of report.rows) {
    lines.push(
      [
        r.name.padEnd(11),
        r.model.padEnd(15),
        String(r.batch).padStart(5),
        r.imgPerSec.toFixed(1).padStart(9),
        r.firstStepMs.toFixed(0).padStart(9),
        String(r.tensorsAt1).padStart(10),
        String(r.tensorsAt200).padStart(7),
        (r.gpuBytesAt1 / 2 ** 20).toFixed(1).padStart(9),
        (r.gpuBytesAt200 / 2 ** 20).toFixed(1).padStart(8),
      ].join(' '),
    );
  }
  const q = report.ratios;
  lines.push(
    '',
    `FMA peak ${fmt(report.peakGflops, 1)} GFLOP/s; largest conv ${fmt(report.convGflops, 1)} GFLOP/s`,
    `ratios (${RATIO_MODEL}, batch ${RATIO_BATCH}): engine/layers ×${fmt(q.engineVsLayers)}, ` +
      `f16/f32 ×${fmt(q.f16VsF32)}, first step engine/layers ×${fmt(q.firstStepVsLayers)}, ` +
      `conv/peak ${q.convFractionOfPeak === null ? 'n/a' : (q.convFractionOfPeak * 100).toFixed(1) + '%'}`,
  );
  return lines.join('\n');
}
