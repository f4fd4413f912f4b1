import * as tf from '@tensorflow/tfjs';
import { allConvBns, buildResNetSpec, summarizeResNet, type ResNetSpec } from '../../architecture';
import type { AdapterIdentity, KernelSetting } from '../../autotune/plan';
import type { ModelName } from '../../config/params';
import {
  assembleReport,
  basisBatch,
  basisModel,
  imagesPerSecond,
  median,
  READBACK_STEPS,
  type BenchLayer,
  type BenchModel,
  type BenchReport,
  type BenchRow,
  type BenchVariant,
  fp16Variants,
  type FirstStepTuning,
  type LargestConv,
  type LayerTuning,
} from '../../benchmark/report';
import { minimumLeakStep } from '../../benchmark/settings';
import { createRng, NAG_MOMENTUM } from '../../tricks';
import { tuneConvolutions, type TuneResult, type TuningCacheStore } from '../autotune/tuner';
import { f32Ops, kernelGeometry, packedOps, type HeavyOps } from '../heavy-ops';
import { deviceHasShaderF16 } from '../kernels/dispatch';
import { softCrossEntropy } from '../loss';
import { createResNetModel, type BatchMoments } from '../model';
import { createNagOptimizer } from '../optimizer';
import { compileTfjsShadersAhead, compileTrainingShaders } from '../precompile';
import { installPackedGradientAccumulation } from '../packed';
import { countDispatches } from './dispatch-counter';
import { measureFmaPeak } from './fma-peak';
import { trackPeakGpuBytes } from './peak-memory';
import { buildLayersResNet, compileStock } from './layers-resnet';

/**
 * The engine benchmark of issue 5, shared by `npm run bench` (Node, Dawn) and the page's
 * Benchmark panel (worker). First the FMA peak, then every f32 convolution op of the ratio network
 * timed with each kernel that can run it (cuDNN's find results; the choices go into the tuning
 * cache), then its largest convolution. Then for each model × batch: the stock tf.layers baseline,
 * our engine in f32 and in FP16 (packed f16 storage: with f16 arithmetic where the device has
 * shader-f16, and with f32 arithmetic on every adapter), each trained for `leakStep` steps on the same
 * GPU-resident random batch. An engine row tunes in its first step, as the trainer does (with the
 * cache filled, nothing is timed), and is timed twice: as training runs, the loss read back every
 * READBACK_STEPS steps (img/s), then with a readback after every step (sync img/s, what
 * trainOnBatch does: tf.layers has only that one figure).
 */

export interface BenchModelConfig {
  model: BenchModel;
  arch: ModelName;
  input: number;
  width: number;
}

/** Widths sized for lavapipe (2 CPU cores); pass width 1 on a real GPU. */
export const RESNET18_STYLE: BenchModelConfig = {
  model: 'resnet18-style',
  arch: 'resnet18',
  input: 32,
  width: 0.0625,
};
export const RESNET50_STYLE: BenchModelConfig = {
  model: 'resnet50-style',
  arch: 'resnet50',
  input: 64,
  width: 0.0625,
};

export interface SuiteOptions {
  models: BenchModelConfig[];
  batches: number[];
  /** Steps after step 1 that are run but not timed. */
  warmupSteps: number;
  /**
   * Timed steps (≥ 1). An engine row runs them twice: with a batched readback (img/s: total time
   * ÷ images), then with a readback per step (sync img/s: the median step); tf.layers once.
   */
  timedSteps: number;
  /** The step after which tensors and GPU bytes are read a second time (≥ minimumLeakStep). */
  leakStep: number;
  /**
   * Run the FP16 rows (default true): 'engine f16-storage' on every adapter, and 'engine f16'
   * where the device has shader-f16.
   */
  f16?: boolean;
  /** Convolution kernels of the engine rows: 'auto' (default) tunes per shape, else one family. */
  kernels?: KernelSetting;
  /** The adapter, which keys the tuning cache. */
  adapter: AdapterIdentity;
  /**
   * Where tuned kernel choices persist: the per-layer measurement saves into it and each engine
   * row's first step reads it. None: every engine row times its candidates in its first step.
   */
  tuningCache?: TuningCacheStore | null;
  onProgress?: (message: string) => void;
  /** Called once the FMA peak is measured (before any row), so a stopped run still has it. */
  onPeak?: (gflops: number) => void;
  /** Called once the ratio network's convolutions are tuned (before any row). */
  onLayers?: (tuning: LayerTuning) => void;
  /** Called once the largest convolution is timed (before any row). */
  onLargestConv?: (conv: LargestConv) => void;
  /** Called as each row is measured (the page shows rows as they come). */
  onRow?: (row: BenchRow, dispatches: number) => void;
  /** Checked before every step: once aborted, the suite rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface SuiteResult {
  report: BenchReport;
  leakStep: number;
  /** Compute dispatches of one step (step 2), per row, same order as report.rows. */
  dispatchesPerStep: number[];
  /** The largest convolution of the ratio network: name, shape, kernel and its GFLOP/s. */
  largestConv: LargestConv;
  /** The network and batch of the per-layer tuning (and of the ratios). */
  layersOf: { model: BenchModel; batch: number };
}

