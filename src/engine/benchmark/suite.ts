import * as tf from '@tensorflow/tfjs-core';
import { allConvBns, buildResNetSpec, summarizeResNet, type ResNetSpec } from '../../architecture';
import type { AdapterIdentity, KernelSetting } from '../../tuning-plan/plan';
import type { ModelName } from '../../config/params';
import { READBACK_STEPS } from '../../run-control/readback-interval';
import {
  assembleReport,
  basisBatch,
  basisModel,
  imagesPerSecond,
  median,
  type BenchLayer,
  type BenchModel,
  type BenchReport,
  type BenchRow,
  type BenchVariant,
  fp16Variants,
  type FirstStepTuning,
  type LargestConv,
  type LayerTuning,
  type RooflinePeaks,
} from '../../benchmark-report/report';
import { minimumLeakStep } from '../../benchmark-report/settings';
import {
  createRng,
  NAG_MOMENTUM,
  sampleAugmentationBatch,
  type PreprocessingSwitches,
} from '../../tricks';
import { tuneConvolutions, type TuneResult, type TuningCacheStore } from '../autotune/tuner';
import { createGpuLossScaler } from '../fp16/loss-scaler';
import { f32Ops, kernelGeometry, packedOps, type HeavyOps } from '../heavy-ops';
import { backendDevice, deviceHasShaderF16 } from '../kernels/dispatch';
import { kernelTraffic } from '../kernels/kernel-traffic';
import { createResNetModel } from '../model';
import { createNagOptimizer } from '../optimizer';
import { compileTfjsShadersAhead, compileTrainingShaders } from '../precompile';
import { installPackedGradientAccumulation } from '../packed';
import { preprocessBatch } from '../preprocess';
import { dryRunStep, trainStepWithStats, type StepBatch, type StepContext } from '../step';
import { countDispatches } from './dispatch-counter';
import { measureCopyPeak, measureFmaPeak } from './peaks';
import { trackPeakGpuBytes } from './peak-memory';
import { profileStep } from './step-profile';
import { buildLayersResNet, compileStock } from './layers-resnet';

/**
 * The engine benchmark, shared by `npm run bench` (Node, Dawn) and the page's Benchmark panel
 * (worker). First the roofline peaks (FMA and streaming copy), then every f32 convolution op of the
 * ratio network timed with each kernel that can run it (cuDNN's find results; the choices go into
 * the tuning cache), then its largest convolution. Then for each model × batch: the stock tf.layers
 * baseline, our engine in f32 and in FP16 (packed f16 storage: with f16 arithmetic where the
 * device has shader-f16, and with f32 arithmetic on every adapter), each trained for `leakStep`
 * steps of the same images, uploaded and augmented each step. An engine row runs the trainer's own
 * step (step.ts: FP16 with dynamic loss scaling, its unscaling and overflow check), tunes in its
 * first step as the trainer does (with the cache filled, nothing is timed), and is timed twice:
 * as training runs, the loss read back every READBACK_STEPS steps (img/s), then with a readback
 * after every step (sync img/s, what trainOnBatch does: tf.layers has only that one figure). Every
 * timed window ends when the GPU has finished its work.
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
  /** Called once the peaks are measured (before any row), so a stopped run still has them. */
  onPeaks?: (peaks: RooflinePeaks) => void;
  /** Called once the ratio network's convolutions are tuned (before any row). */
  onLayers?: (tuning: LayerTuning) => void;
  /** Called once the largest convolution is timed (before any row). */
  onLargestConv?: (conv: LargestConv) => void;
  /** Called as each row is measured (the page shows rows as they come). */
  onRow?: (row: BenchRow) => void;
  /** Checked before every step: once aborted, the suite rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface SuiteResult {
  report: BenchReport;
  leakStep: number;
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

/** What one queued step leaves on the GPU for the caller to read back. */
interface QueuedStep {
  /** The loss; null when the step read its loss back itself (trainOnBatch). */
  loss: tf.Scalar | null;
  /** FP16 rows: [loss scale used, updates skipped so far]; else null. */
  lossScale: tf.Tensor1D | null;
}

interface Trainee {
  /** One step; resolves once it is queued. */
  step(): Promise<QueuedStep>;
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

/** The paper's baseline augmentation (§2.1), all of it, as a default training run draws it. */
const BASELINE_AUGMENTATION: PreprocessingSwitches = {
  crop: true,
  flip: true,
  jitter: true,
  pca: true,
};

/**
 * Batches as the trainer makes them (training/batches.ts): the same images every step (random
 * pixels in [0, 255], uploaded each step as the trainer uploads each batch), a fresh draw of the
 * baseline augmentation each step, no mixup.
 */
function benchBatches(batch: number, input: number): () => StepBatch {
  const rng = createRng(7);
  const pixels = Float32Array.from({ length: batch * input * input * 3 }, () =>
    Math.floor(rng.uniform(0, 256)),
  );
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7) % CLASSES);
  return () => ({
    pixels,
    labels,
    count: batch,
    augmentation: sampleAugmentationBatch(rng, batch, input, input, BASELINE_AUGMENTATION),
    mixupLambda: 1,
  });
}

