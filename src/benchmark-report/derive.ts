import {
  assemblePartialReport,
  basisBatch,
  basisModel,
  computeRatios,
  epochSeconds,
  RATIO_BATCH,
  RATIO_MODEL,
  type BenchModel,
  type BenchRatios,
  type BenchReport,
  type BenchRow,
  type BenchVariant,
  type PartialMeasurements,
} from './report';

/**
 * What the Benchmark panel derives from a measured report: the network and batch its ratios are
 * for, the engine's speed and memory goals met or not, and time per epoch like the paper's Table 3. Pure.
 */

export interface RatioBasis {
  model: BenchModel;
  batch: number;
}

/**
 * The ratios are for the ResNet-18-style network at batch 128. When that was not
 * measured: the ResNet-18-style network (else the first network) at its largest batch, the same
 * choice the suite makes for the largest-convolution timing.
 */
export function ratioBasis(rows: readonly BenchRow[]): RatioBasis | null {
  if (rows.length === 0) return null;
  const model = basisModel(rows.map((r) => r.model));
  const batch = basisBatch(rows.filter((r) => r.model === model).map((r) => r.batch));
  return { model, batch };
}

/** The basis a run of these networks and batches gets once complete (the rule of `ratioBasis`). */
export function plannedBasis(
  models: readonly BenchModel[],
  batches: readonly number[],
): RatioBasis | null {
  if (models.length === 0 || batches.length === 0) return null;
  return { model: basisModel(models), batch: basisBatch(batches) };
}

/** The `reason` of a partial report when Stop was pressed. */
export const STOPPED_BY_USER = 'stopped by the user';

/**
 * The report of a stopped or failed run, its ratios at the basis the complete run would have had
 * (from the planned networks and batches), so a ratio whose row is missing stays null rather
 * than being taken at another batch.
 */
export function partialReportOf(
  measured: PartialMeasurements,
  plan: { models: readonly BenchModel[]; batches: readonly number[] } | null,
): BenchReport {
  const basis = (plan && plannedBasis(plan.models, plan.batches)) ??
    ratioBasis(measured.rows) ?? { model: RATIO_MODEL, batch: RATIO_BATCH };
  return assemblePartialReport(measured, basis.model, basis.batch);
}

/** The report with its ratios computed at `ratioBasis` (identical when batch 128 was measured). */
export function reportAtBasis(report: BenchReport): BenchReport {
  const basis = ratioBasis(report.rows);
  if (!basis) return report;
  const ratios: BenchRatios = computeRatios(
    report.rows,
    report.peakGflops,
    report.convGflops,
    basis.model,
    basis.batch,
  );
  return { ...report, ratios };
}