const CLASSES = 10;
const LR = 0.05;
const WEIGHT_DECAY = 1e-4;

function specOf(config: BenchModelConfig): ResNetSpec {
  return buildResNetSpec({
    model: config.arch,
    width: config.width,
    input: config.input,
    stem: 'auto',
    tweakB: false,
    tweakC: false,
    tweakD: false,
    zeroGamma: false,
    classes: CLASSES,
  });
}

interface Trainee {
  /**
   * One step. Resolves once it is queued, with its loss still on the GPU for the caller to read
   * back, or with null when the step read its loss back itself (trainOnBatch).
   */
  step(): Promise<tf.Scalar | null>;
  /** What the first step's tuning did, once it has run. */
  readonly tuning: { status: FirstStepTuning; ms: number };
  dispose(): void;
}

function tuningStatus(result: TuneResult): FirstStepTuning {
  if (result.timer !== 'none') return 'tuned';
  return result.convs.length > 0 && result.convs.every((c) => c.cached) ? 'cached' : 'none';
}

/** Tuner progress in words, e.g. "tuning kernels, timing 3 of 24 convolution ops". */
function tuningProgress(prefix: string, onProgress: SuiteOptions['onProgress']) {
  return (done: number, total: number, stage: 'compiling' | 'timing') => {
    if (total === 0) return;
    const what = stage === 'compiling' ? 'candidate shaders compiled' : 'convolution ops timed';
    onProgress?.(`${prefix}tuning kernels: ${done} of ${total} ${what}`);
  };
}

/** The ops of an engine row: FP16 rows store activations packed, with f16 or f32 arithmetic. */
function engineOps(variant: BenchVariant, setting: KernelSetting): HeavyOps {
  if (variant === 'engine f32') return f32Ops(setting);
  installPackedGradientAccumulation();
  return packedOps(variant === 'engine f16' ? 'packed-f16' : 'packed-f32', setting);
}

