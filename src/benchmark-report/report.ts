import type { ConvFamily, ConvOp, KernelSetting } from '../tuning-plan/plan';
import type { StepProfile } from './step-profile';
import { READBACK_STEPS } from '../run-control/readback-interval';

/**
 * Pure parts of the engine benchmark (npm run bench, and the page's Benchmark panel): statistics,
 * the JSON report and the printed tables. No tfjs here; the runner lives in
 * src/engine/benchmark.
 */

/**
 * The rows of a model × batch, named by number format (config/number-format.ts). FP16 rows store
 * activations and gradients as packed f16: 'engine f16-storage/f16' computes in f16 too (adapters
 * with shader-f16), 'engine f16-storage/f32' computes in f32 (every WebGPU adapter).
 */
export type BenchVariant =
  'tf.layers' | 'engine f32' | 'engine f16-storage/f16' | 'engine f16-storage/f32';

/** The FP16 rows this adapter runs: f16 arithmetic needs shader-f16, f16 storage does not. */
export function fp16Variants(shaderF16: boolean): BenchVariant[] {
  return shaderF16
    ? ['engine f16-storage/f16', 'engine f16-storage/f32']
    : ['engine f16-storage/f32'];
}

const FP16_VARIANTS: readonly BenchVariant[] = fp16Variants(true);
export type BenchModel = 'resnet18-style' | 'resnet50-style';

/**
 * The tuning an engine row did inside its first step: 'tuned' when at least one shape was timed,
 * 'cached' when the tuning cache had every shape (nothing timed), 'none' when there was nothing
 * to tune (a forced kernel family, or tf.layers).
 */
export type FirstStepTuning = 'tuned' | 'cached' | 'none';

/** One variant × model × batch, as measured. */
export interface BenchRow {
  name: BenchVariant;
  model: BenchModel;
  batch: number;
  /** The kernel setting the row ran with ('tfjs' for tf.layers, which runs stock ops only). */
  kernels: KernelSetting;
  /**
   * Images/s as training runs: losses stay on the GPU and are read back every READBACK_STEPS
   * steps and after the last timed step; total time of the timed steps ÷ their images.
   */
  imgPerSec: number;
  /**
   * Median images/s of timed steps that each read their loss back (trainOnBatch-like). For
   * tf.layers, whose trainOnBatch always reads back, the same figure as `imgPerSec`.
   */
  imgPerSecSync: number;
  /** First step: kernel tuning (engine), shader compilation and the step itself. */
  firstStepMs: number;
  firstStepTuning: FirstStepTuning;
  /** The part of the first step spent in the tuner: reading the cache, timing what it lacks. */
  firstStepTuningMs: number;
  tensorsAt1: number;
  /** Live tensors after the last step (step `leakStep` of the report). */
  tensorsAtLeakStep: number;
  gpuBytesAt1: number;
  gpuBytesAtLeakStep: number;
  /** The most GPU memory in use at any moment of a training step (step 2), not only after it. */
  peakGpuBytes: number;
  /** Compute dispatches of one training step (step 2), tfjs's and ours. */
  dispatchesPerStep: number;
  /** FP16 rows: the dynamic loss scale after the last step; null for f32 rows and tf.layers. */
  lossScale: number | null;
  /** FP16 rows: updates skipped for overflow over the whole row; null otherwise. */
  skippedSteps: number | null;
  /**
   * Engine rows: one more step with every dispatch timed by GPU timestamps, by kernel; null for
   * tf.layers and where the adapter lacks timestamp-query.
   */
  stepProfile: StepProfile | null;
}

/**
 * The adapter's roofline peaks (src/engine/benchmark/peaks.ts), each from one timed dispatch
 * sized to span at least MIN_DISPATCH_MS.
 */
