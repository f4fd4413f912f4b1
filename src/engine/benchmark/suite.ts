import * as tf from '@tensorflow/tfjs';
import { allConvBns, buildResNetSpec, summarizeResNet, type ResNetSpec } from '../../architecture';
import type { ModelName } from '../../config/params';
import {
  assembleReport,
  basisBatch,
  basisModel,
  imagesPerSecond,
  median,
  type BenchModel,
  type BenchReport,
  type BenchRow,
  type BenchVariant,
  type LargestConv,
} from '../../benchmark/report';
import { createRng, NAG_MOMENTUM } from '../../tricks';
import { availableF16Precision, F32_OPS, f16Ops } from '../fp16/ops';
import { deviceHasShaderF16 } from '../kernels/dispatch';
import { softCrossEntropy } from '../loss';
import { createResNetModel, type BatchMoments } from '../model';
import { createNagOptimizer } from '../optimizer';
import { compileTfjsShadersAhead, compileTrainingShaders } from '../precompile';
import { countDispatches } from './dispatch-counter';
import { measureFmaPeak } from './fma-peak';
import { buildLayersResNet, compileStock } from './layers-resnet';

/**
 * The engine benchmark of issue 5, shared by `npm run bench` (Node, Dawn) and the page's
 * Benchmark panel (worker): for each model × batch, the stock tf.layers baseline, our engine in
 * f32 and (with shader-f16) in f16, each trained for `leakStep` steps on the same GPU-resident
 * random batch, timed step by step with a loss readback after every step (trainOnBatch reads its
 * loss back every step, so the engine does too: the comparison is per step, like for like).
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
  /** Steps whose median images/s is reported (≥ 1). */
  timedSteps: number;
  /** The step after which tensors and GPU bytes are read a second time (≥ 2 + warmup + timed). */
  leakStep: number;
  /** Run 'engine f16' where the device has shader-f16 (default true). */
  f16?: boolean;
  onProgress?: (message: string) => void;
  /** Called once the FMA peak is measured (before any row), so a stopped run still has it. */
  onPeak?: (gflops: number) => void;
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
  /** The largest convolution of the ratio network: name, shape and its GFLOP/s. */
  largestConv: LargestConv;
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
  step(): Promise<void>;
  dispose(): void;
}

function engineTrainee(
  spec: ResNetSpec,
  input: number,
  x: tf.Tensor4D,
  targets: tf.Tensor2D,
  f16: boolean,
): Trainee {
  const ops = f16 ? f16Ops(availableF16Precision()) : F32_OPS;
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
  return {
    async step() {
      // As the trainer does: every shader compiles ahead, in parallel; part of the first step.
      if (!compiled) {
        await compileTrainingShaders(spec, ops);
        await compileTfjsShadersAhead(() => run(false).dispose());
        compiled = true;
      }
      const loss = run(true);
      await loss.data();
      loss.dispose();
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
    async step() {
      await model.trainOnBatch(x, targets);
    },
    dispose() {
      model.optimizer.dispose();
      model.dispose();
    },
  };
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
  const trainee =
    name === 'tf.layers'
      ? layersTrainee(spec, config.input, x, targets)
      : engineTrainee(spec, config.input, x, targets, name === 'engine f16');
  const stepMs: number[] = [];
  let firstStepMs = 0;
  let tensorsAt1 = 0;
  let gpuBytesAt1 = 0;
  let dispatches = 0;
  const firstTimed = 2 + options.warmupSteps;
  const lastTimed = firstTimed + options.timedSteps - 1;
  try {
    for (let step = 1; step <= options.leakStep; step++) {
      options.signal?.throwIfAborted();
      const counter = step === 2 ? countDispatches() : null;
      const start = performance.now();
      await trainee.step();
      const ms = performance.now() - start;
      if (counter) dispatches = counter.stop();
      if (step === 1) {
        firstStepMs = ms;
        tensorsAt1 = tf.memory().numTensors;
        gpuBytesAt1 = gpuBytes();
      }
      if (step >= firstTimed && step <= lastTimed) stepMs.push(ms);
      if (step % 10 === 0 || step === 1) {
        options.onProgress?.(
          `${name} ${config.model} batch ${batch}: step ${step}/${options.leakStep}`,
        );
      }
    }
    const row: BenchRow = {
      name,
      model: config.model,
      batch,
      imgPerSec: median(imagesPerSecond(batch, stepMs)),
      firstStepMs,
      tensorsAt1,
      tensorsAt200: tf.memory().numTensors,
      gpuBytesAt1,
      gpuBytesAt200: gpuBytes(),
    };
    return { row, dispatches };
  } finally {
    trainee.dispose();
    tf.dispose([x, targets]);
  }
}

/** Convolutions queued per timing, so that one readback's latency is spread over them. */
const CONV_REPEATS = 10;

/**
 * The convolution with the most multiply-adds in `config`'s network, timed forward in f32 as the
 * engine runs it (F32_OPS: our direct kernel on WebGPU): best of 5 timings of CONV_REPEATS
 * queued dispatches and one readback.
 */
async function measureLargestConv(config: BenchModelConfig, batch: number): Promise<LargestConv> {
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
  const run = async (repeats: number) => {
    const outputs = Array.from({ length: repeats }, () =>
      F32_OPS.conv2d(x, w, conv.stride, conv.pad),
    );
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
  const needed = 1 + options.warmupSteps + options.timedSteps;
  if (!(options.leakStep >= needed)) {
    throw new Error(`benchmark: the leak-check step must be ≥ ${needed} (1 + warm-up + timed)`);
  }
}

export async function runBenchmarkSuite(
  options: SuiteOptions,
  adapter: string,
): Promise<SuiteResult> {
  validateSuiteOptions(options);
  options.signal?.throwIfAborted();
  const variants: BenchVariant[] = ['tf.layers', 'engine f32'];
  if ((options.f16 ?? true) && deviceHasShaderF16()) variants.push('engine f16');
  options.onProgress?.('measuring the FMA peak');
  const peak = await measureFmaPeak();
  options.onPeak?.(peak.gflops);
  const basis = basisModel(options.models.map((m) => m.model));
  const ratioModel = options.models.find((m) => m.model === basis)!;
  const convBatch = basisBatch(options.batches);
  options.signal?.throwIfAborted();
  options.onProgress?.('timing the largest convolution');
  const largestConv = await measureLargestConv(ratioModel, convBatch);
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
    report: assembleReport(adapter, rows, peak.gflops, largestConv.gflops),
    leakStep: options.leakStep,
    dispatchesPerStep,
    largestConv,
  };
}