function engineTrainee(
  spec: ResNetSpec,
  input: number,
  x: tf.Tensor4D,
  targets: tf.Tensor2D,
  variant: BenchVariant,
  options: SuiteOptions,
  label: string,
): Trainee {
  const ops = engineOps(variant, options.kernels ?? 'auto');
  const model = createResNetModel(spec, input, createRng(1), ops);
  const optimizer = createNagOptimizer(model.parameters, WEIGHT_DECAY, true, NAG_MOMENTUM);
  const trainable = model.parameters.map((p) => p.variable);
  /** Forward, backward and (with `apply`) the update; returns the loss. */
  const run = (apply: boolean): tf.Scalar => {
    let moments: BatchMoments[] = [];
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const out = model.forward(x, true);
        moments = out.moments.map((m) => ({
          ...m,
          mean: tf.keep(m.mean),
          variance: tf.keep(m.variance),
        }));
        return softCrossEntropy(targets, out.logits);
      }, trainable);
      if (apply) optimizer.applyGradients(grads, LR);
      return value;
    });
    if (apply) model.updateRunningStats(moments);
    for (const m of moments) tf.dispose([m.mean, m.variance]);
    return loss;
  };
  let compiled = false;
  const tuning = { status: 'none' as FirstStepTuning, ms: 0 };
  return {
    tuning,
    async step() {
      // As the trainer does: tune (or read the cache), then compile every shader ahead, in
      // parallel; all of it is part of the first step.
      if (!compiled) {
        const start = performance.now();
        const result = await tuneConvolutions({
          spec,
          input,
          batch: x.shape[0],
          ops,
          adapter: options.adapter,
          cache: options.tuningCache ?? null,
          signal: options.signal,
          onProgress: tuningProgress(`${label}: `, options.onProgress),
        });
        tuning.ms = performance.now() - start;
        tuning.status = tuningStatus(result);
        for (const notice of result.notices) options.onProgress?.(notice);
        await compileTrainingShaders(spec, ops, input, x.shape[0]);
        await compileTfjsShadersAhead(() => run(false).dispose());
        compiled = true;
      }
      return run(true);
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}

function layersTrainee(
  spec: ResNetSpec,
  input: number,
  x: tf.Tensor4D,
  targets: tf.Tensor2D,
): Trainee {
  const model = buildLayersResNet(spec, input, WEIGHT_DECAY);
  compileStock(model, LR, NAG_MOMENTUM);
  return {
    tuning: { status: 'none', ms: 0 },
    async step() {
      // trainOnBatch reads its loss back before it resolves.
      await model.trainOnBatch(x, targets);
      return null;
    },
    dispose() {
      model.optimizer.dispose();
      model.dispose();
    },
  };
}

/** Reads `losses` back in one transfer (as the trainer does) and frees them. */
async function readBack(losses: tf.Scalar[]): Promise<void> {
  if (losses.length === 0) return;
  const stacked = tf.stack(losses);
  try {
    await stacked.data();
  } finally {
    stacked.dispose();
    tf.dispose(losses);
  }
}

const gpuBytes = () =>
  (tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number }).numBytesInGPU ?? 0;

async function measureRow(
  name: BenchVariant,
  config: BenchModelConfig,
  batch: number,
  options: SuiteOptions,
): Promise<{ row: BenchRow; dispatches: number }> {
  const spec = specOf(config);
  const x = tf.randomNormal(
    [batch, config.input, config.input, 3],
    0,
    1,
    'float32',
    7,
  ) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => (i * 7) % CLASSES),
    'int32',
  );
  const targets = tf.oneHot(labels, CLASSES).toFloat() as tf.Tensor2D;
  labels.dispose();
  const label = `${name} ${config.model} batch ${batch}`;
  const layers = name === 'tf.layers';
  const trainee = layers
    ? layersTrainee(spec, config.input, x, targets)
    : engineTrainee(spec, config.input, x, targets, name, options, label);
  // Steps: 1 (first), warm-up, the timed window as training runs (readback every
  // READBACK_STEPS), then (engine only) the timed window with a readback per step, then the
  // rest up to the leak check. Warm-up and later steps read back every step, so that each
  // window starts with an idle GPU.
  const firstTimed = 2 + options.warmupSteps;
  const lastAsync = firstTimed + options.timedSteps - 1;
  const lastSync = lastAsync + (layers ? 0 : options.timedSteps);
  const pending: tf.Scalar[] = [];
  const syncStepMs: number[] = [];
  let asyncStart = 0;
  let asyncMs = 0;
  let firstStepMs = 0;
  let tensorsAt1 = 0;
  let gpuBytesAt1 = 0;
  let dispatches = 0;
  let peakGpuBytes = 0;
  try {
    for (let step = 1; step <= options.leakStep; step++) {
      options.signal?.throwIfAborted();
      if (step % 10 === 0 || step === 1) {
        options.onProgress?.(`${label}: step ${step}/${options.leakStep}`);
      }
      const inAsync = step >= firstTimed && step <= lastAsync;
      const counter = step === 2 ? countDispatches() : null;
      const peak = step === 2 ? trackPeakGpuBytes() : null;
      const start = performance.now();
      if (step === firstTimed) asyncStart = start;
      const loss = await trainee.step();
      // The step's own dispatches and memory: before any readback (a batched one stacks losses).
      if (counter) dispatches = counter.stop();
      if (peak) peakGpuBytes = peak.stop();
      if (inAsync) {
        if (loss) pending.push(loss);
        if (pending.length >= READBACK_STEPS || step === lastAsync) {
          await readBack(pending.splice(0));
        }
        if (step === lastAsync) asyncMs = performance.now() - asyncStart;
        continue;
      }
      if (loss) {
        try {
          await loss.data();
        } finally {
          loss.dispose();
        }
      }
      const ms = performance.now() - start;
      if (step === 1) {
        firstStepMs = ms;
        tensorsAt1 = tf.memory().numTensors;
        gpuBytesAt1 = gpuBytes();
      }
      if (step > lastAsync && step <= lastSync) syncStepMs.push(ms);
    }
    const imgPerSec =
      asyncMs > 0 ? (batch * options.timedSteps * 1000) / asyncMs : Number.POSITIVE_INFINITY;
    const row: BenchRow = {
      name,
      model: config.model,
      batch,
      kernels: layers ? 'tfjs' : (options.kernels ?? 'auto'),
      imgPerSec,
      imgPerSecSync: layers ? imgPerSec : median(imagesPerSecond(batch, syncStepMs)),
      firstStepMs,
      firstStepTuning: trainee.tuning.status,
      firstStepTuningMs: trainee.tuning.ms,
      tensorsAt1,
      tensorsAt200: tf.memory().numTensors,
      gpuBytesAt1,
      gpuBytesAt200: gpuBytes(),
      peakGpuBytes,
    };
    return { row, dispatches };
  } finally {
    tf.dispose(pending);
    trainee.dispose();
    tf.dispose([x, targets]);
  }
}