export interface RooflinePeaks {
  /** Arithmetic: vec4 FMA chains. */
  gflops: number;
  /** Memory: a streaming copy, bytes read plus written. */
  gbps: number;
  /** Milliseconds of the FMA dispatch the arithmetic peak comes from. */
  fmaDispatchMs: number;
  /** Milliseconds of the copy dispatch the bandwidth peak comes from. */
  copyDispatchMs: number;
}

export interface BenchRatios {
  /** engine f32 images/s ÷ tf.layers images/s. */
  engineVsLayers: number | null;
  /** engine f16-storage/f16 images/s ÷ engine f32 images/s; null without an f16 row. */
  f16VsF32: number | null;
  /** engine f32 first step ÷ tf.layers first step. */
  firstStepVsLayers: number | null;
  /** convGflops ÷ peakGflops. */
  convFractionOfPeak: number | null;
  /** peakGpuBytes of the FP16 row (engine f16-storage/f16, else engine f16-storage/f32) ÷ engine f32's. */
  fp16PeakVsF32: number | null;
}

/** The largest convolution of the ratio network, as the suite timed it. */
export interface LargestConv {
  name: string;
  shape: string;
  /** The kernel the engine f32 rows run it with (their kernel setting's choice). */
  kernel: string;
  gflops: number;
}

/** One candidate kernel of a convolution op, as the tuner timed it. */
export interface BenchCandidate {
  /** Kernel id: 'direct', 'tfjs' or a tile shape such as 'tiled-64x64'. */
  id: string;
  family: ConvFamily;
  /** Median ms per run; null when it failed here or was cut short (far slower than the best). */
  ms: number | null;
  gflops: number | null;
  /**
   * GB/s its loads and stores moved (src/engine/kernels/conv-traffic.ts: each issued global load
   * and store, caches ignored); null where not timed, and for tfjs, whose loops are not ours.
   */
  gbps: number | null;
}

/** One distinct (op, shape) of the ratio network, with every kernel that can run it. */
export interface BenchLayer {
  op: ConvOp;
  /** e.g. "3×3/1 p1, 4→4 @32×32, batch 128". */
  shape: string;
  candidates: BenchCandidate[];
  /** The kernel the run's setting uses for this shape ('auto': the fastest). */
  chosen: string;
}

export type TuningTimer = 'gpu timestamps' | 'wall clock' | 'none';

/** The per-layer timing of the ratio network, done before any row. */
export interface LayerTuning {
  layers: BenchLayer[];
  /** Wall time of the whole tuning (compiling every candidate, then timing them). */
  ms: number;
  timer: TuningTimer;
}

export interface BenchReport {
  adapter: string;
  /** The kernel setting of the engine rows. */
  kernels: KernelSetting;
  rows: BenchRow[];
  /** FMA micro-benchmark on the same adapter, in the same run; null when a partial run ended first. */
  peakGflops: number | null;
  /** Streaming-copy bandwidth on the same adapter, in the same run; null as peakGflops. */
  peakGBps: number | null;
  /** Milliseconds of the one timed dispatch each peak comes from; null as peakGflops. */
  peakFmaDispatchMs: number | null;
  peakCopyDispatchMs: number | null;
  /** The largest convolution of the ResNet-18-style network at the ratio batch, as the f32 engine runs it. */
  convGflops: number | null;
  /** Every f32 convolution op of the ratio network, each kernel timed; null when not measured. */
  layers: BenchLayer[] | null;
  /** Wall time of that per-layer tuning; null when not measured. */
  tuningMs: number | null;
  tuningTimer: TuningTimer | null;
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

/** The model and batch the ratios are computed for. */
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
  const f16 = find(rows, 'engine f16-storage/f16', model, batch);
  const fp16 = FP16_VARIANTS.map((v) => find(rows, v, model, batch)).find((r) => r !== undefined);
  return {
    engineVsLayers: ratio(f32?.imgPerSec, layers?.imgPerSec),
    f16VsF32: ratio(f16?.imgPerSec, f32?.imgPerSec),
    firstStepVsLayers: ratio(f32?.firstStepMs, layers?.firstStepMs),
    convFractionOfPeak: ratio(convGflops, peakGflops),
    fp16PeakVsF32: ratio(fp16?.peakGpuBytes, f32?.peakGpuBytes),
  };
}