/** The trainer's step (step.ts), with the trainer's warm-up in the first one. */
function engineTrainee(
  spec: ResNetSpec,
  input: number,
  nextBatch: () => StepBatch,
  variant: BenchVariant,
  options: SuiteOptions,
  label: string,
): Trainee {
  const ops = engineOps(variant, options.kernels ?? 'auto');
  const model = createResNetModel(spec, input, createRng(1), ops);
  const optimizer = createNagOptimizer(model.parameters, WEIGHT_DECAY, true, NAG_MOMENTUM);
  const lossScaler = variant === 'engine f32' ? null : createGpuLossScaler();
  const ctx: StepContext = {
    model,
    optimizer,
    teacher: null,
    classes: CLASSES,
    labelSmoothing: 0,
    temperature: 1,
    height: input,
    width: input,
    lossScaler,
  };
  let compiled = false;
  const tuning = { status: 'none' as FirstStepTuning, ms: 0 };
  return {
    tuning,
    async step() {
      const batch = nextBatch();
      // As the trainer's warm-up does: tune (or read the cache), then compile every shader
      // ahead, in parallel; all of it is part of the first step.
      if (!compiled) {
        const start = performance.now();
        const result = await tuneConvolutions({
          spec,
          input,
          batch: batch.count,
          ops,
          adapter: options.adapter,
          cache: options.tuningCache ?? null,
          signal: options.signal,
          onProgress: tuningProgress(`${label}: `, options.onProgress),
        });
        tuning.ms = performance.now() - start;
        tuning.status = tuningStatus(result);
        for (const notice of result.notices) options.onProgress?.(notice);
        await compileTrainingShaders(spec, ops, input, batch.count);
        await compileTfjsShadersAhead(() => dryRunStep(ctx, batch));
        compiled = true;
      }
      return trainStepWithStats(ctx, batch, LR);
    },
    dispose() {
      lossScaler?.dispose();
      optimizer.dispose();
      model.dispose();
    },
  };
}

/**
 * Stock tf.layers with trainOnBatch, fed by the same input pipeline as the engine rows (upload
 * and augmentation on the GPU each step), so that the ratio compares the training steps alone.
 */
function layersTrainee(spec: ResNetSpec, input: number, nextBatch: () => StepBatch): Trainee {
  const model = buildLayersResNet(spec, input, WEIGHT_DECAY);
  compileStock(model, LR, NAG_MOMENTUM);
  return {
    tuning: { status: 'none', ms: 0 },
    async step() {
      const batch = nextBatch();
      const [x, targets] = tf.tidy(() => [
        preprocessBatch(batch.pixels, batch.count, input, input, batch.augmentation, input),
        tf.oneHot(tf.tensor1d(batch.labels, 'int32'), CLASSES).toFloat(),
      ]);
      try {
        // trainOnBatch reads its loss back before it resolves.
        await model.trainOnBatch(x!, targets!);
      } finally {
        tf.dispose([x!, targets!]);
      }
      return { loss: null, lossScale: null };
    },
    dispose() {
      model.optimizer.dispose();
      model.dispose();
    },
  };
}

/**
 * Reads the queued steps' losses and loss scales back in one transfer (as the trainer does),
 * frees them, and waits until the GPU has finished everything queued: a timed window ends there,
 * never at the last submit. Returns the last FP16 step's [scale, skipped so far], if any.
 */
async function readBack(steps: QueuedStep[]): Promise<[number, number] | null> {
  const losses = steps.flatMap((s) => (s.loss ? [s.loss] : []));
  const scales = steps.flatMap((s) => (s.lossScale ? [s.lossScale] : []));
  try {
    if (losses.length + scales.length > 0) {
      const all = tf.tidy(() =>
        tf.concat([...(losses.length > 0 ? [tf.stack(losses)] : []), ...scales]),
      );
      try {
        const values = await all.data();
        if (scales.length > 0) return [values[values.length - 2]!, values[values.length - 1]!];
      } finally {
        all.dispose();
      }
    }
    return null;
  } finally {
    tf.dispose([...losses, ...scales]);
    await backendDevice().queue.onSubmittedWorkDone();
  }
}