/**
 * Every f32 convolution op of `config`'s network at `batch`, each candidate kernel timed (the
 * cache ignored, the results saved into it), like cuDNN's find. `chosen` is the kernel the run's
 * setting uses: the fastest under 'auto', else the forced family's. Returns the tuned 'auto' ops
 * too (their choices installed), for the largest-convolution timing.
 */
async function measureLayers(
  config: BenchModelConfig,
  batch: number,
  options: SuiteOptions,
): Promise<{ tuning: LayerTuning; ops: HeavyOps }> {
  const spec = specOf(config);
  const ops = f32Ops('auto');
  const common = {
    spec,
    input: config.input,
    batch,
    adapter: options.adapter,
    cache: options.tuningCache ?? null,
    signal: options.signal,
  };
  const start = performance.now();
  const tuned = await tuneConvolutions({
    ...common,
    ops,
    ignoreCache: true,
    onProgress: tuningProgress(`${config.model} batch ${batch}: `, options.onProgress),
  });
  const ms = performance.now() - start;
  for (const notice of tuned.notices) options.onProgress?.(notice);
  const setting = options.kernels ?? 'auto';
  // Under a forced family the tuner times nothing and lists the kernels that will run.
  const runs =
    setting === 'auto' ? tuned : await tuneConvolutions({ ...common, ops: f32Ops(setting) });
  const chosen = new Map(runs.convs.map((c) => [c.key, c.chosen]));
  const layers: BenchLayer[] = tuned.convs.map((c) => ({
    op: c.op,
    shape: c.shape,
    candidates: c.candidates.map((t) => ({
      id: t.id,
      family: t.family,
      ms: Number.isFinite(t.ms) ? t.ms : null,
      gflops: Number.isFinite(t.gflops) ? t.gflops : null,
    })),
    chosen: chosen.get(c.key) ?? c.chosen,
  }));
  return { tuning: { layers, ms, timer: tuned.timer }, ops };
}

/** Convolutions queued per timing, so that one readback's latency is spread over them. */
const CONV_REPEATS = 10;

/**
 * The convolution with the most multiply-adds in `config`'s network, timed forward in f32 as the
 * engine f32 rows run it (`ops`: the kernel their setting chooses): best of 5 timings of
 * CONV_REPEATS queued dispatches and one readback.
 */