const copyRow = (r: BenchRow): BenchRow => ({
  name: r.name,
  model: r.model,
  batch: r.batch,
  kernels: r.kernels,
  imgPerSec: r.imgPerSec,
  imgPerSecSync: r.imgPerSecSync,
  firstStepMs: r.firstStepMs,
  firstStepTuning: r.firstStepTuning,
  firstStepTuningMs: r.firstStepTuningMs,
  tensorsAt1: r.tensorsAt1,
  tensorsAtLeakStep: r.tensorsAtLeakStep,
  gpuBytesAt1: r.gpuBytesAt1,
  gpuBytesAtLeakStep: r.gpuBytesAtLeakStep,
  peakGpuBytes: r.peakGpuBytes,
  dispatchesPerStep: r.dispatchesPerStep,
  lossScale: r.lossScale,
  skippedSteps: r.skippedSteps,
  stepProfile: r.stepProfile,
});

const finiteOrNull = (v: number | null): number | null =>
  v !== null && Number.isFinite(v) ? v : null;

const copyLayer = (l: BenchLayer): BenchLayer => ({
  op: l.op,
  shape: l.shape,
  candidates: l.candidates.map((c) => ({
    id: c.id,
    family: c.family,
    ms: finiteOrNull(c.ms),
    gflops: finiteOrNull(c.gflops),
    gbps: finiteOrNull(c.gbps),
  })),
  chosen: l.chosen,
});

/** What a run measured: every input of the report. */
export interface Measurements {
  adapter: string;
  kernels: KernelSetting;
  rows: readonly BenchRow[];
  /** null when the run ended before the peaks were measured. */
  peaks: RooflinePeaks | null;
  convGflops: number | null;
  /** null when the run ended before the per-layer tuning was done. */
  tuning: LayerTuning | null;
}

function reportOf(
  m: Measurements,
  model: BenchModel,
  batch: number,
): Omit<BenchReport, 'complete' | 'reason'> {
  return {
    adapter: m.adapter,
    kernels: m.kernels,
    rows: m.rows.map(copyRow),
    peakGflops: m.peaks?.gflops ?? null,
    peakGBps: m.peaks?.gbps ?? null,
    peakFmaDispatchMs: m.peaks?.fmaDispatchMs ?? null,
    peakCopyDispatchMs: m.peaks?.copyDispatchMs ?? null,
    convGflops: m.convGflops,
    layers: m.tuning ? m.tuning.layers.map(copyLayer) : null,
    tuningMs: m.tuning ? m.tuning.ms : null,
    tuningTimer: m.tuning ? m.tuning.timer : null,
    ratios: computeRatios(m.rows, m.peaks?.gflops ?? null, m.convGflops, model, batch),
  };
}

/**
 * The report in its documented JSON shape (docs/benchmark.md) (key order included), plus `complete: true`. A
 * candidate's NaN time (failed, cut short) becomes null, as JSON would write it anyway.
 */
export function assembleReport(m: Measurements, ratioBatch: number = RATIO_BATCH): BenchReport {
  return { ...reportOf(m, RATIO_MODEL, ratioBatch), complete: true };
}

/** What a stopped or failed run had measured, and why it ended. */
export interface PartialMeasurements extends Measurements {
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
  return { ...reportOf(measured, model, batch), complete: false, reason: measured.reason };
}

/** Seconds per epoch of `epochImages` images at `imgPerSec` (the paper's Table 3 unit). */
export function epochSeconds(imgPerSec: number, epochImages: number): number {
  return imgPerSec > 0 ? epochImages / imgPerSec : Number.POSITIVE_INFINITY;
}