/** The report as `npm run bench -- --json FILE` writes it. */
export function reportJson(report: BenchReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export type TargetKey =
  | 'engineVsLayers'
  | 'firstStepVsLayers'
  | 'noGrowth'
  | 'convFractionOfPeak'
  | 'f16VsF32'
  | 'fp16PeakVsF32';

export interface TargetCheck {
  key: TargetKey;
  label: string;
  /** The measured value (a ratio, or for noGrowth the number of rows that grew). */
  value: number | null;
  target: string;
  /** null: not measured. */
  met: boolean | null;
}

/**
 * The engine's speed and memory goals, shown beside each measured ratio: ≥ 3× tf.layers' images/s,
 * a first step ≤ half of tf.layers', the largest convolution at ≥ 40% of the FMA peak, an FP16
 * step ≥ 1.6× faster than f32 and FP16's peak GPU memory ≤ 0.6× f32's.
 */
export const TARGETS = {
  engineVsLayers: 3,
  firstStepVsLayers: 0.5,
  convFractionOfPeak: 0.4,
  f16VsF32: 1.6,
  fp16PeakVsF32: 0.6,
} as const;

const atLeast = (v: number | null, t: number) => (v === null ? null : v >= t);
const atMost = (v: number | null, t: number) => (v === null ? null : v <= t);

/** Rows whose live tensors or GPU bytes grew between step 1 and the leak-check step. */
export function grownRows(rows: readonly BenchRow[]): BenchRow[] {
  return rows.filter(
    (r) => r.tensorsAtLeakStep > r.tensorsAt1 || r.gpuBytesAtLeakStep > r.gpuBytesAt1,
  );
}

export function checkTargets(report: BenchReport): TargetCheck[] {
  const q = report.ratios;
  const grown = report.rows.length > 0 ? grownRows(report.rows).length : null;
  return [
    {
      key: 'engineVsLayers',
      label: 'images/s, engine f32 ÷ tf.layers',
      value: q.engineVsLayers,
      target: `≥ ×${TARGETS.engineVsLayers}`,
      met: atLeast(q.engineVsLayers, TARGETS.engineVsLayers),
    },
    {
      key: 'firstStepVsLayers',
      label: 'first step, engine f32 ÷ tf.layers',
      value: q.firstStepVsLayers,
      target: `≤ ×${TARGETS.firstStepVsLayers}`,
      met: atMost(q.firstStepVsLayers, TARGETS.firstStepVsLayers),
    },
    {
      key: 'noGrowth',
      label: 'rows whose tensors or GPU bytes grew after step 1',
      value: grown,
      target: '0',
      met: grown === null ? null : grown === 0,
    },
    {
      key: 'convFractionOfPeak',
      label: 'largest convolution ÷ FMA peak',
      value: q.convFractionOfPeak,
      target: `≥ ${TARGETS.convFractionOfPeak * 100}%`,
      met: atLeast(q.convFractionOfPeak, TARGETS.convFractionOfPeak),
    },
    {
      key: 'f16VsF32',
      label: 'images/s, engine f16-storage/f16 ÷ engine f32 (the FP16 target)',
      value: q.f16VsF32,
      target: `≥ ×${TARGETS.f16VsF32}`,
      met: atLeast(q.f16VsF32, TARGETS.f16VsF32),
    },
    {
      key: 'fp16PeakVsF32',
      label: 'peak GPU bytes of a step, FP16 ÷ engine f32',
      value: q.fp16PeakVsF32,
      target: `≤ ×${TARGETS.fp16PeakVsF32}`,
      met: atMost(q.fp16PeakVsF32, TARGETS.fp16PeakVsF32),
    },
  ];
}

export interface EpochTimeRow {
  model: BenchModel;
  batch: number;
  /** Seconds per epoch; null where the variant was not measured. */
  seconds: Record<BenchVariant, number | null>;
  /** tf.layers time ÷ the fastest engine row's time at this batch. */
  speedup: number | null;
}

const VARIANTS: readonly BenchVariant[] = [
  'tf.layers',
  'engine f32',
  'engine f16-storage/f16',
  'engine f16-storage/f32',
];
const ENGINE_VARIANTS = VARIANTS.filter((v) => v !== 'tf.layers');

function secondsOf(row: BenchRow | undefined, epochImages: number): number | null {
  if (!row || !(row.imgPerSec > 0) || !Number.isFinite(row.imgPerSec)) return null;
  return epochSeconds(row.imgPerSec, epochImages);
}

/**
 * Time per epoch of `epochImages` images for every network × batch, from the measured images/s:
 * training steps only (no decoding, evaluation or smaller last batch), as the panel's caption says.
 */
export function epochTimes(rows: readonly BenchRow[], epochImages: number): EpochTimeRow[] {
  const keys: { model: BenchModel; batch: number }[] = [];
  for (const r of rows) {
    if (!keys.some((k) => k.model === r.model && k.batch === r.batch)) {
      keys.push({ model: r.model, batch: r.batch });
    }
  }
  return keys.map(({ model, batch }) => {
    const seconds = Object.fromEntries(
      VARIANTS.map((v) => [
        v,
        secondsOf(
          rows.find((r) => r.model === model && r.batch === batch && r.name === v),
          epochImages,
        ),
      ]),
    ) as Record<BenchVariant, number | null>;
    const engine = ENGINE_VARIANTS.map((v) => seconds[v]).filter((s): s is number => s !== null);
    const base = seconds['tf.layers'];
    return {
      model,
      batch,
      seconds,
      speedup: base !== null && engine.length > 0 ? base / Math.min(...engine) : null,
    };
  });
}

export interface EpochSetting {
  variant: BenchVariant;
  batch: number;
  seconds: number;
}

export interface Table3Row {
  model: BenchModel;
  /** Stock tf.layers in f32 at the smallest batch measured (the paper: BS 256, FP32). */
  baseline: EpochSetting | null;
  /** The fastest engine setting measured, any batch, f16 or f32 (the paper: BS 1024, FP16). */
  efficient: EpochSetting | null;
  /** baseline seconds ÷ efficient seconds. */
  speedup: number | null;
}

/** Per network, the paper's Table 3 comparison: time per epoch, baseline vs efficient. */
export function table3(rows: readonly BenchRow[], epochImages: number): Table3Row[] {
  const models = [...new Set(rows.map((r) => r.model))];
  return models.map((model) => {
    const setting = (r: BenchRow): EpochSetting | null => {
      const seconds = secondsOf(r, epochImages);
      return seconds === null ? null : { variant: r.name, batch: r.batch, seconds };
    };
    const layers = rows
      .filter((r) => r.model === model && r.name === 'tf.layers')
      .sort((a, b) => a.batch - b.batch);
    const baseline = layers.length > 0 ? setting(layers[0]!) : null;
    const engine = rows
      .filter((r) => r.model === model && r.name !== 'tf.layers')
      .map(setting)
      .filter((s): s is EpochSetting => s !== null)
      .sort((a, b) => a.seconds - b.seconds);
    const efficient = engine[0] ?? null;
    return {
      model,
      baseline,
      efficient,
      speedup: baseline && efficient ? baseline.seconds / efficient.seconds : null,
    };
  });
}

/** Vulkan or WebGPU implementations that run on the CPU: their figures say little about a GPU. */
export function isCpuAdapter(adapter: string): boolean {
  return /llvmpipe|lavapipe|swiftshader/i.test(adapter);
}

const OUT_OF_MEMORY = /out of memory|\boom\b|allocat|exceeds the maximum|too large/i;

/** A failure in words: what was running, what went wrong, and what to change when memory ran out. */
export function describeBenchmarkFailure(message: string, during: string | null): string {
  const where = during ? ` while ${during}` : '';
  if (OUT_OF_MEMORY.test(message)) {
    return (
      `The GPU ran out of memory${where}: ${message.replace(/\.$/, '')}. ` +
      'Try a smaller width multiplier or batch size, or one network at a time.'
    );
  }
  return `The benchmark failed${where}: ${message.replace(/\.$/, '')}.`;
}