const gpuBytes = () =>
  (tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number }).numBytesInGPU ?? 0;

async function measureRow(
  name: BenchVariant,
  config: BenchModelConfig,
  batch: number,
  options: SuiteOptions,
): Promise<BenchRow> {
  const spec = specOf(config);
  const nextBatch = benchBatches(batch, config.input);
  const label = `${name} ${config.model} batch ${batch}`;
  const layers = name === 'tf.layers';
  const trainee = layers
    ? layersTrainee(spec, config.input, nextBatch)
    : engineTrainee(spec, config.input, nextBatch, name, options, label);
  // Steps: 1 (first), warm-up, the timed window as training runs (readback every
  // READBACK_STEPS), then (engine only) the timed window with a readback per step, then the
  // rest up to the leak check. Every step outside the first window reads back, so that each
  // window starts with an idle GPU.
  const firstTimed = 2 + options.warmupSteps;
  const lastAsync = firstTimed + options.timedSteps - 1;
  const lastSync = lastAsync + (layers ? 0 : options.timedSteps);
  const pending: QueuedStep[] = [];
  const syncStepMs: number[] = [];
  let asyncStart = 0;
  let asyncMs = 0;
  let firstStepMs = 0;
  let tensorsAt1 = 0;
  let gpuBytesAt1 = 0;
  let dispatches = 0;
  let peakGpuBytes = 0;
  let lossScale: [number, number] | null = null;
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
      const queued = await trainee.step();
      // The step's own dispatches and memory: before any readback (a batched one stacks losses).
      if (counter) dispatches = counter.stop();
      if (peak) peakGpuBytes = peak.stop();
      pending.push(queued);
      if (inAsync) {
        if (pending.length >= READBACK_STEPS || step === lastAsync) {
          lossScale = (await readBack(pending.splice(0))) ?? lossScale;
        }
        if (step === lastAsync) asyncMs = performance.now() - asyncStart;
        continue;
      }
      lossScale = (await readBack(pending.splice(0))) ?? lossScale;
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
    const tensorsAtLeakStep = tf.memory().numTensors;
    const gpuBytesAtLeakStep = gpuBytes();
    // One more step, outside every other figure, with each dispatch timed on the GPU.
    const stepProfile = layers
      ? null
      : await profileStep(
          async () => void (await readBack([await trainee.step()])),
          median(syncStepMs),
        );
    return {
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
      tensorsAtLeakStep,
      gpuBytesAt1,
      gpuBytesAtLeakStep,
      peakGpuBytes,
      dispatchesPerStep: dispatches,
      lossScale: lossScale ? lossScale[0] : null,
      skippedSteps: lossScale ? lossScale[1] : null,
      stepProfile,
    };
  } finally {
    for (const q of pending) tf.dispose([q.loss ?? [], q.lossScale ?? []]);
    trainee.dispose();
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
    candidates: c.candidates.map((t) => {
      const timed = Number.isFinite(t.ms);
      const traffic = timed ? kernelTraffic(t.id, c.op, c.geometry) : null;
      return {
        id: t.id,
        family: t.family,
        ms: timed ? t.ms : null,
        gflops: timed ? t.gflops : null,
        gbps: traffic ? bytesPerSecond(traffic, t.ms) / 1e9 : null,
      };
    }),
    chosen: chosen.get(c.key) ?? c.chosen,
  }));
  return { tuning: { layers, ms, timer: tuned.timer }, ops };
}

/** Bytes read and written per second over a run of `ms` milliseconds. */
export function bytesPerSecond(
  traffic: { bytesRead: number; bytesWritten: number },
  ms: number,
): number {
  return (traffic.bytesRead + traffic.bytesWritten) / (ms / 1000);
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
  const fma = await measureFmaPeak();
  options.onProgress?.('measuring the memory bandwidth peak');
  const copy = await measureCopyPeak();
  const peaks: RooflinePeaks = {
    gflops: fma.gflops,
    gbps: copy.gbps,
    fmaDispatchMs: fma.dispatchMs,
    copyDispatchMs: copy.dispatchMs,
  };
  options.onPeaks?.(peaks);
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
  for (const config of options.models) {
    for (const batch of options.batches) {
      for (const name of variants) {
        const row = await measureRow(name, config, batch, options);
        rows.push(row);
        options.onRow?.(row);
      }
    }
  }
  return {
    report: assembleReport({
      adapter,
      kernels,
      rows,
      peaks,
      convGflops: largestConv.gflops,
      tuning,
    }),
    leakStep: options.leakStep,
    largestConv,
    layersOf: { model: basis, batch: ratioBatch },
  };
}