const fmt = (v: number | null, digits = 2) => (v === null ? 'n/a' : v.toFixed(digits));

/** The first step's tuning in a few characters: "tuned 12.3 s", "cached" or "-". */
export function tuningCell(r: Pick<BenchRow, 'firstStepTuning' | 'firstStepTuningMs'>): string {
  if (r.firstStepTuning === 'tuned') return `tuned ${(r.firstStepTuningMs / 1000).toFixed(1)} s`;
  return r.firstStepTuning === 'cached' ? 'cached' : '-';
}

/** An FP16 row's final loss scale and skipped updates, e.g. "65536 (2 skipped)"; else "-". */
export function lossScaleCell(r: Pick<BenchRow, 'lossScale' | 'skippedSteps'>): string {
  if (r.lossScale === null) return '-';
  return `${r.lossScale} (${r.skippedSteps ?? 0} skipped)`;
}

/** Both roofline peaks with the dispatch each came from, or that they were not measured. */
export function peaksLine(
  r: Pick<BenchReport, 'peakGflops' | 'peakGBps' | 'peakFmaDispatchMs' | 'peakCopyDispatchMs'>,
): string {
  if (r.peakGflops === null || r.peakGBps === null) return 'peaks: not measured';
  return (
    `FMA peak ${r.peakGflops.toFixed(1)} GFLOP/s (one ${formatMs(r.peakFmaDispatchMs)} ms dispatch), ` +
    `copy peak ${r.peakGBps.toFixed(1)} GB/s (one ${formatMs(r.peakCopyDispatchMs)} ms dispatch)`
  );
}

/** tf.layers' sync figure is its only one (trainOnBatch reads back every step): it says so. */
export function syncCell(r: Pick<BenchRow, 'name' | 'imgPerSecSync'>): string {
  const value = r.imgPerSecSync.toFixed(1);
  return r.name === 'tf.layers' ? `${value} (same)` : value;
}

const VARIANT_WIDTH = 'engine f16-storage/f32'.length;

/** The report as a fixed-width text table, one line per row, then peak, conv and ratios. */
export function formatReportTable(report: BenchReport, leakStep: number): string {
  const head = [
    'variant'.padEnd(VARIANT_WIDTH),
    'model'.padEnd(15),
    'batch'.padStart(5),
    'kernels'.padEnd(7),
    'img/s'.padStart(9),
    'sync img/s'.padStart(12),
    'first ms'.padStart(9),
    'tuning'.padEnd(12),
    'tensors@1'.padStart(10),
    `@${leakStep}`.padStart(7),
    'GPU MB@1'.padStart(9),
    `@${leakStep}`.padStart(8),
    'peak MB'.padStart(8),
    'disp/step'.padStart(9),
    'loss scale'.padStart(16),
  ].join(' ');
  const lines = [head, '-'.repeat(head.length)];
  for (const r of report.rows) {
    lines.push(
      [
        r.name.padEnd(VARIANT_WIDTH),
        r.model.padEnd(15),
        String(r.batch).padStart(5),
        r.kernels.padEnd(7),
        r.imgPerSec.toFixed(1).padStart(9),
        syncCell(r).padStart(12),
        r.firstStepMs.toFixed(0).padStart(9),
        tuningCell(r).padEnd(12),
        String(r.tensorsAt1).padStart(10),
        String(r.tensorsAtLeakStep).padStart(7),
        (r.gpuBytesAt1 / 2 ** 20).toFixed(1).padStart(9),
        (r.gpuBytesAtLeakStep / 2 ** 20).toFixed(1).padStart(8),
        (r.peakGpuBytes / 2 ** 20).toFixed(1).padStart(8),
        String(r.dispatchesPerStep).padStart(9),
        lossScaleCell(r).padStart(16),
      ].join(' '),
    );
  }
  const q = report.ratios;
  lines.push(
    '',
    `img/s: the trainer's own step (upload, augmentation, forward, backward, update; FP16 with loss ` +
      `scaling), loss read back every ${READBACK_STEPS} steps as training does, the window ending ` +
      'when the GPU has finished; sync img/s: a readback after every step ' +
      '(tf.layers: trainOnBatch always reads back, so both are its one figure)',
    `${peaksLine(report)}; largest conv ${fmt(report.convGflops, 1)} GFLOP/s`,
    `ratios (${RATIO_MODEL}, batch ${RATIO_BATCH}, img/s): engine/layers ×${fmt(q.engineVsLayers)}, ` +
      `f16/f32 ×${fmt(q.f16VsF32)}, first step engine/layers ×${fmt(q.firstStepVsLayers)}, ` +
      `conv/peak ${q.convFractionOfPeak === null ? 'n/a' : (q.convFractionOfPeak * 100).toFixed(1) + '%'}, ` +
      `peak GPU bytes FP16/f32 ×${fmt(q.fp16PeakVsF32)}`,
    'peak MB: the most GPU memory in use at any moment of a training step (step 2)',
  );
  return lines.join('\n');
}

