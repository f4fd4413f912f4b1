import * as tf from '@tensorflow/tfjs-core';
import type { ResNetSpec } from '../../architecture';
import type { KernelSetting } from '../../tuning-plan/plan';
import type { BenchVariant, FirstStepTuning } from '../../benchmark-report/report';
import {
  createRng,
  NAG_MOMENTUM,
  sampleAugmentationBatch,
  type PreprocessingSwitches,
} from '../../tricks';
import { tuneConvolutions, type TuneResult } from '../autotune/tuner';
import { createGpuLossScaler } from '../fp16/loss-scaler';
import { f32Ops, packedOps, type HeavyOps } from '../heavy-ops';
import { createResNetModel } from '../model';
import { createNagOptimizer } from '../optimizer';
import { compileTfjsShadersAhead, compileTrainingShaders } from '../precompile';
import { installPackedGradientAccumulation } from '../packed';
import { preprocessBatch } from '../preprocess';
import { dryRunStep, trainStepWithStats, type StepBatch, type StepContext } from '../step';
import { CLASSES } from './bench-models';
import { buildLayersResNet, compileStock } from './layers-resnet';
import { tuningProgress, type SuiteOptions } from './suite-options';

/**
 * What a benchmark row trains: the trainer's own step (engine rows) or stock tf.layers'
 * trainOnBatch, on batches made as the trainer makes them.
 */

const LR = 0.05;
const WEIGHT_DECAY = 1e-4;

/** What one queued step leaves on the GPU for the caller to read back. */
export interface QueuedStep {
  /** The loss; null when the step read its loss back itself (trainOnBatch). */
  loss: tf.Scalar | null;
  /** FP16 rows: [loss scale used, updates skipped so far]; else null. */
  lossScale: tf.Tensor1D | null;
}

export interface Trainee {
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

/** The ops of an engine row: FP16 rows store activations packed, with f16 or f32 arithmetic. */
function engineOps(variant: BenchVariant, setting: KernelSetting): HeavyOps {
  if (variant === 'engine f32') return f32Ops(setting);
  installPackedGradientAccumulation();
  return packedOps(variant === 'engine f16-storage/f16' ? 'f16' : 'f32', setting);
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
export function benchBatches(batch: number, input: number): () => StepBatch {
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
export function engineTrainee(
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
export function layersTrainee(
  spec: ResNetSpec,
  input: number,
  nextBatch: () => StepBatch,
): Trainee {
  const model = buildLayersResNet(spec, input, WEIGHT_DECAY);
  compileStock(model, LR, NAG_MOMENTUM);
  return {
    tuning: { status: 'none', ms: 0 },
    async step() {
      const batch = nextBatch();
      const [x, targets] = tf.tidy(() => [
        preprocessBatch(batch.pixels, batch.count, input, input, batch.augmentation, input),
        tf.cast(tf.oneHot(tf.tensor1d(batch.labels, 'int32'), CLASSES), 'float32'),
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