async function measureLargestConv(
  config: BenchModelConfig,
  batch: number,
  ops: HeavyOps,
): Promise<LargestConv> {
  const spec = specOf(config);
  const convs = summarizeResNet(spec, config.input).layers.filter((l) => l.name.endsWith('.conv'));
  const largest = convs.reduce((a, b) => (b.macs > a.macs ? b : a));
  const conv = allConvBns(spec).find((cb) => cb.conv.name === largest.name)!.conv;
  const inSize = largest.output[0] * conv.stride;
  const x = tf.randomNormal([batch, inSize, inSize, conv.inChannels]) as tf.Tensor4D;
  const w = tf.randomNormal([
    conv.kernel,
    conv.kernel,
    conv.inChannels,
    conv.outChannels,
  ]) as tf.Tensor4D;
  const kernel =
    ops.kernels?.choose('forward', kernelGeometry(x.shape, w.shape, conv.stride, conv.pad)).id ??
    'tfjs';
  const run = async (repeats: number) => {
    const outputs = Array.from({ length: repeats }, () => ops.conv2d(x, w, conv.stride, conv.pad));
    await outputs[repeats - 1]!.data();
    tf.dispose(outputs);
  };
  try {
    await run(1);
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 5; r++) {
      const start = performance.now();
      await run(CONV_REPEATS);
      best = Math.min(best, (performance.now() - start) / CONV_REPEATS);
    }
    const flops = 2 * largest.macs * batch;
    return {
      name: conv.name,
      shape: `${conv.kernel}×${conv.kernel}/${conv.stride}, ${conv.inChannels}→${conv.outChannels} @${inSize}, batch ${batch}`,
      kernel,
      gflops: flops / (best / 1000) / 1e9,
    };
  } finally {
    tf.dispose([x, w]);
  }
}

export function validateSuiteOptions(options: SuiteOptions): void {
  if (options.models.length === 0 || options.batches.length === 0) {
    throw new Error('benchmark: need at least one model and one batch size');
  }
  if (!(options.timedSteps >= 1) || !(options.warmupSteps >= 0)) {
    throw new Error('benchmark: need timed steps ≥ 1 and warm-up steps ≥ 0');
  }
  const needed = minimumLeakStep(options.warmupSteps, options.timedSteps);
  if (!(options.leakStep >= needed)) {
    throw new Error(
      `benchmark: the leak-check step must be ≥ ${needed} (1 + warm-up + 2 × timed steps)`,
    );
  }
}

export async function runBenchmarkSuite(
  options: SuiteOptions,
  adapter: string,
): Promise<SuiteResult> {
  validateSuiteOptions(options);
  options.signal?.throwIfAborted();
  const kernels = options.kernels ?? 'auto';
  const variants: BenchVariant[] = ['tf.layers', 'engine f32'];
  if (options.f16 ?? true) variants.push(...fp16Variants(deviceHasShaderF16()));
  options.onProgress?.('measuring the FMA peak');
  const peak = await measureFmaPeak();
  options.onPeak?.(peak.gflops);
  const basis = basisModel(options.models.map((m) => m.model));
  const ratioModel = options.models.find((m) => m.model === basis)!;
  const ratioBatch = basisBatch(options.batches);
  options.signal?.throwIfAborted();
  options.onProgress?.(`timing every kernel of each convolution (${basis} batch ${ratioBatch})`);
  const { tuning, ops: tunedOps } = await measureLayers(ratioModel, ratioBatch, options);
  options.onLayers?.(tuning);
  options.signal?.throwIfAborted();
  options.onProgress?.('timing the largest convolution');
  const convOps = kernels === 'auto' ? tunedOps : f32Ops(kernels);
  const largestConv = await measureLargestConv(ratioModel, ratioBatch, convOps);
  options.onLargestConv?.(largestConv);
  const rows: BenchRow[] = [];
  const dispatchesPerStep: number[] = [];
  for (const config of options.models) {
    for (const batch of options.batches) {
      for (const name of variants) {
        const { row, dispatches } = await measureRow(name, config, batch, options);
        rows.push(row);
        dispatchesPerStep.push(dispatches);
        options.onRow?.(row, dispatches);
      }
    }
  }
  return {
    report: assembleReport({
      adapter,
      kernels,
      rows,
      peakGflops: peak.gflops,
      convGflops: largestConv.gflops,
      tuning,
    }),
    leakStep: options.leakStep,
    dispatchesPerStep,
    largestConv,
    layersOf: { model: basis, batch: ratioBatch },
  };
}