/** `value` as a whole percentage of `peak`, or "—" when either is missing. */
export function percentOf(value: number | null, peak: number | null): string {
  const r = ratio(value, peak);
  return r === null ? '—' : `${(r * 100).toFixed(0)}%`;
}

/** Milliseconds with 3 significant-ish digits: 0.0123, 1.23, 12.3, 123. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/**
 * The per-layer tuning like cuDNN's find results: for each (op, shape), every candidate kernel's
 * ms and GFLOP/s, the one the run's kernel setting uses marked `*`. null without a tuning.
 */
export function formatLayersTable(report: BenchReport, model: BenchModel): string | null {
  if (!report.layers) return null;
  const timing =
    report.tuningMs === null ? '' : `, ${(report.tuningMs / 1000).toFixed(1)} s in all`;
  const head = [
    'op'.padEnd(10),
    'shape'.padEnd(36),
    '  kernel'.padEnd(16),
    'ms'.padStart(9),
    'GFLOP/s'.padStart(9),
    'GB/s'.padStart(8),
    '%FMA'.padStart(6),
    '%copy'.padStart(6),
  ].join(' ');
  const lines = [
    `per-layer kernels of ${model}, f32, every candidate timed (${report.tuningTimer ?? 'n/a'}${timing}); ` +
      `* = the kernel --kernels ${report.kernels} runs; — = failed or cut short (≥ 3× the best); ` +
      'GB/s: the bytes its loads and stores move (tfjs: not counted); %FMA, %copy: of each peak',
    head,
    '-'.repeat(head.length),
  ];
  for (const layer of report.layers) {
    layer.candidates.forEach((c, i) => {
      lines.push(
        [
          (i === 0 ? layer.op : '').padEnd(10),
          (i === 0 ? layer.shape : '').padEnd(36),
          `${c.id === layer.chosen ? '*' : ' '} ${c.id}`.padEnd(16),
          formatMs(c.ms).padStart(9),
          (c.gflops === null ? '—' : c.gflops.toFixed(1)).padStart(9),
          (c.gbps === null ? '—' : c.gbps.toFixed(1)).padStart(8),
          percentOf(c.gflops, report.peakGflops).padStart(6),
          percentOf(c.gbps, report.peakGBps).padStart(6),
        ].join(' '),
      );
    });
    // A forced family that no candidate timing names (not applicable here): still say what runs.
    if (!layer.candidates.some((c) => c.id === layer.chosen)) {
      lines.push(
        [
          (layer.candidates.length === 0 ? layer.op : '').padEnd(10),
          (layer.candidates.length === 0 ? layer.shape : '').padEnd(36),
          `* ${layer.chosen}`.padEnd(16),
          'untimed'.padStart(9),
        ].join(' '),
      );
    }
  }
  return lines.join('\n');
}
